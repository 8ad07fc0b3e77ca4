"""The main job: validate, then write every distribution of the graph into one output folder.

Everything is written into a staging folder beside the target and renamed at the end, so an
interrupted or failed build leaves the previous output untouched. The target is replaced only
when it is new, empty, or an earlier build (it holds :data:`BUILD_MARKER`): a folder of the
user's own is refused before anything is written. Staging folders that a killed build left
behind carry the marker too, and the next build removes them.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hled_graph import graph as hgraph
from hled_graph.errors import InputError, OutputError, ValidationFailed
from hled_graph.files import process_alive
from hled_graph.formats import RDF_SYNTAXES

Progress = Callable[[str], None]

GRAPH_STEM = "hled"
MAPS_DIR = "maps"
BUILD_MARKER = ".hled-graph-build"
_MARKER_TEXT = "Written by `hled-graph build`; the next build replaces this whole folder.\n"
# A staging folder names the process writing it, so that a build never removes one still being written.
_STAGING = ".{name}.staging-{pid}-"


@dataclass
class BuildResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    summary: str = ""


def build(out_dir: Path, *, progress: Progress = lambda _msg: None) -> BuildResult:
    """Validate the shipped graph and write it, its metadata, maps and docs into ``out_dir``."""
    from hled_graph.files import replace_folder, write_atomic
    from hled_graph.publish.docs import write_ontology_docs
    from hled_graph.publish.export import file_name, serialize
    from hled_graph.publish.metadata import write_dataset_description
    from hled_graph.publish.tables import write_tables
    from hled_graph.publish.tracker import write_tracker
    from hled_graph.sparql.library import load_checks
    from hled_graph.stats import compute_stats
    from hled_graph.validate import validate_shipped
    from hled_graph.viz.figures import write_figures
    from hled_graph.viz.maps import write_maps

    out_dir = Path(out_dir).resolve()
    check_output_folder(out_dir)
    progress("validating the data against the shapes")
    report = validate_shipped(checks=load_checks())
    if not report.conforms:
        raise ValidationFailed("the data does not conform; nothing written:\n" + report.to_text())

    progress("loading the dataset")
    dataset = hgraph.load_dataset()
    merged = hgraph.load_graph()
    # The maps, the ontology page's examples and the counts show what the data states, not what RDFS adds.
    asserted = hgraph.load_graph(include_inferred=False)

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING.format(name=out_dir.name, pid=os.getpid()), dir=out_dir.parent))
    except OSError as exc:  # the parent is a file, read-only, or on a full disk: the user's to choose
        raise OutputError(f"{out_dir}: cannot write here ({exc.strerror}); choose another folder") from None
    staging.chmod(0o755)  # mkdtemp makes it private; the output is meant to be published
    try:
        (staging / BUILD_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        files = []
        for fmt in (syntax.name for syntax in RDF_SYNTAXES if not syntax.named_graphs):
            progress(f"writing {file_name(GRAPH_STEM, fmt)}")
            files.append(write_atomic(staging / file_name(GRAPH_STEM, fmt), serialize(merged, fmt)))
        for fmt in (syntax.name for syntax in RDF_SYNTAXES if syntax.named_graphs):
            progress(f"writing {file_name(GRAPH_STEM, fmt)} (named graphs)")
            files.append(write_atomic(staging / file_name(GRAPH_STEM, fmt), serialize(dataset, fmt)))
        progress("describing the dataset (VoID, DCAT, JSON-LD context)")
        files += write_dataset_description(dataset, staging, distributions=list(files))
        progress("documenting the ontology")
        files.append(write_ontology_docs(staging, ontology=hgraph.ontology_graph(), data=asserted))
        progress("drawing the network maps (overview, one per pillar, collaboration)")
        files += write_maps(asserted, staging / MAPS_DIR)
        progress("writing the tables (CSV with CSV on the Web metadata, data dictionary)")
        files += write_tables(asserted, staging / "tables")
        progress("drawing the figures for papers (the maps and a timeline as SVG, PDF and PNG)")
        files += write_figures(asserted, staging / "figures")
        progress("tracking the commitments (tracker/commitments.html)")
        files.append(write_tracker(staging, graph=merged))
        summary = compute_stats(asserted).to_text()
        replace_folder(staging, out_dir, replaceable=_is_earlier_build_or_empty)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(out_dir=out_dir, files=[out_dir / f.relative_to(staging) for f in files], summary=summary)


def check_output_folder(out_dir: Path) -> None:
    """Refuse a target the build must not replace: a file, or a folder that is not an earlier build."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise InputError(f"{out_dir}: exists and is not a folder; give -o a new or empty folder")
    if not out_dir.exists() or _is_earlier_build_or_empty(out_dir):
        if Path.cwd().resolve().is_relative_to(out_dir) and any(out_dir.iterdir()):
            raise InputError(f"{out_dir}: is the folder you are in (or holds it); build into another folder")
        return
    raise InputError(
        f"{out_dir}: not empty and not an earlier build (no {BUILD_MARKER} in it); nothing was touched. "
        "Give -o a new or empty folder"
    )


def _is_earlier_build_or_empty(folder: Path) -> bool:
    marker = folder / BUILD_MARKER
    return (marker.is_file() and not marker.is_symlink()) or not any(folder.iterdir())


def _remove_abandoned_staging(out_dir: Path) -> None:
    """Staging folders of builds that were killed before they could clean up (they hold the marker).

    The name is escaped for the glob (``-o 'site[1]'`` or ``-o '*'`` must match only its own
    staging folders), and one whose process is still running is another build's, left alone.
    """
    prefix = _STAGING.format(name=out_dir.name, pid="")[:-1]
    for leftover in out_dir.parent.glob(glob.escape(prefix) + "*"):
        pid = leftover.name[len(prefix):].split("-")[0]
        if pid.isdigit() and process_alive(int(pid)):
            continue
        if leftover.is_dir() and not leftover.is_symlink() and (leftover / BUILD_MARKER).is_file():
            shutil.rmtree(leftover, ignore_errors=True)
