"""Blueprint ``pages``: the Linked Data pages for people and machines.

Routes live in submodules that import ``bp`` from here: ``resources`` (``/id/…``,
``/graph/…`` with content negotiation), ``search`` (``/search``), ``browse`` (``/`` and
``/class/<Term>``) and ``reader`` (``/source/<slug>``, the annotated article).
"""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="../templates")

from server.pages import browse, reader, resources, search  # noqa: E402, F401  (routes)
