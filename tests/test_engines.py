"""The engines: pyoxigraph (CLI, server) and rdflib (Python API) give the same answers.

The whole query library runs on both over the real shipped graph; rows are compared as
multisets (in order where the query orders them) with terms normalised, and CONSTRUCT results
by graph isomorphism. Also here: loading, syntax errors, bindings, on-disk stores.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import hled_graph
from hled_graph.errors import InputError
from hled_graph.graph import load_dataset, load_graph, parse_file
from hled_graph.sparql import engine, library, rdflib_engine
from hled_graph.terms import to_rdflib

FIXTURE = Path(__file__).parent / "fixtures" / "sparql-mini.ttl"
LIBRARY = {**library.load_library(), **library.load_checks()}
OFFLINE = [name for name, q in LIBRARY.items() if not q.online_only]
NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")
}


# --------------------------------------------------------------------------- comparing answers


def _normal(term: object) -> object:
    """A term as a comparable value: numbers by value, IRIs as strings, plain = xsd:string.

    GROUP_CONCAT's order is left to the engine (SPARQL 1.1, 18.5.1.7), so "a; b" lists compare
    as sorted lists.
    """
    if term is None:
        return None
    if isinstance(term, (ox.NamedNode, URIRef)):
        return ("iri", str(term.value if isinstance(term, ox.NamedNode) else term))
    if isinstance(term, (ox.BlankNode, BNode)):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        value, language, datatype = term.value, term.language, term.datatype.value
    else:
        assert isinstance(term, Literal)
        value, language = str(term), term.language
        datatype = str(term.datatype) if term.datatype else None
    if datatype in NUMERIC:
        return ("number", Decimal(value))
    if datatype in (
        None,
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    ):
        datatype = None
    if "; " in value:
        value = "; ".join(sorted(value.split("; ")))
    return ("literal", value, language, datatype)


def _rows(rows: object) -> list[tuple]:
    return [tuple(_normal(t) for t in row) for row in rows]


def _ordered(text: str) -> bool:
    return re.search(r"^\s*ORDER BY", text, re.M | re.I) is not None


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store()


@pytest.fixture(scope="module")
def merged() -> Graph:
    return load_graph()


@pytest.mark.parametrize("name", OFFLINE)
def test_library_gives_the_same_answers_on_pyoxigraph_and_rdflib(
    name: str, store: ox.Store, merged: Graph
) -> None:
    query = LIBRARY[name]
    bindings = query.bindings()
    # Named graphs exist only in a dataset; everything else runs on the merged Graph.
    target = load_dataset() if "GRAPH ?" in query.text else merged
    ours = engine.run_query(store, query.text, bindings=bindings)
    theirs = rdflib_engine.query(
        query.text, target, bindings={k: to_rdflib(v) for k, v in bindings.items()}
    )
    assert ours.kind == theirs.kind
    if ours.kind == "ask":
        assert ours.boolean == theirs.boolean
        return
    if ours.kind == "construct":
        built = Graph()
        for s, p, o in ours.rows:
            built.add(tuple(to_rdflib(t) for t in (s, p, o)))
        assert len(built) > 0
        assert isomorphic(built, theirs.graph)
        return
    assert ours.variables == theirs.variables
    if _ordered(query.text):
        assert _rows(ours.rows) == _rows(theirs.rows)
    else:
        assert Counter(_rows(ours.rows)) == Counter(_rows(theirs.rows))


# --------------------------------------------------------------------------- loading and querying


@pytest.fixture(scope="module")
def mini() -> ox.Store:
    return engine.load_store(data=[FIXTURE])


def test_shipped_store_keeps_ontology_data_and_links_as_named_graphs(store: ox.Store) -> None:
    graphs = {str(g.value) for g in store.named_graphs()}
    assert {"https://w3id.org/hled/graph/ontology", "https://w3id.org/hled/graph/data"} <= graphs
    outcome = engine.run_query(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/hled/graph/data> { hdo:epa ?p ?o } }",
    )
    assert int(outcome.rows[0][0].value) > 0


def test_queries_see_the_union_of_the_named_graphs(store: ox.Store) -> None:
    # the class comes from the ontology graph, the instance from the data graph
    outcome = engine.run_query(
        store, "ASK { hdo:epa a ?kind . ?kind rdfs:subClassOf+ org:Organization }"
    )
    assert outcome.boolean is True


ONTOLOGY_GRAPH = "https://w3id.org/hled/graph/ontology"


def _count(store: ox.Store, text: str) -> int:
    return int(engine.run_query(store, text).rows[0][0].value)


def test_from_picks_the_default_graph(store: ox.Store) -> None:
    union = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    ontology = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    assert 0 < ontology < union
    assert _count(store, f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}") == ontology
    assert _count(store, "SELECT (COUNT(*) AS ?n) FROM <https://example.org/no-such-graph> WHERE { ?s ?p ?o }") == 0


def test_from_named_limits_the_named_graphs(store: ox.Store) -> None:
    graphs = engine.run_query(store, f"SELECT DISTINCT ?g FROM NAMED <{ONTOLOGY_GRAPH}> WHERE {{ GRAPH ?g {{ }} }}")
    assert [row[0].value for row in graphs.rows] == [ONTOLOGY_GRAPH]
    # With FROM NAMED alone the default graph is empty, not the union.
    assert _count(store, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}") == 0


def test_protocol_graphs_win_over_the_query_dataset(store: ox.Store) -> None:
    ontology = _count(store, f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}")
    outcome = engine.run_query(store, "SELECT (COUNT(*) AS ?n) FROM <https://example.org/none> WHERE { ?s ?p ?o }",
                               default_graphs=[ONTOLOGY_GRAPH])
    assert int(outcome.rows[0][0].value) == ontology


def test_relative_iris_resolve_against_the_base(store: ox.Store) -> None:
    graph = engine.run_query(store, "CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert [(s.value, p.value) for s, p, _ in graph.rows] == [("https://w3id.org/hled/s", "https://w3id.org/hled/p")]
    graph = engine.run_query(store, "CONSTRUCT { <s> <p> 1 } WHERE {}", base_iri="http://localhost:7000/sparql")
    assert graph.rows[0][0].value == "http://localhost:7000/s"


def test_select_ask_construct_on_the_fixture(mini: ox.Store) -> None:
    select = engine.run_query(
        mini,
        "SELECT ?o WHERE { hda:epa-conagua-statement-of-intent prov:wasAssociatedWith ?o } ORDER BY ?o",
    )
    assert select.kind == "select" and select.variables == ("o",)
    assert [row[0].value for row in select.rows] == [
        "https://w3id.org/hled/id/org/conagua",
        "https://w3id.org/hled/id/org/epa",
    ]
    assert engine.run_query(mini, "ASK { hdo:dol a hled:GovernmentAgency }").boolean is True
    graph = engine.run_query(
        mini, "CONSTRUCT { ?o a hled:Agent } WHERE { ?a prov:wasAssociatedWith ?o }"
    )
    assert graph.kind == "construct" and len(graph.rows) == 4
    assert graph.rows == tuple(sorted(graph.rows, key=lambda t: tuple(str(x) for x in t)))


def test_unbound_values_are_none(mini: ox.Store) -> None:
    outcome = engine.run_query(
        mini,
        "SELECT ?a ?v WHERE { ?a a prov:Activity OPTIONAL { ?a hled:amount/schema:value ?v } }",
    )
    assert sorted(row[1] is None for row in outcome.rows) == [False, True, True]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("SELECT ?x WHERE {\n  ?x foo:bar ?y }", "query line 2, column 13: Prefix not found"),
        (
            "SELECT * WHERE {\n ?s ?p ?o\n FILTER(?x = ) }",
            "query line 3, column 17: expected one of ABS, AVG",
        ),
        (
            "SELECT ?x WHERE { ?x ?p ?o } GROUP BY ?y",
            "query line 1, column 41: The SELECT contains a variable that is unbound",
        ),
    ],
)
def test_syntax_errors_name_line_and_column(mini: ox.Store, text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        engine.run_query(mini, text)
    assert caught.value.message.startswith(expected)
    assert "\n" not in caught.value.message and "\\u{" not in caught.value.message


def test_rdflib_syntax_errors_are_input_errors_too() -> None:
    with pytest.raises(InputError, match=r"^query line 2, column \d+: "):
        rdflib_engine.query("SELECT ?x WHERE {\n ?x ?y }", parse_file(FIXTURE))


def test_bindings_substitute_values(mini: ox.Store) -> None:
    text = "SELECT ?org ?a WHERE { ?a prov:wasAssociatedWith ?org } ORDER BY ?a"
    outcome = engine.run_query(mini, text, bindings={"org": library.parse_term("hdo:dol")})
    assert [row[1].value.rsplit("/", 1)[1] for row in outcome.rows] == [
        "dol-apprenticeship-exchange",
        "dol-campos-de-esperanza-campaign",
    ]
    rdflib_rows = rdflib_engine.query(text, parse_file(FIXTURE), bindings={"org": "hdo:dol"})
    assert [str(r[1]).rsplit("/", 1)[1] for r in rdflib_rows] == [
        "dol-apprenticeship-exchange",
        "dol-campos-de-esperanza-campaign",
    ]


def test_binding_a_variable_the_select_does_not_return_is_explained(mini: ox.Store) -> None:
    with pytest.raises(InputError, match=r"cannot bind \?o: .*add \?o to the SELECT list"):
        engine.run_query(mini, "SELECT ?s WHERE { ?s ?p ?o }", bindings={"o": ox.Literal("x")})


def test_malformed_data_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n',
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match=rf"^{re.escape(str(bad))}, line 3, column \d+: .*; fix the file"
    ):
        engine.load_store(data=[bad])


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        engine.load_store(data=[tmp_path / "missing.ttl"])
    odd = tmp_path / "data.txt"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown RDF file extension '\.txt'"):
        engine.load_store(data=[odd])


# --------------------------------------------------------------------------- on-disk stores


def test_store_create_then_query_read_only(tmp_path: Path, store: ox.Store) -> None:
    folder = tmp_path / "store"
    size = engine.create_store(folder)
    assert size == len(store)
    disk = engine.load_store(store_path=folder)
    text = LIBRARY["pillars"].text
    assert engine.run_query(disk, text).rows == engine.run_query(store, text).rows
    with pytest.raises(RuntimeError, match="read-write"):
        disk.add(
            ox.Quad(
                ox.NamedNode("http://example.org/a"),
                ox.NamedNode("http://example.org/b"),
                ox.Literal("c"),
            )
        )


def test_store_create_reports_progress_for_big_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PROGRESS_THRESHOLD_BYTES", 0)
    lines: list[str] = []
    engine.create_store(tmp_path / "store", data=[FIXTURE], progress=lines.append)
    assert lines[-1].startswith(f"loading {FIXTURE.name}: 100% (")
    assert len(lines) == len(set(lines)) <= 11  # at most a line per tenth, never repeated
    assert all(
        re.fullmatch(r"loading sparql-mini\.ttl: \d+% \(\d+\.\d of \d+\.\d MB\)", line)
        for line in lines
    )


def test_store_create_refuses_a_used_folder_and_cleans_up_after_bad_input(tmp_path: Path) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="already exists and is not an empty folder"):
        engine.create_store(used)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    target = tmp_path / "new"
    with pytest.raises(InputError, match=r"bad\.ttl, line 1"):
        engine.create_store(target, data=[FIXTURE, bad])
    assert not target.exists()


def test_opening_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="hled-graph store create"):
        engine.load_store(store_path=tmp_path / "nothing")


# --------------------------------------------------------------------------- remote binding


def test_inline_bindings_puts_values_first_in_the_where_group() -> None:
    text = '# WHERE in a comment\nSELECT ?x WHERE { ?x ?p "WHERE { }" . ?somewhere ?q ?x }'
    inlined = engine.inline_bindings(text, {"x": ox.NamedNode("https://w3id.org/hled/id/org/epa")})
    assert inlined == (
        "# WHERE in a comment\nSELECT ?x WHERE { VALUES ?x { <https://w3id.org/hled/id/org/epa> }  "
        '?x ?p "WHERE { }" . ?somewhere ?q ?x }'
    )


def test_inline_bindings_needs_a_where_keyword() -> None:
    with pytest.raises(InputError, match="no WHERE keyword"):
        engine.inline_bindings("SELECT * { ?s ?p ?o }", {"s": ox.NamedNode("http://example.org/")})


def test_endpoint_url_must_be_http() -> None:
    with pytest.raises(InputError, match="not an http"):
        engine.RemoteEndpoint("ftp://example.org/sparql")


def test_unreachable_endpoint_is_a_one_line_input_error() -> None:
    with pytest.raises(InputError, match=r"cannot reach http://127.0.0.1:1/sparql: .*check the URL") as caught:
        engine.RemoteEndpoint("http://127.0.0.1:1/sparql", timeout=5).query("ASK {}")
    assert caught.value.exit_code == 2


# --------------------------------------------------------------------------- the Python API


def test_python_api_queries_the_shipped_graph() -> None:
    result = hled_graph.query(
        "SELECT ?n WHERE { ?p a hled:Pillar ; hled:pillarNumber ?n } ORDER BY ?n"
    )
    assert [int(n) for n in result.column("n")] == [1, 2, 3, 4]
    assert len(result) == 4
    html = result._repr_html_()
    assert html.startswith("<table><thead><tr><th>n</th></tr></thead>") and html.endswith(
        "<p>4 rows</p>"
    )


def test_python_api_runs_named_queries_with_keyword_parameters() -> None:
    result = hled_graph.named_query("organization-activities", org="hdo:usaid")
    assert result.kind == "select"
    assert {str(o) for o in result.column("org")} == {"https://w3id.org/hled/id/org/usaid"}
    assert (
        hled_graph.named_query("organization-in-pillar", org="hdo:usaid", pillar="pillar:2").boolean
        is True
    )


def test_python_api_html_escapes_and_links() -> None:
    graph = Graph()
    graph.add(
        (
            URIRef("https://w3id.org/hled/id/org/x"),
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("<b>&</b>", lang="en"),
        )
    )
    html = hled_graph.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }", graph)._repr_html_()
    assert '<a href="https://w3id.org/hled/id/org/x">hdo:x</a>' in html
    assert "&lt;b&gt;&amp;&lt;/b&gt; <small>@en</small>" in html
    assert hled_graph.query("ASK { ?s ?p ?o }", graph)._repr_html_() == "<p><b>true</b></p>"


def test_python_api_explains_graph_queries_need_the_dataset() -> None:
    with pytest.raises(InputError, match="load_dataset"):
        hled_graph.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", parse_file(FIXTURE))
