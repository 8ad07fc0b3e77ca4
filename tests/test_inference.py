"""Types that answer: the RDFS closure of the ontology's own hierarchy, in every place that queries.

The expected answers are computed from what the data asserts (its leaf classes, the classes of
the model contract), never from the closure itself, and asked through the CLI, a running server,
an on-disk store and the exported TriG.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RunningServer, running_server
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from hled_graph import graph as hgraph
from hled_graph.inference import hierarchy_of, inferred_rdflib
from hled_graph.namespaces import GRAPH_DATA, GRAPH_INFERRED, HLED, PREFIXES
from hled_graph.sparql import engine

CLI = [sys.executable, "-m", "hled_graph.cli"]
ORG, PROV, SCHEMA, FOAF = PREFIXES["org"], PREFIXES["prov"], PREFIXES["schema"], PREFIXES["foaf"]

# The leaf classes of the model contract (docs/MODEL.md, issue 12): every act is exactly one of these.
EVENT_LEAVES = ("Forum", "Meeting", "Roundtable", "TechnicalExchange")
ACT_LEAVES = (
    "Accession", "AgreementSigning", "Approval", "Award", "Campaign", "CommitmentAct", "FundingCommitmentAct",
    "Cooperation", "Establishment", "Launch", "Outreach", "Announcement", *EVENT_LEAVES,
)
# What the data asserts of an organization: W3C ORG's classes.
ORGANIZATION_CLASSES = tuple(ORG + name for name in (
    "Organization", "FormalOrganization", "OrganizationalUnit", "OrganizationalCollaboration"))
# ... and of the other agents: groups that act, people.
OTHER_AGENT_CLASSES = (PROV + "Agent", PROV + "Person", FOAF + "Person", SCHEMA + "Person", HLED + "StakeholderGroup")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def asserted() -> Graph:
    return hgraph.load_graph(include_inferred=False)


def instances(graph: Graph, classes: tuple[str, ...]) -> set[str]:
    """The IRIs asserted to be of one of ``classes``."""
    return {str(s) for c in classes for s in graph.subjects(RDF.type, URIRef(c)) if isinstance(s, URIRef)}


def expected_answers(asserted: Graph) -> dict[str, set[str]]:
    organizations = instances(asserted, ORGANIZATION_CLASSES)
    return {
        HLED + "Event": instances(asserted, tuple(HLED + leaf for leaf in EVENT_LEAVES)),
        HLED + "Action": instances(asserted, tuple(HLED + leaf for leaf in ACT_LEAVES)),
        ORG + "Organization": organizations,
        PROV + "Agent": organizations | instances(asserted, OTHER_AGENT_CLASSES),
    }


def members_query(cls: str) -> str:
    return f"SELECT DISTINCT ?x WHERE {{ ?x a <{cls}> FILTER(isIRI(?x)) }} ORDER BY ?x"


def test_the_expected_answers_are_not_empty(asserted: Graph) -> None:
    expected = expected_answers(asserted)
    assert len(expected[HLED + "Event"]) >= 5
    assert expected[HLED + "Event"] < expected[HLED + "Action"]
    assert len(expected[ORG + "Organization"]) >= 30
    assert expected[ORG + "Organization"] < expected[PROV + "Agent"]
    # no act is asserted to be an hled:Action or hled:Event itself: the closure is what answers
    assert not instances(asserted, (HLED + "Event",))


@pytest.mark.parametrize("cls", ["Event", "Action", "Organization", "Agent"])
def test_query_cli_answers_with_the_closure(cls: str, asserted: Graph) -> None:
    iri = {"Event": HLED + "Event", "Action": HLED + "Action", "Organization": ORG + "Organization",
           "Agent": PROV + "Agent"}[cls]
    result = run("query", "--query", members_query(iri), "-f", "json")
    assert result.returncode == 0, result.stderr
    found = {row["x"]["value"] for row in json.loads(result.stdout)["results"]["bindings"]}
    assert found == expected_answers(asserted)[iri]


def test_every_act_is_an_action_and_every_action_an_act(asserted: Graph) -> None:
    """The acts are the things that are part of the dialogue; `?x a hled:Action` finds exactly them."""
    store = engine.load_store()
    actions = {row[0].value for row in engine.run_query(store, members_query(HLED + "Action")).rows}
    acts = {str(s) for s in asserted.subjects(URIRef(HLED + "partOfDialogue"), None)}
    assert actions == acts


# --------------------------------------------------------------------------- server and store


def sparql_json(server: RunningServer, query: str) -> list[dict]:
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["results"]["bindings"]


@pytest.fixture(scope="module")
def shipped_server() -> Iterator[RunningServer]:
    with running_server("--workers", "1") as server:
        yield server


@pytest.fixture(scope="module")
def store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("inference") / "store"
    created = run("store", "create", str(folder))
    assert created.returncode == 0, created.stderr
    with running_server("--store", str(folder), "--workers", "1") as server:
        yield server


@pytest.mark.parametrize("server_kind", ["shipped_server", "store_server"])
def test_the_server_answers_with_the_closure(server_kind: str, asserted: Graph, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(server_kind)
    for cls, members in expected_answers(asserted).items():
        found = {row["x"]["value"] for row in sparql_json(server, members_query(cls))}
        assert found == members, cls
    graphs = {row["g"]["value"] for row in sparql_json(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert GRAPH_INFERRED in graphs


def test_the_entity_page_shows_what_the_data_states(shipped_server: RunningServer) -> None:
    """Linked Data pages describe the stated triples; the inferred ones are for SPARQL."""
    request = urllib.request.Request(shipped_server.url + "/id/org/epa", headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = {q.triple for q in ox.parse(response.read(), format=ox.RdfFormat.N_TRIPLES)}
    stated = {q.triple for q in engine.load_store().quads_for_pattern(
        ox.NamedNode(PREFIXES["hdo"] + "epa"), None, None) if q.graph_name != ox.NamedNode(GRAPH_INFERRED)}
    assert stated and stated <= page
    assert not any(t.object == ox.NamedNode(PROV + "Agent") for t in page - stated)


# --------------------------------------------------------------------------- the inferred graph itself


def test_the_inferred_graph_states_nothing_already_asserted() -> None:
    store = engine.load_store()
    inferred = {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_INFERRED))}
    others = {q.triple for q in store if q.graph_name != ox.NamedNode(GRAPH_INFERRED)}
    assert len(inferred) > 100
    assert not inferred & others
    dataset = hgraph.load_dataset()
    inferred_rdf = dataset.graph(URIRef(GRAPH_INFERRED))
    assert len(inferred_rdf) == len(inferred)
    assert not any((s, p, o) in hgraph.load_graph(include_inferred=False) for s, p, o in inferred_rdf)


def test_the_store_and_the_rdflib_dataset_infer_the_same_triples() -> None:
    """Two adapters, one rule set: the engine's closure (pyoxigraph) equals the Python API's (rdflib)."""
    def without_blank(triples: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
        return {t for t in triples if not any(part.startswith("_:") for part in t)}

    store = engine.load_store()
    in_store = {tuple(str(term) for term in (q.subject, q.predicate, q.object))
                for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_INFERRED))}
    in_dataset = {tuple(term.n3() for term in triple) for triple in hgraph.load_dataset().graph(URIRef(GRAPH_INFERRED))}
    assert len(in_store) == len(in_dataset)
    assert without_blank(in_store) == without_blank(in_dataset)


def test_the_closure_is_deterministic() -> None:
    """Two runs write the same bytes of the inferred graph (N-Quads, sorted, blank nodes labelled canonically)."""
    exports = [run("export", "-f", "nquads").stdout for _ in range(2)]
    lines = [sorted(line for line in text.splitlines() if line.endswith(f"<{GRAPH_INFERRED}> .")) for text in exports]
    assert len(lines[0]) == len(hgraph.load_dataset().graph(URIRef(GRAPH_INFERRED)))
    assert lines[0] == lines[1]


def test_the_exported_trig_carries_the_inferred_graph(tmp_path: Path, asserted: Graph) -> None:
    out = tmp_path / "hled.trig"
    result = run("export", "-f", "trig", "-o", str(out))
    assert result.returncode == 0, result.stderr
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.TRIG))
    inferred = [q for q in quads if q.graph_name == ox.NamedNode(GRAPH_INFERRED)]
    events = {q.subject.value for q in inferred
              if q.predicate.value == str(RDF.type) and q.object == ox.NamedNode(HLED + "Event")}
    assert events == expected_answers(asserted)[HLED + "Event"]
    # a blank node in the inferred graph is one of the data's, never a copy
    blank_in_inferred = {t for q in inferred for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    data = {t for q in quads if q.graph_name == ox.NamedNode(GRAPH_DATA) for t in (q.subject, q.object)}
    assert blank_in_inferred <= data


def test_trig_keeps_a_blank_node_stated_in_two_graphs_one_node() -> None:
    """The shipped closure has no blank nodes at the moment (hled:amount and hled:quantity have no
    super-properties), so a blank node in both the data and the inferred graph is made up here:
    an amount of the data whose super-property triple the closure would add."""
    from rdflib import BNode, Dataset

    from hled_graph.publish.export import serialize

    amount, act = BNode(), URIRef(PREFIXES["hda"] + "x")
    dataset = Dataset()
    dataset.graph(URIRef(GRAPH_DATA)).add((act, URIRef(HLED + "amount"), amount))
    dataset.graph(URIRef(GRAPH_INFERRED)).add((act, URIRef(SCHEMA + "amount"), amount))
    quads = list(ox.parse(serialize(dataset, "trig"), format=ox.RdfFormat.TRIG))
    assert len(quads) == 2 and len({q.object for q in quads}) == 1


def test_the_plain_exports_hold_the_union() -> None:
    result = subprocess.run([*CLI, "export", "-f", "nt"], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    triples = set(ox.parse(result.stdout, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == len(hgraph.load_graph()) > len(hgraph.load_graph(include_inferred=False))


# --------------------------------------------------------------------------- the rules, one by one

_ONTOLOGY = """
@prefix hled: <https://w3id.org/hled/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
hled:Leaf rdfs:subClassOf hled:Middle . hled:Middle rdfs:subClassOf ex:Top .
hled:narrow rdfs:subPropertyOf hled:wide . hled:wide rdfs:subPropertyOf ex:widest .
hled:wide rdfs:domain hled:Middle ; rdfs:range ex:Thing .
hled:year rdfs:range ex:Year .
ex:theirs rdfs:domain ex:Theirs .
"""
_DATA = """
@prefix hled: <https://w3id.org/hled/ontology#> .
@prefix ex: <http://example.org/> .
ex:a a hled:Leaf ; ex:theirs ex:b .
ex:c hled:narrow ex:d .
ex:e hled:year "2030" ; hled:wide [ ex:note "blank" ] .
"""


def test_the_four_rules_and_nothing_else() -> None:
    ontology = Graph().parse(data=_ONTOLOGY, format="turtle")
    data = Graph().parse(data=_DATA, format="turtle")
    inferred = inferred_rdflib(data + ontology, ontology)

    def ex(name: str) -> URIRef:
        return URIRef("http://example.org/" + name)

    def hled(name: str) -> URIRef:
        return URIRef(HLED + name)

    named = {t for t in inferred if not any(term.__class__.__name__ == "BNode" for term in t)}
    assert named == {
        (ex("a"), RDF.type, hled("Middle")), (ex("a"), RDF.type, ex("Top")),  # rdfs9, transitively
        (ex("c"), hled("wide"), ex("d")), (ex("c"), ex("widest"), ex("d")),  # rdfs7, transitively
        (ex("c"), RDF.type, hled("Middle")), (ex("c"), RDF.type, ex("Top")),  # rdfs2 via the super-property
        (ex("d"), RDF.type, ex("Thing")),  # rdfs3
        (ex("e"), RDF.type, hled("Middle")), (ex("e"), RDF.type, ex("Top")),  # rdfs2 with a blank value
    }
    # the blank node gets its range type and the super-property triple; the literal "2030" gets nothing
    assert len(inferred - named) == 2
    assert not any(isinstance(s, Literal) or o == ex("Year") for s, _, o in inferred)
    # no domain of another vocabulary's property, no axiomatic or schema triple
    assert (ex("a"), RDF.type, ex("Theirs")) not in inferred
    assert not any(str(p).startswith(PREFIXES["rdfs"]) or str(o).startswith(PREFIXES["rdfs"]) for _, p, o in inferred)


def test_a_cycle_in_the_hierarchy_ends() -> None:
    sub_class_of = PREFIXES["rdfs"] + "subClassOf"
    hierarchy = hierarchy_of([(HLED + "A", sub_class_of, HLED + "B"), (HLED + "B", sub_class_of, HLED + "A")])
    assert hierarchy.superclasses == {HLED + "A": frozenset({HLED + "B"}), HLED + "B": frozenset({HLED + "A"})}


# --------------------------------------------------------------------------- what stays asserted


def test_validate_passes_with_and_without_the_closure() -> None:
    plain, with_rdfs = run("validate"), run("validate", "--rdfs")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert with_rdfs.returncode == 0, with_rdfs.stdout + with_rdfs.stderr
    plain_triples = int(plain.stdout.split("OK: ")[1].split()[0])
    rdfs_triples = int(with_rdfs.stdout.split("OK: ")[1].split()[0])
    assert rdfs_triples > plain_triples


def test_validate_rdfs_is_for_the_shipped_data_only(tmp_path: Path) -> None:
    file = tmp_path / "one.ttl"
    file.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    result = run("validate", "--rdfs", str(file))
    assert result.returncode == 2
    assert "--rdfs" in result.stderr and "Traceback" not in result.stderr


def test_stats_count_what_the_files_state(asserted: Graph) -> None:
    result = run("stats", "--json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["triples"] == len(asserted)
    assert "hled:Event" not in counts["classes"] and "hled:Action" not in counts["classes"]


def test_the_network_keeps_the_classes_the_data_states(asserted: Graph) -> None:
    result = run("network", "-f", "json")
    assert result.returncode == 0, result.stderr
    nodes = json.loads(result.stdout)["nodes"]
    assert nodes
    for node in nodes:
        if node.get("class_iri"):
            assert (URIRef(node["id"]), RDF.type, URIRef(node["class_iri"])) in asserted, node["id"]
