"""The graph as typed tables: one CSV per kind of thing, described by CSV on the Web metadata.

Each table is one :class:`Table`: a SPARQL SELECT over the asserted graph (ontology, data, links)
whose variables are the table's columns, and for each column its CSVW description (title,
datatype, language, the RDF property it states). From these the module writes the CSV files, one
``csv-metadata.json`` (a CSVW table group: columns, primary and foreign keys, ``aboutUrl``,
``propertyUrl`` and ``valueUrl``, so that a CSVW processor turns the tables back into RDF) and a
data dictionary page listing every column.

One row per entity, keyed by its IRI; what an entity has several of (the agents of an act, its
places, its sources) is a link table of its own, never a cell joined with "; ". A value that the
data states at several precisions (a day, a month, a year) gets one typed column per precision,
so that no column mixes datatypes and no day is invented.

Structural blank nodes of the graph (an amount, a count, a chair's membership, a time, a quote's
selectors) have no IRI to key a row by; in the CSVW conversion they become IRIs minted from their
owner's, ``<act>#amount``, ``<act>#quantity-<unit>``, ``<entity>#time-<part>``. The conversion
states the links to amounts, counts, associations and chairs; the links from an entity to its
time and from a quote to its selectors are not restated (CSVW states one triple per cell and
cannot state one only where a cell is filled), so the dates sit on ``<entity>#time-at`` /
``-begins`` / ``-ends`` nodes.

Bytes are deterministic: rows sorted by their cells, columns in a fixed order, UTF-8 without a
byte-order mark, lines ended by CRLF (RFC 4180 and the CSVW default dialect).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hled_graph.errors import InputError
from hled_graph.namespaces import CC0, HLED, PREFIXES, SPARQL_PROLOGUE

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

METADATA_FILE = "csv-metadata.json"
DICTIONARY_FILE = "index.html"
_XSD = PREFIXES["xsd"]
# The CSVW datatypes the tables use, and the XSD datatype a cell's literal must have in the graph.
_LITERAL_TYPES = {
    "string": _XSD + "string",
    "integer": _XSD + "integer",
    "decimal": _XSD + "decimal",
    "double": _XSD + "double",
    "date": _XSD + "date",
    "gYearMonth": _XSD + "gYearMonth",
    "gYear": _XSD + "gYear",
    "boolean": _XSD + "boolean",
}
_LANG_STRING = PREFIXES["rdf"] + "langString"
_PRECISIONS = (("date", "date", "day"), ("month", "gYearMonth", "month"), ("year", "gYear", "year"))


def _iri(prefixed: str) -> str:
    prefix, _, local = prefixed.partition(":")
    return PREFIXES[prefix] + local


@dataclass(frozen=True)
class Column:
    """One column: its CSV header ``name`` (also the SELECT variable) and what it means in CSVW.

    ``link`` says the cell is an IRI (the value is ``valueUrl`` ``{+name}`` unless ``value_url``
    says otherwise); ``prop`` is the RDF property the cell states (a prefixed name, a full IRI or
    a URI template), of the row's subject or of ``about`` where given; a column without ``prop``
    only names the row (``suppressOutput``).
    """

    name: str
    title: str
    description: str
    datatype: str = "string"
    prop: str | None = None
    link: bool = False
    about: str | None = None
    value_url: str | None = None
    lang: str | None = None
    required: bool = False

    def describe(self) -> dict[str, object]:
        """The column's CSVW description."""
        out: dict[str, object] = {
            "name": self.name,
            "titles": self.title,
            "dc:description": self.description,
            "datatype": "anyURI" if self.link else self.datatype,
            "required": self.required,
        }
        if self.lang:
            out["lang"] = self.lang
        if self.prop is None:
            out["suppressOutput"] = True
            return out
        out["propertyUrl"] = self.prop if "{" in self.prop or "://" in self.prop else _iri(self.prop)
        if self.about:
            out["aboutUrl"] = self.about
        if self.link or self.value_url:
            out["valueUrl"] = self.value_url or "{+" + self.name + "}"
        return out


def _when(name: str, title: str, description: str, prop: str | dict[str, str]) -> tuple[Column, ...]:
    """One column per precision (``name_date``, ``name_month``, ``name_year``) of a date-like value.

    ``prop`` is the property of all three, or one per datatype (OWL-Time has ``inXSDDate``,
    ``inXSDgYearMonth``, ``inXSDgYear``).
    """
    return tuple(
        Column(f"{name}_{suffix}" if name else suffix, f"{title} ({precision})",
               f"{description}, where the data gives it to the {precision}",
               datatype=datatype, prop=prop if isinstance(prop, str) else prop[datatype])
        for suffix, datatype, precision in _PRECISIONS
    )


def _split_by_precision(variable: str, name: str) -> str:
    """SPARQL that binds ``?name_date`` / ``_month`` / ``_year`` to ``?variable`` by its datatype.

    The other two stay unbound: ``1/0`` is an error, and a BIND whose expression fails binds nothing.
    """
    prefix = f"{name}_" if name else ""
    return "".join(
        f"  BIND (IF(DATATYPE(?{variable}) = xsd:{datatype}, ?{variable}, 1/0) AS ?{prefix}{suffix})\n"
        for suffix, datatype, _precision in _PRECISIONS
    )


