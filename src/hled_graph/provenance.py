"""Quotes and offsets: every action's Web Annotation must quote the fact sheet exactly.

An annotation carries a ``TextQuoteSelector`` (exact, prefix, suffix) and a
``TextPositionSelector`` (start, end in Unicode code points). Both must agree with the source
text, so a reader can find the quote by either and a changed source file is noticed at once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.files import read_utf8

# Lines the republishing site inserted into the fact sheet ("See also <unrelated article>"):
# page noise that no quote, prefix or suffix may reach into.
_PAGE_NOISE = re.compile(r"^See also\b.*$\n?", re.MULTILINE)

if TYPE_CHECKING:
    from rdflib import Graph

_ANNOTATIONS_QUERY = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?annotation ?exact ?prefix ?suffix ?start ?end WHERE {
  ?annotation a oa:Annotation .
  OPTIONAL {
    ?annotation oa:hasTarget/oa:hasSelector ?quote .
    ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
    OPTIONAL { ?quote oa:prefix ?prefix }
    OPTIONAL { ?quote oa:suffix ?suffix }
  }
  OPTIONAL {
    ?annotation oa:hasTarget/oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  }
}
ORDER BY ?annotation
"""


def source_text() -> str:
    """The fact sheet text that the provenance offsets count into."""
    return read_utf8(
        resources.source_text_file(),
        missing="source text missing; restore it from the repository",
        not_utf8="restore the original file",
    )


def quote_selectors(text: str, exact: str, *, context: int = 32) -> tuple[int, int, str, str]:
    """Locate ``exact`` in ``text``: (start, end, prefix, suffix) for the two selectors.

    The quote must occur exactly once, otherwise a position would be ambiguous or wrong.
    Prefix and suffix are up to ``context`` characters, fewer at the start or end of the text
    and where a page-noise line ("See also ...") would otherwise be included.
    """
    if not exact:
        raise InputError("quote: empty quote; give the sentence(s) to quote")
    start = text.find(exact)
    if start < 0:
        raise InputError(f"quote {exact[:40]!r}...: not found in the source text; copy it exactly")
    if text.find(exact, start + 1) >= 0:
        raise InputError(f"quote {exact[:40]!r}...: occurs more than once; quote a longer passage")
    end = start + len(exact)
    noise = page_noise_spans(text)
    if any(n_start < end and start < n_end for n_start, n_end in noise):
        raise InputError(
            f"quote {exact[:40]!r}...: overlaps a 'See also' line, which is page noise"
        )
    prefix_start = max([max(0, start - context)] + [n_end for _, n_end in noise if n_end <= start])
    suffix_end = min([end + context] + [n_start for n_start, _ in noise if n_start >= end])
    return start, end, text[prefix_start:start], text[end:suffix_end]


def page_noise_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each "See also" line (with its line end): not part of the fact sheet."""
    return [match.span() for match in _PAGE_NOISE.finditer(text)]


def check_quotes(graph: Graph, text: str) -> list[str]:
    """One plain-words problem per annotation whose selectors disagree with ``text``; [] if none."""
    from hled_graph.graph import select_rows

    problems: list[str] = []
    noise = page_noise_spans(text)
    for row in select_rows(graph, _ANNOTATIONS_QUERY):
        name = str(row.annotation)
        if row.exact is None:
            problems.append(f"{name}: no TextQuoteSelector with oa:exact")
            continue
        if row.start is None or row.end is None:
            problems.append(f"{name}: no TextPositionSelector with oa:start and oa:end")
            continue
        exact, start, end = str(row.exact), int(str(row.start)), int(str(row.end))
        if not 0 <= start <= end <= len(text) or text[start:end] != exact:
            problems.append(f"{name}: text[{start}:{end}] is not the quoted oa:exact")
            continue
        prefix, suffix = str(row.prefix or ""), str(row.suffix or "")
        if not text[:start].endswith(prefix):
            problems.append(f"{name}: oa:prefix does not precede the quote at {start}")
        if not text[end:].startswith(suffix):
            problems.append(f"{name}: oa:suffix does not follow the quote at {end}")
        reach = (start - len(prefix), end + len(suffix))
        if any(n_start < reach[1] and reach[0] < n_end for n_start, n_end in noise):
            problems.append(f"{name}: quote or its context reaches into a 'See also' line")
    return problems
