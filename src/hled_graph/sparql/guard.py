"""Checks a query's text before it reaches the engine: read-only, no federation, bounded nesting.

Both faces use it: the server with federation off by default, the CLI with federation allowed
(a user's own machine may ask Wikidata), both for the nesting limit and the clear update message.

The engine (pyoxigraph) parses queries only, so an update can never run; this check exists to
answer an update with a clear 403 instead of a parser error. The SERVICE check is a security
boundary (no requests from the server to hosts a client names), so it errs on the side of
refusing: it scans the text with a small tokenizer that skips comments, strings and IRIs, and
refuses texts where its tokenization could differ from the parser's. The nesting check protects
the parser, which recurses per nesting level and crashes the process on very deep input.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

UPDATE_KEYWORDS = frozenset({"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy"})
# Nested blank-node lists take the parser ~0.5 s at 64 levels and grow cubically; 128 crashes nothing
# but costs seconds, and 10,000 overflows the stack.
MAX_NESTING = 64

_IRIREF = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')
# A scheme and nothing that could be read as SPARQL code: what an IRI before its '#' looks like.
_PLAIN_IRI_HEAD = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^()'?$]*")
_NAME = re.compile(r"[\w\-:.%\\]+")
_OPENERS = "({["
_CLOSERS = ")}]"


@dataclass(frozen=True)
class Refusal(Exception):
    """The query is refused before evaluation: ``status`` is the HTTP status to answer with."""

    status: int
    message: str


def check_query(text: str, *, allow_federation: bool) -> None:
    """Raise :class:`Refusal` for an update, a SERVICE clause (unless allowed) or deep nesting."""
    scan = _scan_cached(text) if len(text) <= _CACHED_TEXT_CHARS else _scan(text)
    if scan.update_keyword:
        raise Refusal(
            403,
            f"read-only: SPARQL Update ({scan.update_keyword.upper()}) is refused; hled-graph answers queries only",
        )
    if scan.max_depth > MAX_NESTING:
        raise Refusal(400, f"query nested more than {MAX_NESTING} levels deep; simplify it")
    if allow_federation:
        return
    if scan.has_service:
        raise Refusal(
            403,
            "federated queries (SERVICE) are disabled on this endpoint; "
            "the server operator can enable them with --allow-federation",
        )
    if scan.ambiguous_iri:
        raise Refusal(
            400,
            f"cannot tell whether {scan.ambiguous_iri!r} is an IRI or a comparison; "
            "put spaces around the comparison operators '<' and '>'",
        )


# Clients repeat the same queries (the examples, dashboards); scanning is pure Python per character.
_CACHED_TEXT_CHARS = 4096


@dataclass(frozen=True)
class _ScanResult:
    update_keyword: str
    has_service: bool
    ambiguous_iri: str
    max_depth: int


@functools.lru_cache(maxsize=2048)
def _scan_cached(text: str) -> _ScanResult:
    return _scan(text)


@dataclass
class _Scan:
    update_keyword: str = ""
    has_service: bool = False
    ambiguous_iri: str = ""
    max_depth: int = 0


def _scan(text: str) -> _ScanResult:
    result = _Scan()
    depth = 0
    i, n = 0, len(text)

    def open_brackets(chunk: str) -> None:
        nonlocal depth
        for ch in chunk:
            if ch in _OPENERS:
                depth += 1
                result.max_depth = max(result.max_depth, depth)
            elif ch in _CLOSERS:
                depth = max(0, depth - 1)

    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch in "\"'":
            i = _skip_string(text, i)
        elif text.startswith("<<", i) or text.startswith(">>", i):
            # RDF-star quoted triples nest like brackets.
            open_brackets("(" if ch == "<" else ")")
            i += 2
        elif ch == "<":
            match = _IRIREF.match(text, i)
            if match is None:
                i += 1
                continue
            content = match.group(1)
            # The parser may read '<' as "less than" and the span as code: count its brackets,
            # and distrust a span that would hide a comment or a string from this scan.
            open_brackets(content)
            if "'" in content or ("#" in content and not _PLAIN_IRI_HEAD.fullmatch(content.split("#", 1)[0])):
                result.ambiguous_iri = result.ambiguous_iri or match.group(0)
            i = match.end()
        elif ch in "?$@":
            # Variables and language tags: the name after them is never a keyword.
            match = _NAME.match(text, i + 1)
            i = match.end() if match else i + 1
        elif ch.isalpha() or ch in "_:":
            match = _NAME.match(text, i)
            if match is None:
                i += 1
                continue
            word = match.group(0)
            if ":" not in word:
                # Split at characters a keyword cannot contain ('.' may end a triple: "?o .SERVICE").
                for part in re.split(r"[^A-Za-z]+", word):
                    lowered = part.lower()
                    if lowered == "service":
                        result.has_service = True
                    elif lowered in UPDATE_KEYWORDS and not result.update_keyword:
                        result.update_keyword = lowered
            i = match.end()
        elif ch.isdigit():
            # "1SERVICE" reads as a number followed by the keyword.
            match = _NAME.match(text, i)
            if match is None:
                i += 1
                continue
            if "service" in match.group(0).lower():
                result.has_service = True
            i = match.end()
        else:
            open_brackets(ch)
            i += 1
    return _ScanResult(result.update_keyword, result.has_service, result.ambiguous_iri, result.max_depth)


def _skip_string(text: str, start: int) -> int:
    quote = text[start]
    long_quote = quote * 3
    if text.startswith(long_quote, start):
        i = start + 3
        while i < len(text):
            if text[i] == "\\":
                i += 2
            elif text.startswith(long_quote, i):
                return i + 3
            else:
                i += 1
        return len(text)
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote or text[i] in "\r\n":
            return i + 1
        else:
            i += 1
    return len(text)
