"""hled-graph: the 2022 U.S.-Mexico High-Level Economic Dialogue fact sheet as a knowledge graph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hled_graph.version import __version__

if TYPE_CHECKING:  # rdflib stays unimported until a function runs: `import hled_graph` is instant
    from rdflib import Graph
    from rdflib.term import Node

    from hled_graph.sparql.rdflib_engine import Result

__all__ = ["__version__", "load_graph", "named_query", "query"]


def query(sparql: str, graph: Graph | None = None, *, bindings: Mapping[str, str | Node] | None = None) -> Result:
    """Run SPARQL on the shipped graph (or an rdflib ``graph``); returns a table-like Result.

    ``bindings`` fix variables, e.g. ``{"org": "hdo:epa"}``. In Jupyter the result shows as a
    table. See :mod:`hled_graph.sparql.rdflib_engine`.
    """
    from hled_graph.sparql.rdflib_engine import query as run

    return run(sparql, graph, bindings=bindings)


def named_query(name: str, graph: Graph | None = None, **bindings: str | Node) -> Result:
    """Run a library query by name (``hled-graph queries`` lists them), parameters as keywords."""
    from hled_graph.sparql.rdflib_engine import run_named

    return run_named(name, graph, **bindings)


def load_graph() -> Graph:
    """The shipped graph (ontology, data, Wikidata links and what RDFS infers from them) as one ``rdflib.Graph``."""
    from hled_graph.graph import load_graph as load

    return load()
