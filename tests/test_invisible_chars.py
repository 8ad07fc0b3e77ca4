"""Characters that reorder or hide text are written out in everything shown to a person: each
class of them in :func:`hled_graph.visible.reveal`, every template through the one Jinja2
environment, the Jupyter result table, the server's error page, map tooltips and the CLI table."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from conftest import FIXTURES
from rdflib import Graph, Literal, URIRef

from hled_graph.cli import main
from hled_graph.publish.links import LABEL_DIFFERS, Link, LinkCheck, format_checks
from hled_graph.sparql.rdflib_engine import Result
from hled_graph.sparql.server.messages import error_response
from hled_graph.templating import environment
from hled_graph.visible import is_invisible, reveal, reveal_in_url
from hled_graph.viz.maps import build_map

INVISIBLE_CLASSES = {
    "bidi embedding and override": "\u202a\u202b\u202c\u202d\u202e",
    "bidi isolate": "\u2066\u2067\u2068\u2069",
    "bidi mark": "\u200e\u200f\u061c",
    "zero width": "\u200b\u200c\u200d\u2060\ufeff",
    "other format (Cf)": "\u00ad\u2061\u2064\u206a\U000e0001\U000e0041\U0001d173",
    "default-ignorable filler": "\u115f\u1160\u3164\uffa0\u034f\u17b4",
    "line and paragraph separator": "\u2028\u2029",
}
VISIBLE = "A z 0 é ñ ü 中文 العربية עברית 😀 \u00a0 ✓ ⟨ ⟩ \ufe0f"  # includes RTL letters and a variation selector


@pytest.mark.parametrize("chars", INVISIBLE_CLASSES.values(), ids=INVISIBLE_CLASSES.keys())
def test_each_invisible_character_is_written_out(chars: str) -> None:
    for char in chars:
        assert is_invisible(char), f"U+{ord(char):04X}"
        shown = reveal(f"a{char}b")
        assert shown == f"a⟨U+{ord(char):04X}⟩b"
        assert not any(is_invisible(c) for c in shown)


def test_visible_text_is_left_as_it_is() -> None:
    assert not any(is_invisible(char) for char in VISIBLE)
    assert reveal(VISIBLE) == VISIBLE
    assert reveal("plain ascii <&>") == "plain ascii <&>"


def test_every_format_character_is_invisible() -> None:
    format_chars = [chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Cf"]
    assert len(format_chars) > 150
    assert all(is_invisible(char) for char in format_chars)


def test_the_exe_that_shows_as_png() -> None:
    assert reveal("\u202egnp.exe") == "⟨U+202E⟩gnp.exe"


def test_a_url_keeps_its_target_and_shows_the_character() -> None:
    assert reveal_in_url("https://example.org/a\u202eb?x=é") == "https://example.org/a%E2%80%AEb?x=é"
    assert reveal_in_url("https://example.org/plain") == "https://example.org/plain"


def test_every_template_value_passes_through_the_hook() -> None:
    env = environment("hled_graph.sparql.server")
    page = env.from_string(
        '<p title="{{ v }}">{{ v }}</p><a href="{{ u | href }}">x</a><script>{{ v | tojson }}</script>'
    )
    html = page.render(v="<b>\u202egnp.exe</b>", u="https://example.org/\u202e\"")
    assert html == (
        '<p title="&lt;b&gt;⟨U+202E⟩gnp.exe&lt;/b&gt;">&lt;b&gt;⟨U+202E⟩gnp.exe&lt;/b&gt;</p>'
        '<a href="https://example.org/%E2%80%AE&#34;">x</a>'
        '<script>"\\u003cb\\u003e\\u202egnp.exe\\u003c/b\\u003e"</script>'  # data for scripts stays exact
    )


def test_the_jupyter_result_table_writes_them_out() -> None:
    row = (URIRef("https://example.org/x\u200by"), Literal("\u202egnp.exe", lang="en"))
    html = Result(kind="select", variables=("s", "label"), rows=(row,))._repr_html_()
    assert "⟨U+202E⟩gnp.exe" in html and "⟨U+200B⟩" in html and 'href="https://example.org/x%E2%80%8By"' in html
    assert "\u202e" not in html and "\u200b" not in html


def test_the_error_page_writes_them_out() -> None:
    response = error_response(400, "no such graph <\u202egnp.exe>", accept="text/html")
    body = response.body.decode("utf-8")
    assert "⟨U+202E⟩gnp.exe" in body and "\u202e" not in body


def test_map_tooltips_and_labels_write_them_out() -> None:
    graph = Graph()
    graph.parse(FIXTURES / "hostile-labels.ttl")
    document = build_map(graph, focus="hdo:hostile", depth=1)
    shown = [str(node["title"]) for node in document.nodes] + [str(node["label"]) for node in document.nodes]
    shown += [str(edge.get("title", "")) for edge in document.edges]
    assert any("⟨U+202E⟩gnirts desrever⟨U+202C⟩, pay⟨U+200B⟩pal" in text for text in shown)
    assert not any(is_invisible(char) for text in shown for char in text)
    assert "\u202e" not in document.html and "\u200b" not in document.html


def test_the_cli_table_writes_them_out_and_csv_keeps_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "SELECT ?label WHERE { ?s <http://purl.org/dc/terms/description> ?label }"
    data = str(FIXTURES / "hostile-labels.ttl")
    with pytest.raises(SystemExit) as table_exit:
        main(["query", "--data", data, "--query", query])
    table = capsys.readouterr().out
    with pytest.raises(SystemExit) as csv_exit:
        main(["query", "--data", data, "--query", query, "--format", "csv"])
    csv = capsys.readouterr().out
    assert (table_exit.value.code, csv_exit.value.code) == (0, 0)
    assert "⟨U+202E⟩gnirts desrever⟨U+202C⟩, pay⟨U+200B⟩pal" in table and "\u202e" not in table
    assert "\u202egnirts desrever\u202c, pay\u200bpal" in csv  # a data format keeps the data exact


def test_the_links_check_table_writes_out_a_label_found_on_wikidata() -> None:
    link = Link(entity="https://w3id.org/hled/id/org/epa", predicate="http://www.w3.org/2002/07/owl#sameAs",
                qid="Q460173", recorded_label="Environmental Protection Agency")
    check = LinkCheck(link=link, found_label="\u202egnp.exe", redirect_to=None, status=LABEL_DIFFERS)
    table = format_checks([check])
    assert "⟨U+202E⟩gnp.exe" in table and "\u202e" not in table


def test_an_error_line_writes_out_what_it_echoes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["query", "\u202egnp.exe"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("hled-graph: error: ") and "⟨U+202E⟩gnp.exe" in err and "\u202e" not in err


def test_the_validation_report_writes_out_the_values_it_quotes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix hled: <https://w3id.org/hled/ontology#> .\n"
        '<https://w3id.org/hled/id/org/x> a hled:GovernmentAgency ; hled:country "\u202egnp.exe" .\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(bad)])
    out = capsys.readouterr().out
    assert exit_info.value.code == 1
    assert "(value: ⟨U+202E⟩gnp.exe)" in out and "\u202e" not in out
