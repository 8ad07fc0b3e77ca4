"""c. Endpoint: loopback HTTP load (wrk, 8 connections) on hled-graph serve, oxigraph serve, rdflib-endpoint.

Set ``HLED_BENCH_BASELINE`` to another checkout of hled-graph (e.g. a ``git worktree`` of an
older commit) to run its ``serve`` beside today's, on the same data, in the same run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import (
    Context,
    Row,
    Section,
    Value,
    info_row,
    limit_row,
    median,
    progress,
    shipped_graph_files,
    throughput_row,
    time_row,
)
from benchmarks.load_endpoint import worker_rss_mb

CONNECTIONS = 8
SMALL_SELECT = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?org ?name WHERE { ?org a org:FormalOrganization ; rdfs:label ?name } ORDER BY ?name LIMIT 10"""
_ORGS = ("apec", "campos-de-esperanza", "canada-government", "cofepris", "conagua", "conalep", "doc", "dol", "ed",
         "epa")
# HTTP-bound: ten labels looked up by IRI, no sorting, so the query costs little beside the HTTP.
LABEL_LOOKUP = ("SELECT ?org ?label WHERE { VALUES ?org { "
                + " ".join(f"<https://w3id.org/hled/id/org/{name}>" for name in _ORGS)
                + " } ?org <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
BASELINE_ENV = "HLED_BENCH_BASELINE"
MIN_VS_BASELINE = 0.9
MAX_P99_VS_BASELINE = 1.1
# A cross product of the whole graph with itself four times: never finishes on any data.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# Sorting a cross join keeps every row: memory grows by hundreds of MB per second until a cap stops it.
MEMORY_RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
CROWDS = (2, 8, 16)
CROWD_QUEUE_TIMEOUT = 2.0  # the default of --queue-timeout
CROWD_QUERY_MEMORY_MIB = 512  # the crowd's server: a smaller cap than the 2 GiB default, on a shared machine
MIN_VS_RDFLIB_ENDPOINT = 5.0
MIN_VS_OXIGRAPH = 0.4
MAX_P99 = Value(10, "ms")
MAX_P99_UNDER_RUNAWAY = Value(50, "ms")
ACCEPT_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Workload:
    """One query as wrk sends it: by POST form (the body in a Lua script) or by GET (in the URL)."""

    key: str
    title: str
    query: str
    method: str


WORKLOADS = (
    Workload("select", "small SELECT with ORDER BY (POST form)", SMALL_SELECT, "POST"),
    Workload("lookup", "10-row label lookup, no ORDER BY (GET)", LABEL_LOOKUP, "GET"),
)


@dataclass(frozen=True)
class Server:
    """A server under test: its name, how to start it, where its SPARQL endpoint is."""

    name: str
    command: list[str]
    url: str
    env: dict[str, str] | None = None


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p99_ms: float
    p50_ms: float
    requests: int
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_query(url: str, query: str, *, timeout: float) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT_JSON})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(url: str, process: subprocess.Popen[bytes], *, timeout: float) -> int:
    """Poll with the small SELECT until it answers with rows; return the number of rows."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} before answering")
        try:
            status, body = post_query(url, SMALL_SELECT, timeout=5)
            if status == 200:
                rows = len(json.loads(body)["results"]["bindings"])
                if rows:
                    return rows
                last = "answered with no rows (data not loaded?)"
            else:
                last = f"HTTP {status}: {body[:200]!r}"
        except (OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.25)
    raise RuntimeError(f"not ready within {timeout:.0f} s ({last})")


@contextmanager
def running(command: Sequence[str], url: str, *, log: Path, ready_timeout: float,
            env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server in its own process group, wait until it answers, stop it (and its workers) after."""
    with open(log, "wb") as out:
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env={**os.environ, **env} if env else None)
    try:
        wait_ready(url, process, timeout=ready_timeout)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wrk_script(workdir: Path, workload: Workload) -> Path:
    path = workdir / f"{workload.key}.lua"
    lines = [f'wrk.headers["Accept"] = "{ACCEPT_JSON}"']
    if workload.method == "POST":
        body = urllib.parse.urlencode({"query": workload.query})
        lines += ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}",
                  'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wrk_url(url: str, workload: Workload) -> str:
    return f"{url}?{urllib.parse.urlencode({'query': workload.query})}" if workload.method == "GET" else url


