"""Bad input to the CLI, generated: every answer is one clear line and exit 2, never a traceback.

The in-process runs (fast, hundreds of inputs) drive ``hled_graph.cli.main`` exactly as the
console script does; a few real subprocess runs make sure the installed command behaves the same.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hled_graph import cli
from hled_graph.sparql.library import load_library

LIBRARY_TEXTS = [q.text for q in load_library().values() if not q.online_only]


def run_in_process(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    # Binary-backed streams, like a terminal's: the CLI writes results as bytes.
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        old_stdin, sys.stdin = sys.stdin, fake_stdin
        try:
            cli.main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdin = old_stdin
    out.flush()
    err.flush()
    return code, out.buffer.getvalue().decode("utf-8"), err.buffer.getvalue().decode("utf-8")


def assert_clear_refusal_or_answer(code: int, stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "internal error" not in stderr, stderr
    if code == 0:
        return
    assert code == 2, (code, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hled-graph: error: "), stderr


def mutate(text: str, data: st.DataObject) -> str:
    """Cut, duplicate or replace a slice of a real query."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    how = data.draw(st.sampled_from(["cut", "duplicate", "replace"]))
    if how == "cut":
        return text[:start] + text[end:]
    if how == "duplicate":
        return text[:end] + text[start:end] + text[end:]
    return text[:start] + data.draw(st.text(max_size=12)) + text[end:]


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(text=st.text(max_size=300))
def test_random_text_as_a_query(text: str) -> None:
    code, _, err = run_in_process("query", "--query", text)
    assert_clear_refusal_or_answer(code, err)


@FAST
@given(data=st.data())
def test_mutated_library_queries(data: st.DataObject) -> None:
    text = mutate(data.draw(st.sampled_from(LIBRARY_TEXTS)), data)
    code, _, err = run_in_process("query", "--query", text)
    assert_clear_refusal_or_answer(code, err)


@FAST
@given(raw=st.binary(max_size=200))
def test_random_bytes_on_standard_input(raw: bytes) -> None:
    code, _, err = run_in_process("query", "-", stdin=raw)
    assert_clear_refusal_or_answer(code, err)


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(1, 5000), opener=st.sampled_from(["{", "(", "["]))
def test_deep_nesting_is_refused_not_a_crash(depth: int, opener: str) -> None:
    {"{": "}", "(": ")", "[": "]"}[opener]
    body = {"{": "?s ?p ?o", "(": "1", "[": "?p ?o"}[opener]
    if opener == "{":
        text = "SELECT * WHERE " + "{" * depth + body + "}" * depth
    elif opener == "(":
        text = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * depth + body + ")" * depth + ") }"
    else:
        text = "SELECT * WHERE { ?s ?p " + "[" * depth + body + "]" * depth + " }"
    code, _, err = run_in_process("query", "--query", text)
    assert_clear_refusal_or_answer(code, err)
    if depth > 64:
        assert code == 2 and "nested more than 64" in err


