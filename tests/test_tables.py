"""The tables: CSVW-valid, typed, keyed, the same bytes every time, and back to RDF with the facts intact.

The CSVW validator and reader is the ``csvw`` package (cldf); the conversion back to RDF follows
CSV2RDF (https://www.w3.org/TR/csv2rdf/) over what ``csvw`` parsed: its typed cell values, its URI
template expansion of ``aboutUrl`` / ``propertyUrl`` / ``valueUrl``.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from csvw import CSVW
from rdflib import Graph, Literal, URIRef

from hled_graph import graph as hgraph
from hled_graph.cli import main
from hled_graph.namespaces import PREFIXES, SPARQL_PROLOGUE
from hled_graph.publish.tables import DICTIONARY_FILE, METADATA_FILE, TABLES, write_tables

XSD = PREFIXES["xsd"]
_PANDAS_TYPES = {"integer": "Int64", "decimal": "Float64", "double": "Float64", "boolean": "boolean"}


@pytest.fixture(scope="module")
def asserted() -> Graph:
    return hgraph.load_graph(include_inferred=False)


@pytest.fixture(scope="module")
def tables_dir(asserted: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tables")
    write_tables(asserted, out)
    return out


@pytest.fixture(scope="module")
def csvw_tables(tables_dir: Path) -> CSVW:
    return CSVW(str(tables_dir / METADATA_FILE), validate=True, strict=False)


def _select(graph: Graph, query: str) -> set[tuple[object, ...]]:
    """A SELECT's rows as Python values (a decimal 474000000.0 equals 474000000), so that a graph and
    its tables compare by value."""
    return {tuple(term.toPython() if term is not None else None for term in row)
            for row in graph.query(SPARQL_PROLOGUE + query)}


def test_every_table_validates_with_csvw(csvw_tables: CSVW) -> None:
    """Datatypes, required cells, primary keys and foreign keys (a null foreign key is allowed: an
    act without a pillar) as the csvw package checks them."""
    assert csvw_tables.is_valid, [str(w.message) for w in csvw_tables.warnings]
    assert not csvw_tables.warnings
    names = {table.url.string for table in csvw_tables.tablegroup.tables}
    assert names == {table.file_name for table in TABLES}
    for table in csvw_tables.tablegroup.tables:
        assert table.check_primary_key(), table.url


def test_a_broken_reference_is_caught(tables_dir: Path, tmp_path: Path) -> None:
    """The validation above can fail: an act whose status is not in statuses.csv is refused."""
    broken = tmp_path / "broken"
    shutil.copytree(tables_dir, broken)
    actions = broken / "actions.csv"
    actions.write_bytes(actions.read_bytes().replace(b"/status/completed", b"/status/forgotten", 1))
    with pytest.raises(ValueError, match=r"status/forgotten.* not found in table statuses\.csv"):
        assert not CSVW(str(broken / METADATA_FILE), validate=True, strict=False).is_valid


def test_cells_read_back_with_their_declared_types(csvw_tables: CSVW) -> None:
    rows = {table.url.string: list(table.iterdicts(strict=True)) for table in csvw_tables.tablegroup.tables}
    amounts = sorted(row["amount"] for row in rows["money.csv"])
    assert all(isinstance(amount, decimal.Decimal) for amount in amounts)
    assert amounts == [38000, 474000000, 1500000000, 3400000000]
    assert all(isinstance(row["number"], int) for row in rows["pillars.csv"])
    assert {row["number"] for row in rows["pillars.csv"]} == {1, 2, 3, 4}
    issued = {row["id"].unsplit(): row["issued"] for row in rows["documents.csv"]}
    fact_sheet = issued["https://w3id.org/hled/id/fact-sheet-2022"]  # csvw reads a date as a datetime at midnight
    assert isinstance(fact_sheet, datetime.date) and fact_sheet.isoformat()[:10] == "2022-09-12"
    online = {row["id"].unsplit(): row["online"] for row in rows["events.csv"]}
    assert online["https://w3id.org/hled/id/event/technical-education-dialogue"] is True
    iso = {row["id"].unsplit(): row["iso3166"] for row in rows["places.csv"]}
    assert iso["https://w3id.org/hled/id/place/mexico"] == "MX"
    assert iso["https://w3id.org/hled/id/place/veracruz"] == "MX-VER"


def test_pandas_reads_every_table_with_the_declared_dtypes(tables_dir: Path, asserted: Graph) -> None:
    """What an R, Stata or pandas user does: read the CSV with the types the metadata declares."""
    described = json.loads((tables_dir / METADATA_FILE).read_text(encoding="utf-8"))
    frames = {}
    for table in described["tables"]:
        columns = table["tableSchema"]["columns"]
        dates = [c["name"] for c in columns if c["datatype"] == "date"]
        dtypes = {c["name"]: _PANDAS_TYPES.get(c["datatype"], "string") for c in columns if c["name"] not in dates}
        frame = pd.read_csv(tables_dir / table["url"], dtype=dtypes, parse_dates=dates, keep_default_na=False,
                            na_values={c["name"]: [""] for c in columns})
        assert list(frame.columns) == [c["name"] for c in columns]
        key = table["tableSchema"]["primaryKey"]
        assert not frame.duplicated(subset=key if isinstance(key, list) else [key]).any(), table["url"]
        frames[table["url"]] = frame
    money = frames["money.csv"]
    assert str(money["amount"].dtype) == "Float64"
    graph_money = _select(asserted, "SELECT ?a ?v ?c WHERE { ?a hled:amount [ schema:value ?v ; schema:currency ?c ] }")
    assert {(a, float(v), c) for a, v, c in graph_money} == set(
        zip(money["action"], money["amount"], money["currency"], strict=True))
    assert str(frames["documents.csv"]["issued"].dtype).startswith("datetime64")
    assert str(frames["quantities.csv"]["min_value"].dtype) == "Int64"


def _csv2rdf(tables: CSVW) -> Graph:
    """The tables as RDF, by CSV2RDF's rules (minimal mode: the row triples, no table or row metadata)."""
    out = Graph()
    for table in tables.tablegroup.tables:
        columns = table.tableSchema.columns
        for number, row in enumerate(table.iterdicts(strict=True), start=1):
            cells = {c.name: (None if row[c.name] is None else c.datatype.formatted(row[c.name])) for c in columns}
            row_subject = table.expand(table.tableSchema.aboutUrl, cells, _row=number)
            for column in columns:
                value = cells[column.name]
                if column.suppressOutput or value is None:
                    continue
                subject = table.expand(column.aboutUrl, cells, _row=number) if column.aboutUrl else row_subject
                predicate = table.expand(column.propertyUrl, cells, _row=number, _name=column.name)
                if column.valueUrl:
                    obj: URIRef | Literal = URIRef(table.expand(column.valueUrl, cells, _row=number))
                elif column.inherit("lang") != "und":
                    obj = Literal(value, lang=column.inherit("lang"))
                else:
                    obj = Literal(value, datatype=URIRef(XSD + column.datatype.base))
                out.add((URIRef(subject), URIRef(predicate), obj))
    return out


