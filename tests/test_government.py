"""Where the bodies of the two governments sit (data/hled-government.ttl): facts from public records,
each cited by its page and a place in it, and the document shape that such records must meet."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF

from hled_graph import resources
from hled_graph.graph import parse_files
from hled_graph.namespaces import PREFIXES
from hled_graph.validate import shacl_problems

HLED_LOCATOR = URIRef(PREFIXES["hled"] + "locator")
WEB_PAGE = URIRef(PREFIXES["schema"] + "WebPage")
HDO = PREFIXES["hdo"]


@pytest.fixture(scope="module")
def government() -> Graph:
    (path,) = [p for p in resources.data_files() if p.name == "hled-government.ttl"]
    return parse_files([path])


def test_every_subject_cites_a_document_of_this_file_and_a_place_in_it(government: Graph) -> None:
    documents = set(government.subjects(RDF.type, FOAF.Document))
    for subject in {s for s in government.subjects() if isinstance(s, URIRef)} - documents:
        assert set(government.objects(subject, DCTERMS.source)) <= documents, subject
        assert len(list(government.objects(subject, DCTERMS.source))) == 1, subject
        assert [str(o) for o in government.objects(subject, HLED_LOCATOR)], subject
    for document in documents:
        assert str(government.value(document, FOAF.page)).startswith(("https://", "http://")), document
        assert government.value(document, DCTERMS.publisher) is not None, document
        assert government.value(document, DCTERMS.issued) or (document, RDF.type, WEB_PAGE) in government


def test_the_hierarchy_it_adds(government: Graph) -> None:
    units = {(str(s), str(o)) for s, o in government.subject_objects(ORG.unitOf)}
    assert units == {
        (HDO + "conagua", HDO + "semarnat"), (HDO + "cofepris", HDO + "secretaria-salud"), (HDO + "nist", HDO + "doc"),
    }
    parents = {(str(s), str(o)) for s, o in government.subject_objects(ORG.subOrganizationOf)}
    assert parents == {
        (HDO + "conalep", HDO + "mexico-government"),
        (HDO + "semarnat", HDO + "mexico-government"),
        (HDO + "secretaria-salud", HDO + "mexico-government"),
    }


def test_a_document_without_a_date_must_be_a_web_page() -> None:
    shipped = parse_files(resources.data_files())
    assert [p for p in shacl_problems(shipped) if p.focus.startswith("hd:")] == []
    undated = URIRef(PREFIXES["hd"] + "britannica-nist")
    shipped.remove((undated, RDF.type, WEB_PAGE))
    problems = shacl_problems(shipped)
    assert [p.focus for p in problems] == ["hd:britannica-nist"]
    assert "issue date" in problems[0].message
