"""Queries in killable processes, against the real server: a runaway stops alone, at its own timeout.

Every test starts ``hled-graph serve`` with a small pool (one HTTP worker, so "the same worker" is
certain) and calls it over HTTP with a real client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, running_server
from test_sandbox import run_coroutine
from test_server import LABELS, get, sparql_url

from benchmarks.load_endpoint import child_pids, worker_rss_mb
from hled_graph.sparql.server.messages import HttpError, Request, Response
from hled_graph.sparql.server.query_pool import PoolLimits, QueryPool

# 107 triples in server-mini.ttl: 107^4 rows, far beyond any timeout here.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# 107^3 × 15 rows: about 2 s on this machine.
LEGIT_SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . VALUES ?j { "
              + " ".join(map(str, range(15))) + " } }")
LEGIT_SLOW_COUNT = 107**3 * 15
# Sorting a cross join holds every row: grows by hundreds of MB per second.
MEMORY_RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
MINI = ("--data", str(FIXTURES / "server-mini.ttl"), "--workers", "1")


def _timed_get(url: str, results: list[tuple[int, dict[str, str], bytes, float]]) -> None:
    started = time.monotonic()
    status, headers, body = get(url, accept="application/json")
    results.append((status, headers, body, time.monotonic() - started))


def _in_background(url: str, results: list[tuple[int, dict[str, str], bytes, float]]) -> threading.Thread:
    thread = threading.Thread(target=_timed_get, args=(url, results))
    thread.start()
    return thread


def _query_processes(server_pid: int) -> set[int]:
    return {pid for worker in child_pids(server_pid) for pid in child_pids(worker)}


def _wait_for(condition, *, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_runaway_is_stopped_at_its_own_timeout_and_a_slow_query_beside_it_finishes():
    # The timeout leaves the slow query room on a loaded machine (both run at nice 10 after 0.25 s).
    with running_server(*MINI, "--query-processes", "2", "--timeout", "10") as server:
        assert _wait_for(lambda: len(_query_processes(server.process.pid)) == 2)
        before = _query_processes(server.process.pid)
        runaway: list = []
        legit: list = []
        runner = _in_background(sparql_url(server, RUNAWAY), runaway)
        time.sleep(0.2)
        _timed_get(sparql_url(server, LEGIT_SLOW), legit)
        runner.join(timeout=20)
        status, _, body, seconds = legit[0]
        assert status == 200, body
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == LEGIT_SLOW_COUNT
        status, headers, body, seconds = runaway[0]
        assert status == 503 and headers["retry-after"] == "1"
        assert "10 s limit" in json.loads(body)["message"]
        assert 10 <= seconds < 12  # its own timeout, from when it started running
        # Only the runaway's process was replaced; the next queries work.
        assert _wait_for(lambda: len(after := _query_processes(server.process.pid)) == 2 and after != before)
        assert len(_query_processes(server.process.pid) & before) == 1
        assert get(sparql_url(server, LABELS))[0] == 200


def test_sixteen_runaways_leave_small_queries_answered_within_the_queue_bound_and_every_runaway_answered():
    with running_server(*MINI, "--query-processes", "2", "--timeout", "3", "--queue-timeout", "1") as server:
        runaways: list = []
        threads = [_in_background(sparql_url(server, RUNAWAY), runaways) for _ in range(16)]
        time.sleep(0.3)
        small: list = []
        _timed_get(sparql_url(server, "ASK {}"), small)
        status, headers, body, seconds = small[0]
        # Busy slots: the bounded wait (1 s) and a 503 with Retry-After, never a runaway's full timeout.
        assert seconds < 1 + 0.8
        assert (status == 200 and json.loads(body)["boolean"] is True) or (
            status == 503 and headers["retry-after"] == "1" and "busy" in json.loads(body)["message"])
        for thread in threads:
            thread.join(timeout=20)
        assert len(runaways) == 16  # every one answered: none dropped, none hanging
        assert [status for status, *_ in runaways] == [503] * 16
        messages = [json.loads(body)["message"] for _, _, body, _ in runaways]
        assert sum("3 s limit" in message for message in messages) == 2  # the two that ran
        assert sum("busy" in message for message in messages) == 14  # the ones that waited past 1 s
        # When a slot frees, the next query takes it at once.
        status, _, body = get(sparql_url(server, "ASK {}"), accept="application/json")
        assert status == 200 and json.loads(body)["boolean"] is True


def test_a_waiting_query_takes_the_slot_the_moment_a_runaway_is_stopped():
    with running_server(*MINI, "--query-processes", "1", "--timeout", "2", "--queue-timeout", "5") as server:
        runaway: list = []
        runner = _in_background(sparql_url(server, RUNAWAY), runaway)
        time.sleep(0.3)
        small: list = []
        _timed_get(sparql_url(server, "ASK {}"), small)
        runner.join(timeout=10)
        status, _, body, seconds = small[0]
        assert status == 200 and json.loads(body)["boolean"] is True
        assert seconds < 2 - 0.3 + 1.0  # the runaway's remaining time and a fresh process, not the 5 s wait
        assert runaway[0][0] == 503


def test_a_memory_runaway_is_answered_503_saying_memory_and_the_server_stays_under_its_bound():
    cap_mib = 300
    with running_server(*MINI, "--query-processes", "2", "--query-memory", str(cap_mib),
                        "--timeout", "20") as server:
        assert _wait_for(lambda: len(_query_processes(server.process.pid)) == 2)
        before = _query_processes(server.process.pid)
        http_side_mb = worker_rss_mb(server.process.pid) - sum(
            _rss_mb(pid) for pid in before)  # the supervisor and the HTTP worker
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], worker_rss_mb(server.process.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            answer: list = []
            _timed_get(sparql_url(server, MEMORY_RUNAWAY), answer)
        finally:
            done.set()
            sampler.join()
        status, _, body, seconds = answer[0]
        assert status == 503, body
        message = json.loads(body)["message"]
        assert "memory" in message and f"{cap_mib} MiB" in message
        assert seconds < 10  # prompt: the cap, not the 20 s timeout
        bound = 2 * cap_mib + http_side_mb
        assert peak[0] < bound, (peak[0], bound)
        assert any("ran out of its" in line for line in server.log)
        # The process is replaced, and the endpoint answers.
        assert _wait_for(lambda: len(after := _query_processes(server.process.pid)) == 2 and after != before)
        status, _, body = get(sparql_url(server, LABELS), accept="application/sparql-results+json")
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["label"]["value"] == "Environmental Protection Agency"


def test_the_server_says_at_start_which_network_protections_hold():
    with running_server(*MINI, "--query-processes", "1") as server:
        assert _wait_for(lambda: any("network isolation" in line for line in server.log))
        line = next(line for line in server.log if "network isolation" in line)
        if sys.platform.startswith("linux") and os.geteuid() == 0:
            assert "network isolation: network namespace + seccomp socket filter" in line
        else:
            assert re.search(r"network isolation: (network namespace|seccomp|none)", line)


def _rss_mb(pid: int) -> float:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else 0.0


# --- the pool on its own: how a process that fails is told apart ---------------------------------


def _pool_answer(handler_factory, *, memory_bytes: int = 1 << 30):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        pool = QueryPool(handler_factory, PoolLimits(processes=1, timeout=10, queue_timeout=1, queue_limit=4,
                                                     memory_bytes=memory_bytes), isolate=None)
        await pool.start()
        try:
            try:
                await pool.run(Request("GET", "/", {}, b""))
            except HttpError as exc:
                first = exc
            else:
                raise AssertionError("the failing handler was answered")
            # The process was replaced: the pool still answers (this handler fails again, the same way).
            with pytest.raises(HttpError) as again:
                await pool.run(Request("GET", "/", {}, b""))
            return first, again.value
        finally:
            pool.close()

    return run_coroutine(go)


def _data_segment_bytes() -> int:
    match = re.search(r"^VmData:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    assert match is not None
    return int(match.group(1)) * 1024




def _dies():  # type: ignore[no-untyped-def]
    return lambda request: os._exit(9)


def test_a_memory_error_in_python_is_answered_503_saying_memory():
    # The cap counts what the query process inherits (here: this test process, with what earlier tests loaded).
    cap = _data_segment_bytes() + (256 << 20)
    first, again = _pool_answer(lambda: lambda request: bytearray(2 * cap), memory_bytes=cap)  # Python's MemoryError
    assert first.status == 503 and "of memory a query may use" in first.message and again.status == 503


def test_a_process_that_dies_otherwise_is_a_500_and_is_replaced():
    first, again = _pool_answer(_dies)
    assert first.status == 500 and "died" in first.message and again.status == 500


@pytest.mark.parametrize(("options", "expected"), [
    (("--query-memory", "64"), "--query-memory 64 MiB: with the graph loaded the server holds"),
    (("--workers", "3", "--query-processes", "2"), "--query-processes 2: need at least one per worker (3)"),
])
def test_pool_options_that_cannot_work_are_a_one_line_error(options: tuple[str, ...], expected: str):
    import subprocess

    done = subprocess.run([sys.executable, "-m", "hled_graph.cli", "serve", "--port", "0", *MINI[:2], *options],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"hled-graph: error: {expected}") and len(done.stderr.splitlines()) == 1


def _answers_ok():  # type: ignore[no-untyped-def]
    return lambda request: Response(200, b"ok")


def test_a_wait_cancelled_just_as_a_process_came_free_gives_the_process_back():
    """A waiter handed a process, then cancelled before it resumed (its client gone, the server stopping),
    must not take the process with it: the pool would shrink for good and later requests get 503."""
    async def go() -> bytes:
        pool = QueryPool(_answers_ok, PoolLimits(processes=1, timeout=10, queue_timeout=1, queue_limit=4,
                                                 memory_bytes=1 << 30), isolate=None)
        await pool.start()
        try:
            async def hold_then_cancel_the_waiter() -> None:
                await pool.run(Request("GET", "/", {}, b""))
                waiter.cancel()  # in the same step as the hand-over: the waiter has not run since

            holder = asyncio.ensure_future(hold_then_cancel_the_waiter())
            waiter = asyncio.ensure_future(pool.run(Request("GET", "/", {}, b"")))
            await holder
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
            return (await pool.run(Request("GET", "/", {}, b""))).body
        finally:
            pool.close()

    assert run_coroutine(go) == b"ok"
