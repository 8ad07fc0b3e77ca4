"""NetworkX views and exports, checked against SPARQL counts on the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import BNode, Graph, Literal

from hled_graph import cli
from hled_graph.errors import InputError
from hled_graph.graph import parse_file
from hled_graph.namespaces import ID, PREFIXES, SPARQL_PROLOGUE
from hled_graph.network import View, export_network, to_networkx
from hled_graph.viz import network as viz_network

FIXTURE = Path(__file__).parent / "fixtures" / "viz-mini.ttl"
HDO, HDA, HDL = PREFIXES["hdo"], PREFIXES["hda"], PREFIXES["hdl"]

ENTITY = (
    f'isIRI(?x) && STRSTARTS(STR(?x), "{ID}") && !STRSTARTS(STR(?x), "{PREFIXES["hdq"]}") '
    f'&& !STRSTARTS(STR(?x), "{PREFIXES["status"]}") '
    "&& NOT EXISTS { ?x a foaf:Document }"
)


@pytest.fixture(scope="module")
def mini() -> Graph:
    return parse_file(FIXTURE)


def count(graph: Graph, query: str) -> int:
    return int(next(iter(graph.query(SPARQL_PROLOGUE + query)))[0])


def entity_count(graph: Graph) -> int:
    return count(
        graph, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} FILTER({ENTITY}) }}"
    )


def entity_edge_count(graph: Graph) -> int:
    """Triples between entities, with each association (qualified or plain) counted once."""
    plain = count(
        graph,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{
        ?x ?p ?y . FILTER(?p != prov:wasAssociatedWith)
        FILTER({ENTITY}) FILTER({ENTITY.replace("?x", "?y")}) }}""",
    )
    qualified = count(
        graph,
        """SELECT (COUNT(*) AS ?n) WHERE {
        SELECT DISTINCT ?action ?agent ?role WHERE {
          ?action prov:qualifiedAssociation ?a . ?a prov:agent ?agent . OPTIONAL { ?a prov:hadRole ?role } } }""",
    )
    unqualified = count(
        graph,
        """SELECT (COUNT(*) AS ?n) WHERE {
        ?action prov:wasAssociatedWith ?agent .
        FILTER NOT EXISTS { ?action prov:qualifiedAssociation/prov:agent ?agent } }""",
    )
    return plain + qualified + unqualified


def agent_count(graph: Graph) -> int:
    return count(graph, "SELECT (COUNT(DISTINCT ?agent) AS ?n) WHERE { ?action prov:wasAssociatedWith ?agent }")


def pair_count(graph: Graph) -> int:
    return count(
        graph,
        """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b WHERE {
        ?action prov:wasAssociatedWith ?a, ?b . FILTER(STR(?a) < STR(?b)) } }""",
    )


def test_entity_view_counts_equal_sparql_counts(mini: Graph) -> None:
    view = to_networkx(mini, view="entities")
    assert isinstance(view, nx.MultiDiGraph)
    assert view.number_of_nodes() == entity_count(mini) == 30
    assert view.number_of_edges() == entity_edge_count(mini)


def test_entity_view_holds_named_entities_only(mini: Graph) -> None:
    view = to_networkx(mini)
    for node in view.nodes:
        assert isinstance(node, str) and node.startswith(ID), node
        assert not node.startswith(PREFIXES["hdq"])
    documents = {str(d) for (d,) in mini.query(SPARQL_PROLOGUE + "SELECT ?d { ?d a foaf:Document }")}
    assert ID + "fact-sheet-2022" in documents and not documents & set(view.nodes)
    assert not any(isinstance(n, (BNode, Literal)) for n in view.nodes)


def test_qualified_associations_become_agent_to_action_edges_with_roles(mini: Graph) -> None:
    view = to_networkx(mini)
    roles = sorted(
        d["label"]
        for _, _, d in view.edges(HDO + "epa", data=True)
        if d["predicate"] == PREFIXES["prov"] + "wasAssociatedWith"
    )
    assert roles == ["funder", "lead"]
    edge = next(
        d for _, target, d in view.edges(HDO + "epa", data=True) if target == HDA + "epa-conagua-statement-of-intent"
    )
    assert edge["role"] == PREFIXES["hled"] + "leadRole"
    # the plain prov:wasAssociatedWith triple is not drawn a second time
    assert not view.has_edge(HDA + "epa-conagua-statement-of-intent", HDO + "epa")


