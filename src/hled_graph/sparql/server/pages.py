"""The HTML frame of every page the endpoint renders. Callers escape their values (html.escape)."""

from __future__ import annotations

from html import escape


def page(title: str, body: str, *, alternates: tuple[tuple[str, str], ...] = ()) -> str:
    """A complete HTML document: ``title`` is plain text, ``body`` is already-escaped HTML."""
    links = "".join(
        f'<link rel="alternate" type="{escape(media)}" href="{escape(href)}">' for media, href in alternates
    )
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)} · hled-graph</title><link rel=\"icon\" href=\"data:,\">"
        f"<link rel=\"stylesheet\" href=\"/static/hled.css\">{links}</head>"
        "<body><header><a class=\"home\" href=\"/\">hled-graph</a> "
        "<nav><a href=\"/\">Query</a> <a href=\"/sparql\">Service description</a> "
        "<a href=\"/id/hled\">The dialogue</a></nav></header>"
        f"<main>{body}</main></body></html>\n"
    )
