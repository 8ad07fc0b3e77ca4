"""The merged dataset: ontology, data and links as named graphs; one loader for all RDF input."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.namespaces import GRAPH_DATA, GRAPH_LINKS, GRAPH_ONTOLOGY, PREFIXES

RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def rdf_format_of(path: Path) -> str:
    """The rdflib parser name for a file, from its extension."""
    try:
        return RDF_FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(RDF_FORMATS))
        raise InputError(
            f"{path}: unknown RDF file extension {path.suffix or '(none)'!r}; use one of {known}"
        ) from None


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def parse_file(path: Path, *, into: Graph | None = None) -> Graph:
    """Parse one RDF file into a fresh graph (or ``into``, only if the whole file parses).

    A syntax error becomes an :class:`InputError` naming the file and line; the target graph is
    left untouched, because the file is parsed into a scratch graph first.
    """
    path = Path(path)
    fmt = rdf_format_of(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path")
    scratch = Graph()
    try:
        scratch.parse(path, format=fmt)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}); RDF files must be UTF-8 encoded"
        ) from None
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise InputError(f"{path}: {_describe_parse_error(exc)}; fix the file and try again") from None
    if into is None:
        return bind_prefixes(scratch)
    into += scratch
    return into


def _describe_parse_error(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    line = getattr(exc, "lines", None)
    if line is not None and "line" not in text:
        text = f"line {line}: {text}"
    return text or type(exc).__name__


def parse_files(paths: Iterable[Path]) -> Graph:
    """Parse several RDF files into one graph; all or nothing."""
    graph = bind_prefixes(Graph())
    for path in paths:
        parse_file(Path(path), into=graph)
    return graph


def ontology_graph() -> Graph:
    return parse_file(resources.ontology_file())


def shapes_graph() -> Graph:
    return parse_file(resources.shapes_file())


def data_graph() -> Graph:
    """The curated fact-sheet data (all ``data/hled-*.ttl`` files), without ontology or links."""
    return parse_files(resources.data_files())


def links_graph() -> Graph:
    path = resources.links_file()
    return parse_file(path) if path.is_file() else bind_prefixes(Graph())


def load_dataset() -> Dataset:
    """The shipped dataset with one named graph each for ontology, data and links."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for name, part in (
        (GRAPH_ONTOLOGY, ontology_graph()),
        (GRAPH_DATA, data_graph()),
        (GRAPH_LINKS, links_graph()),
    ):
        target = dataset.graph(URIRef(name))
        for triple in part:
            target.add(triple)
    return dataset


def load_graph(*, include_ontology: bool = True, include_links: bool = True) -> Graph:
    """The shipped graph merged into one default graph: the everyday entry point of the API."""
    graph = data_graph()
    if include_ontology:
        graph += ontology_graph()
    if include_links:
        graph += links_graph()
    return bind_prefixes(graph)
