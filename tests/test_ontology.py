"""The ontology (ontology/hled.ttl) and the SHACL shapes (ontology/shapes.ttl).

Checks the ontology against docs/MODEL.md (every hled: term it names is defined, nothing more),
its metadata, labels, definitions and alignment to the standard vocabularies, its consistency
under OWL RL (owlrl), and the shapes: valid SHACL, and the right verdict on hand-written fixtures.
"""

from __future__ import annotations

import re
from pathlib import Path

import owlrl
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
# owlrl records inconsistencies as nodes of this type (owlrl.Closure.Core.closure).
OWLRL_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

ONTOLOGY_IRI = URIRef("https://w3id.org/hled/ontology")
STATUSES = URIRef("https://w3id.org/hled/id/statuses")
VERSION_IRI = URIRef("https://w3id.org/hled/ontology/0.2.0")
OPEN_LICENSES = {
    URIRef("https://creativecommons.org/publicdomain/zero/1.0/"),
    URIRef("https://creativecommons.org/licenses/by/4.0/"),
}
STANDARD_NAMESPACES = (*(str(ns) for ns in (DCTERMS, FOAF, OA, ORG, PROV, SCHEMA, SKOS, TIME)), "http://www.w3.org/ns/adms#")
FIXTURES = Path(__file__).parent / "fixtures"
MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "MODEL.md"

# Properties that no reused vocabulary has an honest super-property for (see hled.ttl comments).
UNALIGNED_PROPERTIES = {
    HLED.chair, HLED.concerns, HLED.hasParticipant, HLED.isLowerBound, HLED.locator, HLED.post, HLED.publishedAt,
    HLED.reportedAt, HLED.nameInSource, HLED.sourceFile, HLED.target,
}

# Key axioms of the reused vocabularies, quoted from PROV-O and OWL-Time, so that the OWL RL
# check can catch the mistakes docs/MODEL.md warns about without fetching those files.
EXTERNAL_AXIOMS = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
prov:Activity owl:disjointWith prov:Entity .
prov:generated rdfs:domain prov:Activity ; rdfs:range prov:Entity .
prov:used rdfs:domain prov:Activity ; rdfs:range prov:Entity .
prov:qualifiedAssociation rdfs:domain prov:Activity ; rdfs:range prov:Association .
prov:wasAssociatedWith rdfs:domain prov:Activity ; rdfs:range prov:Agent .
prov:wasDerivedFrom rdfs:domain prov:Entity ; rdfs:range prov:Entity .
time:ProperInterval owl:disjointWith time:Instant .
time:hasBeginning rdfs:range time:Instant .
time:hasEnd rdfs:range time:Instant .
time:inXSDDate rdfs:domain time:Instant .
time:inXSDgYear rdfs:domain time:Instant .
time:inXSDgYearMonth rdfs:domain time:Instant .
"""


# --- helpers -------------------------------------------------------------------------------


def hled_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(HLED_IRI)}


def terms_of_type(graph: Graph, kind: URIRef) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, kind) if s.startswith(HLED_IRI)}


def owl_rl_problems(graph: Graph) -> list[str]:
    """Inconsistencies found by the OWL RL closure of a copy of ``graph``, in plain words."""
    closed = Graph()
    closed += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    errors = [str(message) for message in closed.objects(None, OWLRL_ERR.error)]
    nothing = [f"{node} is a member of owl:Nothing" for node in closed.subjects(RDF.type, OWL.Nothing)]
    return sorted(errors + nothing)


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
    assert str(one(DCTERMS.creator)).strip()
    assert one(DCTERMS.created).datatype == XSD.date
    assert one(OWL.versionIRI) == VERSION_IRI != ONTOLOGY_IRI
    assert one(OWL.versionInfo) == Literal("0.2.0")
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
            "isLowerBound",
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


def test_external_terms_are_declared_never_redefined(onto: Graph) -> None:
    declarations = {OWL.AnnotationProperty, OWL.Class, OWL.DatatypeProperty, OWL.ObjectProperty, RDFS.Datatype}
    # The status scheme is the project's own vocabulary, so it lives here too (in the id space).
    statuses = {STATUSES, *onto.subjects(SKOS.inScheme, STATUSES)}
    for subject in set(onto.subjects()):
        if subject == ONTOLOGY_IRI or subject.startswith(HLED_IRI) or subject in statuses:
            continue
        statements = set(onto.predicate_objects(subject))
        assert all(p == RDF.type and o in declarations for p, o in statements), (subject, statements)


@pytest.mark.parametrize("path", ["ontology/hled.ttl", "ontology/shapes.ttl", "tests/fixtures"])
def test_schema_org_only_in_https(path: str) -> None:
    root = MODEL_MD.parent.parent / path
    for file in [root] if root.is_file() else sorted(root.glob("*.ttl")):
        assert "http://schema.org" not in file.read_text("utf-8"), file


def test_ontology_is_consistent_under_owl_rl(onto: Graph) -> None:
    assert owl_rl_problems(onto) == []


def test_model_md_data_is_consistent_under_owl_rl(onto: Graph) -> None:
    graph = onto + fixture("ontology-conforming.ttl") + Graph().parse(data=EXTERNAL_AXIOMS, format="turtle")
    assert owl_rl_problems(graph) == []


@pytest.mark.parametrize(
    "mistake",
    [
        # MODELLING.md: an action must not carry prov:wasDerivedFrom (Activity is disjoint with Entity).
        "hda:epa-conagua-statement-of-intent prov:wasDerivedFrom hd:fact-sheet-2022 .",
        # An interval with its own date is also an Instant, which OWL-Time forbids.
        '[ a time:ProperInterval ; time:inXSDDate "2022-09-12"^^xsd:date ] .',
        # hled:amount has domain hled:Action: money on a program makes the program an activity.
        "hdw:tijuana-river-statement-of-intent hled:amount [ a schema:MonetaryAmount ] .",
    ],
)
def test_owl_rl_check_catches_the_mistakes_model_md_warns_about(onto: Graph, mistake: str) -> None:
    prefixes = "".join(
        f"@prefix {p}: <{iri}> .\n"
        for p, iri in {
            "hd": "https://w3id.org/hled/id/",
            "hda": "https://w3id.org/hled/id/action/",
            "hdw": "https://w3id.org/hled/id/work/",
            "hled": HLED_IRI,
            "prov": str(PROV),
            "schema": str(SCHEMA),
            "time": str(TIME),
            "xsd": str(XSD),
        }.items()
    )
    graph = onto + fixture("ontology-conforming.ttl") + Graph().parse(data=EXTERNAL_AXIOMS, format="turtle")
    graph.parse(data=prefixes + mistake, format="turtle")
    assert any(problem.startswith("Disjoint classes") for problem in owl_rl_problems(graph))


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
