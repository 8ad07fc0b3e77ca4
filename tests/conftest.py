"""Shared test fixtures."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


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
    binary = shutil.which("oxigraph")
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
