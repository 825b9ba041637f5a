"""Blueprint `ontology` (see server/__init__.py BLUEPRINTS)."""

from flask import Blueprint

bp = Blueprint("ontology", __name__, template_folder="../templates")
