"""The Python API as a script or notebook uses it: a Result prints as the CLI's table, converts to a typed
DataFrame and to CSV, and takes bare names as the CLI does. Expected values come from the graph, asked
through the pyoxigraph engine (the CLI's), not from the rdflib answer under test.
"""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest

import hled_graph
from hled_graph.sparql import engine, library, results

HDO = "https://w3id.org/hled/id/org/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store()


def cli_outcome(store: ox.Store, name: str, **given: str) -> engine.QueryOutcome:
    named = library.find(name)
    return engine.run_query(store, named.text, bindings=named.bindings(given))


def test_print_of_a_named_query_is_the_cli_table(store: ox.Store) -> None:
    printed = subprocess.run([sys.executable, "-c", "import hled_graph; print(hled_graph.named_query('money'))"],
                             capture_output=True, text=True, check=True, timeout=120).stdout
    lines = printed.splitlines()
    assert lines[0].split() == ["action", "amount", "currency", "funders", "recipients", "purpose", "pillar"]
    assert set(lines[1]) == {"-", " "}
    money = cli_outcome(store, "money")
    assert lines[-2] == f"({len(money.rows)} rows)" and len(lines) == len(money.rows) + 4
    assert "rdflib" not in printed and "Result(" not in printed
    assert any(line.startswith("hda:epa-conagua-tijuana-river-investment ") for line in lines)


def test_repr_is_short_and_ask_prints_its_answer() -> None:
    result = hled_graph.named_query("money")
    assert repr(result) == f"<Result select: {len(result)} rows, variables={result.variables}>"
    assert str(hled_graph.query("ASK { hdo:epa a org:Organization }")) == "true\n"


def test_dataframe_columns_are_typed(store: ox.Store) -> None:
    frame = hled_graph.named_query("money").to_dataframe()
    assert list(frame.columns) == ["action", "amount", "currency", "funders", "recipients", "purpose", "pillar"]
    assert frame["amount"].dtype == "Float64" and frame["currency"].dtype == "string"
    expected = {row[0].value: Decimal(row[1].value) for row in cli_outcome(store, "money").rows}
    assert {a: Decimal(str(v)) for a, v in zip(frame["action"], frame["amount"], strict=True)} == expected
    assert frame["amount"].sum() == float(sum(expected.values()))


def test_dataframe_integers_dates_booleans_and_missing_values() -> None:
    frame = hled_graph.query("""
        SELECT ?n ?day ?flag ?maybe WHERE {
          VALUES (?n ?day ?flag ?maybe) { (21 "2022-09-12"^^xsd:date true UNDEF) (3 UNDEF false 1.5) }
        }""").to_dataframe()
    assert frame["n"].dtype == "Int64" and frame["n"].tolist() == [21, 3]
    assert str(frame["day"].dtype).startswith("datetime64")
    assert frame["day"][0] == pd.Timestamp("2022-09-12") and pd.isna(frame["day"][1])
    assert frame["flag"].dtype == "boolean" and frame["flag"].tolist() == [True, False]
    assert frame["maybe"].dtype == "Float64" and pd.isna(frame["maybe"][0]) and frame["maybe"][1] == 1.5


def test_dataframe_of_dates_read_from_the_data(store: ox.Store) -> None:
    text = "SELECT ?doc ?issued { ?doc dcterms:issued ?issued FILTER(datatype(?issued) = xsd:date) } ORDER BY ?doc"
    frame = hled_graph.query(text).to_dataframe()
    expected = [(row[0].value, row[1].value) for row in engine.run_query(store, text).rows]
    assert len(expected) > 5
    assert [(d, t.date().isoformat()) for d, t in zip(frame["doc"], frame["issued"], strict=True)] == expected


def test_to_csv_is_sparql_csv_that_pandas_reads_back(tmp_path: Path, store: ox.Store) -> None:
    result = hled_graph.named_query("money")
    text = result.to_csv()
    assert text is not None and text.startswith("action,amount,currency,") and "\r\n" in text
    # The CLI's CSV of the same query holds the same values: rdflib writes 3400000000 as 3400000000.0, and
    # GROUP_CONCAT joins the funders in no order SPARQL fixes.
    cli_csv = results.write_standard(cli_outcome(store, "money"), "csv").decode()

    def values(csv_text: str) -> pd.DataFrame:
        frame = pd.read_csv(io.StringIO(csv_text)).fillna("")
        frame["funders"] = frame["funders"].map(lambda joined: sorted(joined.split("; ")))
        return frame

    pd.testing.assert_frame_equal(values(text), values(cli_csv), check_dtype=False)
    target = tmp_path / "money.csv"
    assert result.to_csv(target) is None and target.read_bytes().decode("utf-8") == text
    back = pd.read_csv(target)
    assert back["amount"].sum() == result.to_dataframe()["amount"].sum() == 5_374_038_000


def test_a_graph_result_is_csv_and_a_frame_of_triples() -> None:
    result = hled_graph.query("CONSTRUCT { hdo:epa ?p ?o } WHERE { hdo:epa ?p ?o }")
    frame = result.to_dataframe()
    assert list(frame.columns) == ["subject", "predicate", "object"] and set(frame["subject"]) == {HDO + "epa"}
    text = result.to_csv()
    assert text is not None and text.splitlines()[0] == "subject,predicate,object"
    assert len(text.splitlines()) == len(result) + 1


def test_to_dataframe_without_pandas_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail, as where it is not installed
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'hled-graph\[pandas\]'"):
        hled_graph.named_query("money").to_dataframe()


def test_a_bare_name_binds_the_entity_in_the_api() -> None:
    by_name = hled_graph.named_query("organization-activities", org="usaid")
    assert len(by_name) > 0 and by_name.rows == hled_graph.named_query("organization-activities", org="hdo:usaid").rows
    bound = hled_graph.query("SELECT ?o { VALUES ?o { UNDEF } }", bindings={"o": "epa"})
    assert str(bound.rows[0][0]) == HDO + "epa"
    with pytest.raises(hled_graph.errors.InputError, match=r"no entity has this name; did you mean hdo:usaid"):
        hled_graph.named_query("organization-activities", org="usiad")
