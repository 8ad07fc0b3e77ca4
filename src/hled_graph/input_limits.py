"""Limits on a user's RDF file, checked before any parser sees it.

Both parsers can be brought down by small hostile files: nested XML entities ("billion laughs")
expand 1 KB of RDF/XML to gigabytes; pyoxigraph's JSON-LD parser recurses and dies of a stack
overflow (SIGSEGV) at about 3,500 levels, rdflib's Turtle and JSON-LD parsers hit Python's
recursion limit at 150-400; pyoxigraph stops at tokens over 16 MiB with a MemoryError. So every
file is pre-scanned first, in chunks and constant memory, and refused with a one-line
:class:`InputError` naming the file, the line and the limit.

The scanners are hand-written because no parser library offers these caps before parsing: the
check has to run where the parsers would crash, so it cannot be one of them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from hled_graph.errors import InputError
from hled_graph.formats import rdf_syntax_of_file

# The defaults, in one place (the README's "Limits on your files" paragraph quotes them).
MAX_NESTING = 64
"""Deepest nesting of ``[ ( { <<`` in Turtle, TriG, N-Triples, N-Quads (rdflib fails at ~150)."""
MAX_JSON_NESTING = 128
"""Deepest nesting of JSON-LD objects and arrays (rdflib fails at ~350, pyoxigraph crashes at ~3,500)."""
MAX_LITERAL_BYTES = 8 * 1024 * 1024
"""Longest literal, IRI or JSON string (pyoxigraph refuses tokens over 16 MiB)."""
MAX_XML_ENTITIES = 64
"""Most entity declarations in an RDF/XML DOCTYPE (Protégé writes one per prefix)."""
MAX_XML_ENTITY_EXPANSION = 1024 * 1024
"""Most characters that entity references in an RDF/XML file may expand to, in total."""
MAX_XML_DOCTYPE_BYTES = 1024 * 1024
"""Largest RDF/XML DOCTYPE (the part of the file before the root element that holds it)."""

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The caps one check applies; tests lower them instead of writing huge files."""

    nesting: int = MAX_NESTING
    json_nesting: int = MAX_JSON_NESTING
    literal_bytes: int = MAX_LITERAL_BYTES
    xml_entities: int = MAX_XML_ENTITIES
    xml_entity_expansion: int = MAX_XML_ENTITY_EXPANSION
    xml_doctype_bytes: int = MAX_XML_DOCTYPE_BYTES


DEFAULT_LIMITS = Limits()


def check_input_file(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise :class:`InputError` if ``path`` exceeds a limit; return quietly otherwise.

    Only the limits are checked here; syntax is left to the parser, which reports it better.
    """
    path = Path(path)
    kind = rdf_syntax_of_file(path).rdf_format
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
            if start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start:
                raise InputError(
                    f"{path}, line 1: not UTF-8 text (UTF-16, UTF-32 or binary); convert it to UTF-8 (iconv -t UTF-8)"
                )
            handle.seek(0)
            if kind == ox.RdfFormat.RDF_XML:
                _XmlScan(path, limits).run(handle)
            else:
                scan = _JsonScan(path, limits) if kind == ox.RdfFormat.JSON_LD else _TurtleScan(path, limits)
                while chunk := handle.read(CHUNK_BYTES):
                    scan.feed(chunk)
                scan.feed(b"", final=True)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


class _Scan:
    """A chunked scanner that knows the line it is on, for the error message."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self.buffer = b""
        self.base = 0  # offset in the file of buffer[0]
        self.lines = 1  # the line at buffer[counted]
        self.counted = 0

    def line_at(self, position: int) -> int:
        """The line of buffer[position]; positions only move forward, so each byte is counted once."""
        self.lines += self.buffer.count(b"\n", self.counted, position)
        self.counted = position
        return self.lines

    def next_buffer(self, chunk: bytes, keep_from: int) -> None:
        """Drop the scanned part of the buffer, keep the undecided tail, append ``chunk``."""
        self.line_at(keep_from)
        self.base += keep_from
        self.buffer = self.buffer[keep_from:] + chunk
        self.counted = 0

    def refuse(self, position: int, problem: str, advice: str) -> InputError:
        return InputError(f"{self.path}, line {self.line_at(position)}: {problem}; {advice}")

    def too_deep(self, position: int, limit: int, what: str) -> InputError:
        return self.refuse(
            position,
            f"{what} nested deeper than the limit of {limit} levels",
            "flatten the data (name the inner nodes) and try again",
        )

    def too_long(self, line: int, what: str) -> InputError:
        return InputError(
            f"{self.path}, line {line}: {what} longer than the limit of {self.limits.literal_bytes} bytes; "
            "shorten it or keep the text in a separate file and link to it"
        )


# Turtle family: code, <IRI>, "string", 'string', """long""", '''long''', # comment.
_TTL_CODE = re.compile(rb"[\[\](){}\"'<>#\\]")
_TTL_OPEN = frozenset(b"[({")
_TTL_CLOSE = frozenset(b"])}")
_TTL_LINE_END = re.compile(rb"[\r\n]")  # a comment ends at either, as it does for the parsers


@functools.lru_cache
def _turtle_skip(literal_bytes: int) -> re.Pattern[bytes]:
    """Code without brackets, and whole IRIs, short strings and comments of allowed length, in C.

    What it stops at (a bracket, an escape, a long string, a token cut by the chunk or too long)
    is left to the exact scan. An escape counts as one item here, so only strings up to half the
    limit are taken whole; longer ones are measured by the exact scan.
    """
    items = literal_bytes // 2
    return re.compile(
        rb"(?:[^\[\](){}\"'<>#\\]++"
        + rb"|<[^<>\n]{0,%d}+>" % literal_bytes
        + rb'|"(?:[^"\\\n]|\\.){1,%d}+"' % items
        + rb"|'(?:[^'\\\n]|\\.){1,%d}+'" % items
        + rb"|#[^\r\n]*+[\r\n])*+"
    )
# What may end a string: its quote or an escape (and a newline, which a short string cannot hold).
_TTL_STRING_END = {
    b'"': re.compile(rb'["\\\n]'),
    b"'": re.compile(rb"['\\\n]"),
    b'"""': re.compile(rb'["\\]'),
    b"'''": re.compile(rb"['\\]"),
}


class _TurtleScan(_Scan):
    """Nesting of ``[ ( { <<`` and the length of literals and IRIs, in Turtle, TriG, N-Triples, N-Quads."""

    def __init__(self, path: Path, limits: Limits) -> None:
        super().__init__(path, limits)
        self.depth = 0
        self.state = "code"  # or "iri", "comment", "string"
        self.quote = b""  # the closing quote of the open string
        self.token_start = 0  # file offset where the open IRI or string began
        self.token_line = 1
        self.skip = _turtle_skip(limits.literal_bytes)

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        self.next_buffer(chunk, 0)
        buffer, position, end = self.buffer, 0, len(self.buffer)
        while position < end:
            if self.state == "code":
                position = self.skip.match(buffer, position).end()  # type: ignore[union-attr]
                match = _TTL_CODE.search(buffer, position)
                if match is None:
                    position = end
                    break
                position = match.start()
                char = buffer[position]
                ahead = buffer[position + 1 : position + 3]
                if len(ahead) < 2 and not final:
                    break  # a two- or three-byte token may continue in the next chunk
                if char in _TTL_OPEN or buffer.startswith(b"<<", position):
                    self.depth += 1
                    if self.depth > self.limits.nesting:
                        raise self.too_deep(position, self.limits.nesting, "blank nodes, lists or graphs")
                    position += 2 if char == ord("<") else 1
                elif char in _TTL_CLOSE or buffer.startswith(b">>", position):
                    self.depth = max(self.depth - 1, 0)
                    position += 2 if char == ord(">") else 1
                elif char == ord("<"):
                    self.state = "iri"
                    self.token_start, self.token_line = self.base + position, self.line_at(position)
                    position += 1
                elif char == ord("#"):
                    self.state = "comment"
                    position += 1
                elif char == ord("\\"):
                    position += 2  # an escaped character in a prefixed name, such as ex:a\(b
                elif char in b"\"'":
                    quote = bytes([char])
                    long = buffer.startswith(quote * 3, position)
                    self.state = "string"
                    self.token_start, self.token_line = self.base + position, self.line_at(position)
                    self.quote = quote * 3 if long else quote
                    position += 3 if long else 1
                else:
                    position += 1  # a lone ">"
            elif self.state == "comment":
                line_end = _TTL_LINE_END.search(buffer, position)
                position = end if line_end is None else line_end.end()
                if line_end is not None:
                    self.state = "code"
            else:
                position, complete = self._in_token(position, final=final)
                if not complete:
                    break
        self.next_buffer(b"", min(position, end))
        if self.state in ("iri", "string"):
            self._check_length(0)  # what is kept is undecided: it may be the closing quotes

    def _in_token(self, position: int, *, final: bool) -> tuple[int, bool]:
        """Scan inside an IRI or string: (the position after it, True), or (where to resume, False)."""
        buffer, end = self.buffer, len(self.buffer)
        if self.state == "iri":
            close = buffer.find(b">", position)
            if close < 0:
                return end, False
            self._check_length(close)
            self.state = "code"
            return close + 1, True
        quote = self.quote
        pattern = _TTL_STRING_END[quote]
        while True:
            match = pattern.search(buffer, position)
            if match is None:
                return end, False
            position = match.start()
            if buffer[position] == ord("\\"):
                if position + 1 >= end and not final:
                    return position, False  # the escaped character is in the next chunk
                position += 2
                continue
            if len(quote) == 3 and not buffer.startswith(quote, position):
                if end - position < 3 and not final:
                    return position, False  # perhaps the closing quotes, cut by the chunk
                position += 1
                continue
            self._check_length(position)
            self.state = "code"
            return position + len(quote), True

    def _check_length(self, close: int) -> None:
        opening = 1 if self.state == "iri" else len(self.quote)
        if self.base + close - self.token_start - opening > self.limits.literal_bytes:
            raise self._token_too_long()

    def _token_too_long(self) -> InputError:
        return self.too_long(self.token_line, "an IRI" if self.state == "iri" else "a literal")


_JSON_CODE = re.compile(rb'[\[\]{}"]')
_JSON_STRING = re.compile(rb'["\\]')


class _JsonScan(_Scan):
    """Nesting of objects and arrays and the length of strings, in JSON-LD."""

    def __init__(self, path: Path, limits: Limits) -> None:
        super().__init__(path, limits)
        self.depth = 0
        self.in_string = False
        self.string_start = 0
        self.string_line = 1

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        self.next_buffer(chunk, 0)
        buffer, position, end = self.buffer, 0, len(self.buffer)
        while position < end:
            if not self.in_string:
                match = _JSON_CODE.search(buffer, position)
                if match is None:
                    position = end
                    break
                position = match.start()
                char = buffer[position]
                if char in b"[{":
                    self.depth += 1
                    if self.depth > self.limits.json_nesting:
                        raise self.too_deep(position, self.limits.json_nesting, "objects and arrays")
                elif char in b"]}":
                    self.depth = max(self.depth - 1, 0)
                else:
                    self.in_string = True
                    self.string_start, self.string_line = self.base + position, self.line_at(position)
                position += 1
                continue
            match = _JSON_STRING.search(buffer, position)
            if match is None:
                position = end
                break
            position = match.start()
            if buffer[position] == ord("\\"):
                if position + 1 >= end and not final:
                    break  # the escaped character is in the next chunk
                position += 2
                continue
            self._check_string(self.base + position)
            self.in_string = False
            position += 1
        self.next_buffer(b"", min(position, end))
        if self.in_string:
            self._check_string(self.base + len(self.buffer))

    def _check_string(self, offset: int) -> None:
        if offset - self.string_start - 1 > self.limits.literal_bytes:
            raise self.too_long(self.string_line, "a string")


# RDF/XML: the DOCTYPE's entity declarations, then the references to them in the body.
# What may stand before the DOCTYPE: white space, comments, the XML declaration and other PIs.
_XML_PROLOG_PART = re.compile(rb"\s+|<!--.*?-->|<\?.*?\?>", re.S)
_XML_SUBSET_PART = re.compile(
    rb"""\s+
    | <!--.*?-->
    | <\?.*?\?>
    | <!ENTITY\s+(?P<parameter>%\s+)?(?P<name>[^\s"'%&<>]{1,200})\s+
        (?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<external>SYSTEM|PUBLIC)\b(?:[^>"']|"[^"]*"|'[^']*')*)\s*>
    | <!ATTLIST\b(?P<attlist>(?:[^>"']|"[^"]*"|'[^']*')*)>
    | <!(?:ELEMENT|NOTATION)\b(?:[^>"']|"[^"]*"|'[^']*')*>
    """,
    re.S | re.X,
)
_XML_REFERENCE = re.compile(rb"&([A-Za-z_:\x80-\xff][-A-Za-z0-9._:\x80-\xff]*);")
_XML_LONGEST_NAME = 256  # names are at most 200 bytes: a reference cut by a chunk is seen again in this tail


class _XmlScan(_Scan):
    """Entity declarations and their expansion, and the length of text runs, in RDF/XML."""

    def run(self, handle: BinaryIO) -> None:
        head = handle.read(self.limits.xml_doctype_bytes)
        self.buffer = head
        entities = self._entities(head)
        expansion, open_run, tail, data = 0, 0, b"", head
        self.long_run = re.compile(rb"[^<]{%d,}" % (self.limits.literal_bytes + 1))
        while data:
            text = tail + data
            for match in _XML_REFERENCE.finditer(text):
                if match.end() <= len(tail):
                    continue  # counted with the chunk before
                expansion += len(entities.get(match.group(1), b""))
                if expansion > self.limits.xml_entity_expansion:
                    raise InputError(
                        f"{self.path}: its entity references expand to more than the limit of "
                        f"{self.limits.xml_entity_expansion} characters; write the values out "
                        "(e.g. `xmllint --noent`) or use fewer references"
                    )
            open_run = self._check_text_runs(data, open_run)
            tail = text[-_XML_LONGEST_NAME:]
            data = handle.read(CHUNK_BYTES)

    def _check_text_runs(self, data: bytes, run: int) -> int:
        """Refuse a run of bytes without "<" longer than the literal limit; return the run at the end.

        A text node or attribute value cannot contain "<", so this bounds every literal.
        """
        first, last = data.find(b"<"), data.rfind(b"<")
        longest = run + (len(data) if first < 0 else first)
        if first >= 0:
            inner = self.long_run.search(data, first, last + 1)
            longest = max(longest, len(inner.group()) if inner else 0)
        if longest > self.limits.literal_bytes:
            raise InputError(
                f"{self.path}: a text or attribute longer than the limit of "
                f"{self.limits.literal_bytes} bytes; shorten it"
            )
        return longest if first < 0 else len(data) - last - 1

    def _entities(self, head: bytes) -> dict[bytes, bytes]:
        position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
        while part := _XML_PROLOG_PART.match(head, position):
            position = part.end()
        unfinished = position >= len(head) or head.startswith((b"<!--", b"<?"), position)
        if unfinished and len(head) >= self.limits.xml_doctype_bytes:
            raise self.refuse(
                0,
                f"more than {self.limits.xml_doctype_bytes} bytes before the root element",
                "shorten the comments and declarations at the top of the file",
            )
        if not head.startswith(b"<!DOCTYPE", position):
            return {}
        doctype = position
        subset_start = head.find(b"[", doctype)
        declaration_end = head.find(b">", doctype)
        if declaration_end < 0:
            raise self._doctype_too_long(doctype)
        external_id = head[doctype : subset_start if 0 <= subset_start < declaration_end else declaration_end]
        if re.search(rb"\s(SYSTEM|PUBLIC)\s", external_id):
            raise self.refuse(doctype, "an external DTD", "remove the DOCTYPE's SYSTEM or PUBLIC part")
        if not 0 <= subset_start < declaration_end:
            return {}
        entities: dict[bytes, bytes] = {}
        position = subset_start + 1
        while True:
            if position >= len(head):
                raise self._doctype_too_long(doctype)
            if head[position] == ord("]"):
                return entities
            part = _XML_SUBSET_PART.match(head, position)
            if part is None:
                parameter = head[position] == ord("%")
                problem = "a parameter entity reference in the DOCTYPE" if parameter else "a DOCTYPE part this check cannot read"
                raise self.refuse(position, problem, "keep to simple <!ENTITY name \"value\"> declarations")
            if part.group("attlist") is not None and re.search(rb"[\"']", part.group("attlist")):
                # rdflib's parser (expat) adds a default to every element it fits, so one value of up
                # to the DOCTYPE limit becomes as many literals as the file has elements.
                raise self.refuse(
                    position, "an attribute default in the DOCTYPE (<!ATTLIST ... \"value\">)",
                    "write the attribute out on the elements that have it",
                )
            if part.group("name") is not None:
                name = part.group("name").decode("utf-8", "replace")
                if part.group("parameter"):
                    raise self.refuse(position, f"parameter entity %{name}", "use plain <!ENTITY name \"value\">")
                if part.group("external"):
                    raise self.refuse(
                        position, f"external entity &{name}; (SYSTEM or PUBLIC)", "write its value out"
                    )
                value = part.group("dq") if part.group("dq") is not None else part.group("sq")
                if b"&" in value or b"%" in value:
                    raise self.refuse(
                        position,
                        f"entity &{name}; refers to another entity (nested entities are not allowed)",
                        "write its value out",
                    )
                entities[part.group("name")] = value
                if len(entities) > self.limits.xml_entities:
                    raise self.refuse(
                        position,
                        f"more than the limit of {self.limits.xml_entities} entity declarations",
                        "declare fewer entities or write their values out",
                    )
            position = part.end()

    def _doctype_too_long(self, doctype: int) -> InputError:
        return self.refuse(
            doctype,
            f"a DOCTYPE that does not end within the limit of {self.limits.xml_doctype_bytes} bytes",
            "declare fewer entities or write their values out",
        )
