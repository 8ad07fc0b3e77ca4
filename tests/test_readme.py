"""The README stays true: its commands are CI's, its tables are generated, its examples exist."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import click
import pytest

from hled_graph.cli import cli
from hled_graph.sparql.library import load_library

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    section = README.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_exactly_two_setup_commands_and_ci_runs_the_test_command() -> None:
    commands = setup_commands()
    assert len(commands) == 2
    assert commands[0] == "pip install . && hled-graph build"
    test_command = commands[1].split(" && pip install", 1)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install" + test_command in ci, "CI must run the README's test command"
    assert "apt-get install -y" in ci and "chromium" in ci


def refresh_readme_module():
    spec = importlib.util.spec_from_file_location("refresh_readme", ROOT / "tools" / "refresh_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_tables_are_current() -> None:
    module = refresh_readme_module()
    assert module.refresh(README) == README, "run `python tools/refresh_readme.py`"


@pytest.mark.parametrize("command", [
    "hled-graph query pillars -o {target}",
    "hled-graph query pillars --output={target}",
    "hled-graph query pillars -fturtle -o{target}",
    "hled-graph export -o {target}",
    "hled-graph build -o {target}",
])
def test_a_readme_example_cannot_write_a_file(tmp_path: Path, command: str) -> None:
    """Refreshing runs what the markers say (so does this test file): an edited marker must not write anywhere."""
    target = tmp_path / "victim"
    text = f"<!-- output: {command.format(target=target)} -->\nold\n<!-- output:end -->\n"
    with pytest.raises(SystemExit, match="an example"):
        refresh_readme_module().refresh(text)
    assert list(tmp_path.iterdir()) == []


def test_every_command_is_documented() -> None:
    """Like datasette's documented-settings test: each command and serve option appears in the README."""

    def names(group: click.Group, prefix: str = "") -> list[str]:
        found = []
        for name, command in group.commands.items():
            found.append(f"{prefix}{name}")
            if isinstance(command, click.Group):
                found += names(command, f"{prefix}{name} ")
        return found

    missing = [name for name in names(cli) if f"hled-graph {name}" not in README]
    assert missing == []
    serve = cli.commands["serve"]
    options = [opt for param in serve.params for opt in param.opts if opt.startswith("--")]
    assert [opt for opt in options if opt not in README] == []


def test_example_queries_exist_and_the_count_is_right() -> None:
    library = load_library()
    for name in re.findall(r"hled-graph query ([a-z][a-z0-9-]+)(?![.\w])", README):
        assert name in library, name
    assert f"all {len(library)}" in README
    offline = [q for q in library.values() if not q.online_only]
    assert f"the {len(offline)} offline example queries" in README


def test_how_it_is_built_lists_the_real_tree() -> None:
    """Every module and folder of the package is named in the README's tree, and nothing else."""
    section = README.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    tree = section.split("```", 2)[1]
    package_part = tree.split("src/hled_graph/", 1)[1].split("\nbenchmarks/", 1)[0]
    named = set(re.findall(r"([A-Za-z_]\w*\.py)\b", package_part))
    package = ROOT / "src" / "hled_graph"
    modules = {path.name for path in package.rglob("*.py") if path.name != "__init__.py"}
    assert sorted(modules - named) == [], "modules missing from the README's tree"
    assert sorted(named - modules) == [], "the README's tree names modules that do not exist"
    folders = {path.name for path in package.rglob("*") if path.is_dir() and path.name != "__pycache__"}
    assert sorted(folder for folder in folders if f"{folder}/" not in package_part) == []
    for tool in (ROOT / "tools").glob("*.py"):
        assert tool.name in tree, tool.name


def test_the_python_example_runs_and_does_what_its_comments_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    section = README.split("### In Python and Jupyter", 1)[1]
    code = re.search(r"```python\n(.+?)\n```", section, re.S)
    assert code
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}
    exec(compile(code.group(1), "README.md", "exec"), names)
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split()[:2] == ["action", "amount"] and printed.rstrip().endswith("(4 rows)")
    frame = names["frame"]
    assert str(frame["amount"].dtype) == "Float64"  # type: ignore[index]
    assert (tmp_path / "money.csv").read_text(encoding="utf-8").startswith("action,amount,currency,")
    assert names["g"].number_of_nodes() > 10  # type: ignore[attr-defined]
