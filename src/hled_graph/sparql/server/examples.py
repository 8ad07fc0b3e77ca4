"""The example queries the query page offers: the query library, one click away."""

from __future__ import annotations

from hled_graph.sparql.guard import Refusal, check_query


def example_queries(*, allow_federation: bool = False) -> list[dict[str, str]]:
    """Name, title, question and text of each library query the endpoint can run, sorted by name.

    Queries that need federation (tagged online-only, or using SERVICE) are left out unless the
    endpoint allows it. Parameters keep their variables unbound, which asks for every value.
    """
    from hled_graph.sparql.library import load_library

    examples = []
    for query in load_library().values():
        if query.online_only and not allow_federation:
            continue
        try:
            check_query(query.text, allow_federation=allow_federation)
        except Refusal:
            continue
        examples.append({"name": query.name, "title": query.title, "question": query.question, "text": query.text})
    return examples


# What the editor holds before an example is chosen: short, and answered on any graph with labels.
STARTING_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label WHERE {
  ?thing rdfs:label ?label .
}
ORDER BY ?label
LIMIT 20"""