def test_node_attributes(mini: Graph) -> None:
    view = to_networkx(mini)
    epa = view.nodes[HDO + "epa"]
    assert epa["label"] == "Environmental Protection Agency"
    assert (epa["class"], epa["class_label"], epa["category"]) == ("GovernmentAgency", "Government agency", "government")
    assert epa["country"] == "United States" and epa["pillars"] == [1]
    # a city's country is found by walking schema:containedInPlace up to a schema:Country
    assert view.nodes[HDL + "tijuana"]["country"] == "Mexico"
    assert view.nodes[HDO + "industry-representatives"]["country"] is None
    assert view.nodes[HDO + "dol"]["pillars"] == [4]
    assert view.nodes[ID + "hled"]["pillars"] == [1, 4]
    investment = view.nodes[HDA + "tijuana-river-investment"]
    assert investment["amounts"] == ["USD 474,000,000"]
    assert investment["class"] == "FundingCommitment"
    assert view.nodes[HDA + "apprenticeship-technical-exchange"]["dates"] == ["2022-10-24"]
    assert view.nodes[HDA + "dol-campos-de-esperanza-campaign"]["quote"].startswith("Collectively, the U.S.")


def test_collaboration_view(mini: Graph) -> None:
    view = to_networkx(mini, view="collaboration")
    assert view.number_of_nodes() == agent_count(mini) == 11
    assert view.number_of_edges() == pair_count(mini) == 9
    # one edge per pair, even in a MultiDiGraph, from the smaller IRI to the larger
    ((_key, data),) = view.get_edge_data(HDO + "conagua", HDO + "epa").items()
    assert data["weight"] == 2
    assert data["actions"] == [HDA + "epa-conagua-statement-of-intent", HDA + "tijuana-river-investment"]
    assert data["pillars"] == [1]
    assert len(data["action_labels"]) == 2
    assert not view.has_edge(HDO + "epa", HDO + "conagua")
    assert HDO + "white-house" not in view  # acts in no action


def test_bipartite_view(mini: Graph) -> None:
    view = to_networkx(mini, view="bipartite")
    agents = {n for n, d in view.nodes(data=True) if d["bipartite"] == 0}
    actions = {n for n, d in view.nodes(data=True) if d["bipartite"] == 1}
    assert len(agents) == agent_count(mini)
    assert len(actions) == count(mini, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a prov:wasAssociatedWith ?x }")
    assert view.number_of_edges() == count(
        mini,
        """SELECT (COUNT(*) AS ?n) WHERE {
        ?action prov:qualifiedAssociation ?a . ?a prov:agent ?agent ; prov:hadRole ?role }""",
    )
    assert all(source in agents and target in actions for source, target in view.edges())
    labels = {d["label"] for _, _, d in view.edges(HDO + "dol", data=True)}
    assert labels == {"host", "partner"}


def test_unknown_view_is_an_input_error(mini: Graph) -> None:
    with pytest.raises(InputError, match="unknown network view 'people'"):
        to_networkx(mini, view="people")  # type: ignore[arg-type]


def test_view_type_alias_lists_the_views() -> None:
    from typing import get_args

    assert get_args(View) == ("entities", "collaboration", "bipartite")
    assert viz_network.to_networkx is to_networkx


