"""Decision pages that misbehave (issue 24): an endless pager, a pager coming back under another spelling, a
report longer than the budget. Each ends in a recorded failure or a bounded run, never in wrong rows."""

import json
import sqlite3

import pytest

from harvester.pages.decisions import LISTING_MARGIN, LISTING_SPARE_PAGES
from harvester.replica import published
from harvester.replica.decision_faults import respelled
from harvester.replica.truth import ground_truth
from tests.test_crawl import crawl, stored

pytestmark = pytest.mark.slow

LUTON = "luton-borough-council"


def rows(db, table: str) -> list[dict]:
    skipped = {"first_seen_run", "last_changed_run", "gone_run", "url", "source_url"}  # each replica its port
    return sorted(({k: v for k, v in row.items() if k not in skipped} for row in stored(db, table)), key=str)


def errors(db, kind: str) -> list[tuple[str, str, str]]:
    query = "SELECT page, url, message FROM crawl_errors WHERE kind = ?"
    return sqlite3.connect(db).execute(query, [kind]).fetchall()


def listing_requests(server, since: int) -> list[str]:
    return [path for _, path, _ in server.requests[since:] if "/listing" in path.lower()]


@pytest.fixture
def stored_before(replica, tmp_path):
    """Luton crawled from a sound replica: the rows a faulted run must keep."""
    db = tmp_path / "lgsco.db"
    result = crawl(replica().base_url, db, "--authority", LUTON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return db, rows(db, "decision_listings"), rows(db, "decisions")


def test_an_endless_pager_is_read_only_as_far_as_the_statistics_page_allows(replica, stored_before):
    db, listings, decisions = stored_before
    server = replica(faults=["endless-listing@1"])
    result = crawl(server.base_url, db, "--authority", LUTON, "--full")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    figures = published.page_figures(server.site, published.find_authority(server.site, LUTON), 2025)
    # Every page shows the first page's cards; the pager goes on to page 10,000.
    allowed = sum(int(count * LISTING_MARGIN) // max(1, min(count, 10)) + 1 + LISTING_SPARE_PAGES
                  for count in (figures.upheld_decisions, figures.remedy_decisions))  # fmt: skip
    assert 4 < len(listing_requests(server, 0)) <= allowed
    failures = [(page, message) for page, _, message in errors(db, "layout")]
    assert len(failures) == 2 and all(page == "decision_listings" for page, _ in failures)
    assert all("the pager goes on past" in message for _, message in failures)
    assert rows(db, "decision_listings") == listings  # kept, not stored with the pages' cards over and over
    assert rows(db, "decisions") == decisions


def test_a_pager_coming_back_under_another_spelling_is_caught_before_it_is_fetched(replica, stored_before):
    db, listings, decisions = stored_before
    server = replica(faults=["listing-next-loop@1"])
    result = crawl(server.base_url, db, "--authority", LUTON, "--full")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    requested = listing_requests(server, 0)
    assert requested and not [path for path in requested if path.startswith("/DECISIONS")]
    failures = errors(db, "layout")
    assert len(failures) == 2 and all(
        "the pager's 'Next' goes back to" in message for *_, message in failures
    )
    assert all(respelled("/decisions/x?a=1") == "/DECISIONS/X/?a=1" and "/DECISIONS/" in message
               for *_, message in failures)  # fmt: skip
    assert rows(db, "decision_listings") == listings
    assert rows(db, "decisions") == decisions


@pytest.mark.parametrize(
    ("fault", "failures"),
    [
        # A card printing neither heading nor link: the listing would name one case fewer than it shows (a
        # listing of that one card shows a card and reads none).
        ("nameless-card@1", ("don't tell their case (see its warnings): it is left as stored",
                             "1 cards shown and none read")),
        # Each card's line with its date first: cards shown, none read (the redesign bench/chaos.py runs).
        ("redesign-listing", ("cards shown and none read",)),
    ],
)  # fmt: skip
def test_a_listing_not_read_whole_is_a_layout_failure_that_keeps_its_stored_row(replica, stored_before, fault,
                                                                                  failures):  # fmt: skip
    db, listings, decisions = stored_before
    assert any(json.loads(row["case_refs"]) for row in listings)
    server = replica(faults=[fault])
    result = crawl(server.base_url, db, "--authority", LUTON, "--full")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert server.faults.faulted
    messages = [message for page, _, message in errors(db, "layout") if page == "decision_listings"]
    assert messages and all(any(failure in message for failure in failures) for message in messages)
    assert len(messages) == sum(bool(json.loads(row["case_refs"])) for row in listings)  # an empty one reads
    assert rows(db, "decision_listings") == listings
    assert rows(db, "decisions") == decisions


def decision_requests(server, since: int) -> list[str]:
    return [path for _, path, _ in server.requests[since:] if path.lower().startswith("/decisions/")]


def test_the_budget_bounds_a_report_of_a_thousand_chapters_and_stores_no_half(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    server = replica(faults=["long-report@1"])
    result = crawl(server.base_url, db, "--authority", LUTON, "--max-requests", "40")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]  # no run could read them
    assert "decision page(s) failed (budget)" in result.stdout
    assert len(decision_requests(server, 0)) <= 40
    reports = sqlite3.connect(db).execute("SELECT count(*) FROM decisions WHERE is_report = 1").fetchone()
    assert reports == (0,)
    failures = [message for page, _, message in errors(db, "budget") if page == "decision"]
    assert failures and all("a report of 1000 pages needs more than --max-requests 40" in f for f in failures)
    # The same report read whole once the budget allows it: every chapter, one row.
    sound = replica()
    before = len(sound.requests)
    result = crawl(sound.base_url, db, "--authority", LUTON, "--max-requests", "100")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(decision_requests(sound, before)) <= 100
    truth = {row["case_ref"]: row for row in ground_truth(sound.site, 2025, sound.base_url)["decisions"]}
    reports = stored(db, "decisions")
    reports = [row for row in reports if row["is_report"]]
    assert reports and all(row["chapters"] == truth[row["case_ref"]]["chapters"] for row in reports)
    assert all(row["text"] == truth[row["case_ref"]]["text"] for row in reports)


def test_another_councils_decision_in_a_listing_is_filed_as_its_page_says_and_recorded(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    server = replica(faults=["other-council-decision@1"])
    result = crawl(server.base_url, db, "--authority", LUTON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    decisions = stored(db, "decisions")
    assert decisions and {row["body_name"] for row in decisions} == {"Kent County Council"}
    assert [
        row for row in decisions if row["authority_slug"] == LUTON
    ] == []  # never filed under the listing's
    conflicts = (
        sqlite3.connect(db)
        .execute(
            "SELECT case_ref, listed_as, body_name, found_via FROM decision_conflicts WHERE kind = 'body'"
        )
        .fetchall()
    )
    assert sorted(ref for ref, *_ in conflicts) == sorted(row["case_ref"] for row in decisions)
    assert {tuple(rest) for _, *rest in conflicts} == {
        ("Luton Borough Council", "Kent County Council", LUTON)
    }
    warnings = [message for page, _, message in errors(db, "warning") if page == "decision"]
    assert len(warnings) == len(conflicts) and all(
        "its page names Kent County Council" in w for w in warnings
    )


def test_a_case_at_two_urls_keeps_its_own_categorys_page_and_flags_the_other(replica, tmp_path):
    server = replica(faults=["case-at-two-urls@1"])
    db = tmp_path / "lgsco.db"
    result = crawl(server.base_url, db, "--authority", LUTON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    truth = {row["case_ref"]: row for row in ground_truth(server.site, 2025, server.base_url)["decisions"]}
    rows = stored(db, "decisions")
    assert rows and all((row["url"], row["outcome"], row["text"]) == tuple(truth[row["case_ref"]][c] for c in
                        ("url", "outcome", "text")) for row in rows)  # fmt: skip
    conflicts = (
        sqlite3.connect(db).execute("SELECT case_ref, url, kept_url FROM decision_conflicts").fetchall()
    )
    assert conflicts and all(
        "-recategorised/" in url and kept == truth[ref]["url"] for ref, url, kept in conflicts
    )
    warnings = [message for page, _, message in errors(db, "warning") if page == "decision"]
    assert len(warnings) == len(conflicts) and all("outcome, text differ" in w for w in warnings)
    # Neither URL is fetched again.
    before = len(server.requests)
    again = crawl(server.base_url, db, "--authority", LUTON, "--list-max-age", "0")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert [path for path in decision_requests(server, before) if "/listing" not in path.lower()] == []
