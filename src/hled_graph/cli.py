"""The ``hled-graph`` command line: parses arguments, calls the library, prints.

Thin on purpose: every command calls a library function that tests can call directly. Heavy
libraries (rdflib, pyoxigraph, networkx, pyvis, pyshacl, the web stack) are imported inside the
commands that need them, so ``hled-graph --help`` and ``hled-graph query`` start fast.
"""

from __future__ import annotations

import sys

import click

from hled_graph import __version__
from hled_graph.errors import HledError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="hled-graph")
def cli() -> None:
    """An open knowledge graph of the 2022 U.S.-Mexico High-Level Economic Dialogue (HLED).

    Build the graph, query it with SPARQL, draw network maps, link it to Wikidata, serve it.
    Start with `hled-graph build`; every command has its own --help.
    """


# --- core: build, export, validate, stats -------------------------------------------------------


def _progress(message: str) -> None:
    click.echo(f"... {message}", err=True)


@cli.command()
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False), default="out", show_default=True,
    help="Folder to write into. It is replaced as a whole only when the build succeeds.",
)
def build(out_dir: str) -> None:
    """Validate the graph, then write all its distributions into one folder.

    Writes the merged graph (ontology, data, links) as Turtle, N-Triples, JSON-LD and RDF/XML,
    the named graphs as TriG and N-Quads, and prints a summary. Output is deterministic: two
    builds give the same bytes. On a validation failure nothing is written (exit 1).
    """
    from pathlib import Path

    from hled_graph.build import build as run_build

    result = run_build(Path(out_dir), progress=_progress)
    for path in result.files:
        click.echo(f"wrote {path}")
    click.echo(result.summary)


