"""IRIs written short for people: ``hdo:epa`` for ``https://w3id.org/hled/id/org/epa``.

The one compaction of the project. The longest namespace wins (``hdo:epa``, not ``hd:org/epa``),
and a prefixed name is only written when it is valid SPARQL and Turtle, so what a person copies
from a table, a page or a message can be pasted back into a query. Any other IRI, unknown or with
a local part that is not a valid prefixed name, is written in angle brackets (``<http://…>``):
again valid SPARQL and Turtle, and never mistaken for a prefixed name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hled_graph.namespaces import PREFIXES

# A local part that needs no escaping in SPARQL and Turtle (a subset of PN_LOCAL, ASCII only).
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def split(iri: str, *, prefixes: Mapping[str, str] = PREFIXES) -> tuple[str, str] | None:
    """The (prefix, local part) of ``iri`` under the longest namespace that gives a valid prefixed
    name (the local part may be empty: ``hdo:``), or None."""
    best: tuple[str, str] | None = None
    for prefix, namespace in prefixes.items():
        if not iri.startswith(namespace) or (best is not None and len(namespace) <= len(prefixes[best[0]])):
            continue
        local = iri[len(namespace):]
        if local == "" or _LOCAL_NAME.fullmatch(local):
            best = (prefix, local)
    return best


def compact(iri: str, *, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``prefix:local`` for an IRI in one of ``prefixes``, else ``<iri>``."""
    found = split(iri, prefixes=prefixes)
    return f"{found[0]}:{found[1]}" if found else f"<{iri}>"


def local_name(iri: str) -> str:
    """The end of an IRI, after its last ``/`` or ``#`` (``epa`` for ``hdo:epa``): its short name."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]
