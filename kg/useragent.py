"""The project's HTTP User-Agent, one string for every outgoing request.

Wikimedia's User-Agent policy (https://meta.wikimedia.org/wiki/User-Agent_policy) asks every
client of query.wikidata.org to name itself, give a way to reach its operator, and name the
library it uses; clients with generic agents are throttled or blocked. The contact is a
placeholder until the operator sets ``KG_CONTACT`` (a mail address or a URL; read with the other
settings by ``kg.settings``, never here): deployments must set it to something that reaches a
person.
"""

from __future__ import annotations

from kg import __version__

PROJECT_URL = "https://w3id.org/sgkg/"
DEFAULT_CONTACT = "sgkg@example.org"


def contact(value: str | None = None) -> str:
    """The operator contact: ``value`` (the ``CONTACT`` setting), else the placeholder."""
    return (value or DEFAULT_CONTACT).strip()


def user_agent(contact_value: str | None = None, *, library: str | None = None) -> str:
    """``sgkg/<version> (https://w3id.org/sgkg/; <contact>) <library>``.

    >>> user_agent("ops@example.net", library="SPARQLWrapper/2.0")
    'sgkg/0.1.0 (https://w3id.org/sgkg/; ops@example.net) SPARQLWrapper/2.0'
    """
    text = f"sgkg/{__version__} ({PROJECT_URL}; {contact(contact_value)})"
    return f"{text} {library}" if library else text


def sparqlwrapper_agent(contact_value: str | None = None) -> str:
    """The agent for requests made through SPARQLWrapper (``kg link``)."""
    try:
        from SPARQLWrapper import __version__ as swv  # noqa: PLC0415
    except ImportError:  # pragma: no cover - SPARQLWrapper is a dependency
        swv = "2.0"
    major_minor = ".".join(str(swv).split(".")[:2])
    return user_agent(contact_value, library=f"SPARQLWrapper/{major_minor}")


def requests_agent(contact_value: str | None = None) -> str:
    """The agent for requests made with ``requests`` (remote store, federation)."""
    import requests  # noqa: PLC0415

    return user_agent(contact_value, library=f"python-requests/{requests.__version__}")
