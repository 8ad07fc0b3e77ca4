"""One HTTP worker process: a uvicorn server (httptools) on the shared socket, answers from its query processes.

The worker reads requests and writes answers; every request is answered by one of its own query
processes (:mod:`.query_pool`), which it forks before it starts listening and replaces when one is
killed (past the timeout) or dies (out of memory). One pool per worker rather than one in the
supervisor: a request crosses one socket pair, not two (measured: see README "Serve it").

HTTP parsing, framing and keep-alive are uvicorn's and llhttp's (through httptools, the strictest
of uvicorn's parsers: it refuses bare LF, obs-fold, bad header names, bad or doubled
Content-Length, Content-Length with Transfer-Encoding, bad chunk sizes). What uvicorn has no
setting for is added here, in its protocol class: the limits on URL and header size (414, 431),
the time a client may take to send its headers (408), and our one error shape for its 400s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import resource
import signal
import socket
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from hled_graph.sandbox import isolate_from_network
from hled_graph.sparql.server.app import COMMON_HEADERS, App
from hled_graph.sparql.server.asgi import AsgiAdapter
from hled_graph.sparql.server.messages import REASONS, error_response
from hled_graph.sparql.server.query_pool import PoolLimits, QueryPool
from hled_graph.sparql.server.settings import ServerSettings

log = logging.getLogger("hled_graph.server")

_DRAIN_GRACE = 1.0
_MAX_HEADERS = 100
_NON_ASCII = re.compile(rb"[\x80-\xff]")


class _Refused(Exception):
    """Raised in a parser callback: the request is answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the endpoint's limits on the request head and its time.

    ``settings`` is set on a subclass made per server (uvicorn creates protocols from a class).
    """

    settings: ServerSettings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refusal: _Refused | None = None
        self._in_request_line = True
        self._in_head = False
        self._head_bytes = 0
        self._header_count = 0
        self._stall: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn writes a response's head and body separately; with Nagle's algorithm the body
        # waits for the client's delayed ACK (40 ms). asyncio only sets TCP_NODELAY itself when
        # the listening socket was made with proto=IPPROTO_TCP, which the supervisor's is not.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if len(self.connections) > self.settings.max_connections_per_worker:
            # Many idle or stalled connections (a slowloris) must not exhaust file descriptors.
            # (uvicorn's limit_concurrency would answer too, but in its own words, not our error shape.)
            self._refuse(503, "too many open connections; try again shortly")
            return
        # A connection that never sends a request is closed after the header timeout, without a word.
        self._arm_stall_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._stall is not None:
            self._stall.cancel()
        super().connection_lost(exc)

    def _arm_stall_timer(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
        self._stall = self.loop.call_later(self.settings.header_timeout, self._on_stall)

    def _on_stall(self) -> None:
        self._stall = None
        if self.transport.is_closing():
            return
        if self._in_head:
            self._refuse(408, f"the request was not complete within {self.settings.header_timeout:g} s")
        elif self.cycle is None:
            self.transport.close()

    # parser callbacks ---------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._header_count = 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.settings.max_url_bytes:
            raise self._refusing(414, f"URL longer than {self.settings.max_url_bytes} bytes; "
                                      "send long queries with POST")

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._header_count += 1
        self._head_bytes += len(name) + len(value) + 4
        if self._header_count > _MAX_HEADERS or self._head_bytes > self.settings.max_header_bytes:
            raise self._refusing(431, f"more than {_MAX_HEADERS} request headers or more than "
                                      f"{self.settings.max_header_bytes} bytes of them")

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        super().on_headers_complete()
        cycle = getattr(self, "cycle", None)
        if cycle is not None and not isinstance(cycle.transport, _OneWriteResponse):
            writer = _OneWriteResponse(cycle.transport)
            cycle.transport = writer
            answered = cycle.on_response

            def on_response() -> None:
                writer.flush()  # a response without a body write (HEAD, 204) still goes out
                answered()

            cycle.on_response = on_response

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_request_line = True

    def data_received(self, data: bytes) -> None:
        if self._in_request_line:
            # llhttp refuses bytes beyond ASCII in the request target, but clients send IRIs raw
            # (RFC 3987): percent-encode them, and the router decodes the target as UTF-8 (a
            # byte sequence that is not UTF-8 is a 400 there). Only the request line is touched.
            # Empty lines before the request line are skipped (RFC 9112 section 2.2), as llhttp does.
            start = len(data) - len(data.lstrip(b"\r\n"))
            end = data.find(b"\n", start)
            stop = len(data) if end < 0 else end
            if not data[start:stop].isascii():
                encoded = _NON_ASCII.sub(lambda byte: b"%%%02X" % byte[0][0], data[start:stop])
                data = data[:start] + encoded + data[stop:]
            self._in_request_line = end < 0
        super().data_received(data)
        if self._in_head and self._stall is None:
            # A head split over packets: from here the rest must come within the header timeout.
            # (Most heads come whole, and then no timer is made at all.)
            self._arm_stall_timer()

    # answers uvicorn sends itself -----------------------------------------------------------

    def _refusing(self, status: int, message: str) -> _Refused:
        self._refusal = _Refused(status, message)
        return self._refusal

    def send_400_response(self, msg: str) -> None:
        """Malformed HTTP (the parser refused it) or a limit above, in the endpoint's error shape."""
        refusal, self._refusal = self._refusal, None
        if refusal is None:
            self._refuse(400, "malformed HTTP request: see RFC 9112 for the request line, header fields, "
                              "Content-Length and chunked framing")
        else:
            self._refuse(refusal.status, refusal.message)

    def _refuse(self, status: int, message: str) -> None:
        response = error_response(status, message)
        response.headers.extend(COMMON_HEADERS)
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
                f"Content-Type: {response.content_type}", f"Content-Length: {len(response.body)}",
                *(f"{name}: {value}" for name, value in response.headers), "Connection: close"]
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)
        self.transport.close()


