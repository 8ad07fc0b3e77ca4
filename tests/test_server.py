"""The endpoint, started for real (`hled-graph serve`) and called with SPARQLWrapper and raw HTTP."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

EPA = "https://w3id.org/hled/id/org/epa"
ACTION = "https://w3id.org/hled/id/action/epa-conagua-statement-of-intent"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
LABELS = f"""SELECT ?label WHERE {{ <{EPA}> <{RDFS_LABEL}> ?label }}"""


def get(url: str, *, accept: str | None = None, method: str = "GET", data: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body, for any status."""
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def sparql_url(endpoint, query: str, **params: str) -> str:
    return endpoint.url + "/sparql?" + urllib.parse.urlencode({"query": query, **params})


def wrapper(endpoint, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


# --- SELECT / ASK / CONSTRUCT / DESCRIBE in every format ------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json_with_sparqlwrapper(endpoint, method):
    result = wrapper(endpoint, LABELS, JSON, method).query().convert()
    assert result["head"]["vars"] == ["label"]
    assert result["results"]["bindings"] == [
        {"label": {"type": "literal", "value": "Environmental Protection Agency", "xml:lang": "en"}}
    ]


def test_select_xml_with_sparqlwrapper(endpoint):
    document = wrapper(endpoint, LABELS, XML).query().convert()
    ns = "{http://www.w3.org/2005/sparql-results#}"
    literals = [(e.firstChild.data, e.getAttribute("xml:lang")) for e in document.getElementsByTagName("literal")]
    assert literals == [("Environmental Protection Agency", "en")]
    assert document.getElementsByTagName("variable")[0].getAttribute("name") == "label"
    assert ns  # the namespace is checked by the raw XML test below


def test_select_csv_and_tsv(endpoint):
    query = f"SELECT ?s ?label WHERE {{ ?s <{RDFS_LABEL}> ?label FILTER(?s = <{EPA}>) }}"
    text = wrapper(endpoint, query, CSV).query().convert().decode("utf-8")
    assert list(csv.reader(io.StringIO(text))) == [["s", "label"], [EPA, "Environmental Protection Agency"]]
    tsv = wrapper(endpoint, query, TSV).query().convert().decode("utf-8")
    assert tsv.splitlines() == ["?s\t?label", f'<{EPA}>\t"Environmental Protection Agency"@en']


def test_select_xml_raw_and_numbers(endpoint):
    query = "SELECT ?value WHERE { ?a <https://schema.org/value> ?value } ORDER BY ?value"
    status, headers, body = get(sparql_url(endpoint, query), accept="application/sparql-results+xml")
    assert status == 200
    assert headers["content-type"] == "application/sparql-results+xml; charset=utf-8"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literals = ET.fromstring(body).findall(".//r:literal", ns)
    assert [(e.text, e.get("datatype")) for e in literals] == [
        ("1000000", "http://www.w3.org/2001/XMLSchema#decimal"),
        ("474000000", "http://www.w3.org/2001/XMLSchema#decimal"),
    ]


@pytest.mark.parametrize("fmt,expected", [
    ("application/sparql-results+json", b'"boolean":true'),
    ("application/sparql-results+xml", b"<boolean>true</boolean>"),
    ("text/csv", b"true"),
    ("text/tab-separated-values", b"true"),
])
def test_ask_in_each_format(endpoint, fmt, expected):
    status, headers, body = get(sparql_url(endpoint, f"ASK {{ <{EPA}> ?p ?o }}"), accept=fmt)
    assert status == 200 and headers["content-type"] == f"{fmt}; charset=utf-8"
    assert expected in body
    status, _, body = get(sparql_url(endpoint, "ASK { <https://example.org/nothing> ?p ?o }"), accept=fmt)
    assert status == 200 and b"false" in body


CONSTRUCT = f"CONSTRUCT {{ ?s <{RDFS_LABEL}> ?label }} WHERE {{ ?s <{RDFS_LABEL}> ?label FILTER(?s = <{EPA}>) }}"


@pytest.mark.parametrize("media,rdflib_format", [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_construct_in_each_format(endpoint, media, rdflib_format):
    status, headers, body = get(sparql_url(endpoint, CONSTRUCT), accept=media)
    assert status == 200 and headers["content-type"] == f"{media}; charset=utf-8"
    graph = rdflib.Graph().parse(data=body, format=rdflib_format)
    assert set(graph) == {
        (rdflib.URIRef(EPA), rdflib.RDFS.label, rdflib.Literal("Environmental Protection Agency", lang="en"))
    }


def test_describe_returns_the_entity(endpoint):
    status, _, body = get(sparql_url(endpoint, f"DESCRIBE <{EPA}>"), accept="text/turtle")
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert (rdflib.URIRef(EPA), rdflib.SKOS.altLabel, rdflib.Literal("EPA", lang="en")) in graph


def test_format_parameter_wins_over_accept(endpoint):
    status, headers, body = get(sparql_url(endpoint, LABELS, format="csv"), accept="application/sparql-results+json")
    assert status == 200 and headers["content-type"] == "text/csv; charset=utf-8"
    assert body.decode().splitlines() == ["label", "Environmental Protection Agency"]


def test_post_direct_and_form(endpoint):
    status, _, body = get(endpoint.url + "/sparql", method="POST", data=LABELS.encode(),
                          headers={"Content-Type": "application/sparql-query"},
                          accept="application/sparql-results+json")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["label"]["value"].startswith("Environmental")
    form = urllib.parse.urlencode({"query": LABELS, "format": "tsv"}).encode()
    status, headers, body = get(endpoint.url + "/sparql", method="POST", data=form,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values")


def test_unsupported_post_content_type_is_415(endpoint):
    status, _, body = get(endpoint.url + "/sparql", method="POST", data=LABELS.encode(),
                          headers={"Content-Type": "text/plain"})
    assert status == 415 and b"application/sparql-query" in body


def test_unacceptable_result_format_is_406(endpoint):
    status, _, body = get(sparql_url(endpoint, LABELS), accept="image/png")
    assert status == 406 and b"application/sparql-results+json" in body


# --- dataset parameters, row cap -------------------------------------------------------------


def test_default_graph_uri_restricts_the_dataset(endpoint):
    query = "SELECT ?v WHERE { ?s <https://example.org/server-test/value> ?v }"
    everything = get(sparql_url(endpoint, query), accept="application/sparql-results+json")[2]
    assert sorted(b["v"]["value"] for b in json.loads(everything)["results"]["bindings"]) == ["in graph a", "in graph b"]
    url = (
        sparql_url(endpoint, query)
        + "&default-graph-uri="
        + urllib.parse.quote("https://example.org/server-test/graph-a")
    )
    only_a = json.loads(get(url, accept="application/sparql-results+json")[2])
    assert [b["v"]["value"] for b in only_a["results"]["bindings"]] == ["in graph a"]


def test_named_graph_uri_restricts_graph_clauses(endpoint):
    query = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    url = (
        sparql_url(endpoint, query)
        + "&named-graph-uri="
        + urllib.parse.quote("https://example.org/server-test/graph-b")
    )
    result = json.loads(get(url, accept="application/sparql-results+json")[2])
    assert {b["g"]["value"] for b in result["results"]["bindings"]} == {"https://example.org/server-test/graph-b"}


def test_invalid_graph_iri_is_400(endpoint):
    status, _, body = get(sparql_url(endpoint, LABELS) + "&default-graph-uri=not%20an%20iri")
    assert status == 400 and b"default-graph-uri" in body


def test_rows_beyond_the_cap_are_cut_and_flagged(endpoint):
    # The server runs with --max-rows 50; the fixture has more than 100 triples.
    status, headers, body = get(
        sparql_url(endpoint, "SELECT * WHERE { ?s ?p ?o }"), accept="application/sparql-results+json"
    )
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 50
    assert headers["hled-results-truncated"] == "max-rows=50"
    assert "truncated" in headers["warning"]
    status, headers, _ = get(sparql_url(endpoint, LABELS), accept="application/sparql-results+json")
    assert "hled-results-truncated" not in headers


# --- errors --------------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parsers_position(endpoint):
    status, headers, body = get(sparql_url(endpoint, "SELECT * WHERE {\n  ?s ?p ?o"), accept="application/json")
    assert status == 400 and headers["content-type"] == "application/json; charset=utf-8"
    error = json.loads(body)
    assert error["status"] == 400
    assert re.match(r"query line 2, column \d+: expected ", error["message"])
    assert "\n" not in error["message"]


def test_unknown_path_is_404_in_each_error_shape(endpoint):
    status, headers, body = get(endpoint.url + "/no/such/page")
    assert status == 404 and headers["content-type"] == "text/plain; charset=utf-8"
    assert body.startswith(b"404 Not Found: ")
    status, _, body = get(endpoint.url + "/no/such/page", accept="application/json")
    assert json.loads(body)["status"] == 404
    status, headers, body = get(endpoint.url + "/no/such/page", accept="text/html")
    assert status == 404 and b"<h1>404 Not Found</h1>" in body
    assert "default-src 'none'" in headers["content-security-policy"]


def test_wrong_method_is_405(endpoint):
    status, headers, _ = get(endpoint.url + "/sparql", method="PUT", data=b"x")
    assert status == 405 and "POST" in headers["allow"]


# --- Linked Data -----------------------------------------------------------------------------


def test_entity_as_html_shows_labels_links_and_incoming(endpoint):
    status, headers, body = get(endpoint.url + "/id/org/epa", accept="text/html,application/xhtml+xml,*/*;q=0.8")
    page = body.decode()
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Environmental Protection Agency</h1>" in page
    assert 'href="/id/place/united-states"' in page and ">United States<" in page
    # incoming: the action names the EPA as an associated agent
    assert 'href="/id/action/epa-conagua-statement-of-intent"' in page
    assert "script-src 'self'" in headers["content-security-policy"]


def test_action_page_shows_the_source_quote(endpoint):
    page = get(endpoint.url + "/id/action/epa-conagua-statement-of-intent", accept="text/html")[2].decode()
    assert "<mark>The EPA and CONAGUA signed a statement of intent on the Tijuana River.</mark>" in page
    assert "characters 100–170" in page
    assert "National Water Commission" in page  # the partner, through the qualified association


@pytest.mark.parametrize(
    "media,rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_entity_in_rdf_formats(endpoint, media, rdflib_format):
    status, headers, body = get(endpoint.url + "/id/action/epa-conagua-statement-of-intent", accept=media)
    assert status == 200 and headers["content-type"] == f"{media}; charset=utf-8"
    assert headers["vary"] == "Accept"
    graph = rdflib.Graph().parse(data=body, format=rdflib_format)
    action = rdflib.URIRef(ACTION)
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert (action, prov.wasAssociatedWith, rdflib.URIRef(EPA)) in graph
    # the blank nodes of the description come along: who had which role
    roles = {
        (str(graph.value(a, prov.agent)), str(graph.value(a, prov.hadRole)))
        for a in graph.objects(action, prov.qualifiedAssociation)
    }
    assert roles == {
        (EPA, "https://w3id.org/hled/ontology#leadRole"),
        ("https://w3id.org/hled/id/org/conagua", "https://w3id.org/hled/ontology#partnerRole"),
    }


def test_entity_unknown_is_404_and_unsupported_accept_is_406(endpoint):
    status, _, body = get(endpoint.url + "/id/org/no-such-body", accept="text/html")
    assert status == 404 and b"no entity https://w3id.org/hled/id/org/no-such-body" in body
    status, headers, body = get(endpoint.url + "/id/org/no-such-body")
    assert status == 404 and headers["content-type"].startswith("text/plain")
    status, _, body = get(endpoint.url + "/id/org/epa", accept="image/png")
    assert status == 406 and b"text/turtle" in body


def test_hostile_label_is_shown_as_text(endpoint):
    page = get(endpoint.url + "/id/org/hostile", accept="text/html")[2].decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;" in page
    assert 'href="javascript:' not in page


# --- service description, query page, headers ------------------------------------------------


def test_service_description_parses_as_rdf_with_graph_counts(endpoint):
    status, headers, body = get(endpoint.url + "/sparql", accept="text/turtle")
    assert status == 200 and headers["content-type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=body, format="turtle")
    service = rdflib.URIRef(endpoint.url + "/sparql")
    assert (service, rdflib.RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = {str(f) for f in graph.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats and len(formats) == 8
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph
    void_triples = rdflib.URIRef("http://rdfs.org/ns/void#triples")
    dataset = graph.value(service, SD.defaultDataset)
    counts = {
        str(graph.value(n, SD.name)): int(graph.value(graph.value(n, SD.graph), void_triples))
        for n in graph.objects(dataset, SD.namedGraph)
    }
    assert counts == {"https://example.org/server-test/graph-a": 1, "https://example.org/server-test/graph-b": 1}
    count_query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    total = json.loads(get(sparql_url(endpoint, count_query))[2])["results"]["bindings"][0]["n"]["value"]
    assert int(graph.value(graph.value(dataset, SD.defaultGraph), void_triples)) == int(total)


def test_service_description_as_html(endpoint):
    status, _, body = get(endpoint.url + "/sparql", accept="text/html")
    assert status == 200 and b"SPARQL service description" in body and b"graph-a" in body


def test_query_page_works_offline(endpoint):
    from hled_graph.sparql.server.pages import YASGUI

    status, headers, body = get(endpoint.url + "/", accept="text/html")
    page = body.decode()
    assert status == 200 and '<div id="yasgui"' in page and "<noscript><form" in page and "<textarea" in page
    assert "script-src 'self';" in headers["content-security-policy"]
    # every script and stylesheet is local: no CDN, no web fonts
    for reference in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert reference.startswith("/") or reference == "data:,", reference
    script = get(endpoint.url + "/static/query.js")[2].decode()
    assert 'location.origin + "/sparql"' in script and ".innerHTML" not in script
    assert not re.search(r"https?://(?!w3id\.org/hled/id/)", script.replace("https?:\\/\\/", ""))
    for sheet in ("hled.css", f"{YASGUI}.min.css"):
        css = get(endpoint.url + "/static/" + sheet)[2].decode()
        assert "url(" not in css and "@import" not in css and "@font-face" not in css, sheet


def test_examples_list_the_query_library(endpoint):
    from hled_graph.sparql.library import load_library

    status, headers, body = get(endpoint.url + "/examples.json")
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    examples = {example["name"]: example for example in json.loads(body)}
    library = load_library()
    offline = {name for name, query in library.items() if not query.online_only and "SERVICE" not in query.text}
    assert set(examples) == offline and len(offline) >= 10
    for name, example in examples.items():
        assert example["title"] == library[name].title and example["text"] == library[name].text


def test_every_library_query_runs_on_the_endpoint_like_locally():
    """Each example answers through HTTP exactly what pyoxigraph answers locally (shipped graph)."""
    import pyoxigraph as ox
    from conftest import running_server

    from benchmarks.load_endpoint import ANSWER_ACCEPT, normalize_answer, normalize_json, normalize_triples
    from hled_graph.sparql.engine import load_store
    from hled_graph.sparql.server.examples import example_queries

    store = load_store()
    with running_server("--workers", "1") as server:
        for example in example_queries():
            status, headers, body = get(sparql_url(server, example["text"]), accept=ANSWER_ACCEPT)
            assert status == 200, (example["name"], body[:300])
            local = store.query(example["text"], use_default_graph_as_union=True)
            if isinstance(local, ox.QueryTriples):
                assert headers["content-type"].startswith("application/n-triples")
                answer = normalize_triples(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            else:
                answer = normalize_json(body)
            assert answer == normalize_answer(local), example["name"]


def test_every_answer_has_security_and_cors_headers(endpoint):
    for url in (endpoint.url + "/", sparql_url(endpoint, LABELS), endpoint.url + "/id/org/epa", endpoint.url + "/nope"):
        _, headers, _ = get(url)
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in headers
        assert "charset=utf-8" in headers["content-type"]


def test_cors_preflight(endpoint):
    status, headers, body = get(
        endpoint.url + "/sparql",
        method="OPTIONS",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 204 and body == b""
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()
    assert headers["access-control-allow-origin"] == "*"


def test_head_answers_headers_only(endpoint):
    status, headers, body = get(endpoint.url + "/id/org/epa", method="HEAD", accept="text/turtle")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 100


# --- the query page in a real browser ----------------------------------------------------------


def test_query_page_in_chromium_runs_a_query_offline(endpoint, browser):
    from conftest import wait_until

    requested: list[str] = []
    problems: list[str] = []
    page = browser.new_page()
    rows = "document.querySelectorAll('.yasr table tbody tr').length"
    try:
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(endpoint.url + "/")
        page.wait_for_selector("#example-list button")  # the script has run and the examples loaded
        wait_until(page, "window.hledYasgui !== undefined")
        page.evaluate("hledYasgui.getTab().query()")  # the query the editor starts with
        wait_until(page, f"{rows} > 0")
        cells = page.locator(".yasr table tbody td").all_inner_texts()
        assert '"Environmental Protection Agency"@en' in cells
        # a hostile label arrives as text, not markup
        assert "\"<script>alert('owned')</script> & \"quotes\"\"@en" in cells
        page.evaluate("hledYasgui.getTab().getYasqe().setValue('SELECT * WHERE { ?s ?p }')")
        page.evaluate("hledYasgui.getTab().query().catch(() => {})")
        page.wait_for_selector(".yasr .errorResult")
        assert "query line 1, column " in page.inner_text(".yasr .errorResult")
        # an example is one click away: it fills the editor and runs
        page.click("#example-list button >> nth=0")
        wait_until(page, "hledYasgui.getTab().getYasqe().getValue().startsWith('#')")
        wait_until(page, f"{rows} > 0 || document.querySelector('.yasr .errorResult') !== null")
        page.goto(endpoint.url + "/id/org/epa")
        assert page.inner_text("h1") == "Environmental Protection Agency"
    finally:
        page.close()
    # the one expected console error: the 400 answer to the malformed query
    assert [p for p in problems if "status of 400" not in p] == []
    assert requested and all(url.startswith(endpoint.url + "/") for url in requested), requested


def test_serves_an_on_disk_store_read_only(tmp_path):
    import pyoxigraph as ox
    from conftest import FIXTURES, running_server

    location = tmp_path / "store"
    store = ox.Store(str(location))
    store.load(path=str(FIXTURES / "server-mini.ttl"), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    with running_server("--store", str(location), "--workers", "2") as server:
        for _ in range(4):  # reach both workers: each opened the store itself after the fork
            result = wrapper(server, LABELS, JSON).query().convert()
            assert result["results"]["bindings"][0]["label"]["value"] == "Environmental Protection Agency"
        status, _, _body = get(sparql_url(server, "CLEAR ALL"))
        assert status == 403
    assert len(ox.Store.read_only(str(location))) == 107


def test_bad_data_fails_before_listening(tmp_path):
    import subprocess
    import sys

    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://example.org/a> <https://example.org/b> .\n")
    completed = subprocess.run(
        [sys.executable, "-m", "hled_graph.cli", "serve", "--port", "0", "--data", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith(f"hled-graph: error: {broken}")
    assert "Traceback" not in completed.stderr


def test_ctrl_c_stops_the_server_and_its_workers():
    import signal

    from conftest import FIXTURES, running_server

    from benchmarks.load_endpoint import child_pids

    def alive(pids: list[int]) -> list[int]:
        # A process that has exited but is not yet reaped still has /proc/PID: read its state.
        return [
            pid
            for pid in pids
            if Path(f"/proc/{pid}/stat").exists()
            and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        ]

    with running_server("--data", str(FIXTURES / "server-mini.ttl"), "--workers", "3") as server:
        deadline = time.monotonic() + 10
        while len(workers := child_pids(server.process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) == 3
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=10) == 0
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert alive(workers) == []


def test_ontology_terms_have_a_page_with_an_anchor_each(endpoint):
    epa = get(endpoint.url + "/id/org/epa", accept="text/html")[2].decode()
    assert 'href="/ontology#GovernmentAgency"' in epa and ">government agency<" in epa
    status, headers, body = get(endpoint.url + "/ontology", accept="text/html")
    page = body.decode()
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert '<section id="GovernmentAgency"><h2>government agency <code>hled:GovernmentAgency</code></h2>' in page
    status, _, body = get(endpoint.url + "/ontology", accept="text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    hled = rdflib.Namespace("https://w3id.org/hled/ontology#")
    assert (hled.AgreementSigning, rdflib.RDFS.subClassOf, hled.Action) in graph
    assert {str(s) for s in graph.subjects()} == {
        str(hled[name]) for name in ("Action", "AgreementSigning", "GovernmentAgency", "pillar", "leadRole")
    }


def test_project_prefixes_are_predeclared_like_in_the_cli(endpoint):
    status, _, body = get(
        sparql_url(endpoint, "SELECT ?label WHERE { hdo:epa rdfs:label ?label }"),
        accept="application/sparql-results+json",
    )
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["label"]["value"] == "Environmental Protection Agency"


def test_the_ontology_documentation_is_served() -> None:
    """The build's ontology.html, generated from the served store, at /ontology.html."""
    from conftest import running_server
    from rdflib import OWL, RDF

    from hled_graph.graph import ontology_graph

    with running_server("--workers", "1") as server, urllib.request.urlopen(server.url + "/ontology.html", timeout=30) as response:
        page = response.read().decode("utf-8")
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    ontology = ontology_graph()
    classes = [c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith("https://w3id.org/hled/")]
    assert len(classes) == 45
    for term in classes:
        assert str(term) in page, term
    assert "Environmental Protection Agency" in page  # examples drawn from the data


def test_q_zero_refuses_a_format(endpoint):
    status, headers, _ = get(endpoint.url + "/id/org/epa", accept="text/turtle;q=0, */*;q=0.5")
    assert status == 200 and not headers["content-type"].startswith("text/turtle")
    status, headers, _ = get(sparql_url(endpoint, LABELS), accept="application/sparql-results+json;q=0, text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    status, _, _ = get(sparql_url(endpoint, LABELS), accept="*/*;q=0")
    assert status == 406


def test_the_readme_asgi_example_mounts_the_endpoint_under_a_prefix() -> None:
    """The README's example, run as written under a real uvicorn."""
    import asyncio
    import socket
    import threading

    import uvicorn

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("**In your own ASGI application.**", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own example, as written
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(namespace["application"], log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        status, _, body = get(
            base + "/graph/sparql?" + urllib.parse.urlencode({"query": LABELS}),
            accept="application/sparql-results+json",
        )
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["label"]["value"] == "Environmental Protection Agency"
        status, headers, body = get(base + "/graph/id/org/epa", accept="text/turtle")
        assert status == 200 and headers["content-type"].startswith("text/turtle") and b"Environmental" in body
        assert get(base + "/graph/nothing-here")[0] == 404
        status, _, body = get(base + "/elsewhere")
        assert (status, body) == (200, b"hello")
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_the_server_imports_neither_rdflib_nor_publish_and_the_adapter_not_uvicorn() -> None:
    import subprocess
    import sys

    def loaded(module: str) -> set[str]:
        code = (
            f"import sys, {module}; "
            "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'uvicorn') "
            "or m.startswith('hled_graph.publish')))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return {
            name.split(".")[0] if not name.startswith("hled_graph") else "hled_graph.publish"
            for name in done.stdout.split()
        }

    assert loaded("hled_graph.sparql.server.asgi") == set()
    assert loaded("hled_graph.sparql.server.worker") == {"uvicorn"}
    assert loaded("hled_graph.sparql.server.supervisor") == set()
