"""The ontology and the data are consistent under OWL RL, with the reused vocabularies' own axioms.

owlrl computes the OWL 2 RL closure of ontology/hled.ttl, ontology/reused-axioms.ttl, every data
file (data/hled-*.ttl, data/links.ttl) and the W3C files vendored in ontology/vocabularies/
(PROV-O, ORG, Web Annotation, OWL-Time, as their publishers serve them). Its rules mark what
cannot hold: an individual of two disjoint classes (cax-dw, cax-adc), a member of owl:Nothing
(cls-nothing2), a literal outside its datatype's lexical space (dt-not-type). The check must also
fail: a known-bad triple added to the same graph is reported, and only it.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from conftest import FIXTURES
from rdflib import OWL, RDF, Graph, Namespace, URIRef

from hled_graph import resources
from hled_graph.graph import ontology_graph, parse_file
from hled_graph.namespaces import PREFIXES

PROV = Namespace("http://www.w3.org/ns/prov#")
# owlrl records each inconsistency as a literal of this property (owlrl.Closure.Core.add_error).
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
VOCABULARIES = resources.ontology_dir() / "vocabularies"
# The vendored files and the namespace of each: one version of each vocabulary the data reuses axioms of.
VENDORED = {
    "prov-o-": "http://www.w3.org/ns/prov#",
    "org-": "http://www.w3.org/ns/org#",
    "oa-": "http://www.w3.org/ns/oa#",
    "time-": "http://www.w3.org/2006/time#",
}


def vocabulary_files() -> list[Path]:
    return sorted(VOCABULARIES.glob("*.ttl"))


def vocabularies() -> Graph:
    graph = Graph()
    for path in vocabulary_files():
        graph.parse(path, format="turtle")
    return graph


def owl_rl_problems(graph: Graph) -> list[str]:
    """What the OWL RL closure of a copy of ``graph`` finds inconsistent, in owlrl's words."""
    closed = Graph()
    closed += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    errors = [str(message) for message in closed.objects(None, OWLRL_ERROR)]
    nothing = [f"{node} is a member of owl:Nothing" for node in closed.subjects(RDF.type, OWL.Nothing)]
    return sorted(errors + nothing)


def with_statements(graph: Graph, turtle: str) -> Graph:
    """A copy of ``graph`` with the Turtle ``turtle`` (the project's prefixes declared) added."""
    changed = Graph()
    changed += graph
    prefixes = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in PREFIXES.items())
    changed.parse(data=prefixes + turtle, format="turtle")
    return changed


@pytest.fixture(scope="module")
def everything() -> Graph:
    """The ontology, the reused axioms, the data, the links and the vocabularies' own files."""
    graph = ontology_graph()
    for path in [resources.reused_axioms_file(), *resources.data_files(), resources.links_file()]:
        parse_file(path, into=graph)
    return graph + vocabularies()


def test_each_reused_vocabulary_is_vendored_once_with_its_date_in_the_name() -> None:
    names = [path.name for path in vocabulary_files()]
    assert sorted(prefix for prefix in VENDORED for name in names if name.startswith(prefix)) == sorted(VENDORED)
    for path in vocabulary_files():
        date = path.stem.rsplit("-", 1)[1]
        assert len(date) == 8 and date.isdigit() and date.startswith("20"), path.name
        namespace = next(iri for prefix, iri in VENDORED.items() if path.name.startswith(prefix))
        defined = Graph().parse(path, format="turtle")
        assert sum(1 for s in defined.subjects() if str(s).startswith(namespace)) > 20, path.name
    readme = (VOCABULARIES / "README.md").read_text("utf-8")
    assert all(name in readme for name in names) and "W3C Software and Document License" in readme


def test_ontology_data_and_vocabularies_are_consistent_under_owl_rl(everything: Graph) -> None:
    assert owl_rl_problems(everything) == []


def test_the_vocabularies_axioms_take_part(everything: Graph) -> None:
    """The check would be hollow if the vendored files added nothing: PROV-O's disjointness and
    OWL-Time's are among the axioms it reasons with."""
    assert (PROV.Activity, OWL.disjointWith, PROV.Entity) in everything
    time_ns = Namespace("http://www.w3.org/2006/time#")
    assert (time_ns.ProperInterval, OWL.disjointWith, time_ns.Instant) in everything


def iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def disjoint(first: str, second: str, individual: object) -> str:
    """owlrl's message for an individual of two disjoint classes (given as CURIEs)."""
    return f"Disjoint classes {iri(first)} and {iri(second)} have a common individual {individual}"


# Known-bad statements and exactly what each must make the check report: the two disjoint classes
# and the individual, or owlrl's message. They go into one graph and one closure (a closure of
# everything takes seconds), so each must be reported and nothing else.
KNOWN_BAD: dict[str, tuple[str, str, str] | str] = {
    # an act is exactly one kind of action
    "hda:epa-conagua-statement-of-intent a hled:Launch .": (
        "hled:AgreementSigning", "hled:Launch", "hda:epa-conagua-statement-of-intent"
    ),
    # a place is never an agent
    "hdl:selva-maya a prov:Agent .": ("schema:Place", "prov:Agent", "hdl:selva-maya"),
    # an agent is of one kind
    "hdo:epa a hled:Ministry .": ("hled:GovernmentAgency", "hled:Ministry", "hdo:epa"),
    # a work is of one kind
    "hdw:usmca a hled:Law .": ("hled:Agreement", "hled:Law", "hdw:usmca"),
    # hled:target's domain is prov:Entity, and PROV-O's own file makes no entity an activity
    "hda:sbdc-southern-mexico-bloc-launch hled:target hdw:surges-partnerships-target .": (
        "prov:Activity", "prov:Entity", "hda:sbdc-southern-mexico-bloc-launch"
    ),
    # a count that is no integer (owlrl's dt-not-type)
    'hdw:surges-partnerships-target schema:minValue "thirty"^^xsd:integer .': (
        "Lexical value of the literal 'thirty' does not match its datatype (http://www.w3.org/2001/XMLSchema#integer)"
    ),
}


def test_known_bad_statements_are_reported_exactly(everything: Graph) -> None:
    expected = []
    for reported in KNOWN_BAD.values():
        if isinstance(reported, str):
            expected.append(reported)
            continue
        first, second, individual = reported
        # an entity linked owl:sameAs a Wikidata item shares its classes, so the item clashes too
        same = {iri(individual), *everything.objects(iri(individual), OWL.sameAs)}
        same |= {s for node in list(same) for s in everything.subjects(OWL.sameAs, node)}
        expected += [disjoint(first, second, node) for node in same]
    assert owl_rl_problems(with_statements(everything, "\n".join(KNOWN_BAD))) == sorted(expected)


# --- the MODEL.md fixture --------------------------------------------------------------------


def test_ontology_alone_is_consistent() -> None:
    assert owl_rl_problems(ontology_graph()) == []


def test_model_md_example_is_consistent_with_the_vocabularies() -> None:
    graph = ontology_graph() + Graph().parse(FIXTURES / "ontology-conforming.ttl") + vocabularies()
    assert owl_rl_problems(graph) == []


@pytest.mark.parametrize(
    ("mistake", "classes"),
    [
        # MODEL.md: an action must not carry prov:wasDerivedFrom (PROV-O: Activity is disjoint with Entity).
        ("hda:epa-conagua-statement-of-intent prov:wasDerivedFrom hd:fact-sheet-2022 .", ("prov:Activity", "prov:Entity")),
        # An interval with its own date is also an Instant, which OWL-Time forbids.
        ('[ a time:ProperInterval ; time:inXSDDate "2022-09-12"^^xsd:date ] .', ("time:ProperInterval", "time:Instant")),
        # hled:amount has domain hled:Action: money on a program makes the program an activity.
        ("hdw:tijuana-river-statement-of-intent hled:amount [ a schema:MonetaryAmount ] .", ("prov:Activity", "prov:Entity")),
    ],
)
def test_owl_rl_catches_the_mistakes_model_md_warns_about(mistake: str, classes: tuple[str, str]) -> None:
    graph = ontology_graph() + Graph().parse(FIXTURES / "ontology-conforming.ttl") + vocabularies()
    (problem,) = owl_rl_problems(with_statements(graph, mistake))
    assert problem.startswith(disjoint(*classes, "").rstrip()), problem
