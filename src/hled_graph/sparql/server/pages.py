"""Where the endpoint's pages come from: the templates of this package, each extending
``templates/page.html`` (the frame), rendered through :mod:`hled_graph.templating` (autoescape on)."""

PACKAGE = "hled_graph.sparql.server"
