"""The fact sheet's own wording (issue 13): every organization, program, work and event it calls by a name carries
that name as hled:nameInSource, is found by it through its labels, and the name is what the paraphrased copy says
once the paraphraser's word swaps are undone. Also the structured facts that were only text (sectors, value chains,
topics, proposed bodies) and the corrected statements, each asked of the real graph and the real library queries.

The names below were restored by hand from data/source/hled-2022-fact-sheet.txt with the swap table SWAPS, and
checked against the opening of the White House original where it is public
(https://www.whitehouse.gov/briefing-room/statements-releases/2022/09/12/fact-sheet-2022-u-s-mexico-high-level-economic-dialogue/).
"""

from __future__ import annotations

import re
from collections import deque

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef
from test_queries import answer

from hled_graph import resources
from hled_graph.graph import parse_files
from hled_graph.iris import compact
from hled_graph.namespaces import PREFIXES, SPARQL_PROLOGUE
from hled_graph.sparql import engine
from hled_graph.validate import shacl_problems

HLED, OA, DCTERMS, SKOS = (PREFIXES[p] for p in ("hled", "oa", "dcterms", "skos"))

# The fact sheet's name of each entity it names (entity → its words). Stakeholder groups, unnamed works ("a
# regional conservation effort") and described events ("the July meeting of our presidents") are not names.
FACT_SHEET_NAMES = {
    "hd:hled": "U.S.-Mexico High-Level Economic Dialogue",
    "hdo:mexico-government": "Government of Mexico",
    "hdo:secretaria-economia": "Ministry of Economy",
    "hdo:sre": "Ministry of Foreign Relations",
    "hdo:university-of-california": "University of California",
    "hdo:epa": "Environmental Protection Agency",
    "hdo:conagua": "Mexican National Water Council",
    "hdo:usaid": "U.S. Agency for International Development",
    "hdo:cofepris": "Federal Commission for the Protection Against Sanitary Risks",
    "hdo:usmca-free-trade-commission": "United States-Mexico-Canada Agreement Free Trade Commission",
    "hdo:usmca-competitiveness-committee": "Competitiveness Committee",
    "hdo:supply-chain-working-group": "Supply Chain Working Group",
    "hdo:transportation-electrification-working-group": "Transport Electrification Working Group",
    "hdo:doc": "Department of Commerce",
    "hdo:nist": "National Institute of Standards and Technology",
    "hdo:apec": "Asia Pacific Economic Cooperation",
    "hdo:sbdcs-southern-mexico": "Small Business Development Centers",
    "hdo:dol": "U.S. Department of Labor",
    "hdo:campos-de-esperanza": "Campos de Esperanza",
    "hdo:fumec": "U.S.-Mexico Foundation for Science",
    "hdo:ed": "U.S. Department of Education",
    "hdo:sep": "Ministry of Public Education",
    "hdo:conalep": "National College of Professional Technical Education",
    "hdo:state-department": "U.S. Department of State",
    "hdo:us-embassy-mexico-city": "U.S. Embassy Mexico City",
    "hdw:bipartisan-infrastructure-law": "Bipartisan Infrastructure Law",
    "hdw:global-methane-pledge": "Global Methane Pledge",
    "hdw:covid-19-medical-devices-regulatory-convergence-project": (
        "COVID-19 Medical Devices Regulatory Convergence Project"
    ),
    "hdw:usmca": "United States-Mexico-Canada Agreement",
    "hdw:sembrando-oportunidades": "Sembrando Oportunidades",
    "hdw:sustainable-prosperous-communities": "Sustainable Prosperous Communities Program",
    "hdw:surges": "Southern Mexico Generating Employment and Sustainability",
    "hdw:global-cbpr-declaration": "Global Cross-Border Privacy Rules Declaration",
    "hdw:mujer-exporta-mx": "MujerExportaMx",
    "hdw:academy-for-women-entrepreneurs-2022": "2022 Academy for Women Entrepreneurs",
    "hdw:community-college-administrator-program": "Community College Administrator's Program",
    "hdw:trilateral-workforce-forums": "trilateral forums on workforce development",
    "hda:semiconductor-ict-supply-chains-forum": (
        "Strengthening the Semiconductor and ICT supply Chains between Mexico and the United States"
    ),
    "hda:supply-chain-ministerial-forum-2022": "2022 Supply Chain Ministerial Forum",
    "hda:usmca-free-trade-commission-second-meeting": (
        "second meeting of the United States-Mexico-Canada Agreement Free Trade Commission"
    ),
    "hda:cybersecurity-best-practices-forum": "Best practices from a public and private perspective on Cybersecurity",
    "hde:forum-on-5g-and-beyond": "Forum on 5G and Beyond",
    "hda:mujer-exporta-mx-2022": "MujerExportaMx",
    "hda:second-trilateral-workforce-forum": "2nd Trilateral Forum on Workforce Development in North America",
}

