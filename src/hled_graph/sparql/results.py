"""Writes query answers: for people (table, markdown) and for programs (the SPARQL 1.1 result formats).

SELECT and ASK: ``table`` (aligned plain text, IRIs shortened with our prefixes), ``markdown``,
and the standard ``json``, ``xml``, ``csv``, ``tsv`` (written by pyoxigraph's own serializer).
CONSTRUCT and DESCRIBE: ``turtle``, ``nt``, ``jsonld`` (and ``table`` / ``markdown`` to look at).
Every writer returns bytes, the same bytes for the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from hled_graph.errors import InputError
from hled_graph.formats import rdf_syntax, results_syntax
from hled_graph.iris import compact, split
from hled_graph.namespaces import PREFIXES
from hled_graph.sparql import GRAPH_OUTPUTS, QUERY_OUTPUTS, SOLUTION_OUTPUTS, VIEW_OUTPUTS
from hled_graph.sparql.engine import QueryOutcome, Term
from hled_graph.visible import reveal

_XSD = PREFIXES["xsd"]
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                 "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
_NUMERIC = _INTEGERS | {_XSD + t for t in ("decimal", "double", "float")}


def default_format(outcome: QueryOutcome) -> str:
    return "turtle" if outcome.kind == "construct" else "table"


def write(
    outcome: QueryOutcome, fmt: str | None = None, *, prefixes: Mapping[str, str] = PREFIXES
) -> bytes:
    """The answer in format ``fmt`` (default: table, or Turtle for a graph)."""
    fmt = fmt or default_format(outcome)
    if fmt not in QUERY_OUTPUTS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(QUERY_OUTPUTS)}")
    if outcome.kind == "construct":
        if fmt in GRAPH_OUTPUTS:
            return write_graph(outcome.triples(), fmt, prefixes=prefixes)
        if fmt not in VIEW_OUTPUTS:
            allowed = ", ".join(GRAPH_OUTPUTS + VIEW_OUTPUTS)
            raise InputError(
                f"--format {fmt} is for SELECT and ASK answers; this query makes a graph: use one of {allowed}"
            )
    elif fmt in GRAPH_OUTPUTS:
        raise InputError(
            f"--format {fmt} is for CONSTRUCT and DESCRIBE answers; this is a {outcome.kind.upper()}: "
            f"use one of {', '.join(SOLUTION_OUTPUTS)}"
        )
    if fmt == "table":
        return write_table(outcome, prefixes=prefixes)
    if fmt == "markdown":
        return write_markdown(outcome, prefixes=prefixes)
    return write_standard(outcome, fmt)


# --------------------------------------------------------------------------- standard formats


def results_json(outcome: QueryOutcome) -> dict:
    """The SPARQL 1.1 Query Results JSON document of a SELECT or ASK answer."""
    if outcome.kind == "ask":
        return {"head": {}, "boolean": bool(outcome.boolean)}
    bindings = [
        {var: term_json(term) for var, term in zip(outcome.variables, row, strict=False) if term is not None}
        for row in outcome.rows
    ]
    return {"head": {"vars": list(outcome.variables)}, "results": {"bindings": bindings}}


def term_json(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: term_json(v) for k, v in parts.items()}}
    encoded: dict = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != _XSD + "string":
        encoded["datatype"] = term.datatype.value
    return encoded


def write_standard(outcome: QueryOutcome, fmt: str) -> bytes:
    """JSON, XML, CSV or TSV as the SPARQL 1.1 Results specs say, written by pyoxigraph."""
    document = json.dumps(results_json(outcome), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "json":
        # Byte for byte what pyoxigraph's JSON writer makes of it (checked on every library
        # query), without parsing the document back and writing it again.
        return document + b"\n"
    parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    data = parsed.serialize(format=results_syntax(fmt).results_format) or b""  # None only when given a file
    return data if data.endswith(b"\n") else data + b"\n"


def write_graph(
    triples: Sequence[ox.Triple], fmt: str, *, prefixes: Mapping[str, str] = PREFIXES
) -> bytes:
    """A graph as Turtle (only the prefixes it uses), canonical N-Triples or JSON-LD; sorted."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if fmt == "jsonld":
        expanded = json.loads(ox.serialize(ordered, format=ox.RdfFormat.JSON_LD) or b"[]")
        return (json.dumps(expanded, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(
            "utf-8"
        )
    used = _used_prefixes(ordered, prefixes) if fmt == "turtle" else None
    return ox.serialize(ordered, format=rdf_syntax(fmt).rdf_format, prefixes=used) or b""


def _used_prefixes(triples: Sequence[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    used: dict[str, str] = {}
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            iris = [term.value] if isinstance(term, ox.NamedNode) else []
            if isinstance(term, ox.Literal):
                iris.append(term.datatype.value)
            for iri in iris:
                match = split(iri, prefixes=prefixes)
                if match:
                    used[match[0]] = prefixes[match[0]]
    return dict(sorted(used.items()))


# --------------------------------------------------------------------------- for people


def cell_text(term: Term | None, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """What a person wants to read in a cell: a short IRI, a literal's text, nothing if unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, prefixes=prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return (
            "<< "
            + " ".join(cell_text(t, prefixes) for t in (term.subject, term.predicate, term.object))
            + " >>"
        )
    return " ".join(term.value.split())


def _is_number(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC


def _grid(
    outcome: QueryOutcome, prefixes: Mapping[str, str]
) -> tuple[list[str], list[list[str]], list[bool]]:
    if outcome.kind == "ask":
        return ["ask"], [["true" if outcome.boolean else "false"]], [False]
    header = list(outcome.variables)
    # A terminal honours a right-to-left override as a browser does: the people's formats show it.
    cells = [[reveal(cell_text(term, prefixes)) for term in row] for row in outcome.rows]
    numeric = [
        any(row[i] is not None for row in outcome.rows)
        and all(row[i] is None or _is_number(row[i]) for row in outcome.rows)
        for i in range(len(header))
    ]
    return header, cells, numeric


def write_table(outcome: QueryOutcome, *, prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Aligned plain text with a row count; numbers right-aligned."""
    if outcome.kind == "ask":
        return b"true\n" if outcome.boolean else b"false\n"
    header, cells, numeric = _grid(outcome, prefixes)
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=False)]
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    count = len(cells)
    out.append(f"({count} {'row' if count == 1 else 'rows'})")
    return ("\n".join(out) + "\n").encode("utf-8")


def write_markdown(outcome: QueryOutcome, *, prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """A GitHub-flavoured Markdown table (pipes in values escaped)."""
    header, cells, numeric = _grid(outcome, prefixes)

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    out = [line(header), "|" + "|".join("---:" if num else "---" for num in numeric) + "|"]
    out += [line(row) for row in cells]
    return ("\n".join(out) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- for data frames

_DATES = {_XSD + "date", _XSD + "dateTime"}
_BOOLEAN = _XSD + "boolean"


def to_dataframe(outcome: QueryOutcome) -> Any:
    """The answer as a ``pandas.DataFrame`` with typed columns (pandas is the optional ``pandas`` extra).

    A column whose values are all integers is ``Int64``, all numbers ``Float64``, all ``xsd:date`` or
    ``xsd:dateTime`` ``datetime64``, all booleans ``boolean``; any other column is ``string``, with
    IRIs in full (they are the keys to join on) and a literal as its text. Unbound is missing (``<NA>``, ``NaT``).
    An ASK answer is one ``ask`` column; a graph is ``subject``, ``predicate``, ``object``.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ModuleNotFoundError(
            "to_dataframe needs pandas: pip install 'hled-graph[pandas]'", name="pandas"
        ) from None
    if outcome.kind == "ask":
        return pd.DataFrame({"ask": pd.array([bool(outcome.boolean)], dtype="boolean")})
    columns = {
        name: _typed_column(pd, [row[i] for row in outcome.rows]) for i, name in enumerate(outcome.variables)
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(outcome.rows)))


def _typed_column(pd: Any, values: list[Term | None]) -> Any:
    texts = [None if v is None else v.value if isinstance(v, ox.NamedNode | ox.Literal) else cell_text(v)
             for v in values]
    present = [v for v in values if v is not None]
    datatypes = {v.datatype.value for v in present if isinstance(v, ox.Literal)}
    if not present or not all(isinstance(v, ox.Literal) for v in present):
        return pd.array(texts, dtype="string")
    if datatypes <= _INTEGERS:
        return pd.array([None if t is None else int(t) for t in texts], dtype="Int64")
    if datatypes <= _NUMERIC:
        return pd.array([None if t is None else float(t) for t in texts], dtype="Float64")
    if datatypes <= _DATES:
        return pd.to_datetime(texts, format="ISO8601")
    if datatypes == {_BOOLEAN}:
        return pd.array([None if t is None else t in ("true", "1") for t in texts], dtype="boolean")
    return pd.array(texts, dtype="string")
