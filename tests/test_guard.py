"""The query guard: SERVICE hidden every way we know (and ways hypothesis finds), deep nesting, FROM.

A local listener counts the connections the engine opens. Every trick is first run without the
guard, straight through pyoxigraph, to prove it is a real SERVICE query (the listener sees it);
then through the guard and the real server, where the listener must see nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CountingListener, counting_listener
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_server import get, sparql_url

from hled_graph.namespaces import PREFIXES
from hled_graph.sparql import guard


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    with counting_listener() as counting:
        yield counting


def u(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in text)


def big_u(text: str) -> str:
    return "".join(f"\\U{ord(c):08X}" for c in text)


# pyoxigraph runs each of these as a federated query: test_each_engine_trick_connects proves it.
ENGINE_TRICKS = {
    "plain": "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "escaped name before": "SELECT * WHERE {{ BIND(hdo:a\\# AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "escaped names around": "SELECT * WHERE {{ SERVICE <{url}> {{ ?a hdo:b\\# ?c }} BIND(hdo:x\\#y\\'z AS ?n) }}",
    "u in IRI": "SELECT * WHERE {{ SERVICE <{url_u}> {{ ?s ?p ?o }} }}",
    "U in IRI": "SELECT * WHERE {{ SERVICE <{url_big_u}> {{ ?s ?p ?o }} }}",
    "mixed case": "select * where {{ ?x ?y ?z . SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "prefixed IRI": "PREFIX e: <{url}>\nSELECT * WHERE {{ SERVICE e: {{ ?s ?p ?o }} }}",
    "comment before": "SELECT * WHERE {{ # SERVICE in a comment {{\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "comment ends at CR": "SELECT * WHERE {{ ?s ?p ?o # x\r SERVICE <{url}> {{ ?a ?b ?c }}\n }}",
    "comment between": "SELECT * WHERE {{ SERVICE#c\n<{url}>#c\n{{ ?s ?p ?o }} }}",
    "string before": "SELECT * WHERE {{ BIND(\"SERVICE }}\" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "escaped quote in string": "SELECT * WHERE {{ BIND('a\\'' AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "long string": "SELECT * WHERE {{ BIND(\"\"\"x\"\"y\"\"\" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "number glued": "SELECT * WHERE {{ ?x ?y 1 SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "less-than then hash": "SELECT * WHERE {{ ?x ?y ?z FILTER(1<2)SERVICE<{url}> {{ ?s ?p ?o }} }}",
    "nested groups": "SELECT * WHERE {{ {{ {{ {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }} }}",
    "in subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "in OPTIONAL": "SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "in UNION": "SELECT * WHERE {{ {{ }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "in MINUS": "SELECT * WHERE {{ BIND(1 AS ?s) MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "in EXISTS": "SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "in NOT EXISTS": "ASK {{ FILTER NOT EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "in GRAPH": "SELECT * WHERE {{ GRAPH <https://example.org/g> {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "CONSTRUCT": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "ASK": "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "DESCRIBE": "DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "tabs and newlines": "SELECT\t*\nWHERE\n{{\r\nSERVICE\t<{url}>\n{{?s ?p ?o}}}}",
    # The engine reads no escape in a comment: unescaped there, the line end opened a long string
    # in the guard's parse that swallowed the SERVICE clause (it passed, and the engine connected).
    "u line end in a comment": 'SELECT * WHERE {{\n# \\u000A """\nSERVICE <{url}> {{ ?s ?p ?o }}\n# """ ?p ?o .\n}}',
    "u line end after a backslash pair": (
        'SELECT * WHERE {{\n# \\\\u000A """\nSERVICE <{url}> {{ ?s ?p ?o }}\n# """ ?p ?o .\n}}'
    ),
}
# SERVICE queries by the SPARQL grammar and §19.2 that pyoxigraph 0.5 does not run (it unescapes
# only inside IRIs and strings; it binds no SERVICE variable): a future engine may.
SPEC_TRICKS = {
    "u in keyword": "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "keyword all u": "SELECT * WHERE {{ " + u("SERVICE") + " <{url}> {{ ?s ?p ?o }} }}",
    "keyword all U": "SELECT * WHERE {{ " + big_u("service") + " <{url}> {{ ?s ?p ?o }} }}",
    "u braces": "SELECT * WHERE \\u007B SERVICE <{url}> \\u007B ?s ?p ?o \\u007D \\u007D",
    "silent escaped": "SELECT * WHERE {{ SERVICE " + u("SILENT") + " <{url}> {{ ?s ?p ?o }} }}",
    "variable with VALUES": "SELECT * WHERE {{ VALUES ?u {{ <{url}> }} SERVICE ?u {{ ?s ?p ?o }} }}",
    "variable with BIND": "SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
    "u quote": "SELECT * WHERE {{ BIND(\\u0022x\\u0022 AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
}
TRICKS = ENGINE_TRICKS | SPEC_TRICKS


