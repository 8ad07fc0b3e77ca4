"""NetworkX views of the graph: entities, the organization collaboration network, agents and actions.

The facts come from two SPARQL queries run with rdflib (one long table of facts about every
resource, one of the links and qualified associations); the views are assembled from their rows. Every view is a ``networkx.MultiDiGraph`` whose nodes
are IRIs (strings) with the attributes ``iri``, ``label`` (English), ``class`` (the most specific
class's local name), ``class_label``, ``category`` (a family of classes: government, action,
place ...), ``country`` (label or ``None``), ``country_iris`` and ``pillars`` (sorted pillar
numbers), plus, where the graph states them, ``amounts``, ``dates``, ``description`` and
``quote`` (the source sentence). Edges carry ``predicate`` (an IRI) and ``label``.

Views:

``entities``
    Named HLED entities only (IRIs under ``https://w3id.org/hled/id/``): no literals, no blank
    nodes, no ontology or vocabulary terms, no source annotations, no source documents. The blank
    ``prov:Association`` of each qualified association is collapsed into one agent → action edge
    whose label is the role ("lead", "funder"), with the role IRI in ``role``.
``collaboration``
    Agents (organizations, groups, people) linked when associated with the same action: one
    edge per pair, from the smaller IRI to the larger, with ``weight`` (number of shared
    actions), ``actions``, ``action_labels`` and ``pillars``.
``bipartite``
    Agents (``bipartite=0``) and actions (``bipartite=1``); one agent → action edge per role.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from hled_graph.errors import InputError
from hled_graph.iris import compact, local_name
from hled_graph.labels import LABEL_PROPERTIES, choose
from hled_graph.namespaces import HLED, ID, PREFIXES

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

View = Literal["entities", "collaboration", "bipartite"]
VIEWS: tuple[str, ...] = get_args(View)
ExportFormat = Literal["graphml", "gexf", "json", "cytoscape"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)

PROV = PREFIXES["prov"]
WAS_ASSOCIATED_WITH = PROV + "wasAssociatedWith"
QUOTE_NS = PREFIXES["hdq"]
# Statuses are the values of a property, like roles: a node for each would tie every act to a hub.
STATUS_NS = PREFIXES["status"]
_DESCRIPTION_PROPERTIES = (PREFIXES["dcterms"] + "description", PREFIXES["skos"] + "definition")

# Namespaces that hold vocabulary terms, never entities (used when external IRIs are drawn).
_VOCABULARY_NAMESPACES = tuple(
    iri for prefix, iri in PREFIXES.items() if not iri.startswith(ID) and prefix not in {"wd"}
)

# Which family a class belongs to: colours, shapes and the class filter of the maps use it.
CATEGORIES: dict[str, str] = {
    "government": "Government body",
    "intergovernmental": "Intergovernmental body",
    "organization": "University, company, NGO",
    "collaboration": "Dialogue, its meetings, working group",
    "stakeholders": "Stakeholder group",
    "person": "Person",
    "action": "Action",
    "event": "Event",
    "work": "Program, plan, commitment, agreement",
    "place": "Place",
    "topic": "Pillar, sector or topic",
    "cluster": "Group of nodes",
    "other": "Other",
}

_CATEGORY_OF_CLASS: dict[str, str] = {
    **dict.fromkeys(
        ["NationalGovernment", "GovernmentAgency", "Ministry", "Embassy", "StateGovernment", "GovernmentOrganization"],
        "government",
    ),
    "IntergovernmentalBody": "intergovernmental",
    **dict.fromkeys(
        [
            "University",
            "Company",
            "NGO",
            "CollegeOrUniversity",
            "Corporation",
            "FormalOrganization",
            "OrganizationalUnit",
            "Organization",
            "Post",
        ],
        "organization",
    ),
    # a round is a meeting of the dialogue itself, not an act it reports, so it is drawn with the dialogue
    # the dialogue with its meetings and its establishment (a relaunch is first a hled:Launch, an act)
    **dict.fromkeys(["Dialogue", "WorkingGroup", "OrganizationalCollaboration", "Round", "ChangeEvent"], "collaboration"),
    **dict.fromkeys(["StakeholderGroup", "Group"], "stakeholders"),
    "Person": "person",
    # an event that took place always has one of these leaf classes; a bare schema:Event is one still planned
    **dict.fromkeys(["Forum", "Meeting", "Roundtable", "TechnicalExchange"], "event"),
    **dict.fromkeys(
        [
            "Action",
            "Launch",
            "Establishment",
            "AgreementSigning",
            "CommitmentAct",
            "FundingCommitmentAct",
            "Announcement",
            "Award",
            "Campaign",
            "Accession",
            "Cooperation",
            "Approval",
            "Outreach",
            "Activity",
        ],
        "action",
    ),
    **dict.fromkeys(
        [
            "Program",
            "Agreement",
            "MemorandumOfUnderstanding",
            "StatementOfIntent",
            "Law",
            "Legislation",
            "Pledge",
            "Declaration",
            "Goal",
            "EventSeries",
            "Event",
            "Commitment",
            "Plan",
            "ProposedBody",
            "Target",
            "QuantitativeValue",
            "Entity",
        ],
        "work",
    ),
    **dict.fromkeys(["Country", "State", "City", "AdministrativeArea", "BodyOfWater", "Location", "Place"], "place"),
    **dict.fromkeys(["Pillar", "Concept", "ConceptScheme"], "topic"),
}

_CATEGORY_OF_NAMESPACE: dict[str, str] = {
    PREFIXES["hdo"]: "organization",
    PREFIXES["hdp"]: "person",
    PREFIXES["hdl"]: "place",
    PREFIXES["hda"]: "action",
    PREFIXES["hdw"]: "work",
    PREFIXES["pillar"]: "topic",
}

# When a node has several most specific classes, the project's own classes say the most.
_CLASS_NAMESPACE_RANK = [
    HLED,
    PREFIXES["schema"],
    PREFIXES["org"],
    PREFIXES["foaf"],
    PREFIXES["skos"],
    PREFIXES["prov"],
]

# One row per (resource, field, value): a long table, so no OPTIONAL multiplies another's rows.
# It covers every resource, vocabulary terms included (their labels name edges and roles); which
# resources are entities is decided in Python, because rdflib evaluates FILTERs row by row, slowly.
# The first branch lists every subject (field unbound); IRIs seen only as objects come with edges.
_FACTS_QUERY = """
SELECT DISTINCT ?node ?field ?value ?extra WHERE {
  {
    SELECT DISTINCT ?node WHERE { ?node ?anyP ?anyO }
  } UNION {
    # every label candidate; hled_graph.labels chooses. ?extra is "<property IRI> <language tag>".
    VALUES ?labelProperty { skos:prefLabel rdfs:label schema:name }
    ?node ?labelProperty ?value FILTER(isLiteral(?value))
    BIND("label" AS ?field) BIND(CONCAT(STR(?labelProperty), " ", LANG(?value)) AS ?extra)
  } UNION {
    ?node a ?value .
    # only the most specific classes: none of the node's other classes is below this one
    FILTER NOT EXISTS { ?node a ?sub . ?sub rdfs:subClassOf+ ?value . FILTER(?sub != ?value) }
    BIND("type" AS ?field)
  } UNION {
    { ?node hled:country ?value }
    UNION { ?node schema:affiliation/hled:country ?value }
    UNION { ?node org:unitOf+/hled:country ?value }
    UNION { ?value a schema:Country . ?node schema:containedInPlace* ?value }
    BIND("country" AS ?field)
  } UNION {
    { ?node hled:pillar ?pillar }
    UNION { ?action hled:pillar ?pillar . ?action ?link ?node }
    UNION { ?action hled:pillar ?pillar . ?node ?link ?action }
    UNION { ?action hled:pillar ?pillar ; prov:qualifiedAssociation/prov:agent ?node }
    ?pillar hled:pillarNumber ?value
    BIND("pillar" AS ?field)
  } UNION {
    ?node hled:amount ?amount . ?amount schema:value ?value .
    OPTIONAL { ?amount schema:currency ?extra }
    BIND("amount" AS ?field)
  } UNION {
    { ?node time:hasTime/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?value }
    UNION { ?node time:hasTime/(time:hasBeginning|time:hasEnd)/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?value }
    UNION { ?node schema:startDate|schema:endDate|hled:deadline ?value }
    BIND("date" AS ?field)
  } UNION {
    ?annotation oa:hasBody ?node ; oa:hasTarget/oa:hasSelector/oa:exact ?value .
    BIND("quote" AS ?field)
  } UNION {
    ?node a foaf:Document .
    BIND("document" AS ?field)
  } UNION {
    VALUES ?textProperty { dcterms:description skos:definition }
    ?node ?textProperty ?value FILTER(isLiteral(?value))
    BIND("description" AS ?field) BIND(CONCAT(STR(?textProperty), " ", LANG(?value)) AS ?extra)
  }
}
"""

# Every link between two resources, and every qualified association (agent, action, role).
# Plain prov:wasAssociatedWith triples come with the first branch; Python pairs them with the
# qualified ones, so each association becomes exactly one agent -> action edge per role.
_EDGE_QUERY = """
SELECT ?source ?predicate ?target ?association ?role WHERE {
  { ?source ?predicate ?target FILTER(isIRI(?target)) }
  UNION {
    ?target prov:qualifiedAssociation ?association .
    ?association prov:agent ?source .
    OPTIONAL { ?association prov:hadRole ?role }
  }
}
"""


def is_entity(iri: str, *, external: bool = False, documents: Set[str] = frozenset()) -> bool:
    """Is this IRI an entity worth a node?

    HLED entities live under the id namespace; annotations and the ``documents`` (the
    ``foaf:Document`` nodes: what the facts come from) are provenance, and statuses are values,
    not entities. With ``external`` (maps of CONSTRUCT results), any IRI outside the vocabularies
    counts too, so a query that returns Wikidata items can draw them.
    """
    if iri.startswith((QUOTE_NS, STATUS_NS)) or iri in documents:
        return False
    if external:
        return not iri.startswith(_VOCABULARY_NAMESPACES)
    return iri.startswith(ID)


def _run(graph: Graph, query: str) -> list[Any]:
    from hled_graph.namespaces import SPARQL_PROLOGUE

    return list(graph.query(SPARQL_PROLOGUE + query))


@dataclass(frozen=True)
class _EdgeFact:
    source: str
    predicate: str
    target: str
    label: str
    role: str | None
    is_association: bool


def humanize(name: str) -> str:
    """``wasAssociatedWith`` -> ``was associated with``; ``GovernmentAgency`` -> ``Government agency``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    words = spaced.split()
    if not words:
        return name
    # keep acronyms (NGO) as they are; lower-case the other words after the first
    rest = [w if w.isupper() else w.lower() for w in words[1:]]
    return " ".join([words[0], *rest])


