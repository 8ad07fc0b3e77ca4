"""The ontology page in Chromium: its contents list and its diagrams laid out without overlap.

The contents list is read as the browser lays it out (every entry's client rectangles) at three
common window widths; the diagrams' boxes and texts are read with getBBox, so a label that runs
out of its box (the page's monospaced estimate gone wrong) fails as much as two boxes on top of
each other. What the diagrams show is compared with a SPARQL query on the ontology.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import running_server
from rdflib import Graph

from hled_graph import graph as hgraph
from hled_graph.iris import compact
from hled_graph.namespaces import PREFIXES
from hled_graph.publish.docs import ontology_html

ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = [1024, 1300, 1600]

ENTRIES = """() => [...document.querySelectorAll('nav .toc a')].map(a => ({
  text: a.textContent, rects: [...a.getClientRects()].map(r => [r.left, r.top, r.right, r.bottom]),
  overflows: a.closest('li').scrollWidth > a.closest('li').clientWidth }))"""
FRAME = """() => { const r = document.querySelector('nav').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"""
DIAGRAMS = """() => [...document.querySelectorAll('figure.diagram')].map(figure => {
  const svg = figure.querySelector('svg'), shown = svg.getBoundingClientRect();
  return {
    id: figure.id, scale: shown.width / svg.viewBox.baseVal.width, right: shown.right,
    body: document.body.getBoundingClientRect().right,
    boxes: [...svg.querySelectorAll('g.box')].map(g => {
      const rect = g.querySelector('rect').getBBox(), text = g.querySelector('text').getBBox();
      return { text: g.textContent, kind: g.getAttribute('class'), linked: g.parentNode.tagName === 'a',
               rect: [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height],
               label: [text.x, text.y, text.x + text.width, text.y + text.height] };
    }),
    lines: svg.querySelectorAll('path').length, heads: svg.querySelectorAll('polygon.head').length,
  };
})"""

CLASSES = """SELECT DISTINCT ?class WHERE { { ?class a owl:Class } UNION { ?class a rdfs:Class }
  FILTER(STRSTARTS(STR(?class), STR(hled:))) }"""
SUBCLASS_LINKS = """SELECT DISTINCT ?class ?super WHERE {
  { ?class a owl:Class } UNION { ?class a rdfs:Class }
  FILTER(STRSTARTS(STR(?class), STR(hled:)))
  ?class rdfs:subClassOf ?named .
  OPTIONAL { ?named owl:unionOf/rdf:rest*/rdf:first ?member }
  BIND(COALESCE(?member, ?named) AS ?super) FILTER(isIRI(?super) && ?super != ?class) }"""
PROPERTIES = """SELECT DISTINCT ?property WHERE { ?property rdfs:domain ?d ; rdfs:range ?r .
  FILTER(STRSTARTS(STR(?property), STR(hled:))) }"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return hgraph.ontology_graph()


@pytest.fixture(scope="module")
def page_path(ontology: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = hgraph.load_graph(include_ontology=False, include_inferred=False)
    path = tmp_path_factory.mktemp("ontology") / "ontology.html"
    path.write_text(ontology_html(ontology, data), encoding="utf-8")
    return path


def _open(browser: object, url: Path | str, width: int, requests: list[str],  # type: ignore[no-untyped-def]
          errors: list[str]):
    """The page at ``url`` (a file, or the endpoint's address); any other request is refused and noted."""
    address = url.as_uri() if isinstance(url, Path) else url
    own = "file://" if isinstance(url, Path) else address.rsplit("/", 1)[0] + "/"
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]

    def block(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(own):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    # a CSP violation shows as a console error
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(address)
    return page


def overlaps(first: list[float], second: list[float]) -> bool:
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def _select(ontology: Graph, query: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in ontology.query(query, initNs=PREFIXES)]


@pytest.mark.parametrize("width", WIDTHS)
def test_contents_entries_do_not_overlap(browser: object, page_path: Path, width: int) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page = _open(browser, page_path, width, requests, errors)
    try:
        entries = page.evaluate(ENTRIES)
        nav = page.evaluate(FRAME)
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("nav").screenshot(path=str(ARTIFACTS / f"ontology-contents-{width}.png"))
    finally:
        page.close()
    assert len(entries) > 70  # every section's title and every term
    assert all(entry["rects"] for entry in entries)
    collisions = [(a["text"], b["text"]) for index, a in enumerate(entries) for b in entries[index + 1:]
                  if any(overlaps(r, s) for r in a["rects"] for s in b["rects"])]
    assert collisions == []
    assert [e["text"] for e in entries if any(r[0] < nav[0] or r[2] > nav[2] for r in e["rects"])] == []
    assert [e["text"] for e in entries if e["overflows"]] == []
    assert requests == [] and errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_diagrams_show_the_ontology_without_overlap(browser: object, page_path: Path, ontology: Graph,
                                                    width: int) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page = _open(browser, page_path, width, requests, errors)
    try:
        diagrams = {d["id"]: d for d in page.evaluate(DIAGRAMS)}
        if width == 1300:
            page.screenshot(path=str(ARTIFACTS / "ontology-1300.png"), full_page=True)
    finally:
        page.close()
    assert set(diagrams) == {"diagram-classes", "diagram-properties"}
    for diagram in diagrams.values():
        boxes = diagram["boxes"]
        assert [(a["text"], b["text"]) for index, a in enumerate(boxes) for b in boxes[index + 1:]
                if overlaps(a["rect"], b["rect"])] == []
        # the text inside its box, as the browser measured the monospaced face
        assert [b["text"] for b in boxes if not (b["rect"][0] < b["label"][0] and b["label"][2] < b["rect"][2]
                                               and b["rect"][1] <= b["label"][1] and b["label"][3] <= b["rect"][3])] == []
        assert diagram["right"] <= diagram["body"] + 1  # fits the page: scaled down if need be, never cut
        assert diagram["scale"] > 0.75  # and still readable (12 px text at 9 px or more)

    classes = diagrams["diagram-classes"]
    ours = {compact(row[0]) for row in _select(ontology, CLASSES)}
    drawn = {b["text"]: b for b in classes["boxes"]}
    assert ours <= set(drawn)
    assert all(drawn[name]["linked"] for name in ours)  # each box leads to the class's section
    links = _select(ontology, SUBCLASS_LINKS)
    assert {compact(s) for _, s in links} <= set(drawn)
    assert classes["lines"] == classes["heads"] == len(links)

    properties = diagrams["diagram-properties"]
    declared = {compact(row[0]) for row in _select(ontology, PROPERTIES)}
    assert {b["text"] for b in properties["boxes"] if "property" in b["kind"]} == declared
    assert properties["heads"] >= len(declared) and properties["lines"] >= 2 * len(declared)
    assert requests == [] and errors == []


def test_the_endpoint_serves_the_page_with_its_diagrams(browser: object) -> None:
    """/ontology.html under the endpoint's Content-Security-Policy: the same diagrams, nothing blocked."""
    requests: list[str] = []
    errors: list[str] = []
    with running_server("--workers", "1") as server:
        page = _open(browser, server.url + "/ontology.html", 1300, requests, errors)
        try:
            diagrams = page.evaluate(DIAGRAMS)
        finally:
            page.close()
    assert [d["id"] for d in diagrams] == ["diagram-classes", "diagram-properties"]
    assert all(d["boxes"] and d["lines"] for d in diagrams)
    assert requests == [] and errors == []
