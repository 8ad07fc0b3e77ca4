"""The one format table: what it says agrees with pyoxigraph and rdflib, and every list is derived from it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click import Choice
from rdflib import Dataset, Literal, URIRef

from hled_graph import cli, formats
from hled_graph.errors import InputError
from hled_graph.formats import RDF_SYNTAXES, RESULTS_SYNTAXES, rdf_syntax, rdf_syntax_of_file, results_syntax
from hled_graph.publish import metadata
from hled_graph.sparql import GRAPH_OUTPUTS, QUERY_OUTPUTS, SOLUTION_OUTPUTS


@pytest.mark.parametrize("syntax", RDF_SYNTAXES, ids=lambda s: s.name)
def test_each_rdf_syntax_is_read_back_by_both_parsers_from_its_own_extension(
    syntax: formats.RdfSyntax, tmp_path: Path
) -> None:
    dataset = Dataset()
    dataset.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("o", lang="en")))
    path = tmp_path / f"graph{syntax.extension}"
    path.write_bytes(dataset.serialize(format=syntax.rdflib_name, encoding="utf-8"))
    assert rdf_syntax_of_file(path) is syntax
    read_back = Dataset()
    read_back.parse(path, format=syntax.rdflib_name)  # returns the dataset or, in rdflib 7.1, a graph of it
    assert len(list(read_back.quads((None, None, None, None)))) == 1
    assert len(list(ox.parse(path=str(path), format=syntax.rdf_format))) == 1
    assert ox.RdfFormat.from_media_type(syntax.media_type) == syntax.rdf_format
    for extension in syntax.other_extensions:
        assert rdf_syntax_of_file(Path("x" + extension.upper())) is syntax


def test_the_named_graph_syntaxes_are_the_dataset_formats_of_pyoxigraph_but_json_ld() -> None:
    # JSON-LD can hold named graphs, but the export writes it as the merged graph, compacted.
    assert [s.name for s in RDF_SYNTAXES if s.named_graphs] == ["trig", "nquads"]
    assert all(s.rdf_format.supports_datasets for s in RDF_SYNTAXES if s.named_graphs)


def test_results_syntaxes_carry_pyoxigraphs_media_types() -> None:
    assert {s.name: s.media_type.split(";")[0] for s in RESULTS_SYNTAXES} == {
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
    }
    assert results_syntax("json").extension == ".srj"


def test_unknown_names_and_extensions_are_one_line_input_errors() -> None:
    with pytest.raises(InputError, match="unknown RDF format 'n3'; use one of turtle, nt, jsonld, xml, trig, nquads"):
        rdf_syntax("n3")
    with pytest.raises(InputError, match="unknown SPARQL results format 'yaml'"):
        results_syntax("yaml")
    with pytest.raises(InputError, match=r"data.csv: unknown RDF file extension '.csv'; use one of .json, "):
        rdf_syntax_of_file(Path("data.csv"))


def test_the_other_lists_are_derived_from_the_table() -> None:
    export_choice = next(p for p in cli.export.params if p.name == "fmt").type
    query_choice = next(p for p in cli.query_command.params if p.name == "fmt").type
    assert isinstance(export_choice, Choice) and tuple(export_choice.choices) == formats.RDF_SYNTAX_NAMES
    assert isinstance(query_choice, Choice) and tuple(query_choice.choices) == QUERY_OUTPUTS
    assert set(SOLUTION_OUTPUTS) - {"table", "markdown"} == set(formats.RESULTS_SYNTAX_NAMES)
    assert set(GRAPH_OUTPUTS) <= set(formats.RDF_SYNTAX_NAMES)
    assert metadata.media_type_of(Path("hled.nq")) == "application/n-quads"
