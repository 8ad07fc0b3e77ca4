"""The HTML frame of every page the endpoint renders: ``templates/page.html``, which the other
templates of the endpoint extend. Autoescape is on; nothing is escaped by hand."""

from __future__ import annotations

from markupsafe import Markup

from hled_graph.templating import render

PACKAGE = "hled_graph.sparql.server"


def page(title: str, body: str, *, alternates: tuple[tuple[str, str], ...] = ()) -> str:
    """A complete HTML document: ``title`` is plain text, ``body`` is HTML made by a template."""
    return render(PACKAGE, "page.html", title=title, body=Markup(body), alternates=alternates)
