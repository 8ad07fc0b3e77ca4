"""VoID, DCAT and the JSON-LD context, read back as RDF and checked against SPARQL counts and files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, PROV, VOID, XSD

from hled_graph import graph as hgraph
from hled_graph.files import write_atomic
from hled_graph.formats import RDF_SYNTAX_NAMES, rdf_syntax
from hled_graph.graph import parse_file
from hled_graph.namespaces import SPARQL_PROLOGUE
from hled_graph.publish.export import file_name, jsonld_context, serialize
from hled_graph.publish.metadata import (
    DATASET,
    void_and_dcat,
    write_dataset_description,
)

SMALL = FIXTURES / "publish-graph.ttl"
ENDPOINT = "http://localhost:7878/query"
IANA = "https://www.iana.org/assignments/media-types/"
MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
}


@pytest.fixture
def graph() -> Graph:
    return parse_file(SMALL)


@pytest.fixture(scope="module", params=["fixture", "shipped"])
def published(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, list[Path], Graph]:
    """A graph written in every format as the build writes it, described; the description parsed
    back from void.ttl. "shipped" is the real dataset (ontology, data, links as named graphs).
    Module-scoped: the six exports of the shipped graph take seconds."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    if request.param == "fixture":
        source = merged = parse_file(SMALL)
        formats = list(RDF_SYNTAX_NAMES)
    else:
        # Two formats (one merged, one with named graphs): exporting the shipped graph is slow.
        source, merged = hgraph.load_dataset(), hgraph.load_graph()
        formats = ["turtle", "nquads"]
    files = [
        write_atomic(
            tmp_path / file_name("hled", fmt),
            serialize(source if rdf_syntax(fmt).named_graphs else merged, fmt),
        )
        for fmt in formats
    ]
    written = write_dataset_description(
        source, tmp_path, distributions=files, endpoint_url=ENDPOINT
    )
    assert [p.name for p in written] == ["void.ttl", "context.jsonld"]
    description = Graph().parse(tmp_path / "void.ttl", format="turtle")
    return merged, files, description


def count(graph: Graph, query: str) -> int:
    (value,) = next(iter(graph.query(SPARQL_PROLOGUE + query)))
    return int(value)


def stat(description: Graph, subject, predicate) -> int:
    value = description.value(subject, predicate)
    assert value is not None, f"{predicate} missing"
    return int(value)


def test_void_counts_equal_sparql_counts(published) -> None:
    graph, _, description = published
    assert (
        stat(description, DATASET, VOID.triples)
        == count(graph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        == len(graph)
    )
    assert stat(description, DATASET, VOID.distinctSubjects) == count(
        graph, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"
    )
    assert stat(description, DATASET, VOID.distinctObjects) == count(
        graph, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"
    )
    assert stat(description, DATASET, VOID.properties) == count(
        graph, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"
    )
    assert stat(description, DATASET, VOID.classes) == count(
        graph, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }"
    )
    assert stat(description, DATASET, VOID.entities) == count(
        graph,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(hd:))) }",
    )
    assert str(description.value(DATASET, VOID.uriSpace)) == "https://w3id.org/hled/id/"


def test_class_and_property_partitions_equal_sparql_counts(published) -> None:
    graph, _, description = published
    classes = {
        description.value(part, VOID["class"]): int(description.value(part, VOID.entities))
        for part in description.objects(DATASET, VOID.classPartition)
    }
    expected = {
        row[0]: int(row[1])
        for row in graph.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c")
    }
    assert classes == expected and len(classes) > 5
    properties = {
        description.value(part, VOID.property): int(description.value(part, VOID.triples))
        for part in description.objects(DATASET, VOID.propertyPartition)
    }
    expected = {
        row[0]: int(row[1])
        for row in graph.query("SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p")
    }
    assert properties == expected
    vocabularies = set(description.objects(DATASET, VOID.vocabulary))
    assert {
        URIRef("http://www.w3.org/ns/prov#"),
        URIRef("https://w3id.org/hled/ontology#"),
    } <= vocabularies


def test_linksets_count_the_links_to_wikidata(published) -> None:
    graph, _, description = published
    linksets = list(description.subjects(RDF.type, VOID.Linkset))
    per_predicate = {
        description.value(ls, VOID.linkPredicate): int(description.value(ls, VOID.triples))
        for ls in linksets
    }
    for linkset in linksets:
        assert description.value(linkset, VOID.objectsTarget) == URIRef("https://www.wikidata.org/")
        assert description.value(linkset, VOID.subjectsTarget) == DATASET
        assert (DATASET, VOID.subset, linkset) in description
    links = """SELECT (COUNT(*) AS ?n) {
        ?s ?p ?o VALUES ?p { owl:sameAs skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
        FILTER(STRSTARTS(STR(?o), STR(wd:))) }"""
    assert sum(per_predicate.values()) == count(graph, links) > 0
    for predicate, n in per_predicate.items():
        assert n == count(
            graph,
            f"SELECT (COUNT(*) AS ?n) {{ ?s <{predicate}> ?o FILTER(STRSTARTS(STR(?o), STR(wd:))) }}",
        )