def trick(name: str, url: str) -> str:
    return TRICKS[name].format(url=url, url_u=u(url), url_big_u=big_u(url))


def unguarded_connections(text: str, listener: CountingListener) -> int:
    """Run ``text`` straight through pyoxigraph, no guard: how many connections it opened."""
    before = listener.connections
    try:
        result = _control_store().query(text, prefixes=PREFIXES)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    _settle()
    return listener.connections - before


def _control_store() -> ox.Store:
    store = ox.Store()  # one triple, so that the patterns joined with the SERVICE clause match
    store.add(ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal(1)))
    return store


def _settle() -> None:
    # The listener counts in its own thread; give it a moment to see a connection that was made.
    threading.Event().wait(0.05)


@pytest.mark.parametrize("name", sorted(ENGINE_TRICKS))
def test_each_engine_trick_connects(listener: CountingListener, name: str) -> None:
    assert unguarded_connections(trick(name, listener.url), listener) >= 1


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_the_guard_refuses_each_trick(listener: CountingListener, name: str) -> None:
    with pytest.raises(guard.Refusal) as refused:
        guard.check_query(trick(name, listener.url), allow_federation=False)
    assert refused.value.status in (400, 403) and "\n" not in refused.value.message


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_the_server_refuses_each_trick_and_nothing_connects(endpoint, listener: CountingListener, name: str) -> None:
    before = listener.connections
    status, _, body = get(sparql_url(endpoint, trick(name, listener.url)), accept="application/json")
    assert status in (400, 403), body
    assert json.loads(body)["message"]
    # Refused by the guard, not stopped later by the query process's network isolation.
    assert "query failed" not in json.loads(body)["message"], body
    _settle()
    assert listener.connections == before


# --- generated tricks ---------------------------------------------------------------------------

_GAPS = [" ", "\t", "\n", "\r\n", "\r", " # SERVICE }\n", "#x\r", " \u0020 "]


@st.composite
def hidden_service_queries(draw: st.DrawFn, url: str) -> str:
    """A SERVICE query from TRICKS, with random characters written as code-point escapes, the
    keywords in random case and comments or whitespace added between tokens."""
    text = trick(draw(st.sampled_from(sorted(TRICKS))), url)
    # pyoxigraph unescapes only inside IRIs and strings: escapes there keep the query runnable.
    iri = text.find(url)
    inside_only = draw(st.booleans()) and iri >= 0
    out = []
    for index, char in enumerate(text):
        escapable = char != "\\" and (not inside_only or iri <= index < iri + len(url))
        how = draw(st.sampled_from(["keep"] * 12 + ["u", "U", "case"]))
        if how == "u" and escapable:
            out.append(u(char))
        elif how == "U" and escapable:
            out.append(big_u(char))
        elif how == "case" and not inside_only:
            out.append(char.swapcase())
        else:
            out.append(char)
        if char == " " and draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(_GAPS)))
    return "".join(out)


GENERATED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                              HealthCheck.function_scoped_fixture])


@GENERATED
@given(data=st.data())
def test_generated_tricks_never_get_past_the_guard_to_the_network(listener: CountingListener, data: st.DataObject) -> None:
    text = data.draw(hidden_service_queries(listener.url))
    try:
        guard.check_query(text, allow_federation=False)
    except guard.Refusal:
        return
    # What the guard let through must be harmless in the engine itself.
    assert unguarded_connections(text, listener) == 0, text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_tricks_through_the_server(endpoint, listener: CountingListener, data: st.DataObject) -> None:
    before = listener.connections
    status, _, body = get(sparql_url(endpoint, data.draw(hidden_service_queries(listener.url))),
                          accept="application/json")
    assert status in (200, 400, 403), body
    _settle()
    assert listener.connections == before


def test_the_whole_suite_recorded_no_connection_from_the_guarded_paths(listener: CountingListener) -> None:
    """The controls above connect on purpose; after them, one more guarded round must add none."""
    before = listener.connections
    for name in TRICKS:
        with pytest.raises(guard.Refusal):
            guard.check_query(trick(name, listener.url), allow_federation=False)
    _settle()
    assert listener.connections == before


