"""Security Guarantees Knowledge Graph: sources → RDF → validate → reason → load.

This package knows nothing of Flask; the web app lives in :mod:`server`.
"""

__version__ = "0.1.0"
