"""The merged dataset: ontology, data, links and what they entail as named graphs; one loader for all RDF input."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import cast

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.query import ResultRow

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.formats import rdf_syntax_of_file
from hled_graph.input_limits import check_input_file
from hled_graph.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_LINKS, GRAPH_ONTOLOGY, PREFIXES


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes, so every serialization uses the same short names."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def parse_file(path: Path, *, into: Graph | None = None) -> Graph:
    """Parse one RDF file into a fresh graph (or ``into``, only if the whole file parses).

    A syntax error, a limit of :mod:`.input_limits` or an ill-typed literal (``"abc"^^xsd:integer``)
    becomes an :class:`InputError` naming the file and line; the target graph is left untouched,
    because the file is checked and parsed into a scratch graph first.
    """
    import logging

    path = Path(path)
    fmt = rdf_syntax_of_file(path).rdflib_name
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path")
    check_syntax(path)
    scratch = Graph()
    # rdflib logs a traceback for every ill-typed literal; they are reported below, once.
    term_log = logging.getLogger("rdflib.term")
    term_log.disabled, was_disabled = True, term_log.disabled
    try:
        scratch.parse(path, format=fmt)
    except Exception as exc:  # noqa: BLE001 - rdflib raises many unrelated types for bad syntax
        raise InputError(f"{path}: {' '.join(str(exc).split())}; fix the file and try again") from None
    finally:
        term_log.disabled = was_disabled
    _refuse_ill_typed_literals(path, scratch)
    if into is None:
        return bind_prefixes(scratch)
    into += scratch
    return into


def check_syntax(path: Path) -> None:
    """Raise InputError with file, line and column if ``path`` is not well-formed RDF.

    pyoxigraph's parser is strict and reports precise positions (rdflib's messages often name
    the wrong line), so it is the judge of syntax for every file the project reads. The file's
    size limits (nesting, literal length, XML entities) are checked before it parses.
    """
    import pyoxigraph as ox

    check_input_file(path)
    try:
        for _ in ox.parse(path=str(path), format=rdf_syntax_of_file(path).rdf_format):
            pass
    except SyntaxError as exc:
        message = " ".join(str(exc).split())
        message = message.removesuffix(f" ({path.name}, line {exc.lineno})")
        raise InputError(f"{path}: {message}; fix the file and try again") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _refuse_ill_typed_literals(path: Path, graph: Graph) -> None:
    """An ill-typed literal is bad input: the shapes check datatypes, and rdflib cannot compare it."""
    ill_typed = sorted(
        {o for o in graph.objects() if isinstance(o, Literal) and o.ill_typed}, key=lambda o: (str(o), str(o.datatype))
    )
    if not ill_typed:
        return
    line, first = _first_line_with(path, ill_typed[:20]) or (None, ill_typed[0])
    datatype = bind_prefixes(Graph()).namespace_manager.normalizeUri(str(first.datatype))
    where = f"{path}, line {line}" if line else str(path)
    more = f" (and {len(ill_typed) - 1} more)" if len(ill_typed) > 1 else ""
    raise InputError(
        f"{where}: ill-typed literal {str(first)!r} is not a valid {datatype}{more}; "
        "fix the value or its datatype"
    )


def _first_line_with(path: Path, literals: list[Literal]) -> tuple[int, Literal] | None:
    """The first line of ``path`` that holds one of ``literals``, and which (parsers do not say where)."""
    needles = [(str(literal).encode("utf-8"), literal) for literal in literals]
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            for needle, literal in needles:
                if needle in line:
                    return number, literal
    return None


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


def inferred_graph(asserted: Graph, *, ontology: Graph | None = None) -> Graph:
    """What RDFS entails from ``asserted`` under the ontology's hierarchy, minus what it states (:mod:`.inference`).

    The axioms are the ontology's and those of the reused vocabularies it restates for the closure
    (``ontology/reused-axioms.ttl``, kept out of the ontology graph so that it holds only ``hled:``
    terms). Those reused axioms go into the inferred graph with what they entail, so that a query
    asking for a node's most specific class (``rdfs:subClassOf+``) sees them too.
    """
    from hled_graph.inference import inferred_rdflib

    reused = parse_file(resources.reused_axioms_file())
    inferred = inferred_rdflib(asserted, (ontology if ontology is not None else ontology_graph()) + reused)
    for triple in reused:
        if triple not in asserted:
            inferred.add(triple)
    return bind_prefixes(inferred)


def load_dataset() -> Dataset:
    """The shipped dataset with one named graph each for ontology, data, links and what they entail."""
    ontology, data, links = ontology_graph(), data_graph(), links_graph()
    dataset = Dataset()
    bind_prefixes(dataset)
    for name, part in (
        (GRAPH_ONTOLOGY, ontology),
        (GRAPH_DATA, data),
        (GRAPH_LINKS, links),
        (GRAPH_INFERRED, inferred_graph(ontology + data + links, ontology=ontology)),
    ):
        target = dataset.graph(URIRef(name))
        for triple in part:
            target.add(triple)
    return dataset


def load_graph(*, include_ontology: bool = True, include_links: bool = True, include_inferred: bool = True) -> Graph:
    """The shipped graph merged into one default graph: the everyday entry point of the API.

    ``include_inferred`` adds the RDFS closure of the whole shipped graph (so ``?x a hled:Event``
    answers); without it the graph holds only what the files state, as validation and the maps want.
    """
    ontology = ontology_graph()
    graph = data_graph()
    links = links_graph()
    inferred = inferred_graph(ontology + graph + links, ontology=ontology) if include_inferred else Graph()
    if include_ontology:
        graph += ontology
    if include_links:
        graph += links
    graph += inferred
    return bind_prefixes(graph)


def select_rows(graph: Graph, query: str) -> list[ResultRow]:
    """The rows of a SELECT query on an rdflib graph (rdflib types a result as rows, triples or a bool)."""
    return cast("list[ResultRow]", list(graph.query(query)))
