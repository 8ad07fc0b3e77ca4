"""b. Scale: load and every library query on synthetic data, our engine vs raw pyoxigraph vs rdflib."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.common import (
    CommandFailed,
    Context,
    Section,
    Value,
    library_queries,
    median,
    progress,
    seconds,
    speedup_row,
    time_call,
    time_command,
    time_row,
)

GOAL_SIZE = 1_000_000
MIN_SPEEDUP_VS_RDFLIB = 20.0
MAX_RATIO_VS_RAW = 1.3

# The engine micro-anchors of the issue (section e): a join, an aggregate, a filter with OPTIONAL.
TRIO: dict[str, str] = {
    # Cross-border pairs: each action's lead and every associated agent of another country. Written
    # with one constant per pattern at most, because rdflib's pattern order turns two constant-object
    # patterns into a cross product (minutes at 10⁴ triples), which would measure nothing useful.
    "join": """
SELECT ?action ?lead ?name ?partner WHERE {
  ?action prov:qualifiedAssociation ?a ; prov:wasAssociatedWith ?partner .
  ?a prov:hadRole hled:leadRole ; prov:agent ?lead .
  ?lead rdfs:label ?name ; hled:country ?leadCountry .
  ?partner hled:country ?partnerCountry .
  FILTER(?leadCountry != ?partnerCountry)
}""",
    "aggregate": """
SELECT ?org (COUNT(DISTINCT ?action) AS ?actions) (SUM(?value) AS ?money) WHERE {
  ?action prov:wasAssociatedWith ?org .
  OPTIONAL { ?action hled:amount/schema:value ?value }
} GROUP BY ?org ORDER BY DESC(?actions) ?org""",
    "filter+optional": """
SELECT ?action ?label ?date ?value WHERE {
  ?action a ?class ; rdfs:label ?label .
  OPTIONAL { ?action time:hasTime/time:inXSDDate ?date }
  OPTIONAL { ?action hled:amount/schema:value ?value }
  FILTER(?class IN (hled:FundingCommitmentAct, hled:Award) && CONTAINS(LCASE(STR(?label)), "water"))
}""",
}


def size_label(size: int) -> str:
    exponent = len(str(size)) - 1
    if size == 10**exponent:
        return "10" + "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(exponent))
    return f"{size:,}"


def _materialize(result: Any) -> int:
    """Consume a pyoxigraph result the way a caller would: every value of every row."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for row in result for _ in [tuple(row)])


def _raw_query(store: Any, text: str, bindings: dict[str, Any]) -> int:
    import pyoxigraph as ox

    from hled_graph.namespaces import PREFIXES

    substitutions = {ox.Variable(name): term for name, term in bindings.items()} or None
    return _materialize(
        store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=substitutions)
    )


def _engine_query(store: Any, text: str, bindings: dict[str, Any]) -> int:
    from hled_graph.sparql import engine

    outcome = engine.run_query(store, text, bindings=bindings)
    return len(outcome.rows) if outcome.kind != "ask" else int(bool(outcome.boolean))


def _rdflib(ctx: Context, path: Path, jobs: list[dict[str, Any]], *, runs: int) -> dict[str, Any]:
    """Load + queries in rdflib, in a worker process; each query killed at the cap."""
    from hled_graph.namespaces import SPARQL_PROLOGUE

    job = {"file": str(path), "format": "nt", "runs": runs, "cap": ctx.rdflib_cap, "prologue": SPARQL_PROLOGUE,
           "queries": jobs}
    load_cap = max(20 * ctx.rdflib_cap, 600)
    worker = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.rdflib_worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, cwd=Path(__file__).resolve().parent.parent,
    )
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(json.dumps(job))
    worker.stdin.close()
    outcome: dict[str, Any] = {"queries": {}}
    start = time.monotonic()
    for line in worker.stdout:
        event = json.loads(line)
        if event["event"] == "load":
            outcome["load"] = event["seconds"]
            progress(f"    rdflib loaded {event['triples']:,} triples in {event['seconds']:.1f} s")
        else:
            outcome["queries"][event["name"]] = event
            shown = "timeout" if event.get("timeout") else event.get("error") or f"{median(event['seconds']):.3f} s"
            progress(f"    rdflib {event['name']}: {shown}")
        if "load" not in outcome and time.monotonic() - start > load_cap:
            break
    worker.kill()
    worker.wait()
    return outcome


