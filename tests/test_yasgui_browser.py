"""The query page's SPARQL editor, YASGUI, in Debian's Chromium against the real endpoint: an example runs
and shows what the engine answers, completion and downloads work, and no request leaves for another host."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RunningServer, running_server, wait_until
from test_hostile_labels_in_browser import Visit

from hled_graph.namespaces import PREFIXES
from hled_graph.sparql.engine import load_store
from hled_graph.sparql.server.app import STATIC_DIR
from hled_graph.sparql.server.examples import example_queries
from hled_graph.sparql.server.pages import QUERY_PAGE_CSP, YASGUI, YASGUI_STYLES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
EXAMPLE = "actions-by-kind"  # literals, hled: classes and typed counts: every kind of cell

# Recorded before any page script runs: the policy's refusals, which the console shows only as text.
WATCH_POLICY = ("window.__refused = []; document.addEventListener('securitypolicyviolation', "
                "(event) => window.__refused.push(event.violatedDirective + ' ' + event.blockedURI));")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server("--workers", "1") as running:
        yield running


class QueryPage:
    """The query page open in Chromium (a hostile-label test's Visit: requests to any host but the
    endpoint are recorded and aborted), with its console errors and its policy refusals."""

    def __init__(self, browser: object, server: RunningServer, *, path: str | None = None) -> None:
        self.origin = server.url + "/"
        self.visit = Visit(browser, allowed_prefix=self.origin)
        self.page = self.visit.page
        self.requests = self.visit.requests
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.add_init_script(WATCH_POLICY)
        self.page.goto(path or self.origin)
        self.page.wait_for_selector("#example-list button")
        wait_until(self.page, "window.hledYasgui && document.querySelector('.yasgui .CodeMirror') !== null")

    def yasqe(self, call: str, *args: object) -> object:
        return self.page.evaluate(f"(args) => hledYasgui.getTab().getYasqe().{call}(...args)", list(args))

    def run(self, query: str) -> None:
        self.yasqe("setValue", query)
        self.page.evaluate("hledYasgui.getTab().query().catch(() => {})")

    def table(self) -> list[list[str]]:
        """The cells of the result table as shown, without the row-number column."""
        return self.page.evaluate("""[...document.querySelectorAll('.yasr table tbody tr')].map(
            (row) => [...row.querySelectorAll('td')].slice(1).map((cell) => cell.innerText))""")

    def assert_stayed_home(self) -> None:
        self.visit.assert_nothing_ran()  # no request elsewhere, no dialog, no injected markup
        assert self.page.evaluate("window.__refused") == []
        assert self.errors == []


@pytest.fixture
def query_page(browser: object, server: RunningServer) -> Iterator[QueryPage]:
    page = QueryPage(browser, server)
    yield page
    page.page.close()


def short(iri: str) -> str:
    """An IRI as the page's table writes it: under its longest project prefix, else in angle brackets."""
    namespaces = [(prefix, ns) for prefix, ns in PREFIXES.items() if iri.startswith(ns) and len(iri) > len(ns)]
    if not namespaces:
        return f"<{iri}>"
    prefix, namespace = max(namespaces, key=lambda pair: len(pair[1]))
    return f"{prefix}:{iri[len(namespace):]}"


