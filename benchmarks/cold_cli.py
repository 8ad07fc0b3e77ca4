"""a. Cold CLI: `hled-graph query` and `hled-graph --help` end to end, as a user starts them."""

from __future__ import annotations

import re
import subprocess
import sys

from benchmarks.common import (
    CommandFailed,
    Context,
    Section,
    library_queries,
    progress,
    seconds,
    shipped_data_file,
    time_commands_interleaved,
    time_row,
)

MAX_QUERY_RATIO = 0.6
MAX_HELP_RATIO = 1.5


def importtime_offenders(command_args: list[str], *, top: int = 12) -> list[str]:
    """The imports that cost most when the CLI runs ``command_args`` (``python -X importtime``)."""
    code = f"from hled_graph.cli import main; main({command_args!r})"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=120)
    entries = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            entries.append((int(cumulative_us), int(self_us), len(indent) // 2, module))
    # Top-level imports (depth 0 or 1 below the CLI) by cumulative time: what a lazy import would save.
    heads = sorted((e for e in entries if e[2] <= 1), reverse=True)[:top]
    return [f"`{module}` {cumulative / 1000:.0f} ms cumulative ({self_time / 1000:.0f} ms self)"
            for cumulative, self_time, _, module in heads]


def run(ctx: Context) -> Section:
    section = Section("a", "Cold CLI (subprocess wall time, start to exit)")
    runs = ctx.runs(7, 3)
    cli = ctx.hled_graph()

    progress("  hled-graph --help vs python -c 'import click'")
    help_time, click_time = time_commands_interleaved([[*cli, "--help"], [sys.executable, "-c", "import click"]],
                                                      runs=runs)
    section.rows.append(time_row("`hled-graph --help` vs `python -c 'import click'`", seconds(help_time),
                                 seconds(click_time), max_ratio=MAX_HELP_RATIO))
    if help_time / click_time > MAX_HELP_RATIO:
        section.notes.append("`--help` goal missed; `python -X importtime` of `hled-graph --help`, top-level "
                             "imports by cumulative time:")
        section.notes.extend(f"  - {line}" for line in importtime_offenders(["--help"]))

    data_file = shipped_data_file()
    queries = library_queries()
    query = next((q for q in queries if not q.parameters), queries[0])
    progress(f"  hled-graph query {query.name} vs python -c 'import rdflib; Graph().parse(...)'")
    try:
        query_time, rdflib_time = time_commands_interleaved(
            [[*cli, "query", query.name],
             [sys.executable, "-c", f"import rdflib; rdflib.Graph().parse({str(data_file)!r})"]], runs=runs)
    except CommandFailed as exc:
        section.skip(f"`hled-graph query {query.name}`", str(exc))
        return section
    ratio = query_time / rdflib_time
    section.rows.append(time_row(f"`hled-graph query {query.name}` vs `rdflib.Graph().parse('{data_file.name}')`",
                                 seconds(query_time), seconds(rdflib_time), max_ratio=MAX_QUERY_RATIO))
    section.notes.append(
        f"Median of {runs} runs each, ours and the anchor alternated. The query is the library's `{query.name}` on the shipped graph; "
        "the anchor is the floor of any rdflib-based tool: import rdflib and parse the data file."
    )
    if ratio > MAX_QUERY_RATIO:
        section.notes.append(
            "Goal missed; `python -X importtime` of `hled-graph query "
            f"{query.name}`, top-level imports by cumulative time:"
        )
        section.notes.extend(f"  - {line}" for line in importtime_offenders(["query", query.name]))
    return section
