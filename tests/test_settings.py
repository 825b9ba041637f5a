"""One table of settings, read once: only kg/settings.py reads ``KG_*`` from the environment,
and every setting reaches the app's config and the library code through it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import settings
from kg.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
#: ``os.environ[...]``, ``os.environ.get(...)``, ``os.getenv(...)`` naming a KG_ variable
READS_KG = re.compile(r"""(environ\s*(\.get\s*\(|\[)|getenv\s*\()\s*f?["']KG_""")


def test_nothing_else_reads_kg_variables_from_the_environment() -> None:
    offenders = []
    for package in ("kg", "server"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "kg" / "settings.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if READS_KG.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "read KG_* through kg.settings:\n" + "\n".join(offenders)


def test_the_pattern_sees_the_usual_spellings() -> None:
    for line in (
        'os.environ.get("KG_RELEASES")',
        "os.environ['KG_KEYS']",
        'os.getenv("KG_SHARE_DB")',
    ):
        assert READS_KG.search(line), line
    assert not READS_KG.search('os.environ.get("JAVA_HOME")')


def test_get_reads_one_setting_like_load() -> None:
    env = {"KG_RELEASES": "/srv/releases", "KG_SHARE_RATE_LIMIT": "0"}
    assert settings.get("RELEASES", env) == "/srv/releases"
    assert settings.get("KEYS", env) == "./var/keys"  # the default
    assert settings.get("SHARE_RATE_LIMIT", env) == 0 == settings.load(env)["SHARE_RATE_LIMIT"]
    with pytest.raises(ConfigError, match="KG_SHARE_MAX_BYTES"):
        settings.get("SHARE_MAX_BYTES", {"KG_SHARE_MAX_BYTES": "-5"})


def test_library_code_and_the_app_take_the_directories_from_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.publish.keys import keys_dir
    from kg.publish.releases import releases_dir
    from server import create_app

    monkeypatch.setenv("KG_RELEASES", str(tmp_path / "rel"))
    monkeypatch.setenv("KG_KEYS", str(tmp_path / "keys"))
    monkeypatch.setenv("KG_SHARE_MAX_BYTES", "123")
    assert releases_dir() == tmp_path / "rel" and keys_dir() == tmp_path / "keys"
    app = create_app({"STORE": str(tmp_path / "store"), "TESTING": True})
    assert app.config["RELEASES"] == str(tmp_path / "rel")
    assert app.config["SHARE_MAX_BYTES"] == 123 and app.config["SHARE_RATE_LIMIT"] == 30
