"""Every command of the CLI against hostile inputs: a missing file, an empty one, a folder, binary
bytes, text that is not UTF-8, an output that cannot be written, a server that answers garbage.
Each ends in exactly one line `hled-graph: error: …` and exit 1, 2 or 74: never a traceback,
never "internal error" (exit 70 is for bugs in hled-graph, not for the user's mistakes)."""

from __future__ import annotations

import json
import os
import socketserver
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES

from hled_graph.cli import cli, main

LINKS = FIXTURES / "publish-links-good.ttl"
ASK = "ASK { ?s ?p ?o }"
USER_ERRORS = {1, 2, 74}

FILE_KINDS = ("missing", "empty", "folder", "binary", "latin-1", "garbage")


def hostile_file(tmp_path: Path, kind: str, *, suffix: str = ".ttl") -> Path:
    path = tmp_path / f"{kind}{suffix}"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
        (path / "inside.ttl").write_text("<a:b> <a:c> <a:d> .\n", encoding="utf-8")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind == "latin-1":
        path.write_bytes('<https://e.org/s> <https://e.org/p> "caf\xe9" .\n'.encode("latin-1"))
    elif kind == "garbage":
        path.write_text("this is { not RDF nor SPARQL ]]\n", encoding="utf-8")
    return path


def assert_user_error(code: int, err: str, *, allowed: set[int] = USER_ERRORS) -> None:
    assert code in allowed, err
    if code == 0:
        return
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hled-graph: error: "), err
    assert "Traceback" not in err and "internal error" not in err, err


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    _, err = capsys.readouterr()
    # only the last lines are the verdict: `build` and `store create` report progress first
    return exit_info.value.code, "\n".join(line for line in err.splitlines() if not line.startswith("... "))


def test_every_command_is_covered() -> None:
    """A new command must be added to the hostile runs below."""
    names = set()
    for name, command in cli.commands.items():
        names |= {f"{name} {sub}" for sub in getattr(command, "commands", {})} or {name}
    assert names == {
        "analyze", "build", "export", "figure", "links check", "links enrich", "load", "map", "network",
        "queries", "query", "serve", "stats", "store create", "tables", "validate",
    }


# --- input files ---------------------------------------------------------------------------------

