"""Does pyoxigraph release the GIL while it evaluates a query? (It decides the endpoint's design.)

    python -m benchmarks.endpoint_gil

Counts how fast a pure-Python loop runs alone, then while another thread evaluates a long query.
If the loop keeps most of its speed, the GIL is released during evaluation, so one worker process
can answer other connections while a query runs (on a machine with a spare core).
"""

from __future__ import annotations

import threading
import time
from typing import cast

import pyoxigraph as ox

LONG_QUERY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f "
    "FILTER(REGEX(CONCAT(STR(?b), STR(?d), STR(?f)), 'no such text')) }"
)


def _spin(seconds: float) -> int:
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        count += 1
    return count


def main() -> None:
    store = ox.Store()
    predicate = ox.NamedNode("https://example.org/p")
    store.extend(
        ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), predicate, ox.Literal(f"value {i}")) for i in range(150)
    )
    alone = _spin(1.0)
    timing: dict[str, float] = {}

    def evaluate() -> None:
        started = time.perf_counter()
        list(cast("ox.QuerySolutions", store.query(LONG_QUERY)))
        timing["query"] = time.perf_counter() - started

    worker = threading.Thread(target=evaluate)
    worker.start()
    time.sleep(0.05)
    during = _spin(1.0)
    worker.join()
    print(f"Python loop alone: {alone:,} iterations/s")
    print(f"while a {timing['query']:.1f} s query runs in another thread: {during:,} iterations/s "
          f"({during / alone:.0%} of alone)")
    print("GIL released during evaluation" if during > alone * 0.3 else "GIL held during evaluation")


if __name__ == "__main__":
    main()
