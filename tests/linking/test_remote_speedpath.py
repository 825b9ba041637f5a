"""The raw N-Triples path of ``RemoteStore.load_file`` against a real ``oxigraph serve``:
line-aligned byte chunks parsed by the server, blank-node lines kept in one document, errors
named by file line, a lost blank-node document neither duplicated nor lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg.errors import ParseError, StoreUnavailable
from kg.store.bulk import _raw_pieces, _split_bnode_lines, _statement_count
from kg.store.remote import RemoteStore
from tests.linking.linking_proxies import FaultyProxy
from tests.linking.linking_servers import Process
from tests.linking.test_remote_store import count

pytestmark = pytest.mark.server

EX = "http://example.org/"
G = f"{EX}g"


def chain_nt(n: int, links: int) -> bytes:
    """``n`` plain triples with a blank-node chain woven through them (one link every few
    lines, so the chain spans every chunk), a comment and a blank line."""
    lines = ["# a comment mentioning _:nothing", ""]
    for i in range(n):
        note = " _:x is no node here" if i == 7 else ""
        lines.append(f'<{EX}s{i}> <{EX}p> "v{i}{note}" .')
        if i % (n // links) == 0 and i // (n // links) < links:
            k = i // (n // links)
            lines.append(f"_:b{k} <{EX}next> _:b{k + 1} .")
    return ("\n".join(lines) + "\n").encode()


def chain_length(store: RemoteStore) -> int:
    answer = store.query(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH <{G}> {{ {{ ?x <{EX}next> ?y }} "
        f"UNION {{ ?y <{EX}next> ?x }} FILTER(isBlank(?x)) }} }}"
    )
    return int(next(iter(answer))["n"].value)


def test_pieces_are_line_aligned_and_blank_node_lines_are_split_off() -> None:
    import io

    data = chain_nt(100, 5)
    pieces = list(_raw_pieces(io.BytesIO(data), 256, None))
    assert b"".join(pieces) == data and all(p.endswith(b"\n") for p in pieces)
    assert [len(p.splitlines()) for p in _raw_pieces(io.BytesIO(data), 1 << 20, 30)][:3] == [
        30,
        30,
        30,
    ]
    body, lines, numbers = _split_bnode_lines(data)
    assert len(lines) == 7 and sum(b"_:b" in line for line in lines) == 5
    assert numbers[0] == 0  # the comment line (it mentions "_:")
    assert b"_:b" not in body
    assert _statement_count(data) == 105  # comment and blank line not counted


def test_gzip_file_with_a_chain_across_chunks(oxigraph_process: Process, tmp_path: Path) -> None:
    path = tmp_path / "chain.nt.gz"
    path.write_bytes(gzip.compress(chain_nt(3000, 10)))
    remote = RemoteStore(oxigraph_process.url, chunk_triples=400, checkpoint_dir=tmp_path)
    report = remote.load_file(path, graph=G)
    assert report.triples == 3010 and report.chunks == 8
    assert count(remote, G) == 3010
    assert chain_length(remote) == 11  # one chain of 10 links: the document stayed whole
    # append into a graph with data (staging + swap): new blank nodes, a second chain
    remote.load_file(path, graph=G)
    assert count(remote, G) == 3020 and chain_length(remote) == 22
    assert remote.named_graphs() == [G]


def test_server_parse_error_is_named_by_file_line(
    oxigraph_process: Process, tmp_path: Path
) -> None:
    remote = RemoteStore(oxigraph_process.url, chunk_triples=500, checkpoint_dir=tmp_path)
    data = chain_nt(1200, 10) + f'<{EX}x> <{EX}p> "ok" .\n<{EX}x> <{EX}p> oops .\n'.encode()
    bad = tmp_path / "bad.nt"
    bad.write_bytes(data)
    with pytest.raises(ParseError) as info:  # blank-node lines were taken out of the chunk
        remote.load_file(bad, graph=G)
    assert f"bad.nt:{len(data.splitlines())}:" in str(info.value)
    assert remote.named_graphs() == [] and count(remote) == 0
    # an error on a blank-node line (sent in the blank-node document)
    worse = tmp_path / "worse.nt"
    worse.write_bytes(chain_nt(50, 5) + b"_:z <http://example.org/p> nope .\n")
    with pytest.raises(ParseError, match=rf"worse.nt:{len(chain_nt(50, 5).splitlines()) + 1}:"):
        remote.load_file(worse, graph=G)
    assert remote.named_graphs() == []


@pytest.mark.parametrize("how", ["drop-before", "drop-after"])
def test_lost_blank_node_document_is_neither_duplicated_nor_lost(
    oxigraph_process: Process, tmp_path: Path, how: str
) -> None:
    """4 chunks, then the blank-node document (the 5th POST) loses its connection: once
    inside the load (retried), then for good (the next run resumes)."""
    posts = {"n": 0, "fail": {5, 6}}

    def plan(number: int, method: str, path: str) -> str:
        if method == "POST" and path.startswith("/store"):
            posts["n"] += 1
            if posts["n"] in posts["fail"]:
                return how
        return "ok"

    path = tmp_path / "d.nt"
    path.write_bytes(chain_nt(3000, 10))
    with FaultyProxy(oxigraph_process.url, plan) as proxy:
        remote = RemoteStore(proxy.url, chunk_triples=1000, retries=1, checkpoint_dir=tmp_path)
        with pytest.raises(StoreUnavailable, match="resume"):
            remote.load_file(path, graph=G)
        [checkpoint] = tmp_path.glob("*.json")
        assert json.loads(checkpoint.read_text())["phase"] == "bnodes"
        posts["fail"] = {7}  # the first resend is lost too, the second one lands
        report = remote.load_file(path, graph=G)
        assert report.retries == 1 and not checkpoint.exists()
    direct = RemoteStore(oxigraph_process.url)
    assert count(direct, G) == 3010
    assert chain_length(direct) == 11
    assert direct.named_graphs() == [G]
