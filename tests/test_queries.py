"""The query library: its file format, and the real answer of every query on the real graph.

Expected answers were checked against the fact sheet (data/source/hled-2022-fact-sheet.txt),
not copied from output: e.g. the money is $474 million + $3.4 billion + $1.5 billion + $38,000.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.graph import parse_file
from hled_graph.iris import compact
from hled_graph.namespaces import PREFIXES
from hled_graph.sparql import engine, library

LIBRARY = library.load_library()
CHECKS = library.load_checks()
VIOLATIONS = Path(__file__).parent / "fixtures" / "sparql-violations.ttl"
XSD = PREFIXES["xsd"]
HDO = PREFIXES["hdo"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store()


def _value(term: object) -> object:
    """A term as a plain Python value: IRIs shortened (hdo:epa), numbers as int/Decimal, text as str."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in (XSD + "integer", XSD + "nonNegativeInteger", XSD + "int", XSD + "long"):
            return int(term.value)
        if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
            number = Decimal(term.value)
            return int(number) if number == number.to_integral_value() else number
        if datatype == XSD + "boolean":
            return term.value == "true"
        return term.value
    return str(term)


def answer(store: ox.Store, name: str, **bind: str) -> list[dict[str, object]]:
    query = LIBRARY[name]
    outcome = engine.run_query(store, query.text, bindings=query.bindings(bind))
    return [dict(zip(outcome.variables, (_value(t) for t in row), strict=False)) for row in outcome.rows]


def column(rows: list[dict[str, object]], name: str) -> list[object]:
    return [row[name] for row in rows]


# --------------------------------------------------------------------------- the library's format


def test_the_library_has_at_least_twenty_queries() -> None:
    assert len(LIBRARY) >= 20


@pytest.mark.parametrize("name", [*LIBRARY, *CHECKS])
def test_every_file_has_a_complete_header_and_declares_our_prefixes(name: str) -> None:
    query = LIBRARY.get(name) or CHECKS[name]
    assert query.title and query.question and query.answer
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name)
    declared = dict(re.findall(r"^PREFIX (\w+): <([^>]+)>$", query.text, re.M))
    for prefix, iri in declared.items():
        assert PREFIXES.get(prefix) == iri, f"PREFIX {prefix}: must be <{PREFIXES.get(prefix)}>"
    used = set(
        re.findall(
            r"(?<![\w?$<\"/#])([a-z]+):[A-Za-z0-9_-]",
            re.sub(r'"[^"\n]*"|<[^>\s]*>|#.*', "", query.text),
        )
    )
    assert used <= set(declared), f"prefixes used but not declared: {sorted(used - set(declared))}"
    # files run anywhere: they parse without our predeclared prefixes
    ox.Store().query(query.text)


@pytest.mark.parametrize("name", [n for n, q in LIBRARY.items() if q.parameters])
def test_parameters_have_defaults_and_are_returned(name: str) -> None:
    query = LIBRARY[name]
    for parameter in query.parameters:
        assert parameter.description and parameter.default
        assert f"?{parameter.name}" in query.text
        if query.text.lstrip("#").find("SELECT") >= 0 and "ASK" not in query.text:
            select = re.search(r"^SELECT (.*?)^WHERE", query.text, re.M | re.S).group(1)
            assert (
                f"?{parameter.name}" in select
            ), "pyoxigraph binds only variables the SELECT returns"


def test_checks_are_named_violation() -> None:
    assert CHECKS and all(name.endswith("-violation") for name in CHECKS)


def test_readmes_list_the_library_and_the_checks() -> None:
    folder = resources.queries_dir()
    regenerate = "regenerate: python -m hled_graph.sparql.library"
    assert (folder / "README.md").read_text(encoding="utf-8") == library.render_readme(
        LIBRARY, CHECKS
    ), regenerate
    checks_readme = (folder / "checks" / "README.md").read_text(encoding="utf-8")
    assert checks_readme == library.render_checks_readme(CHECKS), regenerate
    for name in [*LIBRARY, *CHECKS]:
        assert f"`{name}`" in (folder / "README.md").read_text(encoding="utf-8") + checks_readme


