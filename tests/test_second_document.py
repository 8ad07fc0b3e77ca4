"""A second document goes in as data only.

The fixture tests/fixtures/second-document/ is an invented document of round 2023 (its text says so): an act
reporting progress on a 2022 commitment, a 2022 act reported again, a new act of the introduction. The test copies
the checkout (the files resources.py resolves: src/, data/, ontology/, queries/, pyproject.toml) into a temporary
folder, adds the fixture's two files to data/ and data/source/ only, and runs the copy's own command line there:
validation, the build with its maps, every library query. The copy's src/ is left as it was: no code changes.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hled_graph.namespaces import PREFIXES

REPOSITORY = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "second-document"
DATA_FILE = FIXTURE / "hled-test-2023.ttl"
TEXT_FILE = FIXTURE / "source" / "hled-test-2023.txt"
CHECKOUT_PARTS = ("src", "data", "ontology", "queries", "pyproject.toml")
ID = "https://w3id.org/hled/id/"
COMMITMENT = PREFIXES["hdc"] + "usmca-emergency-subcommittee-negotiations"
PROGRESS_ACT = PREFIXES["hda"] + "2023-usmca-emergency-subcommittee-negotiations-concluded"
REPEATED_ACT = PREFIXES["hda"] + "supply-chain-working-group-establishment"
NEW_INTRODUCTION_ACT = PREFIXES["hda"] + "2023-stakeholder-outreach"
DOCUMENT = ID + "hled-test-2023"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "_shipped")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_with_the_second_document(tmp_path_factory.mktemp("second-document"))


def copy_with_the_second_document(folder: Path) -> Path:
    root = folder / "checkout"
    root.mkdir()
    for part in CHECKOUT_PARTS:
        source = REPOSITORY / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=IGNORED)
        else:
            shutil.copy2(source, root / part)
    shutil.copy2(DATA_FILE, root / "data" / DATA_FILE.name)
    shutil.copy2(TEXT_FILE, root / "data" / "source" / TEXT_FILE.name)
    return root


def run(checkout: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The copy's own code, as a user runs it in the copy (PYTHONPATH puts the copy's src/ first)."""
    environment = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    return subprocess.run(
        [sys.executable, *args], cwd=checkout, env=environment, capture_output=True, text=True, timeout=timeout
    )


