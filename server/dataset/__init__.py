"""Blueprint `dataset` (see server/__init__.py BLUEPRINTS)."""

from flask import Blueprint

bp = Blueprint("dataset", __name__, template_folder="../templates")
