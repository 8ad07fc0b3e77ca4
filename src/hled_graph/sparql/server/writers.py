"""The endpoint's answers in the negotiated format, written by the project's result writers.

The endpoint caps result rows, so it collects at most ``max_rows`` rows itself and hands them to
:mod:`hled_graph.sparql.results` (the same bytes as ``hled-graph query --format ...``). RDF/XML,
which the CLI does not offer, is written here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from hled_graph.namespaces import PREFIXES
from hled_graph.sparql import results
from hled_graph.sparql.engine import QueryOutcome, Term

# The endpoint's format keys (see negotiation.py) and the result writers' names for them.
_GRAPH_KEYS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "jsonld"}


def write_solutions(key: str, variables: Sequence[str], rows: Sequence[tuple[Term | None, ...]]) -> bytes:
    outcome = QueryOutcome(kind="select", variables=tuple(variables), rows=tuple(rows))
    return results.write_standard(outcome, key)


def write_boolean(key: str, value: bool) -> bytes:
    return results.write_standard(QueryOutcome(kind="ask", boolean=value), key)


def write_triples(key: str, triples: Sequence[ox.Triple], *, extra_prefixes: dict[str, str] | None = None) -> bytes:
    prefixes = {**PREFIXES, **(extra_prefixes or {})}
    if key == "rdfxml":
        ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        return ox.serialize(ordered, format=ox.RdfFormat.RDF_XML, prefixes=prefixes) or b""
    return results.write_graph(triples, _GRAPH_KEYS[key], prefixes=prefixes)
