"""d. Maps at scale: overview generation time, and browser time until the network is drawn and still."""

from __future__ import annotations

import importlib.util
import json
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Context,
    Section,
    Value,
    info_row,
    limit_row,
    median,
    progress,
    seconds,
    time_call,
)
from benchmarks.scale import size_label

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MAX_REAL_STABLE = Value(2.0, "s")
MAX_LARGE_OPEN = Value(5.0, "s")
LARGE_NODES = 5000

# Resolves, in the page, with the milliseconds since navigation at which the network is drawn and
# still: the page's own `hledReady` flag if it has one; otherwise vis-network's `stabilized` event
# when physics runs, or the next completed drawing when physics is off (positions precomputed).
READY_SCRIPT = """
async () => {
  const deadline = performance.now() + 60000;
  while (!window.hledReady && !(window.hledNetwork && window.hledNetwork.network)) {
    if (performance.now() > deadline) { throw new Error("no hledReady or hledNetwork within 60 s"); }
    await new Promise(r => setTimeout(r, 5));
  }
  if (window.hledReady) { return {ms: performance.now(), physics: null, signal: "hledReady"}; }
  const network = window.hledNetwork.network;
  const physicsOn = () => Boolean(network.physics && network.physics.physicsEnabled);
  if (physicsOn()) {
    await new Promise(r => network.once("stabilized", r));
    return {ms: performance.now(), physics: physicsOn(), signal: "stabilized"};
  }
  await new Promise(r => { network.once("afterDrawing", r); network.redraw(); });
  return {ms: performance.now(), physics: physicsOn(), signal: "afterDrawing (physics off)"};
}
"""


def _record_error(errors: list[str], error: object) -> None:
    errors.append(str(error))


def open_in_chromium(page_file: Path, *, runs: int) -> list[dict[str, Any]]:
    """Open the page ``runs`` times in fresh tabs of one headless Chromium; each time, when it was ready."""
    from playwright.sync_api import sync_playwright

    outcomes = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                errors: list[str] = []
                page.on("pageerror", partial(_record_error, errors))
                page.goto(page_file.as_uri(), wait_until="commit", timeout=120_000)
                outcome = page.evaluate(READY_SCRIPT)
                outcome["nodes"] = page.evaluate(
                    "() => window.hledNetwork ? window.hledNetwork.nodes.length : null")
                outcome["errors"] = errors
                outcomes.append(outcome)
                page.close()
        finally:
            browser.close()
    return outcomes


def run(ctx: Context) -> Section:
    section = Section("d", "Maps: generation (Python) and opening in headless Chromium")
    if importlib.util.find_spec("hled_graph.viz") is None or importlib.util.find_spec("hled_graph.viz.maps") is None:
        section.skip("overview map and 5,000-node map", "hled_graph.viz.maps has not landed")
        return section
    if not Path(CHROMIUM).is_file():
        section.skip("browser times", f"{CHROMIUM} is missing (apt-get install chromium)")
        return section
    runs = ctx.runs(3, 1)
    _real(ctx, section, runs=runs)
    _large(ctx, section, runs=runs)
    section.notes.append(
        "Browser time is measured inside the page (performance.now(), from navigation start) up to the "
        "readiness signal named in each row; Chromium's own start is not included. Generation is "
        "build_map / map_from_networkx in this process, median of the runs.")
    return section


def _real(ctx: Context, section: Section, *, runs: int) -> None:
    from hled_graph import graph as hgraph
    from hled_graph.viz.maps import build_map

    if not any(p.name.startswith("hled-") for p in [*map(Path, _data_files())]):
        section.skip("overview map of the real graph", "data/hled-2022.ttl has not landed")
        return
    progress("  overview map of the real graph: build_map")
    graph = hgraph.load_graph()
    holder: dict[str, Any] = {}
    generation = median(time_call(lambda: holder.update(doc=build_map(graph)), runs=runs))
    page = holder["doc"].save(ctx.workdir / "overview.html")
    section.rows.append(info_row(f"overview map generation, real graph ({len(graph):,} triples, "
                                 f"{len(holder['doc'].nodes)} nodes)", seconds(generation).text()))
    progress("  overview map of the real graph: Chromium")
    _browser_rows(section, page, label="real overview", limit=MAX_REAL_STABLE, runs=runs)


def _data_files() -> list[Path]:
    from hled_graph import resources

    return resources.data_files()


def _large(ctx: Context, section: Section, *, runs: int) -> None:
    import rdflib

    from hled_graph.viz.maps import map_from_networkx
    from hled_graph.viz.network import build_views

    # About 30 entities per 1,000 triples; --smoke draws a small map to stay fast.
    triples = 3_000 if ctx.smoke else 170_000
    path = ctx.synthetic_file(triples)
    progress(f"  {LARGE_NODES:,}-node map: parsing {size_label(triples)} synthetic triples, building the view")
    graph = rdflib.Graph().parse(path, format="nt")
    network = build_views(graph, views=("entities",))["entities"]
    if network.number_of_nodes() > LARGE_NODES:
        # The best connected nodes and enough of the rest: an exact size, deterministic.
        ranked = sorted(network.nodes, key=lambda node: (-network.degree(node), str(node)))
        network = network.subgraph(ranked[:LARGE_NODES]).copy()
    nodes = network.number_of_nodes()
    if nodes < LARGE_NODES:
        section.notes.append(f"The large map has {nodes:,} nodes, not {LARGE_NODES:,}"
                             + (" (--smoke)." if ctx.smoke else "."))
    holder: dict[str, Any] = {}
    generation = median(time_call(lambda: holder.update(doc=map_from_networkx(network, title="synthetic")), runs=runs))
    document = holder["doc"]
    page = document.save(ctx.workdir / "synthetic-large.html")
    section.rows.append(
        info_row(
            f"{nodes:,}-node synthetic map generation (map_from_networkx)",
            seconds(generation).text(),
            ratio=f"drawn as {len(document.nodes):,} nodes"
            + (" (clustered)" if document.clustered else " (not clustered)"),
        )
    )
    progress(f"  {nodes:,}-node map: Chromium")
    _browser_rows(section, page, label=f"{nodes:,}-node synthetic map", limit=MAX_LARGE_OPEN, runs=runs)


def _browser_rows(section: Section, page: Path, *, label: str, limit: Value, runs: int) -> None:
    try:
        outcomes = open_in_chromium(page, runs=runs)
    except Exception as exc:  # noqa: BLE001 - Playwright raises its own error types; all mean "not measured"
        section.skip(f"{label}: browser time", f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        return
    ready = median([o["ms"] for o in outcomes]) / 1000
    last = outcomes[-1]
    section.rows.append(
        limit_row(
            f"{label}: stable in Chromium ({last['signal']})",
            seconds(ready),
            limit=limit,
            anchor=f"{last['nodes']} nodes in the page",
        )
    )
    physics = {None: "unknown (page signalled ready itself)", False: "off", True: "**still on**"}[last["physics"]]
    section.rows.append(info_row(f"{label}: physics after stabilization", physics))
    errors = sorted({e for o in outcomes for e in o["errors"]})
    if errors:
        section.notes.append(f"{label}: page errors: {json.dumps(errors)[:300]}")
