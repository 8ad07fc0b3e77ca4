"""Quotes and offsets: every action's Web Annotation must quote its own source exactly.

An annotation carries a ``TextQuoteSelector`` (exact, prefix, suffix) and a
``TextPositionSelector`` (start, end in Unicode code points). Both must agree with the text of
the annotation's source, the copy named by ``oa:hasTarget/oa:hasSource``, whose
``hled:sourceFile`` names its file in ``data/source/`` and whose SPDX SHA-256 checksum must match
that file: a reader can find the quote by either selector, and a changed source file is noticed
at once. Each document's annotations are checked against their own text, so a second document
goes in as data only.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.files import read_utf8

# Lines the republishing site inserted into the fact sheet ("See also <unrelated article>"):
# page noise that no quote, prefix or suffix may reach into.
_PAGE_NOISE = re.compile(r"^See also\b.*$\n?", re.MULTILINE)

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.query import ResultRow

_PROLOGUE = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX hled: <https://w3id.org/hled/ontology#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
"""

_ANNOTATIONS_QUERY = _PROLOGUE + """
SELECT ?annotation ?source ?exact ?prefix ?suffix ?start ?end WHERE {
  ?annotation a oa:Annotation .
  OPTIONAL { ?annotation oa:hasTarget/oa:hasSource ?source }
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

# Every source an annotation points into, with its file and its SHA-256 checksum(s).
_SOURCES_QUERY = _PROLOGUE + """
SELECT DISTINCT ?source ?file ?checksum WHERE {
  ?annotation a oa:Annotation ; oa:hasTarget/oa:hasSource ?source .
  OPTIONAL { ?source hled:sourceFile ?file }
  OPTIONAL {
    ?source spdx:checksum ?sum .
    ?sum spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?checksum .
  }
}
ORDER BY ?source
"""


def source_text(name: str) -> str:
    """The text of the source file ``name`` (a copy's ``hled:sourceFile``) that offsets count into."""
    return read_utf8(
        resources.source_text_file(name),
        missing="source text missing; restore it from the repository, or correct the copy's hled:sourceFile",
        not_utf8="restore the original file",
    )


@dataclass(frozen=True)
class QuoteProblem:
    """A source or an annotation that disagrees with its source file: ``focus`` is its IRI."""

    focus: str
    message: str

    def __str__(self) -> str:
        return f"{self.focus}: {self.message}"


@dataclass(frozen=True)
class _Source:
    """A source copy as the data describes it: its file names and SHA-256 checksums."""

    files: frozenset[str]
    checksums: frozenset[str]


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


def check_quotes(graph: Graph) -> list[QuoteProblem]:
    """One plain-words problem per source or annotation that disagrees with its source file; [] if none.

    A source must name exactly one file (``hled:sourceFile``) whose SHA-256 is its
    ``spdx:checksum``; every annotation's selectors must agree with the text of its own source.
    """
    from hled_graph.graph import select_rows

    problems: list[QuoteProblem] = []
    texts: dict[str, str] = {}
    for name, source in sorted(_sources(graph).items()):
        text, problem = _verified_text(name, source)
        if problem:
            problems.append(QuoteProblem(name, problem))
        else:
            texts[name] = text
    for row in select_rows(graph, _ANNOTATIONS_QUERY):
        name = str(row.annotation)
        if row.source is None:
            problems.append(QuoteProblem(name, "no oa:hasTarget with an oa:hasSource"))
        elif str(row.source) in texts:
            problems += [QuoteProblem(name, problem) for problem in _selector_problems(row, texts[str(row.source)])]
    return problems


def _sources(graph: Graph) -> dict[str, _Source]:
    from hled_graph.graph import select_rows

    files: dict[str, set[str]] = defaultdict(set)
    checksums: dict[str, set[str]] = defaultdict(set)
    for row in select_rows(graph, _SOURCES_QUERY):
        source = str(row.source)
        files[source].update([str(row.file)] if row.file is not None else [])
        # xsd:hexBinary's canonical form is upper case; sha256 tools print lower case.
        checksums[source].update([str(row.checksum).lower()] if row.checksum is not None else [])
    return {source: _Source(frozenset(files[source]), frozenset(checksums[source])) for source in files}


def _verified_text(name: str, source: _Source) -> tuple[str, str]:
    """(text, "") of a source whose file exists and matches its checksum, else ("", the problem)."""
    if len(source.files) != 1:
        return "", f"{len(source.files)} hled:sourceFile values; a source of quotes names exactly one file"
    (file,) = source.files
    try:
        text = source_text(file)
    except InputError as error:
        return "", error.message
    # The digest of the text that was read (read_utf8 decodes exactly), not of a second read of the file.
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if source.checksums != {digest}:
        stated = ", ".join(sorted(source.checksums)) or "none"
        return "", f"spdx:checksum SHA-256 is {stated}, but {file} has {digest}; restore the file or fix the checksum"
    return text, ""


def _selector_problems(row: ResultRow, text: str) -> list[str]:
    if row.exact is None:
        return ["no TextQuoteSelector with oa:exact"]
    if row.start is None or row.end is None:
        return ["no TextPositionSelector with oa:start and oa:end"]
    exact, start, end = str(row.exact), int(str(row.start)), int(str(row.end))
    if not 0 <= start <= end <= len(text) or text[start:end] != exact:
        return [f"text[{start}:{end}] is not the quoted oa:exact"]
    problems = []
    prefix, suffix = str(row.prefix or ""), str(row.suffix or "")
    if not text[:start].endswith(prefix):
        problems.append(f"oa:prefix does not precede the quote at {start}")
    if not text[end:].startswith(suffix):
        problems.append(f"oa:suffix does not follow the quote at {end}")
    reach = (start - len(prefix), end + len(suffix))
    if any(n_start < reach[1] and reach[0] < n_end for n_start, n_end in page_noise_spans(text)):
        problems.append("quote or its context reaches into a 'See also' line")
    return problems
