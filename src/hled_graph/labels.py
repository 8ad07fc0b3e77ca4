"""Which label names a resource: the one policy of every page, map, table and message.

Among the literals of ``skos:prefLabel``, ``rdfs:label`` and ``schema:name``, the language decides
first: English (``en``, ``en-US`` …), then untagged, then Spanish (the fact sheet's other
language), then any other language (by tag). Within a language the property decides, in the
order above (the preferred label is the one SKOS says to show), and then the text itself, so the
choice never depends on the order a store returns triples in. A resource without such a literal
has no label (None); callers then show its compacted IRI.

The policy is written once over plain (property, text, language) candidates, with adapters for a
pyoxigraph store and an rdflib graph, the two ways the project holds a graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from hled_graph.namespaces import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

LABEL_PROPERTIES: tuple[str, ...] = (
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["rdfs"] + "label",
    PREFIXES["schema"] + "name",
)
_LANGUAGES = ("en", "", "es")  # "" is an untagged literal


def _language_rank(language: str | None) -> int:
    primary = (language or "").lower().split("-")[0]
    return _LANGUAGES.index(primary) if primary in _LANGUAGES else len(_LANGUAGES)


def choose(candidates: Iterable[tuple[str, str, str | None]], *,
           properties: Sequence[str] = LABEL_PROPERTIES) -> str | None:
    """The label among (property IRI, text, language tag or None) candidates, or None.

    ``properties`` ranks the properties (candidates of others are ignored); another tuple, such as
    (``skos:definition``, ``rdfs:comment``), picks a definition or a title by the same policy.
    """
    ranked = [
        (_language_rank(language), properties.index(prop), (language or "").lower(), text)
        for prop, text, language in candidates
        if prop in properties
    ]
    return min(ranked)[3] if ranked else None


def label_in_store(store: ox.Store, iri: str) -> str | None:
    """The label of ``iri`` in a pyoxigraph store (all graphs)."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    return choose(
        (prop, quad.object.value, quad.object.language)
        for prop in LABEL_PROPERTIES
        for quad in store.quads_for_pattern(node, ox.NamedNode(prop), None)
        if isinstance(quad.object, ox.Literal)
    )


def label_in_graph(graph: Graph, node: Any, *, properties: Sequence[str] = LABEL_PROPERTIES) -> str | None:
    """The label of ``node`` (an rdflib term) in an rdflib graph (``properties`` as in :func:`choose`)."""
    from rdflib import Literal, URIRef

    return choose(
        ((str(prop), str(value), value.language)
         for prop in properties
         for value in graph.objects(node, URIRef(prop))
         if isinstance(value, Literal)),
        properties=tuple(str(prop) for prop in properties),
    )