def _format_amount(currency: str, value: str) -> str:
    try:
        number = float(value)
        shown = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
    except ValueError:
        shown = value
    return f"{currency} {shown}".strip()


def _pick_class(types: list[str]) -> str | None:
    """The one class to show: the project's own first, then schema.org, ORG, FOAF, SKOS, PROV."""
    if not types:
        return None

    def rank(iri: str) -> tuple[int, str]:
        for index, ns in enumerate(_CLASS_NAMESPACE_RANK):
            if iri.startswith(ns):
                return index, iri
        return len(_CLASS_NAMESPACE_RANK), iri

    return min(types, key=rank)


def _category(node: str, types: list[str]) -> str:
    chosen = _pick_class(types)
    ordered = ([chosen] if chosen else []) + sorted(types)
    for class_iri in ordered:
        category = _CATEGORY_OF_CLASS.get(local_name(class_iri))
        if category:
            return category
    for namespace, category in _CATEGORY_OF_NAMESPACE.items():
        if node.startswith(namespace):
            return category
    return "other"


def _facts(graph: Graph) -> dict[str, dict[str, set[tuple[str, str]]]]:
    """Every IRI's facts, by field: {iri: {"label": {(value, extra)}, "type": ...}}."""
    from rdflib import URIRef

    fields: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    for row in _run(graph, _FACTS_QUERY):
        if not isinstance(row.node, URIRef):
            continue
        found = fields[str(row.node)]
        if row.field is not None:
            value = "" if row.value is None else str(row.value)
            extra = "" if row.extra is None else str(row.extra)
            found[str(row.field)].add((value, extra))
    return fields