# The paraphraser's swaps: the original's words → what the copy prints instead. Each is used by a name above.
SWAPS = {
    "High-Level": ["Excessive-Degree"],
    "Economic": ["Financial"],
    "Economy": ["Economic system"],
    "Foreign": ["Overseas"],
    "National": ["Nationwide"],
    "the Protection": ["Safety"],
    "Protection": ["Safety"],
    "Agency": ["Company"],
    "International": ["Worldwide"],
    "Development": ["Growth", "improvement"],
    "Business": ["Enterprise"],
    "Centers": ["Facilities"],
    "Commission": ["Fee"],
    "Against": ["Towards"],
    "Risks": ["Dangers"],
    "Agreement": ["Settlement"],
    "Trade": ["Commerce"],
    "University": ["College"],
    "College": ["School"],
    "Community": ["Group"],
    "Professional": ["Skilled"],
    "Education": ["Training"],
    "Department": ["Division"],
    "Standards": ["Requirements"],
    "Technology": ["Expertise"],
    "Foundation": ["Basis"],
    "Law": ["Regulation"],
    "Global": ["World"],
    "Devices": ["Gadgets"],
    "Project": ["Mission"],
    "Prosperous": ["Affluent"],
    "Generating": ["Producing"],
    "Privacy": ["Privateness"],
    "Rules": ["Guidelines"],
    "Women": ["Girls"],
    "Supply": ["Provide"],
    "Forum": ["Discussion board"],
    "forums": ["boards"],
    "United States": ["USA"],
    "public and private": ["private and non-private"],
    "Best": ["Finest"],
    "meeting": ["assembly"],
    "Beyond": ["Past"],
    "Government": ["Authorities"],
    "City": ["Metropolis"],
}

