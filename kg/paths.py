"""Where the project's data lives, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _dir(top_level: str, installed: str) -> Path:
    """The top-level folder in a source checkout, else the copy inside the installed wheel
    (``kg/<installed>/``, see ``[tool.setuptools]`` in pyproject.toml)."""
    checkout = _REPO / top_level
    if checkout.is_dir() and (_REPO / "pyproject.toml").is_file():
        return checkout
    return Path(__file__).resolve().parent / installed


def ontology_dir() -> Path:
    """``ontology/``: the OWL ontology modules in Turtle."""
    return _dir("ontology", "ontology_ttl")


def shapes_dir() -> Path:
    """``shapes/``: the SHACL shapes in Turtle."""
    return _dir("shapes", "shapes_ttl")


def data_dir() -> Path:
    """``kg/data/``: curated sources, link sets and the source texts."""
    return Path(__file__).resolve().parent / "data"


def sources_dir() -> Path:
    """The stored source texts that quotes point into."""
    return data_dir() / "sources"


def ontology_files() -> list[Path]:
    return sorted(ontology_dir().glob("*.ttl"))


def shapes_files() -> list[Path]:
    return sorted(shapes_dir().glob("*.ttl"))
