"""Runs SPARQL. The engine behind the CLI and the server is pyoxigraph (see README, "Engine").

This module must not import rdflib: ``hled-graph query`` pays only for pyoxigraph (~30 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.formats import file_format
from hled_graph.namespaces import GRAPH_DATA, GRAPH_LINKS, GRAPH_ONTOLOGY

def shipped_graph_files() -> list[tuple[Path, str]]:
    """The shipped files and the named graph each one goes into."""
    files = [(resources.ontology_file(), GRAPH_ONTOLOGY)]
    files += [(path, GRAPH_DATA) for path in resources.data_files()]
    if resources.links_file().is_file():
        files.append((resources.links_file(), GRAPH_LINKS))
    return files


def load_store(
    *, data: Sequence[Path] | None = None, store_path: Path | None = None
) -> ox.Store:
    """An in-memory store of the shipped graph, of ``data`` files, or an on-disk store.

    Each file is parsed into a scratch store first, so a file with a syntax error leaves nothing
    half-loaded; the error names the file and the line.
    """
    if store_path is not None:
        if not Path(store_path).is_dir():
            raise InputError(f"{store_path}: no such store folder; create one with `hled-graph store create`")
        return ox.Store.read_only(str(store_path))
    store = ox.Store()
    if data:
        for path in data:
            _load_file(store, Path(path), graph=None)
    else:
        for path, graph in shipped_graph_files():
            _load_file(store, path, graph=graph)
    return store


def _load_file(store: ox.Store, path: Path, *, graph: str | None) -> None:
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path")
    fmt = getattr(ox.RdfFormat, file_format(path)[1])
    target = ox.NamedNode(graph) if graph else None
    try:
        # Store.load is transactional: a syntax error anywhere loads nothing of this file.
        store.load(path=str(path), format=fmt, to_graph=target)
    except SyntaxError as exc:
        raise InputError(f"{path}: {' '.join(str(exc).split())}; fix the file and try again") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read as RDF ({' '.join(str(exc).split())})") from None
