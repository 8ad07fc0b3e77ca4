"""Who works with whom: centrality, components, communities and cross-border pairs.

Everything is computed on the organization collaboration network (agents linked when associated
with the same action), made an undirected simple graph whose edge ``weight`` is the number of
shared actions. Betweenness treats a strong tie as a short one (distance = 1 / weight), so two
agents that act together often sit close. Communities come from Louvain with a fixed seed.
All lists are sorted, so the same graph gives the same report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from hled_graph.namespaces import PREFIXES

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

UNITED_STATES = PREFIXES["hdl"] + "united-states"
MEXICO = PREFIXES["hdl"] + "mexico"
COMMUNITY_SEED = 42
NO_PILLAR = "none"
NO_COUNTRY = "none"


@dataclass(frozen=True)
class Entity:
    iri: str
    label: str


@dataclass(frozen=True)
class AgentCentrality:
    iri: str
    label: str
    country: str | None
    partners: int  # distinct agents it shares an action with
    shared_actions: int  # sum of edge weights (an action with three partners counts thrice)
    degree_centrality: float  # partners / (n - 1)
    betweenness: float  # normalized, on distance = 1 / weight


@dataclass(frozen=True)
class CrossBorderPair:
    united_states: Entity
    mexico: Entity
    actions: list[Entity]


@dataclass(frozen=True)
class PillarCount:
    pillar: str  # "1" ... "4", or "none" for the introduction's actions
    actions: int
    agents: int


@dataclass(frozen=True)
class CountryCount:
    country: str  # a label, or "none"
    agents: int
    actions: int  # actions with at least one agent of that country


@dataclass
class Report:
    agents: list[AgentCentrality] = field(default_factory=list)
    components: list[list[Entity]] = field(default_factory=list)
    communities: list[list[Entity]] = field(default_factory=list)
    cross_border_pairs: list[CrossBorderPair] = field(default_factory=list)
    pillars: list[PillarCount] = field(default_factory=list)
    countries: list[CountryCount] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and dicts, ready for ``json.dumps``."""
        return asdict(self)

    def to_markdown(self) -> str:
        lines = ["# Collaboration network of the HLED", ""]
        lines += ["## Organizations by betweenness", "",
                  "| organization | country | partners | shared actions | degree centrality | betweenness |",
                  "|---|---|---:|---:|---:|---:|"]
        lines += [
            f"| {_cell(a.label)} | {_cell(a.country or '')} | {a.partners} | {a.shared_actions} "
            f"| {a.degree_centrality:.3f} | {a.betweenness:.3f} |"
            for a in self.agents
        ]
        lines += ["", f"## Connected components ({len(self.components)})", ""]
        lines += [f"{i}. {', '.join(_cell(e.label) for e in c)}"
                  for i, c in enumerate(self.components, 1)]
        lines += ["", f"## Communities (Louvain, seed {COMMUNITY_SEED})", ""]
        lines += [f"{i}. {', '.join(_cell(e.label) for e in c)}"
                  for i, c in enumerate(self.communities, 1)]
        lines += ["", "## U.S.–Mexico pairs that act together", "",
                  "| United States | Mexico | shared actions |", "|---|---|---|"]
        lines += [
            f"| {_cell(p.united_states.label)} | {_cell(p.mexico.label)} "
            f"| {'; '.join(_cell(a.label) for a in p.actions)} |"
            for p in self.cross_border_pairs
        ]
        lines += ["", "## Per pillar", "", "| pillar | actions | organizations |", "|---|---:|---:|"]
        lines += [f"| {p.pillar} | {p.actions} | {p.agents} |" for p in self.pillars]
        lines += ["", "## Per country", "", "| country | organizations | actions |", "|---|---:|---:|"]
        lines += [f"| {_cell(c.country)} | {c.agents} | {c.actions} |" for c in self.countries]
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def analyze(graph: Graph) -> Report:
    """The collaboration report of an RDF graph (see the module docstring)."""
    from hled_graph.viz.network import build_views

    views = build_views(graph, views=("entities", "collaboration", "bipartite"))
    return analyze_views(entities=views["entities"], collaboration=views["collaboration"],
                         bipartite=views["bipartite"])


def analyze_views(*, entities: nx.MultiDiGraph, collaboration: nx.MultiDiGraph,
                  bipartite: nx.MultiDiGraph) -> Report:
    """The report from views already built (so callers that have them do not query again)."""
    simple = collaboration_graph(collaboration)
    return Report(
        agents=_centrality(simple),
        components=_groups(simple, _components(simple)),
        communities=_groups(simple, _communities(simple)),
        cross_border_pairs=_cross_border(collaboration),
        pillars=_pillar_counts(entities, bipartite),
        countries=_country_counts(collaboration, bipartite),
    )


