"""The Wikidata links as an SSSOM mapping set (``data/links.sssom.tsv``) and the links graph made from it.

The mapping set is the source of truth: one row per entity of the registry in ``docs/MODEL.md``,
either a link (``skos:exactMatch``, ``skos:closeMatch`` or ``skos:broadMatch`` to a Wikidata item,
with two public sources a reader can open in ``see_also`` and what each shows in ``comment``) or
``sssom:NoTermFound`` with what was searched. It is read with the ``sssom`` package, the SSSOM
reference implementation; that package brings pandas and LinkML, so it is a development and test
dependency: ``python tools/build_links.py`` writes the links graph into ``data/links.ttl``, which
the query tool loads, and a test keeps the file equal to what the mapping set gives.

In the links graph each mapping is SSSOM's own RDF form, an ``owl:Axiom`` annotating subject,
predicate and object with the mapping's slots (named ``<mapping_set_id>/<entity path>`` so that
it can be cited), beside the link itself: ``owl:sameAs`` for ``skos:exactMatch`` (the model keeps
``owl:sameAs`` for what is the same thing), the SKOS predicate otherwise, the item's English label
as recorded (what ``hled-graph links check`` compares), and a place's ISO 3166 code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.iris import compact
from hled_graph.namespaces import HLED, ID, PREFIXES, SEMAPV, SSSOM

if TYPE_CHECKING:
    from rdflib import Graph

MAPPING_SET_FILE_NAME = "links.sssom.tsv"
NO_TERM_FOUND = "sssom:NoTermFound"
# The predicates a row may use, and what each link is in the links graph.
LINK_PREDICATES: dict[str, str] = {
    "skos:exactMatch": "http://www.w3.org/2002/07/owl#sameAs",
    "skos:closeMatch": "http://www.w3.org/2004/02/skos/core#closeMatch",
    "skos:broadMatch": "http://www.w3.org/2004/02/skos/core#broadMatch",
}
# `other` holds what SSSOM has no slot for; this is the one key it may carry.
ISO_3166_KEY = "iso3166Code"
_QID = re.compile(r"wikidata:(Q[1-9][0-9]*)")
_SOURCE = re.compile(r"https://(github\.com/[^/]+/[^/]+/blob/[0-9a-f]{40}/\S+|ror\.org/0[a-z0-9]{8})")
_RETRIEVED = re.compile(r"retrieved \d{4}-\d{2}-\d{2}")
GENERATED_HEADER = (
    "# The links graph, generated from data/links.sssom.tsv by `python tools/build_links.py`:\n"
    "# edit the mapping set, not this file (tests/test_links_data.py keeps the two equal).\n"
)


@dataclass(frozen=True)
class Mapping:
    """One row of the mapping set: an entity of ours and its Wikidata item, or none found."""

    subject: str
    subject_label: str
    category: str
    predicate: str
    qid: str
    object_label: str
    justification: str
    confidence: float | None
    author: str
    date: str
    see_also: tuple[str, ...]
    comment: str
    iso3166_code: str

    @property
    def linked(self) -> bool:
        return bool(self.qid)

    @property
    def subject_curie(self) -> str:
        """The entity written with the project's prefix (``hdl:mexico``)."""
        return compact(self.subject)


@dataclass(frozen=True)
class MappingSet:
    """The mapping set's own metadata (as its YAML header states it) and its rows, sorted by subject."""

    iri: str
    metadata: dict[str, Any]
    mappings: tuple[Mapping, ...]

    def node(self, mapping: Mapping) -> str:
        """The IRI of ``mapping``'s node in the links graph: the set's IRI and the entity's path (``…/org/epa``)."""
        return f"{self.iri}/{mapping.subject.removeprefix(ID)}"


def mapping_set_file() -> Path:
    return resources.data_dir() / MAPPING_SET_FILE_NAME


