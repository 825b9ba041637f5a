"""The Flask app: SPARQL endpoint, Linked Data pages, ontology docs, dataset description.

``create_app(config)``: defaults from :mod:`kg.settings` (``KG_*`` environment variables),
then the ``config`` dict (tests). Nothing reads ``os.environ`` inside a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask

from kg import settings as kg_settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class App(Flask):
    """Flask, with one typed place for WSGI middleware in front of its request handling
    (``front``: the lean /sparql path). Flask's own pattern, ``app.wsgi_app =
    Middleware(app.wsgi_app)``, reassigns a method, which the type checker refuses."""

    front: WSGIApplication | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.front is not None:
            return self.front(environ, start_response)
        return self.wsgi_app(environ, start_response)


# One blueprint per surface; each module exposes ``bp`` (and optionally ``init_app``).
BLUEPRINTS = (
    "server.ops",  # /healthz, /metrics
    "server.sparql",  # /sparql, /update, /store
    "server.pages",  # /, /id/…, /graph/…, /search, /source/…, /class/…
    "server.ontology",  # /ontology, /ontology/…, /shapes, /shapes/…
    "server.dataset",  # /void, /.well-known/void, /dumps/, /validate
    "server.lifecycle",  # /np/…, /id/nanopub/…, /releases/, /release/…, /changes (issue 12)
    "server.api",  # /api/queries/…, /api/openapi.json, /api/complete, /api/share, /s/…
)


def create_app(config: dict[str, Any] | None = None) -> App:
    app = App(__name__)
    app.config.update(kg_settings.load())
    app.config.update(
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=None,  # set from MAX_REQUEST_BYTES below
        TEMPLATES_AUTO_RELOAD=False,
    )
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    app.config["FEDERATION_ALLOW"] = kg_settings.federation_allow(app.config["FEDERATION_ALLOW"])
    base = app.config["BASE_IRI"]
    if not base.endswith("/"):
        app.config["BASE_IRI"] = base + "/"

    from server import cors, errors, ratelimit, store  # noqa: PLC0415

    store.init_app(app)
    errors.init_app(app)
    cors.init_app(app)
    ratelimit.init_app(app)

    import importlib  # noqa: PLC0415

    for name in BLUEPRINTS:
        module = importlib.import_module(name)
        if hasattr(module, "init_app"):
            module.init_app(app)
        app.register_blueprint(module.bp)
    return app
