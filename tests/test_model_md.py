"""docs/MODEL.md names every class and property the shipped data uses: a reader (and the code)
can rely on that page alone, and a new term cannot slip into the data without being documented."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from hled_graph import resources
from hled_graph.graph import parse_files
from hled_graph.iris import compact
from hled_graph.namespaces import PREFIXES

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "MODEL.md"


def terms_used(graph: Graph) -> set[str]:
    """Every predicate and every class (object of rdf:type) in ``graph``, as MODEL.md writes them."""
    used = set(graph.predicates()) | {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
    return {compact(str(term)) for term in used} - {"rdf:type"}


def unnamed(terms: set[str], text: str) -> list[str]:
    """The terms that ``text`` does not name as a whole CURIE (``hled:target`` is not ``hled:targetYear``)."""
    return sorted(term for term in terms if not re.search(rf"(?<![\w:]){re.escape(term)}(?![\w-])", text))


def shipped() -> Graph:
    return parse_files([*resources.data_files(), resources.links_file()])


def test_model_md_names_every_term_the_data_uses() -> None:
    terms = terms_used(shipped())
    assert len(terms) > 150
    assert unnamed(terms, MODEL_MD.read_text(encoding="utf-8")) == []


def test_a_new_term_in_the_data_is_caught() -> None:
    graph = shipped()
    graph.add((URIRef(PREFIXES["hdo"] + "epa"), URIRef(PREFIXES["schema"] + "foundingDate"), Literal("1970")))
    graph.add((URIRef(PREFIXES["hdo"] + "epa"), RDF.type, URIRef(PREFIXES["hled"] + "Regulator")))
    assert unnamed(terms_used(graph), MODEL_MD.read_text(encoding="utf-8")) == ["hled:Regulator", "schema:foundingDate"]


def test_whole_names_only() -> None:
    assert unnamed({"hled:target", "hled:targetYear", "schema:name"}, "`hled:targetYear`, `schema:name`") == ["hled:target"]
