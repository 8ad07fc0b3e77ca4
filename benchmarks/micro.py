"""e. Engine micro-anchors of the issue, re-measured here: import, load 3k triples, the query trio."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Context,
    Section,
    median,
    progress,
    seconds,
    shipped_graph_files,
    speedup_row,
    time_call,
    time_commands_interleaved,
)
from benchmarks.scale import TRIO, measure_size, rdflib_value, size_label

# The issue's figures (2 cores), for comparison with what this machine measures.
ISSUE = {
    "import": "rdflib 255 ms vs pyoxigraph 28 ms",
    "load 3k": "rdflib 0.16 s vs pyoxigraph 0.01 s",
    "load 1M": "rdflib 63 s vs pyoxigraph 4.9 s",
    "join": "rdflib 21 s vs pyoxigraph 1.7 s",
    "aggregate": "rdflib 14 s vs pyoxigraph 0.34 s",
    "filter+optional": "rdflib 41 s vs pyoxigraph 0.30 s",
}


def _issue_row(section: Section, figure: str, ours: Any, anchor: Any, issue_key: str) -> None:
    row = speedup_row(figure, ours, anchor)
    section.rows.append(row.__class__(row.figure, row.ours, row.anchor, row.ratio, f"issue: {ISSUE[issue_key]}", "—"))


def run(ctx: Context) -> Section:
    section = Section("e", "Engine micro-anchors (ours = pyoxigraph / our engine, anchor = rdflib)")
    runs = ctx.runs(7, 3)
    progress("  import rdflib vs import pyoxigraph")
    rdflib_import, ox_import, python_floor = time_commands_interleaved(
        [[sys.executable, "-c", "import rdflib"], [sys.executable, "-c", "import pyoxigraph"],
         [sys.executable, "-c", "pass"]], runs=runs)
    _issue_row(
        section, "import (subprocess, incl. interpreter start)", seconds(ox_import), seconds(rdflib_import), "import"
    )
    section.notes.append(
        f"Interpreter start alone (`python -c pass`): {python_floor * 1000:.0f} ms; "
        f"import cost beyond it: rdflib {(rdflib_import - python_floor) * 1000:.0f} ms, "
        f"pyoxigraph {(ox_import - python_floor) * 1000:.0f} ms."
    )

    files = shipped_graph_files()
    data = [f for f in files if f.name.startswith("hled-")]
    if not data:
        section.skip("load our real graph (~3k triples)", "data/hled-2022.ttl has not landed")
    else:
        _load_real(section, data[0], runs=max(runs, 5))

    size = max(ctx.sizes)
    scale: dict[int, dict[str, Any]] = ctx.shared.get("scale", {})  # type: ignore[assignment]
    result = scale.get(size)
    if result is None:
        progress(f"  trio at {size_label(size)} (section b did not run)")
        result = measure_size(ctx, size, [])
    label = size_label(size)
    load_key = "load 1M" if size == 1_000_000 else "load 3k"
    rdflib_load = result["rdflib"].get("load")
    if rdflib_load is not None:
        _issue_row(
            section,
            f"load {label} synthetic triples: engine vs rdflib",
            seconds(result["engine_load"]),
            seconds(rdflib_load),
            load_key,
        )
    for name in TRIO:
        key = f"trio:{name}"
        ours = result["engine"][key]
        anchor = rdflib_value(result["rdflib"], key, ctx.rdflib_cap)
        if isinstance(anchor, str):
            section.skip(f"{name} at {label}", anchor)
            continue
        _issue_row(section, f"{name} at {label} (engine vs rdflib)", seconds(ours), anchor, name)
    if size != 1_000_000:
        section.notes.append(
            f"The trio ran at {label} triples (the largest size of this run); the issue's figures are at 10⁶."
        )
    section.notes.append(
        "No goals here: these re-measure the issue's anchors on this machine; the queries are in "
        "benchmarks/scale.py (TRIO)."
    )
    return section


def _load_real(section: Section, path: Path, *, runs: int) -> None:
    import pyoxigraph as ox
    import rdflib

    progress(f"  load {path.name} in rdflib and pyoxigraph")
    fmt = "turtle" if path.suffix == ".ttl" else None
    rdflib_time = median(time_call(lambda: rdflib.Graph().parse(path, format=fmt), runs=runs))
    triples = len(rdflib.Graph().parse(path, format=fmt))
    ox_format = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES
    ox_time = median(time_call(lambda: ox.Store().load(path=str(path), format=ox_format), runs=runs))
    _issue_row(
        section,
        f"load {path.name} ({triples:,} triples, in process)",
        seconds(ox_time),
        seconds(rdflib_time),
        "load 3k",
    )
