"""The Wikidata mapping set (data/links.sssom.tsv) is valid SSSOM, and the links graph (data/links.ttl) is made from it.

The mapping set is read and validated with the `sssom` package; RDF facts are read with SPARQL over
the parsed links graph; the registry comes from docs/MODEL.md.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from sssom.cli import main as sssom_cli

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.graph import parse_file
from hled_graph.namespaces import ID, SPARQL_PROLOGUE
from hled_graph.publish.coverage import NO_ITEM, coverage_markdown
from hled_graph.publish.mapping_set import (
    LINK_PREDICATES,
    NO_TERM_FOUND,
    Mapping,
    MappingSet,
    links_turtle,
    mapping_set_file,
    read_mapping_set,
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
IN_GRAPH = {URIRef(iri): curie for curie, iri in LINK_PREDICATES.items()}


@pytest.fixture(scope="module")
def links() -> Graph:
    return parse_file(resources.links_file())


@pytest.fixture(scope="module")
def mapping_set() -> MappingSet:
    return read_mapping_set()


@pytest.fixture(scope="module")
def mappings(mapping_set: MappingSet) -> tuple[Mapping, ...]:
    return mapping_set.mappings


def select(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(SPARQL_PROLOGUE + "PREFIX sssom: <https://w3id.org/sssom/>\n" + query)]


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
    """(entity, SSSOM predicate, QID, English label) for every link in the links graph."""
    found = select(
        links,
        """
        SELECT ?entity ?relation ?item ?label WHERE {
          VALUES ?relation { owl:sameAs skos:exactMatch skos:closeMatch skos:broadMatch }
          ?entity ?relation ?item .
          OPTIONAL { ?item rdfs:label ?label FILTER (lang(?label) = "en") }
        }
        """,
    )
    return {
        (str(entity), IN_GRAPH[relation], str(item).removeprefix(WD), str(label) if label else "")
        for entity, relation, item, label in found
    }


# --- the mapping set is SSSOM ------------------------------------------------------------------


def sssom_validate(path: Path) -> Result:
    """`sssom validate PATH`, the package's own command (JSON Schema, prefix map, CURIE format)."""
    return CliRunner().invoke(sssom_cli, ["validate", str(path)])


def test_sssom_validate_passes_on_the_mapping_set() -> None:
    result = sssom_validate(mapping_set_file())
    assert result.exit_code == 0, result.output or repr(result.exception)


def test_sssom_validate_refuses_a_broken_copy(tmp_path: Path) -> None:
    text = mapping_set_file().read_text(encoding="utf-8")
    for old, new in (("semapv:ManualMappingCuration", "semapv:GuessedFromMemory"), ("hdo:epa\t", "xyz:epa\t")):
        broken = tmp_path / "links.sssom.tsv"
        broken.write_text(text.replace(old, new, 1), encoding="utf-8")
        result = sssom_validate(broken)
        assert result.exit_code != 0 and "validation error" in str(result.exception), (old, result.output)


def test_the_links_graph_is_the_one_the_mapping_set_gives(mapping_set: MappingSet) -> None:
    shipped = resources.links_file().read_text(encoding="utf-8")
    assert shipped == links_turtle(mapping_set), "data/links.ttl is stale: run `python tools/build_links.py`"


def test_one_row_per_registry_entity(mappings) -> None:
    subjects = [mapping.subject for mapping in mappings]
    assert len(subjects) == len(set(subjects))
    assert set(subjects) == registry_iris()
    assert {ID + "org/semarnat", ID + "org/secretaria-salud"} <= set(subjects)


# --- the evidence ------------------------------------------------------------------------------


def test_every_link_has_two_independent_sources_a_reader_can_open(mappings) -> None:
    linked = [mapping for mapping in mappings if mapping.linked]
    assert len(linked) >= 20
    for mapping in linked:
        owners = {_owner(url) for url in mapping.see_also}
        assert len(mapping.see_also) == 2 and len(owners) == 2, (mapping.subject_curie, owners)
        assert "Source 1:" in mapping.comment and "Source 2:" in mapping.comment, mapping.subject_curie
        assert re.search(r"retrieved 2026-12-01", mapping.comment), mapping.subject_curie
        assert mapping.confidence == 0.95 and mapping.justification == "semapv:ManualMappingCuration"


