"""docs/jupyter.ipynb runs in a real IPython kernel (nbclient) and shows what it says: a query's table,
the map inline as HTML, a figure as SVG (and PNG), and writes the files it saves."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "jupyter.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    # A kernel of this interpreter, whatever kernels the machine has installed: JUPYTER_PATH comes first.
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / "hled-graph-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "hled-graph test", "language": "python"}))
    work = tmp_path_factory.mktemp("work")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(jupyter))
        patch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # what a notebook server sets
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(notebook, timeout=300, kernel_name="hled-graph-test",
                       resources={"metadata": {"path": str(work)}}).execute()
    return notebook, work


def outputs(notebook: Any, source_part: str) -> list[dict[str, Any]]:
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and source_part in cell.source]
    assert len(cells) == 1, source_part
    return cells[0].outputs


def test_the_notebook_is_kept_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_every_cell_runs_without_an_error(executed: tuple[Any, Path]) -> None:
    notebook, _ = executed
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_a_query_shows_as_a_table(executed: tuple[Any, Path]) -> None:
    (result,) = outputs(executed[0], 'named_query("money-by-pillar")')
    html = result.data["text/html"]
    assert "<table" in html and "Building Back Together" in html and "5374000000" in html


def test_the_map_shows_inline(executed: tuple[Any, Path]) -> None:
    (result,) = outputs(executed[0], "build_map(")
    html = result.data["text/html"]
    assert html.startswith('<iframe sandbox="allow-scripts"')
    assert "around Environmental Protection Agency (2 steps)" in html
    assert "vis-network" in html  # the map's page, its library inlined in the frame's srcdoc


def test_the_figure_shows_as_svg_and_png(executed: tuple[Any, Path]) -> None:
    printed, shown = outputs(executed[0], 'build_figure(graph, "pillar-2")')
    assert printed.output_type == "stream" and "'timeline'" in printed.text
    svg = shown.data["image/svg+xml"]
    root = ET.fromstring(svg.split("\n", 3)[-1])
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("width") == "252pt"  # 3.5 in
    assert "Pillar 2" in root.find(".//{http://purl.org/dc/elements/1.1/}title").text
    assert shown.data["image/png"]  # base64 in the notebook
    assert shown.metadata["image/png"]["width"] == 336  # shown at its printed width, 96 px an inch


def test_saving_writes_the_files(executed: tuple[Any, Path]) -> None:
    _, work = executed
    assert (work / "pillar-2.pdf").read_bytes().startswith(b"%PDF-")
    assert b"<svg" in (work / "timeline.svg").read_bytes()[:1000]
