"""One label policy for every page, map and table: English, then untagged, then Spanish, then any;
skos:prefLabel before rdfs:label before schema:name; the same answer over pyoxigraph and rdflib."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from hled_graph import graph as hgraph
from hled_graph import labels
from hled_graph.namespaces import ID
from hled_graph.sparql.engine import load_store
from hled_graph.sparql.server.linked_data import EntityPages
from hled_graph.viz.network import to_networkx

ECONOMY = URIRef(ID + "org/secretaria-economia")
SCHEMA_NAME = URIRef(labels.LABEL_PROPERTIES[2])


@pytest.fixture(scope="module")
def shipped() -> Graph:
    return hgraph.load_graph()


def without_english(graph: Graph, node: URIRef) -> Graph:
    copy = Graph()
    for triple in graph.triples((node, None, None)):
        if not (isinstance(triple[2], Literal) and (triple[2].language or "").startswith("en")):
            copy.add(triple)
    return copy


def test_a_mexican_ministry_is_named_in_english_though_it_has_a_spanish_preferred_label(shipped: Graph) -> None:
    spanish = {str(o) for o in shipped.objects(ECONOMY, SKOS.prefLabel) if o.language == "es"}
    assert spanish == {"Secretaría de Economía"}
    assert labels.label_in_graph(shipped, ECONOMY) == "Ministry of Economy"
    assert labels.label_in_store(load_store(), str(ECONOMY)) == "Ministry of Economy"


def test_without_english_the_spanish_label_wins_and_an_untagged_one_beats_it(shipped: Graph) -> None:
    spanish_only = without_english(shipped, ECONOMY)
    assert labels.label_in_graph(spanish_only, ECONOMY) == "Secretaría de Economía"
    spanish_only.add((ECONOMY, SCHEMA_NAME, Literal("SE")))
    assert labels.label_in_graph(spanish_only, ECONOMY) == "SE"
    german = Graph()
    german.add((ECONOMY, RDFS.label, Literal("Wirtschaftsministerium", lang="de")))
    german.add((ECONOMY, RDFS.label, Literal("Ministère de l'Économie", lang="fr")))
    assert labels.label_in_graph(german, ECONOMY) == "Wirtschaftsministerium"  # any language, by tag
    assert labels.label_in_graph(Graph(), ECONOMY) is None


def test_within_a_language_the_preferred_label_wins_and_order_never_matters() -> None:
    pref, label, name = labels.LABEL_PROPERTIES
    candidates = [(name, "Economía", "es"), (label, "Ministry of Economy", "en"),
                  (pref, "Economy Ministry", "en-US"), (pref, "SE", None),
                  ("http://www.w3.org/2004/02/skos/core#altLabel", "A", "en")]
    for _ in range(20):
        random.shuffle(candidates)
        assert labels.choose(candidates) == "Economy Ministry"
    assert labels.choose([(label, "b", "en"), (label, "a", "en")]) == "a"
    assert labels.choose([]) is None


def test_entity_pages_maps_and_the_policy_agree_on_every_entity(shipped: Graph) -> None:
    store = load_store()
    pages = EntityPages(store)
    network = to_networkx(shipped)
    assert len(network) > 100
    for iri, data in network.nodes(data=True):
        chosen = labels.label_in_graph(shipped, URIRef(iri))
        assert chosen is not None, iri
        assert data["label"] == chosen == labels.label_in_store(store, iri)
        assert pages.label(ox.NamedNode(iri)) == chosen
    assert network.nodes[str(ECONOMY)]["label"] == "Ministry of Economy"
