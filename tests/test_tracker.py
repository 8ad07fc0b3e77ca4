"""The commitments tracker holds what the library queries find: every commitment, plan, planned event and program
(commitments-by-status), every goal or program with a target (counts-and-targets), with the latest status, the
money (money), the source quote (source-quote), the round; with a second document, the history across rounds.
The page is checked as HTML here and in Chromium in test_tracker_browser.py.
"""

from __future__ import annotations

import html
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import running_server
from test_queries import answer

from hled_graph import graph as hgraph
from hled_graph.iris import compact
from hled_graph.publish.tracker import TRACKER_DIR, TRACKER_FILE, tracked_items, tracker_html, write_tracker
from hled_graph.sparql import engine
from hled_graph.sparql.server.messages import CSP

SECOND_DOCUMENT = Path(__file__).parent / "fixtures" / "second-document" / "hled-test-2023.ttl"
# Read from the fact sheet: Mexico joined the zero-emission vehicle goal; USAID launched the program.
TARGET_OWNERS = {"hdw:zero-emission-vehicle-goal": "status:completed",
                 "hdw:sustainable-prosperous-communities": "status:completed"}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store()


@pytest.fixture(scope="module")
def rows(store: ox.Store) -> dict[str, object]:
    return {row.item.key: row for row in tracked_items(store)}


class _Rows(HTMLParser):
    """The tracker's table rows (their data-item) and the hrefs inside them."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.links: dict[str, list[str]] = {}
        self._row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-item"):
            self._row = str(values["data-item"])
            self.items.append(self._row)
            self.links[self._row] = []
        elif tag == "a" and self._row is not None:
            self.links[self._row].append(str(values.get("href")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None


def parse(page: str) -> _Rows:
    parser = _Rows()
    parser.feed(page)
    return parser


def test_every_promised_thing_and_every_target_owner_is_a_row(store: ox.Store, rows: dict[str, object]) -> None:
    promised = {row["item"] for row in answer(store, "commitments-by-status")}
    with_target = {row["about"] for row in answer(store, "counts-and-targets") if row["measure"] == "target"}
    assert set(rows) == promised | with_target
    assert len(rows) == 13 and with_target - promised == set(TARGET_OWNERS)


def test_each_row_has_the_latest_status_and_round_the_library_gives(store: ox.Store, rows: dict) -> None:
    expected = {row["item"]: (row["status"], row["round"]) for row in answer(store, "commitments-by-status")}
    expected |= {item: (status, "round:2022") for item, status in TARGET_OWNERS.items()}
    found = {key: tuple((r.status.key, r.round.key) for r in row.latest) for key, row in rows.items()}
    assert found == {key: (value,) for key, value in expected.items()}


def test_money_and_targets_are_on_their_rows(store: ox.Store, rows: dict) -> None:
    concerned = answer(store, "commitments-by-status")
    on_rows = {}
    for money in answer(store, "money"):  # the $38,000 award is a deed done, not a promise: on no row
        for item in {row["item"] for row in concerned if row["act"] == money["action"]}:
            on_rows.setdefault(item, []).append(f"{float(money['amount']):,.0f} {money['currency']}")
    assert on_rows == {key: row.amounts for key, row in rows.items() if row.amounts}
    assert len(on_rows) == 3
    assert rows["hdc:tijuana-river-pollution-projects"].amounts == ["474,000,000 USD"]
    assert rows["hdw:zero-emission-vehicle-goal"].targets == ["50 percent by 2030"]
    assert rows["hdw:surges"].targets == ["30 public-private partnerships"]


def test_quotes_agencies_and_pillars_come_from_the_reporting_acts(store: ox.Store, rows: dict) -> None:
    for key, row in rows.items():
        for report in row.reports:
            (quote,) = answer(store, "source-quote", action=report.act.key)
            assert report.quote == quote["exact"], key
    epa = rows["hdc:tijuana-river-pollution-projects"]
    assert [agency.label for agency in epa.agencies] == ["Environmental Protection Agency", "National Water Commission"]
    assert [country.key for country in epa.countries] == ["hdl:mexico", "hdl:united-states"]
    assert [pillar.key for pillar in epa.pillars] == ["pillar:1"]
    assert rows["hde:technical-education-dialogue"].due == ["starts 2022-10"]


def test_a_second_document_adds_its_round_to_the_history() -> None:
    store = engine.load_store()
    store.load(path=str(SECOND_DOCUMENT), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:x-test:second"))
    progress = answer(store, "commitment-progress")
    reported_2023 = {row["item"] for row in progress if row["reportRound"] == "round:2023"}
    assert reported_2023
    by_key = {row.item.key: row for row in tracked_items(store)}
    for item in reported_2023:
        history = [(report.round.key, report.status.key) for report in by_key[item].reports]
        expected = [(row["reportRound"], row["status"]) for row in progress if row["item"] == item]
        assert history == expected
        assert by_key[item].latest[0].round.key == "round:2023"
    # the fixture's 2023 document reports the USMCA negotiations concluded
    usmca = by_key["hdc:usmca-emergency-subcommittee-negotiations"]
    assert [(r.round.key, r.status.key) for r in usmca.reports] == [
        ("round:2022", "status:committed"), ("round:2023", "status:completed")]
    assert [status.key for status in usmca.statuses] == ["status:completed"]
    page = tracker_html(store)
    timeline = page[page.index('id="timeline"'):]
    assert timeline.index("2022 meeting") < timeline.index("2023 meeting")
    assert "no report on these items" in timeline  # the 2021 round reports none of them


def test_the_offline_page_links_to_the_iris_and_inlines_what_it_runs(store: ox.Store, tmp_path: Path) -> None:
    path = write_tracker(tmp_path, graph=hgraph.load_graph())
    assert path == tmp_path / TRACKER_DIR / TRACKER_FILE
    page = path.read_text(encoding="utf-8")
    parsed = parse(page)
    assert sorted(compact(item) for item in parsed.items) == sorted(row.item.key for row in tracked_items(store))
    assert all(href.startswith("https://w3id.org/hled/") for links in parsed.links.values() for href in links)
    assert "script-src 'sha256-" in html.unescape(page) and "<script src" not in page and 'rel="stylesheet"' not in page


def test_the_page_is_the_same_on_every_render(store: ox.Store) -> None:
    assert tracker_html(store) == tracker_html(engine.load_store())


def test_the_endpoint_serves_the_tracker_with_its_csp_and_local_links() -> None:
    with running_server("--workers", "1") as server:
        with urllib.request.urlopen(server.url + "/commitments") as response:
            assert response.headers["Content-Security-Policy"] == CSP
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            page = response.read().decode("utf-8")
        for name, media in (("commitments.js", "text/javascript"), ("commitments.css", "text/css")):
            with urllib.request.urlopen(f"{server.url}/{name}") as response:
                assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
                assert f'"/{name}"' in page
        parsed = parse(page)
        assert len(parsed.items) == 13
        row = parsed.links["https://w3id.org/hled/id/commitment/tijuana-river-pollution-projects"]
        assert row[0] == "/id/commitment/tijuana-river-pollution-projects"
        assert {"/id/org/epa", "/id/org/conagua", "/id/pillar/1", "/id/round/2022"} <= set(row)
        with urllib.request.urlopen(server.url + row[0]) as response:  # the link leads to the entity's page
            assert "Tijuana River" in response.read().decode("utf-8")
        assert "<script>" not in page and "<style>" not in page