def read_mapping_set(*, path: Path | None = None) -> MappingSet:
    """Parse the mapping set (the shipped one unless ``path``) with ``sssom``, checking the project's rules per row."""
    from sssom.parsers import parse_sssom_table

    path = mapping_set_file() if path is None else Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file; the Wikidata mapping set ships in data/{MAPPING_SET_FILE_NAME}")
    try:
        parsed = parse_sssom_table(str(path))
    except Exception as exc:  # noqa: BLE001 - sssom and pandas raise many kinds; each is a bad file
        raise InputError(f"{path}: not an SSSOM table ({type(exc).__name__}: {exc}); fix the file") from None
    metadata = dict(parsed.metadata)
    records = parsed.df.to_dict("records")
    # sssom leaves out, with only a logged warning, a row it cannot make a mapping of.
    table = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    rows = len(table) - 1  # the first line of the table names the columns
    if len(records) != rows:
        raise InputError(
            f"{path}: {rows} rows, of which sssom read {len(records)}; a row is not well-formed "
            "(every row needs subject_id, predicate_id, object_id and mapping_justification)"
        )
    mappings = [
        _mapping(record, metadata, parsed.converter.expand, where=f"{path}: {record.get('subject_id')}") for record in records
    ]
    subjects = [mapping.subject for mapping in mappings]
    twice = sorted({subject for subject in subjects if subjects.count(subject) > 1})
    if twice:
        raise InputError(f"{path}: {compact(twice[0])} has more than one row; keep one row per entity")
    if not metadata.get("mapping_set_id"):
        raise InputError(f"{path}: the metadata block has no mapping_set_id; give the set its IRI")
    return MappingSet(
        iri=str(metadata["mapping_set_id"]),
        metadata=metadata,
        mappings=tuple(sorted(mappings, key=lambda mapping: mapping.subject)),
    )


def _slot(record: dict[str, Any], metadata: dict[str, Any], name: str) -> str:
    """A slot's value in the row, or the set's (the reader may have moved a value all rows share up into the header)."""
    value = record.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        value = metadata.get(name, "")
    if isinstance(value, list):
        value = "|".join(str(item) for item in value)
    return str(value)


def _mapping(record: dict[str, Any], metadata: dict[str, Any], expand: Any, *, where: str) -> Mapping:
    subject = expand(_slot(record, metadata, "subject_id")) or ""
    if not subject.startswith(ID):
        raise InputError(f"{where}: the subject is not an entity of ours ({ID}…); fix subject_id")
    predicate, target = _slot(record, metadata, "predicate_id"), _slot(record, metadata, "object_id")
    if predicate not in LINK_PREDICATES:
        raise InputError(f"{where}: predicate {predicate!r} is not one of {', '.join(LINK_PREDICATES)}; fix the row")
    justification = _slot(record, metadata, "mapping_justification")
    if not justification.startswith("semapv:"):
        raise InputError(f"{where}: mapping_justification {justification!r} is not a semapv: term; fix the row")
    confidence_text = _slot(record, metadata, "confidence")
    see_also = tuple(url for url in _slot(record, metadata, "see_also").split("|") if url)
    comment = _slot(record, metadata, "comment")
    found = _QID.fullmatch(target)
    if found:
        problems = [
            "two sources a reader can open in see_also (a GitHub blob at a commit, or a ror.org record)"
            if len(see_also) < 2 or not all(_SOURCE.fullmatch(url) for url in see_also) else "",
            "a comment saying what each source shows and when it was retrieved"
            if not _RETRIEVED.search(comment) else "",
            "the item's English label in object_label" if not _slot(record, metadata, "object_label") else "",
            "a confidence" if not confidence_text else "",
        ]
        missing = [problem for problem in problems if problem]
        if missing:
            raise InputError(f"{where}: a link needs {missing[0]}; add it or map the entity to {NO_TERM_FOUND}")
    elif target != NO_TERM_FOUND:
        raise InputError(f"{where}: object {target!r} is neither a Wikidata item (wikidata:Q…) nor {NO_TERM_FOUND}")
    elif see_also or confidence_text or not comment:
        raise InputError(f"{where}: a row with {NO_TERM_FOUND} has no see_also or confidence, and a comment saying what was searched")
    return Mapping(
        subject=subject,
        subject_label=_slot(record, metadata, "subject_label"),
        category=_slot(record, metadata, "subject_category"),
        predicate=predicate,
        qid=found.group(1) if found else "",
        object_label=_slot(record, metadata, "object_label"),
        justification=justification,
        confidence=float(confidence_text) if confidence_text else None,
        author=_slot(record, metadata, "author_label"),
        date=_slot(record, metadata, "mapping_date"),
        see_also=see_also,
        comment=comment,
        iso3166_code=_iso_3166_code(_slot(record, metadata, "other"), where=where),
    )


