"""Load test of the SPARQL endpoint: many keep-alive clients, answers checked against a local store.

    python -m benchmarks.load_endpoint --seconds 30 --clients 32            # starts its own server
    python -m benchmarks.load_endpoint --url http://127.0.0.1:7878 --small  # an already running one

The mix: every query of the library (``queries/*.rq``) and the N-Triples description of every
entity; ``--small`` sends only one small SELECT (the throughput figure in the README). Each answer
is compared with the one pyoxigraph computes locally on the same data; a 5xx or a different
answer is counted. Prints clients, requests, 5xx, wrong answers, p50/p99, req/s and, when it
started the server, the RSS of the server and its workers after a warm-up and at the end (``--json`` prints the report as JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox

# Joins every triple with every other five times over a filter nothing passes: runs for hours.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o "
    "FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), 'no such text (x|y)+z')) }"
)
# The "small SELECT" of the throughput figures: one lookup, so the HTTP face is what is measured.
SMALL_SELECT = (
    "SELECT ?label WHERE { <https://w3id.org/hled/id/org/epa> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
ID = "https://w3id.org/hled/id/"
GRAPH_INFERRED = "https://w3id.org/hled/graph/inferred"  # hled_graph.namespaces; entity pages leave it out
# SELECT and ASK answer in SPARQL JSON, CONSTRUCT and DESCRIBE in N-Triples.
ANSWER_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


@dataclass
class Probe:
    """One request of the mix and the answer it must get (normalized)."""

    name: str
    request: bytes
    expected: object
    kind: str  # "solutions" or "triples"


@dataclass
class Report:
    clients: int
    seconds: float
    requests: int = 0
    server_errors: int = 0
    wrong_answers: int = 0
    other_errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests_per_second: float = 0.0
    rss_before_mb: float | None = None
    rss_after_mb: float | None = None
    problems: list[str] = field(default_factory=list)


def build_probes(store: ox.Store, *, host: str, small_only: bool) -> list[Probe]:
    from hled_graph import resources
    from hled_graph.sparql.guard import Refusal, check_query

    texts = {"small-select": SMALL_SELECT}
    if not small_only:
        for path in sorted(resources.queries_dir().glob("*.rq")):
            text = path.read_text(encoding="utf-8")
            try:
                check_query(text, allow_federation=False)
            except Refusal:
                continue  # online-only queries need federation
            texts[path.stem] = text
    probes = []
    for name, text in texts.items():
        result = store.query(text, use_default_graph_as_union=True)
        target = "/sparql?query=" + quote(text, safe="")
        request = _request("GET", target, host=host, accept=ANSWER_ACCEPT)
        kind = "triples" if isinstance(result, ox.QueryTriples) else "solutions"
        probes.append(Probe(name, request, normalize_answer(result), kind))
    if not small_only:
        subjects = sorted(
            {
                q.subject.value
                for q in store.quads_for_pattern(None, None, None)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID)
            }
        )
        for iri in subjects:
            expected = _describe_expected(store, ox.NamedNode(iri))
            request = _request(
                "GET", "/id/" + quote(iri[len(ID) :], safe="/-._~"), host=host, accept="application/n-triples"
            )
            probes.append(Probe("describe " + iri[len(ID) :], request, expected, "triples"))
    return probes


def _describe_expected(store: ox.Store, node: ox.NamedNode) -> object:
    """What an entity page states: its triples and its blank nodes', as the data states them (not the inferred graph)."""
    inferred = ox.NamedNode(GRAPH_INFERRED)
    seen: set[ox.Triple] = set()
    pending: list[ox.NamedNode | ox.BlankNode] = [node]
    done: set[ox.NamedNode | ox.BlankNode] = set()
    while pending:
        subject = pending.pop()
        if subject in done:
            continue
        done.add(subject)
        for quad in store.quads_for_pattern(subject, None, None):
            if quad.graph_name == inferred:
                continue
            seen.add(ox.Triple(quad.subject, quad.predicate, quad.object))
            if isinstance(quad.object, ox.BlankNode):
                pending.append(quad.object)
    return normalize_triples(seen)


