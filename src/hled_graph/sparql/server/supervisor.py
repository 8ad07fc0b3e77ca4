"""The process that runs the endpoint: one listening socket, N forked workers, respawned on exit.

The store is loaded once here (so bad data fails before anything listens) and the workers are
forked from this process, sharing its memory until they write; a worker that exits (after a
runaway query, or a crash) is replaced by a fresh fork within milliseconds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from hled_graph.errors import InputError
from hled_graph.sparql.server.settings import ServerSettings

if TYPE_CHECKING:
    from hled_graph.sparql.server.app import App, OntologyDocs

log = logging.getLogger("hled_graph.server")

_STOP_GRACE = 3.0
_FAST_CRASH = 1.0


class _Stop(Exception):
    pass


def serve(settings: ServerSettings, *, ontology_docs: OntologyDocs | None = None) -> None:
    """Run the endpoint until SIGINT/SIGTERM. Raises InputError for bad data or a busy port.

    ``ontology_docs`` writes the page at /ontology.html from the store (see :class:`App`).
    """
    from hled_graph.sparql.engine import load_store
    from hled_graph.sparql.server.app import App

    logging.basicConfig(level=logging.INFO, format="hled-graph serve: %(message)s", stream=sys.stderr)
    if settings.workers < 1:
        raise InputError(f"--workers {settings.workers}: need at least 1 worker")
    if settings.timeout <= 0:
        raise InputError(f"--timeout {settings.timeout}: need a positive number of seconds")
    sock = _listen(settings.host, settings.port)
    settings = replace(settings, port=sock.getsockname()[1])
    make_app: Callable[[], App]
    if settings.store is not None:
        # An on-disk store is opened by each worker after the fork (its handles are not fork-safe);
        # opening it here first reports a missing or broken store before anything listens.
        App(load_store(store_path=settings.store), settings)
        make_app = lambda: App(load_store(store_path=settings.store), settings, ontology_docs=ontology_docs)  # noqa: E731
    else:
        app = App(load_store(data=list(settings.data) or None), settings, ontology_docs=ontology_docs)
        make_app = lambda: app  # noqa: E731
    print(
        f"hled-graph serve: listening on http://{_url_host(settings.host)}:{settings.port}/ "
        f"({settings.workers} workers, timeout {settings.timeout:g} s, max {settings.max_rows} rows, "
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


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _supervise(make_app: Callable[[], App], sock: socket.socket, settings: ServerSettings) -> None:
    from hled_graph.sparql.server.worker import EXIT_AFTER_TIMEOUT, run_worker

    children: dict[int, float] = {}

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = run_worker(make_app, sock, settings)
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(signum: int, frame: object) -> None:
        raise _Stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(settings.workers):
            spawn()
        while True:
            pid, status = os.wait()
            started = children.pop(pid, None)
            if started is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if code != EXIT_AFTER_TIMEOUT:
                log.warning("worker %d exited with status %d; starting a new one", pid, code)
                if time.monotonic() - started < _FAST_CRASH:
                    time.sleep(_FAST_CRASH)  # do not spin if workers die on start
            spawn()
    except _Stop:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_children(children)
        sock.close()


def _stop_children(children: dict[int, float]) -> None:
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