def test_header_parsing() -> None:
    text = (
        "# title: Money\n# question: How much\n#   in all?\n"
        "# parameter: ?org — an organization IRI (default hdo:epa)\n"
        "# parameter: $n - a number (default 3)\n"
        "# answer: one row\n# tags: a, online-only\nSELECT ?org ?n WHERE { ?org ?p ?n }\n"
    )
    query = library.parse_query_text(text, name="money")
    assert query.question == "How much in all?"
    assert [(p.name, p.default) for p in query.parameters] == [("org", "hdo:epa"), ("n", "3")]
    assert query.tags == ("a", "online-only") and query.online_only
    assert query.bindings({"n": "4"}) == {
        "org": ox.NamedNode("https://w3id.org/hled/id/org/epa"),
        "n": ox.Literal("4", datatype=ox.NamedNode(XSD + "integer")),
    }
    with pytest.raises(InputError, match=r"has no parameter \?x; its parameters are \?org, \?n"):
        query.bindings({"x": "1"})


@pytest.mark.parametrize(
    "text,message",
    [
        ("# title: A\n# answer: B\nSELECT * {}", r"x\.rq: header lacks '# question: …'"),
        ("# title: A\n# title: B\n", r"x\.rq:2: 'title' given twice"),
        ("# title: A\n# colour: red\n", r"x\.rq:2: not a header line"),
        (
            "# title: A\n# question: Q\n# answer: B\n# parameter: ?org the org\n",
            r"is not '\?name — what it is \(default VALUE\)'",
        ),
        (
            "# title: A\n# question: Q\n# answer: B\n# parameter: ?org — x (default zz:epa)\n",
            r"unknown prefix 'zz:'",
        ),
    ],
)
def test_header_errors_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        library.parse_query_text(text, name="x", path=Path("x.rq"))


def test_ad_hoc_queries_need_no_header_and_bind_anything() -> None:
    query = library.ad_hoc("SELECT ?s WHERE { ?s ?p ?o }")
    assert query.bindings({"s": "hdo:epa"}) == {
        "s": ox.NamedNode("https://w3id.org/hled/id/org/epa")
    }


def test_library_queries_refuse_parameters_they_do_not_have() -> None:
    with pytest.raises(InputError, match="query 'pillars' takes no parameters; drop --bind org="):
        LIBRARY["pillars"].bindings({"org": "hdo:epa"})


@pytest.mark.parametrize(
    "name,suggestions",
    [
        ("organisations-in-several-pillars", "organizations-in-several-pillars"),
        ("pilars", "pillars"),
        ("mony", "money"),
    ],
)
def test_unknown_names_suggest_the_closest(name: str, suggestions: str) -> None:
    with pytest.raises(
        InputError, match=rf"^unknown query '{name}'; did you mean: {suggestions}(, |\?)"
    ):
        library.find(name)


def test_unknown_name_without_any_close_one() -> None:
    with pytest.raises(InputError, match=r"unknown query 'zzzzzzzz'; see `hled-graph queries`"):
        library.find("zzzzzzzz")


