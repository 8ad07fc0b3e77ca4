"""The HTTP face of hled-graph: a read-only SPARQL 1.1 endpoint with Linked Data pages.

:class:`~hled_graph.sparql.server.app.App` answers requests (embeddable in any HTTP stack);
:func:`~hled_graph.sparql.server.supervisor.serve` runs it in forked worker processes with a
query timeout that really stops runaway queries.
"""
