"""Golden files (as pyLODE keeps them): the pages and the result writers compared byte for byte with
what they wrote when a person last read them. A difference fails with the command that rewrites the
files; the diff of tests/golden/ in the commit is then the review of the change.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from hled_graph import graph as hgraph
from hled_graph.namespaces import ID, PREFIXES
from hled_graph.publish.docs import ontology_html
from hled_graph.sparql import GRAPH_OUTPUTS, SOLUTION_OUTPUTS, VIEW_OUTPUTS, results
from hled_graph.sparql.engine import QueryOutcome, load_store, run_query
from hled_graph.sparql.server import service_description
from hled_graph.sparql.server.linked_data import EntityPages
from hled_graph.sparql.server.messages import Request

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "python -m pytest tests/test_golden.py --regenerate-golden"
ENTITY = ID + "org/secretaria-economia"  # a ministry: English and Spanish labels, many relations
ENDPOINT = "http://127.0.0.1:8000/sparql"  # the URL a description names (the Host header's, when safe)

_XSD = PREFIXES["xsd"]
_SELECT = """SELECT ?subject ?property ?value ?note WHERE {
  ?subject ?property ?value
  OPTIONAL { ?subject rdfs:comment ?note FILTER(?property != rdfs:comment) }
} ORDER BY ?subject ?property ?value"""


def writers_store() -> ox.Store:
    """A small graph with every kind of term a writer must write: literals of several datatypes, with
    language tags, characters that CSV, TSV and Markdown must escape, IRIs in and outside our
    namespaces, and a blank node with a fixed label (parsed ones get random labels)."""
    org, action, amount = ox.NamedNode(ENTITY), ox.NamedNode(ID + "action/golden"), ox.BlankNode("amount1")

    def iri(prefix: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(PREFIXES[prefix] + local)

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + datatype))

    triples = [
        (org, iri("rdfs", "label"), ox.Literal("Ministry of Economy", language="en")),
        (org, iri("skos", "prefLabel"), ox.Literal("Secretaría de Economía", language="es")),
        (org, iri("rdfs", "seeAlso"), ox.NamedNode("http://example.org/elsewhere")),
        (action, iri("rdfs", "comment"), ox.Literal('A "quoted", comma\tand tab | pipe\nsecond line')),
        (action, iri("hled", "amount"), amount),
        (action, iri("schema", "startDate"), typed("2022-09-12", "date")),
        (action, iri("schema", "isAccessibleForFree"), typed("true", "boolean")),
        (amount, iri("schema", "value"), typed("474000000", "integer")),
        (amount, iri("schema", "currency"), ox.Literal("USD")),
        (amount, iri("hled", "share"), typed("1.5", "decimal")),
        (amount, iri("hled", "ratio"), typed("2.5E-1", "double")),
    ]
    store = ox.Store()
    store.extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples)
    return store


def _writer_outputs() -> dict[str, Callable[[], bytes]]:
    store = writers_store()
    answers: dict[str, QueryOutcome] = {
        "select": run_query(store, _SELECT),
        "ask": run_query(store, "ASK { ?thing hled:amount ?amount }"),
        "construct": run_query(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    }
    suffix = {"table": "table.txt", "markdown": "md", "json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv",
              "turtle": "ttl", "nt": "nt", "jsonld": "jsonld"}
    writers = {
        "select": SOLUTION_OUTPUTS,
        "ask": SOLUTION_OUTPUTS,
        "construct": GRAPH_OUTPUTS + VIEW_OUTPUTS,
    }
    return {
        f"results/{kind}.{suffix[fmt]}": (lambda kind=kind, fmt=fmt: results.write(answers[kind], fmt))
        for kind, formats in writers.items() for fmt in formats
    }


def _page_outputs() -> dict[str, Callable[[], bytes]]:
    def entity() -> bytes:
        request = Request("GET", "/id/org/secretaria-economia", {"accept": "text/html"})
        return EntityPages(load_store()).respond(request, ENTITY, format_param=None).body

    def description(fmt: str) -> bytes:
        options = {"counts": service_description.graph_counts(load_store()), "allow_federation": False}
        if fmt == "html":
            return service_description.description_html(ENDPOINT, **options).encode("utf-8")
        return service_description.description_bytes(fmt, ENDPOINT, **options)

    return {
        "ontology.html": lambda: ontology_html(
            hgraph.ontology_graph(), hgraph.load_graph(include_ontology=False, include_inferred=False)).encode("utf-8"),
        "entity-secretaria-economia.html": entity,
        "service-description.html": lambda: description("html"),
        "service-description.ttl": lambda: description("turtle"),
    }


OUTPUTS = {**_page_outputs(), **_writer_outputs()}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_matches_its_golden_file(name: str, request: pytest.FixtureRequest) -> None:
    written = OUTPUTS[name]()
    assert written == OUTPUTS[name](), f"{name} is not deterministic: two runs wrote different bytes"
    path = GOLDEN / name
    if request.config.getoption("regenerate_golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(written)
    assert path.is_file(), f"tests/golden/{name} is missing; write it with: {REGENERATE}"
    golden = path.read_bytes()
    if written != golden:
        diff = "\n".join(difflib.unified_diff(
            golden.decode("utf-8", "replace").splitlines(), written.decode("utf-8", "replace").splitlines(),
            f"tests/golden/{name}", "written now", lineterm="", n=1))
        pytest.fail(f"tests/golden/{name} differs from what the code writes now. If the change is intended, "
                    f"regenerate the golden files and review their diff: {REGENERATE}\n{diff[:4000]}", pytrace=False)


def test_every_golden_file_belongs_to_an_output() -> None:
    on_disk = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk == set(OUTPUTS), f"stale or missing golden files; regenerate with: {REGENERATE}"


def test_the_writers_golden_cases_hold_every_kind_of_term() -> None:
    answer = run_query(writers_store(), _SELECT)
    cells = [cell for row in answer.rows for cell in row]
    assert None in cells  # an unbound cell
    assert any(isinstance(c, ox.BlankNode) for c in cells)
    literals = [c for c in cells if isinstance(c, ox.Literal)]
    assert {c.language for c in literals} >= {"en", "es", None}
    assert {c.datatype.value[len(_XSD):] for c in literals if c.datatype.value.startswith(_XSD)} >= {
        "integer", "decimal", "double", "boolean", "date", "string"}
    assert any(isinstance(c, ox.NamedNode) and not c.value.startswith(tuple(PREFIXES.values())) for c in cells)
