"""c. Endpoint: loopback HTTP load (wrk, 8 connections) on hled-graph serve, oxigraph serve, rdflib-endpoint."""

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import (
    Context,
    Row,
    Section,
    Value,
    info_row,
    limit_row,
    progress,
    shipped_graph_files,
    throughput_row,
)

CONNECTIONS = 8
SMALL_SELECT = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?org ?name WHERE { ?org a org:FormalOrganization ; rdfs:label ?name } ORDER BY ?name LIMIT 10"""
# A cross product of the whole graph with itself four times: never finishes on any data.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MIN_VS_RDFLIB_ENDPOINT = 5.0
MIN_VS_OXIGRAPH = 0.4
MAX_P99 = Value(10, "ms")
MAX_P99_UNDER_RUNAWAY = Value(50, "ms")
ACCEPT_JSON = "application/sparql-results+json"


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
def running(command: Sequence[str], url: str, *, log: Path, ready_timeout: float) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server in its own process group, wait until it answers, stop it (and its workers) after."""
    with open(log, "wb") as out:
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
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


def _wrk_script(workdir: Path, query: str) -> Path:
    path = workdir / "post-query.lua"
    body = urllib.parse.urlencode({"query": query})
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Accept"] = "{ACCEPT_JSON}"\n',
        encoding="utf-8",
    )
    return path


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


