"""The merged dataset: ontology, data and links as named graphs; one loader for all RDF input."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import cast

from rdflib import Dataset, Graph, URIRef
from rdflib.query import ResultRow

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.formats import rdf_syntax_of_file
from hled_graph.namespaces import GRAPH_DATA, GRAPH_LINKS, GRAPH_ONTOLOGY, PREFIXES


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes, so every serialization uses the same short names."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def parse_file(path: Path, *, into: Graph | None = None) -> Graph:
    """Parse one RDF file into a fresh graph (or ``into``, only if the whole file parses).

    A syntax error becomes an :class:`InputError` naming the file and line; the target graph is
    left untouched, because the file is checked and parsed into a scratch graph first.
    """
    path = Path(path)
    fmt = rdf_syntax_of_file(path).rdflib_name
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path")
    check_syntax(path)
    scratch = Graph()
    try:
        scratch.parse(path, format=fmt)
    except Exception as exc:  # noqa: BLE001 - rdflib raises many unrelated types for bad syntax
        raise InputError(f"{path}: {' '.join(str(exc).split())}; fix the file and try again") from None
    if into is None:
        return bind_prefixes(scratch)
    into += scratch
    return into


def check_syntax(path: Path) -> None:
    """Raise InputError with file, line and column if ``path`` is not well-formed RDF.

    pyoxigraph's parser is strict and reports precise positions (rdflib's messages often name
    the wrong line), so it is the judge of syntax for every file the project reads.
    """
    import pyoxigraph as ox

    try:
        for _ in ox.parse(path=str(path), format=rdf_syntax_of_file(path).rdf_format):
            pass
    except SyntaxError as exc:
        message = " ".join(str(exc).split())
        message = message.removesuffix(f" ({path.name}, line {exc.lineno})")
        raise InputError(f"{path}: {message}; fix the file and try again") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


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


def select_rows(graph: Graph, query: str) -> list[ResultRow]:
    """The rows of a SELECT query on an rdflib graph (rdflib types a result as rows, triples or a bool)."""
    return cast("list[ResultRow]", list(graph.query(query)))
