"""The one table of settings.

Each setting is read from the environment as ``KG_<NAME>``; CLI flags override. The CLI's
``--help``, the README and the Flask config all read this table, and a test fails when a
setting is not documented in the README. Nothing else reads ``KG_*`` variables: the CLI and
the app load the table once (:func:`load`); library code that runs outside both reads one
setting through it (:func:`get`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kg.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be > 0")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be > 0")
    return number


def _non_negative_float(value: str) -> float:
    number = float(value)
    if number < 0:
        raise ValueError("must be >= 0 (0 = off)")
    return number


def _non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be >= 0 (0 = off)")
    return number


def _addresses(value: str) -> str:
    """Space- or comma-separated IP addresses or networks (checked here, parsed by users)."""
    import ipaddress  # noqa: PLC0415

    for item in value.replace(",", " ").split():
        ipaddress.ip_network(item, strict=False)
    return value


def _base_iri(value: str) -> str:
    if not value.startswith(("http://", "https://")) or not value.endswith("/"):
        raise ValueError("must be an http(s) IRI ending with '/'")
    return value


def _optional(value: str) -> str | None:
    return value or None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "STORE",
        "./var/store",
        "a directory (embedded on-disk store) or an http(s):// SPARQL endpoint (remote store)",
    ),
    Setting("BASE_IRI", "https://w3id.org/sgkg/", "canonical base IRI", _base_iri),
    Setting(
        "QUERY_TIMEOUT", 30.0, "seconds before a query (or an update) is stopped", _positive_float
    ),
    Setting("MAX_ROWS", 100_000, "rows/triples returned at most by one query", _positive_int),
    Setting(
        "UPDATE_TOKEN",
        None,
        "bearer token that enables SPARQL Update and Graph Store writes; unset = read-only",
        _optional,
    ),
    Setting(
        "FEDERATION_ALLOW",
        "https://query.wikidata.org/sparql https://dbpedia.org/sparql",
        "space-separated endpoint URLs that SERVICE may call; empty = SERVICE refused",
    ),
    Setting(
        "MAX_REQUEST_BYTES",
        1_000_000,
        "largest accepted request body (bytes); larger is 413",
        _positive_int,
    ),
    Setting(
        "MAX_URL_BYTES",
        16_384,
        "longest accepted request URL (bytes); longer is 414",
        _positive_int,
    ),
    Setting(
        "CONTACT",
        "sgkg@example.org",
        "contact address sent in the User-Agent of outgoing requests (Wikimedia policy)",
    ),
    Setting("DUMPS", "./var/dumps", "directory where `kg dump` writes and /dumps/ serves dumps"),
    Setting("WORKERS", 4, "gunicorn worker processes for `kg serve`", _positive_int),
    Setting(
        "MAX_MEMORY_MB",
        1024,
        "memory (MB) one query or validation process may add, and a web worker may grow by "
        "before it is recycled; over it: 503 naming the limit",
        _positive_int,
    ),
    Setting(
        "RATE_LIMIT_REQUESTS",
        3000,
        "requests per client per minute on /sparql, /update, /store, /api/ (shared by all "
        "workers); over it: 429 with Retry-After; 0 = off",
        _non_negative_int,
    ),
    Setting(
        "RATE_LIMIT_QUERY_SECONDS",
        60.0,
        "seconds of query time per client per minute (shared by all workers); over it: 429 "
        "with Retry-After; 0 = off",
        _non_negative_float,
    ),
    Setting(
        "TRUSTED_PROXIES",
        "",
        "space-separated addresses (or networks) of proxies whose X-Forwarded-For names the client",
        _addresses,
    ),
    Setting(
        "RELEASES",
        "./var/releases",
        "directory where `kg release` freezes releases and /releases/ serves them",
    ),
    Setting(
        "KEYS",
        "./var/keys",
        "directory of the project's signing key (made on first use; never in git or a dump)",
    ),
    Setting(
        "SHARE_MAX_BYTES",
        20_000,
        "largest query (bytes) POST /api/share stores as a short link; larger is 413",
        _positive_int,
    ),
    Setting(
        "SHARE_RATE_LIMIT",
        30,
        "new short links per client per minute (POST /api/share); over it: 429 with "
        "Retry-After; 0 = off",
        _non_negative_int,
    ),
    Setting(
        "SHARE_DB",
        None,
        "SQLite file of the short links; unset = shares.sqlite in the store's folder for "
        "derived files",
        _optional,
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def load(environ: Mapping[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """Return the settings: defaults, then ``KG_*`` environment variables, then overrides.

    Keys are the setting names without the ``KG_`` prefix. String overrides (command-line
    flags) go through the same parser as the environment. Raises :class:`ConfigError`
    naming the variable (or flag) when a value does not parse.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {setting.name: get(setting.name, env) for setting in SETTINGS}
    for name, value in overrides.items():
        if value is None:
            continue
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            raise ConfigError(f"unknown setting {name}")
        if isinstance(value, str):  # a command-line flag: parsed like the environment
            try:
                value = setting.parse(value)
            except ValueError as exc:
                flag = "--" + name.lower().replace("_", "-")
                raise ConfigError(f"{flag} {value!r} (KG_{name}): {exc}") from exc
        values[name] = value
    return values


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One setting, read through the table (for library code that runs outside the app and
    the CLI's settings dict, e.g. the compiler signing with the project key)."""
    setting = SETTINGS_BY_NAME[name]
    env = os.environ if environ is None else environ
    raw = env.get(f"KG_{name}")
    if raw is None:
        return setting.default
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"KG_{name}={raw!r}: {exc}") from exc


def federation_allow(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The allow-list as a tuple of endpoint URLs."""
    if isinstance(value, str):
        return tuple(v for v in value.split() if v)
    return tuple(value)
