"""The dialogue as a series of rounds (data/hled-rounds.ttl): the real answers of the `rounds` query, the
chairs as people holding posts at the round's date, and the rule that every statement names its source.

Expected answers were read off the public records themselves (the USTR joint statements of 2022-09-12 and
2023-09-29, paragraph 1; the State Department release of 2021-09-08, paragraph 1), not copied from output.
"""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, XSD
from test_queries import answer

from hled_graph import resources
from hled_graph.graph import parse_files
from hled_graph.iris import compact
from hled_graph.namespaces import PREFIXES
from hled_graph.sparql import engine

HLED = Namespace(PREFIXES["hled"])
SCHEMA = Namespace(PREFIXES["schema"])
TIME = Namespace(PREFIXES["time"])
ROUNDS_FILE = resources.data_dir() / "hled-rounds.ttl"
# "paragraph N", "section HEADING, paragraph N", or "title" (a round's name is its document's title)
LOCATOR = re.compile(r"title|(section [^,]+, )?paragraph [1-9][0-9]*")

US, MX = "United States", "Mexico"
CHAIRS = {
    "round:2022": {
        ("hdp:antony-blinken", "U.S. Secretary of State", US),
        ("hdp:gina-raimondo", "U.S. Secretary of Commerce", US),
        ("hdp:jayme-white", "Deputy U.S. Trade Representative", US),
        ("hdp:ken-salazar", "U.S. Ambassador to Mexico", US),
        ("hdp:tatiana-clouthier", "Secretary of Economy of Mexico", MX),
        ("hdp:marcelo-ebrard", "Secretary of Foreign Relations of Mexico", MX),
        ("hdp:rogelio-ramirez", "Secretary of Finance and Public Credit of Mexico", MX),
        ("hdp:esteban-moctezuma", "Ambassador of Mexico to the United States", MX),
    },
    "round:2023": {
        ("hdp:antony-blinken", "U.S. Secretary of State", US),
        ("hdp:gina-raimondo", "U.S. Secretary of Commerce", US),
        ("hdp:katherine-tai", "U.S. Trade Representative", US),
        ("hdp:ken-salazar", "U.S. Ambassador to Mexico", US),
        ("hdp:alicia-barcena", "Secretary of Foreign Relations of Mexico", MX),
        ("hdp:raquel-buenrostro", "Secretary of Economy of Mexico", MX),
        ("hdp:esteban-moctezuma", "Ambassador of Mexico to the United States", MX),
    },
}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return answer(engine.load_store(), "rounds")


@pytest.fixture(scope="module")
def rounds_graph() -> Graph:
    return Graph().parse(ROUNDS_FILE)


def test_three_rounds_with_their_dates_and_places(rows: list[dict[str, object]]) -> None:
    assert {(r["round"], r["date"], r["place"]) for r in rows} == {
        ("round:2021", "2021-09-09", "Washington, D.C."),
        ("round:2022", "2022-09-12", "Mexico City"),
        ("round:2023", "2023-09-29", "Washington, D.C."),
    }
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_the_chairs_of_each_round_on_both_sides(rows: list[dict[str, object]]) -> None:
    chairs: dict[object, set[tuple[object, object, object]]] = {}
    for r in rows:
        if r["role"] == "chair":
            chairs.setdefault(r["round"], set()).add((r["item"], r["post"], r["side"]))
    # No public record found names the chairs of 2021 (the State Department lists delegations), so none is stated.
    assert chairs == CHAIRS
    names = {r["item"]: r["name"] for r in rows if r["role"] == "chair"}
    assert names["hdp:antony-blinken"] == "Antony J. Blinken" and names["hdp:alicia-barcena"] == "Alicia Bárcena"


def test_the_documents_of_each_round_with_title_publisher_and_url(rows: list[dict[str, object]]) -> None:
    documents = {(r["round"], r["item"], r["side"], r["url"]) for r in rows if r["role"] == "document"}
    ustr = "https://ustr.gov/about-us/policy-offices/press-office/press-releases/"
    assert {
        (
            "round:2021",
            "hd:state-department-release-2021-09-08",
            "U.S. Department of State",
            "https://www.state.gov/secretary-blinken-to-participate-in-u-s-mexico-high-level-economic-dialogue/",
        ),
        (
            "round:2021",
            "hd:white-house-fact-sheet-2021-09-09",
            "The White House",
            "https://bidenwhitehouse.archives.gov/briefing-room/statements-releases/2021/09/09/"
            "fact-sheet-u-s-mexico-high-level-economic-dialogue/",
        ),
        (
            "round:2022",
            "hd:joint-statement-2022",
            "Office of the United States Trade Representative",
            ustr + "2022/september/joint-statement-following-2022-us-mexico-high-level-economic-dialogue",
        ),
        (
            "round:2023",
            "hd:joint-statement-2023",
            "Office of the United States Trade Representative",
            ustr + "2023/september/joint-statement-following-2023-us-mexico-high-level-economic-dialogue",
        ),
    } <= documents
    titles = {r["item"]: r["name"] for r in rows if r["role"] == "document"}
    assert titles["hd:joint-statement-2023"] == (
        "Joint Statement Following the 2023 U.S.-Mexico High-Level Economic Dialogue"
    )


def test_each_chair_held_the_post_at_the_date_of_the_round(rounds_graph: Graph) -> None:
    checked = 0
    for round_, membership in rounds_graph.subject_objects(HLED.chair):
        assert isinstance(membership, BNode) and (membership, RDF.type, ORG.Membership) in rounds_graph
        person = rounds_graph.value(membership, ORG.member)
        post = rounds_graph.value(membership, HLED.post)
        assert (post, ORG.heldBy, person) in rounds_graph
        assert rounds_graph.value(membership, ORG.organization) == rounds_graph.value(post, ORG.postIn)
        interval = rounds_graph.value(membership, ORG.memberDuring)
        instant = rounds_graph.value(interval, TIME.inside)
        assert rounds_graph.value(instant, TIME.inXSDDate) == rounds_graph.value(round_, SCHEMA.startDate)
        checked += 1
    assert checked == sum(len(chairs) for chairs in CHAIRS.values())


def test_the_dialogue_was_established_in_2013_and_relaunched_in_2021(rounds_graph: Graph) -> None:
    dialogue = URIRef(PREFIXES["hd"] + "hled")
    ((establishment, date, record, locator),) = rounds_graph.query(
        """SELECT ?e ?date ?record ?locator WHERE {
             ?e a org:ChangeEvent ; org:resultingOrganization ?d ; time:hasTime/time:inXSDDate ?date ;
                dcterms:source ?record ; hled:locator ?locator }""",
        initNs={"org": ORG, "time": TIME, "dcterms": DCTERMS, "hled": HLED},
        initBindings={"d": dialogue},
    )
    assert compact(str(establishment)) == "hd:hled-establishment"
    assert date == Literal("2013-05-02", datatype=XSD.date)
    # the record of the establishment itself (Obama and Peña Nieto, Mexico City, 2013-05-02)
    assert rounds_graph.value(record, DCTERMS.issued) == Literal("2013-05-02", datatype=XSD.date)
    assert str(rounds_graph.value(record, FOAF.page)).startswith("https://obamawhitehouse.archives.gov/")
    assert str(locator) == "section Economic Competitiveness, paragraph 2"
    # the relaunch changes the dialogue, it does not create it
    everything = parse_files(resources.data_files())
    relaunch = URIRef(PREFIXES["hda"] + "hled-relaunch")
    assert (relaunch, ORG.originalOrganization, dialogue) in everything
    assert (relaunch, ORG.resultingOrganization, dialogue) in everything
    assert (relaunch, URIRef(PREFIXES["prov"] + "generated"), dialogue) not in everything
    assert (relaunch, DCTERMS.isPartOf, URIRef(PREFIXES["round"] + "2021")) in everything


def unsourced(graph: Graph) -> list[str]:
    """The named subjects that are no document node and lack a dcterms:source pointing to one, or a
    hled:locator in the expected form."""
    documents = set(graph.subjects(RDF.type, FOAF.Document))
    problems = []
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)} - documents):
        sources = set(graph.objects(subject, DCTERMS.source))
        locators = [str(o) for o in graph.objects(subject, HLED.locator)]
        if not sources or not sources <= documents:
            problems.append(f"{compact(str(subject))}: no dcterms:source to a document node")
        if not locators or not all(LOCATOR.fullmatch(locator) for locator in locators):
            problems.append(f"{compact(str(subject))}: no hled:locator of the form 'section …, paragraph N'")
    return problems


def test_every_named_subject_names_its_document_and_where_in_it(rounds_graph: Graph) -> None:
    assert unsourced(rounds_graph) == []
    documents = set(rounds_graph.subjects(RDF.type, FOAF.Document))
    assert len(documents) == 5
    for document in documents:
        page = str(rounds_graph.value(document, FOAF.page))
        assert re.fullmatch(r"https://(ustr\.gov|www\.state\.gov|(obama|biden)whitehouse\.archives\.gov)/\S+", page)
        assert rounds_graph.value(document, DCTERMS.title) and rounds_graph.value(document, DCTERMS.issued)
        assert rounds_graph.value(document, DCTERMS.publisher)


def test_the_source_check_names_what_lacks_a_source(rounds_graph: Graph) -> None:
    broken = Graph() + rounds_graph
    person = URIRef(PREFIXES["hdp"] + "somebody")
    broken.add((person, RDF.type, SCHEMA.Person))
    broken.add((URIRef(PREFIXES["hdp"] + "ken-salazar"), HLED.locator, Literal("somewhere")))
    assert unsourced(broken) == [
        "hdp:ken-salazar: no hled:locator of the form 'section …, paragraph N'",
        "hdp:somebody: no dcterms:source to a document node",
        "hdp:somebody: no hled:locator of the form 'section …, paragraph N'",
    ]

