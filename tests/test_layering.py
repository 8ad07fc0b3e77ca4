"""Imports point down: an ``ast`` walk over ``src/`` (every import, also inside functions and
under ``TYPE_CHECKING``) fails on an import that points up and on any import cycle.

The layers, bottom to top:

* core: every module of ``hled_graph`` outside the faces (resources, namespaces, graph, validate,
  terms, http_client, formats, ...);
* the faces ``sparql``, ``viz`` and ``publish``: each imports core and itself, not another face,
  except ``publish.remote`` using ``sparql.engine``;
* the top: the package's Python API (``hled_graph/__init__.py``, ``hled_graph.network``), ``cli``
  and ``build``, which see everything.

The server (``sparql.server``) imports neither ``publish`` nor rdflib anywhere, and importing it
loads neither through the modules it imports (their module-level imports; a helper module may keep
an rdflib function whose import waits inside it): it answers from pyoxigraph alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "hled_graph"
FACES = ("sparql", "viz", "publish")
TOP = frozenset({PACKAGE, f"{PACKAGE}.cli", f"{PACKAGE}.build", f"{PACKAGE}.network", f"{PACKAGE}.__main__"})
ALLOWED_BETWEEN_FACES = frozenset({(f"{PACKAGE}.publish.remote", f"{PACKAGE}.sparql.engine")})
SERVER = f"{PACKAGE}.sparql.server"
SERVER_MUST_NOT_REACH = ("rdflib", f"{PACKAGE}.publish")

Graph = dict[str, set[str]]


def modules_of(src: Path) -> dict[str, tuple[Path, bool]]:
    """Every module of the package under ``src``: dotted name -> (file, is a package)."""
    found = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _statements(tree: ast.AST, *, eager_only: bool) -> list[ast.AST]:
    """Every node of ``tree``; with ``eager_only``, only what runs on import (no function bodies, no TYPE_CHECKING)."""
    if not eager_only:
        return list(ast.walk(tree))
    found: list[ast.AST] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        # Only the guard itself: `if not TYPE_CHECKING:` or `if TYPE_CHECKING or x:` runs on import.
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


_DYNAMIC_IMPORTERS = ("importlib.import_module", "import_module", "__import__")


def _dynamic_import(node: ast.AST) -> ast.Call | None:
    """``node`` if it is an ``importlib.import_module(...)`` or ``__import__(...)`` call."""
    if isinstance(node, ast.Call) and ast.unparse(node.func) in _DYNAMIC_IMPORTERS:
        return node
    return None


def _literal_module(call: ast.Call) -> str | None:
    """The module a dynamic import names, if it is a string literal (absolute, or relative to a literal package)."""
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return None
    return call.args[0].value


def unresolvable_imports(src: Path) -> list[str]:
    """Dynamic imports the walk cannot follow (a computed name, or a relative one that needs its
    package at run time), as "module:line"."""
    found = []
    for name, (path, _is_package) in modules_of(src).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            call = _dynamic_import(node)
            if call is not None and (_literal_module(call) or ".").startswith("."):
                found.append(f"{name}:{call.lineno}")
    return sorted(found)


def imports_of(src: Path, *, eager_only: bool = False) -> Graph:
    """Module -> every module it imports (project modules and the top-level names of others).

    ``eager_only``: only the imports that run when the module is imported.
    """
    modules = modules_of(src)
    graph: Graph = {}
    for name, (path, is_package) in modules.items():
        package = name.split(".") if is_package else name.split(".")[:-1]
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _statements(tree, eager_only=eager_only):
            call = _dynamic_import(node)
            if call is not None:  # a computed name is left to unresolvable_imports
                targets.update(filter(None, [_literal_module(call)]))
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                submodules = {f"{source}.{alias.name}" for alias in node.names} & modules.keys()
                # `from pkg import submodule` imports the submodule; `from pkg import name`, pkg itself.
                targets.update(submodules)
                if len(submodules) < len(node.names):
                    targets.add(source)
        graph[name] = {
            target if target.startswith(PACKAGE) else target.split(".")[0] for target in targets if target != name
        }
    return graph


def layer_of(module: str) -> str:
    if module in TOP:
        return "top"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FACES else "core"


def _ours(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def upward_imports(graph: Graph) -> list[str]:
    """Every import that breaks the layering, as "importer -> imported (why)"."""
    found = []
    for importer, targets in sorted(graph.items()):
        for imported in sorted(filter(_ours, targets)):
            low, high = layer_of(importer), layer_of(imported)
            if low == "top" or low == high:
                continue
            if low == "core":
                found.append(f"{importer} -> {imported} (core imports {high})")
            elif high == "top":
                found.append(f"{importer} -> {imported} (a face imports the top)")
            elif high != "core" and (importer, imported) not in ALLOWED_BETWEEN_FACES:
                found.append(f"{importer} -> {imported} ({low} imports another face, {high})")
    return found


def reachable(graph: Graph, start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def server_reaches(graph: Graph, eager: Graph) -> list[str]:
    """Server modules that import rdflib or publish anywhere (``graph``), or load them on import
    through the modules they import (``eager``, the imports that run on import)."""
    found = []
    for module in sorted(m for m in graph if m == SERVER or m.startswith(SERVER + ".")):
        bad = sorted(
            target
            for target in graph[module] | reachable(eager, module)
            if any(target == f or target.startswith(f + ".") for f in SERVER_MUST_NOT_REACH)
        )
        if bad:
            found.append(f"{module} reaches {', '.join(bad)}")
    return found


def import_cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected groups of more than one project module (Tarjan's algorithm)."""
    ours = {m: sorted(t for t in targets if t in graph) for m, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in ours[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(ours):
        if module not in index:
            visit(module)
    return sorted(groups)


# --------------------------------------------------------------------------- the real tree


@pytest.fixture(scope="module")
def project() -> Graph:
    return imports_of(SRC)


def test_the_walk_sees_the_whole_package(project: Graph) -> None:
    expected = {"hled_graph.cli", "hled_graph.sparql.engine", "hled_graph.publish.export", "hled_graph.terms"}
    assert expected <= project.keys()
    # an import inside a function counts: the CLI imports the engine only in its commands
    assert "hled_graph.sparql.engine" in project["hled_graph.cli"]


def test_no_import_points_up(project: Graph) -> None:
    assert upward_imports(project) == []


def test_the_server_reaches_neither_publish_nor_rdflib(project: Graph) -> None:
    assert server_reaches(project, imports_of(SRC, eager_only=True)) == []


def test_every_dynamic_import_names_its_module() -> None:
    assert unresolvable_imports(SRC) == []


def test_there_is_no_import_cycle(project: Graph) -> None:
    assert import_cycles(project) == []


# --------------------------------------------------------------------------- the checker itself


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "src" / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "src"


GOOD = {
    "__init__.py": "def query():\n    from hled_graph.sparql import engine\n",
    "errors.py": "",
    "graph.py": "from hled_graph.errors import InputError\n",
    "sparql/__init__.py": "",
    "sparql/engine.py": "from hled_graph import graph\n",
    "sparql/server/__init__.py": "",
    "sparql/server/app.py": "from ..engine import run\nimport pyoxigraph\n",
    "publish/__init__.py": "",
    "publish/remote.py": "from hled_graph.sparql.engine import run\n",
    "cli.py": "from hled_graph.publish import remote\nfrom hled_graph.sparql.server import app\n",
}


def test_a_tree_that_points_down_passes(tmp_path: Path) -> None:
    graph = imports_of(_tree(tmp_path, GOOD))
    assert graph["hled_graph.sparql.server.app"] == {"hled_graph.sparql.engine", "pyoxigraph"}
    assert graph["hled_graph.cli"] == {"hled_graph.publish.remote", "hled_graph.sparql.server.app"}
    eager = imports_of(_tree(tmp_path, GOOD), eager_only=True)
    assert (upward_imports(graph), server_reaches(graph, eager), import_cycles(graph)) == ([], [], [])


def test_the_checker_fails_on_imports_that_point_up_even_inside_functions(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "graph.py": "def check():\n    from hled_graph.sparql.engine import run\n",  # core -> face
        "publish/export.py": "from hled_graph.sparql import engine\n",  # face -> face, not the exception
        "sparql/library.py": "import hled_graph.cli\n",  # face -> top
    }
    assert upward_imports(imports_of(_tree(tmp_path, bad))) == [
        "hled_graph.graph -> hled_graph.sparql.engine (core imports sparql)",
        "hled_graph.publish.export -> hled_graph.sparql.engine (publish imports another face, sparql)",
        "hled_graph.sparql.library -> hled_graph.cli (a face imports the top)",
    ]


def test_the_checker_fails_on_a_cycle_through_an_import_inside_a_function(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "publish/export.py": "def write():\n    from hled_graph.publish.metadata import context\n",
        "publish/metadata.py": "from hled_graph.publish.links import WD\n",
        "publish/links.py": "from . import export\n",
    }
    assert import_cycles(imports_of(_tree(tmp_path, bad))) == [
        ["hled_graph.publish.export", "hled_graph.publish.links", "hled_graph.publish.metadata"]
    ]


def test_the_checker_fails_when_the_server_reaches_rdflib_through_another_module(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "sparql/bridge.py": "import rdflib.term\n",
        "sparql/labels.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import rdflib\n"
        "def of_rdflib():\n    import rdflib\n",
        "sparql/server/app.py": "from hled_graph.sparql import bridge\n",
        "sparql/server/docs.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from hled_graph.publish import remote\n"
        ),
        "sparql/server/pages.py": "from hled_graph.sparql import labels\n",  # no rdflib until of_rdflib runs
    }
    src = _tree(tmp_path, bad)
    assert server_reaches(imports_of(src), imports_of(src, eager_only=True)) == [
        "hled_graph.sparql.server.app reaches rdflib",
        "hled_graph.sparql.server.docs reaches hled_graph.publish.remote",
    ]


def test_the_checker_sees_dynamic_imports_and_guards_that_still_run(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "graph.py": "import importlib\ndef f():\n    return importlib.import_module('hled_graph.publish.remote')\n",
        "errors.py": "def g():\n    return __import__('hled_graph.viz')\n",
        "sparql/server/app.py": "from typing import TYPE_CHECKING\nif not TYPE_CHECKING:\n    import rdflib\n",
        "sparql/server/docs.py": "import importlib\nNAME = 'rdf' + 'lib'\nimportlib.import_module(NAME)\n",
    }
    src = _tree(tmp_path, bad)
    graph = imports_of(src)
    assert upward_imports(graph) == [
        "hled_graph.errors -> hled_graph.viz (core imports viz)",
        "hled_graph.graph -> hled_graph.publish.remote (core imports publish)",
    ]
    assert server_reaches(graph, imports_of(src, eager_only=True)) == ["hled_graph.sparql.server.app reaches rdflib"]
    assert unresolvable_imports(src) == ["hled_graph.sparql.server.docs:3"]


# --------------------------------------------------------------------------- heavy libraries stay lazy

HEAVY = ("pyvis", "networkx", "pyshacl", "rdflib", "uvicorn", "jinja2", "matplotlib")


def _loaded_after(*args: str) -> set[str]:
    """The heavy top-level packages in ``sys.modules`` after ``hled-graph ARGS`` ran in a fresh interpreter."""
    import subprocess
    import sys

    probe = (
        "import sys\nfrom hled_graph.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True)
    return set(done.stdout.splitlines()[-1].split())


def test_hled_graph_query_loads_no_heavy_library() -> None:
    assert _loaded_after("query", "pillars") == set()
    assert _loaded_after("queries") == set()


def test_only_the_commands_that_draw_maps_import_pyvis(tmp_path: Path) -> None:
    assert "pyvis" not in _loaded_after("analyze", "--json")
    assert "pyvis" not in _loaded_after("export", "-f", "nt", "-o", str(tmp_path / "hled.nt"))
    assert {"pyvis", "networkx"} <= _loaded_after("map", "--pillar", "1", "-o", str(tmp_path / "pillar-1.html"))
