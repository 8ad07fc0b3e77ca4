"""The ``hled-graph`` command line: parses arguments, calls the library, prints.

Thin on purpose: every command calls a library function that tests can call directly. Heavy
libraries (rdflib, pyoxigraph, networkx, pyvis, pyshacl, the web stack) are imported inside the
commands that need them, so ``hled-graph --help`` and ``hled-graph query`` start fast.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, cast

import click

from hled_graph.errors import HledError
from hled_graph.formats import FIGURE_FORMATS, RDF_SYNTAX_NAMES
from hled_graph.version import __version__

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

    from hled_graph.formats import FigureFormat
    from hled_graph.publish.remote import LoadMethod
    from hled_graph.viz.network import ExportFormat, View


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


def _unwind_on_termination() -> None:
    """SIGTERM and SIGHUP exit by unwinding, so a build or a store load removes its staging folder."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


@cli.command()
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False), default="out", show_default=True,
    help="Folder to write into: new, empty, or an earlier build's (anything else is refused). It is "
    "replaced as a whole only when the build succeeds.",
)
def build(out_dir: str) -> None:
    """Validate the graph, then write all its distributions into one folder.

    Writes the merged graph (ontology, data, links and what RDFS infers from them) as Turtle,
    N-Triples, JSON-LD and RDF/XML, the named graphs as TriG and N-Quads, and prints a summary. Output is deterministic: two
    builds give the same bytes. On a validation failure nothing is written (exit 1).
    """
    from pathlib import Path

    from hled_graph.build import build as run_build

    _unwind_on_termination()
    result = run_build(Path(out_dir), progress=_progress)
    for path in result.files:
        click.echo(f"wrote {path}")
    click.echo(result.summary)


@cli.command()
@click.option(
    "-f", "--format", "fmt", default="turtle", show_default=True,
    type=click.Choice(RDF_SYNTAX_NAMES),
    help="Serialization. trig and nquads keep the named graphs (ontology, data, links, inferred).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export(fmt: str, output: str | None) -> None:
    """Write the whole graph (ontology, data, links and what RDFS infers from them) in one format."""
    from pathlib import Path

    from hled_graph import graph as hgraph
    from hled_graph.files import write_atomic
    from hled_graph.formats import rdf_syntax
    from hled_graph.publish.export import serialize

    source = hgraph.load_dataset() if rdf_syntax(fmt).named_graphs else hgraph.load_graph()
    data = serialize(source, fmt)
    if output:
        write_atomic(Path(output), data)
    else:
        _write_stdout(data)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--rdfs", "with_inferred", is_flag=True,
    help="Validate the shipped data together with what RDFS infers from it (the inferred graph the "
         "queries see); without it, only what the data states. Not with FILE arguments.",
)
def validate(files: tuple[str, ...], with_inferred: bool) -> None:
    """Check RDF files (default: the shipped data) against the SHACL shapes.

    Prints every problem in plain words. Exit status: 0 conforms, 1 violations, 2 a file that
    cannot be read or parsed (the message names the file and line).
    """
    from pathlib import Path

    from hled_graph.errors import ValidationFailed
    from hled_graph.sparql.library import load_checks
    from hled_graph.validate import validate_files, validate_shipped

    if files and with_inferred:
        raise click.UsageError("--rdfs validates the shipped data with its inferred graph; leave out the FILE arguments")
    checks = load_checks()
    report = (
        validate_files([Path(f) for f in files], checks=checks)
        if files
        else validate_shipped(checks=checks, with_inferred=with_inferred)
    )
    click.echo(report.to_text())
    if not report.conforms:
        what = ", ".join(files) if files else "the shipped data" + (" with its inferred graph" if with_inferred else "")
        raise ValidationFailed(f"{what} does not conform to the shapes; fix the problems listed above")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(as_json: bool) -> None:
    """Count triples, entities per class, actions, organizations, places, money and quotes.

    Counts what the files state (ontology, data, links): each entity under the classes asserted
    for it, not the ones RDFS infers.
    """
    from hled_graph import graph as hgraph
    from hled_graph.stats import compute_stats

    result = compute_stats(hgraph.load_graph(include_inferred=False))
    if as_json:
        import json

        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.to_text())


