"""`hled-graph load` against a real Oxigraph server: counts, no duplicates, named graphs, fallback."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest
from conftest import FIXTURES
from rdflib import Graph, Literal
from rdflib.compare import isomorphic as rdflib_isomorphic
from rdflib.namespace import XSD

from hled_graph.cli import main
from hled_graph.graph import parse_file
from hled_graph.publish import remote

SMALL = FIXTURES / "publish-graph.ttl"
BROKEN = FIXTURES / "publish-broken.ttl"
NAMED = "https://w3id.org/hled/graph/test"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def isomorphic(a: Graph, b: Graph) -> bool:
    """Isomorphic up to how Oxigraph stores numbers: as values, so ``474000000.0`` (xsd:decimal)
    comes back as ``474000000`` and xsd:nonNegativeInteger comes back as xsd:integer (a known
    Oxigraph trait: derived XSD types are stored as their primitive type)."""
    return rdflib_isomorphic(_stored_numbers(a), _stored_numbers(b))


_INTEGER_TYPES = {
    XSD.integer,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.nonPositiveInteger,
    XSD.negativeInteger,
    XSD.long,
    XSD.int,
    XSD.short,
    XSD.byte,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
}


def _stored_numbers(graph: Graph) -> Graph:
    def as_stored(term):
        if isinstance(term, Literal) and term.datatype in _INTEGER_TYPES:
            return Literal(str(int(str(term))), datatype=XSD.integer)
        if isinstance(term, Literal) and term.datatype == XSD.decimal and "." in str(term):
            return Literal(str(term).rstrip("0").rstrip("."), datatype=XSD.decimal)
        return term

    result = Graph()
    for s, p, o in graph:
        result.add((s, p, as_stored(o)))
    return result


def remote_graph(base: str, graph: str | None = None) -> Graph:
    """What the store holds in a graph, fetched with a plain GSP GET (not the code under test)."""
    selector = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    request = urllib.request.Request(
        f"{base}/store?{selector}", headers={"Accept": "application/n-triples"}
    )
    with urllib.request.urlopen(request) as response:
        return Graph().parse(data=response.read().decode("utf-8"), format="nt")


def remote_count(base: str, graph: str | None = None) -> int:
    return remote.count_triples(base + "/query", graph=graph)


def test_oxigraph_urls_are_derived_from_the_base_or_query_url() -> None:
    for given in ("http://localhost:7878", "http://localhost:7878/", "http://localhost:7878/query"):
        assert remote.endpoints_for(given) == remote.Endpoints(
            query="http://localhost:7878/query",
            update="http://localhost:7878/update",
            gsp="http://localhost:7878/store",
        )
    assert remote.endpoints_for("http://localhost:8890/sparql") == remote.Endpoints(
        query="http://localhost:8890/sparql", update="http://localhost:8890/sparql", gsp=None
    )
    assert (
        remote.endpoints_for("http://h:3030/ds/query", gsp="http://h:3030/ds/data").update
        == "http://h:3030/ds/update"
    )


def test_load_counts_match_and_reload_does_not_duplicate(oxigraph_server: str, capsys) -> None:
    local = parse_file(SMALL)
    code, out, err = run_cli(["load", "--endpoint", oxigraph_server, str(SMALL)], capsys)
    assert (code, err) == (0, "")
    assert (
        f"{len(local)} triples replaced the default graph (Graph Store Protocol PUT, 1 request(s))"
        in out
    )
    assert f"now counts {len(local)} triples" in out
    assert remote_count(oxigraph_server) == len(local)
    assert isomorphic(remote_graph(oxigraph_server), local)

    code, _, _ = run_cli(["load", "--endpoint", oxigraph_server + "/query", str(SMALL)], capsys)
    assert code == 0
    assert remote_count(oxigraph_server) == len(local)
    assert isomorphic(remote_graph(oxigraph_server), local)


def test_load_into_a_named_graph_leaves_the_default_graph_alone(
    oxigraph_server: str, capsys
) -> None:
    local = parse_file(SMALL)
    code, out, _ = run_cli(
        ["load", "--endpoint", oxigraph_server, "--graph", NAMED, str(SMALL)], capsys
    )
    assert code == 0
    assert f"replaced <{NAMED}>" in out
    assert remote_count(oxigraph_server, NAMED) == len(local)
    assert remote_count(oxigraph_server) == 0
    assert isomorphic(remote_graph(oxigraph_server, NAMED), local)


@pytest.mark.parametrize("chunk_triples", [remote.DEFAULT_CHUNK_TRIPLES, 7])
def test_update_fallback_gives_the_same_graph(oxigraph_server: str, chunk_triples: int) -> None:
    local = parse_file(SMALL)
    endpoints = remote.endpoints_for(oxigraph_server)
    for _ in range(2):
        result = remote.push_graph(
            local, endpoints, graph_iri=NAMED, method="update", chunk_triples=chunk_triples
        )
        assert result.method == "update"
        assert remote_count(oxigraph_server, NAMED) == len(local)
    if chunk_triples == 7:
        assert result.requests > 1
    # Blank nodes stay connected across chunks: the structure survives, not just the count.
    assert isomorphic(remote_graph(oxigraph_server, NAMED), local)


def test_cli_forced_update_method(oxigraph_server: str, capsys) -> None:
    code, out, _ = run_cli(
        ["load", "--endpoint", oxigraph_server, "--method", "update", str(SMALL)], capsys
    )
    assert code == 0
    assert "(SPARQL Update, 1 request(s))" in out
    assert isomorphic(remote_graph(oxigraph_server), parse_file(SMALL))


def test_auto_falls_back_to_update_when_the_gsp_url_is_not_a_graph_store(
    oxigraph_server: str,
) -> None:
    endpoints = remote.endpoints_for(oxigraph_server, gsp=oxigraph_server + "/no-graph-store-here")
    result = remote.push_graph(parse_file(SMALL), endpoints)
    assert result.method == "update"
    assert remote_count(oxigraph_server) == len(parse_file(SMALL))


def test_a_file_that_does_not_parse_sends_nothing(oxigraph_server: str, capsys) -> None:
    code, out, err = run_cli(
        ["load", "--endpoint", oxigraph_server, str(SMALL), str(BROKEN)], capsys
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(BROKEN) in err and "line 3" in err
    assert remote_count(oxigraph_server) == 0


def test_http_error_is_one_line_with_status_and_server_message(
    oxigraph_server: str, capsys
) -> None:
    code, _, err = run_cli(
        [
            "load",
            "--endpoint",
            oxigraph_server,
            "--method",
            "update",
            "--update",
            oxigraph_server + "/query",
            str(SMALL),
        ],
        capsys,
    )
    assert code == 2
    # The server's own message follows its status (Oxigraph's wording varies between releases).
    (line,) = err.strip().splitlines()
    prefix = f"hled-graph: error: {oxigraph_server}/query answered HTTP 400 Bad Request: "
    assert line.startswith(prefix) and "query" in line[len(prefix):].lower(), line


def test_unreachable_store_is_one_line(capsys) -> None:
    code, _, err = run_cli(["load", "--endpoint", "http://127.0.0.1:9", str(SMALL)], capsys)
    assert code == 2
    assert err.startswith("hled-graph: error: cannot reach http://127.0.0.1:9/store?default")


def test_the_shipped_graph_loads_whole_and_only_once(oxigraph_server: str, capsys) -> None:
    from hled_graph.graph import load_graph

    local = load_graph()
    for _ in range(2):
        code, out, _ = run_cli(["load", "--endpoint", oxigraph_server, "--graph", NAMED], capsys)
        assert code == 0
        assert out.startswith(f"{len(local)} triples replaced <{NAMED}>")
        assert remote_count(oxigraph_server, NAMED) == len(local)
    assert isomorphic(remote_graph(oxigraph_server, NAMED), local)


@pytest.mark.parametrize("bad", ["not-an-iri", "https://x/g> } ; DROP ALL ; INSERT DATA { <a:b"])
def test_a_graph_name_that_is_not_an_iri_is_refused_before_sending(
    oxigraph_server: str, bad: str, capsys
) -> None:
    assert run_cli(["load", "--endpoint", oxigraph_server, str(SMALL)], capsys)[0] == 0
    code, out, err = run_cli(
        ["load", "--endpoint", oxigraph_server, "--method", "update", "--graph", bad, str(SMALL)],
        capsys,
    )
    assert code == 2 and out == ""
    assert "is not an absolute IRI" in err
    assert remote_count(oxigraph_server) == len(parse_file(SMALL))
