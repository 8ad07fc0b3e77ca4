"""Network analysis on graphs whose answers can be checked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from hled_graph import cli
from hled_graph.graph import parse_file
from hled_graph.namespaces import PREFIXES
from hled_graph.viz.analysis import Report, analyze

FIXTURE = Path(__file__).parent / "fixtures" / "viz-mini.ttl"
HDO, HDA = PREFIXES["hdo"], PREFIXES["hda"]

PREAMBLE = """
@prefix hled: <https://w3id.org/hled/ontology#> . @prefix hdo: <https://w3id.org/hled/id/org/> .
@prefix hda: <https://w3id.org/hled/id/action/> . @prefix hdl: <https://w3id.org/hled/id/place/> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def path_graph() -> Graph:
    """A - B - C: A and B act together in one action, B and C in another."""
    graph = Graph()
    graph.parse(data=PREAMBLE + """
        hdo:a a hled:GovernmentAgency ; rdfs:label "A"@en ; hled:country hdl:united-states .
        hdo:b a hled:Ministry ; rdfs:label "B"@en ; hled:country hdl:mexico .
        hdo:c a hled:GovernmentAgency ; rdfs:label "C"@en ; hled:country hdl:united-states .
        hda:one a hled:Cooperation ; rdfs:label "One"@en ; prov:wasAssociatedWith hdo:a, hdo:b .
        hda:two a hled:Cooperation ; rdfs:label "Two"@en ; prov:wasAssociatedWith hdo:b, hdo:c .
    """, format="turtle")
    return graph


@pytest.fixture(scope="module")
def mini_report() -> Report:
    return analyze(parse_file(FIXTURE))


def by_label(report: Report) -> dict[str, object]:
    return {agent.label: agent for agent in report.agents}


def test_path_a_b_c() -> None:
    report = analyze(path_graph())
    agents = by_label(report)
    assert agents["B"].betweenness == 1.0
    assert agents["A"].betweenness == agents["C"].betweenness == 0.0
    assert agents["B"].degree_centrality == 1.0 and agents["A"].degree_centrality == 0.5
    assert [a.label for a in report.agents] == ["B", "A", "C"]
    assert [[e.label for e in c] for c in report.components] == [["A", "B", "C"]]
    pairs = [(p.united_states.label, p.mexico.label, [a.label for a in p.actions]) for p in report.cross_border_pairs]
    assert pairs == [("A", "B", ["One"]), ("C", "B", ["Two"])]


def test_strong_ties_are_short() -> None:
    """A-B share one action, A-D and D-B three each: via D costs 1/3 + 1/3 < 1, so the
    shortest A-B path runs through D (unweighted, the direct link would win and D would get 0)."""
    graph = Graph()
    graph.parse(data=PREAMBLE + """
        hdo:a rdfs:label "A"@en . hdo:b rdfs:label "B"@en . hdo:d rdfs:label "D"@en .
        hda:ab a hled:Cooperation ; prov:wasAssociatedWith hdo:a, hdo:b .
        hda:ad1 a hled:Cooperation ; prov:wasAssociatedWith hdo:a, hdo:d .
        hda:ad2 a hled:Cooperation ; prov:wasAssociatedWith hdo:a, hdo:d .
        hda:ad3 a hled:Cooperation ; prov:wasAssociatedWith hdo:a, hdo:d .
        hda:db1 a hled:Cooperation ; prov:wasAssociatedWith hdo:d, hdo:b .
        hda:db2 a hled:Cooperation ; prov:wasAssociatedWith hdo:d, hdo:b .
        hda:db3 a hled:Cooperation ; prov:wasAssociatedWith hdo:d, hdo:b .
    """, format="turtle")
    agents = by_label(analyze(graph))
    assert agents["D"].betweenness == 1.0
    assert agents["A"].betweenness == agents["B"].betweenness == 0.0
    assert (agents["D"].partners, agents["D"].shared_actions) == (2, 6)
    assert (agents["A"].partners, agents["A"].shared_actions) == (2, 4)


def test_fixture_centrality(mini_report: Report) -> None:
    agents = by_label(mini_report)
    # DOL links Campos de Esperanza to the Ministry of Economy and to STPS: 2 of 45 pairs (n = 11)
    dol = agents["U.S. Department of Labor"]
    assert dol.betweenness == pytest.approx(2 / 45, abs=1e-6)
    assert mini_report.agents[0].label == "U.S. Department of Labor"
    assert (dol.partners, dol.shared_actions) == (3, 3)
    assert dol.degree_centrality == pytest.approx(0.3)
    epa = agents["Environmental Protection Agency"]
    assert (epa.partners, epa.shared_actions, epa.betweenness) == (1, 2, 0.0)
    assert len(mini_report.agents) == 11


