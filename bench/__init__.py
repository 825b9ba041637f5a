"""Benchmarks: side-by-side measurements, not timed tests. ``python -m bench.run`` runs them."""