def answer_rows(url: str, query: str) -> list[tuple[tuple[str, str], ...]]:
    """The rows a server answers (sorted: without ORDER BY any order is right), each as (variable, term) pairs."""
    status, body = post_query(url, query, timeout=30)
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    bindings = json.loads(body)["results"]["bindings"]
    return sorted(tuple(sorted((name, f"{term['type']}:{term['value']}:{term.get('xml:lang', '')}"
                                       f":{term.get('datatype', '')}") for name, term in row.items()))
                  for row in bindings)


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"cannot read wrk latency {text!r}")
    number, unit = float(match.group(1)), match.group(2)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, *, seconds: float, script: Path) -> Load:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "30s",
         "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60,
    )
    out = done.stdout
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip() or out.strip()}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"):
        match = re.search(pattern, out)
        if match:
            errors += sum(int(g) for g in match.groups())
    return Load(rps, p99, p50, requests, errors)


# --------------------------------------------------------------------------- CPU of a process tree


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _own_cpu(pid: int) -> float:
    """User + system CPU seconds of one process, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_cores(root: int, *, window: float) -> float:
    """Average cores a server and its workers used over ``window`` seconds.

    A worker born in the window counts whole; one that died in it loses its last slice, so a
    runaway that keeps burning shows, and a stopped one cannot hide behind a respawn.
    """
    before = {pid: _own_cpu(pid) for pid in _tree(root)}
    time.sleep(window)
    after = {pid: _own_cpu(pid) for pid in _tree(root)}
    return sum(max(0.0, value - before.get(pid, 0.0)) for pid, value in after.items()) / window


# --------------------------------------------------------------------------- the servers


def _serve_command(ctx: Context, *, port: int, data: list[Path], timeout: float) -> tuple[list[str], str]:
    """`hled-graph serve` with the options its --help offers."""
    help_text = ctx.cli_help("serve")
    command = [*ctx.hled_graph(), "serve"]
    if "--host" in help_text:
        command += ["--host", "127.0.0.1"]
    command += ["--port", str(port)]
    if "--timeout" in help_text:
        command += ["--timeout", f"{timeout:g}"]
    if data and "--data" in help_text:
        for path in data:
            command += ["--data", str(path)]
    return command, f"http://127.0.0.1:{port}/sparql"


def _datasets(ctx: Context) -> tuple[list[Path], str, bool]:
    """The files all three servers serve, what they are, and whether ours needs --data for them."""
    shipped = shipped_graph_files()
    if any(p.name.startswith("hled-") for p in shipped):
        return shipped, "the shipped graph (" + ", ".join(p.name for p in shipped) + ")", False
    return [ctx.synthetic_file(10_000)], "synthetic 10⁴ triples (data/hled-2022.ttl has not landed)", True


OURS = "hled-graph serve"


def _baseline(ctx: Context, *, port: int, timeout: float) -> Server | None:
    """`hled-graph serve` of the checkout named by HLED_BENCH_BASELINE, run with this interpreter."""
    checkout = os.environ.get(BASELINE_ENV)
    if not checkout:
        return None
    root = Path(checkout).resolve()
    if not (root / "src" / "hled_graph" / "cli.py").is_file():
        raise RuntimeError(f"{BASELINE_ENV}={checkout}: not a checkout of hled-graph (no src/hled_graph/cli.py)")
    commit = (
        subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        or "unknown commit"
    )
    command = [
        sys.executable,
        "-m",
        "hled_graph.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--timeout",
        f"{timeout:g}",
    ]
    return Server(
        f"hled-graph serve ({commit})",
        command,
        f"http://127.0.0.1:{port}/sparql",
        env={"PYTHONPATH": str(root / "src")},
    )


def run(ctx: Context) -> Section:
    section = Section("c", f"Endpoint: wrk, {CONNECTIONS} connections, two workloads over loopback")
    if not shutil.which("wrk"):
        section.skip("all endpoint figures", "wrk is not installed (apt-get install -y wrk)")
        return section
    duration = ctx.runs(5, 2)
    data, described, ours_needs_data = _datasets(ctx)
    timeout = ctx.runs(5, 2)
    servers: list[Server] = []
    runaways: dict[str, Runaway] = {}

    try:
        baseline = _baseline(ctx, port=free_port(), timeout=timeout)
    except RuntimeError as exc:
        baseline = None
        section.skip("baseline server", str(exc))
    if baseline is not None:
        servers.append(baseline)
    if not ctx.cli_supports("serve"):
        section.skip(f"`{OURS}`", "the `serve` command has not landed")
    elif ours_needs_data and "--data" not in ctx.cli_help("serve"):
        section.skip(f"`{OURS}`", "no shipped data yet and `serve` has no --data option")
    else:
        command, url = _serve_command(ctx, port=free_port(), data=data if ours_needs_data else [], timeout=timeout)
        servers.append(Server(OURS, command, url))
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(oxigraph).is_file():
        section.skip("`oxigraph serve`", "the oxigraph binary is not on PATH (pip install oxigraph)")
    else:
        location = ctx.workdir / "oxigraph-endpoint"
        subprocess.run(
            [oxigraph, "load", "--location", str(location), "--file", *map(str, data)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        port = free_port()
        command = [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        help_text = subprocess.run(
            [oxigraph, "serve-read-only", "--help"], capture_output=True, text=True, check=False
        ).stdout
        if "--union-default-graph" in help_text:
            command.append("--union-default-graph")  # queries see every graph, as on our endpoint
        servers.append(Server("oxigraph serve", command, f"http://127.0.0.1:{port}/query"))
    endpoint = Path(sys.executable).parent / "rdflib-endpoint"
    if not endpoint.is_file() and not shutil.which("rdflib-endpoint"):
        section.skip(
            "rdflib-endpoint", "not installed (pip install rdflib-endpoint uvicorn, benchmark environment only)"
        )
    else:
        port = free_port()
        binary = str(endpoint) if endpoint.is_file() else str(shutil.which("rdflib-endpoint"))
        servers.append(
            Server(
                "rdflib-endpoint",
                [binary, "serve", *map(str, data), "--host", "127.0.0.1", "--port", str(port)],
                f"http://127.0.0.1:{port}/",
            )
        )

    rounds = ctx.runs(3, 1)
    measured = _measure_all(section, servers, ctx, rounds=rounds, seconds=duration)
    rows = {key: answer for key, (answer, _) in measured.items()}
    loads = {key: load for key, (_, load) in measured.items()}
    for server in servers:
        if server.name in (OURS, baseline.name if baseline else None) or (
            server.name == "oxigraph serve" and not ctx.smoke
        ):
            command = server.command + (["--timeout-s", f"{timeout:g}"] if server.name == "oxigraph serve" else [])
            try:
                runaways[server.name] = runaway_probe(
                    server.name,
                    command,
                    server.url,
                    ctx=ctx,
                    timeout=timeout,
                    script=_wrk_script(ctx.workdir, WORKLOADS[0]),
                    env=server.env,
                )
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                section.skip(f"runaway query test on {server.name}", str(exc))

    for workload in WORKLOADS:
        _workload_rows(
            section,
            workload,
            [server.name for server in servers],
            loads,
            rows,
            baseline=baseline.name if baseline else None,
        )
    if OURS in runaways:
        _runaway_rows(section, runaways[OURS], runaways.get("oxigraph serve"), timeout=timeout)
    ours = next((server for server in servers if server.name == OURS), None)
    if ours is not None and "--query-memory" in ctx.cli_help("serve"):
        for count in CROWDS[:1] if ctx.smoke else CROWDS:
            try:
                options = ["--query-memory", str(CROWD_QUERY_MEMORY_MIB), "--queue-timeout", f"{CROWD_QUEUE_TIMEOUT:g}"]
                crowd = runaway_crowd(ours.command + options, ours.url,
                                      ctx=ctx, count=count, timeout=timeout,
                                      script=_wrk_script(ctx.workdir, WORKLOADS[0]))
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                section.skip(f"{count} runaways in flight", str(exc))
                continue
            _crowd_rows(section, crowd)
    if baseline is not None and baseline.name in runaways:
        probe = runaways[baseline.name]
        section.rows.append(
            info_row(
                f"runaway in flight on {baseline.name}: small-query p99, runaway answered after",
                f"{probe.load.p99_ms:.1f} ms, "
                + (
                    f"{probe.answered_after:.2f} s ({probe.status})"
                    if probe.answered_after is not None
                    else probe.status
                ),
                ratio=f"CPU after: {probe.after_cores:.2f} cores",
            )
        )
    _full_load_test(section, ctx)
    section.notes.append(
        f"Data: {described}. All servers up at once, wrk -t2 -c{CONNECTIONS} on one at a time for {duration} s per "
        f"workload, in turns, {rounds} rounds; the median round's req/s, the median p99 (JSON results): "
        f"{WORKLOADS[0].title}: `{SMALL_SELECT.splitlines()[-1]}`; {WORKLOADS[1].title}: ten "
        "organizations' labels by VALUES. Before measuring, every server's rows for each query were compared. Load "
        "generator and server share the machine's cores, as in the issue's anchors (oxigraph ~5,500–6,600 req/s, "
        "p99 3–4 ms; rdflib-endpoint ~390 req/s, p99 46 ms on 2 cores)."
    )
    return section


def _workload_rows(
    section: Section,
    workload: Workload,
    names: list[str],
    loads: dict[tuple[str, str], Load],
    rows: dict[tuple[str, str], list[tuple[tuple[str, str], ...]]],
    *,
    baseline: str | None,
) -> None:
    answered = [name for name in names if (name, workload.key) in rows]
    reference = rows.get((OURS, workload.key)) or (rows[(answered[0], workload.key)] if answered else None)
    differing = [name for name in answered if rows[(name, workload.key)] != reference]
    same = not differing and bool(reference)
    section.rows.append(
        Row(
            f"{workload.title}: same rows on every server ({', '.join(answered)})",
            f"{len(reference or [])} rows",
            ", ".join(differing) or "—",
            "—",
            "identical",
            "yes" if same else "**no**",
        )
    )
    for name in answered:
        load = loads[(name, workload.key)]
        section.rows.append(
            info_row(
                f"{workload.title}: {name}: throughput, p50 / p99",
                f"{load.requests_per_second:,.0f} req/s, {load.p50_ms:.1f} / {load.p99_ms:.1f} ms",
                ratio=f"{load.requests:,} requests, {load.errors} errors",
            )
        )
        if load.errors:
            section.notes.append(f"{name} answered {load.errors} requests of the {workload.key} workload with errors.")
    ours = loads.get((OURS, workload.key))
    if ours is None:
        return
    if not same:
        section.notes.append(f"{workload.title}: the servers disagree on the rows, so their speeds are not compared.")
        return
    if baseline is not None and (baseline, workload.key) in loads:
        old = loads[(baseline, workload.key)]
        section.rows.append(
            throughput_row(
                f"{workload.title}: throughput vs {baseline}",
                Value(ours.requests_per_second, "req/s"),
                Value(old.requests_per_second, "req/s"),
                min_ratio=MIN_VS_BASELINE,
            )
        )
        section.rows.append(
            time_row(
                f"{workload.title}: p99 vs {baseline}",
                Value(ours.p99_ms, "ms"),
                Value(old.p99_ms, "ms"),
                max_ratio=MAX_P99_VS_BASELINE,
            )
        )
    for anchor, goal in (("oxigraph serve", MIN_VS_OXIGRAPH), ("rdflib-endpoint", MIN_VS_RDFLIB_ENDPOINT)):
        if (anchor, workload.key) in loads:
            section.rows.append(
                throughput_row(
                    f"{workload.title}: throughput vs {anchor}",
                    Value(ours.requests_per_second, "req/s"),
                    Value(loads[(anchor, workload.key)].requests_per_second, "req/s"),
                    min_ratio=goal,
                )
            )
    oxigraph = loads.get(("oxigraph serve", workload.key))
    section.rows.append(
        limit_row(
            f"{workload.title}: p99 latency, {OURS}",
            Value(ours.p99_ms, "ms"),
            limit=MAX_P99,
            anchor=f"oxigraph {oxigraph.p99_ms:.1f} ms" if oxigraph else "—",
        )
    )


def _measure_all(
    section: Section,
    servers: list[Server],
    ctx: Context,
    *,
    rounds: int,
    seconds: float,
) -> dict[tuple[str, str], tuple[list[tuple[tuple[str, str], ...]], Load]]:
    """Each server's rows and load per workload: all servers up at once (idle ones cost no CPU),
    wrk on one at a time, in turns, ``rounds`` times; the median round counts. On a shared machine
    the load drifts, and turns spread the drift over every server alike."""
    answers: dict[tuple[str, str], list[tuple[tuple[str, str], ...]]] = {}
    samples: dict[tuple[str, str], list[Load]] = {}
    with ExitStack() as stack:
        up: list[Server] = []
        for server in servers:
            progress(f"  {server.name}: starting")
            log = ctx.workdir / f"{re.sub(r'[^A-Za-z0-9]+', '-', server.name)}.log"
            try:
                stack.enter_context(running(server.command, server.url, log=log, ready_timeout=180, env=server.env))
                for workload in WORKLOADS:
                    answers[(server.name, workload.key)] = answer_rows(server.url, workload.query)
                up.append(server)
            except (RuntimeError, OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
                section.skip(f"{server.name}", f"{exc}" + (f" — log: {' / '.join(tail)}" if tail else ""))
        for round_number in range(rounds):
            for workload in WORKLOADS:
                for server in up:
                    progress(f"  round {round_number + 1}/{rounds}: {workload.key}: {server.name}: wrk {seconds:g} s")
                    try:
                        load = wrk(
                            _wrk_url(server.url, workload), seconds=seconds, script=_wrk_script(ctx.workdir, workload)
                        )
                    except (RuntimeError, subprocess.SubprocessError) as exc:
                        section.notes.append(f"wrk failed on {server.name} ({workload.key}): {exc}")
                        continue
                    samples.setdefault((server.name, workload.key), []).append(load)
    measured = {}
    for key, loads in samples.items():
        ranked = sorted(loads, key=lambda load: load.requests_per_second)
        middle = ranked[len(ranked) // 2]
        measured[key] = (
            answers[key],
            Load(
                middle.requests_per_second,
                median([load.p99_ms for load in loads]),
                median([load.p50_ms for load in loads]),
                sum(load.requests for load in loads),
                sum(load.errors for load in loads),
            ),
        )
    return measured


@dataclass(frozen=True)
class Runaway:
    """What happened while one runaway query ran on a server."""

    load: Load  # the small queries sent meanwhile
    answered_after: float | None  # seconds until the runaway got an answer, None if it never did
    status: str
    idle_cores: float
    busy_cores: float
    after_cores: float  # CPU of the server's processes once the runaway should have stopped


def runaway_probe(
    name: str,
    command: list[str],
    url: str,
    *,
    ctx: Context,
    timeout: float,
    script: Path,
    env: dict[str, str] | None = None,
) -> Runaway:
    """Send one runaway query, run wrk meanwhile, then see whether the server let go of the CPU."""
    progress(f"  {name}: small queries with a runaway in flight (timeout {timeout:g} s)")
    outcome: dict[str, object] = {}
    patience = timeout + 10

    def send_runaway() -> None:
        start = time.monotonic()
        try:
            status, _ = post_query(url, RUNAWAY, timeout=patience)
            outcome["status"] = f"HTTP {status}"
            outcome["seconds"] = time.monotonic() - start
        except OSError as exc:
            outcome["status"] = f"no answer within {patience:g} s ({exc})"

    log = ctx.workdir / f"{re.sub(r'[^A-Za-z0-9]+', '-', name)}-runaway.log"
    with running(command, url, log=log, ready_timeout=180, env=env) as process:
        idle = cpu_cores(process.pid, window=1.0)
        runaway = threading.Thread(target=send_runaway, daemon=True)
        runaway.start()
        time.sleep(0.3)
        busy = cpu_cores(process.pid, window=0.5)
        load = wrk(url, seconds=max(1.0, timeout - 1.3), script=script)
        runaway.join(patience + 5)
        time.sleep(0.5)
        after = cpu_cores(process.pid, window=2.0)
    seconds_taken = outcome.get("seconds")
    return Runaway(
        load, seconds_taken if isinstance(seconds_taken, float) else None, str(outcome.get("status")), idle, busy, after
    )


def _runaway_rows(section: Section, ours: Runaway, anchor: Runaway | None, *, timeout: float) -> None:
    def answered(probe: Runaway) -> str:
        return f"{probe.answered_after:.2f} s ({probe.status})" if probe.answered_after is not None else probe.status

    section.rows.append(
        limit_row(
            "runaway in flight: p99 of small queries on hled-graph serve",
            Value(ours.load.p99_ms, "ms"),
            limit=MAX_P99_UNDER_RUNAWAY,
            anchor=f"oxigraph serve {anchor.load.p99_ms:.1f} ms" if anchor else "—",
        )
    )
    limit = Value(timeout + 1.0, "s")
    figure = f"runaway answered (stopped) after, server timeout {timeout:g} s"
    if ours.answered_after is None:
        section.rows.append(
            Row(figure, ours.status, answered(anchor) if anchor else "—", "—", f"≤ {limit.text()}", "**no**")
        )
    else:
        row = limit_row(
            figure, Value(ours.answered_after, "s"), limit=limit, anchor=answered(anchor) if anchor else "—"
        )
        section.rows.append(Row(row.figure, answered(ours), row.anchor, row.ratio, row.goal, row.met))
    section.rows.append(
        limit_row(
            "server CPU once the runaway should be stopped (cores, 2 s window)",
            Value(round(ours.after_cores, 3), "cores"),
            limit=Value(0.1, "cores"),
            anchor=f"oxigraph serve {anchor.after_cores:.2f}" if anchor else "—",
        )
    )
    section.notes.append(
        f"Runaway test: CPU of the server and its workers was {ours.idle_cores:.2f} cores idle and "
        f"{ours.busy_cores:.2f} cores just after the runaway was sent"
        + (
            f"; oxigraph serve (--timeout-s {timeout:g}), the anchor, {anchor.idle_cores:.2f} / {anchor.busy_cores:.2f}."
            if anchor
            else "."
        )
    )
    if ours.load.errors:
        section.notes.append(f"{ours.load.errors} small queries failed on hled-graph serve while the runaway ran.")


@dataclass(frozen=True)
class Crowd:
    """What happened while ``count`` runaways (half CPU, half memory) ran on our server beside small queries."""

    count: int
    load: Load  # the small queries sent meanwhile (wrk)
    answers: Counter[str]  # each runaway's answer: "503", another status, or "dropped"
    peak_rss_mb: float  # the whole process tree: supervisor, HTTP workers, query processes
    bound_mb: float  # query processes × cap + the tree's resident memory at rest
    queue_timeout: float


def runaway_crowd(command: list[str], url: str, *, ctx: Context, count: int, timeout: float, script: Path) -> Crowd:
    """Send ``count`` runaways at once, run wrk with small queries meanwhile, sample the tree's RSS."""
    progress(f"  {OURS}: {count} runaways in flight (timeout {timeout:g} s)")
    answers: Counter[str] = Counter()
    patience = timeout + 15

    def send(query: str) -> None:
        try:
            status, _ = post_query(url, query, timeout=patience)
            answers[str(status)] += 1
        except OSError:
            answers["dropped"] += 1

    log = ctx.workdir / f"crowd-{count}.log"
    with running(command, url, log=log, ready_timeout=180) as process:
        started = re.search(r"(\d+) query processes of at most ([\d.]+) MiB", log.read_text(errors="replace"))
        if started is None:
            raise RuntimeError("the server did not say how many query processes it runs")
        at_rest = worker_rss_mb(process.pid)
        peak = [at_rest]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], worker_rss_mb(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        senders = [threading.Thread(target=send, args=(RUNAWAY if i % 2 else MEMORY_RUNAWAY,), daemon=True)
                   for i in range(count)]
        for sender in senders:
            sender.start()
        time.sleep(0.3)
        load = wrk(url, seconds=timeout + 1, script=script)
        for sender in senders:
            sender.join(patience + 5)
        done.set()
        sampler.join()
    answers["dropped"] += count - sum(answers.values())  # a sender still waiting counts as dropped
    return Crowd(count, load, answers, peak[0], int(started.group(1)) * float(started.group(2)) + at_rest,
                 CROWD_QUEUE_TIMEOUT)


def _crowd_rows(section: Section, crowd: Crowd) -> None:
    prefix = f"{crowd.count} runaways in flight"
    answered = crowd.load.requests - crowd.load.errors
    section.rows.append(limit_row(f"{prefix}: small-query p99 (bound: the queue wait, {crowd.queue_timeout:g} s)",
                                  Value(crowd.load.p99_ms, "ms"), limit=Value(crowd.queue_timeout * 1000 + 500, "ms"),
                                  anchor=f"p50 {crowd.load.p50_ms:.1f} ms; {answered:,} × 200, "
                                         f"{crowd.load.errors:,} × 503 of {crowd.load.requests:,}"))
    others = ", ".join(f"{n} × {status}" for status, n in sorted(crowd.answers.items())
                       if status not in ("503", "dropped") and n)
    dropped = crowd.answers.get("dropped", 0)
    section.rows.append(Row(f"{prefix}: runaways answered 503 / dropped", f"{crowd.answers.get('503', 0)} / {dropped}",
                            others or "—", "—", f"{crowd.count} / 0",
                            "yes" if crowd.answers.get("503", 0) == crowd.count else "**no**"))
    section.rows.append(limit_row(f"{prefix}: peak RSS of the whole server (sum over its processes)",
                                  Value(round(crowd.peak_rss_mb), "MiB"), limit=Value(round(crowd.bound_mb), "MiB")))


def _full_load_test(section: Section, ctx: Context) -> None:
    """The server helper's 32-client, 30 s mixed load test, called as it is (benchmarks/load_endpoint.py)."""
    script = Path(__file__).resolve().parent / "load_endpoint.py"
    figure = "32 clients, 30 s, mixed library queries + entity pages (load_endpoint.py)"
    if not script.is_file():
        section.skip(figure, "benchmarks/load_endpoint.py (server helper) has not landed")
        return
    if ctx.smoke:
        section.skip(figure, "skipped in --smoke (it runs 30 s by design)")
        return
    progress("  benchmarks/load_endpoint.py --seconds 30 --clients 32 (mixed, answers checked)")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_endpoint", "--seconds", "30", "--clients", "32", "--json"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=script.parent.parent,
    )
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (done.stderr or done.stdout).strip().splitlines()[-2:]
        section.skip(figure, f"exit {done.returncode}: {' / '.join(tail)}")
        return
    failures = report["server_errors"] + report["wrong_answers"] + report["other_errors"]
    section.rows.append(
        info_row(
            f"{figure}: throughput, p50 / p99",
            f"{report['requests_per_second']:,.0f} req/s, {report['p50_ms']} / {report['p99_ms']} ms",
            ratio=f"{report['requests']:,} requests",
        )
    )
    section.rows.append(
        Row(
            f"{figure}: 5xx + wrong answers + connection errors",
            str(failures),
            "—",
            "—",
            "0",
            "yes" if failures == 0 else "**no**",
        )
    )
    if report.get("rss_before_mb") is not None:
        section.notes.append(
            f"load_endpoint.py: RSS of server + workers {report['rss_before_mb']} MB after warm-up, "
            f"{report['rss_after_mb']} MB at the end; p50 {report['p50_ms']} ms."
        )
    for problem in report.get("problems", [])[:5]:
        section.notes.append(f"load_endpoint.py problem: {problem}")