# --- harmless mentions, federation allowed --------------------------------------------------------

HARMLESS = [
    "# SERVICE <http://127.0.0.1:9/> in a comment\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o != \"SERVICE <http://127.0.0.1:9/> { }\") } LIMIT 1",
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "SELECT ?from WHERE { ?from ?p ?o } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p <https://example.org/service/from> } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'from')) } LIMIT 1",
    "SELECT ?s WHERE { ?s hdo:service ?o } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # SELECT * FROM <x>",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_mentions_are_answered(endpoint, text: str) -> None:
    shape = guard.check_query(text, allow_federation=False)
    assert not shape.uses_service and not shape.has_dataset_clause
    status, _, body = get(sparql_url(endpoint, text), accept="application/sparql-results+json")
    assert status == 200, body


def test_federation_allowed_lets_service_through_and_says_so() -> None:
    text = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?from } }"
    assert guard.check_query(text, allow_federation=True).uses_service


# --- escapes, nesting, what the guard reports ------------------------------------------------------


def test_codepoint_unescaping_is_exactly_section_19_2() -> None:
    assert guard.unescape_codepoints("\\u0053ERVICE \\U0001F600 \\u00e9") == "SERVICE \U0001F600 é"
    assert guard.unescape_codepoints("\\u00531") == "S1"  # four digits for \u, never more
    assert guard.unescape_codepoints("\\u12 \\uZZZZ \\x41") == "\\u12 \\uZZZZ \\x41"  # not escapes: left
    for bad in ("\\uD800", "\\uDFFF", "\\U00110000", "\\UFFFFFFFF"):
        with pytest.raises(guard.Refusal) as refused:
            guard.unescape_codepoints(bad)
        assert refused.value.status == 400 and bad in refused.value.message


def test_the_common_case_is_decided_without_rdflib() -> None:
    code = (
        "import sys\nfrom hled_graph.sparql import guard\n"
        "shape = guard.check_query('# organizations from each country\\nSELECT ?s WHERE { ?s ?p ?o "
        "FILTER(?o != \"x\") }', allow_federation=False)\n"
        "assert shape == guard.QueryShape(uses_service=False, depth=2, has_dataset_clause=False), shape\n"
        "assert 'rdflib' not in sys.modules\n"
        "guard.check_query('SELECT * FROM <x> WHERE { }', allow_federation=False)\n"
        "assert 'rdflib' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("text,dataset", [
    ("SELECT * FROM <https://w3id.org/hled/graph/ontology> WHERE { ?s ?p ?o }", True),
    ("SELECT * FROM NAMED <https://w3id.org/hled/graph/ontology> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("ASK " + u("FROM") + " <x> { }", True),
    ("SELECT * WHERE { ?s ?p 'FROM <x>' }", False),
    ("SELECT ?from WHERE { ?from ?p ?o }", False),
])
def test_dataset_clauses_are_found_by_the_parse(text: str, dataset: bool) -> None:
    assert guard.check_query(text, allow_federation=False).has_dataset_clause is dataset


DEEP = 45_000


@pytest.mark.parametrize("text", [
    "SELECT * WHERE " + "\\u007B" * DEEP + " ?s ?p ?o " + "\\u007D" * DEEP,
    "SELECT * WHERE { FILTER(" + "\\u0028" * DEEP + "1" + "\\u0029" * DEEP + ") }",
    "SELECT * WHERE { ?s ?p " + "\\u005B ?p " * DEEP + "1" + " ]" * DEEP + " }",
    "SELECT * WHERE " + "{" * DEEP + " ?s ?p ?o " + "}" * DEEP,
    "SELECT * WHERE " + "{ SERVICE <http://127.0.0.1:9/> " * 100 + "{}" + "}" * 100,
    "SELECT * WHERE { << ?s ?p " + "<< ?s ?p " * 80 + "?o" + " >>" * 81 + " ?q ?r }",
])
def test_deep_nesting_is_refused_without_a_crash(text: str) -> None:
    with pytest.raises(guard.Refusal) as refused:
        guard.check_query(text, allow_federation=True)
    assert refused.value.status == 400 and "nested more than 64 levels" in refused.value.message


