"""Routes: see server/sparql/__init__.py."""

from server.sparql import bp  # noqa: F401