@dataclass(frozen=True)
class Table:
    """One CSV file: ``name``.csv, its rows from ``query`` (a SELECT whose variables are the columns)."""

    name: str
    title: str
    description: str
    about: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    query: str
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, table whose key it references)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def describe(self) -> dict[str, object]:
        """The table's CSVW description (one entry of the table group's ``tables``)."""
        return {
            "url": self.file_name,
            "dc:title": self.title,
            "dc:description": self.description,
            "tableSchema": {
                "columns": [column.describe() for column in self.columns],
                "primaryKey": list(self.key) if len(self.key) > 1 else self.key[0],
                "aboutUrl": self.about,
                "foreignKeys": [
                    {"columnReference": column, "reference": {"resource": f"{table}.csv", "columnReference": "id"}}
                    for column, table in self.foreign_keys
                ],
            },
        }


_KEY = Column("id", "IRI", "the entity's IRI, its stable key", link=True, required=True)


def _label(lang: str = "en", prop: str = "skos:prefLabel", name: str = "label") -> Column:
    language = {"en": "English", "es": "Spanish"}[lang]
    return Column(name, f"name ({language})" if name != "label" else "name",
                  f"the {language} name ({prop})", prop=prop, lang=lang, required=name == "label")


def _kind(description: str) -> Column:
    return Column("kind", "kind", description, link=True, prop="rdf:type", required=True)


def _wikidata() -> Column:
    return Column("wikidata", "Wikidata item", "the Wikidata item that is the same thing (owl:sameAs), where "
                  "a verified link exists", link=True, prop="owl:sameAs")


_EN_LABEL = '  ?id skos:prefLabel ?label . FILTER (LANG(?label) = "en")\n'
_ES_LABEL = '  OPTIONAL { ?id skos:prefLabel ?label_es . FILTER (LANG(?label_es) = "es") }\n'
_WIKIDATA = '  OPTIONAL { ?id owl:sameAs ?wikidata . FILTER (STRSTARTS(STR(?wikidata), STR(wd:))) }\n'


def _select(table_columns: Sequence[Column], where: str) -> str:
    variables = " ".join(f"?{column.name}" for column in table_columns)
    return f"{SPARQL_PROLOGUE}SELECT DISTINCT {variables}\nWHERE {{\n{where}}}\n"


def _table(name: str, title: str, description: str, *, about: str, key: tuple[str, ...],
           columns: tuple[Column, ...], where: str, foreign_keys: tuple[tuple[str, str], ...] = ()) -> Table:
    return Table(name, title, description, about, key, columns, _select(columns, where), foreign_keys)


def _pairs(name: str, title: str, description: str, *, owner: tuple[str, str, str],
           value: tuple[str, str, str | None], prop: str | None = None, relations: str | None = None,
           where: str = "") -> Table:
    """A link table: one row per entity and value of a property it has several of.

    ``owner`` and ``value`` are (column, meaning, table whose key it references or None). With
    ``relations`` (prefixed names), the property is one of them, named in a ``relation`` column.
    """
    (owner_name, owner_meaning, owner_table), (value_name, value_meaning, value_table) = owner, value
    columns = [Column(owner_name, owner_name, owner_meaning, link=True, required=True)]
    if relations:
        listed = relations.replace(" ", ", ")
        columns.append(Column("relation", "relation", f"the property: {listed}", link=True, required=True))
        where += f"  ?{owner_name} ?relation ?{value_name} .\n  VALUES ?relation {{ {relations} }}\n"
    columns.append(Column(value_name, value_name, value_meaning, link=True, prop=prop or "{+relation}",
                          required=True))
    key = (owner_name, "relation", value_name) if relations else (owner_name, value_name)
    references = tuple((column, table) for column, table in ((owner_name, owner_table), (value_name, value_table))
                       if table)
    return _table(name, title, description, about="{+" + owner_name + "}", key=key, columns=tuple(columns),
                  where=where, foreign_keys=references)


_ORG_KINDS = "org:Organization org:FormalOrganization org:OrganizationalCollaboration foaf:Group"

