"""Hostile RDF files are refused before a parser sees them: one line, exit 2, bounded memory.

The crafted files reproduce what an attack run found: billion laughs in RDF/XML (9 GB), JSON-LD
nested 5,000 deep (pyoxigraph dies of SIGSEGV), Turtle nested past rdflib's recursion limit, a
literal past pyoxigraph's 16 MiB token buffer. The CLI runs in subprocesses with a 2 GB address
space limit, so a regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hled_graph import input_limits
from hled_graph.errors import InputError
from hled_graph.graph import parse_file
from hled_graph.input_limits import Limits, check_input_file
from hled_graph.sparql import engine

HLED_GRAPH = [sys.executable, "-m", "hled_graph.cli"]
MEMORY_CAP = 2 << 30
DEEP = 5000
BIG_LITERAL = input_limits.MAX_LITERAL_BYTES + 1024

RDF_XML_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">\n'
)


def billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n" + RDF_XML_HEAD
        + '<rdf:Description rdf:about="http://example.org/a"><e:p>&lol9;</e:p></rdf:Description>\n</rdf:RDF>\n'
    )


def external_entity() -> str:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n'
        + RDF_XML_HEAD
        + '<rdf:Description rdf:about="http://example.org/a"><e:p>&secret;</e:p></rdf:Description>\n</rdf:RDF>\n'
    )


def attribute_defaults() -> str:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ATTLIST rdf:Description e:p CDATA "'
        + "x" * (512 * 1024) + '">\n]>\n' + RDF_XML_HEAD
        + "".join(f'<rdf:Description rdf:about="http://example.org/s{i}"/>\n' for i in range(4000)) + "</rdf:RDF>\n"
    )


def deep_jsonld(depth: int) -> str:
    return '{"@id": "http://example.org/a", "http://example.org/p": ' * depth + '"x"' + "}" * depth


def deep_turtle(opener: str, closer: str, depth: int) -> str:
    return "@prefix : <http://example.org/> .\n:a :p " + opener * depth + ":b" + closer * depth + " .\n"


# name: (file name, text, words the one-line error must contain)
HOSTILE = {
    "billion laughs": ("laughs.rdf", billion_laughs, "refers to another entity"),
    "external entity": ("external.rdf", external_entity, "external entity &secret;"),
    "JSON-LD 5,000 deep": ("deep.jsonld", lambda: deep_jsonld(DEEP), "limit of 128 levels"),
    "Turtle blank nodes 5,000 deep": ("bnodes.ttl", lambda: deep_turtle("[ :p ", " ]", DEEP), "limit of 64 levels"),
    "Turtle collections 5,000 deep": ("lists.ttl", lambda: deep_turtle("( ", " )", DEEP), "limit of 64 levels"),
    # pyoxigraph recurses into triple terms: SIGSEGV at ~20,000.
    "N-Triples triple terms 20,000 deep": (
        "star.nt",
        lambda: "<http://e/a> <http://e/p> " + "<<( <http://e/a> <http://e/p> " * 20000 + "<http://e/b>"
        + " )>>" * 20000 + " .\n",
        "limit of 64 levels",
    ),
    "Turtle literal over the limit": (
        "literal.ttl", lambda: '<http://e/a> <http://e/p> """' + "x" * BIG_LITERAL + '""" .\n', "a literal longer than"
    ),
    "JSON-LD string over the limit": (
        "literal.jsonld", lambda: '{"@id": "http://e/a", "http://e/p": "' + "x" * BIG_LITERAL + '"}', "a string longer"
    ),
    # rdflib (expat) gives each of the 4,000 elements the 512 KiB default: 2 GB from a 200 KB file.
    "RDF/XML attribute default": ("defaults.rdf", attribute_defaults, "an attribute default in the DOCTYPE"),
    "RDF/XML text over the limit": (
        "literal.rdf",
        lambda: RDF_XML_HEAD + '<rdf:Description rdf:about="http://e/a"><e:p>' + "x" * BIG_LITERAL
        + "</e:p></rdf:Description></rdf:RDF>\n",
        "a text or attribute longer than",
    ),
}

COMMANDS = {
    "validate": lambda file, _tmp: ["validate", str(file)],
    "query --data": lambda file, _tmp: ["query", "--data", str(file), "--query", "ASK {}"],
    "store create": lambda file, tmp: ["store", "create", str(tmp / "store"), "--data", str(file)],
}


def _memory_capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HLED_GRAPH, *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, preexec_fn=_memory_capped, check=False,
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hled-graph: error: "), result.stderr[-2000:]
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_file_is_refused_in_one_line(case: str, command: str, tmp_path: Path) -> None:
    name, make, words = HOSTILE[case]
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / name).write_text(make(), encoding="utf-8")
    result = run_capped(*COMMANDS[command](tmp_path / name, work), cwd=work)
    assert_one_line_refusal(result, name, words)
    if command == "store create":
        assert list(work.iterdir()) == []  # no store, and no staging folder beside it


def test_load_and_serve_refuse_before_they_connect_or_listen(tmp_path: Path) -> None:
    (tmp_path / "laughs.rdf").write_text(billion_laughs(), encoding="utf-8")
    # Port 9 (discard) is never contacted: the file is refused while it is read.
    load = run_capped("load", "--endpoint", "http://127.0.0.1:9/query", "laughs.rdf", cwd=tmp_path)
    assert_one_line_refusal(load, "laughs.rdf", "refers to another entity")
    serve = run_capped("serve", "--port", "0", "--data", "laughs.rdf", cwd=tmp_path)
    assert_one_line_refusal(serve, "laughs.rdf", "refers to another entity")


# --------------------------------------------------------------------------- the scanners


def refusal(path: Path, **limits: int) -> str | None:
    try:
        check_input_file(path, limits=Limits(**limits))
    except InputError as error:
        return error.message
    return None


def test_error_names_file_line_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.ttl"
    path.write_text("@prefix : <http://e/> .\n:a :p :b .\n\n:c :p [ :p [ :p [ :p [ :p :d ] ] ] ] .\n")
    assert refusal(path, nesting=3) == (
        f"{path}, line 4: blank nodes, lists or graphs nested deeper than the limit of 3 levels; "
        "flatten the data (name the inner nodes) and try again"
    )
    assert refusal(path, nesting=4) is None


@pytest.mark.parametrize(
    "text",
    [
        '"[[[[" .',
        "'(((((' .",
        '"""a " "" [[[[[ \\""" ((((( """ .',
        "'''[[[[[ '' ''' .",
        '"\\"[[[[[" .',
        "<http://e/[[[[[> .",
        "# [[[[[ ((((( {{{{{\n:x .",
        ":a\\(\\(\\(\\(\\( .",
    ],
)
def test_brackets_in_strings_iris_comments_and_escapes_do_not_count(text: str, tmp_path: Path) -> None:
    path = tmp_path / "x.ttl"
    path.write_text(f"@prefix : <http://e/> .\n:s :p {text}\n")
    assert refusal(path, nesting=2) is None
    path.write_text(f"@prefix : <http://e/> .\n:s :p {text}\n:s :p [ :p [ :p :o ] ] .\n")
    assert f"line {text.count(chr(10)) + 3}: blank nodes" in refusal(path, nesting=1)


@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 20])
def test_a_comment_ends_at_a_carriage_return_as_it_does_for_the_parser(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turtle's comments end at CR or LF: read to LF only, "# x\r" hid every bracket after it on the line."""
    monkeypatch.setattr(input_limits, "CHUNK_BYTES", chunk)
    path = tmp_path / "cr.ttl"
    path.write_bytes(b"@prefix : <http://e/> .\n# x\r:s :p [ :p [ :p [ :p :o ] ] ] .\n")
    assert sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)) == 4  # the parser reads them
    assert "nested deeper than the limit of 2 levels" in refusal(path, nesting=2)
    assert refusal(path, nesting=3) is None


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_chunk_boundaries_change_nothing(chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(input_limits, "CHUNK_BYTES", chunk)
    ttl = tmp_path / "x.ttl"
    ttl.write_text(
        '@prefix : <http://e/> .\n:s :p """ab"""\n, "x\\"yyyyyyyyyy", <<( :s :p :o )>>, ( [ :p ( "[[" ) ] ) .\n'
    )
    assert refusal(ttl, nesting=3) is None
    assert "line 3" in refusal(ttl, nesting=2)
    assert refusal(ttl, literal_bytes=13) is None  # the longest literal holds 13 bytes as written, the IRI 9
    assert "line 3: a literal" in refusal(ttl, literal_bytes=12)
    assert "line 1: an IRI" in refusal(ttl, literal_bytes=8)
    jsonld = tmp_path / "x.jsonld"
    jsonld.write_text('{"@id": "http://e/a",\n "http://e/p": [{"@value": "[[\\"{{"}]}')
    assert refusal(jsonld, json_nesting=3) is None
    assert "line 2" in refusal(jsonld, json_nesting=2)
    rdfxml = tmp_path / "x.rdf"
    rdfxml.write_text(
        '<!DOCTYPE rdf:RDF [<!ENTITY e "http://example.org/">]>\n' + RDF_XML_HEAD
        + '<rdf:Description rdf:about="&e;a"><e:p rdf:resource="&e;b"/></rdf:Description></rdf:RDF>\n'
    )
    assert refusal(rdfxml, xml_entity_expansion=2 * len("http://example.org/")) is None
    assert "expand to more than the limit of 37" in refusal(rdfxml, xml_entity_expansion=37)


def test_a_literal_at_the_limit_passes_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    for suffix, template in ((".nt", '<http://e/a> <http://e/p> "{}" .\n'), (".jsonld", '{{"http://e/p": "{}"}}')):
        path = tmp_path / f"x{suffix}"
        path.write_text(template.format("x" * 100))
        assert refusal(path, literal_bytes=100) is None
        path.write_text(template.format("x" * 101))
        assert "longer than the limit of 100 bytes" in refusal(path, literal_bytes=100)


def test_an_unclosed_literal_is_refused_while_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "open.ttl"
    path.write_text('<http://e/a> <http://e/p> "' + "x" * 5000)
    assert "line 1: a literal longer than the limit of 1000 bytes" in refusal(path, literal_bytes=1000)


@pytest.mark.parametrize(
    ("doctype", "words"),
    [
        ('<!ENTITY % p "x">', "parameter entity %p"),
        ('<!ENTITY e PUBLIC "-//x//y" "http://example.org/e">', "external entity &e;"),
        ('<!ENTITY a "x"><!ENTITY b "&#38;a;">', "entity &b; refers to another entity"),
        ('<!ENTITY a "x"> %a;', "a parameter entity reference"),
        ("".join(f'<!ENTITY e{i} "v">' for i in range(65)), "more than the limit of 64 entity declarations"),
        ('<!ATTLIST rdf:Description e:p CDATA "x">', "an attribute default in the DOCTYPE"),
        ("<!ATTLIST rdf:Description e:p CDATA #FIXED 'x'>", "an attribute default in the DOCTYPE"),
    ],
)
def test_rdf_xml_entities_that_are_refused(doctype: str, words: str, tmp_path: Path) -> None:
    path = tmp_path / "x.rdf"
    path.write_text(f"<?xml version='1.0'?>\n<!DOCTYPE rdf:RDF [\n{doctype}\n]>\n{RDF_XML_HEAD}</rdf:RDF>\n")
    assert words in refusal(path)


def test_an_external_dtd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.rdf"
    path.write_text(f'<!DOCTYPE rdf:RDF SYSTEM "http://example.org/x.dtd">\n{RDF_XML_HEAD}</rdf:RDF>\n')
    assert "line 1: an external DTD" in refusal(path)


# --------------------------------------------------------------------------- ordinary files still load

PROTEGE_RDF_XML = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
    <!ENTITY owl "http://www.w3.org/2002/07/owl#" >
    <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#" >
    <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#" >
    <!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#" >
    <!ENTITY pizza "http://example.org/pizza#" >
]>
<!-- Generated by the OWL API (version 4.5.9) https://github.com/owlcs/owlapi -->
<rdf:RDF xmlns="&pizza;" xml:base="http://example.org/pizza" xmlns:rdfs="&rdfs;" xmlns:owl="&owl;"
     xmlns:xsd="&xsd;" xmlns:rdf="&rdf;">
    <owl:Ontology rdf:about="http://example.org/pizza"/>
    <owl:Class rdf:about="&pizza;Pizza">
        <rdfs:label xml:lang="en">Pizza &amp; more</rdfs:label>
        <rdfs:subClassOf>
            <owl:Restriction>
                <owl:onProperty rdf:resource="&pizza;hasTopping"/>
                <owl:someValuesFrom rdf:resource="&pizza;Topping"/>
            </owl:Restriction>
        </rdfs:subClassOf>
    </owl:Class>
    <owl:DatatypeProperty rdf:about="&pizza;calories">
        <rdfs:range rdf:resource="&xsd;integer"/>
    </owl:DatatypeProperty>
    <rdf:Description rdf:about="&pizza;margherita">
        <calories rdf:datatype="&xsd;integer">800</calories>
    </rdf:Description>
</rdf:RDF>
"""


def nested_jsonld(depth: int) -> str:
    inner = '"x"'
    for level in range(depth, 0, -1):
        inner = f'{{"@id": "http://example.org/n{level}", "http://example.org/p": [{inner}]}}'
    return inner


def test_ordinary_files_still_load(tmp_path: Path) -> None:
    from hled_graph import resources

    for path, _graph in engine.shipped_graph_files():
        check_input_file(path)
    assert len(engine.load_store()) > 2000
    protege = tmp_path / "pizza.owl"
    protege.write_text(PROTEGE_RDF_XML)
    jsonld = tmp_path / "nested.jsonld"
    jsonld.write_text(nested_jsonld(10))  # 20 levels: an object and an array per node
    assert len(parse_file(protege)) == 10
    assert len(parse_file(jsonld)) == 10
    store = engine.load_store(data=[protege, jsonld, *resources.data_files()])
    calories = ox.NamedNode("http://example.org/pizza#calories")
    assert [q.object.value for q in store.quads_for_pattern(None, calories, None)] == ["800"]
    result = run_capped("store", "create", "store", "--data", str(protege), "--data", str(jsonld), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created store store: 20 quads" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nested.jsonld", "pizza.owl", "store"]


# --------------------------------------------------------------------------- ill-typed literals

ILL_TYPED = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/a> <http://example.org/n> 3 .
<http://example.org/a> <http://example.org/count> "abc"^^xsd:integer .
<http://example.org/a> <http://example.org/day> "2022-13-45"^^xsd:date .
"""


def test_an_ill_typed_literal_is_one_line_in_validate(tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text(ILL_TYPED)
    result = run_capped("validate", "bad.ttl", cwd=tmp_path)
    assert_one_line_refusal(
        result, "bad.ttl, line 3: ill-typed literal 'abc' is not a valid xsd:integer (and 1 more)"
    )
    assert "Traceback" not in result.stderr and "Failed to convert" not in result.stderr


def test_pyoxigraph_paths_keep_ill_typed_literals_as_rdf_allows(tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text(ILL_TYPED)
    result = run_capped(
        "query", "--data", "bad.ttl", "--format", "csv", "--query", "SELECT ?o { ?s ?p ?o } ORDER BY STR(?o)",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["o", "2022-13-45", "3", "abc"]
    assert result.stderr == ""


# --------------------------------------------------------------------------- store create is atomic


def test_a_file_that_fails_midway_leaves_no_store(tmp_path: Path) -> None:
    good = tmp_path / "good.nt"
    good.write_text("<http://e/a> <http://e/p> <http://e/b> .\n")
    broken = tmp_path / "broken.nt"
    broken.write_text("<http://e/a> <http://e/p> <http://e/b> .\n<http://e/a> <http://e/p> .\n")
    target = tmp_path / "store"
    with pytest.raises(InputError, match=r"broken\.nt, line 2"):
        engine.create_store(target, data=[good, broken])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.nt", "good.nt"]
    target.mkdir()  # an empty folder given as the target stays, and stays empty
    with pytest.raises(InputError):
        engine.create_store(target, data=[good, broken])
    assert list(target.iterdir()) == []
    assert engine.create_store(target, data=[good]) == 1
    assert len(engine.open_store(target)) == 1


def test_a_killed_load_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = tmp_path / f".store.store-staging-{dead.pid}-abc"
    abandoned.mkdir()
    (abandoned / "000004.log").write_bytes(b"half a store")
    ours = tmp_path / f".store.store-staging-{os.getpid()}-abc"  # a load still running
    ours.mkdir()
    good = tmp_path / "good.nt"
    good.write_text("<http://e/a> <http://e/p> <http://e/b> .\n")
    assert engine.create_store(tmp_path / "store", data=[good]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [ours.name, "good.nt", "store"]


def test_sigterm_during_a_load_leaves_nothing(tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    with big.open("w") as handle:  # ~30 MB: big enough to still be loading when the signal comes
        for i in range(300_000):
            handle.write(f"<http://example.org/s{i}> <http://example.org/p> \"value number {i}\" .\n")
    work = tmp_path / "work"
    work.mkdir()
    process = subprocess.Popen(
        [*HLED_GRAPH, "store", "create", "store", "--data", str(big)],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_memory_capped,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(work.iterdir()) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
        assert process.poll() is None, "the load finished before it could be interrupted"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        process.kill()
        process.wait()
    assert list(work.iterdir()) == []


def test_the_readme_states_the_limits_in_force() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("**Limits on your files.**") :].split("\n\n")[0]
    paragraph = " ".join(paragraph.split())
    assert f"at most {input_limits.MAX_NESTING} levels of" in paragraph
    assert f"{input_limits.MAX_JSON_NESTING} levels of JSON-LD" in paragraph
    assert f"{input_limits.MAX_LITERAL_BYTES >> 20} MiB per literal" in paragraph
    assert f"at most {input_limits.MAX_XML_ENTITIES} of them" in paragraph
    assert f"at most {input_limits.MAX_XML_ENTITY_EXPANSION >> 20} MiB in all" in paragraph


@pytest.mark.parametrize(
    ("prolog", "words"),
    [
        ("<!-- <rdf:RDF> looks like a root -->\n", "line 2: entity &b; refers"),
        ("<?xml version='1.0'?>\n<!-- " + "x" * 2000 + " -->\n", "more than 1000 bytes before the root element"),
        ("<!-- " + "x" * 2000 + "\n", "more than 1000 bytes before the root element"),
    ],
)
def test_comments_before_the_doctype_do_not_hide_it(prolog: str, words: str, tmp_path: Path) -> None:
    path = tmp_path / "x.rdf"
    doctype = '<!DOCTYPE rdf:RDF [<!ENTITY a "x"><!ENTITY b "&a;&a;">]>\n'
    path.write_text(prolog + doctype + RDF_XML_HEAD + "</rdf:RDF>\n")
    assert words in refusal(path, xml_doctype_bytes=1000)


def test_an_external_dtd_beside_an_internal_subset_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.rdf"
    doctype = '<!DOCTYPE rdf:RDF SYSTEM "http://example.org/x.dtd" [<!ENTITY a "x">]>\n'
    path.write_text(f"{doctype}{RDF_XML_HEAD}</rdf:RDF>\n")
    assert "line 1: an external DTD" in refusal(path)


@pytest.mark.parametrize("suffix", [".rdf", ".ttl", ".jsonld"])
def test_utf16_is_refused_since_the_scan_reads_utf8(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_bytes(billion_laughs().encode("utf-16"))
    assert "line 1: not UTF-8 text (UTF-16, UTF-32 or binary); convert it to UTF-8" in refusal(path)
    path.write_bytes(billion_laughs().encode("utf-16-le"))  # no byte order mark
    assert "not UTF-8 text" in refusal(path)


TURTLE_PIECES = [
    "[", "]", "(", ")", "{", "}", "<<(", ")>>", "<<", ">>", " :p ", "\n", "# a [ comment\n", "<http://e/[>",
    '"[["', '"a\\"["', "'(('", '"""x " [ ""y"""', "'''(( '' '''", '""', "''", ":a\\(", '"' + "x" * 12 + '"',
    '"' + "\\n" * 7 + '"', "<http://e/" + "x" * 12 + ">",
]


@settings(max_examples=300, deadline=None)
@example(pieces=['""', '"""x " [ ""y"""'])  # closing quotes cut by a chunk once counted as content
@given(pieces=st.lists(st.sampled_from(TURTLE_PIECES), max_size=60))
def test_the_fast_path_and_the_byte_by_byte_scan_agree(pieces: list[str]) -> None:
    """With 1-byte chunks the C fast path never sees a whole token; the answers must be the same."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.ttl"
        path.write_text("".join(pieces))
        limits = {"nesting": 3, "literal_bytes": 12}
        whole = refusal(path, **limits)
        original = input_limits.CHUNK_BYTES
        input_limits.CHUNK_BYTES = 1
        try:
            assert refusal(path, **limits) == whole
        finally:
            input_limits.CHUNK_BYTES = original