def shown(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return short(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return f'"{term.value}"@{term.language}'
    if term.datatype.value == XSD_STRING:
        return term.value
    return f'"{term.value}"^^{short(term.datatype.value)}'


def engine_rows(query: str) -> list[list[str]]:
    solutions = load_store().query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    return [[shown(solution[name]) if solution[name] is not None else "" for name in names] for solution in solutions]


def example_text(name: str) -> str:
    return next(example["text"] for example in example_queries() if example["name"] == name)


def test_an_example_runs_in_yasgui_and_shows_the_engines_rows(query_page: QueryPage) -> None:
    page = query_page.page
    expected = engine_rows(example_text(EXAMPLE))
    assert len(expected) > 5
    page.click(f"#example-list button[data-name='{EXAMPLE}']")
    wait_until(page, f"document.querySelectorAll('.yasr table tbody tr').length === {len(expected)}")
    assert query_page.table() == expected
    assert query_page.yasqe("getValue") == example_text(EXAMPLE)  # the example, loaded into the editor
    assert page.inner_text(".yasgui .tabsList .tab.active").strip().startswith("Actions by kind")
    assert f"{len(expected)} results" in page.inner_text(".yasr_response_chip")
    # this endpoint only: no field to point the editor elsewhere, no link to YASR's documentation host
    assert not page.is_visible(".yasgui .autocompleteWrapper") and not page.is_visible(".yasr_external_ref_btn")
    # an entity of the graph links to its page here, not to w3id.org
    hrefs = page.evaluate("[...document.querySelectorAll('.yasr tbody a.iri')].map((a) => a.getAttribute('href'))")
    assert hrefs and all(href.startswith(("/id/", "http://www.w3.org/")) or "w3id.org/hled/ontology" in href
                         for href in hrefs), hrefs
    # sortable: a click on the "kind" header orders the rows by it
    page.click(".yasr table thead th:nth-child(2)")
    wait_until(page, "document.querySelector('.yasr table thead th:nth-child(2)').classList.contains('dt-ordering-asc')")
    kinds = [row[0] for row in query_page.table()]
    assert kinds == sorted(row[0] for row in expected) != [row[0] for row in expected]
    query_page.assert_stayed_home()


def test_the_result_table_downloads_as_csv(query_page: QueryPage) -> None:
    page = query_page.page
    page.click(f"#example-list button[data-name='{EXAMPLE}']")
    wait_until(page, "document.querySelectorAll('.yasr table tbody tr').length > 5")
    with page.expect_download() as download:
        page.click(".yasr .yasr_downloadIcon")
    header, *rows = csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    assert header == ["kind", "class", "actions"]
    expected = engine_rows(example_text(EXAMPLE))
    assert [(kind, int(actions)) for kind, _, actions in rows] == [
        (kind, int(actions.split('"')[1])) for kind, _, actions in expected]
    assert [iri for _, iri, _ in rows] == [PREFIXES["hled"] + cls.split(":", 1)[1] for _, cls, _ in expected]
    query_page.assert_stayed_home()


def test_completion_comes_from_the_project_and_this_endpoint(query_page: QueryPage) -> None:
    page = query_page.page
    # a project prefix typed in the query brings its PREFIX line (from hled_graph.namespaces, not prefix.cc)
    query_page.yasqe("setValue", "SELECT ?label WHERE {\n  ")
    query_page.yasqe("focus")
    query_page.yasqe("setCursor", {"line": 1, "ch": 2})
    page.keyboard.type("hdo:epa rdfs:label ?label }")
    wait_until(page, "hledYasgui.getTab().getYasqe().getValue().includes('PREFIX hdo:')")
    assert f"PREFIX hdo: <{PREFIXES['hdo']}>" in str(query_page.yasqe("getValue")).splitlines()
    # properties are completed from the graph itself (not Linked Open Vocabularies)
    query_page.yasqe("setValue", f"PREFIX hled: <{PREFIXES['hled']}>\nSELECT * WHERE {{ ?s hled:re")
    query_page.yasqe("focus")
    query_page.yasqe("setCursor", {"line": 1, "ch": 40})
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hint")
    hints = page.locator(".CodeMirror-hint").all_inner_texts()
    store = load_store()
    used = {row["p"].value for row in store.query("SELECT DISTINCT ?p WHERE { [] ?p [] }",
                                                  use_default_graph_as_union=True)}  # type: ignore[union-attr]
    assert hints == sorted(short(p) for p in used if p.startswith(PREFIXES["hled"] + "re"))
    page.keyboard.press("Escape")
    # and classes, after `a`
    query_page.yasqe("setValue", f"PREFIX hled: <{PREFIXES['hled']}>\nSELECT * WHERE {{ ?s a hled:Co")
    query_page.yasqe("focus")
    query_page.yasqe("setCursor", {"line": 1, "ch": 40})
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hint")
    classes = {row["c"].value for row in store.query("SELECT DISTINCT ?c WHERE { [] a ?c }",
                                                     use_default_graph_as_union=True)}  # type: ignore[union-attr]
    assert page.locator(".CodeMirror-hint").all_inner_texts() == sorted(
        short(c) for c in classes if c.startswith(PREFIXES["hled"] + "Co"))
    assert any(url.startswith(query_page.origin + "sparql") for url in query_page.requests)
    query_page.run(example_text(EXAMPLE))
    wait_until(page, "document.querySelectorAll('.yasr table tbody tr').length > 5")
    assert page.evaluate("[localStorage.length, sessionStorage.length]") == [0, 0]  # nothing kept in the browser
    query_page.assert_stayed_home()


def test_a_shared_link_opens_its_query_against_this_endpoint_only(query_page: QueryPage, browser: object,
                                                                  server: RunningServer) -> None:
    text = example_text(EXAMPLE)
    query_page.yasqe("setValue", text)
    link = query_page.page.evaluate("hledYasgui.getTab().getShareableLink()")
    assert link.startswith(server.url + "/#query=") and "&endpoint=" in link
    # a link naming another endpoint still queries this one
    shared = QueryPage(browser, server, path=link.replace("endpoint=", "endpoint=https%3A%2F%2Fexample.org%2Fsparql&x="))
    try:
        assert shared.yasqe("getValue") == text
        wait_until(shared.page, "document.querySelectorAll('.yasr table tbody tr').length > 5")
        assert shared.table() == engine_rows(text)
        shared.assert_stayed_home()
    finally:
        shared.page.close()


def test_quoted_triples_and_blank_nodes_show_as_text(query_page: QueryPage) -> None:
    query_page.run('SELECT ?t ?b WHERE { BIND(TRIPLE(<urn:a>, <urn:b>, "x"@en) AS ?t) BIND(BNODE() AS ?b) }')
    wait_until(query_page.page, "document.querySelectorAll('.yasr table tbody tr').length === 1")
    [[triple, blank]] = query_page.table()
    assert triple == '<< <urn:a> <urn:b> "x"@en >>' and re.fullmatch(r"_:\S+", blank), (triple, blank)
    query_page.assert_stayed_home()


def test_a_malformed_query_shows_the_endpoints_message(query_page: QueryPage) -> None:
    query_page.run("SELECT * WHERE { ?s ?p }")
    query_page.page.wait_for_selector(".yasr .errorResult")
    assert "query line 1, column " in query_page.page.inner_text(".yasr .errorResult")
    assert [error for error in query_page.errors if "status of 400" not in error] == []
    assert [url for url in query_page.requests if not url.startswith(query_page.origin)] == []


def test_dragging_a_column_needs_only_the_two_allowed_styles(query_page: QueryPage, server: RunningServer) -> None:
    """The column resizer's <style> texts are allowed by hash; the hashes are of the vendored file's texts."""
    page = query_page.page
    page.click(f"#example-list button[data-name='{EXAMPLE}']")
    wait_until(page, "document.querySelectorAll('.yasr table tbody tr').length > 5")
    handle = page.locator(".grip-handle .grip-resizable").nth(1)  # between the "kind" and "class" columns
    handle.scroll_into_view_if_needed()
    grip = handle.bounding_box()
    assert grip is not None
    width = "document.querySelector('.yasr table thead th:nth-child(2)').offsetWidth"
    before = page.evaluate(width)
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + 5)
    page.mouse.down()
    page.mouse.move(grip["x"] + 120, grip["y"] + 5, steps=5)
    styles = page.evaluate("[...document.querySelectorAll('style')].map((style) => style.textContent)")
    page.mouse.up()
    assert sorted(styles) == sorted(YASGUI_STYLES)  # both added, neither refused (assert_stayed_home)
    assert page.evaluate(width) > before + 60
    query_page.assert_stayed_home()
    script = (STATIC_DIR / f"{YASGUI}.min.js").read_text(encoding="utf-8")
    assert YASGUI_STYLES[0] in script
    assert "createStyle(document.querySelector(`head`),`*{cursor:`+n.opt.dragCursor+`!important}`)" in script
    assert "dragCursor:`col-resize`" in script and YASGUI_STYLES[1] == "*{cursor:col-resize!important}"
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
    assert policy == QUERY_PAGE_CSP
    assert "unsafe" not in policy and re.findall(r"'sha256-[^']+'", policy) == re.findall(
        r"'sha256-[^']+'", policy.split("style-src", 1)[1].split(";", 1)[0])


def test_the_vendored_files_are_the_recorded_ones_and_served_with_their_licence(server: RunningServer) -> None:
    readme = (STATIC_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"\| `(yasgui-[\w.-]+)` \| `([0-9a-f]{64})` \|", readme))
    assert set(recorded) == {f"{YASGUI}.min.js", f"{YASGUI}.min.css"}
    for name, digest in recorded.items():
        with urllib.request.urlopen(f"{server.url}/static/{name}", timeout=10) as response:
            assert hashlib.sha256(response.read()).hexdigest() == digest, name
    with urllib.request.urlopen(f"{server.url}/static/{YASGUI}.LICENSE", timeout=10) as response:
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.read().startswith(b"The MIT License")
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        page = response.read().decode()
    assert f'src="/static/{YASGUI}.min.js"' in page and f'href="/static/{YASGUI}.min.css"' in page
