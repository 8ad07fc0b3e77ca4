"""A hostile label shows as text in every HTML output, in the real browser: no dialog, no script, no request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, running_server, wait_until
from rdflib import Graph

from hled_graph import graph as hgraph
from hled_graph.publish.docs import ontology_html
from hled_graph.visible import is_invisible
from hled_graph.viz.maps import build_map

HOSTILE = FIXTURES / "hostile-labels.ttl"
IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT = "</script><script>window.__pwned=2</script>"
REVERSED = "⟨U+202E⟩gnirts desrever⟨U+202C⟩"  # the override written out, not obeyed
ZERO_WIDTH = "pay⟨U+200B⟩pal"


# Bidirectional embeddings, overrides and isolates, zero-width characters, the BOM: the fixture's.
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff"


def assert_no_invisible_characters(text: str) -> None:
    """What the page holds has no character that reorders or hides text: none of the fixture's, nor
    any other that hled_graph.visible names (every format character, the fillers, the separators)."""
    assert [f"U+{ord(c):04X}" for c in text if c in INVISIBLE or is_invisible(c)] == []


class Visit:
    """One page load: what it asked the network for, which dialogs opened, what it logged."""

    def __init__(self, browser: object, *, allowed_prefix: str) -> None:
        self.page = browser.new_page()  # type: ignore[attr-defined]
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.console: list[str] = []  # what the page logged: a CSP refusal shows here
        self.allowed_prefix = allowed_prefix
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.route("**/*", self._route)

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        self.requests.append(url)
        if url.startswith(self.allowed_prefix):
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    def assert_nothing_ran(self) -> None:
        assert self.page.evaluate("typeof window.__pwned") == "undefined"
        assert self.dialogs == []
        assert [url for url in self.requests if not url.startswith(self.allowed_prefix)] == []
        assert self.page.evaluate("document.querySelectorAll('img[src=x], img[onerror]').length") == 0


def run_in_editor(page: object, query: str) -> None:
    """Run ``query`` in the query page's editor (YASGUI) and wait for its result table."""
    wait_until(page, "window.hledYasgui !== undefined")
    page.evaluate("(query) => { const tab = hledYasgui.getTab(); tab.setQuery(query); return tab.query(); }",  # type: ignore[attr-defined]
                  query)
    wait_until(page, "document.querySelectorAll('.yasr table tbody td').length > 1", timeout=10)


@pytest.fixture(scope="module")
def hostile_graph() -> Graph:
    return hgraph.load_graph() + hgraph.parse_file(HOSTILE)


@pytest.fixture
def visit(browser: object) -> Iterator[object]:
    visits: list[Visit] = []

    def open_page(url: str, *, allowed_prefix: str) -> Visit:
        page_visit = Visit(browser, allowed_prefix=allowed_prefix)
        visits.append(page_visit)
        page_visit.page.goto(url)
        return page_visit

    yield open_page
    for page_visit in visits:
        page_visit.page.close()


def test_map_shows_hostile_labels_as_text(hostile_graph: Graph, tmp_path: Path, visit) -> None:
    path = build_map(hostile_graph, focus="hdo:hostile", depth=1).save(tmp_path / "map.html")
    page_visit = visit(path.as_uri(), allowed_prefix=path.as_uri())
    wait_until(page_visit.page, "window.hledNetwork && window.hledNetwork.nodes.length > 0")
    labels = page_visit.page.evaluate("hledNetwork.nodes.get().map(n => n.label)")
    assert any(label.startswith("<img src=x onerror=") for label in labels)  # long labels are shortened
    titles = " ".join(page_visit.page.evaluate("hledNetwork.nodes.get().map(n => String(n.title))"))
    # hover the node: the tooltip vis-network draws is what the reader sees
    x, y = page_visit.page.evaluate("""() => {
        const net = hledNetwork.network, id = "https://w3id.org/hled/id/org/hostile";
        const dom = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById('hled-network').getBoundingClientRect();
        return [box.left + dom.x, box.top + dom.y]; }""")
    page_visit.page.mouse.move(x, y)
    page_visit.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    tooltip = page_visit.page.inner_text("div.vis-tooltip")
    assert REVERSED in tooltip and ZERO_WIDTH in tooltip
    assert_no_invisible_characters(tooltip)
    assert IMG in titles and REVERSED in titles and ZERO_WIDTH in titles
    assert_no_invisible_characters(titles + " ".join(labels))
    page_visit.assert_nothing_ran()


