"""The core commands on the shipped graph: build, export, validate, stats; and their errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from hled_graph import graph as hgraph
from hled_graph.build import BUILD_MARKER, build
from hled_graph.errors import ValidationFailed
from hled_graph.namespaces import PREFIXES

CLI = [sys.executable, "-m", "hled_graph.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hled-graph: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "out"
    build(out)
    return out


def test_build_writes_every_distribution(built: Path) -> None:
    names = sorted(p.name for p in built.iterdir())
    for expected in ["hled.jsonld", "hled.nq", "hled.nt", "hled.rdf", "hled.trig", "hled.ttl"]:
        assert expected in names
    assert [name for name in names if name.startswith(".")] == [BUILD_MARKER], "no temporary file left"


def test_export_nt_parses_in_rdflib_and_pyoxigraph_with_same_count() -> None:
    result = subprocess.run([*CLI, "export", "-f", "nt"], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    in_rdflib = Graph().parse(data=result.stdout.decode("utf-8"), format="nt")
    in_oxigraph = list(ox.parse(result.stdout, format=ox.RdfFormat.N_TRIPLES))
    assert len(in_rdflib) == len(in_oxigraph) == len(hgraph.load_graph())
    assert len(in_rdflib) > 1000


@pytest.mark.parametrize(
    "name,fmt", [("hled.ttl", "turtle"), ("hled.jsonld", "json-ld"), ("hled.rdf", "xml"), ("hled.nt", "nt")]
)
def test_round_trip_is_isomorphic(built: Path, name: str, fmt: str) -> None:
    reference = hgraph.load_graph()
    assert isomorphic(Graph().parse(built / name, format=fmt), reference)


def test_named_graphs_survive_trig_and_nquads(built: Path) -> None:
    reference = hgraph.load_dataset()
    for name, fmt in [("hled.trig", "trig"), ("hled.nq", "nquads")]:
        dataset = Dataset()
        dataset.parse(built / name, format=fmt)
        for part in ("ontology", "data", "links"):
            iri = f"https://w3id.org/hled/graph/{part}"
            from rdflib import URIRef

            assert isomorphic(dataset.graph(URIRef(iri)), reference.graph(URIRef(iri))), (name, part)


def test_two_builds_give_the_same_bytes(built: Path, tmp_path: Path) -> None:
    # A second process has another hash seed: a dependence on set order or random
    # blank-node ids would show up as a different byte.
    result = run("build", "-o", str(tmp_path / "again"))
    assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert Path("maps/overview.html") in files and Path("void.ttl") in files
    assert Path("tables/csv-metadata.json") in files and Path("tables/money.csv") in files
    for name in files:
        assert (tmp_path / "again" / name).read_bytes() == (built / name).read_bytes(), name


def test_failed_build_leaves_previous_output_untouched(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = snapshot(out)

    from hled_graph.publish.export import serialize

    def broken_serialize(source, fmt):  # the disk fills up halfway through the build
        if fmt == "xml":
            raise OSError("No space left on device")
        return serialize(source, fmt)

    monkeypatch.setattr("hled_graph.publish.export.serialize", broken_serialize, raising=True)
    with pytest.raises(OSError):
        build(out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging folder left behind"


def test_validate_shipped_data_conforms_and_says_what_it_counted() -> None:
    from hled_graph import resources
    from hled_graph.graph import parse_file
    from hled_graph.sparql.library import load_checks

    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    ok, counted = result.stdout.splitlines()
    total = int(re.fullmatch(r"OK: (\d+) triples conform to the shapes; no data check failed\.", ok).group(1))
    parts = {name: int(n) for n, name in re.findall(r"(\d+) in (data/[\w.-]+)", counted)}
    files = [*resources.data_files(), resources.links_file()]
    assert parts == {f"data/{path.name}": len(parse_file(path)) for path in files}
    assert sum(parts.values()) == total  # no triple is stated in two files
    quotes = len(set(hgraph.data_graph().subjects(RDF.type, URIRef(PREFIXES["oa"] + "Annotation"))))
    checks = len(load_checks())
    assert f"{checks} data checks of queries/checks and {quotes} quotes against their source files" in counted
    inferred = run("validate", "--rdfs").stdout.splitlines()
    (extra,) = re.findall(r"\+ (\d+) inferred by RDFS", inferred[1])
    assert inferred[0].startswith(f"OK: {total + int(extra)} triples conform")


def test_validate_reports_violations_in_plain_words(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix hled: <https://w3id.org/hled/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/hled/id/org/nowhere> a hled:GovernmentAgency ; rdfs:label "Agency of Nowhere"@en .\n',
        encoding="utf-8",
    )
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert "hdo:nowhere" in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_validate_library_raises_on_violation(tmp_path: Path) -> None:
    from hled_graph.sparql.library import load_checks
    from hled_graph.validate import validate_files

    bad = tmp_path / "amount.ttl"
    bad.write_text(
        "@prefix schema: <https://schema.org/> .\n"
        '<https://w3id.org/hled/id/x> a schema:MonetaryAmount ; schema:value "a lot" .\n',
        encoding="utf-8",
    )
    report = validate_files([bad], checks=load_checks())
    assert not report.conforms
    assert any("schema:value" in p.path for p in report.problems)
    with pytest.raises(ValidationFailed):
        raise ValidationFailed(report.to_text())


def test_malformed_turtle_gives_one_line_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\nex:c ex:d ex:e .\n', encoding="utf-8"
    )
    assert_one_line_error(run("validate", str(bad)), "broken.ttl", "line 2")


def test_wrongly_encoded_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes('<http://example.org/a> <http://example.org/b> "Querétaro" .\n'.encode("latin-1"))
    assert_one_line_error(run("validate", str(bad)), "latin1.ttl", "UTF-8")


def test_unknown_file_type_and_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(run("validate", str(tmp_path / "table.csv")), "table.csv", "extension")
    (tmp_path / "gone.ttl").unlink(missing_ok=True)
    assert_one_line_error(run("validate", str(tmp_path / "gone.ttl")), "gone.ttl", "no such file")


def test_unknown_export_format_exits_2() -> None:
    result = run("export", "-f", "yaml")
    assert result.returncode == 2
    assert "yaml" in result.stderr and "Traceback" not in result.stderr


def test_stats_counts_match_sparql() -> None:
    result = run("stats", "--json")
    assert result.returncode == 0, result.stderr
    import json

    stats = json.loads(result.stdout)
    graph = hgraph.load_graph(include_inferred=False)  # stats count what the files state
    assert stats["triples"] == len(graph)
    (actions,) = next(
        iter(
            graph.query(
                "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#> "
                "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a prov:Activity . ?q oa:hasBody ?a }"
            )
        )
    )
    assert int(stats["totals"]["actions"]) == int(actions)
    assert int(stats["totals"]["source quotes"]) == int(actions)
    # the fact sheet's own totals: 25 organizations (31 with USTR and SHCP, offices of the rounds' chairs, and
    # SEMARNAT, the Ministry of Health and two publishers of data/hled-government.ttl), 4 amounts summing to
    # $5,374,038,000
    assert stats["totals"]["organizations"] == "31"
    assert stats["totals"]["monetary amounts"] == "4"
    assert stats["totals"]["USD committed or awarded"] == "5374038000"


def test_validate_names_a_hostile_file_name_visibly(tmp_path: Path) -> None:
    from hled_graph.sparql.library import load_checks
    from hled_graph.validate import validate_files

    hostile = tmp_path / "gnp\u202eexe.ttl"
    hostile.write_text("", encoding="utf-8")
    counted = validate_files([hostile], checks=load_checks()).counted()
    assert f"0 in {tmp_path.name}/gnp⟨U+202E⟩exe.ttl" in counted and "\u202e" not in counted
