"""Where the endpoint's pages come from: the templates of this package, each extending
``templates/page.html`` (the frame), rendered through :mod:`hled_graph.templating` (autoescape on)."""

from __future__ import annotations

import base64
import hashlib

from hled_graph.sparql.server.messages import CSP

PACKAGE = "hled_graph.sparql.server"

# The vendored SPARQL editor of the query page (static/yasgui-<version>.min.js/.css/.LICENSE; static/README.md).
YASGUI = "yasgui-4.6.2"

# The column resizer inside YASGUI's result table adds two <style> elements of fixed text (the grips,
# and the cursor while a column is dragged); without the first, an empty band opens above the table.
# The query page's policy allows exactly these two texts by hash, not inline styles in general.
YASGUI_STYLES = (
    " .grip-resizable{table-layout:fixed;} .grip-resizable > tbody > tr > td, .grip-resizable > tbody > tr > th"
    "{overflow:hidden} .grip-padding > tbody > tr > td, .grip-padding > tbody > tr > th{padding-left:0!important;"
    " padding-right:0!important;} .grip-container{ height:0px; position:relative;} .grip-handle{margin-left:-5px;"
    " position:absolute; z-index:5; } .grip-handle .grip-resizable{position:absolute;background-color:red;"
    "filter:alpha(opacity=1);opacity:0;width:10px;height:100%;cursor: col-resize;top:0px} .grip-lastgrip"
    "{position:absolute; width:1px; } .grip-drag{ border-left:1px dotted black;\t} .grip-flex{width:auto!important;}"
    " .grip-handle.grip-disabledgrip .grip-resizable{cursor:default; display:none;}",
    "*{cursor:col-resize!important}",
)


def style_hash(text: str) -> str:
    """The CSP source that allows one <style> element holding exactly ``text``."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')}'"


QUERY_PAGE_CSP = CSP.replace("style-src 'self'", " ".join(("style-src 'self'", *map(style_hash, YASGUI_STYLES))))
