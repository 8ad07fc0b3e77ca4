"""Talking to remote SPARQL 1.1 stores: queries, Graph Store Protocol pushes, Update fallback.

The HTTP exchanges themselves (User-Agent, timeouts, errors) are :mod:`hled_graph.http_client`'s.

Loading replaces the target graph, it never adds to it: the Graph Store HTTP Protocol ``PUT``
swaps the graph atomically; the SPARQL Update fallback sends ``DROP SILENT`` and the first
``INSERT DATA`` chunk in one request, then the remaining chunks.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hled_graph import http_client
from hled_graph.errors import InputError
from hled_graph.http_client import RemoteHTTPError
from hled_graph.terms import to_oxigraph

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

# SPARQL Update requests stay well under common request-size limits (Virtuoso, proxies).
DEFAULT_CHUNK_TRIPLES = 5000

LoadMethod = Literal["auto", "gsp", "update"]
# GSP answers meaning "this URL does not speak the Graph Store Protocol": fall back to Update.
_GSP_UNSUPPORTED = {404, 405, 406, 415, 501}


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a SPARQL 1.1 store. ``gsp`` is None when the store has none known."""

    query: str
    update: str
    gsp: str | None


def endpoints_for(endpoint: str, *, gsp: str | None = None, update: str | None = None) -> Endpoints:
    """The query, update and Graph Store URLs of a store, from its base or query URL.

    Oxigraph (`oxigraph serve`) has ``/query``, ``/update`` and ``/store``; a base URL
    (``http://localhost:7878``) or its ``/query`` URL both lead there, and so does Fuseki's
    ``/ds/query`` (its ``/ds/update``; its GSP is ``/ds/data``, passed with ``gsp``). Any other
    URL is taken as a store that answers queries and updates at one URL (Virtuoso's ``/sparql``,
    Fuseki's dataset URL) and has no Graph Store URL unless one is given.
    """
    parsed = urllib.parse.urlsplit(http_client.check_url(endpoint))
    path = parsed.path.rstrip("/")
    if path == "" or path.endswith("/query"):
        base = urllib.parse.urlunsplit(
            parsed._replace(path=path.removesuffix("/query"), query="", fragment="")
        )
        return Endpoints(
            query=base + "/query", update=update or base + "/update", gsp=gsp or base + "/store"
        )
    return Endpoints(query=endpoint, update=update or endpoint, gsp=gsp)


def check_graph_iri(iri: str) -> str:
    """A graph name must be an absolute IRI that can stand between ``<`` and ``>``."""
    scheme = urllib.parse.urlsplit(iri).scheme
    if not scheme or any(ch in iri for ch in '<>"{}|^`\\ \t\n'):
        raise InputError(
            f"{iri!r} is not an absolute IRI; name the graph like https://example.org/graph/hled"
        )
    return iri


