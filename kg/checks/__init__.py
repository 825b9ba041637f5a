"""The checks between the sources and the store: nothing is loaded before all of them pass.

- :mod:`kg.checks.ontology` — the ontology and the shapes as rdflib graphs (read from
  ``ontology/`` and ``shapes/``, or their copies in an installed wheel), the version stamp;
- :mod:`kg.checks.validate` — SHACL validation (pySHACL) of the curated graph or given files;
- :mod:`kg.checks.reason` — OWL consistency and class satisfiability (HermiT);
- :mod:`kg.checks.quotes` — a quote is found, verbatim, at its offsets in the stored text;
- :mod:`kg.checks.sandbox` — validation of untrusted uploads in a forked child with memory and
  time ceilings, so that a web worker never runs it itself.
"""
