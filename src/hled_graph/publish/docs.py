"""The ontology as one self-contained HTML page: every class, property and individual of ``hled:``
with its label, IRI, definition, hierarchy, domain and range, and examples from the data.

pyLODE was the first choice; 3.4.1 fails on import when installed from its wheel (it reads a
``pyproject.toml`` that the wheel does not ship) and would pull in httpx and friends, so this is a
small generator of our own. Every text from the graphs goes through ``html.escape``; the page
loads nothing from anywhere (inline CSS, no scripts, a CSP that forbids fetching).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from hled_graph.namespaces import HLED, PREFIXES
from hled_graph.validate import short

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

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1b1b}
h1{font-size:1.8rem;margin-bottom:.2rem}h2{border-bottom:2px solid #2a5d84;padding-bottom:.2rem;margin-top:2.5rem}
section.term{border:1px solid #d8dee4;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
section.term h3{margin:.2rem 0}code{font-size:.9em;background:#f3f5f7;padding:0 .25em;border-radius:3px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}dt{font-weight:600;color:#4a4a4a}dd{margin:0}
ul.examples{margin:.2rem 0;padding-left:1.2rem}nav ul{columns:3;font-size:.9rem}a{color:#2a5d84}
.definition{margin:.3rem 0 .5rem}.muted{color:#666}
"""


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
        data = hgraph.load_graph(include_ontology=False)
    return write_atomic(Path(out_dir) / DOCS_FILE, ontology_html(ontology, data).encode("utf-8"))


