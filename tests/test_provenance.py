"""Every action is quoted from the fact sheet, exactly, at the right offsets, and never from noise."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.graph import parse_files
from hled_graph.namespaces import PREFIXES, SPARQL_PROLOGUE
from hled_graph.provenance import check_quotes, page_noise_spans, quote_selectors, source_text

OA = PREFIXES["oa"]

# Garbled names of the paraphrased source; each occurs in the file, none may become a name.
PARAPHRASED_NAMES = [
    "Excessive-Degree",
    "Financial Dialogue",
    "Provide Chain",
    "Environmental Safety Company",
    "Nationwide Water Council",
    "Company for Worldwide Growth",
    "Economic system",
    "Overseas Relations",
    "Discussion board",
    "Affluent",
    "Producing Employment",
    "Privateness",
    "Basis for Science",
    "Group School",
    "Skilled Technical Training",
    "Small Enterprise Growth",
    "Federal Fee",
    "Sanitary Dangers",
    "Medical Gadgets",
    "World Methane Pledge",
    "Infrastructure Regulation",
    "Free Commerce Fee",
    "Transport Electrification",
    "Mexico Metropolis",
    "Division of Labor",
    "Division of Training",
    "Financial Growth Administrators",
    "Requirements and Expertise",
    "College of California",
    "Girls Entrepreneurs",
    "e-business",
]

NAME_PROPERTIES = (
    "rdfs:label skos:prefLabel skos:altLabel dcterms:description schema:name skos:definition"
)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return parse_files(resources.data_files())


@pytest.fixture(scope="module")
def text() -> str:
    return source_text()


def test_every_action_has_exactly_one_annotation_named_like_it(graph: Graph) -> None:
    rows = graph.query(SPARQL_PROLOGUE + """
        SELECT ?action (COUNT(?annotation) AS ?n) WHERE {
          ?action a prov:Activity ; hled:partOfDialogue hd:hled .
          OPTIONAL { ?annotation a oa:Annotation ; oa:hasBody ?action }
        } GROUP BY ?action""")
    counts = {str(row.action): int(row.n) for row in rows}
    assert len(counts) >= 35
    assert {action: n for action, n in counts.items() if n != 1} == {}
    for row in graph.query(
        SPARQL_PROLOGUE + "SELECT ?q ?a WHERE { ?q a oa:Annotation ; oa:hasBody ?a }"
    ):
        assert str(row.q).rsplit("/", 1)[1] == str(row.a).rsplit("/", 1)[1]
        assert str(row.q).startswith(PREFIXES["hdq"]) and str(row.a).startswith(PREFIXES["hda"])


def test_every_annotation_describes_the_fact_sheet(graph: Graph) -> None:
    rows = graph.query(SPARQL_PROLOGUE + """
        SELECT ?q WHERE {
          ?q a oa:Annotation .
          FILTER NOT EXISTS {
            ?q oa:motivatedBy oa:describing ;
               oa:hasTarget [ a oa:SpecificResource ; oa:hasSource hd:fact-sheet-2022 ]
          }
        }""")
    assert list(rows) == []


def test_every_quote_matches_the_source_at_its_offsets(graph: Graph, text: str) -> None:
    assert check_quotes(graph, text) == []
    starts = list(graph.objects(None, URIRef(OA + "start")))
    assert starts and all(s.datatype == XSD.nonNegativeInteger for s in starts)


def test_quotes_are_whole_sentences(graph: Graph, text: str) -> None:
    for exact in graph.objects(None, URIRef(OA + "exact")):
        quote = str(exact)
        start = text.index(quote)
        assert quote[0].isupper(), quote[:40]
        assert quote.endswith((".", "”")), quote[-40:]
        before = text[:start].rstrip(" \xa0")
        assert before == "" or before.endswith((".", "\n", "•")), quote[:40]


def test_a_tampered_offset_is_reported(graph: Graph, text: str) -> None:
    tampered = Graph()
    tampered += graph
    target = URIRef(PREFIXES["hdq"] + "epa-conagua-tijuana-river-investment")
    selector = next(
        sel
        for sel in tampered.objects(
            next(tampered.objects(target, URIRef(OA + "hasTarget"))), URIRef(OA + "hasSelector")
        )
        if (sel, URIRef(OA + "start"), None) in tampered
    )
    start = next(tampered.objects(selector, URIRef(OA + "start")))
    tampered.set(
        (selector, URIRef(OA + "start"), Literal(int(start) + 1, datatype=XSD.nonNegativeInteger))
    )
    problems = check_quotes(tampered, text)
    assert len(problems) == 1
    assert problems[0].startswith(str(target)) and "not the quoted oa:exact" in problems[0]


def test_a_tampered_suffix_is_reported(graph: Graph, text: str) -> None:
    tampered = Graph()
    tampered += graph
    suffix = URIRef(OA + "suffix")
    subject, old = next((s, o) for s, o in tampered.subject_objects(suffix) if str(o).strip())
    tampered.set((subject, suffix, Literal("x" + str(old))))
    problems = check_quotes(tampered, text)
    assert len(problems) == 1 and "oa:suffix does not follow" in problems[0]


def test_quote_selectors_finds_offsets_and_context() -> None:
    text = "Alpha beta. Gamma delta. Epsilon."
    assert quote_selectors(text, "Gamma delta.", context=5) == (12, 24, "eta. ", " Epsi")
    assert quote_selectors(text, "Alpha beta.") == (0, 11, "", " Gamma delta. Epsilon.")


def test_quote_selectors_rejects_missing_and_ambiguous_quotes() -> None:
    with pytest.raises(InputError, match="not found"):
        quote_selectors("one two", "three")
    with pytest.raises(InputError, match="more than once"):
        quote_selectors("two and two", "two")


def test_context_stops_at_see_also_lines(text: str) -> None:
    sentence_end = text.index("important infrastructure priorities.") + len(
        "important infrastructure priorities."
    )
    _, end, _, suffix = quote_selectors(text, text[sentence_end - 36 : sentence_end])
    assert end == sentence_end and suffix == "\n"
    with pytest.raises(InputError, match="See also"):
        quote_selectors(text, "See also  ARIS MINING")


def test_no_annotation_reaches_into_a_see_also_line(graph: Graph, text: str) -> None:
    noise = page_noise_spans(text)
    assert [text[a:b].split()[:2] for a, b in noise] == [["See", "also"], ["See", "also"]]
    rows = graph.query(SPARQL_PROLOGUE + """
        SELECT ?start ?end ?prefix ?suffix WHERE {
          ?q a oa:Annotation ; oa:hasTarget/oa:hasSelector ?pos, ?quote .
          ?pos oa:start ?start ; oa:end ?end .
          ?quote oa:prefix ?prefix ; oa:suffix ?suffix .
        }""")
    spans = [(int(r.start) - len(str(r.prefix)), int(r.end) + len(str(r.suffix))) for r in rows]
    assert len(spans) >= 35
    overlapping = [(a, b) for a, b in spans for n, m in noise if a < m and n < b]
    assert overlapping == []


def test_no_paraphrased_name_is_used_as_a_name(graph: Graph, text: str) -> None:
    for phrase in PARAPHRASED_NAMES:
        assert phrase.lower() in text.lower(), f"{phrase!r} is not in the source; fix the test list"
    values = " ".join(f'"{p.lower()}"' for p in PARAPHRASED_NAMES)
    rows = graph.query(SPARQL_PROLOGUE + f"""
        SELECT ?s ?value ?phrase WHERE {{
          VALUES ?p {{ {NAME_PROPERTIES} }}
          VALUES ?phrase {{ {values} }}
          ?s ?p ?value .
          FILTER(CONTAINS(LCASE(STR(?value)), ?phrase))
        }}""")
    assert [(str(r.s), str(r.phrase)) for r in rows] == []


def test_paraphrased_wording_lives_only_in_quote_selectors(graph: Graph) -> None:
    rows = graph.query(SPARQL_PROLOGUE + """
        SELECT DISTINCT ?p WHERE {
          ?s ?p ?value .
          FILTER(isLiteral(?value) && CONTAINS(STR(?value), "Provide Chain"))
        }""")
    assert {str(r.p) for r in rows} <= {OA + "exact", OA + "prefix", OA + "suffix"}
    assert {str(r.p) for r in rows} >= {OA + "exact"}
