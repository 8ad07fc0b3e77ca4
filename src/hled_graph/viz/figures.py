"""Figures for papers: the maps and a timeline as SVG, PDF and PNG, one journal column wide.

Each network figure draws what the HTML map of the same name draws (:func:`hled_graph.viz.maps.map_layouts`:
the same nodes, links and positions), with the map's colours and shapes: fill and shape say the kind
of node, the border the country. Labels are placed greedily, the best connected nodes first, beside
their node where they overlap no other label, node, title or legend and stay inside the figure; a
node whose label does not fit goes unlabelled (the footnote says how many are), since at 3.5 inches a
map of two hundred nodes cannot name them all. The timeline puts the dialogue's rounds and the events
of the documents on one time axis, a bar where a date is known only to the month or the year.

matplotlib draws through its Agg canvas, never pyplot, so a notebook's backend and the caller's
``rcParams`` are left alone; the style is applied in a ``rc_context`` around drawing and saving. SVG
and PDF carry no date and SVG ids come from a fixed salt: the same data gives the same bytes.
Text from the data is drawn as text, never as TeX (``parse_math`` off), with the characters that
hide or reorder text written out (:func:`hled_graph.visible.reveal`).
"""

from __future__ import annotations

import io
import itertools
import math
import os
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from hled_graph.errors import InputError
from hled_graph.files import write_atomic
from hled_graph.formats import FIGURE_FORMATS, FigureFormat
from hled_graph.visible import reveal
from hled_graph.viz.maps import BORDERS, STYLE, MapLayout, border_of, map_layouts
from hled_graph.viz.network import CATEGORIES

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox
    from rdflib import Graph

TIMELINE = "timeline"
COLUMN_WIDTH = 3.5  # inches: one column of a two-column journal page
PNG_DPI = 300
NOTEBOOK_DPI = 96  # what a notebook shows one inch of the PNG as
LABEL_SIZE = 6.0  # points: the smallest text a printed column stays readable at
TITLE_SIZE = 7.5
LABEL_WIDTH = 22  # characters per line of a node label; two lines at most
LEGEND_WIDTH = 27  # characters per line of a legend entry
LABEL_GAP = 1.0  # points kept clear around every label
HUBS = 15  # the best connected nodes: their labels may stand farther off, with a leader line
_STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs, so the same layout, everywhere
    "font.size": LABEL_SIZE,
    "svg.hashsalt": "hled-graph",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,  # TrueType, which publishers ask for, not Type 3
    "axes.linewidth": 0.5,
    "xtick.major.width": 0.5,
    "ytick.major.width": 0.5,
    "xtick.major.size": 2.0,
    "ytick.major.size": 0.0,
}
_NO_DATE: dict[str, dict[str, Any]] = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None},
                                        "png": {}}
# vis-network's shapes as matplotlib markers
_MARKERS = {"dot": "o", "hexagon": "h", "triangle": "^", "triangleDown": "v", "square": "s", "star": "*",
            "diamond": "D"}
_EDGE_COLOUR = "#b5b5b5"
_TEXT_COLOUR = "#222222"
_ROUND_CLASS = "Round"
_PLANNED_EVENT_CLASS = "Event"  # a bare schema:Event is one still planned (see viz.network)


@dataclass
class PaperFigure:
    """One finished figure: ``save`` it as SVG, PDF or PNG; a notebook shows it inline."""

    name: str
    title: str
    figure: Figure
    labelled: int = 0  # how many nodes (or rows) are named in the figure
    items: int = 0  # how many nodes (or rows) it draws
    notes: list[str] = field(default_factory=list)

    def to_bytes(self, fmt: FigureFormat) -> bytes:
        """The figure in one format; SVG and PDF carry no date, so the same figure gives the same bytes."""
        _check_format(fmt)
        buffer = io.BytesIO()
        with _style():
            self.figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata={"Title": self.title, **_NO_DATE[fmt]})
        return buffer.getvalue()

    def save(self, path: str | os.PathLike[str], *, fmt: FigureFormat | None = None) -> Path:
        """Write the figure atomically; the format is ``fmt`` or the file's suffix."""
        target = Path(path)
        chosen = fmt or target.suffix.lstrip(".").lower()
        if chosen not in FIGURE_FORMATS:
            raise InputError(f"{target}: cannot tell the figure format from the name; "
                             f"end it in {', '.join('.' + f for f in FIGURE_FORMATS)}")
        return write_atomic(target, self.to_bytes(chosen))  # type: ignore[arg-type]

    def _repr_svg_(self) -> str:
        return self.to_bytes("svg").decode("utf-8")

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        # shown at its printed width, not at 300 pixels per inch
        width, height = self.figure.get_size_inches()
        return self.to_bytes("png"), {"width": round(width * NOTEBOOK_DPI), "height": round(height * NOTEBOOK_DPI)}


