"""A non-editable install must find ontology/, shapes/, the curated data and the web assets."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.servers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("sgkg-*.whl"))


def test_wheel_ships_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "ontology").glob("*.ttl"):
        assert f"kg/ontology_ttl/{path.name}" in names
    for path in (ROOT / "shapes").glob("*.ttl"):
        assert f"kg/shapes_ttl/{path.name}" in names
    for folder in (ROOT / "kg/data/sources").iterdir():
        for name in ("text.txt", "source.yaml", "claims.yaml"):
            assert f"kg/data/sources/{folder.name}/{name}" in names
    assert not any(n.startswith("kg/data/") and n.endswith(".py") for n in names)
    assert "kg/sources/claims.py" in names
    assert any(n.startswith("kg/data/queries/") and n.endswith(".rq") for n in names)
    assert "server/templates/base.html" in names
    assert "server/static/yasgui/yasgui.min.js" in names


def test_installed_paths_resolve_inside_the_package(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "from kg import paths; from kg.checks import ontology; "
        "print(paths.ontology_dir()); "
        "print(len(ontology.load_ontology()) > 1000, len(ontology.load_shapes()) > 100)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    where, loaded = result.stdout.splitlines()
    assert Path(where) == tmp_path / "kg" / "ontology_ttl"
    assert loaded == "True True"


def test_every_python_package_is_listed_for_the_wheel() -> None:
    """``[tool.setuptools] packages`` is an explicit list: a package missing from it is left
    out of the wheel (an editable install still finds it, so only this test notices)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("kg", "server")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
