"""Figures for papers: what they draw is what the maps and the graph say, their text neither overlaps
nor leaves the figure at print and screen resolution, SVG and PDF are the same bytes on every run,
hostile labels stay text, and the CLI and the build write them."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.text import Text
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

import hled_graph
from hled_graph import graph as hgraph
from hled_graph.namespaces import PREFIXES
from hled_graph.viz.figures import COLUMN_WIDTH, LABEL_SIZE, PaperFigure, build_figure, build_figures, figure_names
from hled_graph.viz.maps import BORDERS, map_layouts
from hled_graph.viz.network import build_views

NAMES = ["overview", "pillar-1", "pillar-2", "pillar-3", "pillar-4", "collaboration", "timeline"]
HDO = PREFIXES["hdo"]


@pytest.fixture(scope="module")
def data() -> Graph:
    return hgraph.load_graph(include_inferred=False)


@pytest.fixture(scope="module")
def figures(data: Graph) -> dict[str, PaperFigure]:
    return build_figures(data)


def drawn_texts(figure: PaperFigure, dpi: float) -> list[tuple[str, object]]:
    """(text, window extent) of every piece of text the figure draws, at ``dpi``."""
    mpl_figure = figure.figure
    mpl_figure.set_dpi(dpi)
    renderer = mpl_figure.canvas.get_renderer()
    mpl_figure.draw(renderer)
    texts = list(mpl_figure.texts) + [text for legend in mpl_figure.legends for text in legend.get_texts()]
    for axes in mpl_figure.axes:
        texts += axes.texts
        if axes.axison:
            low, high = sorted(axes.get_xlim())
            # matplotlib keeps ticks beyond the limits without drawing them
            texts += [t for t in axes.get_xticklabels() if low <= t.get_position()[0] <= high]
            low, high = sorted(axes.get_ylim())
            texts += [t for t in axes.get_yticklabels() if low <= t.get_position()[1] <= high]
    # Text's own extent: an annotation's would include its leader line, which may cross things
    return [(text.get_text(), Text.get_window_extent(text, renderer)) for text in texts
            if text.get_visible() and text.get_text().strip()]


def test_the_build_draws_the_maps_and_a_timeline(data: Graph) -> None:
    assert figure_names(data) == NAMES


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dpi", [300, 72])  # the PNG, and the points SVG and PDF lay text out in
def test_text_neither_overlaps_nor_leaves_the_figure(figures: dict[str, PaperFigure], name: str, dpi: float) -> None:
    figure = figures[name]
    texts = drawn_texts(figure, dpi)
    assert len(texts) > 10
    inside = figure.figure.bbox
    for text, box in texts:
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1, (
            f"{text!r} is clipped: {box} outside {inside}")
    for (first, a), (second, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), f"{first!r} overlaps {second!r}"
    figure.figure.set_dpi(300)


@pytest.mark.parametrize("name", NAMES)
def test_one_column_wide_and_readable(figures: dict[str, PaperFigure], name: str) -> None:
    figure = figures[name]
    width, height = figure.figure.get_size_inches()
    assert width == COLUMN_WIDTH and 2.5 < height < 6.5
    sizes = {text.get_fontsize() for text in figure.figure.findobj(Text) if text.get_text().strip()}
    assert min(sizes) >= LABEL_SIZE - 0.5
    assert figure.figure.legends, "a legend"


def test_network_figures_draw_the_maps_nodes_where_the_maps_put_them(data: Graph,
                                                                    figures: dict[str, PaperFigure]) -> None:
    layouts = map_layouts(build_views(data, views=("entities", "collaboration")))
    for name, layout in layouts.items():
        axes = figures[name].figure.axes[0]
        drawn = {}
        for collection in axes.collections:
            if isinstance(collection, PathCollection):
                offsets, edges = collection.get_offsets(), collection.get_edgecolors()
                for (x, y), edge in zip(offsets, edges if len(edges) == len(offsets) else [edges[0]] * len(offsets),
                                        strict=True):
                    drawn[(round(float(x), 1), round(float(y), 1))] = to_hex(edge)
        expected = {}
        for node, (x, y) in layout.positions.items():
            countries = set(layout.network.nodes[node].get("country_iris") or [])
            key = ("none" if not countries else "us" if countries == {PREFIXES["hdl"] + "united-states"}
                   else "mx" if countries == {PREFIXES["hdl"] + "mexico"} else "other")
            expected[(x, y)] = BORDERS[key][1]
        assert drawn == expected, name  # every node, at the map's position, with its country's border colour


@pytest.mark.parametrize("name", [n for n in NAMES if n != "timeline"])
def test_no_leader_line_runs_through_another_node_and_no_word_is_cut(figures: dict[str, PaperFigure],
                                                                     name: str) -> None:
    """A label tied to its node by a line must not seem to name a node the line crosses."""
    figure = figures[name].figure
    axes = figure.axes[0]
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    scale = figure.dpi / 72
    markers = []
    for collection in axes.collections:
        if isinstance(collection, PathCollection):
            sizes = collection.get_sizes()
            for index, (x, y) in enumerate(collection.get_offsets()):
                radius = (sizes[index % len(sizes)] ** 0.5) / 2 * scale
                cx, cy = axes.transData.transform((x, y))
                markers.append((cx, cy, radius))
    leaders = [text for text in axes.texts if getattr(text, "arrow_patch", None) is not None]
    layout = map_layouts(build_views(hgraph.load_graph(include_inferred=False),
                                     views=("entities", "collaboration")))[name]
    def tokens(text: str) -> list[str]:  # words, and a hyphenated word's parts (a line may end after "Non-")
        return re.findall(r"[^\s-]+-?|-", text)

    label_words = [tokens(str(d["label"])) for _, d in layout.network.nodes(data=True)]
    for text in axes.texts:
        drawn = tokens(text.get_text())
        whole, last = (drawn[:-1], drawn[-1].rstrip("…")) if drawn[-1].endswith("…") else (drawn, "")
        assert any(words[:len(whole)] == whole and (not last or words[len(whole)].startswith(last))
                   for words in label_words if len(words) >= len(whole) + bool(last)), f"a word is cut: {drawn}"
    for annotation in leaders:
        node = axes.transData.transform(annotation.xy)
        dx, dy = annotation.xyann
        end = (node[0] + dx * scale, node[1] + dy * scale)
        for cx, cy, radius in markers:
            if abs(cx - node[0]) < 0.5 and abs(cy - node[1]) < 0.5:
                continue  # its own node
            for step in range(1, 100):
                t = step / 100
                x, y = node[0] + t * (end[0] - node[0]), node[1] + t * (end[1] - node[1])
                assert (x - cx) ** 2 + (y - cy) ** 2 > radius ** 2, (
                    f"{name}: the leader of {annotation.get_text()!r} runs through a node at {(cx, cy)}")


def test_the_best_connected_are_named_and_every_name_is_a_label(figures: dict[str, PaperFigure]) -> None:
    collaboration = figures["collaboration"]
    axes = collaboration.figure.axes[0]
    named = [re.sub(r"- ", "-", " ".join(text.get_text().split())) for text in axes.texts]  # a line may end in "Non-"
    assert "Government of Mexico" in named
    assert "Government of the United States" in named
    layout = map_layouts(build_views(hgraph.load_graph(include_inferred=False),
                                     views=("entities", "collaboration")))["collaboration"]
    labels = [str(d["label"]) for _, d in layout.network.nodes(data=True)]
    for text in named:
        assert any(label.startswith(text.rstrip("…")) for label in labels), text
    assert collaboration.labelled == len(named) and collaboration.items == layout.network.number_of_nodes()
    assert f"the {len(named)} best connected of {collaboration.items}" in collaboration.notes[0]


def test_the_timeline_has_every_round_and_every_dated_event(figures: dict[str, PaperFigure]) -> None:
    rounds = hled_graph.query("SELECT ?label ?date WHERE { ?r a hled:Round ; schema:startDate ?date ; "
                              "rdfs:label ?label FILTER(LANG(?label) = 'en') }")
    events = hled_graph.named_query("events-by-month")
    months = zip(events.column("month"), events.column("name"), strict=True)
    dated, undated = set(), set()
    for month, name in months:
        (undated if str(month) == "undated" else dated).add(str(name))
    expected = dated | {str(label) for label in rounds.column("label")}
    axes = figures["timeline"].figure.axes[0]
    rows = [" ".join(label.get_text().split()) for label in axes.get_yticklabels()]
    assert len(rows) == len(expected) == 13  # 3 rounds, 10 of the 12 events (2 have no date)
    for row in rows:
        assert any(name.startswith(row.rstrip("…")) for name in expected), row
    # rows run in date order: the 2021 round first, the 2023 round last
    assert rows[0].startswith("2021 meeting") and rows[-1].startswith("2023 meeting")
    for name in undated:  # the footnote names the events the source gives no date
        assert name in " ".join(figures["timeline"].notes[0].split())


def test_svg_and_pdf_are_the_same_bytes_every_time(data: Graph, figures: dict[str, PaperFigure]) -> None:
    again = build_figures(data, names=["pillar-3", "timeline"])
    for name in ("pillar-3", "timeline"):
        for fmt in ("svg", "pdf", "png"):
            assert figures[name].to_bytes(fmt) == again[name].to_bytes(fmt), (name, fmt)
    svg, pdf = figures["timeline"].to_bytes("svg"), figures["timeline"].to_bytes("pdf")
    assert b"<dc:date>" not in svg and b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    assert b"<dc:title>HLED" in svg


def test_notebook_display(figures: dict[str, PaperFigure]) -> None:
    figure = figures["pillar-2"]
    svg = figure._repr_svg_()
    assert ET.fromstring(svg.split("\n", 3)[-1]).tag == "{http://www.w3.org/2000/svg}svg"
    png, size = figure._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and size == {"width": 336, "height": round(
        figure.figure.get_size_inches()[1] * 96)}


def hostile_graph() -> Graph:
    graph = hgraph.load_graph(include_inferred=False)
    # the two best connected organizations: their labels are always drawn
    for name, hostile in (("us-government", "</text><script>alert(1)</script>"),
                          ("mexico-government", "$x^2$ costs $5 -- \u202egnp.exe & <b>")):
        for prop in (RDFS.label, SKOS.prefLabel):
            graph.set((URIRef(HDO + name), prop, Literal(hostile, lang="en")))
    return graph


def test_hostile_labels_are_drawn_as_plain_text() -> None:
    figure = build_figure(hostile_graph(), "collaboration")
    texts = [" ".join(t.get_text().split()) for t in figure.figure.axes[0].texts]
    assert any(t.startswith("</text><script>") for t in texts)
    assert any(t.startswith("$x^2$ costs $5 -- ⟨U+202E⟩gnp.exe") for t in texts)  # no TeX, override written out
    svg = figure.to_bytes("svg").decode("utf-8")
    root = ET.fromstring(svg.split("\n", 3)[-1])  # well-formed: nothing broke out of a comment or a string
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert "\u202e" not in svg


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from hled_graph.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def test_the_cli_writes_the_figures_asked_for(tmp_path: Path) -> None:
    done = run_cli("figure", "timeline", "pillar-4", "--format", "svg", "--format", "png", "-o", "paper", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "paper").iterdir())
    assert written == ["pillar-4.png", "pillar-4.svg", "timeline.png", "timeline.svg"]
    assert done.stdout.splitlines() == [f"wrote paper/{name}" for name in
                                        ("timeline.svg", "timeline.png", "pillar-4.svg", "pillar-4.png")]


@pytest.mark.parametrize(("args", "message"), [
    (["figure", "pillar-9"], "hled-graph: error: unknown figure 'pillar-9'; give one of overview, pillar-1"),
    (["figure", "-f", "gif"], "hled-graph: error: Invalid value for '-f' / '--format': 'gif' is not one of"),
    (["figure", "-o", "a-file"], "hled-graph: error: Invalid value for '-o' / '--out'"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a-file").write_text("mine\n")
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr
    assert (tmp_path / "a-file").read_text() == "mine\n"
