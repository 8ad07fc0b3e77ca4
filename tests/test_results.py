"""The result writers: what people read (table, markdown) and the SPARQL 1.1 result formats.

The standard formats are read back with rdflib's own result parsers, an implementation
independent of the pyoxigraph serializer that wrote them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result as RdflibResult

from hled_graph.errors import InputError
from hled_graph.sparql import engine, results

FIXTURE = Path(__file__).parent / "fixtures" / "sparql-mini.ttl"
HDA = "https://w3id.org/hled/id/action/"
HDO = "https://w3id.org/hled/id/org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

SELECT_MONEY = """
SELECT ?action ?label ?amount WHERE {
  ?action a prov:Activity ; rdfs:label ?label .
  OPTIONAL { ?action hled:amount/schema:value ?amount }
} ORDER BY ?action
"""
CONSTRUCT_LINKS = (
    "CONSTRUCT { ?a prov:wasAssociatedWith ?o } WHERE { ?a prov:wasAssociatedWith ?o }"
)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store(data=[FIXTURE])


@pytest.fixture(scope="module")
def select(store: ox.Store) -> engine.QueryOutcome:
    return engine.run_query(store, SELECT_MONEY)


@pytest.fixture(scope="module")
def construct(store: ox.Store) -> engine.QueryOutcome:
    return engine.run_query(store, CONSTRUCT_LINKS)


def test_table_is_aligned_with_short_iris_numbers_right_and_a_row_count(
    select: engine.QueryOutcome,
) -> None:
    lines = results.write(select, "table").decode().splitlines()
    assert lines[0].split() == ["action", "label", "amount"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].startswith("hda:dol-apprenticeship-exchange ")
    assert lines[4].startswith("hda:epa-conagua-statement-of-intent ")
    # the amount column is right-aligned: its last digit sits under the header's last letter
    assert lines[4].endswith("474000000")
    assert len(lines[4]) == len(lines[0])
    assert lines[-1] == "(3 rows)"


def test_markdown_table(select: engine.QueryOutcome) -> None:
    lines = results.write(select, "markdown").decode().splitlines()
    assert lines[0] == "| action | label | amount |"
    assert lines[1] == "|---|---|---:|"
    assert lines[4] == (
        "| hda:epa-conagua-statement-of-intent | EPA–CONAGUA statement of intent on Tijuana River pollution | 474000000 |"
    )


def test_markdown_escapes_pipes() -> None:
    outcome = engine.QueryOutcome(kind="select", variables=("x",), rows=((ox.Literal("a|b"),),))
    assert results.write(outcome, "markdown").decode().splitlines()[2] == "| a\\|b |"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_standard_formats_read_back_with_rdflib(select: engine.QueryOutcome, fmt: str) -> None:
    data = results.write(select, fmt)
    parsed = RdflibResult.parse(io.BytesIO(data), format=fmt)
    assert [str(v) for v in parsed.vars] == ["action", "label", "amount"]
    rows = [tuple(row) for row in parsed]
    assert [str(r[0]) for r in rows] == [
        HDA + "dol-apprenticeship-exchange",
        HDA + "dol-campos-de-esperanza-campaign",
        HDA + "epa-conagua-statement-of-intent",
    ]
    assert rows[0][2] is None
    amount = rows[2][2]
    assert str(amount) == "474000000"
    if fmt == "csv":  # CSV carries no term types, by design of the format
        assert str(rows[2][1]) == "EPA–CONAGUA statement of intent on Tijuana River pollution"
    else:
        assert amount == Literal("474000000", datatype=URIRef(XSD + "decimal"))
        assert rows[2][1] == Literal("EPA–CONAGUA statement of intent on Tijuana River pollution", lang="en")


def test_json_follows_the_spec_shape(select: engine.QueryOutcome) -> None:
    document = json.loads(results.write(select, "json"))
    assert document["head"]["vars"] == ["action", "label", "amount"]
    last = document["results"]["bindings"][2]
    assert last["action"] == {"type": "uri", "value": HDA + "epa-conagua-statement-of-intent"}
    assert last["label"]["xml:lang"] == "en"
    assert last["amount"] == {"type": "literal", "value": "474000000", "datatype": XSD + "decimal"}
    assert "amount" not in document["results"]["bindings"][0]


@pytest.mark.parametrize("answer", [True, False])
def test_ask_is_true_or_false_in_every_format(store: ox.Store, answer: bool) -> None:
    org = "hdo:epa" if answer else "hdo:usaid"
    outcome = engine.run_query(store, f"ASK {{ ?a prov:wasAssociatedWith {org} }}")
    word = "true" if answer else "false"
    assert results.write(outcome, "table") == f"{word}\n".encode()
    assert results.write(outcome, "csv").strip() == word.encode()
    assert results.write(outcome, "tsv").strip() == word.encode()
    assert json.loads(results.write(outcome, "json")) == {"head": {}, "boolean": answer}
    assert RdflibResult.parse(io.BytesIO(results.write(outcome, "xml")), format="xml").askAnswer is answer
    assert results.write(outcome, "markdown").decode().splitlines()[-1] == f"| {word} |"


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_graph_formats_parse_to_the_constructed_graph(
    construct: engine.QueryOutcome, fmt: str, rdflib_format: str
) -> None:
    data = results.write(construct, fmt)
    parsed = Graph().parse(data=data.decode(), format=rdflib_format)
    expected = Graph()
    prov = URIRef("http://www.w3.org/ns/prov#wasAssociatedWith")
    for action, org in [
        ("dol-apprenticeship-exchange", "dol"),
        ("dol-campos-de-esperanza-campaign", "dol"),
        ("dol-campos-de-esperanza-campaign", "campos-de-esperanza"),
        ("epa-conagua-statement-of-intent", "epa"),
        ("epa-conagua-statement-of-intent", "conagua"),
    ]:
        expected.add((URIRef(HDA + action), prov, URIRef(HDO + org)))
    assert isomorphic(parsed, expected)
    assert results.write(construct, fmt) == data  # same bytes every time


def test_turtle_declares_only_the_prefixes_it_uses(construct: engine.QueryOutcome) -> None:
    text = results.write(construct, "turtle").decode()
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert declared == ["hda:", "hdo:", "prov:"]


def test_a_graph_can_be_looked_at_as_a_table(construct: engine.QueryOutcome) -> None:
    lines = results.write(construct, "table").decode().splitlines()
    assert lines[0].split() == ["subject", "predicate", "object"]
    assert lines[-1] == "(5 rows)"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_solution_formats_refuse_a_graph(construct: engine.QueryOutcome, fmt: str) -> None:
    with pytest.raises(InputError, match=f"--format {fmt} is for SELECT and ASK.*turtle, nt, jsonld"):
        results.write(construct, fmt)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_graph_formats_refuse_solutions(select: engine.QueryOutcome, fmt: str) -> None:
    with pytest.raises(InputError, match=f"--format {fmt} is for CONSTRUCT and DESCRIBE.*table, csv"):
        results.write(select, fmt)


def test_default_format_is_table_for_solutions_and_turtle_for_graphs(
    select: engine.QueryOutcome, construct: engine.QueryOutcome
) -> None:
    assert results.write(select) == results.write(select, "table")
    assert results.write(construct) == results.write(construct, "turtle")


def test_unbound_cells_and_blank_nodes_read_plainly() -> None:
    outcome = engine.QueryOutcome(
        kind="select",
        variables=("a", "b"),
        rows=((ox.BlankNode("b0"), None), (ox.Literal("two\nlines"), None)),
    )
    lines = results.write(outcome, "table").decode().splitlines()
    assert lines[2].strip() == "_:b0"
    assert lines[3].strip() == "two lines"
