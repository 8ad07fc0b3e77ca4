"""The maps in a real browser: Debian's Chromium through Playwright, with the network blocked.

Every map opens as file://, draws the expected numbers of nodes and edges, logs no console
error and makes no request; the filters and the search work; hostile labels do not run.
Chromium is required: without it these tests fail (the CI installs it), they do not skip.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import CHROMIUM, wait_until
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from test_maps import synthetic_corpus

from hled_graph.graph import load_graph, parse_file
from hled_graph.namespaces import PREFIXES
from hled_graph.viz.maps import MapDocument, build_map, map_from_networkx, write_maps

FIXTURE = Path(__file__).parent / "fixtures" / "viz-mini.ttl"
ARTIFACTS = Path(__file__).parent / "artifacts"
HDO = PREFIXES["hdo"]
HOSTILE = ["<img src=x onerror=window.__pwned=1>", "</script><script>window.__pwned=1</script>"]


@dataclass
class Visit:
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def built_maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, MapDocument]]:
    """Every kind of map, from the fixture, a synthetic corpus (clustering) and the shipped graph."""
    graph = parse_file(FIXTURE)
    folder = tmp_path_factory.mktemp("maps")
    cwd = Path.cwd()
    os.chdir(folder)  # pyvis used to drop a lib/ folder into the working directory: it must not
    try:
        write_maps(graph, folder)
        documents = {
            "overview": build_map(graph),
            "pillar-1": build_map(graph, pillar=1),
            "pillar-4": build_map(graph, pillar=4),
            "collaboration": build_map(graph, view="collaboration"),
            "bipartite": build_map(graph, view="bipartite"),
            "focus-epa": build_map(graph, focus="epa", depth=2),
            "hostile": build_map(_hostile(graph)),
            "clustered": map_from_networkx(synthetic_corpus(5000), title="synthetic corpus"),
        }
        for path in write_maps(load_graph(), folder / "shipped"):
            documents[f"shipped-{path.stem}"] = _document_of(path)
        paths = {name: doc.save(folder / f"{name}.html") if not name.startswith("shipped-")
                 else folder / "shipped" / f"{name.removeprefix('shipped-')}.html"
                 for name, doc in documents.items()}
    finally:
        os.chdir(cwd)
    assert not (folder / "lib").exists()
    for name in ("overview", "pillar-1", "pillar-4", "collaboration"):
        assert (folder / f"{name}.html").read_text(encoding="utf-8") == documents[name].html
    return {name: (paths[name], documents[name]) for name in documents}


@dataclass
class _Saved:
    """What a test needs of a map written by write_maps: its node and edge records."""

    nodes: list[dict]
    edges: list[dict]


def _document_of(path: Path) -> _Saved:
    import json
    import re

    text = path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="hled-data" type="application/json">(.*?)</script>', text, re.S).group(1))
    return _Saved(nodes=data["nodes"], edges=data["edges"])


def _hostile(graph: Graph) -> Graph:
    hostile = Graph() + graph
    for name, label in (("epa", HOSTILE[0]), ("conagua", HOSTILE[1])):
        for prop in (RDFS.label, SKOS.prefLabel):  # the label policy prefers skos:prefLabel
            hostile.set((URIRef(HDO + name), prop, Literal(label, lang="en")))
    return hostile


def open_map(browser: object, path: Path, visit: Visit, *,  # type: ignore[no-untyped-def]
             viewport: tuple[int, int] = (1400, 900)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})  # type: ignore[attr-defined]

    def block(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            visit.requests.append(url)
            route.abort()

    page.route("**/*", block)
    page.on("request", lambda request: None if request.url.startswith("file://")
            else visit.requests.append(request.url))
    page.on("console", lambda message: visit.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    wait_until(page, "window.hledNetwork !== undefined")
    return page


SHIPPED = ["overview", "pillar-1", "pillar-2", "pillar-3", "pillar-4", "collaboration"]
MAP_NAMES = ["overview", "pillar-1", "pillar-4", "collaboration", "bipartite", "focus-epa", "clustered",
             *(f"shipped-{name}" for name in SHIPPED)]


@pytest.mark.parametrize("name", MAP_NAMES)
def test_map_draws_offline_without_errors(browser: object, built_maps, name: str) -> None:  # type: ignore[no-untyped-def]
    path, document = built_maps[name]
    visit = Visit()
    page = open_map(browser, path, visit)
    try:
        counts = page.evaluate("""() => ({
            nodes: hledNetwork.nodes.length, edges: hledNetwork.edges.length,
            drawnNodes: Object.keys(hledNetwork.network.body.nodes).length,
            drawnEdges: Object.keys(hledNetwork.network.body.edges).length,
            canvas: document.querySelectorAll('#hled-network canvas').length })""")
        assert counts == {"nodes": len(document.nodes), "edges": len(document.edges),
                          "drawnNodes": len(document.nodes), "drawnEdges": len(document.edges),
                          "canvas": 1}
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"map-{name}.png"))
        assert visit.errors == [] and visit.requests == [] and visit.dialogs == []
    finally:
        page.close()


def test_pillar_filter_hides_nodes(browser: object, built_maps) -> None:  # type: ignore[no-untyped-def]
    path, document = built_maps["overview"]
    visit = Visit()
    page = open_map(browser, path, visit)
    try:
        assert page.evaluate("hledNetwork.visibleNodeIds().length") == len(document.nodes)
        page.uncheck('#hled-pillar-filter input[data-pillar="1"]')
        visible = set(page.evaluate("hledNetwork.visibleNodeIds()"))
        expected = {n["id"] for n in document.nodes if not n["pillars"] or set(n["pillars"]) - {1}}
        assert visible == expected and len(visible) < len(document.nodes)
        assert HDO + "epa" not in visible and HDO + "dol" in visible
        page.uncheck('#hled-class-filter input[data-category="government"]')
        assert HDO + "dol" not in set(page.evaluate("hledNetwork.visibleNodeIds()"))
        page.check('#hled-pillar-filter input[data-pillar="1"]')
        page.check('#hled-class-filter input[data-category="government"]')
        assert page.evaluate("hledNetwork.visibleNodeIds().length") == len(document.nodes)
        assert visit.errors == [] and visit.requests == []
    finally:
        page.close()


def test_search_finds_and_selects_a_node(browser: object, built_maps) -> None:  # type: ignore[no-untyped-def]
    path, _ = built_maps["overview"]
    visit = Visit()
    page = open_map(browser, path, visit)
    try:
        page.fill("#hled-search-input", "environmental protection")
        page.click("#hled-search-button")
        assert page.evaluate("hledNetwork.network.getSelectedNodes()") == [HDO + "epa"]
        assert page.text_content("#hled-search-status") == "Environmental Protection Agency"
        page.fill("#hled-search-input", "no such thing")
        page.click("#hled-search-button")
        assert page.evaluate("hledNetwork.network.getSelectedNodes()") == []
        assert "No visible node matches" in page.text_content("#hled-search-status")
        assert visit.errors == []
    finally:
        page.close()


def test_hostile_labels_do_not_run(browser: object, built_maps) -> None:  # type: ignore[no-untyped-def]
    path, document = built_maps["hostile"]
    visit = Visit()
    page = open_map(browser, path, visit)
    try:
        # hover the node: vis-network renders its tooltip, which must show the label as text
        x, y = page.evaluate("""() => {
            const net = hledNetwork.network, id = %r;
            const dom = net.canvasToDOM(net.getPosition(id));
            const box = document.getElementById('hled-network').getBoundingClientRect();
            return [box.left + dom.x, box.top + dom.y]; }""" % (HDO + "epa"))
        page.mouse.move(x, y)
        page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        assert HOSTILE[0] in page.inner_text("div.vis-tooltip")
        page.fill("#hled-search-input", "img src")
        page.click("#hled-search-button")
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert visit.dialogs == [] and visit.errors == [] and visit.requests == []
        labels = page.evaluate("hledNetwork.nodes.get().map(n => n.fullLabel)")
        assert set(HOSTILE) <= set(labels)
        assert page.evaluate("hledNetwork.network.getSelectedNodes()") == [HDO + "epa"]
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert len(document.nodes) == page.evaluate("hledNetwork.nodes.length")
    finally:
        page.close()


def test_the_browser_is_debians_chromium(browser: object) -> None:
    """Playwright drove /usr/bin/chromium itself, not a browser it downloaded."""
    import subprocess

    reported = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True).stdout
    assert browser.version in reported  # type: ignore[attr-defined]
