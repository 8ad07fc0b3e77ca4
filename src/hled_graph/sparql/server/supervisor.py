"""The process that runs the endpoint: one listening socket, N forked HTTP workers, respawned on exit.

The store is loaded once here (so bad data fails before anything listens) and the workers are
forked from this process, sharing its memory until they write; each forks its share of the
query processes (:mod:`.query_pool`). A worker that exits (a crash) is replaced by a fresh fork
within milliseconds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hled_graph.errors import InputError
from hled_graph.sparql.server.settings import ServerSettings

if TYPE_CHECKING:
    from hled_graph.sparql.server.app import App, CommitmentsPage, OntologyDocs

log = logging.getLogger("hled_graph.server")

_STOP_GRACE = 3.0
_FAST_CRASH = 1.0


class _Stop(Exception):
    pass


def serve(settings: ServerSettings, *, ontology_docs: OntologyDocs | None = None,
          commitments_page: CommitmentsPage | None = None) -> None:
    """Run the endpoint until SIGINT/SIGTERM. Raises InputError for bad data or a busy port.

    ``ontology_docs`` writes the page at /ontology.html from the store, ``commitments_page`` the
    tracker at /commitments (see :class:`App`).
    """
    from hled_graph.sparql.engine import load_store
    from hled_graph.sparql.server.app import App

    logging.basicConfig(level=logging.INFO, format="hled-graph serve: %(message)s", stream=sys.stderr)
    if settings.workers < 1:
        raise InputError(f"--workers {settings.workers}: need at least 1 worker")
    if settings.timeout <= 0:
        raise InputError(f"--timeout {settings.timeout}: need a positive number of seconds")
    if settings.query_processes < settings.workers:
        raise InputError(f"--query-processes {settings.query_processes}: need at least one per worker "
                         f"({settings.workers}); raise it or lower --workers")
    sock = _listen(settings.host, settings.port)
    settings = replace(settings, port=sock.getsockname()[1])
    make_app: Callable[[], App]
    if settings.store is not None:
        # An on-disk store is opened by each worker after the fork (its handles are not fork-safe);
        # opening it here first reports a missing or broken store before anything listens.
        App(load_store(store_path=settings.store), settings)
        make_app = lambda: App(load_store(store_path=settings.store), settings,  # noqa: E731
                               ontology_docs=ontology_docs, commitments_page=commitments_page)
    else:
        app = App(load_store(data=list(settings.data) or None), settings, ontology_docs=ontology_docs,
                  commitments_page=commitments_page)
        make_app = lambda: app  # noqa: E731
    _check_memory_cap(settings.query_memory)
    print(
        f"hled-graph serve: listening on http://{_url_host(settings.host)}:{settings.port}/ "
        f"({settings.workers} workers, {settings.query_processes} query processes of at most "
        f"{settings.query_memory / 2**20:g} MiB, timeout {settings.timeout:g} s, max {settings.max_rows} rows, "
        f"federation {'on' if settings.allow_federation else 'off'}); Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    _supervise(make_app, sock, settings)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=1024)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise InputError(f"cannot listen on {host}:{port} ({reason}); choose another --host/--port") from None
    sock.setblocking(False)
    return sock


# What a query process needs beyond what it inherits before it can answer anything (measured: ~100 MiB).
_QUERY_HEADROOM = 256 * 2**20


def _check_memory_cap(cap: int) -> None:
    """Refuse a --query-memory that the loaded store alone (inherited by every query process) would exceed."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return  # not Linux: the cap is set, but there is no cheap way to read the process's size first
    match = re.search(r"^VmData:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        return
    held = int(match.group(1)) * 1024
    if held + _QUERY_HEADROOM > cap:
        raise InputError(f"--query-memory {cap / 2**20:g} MiB: with the graph loaded the server holds "
                         f"{held / 2**20:.0f} MiB, which every query process inherits, and a query needs room "
                         f"beyond it; give at least {(held + _QUERY_HEADROOM) / 2**20:.0f} MiB")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _supervise(make_app: Callable[[], App], sock: socket.socket, settings: ServerSettings) -> None:
    from hled_graph.sparql.server.worker import run_worker

    children: dict[int, tuple[float, int]] = {}
    # The query processes are shared out evenly; the first workers take the remainder.
    share, extra = divmod(settings.query_processes, settings.workers)

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = run_worker(make_app, sock, settings, processes=share + (index < extra))
            except BaseException:  # a child must never return into the parent's code
                log.exception("worker %d failed", os.getpid())
            finally:
                os._exit(code)
        children[pid] = (time.monotonic(), index)

    def stop(signum: int, frame: object) -> None:
        raise _Stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for index in range(settings.workers):
            spawn(index)
        while True:
            pid, status = os.wait()
            child = children.pop(pid, None)
            if child is None:
                continue
            started, index = child
            log.warning("worker %d exited with status %d; starting a new one", pid, os.waitstatus_to_exitcode(status))
            if time.monotonic() - started < _FAST_CRASH:
                time.sleep(_FAST_CRASH)  # do not spin if workers die on start
            spawn(index)
    except _Stop:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_children(children)
        sock.close()


def _stop_children(children: dict[int, tuple[float, int]]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE
    while children and time.monotonic() < deadline:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid:
            children.pop(pid, None)
        else:
            time.sleep(0.02)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