def test_deep_nesting_in_a_small_thread_stack() -> None:
    """The parse's recursion budget fits a thread with 8 MiB of stack (a worker thread's default)."""
    code = (
        "import threading\nfrom hled_graph.sparql import guard\n"
        "threading.stack_size(8 * 1024 * 1024)\nout = []\n"
        "text = 'SELECT * WHERE { FILTER(' + (chr(92) + 'u0028') * DEPTH + '1' + ')' * DEPTH + ') }'\n"
        "def run():\n    try:\n        guard.check_query(text, allow_federation=True)\n"
        "    except guard.Refusal as refusal:\n        out.append(refusal.message)\n"
        "thread = threading.Thread(target=run)\nthread.start()\nthread.join()\nprint(out[0])\n"
    ).replace("DEPTH", str(DEEP))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "nested more than 64 levels" in done.stdout, done.stderr[-500:]


@pytest.mark.parametrize("depth", [1, 16, 32, 64])
@pytest.mark.parametrize("shape", ["{", "(", "fn", "optional", "subquery", "[", "collection"])
def test_nesting_up_to_the_limit_passes_the_full_parse(shape: str, depth: int) -> None:
    """64 levels of any construct fit the parse's recursion budget ('from' forces the full parse)."""
    _check_nested(shape, depth)


def test_the_budget_holds_where_matplotlib_turned_on_pyparsing_packrat() -> None:
    """Importing matplotlib turns on pyparsing's packrat cache for the whole process (a notebook that
    draws a figure, the build): the parse then takes ~1.5 times the frames per level."""
    code = (
        "import matplotlib.backends.backend_agg, pyparsing\n"
        "assert pyparsing.ParserElement._packratEnabled\n"
        "import test_guard\n"
        "for shape in ('{', '(', 'fn', 'optional', 'subquery', '[', 'collection'):\n"
        "    test_guard._check_nested(shape, 64)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def _check_nested(shape: str, depth: int) -> None:
    body = {
        "{": "{" * depth + " ?s ?p ?from " + "}" * depth,
        "(": "{ FILTER(" + "(" * (depth - 2) + "?from" + ")" * (depth - 2) + ") }",
        "fn": "{ BIND(" + "STR(" * (depth - 2) + "?from" + ")" * (depth - 2) + " AS ?x) }",
        "optional": "{ OPTIONAL " * (depth // 2) + "{ ?s ?p ?from }" + " }" * (depth // 2),
        "subquery": "{ SELECT * WHERE " * (depth // 2) + "{ ?s ?p ?from }" + " }" * (depth // 2),
        "[": "{ ?s ?p " + "[ ?p " * (depth - 1) + "?from" + " ]" * (depth - 1) + " }",
        "collection": "{ ?s ?p " + "( " * (depth - 1) + "?from" + " )" * (depth - 1) + " }",
    }[shape]
    assert guard.check_query("SELECT * WHERE " + body, allow_federation=False).depth <= guard.MAX_NESTING


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?from ?p ?o FILTER(?o ",
    "SELECT * FROM WHERE { }",
    "SELECT * WHERE { SERVICE }",
])
def test_what_the_parser_cannot_read_is_refused(text: str) -> None:
    with pytest.raises(guard.Refusal) as refused:
        guard.check_query(text, allow_federation=False)
    assert refused.value.status == 400 and refused.value.message.startswith("query line 1, column ")


def test_deep_escaped_nesting_through_the_server_leaves_it_answering(endpoint) -> None:
    text = "SELECT * WHERE " + "\\u007B" * DEEP + " ?s ?p ?o " + "\\u007D" * DEEP
    status, _, body = get(endpoint.url + "/sparql", method="POST", data=text.encode(),
                          headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    assert (status, b"nested more than 64 levels" in body) == (400, True) or status == 413, body[:300]
    status, _, body = get(sparql_url(endpoint, "ASK {}"), accept="application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True



@pytest.mark.parametrize("escape", ["\\#", "\\'", "\\)"])
def test_nesting_behind_a_local_name_escape_is_counted(escape: str) -> None:
    """A local name may escape '#', a quote or a bracket (ex:a\\#b): the depth count reads it as part of the name.

    Counted as a comment, string or closer, it hid the 100 levels behind it (measured: passed as depth 1).
    """
    nest = "[ ex:p " * 100 + "1" + " ]" * 100
    text = f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a{escape}b {nest} . ex:c{escape}d ex:p ?o }}"
    ox.Store().query(text.replace(nest, "1"))  # the engine reads the escapes as names
    with pytest.raises(guard.Refusal) as refused:
        guard.check_query(text, allow_federation=False)
    assert refused.value.status == 400 and "nested more than 64 levels" in refused.value.message