def _documents(facts: dict[str, dict[str, set[tuple[str, str]]]]) -> frozenset[str]:
    return frozenset(iri for iri, found in facts.items() if "document" in found)


def _label_of(
    found: dict[str, set[tuple[str, str]]] | None,
    *,
    field: str = "label",
    properties: tuple[str, ...] = LABEL_PROPERTIES,
) -> str | None:
    """The label (or the description) by the project's one policy (:mod:`hled_graph.labels`)."""
    if not found:
        return None
    candidates = []
    for text, extra in found.get(field, ()):
        prop, _, language = extra.partition(" ")
        candidates.append((prop, text, language or None))
    return choose(candidates, properties=properties)


def _node_attributes(iri: str, facts: dict[str, dict[str, set[tuple[str, str]]]]) -> dict[str, Any]:
    found = facts[iri]

    def values(field: str) -> list[str]:
        return sorted({value for value, _ in found.get(field, ())})

    label = _label_of(found)
    types = values("type")
    class_iri = _pick_class(types)
    class_label = _label_of(facts.get(class_iri)) if class_iri else None
    countries = sorted(
        (country, _label_of(facts.get(country)) or humanize(local_name(country))) for country in values("country")
    )
    # one label per country, even when a country has labels in several forms
    country_labels = dict(countries)
    quotes = values("quote")
    return {
        "iri": iri,
        "label": label if label is not None else compact(iri),
        "class": local_name(class_iri) if class_iri else None,
        "class_label": (class_label or humanize(local_name(class_iri))) if class_iri else None,
        "class_iri": class_iri,
        "category": _category(iri, types),
        "country": " / ".join(country_labels[c] for c in sorted(country_labels)) or None,
        "country_iris": sorted(country_labels),
        "pillars": sorted({int(float(p)) for p in values("pillar")}),
        "amounts": [_format_amount(currency, value) for value, currency in sorted(found.get("amount", ()))],
        "dates": values("date"),
        "description": _label_of(found, field="description", properties=_DESCRIPTION_PROPERTIES),
        "quote": quotes[0] if quotes else None,
    }