# --- public entry points -----------------------------------------------------------------------

def figure_names(graph: Graph) -> list[str]:
    """The figures this graph gives: ``overview``, ``pillar-N`` per pillar, ``collaboration``, ``timeline``."""
    return [*_views_and_layouts(graph)[1], TIMELINE]


def build_figures(graph: Graph, *, names: Iterable[str] | None = None) -> dict[str, PaperFigure]:
    """The figures by name (all of them when ``names`` is ``None``); the views are built once."""
    views, layouts = _views_and_layouts(graph)
    known = [*layouts, TIMELINE]
    wanted = list(dict.fromkeys(names)) if names is not None else known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise InputError(f"unknown figure {unknown[0]!r}; give one of {', '.join(known)}")
    return {name: _timeline(views["entities"]) if name == TIMELINE else _network_figure(name, layouts[name])
            for name in wanted}


def build_figure(graph: Graph, name: str = "overview") -> PaperFigure:
    """One figure by name (see :func:`figure_names`)."""
    return build_figures(graph, names=[name])[name]


def write_figures(graph: Graph, out_dir: str | os.PathLike[str], *, names: Iterable[str] | None = None,
                  formats: Iterable[FigureFormat] = ("svg", "pdf", "png")) -> list[Path]:
    """Write ``NAME.svg``, ``NAME.pdf`` and ``NAME.png`` for every figure; returns the paths written."""
    chosen = list(dict.fromkeys(formats))
    for fmt in chosen:  # before the drawing, which takes seconds
        _check_format(fmt)
    out = Path(out_dir)
    return [figure.save(out / f"{name}.{fmt}", fmt=fmt)
            for name, figure in build_figures(graph, names=names).items() for fmt in chosen]


def _check_format(fmt: str) -> None:
    if fmt not in FIGURE_FORMATS:
        raise InputError(f"unknown figure format {fmt!r}; use one of {', '.join(FIGURE_FORMATS)}")


def _views_and_layouts(graph: Graph) -> tuple[dict[str, nx.MultiDiGraph], dict[str, MapLayout]]:
    from hled_graph.viz.network import build_views

    views = build_views(graph, views=("entities", "collaboration"))
    return views, map_layouts(views)


# --- drawing helpers ---------------------------------------------------------------------------

@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    # cast: newer matplotlib types the keys as a Literal of every rcParam name
    with matplotlib.rc_context(cast("Any", _STYLE)):
        yield


def _new_figure(height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(COLUMN_WIDTH, height), dpi=PNG_DPI)
    FigureCanvasAgg(figure)
    return figure


def _renderer(figure: Figure) -> RendererBase:
    return figure.canvas.get_renderer()  # type: ignore[attr-defined]


def _wrap(text: str, *, width: int, lines: int) -> str:
    """At most ``lines`` lines of ``width`` characters; what does not fit ends in an ellipsis."""
    # A word is never cut: "repre- sentatives" reads worse than a label set elsewhere or left unnamed.
    wrapped = textwrap.wrap(reveal(" ".join(text.split())), width=width, break_long_words=False) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def _fit_width(text: Any, value: str, *, figure: Figure, lines: int) -> None:
    """Wrap ``value`` into ``text`` at the most characters a line that keeps it inside the figure."""
    # 10% to spare: text is wider where the renderer hints glyphs to a coarse pixel grid (72 dpi)
    room = (figure.bbox.width - 8 * figure.dpi / 72) * 0.9
    for width in range(max(len(value), 1), 9, -1):
        text.set_text(_wrap(value, width=width, lines=lines))
        if text.get_window_extent(_renderer(figure)).width <= room:
            return


def _padded(box: Bbox, points: float, dpi: float) -> Bbox:
    return box.padded(points * dpi / 72)


