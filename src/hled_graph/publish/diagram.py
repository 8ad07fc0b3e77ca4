"""The ontology as two pictures for its documentation page: the class hierarchy and the properties.

Both are small layered drawings computed here and written as inline SVG by the page's template (no
Graphviz, no network, the same drawing on every run). The hierarchy puts each class one column to
the right of its deepest superclass, with an arrow to every superclass; the properties diagram
has three columns, domain → property → range, for every ``hled:`` property that declares both.
Within a column a box sits level with what it links to where there is room, never on another box.
Labels are set in a monospaced face, so a box's width follows from its number of characters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TypeGuard

from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from hled_graph.iris import compact
from hled_graph.namespaces import HLED
from hled_graph.visible import reveal

FONT_SIZE = 12.0  # px
CHARACTER_WIDTH = 0.62 * FONT_SIZE  # a monospaced face's advance (0.6 em in the usual ones) and a little
BOX_HEIGHT = 22.0
PADDING = 8.0  # between a box's edge and its text
ROW_GAP = 8.0
COLUMN_GAP = 70.0
MARGIN = 4.0
ARROW = (9.0, 4.5)  # an arrowhead's length and half width


@dataclass(frozen=True)
class Box:
    """One term drawn as a box; ``href`` is its section on the page ("" for a term documented elsewhere)."""

    text: str
    href: str
    kind: str  # "ours", "outside" or "property"
    x: float
    y: float
    width: float
    height: float = BOX_HEIGHT

    @property
    def text_x(self) -> float:
        return self.x + PADDING

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Line:
    """A link between two boxes as an SVG path; ``kind``: "subclass" (arrow to the superclass),
    "domain" (domain to property) or "range" (property to range, arrow to the range). ``head``: the
    arrowhead's polygon points, drawn as a shape of its own (an SVG marker would be a url() reference)."""

    path: str
    kind: str
    head: str = ""


@dataclass(frozen=True)
class Diagram:
    name: str  # a word for ids: "classes" or "properties"
    title: str
    width: float
    height: float
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]


def ontology_diagrams(ontology: Graph, *, href: Callable[[URIRef], str]) -> list[Diagram]:
    """The class hierarchy and the domain → property → range diagram of the ``hled:`` terms."""
    return [_class_diagram(ontology, href), _property_diagram(ontology, href)]


# --- what is drawn -----------------------------------------------------------------------------

def _ours(term: object) -> TypeGuard[URIRef]:
    return isinstance(term, URIRef) and str(term).startswith(HLED) and len(str(term)) > len(HLED)


def _named(ontology: Graph, term: Node) -> list[URIRef]:
    """The named classes ``term`` stands for: itself, or the members of an owl:unionOf."""
    if isinstance(term, URIRef):
        return [term]
    if isinstance(term, BNode):
        members = ontology.value(term, OWL.unionOf)
        if members is not None:
            return sorted(m for m in ontology.items(members) if isinstance(m, URIRef))
    return []


def _width(text: str) -> float:
    return round(len(reveal(text)) * CHARACTER_WIDTH + 2 * PADDING, 1)


def _class_diagram(ontology: Graph, href: Callable[[URIRef], str]) -> Diagram:
    ours: set[URIRef] = {s for t in (OWL.Class, RDFS.Class) for s in ontology.subjects(RDF.type, t) if _ours(s)}
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for child in ours:
        for parent in ontology.objects(child, RDFS.subClassOf):
            parents[child].update(p for p in _named(ontology, parent) if p != child)
    drawn = ours | {p for ps in parents.values() for p in ps}
    # superclasses from outside: what the ontology says of them too (prov:Organization ⊑ prov:Agent)
    for term in sorted(drawn - ours):
        parents[term].update(p for p in ontology.objects(term, RDFS.subClassOf)
                             if isinstance(p, URIRef) and p in drawn and p != term)
    depth: dict[URIRef, int] = {}

    def depth_of(term: URIRef, seen: frozenset[URIRef]) -> int:
        if term not in depth:
            above = [p for p in parents[term] if p not in seen]  # a cycle of equivalent classes ends here
            depth[term] = 1 + max((depth_of(p, seen | {term}) for p in sorted(above)), default=-1)
        return depth[term]

    columns: dict[int, list[URIRef]] = defaultdict(list)
    for term in sorted(drawn, key=compact):
        columns[depth_of(term, frozenset())].append(term)
    links = [(child, parent) for child in sorted(drawn, key=compact) for parent in sorted(parents[child], key=compact)]
    boxes = _layered([columns[c] for c in sorted(columns)], links, ours=ours, href=href)
    lines = [_line(boxes[child], boxes[parent], "subclass") for child, parent in links]
    return _diagram("classes", "Classes: an arrow points to the superclass", boxes, lines)


