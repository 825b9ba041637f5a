"""Docs cannot rot: every setting is documented, and the CLI help lists it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import COMMANDS, build_parser
from kg.settings import SETTINGS, load

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting) -> None:
    assert f"`KG_{setting.name}`" in README
    assert f"KG_{setting.name}" in build_parser().format_help()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    assert f"`kg {command}" in README


def test_bad_setting_is_named() -> None:
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match="KG_QUERY_TIMEOUT"):
        load({"KG_QUERY_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="KG_BASE_IRI"):
        load({"KG_BASE_IRI": "not-an-iri"})


def test_readme_gives_exactly_two_setup_commands() -> None:
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in setup.splitlines() if line.startswith("    ")]
    assert commands == ["make run", "make test"]