def _owner(url: str) -> str:
    """Who publishes a source: the GitHub owner (one author's repositories count once), or the host."""
    parts = urlsplit(url)
    return parts.path.split("/")[1] if parts.netloc == "github.com" else parts.netloc


def test_no_source_is_an_index_id_a_reader_cannot_resolve(links: Graph) -> None:
    for text in (mapping_set_file().read_text(encoding="utf-8"), resources.links_file().read_text(encoding="utf-8")):
        assert "search-index" not in text and "hit " not in text


def test_github_sources_are_pinned_to_a_commit(mappings) -> None:
    urls = [url for mapping in mappings for url in mapping.see_also]
    github = [url for url in urls if url.startswith("https://github.com/")]
    assert len(github) >= 40
    assert all(re.fullmatch(r"https://github\.com/[^/]+/[^/]+/blob/[0-9a-f]{40}/.+", url) for url in github)
    assert sum("#L" in url for url in github) >= 30, "most sources point at their lines"


def test_the_evidence_is_on_the_mapping_not_on_the_item(links: Graph) -> None:
    on_items = select(links, "SELECT DISTINCT ?p WHERE { ?item ?p ?o FILTER STRSTARTS(STR(?item), STR(wd:)) }")
    assert on_items == [(URIRef("http://www.w3.org/2000/01/rdf-schema#label"),)]
    lacking = select(
        links,
        """
        SELECT ?entity WHERE {
          VALUES ?relation { owl:sameAs skos:closeMatch skos:broadMatch }
          ?entity ?relation ?item
          FILTER NOT EXISTS {
            ?mapping a owl:Axiom ; owl:annotatedSource ?entity ; owl:annotatedTarget ?item ;
                     sssom:mapping_justification ?how ; rdfs:comment ?why ; rdfs:seeAlso ?one, ?two .
            FILTER (?one != ?two)
          }
        }
        """,
    )
    assert lacking == []


def test_every_mapping_is_a_node_of_the_mapping_set(links: Graph, mapping_set: MappingSet) -> None:
    nodes = {str(node) for (node,) in select(links, "SELECT ?m WHERE { ?set a sssom:MappingSet ; sssom:mappings ?m }")}
    assert nodes == {mapping_set.node(mapping) for mapping in mapping_set.mappings}
    unlinked = select(links, "SELECT (COUNT(?m) AS ?n) WHERE { ?m owl:annotatedTarget sssom:NoTermFound }")
    assert int(unlinked[0][0]) == sum(not mapping.linked for mapping in mapping_set.mappings)


# --- the links ---------------------------------------------------------------------------------


def test_every_link_in_the_graph_is_in_the_mapping_set_and_back(links: Graph, mappings) -> None:
    in_graph = link_triples(links)
    in_set = {(m.subject, m.predicate, m.qid, m.object_label) for m in mappings if m.linked}
    assert in_graph == in_set


def test_identity_is_owl_same_as_and_part_of_is_broad_match(links: Graph) -> None:
    def relation(entity: str) -> list[tuple]:
        return select(links, f"SELECT ?p ?i WHERE {{ <{ID}{entity}> ?p ?i FILTER STRSTARTS(STR(?i), STR(wd:)) }}")

    same_as, broad, close = (URIRef(LINK_PREDICATES[p]) for p in ("skos:exactMatch", "skos:broadMatch", "skos:closeMatch"))
    assert relation("place/north-america") == [(broad, URIRef(WD + "Q49"))]
    assert relation("place/northern-central-america") == [(broad, URIRef(WD + "Q27611"))]
    assert relation("org/white-house") == [(close, URIRef(WD + "Q1355327"))]
    assert relation("person/andres-manuel-lopez-obrador") == [(same_as, URIRef(WD + "Q318508"))]
    assert relation("org/dol") == relation("org/ed") == relation("org/conagua") == relation("place/tijuana") == []