def _counted(counts: dict[str, int], key: str, run: Callable[..., int], *args: Any) -> None:
    """Run one query and keep its row count under ``key`` (what every timed run must agree on)."""
    counts[key] = run(*args)


def _time_queries(ours: Any, raw: Any, queries: list[Any], result: dict[str, Any], *, runs: int) -> list[dict[str, Any]]:
    """Every library query and the trio on our engine and on raw pyoxigraph; returns the rdflib jobs."""
    from benchmarks.synthetic import bindings_present_in

    jobs = [{"name": q.name, "text": q.text, "bindings": bindings_present_in(raw, q.bindings())} for q in queries]
    jobs += [{"name": f"trio:{name}", "text": text, "bindings": {}} for name, text in TRIO.items()]
    for job in jobs:
        text, bindings = job["text"], job["bindings"]
        counts: dict[str, int] = {}
        result["engine"][job["name"]] = median(
            time_call(partial(_counted, counts, "engine", _engine_query, ours, text, bindings), runs=runs)
        )
        result["raw"][job["name"]] = median(
            time_call(partial(_counted, counts, "raw", _raw_query, raw, text, bindings), runs=runs)
        )
        result["rows"][job["name"]] = counts
        progress(
            f"    {job['name']}: engine {result['engine'][job['name']]:.4f} s, "
            f"raw {result['raw'][job['name']]:.4f} s, {counts.get('raw')} rows"
        )
    return jobs


def measure_size(ctx: Context, size: int, queries: list[Any]) -> dict[str, Any]:
    """Every number of one size; kept in ctx.shared for section e."""
    from hled_graph.sparql import engine

    path = ctx.synthetic_file(size)
    runs = 3
    result: dict[str, Any] = {"path": path, "engine": {}, "raw": {}, "rows": {}}
    progress(f"  {size_label(size)}: loading into our engine and raw pyoxigraph")
    loaders = {
        "engine": lambda: engine.load_store(data=[path]),
        "raw": lambda: _raw_load(path, bulk=False),
        "raw_bulk": lambda: _raw_load(path, bulk=True),
    }
    stores: dict[str, Any] = {}
    times: dict[str, list[float]] = {name: [] for name in loaders}
    for _ in range(runs):
        for name, load in loaders.items():  # alternated, and the previous copy freed first
            stores.pop(name, None)
            gc.collect()
            start = time.perf_counter()
            stores[name] = load()
            times[name].append(time.perf_counter() - start)
    result["engine_load"], result["raw_load"], result["raw_bulk_load"] = (
        median(times[name]) for name in ("engine", "raw", "raw_bulk")
    )
    jobs = _time_queries(stores["engine"], stores["raw"], queries, result, runs=runs)
    stores.clear()  # free both stores before rdflib loads its copy
    for job in jobs:
        job["bindings"] = {name: str(term) for name, term in job["bindings"].items()}
    progress(f"  {size_label(size)}: rdflib (each query capped at {ctx.rdflib_cap:.0f} s)")
    # A query rdflib could not finish within the cap on fewer triples cannot finish on more:
    # it is reported as capped without spending the cap again.
    capped: dict[str, int] = ctx.shared.setdefault("rdflib_capped", {})  # type: ignore[assignment]
    result["rdflib"] = _rdflib(ctx, path, [job for job in jobs if job["name"] not in capped], runs=ctx.runs(runs, 1))
    for job in jobs:
        if job["name"] in capped:
            result["rdflib"]["queries"][job["name"]] = {
                "name": job["name"],
                "timeout": True,
                "capped_at": capped[job["name"]],
            }
        elif result["rdflib"]["queries"].get(job["name"], {}).get("timeout"):
            capped[job["name"]] = size
    return result


