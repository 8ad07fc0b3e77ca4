"""The operating system's half of "federation off": a query process cannot reach the network even
when the guard lets a SERVICE query through.

The queries here go straight to pyoxigraph inside a query process (the pool's entry point with a
handler that skips the guard), towards a listener on 127.0.0.1 that counts its connections.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pyoxigraph as ox
import pytest
from conftest import counting_listener

from hled_graph.sandbox import NetworkIsolation, isolate_from_network
from hled_graph.sparql.server.messages import Request, Response
from hled_graph.sparql.server.query_pool import PoolLimits, QueryPool

T = TypeVar("T")
LINUX_ROOT = sys.platform.startswith("linux") and os.geteuid() == 0
LIMITS = PoolLimits(processes=1, timeout=10, queue_timeout=1, queue_limit=4, memory_bytes=1 << 30)




def unguarded_handler() -> Callable[[Request], Response]:
    """Runs the request body as a query on an empty store: no guard, no HTTP layer."""
    store = ox.Store()

    def handle(request: Request) -> Response:
        try:
            list(store.query(request.body.decode()))  # type: ignore[arg-type]
        except (OSError, RuntimeError, ValueError) as exc:
            return Response(200, f"error: {exc}".encode())
        return Response(200, b"answered")

    return handle


def run_in_query_process(query: str, isolate: Callable[[], NetworkIsolation] | None) -> tuple[str, QueryPool]:
    async def go() -> tuple[str, QueryPool]:
        pool = QueryPool(unguarded_handler, LIMITS, isolate=isolate)
        await pool.start()
        try:
            response = await pool.run(Request("POST", "/sparql", {}, query.encode()))
            return response.body.decode(), pool
        finally:
            pool.close()

    return run_coroutine(go)


def run_coroutine(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run`` in a thread of its own: a browser test's sync Playwright may leave a loop running here."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(lambda: asyncio.run(make())).result()


def service_query(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


def test_with_federation_allowed_the_unguarded_query_does_connect():
    """The control: without the sandbox the same query reaches the listener, so the tests below can fail."""
    with counting_listener() as counting:
        answer, pool = run_in_query_process(service_query(counting.url), isolate=None)
    assert counting.connections >= 1, answer
    assert pool.isolation is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="network namespaces and seccomp are Linux's")
def test_the_sandboxed_query_process_makes_no_connection_and_says_why():
    with counting_listener() as counting:
        answer, pool = run_in_query_process(service_query(counting.url), isolate=isolate_from_network)
    assert counting.connections == 0
    assert answer.startswith("error:") and ("not permitted" in answer or "unreachable" in answer), answer
    assert pool.isolation is not None and (pool.isolation.namespace or pool.isolation.seccomp)
    if LINUX_ROOT:
        assert pool.isolation.namespace and pool.isolation.seccomp, pool.isolation


@pytest.mark.parametrize(("namespace", "seccomp", "error"), [
    pytest.param(True, False, "unreachable", id="network namespace",
                 marks=pytest.mark.skipif(not LINUX_ROOT, reason="a bare network namespace needs root")),
    pytest.param(False, True, "not permitted", id="seccomp filter",
                 marks=pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")),
])
def test_each_protection_alone_holds(namespace: bool, seccomp: bool, error: str):
    with counting_listener() as counting:
        answer, pool = run_in_query_process(
            service_query(counting.url), isolate=lambda: isolate_from_network(namespace=namespace, seccomp=seccomp))
    assert counting.connections == 0
    assert error in answer, answer
    assert pool.isolation == NetworkIsolation(namespace=namespace, seccomp=seccomp)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")
def test_the_seccomp_filter_leaves_the_channel_and_queries_working():
    """Only new sockets are refused: the process still talks to its HTTP worker (a socket pair made
    before the filter) and runs queries."""
    answer, _ = run_in_query_process("SELECT * WHERE { VALUES ?x { 1 2 } }",
                                     isolate=lambda: isolate_from_network(namespace=False, seccomp=True))
    assert answer == "answered"


def unix_connecting_handler() -> Callable[[Request], Response]:
    """Connects to the Unix socket whose path is the request body, as a resolver library would."""

    def handle(request: Request) -> Response:
        try:
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(request.body.decode())
        except OSError as exc:
            return Response(200, f"error: {exc}".encode())
        return Response(200, b"connected")

    return handle


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")
@pytest.mark.parametrize("isolate", [
    pytest.param(isolate_from_network, id="namespace and filter"),
    pytest.param(lambda: isolate_from_network(namespace=False, seccomp=True), id="filter alone"),
])
def test_the_host_unix_sockets_are_out_of_reach(tmp_path, isolate: Callable[[], NetworkIsolation]):
    """A network namespace does not hide the host's Unix sockets (a DNS resolver's, a container daemon's):
    the filter refuses every socket(), so none can be made to reach them."""
    path = str(tmp_path / "host.sock")

    async def go() -> str:
        pool = QueryPool(unix_connecting_handler, LIMITS, isolate=isolate)
        await pool.start()
        try:
            return (await pool.run(Request("POST", "/sparql", {}, path.encode()))).body.decode()
        finally:
            pool.close()

    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(path)
        listener.listen()
        assert run_coroutine(go) == "error: [Errno 1] Operation not permitted"
        listener.settimeout(0.2)
        with pytest.raises(TimeoutError):
            listener.accept()


def _as_nobody_then_isolate() -> NetworkIsolation:
    os.setgid(65534)
    os.setuid(65534)
    return isolate_from_network()


@pytest.mark.skipif(not LINUX_ROOT, reason="needs root to become an unprivileged user first")
def test_an_unprivileged_query_process_is_isolated_too():
    """Without root the namespace comes through a user namespace (where the kernel allows one); seccomp always."""
    with counting_listener() as counting:
        answer, pool = run_in_query_process(service_query(counting.url), isolate=_as_nobody_then_isolate)
    assert counting.connections == 0
    assert answer.startswith("error:"), answer
    assert pool.isolation is not None and pool.isolation.seccomp
