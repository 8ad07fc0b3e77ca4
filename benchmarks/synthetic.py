"""Synthetic fact sheets in the hled ontology, of any size, for benchmarks and scale tests.

``python -m benchmarks.synthetic --triples 1e6 -o corpus.nt`` writes one (the benchmarks make and
cache their own).

The output follows docs/MODEL.md exactly as the real data does: a dialogue with four pillars
that meets in rounds, one fact sheet per round (the original that acts cite and the copy their
quotes count into), acts of every act class with a status, the round that reported them,
qualified associations and roles and the plain ``prov:wasAssociatedWith`` shortcut, the lasting
things they concern (commitments with targets and deadlines, planned events), amounts,
quantities, dates, places, works made and used, and one Web Annotation with both selectors per
act. Every named node carries the document that first names it. Organizations of both
countries are drawn with a Zipf-like skew, so a few agencies take part in many actions, as in
the real dialogue. The organizations and places of the shipped graph (``hdo:epa``,
``hdl:tijuana``, …) are read from it, busiest first, and are the most frequent ones, so the
library queries' default parameters find answers and the corpus follows the data as it changes.

Everything is deterministic for a seed: same arguments, same lines, in the same order.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import os
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from hled_graph.errors import HledError, InputError
from hled_graph.namespaces import DIALOGUE, PREFIXES
from hled_graph.sparql import engine

_P = PREFIXES
RDF = f"<{_P['rdf']}type>"
XSD = _P["xsd"]

COUNTRIES_OF_THE_DIALOGUE = ("united-states", "mexico")
PUBLISHER = "white-house"
ROUND_PLACE = "mexico-city"
# Where the synthetic originals would be published: a domain reserved for examples (RFC 2606).
DOCUMENT_PAGES = "https://fact-sheets.example.org/"


@dataclass(frozen=True)
class RegistryOrg:
    """An organization of the shipped data, as the generator describes it."""

    local: str
    english: str
    spanish: str
    acronym: str  # an N-Triples literal (with its language tag), or ""
    kind: str  # the hled: class
    schema_class: str
    country: str
    actions: int
    parent: str = ""  # the local name of the organization it sits under, or ""
    parent_link: str = ""  # how: "subOrganizationOf" or "unitOf"


_REGISTRY_QUERY = """
SELECT ?org (MIN(?en) AS ?english) (MIN(?es) AS ?spanish) (MIN(?alt) AS ?acronym) (MIN(?kind) AS ?hledClass)
       (MIN(?schemaClass) AS ?schemaType) (MIN(?country) AS ?where) (COUNT(DISTINCT ?action) AS ?actions)
       (MIN(?sub) AS ?subOf) (MIN(?unit) AS ?unitOf)