@cli.command()
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default="tables", show_default=True,
              help="Folder to write into: new, empty, or an earlier `tables` output (anything else is refused).")
def tables(out_dir: str) -> None:
    """Write the graph as typed tables: one CSV per kind of thing, with CSV on the Web metadata.

    Organizations, actions, commitments and their status by round, money, counts and targets,
    events, places (with ISO 3166 codes), people, posts and links, keyed by IRI, with link tables
    for what an entity has several of; csv-metadata.json gives every column's datatype, the keys and
    the RDF property, and index.html is the data dictionary. Same bytes on every run.
    """
    from pathlib import Path

    from hled_graph import graph as hgraph
    from hled_graph.publish.tables import check_tables_folder, table_rows, write_tables

    check_tables_folder(Path(out_dir))
    graph = hgraph.load_graph(include_inferred=False)  # the tables show what the files state
    data = table_rows(graph)
    counts = {item.table.file_name: len(item.rows) for item in data}
    for path in write_tables(graph, Path(out_dir), data=data):
        click.echo(f"wrote {path}" + (f" ({counts[path.name]} rows)" if path.name in counts else ""))


# --- server: the SPARQL endpoint (hled_graph.sparql.server) ---------------------------------


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 or :: makes the endpoint reachable from other machines.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one (the address is printed).")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Serve these RDF files instead of the shipped graph (repeatable).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path),
              help="Serve an on-disk store made by `hled-graph store create`, opened read-only.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Seconds a request may run; a longer query is stopped and answered with 503.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Most result rows (or triples) in one answer; more are cut and flagged in the "
                   "HLED-Results-Truncated header.")
@click.option("--allow-federation", is_flag=True,
              help="Let queries use SERVICE to call other endpoints (off: such queries are refused, "
                   "so the server never connects to hosts a client names).")
@click.option("--workers", type=click.IntRange(min=1),
              help="HTTP worker processes, which read requests and hand them to query processes "
                   "[default: the number of CPUs, at most 8].")
@click.option("--query-processes", type=click.IntRange(min=1),
              help="Processes that run queries, one at a time each, shared out among the workers; a query "
                   "past --timeout is stopped by killing its process [default: 2 per CPU].")
@click.option("--queue-timeout", default=2.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Seconds a request may wait for a free query process before it is answered 503 "
                   "with Retry-After.")
@click.option("--query-memory", default=2048, show_default=True, type=click.IntRange(min=64), metavar="MIB",
              help="Memory (MiB) each query process may use, the graph it shares included; a query that "
                   "needs more is stopped and answered 503.")
