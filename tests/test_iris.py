"""One IRI compaction for every page, table and message: the longest namespace, a valid prefixed
name or the IRI in angle brackets, and what it writes reads back as the same IRI."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from hled_graph import iris
from hled_graph.namespaces import PREFIXES, SPARQL_PROLOGUE
from hled_graph.sparql.engine import load_store


@pytest.mark.parametrize(
    "iri,short",
    [
        ("https://w3id.org/hled/id/org/epa", "hdo:epa"),
        ("https://w3id.org/hled/id/fact-sheet-2022", "hd:fact-sheet-2022"),
        ("https://w3id.org/hled/id/pillar/1", "pillar:1"),
        ("https://w3id.org/hled/ontology#Ministry", "hled:Ministry"),
        ("https://schema.org/MonetaryAmount", "schema:MonetaryAmount"),
        ("https://w3id.org/hled/id/org/", "hdo:"),
        # a longer namespace whose local part is not a prefixed name falls back to a shorter one
        ("https://w3id.org/hled/id/org/a b", "<https://w3id.org/hled/id/org/a b>"),
        ("https://w3id.org/hled/id/org/ends-with.", "<https://w3id.org/hled/id/org/ends-with.>"),
        ("https://w3id.org/hled/ontology/0.1.0", "<https://w3id.org/hled/ontology/0.1.0>"),
        ("http://example.org/x", "<http://example.org/x>"),
    ],
)
def test_compact_uses_the_longest_namespace_and_valid_local_names(iri: str, short: str) -> None:
    assert iris.compact(iri) == short


def test_compact_takes_other_prefixes() -> None:
    assert iris.compact("http://example.org/x", prefixes={"ex": "http://example.org/"}) == "ex:x"
    assert iris.split("http://example.org/x", prefixes={"ex": "http://example.org/"}) == ("ex", "x")
    assert iris.split("http://example.org/x") is None


def test_every_iri_of_the_shipped_graph_compacts_to_a_term_that_queries_back_to_it() -> None:
    """What a person copies from a page or a table can be pasted into a query and means the same IRI."""
    store = load_store()
    subjects = {q.subject.value for q in store.quads_for_pattern(None, None, None)
                if isinstance(q.subject, ox.NamedNode)}
    assert len(subjects) > 250
    shortened = {iri: iris.compact(iri) for iri in subjects}
    assert shortened["https://w3id.org/hled/id/org/secretaria-economia"] == "hdo:secretaria-economia"
    assert sum(not short.startswith("<") for short in shortened.values()) > 250
    values = " ".join(shortened.values())
    rows = store.query(SPARQL_PROLOGUE + f"SELECT ?iri WHERE {{ VALUES ?iri {{ {values} }} }}")
    assert {row["iri"].value for row in rows} == subjects


def test_every_prefix_of_the_project_is_used_by_compaction() -> None:
    for prefix, namespace in PREFIXES.items():
        assert iris.compact(namespace + "x") == f"{prefix}:x"
