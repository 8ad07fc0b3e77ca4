"""Offline network maps: one self-contained HTML page per map, drawn with pyvis and vis-network.

Every page carries its own copy of vis-network (vendored in ``static/``, no CDN, no ``lib/``
folder), its data as JSON inside a ``<script type="application/json">`` block (Jinja2's ``tojson``:
``<``, ``>``, ``&``, ``'`` and every non-ASCII character, U+2028 and U+2029 among them, escaped), and
a Content-Security-Policy that forbids any request. The page is ``templates/map.html``. Node
positions come from NetworkX (Kamada-Kawai per connected component), then nodes are pushed apart
until no shape or label covers another (label widths estimated generously, see
:func:`_text_width`), and components are packed in rows, so a map is readable at once and the
same graph gives the same page; physics is off unless the reader turns it on. Tooltips are plain text (vis-network 9 shows string titles as text).

Maps: :func:`build_map` (overview, one pillar, the neighbourhood of one entity, the collaboration
view), :func:`map_from_graph` (a CONSTRUCT result the caller ran), :func:`map_from_networkx`
(any graph with the attributes of :mod:`hled_graph.viz.network`), and :func:`write_maps` for
the build. Graphs over :data:`CLUSTER_THRESHOLD` nodes are drawn with their less connected nodes
grouped into cluster nodes by type and pillar, so the page still opens in a few seconds.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hled_graph import names
from hled_graph.errors import InputError
from hled_graph.files import write_atomic
from hled_graph.iris import compact
from hled_graph.namespaces import PREFIXES
from hled_graph.templating import csp_hash, render
from hled_graph.version import __version__
from hled_graph.visible import reveal
from hled_graph.viz.network import CATEGORIES, VIEWS, View

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

VIS_NETWORK_VERSION = "9.1.13"
CLUSTER_THRESHOLD = 1500  # above this many nodes a map groups nodes into clusters
CLUSTER_KEEP = 300  # how many of the best connected nodes stay individual in a clustered map
LAYOUT_SEED = 7
KAMADA_KAWAI_LIMIT = 60  # nodes of a component; bigger ones get a spring layout
ASPECT = 1.5  # width / height of the drawing, about that of the map's canvas
TITLE_PREFIX = "HLED 2022"
LABEL_LENGTH = 30  # characters of a label drawn on the canvas; the tooltip has the whole label
NODE_RADIUS = (9.0, 42.0)  # canvas px of the least and the most connected node
LABEL_FONT = (14.0, 30.0)  # label font size (canvas px) of the least and the most connected node
LABEL_FACE = "system-ui, sans-serif"
LABEL_STROKE = 3  # the white halo around a label's letters
CLEARANCE = 8.0  # canvas px kept free between what two nodes draw (shape and label)
COMPONENT_GAP = 60.0  # canvas px between the boxes of two connected components
SIDEWAYS = 3.0  # a crowd is spread sideways unless that moves a node this many times farther than up or down

_STATIC = Path(__file__).resolve().parent / "static"
_PACKAGE = "hled_graph.viz"  # its templates/ folder holds the pages

# (fill colour, vis-network shape) per family of classes; borders say the country.
STYLE: dict[str, tuple[str, str]] = {
    "government": ("#4e79a7", "dot"),
    "intergovernmental": ("#76b7b2", "hexagon"),
    "organization": ("#59a14f", "dot"),
    "collaboration": ("#edc948", "hexagon"),
    "stakeholders": ("#b07aa1", "triangle"),
    "person": ("#ff9da7", "triangleDown"),
    "action": ("#f28e2b", "square"),
    "event": ("#e15759", "star"),
    "work": ("#9c755f", "diamond"),
    "place": ("#bab0ac", "triangle"),
    "topic": ("#1f3a93", "diamond"),
    "cluster": ("#cccccc", "dot"),
    "other": ("#999999", "dot"),
}
UNITED_STATES = PREFIXES["hdl"] + "united-states"
MEXICO = PREFIXES["hdl"] + "mexico"
BORDERS: dict[str, tuple[str, str, int]] = {  # key: (label, colour, width)
    "us": ("United States", "#0b2a6f", 3),
    "mx": ("Mexico", "#006847", 3),
    "other": ("Other or several countries", "#8c2d04", 3),
    "none": ("No country", "#d0d0d0", 1),
}
NO_PILLAR = "none"
# Links the map does not draw, because they would hide the rest: every action is part of the
# dialogue (forty identical spokes to one hub), and the country of a node is its border colour.
UNDRAWN_PREDICATES = frozenset({PREFIXES["hled"] + "partOfDialogue", PREFIXES["hled"] + "country"})


@dataclass(frozen=True)
class LegendEntry:
    key: str
    label: str
    colour: str
    shape: str
    count: int = 0


@dataclass
class MapDocument:
    """A finished map: the vis-network nodes and edges, the legend, and the whole page."""

    title: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    legend: dict[str, list[LegendEntry]]
    html: str
    clustered: bool = False
    pillars: list[str] = field(default_factory=list)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page as UTF-8, atomically: a temporary file beside it, then a rename."""
        return write_atomic(Path(path), self.html.encode("utf-8"))

    def _repr_html_(self) -> str:
        """Inline display in Jupyter: the page in a sandboxed iframe (scripts, nothing else)."""
        return render(_PACKAGE, "notebook.html", title=self.title, page=self.html)