def serve_command(host: str, port: int, data: tuple[Path, ...], store: Path | None, timeout: float,
                  max_rows: int, allow_federation: bool, workers: int | None, query_processes: int | None,
                  queue_timeout: float, query_memory: int) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with Linked Data pages.

    \b
    http://HOST:PORT/           query page (offline: no external scripts or fonts)
    http://HOST:PORT/sparql     SPARQL 1.1 Protocol (GET, POST form, POST sparql-query);
                                without a query: the service description
    http://HOST:PORT/id/...     each entity, e.g. /id/org/epa, as HTML, Turtle, JSON-LD,
                                N-Triples or RDF/XML by Accept (or ?format=)
    http://HOST:PORT/commitments
                                the commitments tracker, filtered by pillar, status, country

    Updates are refused (403). A query running longer than --timeout, or needing more than
    --query-memory, is stopped and answered with 503; its query process is replaced. Results are
    cut at --max-rows. SERVICE clauses are refused unless --allow-federation, and query processes
    cannot open network sockets (see the README's "Guarantees and limits").
    """
    from hled_graph.sparql.server.settings import ServerSettings, default_query_processes
    from hled_graph.sparql.server.supervisor import serve

    if data and store is not None:
        raise click.UsageError("give --data or --store, not both")
    workers = workers or min(8, os.cpu_count() or 1)
    serve(ServerSettings(host=host, port=port, data=tuple(data), store=store, timeout=timeout,
                         max_rows=max_rows, allow_federation=allow_federation, workers=workers,
                         query_processes=query_processes or max(workers, default_query_processes()),
                         queue_timeout=queue_timeout, query_memory=query_memory * 2**20),
          ontology_docs=_ontology_page, commitments_page=_commitments_page)


def _ontology_page(store: ox.Store) -> bytes | None:
    """The build's ontology.html for the store served, or None when it holds no ontology graph.

    Given to the server as a value: the page needs rdflib and the publisher, which the server
    does not import.
    """
    import pyoxigraph as ox
    from rdflib import Graph

    from hled_graph.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY
    from hled_graph.publish.docs import ontology_html
    from hled_graph.terms import to_rdflib

    ontology_name, inferred_name = ox.NamedNode(GRAPH_ONTOLOGY), ox.NamedNode(GRAPH_INFERRED)
    ontology, data = Graph(), Graph()
    for quad in store:
        if quad.graph_name == inferred_name:  # the page's examples are what the data states, as in the build's
            continue
        triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
        (ontology if quad.graph_name == ontology_name else data).add(triple)
    return ontology_html(ontology, data).encode("utf-8") if len(ontology) else None


def _commitments_page(store: ox.Store) -> dict[str, bytes]:
    """The tracker of the store served, linking each entity to its page here (/id/...)."""
    from hled_graph.publish.tracker import served_tracker
    from hled_graph.sparql.server.linked_data import local_path

    return served_tracker(store, link=lambda iri: local_path(iri) or iri)


# --- end server ------------------------------------------------------------------------------


# --- viz: network, analyze, map -----------------------------------------------------------------
# The choices come from hled_graph.viz.network, which imports nothing heavy at module level.
from typing import TYPE_CHECKING  # noqa: E402

from hled_graph.viz.network import EXPORT_FORMATS as _NETWORK_FORMATS  # noqa: E402
from hled_graph.viz.network import VIEWS as _NETWORK_VIEWS  # noqa: E402

if TYPE_CHECKING:
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
    from hled_graph.files import write_atomic
    from hled_graph.viz.network import export_network, to_networkx

    graph = hgraph.load_graph(include_inferred=False)  # nodes keep the classes the data states
    text = export_network(to_networkx(graph, view=cast("View", view)), fmt=cast("ExportFormat", fmt))
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

    report = run_analysis(hgraph.load_graph(include_inferred=False))
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
              help="Only the neighbourhood of one entity: an IRI, hdo:epa, or a bare name (epa, or its label), "
                   "read as --bind reads one.")
@click.option("--depth", type=int, default=1, show_default=True,
              help="With --focus: how many links away from the entity to draw.")
@click.option("--view", type=click.Choice(_NETWORK_VIEWS), default="entities", show_default=True,
              help=_VIEW_HELP)
@click.option("--query", "query_file", metavar="NAME|FILE.rq",
              help="Draw the result of a SPARQL CONSTRUCT query instead: a file, or a library "
                   "query by name (see `hled-graph queries`), e.g. collaboration-network.")
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
      hled-graph map --query collaboration-network -o library-query.html
      hled-graph map --query my-construct.rq -o result.html
    """
    from pathlib import Path

    from hled_graph import graph as hgraph
    from hled_graph.errors import InputError
    from hled_graph.viz.maps import build_map, map_from_graph

    # A query sees the inferred graph, as `query` does; the maps draw what the data states.
    graph = hgraph.load_graph(include_inferred=query_file is not None)
    if query_file:
        if pillar is not None or focus is not None or view != "entities":
            raise InputError("--query draws the query result as it is; leave out --pillar, "
                             "--focus and --view")
        document = map_from_graph(_construct(graph, query_file), title=title)
    else:
        document = build_map(graph, pillar=pillar, focus=focus, depth=depth, view=cast("View", view),
                             title=title)
    path = document.save(Path(output))
    click.echo(f"wrote {path} ({len(document.nodes)} nodes, {len(document.edges)} links)")


def _construct(graph: Graph, spec: str) -> Graph:
    """Run a CONSTRUCT query (a file or a library name) on the graph with rdflib."""
    from hled_graph.errors import InputError
    from hled_graph.namespaces import PREFIXES
    from hled_graph.sparql.library import resolve

    named = resolve(spec)
    text, path = named.text, named.path or spec
    try:
        result = graph.query(text, initNs=PREFIXES)
    except Exception as exc:  # noqa: BLE001 - rdflib raises pyparsing and its own errors for bad queries
        line = getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        detail = " ".join(str(exc).split())
        raise InputError(f"{where}: the query does not parse or run ({detail}); fix the query") from None
    if result.type != "CONSTRUCT":
        raise InputError(f"{path}: a map needs a CONSTRUCT query, this is a {result.type} query; "
                         "write CONSTRUCT { ... } WHERE { ... }")
    assert result.graph is not None  # rdflib gives every CONSTRUCT result a graph
    return result.graph


@cli.command("figure")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default="figures", show_default=True,
              help="Folder to write NAME.svg, NAME.pdf, NAME.png into (made if missing; other files are left alone).")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(FIGURE_FORMATS),
              help="Only this format; repeat for several (default: svg, pdf and png).")
