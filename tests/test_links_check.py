"""`hled-graph links check|enrich` against a real local SPARQL server holding Wikidata-shaped data."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from conftest import FIXTURES
from rdflib import RDFS, Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from hled_graph.cli import main
from hled_graph.graph import links_graph, parse_file
from hled_graph.http_client import USER_AGENT
from hled_graph.namespaces import GRAPH_WIKIDATA
from hled_graph.publish import links as hlinks

WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
GOOD = FIXTURES / "publish-links-good.ttl"
DRIFT = FIXTURES / "publish-links-drift.ttl"
FETCHED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def wikidata(start_oxigraph) -> str:
    """The query URL of a local Oxigraph holding the Wikidata stand-in."""
    return start_oxigraph(FIXTURES / "publish-wikidata.trig") + "/query"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_links_are_read_with_their_recorded_labels() -> None:
    found = hlinks.links_in(parse_file(GOOD))
    assert [(link.entity.rsplit("/", 1)[1], link.qid, link.recorded_label) for link in found] == [
        ("conagua", "Q9000002", "National Water Commission"),
        ("epa", "Q9000001", "Environmental Protection Agency"),
        ("tijuana", "Q9000003", "Tijuana"),
    ]


def test_all_links_good_exits_zero(wikidata: str, capsys) -> None:
    code, out, _ = run_cli(["links", "check", "--endpoint", wikidata, "--links", str(GOOD)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["entity", "QID", "recorded", "label", "found", "label", "status"]
    assert (
        "hdo:epa      Q9000001  Environmental Protection Agency  Environmental Protection Agency  ok"
        in out
    )
    assert "3 link(s) checked, 0 problem(s)" in out


def test_drift_is_reported_and_exits_one(wikidata: str, capsys) -> None:
    checks = {c.link.qid: c for c in hlinks.check_links(parse_file(DRIFT), endpoint=wikidata)}
    assert checks["Q9000001"].status == hlinks.OK
    assert checks["Q9000004"].status == hlinks.REDIRECT
    assert checks["Q9000004"].redirect_to == "Q9000005"
    assert checks["Q9000006"].status == hlinks.MISSING
    assert checks["Q9000006"].found_label is None
    assert checks["Q9000007"].status == hlinks.LABEL_DIFFERS
    assert checks["Q9000007"].found_label == "Secretariat of Economy (Mexico)"
    assert checks["Q9000007"].link.recorded_label == "Ministry of Economy"

    code, out, err = run_cli(
        ["links", "check", "--endpoint", wikidata, "--links", str(DRIFT)], capsys
    )
    assert code == 1
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.startswith("hd")}
    assert rows["hdl:mexico-city"].endswith("redirect → Q9000005")
    assert rows["hdo:conalep"].endswith("missing")
    assert rows["hdo:secretaria-economia"].endswith(
        "Secretariat of Economy (Mexico)  label differs"
    )
    assert rows["hdo:epa"].endswith("ok")
    assert (
        err.strip()
        == "hled-graph: error: 3 of 4 Wikidata link(s) need attention; see the table above"
    )


class _FakeEndpoint(http.server.BaseHTTPRequestHandler):
    """Records each request; answers with ``answer`` (content type, body)."""

    seen: ClassVar[list[tuple[str, str]]] = []
    answer: tuple[str, bytes] = ("application/sparql-results+json", b"")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.seen.append((self.headers["User-Agent"], urllib.parse.parse_qs(body)["query"][0]))
        content_type, payload = self.answer
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_endpoint():
    """A local HTTP server standing in for an endpoint; yields (URL, handler class)."""
    handler = type("Handler", (_FakeEndpoint,), {"seen": []})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql", handler
    server.shutdown()


def test_one_batched_query_with_a_descriptive_user_agent(fake_endpoint) -> None:
    """All QIDs go into one VALUES block of one request, and the request says who sends it."""
    url, handler = fake_endpoint
    handler.answer = (
        "application/sparql-results+json",
        json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode(),
    )
    checks = hlinks.check_links(parse_file(DRIFT), endpoint=url)
    assert len(handler.seen) == 1
    agent, query = handler.seen[0]
    assert agent == USER_AGENT and "hled-graph/" in agent and "https://w3id.org/hled" in agent
    assert "VALUES ?item { wd:Q9000001 wd:Q9000004 wd:Q9000006 wd:Q9000007 }" in query
    assert {c.status for c in checks} == {hlinks.MISSING}


def test_an_endpoint_that_is_not_sparql_is_one_line(fake_endpoint, capsys) -> None:
    url, handler = fake_endpoint
    handler.answer = ("text/html", b"<html><body>Wikidata</body></html>")
    code, out, err = run_cli(["links", "check", "--endpoint", url, "--links", str(GOOD)], capsys)
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"hled-graph: error: {url} answered text/html (HTTP 200), not SPARQL results; "
        "is it a SPARQL endpoint?"
    )


def test_unreachable_endpoint_is_one_line_naming_it(capsys) -> None:
    code, out, err = run_cli(
        ["links", "check", "--endpoint", "http://127.0.0.1:9/sparql", "--links", str(GOOD)], capsys
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("hled-graph: error: cannot reach http://127.0.0.1:9/sparql")


def test_enrich_writes_wikidata_facts_into_their_own_named_graph(wikidata: str) -> None:
    dataset = hlinks.enrich(parse_file(GOOD), endpoint=wikidata, generated_at=FETCHED)
    graph_name = URIRef(GRAPH_WIKIDATA)
    facts = dataset.graph(graph_name)
    assert facts.value(WD.Q9000001, WDT.P571) == Literal(
        "1970-12-02T00:00:00Z", datatype=XSD.dateTime
    )
    assert facts.value(WD.Q9000001, WDT.P749) == WD.Q9000009
    assert facts.value(WD.Q9000009, RDFS.label) == Literal("Fixture Executive Branch", lang="en")
    assert facts.value(WD.Q9000001, WDT.P856) == URIRef("https://www.epa.gov/")
    assert facts.value(WD.Q9000002, WDT.P856) == URIRef("https://www.gob.mx/conagua")
    assert str(facts.value(WD.Q9000003, WDT.P625)) == "Point(-117.0333 32.525)"
    assert facts.value(graph_name, DCTERMS.source) == URIRef("https://www.wikidata.org/")
    assert facts.value(graph_name, DCTERMS.license) == URIRef(
        "http://creativecommons.org/publicdomain/zero/1.0/"
    )
    assert facts.value(graph_name, PROV.generatedAtTime).toPython() == FETCHED
    # Nothing lands outside the Wikidata graph.
    assert {g.identifier for g in dataset.graphs() if len(g)} == {graph_name}


def test_enrich_output_is_deterministic_trig(wikidata: str, tmp_path, capsys) -> None:
    first = hlinks.serialize_enrichment(
        hlinks.enrich(parse_file(GOOD), endpoint=wikidata, generated_at=FETCHED)
    )
    second = hlinks.serialize_enrichment(
        hlinks.enrich(parse_file(GOOD), endpoint=wikidata, generated_at=FETCHED)
    )
    assert first == second

    out = tmp_path / "wikidata.trig"
    code, _, _ = run_cli(
        ["links", "enrich", "--endpoint", wikidata, "--links", str(GOOD), "-o", str(out)], capsys
    )
    assert code == 0
    written = Dataset()
    written.parse(out, format="trig")
    facts = written.graph(URIRef(GRAPH_WIKIDATA))
    assert facts.value(WD.Q9000001, WDT.P571) is not None
    assert len(facts) == len(
        hlinks.enrich(parse_file(GOOD), endpoint=wikidata).graph(URIRef(GRAPH_WIKIDATA))
    )


# --- the shipped links ---------------------------------------------------------------------------


def _wikidata_as_recorded(tmp_path, *, drift: bool):
    """A Wikidata stand-in made from data/links.ttl: each item with its recorded English label.

    With ``drift``, the first item is relabelled, the second is missing and the third redirects.
    """
    shipped = hlinks.links_in(links_graph())
    qids = sorted({link.qid for link in shipped}, key=lambda q: int(q[1:]))
    labels = {link.qid: link.recorded_label for link in shipped}
    lines = []
    for index, qid in enumerate(qids):
        label = json.dumps(labels[qid], ensure_ascii=False)
        if drift and index == 0:
            label = json.dumps(labels[qid] + " (renamed)", ensure_ascii=False)
        if drift and index == 1:
            continue
        if drift and index == 2:
            lines.append(f"<{WD}{qid}> <http://www.w3.org/2002/07/owl#sameAs> <{WD}Q1> .")
            continue
        lines.append(f"<{WD}{qid}> <{RDFS.label}> {label}@en .")
    path = tmp_path / ("drifted.nt" if drift else "recorded.nt")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, shipped, qids


def test_shipped_links_all_hold_against_their_recorded_labels(
    start_oxigraph, tmp_path, capsys
) -> None:
    path, shipped, _ = _wikidata_as_recorded(tmp_path, drift=False)
    assert len(shipped) >= 20
    assert all(
        link.recorded_label for link in shipped
    ), "every linked item records its English label"
    code, out, _ = run_cli(
        ["links", "check", "--endpoint", start_oxigraph(path) + "/query"], capsys
    )
    assert code == 0
    assert f"{len(shipped)} link(s) checked, 0 problem(s)" in out


def test_shipped_links_drift_is_reported(start_oxigraph, tmp_path, capsys) -> None:
    path, _shipped, qids = _wikidata_as_recorded(tmp_path, drift=True)
    checks = {
        c.link.qid: c.status
        for c in hlinks.check_links(links_graph(), endpoint=start_oxigraph(path) + "/query")
    }
    assert checks[qids[0]] == hlinks.LABEL_DIFFERS
    assert checks[qids[1]] == hlinks.MISSING
    assert checks[qids[2]] == hlinks.REDIRECT
    assert {qid for qid, status in checks.items() if status != hlinks.OK} == set(qids[:3])