def test_weaker_predicates_say_why(mappings) -> None:
    weaker = [mapping for mapping in mappings if mapping.linked and mapping.predicate != "skos:exactMatch"]
    assert {mapping.predicate for mapping in weaker} == {"skos:closeMatch", "skos:broadMatch"}
    for mapping in weaker:
        assert mapping.comment.startswith(mapping.predicate.removeprefix("skos:") + ":"), mapping.subject_curie


def test_no_two_entities_are_the_same_as_one_item(links: Graph) -> None:
    shared = select(
        links,
        """
        SELECT ?item (COUNT(DISTINCT ?entity) AS ?n) WHERE { ?entity owl:sameAs ?item }
        GROUP BY ?item HAVING (COUNT(DISTINCT ?entity) > 1)
        """,
    )
    assert shared == []


def test_no_organization_is_the_same_as_a_country(links: Graph, mappings) -> None:
    hint_of = {mapping.subject: mapping.category for mapping in mappings}
    same_as = select(links, "SELECT ?e ?i WHERE { ?e owl:sameAs ?i }")
    country_items = {str(item) for entity, item in same_as if hint_of[str(entity)] == "country"}
    assert {WD + "Q30", WD + "Q96", WD + "Q16"} <= country_items
    for entity, item in same_as:
        if hint_of[str(entity)] in ORGANIZATION_HINTS:
            assert str(item) not in country_items, entity


def test_the_country_trap_is_avoided(links: Graph) -> None:
    mexico = URIRef(ID + "place/mexico")
    government = URIRef(ID + "org/mexico-government")
    assert select(links, f"SELECT ?i WHERE {{ <{mexico}> owl:sameAs ?i }}") == [(URIRef(WD + "Q96"),)]
    assert select(links, f"SELECT ?i WHERE {{ <{government}> owl:sameAs ?i }}") == []