def test_distributions_have_real_byte_sizes_and_iana_media_types(published) -> None:
    _, files, description = published
    distributions = list(description.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(files)
    described = set()
    for distribution in distributions:
        url = str(description.value(distribution, DCAT.downloadURL))
        assert url.startswith("https://w3id.org/hled/")
        path = files[0].parent / url.rsplit("/", 1)[1]
        described.add(path)
        size = description.value(distribution, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger
        assert int(size) == path.stat().st_size > 0
        assert str(description.value(distribution, DCAT.mediaType)) == IANA + MEDIA_TYPES[path.suffix]
    assert described == set(files)


def test_dcat_dataset_and_sparql_service(published) -> None:
    merged, _, description = published
    assert (DATASET, RDF.type, DCAT.Dataset) in description
    documents = {row.document for row in merged.query(SPARQL_PROLOGUE + "SELECT ?document { ?document a foaf:Document }")}
    assert documents and set(description.objects(DATASET, PROV.wasDerivedFrom)) == documents
    (earliest,) = merged.query(
        SPARQL_PROLOGUE + "SELECT (MIN(?issued) AS ?first) { ?document a foaf:Document ; dcterms:issued ?issued }"
    )
    assert description.value(DATASET, DCTERMS.issued) == earliest[0]
    assert str(earliest[0]) <= "2022-09-12"
    modified = description.value(DATASET, DCTERMS.modified)
    assert modified.datatype == XSD.date and modified >= Literal("2026-11-01", datatype=XSD.date)
    assert description.value(DATASET, DCTERMS.license) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    assert description.value(DATASET, DCTERMS.title).language == "en"
    assert description.value(DATASET, DCTERMS.publisher) is not None
    assert len(set(description.objects(DATASET, DCAT.keyword))) >= 3
    (service,) = description.subjects(RDF.type, DCAT.DataService)
    assert description.value(service, DCAT.endpointURL) == URIRef(ENDPOINT)
    assert description.value(service, DCAT.servesDataset) == DATASET
    assert description.value(DATASET, VOID.sparqlEndpoint) == URIRef(ENDPOINT)


def test_no_endpoint_no_data_service(graph: Graph, tmp_path: Path) -> None:
    file = write_atomic(tmp_path / "hled.ttl", serialize(graph, "turtle"))
    description = void_and_dcat(graph, distributions=[file], endpoint_url=None, download_base="https://example.org/dl/")
    assert not list(description.subjects(RDF.type, DCAT.DataService))
    (distribution,) = description.objects(DATASET, DCAT.distribution)
    assert description.value(distribution, DCAT.downloadURL) == URIRef("https://example.org/dl/hled.ttl")


def test_a_dataset_is_counted_once_per_triple(graph: Graph, tmp_path: Path) -> None:
    dataset = Dataset()
    for name in ("https://w3id.org/hled/graph/a", "https://w3id.org/hled/graph/b"):
        for triple in graph:
            dataset.graph(URIRef(name)).add(triple)
    file = write_atomic(tmp_path / "hled.trig", serialize(dataset, "trig"))
    description = void_and_dcat(dataset, distributions=[file])
    assert int(description.value(DATASET, VOID.triples)) == len(graph)


def test_same_bytes_on_every_build(tmp_path: Path) -> None:
    """Two builds in processes with different hash seeds write identical files."""
    script = (
        "import sys; from pathlib import Path; from hled_graph.graph import parse_file;"
        "from hled_graph.files import write_atomic; from hled_graph.publish.export import serialize;"
        "from hled_graph.publish.metadata import write_dataset_description;"
        "out = Path(sys.argv[2]); g = parse_file(Path(sys.argv[1]));"
        "f = write_atomic(out / 'hled.ttl', serialize(g, 'turtle'));"
        "write_dataset_description(g, out, distributions=[f], endpoint_url='http://x/sparql')"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        subprocess.run(
            [sys.executable, "-c", script, str(SMALL), str(out)],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(((out / "void.ttl").read_bytes(), (out / "context.jsonld").read_bytes()))
    assert outputs[0] == outputs[1]


def test_jsonld_with_the_context_reads_as_plain_json(graph: Graph, tmp_path: Path) -> None:
    context = jsonld_context()
    written = json.loads((write_dataset_description(graph, tmp_path, distributions=[])[1]).read_text())
    assert written == context
    compact = json.loads(graph.serialize(format="json-ld", context=context["@context"]))
    nodes = {node["id"]: node for node in compact["@graph"]}
    keys = {key for node in nodes.values() for key in node}
    assert not [key for key in keys if ":" in key or "/" in key], "every property should have a plain key"
    epa, conagua = nodes["hdo:epa"], nodes["hdo:conagua"]
    assert epa["label"] == {"en": "Environmental Protection Agency"}
    assert conagua["prefLabel"] == {
        "en": "National Water Commission",
        "es": "Comisión Nacional del Agua",
    }
    assert epa["country"] == "hdl:united-states"
    action = nodes["hda:epa-conagua-statement-of-intent"]
    assert action["pillar"] == "https://w3id.org/hled/id/pillar/1"
    amount = nodes[action["amount"]["id"]]
    assert (amount["value"], amount["currency"]) == ("474000000.0", "USD")
    assert nodes["https://w3id.org/hled/id/pillar/1"]["pillarNumber"] == 1
    # Plain keys lose nothing: the JSON reads back as the same graph.
    assert isomorphic(Graph().parse(data=json.dumps(compact), format="json-ld"), graph)


def test_the_shipped_graph_as_jsonld_reads_as_plain_json() -> None:
    merged = hgraph.load_graph()
    text = merged.serialize(format="json-ld", context=jsonld_context()["@context"])
    nodes = json.loads(text)["@graph"]
    prefixed = sorted({key for node in nodes for key in node if ":" in key})
    assert prefixed == [], f"add these properties to export.jsonld_context(): {prefixed}"
    assert isomorphic(Graph().parse(data=text, format="json-ld"), merged)