def collaboration_graph(collaboration: nx.MultiDiGraph) -> nx.Graph:
    """The collaboration view as an undirected simple graph with ``weight`` and ``distance``."""
    import networkx as nx

    simple = nx.Graph()
    for node in sorted(collaboration.nodes):
        simple.add_node(node, **collaboration.nodes[node])
    for source, target, data in sorted(collaboration.edges(data=True), key=lambda e: (e[0], e[1])):
        weight = data.get("weight", 1)
        if simple.has_edge(source, target):
            weight += simple.edges[source, target]["weight"]
        simple.add_edge(source, target, weight=weight, distance=1.0 / weight)
    return simple


def _centrality(simple: nx.Graph) -> list[AgentCentrality]:
    import networkx as nx

    degree = nx.degree_centrality(simple) if len(simple) > 1 else dict.fromkeys(simple, 0.0)
    betweenness = nx.betweenness_centrality(simple, weight="distance", normalized=True)
    agents = [
        AgentCentrality(
            iri=node,
            label=simple.nodes[node].get("label", node),
            country=simple.nodes[node].get("country"),
            partners=simple.degree(node),
            shared_actions=int(simple.degree(node, weight="weight")),
            degree_centrality=round(degree[node], 6),
            betweenness=round(betweenness[node], 6),
        )
        for node in simple.nodes
    ]
    return sorted(agents, key=lambda a: (-a.betweenness, -a.degree_centrality, a.label, a.iri))


def _components(simple: nx.Graph) -> list[set[str]]:
    import networkx as nx

    return list(nx.connected_components(simple))


def _communities(simple: nx.Graph) -> list[set[str]]:
    import networkx as nx

    if simple.number_of_edges() == 0:
        return [{node} for node in simple.nodes]
    return list(nx.community.louvain_communities(simple, weight="weight", seed=COMMUNITY_SEED))


def _groups(simple: nx.Graph, groups: list[set[str]]) -> list[list[Entity]]:
    """Each group sorted by label; the groups largest first, then by their first label."""
    entities = [
        sorted((Entity(n, simple.nodes[n].get("label", n)) for n in group),
               key=lambda e: (e.label, e.iri))
        for group in groups
    ]
    return sorted(entities, key=lambda g: (-len(g), g[0].label if g else ""))


def _cross_border(collaboration: nx.MultiDiGraph) -> list[CrossBorderPair]:
    pairs = []
    for source, target, data in collaboration.edges(data=True):
        countries = {
            node: set(collaboration.nodes[node].get("country_iris", [])) for node in (source, target)
        }
        for us, mx in ((source, target), (target, source)):
            if countries[us] == {UNITED_STATES} and countries[mx] == {MEXICO}:
                pairs.append(CrossBorderPair(
                    united_states=Entity(us, collaboration.nodes[us]["label"]),
                    mexico=Entity(mx, collaboration.nodes[mx]["label"]),
                    actions=[Entity(i, label) for i, label in
                             sorted(zip(data["actions"], data["action_labels"], strict=False))],
                ))
    return sorted(pairs, key=lambda p: (-len(p.actions), p.united_states.label, p.mexico.label))


def _actions(entities: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, d in entities.nodes(data=True) if d.get("category") in {"action", "event"})


def _pillar_counts(entities: nx.MultiDiGraph, bipartite: nx.MultiDiGraph) -> list[PillarCount]:
    actions_in: dict[str, set[str]] = defaultdict(set)
    agents_in: dict[str, set[str]] = defaultdict(set)
    for action in _actions(entities):
        keys = [str(p) for p in entities.nodes[action].get("pillars", [])] or [NO_PILLAR]
        agents = set(bipartite.predecessors(action)) if action in bipartite else set()
        for key in keys:
            actions_in[key].add(action)
            agents_in[key] |= agents
    return [PillarCount(key, len(actions_in[key]), len(agents_in[key]))
            for key in sorted(actions_in, key=lambda k: (k == NO_PILLAR, k))]


def _country_counts(collaboration: nx.MultiDiGraph, bipartite: nx.MultiDiGraph) -> list[CountryCount]:
    agents_of: dict[str, set[str]] = defaultdict(set)
    actions_of: dict[str, set[str]] = defaultdict(set)
    for agent, data in collaboration.nodes(data=True):
        country = data.get("country") or NO_COUNTRY
        agents_of[country].add(agent)
        if agent in bipartite:
            actions_of[country] |= set(bipartite.successors(agent))
    return [CountryCount(country, len(agents_of[country]), len(actions_of[country]))
            for country in sorted(agents_of, key=lambda c: (c == NO_COUNTRY, c))]
