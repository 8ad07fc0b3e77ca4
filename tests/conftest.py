"""Shared test fixtures. Keep this small; append, don't rewrite."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


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
