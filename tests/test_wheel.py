"""The wheel a user installs works on its own: built, installed (not editable) into a fresh
virtual environment, and run from a directory that is not the checkout."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a fresh venv that has the freshly built wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = dist.glob("hled_graph-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True)
    return venv / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bin_dir / "hled-graph"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_the_wheel_is_not_the_checkout(installed: Path) -> None:
    where = subprocess.run([str(installed / "python"), "-c", "import hled_graph; print(hled_graph.__file__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(ROOT))


def test_installed_query_answers_from_the_shipped_data(installed: Path, tmp_path: Path) -> None:
    result = run(installed, "query", "organizations-in-several-pillars", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rows = json.loads(result.stdout)["results"]["bindings"]
    pillars = {row["name"]["value"]: int(row["pillarCount"]["value"]) for row in rows}
    assert pillars == {"Government of Mexico": 3, "Government of the United States": 3, "Ministry of Economy": 3,
                       "U.S. Agency for International Development": 2, "U.S. Embassy Mexico City": 2}


def test_installed_build_writes_every_output(installed: Path, tmp_path: Path) -> None:
    result = run(installed, "build", "-o", "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "site"
    written = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert {"hled.ttl", "ontology.html"} <= written, sorted(written)
    maps = [name for name in written if name.startswith("maps/") and name.endswith(".html")]
    assert len(maps) >= 6, sorted(written)
    assert "vis-network" in (out / maps[0]).read_text(encoding="utf-8")  # the offline library is inlined
    # matplotlib comes with the wheel's dependencies: the figures for papers are drawn
    assert {f"figures/timeline.{fmt}" for fmt in ("svg", "pdf", "png")} <= written, sorted(written)


def test_installed_serve_answers_a_query(installed: Path, tmp_path: Path) -> None:
    process = subprocess.Popen([str(installed / "hled-graph"), "serve", "--port", "0"], cwd=tmp_path,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        match = re.search(r"listening on (http://\S+?)/? ", first)
        assert match, first
        url = match.group(1).rstrip("/") + "/sparql?" + urllib.parse.urlencode(
            {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    answer = json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert int(answer["results"]["bindings"][0]["n"]["value"]) > 2000
    finally:
        process.terminate()
        process.wait(timeout=15)
