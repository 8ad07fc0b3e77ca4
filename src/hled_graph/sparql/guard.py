"""Checks a query before it reaches the engine: no federation (unless allowed), bounded nesting, read-only.

Both faces use it: the server with federation off by default, the CLI with federation allowed
(a user's own machine may ask Wikidata), both for the nesting limit and the clear update message.

The SERVICE check is a security boundary (no requests from the server to hosts a client names),
so it reads the query both ways an engine may: with SPARQL's code-point unescaping (§19.2, applied
to the whole text before parsing, so that even a keyword may be written ``\\u0053ERVICE``) and as
pyoxigraph does (escapes count only inside strings and IRIs). Each reading gets a cheap test that
settles the common case without parsing, then a real parse (rdflib's SPARQL grammar). It fails
closed: a text the parser cannot read is refused, never passed on.

The nesting check protects the engine's parser, which recurses per nesting level and crashes
the process on very deep input (and grows cubically on nested blank nodes).

The engine (pyoxigraph's ``Store.query``) parses queries only, so an update can never run: the
read-only check only exists to answer an update with a clear 403 instead of a syntax error.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from dataclasses import dataclass
from typing import Any

# Nested blank-node lists take the engine's parser ~0.5 s at 64 levels and grow cubically;
# 10,000 levels overflow its stack.
MAX_NESTING = 64

# The guard's parser (pyparsing) recurses too: at most ~41 Python frames per nesting level, ~61 when
# pyparsing's packrat cache is on, which matplotlib's import turns on for the whole process (measured
# with rdflib 7 / pyparsing 3 at 64 levels, in frames per level, plain / packrat: '{' 27 / 39, '(' 37 / 55,
# nested calls 41 / 61, '[' 14 / 21). The parse runs with this many frames above the caller's, so any
# query MAX_NESTING levels deep fits in either mode, and a deeper one (45,000 escaped braces) stops
# with RecursionError instead of exhausting the C stack.
_PARSE_FRAMES = 300 + MAX_NESTING * 72
_PARSE_LOCK = threading.Lock()  # the recursion limit is per process

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile("service", re.IGNORECASE)
_FROM = re.compile("from", re.IGNORECASE)
# Lines that start with '#' before anything else are comments whatever follows (no string or IRI
# can be open at the start of the text): the query library's metadata header.
_LEADING_COMMENTS = re.compile(r"(?:[ \t\r\n]*#[^\r\n]*)*")
# An update begins, after its prologue, with one of these; a query never does.
_UPDATE_START = re.compile(
    r"(?:\s|#[^\r\n]*+|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)*"
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)


@dataclass(eq=False)
class Refusal(Exception):
    """The query is refused before evaluation: ``status`` is the HTTP status to answer with."""

    status: int
    message: str


@dataclass(frozen=True)
class QueryShape:
    """What the guard found in a query it let through.

    ``depth`` is an upper bound of the nesting depth (at most :data:`MAX_NESTING`);
    ``has_dataset_clause`` says the query names its own dataset (FROM / FROM NAMED), which the
    engine then honours instead of the union default graph.
    """

    uses_service: bool
    depth: int
    has_dataset_clause: bool


def unescape_codepoints(text: str) -> str:
    r"""Replace ``\uXXXX`` and ``\UXXXXXXXX`` by their characters, as SPARQL does before parsing (§19.2).

    Raises :class:`Refusal` for an escape of a code point that is not a character (a surrogate,
    or beyond U+10FFFF), which the engine refuses too.
    """
    if "\\" not in text:
        return text

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Refusal(400, f"query: {match.group(0)} is not a Unicode character; "
                               "escape a code point between U+0000 and U+10FFFF, surrogates excluded")
        return chr(code)

    return _CODEPOINT.sub(character, text)


def check_query(text: str, *, allow_federation: bool) -> QueryShape:
    """Raise :class:`Refusal` for an update, a SERVICE clause (unless allowed) or deep nesting.

    Otherwise return the query's :class:`QueryShape`. Decisions are cached: clients repeat
    the same queries (the examples, dashboards).
    """
    if len(text) <= _CACHED_TEXT_CHARS:
        return _check_cached(text, allow_federation)
    return _check(text, allow_federation)


_CACHED_TEXT_CHARS = 64 * 1024


@functools.lru_cache(maxsize=1024)
def _check_cached(text: str, allow_federation: bool) -> QueryShape:
    return _check(text, allow_federation)


def _check(text: str, allow_federation: bool) -> QueryShape:
    shapes = [_check_reading(reading, allow_federation) for reading in _readings(text)]
    return QueryShape(
        uses_service=any(shape.uses_service for shape in shapes),
        depth=max(shape.depth for shape in shapes),
        has_dataset_clause=any(shape.has_dataset_clause for shape in shapes),
    )


# A code-point escape, a backslash pair (whose second character starts no escape), or neither.
_ESCAPE_OR_PAIR = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)


def _readings(text: str) -> list[str]:
    """The texts a parser may see: SPARQL's (§19.2, escapes replaced everywhere) and the engine's.

    pyoxigraph 0.5 replaces escapes only inside strings and IRIs, so in a comment ``\\u000A`` is
    no line end for it: the §19.2 reading alone would let the guard's parse see code (the opening
    of a long string, say, that swallows a SERVICE clause) where the engine sees a comment. The
    engine's reading keeps every comment, string and IRI where it is by putting a plain letter
    in place of each escape (which starts no token and ends none); both readings are checked.
    """
    spec_reading = unescape_codepoints(text)
    if spec_reading == text:
        return [text]
    engine_reading = _ESCAPE_OR_PAIR.sub(lambda match: "x" if match.group(0)[1] in "uU" else match.group(0), text)
    return [spec_reading, engine_reading]


def _check_reading(unescaped: str, allow_federation: bool) -> QueryShape:
    update = _UPDATE_START.match(unescaped)
    if update:
        raise Refusal(403, f"read-only: SPARQL Update ({update.group(1).upper()}) is refused; "
                           "hled-graph answers queries only")
    # The pre-check, sound without parsing because it looks at every character of the unescaped
    # text (strings, comments and IRIs included), after the leading comment lines:
    # - a SERVICE clause needs the keyword, so the letters "service" in some case;
    # - a dataset clause needs the keyword FROM, so the letters "from";
    # - every nesting level opens with '{', '(', '[' or '<<' (groups, expressions, paths,
    #   collections, blank nodes, quoted triples), so the depth is at most their total count.
    code = unescaped[_LEADING_COMMENTS.match(unescaped).end():]  # type: ignore[union-attr]  # matches ''
    may_use_service = not allow_federation and _SERVICE.search(code) is not None
    may_have_dataset = _FROM.search(code) is not None
    depth_bound = code.count("{") + code.count("(") + code.count("[") + code.count("<<")
    if not may_use_service and not may_have_dataset and depth_bound <= MAX_NESTING:
        return QueryShape(uses_service=False, depth=depth_bound, has_dataset_clause=False)
    return _check_parsed(unescaped, allow_federation=allow_federation, depth_bound=depth_bound)


def _check_parsed(code: str, *, allow_federation: bool, depth_bound: int) -> QueryShape:
    try:
        tree = _parse(code)
    except Refusal:
        # A deep text that does not parse (rdflib's grammar also has no RDF-star): the depth is
        # the more useful thing to say.
        if depth_bound > MAX_NESTING and _bracket_depth(code) > MAX_NESTING:
            raise _too_deep() from None
        raise
    found = _Found()
    found.walk(tree)
    if found.service and not allow_federation:
        raise Refusal(403, "federated queries (SERVICE) are disabled on this endpoint; "
                           "the server operator can enable them with --allow-federation")
    depth = min(depth_bound, _bracket_depth(code)) if depth_bound > MAX_NESTING else depth_bound
    if depth > MAX_NESTING:
        raise _too_deep()
    return QueryShape(uses_service=found.service, depth=depth, has_dataset_clause=found.dataset)


def _too_deep() -> Refusal:
    return Refusal(400, f"query nested more than {MAX_NESTING} levels deep; simplify it")


def _parse(code: str) -> Any:
    """rdflib's parse of ``code`` (already unescaped), or :class:`Refusal` when it cannot read it."""
    # ~120 ms to import: only queries the pre-check cannot settle pay for it.
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Query

    # rdflib's comments run to '\n' only; SPARQL's (and the engine's) end at '\r' too. Both are
    # line ends everywhere else (refused in short strings, kept in long ones), so the swap changes
    # no structure. Query.parse_string, not parseQuery: that one would unescape a second time.
    text = code.replace("\r", "\n")
    with _PARSE_LOCK:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(_stack_depth() + _PARSE_FRAMES)
        try:
            return Query.parse_string(text, parse_all=True)
        except RecursionError:
            raise _too_deep() from None
        except ParseBaseException as exc:
            raise Refusal(400, f"query line {exc.lineno}, column {exc.column}: cannot parse the query "
                               f"({' '.join(str(exc.msg).split())}); check the syntax near there") from None
        finally:
            sys.setrecursionlimit(previous)


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1  # type: ignore[assignment]
    return depth


