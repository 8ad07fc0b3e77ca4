"""The knobs of the endpoint, in one value shared by the supervisor, the workers and the handler."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_query_processes() -> int:
    """Two query processes per CPU: one can wait on I/O or be replaced while the other runs."""
    return 2 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class ServerSettings:
    """How the endpoint runs. Defaults are the documented guarantees (see README, "Endpoint")."""

    host: str = "127.0.0.1"
    port: int = 7878
    data: tuple[Path, ...] = ()
    store: Path | None = None
    timeout: float = 10.0
    max_rows: int = 10_000
    allow_federation: bool = False
    workers: int = 2
    max_body_bytes: int = 1024 * 1024
    max_url_bytes: int = 8 * 1024
    max_header_bytes: int = 16 * 1024
    max_query_chars: int = 100_000
    header_timeout: float = 10.0
    keep_alive_timeout: float = 15.0
    # Only for the endpoint mounted in another ASGI application (`asgi_app`), which runs queries in threads.
    threads_per_worker: int = 8
    query_processes: int = field(default_factory=default_query_processes)
    queue_timeout: float = 2.0
    queue_limit: int = 256
    query_memory: int = 2 * 1024**3
    max_connections_per_worker: int = 1000