WHERE {
  ?org a org:FormalOrganization ; a ?kind ; a ?schemaClass ; hled:country ?country ; rdfs:label ?en .
  FILTER(STRSTARTS(STR(?kind), STR(hled:)) && STRSTARTS(STR(?schemaClass), STR(schema:)) && LANG(?en) = "en")
  OPTIONAL { ?org skos:prefLabel ?es FILTER(LANG(?es) = "es") }
  OPTIONAL { ?org skos:altLabel ?alt }
  OPTIONAL { ?action prov:wasAssociatedWith ?org }
  OPTIONAL { ?org org:subOrganizationOf ?sub }
  OPTIONAL { ?org org:unitOf ?unit }
}
GROUP BY ?org ORDER BY DESC(?actions) ?org
"""


@lru_cache(maxsize=1)
def registry_organizations() -> tuple[RegistryOrg, ...]:
    """The organizations of the shipped graph, busiest (most actions) first."""
    found = []
    for org, english, spanish, acronym, kind, schema_class, country, actions, sub, unit in _shipped_rows(
        _REGISTRY_QUERY
    ):
        found.append(
            RegistryOrg(
                local=value(org, _P["hdo"]),
                english=value(english),
                spanish=value(spanish),
                acronym=str(acronym) if acronym is not None else "",
                kind=value(kind, _P["hled"]),
                schema_class=value(schema_class, _P["schema"]),
                country=value(country, _P["hdl"]),
                actions=int(value(actions)),
                parent=value(sub or unit, _P["hdo"]),
                parent_link="subOrganizationOf" if sub else "unitOf" if unit else "",
            )
        )
    return tuple(found)


_PLACES_QUERY = """
SELECT ?place (MIN(?en) AS ?english) (MIN(?class) AS ?kind) (MIN(?parent) AS ?in) (COUNT(DISTINCT ?action) AS ?uses)
WHERE {
  ?place a prov:Location ; a ?class ; rdfs:label ?en ; schema:containedInPlace ?parent .
  FILTER(STRSTARTS(STR(?class), STR(schema:)) && ?class != schema:Country && LANG(?en) = "en")
  OPTIONAL { ?action prov:atLocation ?place }
}
GROUP BY ?place ORDER BY DESC(?uses) ?place
"""


@lru_cache(maxsize=1)
def registry_places() -> tuple[tuple[str, str, str, str], ...]:
    """The places of the shipped graph below the countries, most used first: (local name, English name,
    schema class, the local name of the place it lies in)."""
    return tuple(
        (value(place, _P["hdl"]), value(english), value(kind, _P["schema"]), value(parent, _P["hdl"]))
        for place, english, kind, parent, _ in _shipped_rows(_PLACES_QUERY)
    )


def _shipped_rows(query: str) -> tuple[tuple[engine.Term | None, ...], ...]:
    return engine.run_query(_shipped_store(), query).rows


@lru_cache(maxsize=1)
def _shipped_store() -> ox.Store:
    return engine.load_store()


def value(term: engine.Term | None, namespace: str = "") -> str:
    """An IRI's or literal's text without ``namespace``; "" for an unbound OPTIONAL."""
    return term.value.removeprefix(namespace) if isinstance(term, (ox.NamedNode, ox.Literal)) else ""


# The schema.org class the data states beside each hled: kind, as the real data does.
_SCHEMA_CLASS = {
    "NationalGovernment": "GovernmentOrganization", "GovernmentAgency": "GovernmentOrganization",
    "Ministry": "GovernmentOrganization", "StateGovernment": "GovernmentOrganization",
    "University": "CollegeOrUniversity", "Company": "Corporation", "NGO": "NGO",
}
_STAKEHOLDER_GROUPS = (
    ("civil-society", "Civil society organizations", ""), ("private-sector", "Private sector", ""),
    ("academia", "Academia", ""), ("industry-representatives", "Industry representatives", ""),
    ("state-and-municipal-governments", "State and municipal governments", "mexico"),
    ("technical-institutions", "Technical institutions", "mexico"),
)
_PEOPLE = (
    ("joseph-biden", "Joseph R. Biden Jr.", "President of the United States", "us-government"),
    ("andres-manuel-lopez-obrador", "Andrés Manuel López Obrador", "President of Mexico", "mexico-government"),
)
_SYNTHETIC_KINDS = (
    ("GovernmentAgency", "Agency"), ("Ministry", "Ministry"), ("StateGovernment", "State Government"),
    ("University", "University"), ("Company", "Company"), ("NGO", "Foundation"),
)
# Agencies and ministries sit under their national government, as the shipped ones do.
_GOVERNMENTS = {"united-states": "us-government", "mexico": "mexico-government"}
_UNDER_GOVERNMENT = {"GovernmentAgency", "Ministry"}
_COUNTRIES = (("united-states", "United States", "US"), ("mexico", "Mexico", "MX"), ("canada", "Canada", "CA"))
_PILLARS = (
    ("I", "Building Back Together"), ("II", "Promoting Sustainable Economic and Social Development"),
    ("III", "Securing the Tools for Future Prosperity"), ("IV", "Investing in Our People"),
)
# Works that exist before any action uses them: (local name, English name, class).
_REGISTRY_WORKS = (
    ("usmca", "United States-Mexico-Canada Agreement", "Agreement"),
    ("bipartisan-infrastructure-law", "Bipartisan Infrastructure Law", "Law"),
    ("global-methane-pledge", "Global Methane Pledge", "Pledge"),
    ("zero-emission-vehicle-goal", "Zero-Emission Vehicle Goal", "Goal"),
    ("global-cbpr-declaration", "Global Cross-Border Privacy Rules Declaration", "Declaration"),
    ("sembrando-oportunidades", "Sembrando Oportunidades", "Program"),
)
# Action classes and how often each occurs; roughly the mix of the real fact sheet.
_ACTION_MIX = (
    ("Cooperation", 18), ("CommitmentAct", 14), ("FundingCommitmentAct", 14), ("Launch", 11),
    ("AgreementSigning", 6), ("Establishment", 5), ("Award", 5), ("Campaign", 4), ("Accession", 4),
    ("Outreach", 3), ("Approval", 2), ("Forum", 4), ("Meeting", 4), ("Roundtable", 3), ("TechnicalExchange", 3),
)
_EVENT_NOUNS = {
    "Forum": "forum", "Meeting": "meeting", "Roundtable": "roundtable", "TechnicalExchange": "technical exchange",
}
_EVENTS = set(_EVENT_NOUNS)
# What an act that makes a promise reports is not yet done, so it carries no count of what was done.
_PROMISES = {"CommitmentAct", "FundingCommitmentAct", "Announcement"}
_TOPICS = (
    "water quality", "supply chains", "semiconductors", "clean energy", "methane emissions",
    "workforce training", "small business", "digital trade", "cybersecurity", "border infrastructure",
    "women entrepreneurs", "vehicle electrification", "biodiversity", "medical devices", "labor rights",
    "higher education", "telecommunications", "agriculture", "regulatory convergence", "data privacy",
)
# The industry sectors every third act is filed under (hled:sector), as the fact sheet files programs.
_SECTORS = ("agriculture", "automotive", "semiconductors", "tourism", "medical devices", "oil and gas")
ACTIONS_PER_DOCUMENT = 60


def parse_count(text: str) -> int:
    """A triple count as written on a command line: ``10000``, ``1e6``, ``100_000``."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise InputError(f"--triples {text}: not a number; give a count such as 10000 or 1e6") from None
    if value < 1000 or value != int(value):
        raise InputError(f"--triples {text}: give a whole number of at least 1000")
    return int(value)


def iri(prefix: str, local: str = "") -> str:
    return f"<{_P[prefix]}{local}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def text(value: str, lang: str = "en") -> str:
    return f'"{_escape(value)}"@{lang}'


def plain(value: str) -> str:
    return f'"{_escape(value)}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class _Zipf:
    """Draws indexes 0..n-1 with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, n: int, *, s: float = 1.1) -> None:
        self.cumulative = list(itertools.accumulate(1.0 / (rank + 1) ** s for rank in range(n)))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])


@dataclass(frozen=True)
class _Document:
    """One round's fact sheet: the original the acts cite, the copy their quotes count into, the round."""

    original: str
    copy: str
    round: str
    issued: date


