"""Rewrite the README's generated parts: `python tools/refresh_readme.py`.

Two kinds: named tables (data counts, Wikidata coverage) between `<!-- NAME:start -->` and
`<!-- NAME:end -->`, and command examples between `<!-- output: hled-graph ARGS -->` and
`<!-- output:end -->`, where the command is run as a user would and its real output written
below it (`| head -N` keeps the first N lines). tests/test_readme.py fails when any drifts.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hled_graph.graph import load_graph
from hled_graph.publish.coverage import coverage_markdown
from hled_graph.stats import compute_stats

README = Path(__file__).resolve().parent.parent / "README.md"


def generated_parts() -> dict[str, str]:
    """Each generated README part by its marker name."""
    return {"stats": compute_stats(load_graph(include_inferred=False)).to_markdown(), "coverage": coverage_markdown().rstrip()}


_EXAMPLE = re.compile(r"(<!-- output: (?P<command>[^\n]+?) -->\n).*?(<!-- output:end -->)", re.S)


# Refreshing the README (and tests/test_readme.py) runs whatever its markers say: only options that
# print, never one that writes a file (-o), reads standard input (-) or reaches a server (--endpoint).
_EXAMPLE_OPTIONS = ("-f", "--format", "-b", "--bind", "-q", "--query", "--json")


def command_output(command: str) -> str:
    """What `command` prints, run in a subprocess like a user's shell (the one pipe allowed: head -N)."""
    words = shlex.split(command)
    keep: int | None = None
    if "|" in words:
        at = words.index("|")
        pipe = words[at + 1:]
        if len(pipe) != 2 or pipe[0] != "head" or not re.fullmatch(r"-\d+", pipe[1]):
            sys.exit(f"README.md: {command!r}: the only pipe an example may have is `| head -N`")
        words, keep = words[:at], int(pipe[1][1:])
    if words[:1] != ["hled-graph"] or words[1:2] not in (["query"], ["analyze"]):
        sys.exit(f"README.md: {command!r}: an example runs `hled-graph query` or `hled-graph analyze`")
    unsafe = [word for word in words[2:] if word.startswith("-") and word.split("=")[0] not in _EXAMPLE_OPTIONS]
    if unsafe:
        sys.exit(f"README.md: {command!r}: {unsafe[0]!r} is not an option an example may use ({', '.join(_EXAMPLE_OPTIONS)})")
    result = subprocess.run([sys.executable, "-m", "hled_graph.cli", *words[1:]], capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"README.md: {command!r} failed: {result.stderr.strip()}")
    lines = result.stdout.rstrip("\n").split("\n")
    return "\n".join(lines if keep is None else lines[:keep])


def example_block(command: str) -> str:
    """The command and its output: Markdown tables as they are (they render), anything else fenced."""
    output = command_output(command)
    shown = output if "--format markdown" in command else f"```text\n{output}\n```"
    return f"```sh\n{command}\n```\n\n{shown}\n"


def _replacement(body: str) -> Callable[[re.Match[str]], str]:
    """What re.sub puts between a generated part's two markers."""
    return lambda match: match.group(1) + body + "\n" + match.group(2)


def refresh(text: str) -> str:
    text = _EXAMPLE.sub(lambda m: m.group(1) + example_block(m.group("command")) + m.group(3), text)
    for name, body in generated_parts().items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            sys.exit(f"README.md: no <!-- {name}:start --> ... <!-- {name}:end --> markers")
        text = pattern.sub(_replacement(body), text)
    return text


if __name__ == "__main__":
    README.write_text(refresh(README.read_text(encoding="utf-8")), encoding="utf-8")
