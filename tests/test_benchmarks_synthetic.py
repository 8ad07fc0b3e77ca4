"""The benchmarks' synthetic data generator: deterministic, the size asked for, valid RDF, conforming,
queryable, and its organizations are the shipped data's."""

from __future__ import annotations

import statistics
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from benchmarks.synthetic import bindings_present_in, generate, main, registry_organizations, registry_places
from hled_graph.namespaces import PREFIXES
from hled_graph.sparql import engine


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "synthetic-10000.nt"
    path.write_text("".join(line + "\n" for line in generate(triples=10_000, seed=0)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def synthetic_store(synthetic_file: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(synthetic_file), format=ox.RdfFormat.N_TRIPLES)
    return store


def test_same_seed_same_lines_other_seed_other_lines() -> None:
    first = list(generate(triples=5_000, seed=7))
    assert first == list(generate(triples=5_000, seed=7))
    assert first != list(generate(triples=5_000, seed=8))


@pytest.mark.parametrize("triples", [2_000, 10_000, 100_000])
def test_yields_about_the_requested_number_of_distinct_triples(triples: int) -> None:
    lines = list(generate(triples=triples, seed=1))
    assert abs(len(lines) - triples) <= 0.05 * triples
    assert len(set(lines)) == len(lines), "a triple was emitted twice"


def test_output_parses_in_pyoxigraph_completely(synthetic_file: Path, synthetic_store: ox.Store) -> None:
    lines = synthetic_file.read_text(encoding="utf-8").splitlines()
    assert len(synthetic_store) == len(lines)


def test_conforms_to_the_shapes_at_ten_thousand_triples(synthetic_file: Path) -> None:
    from hled_graph.sparql.library import load_checks
    from hled_graph.validate import validate_graph

    report = validate_graph(rdflib.Graph().parse(synthetic_file, format="nt"), checks=load_checks())
    assert report.conforms, report.to_text()


def _select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in row) for row in store.query(query, prefixes=PREFIXES)]


def test_every_action_has_a_lead_and_the_plain_association_too(synthetic_store: ox.Store) -> None:
    without_lead = _select(
        synthetic_store,
        """
        SELECT ?action WHERE { ?action a prov:Activity .
          FILTER NOT EXISTS { ?action prov:qualifiedAssociation [ prov:hadRole ?role ] . FILTER(?role IN (hled:leadRole, hled:hostRole)) } }""",
    )
    assert without_lead == []
    unpaired = _select(
        synthetic_store,
        """
        SELECT ?action ?agent WHERE { ?action prov:qualifiedAssociation/prov:agent ?agent .
          FILTER NOT EXISTS { ?action prov:wasAssociatedWith ?agent } }""",
    )
    assert unpaired == []


def test_organizations_of_both_countries_with_a_few_in_many_actions(synthetic_store: ox.Store) -> None:
    rows = _select(
        synthetic_store,
        """
        SELECT ?org ?country (COUNT(DISTINCT ?action) AS ?n) WHERE {
          ?action prov:wasAssociatedWith ?org . ?org hled:country ?country }
        GROUP BY ?org ?country ORDER BY DESC(?n) ?org""",
    )
    countries = {country for _, country, _ in rows}
    assert {PREFIXES["hdl"] + "united-states", PREFIXES["hdl"] + "mexico"} <= countries
    counts = [int(n) for _, _, n in rows]
    # Zipf-like: the busiest agency is in many times more actions than the typical one.
    assert counts[0] >= 8 * statistics.median(counts)
    # The data's busiest organization of each country heads its country's skew.
    busiest = {org.country: org for org in reversed(registry_organizations())}
    assert {rows[0][0], rows[1][0]} == {PREFIXES["hdo"] + busiest[c].local for c in ("united-states", "mexico")}


def test_the_organizations_are_the_shipped_datas_not_a_copy() -> None:
    shipped = engine.load_store()
    orgs = registry_organizations()
    assert len(orgs) >= 19 and len({org.local for org in orgs}) == len(orgs)
    for org in orgs:
        node = f"<{PREFIXES['hdo']}{org.local}>"
        described = f'{node} rdfs:label "{org.english}"@en ; hled:country hdl:{org.country} ; a hled:{org.kind}'
        assert engine.run_query(shipped, f"ASK {{ {described} }}").boolean, org
    actions = [org.actions for org in orgs]
    assert actions == sorted(actions, reverse=True) and actions[0] > 1


def test_money_dates_places_and_quotes_are_present(synthetic_store: ox.Store) -> None:
    (row,) = _select(
        synthetic_store,
        """
        SELECT (COUNT(DISTINCT ?money) AS ?m) (COUNT(DISTINCT ?date) AS ?d) (COUNT(DISTINCT ?place) AS ?p)
               (COUNT(DISTINCT ?quote) AS ?q) WHERE {
          { ?a hled:amount/schema:value ?money } UNION { ?a time:hasTime/time:inXSDDate ?date }
          UNION { ?a prov:atLocation ?place } UNION { ?quote oa:hasBody ?a ; oa:hasTarget/oa:hasSelector/oa:exact ?e } }""",
    )
    assert all(int(count) > 10 for count in row)


def test_library_queries_answer_on_synthetic_data(synthetic_file: Path) -> None:
    from hled_graph.sparql import library

    store = engine.load_store(data=[synthetic_file])
    queries = [q for q in library.load_library().values() if not q.online_only]
    assert queries, "the query library is empty"
    # --data files load into the default graph, so there are no named graphs to count.
    queries = [q for q in queries if q.name != "named-graphs"]
    empty = []
    for query in queries:
        bindings = bindings_present_in(store, query.bindings())
        outcome = engine.run_query(store, query.text, bindings=bindings)
        answered = bool(outcome.boolean) if outcome.kind == "ask" else bool(outcome.rows)
        if not answered:
            empty.append(query.name)
    assert empty == []


def test_the_command_writes_the_same_bytes_as_the_generator(tmp_path: Path) -> None:
    out = tmp_path / "s.nt"
    main(["--triples", "2e3", "--seed", "4", "-o", str(out)])
    assert out.read_text(encoding="utf-8") == "".join(line + "\n" for line in generate(triples=2_000, seed=4))
    assert [p.name for p in tmp_path.iterdir()] == ["s.nt"]


def test_the_command_rejects_a_bad_count_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--triples", "lots"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "python -m benchmarks.synthetic: error: --triples lots: not a number; give a count such as 10000 or 1e6"
    )


def test_the_places_are_the_shipped_datas_below_the_countries() -> None:
    shipped = engine.load_store()
    places = registry_places()
    assert {"tijuana", "baja-california", "san-diego"} <= {local for local, _, _, _ in places}
    for local, english, kind, parent in places:
        described = f'hdl:{local} rdfs:label "{english}"@en ; a schema:{kind} ; schema:containedInPlace hdl:{parent}'
        assert kind != "Country" and engine.run_query(shipped, f"ASK {{ {described} }}").boolean, local