class _Page:
    def __init__(self, ontology: Graph, data: Graph) -> None:
        self.ontology = ontology
        self.data = data
        self.sections = self._sections()
        self.documented = {term for _, _, terms in self.sections for term in terms}

    # --- what is on the page ----------------------------------------------------------------

    def _ours(self, term: object) -> bool:
        return (
            isinstance(term, URIRef) and str(term).startswith(HLED) and len(str(term)) > len(HLED)
        )

    def _sections(self) -> list[tuple[str, str, list[URIRef]]]:
        placed: set[URIRef] = set()
        sections = []
        for title, anchor, types in _SECTIONS:
            terms = sorted(
                {s for t in types for s in self.ontology.subjects(RDF.type, t) if self._ours(s)}
                - placed,
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

    @staticmethod
    def _curie(term: URIRef) -> str:
        return short(term)

    @staticmethod
    def _english(graph: Graph, subject, predicates: Iterable[URIRef]) -> str | None:
        """The first English (else untagged) literal of the first predicate that has one."""
        for predicate in predicates:
            literals = [v for v in graph.objects(subject, predicate) if isinstance(v, Literal)]
            for wanted in ("en", None):
                matching = sorted(str(v) for v in literals if v.language == wanted)
                if matching:
                    return matching[0]
        return None

    def _label(self, graph: Graph, term) -> str | None:
        return self._english(
            graph, term, (RDFS.label, SKOS.prefLabel, URIRef("https://schema.org/name"))
        )

    def _link(self, term) -> str:
        """A term as a link: to its section if documented here, else to its IRI."""
        if isinstance(term, BNode):
            return self._restriction(term)
        if not isinstance(term, URIRef):
            return escape(str(term))
        curie = escape(self._curie(term))
        if term in self.documented:
            return f'<a href="#{escape(self._local(term))}"><code>{curie}</code></a>'
        return f'<a href="{escape(str(term))}"><code>{curie}</code></a>'

    def _restriction(self, node: BNode) -> str:
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
                return f"{self._link(on)} {word} {self._link(value)}"
        members = self.ontology.value(node, OWL.unionOf)
        if members is not None:
            return " or ".join(self._link(m) for m in self.ontology.items(members))
        return '<span class="muted">(anonymous class)</span>'

    def _links(self, terms: Iterable) -> str:
        rendered = sorted(self._link(t) for t in terms)
        return ", ".join(rendered)

    # --- examples from the data -------------------------------------------------------------

    def _describe(self, node, *, depth: int = 0) -> str:
        """A data node in words: its English label, else a short summary of a blank node, else
        the node that points to it (an association is described by its action)."""
        if isinstance(node, Literal):
            return escape(str(node))
        label = self._label(self.data, node)
        if isinstance(node, URIRef):
            curie = f"<code>{escape(self._curie(node))}</code>"
            return f"{escape(label)} ({curie})" if label else curie
        if label:
            return escape(label)
        parts = sorted(
            f"{escape(self._curie(p))} {escape(str(o))}"
            for p, o in self.data.predicate_objects(node)
            if isinstance(o, Literal)
        )
        if parts:
            return "[" + "; ".join(parts) + "]"
        referrers = sorted(
            self.data.subject_predicates(node), key=lambda sp: (str(sp[1]), str(sp[0]))
        )
        if referrers and depth < 3:
            parent, via = referrers[0]
            return f"{self._describe(parent, depth=depth + 1)} › {self._link(via)}"
        return '<span class="muted">(blank node)</span>'

    def _examples(self, term: URIRef, kind: str) -> tuple[int, list[str]]:
        if kind == "classes":
            nodes = set(self.data.subjects(RDF.type, term))
            rendered = sorted(self._describe(n) for n in nodes)
        elif kind == "individuals":
            nodes = {(s, p) for s, p, _ in self.data.triples((None, None, term))}
            rendered = sorted(f"{self._describe(s)} {self._link(p)} this" for s, p in nodes)
        else:
            nodes = set(self.data.subject_objects(term))
            rendered = sorted(f"{self._describe(s)} → {self._describe(o)}" for s, o in nodes)
        return len(nodes), rendered[:EXAMPLES_PER_TERM]

    # --- rendering --------------------------------------------------------------------------

    def render(self) -> str:
        ontology = next(iter(sorted(self.ontology.subjects(RDF.type, OWL.Ontology), key=str)), None)
        title = (
            self._english(self.ontology, ontology, (DCTERMS.title, RDFS.label))
            if ontology
            else None
        ) or "Ontology"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            # Nothing may be fetched: the page is complete in itself.
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
        ]
        if ontology is not None:
            parts.append(self._render_metadata(ontology))
        parts.append(self._render_toc())
        for title_, anchor, terms in self.sections:
            parts.append(f'<h2 id="{anchor}">{escape(title_)}</h2>')
            parts += [self._render_term(term, anchor) for term in terms]
        parts += ["</body>", "</html>", ""]
        return "\n".join(parts)

    def _render_metadata(self, ontology) -> str:
        rows = [("IRI", self._link_plain(ontology))]
        description = self._english(self.ontology, ontology, (DCTERMS.description, RDFS.comment))
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
                rows.append((label, ", ".join(self._link_plain(v) for v in values)))
        body = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
        intro = f'<p class="definition">{escape(description)}</p>' if description else ""
        return f"{intro}<dl>{body}</dl>"

    @staticmethod
    def _link_plain(value) -> str:
        if isinstance(value, URIRef):
            return f'<a href="{escape(str(value))}">{escape(str(value))}</a>'
        return escape(str(value))

    def _render_toc(self) -> str:
        items = []
        for title, anchor, terms in self.sections:
            links = "".join(
                f'<li><a href="#{escape(self._local(t))}">{escape(self._curie(t))}</a></li>'
                for t in terms
            )
            items.append(
                f'<li><a href="#{anchor}">{escape(title)}</a> ({len(terms)})<ul>{links}</ul></li>'
            )
        return (
            '<nav><h2 id="contents">Contents</h2><ul class="toc">' + "".join(items) + "</ul></nav>"
        )

    def _render_term(self, term: URIRef, kind: str) -> str:
        g = self.ontology
        label = self._label(g, term) or self._local(term)
        definition = self._english(g, term, (SKOS.definition, RDFS.comment, DCTERMS.description))
        rows: list[tuple[str, str]] = [("IRI", f"<code>{escape(str(term))}</code>")]
        if kind == "classes":
            rows += [
                ("Subclass of", self._links(g.objects(term, RDFS.subClassOf))),
                (
                    "Superclass of",
                    self._links(s for s in g.subjects(RDFS.subClassOf, term) if self._ours(s)),
                ),
                ("Equivalent to", self._links(g.objects(term, OWL.equivalentClass))),
                ("Disjoint with", self._links(g.objects(term, OWL.disjointWith))),
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
            items = "".join(f"<li>{example}</li>" for example in examples)
            rows.append(
                (
                    f"Examples ({total} {noun}{'s' if total != 1 else ''} in the data)",
                    f'<ul class="examples">{items}</ul>',
                )
            )
        body = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
        definition_html = (
            f'<p class="definition">{escape(definition)}</p>'
            if definition
            else '<p class="definition muted">(no definition)</p>'
        )
        return (
            f'<section class="term" id="{escape(self._local(term))}">'
            f"<h3>{escape(label)}</h3>{definition_html}<dl>{body}</dl></section>"
        )
