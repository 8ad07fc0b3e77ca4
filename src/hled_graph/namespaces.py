"""The namespaces of the graph, defined once. Plain strings, so importing this costs nothing.

``rdflib.Namespace`` objects are built from these by :mod:`hled_graph.graph` for code that uses rdflib.
"""

from __future__ import annotations

BASE = "https://w3id.org/hled/"
HLED = BASE + "ontology#"
ID = BASE + "id/"

PREFIXES: dict[str, str] = {
    "hled": HLED,
    "hd": ID,
    "pillar": ID + "pillar/",
    "hdo": ID + "org/",
    "hdp": ID + "person/",
    "hdl": ID + "place/",
    "hda": ID + "action/",
    "hdw": ID + "work/",
    "hdq": ID + "quote/",
    "hdc": ID + "commitment/",
    "hde": ID + "event/",
    "round": ID + "round/",
    "status": ID + "status/",
    "sector": ID + "sector/",
    "topic": ID + "topic/",
    "post": ID + "post/",
    "hsh": BASE + "shapes#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
    "adms": "http://www.w3.org/ns/adms#",
    # The vocabularies of the links' SSSOM mapping set (its RDF form, and its mapping justifications).
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
}

SPARQL_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

# The named graphs of the dataset (TriG / N-Quads output, the SPARQL store).
GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_DATA = BASE + "graph/data"
# What RDFS entails from the ontology's class and property hierarchy (hled_graph.inference).
GRAPH_INFERRED = BASE + "graph/inferred"
GRAPH_LINKS = BASE + "graph/links"
GRAPH_WIKIDATA = BASE + "graph/wikidata"

DIALOGUE = ID + "hled"

# Wikidata, where the links point, and the licence of its data.
WIKIDATA = "https://www.wikidata.org/"
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
SSSOM = PREFIXES["sssom"]
SEMAPV = PREFIXES["semapv"]
