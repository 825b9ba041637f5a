"""Executable docs (STYLE 16): every fenced block with ``title=`` in docs/federation.md runs
against the test servers — Python with the venv's interpreter, JavaScript with node inside
tests/node (where Comunica is installed), SPARQL at the endpoint its ``endpoint=`` names."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.linking.linking_servers import NODE_DIR, ROOT, node_ready, require, which

pytestmark = pytest.mark.server

DOC = ROOT / "docs" / "federation.md"
FENCE = re.compile(r"^```(\w+) +(title=\S+[^\n]*)\n(.*?)^```\s*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    lang: str
    title: str
    options: dict[str, str]
    code: str


def blocks(path: Path = DOC) -> list[Block]:
    found = []
    for lang, header, code in FENCE.findall(path.read_text(encoding="utf-8")):
        options = dict(part.split("=", 1) for part in header.split() if "=" in part)
        found.append(Block(lang, options["title"], options, code))
    return found


def test_the_doc_has_an_example_per_client() -> None:
    kinds = {(b.lang, b.options.get("endpoint")) for b in blocks()}
    assert kinds >= {("python", None), ("js", None), ("sparql", "ours"), ("sparql", "wikidata")}
    assert len({b.title for b in blocks()}) == len(blocks())


@pytest.fixture()
def localize(federation_server: str, wikidata_standin: str):
    def apply(code: str) -> str:
        return (
            code.replace("http://127.0.0.1:5000/sparql", federation_server + "/sparql")
            .replace("https://query.wikidata.org/sparql", wikidata_standin)
            .replace("https://w3id.org/sgkg/sparql", federation_server + "/sparql")
        )

    return apply


@pytest.mark.parametrize("block", blocks(), ids=lambda b: b.title)
def test_doc_example_runs(block: Block, localize, federation_server, wikidata_standin) -> None:
    code = localize(block.code)
    if block.lang == "python":
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr[-3000:]
    elif block.lang == "js":
        require(node_ready(), "node and tests/node/node_modules (cd tests/node && npm install)")
        script = NODE_DIR / f"_doc_example_{block.title}"
        script.write_text(code)
        try:
            done = subprocess.run(
                [which("node") or "node", script.name],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=NODE_DIR,
            )
        finally:
            script.unlink(missing_ok=True)
        assert done.returncode == 0, done.stderr[-3000:]
    elif block.lang == "sparql":
        target = {
            "ours": federation_server + "/sparql",
            "wikidata": wikidata_standin,
        }[block.options["endpoint"]]
        response = requests.post(
            target,
            data={"query": code},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert response.status_code == 200, response.text[-2000:]
        rows = response.json()["results"]["bindings"]
        assert rows, "the example returned nothing"
        isos = {row["iso"]["value"] for row in rows}
        assert "JP" in isos  # Japan endorses the plan and links to Q17 (ISO JP)
    else:
        pytest.fail(f"no runner for ```{block.lang} blocks")