def figure_command(names: tuple[str, ...], out_dir: str, formats: tuple[str, ...]) -> None:
    """Draw figures for papers, one journal column (3.5 in) wide: the maps and a timeline.

    NAME is overview, pillar-1 ... pillar-4, collaboration (what the HTML maps of the same names
    draw, in the same places and colours) or timeline (the dialogue's rounds and the events of its
    documents); default: all of them. SVG and PDF are the same bytes on every run. Examples:

    \b
      hled-graph figure -o figures
      hled-graph figure pillar-2 timeline --format pdf -o paper/
    """
    from pathlib import Path

    from hled_graph import graph as hgraph
    from hled_graph.errors import InputError
    from hled_graph.viz.figures import write_figures

    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder; give -o a new or existing folder")
    # the figures draw what the data states, as the maps do
    paths = write_figures(hgraph.load_graph(include_inferred=False), target, names=names or None,
                          formats=cast("list[FigureFormat]", list(formats or FIGURE_FORMATS)))
    for path in paths:
        click.echo(f"wrote {path}")


# --- sparql: query, queries, store ------------------------------------------------------------

from hled_graph.sparql import QUERY_OUTPUTS  # noqa: E402  (names only, imports no engine)


@cli.command("query")
@click.argument("spec", required=False, metavar="NAME|FILE|-")
@click.option(
    "-q",
    "--query",
    "query_text",
    metavar="TEXT",
    help="The SPARQL text itself, instead of NAME|FILE|-.",
)
@click.option(
    "--data",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Query these RDF files instead of the shipped graph (repeat for several).",
)
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False),
    help="Query an on-disk store made by `hled-graph store create` (opened read-only).",
)
@click.option(
    "--endpoint", metavar="URL", help="Send the query to this SPARQL 1.1 endpoint instead."
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(QUERY_OUTPUTS),
    help="Output format. Default: table for SELECT and ASK, turtle for CONSTRUCT and DESCRIBE.",
)
@click.option(
    "-b",
    "--bind",
    "binds",
    multiple=True,
    metavar="VAR=VALUE",
    help="Set a parameter: an IRI (<…> or http…), a prefixed name (hdo:epa), a bare name (usaid, as "
    "--focus takes it), a number, or text in quotes ('\"USD\"').",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write (default: standard output).",
)
def query_command(
    spec: str | None,
    query_text: str | None,
    data: tuple[str, ...],
    store_dir: str | None,
    endpoint: str | None,
    fmt: str | None,
    binds: tuple[str, ...],
    output: str | None,
) -> None:
    """Ask the graph a question in SPARQL: a library query by NAME, a FILE, or - for standard input.

    \b
    Examples:
      hled-graph queries                                  list the library
      hled-graph query organizations-in-several-pillars   run one by name
      hled-graph query organization-activities --bind org=hdo:usaid
      hled-graph query money --format csv -o money.csv
      hled-graph query - < my.rq                          a query from standard input
      hled-graph query --query 'SELECT * { ?s a hled:Pillar }'
      hled-graph query pillars --endpoint http://localhost:7878/query

    Queries see the shipped graph (ontology, data, links and what RDFS infers from them, so
    `?x a hled:Event` finds every forum and meeting) as one merged graph; GRAPH ?g still tells
    the parts apart. All of the project's prefixes (hled:, hdo:, schema:, …) are
    predeclared. A syntax error is reported with its line and column (exit 2).
    """
    from pathlib import Path

    from hled_graph.sparql import engine, library, results

    if (spec is None) == (query_text is None):
        raise click.UsageError(
            "give a query: NAME, FILE, - (standard input) or --query TEXT (exactly one)"
        )
    if sum(bool(x) for x in (data, store_dir, endpoint)) > 1:
        raise click.UsageError("--data, --store and --endpoint are alternatives; give at most one")
    if query_text is not None:
        named = library.ad_hoc(query_text)
    else:
        assert spec is not None  # exactly one of the two, checked above
        named = library.resolve(spec, stdin_text=_read_stdin() if spec == "-" else None)
    given = library.parse_bind_options(binds)
    if endpoint:
        outcome = engine.RemoteEndpoint(endpoint).query(named.text, bindings=named.bindings(given))
    else:
        store = engine.load_store(
            data=[Path(p) for p in data] or None, store_path=Path(store_dir) if store_dir else None
        )
        bindings = named.bindings(given, entities=lambda: engine.entities_in_store(store))
        outcome = engine.run_query(store, named.text, bindings=bindings)
    payload = results.write(outcome, fmt)
    if output:
        from hled_graph.files import write_atomic

        write_atomic(Path(output), payload)
    else:
        _write_stdout(payload)