def run(ctx: Context) -> Section:
    section = Section("c", f"Endpoint: wrk, {CONNECTIONS} connections, small SELECT over loopback")
    if not shutil.which("wrk"):
        section.skip("all endpoint figures", "wrk is not installed (apt-get install -y wrk)")
        return section
    duration = ctx.runs(10, 2)
    data, described, ours_needs_data = _datasets(ctx)
    script = _wrk_script(ctx.workdir, SMALL_SELECT)
    loads: dict[str, Load | None] = {}
    timeout = ctx.runs(5, 2)
    ours_runaway: Runaway | None = None
    oxigraph_runaway: Runaway | None = None

    if not ctx.cli_supports("serve"):
        section.skip("`hled-graph serve`", "the `serve` command has not landed")
    elif ours_needs_data and "--data" not in ctx.cli_help("serve"):
        section.skip("`hled-graph serve`", "no shipped data yet and `serve` has no --data option")
    else:
        port = free_port()
        command, url = _serve_command(ctx, port=port, data=data if ours_needs_data else [], timeout=timeout)
        loads["hled-graph serve"] = _measure(section, "hled-graph serve", command, url, ctx, duration, script)
        if loads["hled-graph serve"] is not None:
            try:
                ours_runaway = runaway_probe("hled-graph serve", command, url, ctx=ctx, timeout=timeout, script=script)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                section.skip("runaway query test", str(exc))

    oxigraph = shutil.which("oxigraph")
    if not oxigraph:
        section.skip("`oxigraph serve`", "the oxigraph binary is not on PATH (pip install oxigraph)")
    else:
        location = ctx.workdir / "oxigraph-endpoint"
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", *map(str, data)], check=True,
                       capture_output=True, timeout=600)
        port = free_port()
        command = [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        url = f"http://127.0.0.1:{port}/query"
        loads["oxigraph serve"] = _measure(section, "oxigraph serve", command, url, ctx, duration, script)
        if ours_runaway is not None and not ctx.smoke:
            try:
                oxigraph_runaway = runaway_probe("oxigraph serve", [*command, "--timeout-s", f"{timeout:g}"], url,
                                                 ctx=ctx, timeout=timeout, script=script)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                section.notes.append(f"The runaway test on oxigraph serve (anchor) failed: {exc}")

    endpoint = Path(sys.executable).parent / "rdflib-endpoint"
    if not endpoint.is_file() and not shutil.which("rdflib-endpoint"):
        section.skip("rdflib-endpoint", "not installed (pip install rdflib-endpoint uvicorn, benchmark environment only)")
    else:
        port = free_port()
        binary = str(endpoint) if endpoint.is_file() else str(shutil.which("rdflib-endpoint"))
        command = [binary, "serve", *map(str, data), "--host", "127.0.0.1", "--port", str(port)]
        loads["rdflib-endpoint"] = _measure(section, "rdflib-endpoint", command, f"http://127.0.0.1:{port}/",
                                            ctx, duration, script)
    measured = {k: v for k, v in loads.items() if v is not None}

    for name, load in measured.items():
        section.rows.append(info_row(f"{name}: throughput, p50 / p99", f"{load.requests_per_second:,.0f} req/s, "
                                     f"{load.p50_ms:.1f} / {load.p99_ms:.1f} ms",
                                     ratio=f"{load.requests:,} requests, {load.errors} errors"))
    ours = measured.get("hled-graph serve")
    if ours:
        if "rdflib-endpoint" in measured:
            section.rows.append(throughput_row("throughput: hled-graph serve vs rdflib-endpoint",
                                               Value(ours.requests_per_second, "req/s"),
                                               Value(measured["rdflib-endpoint"].requests_per_second, "req/s"),
                                               min_ratio=MIN_VS_RDFLIB_ENDPOINT))
        if "oxigraph serve" in measured:
            section.rows.append(throughput_row("throughput: hled-graph serve vs oxigraph serve",
                                               Value(ours.requests_per_second, "req/s"),
                                               Value(measured["oxigraph serve"].requests_per_second, "req/s"),
                                               min_ratio=MIN_VS_OXIGRAPH))
        anchor = measured.get("oxigraph serve")
        section.rows.append(limit_row("p99 latency, hled-graph serve", Value(ours.p99_ms, "ms"), limit=MAX_P99,
                                      anchor=f"oxigraph {anchor.p99_ms:.1f} ms" if anchor else "—"))
        if ours.errors:
            section.notes.append(f"hled-graph serve answered {ours.errors} requests with errors under load.")
    if ours_runaway is not None:
        _runaway_rows(section, ours_runaway, oxigraph_runaway, timeout=timeout)
    _full_load_test(section, ctx)
    section.notes.append(f"Data: {described}. Each server ran alone, {duration} s of wrk -t2 -c{CONNECTIONS} "
                         "POSTing the same small SELECT (10 rows, JSON results); load generator and server share "
                         "the machine's cores, as in the issue's anchors (oxigraph ~5,500–6,600 req/s, p99 3–4 ms; "
                         "rdflib-endpoint ~390 req/s, p99 46 ms on 2 cores).")
    return section


def _measure(section: Section, name: str, command: list[str], url: str, ctx: Context, duration: float,
             script: Path) -> Load | None:
    progress(f"  {name}: starting")
    log = ctx.workdir / f"{name.replace(' ', '-')}.log"
    try:
        with running(command, url, log=log, ready_timeout=180):
            progress(f"  {name}: wrk {duration} s")
            return wrk(url, seconds=duration, script=script)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
        section.skip(f"{name}", f"{exc}" + (f" — log: {' / '.join(tail)}" if tail else ""))
        return None


@dataclass(frozen=True)
class Runaway:
    """What happened while one runaway query ran on a server."""

    load: Load  # the small queries sent meanwhile
    answered_after: float | None  # seconds until the runaway got an answer, None if it never did
    status: str
    idle_cores: float
    busy_cores: float
    after_cores: float  # CPU of the server's processes once the runaway should have stopped


def runaway_probe(name: str, command: list[str], url: str, *, ctx: Context, timeout: float, script: Path) -> Runaway:
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

    with running(command, url, log=ctx.workdir / f"{name.replace(' ', '-')}-runaway.log", ready_timeout=180) as process:
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
    return Runaway(load, seconds_taken if isinstance(seconds_taken, float) else None, str(outcome.get("status")),
                   idle, busy, after)


def _runaway_rows(section: Section, ours: Runaway, anchor: Runaway | None, *, timeout: float) -> None:
    def answered(probe: Runaway) -> str:
        return f"{probe.answered_after:.2f} s ({probe.status})" if probe.answered_after is not None else probe.status

    section.rows.append(limit_row("runaway in flight: p99 of small queries on hled-graph serve",
                                  Value(ours.load.p99_ms, "ms"), limit=MAX_P99_UNDER_RUNAWAY,
                                  anchor=f"oxigraph serve {anchor.load.p99_ms:.1f} ms" if anchor else "—"))
    limit = Value(timeout + 1.0, "s")
    figure = f"runaway answered (stopped) after, server timeout {timeout:g} s"
    if ours.answered_after is None:
        section.rows.append(Row(figure, ours.status, answered(anchor) if anchor else "—", "—", f"≤ {limit.text()}", "**no**"))
    else:
        row = limit_row(figure, Value(ours.answered_after, "s"), limit=limit, anchor=answered(anchor) if anchor else "—")
        section.rows.append(Row(row.figure, answered(ours), row.anchor, row.ratio, row.goal, row.met))
    section.rows.append(limit_row("server CPU once the runaway should be stopped (cores, 2 s window)",
                                  Value(round(ours.after_cores, 3), "cores"), limit=Value(0.1, "cores"),
                                  anchor=f"oxigraph serve {anchor.after_cores:.2f}" if anchor else "—"))
    section.notes.append(
        f"Runaway test: CPU of the server and its workers was {ours.idle_cores:.2f} cores idle and "
        f"{ours.busy_cores:.2f} cores just after the runaway was sent"
        + (f"; oxigraph serve (--timeout-s {timeout:g}), the anchor, {anchor.idle_cores:.2f} / {anchor.busy_cores:.2f}."
           if anchor else "."))
    if ours.load.errors:
        section.notes.append(f"{ours.load.errors} small queries failed on hled-graph serve while the runaway ran.")


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
    done = subprocess.run([sys.executable, "-m", "benchmarks.load_endpoint", "--seconds", "30", "--clients", "32",
                           "--json"], capture_output=True, text=True, timeout=900, cwd=script.parent.parent)
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (done.stderr or done.stdout).strip().splitlines()[-2:]
        section.skip(figure, f"exit {done.returncode}: {' / '.join(tail)}")
        return
    failures = report["server_errors"] + report["wrong_answers"] + report["other_errors"]
    section.rows.append(info_row(f"{figure}: throughput, p50 / p99",
                                 f"{report['requests_per_second']:,.0f} req/s, {report['p50_ms']} / {report['p99_ms']} ms",
                                 ratio=f"{report['requests']:,} requests"))
    section.rows.append(Row(f"{figure}: 5xx + wrong answers + connection errors", str(failures), "—", "—", "0",
                            "yes" if failures == 0 else "**no**"))
    if report.get("rss_before_mb") is not None:
        section.notes.append(f"load_endpoint.py: RSS of server + workers {report['rss_before_mb']} MB after warm-up, "
                             f"{report['rss_after_mb']} MB at the end; p50 {report['p50_ms']} ms.")
    for problem in report.get("problems", [])[:5]:
        section.notes.append(f"load_endpoint.py problem: {problem}")
