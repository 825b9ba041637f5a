"""Blueprint `sparql` (see server/__init__.py BLUEPRINTS)."""

from flask import Blueprint

bp = Blueprint("sparql", __name__, template_folder="../templates")
