"""The Wikidata links: check that they still hold, and fetch a few facts about the linked items.

``check_links`` asks Wikidata, in one batched query, whether each linked item still exists, is
not a redirect, and still carries the English label recorded in ``data/links.ttl``.
``enrich`` fetches inception, parent organization, official website and coordinates into a
separate named graph that says where its facts come from: they are Wikidata's, not ours.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hled_graph import http_client
from hled_graph.errors import InputError
from hled_graph.namespaces import CC0, GRAPH_WIKIDATA, ID, PREFIXES, WIKIDATA, WIKIDATA_SPARQL

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Dataset, Graph

WD = PREFIXES["wd"]
WDT = PREFIXES["wdt"]

# Facts `enrich` fetches: Wikidata property id -> what it means.
ENRICH_PROPERTIES: dict[str, str] = {
    "P571": "inception",
    "P749": "parent organization",
    "P856": "official website",
    "P625": "coordinate location",
}

OK = "ok"
MISSING = "missing"
REDIRECT = "redirect"
LABEL_DIFFERS = "label differs"
NO_RECORDED_LABEL = "no recorded label"


@dataclass(frozen=True)
class Link:
    """One link from an entity of ours to a Wikidata item, with the label recorded beside it."""

    entity: str
    predicate: str
    qid: str
    recorded_label: str | None


@dataclass(frozen=True)
class LinkCheck:
    """What Wikidata says about one link today."""

    link: Link
    found_label: str | None
    redirect_to: str | None
    status: str

    @property
    def ok(self) -> bool:
        return self.status == OK


def links_in(graph: Graph) -> list[Link]:
    """Every link from an IRI of ours to a Wikidata item, sorted by entity and QID."""
    from rdflib import RDFS, URIRef

    found = set()
    for s, p, o in graph:
        if (
            isinstance(s, URIRef)
            and isinstance(o, URIRef)
            and str(s).startswith(ID)
            and str(o).startswith(WD + "Q")
        ):
            labels = sorted(
                str(lbl)
                for lbl in graph.objects(o, RDFS.label)
                if getattr(lbl, "language", None) == "en"
            )
            found.add(Link(str(s), str(p), str(o)[len(WD) :], labels[0] if labels else None))
    return sorted(found, key=lambda link: (link.entity, _qid_number(link.qid), link.predicate))


def _qid_number(qid: str) -> int:
    return int(qid[1:]) if qid[1:].isdigit() else -1


def _values(qids: list[str]) -> str:
    return " ".join(f"wd:{qid}" for qid in qids)


# Wikidata's RDF uses http://schema.org/ (our data uses https://schema.org/ everywhere).
_WIKIDATA_PROLOGUE = "".join(
    f"PREFIX {prefix}: <{iri}>\n"
    for prefix, iri in (
        ("wd", WD),
        ("wdt", WDT),
        ("rdfs", PREFIXES["rdfs"]),
        ("owl", PREFIXES["owl"]),
        ("schema", "http://schema.org/"),
    )
)


def check_links(links: Graph, *, endpoint: str | None = None) -> list[LinkCheck]:
    """Check every Wikidata link of ``links`` in one query to ``endpoint`` (default: Wikidata's)."""
    found_links = links_in(links)
    qids = sorted({link.qid for link in found_links}, key=_qid_number)
    if not qids:
        return []
    query = _WIKIDATA_PROLOGUE + f"""
SELECT ?item ?label ?name ?redirect ?exists WHERE {{
  VALUES ?item {{ {_values(qids)} }}
  OPTIONAL {{ ?item rdfs:label ?label FILTER(LANG(?label) = "en") }}
  OPTIONAL {{ ?item schema:name ?name FILTER(LANG(?name) = "en") }}
  OPTIONAL {{ ?item owl:sameAs ?redirect }}
  BIND(EXISTS {{ ?item ?anyProperty ?anyValue }} AS ?exists)
}}"""
    facts: dict[str, dict[str, str | bool | None]] = {}
    url = endpoint or WIKIDATA_SPARQL
    for row in http_client.sparql_select(url, query):
        qid = _iri(row, "item", url)[len(WD) :]
        fact = facts.setdefault(qid, {"label": None, "redirect": None, "exists": False})
        label = row["label"] or row["name"]
        if label is not None and fact["label"] is None:
            fact["label"] = label.value
        if row["redirect"] is not None:
            fact["redirect"] = row["redirect"].value.removeprefix(WD)
        fact["exists"] = fact["exists"] or (row["exists"] is not None and row["exists"].value in {"true", "1"})
    return [_judge(link, facts.get(link.qid, {})) for link in found_links]


def _iri(row: ox.QuerySolution, variable: str, endpoint: str) -> str:
    """The IRI bound to ``variable`` in a row of Wikidata's answer, or a one-line InputError."""
    import pyoxigraph as ox

    term = row[variable]
    if not isinstance(term, ox.NamedNode):
        found = "nothing" if term is None else str(term)
        raise InputError(
            f"{endpoint} answered {found} for ?{variable}, not an IRI; is it a Wikidata SPARQL endpoint?"
        )
    return term.value


def _judge(link: Link, fact: dict) -> LinkCheck:
    found_label, redirect_to = fact.get("label"), fact.get("redirect")
    if redirect_to:
        status = REDIRECT
    elif not fact.get("exists"):
        status = MISSING
    elif link.recorded_label is None:
        status = NO_RECORDED_LABEL
    elif _normal(found_label) != _normal(link.recorded_label):
        status = LABEL_DIFFERS
    else:
        status = OK
    return LinkCheck(link=link, found_label=found_label, redirect_to=redirect_to, status=status)


def _normal(label: str | None) -> str | None:
    # Only Unicode normalisation: a label that differs in case or wording is worth a look.
    return unicodedata.normalize("NFC", label) if label is not None else None


def format_checks(checks: list[LinkCheck]) -> str:
    """A plain-text table: entity, QID, recorded label, found label, status."""
    from hled_graph.iris import compact
    from hled_graph.visible import reveal

    header = ("entity", "QID", "recorded label", "found label", "status")
    rows: list[tuple[str, ...]] = [header]
    for check in checks:
        status = f"{check.status} → {check.redirect_to}" if check.redirect_to else check.status
        # a terminal honours a right-to-left override in a label as a browser does
        rows.append(tuple(reveal(cell) for cell in (
            compact(check.link.entity),
            check.link.qid,
            check.link.recorded_label or "",
            check.found_label or "",
            status,
        )))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    problems = sum(not check.ok for check in checks)
    lines.append("")
    lines.append(f"{len(checks)} link(s) checked, {problems} problem(s)")
    return "\n".join(lines)


# --- enrichment -------------------------------------------------------------------------------


def enrich(
    links: Graph, *, endpoint: str | None = None, generated_at: datetime | None = None
) -> Dataset:
    """A dataset whose named graph ``GRAPH_WIKIDATA`` holds Wikidata's facts about our items.

    The graph describes itself: source Wikidata, license CC0, and when it was fetched
    (``generated_at``, default now, in UTC to the second). ``endpoint`` defaults to Wikidata's.
    """
    from rdflib import RDFS, Dataset, Literal, URIRef
    from rdflib.namespace import DCTERMS, PROV, XSD

    from hled_graph.graph import bind_prefixes
    from hled_graph.terms import to_rdflib

    qids = sorted({link.qid for link in links_in(links)}, key=_qid_number)
    generated_at = (
        (generated_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    )
    dataset = Dataset()
    bind_prefixes(dataset)
    name = URIRef(GRAPH_WIKIDATA)
    facts = dataset.graph(name)
    facts.add((name, DCTERMS.source, URIRef(WIKIDATA)))
    facts.add((name, DCTERMS.license, URIRef(CC0)))
    facts.add(
        (
            name,
            PROV.generatedAtTime,
            Literal(generated_at.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime),
        )
    )
    facts.add(
        (
            name,
            RDFS.comment,
            Literal(
                "Facts about the linked items as Wikidata states them (CC0), fetched by `hled-graph links enrich`; "
                "not curated by hled-graph.",
                lang="en",
            ),
        )
    )
    facts.add(
        (
            name,
            DCTERMS.title,
            Literal("Wikidata facts about the items hled-graph links to", lang="en"),
        )
    )
    if not qids:
        return dataset
    branches = " UNION ".join(
        f"{{ ?item wdt:{pid} ?value . BIND(wdt:{pid} AS ?property) }}" for pid in ENRICH_PROPERTIES
    )
    query = _WIKIDATA_PROLOGUE + f"""
SELECT ?item ?property ?value ?valueLabel WHERE {{
  VALUES ?item {{ {_values(qids)} }}
  {branches}
  OPTIONAL {{ ?value rdfs:label ?valueLabel FILTER(LANG(?valueLabel) = "en") }}
}}"""
    url = endpoint or WIKIDATA_SPARQL
    for row in http_client.sparql_select(url, query):
        item, prop = URIRef(_iri(row, "item", url)), URIRef(_iri(row, "property", url))
        if row["value"] is None:
            raise InputError(f"{url} answered a row without ?value; is it a Wikidata SPARQL endpoint?")
        value = to_rdflib(row["value"])
        facts.add((item, prop, value))
        if row["valueLabel"] is not None and str(prop) == WDT + "P749":
            facts.add((value, RDFS.label, to_rdflib(row["valueLabel"])))
    return dataset


def serialize_enrichment(dataset: Dataset, *, fmt: str = "trig") -> bytes:
    """The enrichment as TriG (with its graph name) or Turtle (the graph alone), deterministically."""
    from rdflib import URIRef

    from hled_graph.publish.export import serialize

    if fmt == "trig":
        return serialize(dataset, "trig")
    return serialize(dataset.graph(URIRef(GRAPH_WIKIDATA)), "turtle")