def _iso_3166_code(other: str, *, where: str) -> str:
    if not other:
        return ""
    key, _, value = other.partition("=")
    if key != ISO_3166_KEY or not re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", value):
        raise InputError(f"{where}: other must be {ISO_3166_KEY}=<ISO 3166 code> (\"{ISO_3166_KEY}=MX-VER\"), not {other!r}")
    return value


def links_graph_from(mapping_set: MappingSet) -> Graph:
    """The links graph: each link, its item's recorded label, ISO codes, and every mapping in SSSOM's RDF form."""
    from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS

    from hled_graph.graph import bind_prefixes

    sssom = Namespace(SSSOM)
    graph = bind_prefixes(Graph())
    graph.bind("sssom", SSSOM)
    graph.bind("semapv", SEMAPV)
    the_set = URIRef(mapping_set.iri)
    meta = mapping_set.metadata
    graph.add((the_set, RDF.type, sssom.MappingSet))
    for predicate, key in (
        (DCTERMS.title, "mapping_set_title"),
        (DCTERMS.description, "mapping_set_description"),
        (OWL.versionInfo, "mapping_set_version"),
    ):
        if meta.get(key):
            # Prose is tagged English, as everywhere in the graph; the version is a plain string.
            graph.add((the_set, predicate, Literal(str(meta[key]), lang=None if predicate == OWL.versionInfo else "en")))
    if meta.get("license"):
        graph.add((the_set, DCTERMS.license, URIRef(str(meta["license"]))))
    if meta.get("publication_date"):
        graph.add((the_set, DCTERMS.issued, Literal(str(meta["publication_date"]), datatype=XSD.date)))
    for creator in meta.get("creator_label") or []:
        graph.add((the_set, sssom.creator_label, Literal(str(creator))))
    for mapping in mapping_set.mappings:
        subject, node = URIRef(mapping.subject), URIRef(mapping_set.node(mapping))
        target = URIRef(PREFIXES["wd"] + mapping.qid) if mapping.linked else sssom.NoTermFound
        graph.add((the_set, sssom.mappings, node))
        graph.add((node, RDF.type, OWL.Axiom))
        graph.add((node, OWL.annotatedSource, subject))
        graph.add((node, OWL.annotatedProperty, SKOS[mapping.predicate.removeprefix("skos:")]))
        graph.add((node, OWL.annotatedTarget, target))
        for slot, value in (
            ("subject_label", mapping.subject_label),
            ("subject_category", mapping.category),
            ("object_label", mapping.object_label),
            ("author_label", mapping.author),
        ):
            if value:
                graph.add((node, sssom[slot], Literal(value)))
        graph.add((node, sssom.mapping_justification, URIRef(SEMAPV + mapping.justification.removeprefix("semapv:"))))
        if mapping.confidence is not None:
            graph.add((node, sssom.confidence, Literal(mapping.confidence, datatype=XSD.double)))
        if mapping.date:
            graph.add((node, DCTERMS.created, Literal(mapping.date, datatype=XSD.date)))
        for url in mapping.see_also:
            graph.add((node, RDFS.seeAlso, URIRef(url)))
        graph.add((node, RDFS.comment, Literal(mapping.comment, lang="en")))
        if mapping.linked:
            graph.add((subject, URIRef(LINK_PREDICATES[mapping.predicate]), target))
            graph.add((target, RDFS.label, Literal(mapping.object_label, lang="en")))
        if mapping.iso3166_code:
            graph.add((subject, URIRef(HLED + "iso3166Code"), Literal(mapping.iso3166_code)))
    return graph


def links_turtle(mapping_set: MappingSet | None = None) -> str:
    """The links graph as Turtle, the same text every time, with a header saying where it comes from."""
    graph = links_graph_from(mapping_set if mapping_set is not None else read_mapping_set())
    return GENERATED_HEADER + "\n" + graph.serialize(format="turtle")
