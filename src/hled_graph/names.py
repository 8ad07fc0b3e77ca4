"""Bare names: the one rule by which every option that takes an entity reads a name without a prefix.

``--focus epa``, ``--bind org=usaid`` and ``named_query(..., org="usaid")`` all mean the same
entity. A bare name is a value that is not an IRI, a prefixed name, a quoted literal, a number or
a boolean. It names the entity of the dataset (an IRI under ``https://w3id.org/hled/id/``) whose
short name (the end of its IRI: ``epa`` for ``hdo:epa``) is that name, or failing that whose
label is (:mod:`hled_graph.labels`); case is ignored in both. Anything else is refused with the closest names, never read as text:
text is written quoted (``'"USAID"'``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from hled_graph.errors import InputError
from hled_graph.iris import compact, local_name
from hled_graph.namespaces import ID

# An entity as the rule sees it: its IRI and its label (None when it has none).
Entity = tuple[str, str | None]

ENTITY_NAMESPACE = ID


def resolve(name: str, entities: Iterable[Entity], *, where: str, text_allowed: bool = False) -> str:
    """The IRI of the one entity that ``name`` names; else an :class:`InputError` beginning with ``where``.

    ``text_allowed``: the option also takes text, so the refusal says how to write it.
    """
    wanted = name.strip()
    known = [(iri, label) for iri, label in entities if iri.startswith(ENTITY_NAMESPACE)]
    by_short = sorted({iri for iri, _label in known if local_name(iri).casefold() == wanted.casefold()})
    by_label = sorted({iri for iri, label in known if label is not None and label.casefold() == wanted.casefold()})
    matches = by_short or by_label
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(compact(iri) for iri in matches)
        raise InputError(f"{where}{name}: the name is ambiguous, it names {names}; give one of these prefixed names")
    candidates: dict[str, str] = {}
    for iri, label in sorted(known, key=lambda entity: entity[0]):
        for alias in (local_name(iri), label or ""):
            candidates.setdefault(alias, compact(iri))
    close = difflib.get_close_matches(wanted, [alias for alias in candidates if alias], n=3, cutoff=0.5)
    closest_first = dict.fromkeys(candidates[alias] for alias in close)
    hint = (
        f"did you mean {', '.join(closest_first)}?"
        if close
        else "give an IRI, a prefixed name like hdo:epa, or a short name like epa"
    )
    if text_allowed:
        hint += f" (text is written quoted: '\"{name}\"')"
    raise InputError(f"{where}{name}: no entity has this name; {hint}")