# Relations that reach nearly everything, so they say nothing about which entities a quote speaks of.
GENERIC = {
    str(RDF.type), HLED + "partOfDialogue", HLED + "reportedAt", HLED + "status", HLED + "pillar", HLED + "country",
    DCTERMS + "source", PREFIXES["prov"] + "hadRole", PREFIXES["schema"] + "containedInPlace",
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return parse_files(resources.data_files())


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store()


def normalised(text: str) -> str:
    """Case and punctuation do not count: "Asia-Pacific" is "asia pacific", "MujerExportaMX" "mujerexportamx"."""
    return re.sub(r"[\W_]+", "", text.casefold())


def names_in_source(graph: Graph) -> dict[str, str]:
    found = {}
    for entity, name in graph.subject_objects(URIRef(HLED + "nameInSource")):
        assert compact(str(entity)) not in found, f"{entity}: one name in the source"
        assert name.language == "en", f"{entity}: the fact sheet's words are English (@en)"
        found[compact(str(entity))] = str(name)
    return found


def labels(graph: Graph, entity: str) -> set[str]:
    iri = URIRef(PREFIXES[entity.split(":")[0]] + entity.split(":")[1])
    return {str(v) for p in ("prefLabel", "altLabel") for v in graph.objects(iri, URIRef(SKOS + p))}


def paraphrased_pattern(name: str) -> re.Pattern[str]:
    """What the copy prints for ``name``: each word as written or as one of its swaps, any spacing or dash between."""
    keys = sorted(SWAPS, key=len, reverse=True)
    pieces = re.split("(" + "|".join(rf"\b{re.escape(k)}\b" for k in keys) + ")", name, flags=re.IGNORECASE)
    swaps = {key.casefold(): words for key, words in SWAPS.items()}
    parts = []
    for index, piece in enumerate(pieces):
        if index % 2:
            parts.append("(?:" + "|".join(re.escape(w) for w in [piece, *swaps[piece.casefold()]]) + ")")
        else:
            parts.append(re.escape(piece))
    pattern = "".join(parts).replace("'", "['’]")
    pattern = re.sub(r"(\\ |\\-)+", r"[\\s\\u00a0-]+", pattern)
    return re.compile(pattern, re.IGNORECASE)


def quotes_speaking_of(graph: Graph, entity: URIRef) -> list[str]:
    """The oa:exact of every quote whose act reaches ``entity`` in at most three steps along specific relations."""
    found = []
    for quote, act in graph.subject_objects(URIRef(OA + "hasBody")):
        reached, frontier = {act}, deque([(act, 0)])
        while frontier:
            node, depth = frontier.popleft()
            if depth == 3:
                continue
            for predicate, value in graph.predicate_objects(node):
                if str(predicate) not in GENERIC and value not in reached:
                    reached.add(value)
                    frontier.append((value, depth + 1))
        if entity in reached:
            for selector in graph.objects(graph.value(quote, URIRef(OA + "hasTarget")), URIRef(OA + "hasSelector")):
                found += [str(e) for e in graph.objects(selector, URIRef(OA + "exact"))]
    return found


# --------------------------------------------------------------------------- the names and how they are found


def test_every_name_the_fact_sheet_uses_is_recorded(graph: Graph) -> None:
    assert names_in_source(graph) == FACT_SHEET_NAMES


@pytest.mark.parametrize(
    ("entity", "wording"),
    [
        ("hdo:transportation-electrification-working-group", "Transport Electrification Working Group"),
        ("hdo:sre", "Ministry of Foreign Relations"),
        ("hdo:conagua", "Mexican National Water Council"),
        ("hdw:community-college-administrator-program", "Community College Administrator's Program"),
        (
            "hdw:covid-19-medical-devices-regulatory-convergence-project",
            "COVID-19 Medical Devices Regulatory Convergence Project",
        ),
        ("hdo:conalep", "National College of Professional Technical Education"),
        ("hdw:mujer-exporta-mx", "MujerExportaMx"),
    ],
)
def test_the_names_issue_13_lists(graph: Graph, entity: str, wording: str) -> None:
    assert names_in_source(graph)[entity] == wording
    assert normalised(wording) in {normalised(label) for label in labels(graph, entity)}


def test_every_name_in_source_finds_its_entity_through_its_labels(graph: Graph) -> None:
    unfound = {
        entity: name
        for entity, name in names_in_source(graph).items()
        if normalised(name) not in {normalised(label) for label in labels(graph, entity)}
    }
    assert unfound == {}
    # and names no other entity: the fact sheet's wording is not ambiguous in the graph
    owners: dict[str, set[str]] = {}
    for entity in names_in_source(graph):
        for label in labels(graph, entity):
            owners.setdefault(normalised(label), set()).add(entity)
    shared = {
        name: owners[normalised(name)]
        for name in names_in_source(graph).values()
        if len(owners[normalised(name)]) > 1
    }
    assert shared == {"MujerExportaMx": {"hdw:mujer-exporta-mx", "hda:mujer-exporta-mx-2022"}}


def test_an_alt_label_is_added_only_where_the_wording_differs(graph: Graph) -> None:
    for entity, name in names_in_source(graph).items():
        iri = URIRef(PREFIXES[entity.split(":")[0]] + entity.split(":")[1])
        prefs = {normalised(str(v)) for v in graph.objects(iri, URIRef(SKOS + "prefLabel"))}
        alts = {str(v) for v in graph.objects(iri, URIRef(SKOS + "altLabel"))}
        if normalised(name) in prefs:
            assert name not in alts, f"{entity}: the wording is the prefLabel already"


@pytest.mark.parametrize("entity", sorted(FACT_SHEET_NAMES))
def test_each_name_is_the_copy_s_words_with_the_paraphrase_undone(graph: Graph, entity: str) -> None:
    name = FACT_SHEET_NAMES[entity]
    iri = URIRef(PREFIXES[entity.split(":")[0]] + entity.split(":")[1])
    quotes = quotes_speaking_of(graph, iri)
    assert quotes, f"{entity}: no quote speaks of it"
    pattern = paraphrased_pattern(name)
    matches = [m for quote in quotes for m in [pattern.search(quote)] if m]
    assert matches, f"{entity}: {name!r} is not in its quotes as {pattern.pattern!r}"
    # Where the copy puts an acronym right after the name, the entity carries it as a label.
    for match in matches:
        acronym = re.match(r"\s*\(([A-Z]{2,})\)", match.string[match.end():])
        if acronym:
            assert acronym.group(1) in labels(graph, entity), f"{entity}: ({acronym.group(1)})"


def test_every_swap_is_needed_and_undone_once_per_word() -> None:
    used = {
        key
        for key in SWAPS
        for name in FACT_SHEET_NAMES.values()
        if re.search(rf"\b{re.escape(key)}\b", name, re.IGNORECASE)
    }
    assert used == set(SWAPS)
    # a swap never maps a word to itself, and no original word is in the copy's vocabulary of swaps
    assert all(key not in words for key, words in SWAPS.items())


def test_the_check_would_catch_a_wrong_restoration(graph: Graph) -> None:
    quotes = quotes_speaking_of(graph, URIRef(PREFIXES["hdo"] + "conagua"))
    assert paraphrased_pattern("Mexican National Water Council").search(quotes[0])
    assert not paraphrased_pattern("National Water Commission").search(" ".join(quotes))
    assert not paraphrased_pattern("Mexican National Water Authority").search(" ".join(quotes))


def test_names_in_source_query(store: ox.Store) -> None:
    rows = answer(store, "names-in-source")
    assert {r["entity"]: r["nameInSource"] for r in rows} == FACT_SHEET_NAMES
    assert [r["entity"] for r in rows if r["foundBy"] is None] == []
    by_entity = {r["entity"]: r for r in rows}
    assert by_entity["hdo:conagua"] == {
        "entity": "hdo:conagua", "kind": "organization", "nameInSource": "Mexican National Water Council",
        "foundBy": "Mexican National Water Council", "label": "National Water Commission",
        "document": "hd:fact-sheet-2022",
    }
    assert by_entity["hdo:apec"]["foundBy"] == "Asia-Pacific Economic Cooperation"
    assert by_entity["hdw:surges"]["kind"] == "program"
    assert by_entity["hdw:usmca"]["kind"] == "work"
    assert by_entity["hda:second-trilateral-workforce-forum"]["kind"] == "event"
    kinds = [r["kind"] for r in rows]
    assert kinds == sorted(kinds)
    assert {k: kinds.count(k) for k in set(kinds)} == {"event": 9, "organization": 25, "program": 6, "work": 4}


# --------------------------------------------------------------------------- sectors, value chains, topics


def concepts(store: ox.Store, within: str) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for row in answer(store, "sectors-and-topics", within=within):
        result.setdefault(row["thing"], set()).add(row["concept"])
    return result


def test_sectors_of_the_english_degree_courses_and_value_chains_of_surges(store: ox.Store) -> None:
    sectors = concepts(store, "hd:sectors")
    assert sectors["hda:english-degree-courses-technical-institutions"] == {
        "sector:information-technology", "sector:tourism", "sector:automotive",
    }
    assert sectors["hdw:surges"] == {"sector:agriculture", "sector:eco-tourism"}
    assert sectors["hda:supply-chain-working-group-establishment"] == {"sector:semiconductors", "sector:ict"}
    assert len(sectors) == 9
    # a broader concept finds what is filed under a narrower one
    assert concepts(store, "sector:tourism") == {
        "hda:english-degree-courses-technical-institutions": {"sector:tourism"},
        "hdw:surges": {"sector:eco-tourism"},
    }


def test_topics_of_the_forums_and_events(store: ox.Store) -> None:
    topics = concepts(store, "hd:topics")
    assert topics["hda:cybersecurity-best-practices-forum"] == {
        "topic:cybersecurity", "topic:cybersecurity-risk-management",
    }
    assert topics["hde:forum-on-5g-and-beyond"] == {"topic:5g", "topic:ict-infrastructure-deployment"}
    assert topics["hda:first-trilateral-workforce-forum"] == topics["hda:second-trilateral-workforce-forum"] == {
        "topic:workforce-development"
    }
    assert topics["hda:semiconductor-ict-supply-chains-forum"] == {
        "topic:semiconductor-supply-chains", "topic:ict-supply-chains",
    }
    assert topics["hde:technical-education-dialogue"] == {"topic:technical-education"}
    assert topics["hde:apprenticeships-technical-exchange"] == {"topic:apprenticeships"}
    assert len(topics) == 13
    # no pillar or sector is reported as a topic, although both are dcterms:subject by inference
    assert all(c.startswith("topic:") for cs in topics.values() for c in cs)
    rows = answer(store, "sectors-and-topics", within="topic:cybersecurity")
    assert {(r["thing"], r["pillar"]) for r in rows} == {("hda:cybersecurity-best-practices-forum", "pillar:3")}


def test_every_concept_is_sourced_labelled_in_one_scheme_and_used(graph: Graph) -> None:
    problems = list(
        graph.query(
            SPARQL_PROLOGUE
            + """SELECT ?c WHERE {
                 ?c skos:inScheme ?scheme . VALUES ?scheme { hd:sectors hd:topics }
                 FILTER (NOT EXISTS { ?c dcterms:source hd:fact-sheet-2022 }
                      || NOT EXISTS { ?c skos:prefLabel ?l FILTER (LANG(?l) = "en") }
                      || EXISTS { ?c skos:definition ?d }
                      || NOT EXISTS { ?thing hled:sector|dcterms:subject ?c })
               }"""
        )
    )
    assert problems == []
    counts = dict(
        graph.query(SPARQL_PROLOGUE + "SELECT ?s (COUNT(?c) AS ?n) WHERE { ?c skos:inScheme ?s } GROUP BY ?s")
    )
    assert {compact(str(s)): int(n) for s, n in counts.items()} == {"hd:pillars": 4, "hd:sectors": 9, "hd:topics": 20}


def test_which_bodies_are_only_proposed(store: ox.Store) -> None:
    rows = answer(store, "working-groups")
    proposed = {r["group"]: r["reportedBy"] for r in rows if r["state"] == "proposed"}
    assert proposed == {
        "hdo:usmca-emergency-subcommittee": "hda:usmca-emergency-subcommittee-commitment",
        "hdo:critical-infrastructure-working-group": "hda:usmca-emergency-subcommittee-commitment",
    }


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ("DELETE WHERE { topic:5g skos:inScheme ?s }", "A concept is skos:inScheme exactly one scheme"),
        ("DELETE WHERE { sector:eco-tourism rdfs:label ?l }", "Give exactly one rdfs:label"),
        ("INSERT DATA { hdw:surges hled:sector topic:5g }", "hled:sector points to a concept of hd:sectors"),
        ("INSERT DATA { hda:cybersecurity-best-practices-forum dcterms:subject hdo:nist }", "is a concept"),
        ('INSERT DATA { hdo:epa hled:nameInSource "Environmental Protection Agency" }', "language-tagged string"),
    ],
)
def test_shapes_catch_each_mistake(graph: Graph, update: str, message: str) -> None:
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.update(SPARQL_PROLOGUE + update)
    assert [p for p in shacl_problems(broken) if message in p.message]
    assert shacl_problems(graph) == []