DATA_COMMANDS: dict[str, Callable[[Path, Path, str], list[str]]] = {
    "validate": lambda file, tmp, url: ["validate", str(file)],
    "query --data": lambda file, tmp, url: ["query", "--data", str(file), "--query", ASK],
    "store create --data": lambda file, tmp, url: ["store", "create", str(tmp / "new-store"), "--data", str(file)],
    "links check --links": lambda file, tmp, url: ["links", "check", "--endpoint", url, "--links", str(file)],
    "links enrich --links": lambda file, tmp, url: ["links", "enrich", "--endpoint", url, "--links", str(file)],
    "load": lambda file, tmp, url: ["load", "--endpoint", url, str(file)],
}
QUERY_COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "query FILE": lambda file, tmp: ["query", str(file)],
    "query --store": lambda file, tmp: ["query", "pillars", "--store", str(file)],
    "map --query": lambda file, tmp: ["map", "--query", str(file), "-o", str(tmp / "m.html")],
    "store create DIR": lambda file, tmp: ["store", "create", str(file)],
}


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("command", DATA_COMMANDS)
def test_a_hostile_data_file(command: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             garbage_server: Callable[..., str]) -> None:
    # the server answers as an empty store would, so that only the file can be at fault
    url = garbage_server(200, "application/sparql-results+json", EMPTY_RESULTS)
    code, err = run_cli(DATA_COMMANDS[command](hostile_file(tmp_path, kind), tmp_path, url), capsys)
    # an empty file is an empty graph: valid RDF, so some commands succeed on it
    assert_user_error(code, err, allowed=USER_ERRORS | {0} if kind == "empty" else USER_ERRORS)


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("command", QUERY_COMMANDS)
def test_a_hostile_query_file_or_store(command: str, kind: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = hostile_file(tmp_path, kind, suffix=".rq")
    code, err = run_cli(QUERY_COMMANDS[command](path, tmp_path), capsys)
    # `store create` makes a store in a missing or empty folder; that is what it is for
    succeeds = command == "store create DIR" and kind == "missing"
    assert_user_error(code, err, allowed=USER_ERRORS | {0} if succeeds else USER_ERRORS)


def test_a_store_folder_that_holds_something_else(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(["query", "pillars", "--store", str(hostile_file(tmp_path, "folder"))], capsys)
    assert_user_error(code, err)


# --- outputs ---------------------------------------------------------------------------------------

OUTPUT_COMMANDS: dict[str, list[str]] = {
    "export": ["export", "-f", "nt"],
    "network": ["network"],
    "map": ["map", "--pillar", "1"],
    "figure": ["figure", "timeline", "-f", "svg"],  # -o is a folder it writes into, keeping what is there
    "query": ["query", "--query", ASK],
    "build": ["build"],
    "tables": ["tables"],
}


def unwritable(tmp_path: Path, kind: str) -> Path:
    if kind == "under-a-file":
        (tmp_path / "a-file").write_text("x", encoding="utf-8")
        return tmp_path / "a-file" / "out"
    if kind == "folder":
        (tmp_path / "folder").mkdir()
        (tmp_path / "folder" / "keep.txt").write_text("keep", encoding="utf-8")
        return tmp_path / "folder"
    return Path("/dev/full")


@pytest.mark.parametrize("kind", ["under-a-file", "folder", "full-disk"])
@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_an_output_that_cannot_be_written(command: str, kind: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(OUTPUT_COMMANDS[command] + ["-o", str(unwritable(tmp_path, kind))], capsys)
    if (command, kind) == ("figure", "folder"):  # a folder of one's own is where figures go, beside the rest
        assert code == 0 and (tmp_path / "folder" / "timeline.svg").is_file(), err
    else:
        assert_user_error(code, err)
    if kind == "folder":
        assert (tmp_path / "folder" / "keep.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("kind", ["under-a-file", "folder"])
def test_a_store_that_cannot_be_created_there(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(["store", "create", str(unwritable(tmp_path, kind)), "--data", str(LINKS)], capsys)
    assert_user_error(code, err)


@pytest.mark.parametrize("args", [["stats"], ["queries"], ["query", "--query", ASK], ["analyze"]],
                         ids=lambda args: args[0])
def test_standard_output_on_a_full_disk(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "hled_graph.cli", *args], stdout=full,
                              stderr=subprocess.PIPE, timeout=120, check=False,
                              env={**os.environ, "HLED_GRAPH_DEBUG": ""})
    assert_user_error(done.returncode, done.stderr.decode("utf-8"), allowed={74})


# --- remote servers ---------------------------------------------------------------------------------

EMPTY_RESULTS = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": []}}).encode()


def _results(variables: list[str], *rows: dict[str, dict[str, str]]) -> bytes:
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": list(rows)}}).encode()


JSON = "application/sparql-results+json"
ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "garbage": (200, "text/plain", b"\x00\xffnot an answer"),
    "empty": (200, "", b""),
    "empty-json": (200, JSON, b""),
    "html": (200, "text/html", b"<html><body>Sign in</body></html>"),
    "status-500": (500, "text/html", b"<h1>Internal Server Error</h1>"),
    "status-404": (404, "text/plain", b"no such endpoint"),
    "no-rows": (200, JSON, EMPTY_RESULTS),
    "undeclared-variable": (200, JSON, _results(["n"], {"x": {"type": "literal", "value": "1"}})),
    "wrong-variables": (200, JSON, _results(["x"], {"x": {"type": "literal", "value": "1"}})),
    "literal-where-an-iri-belongs": (200, JSON, _results(
        ["n", "item", "property", "value"],
        *({"n": {"type": "literal", "value": "not a number"}, "item": {"type": "literal", "value": "Q1"},
           "property": {"type": "literal", "value": "p"}, "value": {"type": "literal", "value": "v"}},))),
    "superscript-count": (200, JSON, _results(["n"], {"n": {"type": "literal", "value": "\u00b2"}})),
    "boolean": (200, JSON, json.dumps({"head": {}, "boolean": True}).encode()),
    "broken-n-triples": (200, "application/n-triples", b"<a> <b> .\n"),
}
REMOTE_COMMANDS: dict[str, Callable[[str, Path], list[str]]] = {
    "query --endpoint": lambda url, tmp: ["query", "--endpoint", url, "--query", "SELECT * WHERE { ?s ?p ?o }"],
    "load": lambda url, tmp: ["load", "--endpoint", url, "--method", "update", str(LINKS)],
    "links check": lambda url, tmp: ["links", "check", "--endpoint", url, "--links", str(LINKS)],
    "links enrich": lambda url, tmp: ["links", "enrich", "--endpoint", url, "--links", str(LINKS),
                                      "-o", str(tmp / "wd.trig")],
}
# What a command may do with an answer that is well-formed but says little: no rows is a valid
# answer to `query` (0 rows) and `links enrich` (no facts); `links check` then reports every link
# missing (exit 1, a drift).
SUCCEEDS = {("query --endpoint", "no-rows"), ("query --endpoint", "superscript-count"), ("links enrich", "no-rows"),
            ("query --endpoint", "boolean"),
            ("query --endpoint", "wrong-variables"), ("query --endpoint", "literal-where-an-iri-belongs")}


@pytest.fixture
def garbage_server(scripted_server: Callable[..., tuple[str, object]]) -> Callable[..., str]:
    """Local servers that answer every request (any method) with one status, type and body; their URLs."""
    return lambda status, content_type, body: scripted_server(status, content_type, body)[0]


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("command", REMOTE_COMMANDS)
def test_a_server_that_answers_garbage(command: str, answer: str, tmp_path: Path,
                                       garbage_server: Callable[..., str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    url = garbage_server(*ANSWERS[answer])
    code, err = run_cli(REMOTE_COMMANDS[command](url, tmp_path), capsys)
    assert_user_error(code, err, allowed=USER_ERRORS | {0} if (command, answer) in SUCCEEDS else USER_ERRORS)


RAW_ANSWERS = {
    "not-http": b"SSH-2.0-OpenSSH_9.6\r\n",
    "cut-short": b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                 b"Content-Length: 500\r\n\r\n{\"head\"",
    "bad-status-line": b"HTTP/1.1 OK-ish\r\n\r\n",
}


@pytest.fixture
def raw_server(serve_in_thread: Callable[..., socketserver.BaseServer]) -> Callable[[bytes], str]:
    """Local TCP servers that answer any request with the same bytes and close: not always HTTP."""

    def start(answer: bytes) -> str:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(65536)
                self.request.sendall(answer)

        server = serve_in_thread(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler))
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    return start


@pytest.mark.parametrize("answer", RAW_ANSWERS)
@pytest.mark.parametrize("command", REMOTE_COMMANDS)
def test_a_server_that_does_not_speak_http(command: str, answer: str, tmp_path: Path,
                                           raw_server: Callable[[bytes], str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(REMOTE_COMMANDS[command](raw_server(RAW_ANSWERS[answer]), tmp_path), capsys)
    assert_user_error(code, err)


@pytest.mark.parametrize("url", ["http://localhost:notaport/sparql", "http://localhost:99999/sparql",
                                 "http://local host/sparql", "http://localhost/spa\nrql", "localhost:7878"])
@pytest.mark.parametrize("command", REMOTE_COMMANDS)
def test_a_malformed_url(command: str, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(REMOTE_COMMANDS[command](url, tmp_path), capsys)
    assert_user_error(code, err, allowed={2})
    assert "is not an http(s) URL" in err


# --- serve -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "kind"), [("--data", "missing"), ("--data", "binary"), ("--data", "latin-1"),
                                              ("--data", "folder"), ("--store", "garbage"), ("--store", "folder")])
def test_serve_refuses_hostile_data_before_listening(option: str, kind: str, tmp_path: Path) -> None:
    path = hostile_file(tmp_path, kind)
    done = subprocess.run([sys.executable, "-m", "hled_graph.cli", "serve", "--port", "0", "--workers", "1",
                           option, str(path)], capture_output=True, timeout=60, check=False,
                          env={**os.environ, "HLED_GRAPH_DEBUG": ""})
    assert_user_error(done.returncode, done.stderr.decode("utf-8"))
