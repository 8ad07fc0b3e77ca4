"""Writes a (possibly truncated) list of solutions, a boolean, or triples in a negotiated format.

The endpoint caps result rows, so it cannot hand pyoxigraph's result iterator to its serializer
(that would write every row); it collects at most ``max_rows`` rows and writes them here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from hled_graph.namespaces import PREFIXES

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

Row = Sequence[object | None]


def write_solutions(key: str, variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    if key == "json":
        head = {"vars": list(variables)}
        bindings = [
            {var: _json_term(term) for var, term in zip(variables, row) if term is not None} for row in rows
        ]
        return json.dumps({"head": head, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
    if key == "xml":
        out = ['<?xml version="1.0" encoding="utf-8"?>\n'
               '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            out.append("<result>")
            for var, term in zip(variables, row):
                if term is not None:
                    out.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "".join(out).encode()
    if key == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([["" if t is None else _csv_term(t) for t in row] for row in rows])
        return buffer.getvalue().encode()
    if key == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else _tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown solutions format {key!r}")


def write_boolean(key: str, value: bool) -> bytes:
    word = "true" if value else "false"
    if key == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if key == "xml":
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    if key == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if key == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"unknown boolean format {key!r}")


def write_triples(key: str, triples: Sequence[ox.Triple], *, extra_prefixes: dict[str, str] | None = None) -> bytes:
    fmt = _RDF_FORMATS[key]
    prefixes = None
    if key in ("turtle", "rdfxml"):
        prefixes = _used_prefixes(triples, {**PREFIXES, **(extra_prefixes or {})})
    return ox.serialize(triples, format=fmt, prefixes=prefixes)


def _used_prefixes(triples: Sequence[ox.Triple], candidates: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of ``triples`` starts with, sorted by name."""
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    }
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    used = {name: ns for name, ns in candidates.items() if any(iri.startswith(ns) for iri in iris)}
    return dict(sorted(used.items()))


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _csv_term(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv_term(term: object) -> str:
    # pyoxigraph's str() is the N-Triples form, which escapes quotes and line breaks; TSV also
    # forbids raw tabs inside a field.
    return str(term).replace("\t", "\\t")
