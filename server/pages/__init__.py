"""Blueprint ``pages``: the Linked Data pages for people and machines.

Routes live in submodules that import ``bp`` from here: ``resources`` (``/id/…``,
``/graph/…`` with content negotiation), ``search`` (``/search``), ``browse`` (``/`` and
``/class/<Term>``), ``sources`` (``/source/``, the list of sources), ``reader``
(``/source/<slug>``, a source annotated) and ``argument`` (``/source/<slug>/argument``).
"""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="../templates")

from server.pages import (  # noqa: E402, F401  (routes)
    argument,
    browse,
    reader,
    resources,
    search,
    sources,
)
