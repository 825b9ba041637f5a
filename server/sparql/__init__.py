"""Blueprint ``sparql``: /sparql (query + UI + service description), /update, /store.

Routes live in submodules that import ``bp`` from here: ``query`` (protocol query
operation, service description), ``update`` (SPARQL Update), ``gsp`` (Graph Store
Protocol), ``ui`` (the YASGUI query UI and the example catalogue). ``lean`` answers the
query operation in front of Flask (same code, same errors, less per-request machinery).
"""

from flask import Blueprint

from server import App

bp = Blueprint("sparql", __name__, template_folder="../templates")

from server.sparql import gsp, lean, query, ui, update  # noqa: E402, F401  (route registration)


def init_app(app: App) -> None:
    lean.install(app)