@pytest.mark.parametrize(
    "text,term",
    [
        ("<https://example.org/a>", ox.NamedNode("https://example.org/a")),
        ("https://example.org/a", ox.NamedNode("https://example.org/a")),
        ("hdo:epa", ox.NamedNode("https://w3id.org/hled/id/org/epa")),
        ("pillar:3", ox.NamedNode("https://w3id.org/hled/id/pillar/3")),
        ('"Tijuana"@es', ox.Literal("Tijuana", language="es")),
        (
            '"2022-10"^^xsd:gYearMonth',
            ox.Literal("2022-10", datatype=ox.NamedNode(XSD + "gYearMonth")),
        ),
        ("42", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
        ("-1.5", ox.Literal("-1.5", datatype=ox.NamedNode(XSD + "decimal"))),
        ("true", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
        ('"USD"', ox.Literal("USD")),
        ('"a b"', ox.Literal("a b")),
    ],
)
def test_values_as_users_write_them(text: str, term: object) -> None:
    assert library.parse_term(text) == term


@pytest.mark.parametrize(
    "text,message",
    [("foo:bar", r"unknown prefix 'foo:'"), ("<not an iri>", r"not a valid IRI")],
)
def test_bad_values(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        library.parse_term(text, where="--bind x=")


def test_a_bare_name_is_looked_up_never_read_as_text() -> None:
    entities = [(HDO + "usaid", "United States Agency for International Development"), (HDO + "epa", None)]
    assert library.parse_term("usaid", entities=lambda: entities) == ox.NamedNode(HDO + "usaid")
    assert library.parse_term("united states agency for international development",
                              entities=lambda: entities) == ox.NamedNode(HDO + "usaid")
    with pytest.raises(InputError, match=r"^--bind x=USD: no entity has this name"):
        library.parse_term("USD", where="--bind x=", entities=lambda: entities)
    with pytest.raises(InputError, match=r"^--bind x=usaid: a bare name, and there is no graph here"):
        library.parse_term("usaid", where="--bind x=")


def test_bind_options() -> None:
    assert library.parse_bind_options(["org=hdo:epa", "?n=a=b"]) == {"org": "hdo:epa", "n": "a=b"}
    with pytest.raises(InputError, match="write it as var=value"):
        library.parse_bind_options(["org"])


# --------------------------------------------------------------------------- checks

EXPECTED_VIOLATIONS = {
    "action-without-agent-violation": {"hda:qualified-only", "hda:unquoted-without-agent"},
    "action-without-pillar-violation": {"hda:late-without-pillar", "hda:late-in-second-source"},
    "action-without-quote-violation": {
        "hda:country-acts",
        "hda:money-without-currency",
        "hda:qualified-only",
        "hda:target-without-year",
        "hda:unquoted-without-agent",
    },
    "amount-without-currency-violation": {"hda:money-without-currency"},
    "country-as-actor-violation": {"hda:country-acts"},
    "event-date-violation": {"hde:past-scheduled", "hde:scheduled-before-its-announcement"},
    "identifier-violation": {"hdo:Bad_Name"},
    "label-violation": {"hdo:Bad_Name", "hdo:unlabelled-language"},
    "organization-without-country-violation": {"hdo:Bad_Name"},
    "paraphrased-label-violation": {"hdo:epa"},
    "target-violation": {"hda:target-without-year"},
    # the fixture sources only its documents' events: every other named node of ours that no quote states is unsourced
    "unsourced-violation": {
        "hda:country-acts",
        "hda:money-without-currency",
        "hda:qualified-only",
        "hda:target-without-year",
        "hda:unquoted-without-agent",
        "hdo:Bad_Name",
        "hdo:conagua",
        "hdo:epa",
        "hdo:unlabelled-language",
        "pillar:1",
        "hdl:mexico",
    },
}


def test_every_check_has_a_mistake_to_find() -> None:
    assert set(EXPECTED_VIOLATIONS) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_finds_its_mistakes(name: str) -> None:
    mistakes = engine.load_store(data=[VIOLATIONS])
    outcome = engine.run_query(mistakes, CHECKS[name].text)
    assert {_value(row[0]) for row in outcome.rows} == EXPECTED_VIOLATIONS[name]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_shipped_graph_passes_check(store: ox.Store, name: str) -> None:
    outcome = engine.run_query(store, CHECKS[name].text)
    found = [tuple(_value(t) for t in row) for row in outcome.rows]
    assert found == [], f"{name}: {CHECKS[name].title}: {found}"


# --------------------------------------------------------------------------- answers on the real graph

PILLAR_TITLES = [
    "Building Back Together",
    "Promoting Sustainable Economic and Social Development in Southern Mexico and Central America",
    "Securing the Tools for Future Prosperity",
    "Investing in Our People",
]


def test_pillars(store: ox.Store) -> None:
    rows = answer(store, "pillars")
    assert column(rows, "pillar") == ["pillar:1", "pillar:2", "pillar:3", "pillar:4"]
    assert column(rows, "notation") == ["I", "II", "III", "IV"]
    assert column(rows, "title") == PILLAR_TITLES
    assert rows[1]["aim"].startswith(
        "The United States and Mexico are cooperating to improve livelihoods"
    )
    # II and III as the fact sheet's bullets: Sembrando Oportunidades, Sustainable Prosperous
    # Communities, SURGES, Selva Maya; the cybersecurity forum, the CBPR declaration, the 5G forum
    assert column(rows, "actions") == [17, 4, 3, 13]


def test_pillar_contents(store: ox.Store) -> None:
    rows = answer(store, "pillar-contents")
    per_pillar = {
        p: column(rows, "pillar").count(p) for p in ("pillar:1", "pillar:2", "pillar:3", "pillar:4")
    }
    assert list(per_pillar.values()) == column(answer(store, "pillars"), "actions")
    # the introduction's actions belong to the whole dialogue and come last
    assert {row["action"] for row in rows if row["pillar"] is None} == {
        "hda:hled-relaunch",
        "hda:stakeholder-outreach",
    }
    assert rows[-1]["pillar"] is None
    pillar_two = {row["action"]: row for row in rows if row["pillar"] == "pillar:2"}
    assert set(pillar_two) == {
        "hda:usaid-sembrando-oportunidades-contract",
        "hda:sustainable-prosperous-communities-launch",
        "hda:surges-announcement",
        "hda:selva-maya-conservation-effort-creation",
    }
    assert (pillar_two["hda:surges-announcement"]["kind"], pillar_two["hda:surges-announcement"]["status"]) == (
        "announcement",
        "announced",
    )
    assert pillar_two["hda:sustainable-prosperous-communities-launch"]["status"] == "completed"
    assert (
        pillar_two["hda:usaid-sembrando-oportunidades-contract"]["agents"]
        == "U.S. Agency for International Development"
    )


def test_organizations_by_pillar(store: ox.Store) -> None:
    rows = answer(store, "organizations-by-pillar")
    by_pillar: dict[str, set[object]] = {}
    for row in rows:
        by_pillar.setdefault(row["pillar"], set()).add(row["org"])
    assert by_pillar["pillar:2"] == {"hdo:usaid", "hdo:us-embassy-mexico-city"}
    assert by_pillar["pillar:3"] == {
        "hdo:doc",
        "hdo:secretaria-economia",
        "hdo:us-government",
        "hdo:mexico-government",
    }
    usaid = next(r for r in rows if r["pillar"] == "pillar:2" and r["org"] == "hdo:usaid")
    assert usaid["actions"] == 3 and usaid["countries"] == "United States"
    fumec = next(r for r in rows if r["org"] == "hdo:fumec")
    assert sorted(fumec["countries"].split("; ")) == ["Mexico", "United States"]


def test_organization_activities_default_is_epa(store: ox.Store) -> None:
    rows = answer(store, "organization-activities")
    assert set(column(rows, "org")) == {"hdo:epa"}
    assert set(column(rows, "action")) == {
        "hda:epa-conagua-statement-of-intent",
        "hda:epa-conagua-tijuana-river-investment",
    }
    assert set(column(rows, "partners")) == {"National Water Commission"}
    assert set(column(rows, "pillar")) == {"pillar:1"}


def test_organization_activities_of_usaid(store: ox.Store) -> None:
    rows = answer(store, "organization-activities", org="hdo:usaid")
    assert set(column(rows, "action")) == {
        "hda:usaid-cofepris-medical-devices-cooperation",
        "hda:usaid-sembrando-oportunidades-contract",
        "hda:sustainable-prosperous-communities-launch",
        "hda:surges-announcement",
    }
    cofepris = next(
        r for r in rows if r["action"] == "hda:usaid-cofepris-medical-devices-cooperation"
    )
    assert cofepris["partners"] == "Federal Commission for the Protection against Sanitary Risks"
    assert cofepris["role"] == "lead"


def test_money(store: ox.Store) -> None:
    rows = answer(store, "money")
    assert [(r["amount"], r["currency"]) for r in rows] == [
        (3_400_000_000, "USD"),
        (1_500_000_000, "USD"),
        (474_000_000, "USD"),
        (38_000, "USD"),
    ]
    assert rows[0]["funders"] == "Government of the United States"
    assert rows[1]["funders"] == "Government of Mexico"
    assert sorted(rows[2]["funders"].split("; ")) == [
        "Environmental Protection Agency",
        "National Water Commission",
    ]
    assert rows[3]["recipients"] == "U.S.-Mexico Foundation for Science"
    assert "Academy for Women Entrepreneurs" in rows[3]["purpose"]
    assert column(rows, "pillar") == ["pillar:1", "pillar:1", "pillar:1", "pillar:4"]


def test_money_total(store: ox.Store) -> None:
    # $474 million + $3.4 billion + $1.5 billion + $38,000, the joint EPA–CONAGUA sum counted once
    assert answer(store, "money-total") == [
        {"currency": "USD", "total": 5_374_038_000, "commitments": 4}
    ]


def test_money_by_pillar(store: ox.Store) -> None:
    rows = answer(store, "money-by-pillar")
    assert [(r["pillar"], r["total"], r["commitments"]) for r in rows] == [
        ("pillar:1", 5_374_000_000, 3),
        ("pillar:4", 38_000, 1),
    ]


def test_money_by_country(store: ox.Store) -> None:
    rows = answer(store, "money-by-country")
    assert [(r["countries"], r["total"], r["commitments"]) for r in rows] == [
        ("United States", 3_400_038_000, 2),
        ("Mexico", 1_500_000_000, 1),
        ("Mexico and United States", 474_000_000, 1),
    ]


def test_counts_and_targets(store: ox.Store) -> None:
    rows = answer(store, "counts-and-targets")
    targets = [r for r in rows if r["measure"] == "target"]
    # planned figures sit on the goal, program or commitment they belong to, with their year where stated
    assert [(r["about"], r["value"], r["unit"], r["targetYear"]) for r in targets] == [
        ("hdc:land-ports-of-entry-modernization", 26, "major construction and modernization projects at land ports of entry", None),
        ("hdw:surges", 30, "public-private partnerships", None),
        ("hdw:sustainable-prosperous-communities", 40000, "beneficiaries whose livelihoods are to improve", None),
        ("hdw:zero-emission-vehicle-goal", 50, "percent", "2030"),
    ]
    counts = {(r["value"], r["atLeast"]) for r in rows if r["measure"] == "count"}
    # counts of what was done: 21 engagements ("at least"), 4 states or institutions, 7 southeastern states,
    # 13 community centers, 800 women ("over"), 14 states, 3 years of MujerExportaMx
    assert counts == {(21, True), (4, False), (7, False), (13, False), (800, True), (14, False), (3, False)}
    assert all(r["about"].startswith("hda:") for r in rows if r["measure"] == "count")



def test_counts_and_targets_returns_every_figure_with_its_bound(store: ox.Store) -> None:
    """Each quantity and target node comes back once, exact or "at least" as the data states it: a
    figure stated only as schema:minValue must not drop out of a query that asks for schema:value."""
    stated = engine.run_query(
        store,
        """PREFIX hled: <https://w3id.org/hled/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?about ?number ?atLeast WHERE {
          ?about hled:quantity|hled:target ?q .
          OPTIONAL { ?q schema:value ?exact . }
          OPTIONAL { ?q schema:minValue ?minimum . }
          BIND (COALESCE(?exact, ?minimum) AS ?number)
          BIND (BOUND(?minimum) AS ?atLeast)
        }""",
    )
    expected = sorted((_value(a), _value(n), _value(b)) for a, n, b in stated.rows)
    rows = answer(store, "counts-and-targets")
    assert sorted((r["about"], r["value"], r["atLeast"]) for r in rows) == expected
    assert len(expected) == 12 and sum(1 for *_, at_least in expected if at_least) == 2

def test_events_by_month(store: ox.Store) -> None:
    rows = answer(store, "events-by-month")
    by_event = {r["event"]: r for r in rows}
    exchange = by_event["hde:apprenticeships-technical-exchange"]
    assert (exchange["month"], exchange["date"], exchange["kind"], exchange["status"], exchange["online"]) == (
        "2022-10",
        "2022-10-24",
        "planned event",
        "scheduled",
        True,
    )
    assert by_event["hde:technical-education-dialogue"]["status"] == "committed"
    assert {r["status"] for r in rows if r["kind"] != "planned event"} == {"completed"}
    assert len(rows) == len(set(column(rows, "event")))
    assert by_event["hda:first-trilateral-workforce-forum"]["month"] == "2021-12"
    assert by_event["hda:second-trilateral-workforce-forum"]["date"] == "2022-08-31"
    assert by_event["hda:cybersecurity-best-practices-forum"]["month"] == "2022-09"
    months = column(rows, "month")
    assert months == sorted(months)


def test_still_to_come(store: ox.Store) -> None:
    rows = answer(store, "still-to-come")
    assert {(r["item"], r["what"], r["status"]) for r in rows} == {
        ("hde:forum-on-5g-and-beyond", "event start", "status:scheduled"),
        ("hde:technical-education-dialogue", "event start", "status:committed"),
        ("hde:apprenticeships-technical-exchange", "event start", "status:scheduled"),
        ("hdc:usmca-emergency-subcommittee-negotiations", "deadline", "status:committed"),
    }
    assert {r["document"] for r in rows} == {"hd:fact-sheet-2022"}
    assert all(str(r["date"]) > str(r["issued"]) == "2022-09-12" for r in rows)
    assert [str(r["date"]) for r in rows] == ["2022-10", "2022-10", "2022-10", "2022-10-24"]


def test_working_groups(store: ox.Store) -> None:
    rows = answer(store, "working-groups")
    groups = {r["group"] for r in rows}
    assert {
        "hdo:supply-chain-working-group",
        "hdo:transportation-electrification-working-group",
        "hdo:usmca-emergency-subcommittee",
        "hdo:critical-infrastructure-working-group",
    } <= groups
    states = {r["group"]: r["state"] for r in rows}
    assert states["hdo:usmca-emergency-subcommittee"] == states["hdo:critical-infrastructure-working-group"] == "proposed"
    assert states["hdo:supply-chain-working-group"] == "established"
    members = {r["member"] for r in rows if r["group"] == "hdo:supply-chain-working-group"}
    assert members == {"hdo:us-government", "hdo:mexico-government"}
    tewg = {
        (r["member"], r["takesPartAs"])
        for r in rows
        if r["group"] == "hdo:transportation-electrification-working-group"
    }
    assert tewg == {
        ("hdo:sre", "member"), ("hdo:university-of-california", "member"),
        ("hdo:academia", "participant"), ("hdo:industry-representatives", "participant"),
    }
    critical = next(r for r in rows if r["group"] == "hdo:critical-infrastructure-working-group")
    assert (critical["partOf"], critical["reportedBy"]) == (None, "hda:usmca-emergency-subcommittee-commitment")


def test_places(store: ox.Store) -> None:
    rows = answer(store, "places")
    tijuana = {r["action"] for r in rows if r["place"] == "hdl:tijuana"}
    assert "hda:epa-conagua-statement-of-intent" in tijuana
    dallas = next(r for r in rows if r["place"] == "hdl:dallas")
    assert (dallas["kind"], dallas["within"], dallas["action"]) == (
        "City",
        "Texas",
        "hda:first-trilateral-workforce-forum",
    )
    states = {
        r["place"]
        for r in rows
        if r["action"] == "hda:english-degree-courses-technical-institutions"
    }
    assert {"hdl:queretaro", "hdl:yucatan", "hdl:quintana-roo"} <= states


def test_organizations_in_several_pillars(store: ox.Store) -> None:
    rows = answer(store, "organizations-in-several-pillars")
    assert {r["name"]: r["pillarCount"] for r in rows} == {
        "Government of Mexico": 3,
        "Government of the United States": 3,
        "Ministry of Economy": 3,
        "U.S. Agency for International Development": 2,
        "U.S. Embassy Mexico City": 2,
    }
    embassy = {(r["pillar"], r["action"]) for r in rows if r["org"] == "hdo:us-embassy-mexico-city"}
    assert embassy == {
        ("pillar:2", "hda:selva-maya-conservation-effort-creation"),
        ("pillar:4", "hda:english-degree-courses-technical-institutions"),
    }
    economy = {r["pillar"] for r in rows if r["org"] == "hdo:secretaria-economia"}
    assert economy == {"pillar:1", "pillar:3", "pillar:4"}


def test_us_mexico_pairs(store: ox.Store) -> None:
    rows = answer(store, "us-mexico-pairs")
    pairs = {(r["us"], r["mexican"]): r["actions"] for r in rows}
    assert rows[0]["us"] == "hdo:us-government" and rows[0]["mexican"] == "hdo:mexico-government"
    assert pairs[("hdo:epa", "hdo:conagua")] == 2
    assert pairs[("hdo:usaid", "hdo:cofepris")] == 1
    assert pairs[("hdo:doc", "hdo:secretaria-economia")] == 1
    assert pairs[("hdo:dol", "hdo:campos-de-esperanza")] == 2
    assert pairs[("hdo:ed", "hdo:sep")] == pairs[("hdo:ed", "hdo:conalep")] == 1
    assert all(us != mx for us, mx in pairs)


def test_source_quote_matches_the_source_text(store: ox.Store) -> None:
    rows = answer(store, "source-quote")
    assert len(rows) == 1
    quote = rows[0]
    assert quote["action"] == "hda:epa-conagua-statement-of-intent"
    assert "signed an announcement of intent" in quote["exact"]
    text = resources.source_text_file("hled-2022-fact-sheet.txt").read_text(encoding="utf-8")
    assert text[quote["start"] : quote["end"]] == quote["exact"]
    assert (quote["document"], quote["copy"], quote["file"]) == (
        "hd:fact-sheet-2022",
        "hd:fact-sheet-2022-copy",
        "hled-2022-fact-sheet.txt",
    )
    assert quote["documentTitle"] == "FACT SHEET: 2022 U.S.-Mexico High-Level Economic Dialogue"


def test_source_quote_of_another_action(store: ox.Store) -> None:
    rows = answer(store, "source-quote", action="hda:awe-2022-fumec-award")
    assert "$38,000" in rows[0]["exact"]


def test_collaboration_network(store: ox.Store) -> None:
    outcome = engine.run_query(store, LIBRARY["collaboration-network"].text)
    linked = {
        (_value(s), _value(o))
        for s, p, o in outcome.rows
        if p.value == "http://www.w3.org/ns/org#linkedTo"
    }
    assert {
        ("hdo:conagua", "hdo:epa"),
        ("hdo:cofepris", "hdo:usaid"),
        ("hdo:doc", "hdo:secretaria-economia"),
    } <= linked
    assert all(a < b for a, b in linked)
    nodes = {n for pair in linked for n in pair}
    labelled = {_value(s) for s, p, o in outcome.rows if p.value == PREFIXES["rdfs"] + "label"}
    assert nodes <= labelled


def test_actions_by_kind(store: ox.Store) -> None:
    rows = answer(store, "actions-by-kind")
    kinds = {r["kind"]: r["actions"] for r in rows}
    assert kinds["funding commitment act"] == 3 and kinds["award"] == 2 and kinds["campaign"] == 1
    assert kinds["announcement"] == 4 and kinds["commitment act"] == 4
    assert sum(kinds.values()) == len(answer(store, "pillar-contents"))


def test_organizations(store: ox.Store) -> None:
    rows = {r["org"]: r for r in answer(store, "organizations")}
    assert rows["hdo:conagua"]["spanishName"] == "Comisión Nacional del Agua"
    assert rows["hdo:conagua"]["acronyms"] == "CONAGUA"
    assert rows["hdo:doc"]["acronyms"] == "DOC"  # not its other names "Commerce", "Department of Commerce"
    assert rows["hdo:epa"]["name"] == "Environmental Protection Agency"
    assert rows["hdo:nist"]["countries"] == "United States"
    assert rows["hdo:sre"]["kind"] == "ministry"
    assert {"hdo:epa", "hdo:conagua", "hdo:usaid", "hdo:cofepris", "hdo:fumec", "hdo:apec"} <= set(
        rows
    )


def test_people(store: ox.Store) -> None:
    rows = answer(store, "people")
    titles = {r["person"]: (r["jobTitle"], r["affiliation"]) for r in rows}
    assert titles == {
        "hdp:joseph-biden": ("President of the United States", "hdo:us-government"),
        "hdp:andres-manuel-lopez-obrador": ("President of Mexico", "hdo:mexico-government"),
        # the chairs of the rounds (data/hled-rounds.ttl): their offices are posts held at a date, not job titles
        **dict.fromkeys(
            ["hdp:antony-blinken", "hdp:gina-raimondo", "hdp:jayme-white", "hdp:katherine-tai", "hdp:ken-salazar"],
            ("", "hdo:us-government"),
        ),
        **dict.fromkeys(
            [
                "hdp:alicia-barcena",
                "hdp:esteban-moctezuma",
                "hdp:marcelo-ebrard",
                "hdp:raquel-buenrostro",
                "hdp:rogelio-ramirez",
                "hdp:tatiana-clouthier",
            ],
            ("", "hdo:mexico-government"),
        ),
    }
    assert {r["action"] for r in rows if r["person"] == "hdp:joseph-biden"} >= {"hda:hled-relaunch"}


def test_works(store: ox.Store) -> None:
    rows = answer(store, "works")
    relations = {(r["work"], r["action"], r["relation"]) for r in rows}
    assert (
        "hdw:zero-emission-vehicle-goal",
        "hda:zero-emission-vehicle-goal-accession",
        "joined",
    ) in relations
    assert not [r for r in relations if r[0] == "hdw:global-cbpr-declaration" and r[2] == "joined"]
    assert ("hdw:surges", "hda:surges-announcement", "concerns") in relations
    kinds = {r["work"]: r["kind"] for r in rows}
    assert kinds["hdw:tijuana-river-statement-of-intent"] == "statement of intent"
    assert kinds["hdw:trilateral-workforce-forums"] == "event series"
    assert kinds["hdw:bipartisan-infrastructure-law"] == "law"


def test_stakeholder_groups(store: ox.Store) -> None:
    rows = answer(store, "stakeholder-groups")
    outreach = {r["group"] for r in rows if r["action"] == "hda:stakeholder-outreach"}
    # "civil society, the private sector, academia, and non-governmental organizations"
    assert outreach == {"hdo:civil-society", "hdo:private-sector", "hdo:academia", "hdo:ngos"}
    selva = next(r for r in rows if r["group"] == "hdo:southeastern-states-environment-secretaries")
    assert (selva["country"], selva["action"]) == (
        "Mexico",
        "hda:selva-maya-conservation-effort-creation",
    )


def test_organization_in_pillar(store: ox.Store) -> None:
    query = LIBRARY["organization-in-pillar"]
    def ask(**bind):
        return engine.run_query(
            store, query.text, bindings=query.bindings(bind)
        ).boolean
    assert ask() is True  # the Ministry of Economy's cybersecurity forum is in pillar III
    assert ask(pillar="pillar:2") is False
    assert ask(org="hdo:usaid", pillar="pillar:2") is True
    assert ask(org="hdo:dol", pillar="pillar:1") is False


def test_named_graphs_match_the_files(store: ox.Store) -> None:
    rows = answer(store, "named-graphs")
    sizes = {r["graph"]: r["triples"] for r in rows}
    base = "<https://w3id.org/hled/graph/"
    assert sizes[base + "ontology>"] == len(parse_file(resources.ontology_file()))
    assert sizes[base + "data>"] == sum(len(parse_file(p)) for p in resources.data_files())
    if resources.links_file().is_file():
        assert sizes[base + "links>"] == len(parse_file(resources.links_file()))


def test_bodies_by_government_walks_the_hierarchy(store: ox.Store) -> None:
    rows = answer(store, "bodies-by-government")
    by_government: dict[object, set[object]] = {}
    for row in rows:
        by_government.setdefault(row["government"], set()).add(row["body"])
    assert by_government == {
        "hdo:us-government": {
            "hdo:epa", "hdo:usaid", "hdo:doc", "hdo:dol", "hdo:ed", "hdo:state-department", "hdo:white-house",
            "hdo:ustr",
            # two levels down: units of a department
            "hdo:nist", "hdo:us-embassy-mexico-city",
        },
        "hdo:mexico-government": {
            "hdo:secretaria-economia", "hdo:sre", "hdo:stps", "hdo:sep", "hdo:shcp", "hdo:conalep",
            # the two ministries of data/hled-government.ttl, and their deconcentrated bodies one level down
            "hdo:semarnat", "hdo:secretaria-salud", "hdo:conagua", "hdo:cofepris",
        },
    }
    parent = {row["body"]: row["parent"] for row in rows}
    assert (parent["hdo:nist"], parent["hdo:conagua"], parent["hdo:cofepris"]) == (
        "hdo:doc", "hdo:semarnat", "hdo:secretaria-salud",
    )
    kind = {row["body"]: row["kind"] for row in rows}
    assert (kind["hdo:doc"], kind["hdo:sep"], kind["hdo:conagua"]) == ("ministry", "ministry", "government agency")
    economy = next(r for r in rows if r["body"] == "hdo:secretaria-economia")
    assert economy["acts"] == len(answer(store, "organization-activities", org="hdo:secretaria-economia"))


def test_which_us_bodies_act_in_pillar_1(store: ox.Store) -> None:
    rows = answer(store, "government-bodies-in-pillar")  # defaults: the U.S. government, pillar 1
    # the government itself in 7: six acts of its own and the joint commitment to invest in border infrastructure
    assert {r["body"]: r["acts"] for r in rows} == {"hdo:us-government": 7, "hdo:epa": 2, "hdo:usaid": 1}
    mexico = answer(store, "government-bodies-in-pillar", government="hdo:mexico-government", pillar="pillar:1")
    # CONAGUA and COFEPRIS are found two levels down, through their ministries
    assert {r["body"] for r in mexico} == {
        "hdo:mexico-government", "hdo:secretaria-economia", "hdo:sre", "hdo:conagua", "hdo:cofepris",
    }
    pillar_4 = answer(store, "government-bodies-in-pillar", pillar="pillar:4")
    assert {"hdo:dol", "hdo:ed", "hdo:us-embassy-mexico-city"} <= {r["body"] for r in pillar_4}
