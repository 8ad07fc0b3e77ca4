"""`hled-graph query`, `queries` and `store create`, run as the real executable in a subprocess.

The endpoint tests start a real `oxigraph serve` (PyPI package `oxigraph`) on a free loopback
port, over a store made by `hled-graph store create`, and compare its answers with local ones.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.query import Result as RdflibResult

from hled_graph.sparql import library

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "sparql-mini.ttl"
LIBRARY = library.load_library()


def _executable(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed (pip install -e '.[test]')"
    return found


HLED_GRAPH = _executable("hled-graph")


def run(
    *args: str, stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [HLED_GRAPH, *args], input=stdin, capture_output=True, text=True, timeout=120
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def assert_one_line_error(done: subprocess.CompletedProcess[str], pattern: str) -> None:
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert re.search(pattern, lines[0]), lines[0]


# --------------------------------------------------------------------------- formats


def test_table_is_the_default() -> None:
    out = run("query", "pillars").stdout.splitlines()
    assert out[0].split()[:3] == ["pillar", "number", "notation"]
    assert out[2].startswith("pillar:1 ")
    assert out[-1] == "(4 rows)"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_standard_formats(fmt: str) -> None:
    data = run("query", "pillars", "--format", fmt).stdout
    parsed = RdflibResult.parse(io.BytesIO(data.encode()), format=fmt)
    assert [str(r[0]) for r in parsed] == [
        f"https://w3id.org/hled/id/pillar/{n}" for n in range(1, 5)
    ]


def test_markdown() -> None:
    lines = run("query", "pillars", "-f", "markdown").stdout.splitlines()
    assert lines[0].startswith("| pillar | number | notation | title |")
    assert lines[2].startswith("| pillar:1 | 1 | I | Building Back Together |")
    assert len(lines) == 6


@pytest.mark.parametrize(
    "fmt,rdflib_format", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_graph_formats(fmt: str, rdflib_format: str) -> None:
    first = run("query", "collaboration-network", "-f", fmt).stdout
    assert (
        run("query", "collaboration-network", "-f", fmt).stdout == first
    )  # same bytes in every process
    results = [Graph().parse(data=first, format=rdflib_format)]
    results.append(
        Graph().parse(data=run("query", "collaboration-network").stdout, format="turtle")
    )
    assert len(results[0]) > 0
    assert isomorphic(results[0], results[1])


def test_ask_answers_true_or_false() -> None:
    assert run("query", "organization-in-pillar").stdout == "true\n"
    assert run("query", "organization-in-pillar", "--bind", "pillar=pillar:2").stdout == "false\n"
    assert (
        json.loads(run("query", "organization-in-pillar", "-f", "json").stdout)["boolean"] is True
    )


def test_wrong_format_for_the_query_kind() -> None:
    done = run("query", "pillars", "-f", "turtle", check=False)
    assert_one_line_error(done, r"--format turtle is for CONSTRUCT and DESCRIBE")


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "pillars.csv"
    done = run("query", "pillars", "-f", "csv", "-o", str(target))
    assert done.stdout == ""
    assert target.read_bytes().startswith(b"pillar,number,notation,title,aim,actions\r\n")


# --------------------------------------------------------------------------- choosing the query


def test_bind_a_parameter() -> None:
    default = run("query", "organization-activities", "-f", "csv").stdout.splitlines()
    usaid = run(
        "query", "organization-activities", "--bind", "org=hdo:usaid", "-f", "csv"
    ).stdout.splitlines()
    assert {line.split(",")[0] for line in default[1:]} == {"https://w3id.org/hled/id/org/epa"}
    assert {line.split(",")[0] for line in usaid[1:]} == {"https://w3id.org/hled/id/org/usaid"}
    full = run(
        "query",
        "organization-activities",
        "--bind",
        "org=<https://w3id.org/hled/id/org/usaid>",
        "-f",
        "csv",
    )
    assert full.stdout.splitlines() == usaid


@pytest.mark.parametrize("name", ["usaid", "USAID", "u.s. agency for international development"])
def test_bind_a_bare_name_resolves_as_focus_does(name: str) -> None:
    """A short name or a label names the entity, exactly as --focus reads it: never the text "usaid"."""
    by_name = run("query", "organization-activities", "--bind", f"org={name}", "-f", "csv").stdout.splitlines()
    by_iri = run("query", "organization-activities", "--bind", "org=hdo:usaid", "-f", "csv").stdout.splitlines()
    assert len(by_name) > 1 and by_name == by_iri


@pytest.mark.parametrize(("value", "pattern"), [
    ("usiad", r"^hled-graph: error: --bind org=usiad: no entity has this name; did you mean hdo:usaid\b"),
    ("USD", r"no entity has this name; .*text is written quoted: '\"USD\"'"),
])
def test_bind_a_name_no_entity_has_is_refused_with_suggestions(value: str, pattern: str) -> None:
    assert_one_line_error(run("query", "organization-activities", "--bind", f"org={value}", check=False), pattern)


def test_bind_an_ambiguous_bare_name_lists_the_entities(tmp_path: Path) -> None:
    data = tmp_path / "two.ttl"
    data.write_text('<https://w3id.org/hled/id/org/mexico> <http://www.w3.org/2000/01/rdf-schema#label> "Mexico" .\n'
                    '<https://w3id.org/hled/id/place/mexico> <http://www.w3.org/2000/01/rdf-schema#label> "Mexico" .\n',
                    encoding="utf-8")
    done = run("query", "--data", str(data), "--query", "SELECT ?x {}", "--bind", "x=mexico", check=False)
    assert_one_line_error(done, r"--bind x=mexico: the name is ambiguous, it names hdo:mexico, hdl:mexico;")


def test_bind_quoted_text_stays_text(tmp_path: Path) -> None:
    done = run("query", "--query", "SELECT ?x {}", "--bind", 'x="usaid"', "-f", "csv")
    assert done.stdout.splitlines() == ["x", "usaid"]


def test_bind_a_bare_name_against_a_remote_endpoint_is_refused_before_sending() -> None:
    # Port 9 (discard) on localhost: nothing is asked of it, the refusal comes first.
    done = run("query", "organization-activities", "--bind", "org=usaid", "--endpoint", "http://127.0.0.1:9/q",
               check=False)
    assert_one_line_error(done, r"--bind org=usaid: a bare name, and there is no graph here.*'\"usaid\"'")


@pytest.mark.parametrize("args", [
    ["--query", "SELECT * {}", "--bind", "a²=1"],
    ["--query", "# parameter: ?a² — a number (default 1)\nSELECT * {}"],
])
def test_a_name_sparql_does_not_take_as_a_variable_is_refused(args: list[str]) -> None:
    # Python's \w takes "²" for a word character; SPARQL does not (found by test_cli_attacks' fuzzing).
    assert_one_line_error(run("query", *args, check=False), r"\?a²: not a SPARQL variable name")


def test_bind_an_undeclared_parameter() -> None:
    done = run("query", "organization-activities", "--bind", "organisation=hdo:usaid", check=False)
    assert_one_line_error(done, r"has no parameter \?organisation; its parameters are \?org")


def test_bind_with_an_unknown_prefix() -> None:
    done = run("query", "organization-activities", "--bind", "org=hod:usaid", check=False)
    assert_one_line_error(done, r"unknown prefix 'hod:'")


def test_unknown_query_name_suggests_the_closest() -> None:
    done = run("query", "organisations-in-several-pillar", check=False)
    assert_one_line_error(
        done,
        r"unknown query 'organisations-in-several-pillar'; did you mean: organizations-in-several-pillars",
    )


def test_syntax_error_gives_line_and_column() -> None:
    done = run("query", "--query", "SELECT ?x WHERE {\n  ?x hdo:epa }", check=False)
    assert_one_line_error(done, r"^hled-graph: error: query line 2, column \d+: ")


def test_syntax_error_in_a_file(tmp_path: Path) -> None:
    query = tmp_path / "broken.rq"
    query.write_text("# a comment\nSELECT ?x\nWHERE { ?x ?y . }\n", encoding="utf-8")
    assert_one_line_error(run("query", str(query), check=False), r"query line 3, column \d+: ")


def test_query_from_stdin() -> None:
    done = run(
        "query",
        "-",
        "-f",
        "csv",
        stdin="SELECT ?n WHERE { ?p hled:pillarNumber ?n } ORDER BY DESC(?n)",
    )
    assert done.stdout.splitlines() == ["n", "4", "3", "2", "1"]


def test_query_from_a_file_keeps_its_parameters(tmp_path: Path) -> None:
    copy = tmp_path / "mine.rq"
    copy.write_text(LIBRARY["organization-activities"].text, encoding="utf-8")
    assert (
        run("query", str(copy), "-f", "csv").stdout
        == run("query", "organization-activities", "-f", "csv").stdout
    )


def test_data_files_replace_the_shipped_graph() -> None:
    done = run("query", "pillars", "--data", str(FIXTURE), "-f", "csv")
    assert [line.split(",")[0] for line in done.stdout.splitlines()[1:]] == [
        "https://w3id.org/hled/id/pillar/1",
        "https://w3id.org/hled/id/pillar/4",
    ]


def test_malformed_data_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n  ex:d .\n", encoding="utf-8"
    )
    done = run("query", "pillars", "--data", str(bad), check=False)
    assert_one_line_error(done, rf"{bad}, line 4, column \d+: ")


def test_data_store_and_endpoint_are_alternatives(tmp_path: Path) -> None:
    done = run(
        "query",
        "pillars",
        "--data",
        str(FIXTURE),
        "--endpoint",
        "http://127.0.0.1:1/query",
        check=False,
    )
    assert done.returncode == 2 and "--data, --store and --endpoint are alternatives" in done.stderr


def test_no_query_is_a_usage_error() -> None:
    done = run("query", check=False)
    assert done.returncode == 2 and "give a query" in done.stderr and "Traceback" not in done.stderr


def test_queries_lists_the_library_and_the_checks() -> None:
    out = run("queries").stdout
    for name, query in LIBRARY.items():
        assert f"  {name} " in out and query.title in out
    assert "Checks (must return no rows):" in out
    verbose = run("queries", "--verbose").stdout
    assert "--bind org=…  an organization IRI (default hdo:epa)" in verbose
    assert (
        "question: Which organizations worked on more than one pillar, and what did each do?"
        in verbose
    )


# --------------------------------------------------------------------------- stores and endpoints


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stores") / "hled"
    done = run("store", "create", str(folder))
    assert done.stdout.startswith(f"created store {folder}: ") and done.stdout.rstrip().endswith(
        " quads"
    )
    return folder


def _rows(results_json: str) -> list[dict[str, dict[str, str]]]:
    """Rows of a JSON result; GROUP_CONCAT lists ("a; b") sorted, as their order is up to the engine."""
    rows = json.loads(results_json)["results"]["bindings"]
    for row in rows:
        for cell in row.values():
            if "; " in cell["value"]:
                cell["value"] = "; ".join(sorted(cell["value"].split("; ")))
    return rows


def test_store_option_gives_the_same_answers(disk_store: Path) -> None:
    for name in ("pillars", "money", "organizations-in-several-pillars", "places"):
        on_disk = run("query", name, "--store", str(disk_store), "-f", "json").stdout
        assert _rows(on_disk) == _rows(run("query", name, "-f", "json").stdout)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(store: Path, copy_to: Path) -> Iterator[str]:
    """Run `oxigraph serve` on a copy of ``store`` (it wants a writable store of its own)."""
    shutil.copytree(store, copy_to)
    port = _free_port()
    server = subprocess.Popen(
        [
            _executable("oxigraph"),
            "serve",
            "--location",
            str(copy_to),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "oxigraph serve did not start"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def endpoint(disk_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(disk_store, tmp_path_factory.mktemp("served") / "hled")


@pytest.fixture(scope="module")
def wikidata_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("stores") / "wikidata"
    run("store", "create", str(folder), "--data", str(FIXTURES / "sparql-wikidata-standin.ttl"))
    yield from _serve(folder, tmp_path_factory.mktemp("served") / "wikidata")


@pytest.mark.parametrize(
    "args",
    [
        ("pillars", "-f", "csv"),
        ("organizations-in-several-pillars", "-f", "tsv"),
        ("source-quote", "--bind", "action=hda:awe-2022-fumec-award", "-f", "table"),
        ("organization-in-pillar", "-f", "json"),
        ("organization-in-pillar", "--bind", "pillar=pillar:2", "-f", "xml"),
    ],
)
def test_endpoint_gives_the_same_answers_as_local(endpoint: str, args: tuple[str, ...]) -> None:
    assert run("query", *args, "--endpoint", endpoint).stdout == run("query", *args).stdout


@pytest.mark.parametrize(
    "args",
    [
        ("money",),
        ("organization-activities", "--bind", "org=hdo:usaid"),
        ("us-mexico-pairs",),
    ],
)
def test_endpoint_gives_the_same_lists_as_local(endpoint: str, args: tuple[str, ...]) -> None:
    remote = run("query", *args, "--endpoint", endpoint, "-f", "json").stdout
    assert _rows(remote) == _rows(run("query", *args, "-f", "json").stdout)


def test_endpoint_construct_is_the_same_graph(endpoint: str) -> None:
    remote = Graph().parse(
        data=run("query", "collaboration-network", "--endpoint", endpoint).stdout, format="turtle"
    )
    local = Graph().parse(data=run("query", "collaboration-network").stdout, format="turtle")
    assert len(local) > 0 and isomorphic(remote, local)


def test_endpoint_rejects_a_bad_query_in_one_line(endpoint: str) -> None:
    done = run("query", "--query", "SELECT ?x WHERE { ?x ?y }", "--endpoint", endpoint, check=False)
    assert_one_line_error(done, rf"^hled-graph: error: {endpoint} answered HTTP 400 Bad Request: error at \d+:\d+: ")


# --------------------------------------------------------------------------- the federated query


def test_federated_query_is_marked_online_only_and_parses() -> None:
    import pyoxigraph as ox
    from rdflib.plugins.sparql import prepareQuery

    federated = [
        q for q in LIBRARY.values() if "SERVICE <https://query.wikidata.org/sparql>" in q.text
    ]
    assert [q.name for q in federated] == ["wikidata-organizations"]
    assert federated[0].online_only
    assert prepareQuery(federated[0].text).algebra.name == "SelectQuery"
    # pyoxigraph parses it too; on an empty store no organization joins, so no SERVICE call is made.
    assert list(ox.Store().query(federated[0].text)) == []
    assert "[online-only, federated]" in run("queries").stdout


def test_query_path_does_not_import_rdflib() -> None:
    # `hled-graph query` must start fast: only click, pyoxigraph and our light modules.
    probe = (
        "import sys\n"
        "from hled_graph.cli import main\n"
        "try:\n    main(['query', 'pillars', '-f', 'csv'])\nexcept SystemExit as exit:\n    assert exit.code == 0\n"
        "heavy = sorted(m for m in ('rdflib', 'networkx', 'pyvis', 'pyshacl') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert "HEAVY []" in done.stderr, done.stderr


def test_help_examples_name_real_queries() -> None:
    text = run("query", "--help").stdout
    named = re.findall(r"hled-graph query ([a-z][a-z0-9-]+)", text)
    assert named and set(named) <= set(LIBRARY)


def test_federated_query_joins_our_links_with_the_remote_endpoint(wikidata_standin: str) -> None:
    # The real SERVICE is Wikidata; offline, a local oxigraph with two Wikidata items stands in.
    text = LIBRARY["wikidata-organizations"].text.replace(
        "https://query.wikidata.org/sparql", wikidata_standin
    )
    rows = json.loads(run("query", "-", "-f", "json", stdin=text).stdout)["results"]["bindings"]
    found = {row["org"]["value"].rsplit("/", 1)[1]: row for row in rows}
    assert set(found) == {"epa", "usaid"}  # only linked organizations the stand-in knows
    epa = found["epa"]
    assert epa["wikidata"]["value"] == "http://www.wikidata.org/entity/Q460173"
    assert epa["wikidataLabel"]["value"] == "United States Environmental Protection Agency"
    assert epa["inception"]["value"] == "1970"
    assert epa["website"]["value"] == "https://www.epa.gov/"
    assert "website" not in found["usaid"]


def test_checks_run_by_name_on_the_shipped_graph_and_on_your_data() -> None:
    assert run("query", "paraphrased-label-violation").stdout.splitlines()[-1] == "(0 rows)"
    mine = run("query", "paraphrased-label-violation", "--data", str(FIXTURES / "sparql-violations.ttl"))
    assert "Environmental Safety Company" in mine.stdout and mine.stdout.splitlines()[-1] == "(1 row)"