# --- public entry points -----------------------------------------------------------------------

def build_map(graph: Graph, *, pillar: int | None = None, focus: str | None = None,
              depth: int = 1, view: View = "entities", title: str | None = None) -> MapDocument:
    """A map of the graph: everything, one pillar, and/or the neighbourhood of one entity.

    ``focus`` is a full IRI, a prefixed name (``hdo:epa``), a short name (``epa``) or an exact
    English label; ``depth`` is how many links away from it to draw. ``view`` is one of
    :data:`hled_graph.viz.network.VIEWS`.
    """
    from hled_graph.viz.network import build_views

    if view not in VIEWS:
        raise InputError(f"unknown map view {view!r}; use one of {', '.join(VIEWS)}")
    network = build_views(graph, views=(view,))[view]
    return _select_and_draw(network, pillar=pillar, focus=focus, depth=depth, title=title)


def map_from_graph(constructed: Graph, *, title: str | None = None) -> MapDocument:
    """A map of a graph the caller built (e.g. a SPARQL CONSTRUCT result); viz runs no query.

    Any IRI outside the vocabularies becomes a node, so results that name Wikidata items or
    other outside resources draw them too.
    """
    from hled_graph.viz.network import build_views

    network = build_views(constructed, views=("entities",), external=True)["entities"]
    if network.number_of_nodes() == 0:
        raise InputError("the query result has no resources to draw (only literals or "
                         "vocabulary terms); CONSTRUCT triples between entities")
    return map_from_networkx(network, title=title or f"{TITLE_PREFIX} — query result")


def map_from_networkx(network: nx.MultiDiGraph, *, title: str) -> MapDocument:
    """Draw any graph whose nodes carry the attributes of :mod:`hled_graph.viz.network`.

    Missing attributes are tolerated (a node without a category is drawn as "other"), so a
    synthetic graph can be drawn too; big graphs are clustered (see :data:`CLUSTER_THRESHOLD`).
    """
    clustered = network.number_of_nodes() > CLUSTER_THRESHOLD
    drawn = _cluster(network, keep=CLUSTER_KEEP) if clustered else network
    return _render(drawn, title=title, clustered=clustered,
                   directed=network.graph.get("view") != "collaboration")


