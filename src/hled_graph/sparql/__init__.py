"""SPARQL: the engine behind the CLI and the server, the named query library, result writers.

The names below are plain strings so the CLI can offer them without importing any engine.
"""

SOLUTION_FORMATS = ("table", "csv", "tsv", "json", "xml", "markdown")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
RESULT_FORMATS = SOLUTION_FORMATS + GRAPH_FORMATS
