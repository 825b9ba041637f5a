"""Blueprint `ops` (see server/__init__.py BLUEPRINTS)."""

from flask import Blueprint

bp = Blueprint("ops", __name__, template_folder="../templates")
