"""The graph inside a real Oxigraph server: load, the whole query library remotely, reload.

`hled-graph load` pushes the merged graph into Oxigraph's default graph; every offline library
query then runs through `hled-graph query --endpoint` and must answer what it answers locally.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from hled_graph.sparql.engine import load_store, run_query
from hled_graph.sparql.library import load_library

# named-graphs asks how the shipped named graphs are laid out; a store loaded with the merged
# graph has them all in its default graph, so that answer differs by design.
LAYOUT_QUERIES = {"named-graphs"}
QUERIES = sorted(name for name, q in load_library().items() if not q.online_only and name not in LAYOUT_QUERIES)


def hled(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "hled_graph.cli", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(results_json: str) -> list[str]:
    """Rows as a sorted multiset; GROUP_CONCAT lists ("a; b") sorted, their order is the engine's."""
    document = json.loads(results_json)
    if "boolean" in document:
        return [str(document["boolean"])]
    result = []
    for row in document["results"]["bindings"]:
        for cell in row.values():
            if "; " in cell["value"]:
                cell["value"] = "; ".join(sorted(cell["value"].split("; ")))
        result.append(json.dumps(row, sort_keys=True))
    return sorted(result)


def count(endpoint: str) -> int:
    return int(json.loads(hled("query", "--query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                               "--endpoint", endpoint, "-f", "json"))["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def loaded(start_oxigraph_module) -> str:
    base = start_oxigraph_module()
    hled("load", "--endpoint", base)
    return base + "/query"


def test_load_puts_every_triple_once_and_reload_duplicates_nothing(loaded: str) -> None:
    from hled_graph.graph import load_graph

    expected = len(load_graph())
    assert count(loaded) == expected
    hled("load", "--endpoint", loaded.removesuffix("/query"))
    assert count(loaded) == expected


@pytest.mark.parametrize("name", QUERIES)
def test_every_library_query_answers_the_same_remotely(loaded: str, name: str) -> None:
    if run_query(load_store(), load_library()[name].text).kind == "construct":  # DESCRIBE counts as construct
        remote = Graph().parse(data=hled("query", name, "--endpoint", loaded, "-f", "nt"), format="nt")
        local = Graph().parse(data=hled("query", name, "-f", "nt"), format="nt")
        assert len(local) > 0 and isomorphic(remote, local)
    else:
        assert rows(hled("query", name, "--endpoint", loaded, "-f", "json")) == rows(hled("query", name, "-f", "json"))
