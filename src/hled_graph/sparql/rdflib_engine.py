"""The same queries on rdflib: the Python API (``hled_graph.query``) and the engines' cross-check.

The CLI never imports this module (rdflib costs a second of start-up); notebooks and scripts
do, because rdflib graphs are what Python users already hold. A :class:`Result` shows itself as
a table in Jupyter.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from rdflib import Graph, Literal, URIRef
from rdflib.query import Result as RdflibResult
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from hled_graph.errors import InputError
from hled_graph.files import write_atomic
from hled_graph.iris import compact
from hled_graph.labels import label_in_graph
from hled_graph.names import ENTITY_NAMESPACE, Entity
from hled_graph.namespaces import PREFIXES
from hled_graph.sparql import library, results
from hled_graph.sparql.engine import QueryKind, QueryOutcome
from hled_graph.templating import is_linkable, render
from hled_graph.terms import to_oxigraph, to_rdflib


@dataclass(frozen=True)
class Result:
    """A query answer with rdflib terms: iterate over ``rows`` (SELECT, CONSTRUCT) or test ``boolean`` (ASK)."""

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ask" else bool(self.rows)

    def column(self, name: str) -> list[Node | None]:
        """All values of one variable, in row order."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def __str__(self) -> str:
        """The CLI's plain-text table (``hled-graph query``'s default view): short IRIs, a row count."""
        return results.write_table(self.outcome()).decode("utf-8")

    def __repr__(self) -> str:
        shape = f"boolean={self.boolean}" if self.kind == "ask" else f"{len(self.rows)} rows, variables={self.variables}"
        return f"<Result {self.kind}: {shape}>"

    def outcome(self) -> QueryOutcome:
        """The answer with pyoxigraph terms, as the CLI's writers (:mod:`hled_graph.sparql.results`) take it."""
        rows = tuple(tuple(None if term is None else to_oxigraph(term) for term in row) for row in self.rows)
        return QueryOutcome(kind=self.kind, variables=self.variables, rows=rows, boolean=self.boolean)

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str | None:
        """SPARQL 1.1 CSV (full IRIs, CRLF line ends, as R, pandas and Excel read it): returned as
        text, or written whole to ``path`` (and None returned)."""
        outcome = self.outcome()
        # A graph as CSV is its triples as rows of subject, predicate, object.
        data = results.write_standard(replace(outcome, kind="select") if self.kind == "construct" else outcome, "csv")
        if path is None:
            return data.decode("utf-8")
        write_atomic(Path(path), data)
        return None

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame`` with typed columns: numbers as numbers, dates as dates (see
        :func:`hled_graph.sparql.results.to_dataframe`). Needs the ``pandas`` extra."""
        return results.to_dataframe(self.outcome())

    def _repr_html_(self) -> str:
        cells = [[_cell_view(term) for term in row] for row in self.rows]
        return render("hled_graph.sparql", "result.html", kind=self.kind, boolean=self.boolean,
                      variables=self.variables, rows=cells)


def _cell_view(term: Node | None) -> dict[str, str | None]:
    if isinstance(term, URIRef):
        return {"text": compact(str(term)), "href": str(term) if is_linkable(str(term)) else None, "language": None}
    language = term.language if isinstance(term, Literal) else None
    return {"text": "" if term is None else str(term), "href": None, "language": language}


@lru_cache(maxsize=1)
def shipped_graph() -> Graph:
    """The shipped graph (ontology, data, links, inferred) merged into one rdflib Graph, loaded once."""
    from hled_graph.graph import load_graph

    return load_graph()


def query(
    sparql: str, graph: Graph | None = None, *, bindings: Mapping[str, str | Node] | None = None
) -> Result:
    """Run SPARQL on ``graph`` (default: the shipped graph). Our prefixes are predeclared.

    ``bindings`` fix variables before evaluation: values are rdflib terms or text as on the
    command line (``"hdo:epa"``, ``"<http://…>"``, ``"42"``, ``'"text"@en'``).
    """
    target = shipped_graph() if graph is None else graph
    init = {name: cast("Identifier", _binding_term(value, target)) for name, value in (bindings or {}).items()}
    try:
        # rdflib evaluates lazily: errors surface while the rows are read, so read them here.
        return _result_of(target.query(sparql, initNs=PREFIXES, initBindings=init or None))
    except Exception as exc:  # pyparsing's ParseException carries the position
        if hasattr(exc, "lineno") and hasattr(exc, "col"):
            detail = " ".join(str(getattr(exc, "msg", exc)).split())
            raise InputError(f"query line {exc.lineno}, column {exc.col}: {detail}") from None
        if "requiring a dataset" in str(exc):
            raise InputError(
                "this query uses GRAPH, which needs the named graphs: pass graph=hled_graph.graph.load_dataset()"
            ) from None
        raise


def _result_of(raw: RdflibResult) -> Result:
    if raw.type == "ASK":
        return Result(kind="ask", boolean=bool(raw.askAnswer))
    if raw.type in ("CONSTRUCT", "DESCRIBE"):
        constructed = raw.graph
        assert constructed is not None  # rdflib gives every CONSTRUCT and DESCRIBE result a graph
        triples = sorted(constructed, key=lambda t: tuple(t[i].n3() for i in range(3)))
        return Result(
            kind="construct",
            variables=("subject", "predicate", "object"),
            rows=tuple(triples),
            graph=constructed,
        )
    variables = tuple(str(v) for v in raw.vars or ())
    rows = tuple(tuple(row[i] for i in range(len(variables))) for row in cast("list[ResultRow]", list(raw)))
    return Result(kind="select", variables=variables, rows=rows)


def run_named(name: str, graph: Graph | None = None, **bindings: str | Node) -> Result:
    """Run a library query by name, its parameters' defaults overridden by ``bindings``."""
    named = library.find(name)
    named.check_parameters(bindings)
    target = shipped_graph() if graph is None else graph
    text_values = {k: v for k, v in bindings.items() if isinstance(v, str)}
    values: dict[str, str | Node] = {
        k: to_rdflib(v) for k, v in named.bindings(text_values, entities=lambda: entities_in_graph(target)).items()
    }
    values.update({k: v for k, v in bindings.items() if not isinstance(v, str)})
    return query(named.text, target, bindings=values)


def _binding_term(value: str | Node, graph: Graph) -> Node:
    if isinstance(value, str):
        return to_rdflib(library.parse_term(value, where="bindings: ", entities=lambda: entities_in_graph(graph)))
    return value


def entities_in_graph(graph: Graph) -> list[Entity]:
    """Every entity of ``graph`` (an IRI under the project's ``id/`` namespace) with its label, for bare names."""
    subjects = {str(s) for s in graph.subjects(unique=True) if isinstance(s, URIRef) and str(s).startswith(ENTITY_NAMESPACE)}
    return [(iri, label_in_graph(graph, URIRef(iri))) for iri in sorted(subjects)]
