"""Maps: content, escaping, self-containment, selection, clustering, saving, the CLI."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import networkx as nx
import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from hled_graph import cli, templating
from hled_graph.errors import InputError
from hled_graph.graph import parse_file
from hled_graph.namespaces import ID, PREFIXES
from hled_graph.network import to_networkx
from hled_graph.viz import maps
from hled_graph.viz.maps import (
    CLUSTER_KEEP,
    CLUSTER_THRESHOLD,
    UNDRAWN_PREDICATES,
    MapDocument,
    build_map,
    map_from_graph,
    map_from_networkx,
    write_maps,
)

FIXTURE = Path(__file__).parent / "fixtures" / "viz-mini.ttl"
HDO, HDA = PREFIXES["hdo"], PREFIXES["hda"]
HOSTILE = ["<img src=x onerror=window.__pwned=1>", "</script><script>window.__pwned=1</script>"]


@pytest.fixture(scope="module")
def mini() -> Graph:
    return parse_file(FIXTURE)


@pytest.fixture(scope="module")
def overview(mini: Graph) -> MapDocument:
    return build_map(mini)


def hostile_graph() -> Graph:
    graph = parse_file(FIXTURE)
    for name, hostile in (("epa", HOSTILE[0]), ("conagua", HOSTILE[1])):
        for prop in (RDFS.label, SKOS.prefLabel):  # the label policy prefers skos:prefLabel
            graph.set((URIRef(HDO + name), prop, Literal(hostile, lang="en")))
    return graph


def drawn_pairs(view: nx.MultiDiGraph) -> set[tuple[str, str]]:
    return {(u, v) for u, v, d in view.edges(data=True) if d.get("predicate") not in UNDRAWN_PREDICATES}


def page_data(document: MapDocument) -> dict:
    block = re.search(r'<script id="hled-data" type="application/json">(.*?)</script>', document.html, re.S)
    assert block, "the page has no data block"
    return json.loads(block.group(1))


def test_overview_draws_every_entity(mini: Graph, overview: MapDocument) -> None:
    view = to_networkx(mini)
    assert {n["id"] for n in overview.nodes} == set(view.nodes)
    # parallel edges (one agent, two roles) share one drawn line; partOfDialogue spokes and
    # country links are left out
    assert {(e["from"], e["to"]) for e in overview.edges} == drawn_pairs(view)
    assert len(overview.edges) == 49 - 13  # the 13 hled:country links are border colours
    data = page_data(overview)
    assert len(data["nodes"]) == len(overview.nodes) and len(data["edges"]) == len(overview.edges)
    assert data["options"]["physics"]["enabled"] is False


def test_nodes_are_styled_by_class_and_country(overview: MapDocument) -> None:
    node = {n["id"]: n for n in overview.nodes}
    epa, conagua, group = node[HDO + "epa"], node[HDO + "conagua"], node[HDO + "industry-representatives"]
    assert epa["color"]["background"] == maps.STYLE["government"][0] and epa["shape"] == "dot"
    assert epa["color"]["border"] == maps.BORDERS["us"][1]
    assert conagua["color"]["border"] == maps.BORDERS["mx"][1]
    assert group["color"]["border"] == maps.BORDERS["none"][1] and group["shape"] == "triangle"
    assert node[HDA + "apprenticeship-technical-exchange"]["shape"] == "star"
    # size and label grow with the number of drawn neighbours (country links are the border, not drawn)
    tijuana, white_house = node[PREFIXES["hdl"] + "tijuana"], node[HDO + "white-house"]
    assert tijuana["size"] > white_house["size"] and tijuana["font"]["size"] > white_house["font"]["size"]
    assert {n["size"] for n in overview.nodes} >= set(maps.NODE_RADIUS)
    assert {n["font"]["size"] for n in overview.nodes} >= set(maps.LABEL_FONT)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in overview.nodes)


def test_tooltips_are_plain_text_with_the_facts(overview: MapDocument) -> None:
    node = {n["id"]: n for n in overview.nodes}
    investment = node[HDA + "tijuana-river-investment"]["title"]
    assert "Type: Funding commitment" in investment and "Amount: USD 474,000,000" in investment
    exchange = node[HDA + "apprenticeship-technical-exchange"]["title"]
    assert "Date: 2022-10-24" in exchange
    campaign = node[HDA + "dol-campos-de-esperanza-campaign"]["title"]
    assert "Source: “Collectively, the U.S. Division of Labor" in campaign
    assert not any("<" in n["title"] for n in overview.nodes)


def test_legend(overview: MapDocument) -> None:
    categories = {entry.key: entry.count for entry in overview.legend["categories"]}
    assert categories["government"] == 9 and categories["action"] == 5 and categories["event"] == 1
    assert [entry.label for entry in overview.legend["borders"]][:2] == ["United States", "Mexico"]
    assert 'id="hled-legend"' in overview.html
    assert "Government body (9)" in overview.html


def test_page_is_self_contained(overview: MapDocument) -> None:
    page = overview.html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<link rel=\"stylesheet\"" not in page and "@import" not in page
    assert "default-src 'none'" in page  # the CSP forbids every request
    policy = re.search(r"script-src ([^;]*);", page).group(1).split()
    assert len(policy) == 2 and all(p.startswith("'sha256-") for p in policy)  # only our two scripts run
    assert "sourceMappingURL" not in page
    assert f"vis-network {maps.VIS_NETWORK_VERSION}" in page and "vis-network.min.js" not in page
    assert page.count("<script") == 3


def test_building_and_saving_creates_no_lib_folder(mini: Graph, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "maps"
    paths = write_maps(mini, out)
    assert [p.name for p in paths] == ["overview.html", "pillar-1.html", "pillar-4.html", "collaboration.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temp files left
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and "window.hledNetwork" in text


def test_hostile_labels_are_escaped() -> None:
    document = build_map(hostile_graph(), title=HOSTILE[1])
    page = document.html
    for text in HOSTILE:
        assert text not in page
    assert page.count("<script") == 3 and page.count("</script>") == 3
    assert "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in page
    assert f"<title>{escape(HOSTILE[1])}</title>" in page
    labels = {n["fullLabel"] for n in page_data(document)["nodes"]}
    assert set(HOSTILE) <= labels  # the data round-trips: the browser shows the label as text
    assert "\u2028" not in page and "\u2029" not in page


def test_script_json_escapes_line_separators() -> None:
    text = templating.environment("hled_graph.viz").from_string("{{ data | tojson }}").render(
        data={"a": "x\u2028y\u2029z</script><!--&"})
    assert "\u2028" not in text and "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "x\u2028y\u2029z</script><!--&"}


def test_pillar_map(mini: Graph) -> None:
    document = build_map(mini, pillar=4)
    assert all(4 in n["pillars"] for n in document.nodes)
    assert HDO + "dol" in {n["id"] for n in document.nodes}
    assert HDO + "epa" not in {n["id"] for n in document.nodes}
    assert document.title == "HLED 2022 — Pillar 4: Investing in Our People"


def test_unknown_pillar(mini: Graph) -> None:
    with pytest.raises(InputError, match=r"unknown pillar 3; this graph has pillars 1, 4"):
        build_map(mini, pillar=3)


@pytest.mark.parametrize("focus", ["epa", "hdo:epa", HDO + "epa", "Environmental Protection Agency"])
def test_focus_accepts_every_spelling(mini: Graph, focus: str) -> None:
    document = build_map(mini, focus=focus, depth=1)
    # the country is the node's border, not a link: the United States is not one step away
    assert {n["id"] for n in document.nodes} == {
        HDO + "epa", HDA + "epa-conagua-statement-of-intent", HDA + "tijuana-river-investment"}
    assert document.title == "HLED 2022 — around Environmental Protection Agency (1 step)"


def test_focus_depth_two_reaches_further(mini: Graph) -> None:
    document = build_map(mini, focus="epa", depth=2)
    ids = {n["id"] for n in document.nodes}
    assert ids == {
        HDO + "epa", HDA + "epa-conagua-statement-of-intent", HDA + "tijuana-river-investment",
        HDO + "conagua", PREFIXES["hdl"] + "tijuana", PREFIXES["pillar"] + "1",
        PREFIXES["hdw"] + "tijuana-river-statement-of-intent"}
    assert document.title == "HLED 2022 — around Environmental Protection Agency (2 steps)"
    assert {n["id"] for n in build_map(mini, focus="epa", depth=0).nodes} == {HDO + "epa"}


def test_unknown_focus_suggests_close_names(mini: Graph) -> None:
    with pytest.raises(InputError, match=r"^--focus epaa: no entity has this name; did you mean .*hdo:epa"):
        build_map(mini, focus="epaa")


def test_collaboration_map(mini: Graph) -> None:
    document = build_map(mini, view="collaboration")
    assert (len(document.nodes), len(document.edges)) == (11, 9)
    edge = next(e for e in document.edges if {e["from"], e["to"]} == {HDO + "epa", HDO + "conagua"})
    assert edge["value"] == 2 and "EPA-CONAGUA statement of intent" in edge["title"]
    assert page_data(document)["options"]["edges"]["arrows"]["to"]["enabled"] is False


def test_map_from_a_construct_result(mini: Graph) -> None:
    constructed = mini.query("""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        CONSTRUCT { ?agent prov:wasAssociatedWith ?action ; rdfs:label ?name .
                    ?agent rdfs:seeAlso <https://example.org/registry/agent> }
        WHERE { ?action prov:wasAssociatedWith ?agent . ?agent rdfs:label ?name }""").graph
    document = map_from_graph(constructed)
    ids = {n["id"] for n in document.nodes}
    assert HDO + "epa" in ids and "https://example.org/registry/agent" in ids
    assert len(ids) == 11 + 6 + 1  # agents, the actions they name, the outside resource
    assert document.title == "HLED 2022 — query result"


def test_map_from_a_graph_without_resources() -> None:
    graph = Graph()
    graph.add((URIRef(PREFIXES["hled"] + "leadRole"), RDFS.label, Literal("lead")))
    with pytest.raises(InputError, match="no resources to draw"):
        map_from_graph(graph)


def synthetic_corpus(size: int) -> nx.MultiDiGraph:
    """A random corpus of organizations and actions shaped like the entity view."""
    rng = random.Random(5)
    graph = nx.MultiDiGraph(view="entities")
    organizations = [f"{ID}org/o{i}" for i in range(size // 10)]
    for org in organizations:
        graph.add_node(org, label=f"Organization {org[-4:]}", category="government", pillars=[],
                       country_iris=[PREFIXES["hdl"] + rng.choice(["mexico", "united-states"])])
    for i in range(size - len(organizations)):
        action = f"{ID}action/a{i}"
        graph.add_node(action, label=f"Action {i}", category="action", pillars=[rng.randint(1, 4)])
        for org in rng.sample(organizations, 2):
            graph.add_edge(org, action, label="partner")
    return graph


def test_large_graphs_are_clustered() -> None:
    corpus = synthetic_corpus(5000)
    assert corpus.number_of_nodes() == 5000 > CLUSTER_THRESHOLD
    document = map_from_networkx(corpus, title="synthetic")
    assert document.clustered
    clusters = [n for n in document.nodes if n["id"].startswith("cluster:")]
    assert len(document.nodes) == CLUSTER_KEEP + len(clusters)
    # actions grouped by pillar: four cluster nodes hold every action that was not kept
    assert sorted(n["id"] for n in clusters if n["category"] == "action") == [
        f"cluster:action:{p}" for p in (1, 2, 3, 4)]
    assert all(e["value"] >= 1 for e in document.edges)
    assert "grouped into" in document.html


def test_small_graphs_are_not_clustered(overview: MapDocument) -> None:
    assert not overview.clustered and not any(n["id"].startswith("cluster:") for n in overview.nodes)


def test_maps_are_deterministic(mini: Graph, overview: MapDocument) -> None:
    assert build_map(parse_file(FIXTURE)).html == overview.html


def test_save_is_atomic_utf8_and_jupyter_shows_an_iframe(overview: MapDocument, tmp_path: Path) -> None:
    path = overview.save(tmp_path / "deep" / "map.html")
    assert path.read_text(encoding="utf-8") == overview.html
    assert [p.name for p in path.parent.iterdir()] == ["map.html"]
    frame = overview._repr_html_()
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
    assert "<script" not in frame and "&lt;script" in frame


def use_fixture_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hled_graph.graph.load_graph", lambda **_: parse_file(FIXTURE))


def run_cli(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    return int(exit_info.value.code)


def test_cli_map_focus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    use_fixture_as_shipped(monkeypatch)
    out = tmp_path / "epa.html"
    assert run_cli(["map", "--focus", "hdo:epa", "--depth", "1", "-o", str(out)]) == 0
    assert "3 nodes" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").count('"fullLabel"') == 3


def test_cli_map_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixture_as_shipped(monkeypatch)
    query = tmp_path / "who.rq"
    query.write_text("CONSTRUCT { ?agent prov:wasAssociatedWith ?action } "
                     "WHERE { ?action prov:wasAssociatedWith ?agent }\n", encoding="utf-8")
    out = tmp_path / "who.html"
    assert run_cli(["map", "--query", str(query), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count('"fullLabel"') == 17


@pytest.mark.parametrize(("argv", "message"), [
    (["map", "--pillar", "9"], "unknown pillar 9; this graph has pillars 1, 4"),
    (["map", "--focus", "nosuch-agency"], "--focus nosuch-agency: no entity has this name"),
    (["map", "--query", "{query}"], "a map needs a CONSTRUCT query, this is a SELECT query"),
    (["map", "--query", "{broken}"], "the query does not parse or run"),
    (["map", "--query", "{missing}"], "no such query file"),
])
def test_cli_map_errors_are_one_line(argv: list[str], message: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    use_fixture_as_shipped(monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "select.rq").write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    (tmp_path / "broken.rq").write_text("CONSTRUCT { ?s ?p ?o } WHERE {\n ?s ?p \n", encoding="utf-8")
    files = {"{query}": "select.rq", "{broken}": "broken.rq", "{missing}": "missing.rq"}
    assert run_cli([files.get(arg, arg) for arg in argv] + ["-o", "out.html"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out.html").exists()


# --- the shipped graph -----------------------------------------------------------------------------

def test_shipped_maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hled_graph.graph import load_graph

    monkeypatch.chdir(tmp_path)
    graph = load_graph()
    paths = write_maps(graph, tmp_path / "maps")
    assert [p.name for p in paths] == ["overview.html", "pillar-1.html", "pillar-2.html", "pillar-3.html",
                                       "pillar-4.html", "collaboration.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps"]
    view = to_networkx(graph)
    overview = page_data_from(paths[0])
    assert {n["id"] for n in overview["nodes"]} == set(view.nodes)
    assert {(e["from"], e["to"]) for e in overview["edges"]} == drawn_pairs(view)
    for number, path in enumerate(paths[1:5], start=1):
        nodes = page_data_from(path)["nodes"]
        assert nodes and all(number in n["pillars"] for n in nodes)
        assert {n["id"] for n in nodes} == {n for n, d in view.nodes(data=True) if number in d["pillars"]}


def page_data_from(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    block = re.search(r'<script id="hled-data" type="application/json">(.*?)</script>', text, re.S)
    assert block
    return json.loads(block.group(1))


def test_cli_map_on_the_shipped_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "epa.html"
    assert run_cli(["map", "--focus", "epa", "--depth", "1", "-o", str(out)]) == 0
    ids = {n["id"] for n in page_data_from(out)["nodes"]}
    assert HDO + "epa" in ids and len(ids) > 1
    assert run_cli(["map", "--focus", "conagu", "-o", str(out)]) == 2
    assert "--focus conagu: no entity has this name; did you mean hdo:conagua, " in capsys.readouterr().err


def test_cli_map_of_a_library_construct_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hled_graph.graph import load_graph
    from hled_graph.sparql.library import find

    out = tmp_path / "network.html"
    assert run_cli(["map", "--query", "collaboration-network", "-o", str(out)]) == 0
    constructed = load_graph().query(find("collaboration-network").text).graph
    linked = {str(t) for s, _, o in constructed.triples((None, URIRef(PREFIXES["org"] + "linkedTo"), None))
              for t in (s, o)}
    countries = {str(o) for o in constructed.objects(None, URIRef(PREFIXES["hled"] + "country"))}
    data = page_data_from(out)
    # every resource of the result is drawn: the organizations and the countries they name
    assert {n["id"] for n in data["nodes"]} == linked | countries and HDO + "epa" in linked
    assert len(data["edges"]) == len(set(constructed.triples((None, URIRef(PREFIXES["org"] + "linkedTo"), None))))