@pytest.fixture(scope="module")
def from_tables(csvw_tables: CSVW) -> Graph:
    return _csv2rdf(csvw_tables)


# Each fact as one query, run on the graph and on the RDF made from the tables: the answers must be equal.
FACTS = {
    "every money amount": "SELECT ?act ?value ?currency ?purpose WHERE { ?act hled:amount ?m . "
    "?m schema:value ?value ; schema:currency ?currency . OPTIONAL { ?act hled:concerns ?purpose } }",
    "every action's status, pillar and kind": "SELECT ?act ?kind ?status ?pillar ?label WHERE { ?act hled:status "
    "?status ; rdfs:label ?label ; a ?kind . FILTER (STRSTARTS(STR(?kind), STR(hled:))) "
    "OPTIONAL { ?act hled:pillar ?pillar } }",
    "who took part in which role": "SELECT ?act ?agent ?role WHERE { ?act prov:qualifiedAssociation ?a . "
    "?a prov:agent ?agent ; prov:hadRole ?role }",
    "where the acts took place": "SELECT ?act ?place WHERE { ?act hled:status ?s ; prov:atLocation ?place }",
    "what the acts concern, made, used, joined": "SELECT ?act ?p ?thing WHERE { ?act hled:status ?s ; ?p ?thing . "
    "VALUES ?p { hled:concerns prov:generated prov:used hled:joined } }",
    "status history across rounds": "SELECT ?item ?act ?status ?round ?document ?issued WHERE { ?act hled:concerns "
    "?item ; hled:status ?status ; dcterms:source ?document ; hled:reportedAt ?round . "
    "?document dcterms:issued ?issued }",
    "organizations: names, kinds, countries, governments": "SELECT ?org ?en ?es ?kind ?country ?parent "
    "WHERE { ?org hled:country ?country ; skos:prefLabel ?en ; a ?kind . FILTER (LANG(?en) = 'en') "
    "FILTER (?kind IN (hled:Ministry, hled:GovernmentAgency, hled:NationalGovernment, hled:WorkingGroup, "
    "hled:StakeholderGroup, hled:IntergovernmentalBody)) "
    "OPTIONAL { ?org skos:prefLabel ?es FILTER (LANG(?es) = 'es') } "
    "OPTIONAL { ?org org:subOrganizationOf|org:unitOf ?parent } }",
    "places with their ISO 3166 codes": "SELECT ?place ?label ?code ?within WHERE { ?place skos:prefLabel ?label . "
    "FILTER (LANG(?label) = 'en') ?place hled:iso3166Code ?code OPTIONAL { ?place schema:containedInPlace ?within } }",
    "counts and targets": "SELECT ?about ?unit ?value ?min WHERE { { ?about hled:quantity ?q } UNION "
    "{ ?about hled:target ?q } ?q schema:unitText ?unit . OPTIONAL { ?q schema:value ?value } "
    "OPTIONAL { ?q schema:minValue ?min } }",
    "events": "SELECT ?event ?start ?end ?series WHERE { ?event schema:startDate ?start . "
    "OPTIONAL { ?event schema:endDate ?end } OPTIONAL { ?event schema:superEvent ?series } "
    "FILTER (!STRSTARTS(STR(?event), STR(round:))) }",
    "quotes": "SELECT ?quote ?act ?document WHERE { ?quote oa:hasBody ?act . ?act dcterms:source ?document }",
    "people and chairs": "SELECT ?round ?person ?name ?post ?org WHERE { ?round hled:chair ?m . ?m org:member "
    "?person ; hled:post ?post ; org:organization ?org . ?person schema:name ?name }",
    "links to Wikidata": "SELECT ?entity ?predicate ?item ?confidence ?source WHERE { ?m owl:annotatedSource "
    "?entity ; owl:annotatedProperty ?predicate ; owl:annotatedTarget ?item ; rdfs:seeAlso ?source . "
    "OPTIONAL { ?m <https://w3id.org/sssom/confidence> ?confidence } }",
}


