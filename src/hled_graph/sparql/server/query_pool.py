"""Query processes: every request is answered in one of a bounded set of child processes, one at a time each.

Why processes: pyoxigraph cannot cancel a query, so the only way to stop a runaway is to kill what
runs it; in a process of its own, killing it (SIGKILL) stops that query and nothing else. Each
process is forked from the HTTP worker after the store is loaded, so an in-memory store is shared
copy-on-write (an on-disk store is opened read-only by each process after the fork), and before it
runs anything it takes the network away from itself (:mod:`hled_graph.sandbox`, unless federation
is on) and caps its memory (``RLIMIT_DATA``): a memory runaway fails there, as an error answer.

The HTTP side only waits. A request takes a free process or waits for one at most
``queue_timeout`` seconds in a bounded queue (then 503 with Retry-After); a freed process goes to
the oldest waiter at once. The query's timeout runs from when its process receives it. Requests
and answers cross a socket pair as length-prefixed ``marshal`` frames (plain tuples of str, bytes
and ints: no pickle, and the answer's bytes are written once).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import logging
import marshal
import os
import resource
import signal
import socket
import struct
import sys
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from hled_graph.sandbox import NetworkIsolation
from hled_graph.sparql.server.messages import HttpError, Request, Response

log = logging.getLogger("hled_graph.server")

Handler = Callable[[Request], Response]

_FRAME = struct.Struct("!I")
_EXIT_OUT_OF_MEMORY = 4
_PR_SET_PDEATHSIG = 1
# The SPARQL parser recurses per nesting level: give the query thread room beyond the guard's limit.
_QUERY_STACK = 64 * 1024 * 1024
_START_TIMEOUT = 120.0  # opening a large on-disk store can take a while
_REAP_POLL = 0.005
# A query still running after this long is probably a big one: its thread gets a lower CPU
# priority, so that small queries beside it (and the HTTP workers) are not slowed by it.
_DEMOTE_AFTER = 0.25
_DEMOTED_NICE = 10


@dataclass(frozen=True)
class PoolLimits:
    """How many processes, how long a request may wait for one and run in it, and how much memory it may use."""

    processes: int
    timeout: float
    queue_timeout: float
    queue_limit: int
    memory_bytes: int


@dataclass
class _Process:
    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    thread: int  # the native id of the thread that runs its queries
    demoted: bool = False


class QueryPool:
    """A fixed number of query processes made by ``make_handler`` (called in each child, after the fork).

    ``isolate`` runs first in each child (before the handler is made); its report is :attr:`isolation`.
    """

    def __init__(self, make_handler: Callable[[], Handler], limits: PoolLimits, *,
                 isolate: Callable[[], NetworkIsolation] | None) -> None:
        self._make_handler = make_handler
        self.limits = limits
        self._isolate = isolate
        self._idle: list[_Process] = []
        self._waiters: collections.deque[asyncio.Future[_Process]] = collections.deque()
        self._live: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.isolation: NetworkIsolation | None = None

    async def start(self) -> None:
        """Fork every process and wait until each has said it is ready."""
        processes = await asyncio.gather(*(self._spawn() for _ in range(self.limits.processes)))
        self._idle.extend(processes)

    async def run(self, request: Request) -> Response:
        """The answer of a query process to ``request``; HttpError 503 when busy, past the timeout or out of memory."""
        process = await self._acquire()
        demotion = asyncio.get_running_loop().call_later(_DEMOTE_AFTER, _demote, process)
        try:
            response = await self._exchange(process, request)
        except BaseException:
            # A process that timed out, crashed or was abandoned mid-answer is never reused.
            self._replace(process)
            raise
        finally:
            demotion.cancel()
        if process.demoted and not _restore(process):
            self._replace(process)  # without the right to raise its priority again, a fresh process is cheaper
        else:
            self._release(process)
        return response

    def close(self) -> None:
        """Kill every query process (they hold no state) and reap them."""
        for task in self._tasks:
            task.cancel()
        for pid in list(self._live):
            _kill(pid)
            _reap(pid, block=True)
        self._live.clear()

    # slots --------------------------------------------------------------------------------------

    async def _acquire(self) -> _Process:
        if self._idle:
            return self._idle.pop()
        if len(self._waiters) >= self.limits.queue_limit:
            raise self._busy()
        waiter: asyncio.Future[_Process] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.limits.queue_timeout):
                return await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return waiter.result()  # handed over just as the wait ran out: take it
            raise self._busy() from None
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # handed over, then cancelled before it resumed: pass it on
            raise
        finally:
            if not waiter.done():
                waiter.cancel()
                self._waiters.remove(waiter)  # a given-up wait must not count against the queue's bound

    def _release(self, process: _Process) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(process)
                return
        self._idle.append(process)

    def _busy(self) -> HttpError:
        return HttpError(503, f"all {self.limits.processes} query processes are busy and none came free within "
                              f"{self.limits.queue_timeout:g} s; try again shortly",
                         headers=(("Retry-After", "1"),))

    # one request --------------------------------------------------------------------------------

    async def _exchange(self, process: _Process, request: Request) -> Response:
        payload = marshal.dumps((request.method, request.target, request.headers, request.body))
        process.writer.write(_FRAME.pack(len(payload)) + payload)
        try:
            # The clock starts here: the process is idle, so it starts on the query at once.
            async with asyncio.timeout(self.limits.timeout):
                answer = await _read_frame(process.reader)
        except TimeoutError:
            log.warning("a request ran past %.3g s (%s %s); its query process is killed", self.limits.timeout,
                        request.method, request.target[:120])
            raise HttpError(503, f"the query ran longer than the {self.limits.timeout:g} s limit and was stopped; "
                                 "narrow it (more specific patterns, LIMIT) and try again",
                            headers=(("Retry-After", "1"),)) from None
        if answer is None:
            raise await self._died(process, request)
        status, body, content_type, headers, close = marshal.loads(answer)
        return Response(status, body, content_type, [tuple(pair) for pair in headers], close)

    async def _died(self, process: _Process, request: Request) -> HttpError:
        code = await _wait_for_exit(process.pid)
        self._live.discard(process.pid)
        memory = _format_bytes(self.limits.memory_bytes)
        # Out of memory shows as our exit code (Python's MemoryError) or as SIGABRT (Rust aborts
        # when an allocation fails) or SIGSEGV (a stack or mapping that could not grow).
        if code in (_EXIT_OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
            log.warning("a query process (pid %d) ran out of its %s of memory (status %d) on %s %s; replacing it",
                        process.pid, memory, code, request.method, request.target[:120])
            return HttpError(503, f"the query needed more than the {memory} of memory a query may use and was "
                                  "stopped; narrow it (more specific patterns, LIMIT, no ORDER BY over "
                                  "large results) and try again", headers=(("Retry-After", "1"),))
        log.error("a query process (pid %d) died with status %d on %s %s; replacing it", process.pid, code,
                  request.method, request.target[:120])
        return HttpError(500, "the query process died while answering; this is a bug, and the server log has "
                              "the details")

    def _replace(self, process: _Process) -> None:
        process.writer.close()
        if process.pid in self._live:
            _kill(process.pid)
            self._live.discard(process.pid)
            self._background(_wait_for_exit(process.pid))
        self._background(self._respawn())

    async def _respawn(self) -> None:
        try:
            process = await self._spawn()
        except Exception:  # keep trying: a lost slot would shrink the pool for good
            log.exception("could not start a query process; trying again in 1 s")
            await asyncio.sleep(1.0)
            self._background(self._respawn())
            return
        self._release(process)

    def _background(self, job: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # processes ----------------------------------------------------------------------------------

    async def _spawn(self) -> _Process:
        parent_end, child_end = socket.socketpair()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child never returns into the event loop's code
            code = 1
            try:
                parent_end.close()
                _die_with_parent(parent)
                code = _child_main(child_end, self._make_handler, self._isolate, self.limits.memory_bytes)
            except BaseException:  # a child must never return into the event loop's code
                log.exception("query process %d failed", os.getpid())
            finally:
                os._exit(code)
        child_end.close()
        self._live.add(pid)
        reader, writer = await asyncio.open_unix_connection(sock=parent_end)
        try:
            async with asyncio.timeout(_START_TIMEOUT):
                hello = await _read_frame(reader)
        except TimeoutError:
            hello = None
        if hello is None:
            writer.close()
            _kill(pid)
            self._live.discard(pid)
            raise RuntimeError(f"query process {pid} did not start (status {await _wait_for_exit(pid)})")
        namespace, seccomp, notes, thread = marshal.loads(hello)
        if self._isolate is not None:
            self.isolation = NetworkIsolation(namespace, seccomp, tuple(notes))
        return _Process(pid, reader, writer, thread)


async def _read_frame(reader: asyncio.StreamReader) -> bytes | None:
    try:
        (size,) = _FRAME.unpack(await reader.readexactly(_FRAME.size))
        return await reader.readexactly(size)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None


def _demote(process: _Process) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, process.thread, _DEMOTED_NICE)
        process.demoted = True
    except OSError:
        pass  # the query runs on at normal priority


def _restore(process: _Process) -> bool:
    try:
        os.setpriority(os.PRIO_PROCESS, process.thread, 0)
    except OSError:
        return False  # only a privileged process may lower a nice value
    process.demoted = False
    return True


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int, *, block: bool) -> int | None:
    try:
        done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return 0
    return os.waitstatus_to_exitcode(status) if done else None


async def _wait_for_exit(pid: int) -> int:
    """The exit code of ``pid`` once it is gone, without blocking the event loop (killed: a few ms)."""
    while (code := _reap(pid, block=False)) is None:
        await asyncio.sleep(_REAP_POLL)
    return code


def _format_bytes(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


# --- the child -------------------------------------------------------------------------------


def _child_main(channel: socket.socket, make_handler: Callable[[], Handler],
                isolate: Callable[[], NetworkIsolation] | None, memory_bytes: int) -> int:
    signal.set_wakeup_fd(-1)  # the event loop's, whose pipe is closed below
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Client connections and the listening socket belong to the HTTP worker: a copy held here would
    # keep a connection open after the worker closed it.
    fd = channel.fileno()
    os.closerange(3, fd)
    os.closerange(fd + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    # Standard input may be a socket (socket activation, inetd); a query process reads nothing.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    isolation = isolate() if isolate is not None else NetworkIsolation(False, False, ("federation allowed",))
    handler = make_handler()
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    hello = (isolation.namespace, isolation.seccomp, list(isolation.notes))
    outcome = [0]
    threading.stack_size(_QUERY_STACK)
    worker = threading.Thread(target=_answer_forever, args=(channel, handler, hello, outcome), name="hled-query")
    worker.start()
    worker.join()
    return outcome[0]


def _answer_forever(channel: socket.socket, handler: Handler, hello: tuple[bool, bool, list[str]],
                    outcome: list[int]) -> None:
    # The thread id lets the HTTP worker lower this thread's priority (nice is per thread on Linux).
    _send_frame(channel, marshal.dumps((*hello, threading.get_native_id())))
    while (frame := _recv_frame(channel)) is not None:
        method, target, headers, body = marshal.loads(frame)
        try:
            response = handler(Request(method, target, headers, body))
            payload = marshal.dumps((response.status, response.body, response.content_type,
                                     response.headers, response.close))
        except MemoryError:
            outcome[0] = _EXIT_OUT_OF_MEMORY  # no answer: the parent says "memory" and starts a fresh process
            return
        _send_frame(channel, payload)


def _send_frame(channel: socket.socket, payload: bytes) -> None:
    channel.sendall(_FRAME.pack(len(payload)) + payload)


def _recv_frame(channel: socket.socket) -> bytes | None:
    head = _recv_exactly(channel, _FRAME.size)
    return None if head is None else _recv_exactly(channel, _FRAME.unpack(head)[0])


def _recv_exactly(channel: socket.socket, size: int) -> bytes | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = channel.recv_into(view[got:])
        if count == 0:
            return None  # the HTTP worker is gone
        got += count
    return bytes(buffer)


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)  # the parent died before the request to die with it was in place
