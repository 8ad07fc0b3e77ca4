"""Linked Data: the path of an entity's IRI (``/id/org/epa``) answers its description.

HTML for people (labels, links to neighbours as local links, incoming links, the source quote of
an action), Turtle / JSON-LD / N-Triples / RDF/XML for programs. The HTML comes from the Jinja2
templates in ``templates/`` (autoescape on): this module only builds plain views of the terms, so
labels, which come from the data and are not trusted, are escaped by the template engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import quote

import pyoxigraph as ox

from hled_graph.iris import compact
from hled_graph.labels import label_in_store
from hled_graph.namespaces import GRAPH_INFERRED, HLED, ID, PREFIXES
from hled_graph.sparql.server import writers
from hled_graph.sparql.server.messages import HttpError, Request, Response, text_response
from hled_graph.sparql.server.negotiation import GRAPH_FORMATS, HTML, names, negotiate
from hled_graph.sparql.server.pages import PACKAGE
from hled_graph.templating import is_linkable, render

ENTITY_FORMATS = (*GRAPH_FORMATS, HTML)
ONTOLOGY = HLED.rstrip("#")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
INFERRED = ox.NamedNode(GRAPH_INFERRED)
_MAX_NESTING = 4
_MAX_INCOMING = 500
_QUOTE_QUERY = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?entity ?annotation ?exact ?prefix ?suffix ?start ?end WHERE {
  ?annotation oa:hasBody ?entity ; oa:hasTarget ?target .
  ?target oa:hasSelector ?quote .
  ?quote oa:exact ?exact .
  OPTIONAL { ?quote oa:prefix ?prefix }
  OPTIONAL { ?quote oa:suffix ?suffix }
  OPTIONAL { ?target oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
} ORDER BY ?annotation ?start
"""


def entity_iri(path: str) -> str | None:
    """The IRI an entity path stands for (``/id/org/epa`` → ``https://w3id.org/hled/id/org/epa``)."""
    if not path.startswith("/id/") or len(path) <= 4:
        return None
    return ID + path[4:]


def local_path(iri: str) -> str | None:
    """The local link for an IRI served here, or None for IRIs of other sites."""
    if iri.startswith(ID) and len(iri) > len(ID):
        return "/id/" + quote(iri[len(ID):], safe="/-._~")
    if iri.startswith(HLED) and len(iri) > len(HLED):
        # Ontology terms are hash IRIs: one page, /ontology, with an anchor per term.
        return "/ontology#" + quote(iri[len(HLED):], safe="-._~")
    if iri == ONTOLOGY:
        return "/ontology"
    return None


