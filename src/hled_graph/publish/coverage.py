"""The Wikidata link coverage table of the README: one row per registry entity, linked or not.

The rows are the mapping set's (``data/links.sssom.tsv``, read by :mod:`.mapping_set`): the entity,
its Wikidata item with the English label it was checked against, the SSSOM predicate, and the two
public sources as links, or what was searched when no item was verified.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hled_graph.publish.mapping_set import LINK_PREDICATES, Mapping, read_mapping_set

NO_ITEM = "no verified item"
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"


def coverage_markdown(*, mappings: tuple[Mapping, ...] | None = None) -> str:
    """The README's coverage table: entity, item or "no verified item", predicate, sources or what was searched."""
    mappings = read_mapping_set().mappings if mappings is None else mappings
    linked = [mapping for mapping in mappings if mapping.linked]
    counts = ", ".join(
        f"{count} `{predicate}`"
        for predicate in LINK_PREDICATES
        if (count := sum(mapping.predicate == predicate for mapping in linked))
    )
    lines = [
        f"{len(linked)} of {len(mappings)} registry entities are linked to Wikidata"
        + (f" ({counts})" if counts else "")
        + f"; the other {len(mappings) - len(linked)} have no verified item.",
        "",
        "| entity | Wikidata | predicate | evidence |",
        "|---|---|---|---|",
    ]
    for mapping in mappings:
        if mapping.linked:
            item = f"[{mapping.qid}]({WIKIDATA_PAGE}{mapping.qid}) {_cell(mapping.object_label)}"
            note = _cell(mapping.comment.split(" Source 1:", 1)[0]) if " Source 1:" in mapping.comment else ""
            sources = ", ".join(f"[{_cell(_source_name(url))}]({url})" for url in mapping.see_also)
            cells = (f"`{mapping.subject_curie}`", item, f"`{mapping.predicate}`", f"{note} {sources}".strip())
        else:
            cells = (f"`{mapping.subject_curie}`", NO_ITEM, "", _cell(mapping.comment.removeprefix(NO_ITEM).lstrip(": ")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _source_name(url: str) -> str:
    """What a reader sees of a source: ``owner/repository`` for a GitHub blob, the host otherwise."""
    parts = urlsplit(url)
    if parts.netloc == "github.com":
        return "/".join(parts.path.strip("/").split("/")[:2])
    return parts.netloc + parts.path


def _cell(text: str) -> str:
    # Comments quote code, so markup characters must stay literal in the rendered README.
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s+", " ", text)
