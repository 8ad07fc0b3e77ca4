"""The commitments tracker: one HTML page of everything the dialogue's documents promised (commitments,
plans, planned events, programs, proposed bodies, and the goals and programs that carry a target),
with the status each round reported, the agencies, amounts and source quotes, filters by pillar,
status and country, and a timeline across the rounds.

The rows come from a pyoxigraph store (the endpoint's own, or the build's graph loaded into one), so
the same function renders the build's ``tracker/commitments.html`` and the endpoint's ``/commitments``.
Offline, the page inlines its script and style under a CSP that allows exactly them (by hash); served,
it loads them from ``/commitments.js`` and ``/commitments.css`` under the endpoint's own CSP. The page
shows every row without its script; the script only hides the rows a filter leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from hled_graph.iris import compact
from hled_graph.labels import label_in_store
from hled_graph.namespaces import PREFIXES
from hled_graph.templating import csp_hash, render

if TYPE_CHECKING:
    from rdflib import Graph

TRACKER_DIR = "tracker"
TRACKER_FILE = "commitments.html"
SCRIPT_FILE = "commitments.js"
STYLE_FILE = "commitments.css"
PACKAGE = "hled_graph.publish"
# The page's subjects that have no pillar: the introduction's acts belong to the whole dialogue.
NO_PILLAR = "none"

# What an act is about and that outlasts it: what it concerns, or a goal or program with a target
# that it made or joined (the zero-emission vehicle goal is joined, not concerned).
_REPORTS = """
SELECT DISTINCT ?item ?act ?status ?document ?issued ?round WHERE {
  { ?act hled:concerns ?item }
  UNION
  { ?item hled:target ?target . ?act prov:generated|hled:joined ?item .
    FILTER NOT EXISTS { ?other hled:concerns ?item } }
  ?act hled:status ?status ; dcterms:source ?document .
  ?document dcterms:issued ?issued .
  OPTIONAL { ?document hled:publishedAt ?round }
}
"""
# The first kind that fits, as commitments-by-status names them (a commitment is also a prov:Plan).
_KINDS = """
SELECT ?item ?kind WHERE {
  VALUES ?item { %s }
  BIND (
    IF(EXISTS { ?item a hled:Commitment }, "commitment",
    IF(EXISTS { ?item a hled:ProposedBody }, "proposed body",
    IF(EXISTS { ?item a hled:Target }, "target",
    IF(EXISTS { ?item a schema:Event }, "planned event",
    IF(EXISTS { ?item a hled:Program }, "program",
    IF(EXISTS { ?item a hled:Goal }, "goal",
    IF(EXISTS { ?item a prov:Plan }, "plan", "other")))))))
    AS ?kind)
}
"""
_DUE = """
SELECT ?item ?due ?what WHERE {
  VALUES ?item { %s }
  { ?item hled:deadline ?due . BIND ("deadline" AS ?what) }
  UNION { ?item schema:startDate ?due . BIND ("starts" AS ?what) }
  UNION { ?item a schema:Event ; time:hasTime/(time:inXSDDate|time:inXSDgYearMonth) ?due .
          FILTER NOT EXISTS { ?item schema:startDate ?start } BIND ("starts" AS ?what) }
}
"""
_TARGETS = """
SELECT ?item ?target ?value ?atLeast ?unit ?year WHERE {
  VALUES ?item { %s }
  ?item hled:target ?target .
  { ?target schema:value ?value . BIND (false AS ?atLeast) }
  UNION { ?target schema:minValue ?value . BIND (true AS ?atLeast) }
  OPTIONAL { ?target schema:unitText ?unit }
  OPTIONAL { ?target hled:targetYear ?year }
}
"""
_PILLARS = "SELECT ?act ?pillar WHERE { VALUES ?act { %s } ?act hled:pillar ?pillar }"
_AGENTS = """
SELECT ?act ?agent ?country WHERE {
  VALUES ?act { %s }
  ?act prov:wasAssociatedWith ?agent .
  OPTIONAL { ?agent hled:country ?country }
}
"""
_AMOUNTS = """
SELECT DISTINCT ?act ?amount ?value ?currency WHERE {
  VALUES ?act { %s }
  ?act hled:amount ?amount . ?amount schema:value ?value .
  OPTIONAL { ?amount schema:currency ?currency }
}
"""
# The quote of each act from each document: the annotation's target is the copy derived from it.
_QUOTES = """
SELECT ?act ?document ?exact WHERE {
  VALUES ?act { %s }
  ?quote oa:hasBody ?act ; oa:hasTarget ?target .
  ?target oa:hasSource ?copy ; oa:hasSelector ?selector .
  ?selector a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?copy prov:wasDerivedFrom ?original }
  BIND (COALESCE(?original, ?copy) AS ?document)
}
"""
_ROUNDS = "SELECT ?round ?date WHERE { ?round a hled:Round . OPTIONAL { ?round schema:startDate ?date } }"


@dataclass(frozen=True)
class Named:
    """A resource as the page shows it: its label (or short IRI), its IRI and where its link goes."""

    iri: str
    label: str
    href: str
    key: str  # its short form, the value a filter compares


@dataclass(frozen=True)
class Report:
    """What one act of one document reports about an item."""

    act: Named
    status: Named
    document: Named
    issued: str
    round: Named | None
    quote: str | None


@dataclass
class Tracked:
    """One row: a thing promised, with every report about it in date order."""

    item: Named
    kind: str
    reports: list[Report] = field(default_factory=list)
    pillars: list[Named] = field(default_factory=list)
    agencies: list[Named] = field(default_factory=list)
    countries: list[Named] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)

    @property
    def latest(self) -> list[Report]:
        """The reports of the latest document that reports on the item: its current status."""
        last = max(report.issued for report in self.reports)
        return [report for report in self.reports if report.issued == last]

    @property
    def statuses(self) -> list[Named]:
        return _unique(report.status for report in self.latest)


@dataclass(frozen=True)
class RoundColumn:
    """A round of the timeline and what its documents reported."""

    round: Named
    date: str
    entries: list[tuple[Tracked, Report]]


def tracked_items(store: ox.Store, *, link: Callable[[str], str] | None = None) -> list[Tracked]:
    """Every thing promised in ``store``, with its reports, agencies, amounts, targets and dates, by label."""
    names = _Names(store, link or (lambda iri: iri))
    reports = _select(store, _REPORTS)
    acts = sorted({row["act"] for row in reports})
    quotes: dict[tuple[str, str], str] = {}
    for row in _select_values(store, _QUOTES, acts):
        quotes.setdefault((row["act"], row["document"]), row["exact"])
    rows: dict[str, Tracked] = {}
    kinds = {row["item"]: row["kind"] for row in _select_values(store, _KINDS, sorted({r["item"] for r in reports}))}
    for row in sorted(reports, key=lambda r: (r["issued"], r["act"], r["document"])):
        tracked = rows.setdefault(row["item"], Tracked(names(row["item"]), kinds.get(row["item"], "other")))
        tracked.reports.append(Report(
            act=names(row["act"]), status=names(row["status"]), document=names(row["document"]),
            issued=row["issued"], round=names(row["round"]) if row.get("round") else None,
            quote=quotes.get((row["act"], row["document"])),
        ))
    # An act that two documents report is one act: its agencies and money count once per row.
    by_act: dict[str, dict[str, Tracked]] = {}
    for tracked in rows.values():
        for report in tracked.reports:
            by_act.setdefault(report.act.iri, {})[tracked.item.iri] = tracked
    for row in _select_values(store, _PILLARS, acts):
        for tracked in by_act[row["act"]].values():
            tracked.pillars.append(names(row["pillar"]))
    for row in _select_values(store, _AGENTS, acts):
        for tracked in by_act[row["act"]].values():
            tracked.agencies.append(names(row["agent"]))
            if row.get("country"):
                tracked.countries.append(names(row["country"]))
    for row in sorted(_select_values(store, _AMOUNTS, acts), key=lambda r: (r["act"], float(r["value"]))):
        for tracked in by_act[row["act"]].values():
            tracked.amounts.append(_money(row["value"], row.get("currency")))
    items = sorted(rows)
    for row in _select_values(store, _TARGETS, items):
        figure = ("at least " if row["atLeast"] == "true" else "") + _number(row["value"])
        unit = f" {row['unit']}" if row.get("unit") else ""
        year = f" by {row['year']}" if row.get("year") else ""
        rows[row["item"]].targets.append(figure + unit + year)
    for row in _select_values(store, _DUE, items):
        rows[row["item"]].due.append(f"{row['what']} {row['due']}")
    for tracked in rows.values():
        tracked.pillars = sorted(_unique(tracked.pillars), key=lambda named: named.key)
        tracked.agencies = sorted(_unique(tracked.agencies), key=lambda named: (named.label, named.iri))
        tracked.countries = sorted(_unique(tracked.countries), key=lambda named: (named.label, named.iri))
        tracked.targets, tracked.due = sorted(set(tracked.targets)), sorted(set(tracked.due))
    return sorted(rows.values(), key=lambda tracked: (tracked.item.label.casefold(), tracked.item.iri))


def tracker_html(store: ox.Store, *, link: Callable[[str], str] | None = None, served: bool = False) -> str:
    """The tracker page of ``store``. ``link`` maps an IRI to its page (default: the IRI itself).

    ``served``: the page loads its script and style from ``/commitments.js`` and ``/commitments.css``
    (the endpoint's CSP allows only its own files); otherwise it carries them inline, allowed by hash.
    """
    rows = tracked_items(store, link=link)
    names = _Names(store, link or (lambda iri: iri))
    script, style = tracker_script(), tracker_style()
    policy = None if served else (
        f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return render(
        PACKAGE, "tracker.html", rows=rows, timeline=_timeline(store, rows, names), served=served,
        policy=policy, script=script, style=style, script_file=SCRIPT_FILE, style_file=STYLE_FILE,
        pillars=_choices(named for row in rows for named in row.pillars),
        statuses=_choices(named for row in rows for named in row.statuses),
        countries=_choices(named for row in rows for named in row.countries),
        no_pillar=NO_PILLAR if any(not row.pillars for row in rows) else None,
    )


def served_tracker(store: ox.Store, *, link: Callable[[str], str]) -> dict[str, bytes]:
    """The endpoint's tracker: ``commitments`` (the page), ``commitments.js`` and ``commitments.css``."""
    return {
        "commitments": tracker_html(store, link=link, served=True).encode("utf-8"),
        SCRIPT_FILE: tracker_script().encode("utf-8"),
        STYLE_FILE: tracker_style().encode("utf-8"),
    }


def write_tracker(out_dir: Path, *, graph: Graph) -> Path:
    """Write ``tracker/commitments.html`` (self-contained, links to the IRIs) of ``graph`` into ``out_dir``."""
    from hled_graph.files import write_atomic
    from hled_graph.terms import oxigraph_store

    store = oxigraph_store(graph)
    return write_atomic(Path(out_dir) / TRACKER_DIR / TRACKER_FILE, tracker_html(store).encode("utf-8"))


def tracker_script() -> str:
    return (files(PACKAGE) / "static" / SCRIPT_FILE).read_text(encoding="utf-8")


def tracker_style() -> str:
    return (files(PACKAGE) / "static" / STYLE_FILE).read_text(encoding="utf-8")


# --- helpers ----------------------------------------------------------------------------------


class _Names:
    """Labels and links of IRIs, looked up once each."""

    def __init__(self, store: ox.Store, link: Callable[[str], str]) -> None:
        self.store, self.link = store, link
        self.cache: dict[str, Named] = {}

    def __call__(self, iri: str) -> Named:
        if iri not in self.cache:
            short = compact(iri)
            self.cache[iri] = Named(iri, label_in_store(self.store, iri) or short, self.link(iri), short)
        return self.cache[iri]


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [variable.value for variable in solutions.variables]
    return [
        {name: solution[name].value for name in variables if solution[name] is not None}
        for solution in solutions
    ]


def _select_values(store: ox.Store, query: str, iris: Iterable[str]) -> list[dict[str, str]]:
    listed = " ".join(f"<{iri}>" for iri in iris)
    return _select(store, query % listed) if listed else []


def _timeline(store: ox.Store, rows: list[Tracked], names: _Names) -> list[RoundColumn]:
    """Every round, in date order, with the reports its documents made (a round with none shows empty)."""
    dates = {row["round"]: row.get("date", "") for row in _select(store, _ROUNDS)}
    for tracked in rows:
        for report in tracked.reports:
            if report.round is not None:
                dates.setdefault(report.round.iri, "")
    columns = []
    for iri in sorted(dates, key=lambda iri: (dates[iri], iri)):
        entries = [(tracked, report) for tracked in rows for report in tracked.reports
                   if report.round is not None and report.round.iri == iri]
        columns.append(RoundColumn(names(iri), dates[iri], entries))
    return columns


def _choices(named: Iterable[Named]) -> list[Named]:
    return sorted(_unique(named), key=lambda each: (each.key, each.iri))


def _unique(values: Iterable[Named]) -> list[Named]:
    return list(dict.fromkeys(values))


def _number(text: str) -> str:
    value = float(text)
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


def _money(value: str, currency: str | None) -> str:
    return f"{_number(value)} {currency or ''}".strip()
