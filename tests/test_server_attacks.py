"""The endpoint under hostile or careless use: updates, runaway queries, oversized and malformed
requests, path traversal, server-side request forgery through SERVICE, slow clients, fuzzing."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import FIXTURES, counting_listener, running_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_server import LABELS, get, sparql_url

from hled_graph.sparql.server.asgi import asgi_app
from hled_graph.sparql.server.settings import ServerSettings

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Five copies of every triple joined with every other, and a filter nothing passes: runs for hours.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o "
    "FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), 'no such text (x|y)+z')) }"
)
UPDATES = [
    "INSERT DATA { <https://example.org/a> <https://example.org/b> <https://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <https://example.org/g>",
    "CREATE GRAPH <https://example.org/g>",
    "ADD DEFAULT TO <https://example.org/g>",
    "MOVE DEFAULT TO <https://example.org/g>",
    "COPY DEFAULT TO <https://example.org/g>",
    "PREFIX ex: <https://example.org/>\n# a comment\ninsert data { ex:a ex:b ex:c }",
]


def triple_count(endpoint) -> int:
    body = get(sparql_url(endpoint, COUNT_ALL), accept="application/sparql-results+json")[2]
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def raw_request(endpoint, request: bytes, *, timeout: float = 10) -> bytes:
    host, port = urllib.parse.urlsplit(endpoint.url).hostname, urllib.parse.urlsplit(endpoint.url).port
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


# --- read-only -------------------------------------------------------------------------------


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_in_every_form(endpoint, update):
    before = triple_count(endpoint)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    attempts = [
        get(sparql_url(endpoint, update)),
        get(endpoint.url + "/sparql?" + urllib.parse.urlencode({"update": update})),
        get(
            endpoint.url + "/sparql",
            method="POST",
            data=urllib.parse.urlencode({"query": update}).encode(),
            headers=form,
        ),
        get(
            endpoint.url + "/sparql",
            method="POST",
            data=urllib.parse.urlencode({"update": update}).encode(),
            headers=form,
        ),
        get(
            endpoint.url + "/sparql",
            method="POST",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        get(
            endpoint.url + "/sparql",
            method="POST",
            data=update.encode(),
            headers={"Content-Type": "application/sparql-query"},
        ),
    ]
    for status, _, body in attempts:
        assert status == 403, (status, body)
        assert b"read-only" in body
    assert triple_count(endpoint) == before


# --- timeout -------------------------------------------------------------------------------


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _query_processes(server_pid: int) -> list[int]:
    from benchmarks.load_endpoint import child_pids

    return sorted(pid for worker in child_pids(server_pid) for pid in child_pids(worker))


def _wait_for_query_processes(server_pid: int, count: int, *, unlike: list[int] | None = None) -> list[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        current = _query_processes(server_pid)
        if len(current) == count and current != unlike:
            return current
        time.sleep(0.05)
    return current


def test_runaway_query_is_stopped_and_its_cpu_released():
    with running_server("--data", str(FIXTURES / "server-mini.ttl"), "--timeout", "1", "--workers", "2",
                        "--query-processes", "2") as server:
        processes_before = _wait_for_query_processes(server.process.pid, 2)
        assert len(processes_before) == 2
        outcome: dict[str, object] = {}

        def run_away() -> None:
            started = time.monotonic()
            outcome["answer"] = get(sparql_url(server, RUNAWAY), accept="application/json")
            outcome["seconds"] = time.monotonic() - started

        runner = threading.Thread(target=run_away)
        runner.start()
        time.sleep(0.3)
        # A small query while the runaway burns a CPU still answers, correctly.
        status, _, body = get(sparql_url(server, LABELS), accept="application/sparql-results+json")
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["label"]["value"] == "Environmental Protection Agency"
        runner.join(timeout=15)
        assert not runner.is_alive()
        status, _headers, body = outcome["answer"]  # type: ignore[misc]
        assert status == 503
        error = json.loads(body)
        assert error["status"] == 503 and "1 s limit" in error["message"] and "stopped" in error["message"]
        assert outcome["seconds"] < 3  # type: ignore[operator]  # stopped at its timeout, not left to run for hours
        # The query process that ran it is gone; a fresh one took its place; no CPU is burnt any more.
        processes_after = _wait_for_query_processes(server.process.pid, 2, unlike=processes_before)
        assert len(processes_after) == 2 and len(set(processes_after) & set(processes_before)) == 1
        from benchmarks.load_endpoint import process_tree

        pids = process_tree(server.process.pid)
        cpu_before = _cpu_seconds(pids)
        time.sleep(1.0)
        # A query still running would burn a whole CPU second in this second.
        assert _cpu_seconds(pids) - cpu_before < 0.5
        assert get(sparql_url(server, LABELS))[0] == 200
        assert any("ran past" in line for line in server.log)


# --- sizes ---------------------------------------------------------------------------------


def test_oversized_body_is_413(endpoint):
    body = b"query=" + b"x" * (1024 * 1024 + 10)
    response = raw_request(
        endpoint,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
        b"application/x-www-form-urlencoded\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    )
    assert status_of(response) == 413 and b"larger than 1048576 bytes" in response


def test_oversized_body_announced_is_413_before_upload(endpoint):
    response = raw_request(
        endpoint,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
        b"\r\nContent-Length: 99999999\r\n\r\nSELECT",
    )
    assert status_of(response) == 413


def test_long_url_is_414_and_long_query_is_413(endpoint):
    status, _, body = get(sparql_url(endpoint, "SELECT * WHERE { ?s ?p ?o } #" + "x" * 9000))
    assert status == 414 and b"POST" in body
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    status, _, body = get(
        endpoint.url + "/sparql",
        method="POST",
        data=long_query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 413 and b"longer than 100000 characters" in body


def test_too_many_headers_is_431(endpoint):
    headers = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"y" * 100) for i in range(200))
    response = raw_request(endpoint, b"GET /sparql HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status_of(response) == 431


@pytest.mark.parametrize(
    "request_bytes,expected",
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /sparql HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (b"GET /sparql HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n", 400),
        (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400),
        (b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", 415),
        (b"GET /sparql?query=%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400),
        (b"GET /%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400),
    ],
)
def test_malformed_http_is_a_4xx_with_a_message(endpoint, request_bytes, expected):
    response = raw_request(endpoint, request_bytes)
    assert status_of(response) == expected
    assert response.split(b"\r\n\r\n", 1)[1].strip()


# --- path traversal --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/static/%252e%252e/%252e%252e/etc/passwd",
        "/static/....//....//etc/passwd",
        "/static/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
        "/static//etc/passwd",
        "/static/../app.py",
        "/static/",
        "/../../../../etc/passwd",
        "/id/../../etc/passwd",
    ],
)
def test_path_traversal_is_refused(endpoint, path):
    response = raw_request(endpoint, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status_of(response) in (400, 404)
    assert b"root:" not in response and b"import" not in response


# --- federation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ ?x ?y ?z . service <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y 1SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y ?z FILTER(1<2)SERVICE#>\n<{url}> {{ ?s ?p ?o }} }}",
        "PREFIX e: <{url}>\nSELECT * WHERE {{ SeRvIcE e: {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_nothing_connects_out(endpoint, template):
    with counting_listener() as listener:
        status, _, body = get(sparql_url(endpoint, template.format(url=listener.url)), accept="application/json")
        assert status in (400, 403)
        assert json.loads(body)["message"]
        assert not listener.wait_for(1, timeout=0.5)


def test_service_word_in_comments_strings_and_iris_is_fine(endpoint):
    query = (
        "# SERVICE is not used here\nSELECT ?label WHERE { "
        "<https://w3id.org/hled/id/org/epa> <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        'FILTER(?label != "SERVICE <http://example.org/>") FILTER(?label != <https://example.org/service>) }'
    )
    status, _, body = get(sparql_url(endpoint, query), accept="application/sparql-results+json")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 1


def test_service_runs_when_federation_is_allowed():
    with counting_listener() as listener, running_server(
        "--data", str(FIXTURES / "server-mini.ttl"), "--allow-federation", "--timeout", "2", "--workers", "1"
    ) as server:
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        status, _, _ = get(sparql_url(server, query))
        assert listener.wait_for(1)  # the control: the same query does go out when allowed
        assert status == 400  # the listener hangs up: the remote service failed, the client is told so


# --- slow clients ----------------------------------------------------------------------------


def test_slow_clients_do_not_block_queries(endpoint):
    host, port = urllib.parse.urlsplit(endpoint.url).hostname, urllib.parse.urlsplit(endpoint.url).port
    stalled = []
    for _ in range(40):
        sock = socket.create_connection((host, port))
        sock.sendall(b"GET /sparql?query=SELECT%20*%20WHERE%20%7B HTTP/1.1\r\nHost: x\r\n")  # no blank line
        stalled.append(sock)
    half_body = socket.create_connection((host, port))
    half_body.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nSEL"
    )
    stalled.append(half_body)
    try:
        for _ in range(5):
            started = time.monotonic()
            status, _, _ = get(sparql_url(endpoint, LABELS))
            assert status == 200
            # Not a speed check: a blocked worker would answer only after the 10 s header timeout.
            assert time.monotonic() - started < 5
    finally:
        for sock in stalled:
            sock.close()


def test_pipelined_requests_on_one_connection(endpoint):
    one = f"GET /sparql?{urllib.parse.urlencode({'query': LABELS, 'format': 'csv'})} HTTP/1.1\r\nHost: x\r\n\r\n"
    response = raw_request(endpoint, (one * 3 + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode())
    assert response.count(b"HTTP/1.1 200 OK") == 3 and response.count(b"Environmental Protection Agency") == 3
    assert b"HTTP/1.1 404 Not Found" in response


# --- fuzzing ---------------------------------------------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _assert_clean_answer(status: int, body: bytes) -> None:
    """A 4xx with a one-line message, a 200, or the documented 503 of a query past the timeout."""
    assert status < 500 or status == 503, body[:300]
    if status >= 400:
        message = json.loads(body)["message"]
        assert message and "\n" not in message and "Traceback" not in message
    if status == 503:
        assert "limit and was stopped" in message


def _post_query(endpoint, text: str | bytes) -> tuple[int, bytes]:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    status, _, body = get(
        endpoint.url + "/sparql",
        method="POST",
        data=data,
        headers={"Content-Type": "application/sparql-query"},
        accept="application/json",
    )
    return status, body


@FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_random_text(endpoint, text):
    _assert_clean_answer(*_post_query(endpoint, text.encode("utf-8", "replace")))


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(endpoint, data):
    _assert_clean_answer(*_post_query(endpoint, data))


SEEDS = [
    LABELS,
    "PREFIX hled: <https://w3id.org/hled/ontology#>\nSELECT ?a (COUNT(?o) AS ?n) WHERE { ?a a hled:Action ; ?p ?o } GROUP BY ?a ORDER BY DESC(?n) LIMIT 5",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isIRI(?o)) } LIMIT 3",
    "ASK { ?s <https://schema.org/value> ?v FILTER(?v > 1000) }",
    "DESCRIBE <https://w3id.org/hled/id/org/epa>",
]


def _library_queries() -> list[str]:
    from hled_graph.sparql.library import load_library

    return [query.text for query in load_library().values()]


@FUZZ
@given(data=st.data())
def test_fuzz_mutated_queries(endpoint, data):
    seed = data.draw(st.sampled_from(SEEDS + _library_queries()))
    chars = list(seed)
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(chars)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = data.draw(
            st.sampled_from(
                [*list("{}()<>\"'#?:.;,*\\ \n"), "SELECT", "UNION", "OPTIONAL", "<<", ">>", "\x00", "é", "FILTER(", "ex:", "^^"]
            )
        )
        if action == "insert" or not chars:
            chars.insert(position, piece)
        elif action == "delete" and position < len(chars):
            del chars[position]
        elif position < len(chars):
            chars[position] = piece
    _assert_clean_answer(*_post_query(endpoint, "".join(chars)))


@FUZZ
@given(depth=st.integers(1, 20_000), opener=st.sampled_from(["{", "(", "[", "<<", "{ OPTIONAL {"]))
def test_fuzz_deep_nesting(endpoint, depth, opener):
    closer = {"{": "}", "(": ")", "[": "]", "<<": ">>", "{ OPTIONAL {": "} }"}[opener]
    if opener == "(":
        query = "SELECT * WHERE { FILTER(" + opener * depth + "1" + closer * depth + ") }"
    elif opener == "[":
        query = "SELECT * WHERE { ?s ?p " + "[ ?p " * depth + "1" + " ]" * depth + " }"
    elif opener == "<<":
        query = "SELECT * WHERE { " + "<< ?s ?p " * depth + "?o" + " >>" * depth + " ?q ?r }"
    else:
        query = "SELECT * WHERE " + opener * depth + " ?s ?p ?o " + closer * depth
    status, body = _post_query(endpoint, query)
    _assert_clean_answer(status, body)
    if depth > 64:
        assert (status, b"nested more than 64 levels" in body) == (400, True) or status == 413


@FUZZ
@given(
    iri=st.text(alphabet=st.sampled_from([*list(' <>"{}|^`\\\n\tabc:/#%'), "é", "\x00"]), max_size=40),
    prefix=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
)
def test_fuzz_invalid_iris_and_unknown_prefixes(endpoint, iri, prefix):
    for query in (
        f"SELECT * WHERE {{ <{iri}> ?p ?o }}",
        f"SELECT * WHERE {{ ?s {prefix}:x ?o }}",
        f"SELECT * WHERE {{ ?s ?p ?o }} VALUES ?s {{ <{iri}> }}",
    ):
        _assert_clean_answer(*_post_query(endpoint, query))
    status, _, body = get(
        sparql_url(endpoint, LABELS) + "&default-graph-uri=" + urllib.parse.quote(iri, safe=""),
        accept="application/json",
    )
    _assert_clean_answer(status, body)


def _asgi_get(app: Any, target: str) -> Coroutine[Any, Any, int]:
    """One GET through the ASGI interface, as a server that mounts the endpoint would make it; its status."""
    path, _, query = target.partition("?")
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
             "raw_path": path.encode(), "root_path": "", "query_string": query.encode(),
             "headers": [(b"host", b"x"), (b"accept", b"application/json")], "server": ("x", 80), "client": None}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def go() -> int:
        await app(scope, receive, send)
        return int(sent[0]["status"])

    return go()


def test_mounted_requests_past_the_timeout_do_not_run_later():
    """Mounted elsewhere, queries run in threads; a request answered 503 while every thread was busy
    must not run afterwards, or a burst of them keeps the endpoint busy long after it answered them."""
    store = ox.Store()
    store.load(path=str(FIXTURES / "server-mini.ttl"), format=ox.RdfFormat.TURTLE)
    app = asgi_app(store, ServerSettings(timeout=0.3, threads_per_worker=1))
    slow = "/sparql?query=" + urllib.parse.quote(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . VALUES ?j { 1 2 3 4 5 6 7 8 } }")
    small = "/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }")

    async def go() -> tuple[list[int], int, float]:
        started = time.monotonic()
        burst = await asyncio.gather(*(_asgi_get(app, slow) for _ in range(4)))
        # The first slow query holds the one thread for about a second; the other three never started.
        while time.monotonic() - started < 3.0:
            if await _asgi_get(app, small) == 200:
                break
            await asyncio.sleep(0.1)
        return list(burst), await _asgi_get(app, small), time.monotonic() - started

    # A fresh thread has no event loop: an earlier browser test may leave one running in this one.
    with ThreadPoolExecutor(1) as runner:
        burst, status, elapsed = runner.submit(asyncio.run, go()).result()
    assert burst == [503] * 4
    assert status == 200 and elapsed < 3.0, elapsed
