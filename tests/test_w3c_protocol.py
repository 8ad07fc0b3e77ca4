"""The W3C SPARQL 1.1 Protocol tests (tests/w3c/protocol/, vendored from w3c/rdf-tests) against the real server.

Every HTTP exchange of the manifest is sent as written (method, path, headers, body in its
character encoding) to ``hled-graph serve`` loaded with the tests' three graphs. Query and
bad-request tests expect what the manifest says. The endpoint is read-only, so in the update
tests each update request must be refused with 403 and the read-only message (and the queries
that follow it are still answered).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from conftest import RunningServer, running_server
from rdflib.collection import Collection

SUITE = Path(__file__).parent / "w3c" / "protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
GRAPHS = {f"data{n}.nt": f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)}
SOLUTION_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json",
             "application/n-quads", "application/trig")


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[str]
    result_format: str | None
    boolean: bool | None

    @property
    def is_update(self) -> bool:
        media = {k.lower(): v for k, v in self.headers}.get("content-type", "")
        body = (self.body or b"").decode("utf-8", errors="replace")
        return "update=" in self.path or media.startswith("application/sparql-update") or body.startswith("update=")


def load_manifest() -> dict[str, list[Exchange]]:
    graph = rdflib.Graph().parse(SUITE / "manifest.ttl")
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = {}
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        requests = Collection(graph, graph.value(graph.value(test, MF.action), HT.requests))
        tests[str(test).rsplit("#", 1)[1]] = [_exchange(graph, request) for request in requests]
    return tests


def _exchange(graph: rdflib.Graph, request: rdflib.term.Node) -> Exchange:
    headers = []
    if (header_list := graph.value(request, HT.headers)) is not None:
        for header in Collection(graph, header_list):
            headers.append((str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue))))
    body = None
    if (content := graph.value(request, HT.body)) is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    result_format = graph.value(response, MF.expectedFormat)
    return Exchange(
        method=str(graph.value(request, HT.methodName)),
        # "A program using this manifest ... must replace [/sparql/] with whatever path prefix is appropriate."
        path="/sparql" + str(graph.value(request, HT.absolutePath)).removeprefix("/sparql/"),
        headers=tuple(headers),
        body=body,
        statuses=frozenset(str(s).rsplit("#", 1)[1] for s in graph.objects(response, MF.expectedStatus)),
        result_format=None if result_format is None else str(result_format),
        boolean=None if boolean is None else boolean.toPython(),
    )


TESTS = load_manifest()
QUERY_TESTS = sorted(name for name in TESTS if name.startswith("query_"))
BAD_TESTS = sorted(name for name in TESTS if name.startswith("bad_"))
UPDATE_TESTS = sorted(name for name in TESTS if name.startswith("update_"))


@pytest.fixture(scope="module")
def w3c_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The server on the suite's three graphs, each in the named graph its test data label gives."""
    quads = tmp_path_factory.mktemp("w3c") / "protocol-data.nq"
    lines = []
    for file, graph in GRAPHS.items():
        for line in (SUITE / file).read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(line.rstrip().removesuffix(".").rstrip() + f" <{graph}> .")
    quads.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with running_server("--data", str(quads), "--timeout", "5", "--workers", "1") as server:
        yield server