class _Found:
    """What a walk over rdflib's parse result finds: SERVICE clauses, dataset clauses."""

    def __init__(self) -> None:
        self.service = False
        self.dataset = False

    def walk(self, tree: Any) -> None:
        from pyparsing import ParseResults
        from rdflib.plugins.sparql.parserutils import CompValue

        # An explicit stack: the tree is as deep as the query (up to the parse's limit).
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, CompValue):
                if node.name == "ServiceGraphPattern":
                    self.service = True
                elif node.name == "DatasetClause":
                    self.dataset = True
                stack.extend(node.values())
            elif isinstance(node, (ParseResults, list, tuple)):
                stack.extend(node)
            elif isinstance(node, dict):
                stack.extend(node.values())


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                     r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_COMMENT = re.compile(r"#[^\n]*")
_OPENERS, _CLOSERS = "({[", ")}]"


def _bracket_depth(code: str) -> int:
    """The deepest bracket nesting of ``code``, a text the parser has read as a query.

    Strings, comments and the escaped characters of local names are skipped. Inside what looks
    like an IRI, openers count and closers do not (it may be a '<' comparison: either reading then
    gives at least the true depth).
    A misreading elsewhere cannot let a crashing depth through: the parse above already stopped
    anything deeper than its frame budget allows.
    """
    depth = deepest = 0
    position, end = 0, len(code)
    text = code.replace("\r", "\n")
    while position < end:
        char = text[position]
        if char == "\\":
            # Outside strings and IRIs a backslash is a local name's escape (ex:a\#b, ex:a\)): the
            # character after it is part of the name, not a comment, string or bracket.
            position += 2
            continue
        if char == "#":
            position = _COMMENT.match(text, position).end()  # type: ignore[union-attr]
            continue
        if char in "\"'":
            string = _STRING.match(text, position)
            if string:
                position = string.end()
                continue
        if char == "<":
            if text.startswith("<<", position):
                depth += 1
                deepest = max(deepest, depth)
                position += 2
                continue
            iri = _IRIREF.match(text, position)
            if iri:
                depth += sum(iri.group(0).count(opener) for opener in _OPENERS)
                deepest = max(deepest, depth)
                position = iri.end()
                continue
        if text.startswith(">>", position):
            depth = max(0, depth - 1)
            position += 2
            continue
        if char in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSERS:
            depth = max(0, depth - 1)
        position += 1
    return deepest
