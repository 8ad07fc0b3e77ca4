"""Shared test fixtures."""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regenerate-golden", action="store_true", default=False,
        help="rewrite the golden files in tests/golden/ from what the code writes now (see tests/golden/README.md)",
    )

CHROMIUM = "/usr/bin/chromium"  # Debian's; CI installs it (apt-get install -y chromium)
# Without the background-networking flags Chromium tries to reach Google's hosts at start.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright. Missing Chromium fails the test, it never skips."""
    import os

    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install it (apt-get install -y chromium); "
                    "the browser tests need a real browser", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, *, attempts: int = 200) -> None:
    for _ in range(attempts):
        if process.poll() is not None:
            raise RuntimeError(
                f"oxigraph serve exited: {process.stderr.read().decode(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"oxigraph serve did not answer at {url}")


@pytest.fixture
def start_oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Start a real `oxigraph serve` on a free loopback port, preloaded with ``files``; its base URL.

    Every server started is killed at teardown.
    """
    yield from _oxigraph_servers(tmp_path_factory)


@pytest.fixture(scope="module")
def start_oxigraph_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Like ``start_oxigraph``, for servers shared by the tests of one module."""
    yield from _oxigraph_servers(tmp_path_factory)


def oxigraph_binary() -> str | None:
    """The `oxigraph` command of this interpreter's environment (a venv need not be activated)."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def _oxigraph_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    binary = oxigraph_binary()
    assert (
        binary
    ), "the `oxigraph` command (PyPI package `oxigraph`, a test dependency) is not on PATH"
    processes: list[subprocess.Popen] = []

    def start(*files: Path) -> str:
        location = tmp_path_factory.mktemp("oxigraph")
        if files:
            subprocess.run(
                [binary, "load", "--location", str(location), "--file", *map(str, files)],
                check=True,
                capture_output=True,
            )
        port = _free_port()
        process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, process)
        return url

    yield start
    for process in processes:
        process.kill()
        process.wait()


@pytest.fixture
def oxigraph_server(start_oxigraph: Callable[..., str]) -> str:
    """The base URL of an empty, real Oxigraph server (`/query`, `/update`, `/store`)."""
    return start_oxigraph()


# --- a listener that counts who connects: the witness that nothing goes out -------------------


class CountingListener:
    """A TCP listener on 127.0.0.1 that accepts and counts connections, then closes them."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def wait_for(self, count: int, *, timeout: float = 5.0) -> bool:
        """Whether ``count`` connections have arrived within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.connections < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.connections >= count

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@contextmanager
def counting_listener() -> Iterator[CountingListener]:
    listener = CountingListener()
    try:
        yield listener
    finally:
        listener.close()


# --- server: a real `hled-graph serve` subprocess ---------------------------------------------


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)


@contextmanager
def running_server(*args: str) -> Iterator[RunningServer]:
    """``hled-graph serve --port 0 ARGS`` in a subprocess, yielded once it answers; stopped after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hled_graph.cli", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    match = re.search(r"listening on (http://\S+?)/? ", first)
    if match is None:
        process.kill()
        raise AssertionError(f"server did not start: {first}{process.stderr.read()}")
    server = RunningServer(url=match.group(1).rstrip("/"), process=process, log=[first])
    threading.Thread(target=lambda: server.log.extend(process.stderr), daemon=True).start()  # type: ignore[arg-type]
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(server.url + "/sparql", timeout=2).read()
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def endpoint() -> Iterator[RunningServer]:
    """The endpoint on the server test fixtures (small graph, a hostile label, named graphs)."""
    with running_server(
        "--data", str(FIXTURES / "server-mini.ttl"),
        "--data", str(FIXTURES / "server-hostile.ttl"),
        "--data", str(FIXTURES / "server-graphs.trig"),
        "--timeout", "3", "--max-rows", "50", "--workers", "2",
    ) as server:
        yield server


def wait_until(page: object, expression: str, *, timeout: float = 20.0) -> None:
    """Poll ``expression`` in the page until it is truthy.

    Playwright's wait_for_function polls with eval inside the page, which a strict
    Content-Security-Policy (ours) forbids; page.evaluate goes through the debugger protocol.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise AssertionError(f"page never satisfied: {expression}")
        time.sleep(0.05)


@pytest.fixture
def serve_in_thread() -> Iterator[Callable[[socketserver.BaseServer], socketserver.BaseServer]]:
    """Run local test servers (http.server, socketserver) in threads; each is shut down afterwards."""
    servers: list[socketserver.BaseServer] = []

    def start(server: socketserver.BaseServer) -> socketserver.BaseServer:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request (any method) with ``status``, ``content_type`` and ``body``; records User-Agents."""

    status = 200
    content_type = "text/plain"
    body = b""
    agents: ClassVar[list[str]] = []

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.agents.append(self.headers.get("User-Agent", ""))
        self.send_response(self.status)
        if self.content_type:
            self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = _answer  # http.server's naming

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted_server(
    serve_in_thread: Callable[[socketserver.BaseServer], socketserver.BaseServer],
) -> Callable[..., tuple[str, type[ScriptedHandler]]]:
    """Start local servers that answer as told; a factory of (SPARQL URL, handler class)."""

    def start(status: int, content_type: str, body: bytes) -> tuple[str, type[ScriptedHandler]]:
        answer = {"status": status, "content_type": content_type, "body": body, "agents": []}
        handler = type("Handler", (ScriptedHandler,), answer)
        server = serve_in_thread(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler))
        return f"http://127.0.0.1:{server.server_address[1]}/sparql", handler

    return start
