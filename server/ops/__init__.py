"""Blueprint ``ops``: ``/healthz`` and ``/metrics``, plus the app-wide operational hooks
(request metrics, URL/body limits), registered by :func:`init_app`."""

from __future__ import annotations

from flask import Blueprint, Flask

from server import limits
from server.ops import health, metrics

bp = Blueprint("ops", __name__, template_folder="../templates")
bp.add_url_rule("/healthz", "healthz", health.healthz, methods=["GET"])
bp.add_url_rule("/metrics", "metrics", metrics.exposition, methods=["GET"])


def init_app(app: Flask) -> None:
    metrics.init_app(app)
    limits.init_app(app)
