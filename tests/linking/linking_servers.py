"""Paths of the linking tests; the server helpers live in tests/servers.py."""

from __future__ import annotations

from pathlib import Path

from tests.servers import (  # noqa: F401  (re-exported for the linking tests)
    NODE_DIR,
    ROOT,
    Process,
    free_port,
    node_ready,
    require,
    run_node,
    start_gunicorn,
    start_oxigraph,
    wait_http,
    which,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
