"""The ontology (ontology/hled.ttl) and the SHACL shapes (ontology/shapes.ttl).

Checks the ontology against docs/MODEL.md (every hled: term it names is defined, nothing more),
its metadata, labels, definitions and alignment to the standard vocabularies, and the shapes:
valid SHACL, and the right verdict on hand-written fixtures. Its consistency under OWL RL, with
the data and the vocabularies' own files, is tests/test_owl_rl.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from hled_graph import resources
from hled_graph.graph import ontology_graph, shapes_graph
from hled_graph.namespaces import HLED as HLED_IRI

HLED = Namespace(HLED_IRI)
HSH = Namespace("https://w3id.org/hled/shapes#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
TIME = Namespace("http://www.w3.org/2006/time#")
VANN = Namespace("http://purl.org/vocab/vann/")

ONTOLOGY_IRI = URIRef("https://w3id.org/hled/ontology")
STATUSES = URIRef("https://w3id.org/hled/id/statuses")
VERSION_IRI = URIRef("https://w3id.org/hled/ontology/0.3.0")
OPEN_LICENSES = {
    URIRef("https://creativecommons.org/publicdomain/zero/1.0/"),
    URIRef("https://creativecommons.org/licenses/by/4.0/"),
}
STANDARD_NAMESPACES = (*(str(ns) for ns in (DCTERMS, FOAF, OA, ORG, PROV, SCHEMA, SKOS, TIME)), "http://www.w3.org/ns/adms#")
FIXTURES = Path(__file__).parent / "fixtures"
MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "MODEL.md"

# Properties that no reused vocabulary has an honest super-property for (see hled.ttl comments).
UNALIGNED_PROPERTIES = {
    HLED.amount, HLED.chair, HLED.concerns, HLED.hasParticipant, HLED.locator, HLED.nameInSource, HLED.post,
    HLED.publishedAt, HLED.quantity, HLED.reportedAt, HLED.sourceFile, HLED.target,
}


# --- helpers -------------------------------------------------------------------------------


def hled_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(HLED_IRI)}


def terms_of_type(graph: Graph, kind: URIRef) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, kind) if s.startswith(HLED_IRI)}


def fixture(name: str) -> Graph:
    return Graph().parse(FIXTURES / name, format="turtle")


def violations(data: Graph) -> set[tuple[str, str, str]]:
    """SHACL results of ``data`` against the shipped shapes as (focus node, path, component)."""
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none")
    results = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        inverse = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
        results.add(
            (
                "_:blank" if isinstance(focus, BNode) else str(focus),
                f"^{inverse}" if inverse is not None else str(path),
                str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            )
        )
    assert conforms == (not results)
    return results


def shacl_shacl() -> Graph:
    """The SHACL-SHACL meta-shapes (W3C SHACL Recommendation, appendix C) that pyshacl ships."""
    return Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl", format="turtle")


# --- the ontology ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology_graph()


def test_ontology_parses_as_an_owl_ontology(onto: Graph) -> None:
    assert resources.ontology_file().name == "hled.ttl"
    assert list(onto.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


def test_ontology_metadata(onto: Graph) -> None:
    def one(predicate: URIRef) -> object:
        values = list(onto.objects(ONTOLOGY_IRI, predicate))
        assert len(values) == 1, f"{predicate}: {values}"
        return values[0]

    assert one(DCTERMS.title).language == "en"
    assert "High-Level Economic Dialogue" in one(DCTERMS.title)
    assert one(DCTERMS.description).language == "en"
    assert one(DCTERMS.license) in OPEN_LICENSES
    creator = one(DCTERMS.creator)
    assert isinstance(creator, URIRef), "the creator is an agent with an IRI, not a bare name"
    assert (creator, RDF.type, DCTERMS.Agent) in onto and onto.value(creator, RDFS.label).language == "en"
    created, issued, modified = one(DCTERMS.created), one(DCTERMS.issued), one(DCTERMS.modified)
    assert {created.datatype, issued.datatype, modified.datatype} == {XSD.date}
    assert created.toPython() <= issued.toPython() <= modified.toPython()
    assert one(OWL.versionIRI) == VERSION_IRI != ONTOLOGY_IRI
    assert one(OWL.versionInfo) == Literal("0.3.0")
    assert one(VANN.preferredNamespacePrefix) == Literal("hled")
    assert str(one(VANN.preferredNamespaceUri)) == HLED_IRI


def test_ontology_defines_exactly_the_hled_terms_model_md_names(onto: Graph) -> None:
    named = {HLED[name] for name in re.findall(r"\bhled:([A-Za-z][A-Za-z0-9]*)", MODEL_MD.read_text("utf-8"))}
    defined = hled_terms(onto)
    assert named - defined == set(), "named in MODEL.md but not defined"
    assert defined - named == set(), "defined but not needed by MODEL.md"


def test_term_kinds_and_counts(onto: Graph) -> None:
    classes = terms_of_type(onto, OWL.Class)
    object_properties = terms_of_type(onto, OWL.ObjectProperty)
    datatype_properties = terms_of_type(onto, OWL.DatatypeProperty)
    individuals = terms_of_type(onto, OWL.NamedIndividual)
    assert object_properties == {
        HLED[n]
        for n in [
            "amount", "chair", "concerns", "country", "hasParticipant", "hasPillar", "joined", "partOfDialogue", "pillar",
            "post", "publishedAt", "quantity", "reportedAt", "sector", "status", "target",
        ]
    }
    assert datatype_properties == {
        HLED[n]
        for n in [
            "deadline",
            "iso3166Code",
            "locator",
            "nameInSource",
            "pillarNumber",
            "sourceFile",
            "targetYear",
        ]
    }
    assert individuals == set(onto.subjects(RDF.type, HLED.Role))
    assert individuals == {HLED[n] for n in ["funderRole", "hostRole", "leadRole", "participantRole", "partnerRole", "recipientRole"]}
    assert len(classes) == 45
    annotation_properties = terms_of_type(onto, OWL.AnnotationProperty)
    assert annotation_properties == set(), "the links' evidence is SSSOM's, on each mapping (docs/MODEL.md)"
    every_term = classes | object_properties | datatype_properties | individuals | annotation_properties
    assert every_term == hled_terms(onto), "each hled: term is exactly one kind of OWL entity"


def test_every_term_has_english_label_definition_and_is_defined_by(onto: Graph) -> None:
    for term in sorted(hled_terms(onto)):
        for predicate in (RDFS.label, SKOS.definition):
            values = list(onto.objects(term, predicate))
            assert len(values) == 1 and values[0].language == "en", f"{term} {predicate}: {values}"
        assert list(onto.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY_IRI], term


def test_no_property_has_more_than_one_domain_or_range(onto: Graph) -> None:
    for prop in sorted(set(onto.subjects(RDFS.domain, None)) | set(onto.subjects(RDFS.range, None))):
        assert len(list(onto.objects(prop, RDFS.domain))) <= 1, prop
        assert len(list(onto.objects(prop, RDFS.range))) <= 1, prop


def test_every_property_has_a_range_and_a_domain_unless_anything_can_carry_it(onto: Graph) -> None:
    properties = terms_of_type(onto, OWL.ObjectProperty) | terms_of_type(onto, OWL.DatatypeProperty)
    assert {p for p in properties if onto.value(p, RDFS.range) is None} == set()
    # hled:locator and hled:nameInSource are on people, posts, organizations, works, rounds, places and events alike
    assert {p for p in properties if onto.value(p, RDFS.domain) is None} == {HLED.locator, HLED.nameInSource}


def test_every_class_is_under_a_standard_class(onto: Graph) -> None:
    for cls in sorted(terms_of_type(onto, OWL.Class)):
        ancestors = set(onto.transitive_objects(cls, RDFS.subClassOf))
        assert any(str(a).startswith(STANDARD_NAMESPACES) for a in ancestors), cls


def test_properties_are_aligned_unless_nothing_standard_fits(onto: Graph) -> None:
    properties = terms_of_type(onto, OWL.ObjectProperty) | terms_of_type(onto, OWL.DatatypeProperty)
    for prop in sorted(properties - UNALIGNED_PROPERTIES):
        parents = set(onto.objects(prop, RDFS.subPropertyOf))
        assert any(str(p).startswith(STANDARD_NAMESPACES) for p in parents), prop
    for prop in UNALIGNED_PROPERTIES:
        assert prop in properties and not list(onto.objects(prop, RDFS.subPropertyOf)), prop


@pytest.mark.parametrize(
    ("term", "parent"),
    [
        (HLED.Action, PROV.Activity),
        (HLED.Agreement, PROV.Entity),
        (HLED.Company, SCHEMA.Corporation),
        (HLED.Dialogue, ORG.OrganizationalCollaboration),
        (HLED.Embassy, ORG.OrganizationalUnit),
        (HLED.Embassy, SCHEMA.GovernmentOrganization),
        (HLED.Event, HLED.Action),
        (HLED.Event, SCHEMA.Event),
        (HLED.GovernmentAgency, ORG.Organization),
        (HLED.GovernmentAgency, SCHEMA.GovernmentOrganization),
        (HLED.Forum, HLED.Event),
        (HLED.FundingCommitmentAct, HLED.Action),
        (HLED.CommitmentAct, HLED.Action),
        (HLED.Announcement, HLED.Action),
        (HLED.Commitment, PROV.Plan),
        (HLED.ProposedBody, PROV.Entity),
        (HLED.Round, SCHEMA.Event),
        (HLED.Status, SKOS.Concept),
        (HLED.Law, SCHEMA.Legislation),
        (HLED.MemorandumOfUnderstanding, HLED.Agreement),
        (HLED.Meeting, HLED.Event),
        (HLED.Ministry, SCHEMA.GovernmentOrganization),
        (HLED.NGO, SCHEMA.NGO),
        (HLED.NationalGovernment, SCHEMA.GovernmentOrganization),
        (HLED.Pillar, SKOS.Concept),
        (HLED.Program, PROV.Entity),
        (HLED.Role, PROV.Role),
        (HLED.Roundtable, HLED.Event),
        (HLED.StakeholderGroup, FOAF.Group),
        (HLED.StakeholderGroup, PROV.Agent),
        (HLED.StatementOfIntent, HLED.Agreement),
        (HLED.Target, SCHEMA.QuantitativeValue),
        (HLED.TechnicalExchange, HLED.Event),
        (HLED.University, SCHEMA.CollegeOrUniversity),
        (HLED.WorkingGroup, ORG.OrganizationalCollaboration),
    ],
)
def test_class_alignment_stated_in_model_md(onto: Graph, term: URIRef, parent: URIRef) -> None:
    assert (term, RDFS.subClassOf, parent) in onto


def test_pillar_is_a_subject(onto: Graph) -> None:
    assert (HLED.pillar, RDFS.subPropertyOf, DCTERMS.subject) in onto
    assert (HLED.pillar, RDFS.range, HLED.Pillar) in onto


def _axiom_nodes(onto: Graph) -> set[BNode]:
    """The blank nodes of the ontology's own axioms: owl:AllDisjointClasses, the class and datatype
    unions of a domain or range, and the RDF lists they hold."""
    axioms = set(onto.subjects(RDF.type, OWL.AllDisjointClasses)) | set(onto.subjects(OWL.unionOf, None))
    nodes = set(axioms)
    for axiom in axioms:
        for head in list(onto.objects(axiom, OWL.members)) + list(onto.objects(axiom, OWL.unionOf)):
            while head != RDF.nil:
                nodes.add(head)
                head = onto.value(head, RDF.rest)
    return {node for node in nodes if isinstance(node, BNode)}


def test_external_terms_are_declared_never_redefined(onto: Graph) -> None:
    declarations = {OWL.AnnotationProperty, OWL.Class, OWL.DatatypeProperty, OWL.ObjectProperty, RDFS.Datatype}
    # The status scheme is the project's own vocabulary, so it lives here too (in the id space).
    statuses = {STATUSES, *onto.subjects(SKOS.inScheme, STATUSES)}
    creator = onto.value(ONTOLOGY_IRI, DCTERMS.creator)
    # Axioms that relate external classes (schema:Place and prov:Agent are disjoint) are blank
    # nodes of this ontology: they say nothing with an external term as their subject.
    own = {ONTOLOGY_IRI, creator, *statuses, *_axiom_nodes(onto)}
    for subject in set(onto.subjects()):
        if subject in own or subject.startswith(HLED_IRI):
            continue
        statements = set(onto.predicate_objects(subject))
        assert all(p == RDF.type and o in declarations for p, o in statements), (subject, statements)
    assert set(onto.subjects()) - {s for s in onto.subjects() if isinstance(s, URIRef)} == _axiom_nodes(onto)


def test_every_external_term_in_an_axiom_is_declared(onto: Graph) -> None:
    """OWL 2 DL tools need to know what kind of term each class, datatype and property is."""
    used: dict[URIRef, set[URIRef]] = {}

    def needs(term: object, *kinds: URIRef) -> None:
        if isinstance(term, URIRef) and not term.startswith(HLED_IRI):
            used.setdefault(term, set()).update(kinds)

    classes = (OWL.Class, RDFS.Datatype)
    for cls in [*onto.objects(None, RDFS.subClassOf), *onto.objects(None, RDFS.domain)]:
        needs(cls, OWL.Class)
    for cls in onto.objects(None, RDFS.range):
        needs(cls, *classes)
    for node in _axiom_nodes(onto):
        needs(onto.value(node, RDF.first), *classes)
    properties = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for prop in [*onto.objects(None, RDFS.subPropertyOf), *onto.predicates()]:
        needs(prop, *properties)
    rdf_builtins = {RDF.type, RDF.first, RDF.rest}
    undeclared = {
        term for term, kinds in used.items()
        if term not in rdf_builtins and not str(term).startswith((str(RDFS), str(OWL)))
        and not any((term, RDF.type, kind) in onto for kind in kinds)
    }
    assert undeclared == set()
    assert len([t for t in used if (t, RDF.type, OWL.Class) in onto]) >= 25


@pytest.mark.parametrize("path", ["ontology/hled.ttl", "ontology/shapes.ttl", "tests/fixtures"])
def test_schema_org_only_in_https(path: str) -> None:
    root = MODEL_MD.parent.parent / path
    for file in [root] if root.is_file() else sorted(root.glob("*.ttl")):
        assert "http://schema.org" not in file.read_text("utf-8"), file


# --- the shapes ------------------------------------------------------------------------------


def test_shapes_are_valid_shacl() -> None:
    conforms, _, text = pyshacl.validate(shapes_graph(), shacl_graph=shacl_shacl())
    assert conforms, text


def test_meta_shapes_would_catch_a_broken_shape() -> None:
    broken = shapes_graph()
    broken.add((HSH.englishLabel, SH.minCount, Literal("one")))
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=shacl_shacl())
    assert not conforms


def _members_of_logical_lists(shapes: Graph) -> set:
    """Shapes inside sh:or / sh:xone lists and qualified value shapes: they never report on their
    own (the shape that holds them does, with its message), so they need no message."""
    members = set(shapes.objects(None, SH.qualifiedValueShape))
    for operator in (SH["or"], SH.xone, SH["and"]):
        for head in shapes.objects(None, operator):
            members.update(Collection(shapes, head))
    for member in list(members):
        members.update(shapes.objects(member, SH.property))
    return members


def test_every_shape_has_a_plain_english_message() -> None:
    shapes = shapes_graph()
    reporting = (
        set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.subjects(SH.path, None))
        | set(shapes.objects(None, SH.sparql))
    ) - _members_of_logical_lists(shapes)
    assert len(reporting) > 40
    for shape in reporting:
        messages = list(shapes.objects(shape, SH.message))
        assert len(messages) == 1 and messages[0].language == "en", (shape, messages)
        assert len(str(messages[0])) > 20


def test_conforming_fixture_conforms_with_and_without_the_ontology(onto: Graph) -> None:
    data = fixture("ontology-conforming.ttl")
    assert violations(data) == set()
    assert violations(data + onto) == set()


def test_conforming_fixture_quotes_the_source_text() -> None:
    data = fixture("ontology-conforming.ttl")
    text = resources.source_text_file("hled-2022-fact-sheet.txt").read_text("utf-8")
    quote = data.value(predicate=RDF.type, object=OA.TextQuoteSelector)
    position = data.value(predicate=RDF.type, object=OA.TextPositionSelector)
    start, end = data.value(position, OA.start).toPython(), data.value(position, OA.end).toPython()
    assert text[start:end] == str(data.value(quote, OA.exact))
    assert text[:start].endswith(str(data.value(quote, OA.prefix)))
    assert text[end:].startswith(str(data.value(quote, OA.suffix)))


ACTION = "https://w3id.org/hled/id/action/epa-conagua-statement-of-intent"
SOI = "https://w3id.org/hled/id/work/tijuana-river-statement-of-intent"


def test_broken_fixture_gives_exactly_the_expected_violations(onto: Graph) -> None:
    expected = {
        ("https://w3id.org/hled/id/org/conagua", str(HLED.country), "MinCountConstraintComponent"),
        ("_:blank", str(SCHEMA.value), "DatatypeConstraintComponent"),
        (ACTION, f"^{OA.hasBody}", "MinCountConstraintComponent"),
        # the act names its source document, and no quote comes from a copy of it
        (ACTION, "None", "SPARQLConstraintComponent"),
    }
    data = fixture("ontology-broken.ttl")
    assert violations(data) == expected
    assert violations(data + onto) == expected


PREFIXES = """
PREFIX hda: <https://w3id.org/hled/id/action/>
PREFIX hdc: <https://w3id.org/hled/id/commitment/>
PREFIX status: <https://w3id.org/hled/id/status/>
PREFIX hdo: <https://w3id.org/hled/id/org/>
PREFIX hdw: <https://w3id.org/hled/id/work/>
PREFIX hled: <https://w3id.org/hled/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX pillar: <https://w3id.org/hled/id/pillar/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (
            'INSERT DATA { hdo:epa skos:prefLabel "U.S. EPA"@en }',
            ("https://w3id.org/hled/id/org/epa", str(SKOS.prefLabel), "UniqueLangConstraintComponent"),
        ),
        (
            "DELETE DATA { <https://w3id.org/hled/id/place/mexico> a prov:Location }",
            ("https://w3id.org/hled/id/place/mexico", str(RDF.type), "HasValueConstraintComponent"),
        ),
        (
            'INSERT DATA { hdw:tijuana-river-statement-of-intent rdfs:label "SoI"@en }',
            (SOI, str(RDFS.label), "MaxCountConstraintComponent"),
        ),
        (
            'INSERT DATA { hdo:epa skos:altLabel "EPA" }',
            ("https://w3id.org/hled/id/org/epa", str(SKOS.altLabel), "DatatypeConstraintComponent"),
        ),
        (
            "INSERT DATA { hda:epa-conagua-statement-of-intent a hled:Launch }",
            (ACTION, str(RDF.type), "QualifiedMaxCountConstraintComponent"),
        ),
        (
            "DELETE DATA { hda:epa-conagua-statement-of-intent hled:status status:committed }",
            (ACTION, str(HLED.status), "MinCountConstraintComponent"),
        ),
        (
            "DELETE DATA { hda:epa-conagua-statement-of-intent hled:status status:committed } "
            "; INSERT DATA { hda:epa-conagua-statement-of-intent hled:status hled:leadRole }",
            (ACTION, str(HLED.status), "InConstraintComponent"),
        ),
        (
            "INSERT DATA { hdc:tijuana-river-pollution-projects a prov:Activity }",
            ("https://w3id.org/hled/id/commitment/tijuana-river-pollution-projects", "None", "NotConstraintComponent"),
        ),
        (
            # a proposed body typed as an existing organization (ORG's FormalOrganization, not only org:Organization)
            'INSERT DATA { hdo:future-body a hled:ProposedBody, org:FormalOrganization ; rdfs:label "Future body"@en ; '
            'skos:prefLabel "Future body"@en ; hled:country <https://w3id.org/hled/id/place/mexico> }',
            ("https://w3id.org/hled/id/org/future-body", "None", "NotConstraintComponent"),
        ),
        (
            "DELETE { ?q oa:motivatedBy ?m } INSERT { ?q oa:motivatedBy oa:describing } WHERE { ?q oa:motivatedBy ?m }",
            ("https://w3id.org/hled/id/quote/epa-conagua-statement-of-intent", str(OA.motivatedBy), "HasValueConstraintComponent"),
        ),
        (
            "DELETE DATA { hda:epa-conagua-statement-of-intent prov:wasAssociatedWith hdo:conagua }",
            (ACTION, "None", "SPARQLConstraintComponent"),
        ),
        (
            "DELETE { ?a prov:hadRole ?r } INSERT { ?a prov:hadRole hled:boss } "
            "WHERE { ?a prov:agent hdo:epa ; prov:hadRole ?r }",
            ("_:blank", str(PROV.hadRole), "InConstraintComponent"),
        ),
        (
            'DELETE { ?m schema:currency ?c } INSERT { ?m schema:currency "usd" } WHERE { ?m schema:currency ?c }',
            ("_:blank", str(SCHEMA.currency), "PatternConstraintComponent"),
        ),
        (
            'INSERT { ?i time:inXSDDate "2022-09-12"^^xsd:date } WHERE { ?i a time:ProperInterval }',
            ("_:blank", str(TIME.inXSDDate), "MaxCountConstraintComponent"),
        ),
        (
            "DELETE { ?s oa:start ?v } INSERT { ?s oa:start 2320 } WHERE { ?s oa:start ?v }",
            ("_:blank", str(OA.start), "DatatypeConstraintComponent"),
        ),
        (
            "DELETE { ?x a hled:FundingCommitmentAct } INSERT { ?x a hled:AgreementSigning } "
            "WHERE { ?x a hled:FundingCommitmentAct }",
            (ACTION, "None", "OrConstraintComponent"),
        ),
    ],
)
def test_shapes_catch_each_mistake(update: str, expected: tuple[str, str, str]) -> None:
    data = fixture("ontology-conforming.ttl")
    data.update(PREFIXES + update)
    assert violations(data) == {expected}
