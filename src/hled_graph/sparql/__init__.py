"""SPARQL: the engine behind the CLI and the server, the named query library, result writers."""