def document_name(number: int) -> str:
    return f"synthetic-fact-sheet-{number:05d}"


@dataclass(frozen=True)
class _Org:
    node: str
    name: str
    country: str
    lines: tuple[str, ...]
    kind: str = "organization"  # or "person", "group": who may be a working group's member
    parent: str = ""  # the node of the organization it sits under, described along with it


class _Builder:
    """Holds the pools and counters of one generation run; ``emit`` collects one block of lines."""

    def __init__(self, *, triples: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.block: list[str] = []
        # The original that names what is emitted now: every named node carries it in dcterms:source.
        self.source = iri("hd", document_name(1))
        # Commitments of earlier documents, which later ones report progress on, and those of the current one.
        self.earlier_commitments: list[str] = []
        self.commitments: list[str] = []
        self.blank = itertools.count(1)
        self.seen: set[str] = set()
        actions = max(1, triples // 52)
        self.registry = {org.node: org for org in map(self._registry_org, registry_organizations())}
        self.orgs = self._organizations(count=max(60, int(actions ** 0.75)))
        self.org_pick = {c: _Zipf(len(self.orgs[c])) for c in self.orgs}
        self.people = [_Org(iri("hdp", local), name, "", (), "person") for local, name, _, _ in _PEOPLE]
        self.groups = [_Org(iri("hdo", local), name, country, (), "group") for local, name, country in _STAKEHOLDER_GROUPS]
        self.white_house = self.registry[iri("hdo", PUBLISHER)]
        self.places = self._places(count=max(20, int(actions**0.5)))
        self.place_pick = _Zipf(len(self.places))
        self.programs: list[str] = [
            iri("hdw", w[0]) for w in _REGISTRY_WORKS if w[2] in ("Program", "Agreement", "Law")
        ]
        self.joinables = [iri("hdw", w[0]) for w in _REGISTRY_WORKS if w[2] in ("Pledge", "Goal", "Declaration")]
        self.mix_names = [name for name, _ in _ACTION_MIX]
        self.mix_weights = list(itertools.accumulate(weight for _, weight in _ACTION_MIX))

    def emit(self, s: str, p: str, o: str) -> None:
        self.block.append(f"{s} {p} {o} .")

    def take(self) -> list[str]:
        block, self.block = self.block, []
        return block

    def bnode(self) -> str:
        return f"_:b{next(self.blank)}"

    def labels(self, node: str, english: str, spanish: str = "") -> None:
        self.emit(node, iri("rdfs", "label"), text(english))
        self.emit(node, iri("skos", "prefLabel"), text(english))
        if spanish:
            self.emit(node, iri("skos", "prefLabel"), text(spanish, "es"))

    # ---------------------------------------------------------------- pools

    def _organizations(self, *, count: int) -> dict[str, list[_Org]]:
        pools: dict[str, list[_Org]] = {country: [] for country in COUNTRIES_OF_THE_DIALOGUE}
        for registered in self.registry.values():
            if registered.country in pools and registered.node != iri("hdo", PUBLISHER):
                pools[registered.country].append(registered)
        for number in range(1, count + 1):
            country = "united-states" if number % 2 else "mexico"
            kind, noun = _SYNTHETIC_KINDS[number % len(_SYNTHETIC_KINDS)]
            topic = _TOPICS[number % len(_TOPICS)].title()
            english = f"{topic} {noun} {number}"
            spanish = f"{noun} de {topic} {number}" if country == "mexico" else ""
            acronym = text(f"SO{number}", "es" if country == "mexico" else "en")
            government = _GOVERNMENTS[country] if kind in _UNDER_GOVERNMENT else ""
            under = ("subOrganizationOf", government) if iri("hdo", government) in self.registry else ("", "")
            pools[country].append(
                self._org(
                    f"synthetic-org-{number:05d}", english, spanish, acronym, kind, _SCHEMA_CLASS[kind], country, under
                )
            )
        return pools

    def _registry_org(self, org: RegistryOrg) -> _Org:
        # A parent the generator does not describe (no hled:country, say) is left out with its link.
        known = {registered.local for registered in registry_organizations()}
        under = (org.parent_link, org.parent) if org.parent in known else ("", "")
        return self._org(
            org.local, org.english, org.spanish, org.acronym, org.kind, org.schema_class, org.country, under
        )

    def _org(
        self,
        local: str,
        english: str,
        spanish: str,
        acronym: str,
        kind: str,
        schema_class: str,
        country: str,
        under: tuple[str, str],
    ) -> _Org:
        """``under``: how and below which organization (a local name) it sits, or ("", "")."""
        node = iri("hdo", local)
        outer, self.block = self.block, []
        self.emit(node, RDF, iri("org", "FormalOrganization"))
        self.emit(node, RDF, iri("hled", kind))
        self.emit(node, RDF, iri("schema", schema_class))
        self.labels(node, english, spanish)
        # the document names it by its English name, as the fact sheet names the registry's bodies
        self.emit(node, iri("hled", "nameInSource"), text(english))
        if acronym:
            self.emit(node, iri("skos", "altLabel"), acronym)
        self.emit(node, iri("hled", "country"), iri("hdl", country))
        link, parent = under
        if link:
            self.emit(node, iri("org", link), iri("hdo", parent))
        lines, self.block = tuple(self.block), outer
        return _Org(node, english, country, lines, parent=iri("hdo", parent) if link else "")

    def _places(self, *, count: int) -> list[tuple[str, str, tuple[str, ...]]]:
        places = []
        entries = list(registry_places())
        entries += [
            (f"synthetic-city-{n:04d}", f"City {n}", "City", "mexico" if n % 2 else "united-states")
            for n in range(1, max(1, count - len(entries)) + 1)
        ]
        for local, english, kind, parent in entries:
            node = iri("hdl", local)
            outer, self.block = self.block, []
            self.emit(node, RDF, iri("schema", kind))
            self.emit(node, RDF, iri("prov", "Location"))
            self.labels(node, english)
            self.emit(node, iri("schema", "containedInPlace"), iri("hdl", parent))
            places.append((node, english, tuple(self.block)))
            self.block = outer
        return places

    def pick_org(self, country: str) -> _Org:
        org = self.orgs[country][self.org_pick[country].draw(self.rng)]
        self.introduce_org(org)
        return org

    def introduce_org(self, org: _Org) -> None:
        """Describe an organization and, the first time, the ones it sits under, so the hierarchy is whole."""
        if org.node in self.seen:
            return
        self.introduce(org.node, org.lines)
        if org.parent in self.registry:
            self.introduce_org(self.registry[org.parent])

    def pick_place(self, local: str = "") -> str:
        """A place drawn by its use, or the place named ``local``."""
        if local:
            node, lines = next((node, lines) for node, _, lines in self.places if node == iri("hdl", local))
        else:
            node, _, lines = self.places[self.place_pick.draw(self.rng)]
        self.introduce(node, lines)
        return node

    def introduce(self, node: str, lines: tuple[str, ...]) -> None:
        """Describe a pooled entity the first time an action refers to it, sourced to that action's document."""
        if node not in self.seen:
            self.seen.add(node)
            self.block.extend(lines)
            self.sourced(node)

    def sourced(self, node: str) -> None:
        self.emit(node, iri("dcterms", "source"), self.source)

    def concept(self, *, scheme: str, prefix: str, label: str) -> str:
        """The concept ``label`` of the scheme ``hd:<scheme>`` (hd:topics, hd:sectors), described with its
        scheme the first time it is used."""
        scheme_node, concept = iri("hd", scheme), iri(prefix, label.replace(" ", "-"))
        outer, self.block = self.block, []
        self.emit(scheme_node, RDF, iri("skos", "ConceptScheme"))
        self.labels(scheme_node, f"{scheme.capitalize()} of the synthetic documents")
        scheme_lines = tuple(self.take())
        self.emit(concept, RDF, iri("skos", "Concept"))
        self.emit(concept, iri("skos", "inScheme"), scheme_node)
        self.emit(concept, iri("skos", "topConceptOf"), scheme_node)
        self.emit(scheme_node, iri("skos", "hasTopConcept"), concept)
        self.labels(concept, label)
        concept_lines = tuple(self.take())
        self.block = outer
        self.introduce(scheme_node, scheme_lines)
        self.introduce(concept, concept_lines)
        return concept

    # ---------------------------------------------------------------- fixed part

    def preamble(self) -> list[str]:
        for local, english, code in _COUNTRIES:
            node = iri("hdl", local)
            self.emit(node, RDF, iri("schema", "Country"))
            self.emit(node, RDF, iri("prov", "Location"))
            self.labels(node, english, "México" if local == "mexico" else "")
            self.emit(node, iri("hled", "iso3166Code"), plain(code))
            self.sourced(node)
            self.seen.add(node)
        scheme = iri("hd", "pillars")
        self.emit(scheme, RDF, iri("skos", "ConceptScheme"))
        self.labels(scheme, "Pillars of the High-Level Economic Dialogue")
        self.sourced(scheme)
        dialogue = f"<{DIALOGUE}>"
        self.emit(dialogue, RDF, iri("hled", "Dialogue"))
        self.emit(dialogue, RDF, iri("org", "OrganizationalCollaboration"))
        self.labels(
            dialogue,
            "U.S.-Mexico High-Level Economic Dialogue",
            "Diálogo Económico de Alto Nivel México-Estados Unidos",
        )
        self.sourced(dialogue)
        meetings = iri("hdw", "hled-meetings")
        self.emit(meetings, RDF, iri("schema", "EventSeries"))
        self.labels(meetings, "Meetings of the U.S.-Mexico High-Level Economic Dialogue")
        self.emit(meetings, iri("schema", "organizer"), dialogue)
        self.sourced(meetings)
        for number, (notation, title) in enumerate(_PILLARS, start=1):
            pillar = iri("pillar", str(number))
            self.emit(pillar, RDF, iri("skos", "Concept"))
            self.emit(pillar, RDF, iri("hled", "Pillar"))
            self.emit(pillar, iri("skos", "inScheme"), scheme)
            self.emit(pillar, iri("skos", "topConceptOf"), scheme)
            self.emit(pillar, iri("skos", "notation"), plain(notation))
            self.labels(pillar, title)
            self.emit(pillar, iri("skos", "definition"), text(f"The aim of pillar {notation}: {title.lower()}."))
            self.emit(pillar, iri("hled", "pillarNumber"), typed(number, "integer"))
            self.sourced(pillar)
            self.emit(dialogue, iri("hled", "hasPillar"), pillar)
        for local, english, country in _STAKEHOLDER_GROUPS:
            node = iri("hdo", local)
            for cls in (iri("hled", "StakeholderGroup"), iri("foaf", "Group"), iri("prov", "Agent")):
                self.emit(node, RDF, cls)
            self.labels(node, english)
            if country:
                self.emit(node, iri("hled", "country"), iri("hdl", country))
            self.sourced(node)
        for local, english, title, government in _PEOPLE:
            node = iri("hdp", local)
            self.emit(node, RDF, iri("schema", "Person"))
            self.emit(node, RDF, iri("prov", "Agent"))
            self.labels(node, english)
            self.emit(node, iri("schema", "jobTitle"), text(title))
            self.emit(node, iri("schema", "affiliation"), iri("hdo", government))
            self.sourced(node)
        for local, english, kind in _REGISTRY_WORKS:
            node = iri("hdw", local)
            self.emit(node, RDF, iri("hled", kind))
            self.emit(node, RDF, iri("prov", "Entity"))
            self.labels(node, english)
            self.emit(node, iri("dcterms", "description"), text(f"{english}, as named in the dialogue."))
            self.sourced(node)
        return self.take()

    def document(self, number: int) -> _Document:
        """The original and the copy of fact sheet ``number`` and the round it was published for."""
        name = document_name(number)
        issued = date(2022, 9, 12) + timedelta(days=91 * (number - 1))
        document = _Document(
            iri("hd", name), iri("hd", f"{name}-copy"), iri("round", f"synthetic-{number:05d}"), issued
        )
        self.source = document.original
        self.earlier_commitments += self.commitments
        self.commitments = []
        title = f"FACT SHEET: U.S.-Mexico High-Level Economic Dialogue, synthetic issue {number}"
        for node in (document.original, document.copy):
            self.emit(node, RDF, iri("foaf", "Document"))
            self.emit(node, RDF, iri("prov", "Entity"))
            self.emit(node, iri("dcterms", "title"), text(title))
        self.emit(document.original, iri("rdfs", "label"), text(title))
        self.emit(document.original, iri("dcterms", "issued"), typed(issued.isoformat(), "date"))
        self.emit(document.original, iri("dcterms", "publisher"), self.white_house.node)
        self.emit(document.original, iri("foaf", "page"), f"<{DOCUMENT_PAGES}{name}>")
        self.emit(document.original, iri("hled", "publishedAt"), document.round)
        self.introduce_org(self.white_house)
        # The copy is republished the next day, as the real one was.
        self.emit(document.copy, iri("rdfs", "label"), text(f"Copy of synthetic fact sheet {number}"))
        self.emit(document.copy, iri("dcterms", "issued"), typed((issued + timedelta(days=1)).isoformat(), "date"))
        self.emit(document.copy, iri("prov", "wasDerivedFrom"), document.original)
        self.emit(document.copy, iri("hled", "sourceFile"), plain(f"{name}.txt"))
        # No such file exists: the digest is a made-up stand-in (the SHA-256 of the file's name), fixed per document.
        checksum = self.bnode()
        self.emit(document.copy, iri("spdx", "checksum"), checksum)
        self.emit(checksum, RDF, iri("spdx", "Checksum"))
        self.emit(checksum, iri("spdx", "algorithm"), iri("spdx", "checksumAlgorithm_sha256"))
        self.emit(checksum, iri("spdx", "checksumValue"), typed(hashlib.sha256(name.encode()).hexdigest(), "hexBinary"))
        meeting = f"Synthetic meeting {number} of the U.S.-Mexico High-Level Economic Dialogue"
        self.emit(document.round, RDF, iri("hled", "Round"))
        self.labels(document.round, meeting)
        self.emit(document.round, iri("schema", "name"), text(meeting))
        self.emit(document.round, iri("schema", "superEvent"), iri("hdw", "hled-meetings"))
        self.emit(document.round, iri("schema", "startDate"), typed(issued.isoformat(), "date"))
        self.emit(document.round, iri("schema", "location"), self.pick_place(ROUND_PLACE))
        self.emit(document.round, iri("schema", "organizer"), f"<{DIALOGUE}>")
        self.sourced(document.round)
        return document


def _action(b: _Builder, *, number: int, document: _Document, offset: int) -> int:
    """One act with its status, agents, works, place, time, money, what it concerns and its quote; returns the
    quote's end offset."""
    rng = b.rng
    kind = b.mix_names[bisect.bisect_left(b.mix_weights, rng.random() * b.mix_weights[-1])]
    when = document.issued + timedelta(days=rng.randrange(-200, 200))
    # An event still to come has not taken place: the act is its announcement, the event a planned one.
    planned_event = kind if kind in _EVENTS and when > document.issued else ""
    if planned_event:
        kind = "Announcement"
    local = f"synthetic-{number:07d}"
    node = iri("hda", local)
    topic = _TOPICS[rng.randrange(len(_TOPICS))]
    lead_country, other_country = ("united-states", "mexico") if rng.random() < 0.5 else ("mexico", "united-states")
    lead = b.pick_org(lead_country)
    agents: list[tuple[_Org, str]] = [(lead, "lead")]
    if rng.random() < 0.75:
        agents.append((b.pick_org(other_country), "partner"))
    if rng.random() < 0.25:
        agents.append((b.pick_org(lead_country), "partner"))
    if kind == "FundingCommitmentAct":
        agents.append((b.pick_org(lead_country), "funder"))
    elif kind == "Award":
        agents.append((b.pick_org(other_country), "recipient"))
    elif kind in _EVENTS:
        agents[0] = (lead, "host")
        agents += [(b.pick_org(c), "participant") for c in (lead_country, other_country)]
    if rng.random() < 0.06:
        agents.append((b.people[rng.randrange(len(b.people))], "participant"))
    if rng.random() < 0.12:
        agents.append((b.groups[rng.randrange(len(b.groups))], "participant"))
    agents = list({(org.node, role): (org, role) for org, role in agents}.values())

    words = f"announces a {_EVENT_NOUNS[planned_event]}" if planned_event else kind_words(kind)
    title = f"{lead.name} {words} on {topic} ({number})"
    b.emit(node, RDF, iri("prov", "Activity"))
    b.emit(node, RDF, iri("hled", kind))
    if kind in _EVENTS:
        b.emit(node, RDF, iri("schema", "Event"))
    b.labels(node, title)
    b.emit(node, iri("dcterms", "description"), text(f"{lead.name} and partners {words} on {topic}."))
    b.emit(node, iri("dcterms", "subject"), b.concept(scheme="topics", prefix="topic", label=topic))
    if number % 3 == 0:
        sector = _SECTORS[number % len(_SECTORS)]
        b.emit(node, iri("hled", "sector"), b.concept(scheme="sectors", prefix="sector", label=sector))
    b.emit(node, iri("hled", "partOfDialogue"), f"<{DIALOGUE}>")
    b.emit(node, iri("hled", "status"), iri("status", _status(kind, rng)))
    b.emit(node, iri("hled", "reportedAt"), document.round)
    b.emit(node, iri("dcterms", "source"), document.original)
    b.emit(node, iri("hled", "pillar"), iri("pillar", str(1 + rng.randrange(4))))
    for org, role in agents:
        association = b.bnode()
        b.emit(node, iri("prov", "qualifiedAssociation"), association)
        b.emit(association, RDF, iri("prov", "Association"))
        b.emit(association, iri("prov", "agent"), org.node)
        b.emit(association, iri("prov", "hadRole"), iri("hled", role + "Role"))
    for org_node in sorted({org.node for org, _ in agents}):
        b.emit(node, iri("prov", "wasAssociatedWith"), org_node)
    for place in sorted({b.pick_place() for _ in range(1 + (rng.random() < 0.3))}):
        b.emit(node, iri("prov", "atLocation"), place)
    _works(b, node=node, kind=kind, number=number, topic=topic, agents=[org for org, _ in agents])
    if planned_event:
        _planned_event(b, act=node, kind=planned_event, number=number, topic=topic, when=when, organizer=lead)
    else:
        _time(b, node=node, kind=kind, when=when, title=title)
    if kind in ("FundingCommitmentAct", "Award") and (kind == "FundingCommitmentAct" or rng.random() < 0.7):
        amount = b.bnode()
        b.emit(node, iri("hled", "amount"), amount)
        b.emit(amount, RDF, iri("schema", "MonetaryAmount"))
        b.emit(amount, iri("schema", "value"), typed(f"{rng.randrange(1, 5000) * 100000}.0", "decimal"))
        b.emit(amount, iri("schema", "currency"), plain("USD"))
    if kind in ("Outreach", "Campaign") or (kind not in _PROMISES and rng.random() < 0.08):
        _quantity(b, node=node, value=rng.randrange(10, 50000), unit="beneficiaries", lower=rng.random() < 0.3)
    if kind == "CommitmentAct" or (kind == "FundingCommitmentAct" and rng.random() < 0.5):
        _commitment(b, act=node, number=number, topic=topic, lead=lead, when=when)
    elif kind == "Cooperation" and b.earlier_commitments and rng.random() < 0.25:
        # Work on an earlier round's commitment: its progress, as the later document reports it (the act's status).
        b.emit(node, iri("hled", "concerns"), b.earlier_commitments[rng.randrange(len(b.earlier_commitments))])
    return _quote(b, local=local, node=node, copy=document.copy, title=title, offset=offset)


def _status(kind: str, rng: random.Random) -> str:
    """The status the document reports for an act of ``kind``: done, mostly."""
    if kind in ("CommitmentAct", "FundingCommitmentAct"):
        return "committed"
    if kind == "Announcement":
        return "scheduled"
    if kind == "Cooperation" and rng.random() < 0.3:
        return "under-way"
    return "completed"


def _commitment(b: _Builder, *, act: str, number: int, topic: str, lead: _Org, when: date) -> None:
    """The commitment an act makes: a lasting node with, now and then, a deadline and a target of its own."""
    rng = b.rng
    commitment = iri("hdc", f"synthetic-commitment-{number:07d}")
    b.commitments.append(commitment)
    b.emit(act, iri("hled", "concerns"), commitment)
    b.emit(commitment, RDF, iri("hled", "Commitment"))
    b.emit(commitment, RDF, iri("prov", "Plan"))
    b.labels(commitment, f"{topic.capitalize()} commitment {number}")
    b.emit(commitment, iri("dcterms", "description"), text(f"{lead.name}'s commitment on {topic}."))
    b.sourced(commitment)
    if rng.random() < 0.15:
        b.emit(commitment, iri("hled", "deadline"), typed(f"{when.year + 1}-{when.month:02d}", "gYearMonth"))
    if rng.random() < 0.3:
        target = iri("hdw", f"synthetic-target-{number:07d}")
        percent, year = rng.randrange(5, 100), 2025 + rng.randrange(10)
        b.emit(commitment, iri("hled", "target"), target)
        b.emit(target, RDF, iri("hled", "Target"))
        b.emit(target, RDF, iri("schema", "QuantitativeValue"))
        b.emit(target, iri("rdfs", "label"), text(f"{percent} percent of {topic} by {year}"))
        b.emit(target, iri("schema", "value"), typed(f"{percent}.0", "decimal"))
        b.emit(target, iri("schema", "unitCode"), plain("P1"))
        b.emit(target, iri("schema", "unitText"), text("percent"))
        b.emit(target, iri("hled", "targetYear"), typed(str(year), "gYear"))
        b.emit(target, iri("schema", "description"), text(f"A share of {topic} reached by the target year."))
        b.sourced(target)


def _planned_event(b: _Builder, *, act: str, kind: str, number: int, topic: str, when: date, organizer: _Org) -> None:
    """The event an announcement concerns: a schema:Event still to come, not an activity."""
    event = iri("hde", f"synthetic-event-{number:07d}")
    name = f"{topic.capitalize()} {_EVENT_NOUNS[kind]} {number}"
    b.emit(act, iri("hled", "concerns"), event)
    b.emit(event, RDF, iri("schema", "Event"))
    b.labels(event, name)
    b.emit(event, iri("schema", "name"), text(name))
    b.emit(event, iri("schema", "startDate"), typed(when.isoformat(), "date"))
    b.emit(event, iri("schema", "organizer"), organizer.node)
    b.emit(event, iri("schema", "eventStatus"), iri("schema", "EventScheduled"))
    if b.rng.random() < 0.3:
        b.emit(event, iri("schema", "eventAttendanceMode"), iri("schema", "OnlineEventAttendanceMode"))
    b.sourced(event)


def kind_words(kind: str) -> str:
    return {
        "Cooperation": "works together",
        "CommitmentAct": "commits",
        "FundingCommitmentAct": "commits funds",
        "Launch": "launches a program",
        "AgreementSigning": "signs an agreement",
        "Establishment": "establishes a working group",
        "Award": "awards a grant",
        "Campaign": "runs a campaign",
        "Accession": "joins a pledge",
        "Outreach": "reaches out",
        "Approval": "approves a cohort",
        "Forum": "hosts a forum",
        "Meeting": "hosts a meeting",
        "Roundtable": "hosts a roundtable",
        "TechnicalExchange": "hosts a technical exchange",
    }[kind]


def _works(b: _Builder, *, node: str, kind: str, number: int, topic: str, agents: list[_Org]) -> None:
    rng = b.rng
    made: tuple[str, str, str] | None = {
        "Launch": ("hdw", f"synthetic-program-{number:07d}", "Program"),
        "Establishment": ("hdo", f"synthetic-working-group-{number:07d}", "WorkingGroup"),
        "AgreementSigning": (
            "hdw",
            f"synthetic-agreement-{number:07d}",
            "MemorandumOfUnderstanding" if rng.random() < 0.5 else "StatementOfIntent",
        ),
    }.get(kind)
    if made:
        prefix, local, cls = made
        work = iri(prefix, local)
        b.emit(node, iri("prov", "generated"), work)
        if cls == "WorkingGroup":
            b.emit(work, RDF, iri("org", "OrganizationalCollaboration"))
        b.emit(work, RDF, iri("hled", cls))
        if cls != "WorkingGroup":
            b.emit(work, RDF, iri("prov", "Entity"))
        english = f"{topic.capitalize()} {cls_words(cls)} {number}"
        b.labels(work, english)
        b.emit(work, iri("dcterms", "description"), text(f"A {cls_words(cls)} on {topic}."))
        b.sourced(work)
        if cls == "WorkingGroup":
            for member in sorted({org.node for org in agents if org.kind == "organization"}):
                b.emit(work, iri("org", "hasMember"), member)
        elif cls == "Program":
            b.programs.append(work)
    if kind == "Accession":
        b.emit(node, iri("hled", "joined"), b.joinables[rng.randrange(len(b.joinables))])
    elif rng.random() < 0.35:
        # Newer programs are reused less: draw mostly among the first ones, like the real text.
        index = min(int(rng.paretovariate(1.2)) - 1, len(b.programs) - 1)
        b.emit(node, iri("prov", "used"), b.programs[index])


def cls_words(cls: str) -> str:
    return {
        "Program": "program",
        "WorkingGroup": "working group",
        "MemorandumOfUnderstanding": "memorandum of understanding",
        "StatementOfIntent": "statement of intent",
    }[cls]


def _time(b: _Builder, *, node: str, kind: str, when: date, title: str) -> None:
    rng = b.rng
    holder = b.bnode()
    b.emit(node, iri("time", "hasTime"), holder)
    shape = rng.random()
    if shape < 0.15 and kind not in _EVENTS:
        end = when + timedelta(days=rng.randrange(30, 900))
        b.emit(holder, RDF, iri("time", "ProperInterval"))
        for link, day in (("hasBeginning", when), ("hasEnd", end)):
            instant = b.bnode()
            b.emit(holder, iri("time", link), instant)
            b.emit(instant, RDF, iri("time", "Instant"))
            b.emit(instant, iri("time", "inXSDDate"), typed(day.isoformat(), "date"))
        return
    b.emit(holder, RDF, iri("time", "Instant"))
    if shape < 0.35 and kind not in _EVENTS:
        b.emit(holder, iri("time", "inXSDgYearMonth"), typed(f"{when.year}-{when.month:02d}", "gYearMonth"))
        return
    b.emit(holder, iri("time", "inXSDDate"), typed(when.isoformat(), "date"))
    if kind in _EVENTS:
        b.emit(node, iri("schema", "startDate"), typed(when.isoformat(), "date"))
        b.emit(node, iri("schema", "name"), text(title))
        if rng.random() < 0.3:
            b.emit(node, iri("schema", "eventAttendanceMode"), iri("schema", "OnlineEventAttendanceMode"))


def _quantity(b: _Builder, *, node: str, value: int, unit: str, lower: bool) -> None:
    quantity = b.bnode()
    b.emit(node, iri("hled", "quantity"), quantity)
    b.emit(quantity, RDF, iri("schema", "QuantitativeValue"))
    # "at least N" is a schema:minValue with no schema:value; counts are whole numbers
    b.emit(quantity, iri("schema", "minValue" if lower else "value"), typed(value, "integer"))
    b.emit(quantity, iri("schema", "unitText"), text(unit))


def _quote(b: _Builder, *, local: str, node: str, copy: str, title: str, offset: int) -> int:
    exact = f"{title}, the fact sheet says."
    start, end = offset + 2, offset + 2 + len(exact)
    annotation, target, quote, position = iri("hdq", local), b.bnode(), b.bnode(), b.bnode()
    b.emit(annotation, RDF, iri("oa", "Annotation"))
    b.emit(annotation, iri("oa", "motivatedBy"), iri("oa", "identifying"))
    b.emit(annotation, iri("oa", "hasBody"), node)
    b.emit(annotation, iri("oa", "hasTarget"), target)
    b.emit(target, RDF, iri("oa", "SpecificResource"))
    b.emit(target, iri("oa", "hasSource"), copy)
    b.emit(target, iri("oa", "hasSelector"), quote)
    b.emit(target, iri("oa", "hasSelector"), position)
    b.emit(quote, RDF, iri("oa", "TextQuoteSelector"))
    b.emit(quote, iri("oa", "exact"), plain(exact))
    b.emit(quote, iri("oa", "prefix"), plain(". "))
    b.emit(quote, iri("oa", "suffix"), plain(" "))
    b.emit(position, RDF, iri("oa", "TextPositionSelector"))
    b.emit(position, iri("oa", "start"), typed(start, "nonNegativeInteger"))
    b.emit(position, iri("oa", "end"), typed(end, "nonNegativeInteger"))
    return end


def generate(*, triples: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """N-Triples lines (without newline) of about ``triples`` triples (within 5 %), deterministic for ``seed``.

    Whole actions are emitted, never half of one, so every prefix of documents conforms to the
    shapes; the count stops at the action that lands closest to ``triples``. ``progress``
    receives the number of lines of each block as it is yielded.
    """
    if triples < 1000:
        raise InputError(f"triples={triples}: too few for a fact sheet; ask for at least 1000")
    b = _Builder(triples=triples, seed=seed)
    emitted = 0

    def out(block: list[str]) -> Iterator[str]:
        nonlocal emitted
        emitted += len(block)
        if progress is not None:
            progress(len(block))
        yield from block

    yield from out(b.preamble())
    for number in itertools.count(1):
        document_number, position = divmod(number - 1, ACTIONS_PER_DOCUMENT)
        if position == 0:
            document = b.document(document_number + 1)
            offset = 0
        offset = _action(b, number=number, document=document, offset=offset)
        block = b.take()
        if emitted + len(block) > triples and (emitted + len(block) - triples) > (triples - emitted):
            return
        yield from out(block)
        if emitted >= triples:
            return


def bindings_present_in(store: object, bindings: dict[str, object]) -> dict[str, object]:
    """Query bindings adjusted to a synthetic store: an IRI the store does not describe (a real
    action such as ``hda:epa-conagua-statement-of-intent``, the document ``hd:fact-sheet-2022``) is
    replaced by the first described IRI directly in the same namespace and of a class the shipped
    data gives it, so a parameterized library query asks about something of the same kind that exists.
    """
    adjusted = dict(bindings)
    for name, term in bindings.items():
        if not isinstance(term, ox.NamedNode) or store.query(f"ASK {{ {term} ?p ?o }}"):  # type: ignore[attr-defined]
            continue
        namespace = term.value[: max(term.value.rfind("/"), term.value.rfind("#")) + 1]
        classes = " ".join(str(cls) for cls, in _shipped_rows(f"SELECT DISTINCT ?class WHERE {{ {term} a ?class }}"))
        rows = list(
            store.query(  # type: ignore[attr-defined]
                f"SELECT ?s WHERE {{ {f'VALUES ?class {{ {classes} }}' if classes else ''} ?s a ?class "
                f'FILTER(STRSTARTS(STR(?s), "{namespace}") && !CONTAINS(STRAFTER(STR(?s), "{namespace}"), "/")) }} '
                "ORDER BY ?s LIMIT 1"
            )
        )
        if rows:
            adjusted[name] = rows[0][0]
    return adjusted


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m benchmarks.synthetic --triples N [-o FILE] [--seed S]``: write a corpus, whole or not at all."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synthetic", description=main.__doc__)
    parser.add_argument("--triples", required=True, metavar="N", help="about how many triples (within 5%%), e.g. 1e6")
    parser.add_argument("-o", "--output", type=Path, help="N-Triples file to write (default: standard output)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same bytes (default 0)")
    options = parser.parse_args(argv)
    try:
        lines = generate(triples=parse_count(options.triples), seed=options.seed)
        if options.output is None:
            sys.stdout.writelines(line + "\n" for line in lines)
            return
        partial = options.output.with_name(f".{options.output.name}.partial")
        try:
            with open(partial, "w", encoding="utf-8") as out:
                out.writelines(line + "\n" for line in lines)
            os.replace(partial, options.output)
        finally:
            partial.unlink(missing_ok=True)
    except HledError as error:
        print(f"{parser.prog}: error: {error.message}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None


if __name__ == "__main__":
    main()
