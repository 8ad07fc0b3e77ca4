"""Every HTML page comes from a Jinja2 template with autoescape on; no Python code escapes HTML by hand."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from hled_graph import templating

SRC = Path(__file__).resolve().parents[1] / "src" / "hled_graph"
TEMPLATE_FOLDERS = sorted(p for p in SRC.rglob("templates") if p.is_dir())
HOSTILE = "<script>alert('x')</script> & \"q\""


def package_of(folder: Path) -> str:
    return ".".join(("hled_graph", *folder.parent.relative_to(SRC).parts))


def test_the_template_folders_are_those_of_the_faces() -> None:
    assert sorted(package_of(f) for f in TEMPLATE_FOLDERS) == [
        "hled_graph.publish", "hled_graph.sparql", "hled_graph.sparql.server", "hled_graph.viz"]


@pytest.mark.parametrize("folder", TEMPLATE_FOLDERS, ids=package_of)
def test_every_template_compiles_and_escapes_what_it_is_given(folder: Path) -> None:
    env = templating.environment(package_of(folder))
    names = sorted(p.name for p in folder.glob("*.html"))
    assert names and sorted(env.list_templates()) == names
    for name in names:
        env.get_template(name)  # a syntax error in a template fails here, not in front of a reader
    assert env.from_string("{{ value }}").render(value=HOSTILE) == (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;")


def test_no_python_module_escapes_html_by_hand() -> None:
    # A bare escape() or HTML's escapers by name; glob.escape and re.escape are not HTML.
    by_hand = re.compile(r"\bhtml\.escape\(|from html import|markupsafe import escape|markupsafe\.escape\(|(?<![\w.])escape\(")
    found = [f"{p.relative_to(SRC)}:{n}" for p in SRC.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if by_hand.search(line)]
    assert found == []


def test_the_query_page_comes_from_the_frame_of_every_other_page(endpoint) -> None:
    """The query page, an entity page and the service description, fetched from the real server, share one header."""
    def header(path: str, accept: str = "text/html") -> str:
        request = urllib.request.Request(endpoint.url + path, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            html = response.read().decode("utf-8")
        match = re.search(r"<header>.*?</header>", html, re.S)
        assert match, path
        return match.group(0)

    assert header("/") == header("/sparql") == header("/id/org/epa") == header("/index.html")


# Each is a valid IRI (or what rdflib lets through), and a browser would run or open it on a click.
UNSAFE_HREFS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " \x01javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd",
]
SAFE_HREFS = ["https://example.org/a", "HTTP://example.org/", "/id/org/epa", "#epa", "?format=turtle", "epa"]


@pytest.mark.parametrize("url", UNSAFE_HREFS)
def test_the_href_filter_blocks_a_link_that_would_run_or_open_something(url: str) -> None:
    html = templating.environment("hled_graph.publish").from_string('<a href="{{ u | href }}">x</a>').render(u=url)
    assert html == f'<a href="{templating.BLOCKED_HREF}">x</a>'


@pytest.mark.parametrize("url", SAFE_HREFS)
def test_the_href_filter_lets_a_navigation_through(url: str) -> None:
    assert templating.is_linkable(url)
    html = templating.environment("hled_graph.publish").from_string('<a href="{{ u | href }}">x</a>').render(u=url)
    assert html == f'<a href="{url}">x</a>'
