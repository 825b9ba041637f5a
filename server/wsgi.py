"""``gunicorn server.wsgi:app``: the app built from the environment (``KG_*``)."""

from server import create_app

app = create_app()
