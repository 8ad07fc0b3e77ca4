"""Validation: SHACL (pyshacl) and the data checks, reported in plain words.

The data checks are SPARQL queries of the query library (``queries/checks``); the caller reads
them (``hled_graph.sparql.library.load_checks()``) and passes them in, so that this core module
does not reach up into ``sparql``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from hled_graph import graph as hgraph
from hled_graph.iris import compact
from hled_graph.namespaces import PREFIXES
from hled_graph.visible import reveal


class DataCheck(Protocol):
    """A query whose every row is a problem, with a title that says what kind."""

    @property
    def title(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, in words a researcher can act on."""

    focus: str
    message: str
    path: str = ""
    value: str = ""
    severity: str = "Violation"

    def __str__(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass(frozen=True)
class Part:
    """One part of what a validation read (a file, or what RDFS inferred) and the triples it holds."""

    name: str
    triples: int


@dataclass
class Report:
    """The outcome of validating a graph: conforming when there is no violation, with what was counted."""

    triples: int
    problems: list[Problem] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    checks: int = 0
    quotes: int = 0

    @property
    def conforms(self) -> bool:
        return not any(p.severity == "Violation" for p in self.problems)

    def to_text(self) -> str:
        if not self.problems:
            lines = [f"OK: {self.triples} triples conform to the shapes; no data check failed."]
        else:
            lines = [str(p) for p in self.problems]
            violations = sum(p.severity == "Violation" for p in self.problems)
            lines.append(
                f"{violations} violation(s), {len(self.problems) - violations} other finding(s) in {self.triples} triples."
            )
        return "\n".join([*lines, self.counted()])

    def counted(self) -> str:
        """What the triple count is made of and what ran: the line that explains the numbers above."""
        parts = " + ".join(f"{part.triples} {part.name}" for part in self.parts) or f"{self.triples}"
        if sum(part.triples for part in self.parts) > self.triples:
            parts += f" (= {self.triples}: a triple stated in two files counts once)"
        ran = f"{self.checks} data checks of queries/checks" + (
            f" and {self.quotes} quotes against their source files" if self.quotes else ""
        )
        return (
            f"Counted: {parts}; ran the shapes, {ran}. "
            "The ontology is the shapes' class hierarchy, not data, so it is not counted (`hled-graph stats` counts it)."
        )


def _shown(term: object) -> str:
    """A term in a message: an IRI compacted (:func:`hled_graph.iris.compact`), else its text, with
    characters that reorder or hide text written out (a terminal obeys them too)."""
    return reveal(compact(term) if isinstance(term, URIRef) else str(term))


def _order(problem: Problem) -> tuple[str, str, str, str]:
    return problem.focus, problem.path, problem.message, problem.value


def shacl_problems(data: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None) -> list[Problem]:
    """Validate ``data`` against the shipped shapes (with the ontology for class hierarchies)."""
    import pyshacl  # heavy (0.6 s); only validation needs it

    shapes = shapes if shapes is not None else hgraph.shapes_graph()
    ontology = ontology if ontology is not None else hgraph.ontology_graph()
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    problems = []
    for result in results.subjects(SH.resultSeverity, None):
        severity = results.value(result, SH.resultSeverity)
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        problems.append(
            Problem(
                focus=_shown(results.value(result, SH.focusNode)),
                message=str(message) if message else "does not conform to its shape",
                path=_shown(path) if isinstance(path, URIRef) else "",
                value=_shown(value) if value is not None else "",
                severity=_shown(severity).split("#")[-1].removeprefix("sh:"),
            )
        )
    return sorted(problems, key=_order)


def check_query_problems(data: Graph, checks: Mapping[str, DataCheck]) -> list[Problem]:
    """Run the data checks (by name); every row they return is a problem.

    The checks read class hierarchies, so they run over the data merged with the ontology.
    """
    merged = data + hgraph.ontology_graph()
    problems = []
    for name, check in sorted(checks.items()):
        for row in hgraph.select_rows(merged, check.text):
            focus = next((term for term in row if term is not None), None)
            where = _shown(focus) if focus is not None else "(graph)"
            problems.append(Problem(focus=where, message=f"{check.title} (check {name})"))
    return sorted(problems, key=lambda p: (p.focus, p.message))


def validate_graph(data: Graph, *, checks: Mapping[str, DataCheck], parts: Sequence[Part] = ()) -> Report:
    """SHACL conformance and the data ``checks`` of a graph, with findings sorted for stable output;
    ``parts`` say what the graph was made of, for the report's "Counted" line."""
    return Report(
        triples=len(data),
        problems=shacl_problems(data) + check_query_problems(data, checks),
        parts=list(parts),
        checks=len(checks),
    )


def validate_files(paths: Sequence[Path], *, checks: Mapping[str, DataCheck]) -> Report:
    """Validate RDF files (all parsed first: a syntax error raises InputError naming file and line)."""
    data, parts = _parsed_with_parts(paths)
    return validate_graph(data, checks=checks, parts=parts)


def _parsed_with_parts(paths: Sequence[Path]) -> tuple[Graph, list[Part]]:
    """The files merged, and each file's own triple count (named as the user or the checkout names it)."""
    data = hgraph.bind_prefixes(Graph())
    parts = []
    for path in paths:
        graph = hgraph.parse_file(path)
        data += graph
        # a file name is shown as the terminal would not (it may hold characters that reorder or hide text)
        parts.append(Part(f"in {reveal(path.parent.name + '/' + path.name)}", len(graph)))
    return data, parts


def validate_shipped(*, checks: Mapping[str, DataCheck], with_inferred: bool = False) -> Report:
    """Validate the shipped data and links, merged, against the shipped shapes, and every quote against the
    file of its own source in ``data/source/`` (offsets, context, checksum).

    ``with_inferred`` adds what RDFS infers (:mod:`hled_graph.inference`): the graph the queries
    see, which must conform as well as what the files state.
    """
    from hled_graph import resources

    files = [*resources.data_files(), *([resources.links_file()] if resources.links_file().is_file() else [])]
    data, parts = _parsed_with_parts(files)
    if with_inferred:
        ontology = hgraph.ontology_graph()
        inferred = hgraph.inferred_graph(ontology + data, ontology=ontology)
        data += inferred
        parts.append(Part("inferred by RDFS (--rdfs)", len(inferred)))
    return _with_quote_problems(validate_graph(data, checks=checks, parts=parts), data)


def _with_quote_problems(report: Report, data: Graph) -> Report:
    from hled_graph.provenance import check_quotes

    quotes = [Problem(focus=_shown(URIRef(p.focus)), message=f"{p.message} (quote check)") for p in check_quotes(data)]
    report.problems = sorted(report.problems + quotes, key=_order)
    report.quotes = len(set(data.subjects(RDF.type, URIRef(PREFIXES["oa"] + "Annotation"))))
    return report
