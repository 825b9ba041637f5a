"""Blueprint ``sparql``: /sparql (query + UI + service description), /update, /store.

Routes live in submodules that import ``bp`` from here: ``query`` (protocol query
operation, service description), ``update`` (SPARQL Update), ``gsp`` (Graph Store
Protocol), ``ui`` (the YASGUI query UI and the example catalogue).
"""

from flask import Blueprint

bp = Blueprint("sparql", __name__, template_folder="../templates")

from server.sparql import gsp, query, ui, update  # noqa: E402, F401  (route registration)
