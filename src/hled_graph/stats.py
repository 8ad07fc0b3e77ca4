"""Counts that describe the graph: triples, entities per class, and the fact sheet's totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from rdflib import Graph, Literal

from hled_graph.graph import select_rows
from hled_graph.iris import compact
from hled_graph.namespaces import SPARQL_PROLOGUE

_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?entity) AS ?n) WHERE {
  ?entity a ?class .
  FILTER(isIRI(?entity) && STRSTARTS(STR(?entity), STR(hd:)))
} GROUP BY ?class ORDER BY DESC(?n) STR(?class)
"""

_TOTALS = {
    "actions": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a prov:Activity . ?a hled:partOfDialogue ?d }",
    "organizations": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { VALUES ?k { org:FormalOrganization org:OrganizationalUnit } ?o a ?k }",
    "working groups": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a hled:WorkingGroup }",
    "stakeholder groups": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a hled:StakeholderGroup }",
    "people": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Person }",
    "places": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a prov:Location }",
    "monetary amounts": "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?a hled:amount ?m }",
    "USD committed or awarded": 'SELECT (SUM(?v) AS ?n) WHERE { ?a hled:amount ?m . ?m schema:currency "USD" ; schema:value ?v }',
    "quantities and targets": "SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE { { ?a hled:quantity ?q } UNION { ?a hled:target ?q } }",
    "source quotes": "SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE { ?q a oa:Annotation }",
    "Wikidata links": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?e ?p ?w . "
        "VALUES ?p { owl:sameAs skos:exactMatch skos:closeMatch skos:broadMatch } FILTER STRSTARTS(STR(?w), STR(wd:)) }"
    ),
}


@dataclass
class Stats:
    triples: int
    totals: dict[str, str] = field(default_factory=dict)
    classes: list[tuple[str, int]] = field(default_factory=list)

    def to_text(self) -> str:
        width = max(len(k) for k in [*self.totals, "triples"])
        lines = [f"{'triples':<{width}}  {self.triples}"]
        lines += [f"{name:<{width}}  {value}" for name, value in self.totals.items()]
        lines.append("")
        lines.append("entities per class:")
        lines += [f"  {n:>5}  {cls}" for cls, n in self.classes]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The totals as a Markdown table (the README's "The data" table)."""
        lines = ["| what | count |", "|---|---:|", f"| triples | {self.triples} |"]
        lines += [f"| {name} | {value} |" for name, value in self.totals.items()]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"triples": self.triples, "totals": self.totals, "classes": dict(self.classes)}


def compute_stats(graph: Graph) -> Stats:
    """Counts over a merged graph (ontology included, so class hierarchies resolve)."""
    totals = {}
    for name, query in _TOTALS.items():
        (value,) = select_rows(graph, SPARQL_PROLOGUE + query)[0]
        totals[name] = _plain_number(cast("Literal | None", value))
    classes = [(compact(str(row[0])), int(row[1])) for row in select_rows(graph, SPARQL_PROLOGUE + _CLASS_COUNTS)]
    return Stats(triples=len(graph), totals=totals, classes=classes)


def _plain_number(value: Literal | None) -> str:
    if value is None:
        return "0"
    number = value.toPython()
    if hasattr(number, "to_integral_value") and number == number.to_integral_value():
        return str(int(number))
    return str(number)