def _raw_load(path: Path, *, bulk: bool) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    if bulk:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    else:
        store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return store


def rdflib_value(outcome: dict[str, Any], name: str, cap: float) -> Value | str:
    """rdflib's median for a query, a capped lower bound, or the error text."""
    event = outcome["queries"].get(name)
    if event is None:
        return "did not run (rdflib worker stopped)"
    if event.get("timeout"):
        return seconds(cap, lower_bound=True)
    if event.get("error"):
        if "requiring a dataset" in event["error"]:
            return "the query uses GRAPH, which the anchor's plain rdflib Graph (Graph.parse) cannot answer"
        return f"rdflib error: {event['error']}"
    return seconds(median(event["seconds"]))


def run(ctx: Context) -> Section:
    section = Section("b", "Scale: synthetic HLED-shaped data (engine = load_store + run_query)")
    queries = library_queries()
    results: dict[int, dict[str, Any]] = ctx.shared.setdefault("scale", {})  # type: ignore[assignment]
    for size in ctx.sizes:
        results[size] = measure_size(ctx, size, queries)
        _rows(ctx, section, size, results[size])
    _persistent(ctx, section, queries)
    section.notes.append(
        "Each engine and raw pyoxigraph figure is the median of 3 runs in one process; rdflib runs in a "
        "forked worker per query, 3 runs unless one run takes over 5 s, killed at the cap (shown as '> cap'). "
        "Goals apply at 10⁶ triples; smaller sizes are shown for the trend. The trio (join, aggregate, "
        "filter+optional) feeds section e."
    )
    return section


def _rows(ctx: Context, section: Section, size: int, result: dict[str, Any]) -> None:
    label = size_label(size)
    at_goal = size == GOAL_SIZE
    ours_load = seconds(result["engine_load"])
    rdflib_load = result["rdflib"].get("load")
    if rdflib_load is None:
        section.rows.append(
            speedup_row(
                f"{label} load: engine vs rdflib",
                ours_load,
                seconds(max(20 * ctx.rdflib_cap, 600), lower_bound=True),
                min_speedup=MIN_SPEEDUP_VS_RDFLIB if at_goal else None,
            )
        )
    else:
        section.rows.append(
            speedup_row(
                f"{label} load: engine vs rdflib",
                ours_load,
                seconds(rdflib_load),
                min_speedup=MIN_SPEEDUP_VS_RDFLIB if at_goal else None,
            )
        )
    section.rows.append(
        time_row(
            f"{label} load: engine vs raw pyoxigraph",
            ours_load,
            seconds(result["raw_load"]),
            max_ratio=MAX_RATIO_VS_RAW if at_goal else None,
        )
    )
    if rdflib_load is not None:
        section.rows.append(
            speedup_row(
                f"{label} load: raw pyoxigraph bulk_load(lenient=True) vs rdflib (headroom, not what the engine does)",
                seconds(result["raw_bulk_load"]),
                seconds(rdflib_load),
            )
        )
    for name, raw_time in result["raw"].items():
        if name.startswith("trio:"):
            continue  # the micro-anchors are reported in section e, without the library's goals
        ours_time = result["engine"][name]
        ours = seconds(ours_time)
        who = "engine"
        anchor = rdflib_value(result["rdflib"], name, ctx.rdflib_cap)
        capped_at = (result["rdflib"]["queries"].get(name) or {}).get("capped_at")
        if capped_at:
            who += f" (rdflib over the cap at {size_label(capped_at)} already, not rerun)"
        if isinstance(anchor, Value):
            section.rows.append(
                speedup_row(
                    f"{label} {name}: {who} vs rdflib",
                    ours,
                    anchor,
                    min_speedup=MIN_SPEEDUP_VS_RDFLIB if at_goal else None,
                )
            )
        else:
            section.skip(f"{label} {name}: vs rdflib", anchor)
        section.rows.append(
            time_row(
                f"{label} {name}: engine vs raw pyoxigraph",
                ours,
                seconds(raw_time),
                max_ratio=MAX_RATIO_VS_RAW if at_goal else None,
            )
        )
        counts = dict(result["rows"].get(name, {}))
        event = result["rdflib"]["queries"].get(name) or {}
        if event.get("rows") is not None:
            counts["rdflib"] = event["rows"]
        if len(set(counts.values())) > 1:
            section.notes.append(f"{label} {name}: answer sizes differ between engines: {counts}")
        elif counts and next(iter(counts.values())) == 0:
            section.notes.append(f"{label} {name}: no rows on synthetic data (timed anyway)")