def test_ontology_docs_show_hostile_labels_as_text(hostile_graph: Graph, tmp_path: Path, visit) -> None:
    from rdflib import RDFS, URIRef

    from hled_graph.namespaces import HLED

    ontology = hgraph.ontology_graph() + hgraph.parse_file(HOSTILE)
    # a valid IRI that the page links to, as to any superclass it does not document
    ontology.add((URIRef(HLED + "HostileTerm"), RDFS.subClassOf, URIRef("javascript:window.__pwned=8")))
    path = tmp_path / "ontology.html"
    path.write_text(ontology_html(ontology, hostile_graph), encoding="utf-8")
    page_visit = visit(path.as_uri(), allowed_prefix=path.as_uri())
    text = page_visit.page.inner_text("body")
    assert "</style><script>window.__pwned=3</script>" in text
    assert "<img src=x onerror=window.__pwned=4>" in text
    assert "⟨U+202E⟩definition⟨U+202C⟩ zero⟨U+200B⟩width" in text
    assert "javascript:window.__pwned=8" in text
    assert page_visit.page.evaluate("[...document.links].filter(a => /^(javascript|data|vbscript):$/i.test(a.protocol)).length") == 0
    # the link in the term's rows (the class diagram shows the same IRI as plain text, too)
    page_visit.page.locator("a code", has_text="javascript:window.__pwned=8").click()
    assert_no_invisible_characters(page_visit.page.content())
    page_visit.assert_nothing_ran()


def test_entity_page_shows_hostile_labels_as_text(visit) -> None:
    with running_server("--data", str(HOSTILE), "--workers", "1") as server:
        page_visit = visit(server.url + "/id/org/hostile", allowed_prefix=server.url + "/")
        assert page_visit.page.inner_text("h1") == IMG
        body = page_visit.page.inner_text("body")
        assert SCRIPT in body and REVERSED in body and ZERO_WIDTH in body
        assert "⟨U+202E⟩gnp.exe" in body and "exe.png" not in body
        assert_no_invisible_characters(page_visit.page.content())
        page_visit.assert_nothing_ran()


def test_query_page_results_show_invisible_characters_written_out(visit) -> None:
    with running_server("--data", str(HOSTILE), "--workers", "1") as server:
        page_visit = visit(server.url + "/", allowed_prefix=server.url + "/")
        page = page_visit.page
        run_in_editor(page, "SELECT ?text WHERE { ?s <http://purl.org/dc/terms/description> ?text }")
        results = page.inner_text(".yasr table tbody")
        assert REVERSED in results and ZERO_WIDTH in results
        assert_no_invisible_characters(results)
        page_visit.assert_nothing_ran()


def test_the_jupyter_result_table_does_not_link_a_script_iri(tmp_path: Path, visit) -> None:
    from rdflib import URIRef

    from hled_graph.sparql.rdflib_engine import Result

    iris = ("javascript:window.__pwned=5", "JAVASCRIPT:window.__pwned=6", "data:text/html,<script>alert(7)</script>",
            "https://example.org/fine")
    path = tmp_path / "result.html"
    path.write_text(Result(kind="select", variables=("s",), rows=tuple((URIRef(i),) for i in iris))._repr_html_(),
                    encoding="utf-8")
    page_visit = visit(path.as_uri(), allowed_prefix=path.as_uri())
    links = page_visit.page.evaluate("[...document.links].map(a => a.href)")
    assert links == ["https://example.org/fine"]
    assert page_visit.page.locator("td").count() == len(iris)
    for cell in page_visit.page.locator("td").all()[:3]:
        cell.click()
    page_visit.assert_nothing_ran()


def test_the_query_page_writes_out_exactly_the_characters_python_does(visit) -> None:
    """One list: the page's script gets it from hled_graph.visible, not from the browser's own Unicode tables."""
    from hled_graph.visible import reveal

    python = [code for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF and is_invisible(chr(code))]
    with running_server("--data", str(HOSTILE), "--workers", "1") as server:
        page = visit(server.url + "/", allowed_prefix=server.url + "/").page
        wait_until(page, "typeof reveal === 'function'")
        browser = page.evaluate("""() => { const out = [];
            for (let c = 0; c < 0x110000; c++) {
              if (c >= 0xD800 && c <= 0xDFFF) continue;
              const s = String.fromCodePoint(c);
              if (reveal(s) !== s) out.push(c);
            }
            return out; }""")
        sample = "a\u202egnp.exe\u200b\U000e0041\u3164" + "".join(chr(code) for code in python)
        assert page.evaluate("(s) => reveal(s)", sample) == reveal(sample)
    assert browser == python


def test_query_page_writes_them_out_in_quoted_triples_and_blank_nodes(visit) -> None:
    with running_server("--data", str(HOSTILE), "--workers", "1") as server:
        page = visit(server.url + "/", allowed_prefix=server.url + "/").page
        run_in_editor(page, 'SELECT ?t ?b WHERE { BIND(TRIPLE(<urn:a>, <urn:b>, "\u202egnp.exe") AS ?t) '
                            'BIND(BNODE("\u202ex") AS ?b) }')
        cells = page.locator(".yasr table tbody td").all_inner_texts()[1:]  # after the row number
        assert len(cells) == 2 and "⟨U+202E⟩gnp.exe" in cells[0]
        assert_no_invisible_characters(" ".join(cells))
