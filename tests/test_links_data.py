"""The Wikidata links (data/links.ttl) and their evidence file (data/links-evidence.tsv) agree.

RDF facts are read with SPARQL over the parsed links graph; class hints and the registry come
from the evidence file and docs/MODEL.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.graph import parse_file
from hled_graph.namespaces import ID, SPARQL_PROLOGUE
from hled_graph.publish.coverage import (
    COLUMNS,
    NO_ITEM,
    CoverageRow,
    coverage_markdown,
    coverage_rows,
)

WD = "http://www.wikidata.org/entity/"
MODEL_FILE = Path(__file__).resolve().parent.parent / "docs" / "MODEL.md"
REGISTRY_PREFIXES = {"hdo:": ID + "org/", "hdp:": ID + "person/", "hdl:": ID + "place/", "hdw:": ID + "work/"}
ORGANIZATION_HINTS = {
    "national-government",
    "executive-office",
    "government-agency",
    "ministry",
    "embassy",
    "university",
    "ngo",
    "intergovernmental-body",
    "working-group",
    "stakeholder-group",
}
ISO_3166 = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")


@pytest.fixture(scope="module")
def links() -> Graph:
    return parse_file(resources.links_file())


@pytest.fixture(scope="module")
def rows() -> list[CoverageRow]:
    return coverage_rows()


def select(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(SPARQL_PROLOGUE + query)]


def registry_iris() -> set[str]:
    """The fixed entity IRIs listed in the "Entity registry" section of docs/MODEL.md."""
    text = MODEL_FILE.read_text(encoding="utf-8").split("## Entity registry", 1)[1]
    iris: set[str] = set()
    prefix = None
    for match in re.finditer(r"`([a-z]+:)`:|`([a-z0-9-]+)`", text):
        if match.group(1):
            prefix = match.group(1)
        elif prefix is not None:
            iris.add(REGISTRY_PREFIXES[prefix] + match.group(2))
    return iris


def link_triples(links: Graph) -> set[tuple[str, str, str, str]]:
    """(entity, relation as CURIE, QID, English label) for every link in links.ttl."""
    found = select(
        links,
        """
        SELECT ?entity ?relation ?item ?label WHERE {
          VALUES ?relation { owl:sameAs skos:exactMatch skos:closeMatch }
          ?entity ?relation ?item .
          OPTIONAL { ?item rdfs:label ?label FILTER (lang(?label) = "en") }
        }
        """,
    )
    curie = {
        "http://www.w3.org/2002/07/owl#sameAs": "owl:sameAs",
        "http://www.w3.org/2004/02/skos/core#exactMatch": "skos:exactMatch",
        "http://www.w3.org/2004/02/skos/core#closeMatch": "skos:closeMatch",
    }
    return {
        (str(entity), curie[str(relation)], str(item).removeprefix(WD), str(label) if label else "")
        for entity, relation, item, label in found
    }


def test_links_file_parses_into_a_non_trivial_graph(links: Graph) -> None:
    assert len(links) > 50


def test_every_link_in_the_graph_is_in_the_evidence_file_and_back(links: Graph, rows) -> None:
    in_graph = link_triples(links)
    in_file = {(row.entity_iri, row.relation, row.qid, row.wikidata_label) for row in rows if row.linked}
    assert in_graph == in_file
    assert len(in_file) >= 20


def test_links_point_at_wikidata_items(links: Graph) -> None:
    for _entity, _relation, qid, _label in link_triples(links):
        assert re.fullmatch(r"Q[1-9][0-9]*", qid), qid


def test_every_linked_item_has_an_english_label_and_evidence(links: Graph) -> None:
    lacking = select(
        links,
        """
        SELECT DISTINCT ?item WHERE {
          VALUES ?relation { owl:sameAs skos:exactMatch skos:closeMatch }
          ?entity ?relation ?item .
          FILTER (
            NOT EXISTS { ?item rdfs:label ?label FILTER (lang(?label) = "en") }
            || NOT EXISTS { ?item hled:evidence ?evidence }
          )
        }
        """,
    )
    assert lacking == []


def test_evidence_in_the_graph_matches_the_evidence_file(links: Graph, rows) -> None:
    for row in (row for row in rows if row.linked):
        found = {
            str(evidence)
            for (evidence,) in select(links, f"SELECT ?e WHERE {{ wd:{row.qid} hled:evidence ?e }}")
        }
        assert found == {row.evidence_1, row.evidence_2}, row.entity_iri


def test_weaker_relations_say_why(links: Graph) -> None:
    unexplained = select(
        links,
        """
        SELECT ?entity WHERE {
          VALUES ?relation { skos:exactMatch skos:closeMatch }
          ?entity ?relation ?item .
          FILTER NOT EXISTS { ?entity hled:linkNote ?note FILTER (lang(?note) = "en") }
        }
        """,
    )
    assert unexplained == []


def test_no_two_entities_are_the_same_as_one_item(links: Graph) -> None:
    shared = select(
        links,
        """
        SELECT ?item (COUNT(DISTINCT ?entity) AS ?n) WHERE { ?entity owl:sameAs ?item }
        GROUP BY ?item HAVING (COUNT(DISTINCT ?entity) > 1)
        """,
    )
    assert shared == []


def test_no_organization_is_the_same_as_a_country(links: Graph, rows) -> None:
    hint_of = {row.entity_iri: row.class_hint for row in rows}
    country_items = {
        str(item)
        for entity, item in select(links, "SELECT ?e ?i WHERE { ?e owl:sameAs ?i }")
        if hint_of[str(entity)] == "country"
    }
    assert {WD + "Q30", WD + "Q96", WD + "Q16"} <= country_items
    for entity, item in select(links, "SELECT ?e ?i WHERE { ?e owl:sameAs ?i }"):
        if hint_of[str(entity)] in ORGANIZATION_HINTS:
            assert str(item) not in country_items, entity


def test_iso_codes_follow_iso_3166(links: Graph) -> None:
    found = select(links, "SELECT ?p ?c WHERE { ?p hled:iso3166Code ?c }")
    codes = {str(place): str(code) for place, code in found}
    assert codes, "links.ttl carries no ISO 3166 codes"
    for place, code in codes.items():
        assert ISO_3166.fullmatch(code), (place, code)
    place = ID + "place/"
    assert codes == {
        place + "united-states": "US",
        place + "mexico": "MX",
        place + "canada": "CA",
        place + "veracruz": "MX-VER",
        place + "oaxaca": "MX-OAX",
        place + "queretaro": "MX-QUE",
        place + "yucatan": "MX-YUC",
        place + "quintana-roo": "MX-ROO",
        place + "baja-california": "MX-BCN",
        place + "mexico-city": "MX-CMX",
        place + "texas": "US-TX",
        place + "california": "US-CA",
    }


def test_iso_codes_are_plain_literals(links: Graph) -> None:
    for (code,) in select(links, "SELECT ?c WHERE { ?p hled:iso3166Code ?c }"):
        assert isinstance(code, Literal) and code.datatype is None and code.language is None


def test_the_country_trap_is_avoided(links: Graph) -> None:
    mexico = URIRef(ID + "place/mexico")
    government = URIRef(ID + "org/mexico-government")
    assert select(links, f"SELECT ?i WHERE {{ <{mexico}> owl:sameAs ?i }}") == [(URIRef(WD + "Q96"),)]
    assert select(links, f"SELECT ?i WHERE {{ <{government}> owl:sameAs ?i }}") == []


def test_evidence_file_covers_exactly_the_registry(rows) -> None:
    in_file = [row.entity_iri for row in rows]
    assert len(in_file) == len(set(in_file)), "an entity has two rows"
    assert set(in_file) == registry_iris()
    assert all(iri.startswith(tuple(REGISTRY_PREFIXES.values())) for iri in in_file)


def test_evidence_file_is_sorted_by_entity(rows) -> None:
    in_file = [row.entity_iri for row in rows]
    assert in_file == sorted(in_file)


def test_unlinked_entities_say_so(rows) -> None:
    unlinked = [row for row in rows if not row.linked]
    assert unlinked
    assert all(row.note.startswith(NO_ITEM) and not row.relation for row in unlinked)


def test_subjects_in_links_file_are_sorted(links: Graph) -> None:
    text = resources.links_file().read_text(encoding="utf-8")
    subjects = [
        line for line in text.splitlines() if line and not line[0].isspace() and line[0] not in "#@"
    ]
    namespaces = {"wd:": WD, **REGISTRY_PREFIXES}

    def expand(name: str) -> str:
        prefix, local = name.split(":", 1)
        return namespaces[prefix + ":"] + local

    expanded = [expand(name) for name in subjects]
    assert expanded == sorted(expanded)
    assert len(expanded) == len(set(expanded))


def test_coverage_markdown_has_one_row_per_entity(rows) -> None:
    table = coverage_markdown()
    body = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(body) == len(rows)
    assert "| `hdl:mexico` | [Q96](https://www.wikidata.org/wiki/Q96) Mexico | `owl:sameAs` |" in table
    conagua = next(line for line in body if line.startswith("| `hdo:conagua` |"))
    assert conagua.startswith(f"| `hdo:conagua` | {NO_ITEM} |  |")
    linked = sum(row.linked for row in rows)
    assert table.startswith(f"{linked} of {len(rows)} registry entities are linked to Wikidata")


def test_coverage_markdown_keeps_quoted_code_literal() -> None:
    row = CoverageRow(
        ID + "place/somewhere", "region", "Q1", "owl:sameAs", "Some|where",
        "a <div>x</div> source", "another source", "",
    )
    line = coverage_markdown(rows=[row]).splitlines()[-1]
    assert "Some\\|where" in line
    assert "&lt;div&gt;x&lt;/div&gt;" in line
    assert line.count(" | ") == 3


def write_tsv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "links-evidence.tsv"
    path.write_text("\n".join(["\t".join(COLUMNS), *lines]) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_input_errors_with_file_and_line(tmp_path: Path) -> None:
    entity = ID + "place/somewhere"
    cases = {
        "\t".join([entity, "region", "Q1", "owl:sameAs", "Somewhere", "one", "two"]): "7 tab-separated",
        "\t".join([entity, "region", "X1", "owl:sameAs", "Somewhere", "one", "two", ""]): "not a Wikidata",
        "\t".join([entity, "region", "Q1", "owl:sameAs", "Somewhere", "one", "", ""]): "two evidence sources",
        "\t".join([entity, "region", "Q1", "rdfs:seeAlso", "Somewhere", "one", "two", ""]): "relation",
        "\t".join([entity, "region", "", "", "", "", "", "unknown"]): NO_ITEM,
        "\t".join(["somewhere", "region", "", "", "", "", "", NO_ITEM]): "not an IRI",
    }
    for line, message in cases.items():
        path = write_tsv(tmp_path, line)
        with pytest.raises(InputError) as caught:
            coverage_rows(path=path)
        assert f"{path}:2:" in caught.value.message
        assert message in caught.value.message


def test_missing_or_headless_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        coverage_rows(path=tmp_path / "absent.tsv")
    headless = tmp_path / "headless.tsv"
    headless.write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(InputError, match=":1: the header"):
        coverage_rows(path=headless)