@cli.command()
@click.option(
    "-f", "--format", "fmt", default="turtle", show_default=True,
    type=click.Choice(["turtle", "nt", "jsonld", "xml", "trig", "nquads"]),
    help="Serialization. trig and nquads keep the named graphs (ontology, data, links).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export(fmt: str, output: str | None) -> None:
    """Write the whole graph (ontology, data, links) in one format."""
    from pathlib import Path

    from hled_graph import graph as hgraph
    from hled_graph.publish.export import DATASET_FORMATS, serialize, write_atomic

    source = hgraph.load_dataset() if fmt in DATASET_FORMATS else hgraph.load_graph()
    data = serialize(source, fmt)
    if output:
        write_atomic(Path(output), data)
    else:
        click.get_binary_stream("stdout").write(data)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check RDF files (default: the shipped data) against the SHACL shapes.

    Prints every problem in plain words. Exit status: 0 conforms, 1 violations, 2 a file that
    cannot be read or parsed (the message names the file and line).
    """
    from pathlib import Path

    from hled_graph.errors import ValidationFailed
    from hled_graph.validate import validate_files, validate_shipped

    report = validate_files([Path(f) for f in files]) if files else validate_shipped()
    click.echo(report.to_text())
    if not report.conforms:
        what = ", ".join(files) if files else "the shipped data"
        raise ValidationFailed(f"{what} does not conform to the shapes; fix the problems listed above")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(as_json: bool) -> None:
    """Count triples, entities per class, actions, organizations, places, money and quotes."""
    from hled_graph import graph as hgraph
    from hled_graph.stats import compute_stats

    result = compute_stats(hgraph.load_graph())
    if as_json:
        import json

        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.to_text())


# --- viz: network, analyze, map -----------------------------------------------------------------
# The choices come from hled_graph.viz.network, which imports nothing heavy at module level.
from typing import TYPE_CHECKING  # noqa: E402

from hled_graph.viz.network import EXPORT_FORMATS as _NETWORK_FORMATS  # noqa: E402
from hled_graph.viz.network import VIEWS as _NETWORK_VIEWS  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

    from rdflib import Graph

_VIEW_HELP = (
    "entities: every named entity and how they link (associations drawn agent -> action with "
    "the role); collaboration: organizations linked when they act in the same action, weighted "
    "by the number of shared actions; bipartite: organizations and actions."
)


@cli.command()
@click.option("--view", type=click.Choice(_NETWORK_VIEWS), default="entities", show_default=True,
              help=_VIEW_HELP)
@click.option("-f", "--format", "fmt", type=click.Choice(_NETWORK_FORMATS), default="graphml",
              show_default=True,
              help="graphml or gexf (Gephi, yEd, Cytoscape desktop; lists joined with '; '), json "
                   "(NetworkX node-link) or cytoscape (Cytoscape.js JSON).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write (default: standard output).")
def network(view: str, fmt: str, output: str | None) -> None:
    """Export the graph as a network for Gephi, Cytoscape or NetworkX.

    Nodes are IRIs with label, class, country and pillars; edges carry the predicate IRI and a
    label. Output is sorted, so the same data gives the same file.
    """
    from pathlib import Path

    from hled_graph import graph as hgraph
    from hled_graph.publish.export import write_atomic
    from hled_graph.viz.network import export_network, to_networkx

    text = export_network(to_networkx(hgraph.load_graph(), view=view), fmt=fmt)
    if output:
        write_atomic(Path(output), text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of Markdown.")
def analyze(as_json: bool) -> None:
    """Who works with whom: centrality, components, communities, U.S.-Mexico pairs.

    Computed on the collaboration network (organizations linked when associated with the same
    action, weighted by shared actions): degree and betweenness of each organization,
    connected components, Louvain communities (fixed seed), the U.S.-Mexico pairs that act
    together and their actions, and counts per pillar and per country.
    """
    from hled_graph import graph as hgraph
    from hled_graph.viz.analysis import analyze as run_analysis

    report = run_analysis(hgraph.load_graph())
    if as_json:
        import json

        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_markdown(), nl=False)


@cli.command(name="map")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="map.html",
              show_default=True, help="The HTML page to write (self-contained, works offline).")
@click.option("--pillar", type=int, help="Only what touches pillar N (1-4).")
@click.option("--focus", metavar="ENTITY",
              help="Only the neighbourhood of one entity: an IRI, hdo:epa, or epa.")
@click.option("--depth", type=int, default=1, show_default=True,
              help="With --focus: how many links away from the entity to draw.")
@click.option("--view", type=click.Choice(_NETWORK_VIEWS), default="entities", show_default=True,
              help=_VIEW_HELP)
@click.option("--query", "query_file", type=click.Path(dir_okay=False), metavar="FILE.rq",
              help="Draw the result of a SPARQL CONSTRUCT query on the graph instead.")
@click.option("--title", help="Page title (default: says what the map shows).")
def map_command(output: str, pillar: int | None, focus: str | None, depth: int, view: str,
                query_file: str | None, title: str | None) -> None:
    """Draw an interactive network map as one HTML page.

    The page needs no network: the drawing library and the data are inside it. Node colour and
    shape say the type, the border the country (U.S., Mexico, other); size grows with the
    number of links. Hover a node for its details and source quote, find a node by name, filter
    by pillar and type. Examples:

    \b
      hled-graph map -o overview.html
      hled-graph map --pillar 2 -o pillar-2.html
      hled-graph map --focus epa --depth 2 -o epa.html
      hled-graph map --view collaboration -o who-with-whom.html
      hled-graph map --query my-construct.rq -o result.html
    """
    from pathlib import Path

    from hled_graph import graph as hgraph
    from hled_graph.errors import InputError
    from hled_graph.viz.maps import build_map, map_from_graph

    graph = hgraph.load_graph()
    if query_file:
        if pillar is not None or focus is not None or view != "entities":
            raise InputError("--query draws the query result as it is; leave out --pillar, "
                             "--focus and --view")
        document = map_from_graph(_construct(graph, Path(query_file)), title=title)
    else:
        document = build_map(graph, pillar=pillar, focus=focus, depth=depth, view=view,
                             title=title)
    path = document.save(Path(output))
    click.echo(f"wrote {path} ({len(document.nodes)} nodes, {len(document.edges)} links)")


def _construct(graph: Graph, path: Path) -> Graph:
    """Run a CONSTRUCT query file on the graph (rdflib) and return the constructed graph."""
    from hled_graph.errors import InputError
    from hled_graph.namespaces import PREFIXES

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such query file; check the path") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the query as UTF-8") from None
    try:
        result = graph.query(text, initNs=PREFIXES)
    except Exception as exc:  # rdflib raises pyparsing and its own errors for bad queries
        line = getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        detail = " ".join(str(exc).split())
        raise InputError(f"{where}: the query does not parse or run ({detail}); fix the query") from None
    if result.type != "CONSTRUCT":
        raise InputError(f"{path}: a map needs a CONSTRUCT query, this is a {result.type} query; "
                         "write CONSTRUCT { ... } WHERE { ... }")
    return result.graph


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: one-line errors, no tracebacks."""
    try:
        cli.main(args=argv, prog_name="hled-graph", standalone_mode=False)
    except HledError as exc:
        click.echo(f"hled-graph: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("hled-graph: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