def _frame(figure: Figure, *, title: str, handles: list[Any], footnote: str | None,
           band: float) -> tuple[float, float]:
    """Title at the top, legend and footnote at the bottom, ``band`` inches between them for the drawing.

    Sets the figure's height to fit and returns the band as ``(bottom, top)`` figure fractions.
    """
    dpi = figure.dpi
    heading = figure.text(0.5, 1.0, title, ha="center", va="top", fontsize=TITLE_SIZE, fontweight="bold",
                          color=_TEXT_COLOUR, parse_math=False)
    _fit_width(heading, title, figure=figure, lines=3)
    for handle in handles:  # two columns must fit in one: long entries take two lines
        handle.set_label(_wrap(handle.get_label(), width=LEGEND_WIDTH, lines=2))
    legend = figure.legend(handles=handles, loc="lower center", ncol=2, frameon=False, fontsize=LABEL_SIZE,
                           handlelength=1.2, handletextpad=0.4, columnspacing=1.0, borderaxespad=0.0,
                           labelspacing=0.35)
    for text in legend.get_texts():
        text.set_parse_math(False)
    note = figure.text(0.5, 0.0, footnote or "", ha="center", va="bottom", fontsize=LABEL_SIZE - 0.5,
                       color="#555555", parse_math=False, linespacing=1.1)
    _fit_width(note, footnote or "", figure=figure, lines=3)
    renderer = _renderer(figure)
    margin = 4 / 72  # inches between the parts and around them
    heading_height = heading.get_window_extent(renderer).height / dpi
    note_height = note.get_window_extent(renderer).height / dpi if footnote else 0.0
    legend_height = legend.get_window_extent(renderer).height / dpi
    height = margin + heading_height + margin + band + margin + legend_height + margin + note_height + margin
    figure.set_size_inches(COLUMN_WIDTH, height)
    heading.set_y(1 - margin / height)
    note.set_y(margin / height)
    legend.set_bbox_to_anchor((0.5, (2 * margin + note_height) / height), transform=figure.transFigure)
    bottom = (3 * margin + note_height + legend_height) / height
    return bottom, bottom + band / height


# --- network figures ---------------------------------------------------------------------------

def _network_figure(name: str, layout: MapLayout) -> PaperFigure:
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    network = layout.network
    neighbours: dict[Any, set[Any]] = {node: set() for node in network.nodes}
    for source, target in layout.edges:
        if source != target:
            neighbours[source].add(target)
            neighbours[target].add(source)
    value = {node: len(found) for node, found in neighbours.items()}
    biggest = max(value.values(), default=1) or 1
    # marker diameters in points: 2.5 for a leaf, 9 for the best connected node, like the map's scaling
    diameter = {node: 2.5 + 6.5 * math.sqrt(value[node] / biggest) for node in network.nodes}
    category = {node: _category(network.nodes[node]) for node in network.nodes}
    # the map's own rule for which border colour (country) a node gets
    border = {node: border_of(network.nodes[node].get("country_iris") or []) for node in network.nodes}

    with _style():
        figure = _new_figure(4.0)
        present = [key for key in STYLE if key in set(category.values())]
        borders_present = [key for key in BORDERS if key in set(border.values())]
        handles = [Line2D([], [], linestyle="", marker=_MARKERS[STYLE[key][1]], markersize=4.5,
                          markerfacecolor=STYLE[key][0], markeredgecolor="#666666", markeredgewidth=0.4,
                          label=CATEGORIES[key]) for key in present]
        handles += [Line2D([], [], linestyle="", marker="o", markersize=4.5, markerfacecolor="#ffffff",
                           markeredgecolor=BORDERS[key][1], markeredgewidth=1.2,
                           label=f"Border: {BORDERS[key][0]}") for key in borders_present]
        xs = [p[0] for p in layout.positions.values()] or [0.0]
        ys = [p[1] for p in layout.positions.values()] or [0.0]
        width, height = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        # the map's proportions, a little taller (two-line labels need the height), as a column can hold
        band = min(max(COLUMN_WIDTH * 0.94 * height / width * 1.3, 2.4), 4.2)
        # the footnote is worded once the labels are placed; it is measured with the widest wording
        bottom, top = _frame(figure, title=layout.title, handles=handles, band=band,
                             footnote=_named_note(labelled=888, nodes=8888))
        axes = figure.add_axes((0.03, bottom, 0.94, top - bottom))
        axes.set_axis_off()
        pad_x, pad_y = width * 0.04 + 1, height * 0.04 + 1
        axes.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
        axes.set_ylim(max(ys) + pad_y, min(ys) - pad_y)  # the map's y axis points down

        segments = [(layout.positions[s], layout.positions[t]) for s, t in layout.edges if s != t]
        widths = [0.25 + 0.2 * math.sqrt(float(parts.get("value", 1))) for (s, t), parts in layout.edges.items()
                  if s != t]
        axes.add_collection(LineCollection(segments, colors=_EDGE_COLOUR, linewidths=widths, zorder=1))
        groups: dict[tuple[str, str], list[Any]] = {}
        for node in sorted(network.nodes, key=str):
            groups.setdefault((category[node], border[node]), []).append(node)
        for (kind, country), nodes in groups.items():
            fill, shape = STYLE[kind]
            _, border_colour, border_width = BORDERS[country]
            axes.scatter([layout.positions[n][0] for n in nodes], [layout.positions[n][1] for n in nodes],
                         s=[diameter[n] ** 2 for n in nodes], marker=_MARKERS[shape], c=fill,
                         edgecolors=border_colour, linewidths=0.35 * border_width, zorder=2)
        labelled = _place_labels(figure, axes, layout, diameter=diameter, value=value)
        note = _named_note(labelled=labelled, nodes=len(network))
        figure.texts[-1].set_text(note)  # the footnote, the last text _frame added
    return PaperFigure(name=name, title=layout.title, figure=figure, labelled=labelled, items=len(network),
                       notes=[note])