def _edge_facts(graph: Graph, facts: dict[str, dict[str, set[tuple[str, str]]]], *, external: bool) -> list[_EdgeFact]:
    from rdflib import URIRef

    documents = _documents(facts)
    links: set[tuple[str, str, str]] = set()
    plain_associations: set[tuple[str, str]] = set()  # (agent, action)
    roles: dict[tuple[str, str], set[str | None]] = defaultdict(set)  # (agent, action) -> roles
    for row in _run(graph, _EDGE_QUERY):
        if not isinstance(row.source, URIRef):
            continue
        source, target = str(row.source), str(row.target)
        if not (
            is_entity(source, external=external, documents=documents)
            and is_entity(target, external=external, documents=documents)
        ):
            continue
        if row.association is not None:
            roles[(source, target)].add(str(row.role) if row.role is not None else None)
        elif str(row.predicate) == WAS_ASSOCIATED_WITH:
            plain_associations.add((target, source))
        else:
            links.add((source, str(row.predicate), target))
    for pair in plain_associations - set(roles):  # associations stated only plainly
        roles[pair].add(None)

    def label(iri: str) -> str:
        return _label_of(facts.get(iri)) or humanize(local_name(iri))

    edges = [_EdgeFact(s, p, o, label(p), None, False) for s, p, o in links]
    edges += [
        _EdgeFact(agent, WAS_ASSOCIATED_WITH, action, label(role) if role else "associated with", role, True)
        for (agent, action), found in roles.items()
        for role in found
    ]
    return sorted(edges, key=lambda e: (e.source, e.target, e.predicate, e.role or ""))


def to_networkx(graph: Graph, *, view: View = "entities") -> nx.MultiDiGraph:
    """One NetworkX view of an RDF graph (see the module docstring for the views)."""
    return build_views(graph, views=(view,))[view]


def build_views(graph: Graph, *, views: tuple[str, ...] = VIEWS, external: bool = False) -> dict[str, nx.MultiDiGraph]:
    """Several views from one pass over the graph (the two queries run once).

    ``external`` makes any non-vocabulary IRI a node, not only HLED entities: maps of CONSTRUCT
    results use it, so a query that returns Wikidata items can draw them.
    """
    for view in views:
        if view not in VIEWS:
            raise InputError(f"unknown network view {view!r}; use one of {', '.join(VIEWS)}")
    facts = _facts(graph)
    documents = _documents(facts)
    nodes = {
        iri: _node_attributes(iri, facts)
        for iri in sorted(facts)
        if is_entity(iri, external=external, documents=documents)
    }
    edges = _edge_facts(graph, facts, external=external)
    return {view: _assemble(view, nodes, edges) for view in views}


