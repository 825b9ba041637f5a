"""What the store says about one resource, shaped for pages (no Flask here).

Pure functions of a :class:`kg.store.Store`; the pages blueprint calls them. Every lookup is a
bounded pattern match (``quads_for_pattern`` on the embedded reader), never a scan, so a page
costs the same with 1M unrelated triples in the store.

* :mod:`.kinds` — assertion kinds (badges), relations between assertions, type ranks;
* :mod:`.document` — the RDF document of an IRI (:func:`resource_quads`);
* :mod:`.provenance` — an assertion's kind, attribution, quote and relations;
* :mod:`.view` — an entity page's view: statements by property and by source document;
* :mod:`.jsonld` — the schema.org JSON-LD of a page (claims as ``schema:Claim``);
* :mod:`.sources` — source documents: metadata, text, segmentation, quotes located;
* :mod:`.argument` — a source's argument: claims and the relations between them.
"""

from server.describe.document import SparqlPatterns, exists, resource_quads
from server.describe.jsonld import schema_jsonld
from server.describe.kinds import (
    CLAIM_KINDS,
    KIND_CLASS,
    KIND_LIST,
    KIND_WORDS,
    KINDS,
    RELATIONS,
    SCHEMA_TYPES,
    TYPE_RANK,
    Kind,
    Relation,
)
from server.describe.provenance import Provenance, assertion_slug, provenance
from server.describe.view import (
    EntityView,
    PropertyGroup,
    SourceSection,
    Statement,
    Term,
    Viewer,
    definition_of,
    local_url,
)

__all__ = [
    "CLAIM_KINDS",
    "KINDS",
    "KIND_CLASS",
    "KIND_LIST",
    "KIND_WORDS",
    "RELATIONS",
    "SCHEMA_TYPES",
    "TYPE_RANK",
    "EntityView",
    "Kind",
    "PropertyGroup",
    "Provenance",
    "Relation",
    "SourceSection",
    "SparqlPatterns",
    "Statement",
    "Term",
    "Viewer",
    "assertion_slug",
    "definition_of",
    "exists",
    "local_url",
    "provenance",
    "resource_quads",
    "schema_jsonld",
]