@pytest.mark.parametrize("fact", FACTS)
def test_facts_survive_the_round_trip(fact: str, asserted: Graph, from_tables: Graph) -> None:
    expected = _select(asserted, FACTS[fact])
    assert expected, "the query finds nothing on the graph: it would prove nothing"
    assert _select(from_tables, FACTS[fact]) == expected


def test_times_keep_their_precision(asserted: Graph, from_tables: Graph) -> None:
    """A month stays a month (no day invented), an interval's ends stay apart; the time node of
    ``<act>`` is ``<act>#time-at`` / ``-begins`` / ``-ends`` in the tables' RDF."""
    on_graph = _select(asserted, "SELECT ?e ?part ?v WHERE { ?e time:hasTime ?t . "
                       "{ ?t time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?v BIND ('at' AS ?part) } UNION "
                       "{ ?t time:hasBeginning/(time:inXSDDate|time:inXSDgYear) ?v BIND ('begins' AS ?part) } UNION "
                       "{ ?t time:hasEnd/(time:inXSDDate|time:inXSDgYear) ?v BIND ('ends' AS ?part) } "
                       "FILTER NOT EXISTS { ?e a hled:Round } }")
    on_tables = {(str(node).rsplit("#time-", 1)[0], str(node).rsplit("#time-", 1)[1], value)
                 for node, value in _select(from_tables, "SELECT ?n ?v WHERE { ?n time:inXSDDate|time:inXSDgYearMonth|"
                                            "time:inXSDgYear ?v }")}
    assert on_graph and on_tables == on_graph
    month = Literal("2022-09", datatype=URIRef(XSD + "gYearMonth"))
    assert (URIRef("https://w3id.org/hled/id/action/cybersecurity-best-practices-forum#time-at"),
            URIRef("http://www.w3.org/2006/time#inXSDgYearMonth"), month) in from_tables


