"""The one table of file formats: RDF serializations, SPARQL result formats, figure formats.

Each row names a format as the command line does and holds pyoxigraph's format object, which
knows the format's file extension and media type; rdflib's name for it sits beside. Every other
list of formats (the CLI's choices, the export, the build, the dataset description, the result
writers, the remote client) is derived from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar, get_args

import pyoxigraph as ox

from hled_graph.errors import InputError


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF serialization. ``named_graphs``: the export writes the dataset with its named graphs."""

    name: str
    rdf_format: ox.RdfFormat
    rdflib_name: str
    named_graphs: bool = False
    # Extensions read as this syntax besides pyoxigraph's own (.owl files are RDF/XML, ...).
    other_extensions: tuple[str, ...] = ()

    @property
    def extension(self) -> str:
        return "." + self.rdf_format.file_extension

    @property
    def media_type(self) -> str:
        return self.rdf_format.media_type


@dataclass(frozen=True)
class ResultsSyntax:
    """One SPARQL 1.1 query results format (for SELECT and ASK answers)."""

    name: str
    results_format: ox.QueryResultsFormat

    @property
    def extension(self) -> str:
        return "." + self.results_format.file_extension

    @property
    def media_type(self) -> str:
        return self.results_format.media_type


_Syntax = TypeVar("_Syntax", RdfSyntax, ResultsSyntax)

RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", ox.RdfFormat.TURTLE, "turtle", other_extensions=(".turtle",)),
    RdfSyntax("nt", ox.RdfFormat.N_TRIPLES, "nt", other_extensions=(".ntriples",)),
    RdfSyntax("jsonld", ox.RdfFormat.JSON_LD, "json-ld", other_extensions=(".json",)),
    RdfSyntax("xml", ox.RdfFormat.RDF_XML, "xml", other_extensions=(".owl", ".xml")),
    RdfSyntax("trig", ox.RdfFormat.TRIG, "trig", named_graphs=True),
    RdfSyntax("nquads", ox.RdfFormat.N_QUADS, "nquads", named_graphs=True),
)
RESULTS_SYNTAXES: tuple[ResultsSyntax, ...] = (
    ResultsSyntax("csv", ox.QueryResultsFormat.CSV),
    ResultsSyntax("tsv", ox.QueryResultsFormat.TSV),
    ResultsSyntax("json", ox.QueryResultsFormat.JSON),
    ResultsSyntax("xml", ox.QueryResultsFormat.XML),
)
RDF_SYNTAX_NAMES: tuple[str, ...] = tuple(syntax.name for syntax in RDF_SYNTAXES)
RESULTS_SYNTAX_NAMES: tuple[str, ...] = tuple(syntax.name for syntax in RESULTS_SYNTAXES)
# What the figures for papers are written as (viz/figures.py): matplotlib writes all three itself.
FigureFormat = Literal["svg", "pdf", "png"]
FIGURE_FORMATS: tuple[str, ...] = get_args(FigureFormat)

_BY_EXTENSION = {ext: s for s in RDF_SYNTAXES for ext in (s.extension, *s.other_extensions)}


def rdf_syntax(name: str) -> RdfSyntax:
    """The RDF syntax called ``name`` (``turtle``, ``nt``, ...), or an InputError listing them."""
    return _named(RDF_SYNTAXES, name, what="RDF format")


def results_syntax(name: str) -> ResultsSyntax:
    """The SPARQL results format called ``name`` (``json``, ``csv``, ...), or an InputError listing them."""
    return _named(RESULTS_SYNTAXES, name, what="SPARQL results format")


def _named(table: tuple[_Syntax, ...], name: str, *, what: str) -> _Syntax:
    for syntax in table:
        if syntax.name == name:
            return syntax
    raise InputError(f"unknown {what} {name!r}; use one of {', '.join(s.name for s in table)}")


def rdf_syntax_of_file(path: Path) -> RdfSyntax:
    """The RDF syntax of a file, from its extension."""
    try:
        return _BY_EXTENSION[Path(path).suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_BY_EXTENSION))
        raise InputError(
            f"{path}: unknown RDF file extension {Path(path).suffix or '(none)'!r}; use one of {known}"
        ) from None