def test_fixture_components_and_communities(mini_report: Report) -> None:
    components = [[e.iri.removeprefix(HDO) for e in c] for c in mini_report.components]
    assert components == [
        ["campos-de-esperanza", "secretaria-economia", "stps", "dol"],
        ["industry-representatives", "sre", "university-of-california"],
        ["epa", "conagua"],
        ["us-government", "fumec"],
    ]
    # the four components are the natural communities of this small graph
    assert sorted(map(sorted, ([e.iri for e in c] for c in mini_report.communities))) == \
        sorted(map(sorted, ([e.iri for e in c] for c in mini_report.components)))


def test_fixture_cross_border_pairs(mini_report: Report) -> None:
    pairs = [(p.united_states.iri.removeprefix(HDO), p.mexico.iri.removeprefix(HDO), len(p.actions))
             for p in mini_report.cross_border_pairs]
    assert pairs == [
        ("epa", "conagua", 2),
        ("us-government", "fumec", 1),
        ("dol", "campos-de-esperanza", 1),
        ("dol", "secretaria-economia", 1),
        ("dol", "stps", 1),
        ("university-of-california", "sre", 1),
    ]
    first = mini_report.cross_border_pairs[0]
    assert [a.iri for a in first.actions] == [HDA + "epa-conagua-statement-of-intent", HDA + "tijuana-river-investment"]


def test_fixture_counts_per_pillar_and_country(mini_report: Report) -> None:
    assert [(p.pillar, p.actions, p.agents) for p in mini_report.pillars] == [("1", 3, 5), ("4", 3, 6)]
    assert [(c.country, c.agents, c.actions) for c in mini_report.countries] == [
        ("Mexico", 6, 6), ("United States", 4, 6), ("none", 1, 1)]


def test_report_outputs(mini_report: Report) -> None:
    data = mini_report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["agents"][0]["label"] == "U.S. Department of Labor"
    text = mini_report.to_markdown()
    assert "| U.S. Department of Labor | United States | 3 | 3 | 0.300 | 0.044 |" in text
    assert "## U.S.–Mexico pairs that act together" in text
    assert "| Environmental Protection Agency | National Water Commission |" in text


def test_report_is_deterministic(mini_report: Report) -> None:
    again = analyze(parse_file(FIXTURE))
    assert again.to_dict() == mini_report.to_dict()
    assert again.to_markdown() == mini_report.to_markdown()


def test_cli_analyze_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("hled_graph.graph.load_graph", lambda **_: parse_file(FIXTURE))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["analyze", "--json"])
    assert exit_info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agents"][0]["iri"] == HDO + "dol"
    assert len(data["cross_border_pairs"]) == 6


# --- the shipped graph -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped() -> Graph:
    from hled_graph.graph import load_graph

    return load_graph()


def test_shipped_per_pillar_counts_equal_sparql(shipped: Graph) -> None:
    from hled_graph.namespaces import SPARQL_PROLOGUE

    report = analyze(shipped)
    actions = {str(row.n): int(row.c) for row in shipped.query(SPARQL_PROLOGUE + """
        SELECT ?n (COUNT(DISTINCT ?a) AS ?c) WHERE { ?a hled:pillar/hled:pillarNumber ?n } GROUP BY ?n""")}
    agents = {str(row.n): int(row.c) for row in shipped.query(SPARQL_PROLOGUE + """
        SELECT ?n (COUNT(DISTINCT ?agent) AS ?c) WHERE {
          ?a hled:pillar/hled:pillarNumber ?n ; prov:wasAssociatedWith ?agent } GROUP BY ?n""")}
    numbered = [p for p in report.pillars if p.pillar != "none"]
    assert {p.pillar: p.actions for p in numbered} == actions
    assert {p.pillar: p.agents for p in numbered} == agents
    assert sorted(actions) == ["1", "2", "3", "4"]


def test_shipped_epa_and_conagua_act_together(shipped: Graph) -> None:
    report = analyze(shipped)
    pair = next(p for p in report.cross_border_pairs
                if (p.united_states.iri, p.mexico.iri) == (HDO + "epa", HDO + "conagua"))
    assert pair.actions, "EPA and CONAGUA share no action"
    assert all(p.united_states.iri != p.mexico.iri for p in report.cross_border_pairs)
    assert sum(len(c) for c in report.components) == len(report.agents)
    assert sum(len(c) for c in report.communities) == len(report.agents)