TABLES: tuple[Table, ...] = (
    _table(
        "pillars", "Pillars", "The four pillars of the dialogue (hled:Pillar).",
        about="{+id}", key=("id",),
        columns=(
            _KEY,
            Column("number", "number", "the pillar's number (hled:pillarNumber)", "integer", "hled:pillarNumber",
                   required=True),
            Column("notation", "notation", "the Roman numeral (skos:notation)", prop="skos:notation"),
            _label(),
        ),
        where="  ?id a hled:Pillar ; hled:pillarNumber ?number .\n  OPTIONAL { ?id skos:notation ?notation }\n"
        + _EN_LABEL,
    ),
    _table(
        "statuses", "Statuses", "What a document reports about an act (the concepts of hd:statuses).",
        about="{+id}", key=("id",),
        columns=(
            _KEY, _label(),
            Column("definition", "definition", "what the status means (skos:definition)", prop="skos:definition",
                   lang="en"),
        ),
        where="  ?id a hled:Status .\n" + _EN_LABEL
        + '  OPTIONAL { ?id skos:definition ?definition . FILTER (LANG(?definition) = "en") }\n',
    ),
    _table(
        "rounds", "Rounds", "The meetings of the dialogue (hled:Round), each with its document.",
        about="{+id}", key=("id",),
        columns=(
            _KEY, _label(prop="rdfs:label"),
            *_when("start", "date", "the day the round met (schema:startDate)", "schema:startDate"),
            Column("place", "place", "where it met (schema:location)", link=True, prop="schema:location"),
        ),
        where="  ?id a hled:Round ; rdfs:label ?label . FILTER (LANG(?label) = \"en\")\n"
        "  OPTIONAL { ?id schema:startDate ?start }\n" + _split_by_precision("start", "start")
        + "  OPTIONAL { ?id schema:location ?place }\n",
        foreign_keys=(("place", "places"),),
    ),
    _table(
        "documents", "Documents", "The documents the graph cites (foaf:Document): the fact sheets, their copies, "
        "public records.",
        about="{+id}", key=("id",),
        columns=(
            _KEY,
            Column("title", "title", "the document's title (dcterms:title)", prop="dcterms:title", lang="en"),
            Column("issued", "issued", "the day it was issued (dcterms:issued)", "date", "dcterms:issued"),
            Column("publisher", "publisher", "who published it (dcterms:publisher)", link=True,
                   prop="dcterms:publisher"),
            Column("page", "web page", "its official address (foaf:page)", link=True, prop="foaf:page"),
            Column("round", "round", "the round it belongs to (hled:publishedAt)", link=True,
                   prop="hled:publishedAt"),
            Column("derived_from", "copy of", "the original this copy was made from (prov:wasDerivedFrom)",
                   link=True, prop="prov:wasDerivedFrom"),
        ),
        where="  ?id a foaf:Document .\n"
        '  OPTIONAL { ?id dcterms:title ?title . FILTER (LANG(?title) = "en") }\n'
        "  OPTIONAL { ?id dcterms:issued ?issued }\n  OPTIONAL { ?id dcterms:publisher ?publisher }\n"
        "  OPTIONAL { ?id foaf:page ?page }\n  OPTIONAL { ?id hled:publishedAt ?round }\n"
        "  OPTIONAL { ?id prov:wasDerivedFrom ?derived_from }\n",
        foreign_keys=(("round", "rounds"), ("derived_from", "documents")),
    ),
    _table(
        "organizations", "Organizations", "Every organization, government, working group, collaboration and "
        "stakeholder group.",
        about="{+id}", key=("id",),
        columns=(
            _KEY, _label(), _label("es", name="label_es"),
            _kind("the organization's kind: the hled: class the data states (hled:Ministry, hled:WorkingGroup …)"),
            Column("parent", "part of", "the body it is part of (org:subOrganizationOf, or org:unitOf for a unit)",
                   link=True, prop="{+parent_relation}"),
            Column("parent_relation", "how it is part", "org:subOrganizationOf or org:unitOf", link=True),
            Column("government", "government", "the national government it belongs to, following parents up",
                   link=True),
            _wikidata(),
        ),
        where="  ?id a ?kind .\n  ?kind rdfs:subClassOf+ ?top .\n"
        f"  VALUES ?top {{ {_ORG_KINDS} }}\n"
        f'  FILTER (STRSTARTS(STR(?kind), "{HLED}"))\n'
        "  FILTER NOT EXISTS { ?id a ?narrower . ?narrower rdfs:subClassOf+ ?kind }\n"
        + _EN_LABEL + _ES_LABEL
        + "  OPTIONAL { { ?id org:unitOf ?parent . BIND (org:unitOf AS ?parent_relation) } UNION\n"
        "             { ?id org:subOrganizationOf ?parent . FILTER NOT EXISTS { ?id org:unitOf ?unitOf }\n"
        "               BIND (org:subOrganizationOf AS ?parent_relation) } }\n"
        "  OPTIONAL { ?id (org:subOrganizationOf|org:unitOf)* ?government . ?government a hled:NationalGovernment }\n"
        + _WIKIDATA,
        foreign_keys=(("government", "organizations"),),
    ),
    _pairs(
        "organization_countries", "Countries of the organizations", "The country or countries an organization, "
        "working group or stakeholder group belongs to (hled:country); one row per organization and country.",
        owner=("organization", "the organization", "organizations"),
        value=("country", "a country it belongs to (hled:country)", "places"), prop="hled:country",
        where="  ?organization hled:country ?country .\n"
        f"  ?organization a ?kind . ?kind rdfs:subClassOf+ ?top . VALUES ?top {{ {_ORG_KINDS} }}\n",
    ),
    _pairs(
        "organization_members", "Members of the collaborations", "The members of the dialogue and its working "
        "groups (org:hasMember) and the stakeholder groups taking part (hled:hasParticipant); one row per "
        "collaboration, relation and member.",
        owner=("collaboration", "the dialogue or working group", "organizations"),
        value=("member", "the member organization or participating group", "organizations"),
        relations="org:hasMember hled:hasParticipant",
    ),
    _table(
        "people", "People", "The people the documents name (schema:Person).",
        about="{+id}", key=("id",),
        columns=(
            _KEY,
            Column("name", "name", "the person's name (schema:name)", prop="schema:name", lang="en", required=True),
            Column("job_title", "job title", "the office named beside the name (schema:jobTitle)",
                   prop="schema:jobTitle", lang="en"),
            Column("affiliation", "affiliation", "the government they serve (schema:affiliation)", link=True,
                   prop="schema:affiliation"),
            _wikidata(),
        ),
        where='  ?id a schema:Person ; schema:name ?name . FILTER (LANG(?name) = "en")\n'
        '  OPTIONAL { ?id schema:jobTitle ?job_title . FILTER (LANG(?job_title) = "en") }\n'
        "  OPTIONAL { ?id schema:affiliation ?affiliation }\n" + _WIKIDATA,
        foreign_keys=(("affiliation", "organizations"),),
    ),
    _table(
        "posts", "Posts", "The offices held by the chairs of the rounds (org:Post).",
        about="{+id}", key=("id",),
        columns=(
            _KEY, _label(prop="rdfs:label"),
            Column("post_in", "post in", "the organization the post is in (org:postIn)", link=True,
                   prop="org:postIn"),
        ),
        where='  ?id a org:Post ; rdfs:label ?label . FILTER (LANG(?label) = "en")\n'
        "  OPTIONAL { ?id org:postIn ?post_in }\n",
        foreign_keys=(("post_in", "organizations"),),
    ),
    _table(
        "round_chairs", "Chairs of the rounds", "Who chaired each round, in which post (hled:chair → "
        "org:Membership); one row per round and person.",
        about="{+round}#chair-{person}", key=("round", "person"),
        columns=(
            Column("round", "round", "the round (hled:chair from the round to this membership)", link=True,
                   prop="hled:chair", about="{+round}", value_url="{+round}#chair-{person}", required=True),
            Column("person", "person", "the chair (org:member)", link=True, prop="org:member", required=True),
            Column("post", "post", "the post held (hled:post)", link=True, prop="hled:post"),
            Column("organization", "organization", "the organization of the post (org:organization)", link=True,
                   prop="org:organization"),
        ),
        where="  ?round a hled:Round ; hled:chair ?membership .\n  ?membership org:member ?person .\n"
        "  OPTIONAL { ?membership hled:post ?post }\n  OPTIONAL { ?membership org:organization ?organization }\n",
        foreign_keys=(("round", "rounds"), ("person", "people"), ("post", "posts"), ("organization", "organizations")),
    ),
    _table(
        "actions", "Actions", "Every act a document reports (hled:Action): what it is, its status, its pillar.",
        about="{+id}", key=("id",),
        columns=(
            _KEY,
            Column("label", "title", "a short readable title (rdfs:label)", prop="rdfs:label", lang="en",
                   required=True),
            _kind("the act's kind: its hled: class (hled:Forum, hled:FundingCommitmentAct …)"),
            Column("status", "status", "what its document reports (hled:status)", link=True, prop="hled:status",
                   required=True),
            Column("pillar", "pillar", "its pillar (hled:pillar); empty for the dialogue as a whole", link=True,
                   prop="hled:pillar"),
            Column("description", "description", "what the document reports, in one sentence (dcterms:description)",
                   prop="dcterms:description", lang="en"),
        ),
        where="  ?id hled:status ?status ; rdfs:label ?label . FILTER (LANG(?label) = \"en\")\n"
        + f'  ?id a ?kind . FILTER (STRSTARTS(STR(?kind), "{HLED}"))\n'
        + "  OPTIONAL { ?id hled:pillar ?pillar }\n"
        '  OPTIONAL { ?id dcterms:description ?description . FILTER (LANG(?description) = "en") }\n',
        foreign_keys=(("status", "statuses"), ("pillar", "pillars")),
    ),
    _table(
        "action_sources", "Sources of the actions", "Each document that reports an act, its round and the quote "
        "of the sentence (oa:Annotation, with character offsets into the document's copy); one row per act and "
        "document.",
        about="{+quote}", key=("action", "document"),
        columns=(
            Column("action", "action", "the act (oa:hasBody of the quote)", link=True, prop="oa:hasBody",
                   required=True),
            Column("document", "document", "the document that reports it (dcterms:source of the act)", link=True,
                   prop="dcterms:source", about="{+action}", required=True),
            Column("round", "round", "the round whose document reports it (hled:reportedAt of the act)", link=True,
                   prop="hled:reportedAt", about="{+action}"),
            Column("quote", "quote", "the annotation that quotes the sentence", link=True),
            Column("copy", "quoted copy", "the copy of the document the offsets count in (oa:hasSource)", link=True,
                   prop="oa:hasSource", about="{+quote}#target"),
            Column("exact", "sentence", "the quoted sentence, in the copy's own wording (oa:exact)", prop="oa:exact",
                   about="{+quote}#text"),
            Column("start", "start", "offset of its first character in the copy (oa:start)", "integer", "oa:start",
                   about="{+quote}#position"),
            Column("end", "end", "offset after its last character (oa:end)", "integer", "oa:end",
                   about="{+quote}#position"),
        ),
        where="  ?action hled:status ?status ; dcterms:source ?document .\n"
        "  OPTIONAL { ?document hled:publishedAt ?round . ?action hled:reportedAt ?round }\n"
        "  OPTIONAL {\n    ?quote oa:hasBody ?action ; oa:hasTarget ?target .\n"
        "    ?target oa:hasSource ?copy . ?copy prov:wasDerivedFrom ?document .\n"
        "    OPTIONAL { ?target oa:hasSelector ?text . ?text oa:exact ?exact }\n"
        "    OPTIONAL { ?target oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }\n  }\n",
        foreign_keys=(("action", "actions"), ("document", "documents"), ("round", "rounds"), ("copy", "documents")),
    ),
    _table(
        "action_agents", "Agents of the actions", "Who took part in each act and in which role "
        "(prov:qualifiedAssociation); one row per act and agent.",
        about="{+action}#association-{agent}", key=("action", "agent"),
        columns=(
            Column("action", "action", "the act (prov:qualifiedAssociation to this association)", link=True,
                   prop="prov:qualifiedAssociation", about="{+action}",
                   value_url="{+action}#association-{agent}", required=True),
            Column("agent", "agent", "the organization, group or person (prov:agent)", link=True, prop="prov:agent",
                   required=True),
            Column("role", "role", "its role (prov:hadRole: hled:leadRole, hled:funderRole, hled:recipientRole …)",
                   link=True, prop="prov:hadRole"),
        ),
        where="  ?action hled:status ?status ; prov:qualifiedAssociation ?association .\n"
        "  ?association prov:agent ?agent .\n  OPTIONAL { ?association prov:hadRole ?role }\n",
        foreign_keys=(("action", "actions"),),
    ),
    _pairs(
        "action_places", "Places of the actions", "Where each act took place or what place it concerns "
        "(prov:atLocation); one row per act and place.",
        owner=("action", "the act", "actions"), value=("place", "the place (prov:atLocation)", "places"),
        prop="prov:atLocation", where="  ?action hled:status ?status ; prov:atLocation ?place .\n",
    ),
    _pairs(
        "action_things", "What the actions made, used, joined or concern", "The programs, works, commitments and "
        "bodies an act generated, used, joined or concerns; one row per act, relation and thing.",
        owner=("action", "the act", "actions"), value=("thing", "what it made, used, joined or concerns", None),
        relations="prov:generated prov:used hled:joined hled:concerns",
        where="  ?action hled:status ?status .\n",
    ),
    _table(
        "commitments", "Commitments, plans and what is still to come", "Every commitment, plan, planned event, "
        "program and proposed body an act concerns (hled:concerns); its status by round is in "
        "commitment_history.csv.",
        about="{+id}", key=("id",),
        columns=(
            _KEY,
            Column("label", "name", "its name (rdfs:label)", prop="rdfs:label", lang="en", required=True),
            _kind("what it is: hled:Commitment, prov:Plan, schema:Event (a planned event), hled:Program, "
                  "hled:ProposedBody …"),
            Column("description", "description", "what it is about (dcterms:description)",
                   prop="dcterms:description", lang="en"),
            *_when("deadline", "deadline", "when it is due (hled:deadline)", "hled:deadline"),
        ),
        where="  ?act hled:concerns ?id .\n  ?id rdfs:label ?label . FILTER (LANG(?label) = \"en\")\n"
        # prov:Entity and prov:Plan are both stated on a plan; the ontology graph does not say one is the other's.
        "  ?id a ?kind .\n  FILTER (?kind != prov:Entity)\n"
        "  FILTER NOT EXISTS { ?id a ?narrower . ?narrower rdfs:subClassOf+ ?kind }\n"
        '  OPTIONAL { ?id dcterms:description ?description . FILTER (LANG(?description) = "en") }\n'
        "  OPTIONAL { ?id hled:deadline ?deadline }\n" + _split_by_precision("deadline", "deadline"),
    ),
    _table(
        "commitment_history", "Status of the commitments, round by round", "Each report on a commitment, plan or "
        "planned event: the act that concerns it, the status it reports, the round and document; one row per "
        "thing, act and document, so a later round's report is a row of its own.",
        about="{+act}", key=("commitment", "act", "document"),
        columns=(
            Column("commitment", "commitment", "what the act reports on (hled:concerns of the act)", link=True,
                   prop="hled:concerns", required=True),
            Column("act", "act", "the act that reports it", link=True, required=True),
            Column("status", "status", "the status the act reports (hled:status)", link=True, prop="hled:status",
                   required=True),
            Column("round", "round", "the round whose document reports it (hled:reportedAt)", link=True,
                   prop="hled:reportedAt"),
            Column("document", "document", "the document (dcterms:source)", link=True, prop="dcterms:source",
                   required=True),
            Column("issued", "issued", "the day the document was issued (dcterms:issued)", "date", "dcterms:issued",
                   about="{+document}"),
        ),
        where="  ?act hled:concerns ?commitment ; hled:status ?status ; dcterms:source ?document .\n"
        "  OPTIONAL { ?document hled:publishedAt ?round . ?act hled:reportedAt ?round }\n"
        "  OPTIONAL { ?document dcterms:issued ?issued }\n",
        foreign_keys=(("commitment", "commitments"), ("act", "actions"), ("status", "statuses"),
                      ("round", "rounds"), ("document", "documents")),
    ),
    _table(
        "money", "Money", "Every amount of money committed, invested or awarded (hled:amount → "
        "schema:MonetaryAmount); one row per act. Funders and recipients are the act's agents with "
        "hled:funderRole and hled:recipientRole in action_agents.csv; the period is the commitment's in times.csv.",
        about="{+action}#amount", key=("action",),
        columns=(
            Column("action", "action", "the act that commits, invests or awards the money (hled:amount)", link=True,
                   prop="hled:amount", about="{+action}", value_url="{+action}#amount", required=True),
            Column("amount", "amount", "the amount (schema:value)", "decimal", "schema:value", required=True),
            Column("currency", "currency", "ISO 4217 currency code (schema:currency)", prop="schema:currency",
                   required=True),
            Column("purpose", "purpose", "the commitment the money is for (hled:concerns of the act)", link=True,
                   prop="hled:concerns", about="{+action}"),
        ),
        where="  ?action hled:amount ?money .\n  ?money schema:value ?amount ; schema:currency ?currency .\n"
        "  OPTIONAL { ?action hled:concerns ?purpose }\n",
        foreign_keys=(("action", "actions"), ("purpose", "commitments")),
    ),
    _table(
        "quantities", "Counts of what was done", "Counts an act reports (hled:quantity → schema:QuantitativeValue):"
        " an exact value, or a minimum for \"at least\"; one row per act and unit.",
        about="{+action}#quantity-{unit}", key=("action", "unit"),
        columns=(
            Column("action", "action", "the act (hled:quantity)", link=True, prop="hled:quantity", about="{+action}",
                   value_url="{+action}#quantity-{unit}", required=True),
            Column("unit", "unit", "what is counted (schema:unitText)", prop="schema:unitText", lang="en",
                   required=True),
            Column("value", "value", "the count (schema:value)", "integer", "schema:value"),
            Column("min_value", "at least", "the count where the document says \"at least\" or \"over\" "
                   "(schema:minValue)", "integer", "schema:minValue"),
        ),
        where="  ?action hled:quantity ?quantity .\n  ?quantity schema:unitText ?unit .\n"
        "  OPTIONAL { ?quantity schema:value ?value }\n  OPTIONAL { ?quantity schema:minValue ?min_value }\n",
        foreign_keys=(("action", "actions"),),
    ),
    _table(
        "targets", "Targets", "Planned figures (hled:Target) of a goal, program or commitment.",
        about="{+id}", key=("id",),
        columns=(
            _KEY,
            Column("of", "target of", "the goal, program or commitment it belongs to (hled:target)", link=True,
                   prop="hled:target", about="{+of}", value_url="{+id}", required=True),
            Column("label", "name", "the target in words (rdfs:label)", prop="rdfs:label", lang="en"),
            Column("value", "value", "the planned figure (schema:value)", "integer", "schema:value"),
            Column("min_value", "at least", "the planned minimum (schema:minValue)", "integer", "schema:minValue"),
            Column("unit", "unit", "what is counted (schema:unitText)", prop="schema:unitText", lang="en"),
            Column("unit_code", "unit code", "UN/CEFACT unit code (schema:unitCode)", prop="schema:unitCode"),
            Column("year", "year", "the year it is due (hled:targetYear)", "gYear", "hled:targetYear"),
            Column("measures", "measures", "what the figure measures (schema:description)",
                   prop="schema:description", lang="en"),
        ),
        where="  ?id a hled:Target .\n  ?of hled:target ?id .\n"
        '  OPTIONAL { ?id rdfs:label ?label . FILTER (LANG(?label) = "en") }\n'
        "  OPTIONAL { ?id schema:value ?value }\n  OPTIONAL { ?id schema:minValue ?min_value }\n"
        "  OPTIONAL { ?id schema:unitText ?unit }\n  OPTIONAL { ?id schema:unitCode ?unit_code }\n"
        "  OPTIONAL { ?id hled:targetYear ?year }\n  OPTIONAL { ?id schema:description ?measures }\n",
    ),
    _table(
        "events", "Events", "Every event: forums, meetings and exchanges that took place (acts), planned events "
        "still to come, and event series.",
        about="{+id}", key=("id",),
        columns=(
            _KEY,
            Column("name", "name", "the official title, or the label (schema:name, rdfs:label)", prop="rdfs:label",
                   lang="en", required=True),
            _kind("its kind: hled:Forum, hled:Meeting, hled:TechnicalExchange, hled:Roundtable (held), "
                  "schema:Event (planned), schema:EventSeries"),
            *_when("start", "start", "when it starts (schema:startDate)", "schema:startDate"),
            *_when("end", "end", "when it ends (schema:endDate)", "schema:endDate"),
            Column("online", "online", "true when it is virtual (schema:eventAttendanceMode "
                   "schema:OnlineEventAttendanceMode)", "boolean"),
            Column("series", "series", "the event series it belongs to (schema:superEvent)", link=True,
                   prop="schema:superEvent"),
        ),
        where="  { ?id a ?kind . ?kind rdfs:subClassOf+ hled:Event } UNION\n"
        "  { ?id a ?kind . VALUES ?kind { schema:Event schema:EventSeries } }\n"
        "  FILTER NOT EXISTS { ?id a hled:Round }\n"
        "  FILTER NOT EXISTS { ?id a ?narrower . ?narrower rdfs:subClassOf+ ?kind }\n"
        '  ?id rdfs:label ?name . FILTER (LANG(?name) = "en")\n'
        "  OPTIONAL { ?id schema:startDate ?start }\n" + _split_by_precision("start", "start")
        + "  OPTIONAL { ?id schema:endDate ?end }\n" + _split_by_precision("end", "end")
        + "  BIND (EXISTS { ?id schema:eventAttendanceMode schema:OnlineEventAttendanceMode } AS ?online)\n"
        "  OPTIONAL { ?id schema:superEvent ?series }\n",
        foreign_keys=(("series", "events"),),
    ),
    _table(
        "times", "Times", "When each act took place and the period each commitment covers (time:hasTime): one row "
        "per entity and part (at: an instant; begins, ends: the ends of an interval), the date at the precision "
        "the data gives.",
        about="{+entity}#time-{part}", key=("entity", "part"),
        columns=(
            Column("entity", "entity", "the act or commitment", link=True, required=True),
            Column("part", "part", "at (the time is an instant), begins or ends (of an interval)", required=True),
            *_when("", "date", "the time", {"date": "time:inXSDDate", "gYearMonth": "time:inXSDgYearMonth",
                                           "gYear": "time:inXSDgYear"}),
        ),
        where="  ?entity time:hasTime ?time .\n"
        '  { ?time time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?value . BIND ("at" AS ?part) } UNION\n'
        '  { ?time time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?value .'
        ' BIND ("begins" AS ?part) } UNION\n'
        '  { ?time time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?value .'
        ' BIND ("ends" AS ?part) }\n'
        "  FILTER NOT EXISTS { ?entity a hled:Round }\n" + _split_by_precision("value", ""),
    ),
    _table(
        "places", "Places", "Countries, states, cities, regions and rivers, with their ISO 3166 codes where the "
        "Wikidata links give them.",
        about="{+id}", key=("id",),
        columns=(
            _KEY, _label(), _label("es", name="label_es"),
            _kind("its kind: schema:Country, schema:State, schema:City, schema:Place, schema:BodyOfWater"),
            Column("iso3166", "ISO 3166 code", "ISO 3166-1 alpha-2 for a country, ISO 3166-2 for a state or "
                   "city (hled:iso3166Code, recorded with the Wikidata links)", prop="hled:iso3166Code"),
            _wikidata(),
        ),
        where="  ?id a ?kind .\n  VALUES ?kind { schema:Country schema:State schema:City schema:Place "
        "schema:BodyOfWater }\n" + _EN_LABEL + _ES_LABEL
        + "  OPTIONAL { ?id hled:iso3166Code ?iso3166 }\n" + _WIKIDATA,
    ),
    _pairs(
        "places_within", "Places within places", "Which place lies in which (schema:containedInPlace, upward: "
        "city, state, country, region); one row per place and larger place.",
        owner=("place", "the place", "places"), value=("within", "a place it lies in (schema:containedInPlace)",
                                                      "places"),
        prop="schema:containedInPlace", where="  ?place schema:containedInPlace ?within .\n",
    ),
    _table(
        "links", "Links to Wikidata", "The SSSOM mapping set, one row per entity: the Wikidata item and the SKOS "
        "predicate, or sssom:NoTermFound, with the evidence (the sources are in link_sources.csv).",
        about="{+id}", key=("id",),
        columns=(
            Column("id", "mapping", "the mapping (an owl:Axiom of the mapping set)", link=True, required=True),
            Column("entity", "entity", "the entity mapped (owl:annotatedSource)", link=True,
                   prop="owl:annotatedSource", required=True),
            Column("predicate", "predicate", "skos:exactMatch, skos:closeMatch or skos:broadMatch "
                   "(owl:annotatedProperty)", link=True, prop="owl:annotatedProperty", required=True),
            Column("item", "Wikidata item", "the item, or sssom:NoTermFound (owl:annotatedTarget)", link=True,
                   prop="owl:annotatedTarget", required=True),
            Column("item_label", "item label", "the item's English label as checked (sssom:object_label)",
                   prop="sssom:object_label"),
            Column("confidence", "confidence", "how sure the link is (sssom:confidence)", "double",
                   "sssom:confidence"),
            Column("justification", "justification", "how the link was made (sssom:mapping_justification)",
                   link=True, prop="sssom:mapping_justification"),
            Column("date", "date", "when it was made (dcterms:created)", "date", "dcterms:created"),
            Column("comment", "evidence", "what each source shows, or what was searched (rdfs:comment)",
                   prop="rdfs:comment", lang="en"),
        ),
        where="  ?id a owl:Axiom ; owl:annotatedSource ?entity ; owl:annotatedProperty ?predicate ;\n"
        "      owl:annotatedTarget ?item .\n  ?set sssom:mappings ?id .\n"
        "  OPTIONAL { ?id sssom:object_label ?item_label }\n"
        "  OPTIONAL { ?id sssom:confidence ?confidence }\n"
        "  OPTIONAL { ?id sssom:mapping_justification ?justification }\n"
        "  OPTIONAL { ?id dcterms:created ?date }\n  OPTIONAL { ?id rdfs:comment ?comment }\n",
    ),
    _pairs(
        "link_sources", "Sources of the links", "The public sources that pair each Wikidata item with the entity "
        "(rdfs:seeAlso of the mapping); one row per mapping and source.",
        owner=("mapping", "the mapping", "links"),
        value=("source", "a file at a commit, or a public record (rdfs:seeAlso)", None), prop="rdfs:seeAlso",
        where="  ?set sssom:mappings ?mapping .\n  ?mapping rdfs:seeAlso ?source .\n",
    ),
)