@pytest.mark.parametrize(
    "text,needle",
    [
        ("SELECT * WHERE { ?s ?p ?o", "line 1"),
        ("SELECT * WHERE { ?s nope:p ?o }", "Prefix not found"),
        ("SELECT * WHERE { <http://a b> ?p ?o }", "IRI"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT -1", "line 1"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "read-only"),
        ("DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("LOAD <http://example.org/x.ttl>", "read-only"),
        ("DROP ALL", "read-only"),
        ("CLEAR DEFAULT", "read-only"),
    ],
)
def test_known_bad_queries_name_the_problem(text: str, needle: str) -> None:
    code, _, err = run_in_process("query", "--query", text)
    assert code == 2
    assert needle in err, err
    assert_clear_refusal_or_answer(code, err)


def test_huge_query_is_answered_or_refused_cleanly() -> None:
    text = "SELECT * WHERE { " + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(5000)) + " }"
    code, out, err = run_in_process("query", "--query", text, "--format", "csv")
    assert_clear_refusal_or_answer(code, err)
    assert code == 0 and out.splitlines()[0] in {"s,p", "p,s"} and len(out.splitlines()) > 1


def test_escaped_deep_nesting_is_refused_by_the_installed_command() -> None:
    """45,000 braces written as code-point escapes: refused in one line, exit 2, no crash."""
    text = "SELECT * WHERE " + "\\u007B" * 45_000 + " ?s ?p ?o " + "\\u007D" * 45_000
    done = subprocess.run([sys.executable, "-m", "hled_graph.cli", "query", "-"], input=text.encode(), check=False,
                          capture_output=True, timeout=120)
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr.decode().strip() == "hled-graph: error: query nested more than 64 levels deep; simplify it"


@pytest.mark.parametrize("text", [
    "# rows from the graph, no SERVICE here\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT ?service ?from WHERE { ?service ?from ?o } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o != 'SERVICE <http://127.0.0.1:9/> FROM <x>') } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o != <https://example.org/service/from>) } LIMIT 1",
])
def test_harmless_mentions_of_service_and_from_are_answered(text: str) -> None:
    code, out, err = run_in_process("query", "--query", text, "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 2, err


def test_from_is_honoured_by_the_cli() -> None:
    count = "SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}"
    answers = {}
    for dataset in ("", "FROM <https://w3id.org/hled/graph/ontology>", "FROM <https://example.org/none>"):
        code, out, err = run_in_process("query", "--query", count.format(dataset=dataset), "--format", "csv")
        assert code == 0, err
        answers[dataset] = int(out.splitlines()[1])
    union, ontology, none = answers.values()
    assert 0 < ontology < union and none == 0


@pytest.mark.parametrize(
    "content,needle",
    [
        (b'@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n', "line 2"),
        (b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e", "line 3"),
        ('<http://example.org/a> <http://example.org/b> "Querétaro" .\n'.encode("latin-1"), "UTF-8"),
        (b"\x00\x01\x02 binary", "line 1"),
        (b"@prefix ex: <http://example.org/> .\nex:a ex:b unknown:c .\n", "line 2"),
    ],
)
def test_bad_data_files_are_refused_with_file_and_line(tmp_path: Path, content: bytes, needle: str) -> None:
    bad = tmp_path / "mine.ttl"
    bad.write_bytes(content)
    for command in (["query", "pillars", "--data", str(bad)], ["validate", str(bad)]):
        code, out, err = run_in_process(*command)
        assert code == 2, (command, err)
        assert "mine.ttl" in err and needle in err, err
        assert out == "", "nothing partially loaded or answered"
        assert_clear_refusal_or_answer(code, err)


def test_a_good_file_beside_a_bad_one_is_not_half_loaded(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://example.org/x> <http://example.org/y> <http://example.org/z> .\n<broken\n", encoding="utf-8")
    code, out, err = run_in_process(
        "query", "--query", "SELECT * WHERE { ?s ?p ?o }", "--data", str(good), "--data", str(bad)
    )
    assert code == 2 and "bad.nt" in err and out == ""


def test_a_failed_store_create_leaves_no_half_made_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    code, _, err = run_in_process("store", "create", str(store_dir))
    assert code == 0, err
    before = sorted((str(p.relative_to(store_dir)), p.read_bytes()) for p in store_dir.rglob("*") if p.is_file())
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \n", encoding="utf-8")

    # pointed at an existing store: refused, the store untouched
    code, _, err = run_in_process("store", "create", str(store_dir), "--data", str(bad))
    assert code == 2 and "already exists" in err
    assert (
        sorted((str(p.relative_to(store_dir)), p.read_bytes()) for p in store_dir.rglob("*") if p.is_file()) == before
    )

    # a new store from a broken file: refused naming the file and line, no folder left behind
    fresh = tmp_path / "fresh"
    code, _, err = run_in_process("store", "create", str(fresh), "--data", str(bad))
    assert code == 2 and "bad.ttl" in err and "line" in err
    assert not fresh.exists()

    # the good store still answers with every shipped triple
    code, out, _ = run_in_process(
        "query",
        "--store",
        str(store_dir),
        "--query",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--format",
        "csv",
    )
    assert code == 0
    from hled_graph.sparql.engine import load_store

    assert int(out.splitlines()[1]) == len(load_store())


def test_the_installed_command_behaves_the_same() -> None:
    for args, stdin in [
        (["query", "--query", "SELECT * WHERE { ?s ?p"], b""),
        (["query", "-"], b"\xff\xfe\x00\x80 not utf-8"),
        (["query", "--query", "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000], b""),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "hled_graph.cli", *args], input=stdin, capture_output=True, timeout=60
        )
        stderr = result.stderr.decode("utf-8")
        assert result.returncode == 2, stderr
        assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
