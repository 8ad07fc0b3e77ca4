"""The ``hled-graph`` command line: parses arguments, calls the library, prints.

Thin on purpose: every command calls a library function that tests can call directly. Heavy
libraries (rdflib, pyoxigraph, networkx, pyvis, pyshacl, the web stack) are imported inside the
commands that need them, so ``hled-graph --help`` and ``hled-graph query`` start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

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
              help="Worker processes, each holding the graph and answering requests "
                   "[default: the number of CPUs, at most 8].")
def serve_command(host: str, port: int, data: tuple[Path, ...], store: Path | None, timeout: float,
                  max_rows: int, allow_federation: bool, workers: int | None) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with Linked Data pages.

    \b
    http://HOST:PORT/           query page (offline: no external scripts or fonts)
    http://HOST:PORT/sparql     SPARQL 1.1 Protocol (GET, POST form, POST sparql-query);
                                without a query: the service description
    http://HOST:PORT/id/...     each entity, e.g. /id/org/epa, as HTML, Turtle, JSON-LD,
                                N-Triples or RDF/XML by Accept (or ?format=)

    Updates are refused (403). A query running longer than --timeout is stopped and answered
    with 503; its worker process is replaced. Results are cut at --max-rows. SERVICE clauses
    are refused unless --allow-federation.
    """
    import os

    from hled_graph.sparql.server.settings import ServerSettings
    from hled_graph.sparql.server.supervisor import serve

    if data and store is not None:
        raise click.UsageError("give --data or --store, not both")
    serve(ServerSettings(host=host, port=port, data=tuple(data), store=store, timeout=timeout,
                         max_rows=max_rows, allow_federation=allow_federation,
                         workers=workers or min(8, os.cpu_count() or 1)))


# --- end server ------------------------------------------------------------------------------


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
