"""The ontology page: every hled: term with its definition, examples from the data, nothing unescaped,
nothing fetched from anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES
from markupsafe import escape  # the escaping of the pages' template engine (Jinja2)
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from hled_graph.graph import parse_file
from hled_graph.namespaces import HLED
from hled_graph.publish.docs import DOCS_FILE, ontology_html, write_ontology_docs

ONTOLOGY = FIXTURES / "publish-ontology.ttl"
DATA = FIXTURES / "publish-graph.ttl"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def ontology() -> Graph:
    return parse_file(ONTOLOGY)


@pytest.fixture
def data() -> Graph:
    return parse_file(DATA)


def section(page: str, local: str) -> str:
    match = re.search(rf'<section class="term" id="{re.escape(local)}">(.*?)</section>', page, re.S)
    assert match, f"no section for hled:{local}"
    return match.group(1)


def hled_terms(ontology: Graph) -> set[URIRef]:
    kinds = {
        OWL.Class,
        RDFS.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDF.Property,
    }
    return {
        s for s, o in ontology.subject_objects(RDF.type) if o in kinds and str(s).startswith(HLED)
    }


def test_every_class_and_property_appears_with_its_definition(ontology: Graph, data: Graph) -> None:
    page = ontology_html(ontology, data)
    terms = hled_terms(ontology)
    assert len(terms) == 10
    for term in terms:
        body = section(page, str(term)[len(HLED) :])
        definition = ontology.value(term, SKOS.definition)
        assert f'<p class="definition">{escape(str(definition))}</p>' in body
        assert f"<code>{term}</code>" in body
        assert f"<h3>{escape(str(ontology.value(term, RDFS.label)))}</h3>" in body


def test_hierarchy_domain_range_and_links_between_terms(ontology: Graph, data: Graph) -> None:
    page = ontology_html(ontology, data)
    signing = section(page, "AgreementSigning")
    assert '<dt>Subclass of</dt><dd><a href="#Action"><code>hled:Action</code></a></dd>' in signing
    assert '<a href="#AgreementSigning">' in section(page, "Action")
    pillar = section(page, "pillar")
    assert '<dt>Domain</dt><dd><a href="#Action"><code>hled:Action</code></a></dd>' in pillar
    assert '<dt>Range</dt><dd><a href="#Pillar"><code>hled:Pillar</code></a></dd>' in pillar
    assert '<a href="http://purl.org/dc/terms/subject"><code>dcterms:subject</code></a>' in pillar
    country = section(page, "country")
    assert "owl:FunctionalProperty" in country
    assert (
        '<dt>Domain</dt><dd><a href="http://www.w3.org/ns/org#FormalOrganization">'
        '<code>org:FormalOrganization</code></a> or <a href="#Dialogue"><code>hled:Dialogue</code></a></dd>'
    ) in country
    assert (
        '<a href="#pillar"><code>hled:pillar</code></a> only <a href="#Pillar"><code>hled:Pillar</code></a>'
    ) in section(page, "Action")
    assert '<a href="#Role"><code>hled:Role</code></a>' in section(page, "leadRole")


def test_examples_come_from_the_data_with_english_labels(ontology: Graph, data: Graph) -> None:
    for n in range(5):
        agency = URIRef(f"https://w3id.org/hled/id/org/agency-{n}")
        data.add((agency, RDF.type, URIRef(HLED + "GovernmentAgency")))
        data.add((agency, RDFS.label, Literal(f"Agency {n}", lang="en")))
        data.add((agency, RDFS.label, Literal(f"Agencia {n}", lang="es")))
    agencies = section(ontology_html(ontology, data), "GovernmentAgency")
    assert "Examples (7 instances in the data)" in agencies
    examples = re.findall(r"<li>(.*?)</li>", agencies)
    assert examples == [
        "Agency 0 (<code>hdo:agency-0</code>)",
        "Agency 1 (<code>hdo:agency-1</code>)",
        "Agency 2 (<code>hdo:agency-2</code>)",
    ]
    pillar = section(ontology_html(ontology, data), "pillar")
    assert (
        "EPA–CONAGUA statement of intent on Tijuana River pollution (<code>hda:epa-conagua-statement-of-intent</code>)"
        " → Building Back Together (<code>pillar:1</code>)"
    ) in pillar
    assert "Examples" not in section(ontology_html(ontology, None), "pillar")


def test_hostile_labels_are_shown_as_text(ontology: Graph, data: Graph) -> None:
    data.add((URIRef("https://w3id.org/hled/id/org/evil"), RDF.type, URIRef(HLED + "Dialogue")))
    data.add(
        (
            URIRef("https://w3id.org/hled/id/org/evil"),
            RDFS.label,
            Literal("<script>alert(2)</script>", lang="en"),
        )
    )
    page = ontology_html(ontology, data)
    assert "<h3>&lt;img src=x onerror=alert(1)&gt;</h3>" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "A government agency &amp; &lt;b&gt;not&lt;/b&gt; a ministry." in page
    assert not re.search(r"<(img|script|b>|iframe|link|object)", page, re.I)


def test_self_contained_and_deterministic(ontology: Graph, data: Graph, tmp_path: Path) -> None:
    page = ontology_html(ontology, data)
    assert not re.search(r"<[^>]*\bsrc=|<link|@import|url\(", page, re.I)
    assert "default-src 'none'" in page
    written = write_ontology_docs(tmp_path, ontology=ontology, data=data)
    assert written == tmp_path / DOCS_FILE
    assert (
        written.read_text(encoding="utf-8")
        == page
        == ontology_html(parse_file(ONTOLOGY), parse_file(DATA))
    )


def test_chromium_renders_it_offline_and_runs_nothing(
    ontology: Graph, data: Graph, tmp_path: Path, browser: object
) -> None:
    path = write_ontology_docs(tmp_path, ontology=ontology, data=data)
    requests: list[str] = []
    dialogs: list[str] = []
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.on("request", lambda request: requests.append(request.url))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        heading = page.inner_text("#GovernmentAgency h3")
        images = page.locator("img").count()
    finally:
        page.close()
    assert requests == [path.as_uri()]
    assert dialogs == []
    assert heading == HOSTILE
    assert images == 0


def test_the_shipped_ontology_is_documented_term_by_term(tmp_path: Path) -> None:
    from hled_graph import graph as hgraph

    ontology = hgraph.ontology_graph()
    page = write_ontology_docs(tmp_path).read_text(encoding="utf-8")
    terms = hled_terms(ontology)
    assert len(terms) >= 40
    for term in terms:
        body = section(page, str(term)[len(HLED) :])
        definition = ontology.value(term, SKOS.definition) or ontology.value(term, RDFS.comment)
        assert definition is not None, f"{term} has no definition in the ontology"
        assert escape(str(definition)) in body
    agencies = section(page, "GovernmentAgency")
    assert "Environmental Protection Agency (<code>hdo:epa</code>)" in agencies