def normalize_term(term: object) -> tuple[str, ...]:
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language or "", term.datatype.value)
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    return ("other", str(term))


def normalize_answer(result: object) -> object:
    """A local query result in the shape the endpoint's answer is normalized to."""
    if isinstance(result, ox.QueryTriples):
        return normalize_triples(result)
    if isinstance(result, ox.QuerySolutions):
        return normalize_solutions(result)
    return ("boolean", bool(result))


def normalize_solutions(result: ox.QuerySolutions) -> object:
    variables = [v.value for v in result.variables]
    rows = sorted(tuple(normalize_term(t) if t is not None else ("unbound",) for t in row) for row in result)
    return (tuple(variables), rows)


def normalize_json(body: bytes) -> object:
    data = json.loads(body)
    if "boolean" in data:
        return ("boolean", data["boolean"])
    variables = data["head"]["vars"]
    xsd_string = "http://www.w3.org/2001/XMLSchema#string"
    lang_string = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

    def term(binding: dict | None) -> tuple[str, ...]:
        if binding is None:
            return ("unbound",)
        if binding["type"] == "bnode":
            return ("bnode",)
        if binding["type"] == "uri":
            return ("uri", binding["value"])
        lang = binding.get("xml:lang", "")
        datatype = binding.get("datatype", lang_string if lang else xsd_string)
        return ("literal", binding["value"], lang, datatype)

    rows = sorted(tuple(term(b.get(v)) for v in variables) for b in data["results"]["bindings"])
    return (tuple(variables), rows)