@pytest.mark.parametrize("view", ["entities", "collaboration", "bipartite"])
def test_exports_read_back_with_the_same_counts(mini: Graph, view: View, tmp_path: Path) -> None:
    graph = to_networkx(mini, view=view)
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()

    graphml = export_network(graph, fmt="graphml")
    (tmp_path / "g.graphml").write_text(graphml, encoding="utf-8")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert (back.number_of_nodes(), back.number_of_edges()) == (nodes, edges)

    gexf = export_network(graph, fmt="gexf")
    (tmp_path / "g.gexf").write_text(gexf, encoding="utf-8")
    back = nx.read_gexf(tmp_path / "g.gexf")
    assert (back.number_of_nodes(), back.number_of_edges()) == (nodes, edges)
    assert "lastmodifieddate" not in gexf

    data = json.loads(export_network(graph, fmt="json"))
    assert (len(data["nodes"]), len(data["edges"])) == (nodes, edges)
    back = nx.node_link_graph(data, edges="edges")
    assert back.number_of_edges() == edges

    cyto = json.loads(export_network(graph, fmt="cytoscape"))
    assert (len(cyto["elements"]["nodes"]), len(cyto["elements"]["edges"])) == (nodes, edges)


def test_exports_are_deterministic_and_sorted(mini: Graph) -> None:
    first = {fmt: export_network(to_networkx(mini), fmt=fmt) for fmt in ("graphml", "gexf", "json", "cytoscape")}
    second = {fmt: export_network(to_networkx(parse_file(FIXTURE)), fmt=fmt) for fmt in first}
    assert first == second
    ids = [n["id"] for n in json.loads(first["json"])["nodes"]]
    assert ids == sorted(ids)


def test_graphml_joins_lists_and_json_keeps_them(mini: Graph, tmp_path: Path) -> None:
    graph = to_networkx(mini)
    path = tmp_path / "g.graphml"
    path.write_text(export_network(graph, fmt="graphml"), encoding="utf-8")
    assert nx.read_graphml(path).nodes[ID + "hled"]["pillars"] == "1; 4"
    node = next(n for n in json.loads(export_network(graph, fmt="json"))["nodes"] if n["id"] == ID + "hled")
    assert node["pillars"] == [1, 4]


def test_unknown_export_format(mini: Graph) -> None:
    with pytest.raises(InputError, match="unknown network format 'dot'"):
        export_network(to_networkx(mini), fmt="dot")  # type: ignore[arg-type]


def test_cli_network_writes_the_view(mini: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hled_graph.graph.load_graph", lambda **_: parse_file(FIXTURE))
    out = tmp_path / "collab.json"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["network", "--view", "collaboration", "--format", "json", "-o", str(out)])
    assert exit_info.value.code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (len(data["nodes"]), len(data["edges"])) == (agent_count(mini), pair_count(mini))


def test_cli_network_rejects_an_unknown_view(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["network", "--view", "people"])
    assert exit_info.value.code == 2
    assert "people" in capsys.readouterr().err


# --- the shipped graph -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Graph:
    from hled_graph.graph import load_graph

    return load_graph()


def test_shipped_views_match_sparql_counts(shipped: Graph) -> None:
    views = viz_network.build_views(shipped)
    assert views["entities"].number_of_nodes() == entity_count(shipped)
    assert views["entities"].number_of_edges() == entity_edge_count(shipped)
    assert views["collaboration"].number_of_nodes() == agent_count(shipped)
    assert views["collaboration"].number_of_edges() == pair_count(shipped)
    assert views["bipartite"].number_of_edges() == count(
        shipped,
        """SELECT (COUNT(*) AS ?n) WHERE {
        SELECT DISTINCT ?action ?agent ?role WHERE {
          ?action prov:qualifiedAssociation ?a . ?a prov:agent ?agent . OPTIONAL { ?a prov:hadRole ?role } } }""",
    )
    # every action node of the entity view is an action of the dialogue in the data, and back
    actions = {n for n, d in views["entities"].nodes(data=True) if d["category"] in {"action", "event"}}
    assert len(actions) == count(shipped, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a hled:partOfDialogue hd:hled }")


def test_shipped_entities_have_classes_labels_and_no_vocabulary(shipped: Graph) -> None:
    view = to_networkx(shipped)
    assert all(d["class"] for _, d in view.nodes(data=True)), "an entity without a class"
    assert all(d["category"] != "other" for _, d in view.nodes(data=True))
    assert view.nodes[HDO + "epa"]["country"] == "United States"
    assert view.nodes[HDO + "conagua"]["country"] == "Mexico"
    assert not [n for n in view.nodes if n.startswith((PREFIXES["hled"], PREFIXES["hdq"]))]
