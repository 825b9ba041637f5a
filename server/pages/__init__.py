"""Blueprint `pages` (see server/__init__.py BLUEPRINTS)."""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="../templates")
