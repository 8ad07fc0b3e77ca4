"""Runs the rdflib side of a scale measurement in its own process, each query under a hard cap.

Reads one JSON job on stdin: ``{"file", "format", "runs", "cap", "queries": [{"name", "text",
"bindings": {var: N-Triples term}}]}``. Loads the file once (timed), then forks one child per
query: the child inherits the loaded graph copy-on-write and reports each run's time on a
pipe; a child that does not answer within ``cap`` seconds is killed, so a slow query costs
at most the cap. Writes one JSON line per event on stdout.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time

# A run slower than this is not repeated: one run of a 40 s query says enough.
REPEAT_BELOW_SECONDS = 5.0


def _emit(event: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def _run_child(graph: object, query: dict[str, object], runs: int, prologue: str, write_fd: int) -> None:
    from rdflib.util import from_n3

    given = query.get("bindings") or {}
    assert isinstance(given, dict)
    bindings = {name: from_n3(term) for name, term in given.items()}
    text = prologue + str(query["text"])
    for _ in range(runs):
        start = time.perf_counter()
        result = graph.query(text, initBindings=bindings)  # type: ignore[attr-defined]
        answers = (1 if result.askAnswer is not None else 0) if result.type == "ASK" else len(list(result))
        elapsed = time.perf_counter() - start
        os.write(write_fd, (json.dumps({"seconds": elapsed, "rows": answers}) + "\n").encode())
        if elapsed > REPEAT_BELOW_SECONDS:
            break


def _measure(graph: object, query: dict[str, object], *, runs: int, cap: float, prologue: str) -> dict[str, object]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, leave without cleanup handlers
        os.close(read_fd)
        code = 0
        try:
            _run_child(graph, query, runs, prologue, write_fd)
        except BaseException as exc:  # noqa: BLE001 - report any failure of rdflib as this query's result
            os.write(write_fd, (json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}) + "\n").encode())
            code = 1
        os._exit(code)
    os.close(write_fd)
    times: list[float] = []
    rows = None
    buffer = b""
    deadline = time.monotonic() + cap
    result: dict[str, object] = {"name": query["name"]}
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            os.kill(pid, signal.SIGKILL)
            result["timeout"] = True
            break
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            report = json.loads(line)
            if "error" in report:
                result["error"] = report["error"]
            else:
                times.append(report["seconds"])
                rows = report["rows"]
                deadline = time.monotonic() + cap  # each run gets its own cap
    os.close(read_fd)
    os.waitpid(pid, 0)
    result["seconds"] = times
    result["rows"] = rows
    return result


def main() -> None:
    job = json.load(sys.stdin)
    import rdflib

    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(job["file"], format=job.get("format", "nt"))
    _emit({"event": "load", "seconds": time.perf_counter() - start, "triples": len(graph)})
    for query in job["queries"]:
        outcome = _measure(
            graph, query, runs=int(job.get("runs", 3)), cap=float(job["cap"]), prologue=job.get("prologue", "")
        )
        _emit({"event": "query", **outcome})


if __name__ == "__main__":
    main()