def _property_diagram(ontology: Graph, href: Callable[[URIRef], str]) -> Diagram:
    properties: list[URIRef] = [
        p for t in (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property) for p in ontology.subjects(RDF.type, t)
        if _ours(p) and ontology.value(p, RDFS.domain) is not None and ontology.value(p, RDFS.range) is not None]
    domains = {p: sorted({c for d in ontology.objects(p, RDFS.domain) for c in _named(ontology, d)}, key=compact)
               for p in properties}
    ranges = {p: sorted({c for r in ontology.objects(p, RDFS.range) for c in _named(ontology, r)}, key=compact)
              for p in properties}
    # grouped by domain, so that a domain's lines fan out to neighbouring rows
    properties = sorted(set(properties), key=lambda p: ([compact(d) for d in domains[p]], compact(p)))
    left = sorted({c for cs in domains.values() for c in cs}, key=compact)
    right = sorted({c for cs in ranges.values() for c in cs}, key=compact)
    ours = {t for t in (*left, *right) if _ours(t)}
    # a property and a class may share a name only in different columns: keys carry the column
    links: list[tuple[tuple[str, URIRef], tuple[str, URIRef]]] = [
        (("domain", d), ("property", p)) for p in properties for d in domains[p]]
    links += [(("property", p), ("range", r)) for p in properties for r in ranges[p]]
    boxes = _layered([[("domain", c) for c in left], [("property", p) for p in properties],
                      [("range", c) for c in right]], links, ours=ours, href=href, middle=1)
    lines = [_line(boxes[a], boxes[b], "domain" if a[0] == "domain" else "range") for a, b in links]
    return _diagram("properties", "Properties: domain → property → range", boxes, lines)


# --- layout ------------------------------------------------------------------------------------

def _layered(columns: list[list], links: Iterable[tuple], *, ours: set[URIRef],
             href: Callable[[URIRef], str], middle: int | None = None) -> dict:
    """Boxes for terms in columns, left to right. The ``middle`` column (or the first) is stacked;
    every other column is ordered by the mean height of what each term links to in the columns
    placed before it, and each box sits level with that mean where it does not touch the box above.
    Twice: the second time the stacked column is placed level with where its links went the first
    time, which uncrosses most lines."""
    neighbours: dict = defaultdict(list)
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    start = middle if middle is not None else 0
    boxes = _placed(columns, neighbours, start=start, ours=ours, href=href, first={})
    centre = {term: box.y + box.height / 2 for term, box in boxes.items()}
    first = {}
    for term in columns[start]:
        heights = [centre[n] for n in neighbours[term]]
        first[term] = sum(heights) / len(heights) if heights else centre[term]
    boxes = _placed(columns, neighbours, start=start, ours=ours, href=href, first=first)
    top = min((box.y for box in boxes.values()), default=MARGIN)
    return {term: replace(box, y=round(box.y - top + MARGIN, 1)) for term, box in boxes.items()}


def _placed(columns: list[list], neighbours: dict, *, start: int, ours: set[URIRef],
            href: Callable[[URIRef], str], first: dict) -> dict:
    """One placing, from the ``start`` column outwards; ``first``: wanted heights for the start column."""
    order = list(range(start, len(columns))) + list(range(start - 1, -1, -1))
    widths = [max((_width(_term_text(t)) for t in column), default=0.0) for column in columns]
    xs = [MARGIN + sum(widths[:i]) + COLUMN_GAP * i for i in range(len(columns))]
    centre: dict = {}
    boxes: dict = {}
    for index in order:
        column = columns[index]
        wanted = {}
        for position, term in enumerate(column):
            placed = [centre[n] for n in neighbours[term] if n in centre and index != start]
            stacked = first.get(term, position * (BOX_HEIGHT + ROW_GAP))
            wanted[term] = sum(placed) / len(placed) if placed else stacked
        bottom = MARGIN - ROW_GAP
        for term in sorted(column, key=lambda t: (wanted[t], _term_text(t))):
            y = max(wanted[term] - BOX_HEIGHT / 2, bottom + ROW_GAP)
            text = _term_text(term)
            iri = term[1] if isinstance(term, tuple) else term
            kind = "property" if isinstance(term, tuple) and term[0] == "property" else (
                "ours" if iri in ours else "outside")
            boxes[term] = Box(text=text, href=href(iri) if _ours(iri) else "", kind=kind,
                              x=round(xs[index], 1), y=round(y, 1), width=_width(text))
            centre[term] = y + BOX_HEIGHT / 2
            bottom = y + BOX_HEIGHT
    return boxes


def _term_text(term: URIRef | tuple[str, URIRef]) -> str:
    return compact(term[1] if isinstance(term, tuple) else term)


def _line(start: Box, end: Box, kind: str) -> Line:
    """A smooth line from the side of ``start`` facing ``end`` to the side of ``end`` facing ``start``,
    with an arrowhead at ``end`` unless it goes from a domain to its property."""
    if start.x > end.x:
        x1, x2 = start.x, end.x + end.width
    else:
        x1, x2 = start.x + start.width, end.x
    y1, y2 = start.y + start.height / 2, end.y + end.height / 2
    bend = (x2 - x1) / 2
    path = f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    if kind == "domain":
        return Line(path, kind)
    # the curve arrives level, so the head points straight along x
    back = x2 - ARROW[0] if x2 > x1 else x2 + ARROW[0]
    head = f"{x2:.1f},{y2:.1f} {back:.1f},{y2 - ARROW[1]:.1f} {back:.1f},{y2 + ARROW[1]:.1f}"
    return Line(path, kind, head)


def _diagram(name: str, title: str, boxes: dict, lines: list[Line]) -> Diagram:
    drawn = tuple(boxes.values())
    width = max((b.x + b.width for b in drawn), default=0.0) + MARGIN
    height = max((b.y + b.height for b in drawn), default=0.0) + MARGIN
    return Diagram(name=name, title=title, width=round(width, 1), height=round(height, 1),
                   boxes=drawn, lines=tuple(lines))
