"""Redirects: `query --endpoint`, `load` and `links check` follow one only within the origin
asked for (re-sending the same request), and refuse one to another host or port in one line that
names both URLs, sending nothing there. Two local servers: 127.0.0.1 and 127.0.0.2 are both
loopback on Linux, and different hosts to the client."""

from __future__ import annotations

import http.server
import json
import socketserver
from collections.abc import Callable
from typing import ClassVar

import pytest
from test_http_client import commands, run_cli

from hled_graph import http_client
from hled_graph.errors import InputError

COUNT_ANSWER = json.dumps(
    {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7"}}]}}
).encode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Redirects requests for ``/sparql`` to ``location`` with ``code``; answers anything else
    with a SPARQL count (PUT and updates with 204), and records every request it gets."""

    code = 302
    location = ""
    seen: ClassVar[list[tuple[str, str, bytes]]] = []

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, self.path, body))
        if self.path.startswith("/sparql") and self.location:
            self.send_response(self.code)
            self.send_header("Location", self.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.command == "PUT" or b"update=" in body:
            self.send_response(204)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(COUNT_ANSWER)))
        self.end_headers()
        self.wfile.write(COUNT_ANSWER)

    do_GET = do_POST = do_PUT = _answer  # http.server's naming

    def log_message(self, *args: object) -> None:
        pass


Start = Callable[..., tuple[str, type[_Recorder]]]


@pytest.fixture
def start_server(serve_in_thread: Callable[..., socketserver.BaseServer]) -> Start:
    """A factory of local servers: (base URL, handler class whose ``seen`` lists the requests)."""

    def start(host: str = "127.0.0.1", *, code: int = 302, location: str = "") -> tuple[str, type[_Recorder]]:
        handler = type("Handler", (_Recorder,), {"code": code, "location": location, "seen": []})
        server = serve_in_thread(http.server.ThreadingHTTPServer((host, 0), handler))
        return f"http://{host}:{server.server_address[1]}", handler

    return start


@pytest.mark.parametrize("command", ["query", "load", "links"])
@pytest.mark.parametrize("code", [301, 302, 307, 308])
@pytest.mark.parametrize("other", ["127.0.0.2", "127.0.0.1"], ids=["other-host", "other-port"])
def test_a_redirect_elsewhere_is_refused_naming_both_urls(
    command: str, code: int, other: str, start_server: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere, elsewhere_handler = start_server(other)
    base, handler = start_server(code=code, location=elsewhere + "/sparql")
    code_, _, err = run_cli(commands(base + "/sparql")[command], capsys)
    assert code_ == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"hled-graph: error: {base}/sparql redirects (HTTP {code}) to {elsewhere}/sparql")
    assert "give that URL directly" in err
    assert handler.seen and elsewhere_handler.seen == []  # nothing reached the other host


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_within_the_origin_is_followed_with_the_same_request(
    code: int, start_server: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    base, handler = start_server(code=code)
    handler.location = "/moved"  # relative, as servers often send it
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    code_, out, err = run_cli(["query", "--endpoint", base + "/sparql", "--query", query, "--format", "csv"], capsys)
    assert (code_, out.split(), err) == (0, ["n", "7"], "")
    (first_method, first_path, first_body), (method, path, body) = handler.seen
    assert (first_method, first_path, method, path) == ("POST", "/sparql", "POST", "/moved")
    assert body == first_body and b"COUNT" in body


def test_see_other_is_fetched_with_get(start_server: Start) -> None:
    base, handler = start_server(code=303)
    handler.location = base + "/answer"
    answer = http_client.sparql_select(base + "/sparql", "SELECT (COUNT(*) AS ?n) WHERE {}")
    assert [row["n"].value for row in answer] == ["7"]
    assert [(method, path) for method, path, _ in handler.seen] == [("POST", "/sparql"), ("GET", "/answer")]


def test_a_redirect_loop_is_one_line(start_server: Start) -> None:
    base, handler = start_server(code=307)
    handler.location = "/sparql"
    with pytest.raises(InputError, match=rf"^{base}/sparql answered HTTP 307 ") as caught:
        http_client.sparql_query(base + "/sparql", "ASK {}")
    assert "\n" not in str(caught.value) and "infinite loop" in str(caught.value)


@pytest.mark.parametrize(("url", "target", "followed"), [
    ("http://h/q", "http://h:80/x", True),  # the scheme's own port, spelled out or not
    ("https://h:443/q", "https://h/x", True),
    ("http://h/q", "https://h/x", True),  # the one move allowed across schemes: up to https
    ("http://h:80/q", "https://h:443/x", True),
    ("http://Example.ORG/q", "http://example.org/x", True),  # host names have no case
    ("http://[::1]:8/q", "http://[::1]:8/x", True),
    ("https://h/q", "http://h/x", False),  # down to http: refused
    ("http://h:8080/q", "https://h/x", False),  # the upgrade is from the default port only
    ("http://h/q", "https://h:8443/x", False),
    ("http://h/q", "http://h:81/x", False),
    ("http://h/q", "http://h.evil/x", False),
    ("http://h/q", "http://h\\@evil/x", False),
    ("http://h/q", "http://evil#@h/x", False),
    ("http://[::1]/q", "http://[::2]/x", False),
    ("http://h/q", "ftp://h/x", False),
    ("http://h/q", "http://evil@h/x", False),  # credentials in a Location: never followed
    ("http://h/q", "http://h:@h/x", False),
])
def test_the_origin_rule_byte_by_byte(url: str, target: str, followed: bool) -> None:
    assert http_client._same_origin(url, target) is followed


def test_the_two_loopback_hosts_are_different_servers(start_server: Start) -> None:
    """The premise of the tests above: 127.0.0.2 is reachable and is not 127.0.0.1's server."""
    one, one_handler = start_server("127.0.0.1")
    two, two_handler = start_server("127.0.0.2")
    http_client.send(two + "/q")
    assert (len(one_handler.seen), len(two_handler.seen)) == (0, 1)
    assert one != two