def count_triples(query_endpoint: str, *, graph: str | None = None) -> int:
    """How many triples the remote store holds in ``graph`` (None: its default graph)."""
    if graph is not None:
        check_graph_iri(graph)
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    solutions = http_client.sparql_select(query_endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    count = next(iter(solutions), None)
    if count is None or count["n"] is None or not count["n"].value.isdecimal():  # "²" is a digit, not a number
        raise InputError(f"{query_endpoint} did not answer a triple count; is it a SPARQL endpoint?")
    return int(count["n"].value)


# --- loading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    triples: int
    graph: str | None
    method: Literal["gsp", "update"]
    requests: int

    def describe(self) -> str:
        target = f"<{self.graph}>" if self.graph else "the default graph"
        via = "Graph Store Protocol PUT" if self.method == "gsp" else "SPARQL Update"
        return f"{self.triples} triples replaced {target} ({via}, {self.requests} request(s))"


def read_input(files: Sequence[Path]) -> Graph:
    """The graph to push: the given RDF files merged, or the shipped graph when none are given.

    Every file is parsed before anything is sent, so a bad file sends nothing.
    """
    from hled_graph import graph as hgraph

    if files:
        return hgraph.parse_files([Path(f) for f in files])
    return hgraph.load_graph()


def push_graph(
    graph: Graph,
    endpoints: Endpoints,
    *,
    graph_iri: str | None = None,
    method: LoadMethod = "auto",
    chunk_triples: int = DEFAULT_CHUNK_TRIPLES,
) -> LoadResult:
    """Replace ``graph_iri`` (None: the default graph) in the remote store with ``graph``.

    ``auto`` uses the Graph Store Protocol when a GSP URL is known and the store accepts it, and
    falls back to SPARQL Update when the store says it does not speak GSP there.
    """
    if graph_iri is not None:
        check_graph_iri(graph_iri)
    if method in {"auto", "gsp"} and endpoints.gsp:
        try:
            return _put_graph(graph, endpoints.gsp, graph_iri=graph_iri)
        except RemoteHTTPError as exc:
            if method == "gsp" or exc.status not in _GSP_UNSUPPORTED:
                raise
    elif method == "gsp":
        raise InputError(
            "no Graph Store Protocol URL known for this store; pass --gsp URL or use --method update"
        )
    return _insert_data(graph, endpoints.update, graph_iri=graph_iri, chunk_triples=chunk_triples)


def _put_graph(graph: Graph, gsp_url: str, *, graph_iri: str | None) -> LoadResult:
    selector = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    separator = "&" if urllib.parse.urlsplit(gsp_url).query else "?"
    # N-Triples is a subset of Turtle; labelling it text/turtle is understood by every store,
    # including those that predate the application/n-triples media type.
    http_client.send(
        f"{gsp_url}{separator}{selector}",
        method="PUT",
        body=_ntriples(graph).encode("utf-8"),
        headers={"Content-Type": "text/turtle; charset=utf-8"},
    )
    return LoadResult(triples=len(graph), graph=graph_iri, method="gsp", requests=1)


def _insert_data(
    graph: Graph, update_url: str, *, graph_iri: str | None, chunk_triples: int
) -> LoadResult:
    drop = f"DROP SILENT GRAPH <{graph_iri}>" if graph_iri else "DROP SILENT DEFAULT"
    chunks = list(_chunks(graph, chunk_triples)) or [[]]
    for index, chunk in enumerate(chunks):
        lines = "\n".join(_ntriples_line(t) for t in chunk)
        body = f"GRAPH <{graph_iri}> {{\n{lines}\n}}" if graph_iri else lines
        request = f"INSERT DATA {{\n{body}\n}}"
        http_client.sparql_update(update_url, f"{drop} ;\n{request}" if index == 0 else request)
    return LoadResult(triples=len(graph), graph=graph_iri, method="update", requests=len(chunks))


def _chunks(graph: Graph, size: int) -> Iterable[list[tuple]]:
    """The triples in chunks of about ``size``, each blank-node-connected group in one chunk.

    A blank node label is scoped to one INSERT DATA request; splitting the triples of one blank
    node across requests would turn it into several different nodes.
    """
    from rdflib import BNode

    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    triples = sorted(graph, key=_triple_key)
    for s, _, o in triples:
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent[root(s)] = root(o)
    groups: dict = {}
    for triple in triples:
        s, _, o = triple
        bnode = s if isinstance(s, BNode) else o if isinstance(o, BNode) else None
        key = ("bnode", root(bnode)) if bnode is not None else ("triple", triple)
        groups.setdefault(key, []).append(triple)
    chunk: list[tuple] = []
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


def _nt_term(term: Node) -> str:
    return str(to_oxigraph(term))


def _ntriples_line(triple: tuple) -> str:
    return " ".join(_nt_term(term) for term in triple) + " ."


def _ntriples(graph: Graph) -> str:
    return "".join(_ntriples_line(t) + "\n" for t in sorted(graph, key=_triple_key))


def _triple_key(triple: tuple) -> tuple:
    return tuple(_nt_term(term) for term in triple)