@cli.command("queries")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also show each question, its parameters and its answer."
)
def queries_command(verbose: bool) -> None:
    """List the query library (and the data checks) by name and title.

    Run one with `hled-graph query NAME`; the files are in the queries/ folder.
    """
    from hled_graph.sparql import library

    sections = (
        ("Queries", library.load_library()),
        ("Checks (must return no rows)", library.load_checks()),
    )
    for index, (heading, named) in enumerate(sections):
        if index:
            click.echo()
        click.echo(f"{heading}:")
        width = max((len(n) for n in named), default=0)
        for name, item in named.items():
            tags = f"  [{', '.join(item.tags)}]" if item.tags else ""
            click.echo(f"  {name.ljust(width)}  {item.title}{tags}")
            if verbose:
                click.echo(f"  {'':{width}}    question: {item.question}")
                for parameter in item.parameters:
                    click.echo(
                        f"  {'':{width}}    --bind {parameter.name}=…  {parameter.description} (default {parameter.default})"
                    )
                click.echo(f"  {'':{width}}    answer: {item.answer}")


@cli.group("store")
def store_group() -> None:
    """Keep the graph (or a large corpus) in an on-disk store, loaded once, queried fast."""


@store_group.command("create")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--data",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Load these RDF files instead of the shipped graph (repeat for several).",
)
def store_create(directory: str, data: tuple[str, ...]) -> None:
    """Bulk-load the shipped graph (or --data files) into a new on-disk store in DIRECTORY.

    The shipped graph keeps its named graphs (ontology, data, links, inferred). DIRECTORY must not exist
    or be empty; it appears only when the whole load succeeded. Query the store with
    `hled-graph query NAME --store DIRECTORY`.
    """
    from pathlib import Path

    from hled_graph.sparql import engine

    _unwind_on_termination()
    size = engine.create_store(Path(directory), data=[Path(p) for p in data] or None, progress=_progress)
    click.echo(f"created store {directory}: {size} quads")