def test_same_bytes_every_time_and_crlf(asserted: Graph, tables_dir: Path, tmp_path: Path) -> None:
    write_tables(asserted, tmp_path)
    names = sorted(p.name for p in tables_dir.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (tmp_path / name).read_bytes() == (tables_dir / name).read_bytes(), name
    for table in TABLES:
        data = (tables_dir / table.file_name).read_bytes()
        assert data.count(b"\r\n") >= 2 and b"\n" not in data.replace(b"\r\n", b""), table.file_name
        assert not data.startswith(b"\xef\xbb\xbf")


def test_one_row_per_entity_and_no_joined_cells(csvw_tables: CSVW, asserted: Graph) -> None:
    rows = {table.url.string: list(table.iterdicts(strict=True)) for table in csvw_tables.tablegroup.tables}
    acts = _select(asserted, "SELECT ?a WHERE { ?a hled:status ?s }")
    assert {row["id"].unsplit() for row in rows["actions.csv"]} == {a for (a,) in acts}
    assert len(rows["actions.csv"]) == len(acts)
    for name, table_rows in rows.items():
        for row in table_rows:
            for value in row.values():
                assert not (isinstance(value, str) and re.search(r"https?://\S+; ", value)), (name, value)


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self._section: str | None = None
        self._first_cell = False
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._section = dict(attrs)["id"]
            self.sections[self._section] = []
        self._first_cell = self._first_cell or (tag == "tr")
        self._in_code = tag == "code" and self._first_cell and self._section is not None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._first_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_code and self._section:
            self.sections[self._section].append(data)
            self._in_code = False


def test_the_data_dictionary_lists_every_column(tables_dir: Path) -> None:
    page = (tables_dir / DICTIONARY_FILE).read_text(encoding="utf-8")
    assert "default-src 'none'" in page and "<script" not in page
    cells = _Cells()
    cells.feed(page)
    assert cells.sections == {table.file_name: [c.name for c in table.columns] for table in TABLES}
    rows = {t.file_name: (tables_dir / t.file_name).read_bytes().count(b"\r\n") - 1 for t in TABLES}
    for name, count in rows.items():
        assert f"<code>{name}</code>, {count} rows" in page


def test_cli_writes_the_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str], tables_dir: Path) -> None:
    out = tmp_path / "t"
    with pytest.raises(SystemExit) as done:
        main(["tables", "-o", str(out)])
    assert done.value.code == 0
    assert (out / "money.csv").read_bytes() == (tables_dir / "money.csv").read_bytes()
    assert "money.csv (4 rows)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as again:  # an earlier output is ours to replace
        main(["tables", "-o", str(out)])
    assert again.value.code == 0


@pytest.mark.parametrize("target", ["file", "foreign folder"])
def test_cli_refuses_a_target_that_is_not_ours(target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    if target == "file":
        out.write_text("mine\n")
    else:
        out.mkdir()
        (out / "thesis.tex").write_text("mine\n")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(SystemExit) as done:
        main(["tables", "-o", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert done.value.code == 2
    assert len(err) == 1 and err[0].startswith("hled-graph: error: ") and str(out) in err[0], err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