def send(endpoint: RunningServer, exchange: Exchange) -> tuple[int, str, bytes]:
    address = urllib.parse.urlsplit(endpoint.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.putrequest(exchange.method, exchange.path, skip_accept_encoding=True)
        for name, value in exchange.headers:
            connection.putheader(name, value)
        if exchange.body is not None:
            connection.putheader("Content-Length", str(len(exchange.body)))
        connection.endheaders(exchange.body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def status_class(status: int) -> str:
    return f"StatusCode{status // 100}xx"


def check_answer(exchange: Exchange, status: int, media: str, body: bytes) -> None:
    assert status_class(status) in exchange.statuses, (status, body[:300])
    if exchange.result_format in ("boolean", "tabular"):
        assert media.split(";")[0] in SOLUTION_TYPES, media
    elif exchange.result_format == "RDF":
        assert media.split(";")[0] in RDF_TYPES, media
        assert len(rdflib.Graph().parse(data=body, format=media.split(";")[0])) >= 0
    if exchange.boolean is not None:
        assert media.startswith("application/sparql-results+json"), media
        assert json.loads(body)["boolean"] is exchange.boolean


@pytest.mark.parametrize("name", QUERY_TESTS)
def test_query(w3c_endpoint: RunningServer, name: str) -> None:
    for exchange in TESTS[name]:
        check_answer(exchange, *send(w3c_endpoint, exchange))


@pytest.mark.parametrize("name", BAD_TESTS)
def test_bad_request(w3c_endpoint: RunningServer, name: str) -> None:
    for exchange in TESTS[name]:
        status, _, body = send(w3c_endpoint, exchange)
        assert status_class(status) in exchange.statuses, (status, body[:300])
        assert json.loads(body)["message"] if body.startswith(b"{") else body.strip()


@pytest.mark.parametrize("name", UPDATE_TESTS)
def test_update_is_refused_read_only(w3c_endpoint: RunningServer, name: str) -> None:
    updates = [exchange for exchange in TESTS[name] if exchange.is_update]
    assert updates, name
    for exchange in TESTS[name]:
        status, _, body = send(w3c_endpoint, exchange)
        if exchange.is_update:
            assert status == 403 and b"read-only" in body, (status, body[:300])
        else:  # the check that follows the update: answered, on the unchanged data
            assert status == 200, (status, body[:300])


def test_the_suite_is_all_here() -> None:
    """Every test of the manifest is run by one of the three tests above."""
    assert (len(QUERY_TESTS), len(BAD_TESTS), len(UPDATE_TESTS)) == (13, 14, 7)
    assert len(TESTS) == len(QUERY_TESTS) + len(BAD_TESTS) + len(UPDATE_TESTS)


# --- beyond the suite: the query's own dataset and the base IRI on the same server ------------------


def _ask(endpoint: RunningServer, text: str, params: str = "") -> bool:
    path = "/sparql?" + urllib.parse.urlencode({"query": text}) + params
    status, _, body = send(endpoint, Exchange("GET", path, (("Accept", "application/sparql-results+json"),),
                                                  None, frozenset(), None, None))
    assert status == 200, body
    return json.loads(body)["boolean"]


def test_from_in_the_query_defines_the_dataset(w3c_endpoint: RunningServer) -> None:
    data1, data2 = GRAPHS["data1.nt"], GRAPHS["data2.nt"]
    assert _ask(w3c_endpoint, f"ASK {{ <{data1}> a ?type . <{data2}> a ?type }}")  # the union
    assert _ask(w3c_endpoint, f"ASK FROM <{data1}> {{ <{data1}> a ?type }}")
    assert not _ask(w3c_endpoint, f"ASK FROM <{data1}> {{ <{data2}> a ?type }}")
    assert not _ask(w3c_endpoint, "ASK FROM <http://example.org/no-such-graph> { ?s ?p ?o }")
    assert _ask(w3c_endpoint, f"ASK FROM NAMED <{data2}> {{ GRAPH <{data2}> {{ ?s ?p ?o }} }}")
    assert not _ask(w3c_endpoint, f"ASK FROM NAMED <{data2}> {{ GRAPH <{data1}> {{ ?s ?p ?o }} }}")
    # The protocol's dataset wins over the query's.
    assert _ask(w3c_endpoint, f"ASK FROM <{data1}> {{ <{data2}> a ?type }}",
                "&default-graph-uri=" + urllib.parse.quote(data2, safe=""))


def test_relative_iris_resolve_against_the_endpoint_url(w3c_endpoint: RunningServer) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    status, _, body = send(w3c_endpoint, Exchange("GET", path, (("Accept", "application/n-triples"),), None,
                                                  frozenset(), None, None))
    assert status == 200 and body.decode().startswith(f"<{w3c_endpoint.url}/s> <{w3c_endpoint.url}/p> "), body