def _write_stdout(data: bytes) -> None:
    """Bytes to standard output as they are (no newline translation, no encoding), checked."""
    from hled_graph.files import write_stream

    write_stream(sys.stdout.buffer, data)


def _read_stdin() -> str:
    """Standard input as UTF-8 text, or a clear error (a pasted binary must not crash us)."""
    from hled_graph.errors import InputError

    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"standard input: not UTF-8 text (byte {exc.start}); send the query as UTF-8") from None


# --- publish: Wikidata links, loading into remote stores ---------------------------------------

_ENDPOINT_HELP = "The Wikidata SPARQL endpoint (or a mirror) to ask [default: https://query.wikidata.org/sparql]."


def _links_graph(links_file: str | None) -> Graph:
    from pathlib import Path

    from hled_graph import graph as hgraph

    return hgraph.parse_file(Path(links_file)) if links_file else hgraph.links_graph()


@cli.group()
def links() -> None:
    """Check the Wikidata links and fetch facts about the linked items.

    The links live in data/links.ttl, made from the SSSOM mapping set data/links.sssom.tsv:
    each entity points to a Wikidata item (owl:sameAs, skos:closeMatch or skos:broadMatch), each
    item carries the English label it had when it was linked (rdfs:label), and each mapping its
    two public sources (rdfs:seeAlso).
    """


@links.command("check")
@click.option("--endpoint", metavar="URL", help=_ENDPOINT_HELP)
@click.option(
    "--links",
    "links_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Links file to check (default: the shipped data/links.ttl).",
)
def links_check(endpoint: str | None, links_file: str | None) -> None:
    """Check that every linked Wikidata item still exists, is not a redirect, and still has the
    recorded English label.

    Sends one query for all items and prints a table (entity, QID, recorded label, found label,
    status). Exits 0 when every link holds, 1 when any item is missing, redirected (merged into
    another item: update the QID) or relabelled (check that the link is still right, then update
    the recorded label), 2 when the endpoint cannot be reached.
    """
    from hled_graph.errors import ValidationFailed
    from hled_graph.publish.links import check_links, format_checks

    checks = check_links(_links_graph(links_file), endpoint=endpoint)
    click.echo(format_checks(checks))
    problems = sum(not check.ok for check in checks)
    if problems:
        raise ValidationFailed(f"{problems} of {len(checks)} Wikidata link(s) need attention; see the table above")


