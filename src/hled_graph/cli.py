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
