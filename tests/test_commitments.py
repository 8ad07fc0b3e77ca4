"""The questions of issue 12, asked of the real graph: where each commitment stands, what a round promised and what
became of it, everything a document states. Expected answers are read from the fact sheet
(data/source/hled-2022-fact-sheet.txt) and the joint statement of 2023, not copied from output.
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest
from test_queries import answer

from hled_graph.sparql import engine

# What the 2022 fact sheet reports as lasting things, with the status it gives them (one act each).
STATUS_2022 = {
    "hdc:border-infrastructure-investment": ("commitment", "status:committed"),
    "hdc:land-ports-of-entry-modernization": ("commitment", "status:committed"),
    "hdc:mexico-border-infrastructure-2022-2024": ("commitment", "status:committed"),
    "hdc:tijuana-river-pollution-projects": ("commitment", "status:committed"),
    "hdc:usmca-emergency-subcommittee-negotiations": ("commitment", "status:committed"),
    "hdc:mexico-global-cbpr-accession": ("commitment", "status:intended"),
    "hdw:methane-implementation-plan": ("plan", "status:committed"),
    "hdw:surges": ("program", "status:announced"),
    "hde:apprenticeships-technical-exchange": ("planned event", "status:scheduled"),
    "hde:forum-on-5g-and-beyond": ("planned event", "status:scheduled"),
    "hde:technical-education-dialogue": ("planned event", "status:committed"),
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return engine.load_store()


def test_commitments_by_status(store: ox.Store) -> None:
    rows = answer(store, "commitments-by-status")
    assert {r["item"]: (r["kind"], r["status"]) for r in rows} == STATUS_2022
    assert len(rows) == len(STATUS_2022)  # one latest report each
    assert {(r["round"], str(r["date"]), r["document"]) for r in rows} == {
        ("round:2022", "2022-09-12", "hd:fact-sheet-2022")
    }
    by_item = {r["item"]: r for r in rows}
    assert by_item["hdc:usmca-emergency-subcommittee-negotiations"]["act"] == "hda:usmca-emergency-subcommittee-commitment"
    assert by_item["hdc:mexico-global-cbpr-accession"]["label"] == (
        "Mexico's accession to the Global Cross-Border Privacy Rules Declaration"
    )
    assert Counter(r["status"] for r in rows) == {
        "status:committed": 7, "status:scheduled": 2, "status:intended": 1, "status:announced": 1,
    }
    statuses = [str(r["status"]) for r in rows]
    assert statuses == sorted(statuses)


def test_commitment_progress_of_2022(store: ox.Store) -> None:
    rows = answer(store, "commitment-progress")
    assert {r["round"] for r in rows} == {"round:2022"}
    # With only the 2022 fact sheet, each thing's one report is the promise itself.
    assert {r["item"]: (r["promisedStatus"], r["status"], r["reportRound"]) for r in rows} == {
        item: (status, status, "round:2022") for item, (_, status) in STATUS_2022.items()
    }
    assert len(rows) == len(STATUS_2022)


def test_commitment_progress_of_a_round_without_documents_is_empty(store: ox.Store) -> None:
    assert answer(store, "commitment-progress", round="round:2021") == []


def test_document_statements_of_the_fact_sheet(store: ox.Store) -> None:
    rows = answer(store, "document-statements", document="hd:fact-sheet-2022")
    acts = [r for r in rows if r["what"] == "act"]
    assert len(acts) == 39  # the fact sheet's 39 acts, each with its status
    assert rows[: len(acts)] == acts  # acts first
    assert Counter(r["status"] for r in acts)["status:completed"] >= 20
    assert all(r["status"] is None for r in rows[len(acts) :])
    by_subject = {r["subject"]: r for r in rows}
    assert by_subject["hda:global-cbpr-declaration-intention"]["status"] == "status:intended"
    assert by_subject["hdc:usmca-emergency-subcommittee-negotiations"]["what"] == "commitment"
    assert by_subject["hdo:epa"]["label"] == "Environmental Protection Agency"
    # the fact sheet is cited through quotes of its copy, not by locator
    assert {r["locator"] for r in rows} == {""}


def test_document_statements_of_a_public_record_give_locators(store: ox.Store) -> None:
    rows = answer(store, "document-statements")  # default: the 2023 joint statement
    assert {r["document"] for r in rows} == {"hd:joint-statement-2023"}
    assert not [r for r in rows if r["what"] == "act"]
    by_subject = {r["subject"]: r for r in rows}
    assert set(by_subject["round:2023"]["locator"].split("; ")) == {"title", "paragraph 1"}
    assert by_subject["hdp:katherine-tai"]["locator"] == "paragraph 1"
    assert by_subject["hdp:katherine-tai"]["what"] == "Person"
    assert all(r["locator"] for r in rows)