def test_iso_codes_follow_iso_3166(links: Graph) -> None:
    codes = {str(place): code for place, code in select(links, "SELECT ?p ?c WHERE { ?p hled:iso3166Code ?c }")}
    for place, code in codes.items():
        assert isinstance(code, Literal) and code.datatype is None and code.language is None
        assert ISO_3166.fullmatch(str(code)), (place, code)
    place = ID + "place/"
    assert {iri: str(code) for iri, code in codes.items()} == {
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


def test_unlinked_entities_say_what_was_searched(mappings) -> None:
    unlinked = {mapping.subject_curie: mapping for mapping in mappings if not mapping.linked}
    assert all(mapping.comment.startswith(NO_ITEM) and not mapping.see_also for mapping in unlinked.values())
    for withdrawn in ("hdo:nist", "hdo:university-of-california", "hdl:latin-america", "hdl:tijuana", "hdl:san-diego"):
        assert "withdrawn" in unlinked[withdrawn].comment, withdrawn
    for candidate, qid in (("hdo:dol", "Q628807"), ("hdw:usmca", "Q56839716"), ("hdo:mexico-government", "Q5440529")):
        assert f"candidate {qid} has one source" in unlinked[candidate].comment


# --- the README table ---------------------------------------------------------------------------


def test_coverage_markdown_has_one_row_per_entity(mappings) -> None:
    table = coverage_markdown()
    body = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(body) == len(mappings)
    mexico = next(line for line in body if line.startswith("| `hdl:mexico` |"))
    assert mexico.startswith("| `hdl:mexico` | [Q96](https://www.wikidata.org/wiki/Q96) Mexico | `skos:exactMatch` |")
    assert "[integrateddatasvc/agency-registry](https://github.com/integrateddatasvc/agency-registry/blob/" in mexico
    conagua = next(line for line in body if line.startswith("| `hdo:conagua` |"))
    assert conagua.startswith(f"| `hdo:conagua` | {NO_ITEM} |  | searched ")
    linked = sum(mapping.linked for mapping in mappings)
    assert table.startswith(f"{linked} of {len(mappings)} registry entities are linked to Wikidata (")


def test_coverage_markdown_keeps_quoted_code_literal() -> None:
    mapping = Mapping(
        subject=ID + "place/somewhere", subject_label="Somewhere", category="region", predicate="skos:exactMatch",
        qid="Q1", object_label="Some|where", justification="semapv:ManualMappingCuration", confidence=0.95,
        author="", date="", see_also=("https://ror.org/012345678",), comment="a <div>x</div> source", iso3166_code="",
    )
    line = coverage_markdown(mappings=(mapping,)).splitlines()[-1]
    assert "Some\\|where" in line
    assert line.count(" | ") == 3


# --- a bad mapping set is refused in one line ------------------------------------------------------


def write_set(tmp_path: Path, *rows: str) -> Path:
    """A copy of the shipped mapping set's header with ``rows`` as its body."""
    header = [line for line in mapping_set_file().read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    columns = next(line for line in mapping_set_file().read_text(encoding="utf-8").splitlines() if line.startswith("subject_id"))
    path = tmp_path / "links.sssom.tsv"
    path.write_text("\n".join([*header, columns, *rows]) + "\n", encoding="utf-8")
    return path


GOOD_SOURCES = (
    "https://github.com/a/b/blob/" + "0" * 40 + "/x.json#L1|https://github.com/c/d/blob/" + "1" * 40 + "/y.json#L2"
)


def row(**changes: str) -> str:
    fields = {
        "subject_id": "hdl:somewhere", "subject_label": "Somewhere", "subject_category": "region",
        "predicate_id": "skos:exactMatch", "object_id": "wikidata:Q1", "object_label": "Somewhere",
        "mapping_justification": "semapv:ManualMappingCuration", "confidence": "0.95", "author_label": "someone",
        "mapping_date": "2026-12-01", "see_also": GOOD_SOURCES,
        "comment": "Source 1: x. Source 2: y. Both sources retrieved 2026-12-01.", "other": "",
    }
    fields.update(changes)
    return "\t".join(fields.values())


def test_a_good_row_reads(tmp_path: Path) -> None:
    (mapping,) = read_mapping_set(path=write_set(tmp_path, row(other="iso3166Code=XX-YY"))).mappings
    assert (mapping.subject, mapping.qid, mapping.iso3166_code) == (ID + "place/somewhere", "Q1", "XX-YY")
    assert len(mapping.see_also) == 2


def test_bad_rows_are_input_errors_naming_file_and_entity(tmp_path: Path) -> None:
    cases = {
        row(predicate_id="rdfs:seeAlso"): "is not one of skos:exactMatch",
        row(see_also=GOOD_SOURCES.split("|")[0]): "two sources a reader can open",
        row(see_also="https://example.org/a|https://example.org/b"): "two sources a reader can open",
        row(comment="Source 1: x. Source 2: y."): "when it was retrieved",
        row(object_id="hdl:mexico"): "neither a Wikidata item",
        row(object_id=NO_TERM_FOUND, object_label="", confidence=""): "has no see_also or confidence",
        row(other="iso=MX"): "other must be iso3166Code=",
        row(subject_id="wikidata:Q5"): "not an entity of ours",
        row(mapping_justification="skos:exactMatch"): "is not a semapv: term",
    }
    for bad, message in cases.items():
        path = write_set(tmp_path, bad)
        with pytest.raises(InputError) as caught:
            read_mapping_set(path=path)
        assert caught.value.message.startswith(f"{path}: ") and message in caught.value.message, caught.value.message
        assert "\n" not in caught.value.message


def test_two_rows_for_one_entity_are_refused(tmp_path: Path) -> None:
    path = write_set(tmp_path, row(), row(object_id="wikidata:Q2"))
    with pytest.raises(InputError, match="hdl:somewhere has more than one row"):
        read_mapping_set(path=path)


def test_missing_or_unreadable_set_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_mapping_set(path=tmp_path / "absent.sssom.tsv")
    garbage = tmp_path / "garbage.sssom.tsv"
    shutil.copy(Path(__file__), garbage)
    with pytest.raises(InputError, match=r"not an SSSOM table|not well-formed"):
        read_mapping_set(path=garbage)


def test_a_row_sssom_drops_is_refused_not_lost(tmp_path: Path) -> None:
    path = write_set(tmp_path, row(), row(subject_id="hdl:elsewhere", predicate_id=""))
    with pytest.raises(InputError, match="2 rows, of which sssom read 1"):
        read_mapping_set(path=path)