def write_maps(graph: Graph, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``overview.html``, ``pillar-N.html`` for every pillar and ``collaboration.html``.

    The views are built once and every map is cut from them. Returns the paths written.
    """
    from hled_graph.viz.network import build_views

    views = build_views(graph, views=("entities", "collaboration"))
    out = Path(out_dir)
    return [map_from_networkx(network, title=title).save(out / f"{name}.html")
            for name, (network, title) in _standard_maps(views).items()]


@dataclass(frozen=True)
class MapLayout:
    """What a map draws, for drawing it elsewhere (the figures): its nodes, links and positions.

    ``positions`` are the map's canvas coordinates (pixels, y pointing down), ``edges`` one entry
    per drawn link (parallel edges merged, with their ``value``), as the HTML page has them.
    """

    title: str
    network: nx.MultiDiGraph
    edges: dict[tuple[Any, Any], dict[str, Any]]
    positions: dict[Any, tuple[float, float]]
    directed: bool


def map_layouts(views: dict[str, nx.MultiDiGraph]) -> dict[str, MapLayout]:
    """The layouts of the maps the build writes (``overview``, ``pillar-N``, ``collaboration``).

    ``views`` holds the ``entities`` and ``collaboration`` views
    (:func:`hled_graph.viz.network.build_views`); the same views give the same layouts as the pages.
    """
    layouts = {}
    for name, (network, title) in _standard_maps(views).items():
        drawn = _cluster(network, keep=CLUSTER_KEEP) if network.number_of_nodes() > CLUSTER_THRESHOLD else network
        edges = _merged_edges(drawn)
        layouts[name] = MapLayout(title=title, network=drawn, edges=edges, positions=_positions(drawn, edges),
                                  directed=network.graph.get("view") != "collaboration")
    return layouts


def _standard_maps(views: dict[str, nx.MultiDiGraph]) -> dict[str, tuple[nx.MultiDiGraph, str]]:
    """The build's maps by name: the overview, one per pillar, the collaboration view; with titles."""
    entities, collaboration = views["entities"], views["collaboration"]
    maps = {"overview": (entities, _title(entities))}
    for number in _pillar_numbers(entities):
        maps[f"pillar-{number}"] = _select(entities, pillar=number, focus=None, depth=1, title=None)
    maps["collaboration"] = (collaboration, _title(collaboration))
    return maps


def resolve_focus(network: nx.MultiDiGraph, focus: str) -> str:
    """The node meant by ``focus``: an IRI, ``prefix:name``, or a bare name (:mod:`hled_graph.names`)."""
    wanted = focus.strip()
    if wanted in network:
        return wanted
    prefix, colon, rest = wanted.partition(":")
    if colon and prefix in PREFIXES and PREFIXES[prefix] + rest in network:
        return PREFIXES[prefix] + rest
    return names.resolve(wanted, ((node, data.get("label")) for node, data in network.nodes(data=True)),
                         where="--focus ")


# --- selecting ---------------------------------------------------------------------------------

def _select_and_draw(network: nx.MultiDiGraph, *, pillar: int | None, focus: str | None,
                     depth: int, title: str | None) -> MapDocument:
    selected, title = _select(network, pillar=pillar, focus=focus, depth=depth, title=title)
    return map_from_networkx(selected, title=title)


def _select(network: nx.MultiDiGraph, *, pillar: int | None, focus: str | None,
            depth: int, title: str | None) -> tuple[nx.MultiDiGraph, str]:
    """The part of the network a map of one pillar and/or one entity's neighbourhood draws, and its title."""
    import networkx as nx

    selected = network
    label_of_focus = None
    if pillar is not None:
        available = _pillar_numbers(network)
        if pillar not in available:
            known = ", ".join(str(p) for p in available) or "none"
            raise InputError(f"unknown pillar {pillar}; this graph has pillars {known}")
        selected = selected.subgraph(
            [n for n, d in selected.nodes(data=True) if pillar in d.get("pillars", [])]).copy()
    if focus is not None:
        if depth < 0:
            raise InputError(f"--depth must be 0 or more, not {depth}")
        centre = resolve_focus(network, focus)
        if centre not in selected:
            raise InputError(f"{compact(centre)} is not in pillar {pillar}; drop --pillar or "
                             "choose another entity")
        # walk only the links the map draws: through a country hub, "two steps from EPA" would
        # be every U.S. organization, drawn without a single line to EPA
        drawn = nx.Graph()
        drawn.add_nodes_from(selected.nodes)
        drawn.add_edges_from((u, v) for u, v, d in selected.edges(data=True)
                             if d.get("predicate") not in UNDRAWN_PREDICATES)
        around = nx.ego_graph(drawn, centre, radius=depth)
        selected = selected.subgraph(sorted(around.nodes)).copy()
        label_of_focus = network.nodes[centre].get("label", centre)
    selected.graph.update(network.graph)
    return selected, title or _title(network, pillar=pillar, focus_label=label_of_focus, depth=depth)


def _pillar_numbers(network: nx.MultiDiGraph) -> list[int]:
    return sorted({p for _, d in network.nodes(data=True) for p in d.get("pillars", [])})


def _title(network: nx.MultiDiGraph, *, pillar: int | None = None,
           focus_label: str | None = None, depth: int = 1) -> str:
    view = network.graph.get("view", "entities")
    if view == "collaboration":
        what = "who acts with whom (organizations sharing actions)"
    elif view == "bipartite":
        what = "organizations and their actions"
    else:
        what = "all entities"
    if pillar is not None:
        name = next((d.get("label") for _, d in network.nodes(data=True)
                     if d.get("category") == "topic" and d.get("pillars") == [pillar]), None)
        what = f"Pillar {pillar}" + (f": {name}" if name else "")
        if view != "entities":
            what += f" ({view})"
    if focus_label is not None:
        steps = "step" if depth == 1 else "steps"
        what = f"around {focus_label} ({depth} {steps})" + (
            f", pillar {pillar}" if pillar is not None else "")
    return f"{TITLE_PREFIX} — {what}"


# --- clustering --------------------------------------------------------------------------------

def _cluster(network: nx.MultiDiGraph, *, keep: int) -> nx.MultiDiGraph:
    """Keep the ``keep`` best connected nodes (and the pillars); group the rest by type and pillar.

    A cluster node stands for its members: its edges sum theirs (``weight``), links inside a
    cluster disappear. Filters keep working because a cluster has a category and a pillar.
    """
    import networkx as nx

    degree = dict(network.degree())
    kept = set(sorted(network.nodes, key=lambda n: (-degree[n], str(n)))[:keep])
    kept |= {n for n, d in network.nodes(data=True) if d.get("category") == "topic"}
    group: dict[Any, str] = {}
    members: dict[str, list[Any]] = defaultdict(list)
    for node, data in network.nodes(data=True):
        if node in kept:
            continue
        pillars = data.get("pillars") or []
        key = f"cluster:{data.get('category') or 'other'}:{pillars[0] if pillars else NO_PILLAR}"
        group[node] = key
        members[key].append(node)
    result = nx.MultiDiGraph(**network.graph)
    for node in sorted(kept, key=str):
        result.add_node(node, **network.nodes[node])
    for key in sorted(members):
        _, category, pillar_key = key.split(":", 2)
        inside = sorted(members[key], key=lambda n: (-degree[n], str(n)))
        noun = CATEGORIES.get(category, category)
        where = f"pillar {pillar_key}" if pillar_key != NO_PILLAR else "no pillar"
        result.add_node(
            key, iri=None, label=f"{len(inside)} × {noun} ({where})", category=category,
            class_label=f"Group of {len(inside)} nodes", pillars=[] if pillar_key == NO_PILLAR
            else [int(pillar_key)], country_iris=[], cluster_size=len(inside),
            description="Largest members: " + "; ".join(
                str(network.nodes[n].get("label", n)) for n in inside[:8]),
        )
    weights: dict[tuple[Any, Any], int] = defaultdict(int)
    for source, target in network.edges():
        ends = (group.get(source, source), group.get(target, target))
        if ends[0] != ends[1]:
            weights[ends] += 1
    for (source, target), weight in sorted(weights.items(), key=lambda item: str(item[0])):
        result.add_edge(source, target, label=f"{weight} link" + ("s" if weight > 1 else ""),
                        weight=weight)
    return result


# --- layout ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Footprint:
    """What vis-network draws for one node, in canvas px around its centre: the shape, the label below."""

    radius: float
    font: float
    half_width: float  # of the shape or of the label, whichever is wider
    below: float  # from the centre to the bottom of the label

    @property
    def above(self) -> float:
        return self.radius


_NARROW = frozenset(" '\u2019,.\u00b7/:;\\|!()[]fijlrtIJ-")
_WIDE = frozenset("mwMW%@\u2026\u2014")
_UPPER_WIDTH = frozenset("#+<=>^~&\u2192")


def _text_width(text: str, font: float) -> float:
    """A generous estimate of a label's drawn width, from character classes measured in DejaVu Sans.

    DejaVu Sans is what ``system-ui`` gives on most Linux desktops and among the widest faces it may
    give anywhere, so a label estimated by it fits in less room, not more, on other systems.
    """
    def em(character: str) -> float:
        if character in _NARROW:
            return 0.42
        if character in _WIDE or ord(character) > 0x2FF:  # beyond Latin: CJK and symbols are wide
            return 1.0
        if character.isupper() or character in _UPPER_WIDTH:
            return 0.8
        return 0.64

    return sum(em(character) for character in text) * font


def _drawn_label(node: Any, data: dict[str, Any]) -> str:
    """The label as drawn on the canvas: invisible characters written out, long ones cut."""
    return _short(reveal(str(data.get("label") or node)))


def _neighbours(edges: dict[tuple[Any, Any], Any]) -> dict[Any, set[Any]]:
    neighbours: dict[Any, set[Any]] = defaultdict(set)
    for source, target in edges:
        if source != target:
            neighbours[source].add(target)
            neighbours[target].add(source)
    return neighbours


def _footprints(network: nx.MultiDiGraph, edges: dict[tuple[Any, Any], Any]) -> dict[Any, _Footprint]:
    """Size and label box of every node. Hubs are big and named in big letters: size and font grow
    from the least to the most connected node (drawn neighbours, plus a cluster's members)."""
    neighbours = _neighbours(edges)
    values = {node: len(neighbours[node]) + int(math.sqrt(network.nodes[node].get("cluster_size") or 0))
              for node in network.nodes}
    low, high = min(values.values(), default=0), max(values.values(), default=0)
    footprints = {}
    for node, value in values.items():
        share = 0.5 if high == low else (value - low) / (high - low)
        radius = round(NODE_RADIUS[0] + share * (NODE_RADIUS[1] - NODE_RADIUS[0]), 1)
        font = round(LABEL_FONT[0] + share * (LABEL_FONT[1] - LABEL_FONT[0]), 1)
        width = _text_width(_drawn_label(node, network.nodes[node]), font) + LABEL_STROKE
        # vis-network puts the label's top 4 px and half a line below the shape
        footprints[node] = _Footprint(radius=radius, font=font, half_width=max(radius, width / 2),
                                      below=radius + 4 + font / 2 + font)
    return footprints


def _positions(network: nx.MultiDiGraph,
               edges: dict[tuple[Any, Any], Any]) -> dict[Any, tuple[float, float]]:
    """Kamada-Kawai per connected component (spring for big ones), spread until no node's shape or
    label covers another's, components packed in rows by the boxes they cover."""
    import networkx as nx

    footprints = _footprints(network, edges)
    simple = nx.Graph()
    simple.add_nodes_from(sorted(network.nodes, key=str))
    # each pair in one orientation: which end comes first may depend on set order (hash seed)
    pairs = {tuple(sorted((u, v), key=str)) for u, v in edges if u != v}
    simple.add_edges_from(sorted(pairs, key=str))
    components = sorted(nx.connected_components(simple),
                        key=lambda c: (-len(c), min(str(n) for n in c)))
    boxes: list[tuple[tuple[float, float, float, float], dict[Any, tuple[float, float]]]] = []
    for component in components:
        # a fresh graph, not simple.subgraph(): a subgraph view iterates its nodes in set order,
        # which changes with the hash seed and with it the layout
        sub = nx.Graph()
        sub.add_nodes_from(sorted(component, key=str))
        sub.add_edges_from(sorted(((u, v) for u, v in simple.edges(component) if u in component), key=str))
        size = len(component)
        if size == 1:
            raw = {next(iter(component)): (0.0, 0.0)}
        elif size <= KAMADA_KAWAI_LIMIT:
            raw = nx.kamada_kawai_layout(sub)
        else:
            # Kamada-Kawai costs seconds from about a hundred nodes on; spring is quick and,
            # started from the same seed, just as stable
            raw = nx.spring_layout(sub, seed=LAYOUT_SEED, iterations=300)
        raw = _separate(raw, min_distance=1.1 / math.sqrt(size))
        # a disc of about 40 px per node along its radius; _spread makes room where labels need more
        radius = 0.0 if size == 1 else 40.0 * math.sqrt(size) + 60.0
        xs = [p[0] for p in raw.values()]
        ys = [p[1] for p in raw.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        extent = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
        # screens are wider than tall: stretch each disc into an ellipse that fills them
        placed = _spread({n: ((p[0] - cx) / extent * radius * ASPECT, (p[1] - cy) / extent * radius)
                          for n, p in raw.items()}, footprints)
        boxes.append((_covered(placed, footprints), placed))
    offsets = _shelves([(right - left + COMPONENT_GAP, bottom - top + COMPONENT_GAP)
                        for (left, top, right, bottom), _ in boxes])
    positions: dict[Any, tuple[float, float]] = {}
    for ((left, top, _, _), placed), (x, y) in zip(boxes, offsets, strict=True):
        for node, (px, py) in placed.items():
            positions[node] = (round(x + COMPONENT_GAP / 2 + px - left, 1),
                               round(y + COMPONENT_GAP / 2 + py - top, 1))
    return positions


def _shelves(sizes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Top-left corners for boxes of these (width, height), laid in rows in their order.

    The row width is the one, of a few tried from the widest box up, whose drawing fills a screen
    of :data:`ASPECT` best: a big component alone on top and rows of small ones under it.
    """
    def lay(limit: float) -> tuple[float, list[tuple[float, float]]]:
        corners = []
        x = y = row_height = widest = 0.0
        for width, height in sizes:
            if x > 0 and x + width > limit:
                x, y, row_height = 0.0, y + row_height, 0.0
            corners.append((x, y))
            x += width
            widest, row_height = max(widest, x), max(row_height, height)
        # the screen the drawing needs, in heights: what it is zoomed to fit
        return max(widest / ASPECT, y + row_height), corners

    if not sizes:
        return []
    widest_box = max(width for width, _ in sizes)
    limits = [widest_box * (1 + step / 4) for step in range(16)] + [sum(width for width, _ in sizes)]
    return min((lay(limit) for limit in limits), key=lambda laid: laid[0])[1]


def _box(position: tuple[float, float], footprint: _Footprint) -> tuple[float, float, float, float]:
    x, y = position
    return (x - footprint.half_width, y - footprint.above, x + footprint.half_width, y + footprint.below)


def _covered(placed: dict[Any, tuple[float, float]],
             footprints: dict[Any, _Footprint]) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) that the nodes' shapes and labels cover together."""
    boxes = [_box(position, footprints[node]) for node, position in placed.items()]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _spread(placed: dict[Any, tuple[float, float]],
            footprints: dict[Any, _Footprint]) -> dict[Any, tuple[float, float]]:
    """Move nodes until no two boxes (shape and label, :data:`CLEARANCE` apart) overlap.

    Each overlapping pair moves apart, half each way, along the axis where moving costs less; labels
    are wide and low, so a crowd would stack into a tall column, and sideways moves are preferred
    (:data:`SIDEWAYS`) to keep the drawing as wide as the screen. Where pushing pairs does not settle a
    crowd, the whole component is stretched a little and the pushing goes on: a stretched enough layout
    has no overlap, so this ends. Deterministic: nodes are visited in order of their left edge, then name.
    """
    placed = dict(placed)
    names = {node: str(node) for node in placed}
    while True:
        for _ in range(100):
            if not _push_apart(placed, footprints, names):
                return placed
        placed = {node: (x * 1.05, y * 1.05) for node, (x, y) in placed.items()}


def _push_apart(placed: dict[Any, tuple[float, float]], footprints: dict[Any, _Footprint],
                names: dict[Any, str]) -> bool:
    """One sweep over the overlapping pairs; False when there was none (nothing moved)."""
    moved = False
    boxes = {node: _box(placed[node], footprints[node]) for node in placed}
    order = sorted(placed, key=lambda n: (boxes[n][0], names[n]))
    for index, first in enumerate(order):
        for second in order[index + 1:]:
            a, b = boxes[first], boxes[second]
            if b[0] >= a[2] + CLEARANCE:
                # sorted by left edge: no later box reaches back to this one (the order is exact
                # in a sweep that moves nothing, the one that ends the spreading)
                break
            overlap_x = min(a[2], b[2]) - max(a[0], b[0]) + CLEARANCE
            overlap_y = min(a[3], b[3]) - max(a[1], b[1]) + CLEARANCE
            if overlap_x <= 0 or overlap_y <= 0:
                continue
            (x1, y1), (x2, y2) = placed[first], placed[second]
            if overlap_x < overlap_y * SIDEWAYS:
                step = overlap_x / 2 if (a[0] + a[2]) <= (b[0] + b[2]) else -overlap_x / 2
                placed[first], placed[second] = (x1 - step, y1), (x2 + step, y2)
            else:
                step = overlap_y / 2 if (a[1] + a[3]) <= (b[1] + b[3]) else -overlap_y / 2
                placed[first], placed[second] = (x1, y1 - step), (x2, y2 + step)
            boxes[first] = _box(placed[first], footprints[first])
            boxes[second] = _box(placed[second], footprints[second])
            moved = True
    return moved


def _separate(raw: dict[Any, Any], *, min_distance: float) -> dict[Any, tuple[float, float]]:
    """Push apart nodes the layout put (almost) on one spot, e.g. two with the same neighbours.

    Deterministic: pairs are visited in node order and pushed along the line between them, or
    sideways when they coincide exactly.
    """
    positions = {node: (float(p[0]), float(p[1])) for node, p in raw.items()}
    nodes = sorted(positions, key=str)
    for _ in range(10):
        moved = False
        for index, first in enumerate(nodes):
            for second in nodes[index + 1:]:
                (x1, y1), (x2, y2) = positions[first], positions[second]
                dx, dy = x2 - x1, y2 - y1
                distance = math.hypot(dx, dy)
                if distance >= min_distance:
                    continue
                ux, uy = (dx / distance, dy / distance) if distance > 1e-9 else (1.0, 0.0)
                push = (min_distance - distance) / 2
                positions[first] = (x1 - ux * push, y1 - uy * push)
                positions[second] = (x2 + ux * push, y2 + uy * push)
                moved = True
        if not moved:
            break
    return positions


# --- rendering ---------------------------------------------------------------------------------

def _render(network: nx.MultiDiGraph, *, title: str, clustered: bool, directed: bool) -> MapDocument:
    from pyvis.network import Network

    drawn_edges = _merged_edges(network)
    positions = _positions(network, drawn_edges)
    footprints = _footprints(network, drawn_edges)
    # pyvis builds the node and edge records; the page around them is our own template.
    net = Network(directed=directed, cdn_resources="remote")
    ids = {node: str(node) for node in network.nodes}
    for node in sorted(network.nodes, key=str):
        data = network.nodes[node]
        category = data.get("category") if data.get("category") in STYLE else "other"
        colour, shape = STYLE[category]
        border_key = border_of(data.get("country_iris") or [])
        _, border_colour, border_width = BORDERS[border_key]
        full_label = reveal(str(data.get("label") or node))
        x, y = positions[node]
        footprint = footprints[node]
        record: dict[str, Any] = {
            "title": _tooltip(node, data),
            "color": {"background": colour, "border": border_colour,
                      "highlight": {"background": colour, "border": "#000000"},
                      "hover": {"background": colour, "border": "#000000"}},
            "borderWidth": border_width,
            # sizes are set here, not scaled by vis-network, because the layout made room for
            # exactly these shapes and labels
            "size": footprint.radius, "font": {"size": footprint.font},
            "x": x, "y": y, "physics": True,
            "category": category, "country": border_key,
            "pillars": [int(p) for p in data.get("pillars") or []],
            "fullLabel": full_label,
        }
        if data.get("cluster_size"):
            record["shapeProperties"] = {"borderDashes": [4, 3]}
        net.add_node(ids[node], label=_drawn_label(node, data), shape=shape, **record)
    for (source, target), parts in drawn_edges.items():
        net.add_edge(ids[source], ids[target], **parts)
    nodes = [dict(n) for n in net.nodes]
    edges = [dict(e, id=f"e{i}") for i, e in enumerate(net.edges)]
    pillars = sorted({str(p) for n in nodes for p in n["pillars"]}, key=int)
    if any(not n["pillars"] for n in nodes) and pillars:
        pillars.append(NO_PILLAR)
    counts: dict[str, int] = defaultdict(int)
    for n in nodes:
        counts[n["category"]] += 1
    legend = {
        "categories": [LegendEntry(key, CATEGORIES[key], *STYLE[key], count=counts[key])
                       for key in STYLE if counts.get(key)],
        "borders": [LegendEntry(key, label, colour, "border")
                    for key, (label, colour, _) in BORDERS.items()],
    }
    left, top, right, bottom = _covered(positions, footprints) if positions else (0.0, 0.0, 0.0, 0.0)
    page = _page(title=title, nodes=nodes, edges=edges, legend=legend, pillars=pillars,
                 directed=directed, clustered=clustered, network=network,
                 bounds={"left": left, "top": top, "right": right, "bottom": bottom})
    return MapDocument(title=title, nodes=nodes, edges=edges, legend=legend, html=page,
                       clustered=clustered, pillars=pillars)


def _merged_edges(network: nx.MultiDiGraph) -> dict[tuple[Any, Any], dict[str, Any]]:
    """One drawn edge per ordered pair; parallel edges (two roles) share it and its tooltip."""
    grouped: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for source, target, data in network.edges(data=True):
        if data.get("predicate") in UNDRAWN_PREDICATES:
            continue
        grouped[(source, target)].append(data)
    merged = {}
    for (source, target) in sorted(grouped, key=lambda pair: (str(pair[0]), str(pair[1]))):
        parts = grouped[(source, target)]
        labels = sorted({str(p.get("label") or "") for p in parts} - {""})
        weight = sum(int(p.get("weight", 1)) for p in parts)
        lines = [f"{network.nodes[source].get('label', source)} → "
                 f"{network.nodes[target].get('label', target)}"]
        lines += labels
        for p in parts:
            lines += [f"· {label}" for label in p.get("action_labels", [])]
        merged[(source, target)] = {"title": reveal("\n".join(lines)), "value": weight}
    return merged


def border_of(country_iris: list[str]) -> str:
    """The key in :data:`BORDERS` of a node's border colour: its country ("us", "mx"), several ("other") or none."""
    if not country_iris:
        return "none"
    if set(country_iris) == {UNITED_STATES}:
        return "us"
    if set(country_iris) == {MEXICO}:
        return "mx"
    return "other"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1].rstrip() + "…"


def _tooltip(node: Any, data: dict[str, Any]) -> str:
    """Plain text, one fact per line; vis-network shows it as text, never as HTML.

    Invisible characters are written out (:func:`hled_graph.visible.reveal`): vis-network draws
    the text as it is, and a right-to-left override would reorder what the reader sees."""
    lines = [str(data.get("label") or node)]
    if data.get("class_label"):
        lines.append(f"Type: {data['class_label']}")
    if data.get("country"):
        lines.append(f"Country: {data['country']}")
    if data.get("pillars"):
        lines.append("Pillar: " + ", ".join(str(p) for p in data["pillars"]))
    for amount in data.get("amounts") or []:
        lines.append(f"Amount: {amount}")
    if data.get("dates"):
        lines.append("Date: " + ", ".join(data["dates"]))
    if data.get("description"):
        lines.append(str(data["description"]))
    if data.get("quote"):
        lines.append(f"Source: “{data['quote']}”")
    if data.get("iri"):
        lines.append(str(data["iri"]))
    return reveal("\n".join(lines))


def _options(*, directed: bool, large: bool) -> dict[str, Any]:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": LAYOUT_SEED},
        "physics": {"enabled": False, "solver": "forceAtlas2Based",
                    "stabilization": {"enabled": True, "iterations": 200}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large,
                        "multiselect": False, "navigationButtons": False},
        # small nodes show their labels as the reader zooms in (drawThreshold: on-screen px)
        "nodes": {"font": {"size": LABEL_FONT[0], "face": LABEL_FACE,
                           "strokeWidth": LABEL_STROKE, "strokeColor": "#ffffff"},
                  "scaling": {"label": {"maxVisible": LABEL_FONT[1], "drawThreshold": 6}}},
        "edges": {"smooth": False, "color": {"color": "#b5b5b5", "highlight": "#333333",
                                             "hover": "#333333"},
                  "scaling": {"min": 1, "max": 6},
                  "arrows": {"to": {"enabled": directed, "scaleFactor": 0.45}}},
    }


@lru_cache(maxsize=1)
def _inline_scripts() -> tuple[str, str]:
    """The vendored vis-network and the page's own script, checked safe to inline."""
    vis = (_STATIC / f"vis-network-{VIS_NETWORK_VERSION}.min.js").read_text(encoding="utf-8")
    # the source map is not shipped: drop the comment so no tool goes looking for it
    vis = "\n".join(line for line in vis.splitlines()
                    if not line.startswith("//# sourceMappingURL="))
    app = (_STATIC / "map.js").read_text(encoding="utf-8")
    for name, code in (("vis-network", vis), ("map.js", app)):
        if "</script" in code.lower() or "<!--" in code:
            raise RuntimeError(f"{name} cannot be inlined: it contains '</script' or '<!--'")
    return vis, app


def _page(*, title: str, nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
          legend: dict[str, list[LegendEntry]], pillars: list[str], directed: bool,
          clustered: bool, network: nx.MultiDiGraph, bounds: dict[str, float]) -> str:
    vis, app = _inline_scripts()
    # bounds: what the shapes and labels cover, for the first view; vis-network's own fit leaves
    # the labels out of its sums and cuts off those at the edges
    data = {"nodes": nodes, "edges": edges, "bounds": bounds,
            "options": _options(directed=directed, large=len(nodes) > 400)}
    clusters = [n for n in network.nodes if network.nodes[n].get("cluster_size")]
    return render(_PACKAGE, "map.html",
        title=title, version=__version__, vis_version=VIS_NETWORK_VERSION,
        pillars=[{"key": p, "label": p if p != NO_PILLAR else "no pillar"} for p in pillars],
        categories=legend["categories"], borders=legend["borders"],
        clustered=clustered, cluster_count=len(clusters),
        clustered_members=sum(network.nodes[n]["cluster_size"] for n in clusters),
        node_count=len(nodes), edge_count=len(edges),
        vis_js=vis, app_js=app, data=data,
        script_hashes=" ".join(csp_hash(code) for code in (vis, app)),
    )
