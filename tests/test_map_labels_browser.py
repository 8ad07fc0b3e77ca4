"""Map labels in a real browser: no label covers another label, another node or the legend.

The boxes are read from the page as vis-network drew them (each node's label box and shape size,
turned into screen pixels with canvasToDOM), and the label widths are checked against the
browser's own text metrics, so a box of width zero could not pass for "no overlap". Each map is
checked twice: at the first view the reader gets (every label inside the drawing area, none under
the legend) and at 1:1 zoom, where every label is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_maps_browser import ARTIFACTS, Visit, open_map

from hled_graph.graph import load_graph
from hled_graph.viz.maps import MapDocument, build_map

# The small and focus maps of the shipped graph, and the overview for good measure.
MAPS: dict[str, dict[str, Any]] = {
    "focus-epa-2": {"focus": "epa", "depth": 2},
    "focus-usaid-1": {"focus": "usaid", "depth": 1},
    **{f"pillar-{number}": {"pillar": number} for number in (1, 2, 3, 4)},
    "collaboration": {"view": "collaboration"},
    "overview": {},
}
SMALL = 80  # maps up to this many nodes show every label at the first view on a 1400 px wide window

# Every visible node: its label box and its shape box in page pixels, the font size on screen,
# whether vis-network draws the label at this zoom, and the label's width by the browser's metrics.
BOXES = """async () => {
  const net = hledNetwork.network;
  await new Promise(resolve => { net.once('afterDrawing', resolve); net.redraw(); });
  const frame = document.querySelector('#hled-network canvas').getBoundingClientRect();
  const measure = document.createElement('canvas').getContext('2d');
  const page = point => { const dom = net.canvasToDOM(point); return [frame.left + dom.x, frame.top + dom.y]; };
  const positions = net.getPositions();
  return hledNetwork.visibleNodeIds().map(id => {
    const node = net.body.nodes[id], label = node.labelModule.size, font = node.labelModule.fontOptions;
    const {x, y} = positions[id];
    measure.font = `${font.size}px ${font.face}`;
    return {
      id, text: node.options.label, drawn: node.labelModule.visible(),
      screenFont: font.size * net.getScale(), labelWidth: label.width,
      measuredWidth: measure.measureText(node.options.label).width,
      label: [...page({x: label.left, y: label.top}), ...page({x: label.left + label.width, y: label.top + label.height})],
      shape: [...page({x: x - node.shape.width / 2, y: y - node.shape.height / 2}),
              ...page({x: x + node.shape.width / 2, y: y + node.shape.height / 2})],
    };
  });
}"""
RECTANGLES = """() => Object.fromEntries(['#hled-network canvas', '#hled-legend', 'header'].map(selector => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return [selector, [box.left, box.top, box.right, box.bottom]];
}))"""


@pytest.fixture(scope="module")
def shipped_maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, MapDocument]]:
    graph = load_graph()
    folder = tmp_path_factory.mktemp("label-maps")
    documents = {name: build_map(graph, **arguments) for name, arguments in MAPS.items()}
    return {name: (document.save(folder / f"{name}.html"), document) for name, document in documents.items()}


def overlaps(first: list[float], second: list[float]) -> bool:
    """Whether two boxes (left, top, right, bottom) share more than an edge."""
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def inside(box: list[float], frame: list[float]) -> bool:
    return frame[0] <= box[0] and frame[1] <= box[1] and box[2] <= frame[2] and box[3] <= frame[3]


def collisions(boxes: list[dict[str, Any]]) -> list[str]:
    """Every pair where a label covers another label or another node, or two shapes overlap."""
    found = []
    for index, first in enumerate(boxes):
        for second in boxes[index + 1:]:
            for what, a, b in (("label/label", first["label"], second["label"]),
                               ("label/node", first["label"], second["shape"]),
                               ("node/label", first["shape"], second["label"]),
                               ("node/node", first["shape"], second["shape"])):
                if overlaps(a, b):
                    found.append(f"{what}: {first['text']!r} × {second['text']!r}")
    return found


@pytest.mark.parametrize("viewport", [(1400, 900), (1024, 700)], ids=["1400", "1024"])
@pytest.mark.parametrize("name", list(MAPS))
def test_labels_do_not_overlap(browser: object, shipped_maps, name: str,  # type: ignore[no-untyped-def]
                               viewport: tuple[int, int]) -> None:
    path, document = shipped_maps[name]
    visit = Visit()
    page = open_map(browser, path, visit, viewport=viewport)
    try:
        first_view = page.evaluate(BOXES)
        frames = page.evaluate(RECTANGLES)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"map-labels-{name}-{viewport[0]}.png"))
        assert len(first_view) == len(document.nodes)
        for box in first_view:  # the boxes are the drawn text's, not empty ones
            assert box["labelWidth"] == pytest.approx(box["measuredWidth"], abs=1.0), box
            assert box["labelWidth"] > 0
        drawn = [box for box in first_view if box["drawn"]]
        if len(document.nodes) <= SMALL and viewport[0] >= 1400:
            assert len(drawn) == len(first_view), [box["text"] for box in first_view if not box["drawn"]]
        assert collisions(drawn) == []
        canvas, legend, header = frames["#hled-network canvas"], frames["#hled-legend"], frames["header"]
        assert [box["text"] for box in drawn if not inside(box["label"], canvas)] == []
        assert [box["text"] for box in drawn if overlaps(box["label"], legend) or overlaps(box["label"], header)] == []

        # at 1:1 every label is drawn (the smallest font is 14 px), and still none covers another
        page.evaluate("hledNetwork.network.moveTo({scale: 1, animation: false})")
        full_size = page.evaluate(BOXES)
        assert all(box["drawn"] and box["screenFont"] >= 14 for box in full_size)
        assert collisions(full_size) == []
        assert visit.errors == [] and visit.requests == []
    finally:
        page.close()


def test_the_check_sees_an_overlap(browser: object, shipped_maps, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same measurement finds the overlap when two nodes are put on top of each other."""
    path, document = shipped_maps["focus-epa-2"]
    visit = Visit()
    page = open_map(browser, path, visit)
    try:
        first, second = (node["id"] for node in document.nodes[:2])
        page.evaluate("""([first, second]) => {
            const net = hledNetwork.network, at = net.getPosition(first);
            net.moveNode(second, at.x + 30, at.y + 5); }""", [first, second])
        found = collisions(page.evaluate(BOXES))
        assert found and all(f"{document.nodes[1]['label']!r}" in line or f"{document.nodes[0]['label']!r}" in line
                             for line in found)
    finally:
        page.close()