@dataclass
class TableData:
    """A table with its rows (cells as text, empty for no value), sorted."""

    table: Table
    rows: list[tuple[str, ...]] = field(default_factory=list)

    def csv_bytes(self) -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([column.name for column in self.table.columns])
        writer.writerows(self.rows)
        return buffer.getvalue().encode("utf-8")


def table_rows(graph: Graph, *, tables: Sequence[Table] = TABLES) -> list[TableData]:
    """Every table's rows from ``graph`` (the asserted graph: ontology, data and links, no inferences)."""
    from hled_graph.terms import oxigraph_store

    store = oxigraph_store(graph)
    return [TableData(table, _rows(store, table)) for table in tables]


def _rows(store: ox.Store, table: Table) -> list[tuple[str, ...]]:
    import pyoxigraph as ox

    solutions = store.query(table.query)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = sorted({tuple(_cell(table, column, solution[column.name]) for column in table.columns)
                   for solution in solutions})
    positions = [next(i for i, c in enumerate(table.columns) if c.name == name) for name in table.key]
    keys = [tuple(row[i] for i in positions) for row in rows]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:  # the data states several values where the table has one cell: a table to split
        raise ValueError(f"{table.file_name}: several rows for the key {', '.join(table.key)} = {repeated[0]}")
    return rows


