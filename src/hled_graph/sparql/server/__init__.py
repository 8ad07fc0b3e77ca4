"""The HTTP face of hled-graph: a read-only SPARQL 1.1 endpoint with Linked Data pages.

:class:`~hled_graph.sparql.server.app.App` answers requests (a pure Request → Response function);
:func:`~hled_graph.sparql.server.asgi.asgi_app` makes it an ASGI application to mount anywhere;
:func:`~hled_graph.sparql.server.supervisor.serve` runs it on uvicorn in forked worker processes,
with a query timeout that really stops runaway queries.
"""