def normalize_triples(triples: Iterable[ox.Triple]) -> object:
    return sorted(tuple(normalize_term(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in triples)


def _request(method: str, target: str, *, host: str, accept: str) -> bytes:
    return (f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\n\r\n").encode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(chunk[:-2] for chunk in chunks)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() == "close"


def check(probe: Probe, body: bytes) -> bool:
    if probe.kind == "solutions":
        return normalize_json(body) == probe.expected
    triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    return normalize_triples(triples) == probe.expected


async def _client(
    host: str,
    port: int,
    probes: list[Probe],
    deadline: float,
    report: Report,
    latencies: list[float],
    seed: int,
    verify: bool,
) -> None:
    rng = random.Random(seed)
    reader = writer = None
    while time.monotonic() < deadline:
        probe = probes[rng.randrange(len(probes))]
        try:
            started = time.perf_counter()
            reused = writer is not None
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(probe.request)
            assert reader is not None  # opened together with the writer
            try:
                status, body, close = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                # The server may close an idle keep-alive connection as the request goes out (a
                # worker restarting); like browsers, retry such a request once on a new connection.
                if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                    raise
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(probe.request)
                status, body, close = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            report.other_errors += 1
            if len(report.problems) < 10:
                report.problems.append(f"{probe.name}: connection error {exc!r}")
            writer = None
            continue
        report.requests += 1
        if status >= 500:
            report.server_errors += 1
            if len(report.problems) < 10:
                report.problems.append(f"{probe.name}: {status} {body[:200]!r}")
        elif status != 200 or (verify and not check(probe, body)):
            report.wrong_answers += 1
            if len(report.problems) < 10:
                report.problems.append(f"{probe.name}: {status}, answer differs from the local one")
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def run_load(
    url: str, probes: list[Probe], *, seconds: float, clients: int, verify: bool = True, with_runaway: bool = False
) -> Report:
    """Send the probes from ``clients`` keep-alive connections for ``seconds``; check every answer.

    ``with_runaway`` keeps one query that never ends in flight meanwhile (re-sent after each 503).
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    report = Report(clients=clients, seconds=seconds)
    latencies: list[float] = []

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(_client(host, port, probes, deadline, report, latencies, seed, verify) for seed in range(clients))
        )

    started = time.monotonic()
    stop_runaway = threading.Event()
    runaway = threading.Thread(target=_keep_runaway_in_flight, args=(url, stop_runaway), daemon=True)
    if with_runaway:
        runaway.start()
        time.sleep(0.2)
    asyncio.run(main())
    elapsed = time.monotonic() - started
    stop_runaway.set()
    if latencies:
        latencies.sort()
        report.p50_ms = round(latencies[len(latencies) // 2] * 1000, 2)
        report.p99_ms = round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2)
    report.requests_per_second = round(report.requests / elapsed, 1)
    return report


def _keep_runaway_in_flight(url: str, stop: threading.Event) -> None:
    target = url + "/sparql?query=" + quote(RUNAWAY, safe="")
    while not stop.is_set():
        try:
            urllib.request.urlopen(target, timeout=120).read()
        except urllib.error.HTTPError as error:
            error.read()  # the 503 of the timeout
        except OSError:
            time.sleep(0.1)


def worker_rss_mb(server_pid: int) -> float:
    """The summed resident memory of ``server_pid`` and all its descendants (workers, query processes), in MB.

    Pages shared copy-on-write are counted once per process: an upper bound of the real use.
    """
    total = 0
    for pid in process_tree(server_pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            total += int(match.group(1))
    return round(total / 1024, 1)


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    tree, frontier = [root], [root]
    while frontier:
        frontier = [child for parent in frontier for child in child_pids(parent)]
        tree += frontier
    return tree


def child_pids(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may contain spaces and parentheses: fields start after the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent:
            pids.append(int(entry.name))
    return sorted(pids)


def start_server(args: list[str]) -> tuple[subprocess.Popen[str], str]:
    """``hled-graph serve --port 0 ARGS`` as a subprocess, and its URL once it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hled_graph.cli", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"listening on (http://\S+?)/? ", line)
    if not match:
        process.kill()
        raise RuntimeError(f"the server did not start: {line}{process.stderr.read()}")
    return process, match.group(1).rstrip("/")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an endpoint that already runs (default: start one)")
    parser.add_argument("--data", action="append", default=[], help="RDF file(s) the server and the checks use")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="workers of the server this starts")
    parser.add_argument("--small", action="store_true", help="only the small SELECT (throughput figure)")
    parser.add_argument("--no-verify", action="store_true", help="do not compare answers (pure throughput)")
    parser.add_argument(
        "--runaway",
        action="store_true",
        help="keep one never-ending query in flight during the run (the server's --timeout stops it)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="--timeout of the server this starts")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    from hled_graph.sparql.engine import load_store

    store = load_store(data=[Path(p) for p in args.data] or None)
    process = None
    url = args.url
    if url is None:
        server_args = ["--workers", str(args.workers), "--timeout", str(args.timeout)]
        for path in args.data:
            server_args += ["--data", path]
        process, url = start_server(server_args)
    try:
        host = urlsplit(url).netloc
        probes = build_probes(store, host=host, small_only=args.small)
        # A short warm-up first, so "before" is the memory of workers that have served requests.
        run_load(url, probes, seconds=min(1.0, args.seconds / 5), clients=args.clients, verify=False)
        rss_before = worker_rss_mb(process.pid) if process else None
        report = run_load(
            url,
            probes,
            seconds=args.seconds,
            clients=args.clients,
            verify=not args.no_verify,
            with_runaway=args.runaway,
        )
        report.rss_before_mb = rss_before
        report.rss_after_mb = worker_rss_mb(process.pid) if process else None
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
    if args.json:
        print(json.dumps(asdict(report)))
        return
    runaway = ", one runaway query in flight" if args.runaway else ""
    print(f"clients {report.clients}, {report.seconds:g} s, {len(probes)} kinds of request{runaway}")
    print(
        f"requests {report.requests}, 5xx {report.server_errors}, wrong answers {report.wrong_answers}, "
        f"connection errors {report.other_errors}"
    )
    print(f"p50 {report.p50_ms} ms, p99 {report.p99_ms} ms, {report.requests_per_second} req/s")
    if report.rss_before_mb is not None:
        print(f"RSS of server + workers: {report.rss_before_mb} MB before, {report.rss_after_mb} MB after")
    for problem in report.problems:
        print("problem:", problem)


if __name__ == "__main__":
    main()