def query(checkout: Path, name: str, *bind: str) -> list[dict[str, str]]:
    options = [option for value in bind for option in ("--bind", value)]
    done = run(checkout, "-m", "hled_graph.cli", "query", name, *options, "--format", "json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    return [{name: term["value"] for name, term in row.items()} for row in answer["results"]["bindings"]]


def test_the_fixture_says_it_is_invented() -> None:
    assert TEXT_FILE.read_text(encoding="utf-8").startswith("TEST FIXTURE - NOT A REAL DOCUMENT.")
    assert DATA_FILE.read_text(encoding="utf-8").startswith("# TEST FIXTURE, NOT REAL DATA")


def test_the_copy_runs_its_own_code_on_its_own_data(checkout: Path) -> None:
    done = run(
        checkout, "-c", "import hled_graph, hled_graph.resources as r; print(hled_graph.__file__); print(r.data_dir())"
    )
    assert done.returncode == 0, done.stderr
    package, data = done.stdout.splitlines()
    assert Path(package).is_relative_to(checkout / "src")
    assert Path(data) == checkout / "data"


def test_validate_passes(checkout: Path) -> None:
    done = run(checkout, "-m", "hled_graph.cli", "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: ")


def test_validate_checks_the_second_source_against_its_own_file(tmp_path: Path) -> None:
    changed = copy_with_the_second_document(tmp_path)
    text = changed / "data" / "source" / TEXT_FILE.name
    text.write_text(text.read_text(encoding="utf-8").replace("twelve", "eleven"), encoding="utf-8")
    done = run(changed, "-m", "hled_graph.cli", "validate")
    assert done.returncode == 1, done.stdout + done.stderr
    problems = [line for line in done.stdout.splitlines() if line.startswith("Violation: ")]
    assert len(problems) == 1, done.stdout
    assert problems[0].startswith("Violation: hd:hled-test-2023-copy: spdx:checksum SHA-256 is ")
    assert "but hled-test-2023.txt has " in problems[0] and problems[0].endswith("(quote check)")


def test_every_quote_matches_its_own_source_and_checksum(checkout: Path) -> None:
    script = (
        "import json\n"
        "from hled_graph import resources\n"
        "from hled_graph.graph import parse_files\n"
        "from hled_graph.provenance import check_quotes\n"
        "graph = parse_files(resources.data_files())\n"
        "from rdflib import URIRef\n"
        "sources = sorted({str(o) for o in graph.objects(None, URIRef('http://www.w3.org/ns/oa#hasSource'))})\n"
        "print(json.dumps({'problems': check_quotes(graph), 'sources': sources}))\n"
    )
    done = run(checkout, "-c", script)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome == {"problems": [], "sources": [ID + "fact-sheet-2022-copy", ID + "hled-test-2023-copy"]}


def test_build_writes_the_graph_and_the_maps(checkout: Path) -> None:
    done = run(checkout, "-m", "hled_graph.cli", "build", "-o", "out", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    out = checkout / "out"
    maps = sorted(path.name for path in (out / "maps").glob("*.html"))
    assert maps == ["collaboration.html", "overview.html", "pillar-1.html", "pillar-2.html", "pillar-3.html",
                    "pillar-4.html"]
    overview = (out / "maps" / "overview.html").read_text(encoding="utf-8")
    assert PROGRESS_ACT in overview and NEW_INTRODUCTION_ACT in overview
    assert PROGRESS_ACT in (out / "maps" / "pillar-1.html").read_text(encoding="utf-8")
    assert DOCUMENT not in overview  # documents are provenance, not nodes
    description = (out / "void.ttl").read_text(encoding="utf-8")
    assert "hd:hled-test-2023" in description and "hd:hled-test-2023-copy" in description
    assert DOCUMENT.encode() in (out / "hled.nt").read_bytes()


def test_every_library_query_runs(checkout: Path) -> None:
    names = sorted(path.stem for path in (checkout / "queries").glob("*.rq"))
    # A federated query needs the network (Wikidata); the test has none.
    offline = [name for name in names if "online-only" not in (checkout / "queries" / f"{name}.rq").read_text("utf-8")]
    assert len(names) - len(offline) == 1 and len(offline) >= 25
    failed = {}
    for name in offline:
        done = run(checkout, "-m", "hled_graph.cli", "query", name)
        if done.returncode != 0:
            failed[name] = done.stderr.strip()
    assert failed == {}


def test_the_progress_query_shows_the_2022_commitment_completed_in_2023(checkout: Path) -> None:
    rows = [row for row in query(checkout, "commitment-progress") if row["item"] == COMMITMENT]
    reports = [(row["reportRound"].rsplit("/", 1)[1], row["date"], row["status"].rsplit("/", 1)[1], row["document"])
               for row in rows]
    assert reports == [
        ("2022", "2022-09-12", "committed", ID + "fact-sheet-2022"),
        ("2023", "2023-09-29", "completed", DOCUMENT),
    ]
    assert {row["promisedStatus"].rsplit("/", 1)[1] for row in rows} == {"committed"}
    assert rows[-1]["act"] == PROGRESS_ACT
    # Asked from 2023 on, the commitment shows only its 2023 report.
    later = [row for row in query(checkout, "commitment-progress", "round=round:2023") if row["item"] == COMMITMENT]
    assert [(row["status"].rsplit("/", 1)[1], row["document"]) for row in later] == [("completed", DOCUMENT)]


def test_commitments_by_status_takes_the_latest_report(checkout: Path) -> None:
    rows = {row["item"]: row for row in query(checkout, "commitments-by-status")}
    latest = rows[COMMITMENT]
    assert (latest["status"].rsplit("/", 1)[1], latest["round"].rsplit("/", 1)[1], latest["document"]) == (
        "completed", "2023", DOCUMENT
    )
    assert len(rows) == 11  # the 2023 document reports on one of the eleven; it adds no new lasting thing
    assert sum(row["document"] == DOCUMENT for row in rows.values()) == 1


def test_the_document_states_its_three_acts(checkout: Path) -> None:
    rows = query(checkout, "document-statements", f"document=<{DOCUMENT}>")
    acts = {row["subject"]: row["status"].rsplit("/", 1)[1] for row in rows if row["what"] == "act"}
    assert acts == {PROGRESS_ACT: "completed", REPEATED_ACT: "completed", NEW_INTRODUCTION_ACT: "completed"}
    assert len(rows) == 3


def test_the_repeated_act_has_one_quote_per_source(checkout: Path) -> None:
    rows = query(checkout, "source-quote", f"action=<{REPEATED_ACT}>")
    assert sorted((row["document"], row["copy"], row["file"]) for row in rows) == [
        (ID + "fact-sheet-2022", ID + "fact-sheet-2022-copy", "hled-2022-fact-sheet.txt"),
        (DOCUMENT, ID + "hled-test-2023-copy", TEXT_FILE.name),
    ]
    text = (checkout / "data" / "source" / TEXT_FILE.name).read_text(encoding="utf-8")
    (quote_2023,) = [row for row in rows if row["document"] == DOCUMENT]
    assert text[int(quote_2023["start"]) : int(quote_2023["end"])] == quote_2023["exact"]


def test_nothing_still_to_come_is_added_by_a_later_document(checkout: Path) -> None:
    rows = query(checkout, "still-to-come")
    assert {row["document"] for row in rows} == {ID + "fact-sheet-2022"}
    assert len(rows) == 4


def test_the_copy_of_the_code_was_not_changed(checkout: Path) -> None:
    def differences(comparison: filecmp.dircmp[str]) -> list[str]:
        found = [*comparison.diff_files, *comparison.left_only, *comparison.right_only]
        for name, sub in comparison.subdirs.items():
            found += [f"{name}/{path}" for path in differences(sub)]
        return found

    ignore = [*filecmp.DEFAULT_IGNORES, "_shipped"]
    assert differences(filecmp.dircmp(REPOSITORY / "src", checkout / "src", ignore=ignore)) == []


def test_no_code_query_check_or_shape_names_one_document() -> None:
    code = [path for path in (REPOSITORY / "src").rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    places = [*code, *(REPOSITORY / "queries").rglob("*"), REPOSITORY / "ontology" / "shapes.ttl"]
    assert len(places) > 50
    named = [str(path.relative_to(REPOSITORY)) for path in places
             if path.is_file() and b"fact-sheet-2022" in path.read_bytes()]
    assert named == []
