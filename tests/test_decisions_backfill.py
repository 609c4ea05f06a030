"""`harvester crawl --decisions-since`: every decision about a council through the decision search, and
`--max-requests`: a back-fill spread over runs ends where one long run ends."""

import json
import shutil
import sqlite3
from urllib.parse import parse_qs, urlsplit

import pytest

from harvester.replica import decisions as replica_decisions
from harvester.replica import published
from harvester.replica.server import ReplicaServer
from tests.test_crawl import crawl

pytestmark = pytest.mark.slow

SLUG = "luton-borough-council"
BUDGET = 12
COMPARED = (
    "case_ref, authority_slug, category, sub_category, outcome, outcome_group, decision_date, is_report, "
)
COMPARED += "chapters, summary, text, remedy, url"


def decisions(db) -> list[tuple]:
    return sqlite3.connect(db).execute(f"SELECT {COMPARED} FROM decisions ORDER BY case_ref").fetchall()


def last_summary(db) -> dict:
    (summary,) = sqlite3.connect(db).execute("SELECT summary FROM crawl_runs ORDER BY id DESC").fetchone()
    return json.loads(summary)


def is_decision_request(path: str) -> bool:
    return path.lower().startswith("/decisions/")


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backfill")
    options = ("--authority", SLUG, "--decisions-since", "2013-04-01")
    with ReplicaServer(epoch=2025) as replica:
        long_run = crawl(replica.base_url, folder / "long.db", *options)
        assert long_run.returncode == 0, long_run.stdout + long_run.stderr
        shutil.copy(folder / "long.db", folder / "nightly.db")
        before = len(replica.requests)
        nightly = crawl(replica.base_url, folder / "nightly.db", *options)
        assert nightly.returncode == 0, nightly.stdout + nightly.stderr
        nightly_requests = [path for _, path, _ in replica.requests[before:] if is_decision_request(path)]
        runs, budgeted = [], []
        for _ in range(15):
            before = len(replica.requests)
            result = crawl(replica.base_url, folder / "budget.db", *options, "--max-requests", str(BUDGET))
            assert result.returncode == 0, result.stdout + result.stderr
            runs.append([path for _, path, _ in replica.requests[before:] if is_decision_request(path)])
            budgeted.append(last_summary(folder / "budget.db")["decision_budget_reached"])
            if not budgeted[-1]:
                break
        authority = published.find_authority(replica.site, SLUG)
        served = replica_decisions.decisions_in_epoch(replica.site, authority, 2025, searched=True)
    return folder, runs, budgeted, served, nightly_requests


def test_one_long_run_stores_every_decision_the_search_reaches(backfilled):
    folder, _, _, served, _ = backfilled
    assert [row[0] for row in decisions(folder / "long.db")] == sorted(d.case_ref for d in served)
    assert last_summary(folder / "long.db")["decision_budget_reached"] is False


def test_the_budget_stops_each_run_and_later_runs_finish_the_back_fill(backfilled):
    folder, runs, budgeted, *_ = backfilled
    assert len(runs) > 2 and budgeted[:-1] == [True] * (len(runs) - 1) and budgeted[-1] is False
    # Every request counts, a report's chapters included: a report whose chapters don't fit in what is left is
    # not begun (its landing page is read again by the next run, which reads it whole).
    assert all(len(paths) <= BUDGET for paths in runs) and len(runs[0]) >= BUDGET - 2
    assert decisions(folder / "budget.db") == decisions(folder / "long.db")
    fetched = [
        path for paths in runs for path in paths if "Listing" not in path and "SearchResults" not in path
    ]
    again = {path for path in fetched if fetched.count(path) > 1}
    reports = {urlsplit(url).path for (url,) in sqlite3.connect(folder / "budget.db").execute(
        "SELECT url FROM decisions WHERE is_report = 1")}  # fmt: skip
    assert again <= reports and len(again) < len(runs)


def test_after_a_completed_back_fill_the_search_starts_from_the_newest_stored_decision(backfilled):
    folder, *_, served, nightly_requests = backfilled
    assert last_summary(folder / "long.db")["decision_searches_completed"] == {SLUG: "2013-04-01"}
    newest = max(d.decision_date for d in served).isoformat()
    searches = [parse_qs(urlsplit(path).query) for path in nightly_requests if "SearchResults" in path]
    assert [(query["fd"], query["page"]) for query in searches] == [([newest], ["1"])]
    # Only the search and (when their statistics page changed or they are stale) the listings; no decision page.
    assert [path for path in nightly_requests if "SearchResults" not in path and "Listing" not in path] == []
    assert decisions(folder / "nightly.db") == decisions(folder / "long.db")
    assert last_summary(folder / "nightly.db")["decisions_read"] == 0


WITH_OTHER_BODIES = "hartlepool-borough-council"
"""A council whose decision search also shows a care provider and an NHS trust (the trust's half of a joint case)."""


def test_the_search_stores_decisions_about_every_body_as_the_ground_truth_has_them(tmp_path):
    options = ("--authority", WITH_OTHER_BODIES, "--decisions-since", "2013-04-01")
    with ReplicaServer(epoch=2025) as replica:
        result = crawl(replica.base_url, tmp_path / "lgsco.db", *options)
        authority = published.find_authority(replica.site, WITH_OTHER_BODIES)
        expected = replica_decisions.truth_rows(replica.site, authority, 2025, replica.base_url, searched=True)
    assert result.returncode == 0, result.stdout + result.stderr
    connection = sqlite3.connect(tmp_path / "lgsco.db")
    connection.row_factory = sqlite3.Row
    columns = list(expected["decisions"][0])
    stored = {row["case_ref"]: {c: row[c] for c in columns} for row in connection.execute("SELECT * FROM decisions")}
    assert stored == {row["case_ref"]: row for row in expected["decisions"]}
    others = {ref: (row["authority_slug"], row["body_name"]) for ref, row in stored.items() if not row["authority_slug"]}
    assert len(others) == 2 and any(ref.endswith("b") for ref in others)
    assert any(name.endswith("NHS Foundation Trust") for _, name in others.values())
    # The care provider agreed to pay: its payment is read, under no authority, from the page it was read from.
    [provider] = [ref for ref, (_, name) in others.items() if name in replica_decisions.CARE_PROVIDERS]
    assert [tuple(row) for row in connection.execute(
        "SELECT authority_slug, total_gbp, certainty, source_url FROM remedy_payments WHERE case_ref = ?", [provider]
    )] == [(None, 150, "certain", stored[provider]["url"])]  # fmt: skip


def test_a_search_with_a_card_it_cannot_follow_does_not_complete_the_back_fill(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    options = ("--authority", SLUG, "--decisions-since", "2013-04-01")
    unlinked = replica(faults=["unlinked-card@1"])
    result = crawl(unlinked.base_url, db, *options)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert any("searchresults" in key.lower() for _, key in unlinked.faults.faulted)
    # The decision behind the card is not stored: the next run searches from the same day again.
    assert last_summary(db)["decision_searches_completed"] == {}
    again = crawl(replica().base_url, db, *options)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert last_summary(db)["decision_searches_completed"] == {SLUG: "2013-04-01"}