def _assemble(view: str, nodes: dict[str, dict[str, Any]], edges: list[_EdgeFact]) -> nx.MultiDiGraph:
    import networkx as nx

    result = nx.MultiDiGraph(view=view)
    if view == "entities":
        for iri in sorted(nodes):
            result.add_node(iri, **nodes[iri])
        for edge in edges:
            for end in (edge.source, edge.target):
                if end not in result:  # an IRI known only as an object (no triple of its own)
                    result.add_node(end, **_bare_node(end))
            attributes = {"predicate": edge.predicate, "label": edge.label}
            if edge.role:
                attributes["role"] = edge.role
            result.add_edge(edge.source, edge.target, **attributes)
        return result
    associations = [e for e in edges if e.is_association]
    if view == "bipartite":
        _add_bipartite(result, nodes, associations)
    else:
        _add_collaboration(result, nodes, associations)
    return result


def _bare_node(iri: str) -> dict[str, Any]:
    return {
        "iri": iri,
        "label": compact(iri),
        "class": None,
        "class_label": None,
        "class_iri": None,
        "category": _category(iri, []),
        "country": None,
        "country_iris": [],
        "pillars": [],
        "amounts": [],
        "dates": [],
        "description": None,
        "quote": None,
    }


def _add_bipartite(result: nx.MultiDiGraph, nodes: dict[str, dict[str, Any]], associations: list[_EdgeFact]) -> None:
    agents = sorted({e.source for e in associations})
    actions = sorted({e.target for e in associations})
    for iri in agents:
        result.add_node(iri, **{**nodes.get(iri, _bare_node(iri)), "bipartite": 0})
    for iri in actions:
        result.add_node(iri, **{**nodes.get(iri, _bare_node(iri)), "bipartite": 1})
    for edge in associations:
        attributes = {"predicate": edge.predicate, "label": edge.label}
        if edge.role:
            attributes["role"] = edge.role
        result.add_edge(edge.source, edge.target, **attributes)


def _add_collaboration(
    result: nx.MultiDiGraph, nodes: dict[str, dict[str, Any]], associations: list[_EdgeFact]
) -> None:
    actions_of: dict[str, set[str]] = defaultdict(set)
    for edge in associations:
        actions_of[edge.source].add(edge.target)
    agents = sorted(actions_of)
    for iri in agents:
        result.add_node(iri, **{**nodes.get(iri, _bare_node(iri)), "action_count": len(actions_of[iri])})
    for index, first in enumerate(agents):
        for second in agents[index + 1 :]:
            shared = sorted(actions_of[first] & actions_of[second])
            if not shared:
                continue
            labels = [nodes.get(a, _bare_node(a))["label"] for a in shared]
            pillars = sorted({p for a in shared for p in nodes.get(a, _bare_node(a))["pillars"]})
            result.add_edge(
                first,
                second,
                predicate=WAS_ASSOCIATED_WITH,
                label=f"{len(shared)} shared action" + ("s" if len(shared) != 1 else ""),
                weight=len(shared),
                actions=shared,
                action_labels=labels,
                pillars=pillars,
            )


# --- export ------------------------------------------------------------------------------------


def export_network(nx_graph: nx.MultiDiGraph, *, fmt: ExportFormat = "graphml") -> str:
    """The graph as text: GraphML, GEXF, node-link JSON or Cytoscape JSON; same bytes every run.

    Nodes and edges are written sorted; GraphML and GEXF cannot hold lists, so list attributes
    become ``"; "``-joined strings there and attributes without a value are left out.
    """
    import networkx as nx

    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown network format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    flat = fmt in {"graphml", "gexf"}
    ordered = nx.MultiDiGraph()
    ordered.graph.update({k: v for k, v in sorted(nx_graph.graph.items()) if v is not None})
    for node in sorted(nx_graph.nodes, key=str):
        ordered.add_node(node, **_clean(nx_graph.nodes[node], flat=flat))
    edges = sorted(
        nx_graph.edges(keys=True, data=True),
        key=lambda e: (str(e[0]), str(e[1]), json.dumps(_clean(e[3], flat=False), sort_keys=True)),
    )
    for source, target, _key, data in edges:
        ordered.add_edge(source, target, **_clean(data, flat=flat))
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(ordered)) + "\n"
    if fmt == "gexf":
        text = "\n".join(nx.generate_gexf(ordered)) + "\n"
        # GEXF writes today's date into <meta>: drop it, the output must not change by the day
        return re.sub(r' lastmodifieddate="[^"]*"', "", text)
    data = nx.node_link_data(ordered, edges="edges") if fmt == "json" else nx.cytoscape_data(ordered, name="label")
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _clean(attributes: dict[str, Any], *, flat: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key in sorted(attributes):
        value = attributes[key]
        if value is None:
            continue
        if flat and isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        cleaned[key] = value
    return cleaned
