"""The ontology as one self-contained HTML page: every class, property and individual of ``hled:``
with its label, IRI, definition, hierarchy, domain and range, and examples from the data.

pyLODE was the first choice; 3.4.1 fails on import when installed from its wheel (it reads a
``pyproject.toml`` that the wheel does not ship) and would pull in httpx and friends, so this is a
small generator of our own. The page is ``templates/ontology.html`` (Jinja2, autoescape on): this
module builds plain views of the terms (:class:`Piece`), the template writes and escapes them. The
page loads nothing from anywhere (inline CSS, no scripts, a CSP that forbids fetching).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from hled_graph.iris import compact
from hled_graph.labels import label_in_graph
from hled_graph.namespaces import HLED, PREFIXES
from hled_graph.templating import render

DOCS_FILE = "ontology.html"
EXAMPLES_PER_TERM = 3
VANN = PREFIXES["vann"]

# Sections of the page: title, anchor, the rdf:types that put a term there.
_SECTIONS: tuple[tuple[str, str, tuple[URIRef, ...]], ...] = (
    ("Classes", "classes", (OWL.Class, RDFS.Class)),
    ("Object properties", "object-properties", (OWL.ObjectProperty,)),
    ("Datatype properties", "datatype-properties", (OWL.DatatypeProperty,)),
    ("Annotation properties", "annotation-properties", (OWL.AnnotationProperty,)),
    ("Other properties", "other-properties", (RDF.Property,)),
)
_CHARACTERISTICS = (
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)
_TITLE = (DCTERMS.title, RDFS.label)
_DESCRIPTION = (DCTERMS.description, RDFS.comment)
_DEFINITION = (SKOS.definition, RDFS.comment, DCTERMS.description)


@dataclass(frozen=True, order=True)
class Piece:
    """A bit of the page as the template writes it (``kind``: text, code, link, plainlink, muted,
    seq = ``parts`` one after another, join = ``parts`` separated by ``text``, examples = a list).
    Ordered, so lists of pieces sort the same way on every run."""

    kind: str
    text: str = ""
    href: str = ""
    parts: tuple[Piece, ...] = ()


def _text(text: str) -> Piece:
    return Piece("text", text)


def ontology_html(ontology_graph: Graph, data_graph: Graph | None = None) -> str:
    """The documentation page of the ``hled:`` terms in ``ontology_graph``, with examples from ``data_graph``."""
    page = _Page(ontology_graph, data_graph if data_graph is not None else Graph())
    return page.render()


def write_ontology_docs(
    out_dir: Path, *, ontology: Graph | None = None, data: Graph | None = None
) -> Path:
    """Write ``ontology.html`` into ``out_dir`` (default: the shipped ontology, data and links)."""
    from hled_graph import graph as hgraph
    from hled_graph.files import write_atomic

    if ontology is None:
        ontology = hgraph.ontology_graph()
    if data is None:
        data = hgraph.load_graph(include_ontology=False, include_inferred=False)
    return write_atomic(Path(out_dir) / DOCS_FILE, ontology_html(ontology, data).encode("utf-8"))


class _Page:
    def __init__(self, ontology: Graph, data: Graph) -> None:
        self.ontology = ontology
        self.data = data
        self.sections = self._sections()
        self.documented = {term for _, _, terms in self.sections for term in terms}

    # --- what is on the page ----------------------------------------------------------------

    def _ours(self, term: object) -> TypeGuard[URIRef]:
        return (
            isinstance(term, URIRef) and str(term).startswith(HLED) and len(str(term)) > len(HLED)
        )

    def _sections(self) -> list[tuple[str, str, list[URIRef]]]:
        placed: set[URIRef] = set()
        sections = []
        for title, anchor, types in _SECTIONS:
            ours: set[URIRef] = {s for t in types for s in self.ontology.subjects(RDF.type, t) if self._ours(s)}
            terms = sorted(
                ours - placed,
                key=self._sort_key,
            )
            placed |= set(terms)
            sections.append((title, anchor, terms))
        individuals = sorted(
            {
                s
                for s, _, o in self.ontology.triples((None, RDF.type, None))
                if self._ours(s) and s not in placed
            },
            key=self._sort_key,
        )
        sections.append(("Named individuals", "individuals", individuals))
        return [section for section in sections if section[2]]

    def _sort_key(self, term: URIRef) -> tuple[str, str]:
        return (self._local(term).lower(), str(term))

    # --- small helpers ----------------------------------------------------------------------

    @staticmethod
    def _local(term: URIRef) -> str:
        text = str(term)
        return text[len(HLED) :] if text.startswith(HLED) else text

    def _link(self, term: object) -> Piece:
        """A term as a link: to its section if documented here, else to its IRI."""
        if isinstance(term, BNode):
            return self._restriction(term)
        if not isinstance(term, URIRef):
            return _text(str(term))
        href = f"#{self._local(term)}" if term in self.documented else str(term)
        return Piece("link", compact(term), href)

    def _restriction(self, node: BNode) -> Piece:
        on = self.ontology.value(node, OWL.onProperty)
        for predicate, word in (
            (OWL.someValuesFrom, "some"),
            (OWL.allValuesFrom, "only"),
            (OWL.hasValue, "value"),
            (OWL.qualifiedCardinality, "exactly"),
            (OWL.cardinality, "exactly"),
            (OWL.maxCardinality, "max"),
            (OWL.minCardinality, "min"),
        ):
            value = self.ontology.value(node, predicate)
            if on is not None and value is not None:
                return Piece("seq", parts=(self._link(on), _text(f" {word} "), self._link(value)))
        members = self.ontology.value(node, OWL.unionOf)
        if members is not None:
            return Piece("join", " or ", parts=tuple(self._link(m) for m in self.ontology.items(members)))
        return Piece("muted", "(anonymous class)")

    def _disjoint_with(self, cls: URIRef) -> set[Node]:
        """The classes ``cls`` is declared disjoint with, pairwise or in an owl:AllDisjointClasses list."""
        disjoint: set[Node] = set(self.ontology.objects(cls, OWL.disjointWith))
        disjoint |= set(self.ontology.subjects(OWL.disjointWith, cls))
        for axiom in self.ontology.subjects(RDF.type, OWL.AllDisjointClasses):
            members = [m for head in self.ontology.objects(axiom, OWL.members) for m in self.ontology.items(head)]
            if cls in members:
                disjoint.update(m for m in members if m != cls)
        return disjoint

    def _links(self, terms: Iterable[object]) -> Piece:
        return Piece("join", ", ", parts=tuple(sorted(self._link(t) for t in terms)))

    # --- examples from the data -------------------------------------------------------------

    def _describe(self, node: Node, *, depth: int = 0) -> Piece:
        """A data node in words: its label, else a short summary of a blank node, else the node
        that points to it (an association is described by its action)."""
        if isinstance(node, Literal):
            return _text(str(node))
        label = label_in_graph(self.data, node)
        if isinstance(node, URIRef):
            curie = Piece("code", compact(node))
            return Piece("seq", parts=(_text(f"{label} ("), curie, _text(")"))) if label else curie
        if label:
            return _text(label)
        parts = sorted(
            f"{compact(str(p))} {o}" for p, o in self.data.predicate_objects(node) if isinstance(o, Literal)
        )
        if parts:
            return _text("[" + "; ".join(parts) + "]")
        referrers = sorted(
            self.data.subject_predicates(node), key=lambda sp: (str(sp[1]), str(sp[0]))
        )
        if referrers and depth < 3:
            parent, via = referrers[0]
            return Piece("seq", parts=(self._describe(parent, depth=depth + 1), _text(" › "), self._link(via)))
        return Piece("muted", "(blank node)")

    def _examples(self, term: URIRef, kind: str) -> tuple[int, list[Piece]]:
        """How often ``term`` is used in the data, and the first few uses in words."""
        if kind == "classes":
            instances = set(self.data.subjects(RDF.type, term))
            return len(instances), sorted(self._describe(n) for n in instances)[:EXAMPLES_PER_TERM]
        if kind == "individuals":
            uses = {(s, p) for s, p, _ in self.data.triples((None, None, term))}
            described = (Piece("seq", parts=(self._describe(s), _text(" "), self._link(p), _text(" this")))
                         for s, p in uses)
            return len(uses), sorted(described)[:EXAMPLES_PER_TERM]
        pairs = set(self.data.subject_objects(term))
        described = (Piece("seq", parts=(self._describe(s), _text(" → "), self._describe(o))) for s, o in pairs)
        return len(pairs), sorted(described)[:EXAMPLES_PER_TERM]

    # --- the page ---------------------------------------------------------------------------

    def render(self) -> str:
        from hled_graph.publish.diagram import ontology_diagrams

        ontology = next(iter(sorted(self.ontology.subjects(RDF.type, OWL.Ontology), key=str)), None)
        title = (label_in_graph(self.ontology, ontology, properties=_TITLE) if ontology else None) or "Ontology"
        return render(
            "hled_graph.publish", DOCS_FILE,
            title=title,
            description=label_in_graph(self.ontology, ontology, properties=_DESCRIPTION) if ontology else None,
            metadata=self._metadata(ontology) if ontology is not None else None,
            contents=[(title_, anchor, [(self._local(t), compact(t)) for t in terms])
                      for title_, anchor, terms in self.sections],
            sections=[(title_, anchor, [self._term(term, anchor) for term in terms])
                      for title_, anchor, terms in self.sections],
            diagrams=ontology_diagrams(
                self.ontology, href=lambda term: f"#{self._local(term)}" if term in self.documented else ""),
        )

    def _metadata(self, ontology: Node) -> list[tuple[str, Piece]]:
        rows = [("IRI", self._plain(ontology))]
        for label, predicate in (
            ("Version IRI", OWL.versionIRI),
            ("Version", OWL.versionInfo),
            ("Created", DCTERMS.created),
            ("Modified", DCTERMS.modified),
            ("Creator", DCTERMS.creator),
            ("License", DCTERMS.license),
            ("Preferred prefix", URIRef(VANN + "preferredNamespacePrefix")),
            ("Namespace", URIRef(VANN + "preferredNamespaceUri")),
        ):
            values = sorted(self.ontology.objects(ontology, predicate), key=str)
            if values:
                rows.append((label, Piece("join", ", ", parts=tuple(self._plain(v) for v in values))))
        return rows

    @staticmethod
    def _plain(value: object) -> Piece:
        if isinstance(value, URIRef):
            return Piece("plainlink", str(value), str(value))
        return _text(str(value))

    def _term(self, term: URIRef, kind: str) -> dict[str, object]:
        g = self.ontology
        rows: list[tuple[str, Piece]] = [("IRI", Piece("code", str(term)))]
        if kind == "classes":
            rows += [
                ("Subclass of", self._links(g.objects(term, RDFS.subClassOf))),
                (
                    "Superclass of",
                    self._links(s for s in g.subjects(RDFS.subClassOf, term) if self._ours(s)),
                ),
                ("Equivalent to", self._links(g.objects(term, OWL.equivalentClass))),
                ("Disjoint with", self._links(self._disjoint_with(term))),
                (
                    "Domain of",
                    self._links(s for s in g.subjects(RDFS.domain, term) if self._ours(s)),
                ),
                ("Range of", self._links(s for s in g.subjects(RDFS.range, term) if self._ours(s))),
            ]
        elif kind == "individuals":
            types = [t for t in g.objects(term, RDF.type) if t != OWL.NamedIndividual]
            rows.append(("Instance of", self._links(types)))
        else:
            characteristics = [c for c in _CHARACTERISTICS if (term, RDF.type, c) in g]
            rows += [
                ("Subproperty of", self._links(g.objects(term, RDFS.subPropertyOf))),
                (
                    "Superproperty of",
                    self._links(s for s in g.subjects(RDFS.subPropertyOf, term) if self._ours(s)),
                ),
                ("Domain", self._links(g.objects(term, RDFS.domain))),
                ("Range", self._links(g.objects(term, RDFS.range))),
                ("Inverse of", self._links(g.objects(term, OWL.inverseOf))),
                ("Characteristics", self._links(characteristics)),
            ]
        total, examples = self._examples(term, kind)
        if total:
            noun = {"classes": "instance", "individuals": "use"}.get(kind, "use")
            rows.append((f"Examples ({total} {noun}{'s' if total != 1 else ''} in the data)",
                         Piece("examples", parts=tuple(examples))))
        return {
            "local": self._local(term),
            "label": label_in_graph(g, term) or self._local(term),
            "definition": label_in_graph(g, term, properties=_DEFINITION),
            "rows": [(name, value) for name, value in rows if value.kind != "join" or value.parts],
        }