# --------------------------------------------------------------------------- corrected statements


def test_every_quote_is_one_sentence(graph: Graph) -> None:
    abbreviations = ("U.S.", "R.")
    for exact in graph.objects(None, URIRef(OA + "exact")):
        text = str(exact)
        for match in re.finditer(r"[.!?][\s\u00a0]+(?=[A-Z“])", text):
            words = text[: match.start() + 1].split()
            assert words[-1].endswith(abbreviations), f"two sentences: {text[: match.end() + 20]!r}"


def test_corrections(graph: Graph) -> None:
    def ask(query: str) -> bool:
        return bool(graph.query(SPARQL_PROLOGUE + query).askAnswer)

    # "$3.4 billion ... at land ports of entry on both U.S. borders": not placed on the U.S.-Mexico border alone
    assert not ask(
        "ASK { hda:bipartisan-infrastructure-law-ports-of-entry-funding prov:atLocation hdl:us-mexico-border }"
    )
    # "The two governments committed to invest in border infrastructure": an act of both
    assert ask(
        """ASK { ?act hled:concerns hdc:border-infrastructure-investment ; hled:status status:committed ;
                      prov:wasAssociatedWith hdo:us-government, hdo:mexico-government }"""
    )
    # "The United States helped organize the first": not its host
    assert not ask("ASK { hda:first-trilateral-workforce-forum prov:qualifiedAssociation/prov:hadRole hled:hostRole }")
    # SURGES is "new" and "will mobilize": announced, never launched or generated
    assert ask("ASK { hda:surges-announcement hled:status status:announced ; hled:concerns hdw:surges }")
    assert not ask("ASK { ?act prov:generated hdw:surges }")
    assert not ask("ASK { ?act a hled:Launch ; prov:used|hled:concerns hdw:surges }")
