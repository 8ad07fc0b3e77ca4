"""The SPARQL 1.1 Service Description answered at GET /sparql without a query."""

from __future__ import annotations

import re

import pyoxigraph as ox

from hled_graph.sparql.server import writers
from hled_graph.sparql.server.pages import PACKAGE
from hled_graph.templating import render

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DC_TITLE = "http://purl.org/dc/terms/title"
RESULT_FORMATS = (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
)
_SAFE_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def graph_counts(store: ox.Store) -> tuple[int, list[tuple[str, int]]]:
    """The number of distinct triples of the union default graph, and of each named graph."""
    total = _solutions(store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        use_default_graph_as_union=True,
    ))[0][0]
    named = [
        (row[0].value, int(row[1].value))
        for row in _solutions(
            store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        )
    ]
    return int(total.value), named


def _solutions(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> list[ox.QuerySolution]:
    """The rows of a SELECT (pyoxigraph types every answer as the union of the three kinds)."""
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def endpoint_url(host_header: str | None, *, fallback: str) -> str:
    """The endpoint's own URL from the Host header when it is a plain host name, else ``fallback``."""
    if host_header and _SAFE_HOST.fullmatch(host_header.strip()):
        return f"http://{host_header.strip()}/sparql"
    return fallback


def description_triples(endpoint: str, *, counts: tuple[int, list[tuple[str, int]]],
                        allow_federation: bool) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    default_graph = ox.NamedNode(endpoint + "#default-graph")
    a = ox.NamedNode(RDF_TYPE)

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(SD + term)

    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, ox.NamedNode(DC_TITLE), ox.Literal("hled-graph SPARQL endpoint (read-only)", language="en")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, a, sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(VOID_TRIPLES), ox.Literal(str(counts[0]), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    if allow_federation:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)) for name in RESULT_FORMATS]
    for index, (name, count) in enumerate(counts[1], start=1):
        named = ox.NamedNode(f"{endpoint}#named-graph-{index}")
        graph = ox.NamedNode(f"{endpoint}#graph-{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, a, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, a, sd("Graph")),
            ox.Triple(graph, ox.NamedNode(VOID_TRIPLES), ox.Literal(str(count), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))),
        ]
    return sorted(triples, key=str)


def description_html(endpoint: str, *, counts: tuple[int, list[tuple[str, int]]], allow_federation: bool) -> str:
    return render(PACKAGE, "service_description.html", title="Service description",
                  alternates=(("text/turtle", "/sparql?format=turtle"),), endpoint=endpoint,
                  allow_federation=allow_federation, total=counts[0], named=counts[1],
                  formats=[name.replace("_", " ") for name in RESULT_FORMATS])


def description_bytes(key: str, endpoint: str, *, counts: tuple[int, list[tuple[str, int]]],
                      allow_federation: bool) -> bytes:
    triples = description_triples(endpoint, counts=counts, allow_federation=allow_federation)
    return writers.write_triples(key, triples, extra_prefixes={"sd": SD, "formats": FORMATS})