class _OneWriteResponse:
    """The transport of one request, holding the response head until its body comes.

    uvicorn writes head and body in two calls, i.e. two system calls and two TCP segments per
    answer; joined, a small answer is one (measured: the writes were a third of the event loop's time).
    """

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None
        self._first = True

    def write(self, data: bytes) -> None:
        if self._first:
            self._first = False
            if data.endswith(b"\r\n\r\n") and not data.startswith(b"HTTP/1.1 100 "):
                self._head = data
                return
        if self._head is not None:
            data, self._head = self._head + data, None
        self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _WorkerServer(uvicorn.Server):
    """uvicorn's server with the worker's signals: SIGTERM drains, SIGINT is the supervisor's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = signal.signal(signal.SIGTERM, self.handle_exit)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)


def run_worker(make_app: Callable[[], App], sock: socket.socket, settings: ServerSettings, *, processes: int) -> int:
    """Entry point of a forked HTTP worker with ``processes`` query processes; returns its exit code.

    ``make_app`` is called in each query process (an on-disk store is opened there, after the fork).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    _raise_open_files_limit(settings.max_connections_per_worker + processes + 64)
    limits = PoolLimits(processes=processes, timeout=settings.timeout, queue_timeout=settings.queue_timeout,
                        queue_limit=settings.queue_limit, memory_bytes=settings.query_memory)
    pool = QueryPool(lambda: make_app().handle, limits,
                     isolate=None if settings.allow_federation else isolate_from_network)
    protocol = type("WorkerHttpProtocol", (BoundedHttpProtocol,), {"settings": settings})
    config = uvicorn.Config(
        AsgiAdapter(pool.run, settings), http=protocol, lifespan="off", access_log=False, server_header=False,
        proxy_headers=False, log_config=None,
        # uvicorn declares both timeouts as int but hands them to call_later/wait_for, which take seconds.
        log_level="warning", timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]
        timeout_graceful_shutdown=_DRAIN_GRACE,  # type: ignore[arg-type]
        backlog=1024,
    )
    asyncio.run(_serve_until_orphaned(_WorkerServer(config), sock, pool))
    return 0


async def _serve_until_orphaned(server: uvicorn.Server, sock: socket.socket, pool: QueryPool) -> None:
    parent = os.getppid()

    async def watch_parent() -> None:
        while not server.should_exit:
            await asyncio.sleep(1.0)
            if os.getppid() != parent:
                server.should_exit = True

    try:
        await pool.start()
        isolation = pool.isolation.describe() if pool.isolation else "none: federation is allowed"
        log.info("worker %d: %d query processes, network isolation: %s", os.getpid(), pool.limits.processes,
                 isolation)
        watcher = asyncio.get_running_loop().create_task(watch_parent())
        try:
            await server.serve(sockets=[sock])
        finally:
            watcher.cancel()
    finally:
        pool.close()


def _raise_open_files_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