def _named_note(*, labelled: int, nodes: int) -> str:
    if labelled == nodes:
        return f"Named: all {nodes} nodes."
    return f"Named: the {labelled} best connected of {nodes} nodes that fit; the HTML map names all."


def _category(data: dict[str, Any]) -> str:
    return data.get("category") if data.get("category") in STYLE else "other"  # type: ignore[return-value]


class _Obstacles:
    """Boxes (display pixels) a label must not touch, kept as one array so a test is one numpy expression."""

    def __init__(self, boxes: Iterable[Bbox]) -> None:
        import numpy as np

        self._np = np
        self.boxes = np.array([[b.x0, b.y0, b.x1, b.y1] for b in boxes], dtype=float).reshape(-1, 4)

    def hit(self, box: Bbox, *, skip: int | None = None) -> bool:
        found = ((self.boxes[:, 0] < box.x1) & (box.x0 < self.boxes[:, 2])
                 & (self.boxes[:, 1] < box.y1) & (box.y0 < self.boxes[:, 3]))
        if skip is not None:
            found[skip] = False
        return bool(found.any())

    def crossed(self, start: tuple[float, float], end: tuple[float, float], *, skip: int) -> bool:
        """Whether the segment from ``start`` to ``end`` passes through a box (sampled every few pixels)."""
        np = self._np
        steps = np.linspace(0.0, 1.0, max(2, int(math.dist(start, end) / 2)))
        xs, ys = start[0] + steps * (end[0] - start[0]), start[1] + steps * (end[1] - start[1])
        inside = ((self.boxes[:, None, 0] <= xs) & (xs <= self.boxes[:, None, 2])
                  & (self.boxes[:, None, 1] <= ys) & (ys <= self.boxes[:, None, 3]))
        inside[skip] = False
        return bool(inside.any())

    def add(self, box: Bbox) -> None:
        self.boxes = self._np.vstack([self.boxes, [box.x0, box.y0, box.x1, box.y1]])