@links.command("enrich")
@click.option("--endpoint", metavar="URL", help=_ENDPOINT_HELP)
@click.option(
    "--links",
    "links_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Links file whose items to enrich (default: the shipped data/links.ttl).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="File to write: .trig keeps the graph name, .ttl writes the graph alone (default: TriG on standard output).",
)
def links_enrich(endpoint: str | None, links_file: str | None, output: str | None) -> None:
    """Fetch inception (P571), parent organization (P749), official website (P856) and
    coordinates (P625) of the linked items from Wikidata.

    The facts go into their own named graph, https://w3id.org/hled/graph/wikidata, which states
    its source (https://www.wikidata.org/), its license (CC0) and when it was fetched
    (prov:generatedAtTime), so they are never mistaken for curated data.
    """
    from pathlib import Path

    from hled_graph.files import write_atomic
    from hled_graph.publish.links import enrich, serialize_enrichment

    dataset = enrich(_links_graph(links_file), endpoint=endpoint)
    fmt = "turtle" if output and Path(output).suffix.lower() in {".ttl", ".turtle"} else "trig"
    data = serialize_enrichment(dataset, fmt=fmt)
    if output:
        write_atomic(Path(output), data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@cli.command("load")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's SPARQL query URL, or an Oxigraph base URL (http://localhost:7878).",
)
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    help="Named graph to replace (default: the store's default graph).",
)
@click.option("--gsp", metavar="URL", help="Graph Store Protocol URL (default for Oxigraph: <base>/store).")
@click.option(
    "--update",
    "update_url",
    metavar="URL",
    help="SPARQL Update URL (default for Oxigraph: <base>/update; otherwise the --endpoint URL).",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "gsp", "update"]),
    default="auto",
    show_default=True,
    help="auto: Graph Store Protocol PUT, falling back to SPARQL Update when the store "
    "does not speak GSP; gsp or update: only that.",
)
def load(
    files: tuple[str, ...],
    endpoint: str,
    graph_iri: str | None,
    gsp: str | None,
    update_url: str | None,
    method: str,
) -> None:
    """Push the graph (or the given RDF FILES) into a SPARQL 1.1 store, replacing the target graph.

    Every file is parsed first; if one does not parse, nothing is sent. The target graph is
    replaced, never added to, so loading twice leaves no duplicates: with the Graph Store
    Protocol by one atomic PUT; with SPARQL Update by DROP SILENT GRAPH + INSERT DATA (chunked
    for large graphs; not atomic across chunks). Afterwards the store is asked how many triples
    the graph holds.

    \b
    Where the URLs are:
      Oxigraph  --endpoint http://localhost:7878   (query /query, update /update, GSP /store)
      Fuseki    --endpoint http://localhost:3030/ds/query --gsp http://localhost:3030/ds/data
                (update /ds/update is derived)
      GraphDB   --endpoint http://localhost:7200/repositories/REPO
                --update http://localhost:7200/repositories/REPO/statements
                --gsp http://localhost:7200/repositories/REPO/rdf-graphs/service
      Virtuoso  --endpoint http://localhost:8890/sparql
                --gsp http://localhost:8890/sparql-graph-crud-auth (needs write rights;
                without --gsp, updates go to /sparql)
    """
    from pathlib import Path

    from hled_graph.publish.remote import count_triples, endpoints_for, push_graph, read_input

    urls = endpoints_for(endpoint, gsp=gsp, update=update_url)
    graph = read_input([Path(f) for f in files])
    result = push_graph(graph, urls, graph_iri=graph_iri, method=cast("LoadMethod", method))
    click.echo(result.describe())
    click.echo(f"{urls.query} now counts {count_triples(urls.query, graph=graph_iri)} triples in that graph")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: one-line errors, no tracebacks."""
    from hled_graph.files import output_failure

    try:
        cli.main(args=argv, prog_name="hled-graph", standalone_mode=False)
        sys.stdout.flush()  # what click.echo buffered: a full disk is our one-line error, not an exit-time warning
    except HledError as exc:
        from hled_graph.visible import reveal  # a name or a server's words echoed may hold an override

        click.echo(f"hled-graph: error: {reveal(exc.message)}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("hled-graph: aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        # One line in the project's error shape, with where to look, instead of Click's usage block.
        where = f"`{exc.ctx.command_path} --help`" if exc.ctx is not None else "`hled-graph --help`"
        from hled_graph.visible import reveal

        click.echo(f"hled-graph: error: {reveal(exc.format_message().rstrip('.'))}; see {where}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            _internal_error(exc)
        # click.echo and the final flush write standard output themselves: a full disk surfaces here.
        failure = output_failure("standard output", exc)
        click.echo(f"hled-graph: error: {failure.message}", err=True)
        sys.exit(failure.exit_code)
    except Exception as exc:  # noqa: BLE001 - whatever is left is a bug, reported as one
        _internal_error(exc)
    sys.exit(0)


_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})


def _internal_error(exc: Exception) -> NoReturn:
    """A bug, not bad input: one line by default, the traceback on request."""
    if os.environ.get("HLED_GRAPH_DEBUG"):
        raise exc
    click.echo(
        f"hled-graph: internal error: {type(exc).__name__}: {exc} "
        "(a bug; run again with HLED_GRAPH_DEBUG=1 for the traceback and report it)",
        err=True,
    )
    sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