def _persistent(ctx: Context, section: Section, queries: list[Any]) -> None:
    """`hled-graph store create` at the largest size, and a cold `query --store`."""
    size = max(ctx.sizes)
    label = size_label(size)
    if not ctx.cli_supports("store", "create"):
        section.skip(f"{label} `hled-graph store create`", "the `store create` command has not landed")
        return
    path = ctx.synthetic_file(size)
    help_text = ctx.cli_help("store", "create")
    store_dir = ctx.workdir / f"store-{size}"
    anchor_dir = ctx.workdir / f"oxigraph-{size}"
    command = [*ctx.hled_graph(), "store", "create", str(store_dir)]
    command += ["--data", str(path)] if "--data" in help_text else [str(path)]
    progress(f"  {label}: hled-graph store create")
    try:
        ours = time_command(command, runs=1, timeout=3600)[0]
    except CommandFailed as exc:
        section.skip(f"{label} `hled-graph store create`", str(exc))
        return
    oxigraph = shutil.which("oxigraph")
    if oxigraph:
        anchor = time_command(
            [oxigraph, "load", "--location", str(anchor_dir), "--file", str(path)], runs=1, timeout=3600
        )[0]
        section.rows.append(
            time_row(f"{label} `hled-graph store create` vs `oxigraph load`", seconds(ours), seconds(anchor))
        )
    else:
        section.rows.append(
            time_row(
                f"{label} `hled-graph store create` vs in-memory engine load",
                seconds(ours),
                seconds(ctx.shared["scale"][size]["engine_load"]),  # type: ignore[index]
            )
        )
    if not queries:
        section.skip(f"{label} `hled-graph query --store` cold", "no library query to run")
        return
    query = next((q for q in queries if not q.parameters), queries[0])
    runs = ctx.runs(5, 3)
    try:
        cold = median(time_command([*ctx.hled_graph(), "query", "--store", str(store_dir), query.name], runs=runs))
    except CommandFailed as exc:
        section.skip(f"{label} `hled-graph query --store` cold", str(exc))
        return
    if oxigraph and not query.parameters:
        from hled_graph.namespaces import SPARQL_PROLOGUE

        anchor_cold = median(
            time_command(
                [
                    oxigraph,
                    "query",
                    "--location",
                    str(anchor_dir),
                    "--query",
                    SPARQL_PROLOGUE + query.text,
                    "--results-format",
                    "csv",
                ],
                runs=runs,
            )
        )
        section.rows.append(
            time_row(
                f"{label} `hled-graph query --store DIR {query.name}` cold vs `oxigraph query`",
                seconds(cold),
                seconds(anchor_cold),
            )
        )
    else:
        section.rows.append(
            time_row(
                f"{label} `hled-graph query --store DIR {query.name}` cold vs in-memory load alone",
                seconds(cold),
                seconds(ctx.shared["scale"][size]["engine_load"]),  # type: ignore[index]
            )
        )