class EntityPages:
    """Describes entities of one (read-only) store; labels are cached, the store never changes."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._labels: dict[ox.NamedNode, str | None] = {}
        self._ontology_terms: list[ox.NamedNode] | None = None

    def _stated(self, subject: ox.NamedNode | ox.BlankNode | None, predicate: ox.NamedNode | None,
                value: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Iterator[ox.Quad]:
        """The store's quads that match, but for the inferred graph: a page shows what the data states
        (``hled:country`` once, not again as ``dcterms:spatial``); SPARQL sees the closure."""
        return (quad for quad in self._store.quads_for_pattern(subject, predicate, value) if quad.graph_name != INFERRED)

    def respond(self, request: Request, iri: str, *, format_param: str | None) -> Response:
        fmt = negotiate(request.header("accept"), ENTITY_FORMATS, format_param=format_param)
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise HttpError(404, "no such entity: the path is not a valid IRI") from None
        if next(self._stated(node, None, None), None) is None:
            raise HttpError(404, f"no entity {iri} in this graph")
        if fmt is None:
            raise HttpError(406, "cannot describe an entity in the requested format; "
                                 f"available: {names(ENTITY_FORMATS)}")
        vary = [("Vary", "Accept")]
        if fmt.key == "html":
            return text_response(200, self._html(node), "text/html", headers=vary)
        body = writers.write_triples(fmt.key, self.description(node))
        return Response(200, body, f"{fmt.media_type}; charset=utf-8", vary)

    def respond_ontology(self, request: Request, *, format_param: str | None) -> Response:
        """The ontology: every ``hled:`` term on one page (``/ontology#Action``), or as RDF."""
        fmt = negotiate(request.header("accept"), ENTITY_FORMATS, format_param=format_param)
        if self._ontology_terms is None:  # one scan of the store; it never changes
            self._ontology_terms = sorted(
                {q.subject for q in self._stated(None, None, None)
                 if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(HLED)},
                key=lambda node: node.value,
            )
        terms = self._ontology_terms
        ontology = ox.NamedNode(ONTOLOGY)
        if not terms and next(self._stated(ontology, None, None), None) is None:
            raise HttpError(404, "this graph has no ontology")
        if fmt is None:
            raise HttpError(406, f"the ontology is available as {names(ENTITY_FORMATS)}")
        vary = [("Vary", "Accept")]
        if fmt.key != "html":
            triples = sorted({t for node in [ontology, *terms] for t in self.description(node)}, key=str)
            return Response(200, writers.write_triples(fmt.key, triples), f"{fmt.media_type}; charset=utf-8", vary)
        title = self.label(ontology) or "Ontology"
        entries = [
            {"name": term.value[len(HLED):], "label": self.label(term) or term.value[len(HLED):],
             "types": [self._term_view(q.object) for q in self._stated(term, RDF_TYPE, None)],
             "properties": self._properties_view(term, depth=0)}
            for term in terms
        ]
        alternates = tuple((f.media_type, f"/ontology?format={f.key}") for f in GRAPH_FORMATS)
        html = render(PACKAGE, "ontology.html", title=title, iri=ONTOLOGY, alternates=alternates,
                      properties_table=self._properties_view(ontology, depth=0), entries=entries)
        return text_response(200, html, "text/html", headers=vary)

    def description(self, node: ox.NamedNode) -> list[ox.Triple]:
        """The concise bounded description: the entity's triples and those of its blank nodes."""
        triples: set[ox.Triple] = set()
        pending: list[ox.NamedNode | ox.BlankNode] = [node]
        visited: set[object] = set()
        while pending:
            subject = pending.pop()
            if subject in visited:
                continue
            visited.add(subject)
            for quad in self._stated(subject, None, None):
                triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
                if isinstance(quad.object, ox.BlankNode):
                    pending.append(quad.object)
        return sorted(triples, key=str)

    def label(self, node: ox.NamedNode) -> str | None:
        """The label of ``node`` by the project's one policy (:mod:`hled_graph.labels`), or None."""
        if node not in self._labels:
            self._labels[node] = label_in_store(self._store, node.value)
        return self._labels[node]

    # HTML: views of the terms, rendered by the templates in templates/ --------------------

    def _html(self, node: ox.NamedNode) -> str:
        path = local_path(node.value) or ""
        types = sorted({q.object for q in self._stated(node, RDF_TYPE, None)}, key=str)
        return render(
            PACKAGE, "entity.html",
            title=self.label(node) or compact(node.value), iri=node.value,
            types=[self._term_view(t) for t in types],
            quotes=self._quotes(node),
            properties_table=self._properties_view(node, depth=0),
            incoming=self._incoming(node),
            alternates=tuple((fmt.media_type, f"{path}?format={fmt.key}") for fmt in GRAPH_FORMATS),
        )

    def _properties_view(self, subject: ox.NamedNode | ox.BlankNode, *, depth: int) -> dict[str, Any]:
        grouped: dict[ox.NamedNode, set[object]] = {}
        for quad in self._stated(subject, None, None):
            if depth == 0 and quad.predicate == RDF_TYPE:
                continue
            grouped.setdefault(quad.predicate, set()).add(quad.object)
        rows = [
            {"iri": predicate.value, "name": self._name(predicate),
             "objects": [self._value_view(v, depth=depth) for v in sorted(grouped[predicate], key=str)]}
            for predicate in sorted(grouped, key=lambda p: (self._name(p).lower(), p.value))
        ]
        return {"kind": "properties", "rows": rows}

    def _value_view(self, term: object, *, depth: int) -> dict[str, Any]:
        if isinstance(term, ox.BlankNode):
            if depth >= _MAX_NESTING:
                return {"kind": "nested"}
            return self._properties_view(term, depth=depth + 1)
        return self._term_view(term)

    def _term_view(self, term: object) -> dict[str, Any]:
        if isinstance(term, ox.NamedNode):
            href = local_path(term.value) or term.value
            return {"kind": "iri", "iri": term.value, "text": self._name(term),
                    "href": href if is_linkable(href) else None}
        if isinstance(term, ox.Literal):
            plain = term.language or term.datatype.value.endswith("#string")
            return {"kind": "literal", "text": term.value, "language": term.language,
                    "datatype": None if plain else compact(term.datatype.value)}
        return {"kind": "other", "text": str(term)}

    def _incoming(self, node: ox.NamedNode) -> list[dict[str, Any]]:
        items: set[tuple[str, str]] = set()  # (subject IRI, path)
        for quad in self._stated(None, None, node):
            if len(items) >= _MAX_INCOMING:
                break
            subject, path = quad.subject, self._name(quad.predicate)
            if isinstance(subject, ox.BlankNode):
                # A structural node (an association, an amount): show the entity it belongs to.
                for parent in self._stated(None, None, subject):
                    if isinstance(parent.subject, ox.NamedNode):
                        items.add((parent.subject.value, f"{self._name(parent.predicate)} / {path}"))
                continue
            if isinstance(subject, ox.NamedNode):
                items.add((subject.value, path))
        return [{"subject": self._term_view(ox.NamedNode(iri)), "path": path} for iri, path in sorted(items)]

    def _quotes(self, node: ox.NamedNode) -> list[dict[str, Any]]:
        rows = cast("ox.QuerySolutions", self._store.query(
            _QUOTE_QUERY, substitutions={ox.Variable("entity"): node}, use_default_graph_as_union=True))
        return [
            {"prefix": row["prefix"].value if row["prefix"] else "",
             "exact": row["exact"].value,
             "suffix": row["suffix"].value if row["suffix"] else "",
             "start": row["start"].value if row["start"] is not None and row["end"] is not None else None,
             "end": row["end"].value if row["end"] is not None else None,
             "annotation": self._term_view(row["annotation"])}
            for row in rows
        ]

    def _name(self, node: ox.NamedNode) -> str:
        return self.label(node) or compact(node.value)
