"""Every action is quoted from its source, exactly, at the right offsets, and never from noise; each source
copy's file matches its checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.graph import parse_files
from hled_graph.namespaces import PREFIXES, SPARQL_PROLOGUE
from hled_graph.provenance import check_quotes, page_noise_spans, quote_selectors, source_text

OA = PREFIXES["oa"]
SPDX = PREFIXES["spdx"]
FACT_SHEET_FILE = "hled-2022-fact-sheet.txt"

# Garbled names of the paraphrased source; each occurs in the file, none may become a name.
# "Transport Electrification Working Group" is not here: it is the White House original's own wording.
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
    return source_text(FACT_SHEET_FILE)


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


def test_every_annotation_identifies_its_act_in_a_copy_with_a_source_file(graph: Graph) -> None:
    rows = graph.query(SPARQL_PROLOGUE + """
        SELECT ?q WHERE {
          ?q a oa:Annotation .
          FILTER NOT EXISTS {
            ?q oa:motivatedBy oa:identifying ;
               oa:hasTarget [ a oa:SpecificResource ; oa:hasSource ?copy ] .
            ?copy hled:sourceFile ?file ; prov:wasDerivedFrom ?original .
          }
        }""")
    assert list(rows) == []


def test_every_quote_matches_the_source_at_its_offsets(graph: Graph) -> None:
    assert check_quotes(graph) == []
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


def test_a_tampered_offset_is_reported(graph: Graph) -> None:
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
    problems = [str(problem) for problem in check_quotes(tampered)]
    assert len(problems) == 1
    assert problems[0].startswith(str(target)) and "not the quoted oa:exact" in problems[0]


def test_a_tampered_suffix_is_reported(graph: Graph) -> None:
    tampered = Graph()
    tampered += graph
    suffix = URIRef(OA + "suffix")
    subject, old = next((s, o) for s, o in tampered.subject_objects(suffix) if str(o).strip())
    tampered.set((subject, suffix, Literal("x" + str(old))))
    problems = [str(problem) for problem in check_quotes(tampered)]
    assert len(problems) == 1 and "oa:suffix does not follow" in problems[0]


def test_every_source_copy_names_its_file_and_its_sha256(graph: Graph) -> None:
    rows = list(graph.query(SPARQL_PROLOGUE + """
        SELECT ?copy ?file ?value WHERE {
          ?copy hled:sourceFile ?file ;
                spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                                spdx:checksumValue ?value ] .
        }"""))
    assert {str(row.file) for row in rows} >= {FACT_SHEET_FILE}
    for row in rows:
        assert row.value.datatype == XSD.hexBinary
        digest = hashlib.sha256(resources.source_text_file(str(row.file)).read_bytes()).hexdigest()
        assert str(row.value).lower() == digest, row.copy
    annotated = {str(s) for s in graph.objects(None, URIRef(OA + "hasSource"))}
    assert annotated == {str(row.copy) for row in rows}


def test_a_wrong_checksum_is_reported_once_for_its_copy(graph: Graph) -> None:
    tampered = Graph()
    tampered += graph
    value = URIRef(SPDX + "checksumValue")
    checksum, old = next(tampered.subject_objects(value))
    tampered.set((checksum, value, Literal("00" * 32, datatype=XSD.hexBinary)))
    problems = [str(problem) for problem in check_quotes(tampered)]
    assert len(problems) == 1
    assert "spdx:checksum SHA-256 is " + "00" * 32 in problems[0] and str(old).lower() in problems[0]


def test_a_missing_source_file_is_reported_once_for_its_copy(graph: Graph) -> None:
    tampered = Graph()
    tampered += graph
    source_file = URIRef(PREFIXES["hled"] + "sourceFile")
    copy = next(tampered.subjects(source_file, Literal(FACT_SHEET_FILE)))
    tampered.set((copy, source_file, Literal("no-such-source.txt")))
    problems = [str(problem) for problem in check_quotes(tampered)]
    assert len(problems) == 1
    assert problems[0].startswith(f"{copy}: ") and "no-such-source.txt: source text missing" in problems[0]


@pytest.mark.parametrize("name", ["../hled-2022.ttl", "sub/file.txt", "sub\\file.txt", "..", ".", ""])
def test_a_source_file_name_may_not_leave_the_source_folder(name: str) -> None:
    with pytest.raises(InputError, match="not a plain file name") as raised:
        resources.source_text_file(name)
    assert "\n" not in raised.value.message


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


def test_offsets_count_the_files_own_code_points_and_the_checksum_is_of_what_was_read(
    graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy whose file has CRLF line ends: with newline translation the text would lose one code
    # point per line, and the quote after the first line would no longer be at its offsets.
    body = b"First line.\r\nThe quoted sentence.\r\n"
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "crlf.txt").write_bytes(body)
    monkeypatch.setattr(resources, "data_dir", lambda: tmp_path)
    exact = "The quoted sentence."
    start, end, prefix, suffix = quote_selectors(body.decode(), exact)
    assert (start, end) == (13, 33)
    copy, annotation, target, quote, position = (URIRef(f"http://e/{n}") for n in ("copy", "q", "t", "s1", "s2"))
    oa, hled, spdx = (PREFIXES[p] for p in ("oa", "hled", "spdx"))
    small = Graph()
    for triple in [
        (annotation, RDF.type, URIRef(oa + "Annotation")), (annotation, URIRef(oa + "hasTarget"), target),
        (target, URIRef(oa + "hasSource"), copy),
        (target, URIRef(oa + "hasSelector"), quote), (target, URIRef(oa + "hasSelector"), position),
        (quote, RDF.type, URIRef(oa + "TextQuoteSelector")), (quote, URIRef(oa + "exact"), Literal(exact)),
        (quote, URIRef(oa + "prefix"), Literal(prefix)), (quote, URIRef(oa + "suffix"), Literal(suffix)),
        (position, RDF.type, URIRef(oa + "TextPositionSelector")),
        (position, URIRef(oa + "start"), Literal(start)), (position, URIRef(oa + "end"), Literal(end)),
        (copy, URIRef(hled + "sourceFile"), Literal("crlf.txt")),
        (copy, URIRef(spdx + "checksum"), URIRef("http://e/sum")),
        (URIRef("http://e/sum"), URIRef(spdx + "algorithm"), URIRef(spdx + "checksumAlgorithm_sha256")),
        (URIRef("http://e/sum"), URIRef(spdx + "checksumValue"), Literal(hashlib.sha256(body).hexdigest())),
    ]:
        small.add(triple)
    assert check_quotes(small) == []
    # and the checksum is the file's: one changed byte is reported once, for the copy
    (tmp_path / "source" / "crlf.txt").write_bytes(body.replace(b"First", b"first"))
    assert [problem.focus for problem in check_quotes(small)] == [str(copy)]
