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
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Worker processes; each holds the graph and answers requests.")
def serve_command(host: str, port: int, data: tuple[Path, ...], store: Path | None, timeout: float,
                  max_rows: int, allow_federation: bool, workers: int) -> None:
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
    from hled_graph.sparql.server.settings import ServerSettings
    from hled_graph.sparql.server.supervisor import serve

    if data and store is not None:
        raise click.UsageError("give --data or --store, not both")
    serve(ServerSettings(host=host, port=port, data=tuple(data), store=store, timeout=timeout,
                         max_rows=max_rows, allow_federation=allow_federation, workers=workers))


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