def _place_labels(figure: Figure, axes: Any, layout: MapLayout, *, diameter: dict[Any, float],
                  value: dict[Any, int]) -> int:
    """Name the best connected nodes first, each in the first free spot around it; returns how many.

    A spot is free when its label overlaps no other label, node, title, legend or footnote, and
    lies inside the figure. Beside the node first; a hub (one of the :data:`HUBS` best connected
    nodes) may also take a narrower label, or one farther off tied to its node by a leader line.
    """
    from matplotlib.patheffects import withStroke
    from matplotlib.transforms import Bbox

    renderer = _renderer(figure)
    dpi = figure.dpi
    inside = figure.bbox.padded(-2 * dpi / 72)
    fixed = [_padded(text.get_window_extent(renderer), LABEL_GAP, dpi) for text in figure.texts if text.get_text()]
    fixed += [_padded(legend.get_window_extent(renderer), LABEL_GAP, dpi) for legend in figure.legends]
    network = layout.network
    order = sorted(network.nodes, key=lambda n: (-value[n], str(n)))
    markers = []
    for node in order:
        cx, cy = axes.transData.transform(layout.positions[node])
        half = diameter[node] / 2 * dpi / 72
        markers.append(Bbox.from_extents(cx - half, cy - half, cx + half, cy + half))
    nodes = _Obstacles(markers)  # index i is order[i]
    labels = _Obstacles(fixed)
    count = 0
    for index, node in enumerate(order):
        label_text = str(network.nodes[node].get("label") or node)
        hub = index < HUBS
        shapes = [_wrap(label_text, width=LABEL_WIDTH, lines=2)]
        radius = diameter[node] / 2
        gaps = [radius + 1.0, radius + 4.0]
        if hub:
            shapes.append(_wrap(label_text, width=LABEL_WIDTH * 2 // 3, lines=3))
            gaps += [radius + step for step in (10.0, 18.0, 28.0, 40.0, 55.0)]
        centre = axes.transData.transform(layout.positions[node])
        sizes = {text: _measure(figure, text, renderer) for text in shapes}
        for gap, text in itertools.product(gaps, shapes):
            spot = _free_spot(centre, size=sizes[text], gap=gap, dpi=dpi, inside=inside, labels=labels, nodes=nodes,
                              own=index, leader=gap > radius + 4.0)
            if spot is None:
                continue
            (dx, dy, ha, va), box = spot
            # the leader line stops at the node's edge
            leader = {"arrowstyle": "-", "color": "#777777", "linewidth": 0.3, "shrinkA": 0.5, "shrinkB": radius + 0.5}
            axes.annotate(text, layout.positions[node], xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                          fontsize=LABEL_SIZE, color=_TEXT_COLOUR, zorder=3, annotation_clip=False,
                          parse_math=False, linespacing=1.0, arrowprops=leader if gap > radius + 4.0 else None,
                          path_effects=[withStroke(linewidth=1.5, foreground="#ffffff")])
            labels.add(box)
            count += 1
            break
    return count


_Spot = tuple[float, float, str, str]  # offset in points, horizontal and vertical alignment


def _measure(figure: Figure, text: str, renderer: RendererBase) -> tuple[float, float]:
    """Width and height in display pixels of ``text`` drawn as a node label."""
    probe = figure.text(0, 0, text, fontsize=LABEL_SIZE, parse_math=False, linespacing=1.0)
    extent = probe.get_window_extent(renderer)
    probe.remove()
    return extent.width, extent.height


def _free_spot(centre: Any, *, size: tuple[float, float], gap: float, dpi: float, inside: Bbox, labels: _Obstacles,
               nodes: _Obstacles, own: int, leader: bool) -> tuple[_Spot, Bbox] | None:
    """The first of eight spots ``gap`` points from the node where a label of ``size`` touches no label
    and no node but its own (``own``, its index in ``nodes``) and stays ``inside``; with a ``leader``
    line, the line passes through no other node either (it would seem to name that node).

    A spot's box is the label's size put at the spot as matplotlib aligns it.
    """
    from matplotlib.transforms import Bbox

    width, height = size
    scale = dpi / 72
    pad = LABEL_GAP * scale
    diagonal = gap / math.sqrt(2)
    spots: list[_Spot] = [(gap, 0, "left", "center"), (-gap, 0, "right", "center"), (0, gap, "center", "bottom"),
                          (0, -gap, "center", "top"), (diagonal, diagonal, "left", "bottom"),
                          (-diagonal, diagonal, "right", "bottom"), (diagonal, -diagonal, "left", "top"),
                          (-diagonal, -diagonal, "right", "top")]
    for dx, dy, ha, va in spots:
        x, y = centre[0] + dx * scale, centre[1] + dy * scale
        x0 = x - {"left": 0.0, "center": width / 2, "right": width}[ha]
        y0 = y - {"bottom": 0.0, "center": height / 2, "top": height}[va]
        # 3% of the width to spare on each side: hinted at 72 dpi (the SVG and PDF layout), text is wider
        spare = pad + 0.03 * width
        box = Bbox.from_extents(x0 - spare, y0 - pad, x0 + width + spare, y0 + height + pad)
        if inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1 \
                and not labels.hit(box) and not nodes.hit(box, skip=own) \
                and not (leader and nodes.crossed((centre[0], centre[1]), (x, y), skip=own)):
            return (dx, dy, ha, va), box
    return None


# --- the timeline ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Dated:
    label: str
    kind: str  # "round", "held" or "planned"
    start: date
    end: date
    precise: bool  # known to the day


def _period(value: str) -> tuple[date, date, bool]:
    """``2022`` -> the year, ``2022-07`` -> the month, ``2022-07-14`` -> the day."""
    parts = [int(p) for p in value[:10].split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31), False
    if len(parts) == 2:
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return date(parts[0], parts[1], 1), following - timedelta(days=1), False
    day = date(parts[0], parts[1], parts[2])
    return day, day, True


def _timeline_items(entities: nx.MultiDiGraph) -> tuple[list[_Dated], list[str]]:
    """The rounds and events with their periods, by date; and the labels of events without a date."""
    items, undated = [], []
    for node, data in sorted(entities.nodes(data=True), key=lambda item: str(item[0])):
        if data.get("class") == _ROUND_CLASS:
            kind = "round"
        elif data.get("category") == "event":
            kind = "held"
        elif data.get("class") == _PLANNED_EVENT_CLASS:
            kind = "planned"
        else:
            continue
        label = str(data.get("label") or node)
        periods = [_period(d) for d in data.get("dates") or [] if d[:4].isdigit()]
        if not periods:
            undated.append(label)
            continue
        start, end = min(p[0] for p in periods), max(p[1] for p in periods)
        items.append(_Dated(label, kind, start, end, precise=all(p[2] for p in periods)))
    items.sort(key=lambda item: (item.start, item.end, item.label))
    return items, sorted(undated)


_TIMELINE_KINDS = {  # kind: (legend text, style key of the map)
    "round": ("Round of the dialogue", "collaboration"),
    "held": ("Event that took place", "event"),
    "planned": ("Event planned (status as reported)", "work"),
}


def _timeline(entities: nx.MultiDiGraph) -> PaperFigure:
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    items, undated = _timeline_items(entities)
    title = "HLED — the dialogue's rounds and the events its documents report"
    with _style():
        figure = _new_figure(4.0)
        handles: list[Any] = [
            Line2D([], [], linestyle="", marker=_MARKERS[STYLE[key][1]], markersize=5, markerfacecolor=STYLE[key][0],
                   markeredgecolor="#444444", markeredgewidth=0.4, label=text)
            for kind, (text, key) in _TIMELINE_KINDS.items() if any(i.kind == kind for i in items)]
        handles.append(Patch(facecolor="#999999", alpha=0.45, label="Date known to the month or year only"))
        footnote = "No date in the source: " + "; ".join(undated) + "." if undated else None
        axis_height = 0.25  # inches under the rows for the years
        bottom, top = _frame(figure, title=title, handles=handles, footnote=footnote,
                             band=0.22 * len(items) + axis_height)  # two lines of label per row
        axes = figure.add_axes((0.5, bottom + axis_height / figure.get_size_inches()[1], 0.45,
                                top - bottom - axis_height / figure.get_size_inches()[1]))
        rows = list(range(len(items)))
        for row, item in zip(rows, items, strict=True):
            fill, shape = STYLE[_TIMELINE_KINDS[item.kind][1]]
            middle = item.start + (item.end - item.start) / 2
            if not item.precise or item.start != item.end:
                axes.barh(row, (item.end - item.start).days + 1, left=mdates.date2num(item.start), height=0.55,
                          color=fill, alpha=0.45, linewidth=0, zorder=1)
            axes.plot([mdates.date2num(middle)], [row], linestyle="", marker=_MARKERS[shape],
                      markersize=4 if shape == "diamond" else 5,
                      markerfacecolor=fill, markeredgecolor="#444444", markeredgewidth=0.4, zorder=3)
            if item.kind == "round":
                axes.axvline(mdates.date2num(item.start), color=STYLE["collaboration"][0], linewidth=0.6,
                             linestyle=(0, (2, 2)), zorder=0)
        first, last = items[0].start if items else date(2021, 1, 1), items[-1].end if items else date(2023, 12, 31)
        axes.set_xlim(mdates.date2num(date(first.year, 1, 1)), mdates.date2num(date(last.year + 1, 1, 1)))
        axes.xaxis.set_major_locator(mdates.YearLocator())
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        axes.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
        axes.set_yticks(rows, labels=[_wrap(item.label, width=34, lines=2) for item in items])
        axes.set_ylim(len(items) - 0.5, -0.5)
        for label in axes.get_yticklabels() + axes.get_xticklabels():
            label.set_parse_math(False)
            label.set_fontsize(LABEL_SIZE)
            label.set_linespacing(1.0)
        for row, item in zip(rows, items, strict=True):
            if item.kind == "round":
                axes.get_yticklabels()[row].set_fontweight("bold")
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.grid(axis="x", which="major", color="#e0e0e0", linewidth=0.4)
        axes.set_axisbelow(True)
    notes = [footnote] if footnote else []
    return PaperFigure(name=TIMELINE, title=title, figure=figure, labelled=len(items), items=len(items) + len(undated),
                       notes=notes)