def _cell(table: Table, column: Column, term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    import pyoxigraph as ox

    if term is None:
        if column.required:
            raise ValueError(f"{table.file_name}: column {column.name} is required and has no value")
        return ""
    if column.link:
        if not isinstance(term, ox.NamedNode):
            raise ValueError(f"{table.file_name}: column {column.name} holds IRIs, got {term}")
        return term.value
    if not isinstance(term, ox.Literal):
        raise ValueError(f"{table.file_name}: column {column.name} holds literals, got {term}")
    expected = _LANG_STRING if column.lang else _LITERAL_TYPES[column.datatype]
    if term.datatype.value != expected or (column.lang and term.language != column.lang):
        raise ValueError(f"{table.file_name}: column {column.name} is {column.datatype}"
                         f"{'@' + column.lang if column.lang else ''}, the data has {term}")
    return term.value


def metadata(tables: Sequence[Table] = TABLES) -> dict[str, object]:
    """The CSVW table group describing every table (``csv-metadata.json``)."""
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "dc:title": "The HLED knowledge graph as tables",
        "dc:description": "One CSV per kind of thing, keyed by IRI; link tables for what an entity has several "
        "of. UTF-8, comma-separated, CRLF line ends, a header row.",
        "dc:license": {"@id": CC0},
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"]},
        "tables": [table.describe() for table in tables],
    }


