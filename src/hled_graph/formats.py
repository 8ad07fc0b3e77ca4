"""RDF file formats by file extension, for both parsers (imports nothing heavy)."""

from __future__ import annotations

from pathlib import Path

from hled_graph.errors import InputError

# extension: (rdflib parser name, pyoxigraph RdfFormat attribute)
RDF_FILE_FORMATS: dict[str, tuple[str, str]] = {
    ".ttl": ("turtle", "TURTLE"),
    ".turtle": ("turtle", "TURTLE"),
    ".nt": ("nt", "N_TRIPLES"),
    ".ntriples": ("nt", "N_TRIPLES"),
    ".nq": ("nquads", "N_QUADS"),
    ".trig": ("trig", "TRIG"),
    ".jsonld": ("json-ld", "JSON_LD"),
    ".json": ("json-ld", "JSON_LD"),
    ".rdf": ("xml", "RDF_XML"),
    ".owl": ("xml", "RDF_XML"),
    ".xml": ("xml", "RDF_XML"),
}


def file_format(path: Path) -> tuple[str, str]:
    """(rdflib name, pyoxigraph name) of an RDF file, from its extension."""
    try:
        return RDF_FILE_FORMATS[Path(path).suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(RDF_FILE_FORMATS))
        raise InputError(
            f"{path}: unknown RDF file extension {Path(path).suffix or '(none)'!r}; use one of {known}"
        ) from None
