"""Serializations of the graph: deterministic (same bytes on every build), written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from hled_graph.errors import InputError
from hled_graph.graph import bind_prefixes

ExportFormat = Literal["turtle", "nt", "jsonld", "xml", "trig", "nquads"]

FORMATS: dict[str, tuple[str, str, str]] = {
    # name: (rdflib serializer, file extension, IANA media type)
    "turtle": ("turtle", ".ttl", "text/turtle"),
    "nt": ("nt", ".nt", "application/n-triples"),
    "jsonld": ("json-ld", ".jsonld", "application/ld+json"),
    "xml": ("pretty-xml", ".rdf", "application/rdf+xml"),
    "trig": ("trig", ".trig", "application/trig"),
    "nquads": ("nquads", ".nq", "application/n-quads"),
}
DATASET_FORMATS = frozenset({"trig", "nquads"})


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def canonical(graph: Graph) -> Graph:
    """The same triples with blank nodes relabelled canonically, inserted in sorted order.

    rdflib's serializers iterate the store in insertion order and name blank nodes randomly;
    canonical labels plus sorted insertion make every serializer's output reproducible.
    """
    relabelled = to_canonical_graph(graph) if any(isinstance(t, BNode) for t in _terms(graph)) else graph
    # Canonical labels are 64-hex hashes; short sequential names in their sorted order read better
    # and are just as stable.
    labels = sorted({t for t in _terms(relabelled) if isinstance(t, BNode)}, key=str)
    short = {old: BNode(f"b{i}") for i, old in enumerate(labels, start=1)}
    result = Graph()
    renamed = ((short.get(s, s), p, short.get(o, o)) for s, p, o in relabelled)
    for triple in sorted(renamed, key=_triple_key):
        result.add(triple)
    return bind_prefixes(result)


def _terms(graph: Graph):
    for s, _, o in graph:
        yield s
        yield o


def _triple_key(triple: tuple) -> tuple:
    return tuple((type(term).__name__, term.n3()) for term in triple)


def serialize(source: Graph | Dataset, fmt: str) -> bytes:
    """The whole graph (or dataset) in ``fmt``, byte-for-byte deterministic."""
    check_format(fmt)
    rdflib_name, _, _ = FORMATS[fmt]
    if fmt in DATASET_FORMATS:
        data = _canonical_dataset(source).serialize(format=rdflib_name, encoding="utf-8")
    else:
        data = canonical(_as_graph(source)).serialize(format=rdflib_name, encoding="utf-8")
    if fmt in {"nt", "nquads"}:
        lines = sorted(line for line in data.decode("utf-8").splitlines() if line.strip())
        data = ("\n".join(lines) + "\n").encode("utf-8")
    return data


def _as_graph(source: Graph | Dataset) -> Graph:
    if isinstance(source, Dataset):
        merged = Graph()
        for s, p, o, _ in source.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return source


def _canonical_dataset(source: Graph | Dataset) -> Dataset:
    dataset = Dataset()
    bind_prefixes(dataset)
    if not isinstance(source, Dataset):
        for triple in canonical(source):
            dataset.add(triple)
        return dataset
    names = sorted({g.identifier for g in source.graphs() if len(g)}, key=str)
    for name in names:
        target = dataset.graph(name if isinstance(name, URIRef) else None)
        for triple in canonical(source.graph(name)):
            target.add(triple)
    return dataset


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def file_name(stem: str, fmt: str) -> str:
    return stem + FORMATS[check_format(fmt)][1]


def media_type(fmt: str) -> str:
    return FORMATS[check_format(fmt)][2]