def metadata_bytes(tables: Sequence[Table] = TABLES) -> bytes:
    return (json.dumps(metadata(tables), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def dictionary_html(data: Sequence[TableData]) -> str:
    """The data dictionary page: every table with its row count, key and every column."""
    from hled_graph.iris import compact
    from hled_graph.templating import render

    def shown(prop: str | None) -> str:  # a template ({+relation}) shows as it is
        if prop is None or "{" in prop:
            return prop or ""
        return compact(prop if "://" in prop else _iri(prop))

    tables = [
        {
            "file": item.table.file_name, "title": item.table.title, "description": item.table.description,
            "rows": len(item.rows), "key": ", ".join(item.table.key),
            "references": [(column, f"{table}.csv") for column, table in item.table.foreign_keys],
            "columns": [
                {"name": c.name, "title": c.title, "description": c.description,
                 "datatype": ("IRI" if c.link else c.datatype) + (f" @{c.lang}" if c.lang else ""),
                 "property": shown(c.prop), "required": c.required}
                for c in item.table.columns
            ],
        }
        for item in data
    ]
    return render("hled_graph.publish", "tables.html", title="The HLED graph as tables: data dictionary",
                  tables=tables, metadata_file=METADATA_FILE)


def write_tables(graph: Graph, out_dir: Path, *, data: Sequence[TableData] | None = None) -> list[Path]:
    """Write every table, ``csv-metadata.json`` and the data dictionary ``index.html`` into ``out_dir``.

    ``data`` is what :func:`table_rows` gives for ``graph``, for a caller that also wants the counts.
    """
    from hled_graph.files import write_atomic

    out_dir = Path(out_dir)
    data = table_rows(graph) if data is None else data
    written = [write_atomic(out_dir / item.table.file_name, item.csv_bytes()) for item in data]
    written.append(write_atomic(out_dir / METADATA_FILE, metadata_bytes()))
    written.append(write_atomic(out_dir / DICTIONARY_FILE, dictionary_html(data).encode("utf-8")))
    return written


def check_tables_folder(out_dir: Path) -> None:
    """Refuse a target that is a file, or a folder holding other things than earlier tables."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise InputError(f"{out_dir}: exists and is not a folder; give -o a new or empty folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / METADATA_FILE).is_file():
        raise InputError(f"{out_dir}: not empty and holds no {METADATA_FILE} of earlier tables; nothing was "
                         "written. Give -o a new or empty folder")
