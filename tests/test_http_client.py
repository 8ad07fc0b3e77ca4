"""The one HTTP client: the same User-Agent, and the same one-line errors and exit code from
`query --endpoint`, `load` and `links check`, against a real Oxigraph, a closed port and
servers that answer 500 or garbage."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from conftest import FIXTURES, ScriptedHandler

from hled_graph import http_client
from hled_graph.cli import main
from hled_graph.errors import InputError
from hled_graph.graph import parse_file
from hled_graph.http_client import USER_AGENT

LINKS = FIXTURES / "publish-links-good.ttl"
SMALL = LINKS


def commands(url: str) -> dict[str, list[str]]:
    """The three commands that talk to a SPARQL endpoint, all pointed at ``url``."""
    return {
        "query": ["query", "--endpoint", url, "--query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
        "load": ["load", "--endpoint", url, str(SMALL)],
        "links": ["links", "check", "--endpoint", url, "--links", str(LINKS)],
    }


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/sparql"


def assert_one_line_error(code: int, out: str, err: str, expected_start: str) -> None:
    assert code == 2, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("hled-graph: error: " + expected_start), err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["query", "load", "links"])
def test_a_closed_port_is_one_line_naming_the_url(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = closed_port_url()
    code, out, err = run_cli(commands(url)[command], capsys)
    assert_one_line_error(code, out, err, f"cannot reach {url}: ")
    assert err.rstrip().endswith("check the URL and that the server is running")


@pytest.mark.parametrize("command", ["query", "load", "links"])
def test_a_server_error_is_one_line_with_its_status_and_words(
    command: str, scripted_server: Callable[..., tuple[str, type[ScriptedHandler]]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = scripted_server(500, "text/plain", b"the store\nis on fire")
    code, out, err = run_cli(commands(url)[command], capsys)
    assert_one_line_error(code, out, err, f"{url} answered HTTP 500 Internal Server Error: the store is on fire")
    assert handler.agents and set(handler.agents) == {USER_AGENT}


@pytest.mark.parametrize("command", ["query", "load", "links"])
@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        (
            "application/sparql-results+json",
            b'{"head": {"vars": ["s"]}, "results": ',
            "did not answer with readable SPARQL results (",
        ),
        ("text/html", b"<html>a login page</html>", "answered text/html (HTTP 200), not SPARQL results"),
    ],
    ids=["broken-json", "html"],
)
def test_an_answer_that_is_not_sparql_results_is_one_line(
    command: str,
    content_type: str,
    body: bytes,
    expected: str,
    scripted_server: Callable[..., tuple[str, type[ScriptedHandler]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = scripted_server(200, content_type, body)
    code, out, err = run_cli(commands(url)[command], capsys)
    # `load` prints what it sent before it asks for the count that comes back as garbage.
    out = out if command != "load" else out.split("\n", 1)[1]
    assert_one_line_error(code, out, err, f"{url} {expected}")


def test_the_user_agent_names_the_project_and_its_version() -> None:
    from hled_graph import __version__

    assert f"hled-graph/{__version__} (+https://w3id.org/hled)" == USER_AGENT


def test_all_three_commands_work_against_a_real_oxigraph(
    start_oxigraph: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    base = start_oxigraph(FIXTURES / "publish-wikidata.trig")
    code, out, _ = run_cli(commands(base + "/query")["links"], capsys)
    assert code == 0 and "3 link(s) checked, 0 problem(s)" in out
    triples = len(parse_file(SMALL))
    code, out, _ = run_cli(["load", "--endpoint", base, "--graph", "https://example.org/g", str(SMALL)], capsys)
    assert code == 0 and f"now counts {triples} triples" in out
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/g> { ?s ?p ?o } }"
    code, out, _ = run_cli(["query", "--endpoint", base + "/query", "--query", query, "--format", "csv"], capsys)
    assert (code, out.split()) == (0, ["n", str(triples)])


def test_a_slow_server_is_a_timeout_in_one_line() -> None:
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        with pytest.raises(InputError, match=rf"^{url} did not answer within 0.3 s; ") as caught:
            http_client.sparql_query(url, "ASK {}", timeout=0.3)
    assert caught.value.exit_code == 2


def test_a_url_that_is_not_http_is_refused_before_any_request() -> None:
    with pytest.raises(InputError, match="is not an http"):
        http_client.send("ftp://example.org/sparql")
