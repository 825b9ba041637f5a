"""The store, attached to the app once per process (``init_app``)."""

from __future__ import annotations

from flask import Flask, current_app

from kg.store import Store, open_store


def init_app(app: Flask) -> None:
    app.extensions["kg_store"] = open_store(app.config["STORE"], app.config)


def get_store() -> Store:
    return current_app.extensions["kg_store"]
