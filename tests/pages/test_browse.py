"""The home page and the class index."""

from __future__ import annotations

import re


def test_class_index_pages(big_client):
    first = big_client.get("/class/State")
    assert first.status_code == 200
    assert "136 resources" in first.text  # 130 generated + 6 in the fixture
    assert first.text.count('<li><a href="/id/country/') == 50
    assert 'rel="next" href="/class/State?page=2"' in first.text
    last = big_client.get("/class/State?page=3").text
    assert last.count('<li><a href="/id/country/') == 36
    assert 'rel="prev"' in last and 'rel="next"' not in last
    labels = re.findall(r'<li><a href="/id/country/[^"]+">([^<]+)</a>', first.text)
    assert labels == sorted(labels, key=str.casefold)
    assert big_client.get("/browse/sg:State").status_code == 200
    assert big_client.get("/class/NoSuchClass").status_code == 404
    assert big_client.get("/class/State?page=abc").status_code == 200


def test_home_page_at_a_glance(mini_client):
    html = mini_client.get("/").text
    assert '<a href="/class/State">State</a></td><td class="num">6</td>' in html
    kinds = dict(
        re.findall(
            r'k-(\w+)"><span class="badge-icon"[^>]*></span>[^<]+</span> '
            r'<span class="count">(\d+)</span>',
            html,
        )
    )
    assert kinds == {
        "fact": "4",
        "assessment": "1",
        "prediction": "1",
        "conditional": "1",
        "recommendation": "1",
    }
    assert "<svg" in html and "Coalition of 26 nations" in html
    assert 'href="/source/ukraine-security-guarantees"' in html


def test_example_questions_come_from_query_files(tmp_path):
    from server.pages.browse import example_questions

    (tmp_path / "b.rq").write_text("# title: Who leads?\nSELECT * WHERE { ?s ?p ?o }\n")
    (tmp_path / "a-plain.rq").write_text("ASK {}\n")
    found = example_questions(tmp_path)
    assert found[0][0] == "A plain"
    assert found[1][0] == "Who leads?"
    assert found[1][1].startswith("/sparql?query=%23+title%3A+Who+leads")
