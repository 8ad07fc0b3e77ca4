"""The endpoint as an ASGI application: HTTP framing is the server's (uvicorn), answers are :class:`App`'s.

:func:`asgi_app` is the public factory, for ``hled-graph serve`` and for anyone who mounts the
endpoint in their own ASGI application. The adapter turns an ASGI ``http`` scope into a
:class:`Request`, hands it to an answering function (``hled-graph serve``: a pool of query
processes; mounted elsewhere: :class:`InThreads`) and writes the :class:`Response` back. It
checks what HTTP servers leave to the application: ``Host`` on HTTP/1.1, the body size and how
long the body may take. No import of uvicorn here: the adapter runs under any ASGI server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

from hled_graph.sparql.server.app import COMMON_HEADERS, App, CommitmentsPage, OntologyDocs
from hled_graph.sparql.server.messages import HttpError, Request, Response, error_response
from hled_graph.sparql.server.settings import ServerSettings

log = logging.getLogger("hled_graph.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# A body somewhat over the limit is read and dropped before the 413: closing a connection with
# unread input resets it, and the client would never see the answer.
_DISCARD_FACTOR = 4


def asgi_app(store: ox.Store, settings: ServerSettings | None = None, *,
             ontology_docs: OntologyDocs | None = None, commitments_page: CommitmentsPage | None = None) -> ASGIApp:
    """The read-only endpoint over ``store`` as an ASGI application (mount it anywhere).

    Mounted in another application, queries run in a thread pool of that process: a query past
    ``settings.timeout`` is answered 503, but its thread runs on. Only ``hled-graph serve`` runs
    queries in processes it can kill (see :mod:`.query_pool`).
    """
    settings = settings or ServerSettings()
    app = App(store, settings, ontology_docs=ontology_docs, commitments_page=commitments_page)
    return AsgiAdapter(InThreads(app, settings).answer, settings)


class AsgiAdapter:
    """Answers ASGI ``http`` requests with ``answer`` (a query pool's, or :class:`InThreads`')."""

    def __init__(self, answer: Callable[[Request], Awaitable[Response]], settings: ServerSettings) -> None:
        self.answer = answer
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets: returning without accepting refuses them
        try:
            request = await self._read_request(scope, receive)
        except HttpError as exc:
            # The rest of a refused request is not read: the connection must close after the answer.
            await _send(send, _error(exc, accept=None), close=True, head_only=False)
            return
        try:
            response = await self.answer(request)
        except HttpError as exc:  # the query pool's: busy, past the timeout, out of memory
            response = _error(exc, accept=request.header("accept"))
            response.close = exc.status == 500
        await _send(send, response, close=response.close, head_only=request.method == "HEAD")

    async def _read_request(self, scope: Scope, receive: Receive) -> Request:
        settings = self.settings
        if scope.get("http_version", "1.1") not in ("1.0", "1.1"):
            raise HttpError(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        headers: dict[str, str] = {}
        hosts = 0
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            hosts += name == "host"
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if hosts > 1 or (hosts == 0 and scope.get("http_version") == "1.1"):
            raise HttpError(400, "an HTTP/1.1 request needs exactly one Host header (RFC 9112, 3.2)")
        target = _target(scope)
        if len(target) > settings.max_url_bytes:
            raise HttpError(414, f"URL longer than {settings.max_url_bytes} bytes; send long queries with POST")
        declared = headers.get("content-length", "0")
        if not (declared.isascii() and declared.isdigit()):  # uvicorn checks it; other ASGI servers may not
            raise HttpError(400, "invalid Content-Length")
        framed = "transfer-encoding" in headers or declared != "0"
        # Without a body there is nothing to wait for (and no timer to set).
        body = await self._read_body(receive, declared=int(declared)) if framed else b""
        return Request(method=scope["method"].upper(), target=target, headers=headers, body=body)

    async def _read_body(self, receive: Receive, *, declared: int) -> bytes:
        limit = self.settings.max_body_bytes
        too_large = HttpError(413, f"request body larger than {limit} bytes")
        if declared > limit * _DISCARD_FACTOR:
            raise too_large  # answered before the upload; the connection closes
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.settings.header_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise HttpError(400, "the client closed the connection before the request was complete")
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit * _DISCARD_FACTOR:
                        raise too_large
                    if size <= limit:
                        chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            raise HttpError(408, f"the request was not complete within {self.settings.header_timeout:g} s") from None
        if size > limit:
            raise too_large
        return b"".join(chunks)



class InThreads:
    """Runs :meth:`App.handle` in a thread pool (pyoxigraph releases the GIL while it evaluates)."""

    def __init__(self, app: App, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings
        self.executor = ThreadPoolExecutor(settings.threads_per_worker, thread_name_prefix="hled-query")

    async def answer(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        # A bare future and a timer rather than asyncio.wait_for, which costs a task per request.
        answer: asyncio.Future[Response | None] = loop.create_future()
        job = self.executor.submit(self.app.handle, request)
        job.add_done_callback(lambda done: loop.call_soon_threadsafe(_settle, answer, done))
        timer = loop.call_later(self.settings.timeout, _settle, answer, None)
        try:
            response = await answer
        finally:
            timer.cancel()
        if response is not None:
            return response
        # Still queued (every thread busy): it must not run after its 503, or a burst of them would.
        started = not job.cancel()
        log.warning("a request ran past %.3g s (%s %s); answering 503 (%s)", self.settings.timeout,
                    request.method, request.target[:120], "its thread runs on" if started else "it never started")
        raise HttpError(
            503,
            f"the query ran longer than the {self.settings.timeout:g} s limit; "
            "narrow it (more specific patterns, LIMIT) and try again",
            headers=(("Retry-After", "1"),),
        )


def _target(scope: Scope) -> str:
    """The request target as the router reads it: path below ``root_path``, and the query string.

    Bytes beyond ASCII are read as UTF-8 (RFC 3986 IRIs sent raw); anything else is a 400.
    """
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
    root = scope.get("root_path", "").encode("utf-8")
    if root and raw_path.startswith(root):
        raw_path = raw_path[len(root):] or b"/"
    query: bytes = scope.get("query_string", b"")
    try:
        return (raw_path + b"?" + query if query else raw_path).decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the request target is not valid UTF-8") from None


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


def _error(exc: HttpError, *, accept: str | None) -> Response:
    response = error_response(exc.status, exc.message, accept=accept, headers=exc.headers)
    response.headers.extend(COMMON_HEADERS)
    return response


async def _send(send: Send, response: Response, *, close: bool, head_only: bool) -> None:
    headers = [(b"content-length", str(len(response.body)).encode("latin-1"))]
    if response.content_type:
        headers.append((b"content-type", response.content_type.encode("latin-1")))
    headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head_only else response.body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
