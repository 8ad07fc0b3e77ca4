"""What RDFS entails from the project's own class and property hierarchy: the inferred graph.

The data states only the most specific class of a thing (a ``hled:Forum``, a ``hled:Ministry``),
so ``?x a hled:Event`` or ``?x a prov:Agent`` would find nothing. This module computes the
triples that the axioms of ``ontology/hled.ttl`` (and the few of ORG and PROV-O restated in
``ontology/reused-axioms.ttl``) entail and that no graph states, by four rules of RDF 1.1
Semantics (section 9.2.1) and no others:

- rdfs2, rdfs3: the ``rdfs:domain`` and ``rdfs:range`` of the ``hled:`` properties (other
  vocabularies' domains are theirs to state); a literal value gets no type from a range, as RDF
  has no literal subjects;
- rdfs7: a triple of a property holds of each of its ``rdfs:subPropertyOf`` super-properties;
- rdfs9: a thing of a class is of each of its ``rdfs:subClassOf`` super-classes.

Both hierarchies are followed transitively; no axiomatic triple and nothing about the classes
and properties themselves (rdfs4, rdfs6, rdfs8, rdfs10–13) is added.

owlrl (the RDFLib project's reasoner) has RDFS semantics but no choice of rules: it always adds
the axiomatic triples and rdfs4–rdfs13 (``?x a rdfs:Resource`` for every node) and replaces
literals by proxy nodes, so most of its output would have to be filtered away again; the fixpoint
below is short, and it works on rdflib's and pyoxigraph's terms alike, so the SPARQL engine
computes the closure without importing rdflib.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

from hled_graph.namespaces import HLED, PREFIXES

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

RDF_TYPE = PREFIXES["rdf"] + "type"
SUBCLASS_OF = PREFIXES["rdfs"] + "subClassOf"
SUBPROPERTY_OF = PREFIXES["rdfs"] + "subPropertyOf"
DOMAIN = PREFIXES["rdfs"] + "domain"
RANGE = PREFIXES["rdfs"] + "range"

T = TypeVar("T", bound=Hashable)
Triple = tuple[T, T, T]


@dataclass(frozen=True)
class Hierarchy:
    """The axioms the closure uses, by IRI: every super-class and super-property (transitively),
    and the domains and ranges of the ``hled:`` properties."""

    superclasses: Mapping[str, frozenset[str]]
    superproperties: Mapping[str, frozenset[str]]
    domains: Mapping[str, frozenset[str]]
    ranges: Mapping[str, frozenset[str]]


def hierarchy_of(axioms: Iterable[tuple[str, str, str]]) -> Hierarchy:
    """The :class:`Hierarchy` stated by ``axioms``, the (subject, predicate, object) IRIs of an ontology.

    Axioms about blank nodes (class expressions such as ``owl:unionOf``) are not RDFS and are
    left out by the caller, which passes IRIs only.
    """
    direct: dict[str, dict[str, set[str]]] = {key: defaultdict(set) for key in (SUBCLASS_OF, SUBPROPERTY_OF, DOMAIN, RANGE)}
    for subject, predicate, value in axioms:
        if predicate in (SUBCLASS_OF, SUBPROPERTY_OF) or (predicate in (DOMAIN, RANGE) and subject.startswith(HLED)):
            direct[predicate][subject].add(value)
    return Hierarchy(
        superclasses=_transitive(direct[SUBCLASS_OF]),
        superproperties=_transitive(direct[SUBPROPERTY_OF]),
        domains={prop: frozenset(classes) for prop, classes in direct[DOMAIN].items()},
        ranges={prop: frozenset(classes) for prop, classes in direct[RANGE].items()},
    )


def _transitive(direct: Mapping[str, set[str]]) -> dict[str, frozenset[str]]:
    """Everything above each node (not the node itself, even in a cycle)."""
    closure = {}
    for start in direct:
        seen: set[str] = set()
        pending = list(direct[start])
        while pending:
            node = pending.pop()
            if node not in seen:
                seen.add(node)
                pending.extend(direct.get(node, ()))
        seen.discard(start)
        closure[start] = frozenset(seen)
    return closure


def entailed(
    asserted: Iterable[Triple[T]],
    hierarchy: Hierarchy,
    *,
    iri_of: Callable[[T], str | None],
    named: Callable[[str], T],
    is_literal: Callable[[T], bool],
) -> set[Triple[T]]:
    """The triples that rdfs2, rdfs3, rdfs7 and rdfs9 entail from ``asserted`` and are not in it.

    Terms are the caller's (rdflib's or pyoxigraph's): ``iri_of`` gives a term's IRI (``None``
    for a blank node or literal), ``named`` makes the term of an IRI, ``is_literal`` tells literals.
    """
    known = set(asserted)
    rdf_type = named(RDF_TYPE)
    found: set[Triple[T]] = set()
    pending = list(known)
    while pending:
        subject, predicate, value = pending.pop()
        prop = iri_of(predicate) or ""
        consequences = [(subject, named(sup), value) for sup in hierarchy.superproperties.get(prop, ())]
        consequences += [(subject, rdf_type, named(cls)) for cls in hierarchy.domains.get(prop, ())]
        if not is_literal(value):
            consequences += [(value, rdf_type, named(cls)) for cls in hierarchy.ranges.get(prop, ())]
        if prop == RDF_TYPE:
            consequences += [(subject, rdf_type, named(cls)) for cls in hierarchy.superclasses.get(iri_of(value) or "", ())]
        for triple in consequences:
            if triple not in known:
                known.add(triple)
                found.add(triple)
                pending.append(triple)
    return found


# --------------------------------------------------------------------------- the two term libraries


def inferred_rdflib(asserted: Graph, axioms: Graph) -> Graph:
    """The inferred graph of ``asserted`` (which holds the ontology too, if its triples should count) under ``axioms``."""
    from rdflib import Graph, Literal, URIRef

    iris = ((str(s), str(p), str(o)) for s, p, o in axioms if isinstance(s, URIRef) and isinstance(o, URIRef))
    triples = entailed(
        asserted,
        hierarchy_of(iris),
        iri_of=lambda term: str(term) if isinstance(term, URIRef) else None,
        named=URIRef,
        is_literal=lambda term: isinstance(term, Literal),
    )
    result = Graph()
    for triple in triples:
        result.add(triple)
    return result


def inferred_oxigraph(asserted: Iterable[ox.Triple], axioms: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The inferred triples of ``asserted`` as pyoxigraph triples, sorted (the engine's twin of :func:`inferred_rdflib`)."""
    import pyoxigraph as ox

    iris = (
        (t.subject.value, t.predicate.value, t.object.value)
        for t in axioms
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)
    )
    triples = entailed(
        ((t.subject, t.predicate, t.object) for t in asserted),
        hierarchy_of(iris),
        iri_of=lambda term: term.value if isinstance(term, ox.NamedNode) else None,
        named=ox.NamedNode,
        is_literal=lambda term: isinstance(term, ox.Literal),
    )
    return sorted((ox.Triple(*cast("tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]",
                                   triple)) for triple in triples), key=str)
