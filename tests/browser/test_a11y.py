"""axe-core on the pages (home, entity, source reader, search, class index, 404, browse) and on
the research tools of the query UI (chart, share link): no serious or critical violations.
axe-core comes from npm (tests/node/node_modules)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, require

AXE = ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/id/country/france",
    "/graph/assertion/usg-001",
    "/source/ukraine-security-guarantees",
    "/search?q=ukraine",
    "/class/State",
    "/id/country/atlantis",
    "/browse",
    "/browse?kind=sg:Prediction&actor=https://w3id.org/sgkg/id/country/united-states",
    "/search?q=newfound+resolve",
    "/source/",
    "/source/us-ukraine-bilateral-security-agreement-2024",
    "/source/ukraine-security-guarantees/argument",
    "/source/us-ukraine-bilateral-security-agreement-2024/argument",
]

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.node]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page, gunicorn_server, path) -> None:  # type: ignore[no-untyped-def]
    require(AXE.is_file(), f"axe-core is missing: run `cd tests/node && npm install` ({AXE})")
    page.goto(gunicorn_server + path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)


def test_focus_is_visible_on_highlights(page, gunicorn_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(gunicorn_server + "/source/ukraine-security-guarantees")
    mark = page.locator("mark.hl[tabindex]").first
    mark.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_query_ui_research_tools(page, gunicorn_server) -> None:  # type: ignore[no-untyped-def]
    """The chart and share controls under the editor, with a chart drawn and a link made (the
    vendored YASGUI editor itself is not ours to audit here)."""
    require(AXE.is_file(), f"axe-core is missing: run `cd tests/node && npm install` ({AXE})")
    page.goto(gunicorn_server + "/sparql", wait_until="networkidle")
    page.wait_for_selector(".yasgui .CodeMirror", state="visible", timeout=15_000)
    page.evaluate(
        """() => { window.sgkgQueryUI.getTab().setQuery(
        'PREFIX sg: <https://w3id.org/sgkg/ontology/>\\n' +
        'SELECT ?kind (COUNT(?a) AS ?n) WHERE { ?a sg:kind ?kind } GROUP BY ?kind'); }"""
    )
    page.click(".yasqe .yasqe_queryButton")
    page.wait_for_selector("#sgkg-chart[data-chart=bar]", timeout=15_000)
    page.click("#sgkg-share")
    page.wait_for_selector("#sgkg-share-out:not([hidden])")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run({include: [['.sgkg-tools']]}, {resultTypes: ['violations']})"
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)
