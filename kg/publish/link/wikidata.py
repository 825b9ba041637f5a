"""The Wikidata side of ``kg link``: a SPARQLWrapper client with a User-Agent per Wikimedia
policy and bounded retries on 429 (``Retry-After`` honoured), and the queries it sends."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.error
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.useragent import sparqlwrapper_agent

WDQS = "https://query.wikidata.org/sparql"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
LANGUAGES = ("en", "uk", "fr")
FACT_PROPERTIES = ("P297", "P298", "P31", "P463")
_QID = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")

WDQS = "https://query.wikidata.org/sparql"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
LANGUAGES = ("en", "uk", "fr")
FACT_PROPERTIES = ("P297", "P298", "P31", "P463")


class BadResponse(KGError):
    """An endpoint answer that does not parse as SPARQL JSON results."""

    status = 502


class Offline(Exception):
    """The endpoint cannot be reached at all (no network, refused, unknown host)."""


class WikidataClient:
    """SELECT queries through SPARQLWrapper, raw answers kept, 429s waited out (bounded)."""

    def __init__(
        self,
        endpoint: str = WDQS,
        *,
        agent: str | None = None,
        timeout: float = 60,
        max_retries: int = 4,
        max_wait: float = 60,
        responses_dir: Path | None = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.agent = agent or sparqlwrapper_agent()
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.responses_dir = responses_dir
        self.sleep = sleep
        self.saved: list[Path] = []
        self.waits: list[float] = []

    def _fetch(self, query: str) -> bytes:
        from SPARQLWrapper import JSON, SPARQLWrapper  # noqa: PLC0415

        client = SPARQLWrapper(self.endpoint, agent=self.agent)
        client.setQuery(query)
        client.setReturnFormat(JSON)
        client.setTimeout(int(self.timeout))
        for attempt in range(self.max_retries + 1):
            try:
                return client.query().response.read()
            except urllib.error.HTTPError as exc:
                if exc.code != 429 or attempt == self.max_retries:
                    raise KGError(
                        f"{self.endpoint} answered HTTP {exc.code} {exc.reason}"
                        + (" (retries exhausted)" if exc.code == 429 else "")
                    ) from exc
                self.sleep(self._retry_after(exc.headers.get("Retry-After"), attempt))
            except urllib.error.URLError as exc:
                raise Offline(f"cannot reach {self.endpoint}: {exc.reason}") from exc
            except (TimeoutError, ConnectionError) as exc:
                raise Offline(f"cannot reach {self.endpoint}: {exc}") from exc
            except Exception as exc:  # SPARQLWrapper's own errors (400, 404, 500 …)
                raise KGError(f"{self.endpoint}: {type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_after(self, header: str | None, attempt: int) -> float:
        """Seconds to wait: the server's Retry-After (seconds or HTTP date), capped."""
        wait = 2.0**attempt
        if header:
            try:
                wait = float(header)
            except ValueError:
                from email.utils import parsedate_to_datetime  # noqa: PLC0415

                try:
                    when = parsedate_to_datetime(header)
                    wait = (when - dt.datetime.now(dt.UTC)).total_seconds()
                except (TypeError, ValueError):
                    pass
        wait = max(0.0, min(wait, self.max_wait))
        self.waits.append(wait)
        return wait

    def select(self, name: str, query: str) -> list[dict[str, dict[str, str]]]:
        """The bindings of a SELECT; the raw answer is saved first. Raises BadResponse."""
        raw = self._fetch(query)
        if self.responses_dir is not None:
            self.responses_dir.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            path = self.responses_dir / f"{stamp}-{name}.json"
            record = {"endpoint": self.endpoint, "query": query}
            path.write_bytes(
                json.dumps(record, ensure_ascii=False).encode() + b"\n" + raw
            )  # first line: what was asked; the rest: the answer exactly as received
            self.saved.append(path)
        try:
            data = json.loads(raw)
            bindings = data["results"]["bindings"]
            if not isinstance(bindings, list):
                raise TypeError("results.bindings is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise BadResponse(
                f"{name}: the answer of {self.endpoint} does not parse: {exc}"
            ) from exc
        return bindings


def _values(qids: list[str]) -> str:
    return " ".join(f"wd:{q}" for q in sorted(set(qids)))


PREFIXES = (
    "PREFIX wd: <http://www.wikidata.org/entity/>\n"
    "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


def facts_query(qids: list[str]) -> str:
    props = " ".join(f"wdt:{p}" for p in FACT_PROPERTIES)
    langs = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    return (
        PREFIXES + "SELECT ?item ?prop ?value WHERE {\n"
        f"  VALUES ?item {{ {_values(qids)} }}\n"
        f"  {{ VALUES ?prop {{ {props} }} ?item ?prop ?value . }}\n"
        "  UNION\n"
        "  { ?item rdfs:label ?value . BIND(rdfs:label AS ?prop)"
        f" FILTER(LANG(?value) IN ({langs})) }}\n}}"
    )


def iso_query(codes: list[str]) -> str:
    values = " ".join(json.dumps(c) for c in sorted(set(codes)))
    return (
        PREFIXES
        + f"SELECT ?item ?code WHERE {{ VALUES ?code {{ {values} }} ?item wdt:P297 ?code . }}"
    )


def label_query(labels: list[str]) -> str:
    values = " ".join(f"{json.dumps(v)}@en" for v in sorted(set(labels)))
    return (
        PREFIXES + "SELECT ?item ?label ?class WHERE {\n"
        f"  VALUES ?label {{ {values} }}\n"
        "  ?item rdfs:label ?label . OPTIONAL { ?item wdt:P31 ?class }\n}"
    )


# -- reading our side -----------------------------------------------------------------------
