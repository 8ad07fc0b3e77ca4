"""SPARQL: the engine behind the CLI and the server, the named query library, result writers.

The names of the formats ``hled-graph query --format`` writes, derived from
:mod:`hled_graph.formats` (which imports only pyoxigraph, so the CLI can offer them cheaply).
"""

from hled_graph.formats import RESULTS_SYNTAX_NAMES, rdf_syntax

# For people: an aligned text table and a Markdown table, of any answer.
VIEW_OUTPUTS = ("table", "markdown")
# SELECT and ASK answers: the views and the SPARQL 1.1 results formats.
SOLUTION_OUTPUTS = ("table", *RESULTS_SYNTAX_NAMES, "markdown")
# CONSTRUCT and DESCRIBE answers: the RDF syntaxes whose names do not clash with a results format.
GRAPH_OUTPUTS = tuple(rdf_syntax(name).name for name in ("turtle", "nt", "jsonld"))
QUERY_OUTPUTS = SOLUTION_OUTPUTS + GRAPH_OUTPUTS
