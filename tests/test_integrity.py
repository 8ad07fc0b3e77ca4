"""Data integrity of what we ship: no dangling references, no duplicate entities, SHACL conformance."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from hled_graph import graph as hgraph
from hled_graph.build import build
from hled_graph.namespaces import PREFIXES, SPARQL_PROLOGUE
from hled_graph.sparql.library import load_checks
from hled_graph.validate import validate_files, validate_graph


@pytest.fixture(scope="module")
def merged() -> Graph:
    """What the files state: an inferred type must not make an undescribed IRI look described."""
    return hgraph.load_graph(include_inferred=False)


def select(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(SPARQL_PROLOGUE + query)]


def test_every_project_iri_used_as_object_is_described(merged: Graph) -> None:
    dangling = select(
        merged,
        """SELECT DISTINCT ?s ?p ?o WHERE {
             ?s ?p ?o . FILTER(isIRI(?o) && ?p != owl:versionIRI)
             FILTER(STRSTARTS(STR(?o), "https://w3id.org/hled/"))
             FILTER NOT EXISTS { ?o ?anyP ?anyO }
           }""",
    )
    assert dangling == []


def test_every_object_of_our_properties_is_described(merged: Graph) -> None:
    dangling = select(
        merged,
        """SELECT DISTINCT ?s ?p ?o WHERE {
             ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?p), STR(hled:)))
             FILTER NOT EXISTS { ?o ?anyP ?anyO }
           }""",
    )
    assert dangling == []


def test_the_dangling_check_catches_a_dangling_reference(merged: Graph) -> None:
    broken = Graph() + merged
    broken.parse(data="@prefix hled: <https://w3id.org/hled/ontology#> . "
                 "<https://w3id.org/hled/id/org/epa> hled:country <https://w3id.org/hled/id/place/atlantis> .",
                 format="turtle")
    found = select(broken, """SELECT ?o WHERE { ?s hled:country ?o FILTER NOT EXISTS { ?o ?p ?x } }""")
    assert [str(o) for (o,) in found] == ["https://w3id.org/hled/id/place/atlantis"]


def test_every_hled_term_the_data_uses_is_defined_in_the_ontology() -> None:
    data = hgraph.load_graph(include_ontology=False)
    defined = set(hgraph.ontology_graph().subjects())
    used = {term for triple in data for term in triple[1:] if str(term).startswith(PREFIXES["hled"])}
    assert sorted(used - defined) == []


def test_no_two_entities_share_a_label_and_a_type(merged: Graph) -> None:
    duplicates = select(
        merged,
        """SELECT ?label ?type (COUNT(DISTINCT ?e) AS ?n) (GROUP_CONCAT(STR(?e); separator=" ") AS ?which) WHERE {
             ?e rdfs:label ?label ; a ?type .
             FILTER(STRSTARTS(STR(?e), STR(hd:)))
           } GROUP BY ?label ?type HAVING (COUNT(DISTINCT ?e) > 1)""",
    )
    assert duplicates == []


def test_every_described_entity_has_an_english_label(merged: Graph) -> None:
    unlabelled = select(
        merged,
        """SELECT DISTINCT ?e WHERE {
             ?e a ?type . FILTER(isIRI(?e) && STRSTARTS(STR(?e), STR(hd:)))
             FILTER NOT EXISTS { ?q oa:hasBody ?x . FILTER(?e = ?q) }
             FILTER NOT EXISTS { ?e rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }
           }""",
    )
    assert unlabelled == []


def test_shipped_data_and_links_conform_to_the_shapes() -> None:
    """What the files state; with the inferred graph: test_inference and the built output below."""
    report = validate_graph(hgraph.load_graph(include_ontology=False, include_inferred=False), checks=load_checks())
    assert report.conforms, report.to_text()
    assert report.problems == []


def test_validate_finds_nothing_in_the_built_output(tmp_path: Path) -> None:
    out = build(tmp_path / "out").out_dir
    for name in ("hled.ttl", "hled.nt", "hled.jsonld"):
        report = validate_files([out / name], checks=load_checks())
        assert report.conforms and report.problems == [], (name, report.to_text())
