"""Serializations of the graph: deterministic (same bytes on every build), written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from hled_graph.errors import InputError
from hled_graph.graph import bind_prefixes
from hled_graph.namespaces import PREFIXES
from hled_graph.terms import oxigraph_quads, rdflib_triples

ExportFormat = Literal["turtle", "nt", "jsonld", "xml", "trig", "nquads"]

FORMATS: dict[str, tuple[str, str]] = {
    # name: (file extension, IANA media type)
    "turtle": (".ttl", "text/turtle"),
    "nt": (".nt", "application/n-triples"),
    "jsonld": (".jsonld", "application/ld+json"),
    "xml": (".rdf", "application/rdf+xml"),
    "trig": (".trig", "application/trig"),
    "nquads": (".nq", "application/n-quads"),
}
DATASET_FORMATS = frozenset({"trig", "nquads"})


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def canonical(graph: Graph) -> Graph:
    """The same triples with blank nodes relabelled canonically (RDFC-1.0), in sorted order.

    rdflib's writers name blank nodes randomly and follow the store's unordered iteration;
    canonical labels plus sorted insertion make every output reproducible. pyoxigraph does the
    canonicalization (rdflib's own takes seconds on this graph).
    """
    import pyoxigraph as ox

    dataset = ox.Dataset(oxigraph_quads(graph))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    blank_ids = sorted({t.value for q in dataset for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)})
    # Canonical labels are 64-hex hashes; short names in their sorted order read better.
    short = {old: f"b{i}" for i, old in enumerate(blank_ids, start=1)}
    result = bind_prefixes(Graph())
    for triple in sorted(rdflib_triples((q.triple for q in dataset), blank_labels=short), key=_triple_key):
        result.add(triple)
    return result


def _triple_key(triple: tuple) -> tuple:
    return tuple((type(term).__name__, term.n3()) for term in triple)


def serialize(source: Graph | Dataset, fmt: str) -> bytes:
    """The whole graph (or dataset) in ``fmt``, byte-for-byte deterministic.

    Turtle comes from rdflib (its writer sorts and nests blank nodes readably); JSON-LD from
    rdflib with its arrays sorted; every other format from pyoxigraph fed sorted quads, because
    rdflib's other writers follow the store's unordered iteration.
    """
    check_format(fmt)
    if fmt == "turtle":
        return canonical(_as_graph(source)).serialize(format="turtle", encoding="utf-8")
    if fmt == "jsonld":
        # Compacted with the project's context, the JSON-LD reads as plain JSON (label, pillar, ...).
        from hled_graph.publish.metadata import jsonld_context

        graph = canonical(_as_graph(source))
        return _sorted_jsonld(graph.serialize(format="json-ld", context=jsonld_context()["@context"], encoding="utf-8"))
    return _oxigraph_serialize(source, fmt)


def _oxigraph_serialize(source: Graph | Dataset, fmt: str) -> bytes:
    import pyoxigraph as ox

    if fmt in DATASET_FORMATS:
        parts = _named_parts(source)
    else:
        parts = [(None, canonical(_as_graph(source)))]
    quads = []
    for name, part in parts:
        graph_name = ox.NamedNode(str(name)) if name is not None else ox.DefaultGraph()
        for quad in oxigraph_quads(part):
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph_name))
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    if fmt not in DATASET_FORMATS:
        quads = [q.triple for q in quads]
    target = getattr(ox.RdfFormat, {"nt": "N_TRIPLES", "xml": "RDF_XML", "trig": "TRIG", "nquads": "N_QUADS"}[fmt])
    prefixes = None if fmt in {"nt", "nquads"} else dict(sorted(PREFIXES.items()))
    return ox.serialize(quads, format=target, prefixes=prefixes)


def _named_parts(source: Graph | Dataset) -> list[tuple[URIRef | None, Graph]]:
    if not isinstance(source, Dataset):
        return [(None, canonical(source))]
    names = sorted({g.identifier for g in source.graphs() if len(g)}, key=str)
    return [
        (name if isinstance(name, URIRef) and name != DATASET_DEFAULT_GRAPH_ID else None, canonical(source.graph(name)))
        for name in names
    ]


def _sorted_jsonld(data: bytes) -> bytes:
    """JSON-LD with nodes sorted by @id and value arrays sorted (they are unordered sets)."""
    document = json.loads(data)

    def normalise(value, key=None):
        if isinstance(value, dict):
            return {k: normalise(v, k) for k, v in sorted(value.items())}
        if isinstance(value, list):
            items = [normalise(v) for v in value]
            if key == "@list":  # RDF lists keep their order
                return items
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return value

    return (json.dumps(normalise(document), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _as_graph(source: Graph | Dataset) -> Graph:
    if isinstance(source, Dataset):
        merged = Graph()
        for s, p, o, _ in source.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return source


def file_name(stem: str, fmt: str) -> str:
    return stem + FORMATS[check_format(fmt)][0]


def media_type(fmt: str) -> str:
    return FORMATS[check_format(fmt)][1]
