"""One worker process: a lean HTTP/1.1 server (asyncio) that runs each request in a thread.

Why this shape (measured, see README "Endpoint"): pyoxigraph releases the GIL while it evaluates,
so a worker keeps answering other connections while one query runs; but it has no way to cancel
a query, so a query that outlives the timeout is answered with 503 and the whole worker exits,
which is the only way to get its CPU back. The supervisor then forks a fresh worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from hled_graph.sparql.server.app import COMMON_HEADERS, App
from hled_graph.sparql.server.messages import REASONS, HttpError, Request, Response, error_response
from hled_graph.sparql.server.settings import ServerSettings

log = logging.getLogger("hled_graph.server")

EXIT_AFTER_TIMEOUT = 3
_DRAIN_GRACE = 1.0
_MAX_HEADERS = 100
# The parser recurses per nesting level; give query threads room beyond the guard's limit.
_QUERY_THREAD_STACK = 64 * 1024 * 1024
# The event loop hands each request to a query thread and back; with the default 5 ms GIL
# switch interval every hand-off can wait that long.
_SWITCH_INTERVAL = 0.0002


class Worker:
    """Serves HTTP on an already-listening socket until told to stop or a query times out."""

    def __init__(self, app: App, sock: socket.socket, settings: ServerSettings) -> None:
        self.app = app
        self.sock = sock
        self.settings = settings
        self.connections: set[HttpConnection] = set()
        self.draining = False
        self._parent = os.getppid()
        self._server: asyncio.base_events.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exit_code = 0
        threading.stack_size(_QUERY_THREAD_STACK)
        sys.setswitchinterval(_SWITCH_INTERVAL)
        self.pool = ThreadPoolExecutor(settings.threads_per_worker, thread_name_prefix="hled-query")

    def run(self) -> int:
        """Serve until stopped; returns the exit code (EXIT_AFTER_TIMEOUT after a runaway query)."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            loop.create_server(lambda: HttpConnection(self), sock=self.sock, backlog=1024)
        )
        loop.add_signal_handler(signal.SIGTERM, lambda: self.drain(code=0))
        loop.call_later(1.0, self._watch_parent)
        loop.run_forever()
        return self._exit_code

    async def dispatch(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        # A bare future and a timer rather than asyncio.wait_for, which costs a task per request.
        answer: asyncio.Future[Response | None] = loop.create_future()
        job = self.pool.submit(self.app.handle, request)
        job.add_done_callback(lambda done: loop.call_soon_threadsafe(_settle, answer, done))
        timer = loop.call_later(self.settings.timeout, _settle, answer, None)
        response = await answer
        timer.cancel()
        if response is None:
            log.warning("worker %d: a request ran past %.3g s (%s %s); answering 503 and restarting the worker",
                        os.getpid(), self.settings.timeout, request.method, request.target[:120])
            self.drain(code=EXIT_AFTER_TIMEOUT)
            response = error_response(
                503,
                f"the query ran longer than the {self.settings.timeout:g} s limit and was stopped; "
                "narrow it (more specific patterns, LIMIT) and try again",
                accept=request.header("accept"),
                headers=(("Retry-After", "1"),),
            )
            response.headers.extend(COMMON_HEADERS)
            response.close = True
        return response

    def drain(self, *, code: int) -> None:
        """Stop accepting, let requests in flight finish briefly, then leave the process."""
        if self.draining:
            return
        self.draining = True
        self._exit_code = code
        if self._server is not None:
            self._server.close()
        # Open keep-alive connections are not cut now: each gets its next answer with
        # "Connection: close", so clients move to another worker without a failed request.
        assert self._loop is not None
        self._loop.create_task(self._exit_when_quiet())

    async def _exit_when_quiet(self) -> None:
        assert self._loop is not None
        deadline = self._loop.time() + _DRAIN_GRACE
        while self._loop.time() < deadline and self.connections:
            await asyncio.sleep(0.01)
        # A runaway query keeps a thread busy that cannot be stopped: leave without joining it.
        logging.shutdown()
        os._exit(self._exit_code)

    def _watch_parent(self) -> None:
        if os.getppid() != self._parent:
            os._exit(0)
        assert self._loop is not None
        self._loop.call_later(1.0, self._watch_parent)


def _settle(answer: asyncio.Future[Response | None], job: Future[Response] | None) -> None:
    """Resolve ``answer`` with the job's response, or with None when the timer fires first."""
    if answer.done():
        return
    if job is None:
        answer.set_result(None)
    elif job.exception() is not None:
        answer.set_exception(job.exception())  # type: ignore[arg-type]
    else:
        answer.set_result(job.result())


class HttpConnection(asyncio.Protocol):
    """One client connection: HTTP/1.1 with keep-alive, one request at a time, bounded sizes and times."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.settings = worker.settings
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.busy = False
        self._timer: asyncio.TimerHandle | None = None
        self._continue_sent = False
        self._closing = False

    # asyncio callbacks --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.worker.connections.add(self)
        self._arm_timer(self.settings.header_timeout)
        if len(self.worker.connections) > self.settings.max_connections_per_worker:
            # Many idle or stalled connections (a slowloris) must not exhaust file descriptors.
            self._fail(503, "too many open connections; try again shortly")

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.connections.discard(self)
        if self._timer is not None:
            self._timer.cancel()
        self.transport = None

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return  # discarding the rest of a refused request
        self.buffer += data
        if self.busy:
            if len(self.buffer) > self.settings.max_body_bytes + self.settings.max_header_bytes and self.transport:
                self.transport.pause_reading()
            return
        self._next_request()

    # state ----------------------------------------------------------------------------------

    def _arm_timer(self, seconds: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(seconds, self._on_timer)

    def _on_timer(self) -> None:
        if self.busy or self.transport is None or self._closing:
            return
        if self.buffer:
            # A client that started a request and stalled: tell it, and free the connection.
            self._fail(408, f"the request was not complete within {self.settings.header_timeout:g} s")
        else:
            self.transport.close()

    # parsing ----------------------------------------------------------------------------------

    def _next_request(self) -> None:
        try:
            parsed = self._parse()
        except HttpError as exc:
            self._fail(exc.status, exc.message)
            return
        if parsed is None:
            return
        request, keep_alive = parsed
        self.busy = True
        if self._timer is not None:
            self._timer.cancel()
        asyncio.get_running_loop().create_task(self._respond(request, keep_alive))

    def _parse(self) -> tuple[Request, bool] | None:
        settings = self.settings
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0 and len(self.buffer) > settings.max_url_bytes + 64:
                raise HttpError(414, f"request line longer than {settings.max_url_bytes} bytes")
            if len(self.buffer) > settings.max_url_bytes + settings.max_header_bytes:
                raise HttpError(431, f"request headers longer than {settings.max_header_bytes} bytes")
            return None
        head = bytes(self.buffer[:end]).decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[0].isalpha() or not parts[1]:
            raise HttpError(400, "malformed request line")
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise HttpError(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        if len(target) > settings.max_url_bytes:
            raise HttpError(414, f"URL longer than {settings.max_url_bytes} bytes; send long queries with POST")
        if len(lines) > _MAX_HEADERS or end - len(lines[0]) > settings.max_header_bytes:
            raise HttpError(431, "too many or too long request headers")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise HttpError(400, "malformed request header")
            key = name.lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        if "transfer-encoding" in headers:
            raise HttpError(411, "chunked request bodies are not supported; send Content-Length")
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit() or "," in length_text:
            raise HttpError(400, "invalid Content-Length")
        length = int(length_text)
        if length > settings.max_body_bytes:
            raise HttpError(413, f"request body larger than {settings.max_body_bytes} bytes")
        body_start = end + 4
        if len(self.buffer) < body_start + length:
            if headers.get("expect", "").lower() == "100-continue" and not self._continue_sent and self.transport:
                self._continue_sent = True
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return None
        body = bytes(self.buffer[body_start:body_start + length])
        del self.buffer[:body_start + length]
        self._continue_sent = False
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
        return Request(method=method.upper(), target=target, headers=headers, body=body), keep_alive

    # answering --------------------------------------------------------------------------------

    async def _respond(self, request: Request, keep_alive: bool) -> None:
        try:
            response = await self.worker.dispatch(request)
            if not isinstance(response, Response):
                raise TypeError(f"dispatch answered {response!r}")
        except Exception:  # a bug in the loop's own code: never leave the client hanging
            log.exception("worker error answering %s %s", request.method, request.target[:120])
            response = error_response(500, "internal error; the server log has the details")
            response.headers.extend(COMMON_HEADERS)
        keep_alive = keep_alive and not response.close and not self.worker.draining
        if self.transport is None:
            return
        self.transport.write(encode(response, keep_alive=keep_alive, head_only=request.method == "HEAD"))
        self.busy = False
        if not keep_alive:
            self.transport.close()
            return
        self.transport.resume_reading()
        self._arm_timer(self.settings.header_timeout if self.buffer else self.settings.keep_alive_timeout)
        if self.buffer:
            self._next_request()

    def _fail(self, status: int, message: str) -> None:
        if self.transport is None:
            return
        response = error_response(status, message)
        response.headers.extend(COMMON_HEADERS)
        self.transport.write(encode(response, keep_alive=False, head_only=False))
        self.buffer.clear()
        # Closing with unread input would reset the connection before the client reads the
        # answer (a 413 while it still uploads): stop writing, discard input, close a bit later.
        self._closing = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(2.0, self._close_now)

    def _close_now(self) -> None:
        if self.transport is not None:
            self.transport.close()


def encode(response: Response, *, keep_alive: bool, head_only: bool) -> bytes:
    """The response as bytes on the wire (status line, headers, body)."""
    lines = [f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Unknown')}"]
    if response.content_type:
        lines.append(f"Content-Type: {response.content_type}")
    lines.append(f"Content-Length: {len(response.body)}")
    lines += [f"{name}: {value}" for name, value in response.headers]
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + response.body


def run_worker(make_app: Callable[[], App], sock: socket.socket, settings: ServerSettings) -> int:
    """Entry point of a forked worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _raise_open_files_limit(settings.max_connections_per_worker + 64)
    return Worker(make_app(), sock, settings).run()


def _raise_open_files_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
