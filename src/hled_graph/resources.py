"""Where the shipped ontology, data and queries are, in a checkout and in an installed wheel alike.

The top-level ``ontology/``, ``data/`` and ``queries/`` folders are the sources of truth; the
wheel carries copies of them inside the package under ``_shipped/`` (see ``pyproject.toml``).
This module is the one place that knows both locations.
"""

from __future__ import annotations

from pathlib import Path

from hled_graph.errors import InputError

_PACKAGE_DIR = Path(__file__).resolve().parent
_SHIPPED = _PACKAGE_DIR / "_shipped"
_CHECKOUT = _PACKAGE_DIR.parent.parent


def _root() -> Path:
    if (_SHIPPED / "ontology").is_dir():
        return _SHIPPED
    return _CHECKOUT


def ontology_dir() -> Path:
    """The folder holding ``hled.ttl`` (the ontology) and ``shapes.ttl`` (SHACL)."""
    return _root() / "ontology"


def ontology_file() -> Path:
    return ontology_dir() / "hled.ttl"


def reused_axioms_file() -> Path:
    """Axioms of the reused vocabularies (ORG, PROV-O) that the RDFS closure needs; not part of the ontology graph."""
    return ontology_dir() / "reused-axioms.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def data_dir() -> Path:
    """The folder holding the encoded fact sheet, the links and the source text."""
    return _root() / "data"


def data_files() -> list[Path]:
    """The curated data files (one per source document), sorted by name."""
    return sorted(data_dir().glob("hled-*.ttl"))


def links_file() -> Path:
    return data_dir() / "links.ttl"


def source_text_file(name: str) -> Path:
    """The source text file named ``name`` (a copy's ``hled:sourceFile``) in ``data/source/``.

    The name comes from the data, so it may only name a file in that folder, never a path out of it.
    """
    if name in {"", "."} or any(part in name for part in ("/", "\\", "..", "\0")):
        raise InputError(
            f"source file {name!r}: not a plain file name; hled:sourceFile must name a file in data/source/"
        )
    return data_dir() / "source" / name


def queries_dir() -> Path:
    """The named query library (``*.rq``)."""
    return _root() / "queries"
