"""Print the Turtle selectors of a quote from a source text in data/source/:
`python tools/quote_selectors.py hled-2022-fact-sheet.txt "First words" "last words."`."""

from __future__ import annotations

import sys

from hled_graph.errors import HledError, InputError
from hled_graph.provenance import quote_selectors, source_text


def turtle_string(value: str) -> str:
    """A Turtle string literal; invisible non-breaking spaces are written as \\u00A0."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\xa0", "\\u00A0") + '"'


def selectors_turtle(text: str, first: str, last: str) -> str:
    """The two selectors for the passage running from ``first`` to the end of ``last``."""
    if text.count(first) != 1:
        raise InputError(
            f"{first!r}: occurs {text.count(first)} times in the source; give more words"
        )
    begin = text.index(first)
    finish = text.find(last, begin)
    if finish < 0:
        raise InputError(f"{last!r}: not found after {first!r}; check the words")
    start, end, prefix, suffix = quote_selectors(text, text[begin : finish + len(last)])
    return (
        "            [ a oa:TextQuoteSelector ;\n"
        f"              oa:exact {turtle_string(text[start:end])} ;\n"
        f"              oa:prefix {turtle_string(prefix)} ;\n"
        f"              oa:suffix {turtle_string(suffix)} ] ,\n"
        "            [ a oa:TextPositionSelector ;\n"
        f'              oa:start "{start}"^^xsd:nonNegativeInteger ;\n'
        f'              oa:end "{end}"^^xsd:nonNegativeInteger ]'
    )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    try:
        print(selectors_turtle(source_text(sys.argv[1]), sys.argv[2], sys.argv[3]))
    except HledError as exc:
        sys.exit(f"quote_selectors: error: {exc.message}")
