"""The pyoxigraph <-> rdflib term bridge: every kind of term goes over and comes back equal."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from hled_graph.terms import oxigraph_quads, rdflib_triples, to_oxigraph, to_rdflib

XSD_STRING = ox.NamedNode(str(XSD.string))

PAIRS = [
    (ox.NamedNode("https://w3id.org/hled/id/org/epa"), URIRef("https://w3id.org/hled/id/org/epa")),
    (ox.BlankNode("b1"), BNode("b1")),
    (ox.Literal("plain"), Literal("plain")),
    (ox.Literal("Secretaría de Economía", language="es"), Literal("Secretaría de Economía", lang="es")),
    (ox.Literal("42", datatype=ox.NamedNode(str(XSD.integer))), Literal("42", datatype=XSD.integer)),
    (ox.Literal("2022-09-12", datatype=ox.NamedNode(str(XSD.date))), Literal("2022-09-12", datatype=XSD.date)),
    (ox.Literal('quote " and\nnewline \\ backslash'), Literal('quote " and\nnewline \\ backslash')),
]


@pytest.mark.parametrize(("oxigraph_term", "rdflib_term"), PAIRS, ids=lambda term: type(term).__name__)
def test_every_term_kind_round_trips(oxigraph_term: ox.NamedNode, rdflib_term: URIRef) -> None:
    assert to_rdflib(oxigraph_term) == rdflib_term
    assert to_oxigraph(rdflib_term) == oxigraph_term
    assert to_oxigraph(to_rdflib(oxigraph_term)) == oxigraph_term
    assert to_rdflib(to_oxigraph(rdflib_term)) == rdflib_term


def test_a_plain_string_is_untyped_in_rdflib_and_xsd_string_in_pyoxigraph() -> None:
    assert to_rdflib(ox.Literal("x", datatype=XSD_STRING)).datatype is None
    assert to_oxigraph(Literal("x", datatype=XSD.string)) == ox.Literal("x")


def test_the_oxigraph_form_is_n_triples() -> None:
    assert str(to_oxigraph(Literal('a "b"\nc', lang="en"))) == '"a \\"b\\"\\nc"@en'
    assert str(to_oxigraph(Literal(3))) == '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'


def test_blank_nodes_can_be_renamed_on_the_way() -> None:
    assert to_rdflib(ox.BlankNode("abc"), blank_labels={"abc": "b7"}) == BNode("b7")


def test_a_quoted_triple_is_refused_by_name_because_rdflib_has_none() -> None:
    quoted = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o"))
    with pytest.raises(ValueError, match="quoted triples"):
        to_rdflib(quoted)


def test_whole_graphs_go_over_and_back_unchanged() -> None:
    graph = Graph()
    node = BNode()
    for _, rdflib_term in PAIRS:
        graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), rdflib_term))
    graph.add((node, URIRef("http://example.org/p"), Literal("x", lang="en")))
    back = Graph()
    for triple in rdflib_triples(quad.triple for quad in oxigraph_quads(graph)):
        back.add(triple)
    assert len(back) == len(graph) == len(PAIRS) + 1
    assert isomorphic(back, graph)
