"""The Wikidata link coverage: one row per registry entity, linked or not, and the README table.

The rows come from ``data/links-evidence.tsv``, the evidence file of the links: for each entity
of the registry in ``docs/MODEL.md`` the Wikidata item it is linked to (or none), the relation,
the English Wikidata label the QID was checked against, two public sources, and a note.
Plain text in, plain text out: nothing here needs rdflib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.iris import compact

EVIDENCE_FILE_NAME = "links-evidence.tsv"
COLUMNS: tuple[str, ...] = (
    "entity_iri",
    "class_hint",
    "qid",
    "relation",
    "wikidata_label",
    "evidence_1",
    "evidence_2",
    "note",
)
RELATIONS: tuple[str, ...] = ("owl:sameAs", "skos:exactMatch", "skos:closeMatch")
NO_ITEM = "no verified item"
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
_QID = re.compile(r"Q[1-9][0-9]*")


@dataclass(frozen=True)
class CoverageRow:
    """One registry entity and its Wikidata link (``qid`` empty when there is no verified item)."""

    entity_iri: str
    class_hint: str
    qid: str
    relation: str
    wikidata_label: str
    evidence_1: str
    evidence_2: str
    note: str

    @property
    def linked(self) -> bool:
        return bool(self.qid)

    @property
    def entity_curie(self) -> str:
        """The entity IRI written with the longest matching prefix of the project (``hdl:mexico``)."""
        return compact(self.entity_iri)


def evidence_file() -> Path:
    return resources.data_dir() / EVIDENCE_FILE_NAME


def coverage_rows(*, path: Path | None = None) -> list[CoverageRow]:
    """Read the evidence file (the shipped one unless ``path`` is given), checking every row."""
    path = evidence_file() if path is None else Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; the link evidence file ships in data/") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise InputError(
            f"{path}:1: the header must be the tab-separated columns {', '.join(COLUMNS)}; fix the header"
        )
    rows = [_parse_row(line, where=f"{path}:{number}") for number, line in enumerate(lines[1:], start=2)]
    return rows


def _parse_row(line: str, *, where: str) -> CoverageRow:
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        raise InputError(
            f"{where}: {len(fields)} tab-separated fields, expected {len(COLUMNS)}; fix the row"
        )
    row = CoverageRow(*fields)
    if not row.entity_iri.startswith(("https://", "http://")):
        raise InputError(f"{where}: entity {row.entity_iri!r} is not an IRI; write the full IRI")
    if row.linked:
        if not _QID.fullmatch(row.qid):
            raise InputError(f"{where}: {row.qid!r} is not a Wikidata QID (Q followed by digits)")
        if row.relation not in RELATIONS:
            raise InputError(
                f"{where}: relation {row.relation!r} is not one of {', '.join(RELATIONS)}; fix the row"
            )
        if not (row.wikidata_label and row.evidence_1 and row.evidence_2):
            raise InputError(
                f"{where}: a link needs the English Wikidata label and two evidence sources; "
                "add them or remove the QID"
            )
    elif row.relation or row.wikidata_label or not row.note.startswith(NO_ITEM):
        raise InputError(
            f"{where}: a row without a QID has no relation or label and a note starting "
            f"{NO_ITEM!r}; fix the row"
        )
    return row


def coverage_markdown(*, rows: list[CoverageRow] | None = None) -> str:
    """The README's coverage table: entity, link or "no verified item", relation, evidence."""
    rows = coverage_rows() if rows is None else rows
    linked = [row for row in rows if row.linked]
    by_relation = {rel: sum(row.relation == rel for row in linked) for rel in RELATIONS}
    relation_counts = ", ".join(f"{count} `{rel}`" for rel, count in by_relation.items() if count)
    lines = [
        f"{len(linked)} of {len(rows)} registry entities are linked to Wikidata"
        + (f" ({relation_counts})" if relation_counts else "")
        + f"; the other {len(rows) - len(linked)} have no verified item.",
        "",
        "| entity | Wikidata | relation | evidence |",
        "|---|---|---|---|",
    ]
    for row in rows:
        if row.linked:
            link = f"[{row.qid}]({WIKIDATA_PAGE}{row.qid}) {row.wikidata_label}"
            evidence = "; ".join(part for part in (row.evidence_1, row.evidence_2, row.note) if part)
        else:
            link, evidence = NO_ITEM, row.note.removeprefix(NO_ITEM).lstrip(": ")
        cells = (f"`{row.entity_curie}`", link, f"`{row.relation}`" if row.relation else "", evidence)
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # Evidence quotes code, so markup characters must stay literal in the rendered README.
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )
