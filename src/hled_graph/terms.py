"""The one bridge between pyoxigraph terms and rdflib terms, both ways.

Only modules that already work with rdflib import this one (it imports rdflib, which costs
``hled-graph query`` a second it does not need to pay).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from hled_graph.namespaces import PREFIXES

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_XSD_STRING = PREFIXES["xsd"] + "string"


def to_rdflib(term: OxTerm, *, blank_labels: Mapping[str, str] | None = None) -> Node:
    """A pyoxigraph term as the equal rdflib term; a plain string literal stays untyped, as rdflib spells it.

    ``blank_labels`` renames blank nodes (old label -> new label), e.g. to canonical short names.
    rdflib has no quoted triples (RDF-star), so a ``Triple`` term raises ``ValueError``.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(blank_labels[term.value] if blank_labels is not None else term.value)
    if isinstance(term, ox.Triple):
        raise ValueError(f"rdflib has no quoted triples (RDF-star): cannot convert {term}")
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_oxigraph(term: Node) -> OxTerm:
    """An rdflib term as the equal pyoxigraph term (its ``str`` is the term in N-Triples)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


def oxigraph_quads(graph: Graph) -> list[ox.Quad]:
    """Every triple of an rdflib graph as a pyoxigraph quad in the default graph.

    Through N-Triples: one serialization and one parse beat a Python call per term.
    """
    return list(ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))


def oxigraph_store(graph: Graph) -> ox.Store:
    """An in-memory pyoxigraph store holding ``graph``'s triples (default graph), to run SPARQL on it quickly."""
    store = ox.Store()
    store.extend(oxigraph_quads(graph))
    return store


def rdflib_triples(
    triples: Iterable[ox.Triple], *, blank_labels: Mapping[str, str] | None = None
) -> list[tuple[Node, Node, Node]]:
    """pyoxigraph triples as rdflib triples."""
    return [
        (
            to_rdflib(t.subject, blank_labels=blank_labels),
            to_rdflib(t.predicate),
            to_rdflib(t.object, blank_labels=blank_labels),
        )
        for t in triples
    ]
