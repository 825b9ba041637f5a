"""The publishing lifecycle: nanopublications with Trusty URIs, releases, history, change feed.

- :mod:`kg.publish.keys` — the project's signing key (``var/keys/``, made on first use, never
  in git);
- :mod:`kg.publish.mint` — draft nanopubs (from :mod:`kg.sources.nanopub`) → signed nanopubs at
  ``{base}np/RA…`` with the nanopub toolkit (``nanopub-sign``); a claim whose content did not
  change since the last release keeps its released nanopub, byte for byte; a changed one gets a
  new nanopub that supersedes the old (``graph/lifecycle``);
- :mod:`kg.publish.releases` — the releases on disk (``var/releases/{version}/``): their
  index of nanopubs by slug (how the build knows the previous version), the archive of every
  nanopub ever released, dumps, checksums and the diff against the previous release;
- :mod:`kg.publish.feed` — the change feed (Atom / JSON) built from the releases.
"""

from __future__ import annotations

NPX = "http://purl.org/nanopub/x/"
NP = "http://www.nanopub.org/nschema#"
DCTERMS = "http://purl.org/dc/terms/"
LIFECYCLE_GRAPH = "graph/lifecycle"
NP_PREFIX = "np/"
DEFAULT_BASE_IRI = "https://w3id.org/sgkg/"
#: Where drafts live until they are minted (not under the base: the toolkit replaces the
#: draft namespace wherever it occurs).
DRAFT_ROOT = "http://purl.org/nanopub/temp/sgkg/"
