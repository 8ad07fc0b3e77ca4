"""Characters that change how text reads without showing themselves, written out visibly.

A right-to-left override (U+202E) makes ``‮gnp.exe`` display as "exe.png"; a zero-width space
makes two labels that look the same differ. Every place that shows data to a person (HTML pages
through :mod:`hled_graph.templating`, map tooltips, the CLI's tables) passes the text through
:func:`reveal`, which writes each such character as ``⟨U+202E⟩``: plain text, so it is safe in
any context (element text, an attribute, a JSON string) and the escaping stays the template
engine's. Data formats (Turtle, JSON, CSV) keep the characters as they are.

Which characters: every format character (Unicode category Cf: the bidirectional embeddings,
overrides, isolates and marks, zero-width space/joiners, word joiner, BOM, soft hyphen, tags)
and the default-ignorable letters and marks that render as nothing (Hangul fillers, U+034F,
U+17B4/U+17B5), plus the line and paragraph separators. Variation selectors are left alone:
they pick a glyph's form (an emoji's colour presentation), they neither hide nor reorder text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from urllib.parse import quote

_INVISIBLE_NOT_CF = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2028\u2029\u3164\uffa0")


def is_invisible(char: str) -> bool:
    """Whether ``char`` changes or hides text without being seen (see the module's list)."""
    return char in _INVISIBLE_NOT_CF or unicodedata.category(char) == "Cf"


def marker(char: str) -> str:
    """How an invisible character is written out: ``⟨U+202E⟩``."""
    return f"⟨U+{ord(char):04X}⟩"


# No ASCII character is invisible in this sense: only the others are looked at, one by one.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def reveal(text: str) -> str:
    """``text`` with every invisible character written as its :func:`marker`."""
    return _NON_ASCII.sub(lambda found: marker(found[0]) if is_invisible(found[0]) else found[0], text)


def reveal_in_url(url: str) -> str:
    """``url`` with invisible characters percent-encoded: the link still leads to the same IRI
    (browsers encode them so anyway), but the address bar and status line show them."""
    return _NON_ASCII.sub(lambda found: quote(found[0], safe="") if is_invisible(found[0]) else found[0], url)


@cache
def browser_script() -> str:
    """The same list for a page's own script: ``const INVISIBLE = /[…]/gu;``, every code point that
    :func:`is_invisible` names, spelled out. A browser's ``\\p{Cf}`` follows its own Unicode
    version, not this Python's, and the two lists would drift apart."""
    ranges: list[list[int]] = []
    for code in range(0x80, 0x110000):
        if is_invisible(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    spelled = "".join(f"\\u{{{a:X}}}" if a == b else f"\\u{{{a:X}}}-\\u{{{b:X}}}" for a, b in ranges)
    made = f"// Made by hled_graph.visible from Python's Unicode {unicodedata.unidata_version}.\n"
    return made + f"const INVISIBLE = /[{spelled}]/gu;\n"
