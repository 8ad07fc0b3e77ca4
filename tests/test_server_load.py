"""A CI-sized load test: 32 keep-alive clients for ~3 s mixing library queries and entity
descriptions, from a second process (benchmarks.load_endpoint). Every answer is compared with
the one computed locally; no 5xx, no wrong answer, worker memory bounded. Timings are printed,
not asserted (speed belongs in benchmarks/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent


def _load(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_endpoint", "--json", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _check(report: dict, label: str) -> None:
    print(f"\n{label}: {report['requests']} requests from {report['clients']} clients in {report['seconds']} s, "
          f"{report['requests_per_second']} req/s, p50 {report['p50_ms']} ms, p99 {report['p99_ms']} ms, "
          f"RSS {report['rss_before_mb']} -> {report['rss_after_mb']} MB")
    assert report["requests"] > 100
    assert report["server_errors"] == 0, report["problems"]
    assert report["wrong_answers"] == 0, report["problems"]
    assert report["other_errors"] == 0, report["problems"]
    assert report["rss_after_mb"] < 2 * report["rss_before_mb"] + 50


def test_load_on_the_shipped_graph():
    _check(_load("--seconds", "3", "--clients", "32"), "shipped graph, library queries + entity descriptions")


def test_load_on_the_fixture_graph():
    report = _load("--seconds", "3", "--clients", "32", "--data", str(FIXTURES / "server-mini.ttl"))
    _check(report, "fixture graph")


def test_load_while_runaway_queries_restart_workers():
    # A never-ending query is in flight the whole time; each is stopped after 1 s and its worker
    # replaced, while the 32 clients keep getting right answers.
    report = _load("--seconds", "4", "--clients", "32", "--runaway", "--timeout", "1")
    _check(report, "shipped graph with a runaway query in flight")
