"""``GET /api/openapi.json``: the API described in OpenAPI 3.1, generated from the catalogue.

Every example question is a path ``/api/queries/<name>`` with its typed parameters (from its
``# param:`` header), ``limit``/``offset``/``format``, and its responses (JSON, CSV, errors);
``/api/queries``, ``/api/complete``, ``/api/prefixes`` and the share links are described too.
The test suite validates the document (openapi-spec-validator) and every response against it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify, request

from kg import __version__
from server.api import bp
from server.api.catalogue import ApiQuery
from server.api.queries import DEFAULT_LIMIT, MAX_LIMIT, catalogue

SCHEMA_OF_TYPE: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(description: str, ref: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def query_operation(query: ApiQuery) -> dict[str, Any]:
    params: list[dict[str, Any]] = []
    for p in query.params:
        schema = {**SCHEMA_OF_TYPE[p.type]}
        default = query.default_value(p)
        schema["default"] = (
            int(default)
            if p.type == "integer"
            else float(default)
            if p.type == "decimal"
            else default == "true"
            if p.type == "boolean"
            else default
        )
        params.append(
            {
                "name": p.name,
                "in": "query",
                "required": False,
                "description": p.description
                or f"{p.type}; default {default} (an IRI or a CURIE for iri parameters)",
                "schema": schema,
            }
        )
    params += [
        {"$ref": "#/components/parameters/limit"},
        {"$ref": "#/components/parameters/offset"},
        {"$ref": "#/components/parameters/format"},
    ]
    responses: dict[str, Any] = {
        "200": {
            "description": "One page of the answer's rows",
            "headers": {
                "X-Total-Count": {
                    "description": "rows in the whole answer",
                    "schema": {"type": "integer"},
                }
            },
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/QueryResult"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        "400": _error("A parameter that is not of its type, or an unknown parameter"),
        "429": _error("Too many requests"),
    }
    if query.federated:
        responses["403"] = _error("SERVICE target not allowed (KG_FEDERATION_ALLOW)")
        responses["502"] = _error("The remote SPARQL service failed")
        responses["504"] = _error("The remote SPARQL service did not answer in time")
    responses["503"] = _error("The store is unavailable or the query ran out of time")
    return {
        "operationId": "query_" + re.sub(r"[^A-Za-z0-9]+", "_", query.name),
        "summary": query.example.title,
        "description": query.example.description
        + f"\n\nThe SPARQL ({query.form}) is in the example catalogue: /sparql/examples.",
        "tags": ["example questions"],
        "parameters": params,
        "responses": responses,
    }


def document(root: str) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1 document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/api/queries": {
            "get": {
                "operationId": "list_queries",
                "summary": "The example questions with their parameters",
                "responses": {"200": _json("The catalogue", "QueryList")},
            }
        },
        "/api/complete": {
            "get": {
                "operationId": "complete",
                "summary": "Completions of classes, properties, entities and prefixes",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "description": "start of a name, a CURIE or an IRI",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    },
                    {
                        "name": "kind",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["class", "property", "entity", "prefix"],
                        },
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                ],
                "responses": {
                    "200": _json("Completions, best first", "Completions"),
                    "400": _error("q missing or too long, or a bad kind/limit"),
                },
            }
        },
        "/api/prefixes": {
            "get": {
                "operationId": "prefixes",
                "summary": "The query editor's prefixes",
                "responses": {
                    "200": {
                        "description": "prefix → namespace IRI",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                }
                            }
                        },
                    }
                },
            }
        },
        "/api/share": {
            "post": {
                "operationId": "share_query",
                "summary": "Store a query and get a short, stable link to it",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["query"],
                                "properties": {"query": {"type": "string"}},
                            }
                        },
                        "application/sparql-query": {"schema": {"type": "string"}},
                    },
                },
                "responses": {
                    "201": _json("The link", "ShareLink"),
                    "400": _error("No query, or not a query body"),
                    "413": _error("The query is larger than KG_SHARE_MAX_BYTES"),
                    "429": _error("Too many new links from this client in a minute"),
                },
            }
        },
        "/api/share/{id}": {
            "get": {
                "operationId": "get_shared_query",
                "summary": "A shared query",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json("The query", "SharedQuery"),
                    "404": _error("No shared query has this id"),
                },
            }
        },
    }
    for query in catalogue().values():
        paths[f"/api/queries/{query.name}"] = {"get": query_operation(query)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Security Guarantees Knowledge Graph: research API",
            "version": __version__,
            "description": (
                "The example questions of the query UI as REST operations (JSON or CSV, "
                "paged, typed parameters), completions for the query editor, and short "
                "links to queries. Raw SPARQL: the SPARQL 1.1 Protocol endpoint /sparql."
            ),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": root}],
        "paths": paths,
        "components": {
            "parameters": {
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "rows per page",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                    },
                },
                "offset": {
                    "name": "offset",
                    "in": "query",
                    "required": False,
                    "description": "rows to skip",
                    "schema": {"type": "integer", "minimum": 0, "default": 0},
                },
                "format": {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "description": "json or csv (else by Accept)",
                    "schema": {"type": "string", "enum": ["json", "csv"]},
                },
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["status", "error", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
                "QueryResult": {
                    "type": "object",
                    "required": [
                        "name",
                        "title",
                        "parameters",
                        "total",
                        "limit",
                        "offset",
                        "variables",
                        "results",
                    ],
                    "properties": {
                        "name": {"type": "string"},
                        "title": {"type": "string"},
                        "parameters": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                        },
                        "total": {"type": "integer", "minimum": 0},
                        "limit": {"type": "integer", "minimum": 1},
                        "offset": {"type": "integer", "minimum": 0},
                        "variables": {"type": "array", "items": {"type": "string"}},
                        "results": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                    },
                },
                "QueryList": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "title", "description", "url", "parameters"],
                        "properties": {
                            "name": {"type": "string"},
                            "title": {"type": "string"},
                            "description": {"type": "string"},
                            "url": {"type": "string"},
                            "parameters": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["name", "type", "default"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "type": {"type": "string", "enum": list(SCHEMA_OF_TYPE)},
                                        "default": {"type": "string"},
                                        "description": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                },
                "Completions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["iri", "curie", "label", "kind"],
                        "properties": {
                            "iri": {"type": "string"},
                            "curie": {"type": "string"},
                            "label": {"type": "string"},
                            "kind": {
                                "type": "string",
                                "enum": ["class", "property", "entity", "prefix"],
                            },
                        },
                    },
                },
                "ShareLink": {
                    "type": "object",
                    "required": ["id", "url", "sparql_url"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[0-9A-Za-z]{6,32}$"},
                        "url": {"type": "string"},
                        "sparql_url": {"type": "string"},
                    },
                },
                "SharedQuery": {
                    "type": "object",
                    "required": ["id", "query", "created"],
                    "properties": {
                        "id": {"type": "string"},
                        "query": {"type": "string"},
                        "created": {"type": "string", "format": "date-time"},
                    },
                },
            },
        },
    }


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    return jsonify(document(request.url_root.rstrip("/")))
