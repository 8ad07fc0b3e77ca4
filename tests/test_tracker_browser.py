"""The commitments tracker in Chromium, opened as a file and served at /commitments: each filter shows exactly the
rows a SPARQL query on the same graph expects, no request leaves the page, and hostile labels stay text."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import test_hostile_labels_in_browser as hostile_pages
from conftest import FIXTURES, running_server, wait_until
from test_hostile_labels_in_browser import Visit, assert_no_invisible_characters
from test_queries import answer
from test_tracker import TARGET_OWNERS

from hled_graph.iris import compact
from hled_graph.publish.tracker import tracker_html
from hled_graph.sparql import engine

HOSTILE = FIXTURES / "tracker-hostile.ttl"
# The acts that report on a tracked item: those that concern it, and for a goal or program with a target that no
# act concerns, those that made or joined it.
_BY_REPORTING_ACTS = """
SELECT DISTINCT ?item ?value WHERE {
  { ?act hled:concerns ?item } UNION { ?item hled:target ?t . ?act prov:generated|hled:joined ?item .
                                       FILTER NOT EXISTS { ?other hled:concerns ?item } }
  ?act %s ?value
}"""


visit = hostile_pages.visit  # the fixture that opens a page and records its requests, dialogs and console


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store()


def expected_rows(store: ox.Store) -> dict[str, dict[str, set[str]]]:
    """For each filter, option -> the items it shows, from the library queries and SPARQL on ``store``."""
    tracked = {row["item"] for row in answer(store, "commitments-by-status")}
    tracked |= {row["about"] for row in answer(store, "counts-and-targets") if row["measure"] == "target"}
    expected: dict[str, dict[str, set[str]]] = {"pillar": {}, "status": {}, "country": {}}
    for filter_name, path in (("pillar", "hled:pillar"), ("country", "prov:wasAssociatedWith/hled:country")):
        for row in engine.run_query(store, _BY_REPORTING_ACTS % path).rows:
            item, value = (compact(term.value) for term in row)
            if item in tracked:
                expected[filter_name].setdefault(value, set()).add(item)
    without_pillar = tracked - set().union(*expected["pillar"].values())
    if without_pillar:  # offered only when some row has none (on the 2022 graph every row has a pillar)
        expected["pillar"]["none"] = without_pillar
    for row in answer(store, "commitments-by-status"):
        expected["status"].setdefault(row["status"], set()).add(row["item"])
    for item, status in TARGET_OWNERS.items():
        expected["status"].setdefault(status, set()).add(item)
    for options in expected.values():
        options[""] = tracked
    return expected


def visible_items(page: object) -> set[str]:
    return {compact(iri) for iri in page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('#tracker tbody tr')].filter(r => !r.hidden && r.offsetHeight > 0)"
        ".map(r => r.dataset.item)")}


def check_every_filter(page: object, expected: dict[str, dict[str, set[str]]]) -> int:
    """Choose every option of every filter, alone, and compare the rows shown; the number of choices made."""
    choices = 0
    for filter_name, options in expected.items():
        offered = page.evaluate(f"[...document.getElementById('filter-{filter_name}').options].map(o => o.value)")  # type: ignore[attr-defined]
        assert set(offered) == set(options), filter_name
        for value in offered:
            page.select_option(f"#filter-{filter_name}", value)  # type: ignore[attr-defined]
            assert visible_items(page) == options[value], (filter_name, value)
            shown = page.inner_text("#shown")  # type: ignore[attr-defined]
            assert shown == f"{len(options[value])} of {len(options[''])} shown"
            choices += 1
        page.select_option(f"#filter-{filter_name}", "")  # type: ignore[attr-defined]
    # two filters together: the rows both allow
    page.select_option("#filter-pillar", "pillar:1")  # type: ignore[attr-defined]
    page.select_option("#filter-country", "hdl:mexico")  # type: ignore[attr-defined]
    assert visible_items(page) == expected["pillar"]["pillar:1"] & expected["country"]["hdl:mexico"] != set()
    timeline = {compact(iri) for iri in page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('#timeline li[data-item]')].filter(li => li.offsetHeight > 0)"
        ".map(li => li.dataset.item)")}
    assert timeline == visible_items(page)  # the timeline follows the filters
    return choices


def test_offline_filters_show_the_expected_rows(store: ox.Store, tmp_path: Path, visit) -> None:
    path = tmp_path / "commitments.html"
    path.write_text(tracker_html(store), encoding="utf-8")
    page_visit = visit(path.as_uri(), allowed_prefix=path.as_uri())
    expected = expected_rows(store)
    assert visible_items(page_visit.page) == expected["pillar"][""] and len(expected["pillar"][""]) == 13
    # every choice, "all" included: 4 pillars, 5 statuses, 3 countries
    assert check_every_filter(page_visit.page, expected) == 5 + 6 + 4
    page_visit.assert_nothing_ran()
    assert page_visit.requests == [path.as_uri()]
    assert page_visit.console == []  # no CSP refusal: the inline script and style are allowed by hash


def test_served_filters_show_the_expected_rows_under_the_endpoint_csp(store: ox.Store, visit) -> None:
    with running_server("--workers", "1") as server:
        page_visit = visit(server.url + "/commitments", allowed_prefix=server.url + "/")
        wait_until(page_visit.page, "document.readyState === 'complete'")
        check_every_filter(page_visit.page, expected_rows(store))
        # the style came from /commitments.css: the filters' box is laid out as a flex row
        assert page_visit.page.evaluate("getComputedStyle(document.getElementById('filters')).display") == "flex"
        page_visit.assert_nothing_ran()
        assert sorted(url.removeprefix(server.url) for url in page_visit.requests) == [
            "/commitments", "/commitments.css", "/commitments.js"]
        assert page_visit.console == []


def _assert_hostile_values_are_text(page_visit: Visit) -> None:
    page = page_visit.page
    body = page.inner_text("body")
    for text in ('<img src=x onerror="window.__pwned=1;alert(1)">', "</script><script>window.__pwned=2</script>",
                 "<b onmouseover=alert(3)>USD</b>", "<svg onload=window.__pwned=6>",
                 "<iframe src=javascript:window.__pwned=7>", "<script>window.__pwned=8</script>",
                 "</blockquote><script>window.__pwned=10</script> ⟨U+202E⟩desrever⟨U+202C⟩",
                 "⟨U+202E⟩gnp.exe pay⟨U+200B⟩pal"):
        assert text in body, text
    unsafe_links = "[...document.links].filter(a => /^(javascript|data|vbscript):$/i.test(a.protocol)).length"
    assert page.evaluate(unsafe_links) == 0
    for element in page.query_selector_all("#tracker a, #tracker span"):
        element.hover()
    page.select_option("#filter-pillar", index=1)  # the hostile pillar's label is an option's text
    assert_no_invisible_characters(page.content())
    page_visit.assert_nothing_ran()
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # only the tracker's own
    page.get_by_text("click me").click()  # the javascript: agency's link leads to about:invalid, runs nothing
    page_visit.assert_nothing_ran()


def test_hostile_values_are_inert_offline(tmp_path: Path, visit) -> None:
    store = ox.Store()
    store.load(path=str(HOSTILE), format=ox.RdfFormat.TURTLE)
    path = tmp_path / "commitments.html"
    path.write_text(tracker_html(store), encoding="utf-8")
    page_visit = visit(path.as_uri(), allowed_prefix=path.as_uri())
    assert visible_items(page_visit.page) == {"hdc:hostile"}
    _assert_hostile_values_are_text(page_visit)


def test_hostile_values_are_inert_served(visit) -> None:
    with running_server("--data", str(HOSTILE), "--workers", "1") as server:
        page_visit = visit(server.url + "/commitments", allowed_prefix=server.url + "/")
        wait_until(page_visit.page, "document.readyState === 'complete'")
        assert visible_items(page_visit.page) == {"hdc:hostile"}
        _assert_hostile_values_are_text(page_visit)


@pytest.mark.parametrize("width", [800, 1300, 1600])
def test_no_cell_overprints_its_neighbour(store: ox.Store, tmp_path: Path, browser, width: int) -> None:
    path = tmp_path / "commitments.html"
    path.write_text(tracker_html(store), encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(path.as_uri())
        overflowing = page.evaluate("""[...document.querySelectorAll('#tracker td, #tracker th')]
            .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
            .map(cell => cell.textContent.slice(0, 40))""")
        assert overflowing == []
        # a narrow window scrolls the table sideways; the page itself stays within the window
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        page.close()
