"""Linked Data: the path of an entity's IRI (``/id/org/epa``) answers its description.

HTML for people (labels, links to neighbours as local links, incoming links, the source quote of
an action), Turtle / JSON-LD / N-Triples / RDF/XML for programs. Every value written into HTML
passes through ``html.escape``; labels come from the data and are not trusted.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

import pyoxigraph as ox

from hled_graph.namespaces import HLED, ID, PREFIXES
from hled_graph.sparql.server import writers
from hled_graph.sparql.server.messages import HttpError, Request, Response, text_response
from hled_graph.sparql.server.negotiation import GRAPH_FORMATS, HTML, names, negotiate
from hled_graph.sparql.server.pages import page

ENTITY_FORMATS = GRAPH_FORMATS + (HTML,)
ONTOLOGY = HLED.rstrip("#")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_LABEL_PROPERTIES = tuple(
    ox.NamedNode(iri)
    for iri in (PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label", "https://schema.org/name")
)
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
# Longest namespace first, so "hdo:epa" wins over "hd:org/epa".
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


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

    def respond(self, request: Request, iri: str, *, format_param: str | None) -> Response:
        fmt = negotiate(request.header("accept"), ENTITY_FORMATS, format_param=format_param)
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise HttpError(404, "no such entity: the path is not a valid IRI") from None
        if next(self._store.quads_for_pattern(node, None, None), None) is None:
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
                {q.subject for q in self._store.quads_for_pattern(None, None, None)
                 if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(HLED)},
                key=lambda node: node.value,
            )
        terms = self._ontology_terms
        ontology = ox.NamedNode(ONTOLOGY)
        if not terms and next(self._store.quads_for_pattern(ontology, None, None), None) is None:
            raise HttpError(404, "this graph has no ontology")
        if fmt is None:
            raise HttpError(406, f"the ontology is available as {names(ENTITY_FORMATS)}")
        vary = [("Vary", "Accept")]
        if fmt.key != "html":
            triples = sorted({t for node in [ontology, *terms] for t in self.description(node)}, key=str)
            return Response(200, writers.write_triples(fmt.key, triples), f"{fmt.media_type}; charset=utf-8", vary)
        title = self.label(ontology) or "Ontology"
        sections = [f"<h1>{escape(title)}</h1><p class=\"iri\"><code>{escape(ONTOLOGY)}</code></p>",
                    self._properties_html(ontology, depth=0)]
        for term in terms:
            name = term.value[len(HLED):]
            types = ", ".join(self._term_html(q.object) for q in self._store.quads_for_pattern(term, RDF_TYPE, None))
            sections.append(
                f"<section id=\"{escape(name)}\"><h2>{escape(self.label(term) or name)} "
                f"<code>hled:{escape(name)}</code></h2><p class=\"types\">{types}</p>"
                f"{self._properties_html(term, depth=0)}</section>"
            )
        alternates = tuple((f.media_type, f"/ontology?format={f.key}") for f in GRAPH_FORMATS)
        return text_response(200, page(title, "".join(sections), alternates=alternates), "text/html", headers=vary)

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
            for quad in self._store.quads_for_pattern(subject, None, None):
                triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
                if isinstance(quad.object, ox.BlankNode):
                    pending.append(quad.object)
        return sorted(triples, key=str)

    def label(self, node: ox.NamedNode) -> str | None:
        """The English label of ``node`` (prefLabel, rdfs:label, schema:name), any label, or None."""
        if node in self._labels:
            return self._labels[node]
        found: str | None = None
        fallback: str | None = None
        for prop in _LABEL_PROPERTIES:
            for quad in self._store.quads_for_pattern(node, prop, None):
                literal = quad.object
                if isinstance(literal, ox.Literal):
                    if literal.language in ("en", None) or (literal.language or "").startswith("en-"):
                        found = found or literal.value
                    fallback = fallback or literal.value
            if found:
                break
        self._labels[node] = found or fallback
        return self._labels[node]

    # HTML ---------------------------------------------------------------------------------

    def _html(self, node: ox.NamedNode) -> str:
        title = self.label(node) or compact(node.value)
        types = sorted({q.object for q in self._store.quads_for_pattern(node, RDF_TYPE, None)}, key=str)
        type_links = ", ".join(self._term_html(t) for t in types)
        body = [
            f"<h1>{escape(title)}</h1>",
            f"<p class=\"iri\"><code>{escape(node.value)}</code></p>",
            f"<p class=\"types\">{type_links}</p>" if types else "",
            self._quote_html(node),
            "<h2>Properties</h2>",
            self._properties_html(node, depth=0),
            "<h2>Referenced by</h2>",
            self._incoming_html(node),
        ]
        path = local_path(node.value) or ""
        alternates = tuple(
            (fmt.media_type, f"{path}?format={fmt.key}") for fmt in GRAPH_FORMATS
        )
        formats = " · ".join(
            f"<a href=\"{escape(href)}\">{escape(media)}</a>" for media, href in alternates
        )
        body.append(f"<p class=\"formats\">This description as {formats}.</p>")
        return page(title, "".join(body), alternates=alternates)

    def _properties_html(self, subject: ox.NamedNode | ox.BlankNode, *, depth: int) -> str:
        grouped: dict[ox.NamedNode, set[object]] = {}
        for quad in self._store.quads_for_pattern(subject, None, None):
            if depth == 0 and quad.predicate == RDF_TYPE:
                continue
            grouped.setdefault(quad.predicate, set()).add(quad.object)
        if not grouped:
            return "<p class=\"none\">none</p>"
        rows = []
        for predicate in sorted(grouped, key=lambda p: (self._name(p).lower(), p.value)):
            values = sorted(grouped[predicate], key=str)
            cells = "".join(f"<li>{self._value_html(v, depth=depth)}</li>" for v in values)
            rows.append(
                f"<tr><th scope=\"row\" title=\"{escape(predicate.value)}\">{escape(self._name(predicate))}</th>"
                f"<td><ul>{cells}</ul></td></tr>"
            )
        return f"<table class=\"properties\"><tbody>{''.join(rows)}</tbody></table>"

    def _value_html(self, term: object, *, depth: int) -> str:
        if isinstance(term, ox.BlankNode):
            if depth >= _MAX_NESTING:
                return "<span class=\"bnode\">(nested description)</span>"
            return self._properties_html(term, depth=depth + 1)
        return self._term_html(term)

    def _term_html(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            label = self.label(term)
            text = escape(label or compact(term.value))
            href = local_path(term.value) or term.value
            scheme_ok = href.startswith(("/", "http://", "https://"))
            if not scheme_ok:
                return f"<span title=\"{escape(term.value)}\">{text}</span>"
            return f"<a href=\"{escape(href)}\" title=\"{escape(term.value)}\">{text}</a>"
        if isinstance(term, ox.Literal):
            note = ""
            if term.language:
                note = f" <span class=\"lang\">@{escape(term.language)}</span>"
            elif not term.datatype.value.endswith("#string"):
                note = f" <span class=\"datatype\">{escape(compact(term.datatype.value))}</span>"
            return f"<span class=\"literal\">{escape(term.value)}</span>{note}"
        return f"<span>{escape(str(term))}</span>"

    def _incoming_html(self, node: ox.NamedNode) -> str:
        items: set[tuple[str, str]] = set()
        for quad in self._store.quads_for_pattern(None, None, node):
            if len(items) >= _MAX_INCOMING:
                break
            subject, path = quad.subject, self._name(quad.predicate)
            if isinstance(subject, ox.BlankNode):
                # A structural node (an association, an amount): show the entity it belongs to.
                for parent in self._store.quads_for_pattern(None, None, subject):
                    if isinstance(parent.subject, ox.NamedNode):
                        items.add((self._term_html(parent.subject), f"{self._name(parent.predicate)} / {path}"))
                continue
            if isinstance(subject, ox.NamedNode):
                items.add((self._term_html(subject), path))
        if not items:
            return "<p class=\"none\">nothing in this graph links here</p>"
        rows = "".join(f"<li>{link} <span class=\"via\">({escape(path)})</span></li>" for link, path in sorted(items))
        return f"<ul class=\"incoming\">{rows}</ul>"

    def _quote_html(self, node: ox.NamedNode) -> str:
        rows = list(self._store.query(_QUOTE_QUERY, substitutions={ox.Variable("entity"): node},
                                      use_default_graph_as_union=True))
        if not rows:
            return ""
        quotes = []
        for row in rows:
            prefix = escape(row["prefix"].value) if row["prefix"] else ""
            suffix = escape(row["suffix"].value) if row["suffix"] else ""
            where = ""
            if row["start"] is not None and row["end"] is not None:
                span = f"{escape(row['start'].value)}–{escape(row['end'].value)}"
                where = f" <span class=\"offsets\">(characters {span})</span>"
            quotes.append(
                f"<blockquote class=\"source\"><span class=\"context\">{prefix}</span>"
                f"<mark>{escape(row['exact'].value)}</mark><span class=\"context\">{suffix}</span></blockquote>"
                f"<p class=\"cite\">Source: the fact sheet{where}, via {self._term_html(row['annotation'])}</p>"
            )
        return "<h2>Source quote</h2>" + "".join(quotes)

    def _name(self, node: ox.NamedNode) -> str:
        return self.label(node) or compact(node.value)


def compact(iri: str) -> str:
    """``hdo:epa`` for ``https://w3id.org/hled/id/org/epa``; the IRI itself when no prefix fits."""
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
