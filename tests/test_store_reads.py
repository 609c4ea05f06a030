"""What the store answers a crawl before it fetches: rows a run touched, where a decision search may start, pages
and letters already read, the time a run is reckoned in, and the database as opened.

The crawls use these end to end; these tests check each answer's edges without a crawl.
"""

import datetime as dt
import sqlite3
import time

import pytest

from harvester import items, store
from harvester.pages.decisions import decision_url_key


def authority(db, slug, run):
    db["authorities"].insert(
        {"slug": slug, "name": slug.title(), "url": f"http://x/{slug}", "source_url": f"http://x/{slug}",
         "first_seen_run": run, "last_changed_run": run}
    )  # fmt: skip


def run_with(db, status, summary=None) -> int:
    run = store.start_run(db, "http://x", "t")
    store.finish_run(db, run, status, store.RunTotals(), summary or {})
    return run


def stored_decision(db, case_ref, slug, decision_date, run=1, url=None):
    db["decisions"].insert(
        {"case_ref": case_ref, "authority_slug": slug, "body_name": slug, "category": "Housing",
         "sub_category": "Allocations", "outcome": "Upheld", "decision_date": decision_date, "is_report": 0,
         "chapters": 1, "summary": "", "text": "", "url": url or f"http://x/decisions/{case_ref}",
         "source_url": "http://x/s", "first_seen_run": run, "last_changed_run": run}
    )  # fmt: skip


# --- now ----------------------------------------------------------------------------------------------


@pytest.fixture
def local_time_not_utc(monkeypatch):
    """The machine's own zone five hours behind UTC, so a time read or labelled in local time shows."""
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("fixed", "expected"),
    [
        ("2026-12-07T09:00:00", "2026-12-07T09:00:00+00:00"),  # no zone: UTC, not the machine's
        ("2026-12-07T09:00:00.999999", "2026-12-07T09:00:00+00:00"),  # to the second
        ("2026-12-07T11:30:00+02:00", "2026-12-07T09:30:00+00:00"),  # another zone: turned to UTC
        ("2026-12-07T01:00:00-05:00", "2026-12-07T06:00:00+00:00"),
    ],
)
def test_harvester_now_sets_the_time_in_utc_to_the_second(monkeypatch, local_time_not_utc, fixed, expected):
    monkeypatch.setenv("HARVESTER_NOW", fixed)
    assert store.now() == expected


def test_without_harvester_now_it_is_the_clocks_utc_time(monkeypatch, local_time_not_utc):
    monkeypatch.delenv("HARVESTER_NOW", raising=False)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    moment = store.now()
    after = dt.datetime.now(dt.UTC)
    assert moment.endswith("+00:00") and "." not in moment
    assert before <= dt.datetime.fromisoformat(moment) <= after


# --- open_db --------------------------------------------------------------------------------------------


def test_a_database_opens_in_a_folder_not_yet_made_and_again(tmp_path):
    path = tmp_path / "new" / "deeper" / "h.db"
    db = store.open_db(path)
    settings = [db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "foreign_keys",
                                                                          "busy_timeout", "synchronous")]  # fmt: skip
    assert settings == ["wal", 1, 10000, 1]  # synchronous 1 is NORMAL
    assert "crawl_runs" in db.table_names()
    db.close()
    again = store.open_db(path)  # the folder exists now
    assert again.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    again.close()


def test_a_harvest_opened_read_only_refuses_writes(tmp_path):
    path = tmp_path / "h.db"
    store.open_db(path).close()
    db = store.open_read_only(path)
    assert db.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 0
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute(
            "INSERT INTO crawl_runs (started_at, status, base_url, scope, version) VALUES (1, 2, 3, 4, 5)"
        )
    db.close()
    assert store.kept_letters(path) == tmp_path / "letters"


# --- rows_touched -----------------------------------------------------------------------------------


def test_the_rows_a_run_touched_are_read_from_their_provenance_in_every_table(db):
    first = store.start_run(db, "http://x", "t")
    run = store.start_run(db, "http://x", "t")
    authority(db, "kent", first)  # untouched by `run`
    authority(db, "luton", run)  # new
    db["authorities"].update("kent", {"last_changed_run": run})  # changed
    statistics = {"authority_slug": "kent", "source": "page", "source_url": "http://x/s"}
    db["annual_statistics"].insert_all(
        [
            statistics | {"year": "2020-21", "first_seen_run": first, "last_changed_run": first},  # untouched
            statistics | {"year": "2021-22", "first_seen_run": run, "last_changed_run": run},  # new
            statistics | {"year": "2022-23", "first_seen_run": first, "last_changed_run": run},  # changed
            # gone: its last change is the going, not a change besides
            statistics
            | {"year": "2023-24", "first_seen_run": first, "last_changed_run": run, "gone_run": run},
            statistics
            | {"year": "2019-20", "first_seen_run": first, "last_changed_run": first, "gone_run": first},
        ]
    )
    stored_decision(db, "23-001-001", "luton", "2024-01-01", run)  # new
    assert store.rows_touched(db, run) == (3, 2, 1)
    assert store.rows_touched(db, first) == (5, 0, 1)
    assert store.rows_touched(db, run + 1) == (0, 0, 0)


# --- decision_search_starts ------------------------------------------------------------------------


def test_a_decision_search_starts_at_the_newest_stored_decision_once_its_back_fill_was_read_to_the_end(db):
    store.start_run(db, "http://x", "t")  # the run the rows were stored in
    for slug in ("kent", "luton", "york", "bath", "hull", "leeds"):
        authority(db, slug, 1)
    since = "2023-04-01"
    searched = {"kent": "2023-04-01", "luton": "2022-01-01", "york": "2023-04-02", "hull": "2020-01-01"}
    run_with(db, "ok", {"decision_searches_completed": searched})
    run_with(db, "failed", {"decision_searches_completed": {"bath": "2020-01-01"}})  # not a healthy run
    run_with(db, "ok", {})  # a healthy run that searched nothing
    run = store.start_run(db, "http://x", "t")
    db["crawl_runs"].update(run, {"status": "ok", "summary": None})
    run_with(db, "ok", {"decision_searches_completed": {"leeds": "2019-01-01"}})
    for number, (slug, date) in enumerate(
        [("kent", "2024-02-01"), ("kent", "2024-06-30"), ("luton", "2023-05-01"), ("york", "2024-06-30"),
         ("bath", "2024-06-30"), ("hull", "2023-04-01"), ("leeds", "2023-04-02")]
    ):  # fmt: skip
        stored_decision(db, f"23-000-{number:03}", slug, date)
    # york searched from a later day than asked; bath's search was in a failed run; hull has nothing newer.
    assert store.decision_search_starts(db, since) == {
        "kent": "2024-06-30", "luton": "2023-05-01", "leeds": "2023-04-02"
    }  # fmt: skip


def test_no_decision_search_has_a_start_before_any_was_read_to_the_end(db):
    store.start_run(db, "http://x", "t")
    authority(db, "kent", 1)
    stored_decision(db, "23-000-001", "kent", "2024-06-30")
    run_with(db, "ok", {"decision_searches_completed": {"kent": "2024-01-01"}})
    assert store.decision_search_starts(db, "2023-04-01") == {}
    assert store.decision_search_starts(db, "2024-01-01") == {"kent": "2024-06-30"}


# --- decision_refs_by_url, letters_read, pages_revalidated ---------------------------------------------


def test_an_authoritys_stored_decisions_by_url(db):
    store.start_run(db, "http://x", "t")
    authority(db, "kent", 1)
    authority(db, "luton", 1)
    stored_decision(db, "23-000-001", "kent", "2024-06-30", url="http://x/d/1")
    stored_decision(db, "23-000-002", "kent", "2024-06-30", url="http://x/d/2")
    stored_decision(db, "23-000-003", "luton", "2024-06-30", url="http://x/d/3")
    assert store.decision_refs_by_url(db, "kent") == {
        "http://x/d/1": "23-000-001",
        "http://x/d/2": "23-000-002",
    }
    assert store.decision_refs_by_url(db, "york") == {}


def test_letters_read_are_those_read_successfully(db):
    store.start_run(db, "http://x", "t")
    authority(db, "kent", 1)
    letter = {"authority_slug": "kent", "label": "Letter", "source_url": "http://x/l", "first_seen_run": 1,
              "last_changed_run": 1}  # fmt: skip
    db["letters"].insert_all(
        [
            letter | {"year": "2021-22", "pdf_url": "http://x/a.pdf", "status": "ok"},
            letter | {"year": "2022-23", "pdf_url": "http://x/b.pdf", "status": "failed"},
            letter | {"year": "2023-24", "pdf_url": "http://x/c.pdf", "status": None},
            letter | {"year": "2024-25", "pdf_url": "http://x/d.pdf", "status": "ok"},
        ]
    )
    assert store.letters_read(db) == frozenset({"http://x/a.pdf", "http://x/d.pdf"})


def test_a_page_is_revalidated_by_its_last_fetch_in_a_healthy_run_that_spent_no_decision_budget(db):
    healthy = run_with(db, "ok", {"decision_budget_reached": False})
    budget = run_with(db, "ok", {"decision_budget_reached": True})
    failed = run_with(db, "failed")
    quiet = run_with(db, "ok")  # said nothing of a budget
    fetches = [
        ("http://x/ok", 200, healthy, "2026-12-01T00:00:00+00:00"),
        ("http://x/unchanged", 304, quiet, "2026-12-02T00:00:00+00:00"),
        ("http://x/missing", 404, healthy, "2026-12-01T00:00:00+00:00"),
        ("http://x/error", 500, healthy, "2026-12-01T00:00:00+00:00"),
        ("http://x/budget", 200, budget, "2026-12-03T00:00:00+00:00"),
        ("http://x/failed", 200, failed, "2026-12-04T00:00:00+00:00"),
    ]
    db["fetches"].insert_all(
        {"url": url, "status": status, "run_id": run, "fetched_at": at} for url, status, run, at in fetches
    )
    assert store.pages_revalidated(db) == {
        "http://x/ok": "2026-12-01T00:00:00+00:00", "http://x/unchanged": "2026-12-02T00:00:00+00:00"
    }  # fmt: skip


def test_fetches_are_saved_with_the_runs_time_and_replace_the_last_fetch_of_their_url(db, monkeypatch):
    first = store.start_run(db, "http://x", "t")
    store.save_fetches(db, [store.Fetch("http://x/a", 200, '"e1"', "Mon", "aa"), store.Fetch("http://x/b", 200,
                                                                                              None, None, "bb")], first)  # fmt: skip
    second = store.start_run(db, "http://x", "t")
    monkeypatch.setenv("HARVESTER_NOW", "2026-12-08T09:00:00")
    store.save_fetches(db, [store.Fetch("http://x/a", 304, '"e2"', None, None)], second)
    store.save_fetches(db, [], second)
    rows = [tuple(row) for row in db.execute("SELECT * FROM fetches ORDER BY url")]
    assert rows == [
        ("http://x/a", 304, '"e2"', None, None, "2026-12-08T09:00:00+00:00", second),
        ("http://x/b", 200, None, None, "bb", "2026-12-07T09:00:00+00:00", first),
    ]


# --- oversized_pages, decisions_read ------------------------------------------------------------------


def test_a_decision_page_last_recorded_oversized_is_known_by_its_size(db):
    run = store.start_run(db, "http://x", "t")
    errors = [
        items.CrawlError("http://x/d/1", "kent", "decision", "oversized", "9000000 bytes, over the limit"),
        items.CrawlError("http://x/d/1", "kent", "decision", "oversized", "9500000 bytes, over the limit"),
        items.CrawlError("http://x/d/2", "kent", "decision", "http", "500 Internal Server Error"),
        items.CrawlError("http://x/l", "kent", "letter", "oversized", "7000000 bytes, over the limit"),
    ]
    for error in errors:
        store.record_error(db, run, error)
    assert store.oversized_pages(db) == {"http://x/d/1": 9500000}  # the last size recorded


def test_a_case_is_read_at_its_stored_url_and_at_a_second_url_found_but_not_at_one_a_page_named(db):
    store.start_run(db, "http://x", "t")
    authority(db, "kent", 1)
    stored_decision(db, "23-000-001", "kent", "2024-06-30", url="http://x/decisions/housing/a/23-000-001")
    stored_decision(db, "23-000-002", "kent", "2024-06-30", url="http://x/decisions/housing/a/23-000-002")
    conflict = {"case_ref": "23-000-001", "listed_as": None, "body_name": "Kent", "found_via": None,
                "detail": "", "first_run": 1, "last_run": 1}  # fmt: skip
    db["decision_conflicts"].insert_all(
        [
            conflict | {"kind": "same text", "url": "http://x/decisions/planning/b/23-000-001"},
            conflict | {"kind": "body", "url": "http://x/decisions/planning/c/23-000-001"},
            conflict
            | {"kind": "other text", "url": "http://x/decisions/planning/d/23-000-003"}
            | {"case_ref": "23-000-003"},
        ]
    )
    key = decision_url_key
    assert store.decisions_read(db) == {
        "23-000-001": frozenset({key("http://x/decisions/housing/a/23-000-001"),
                                 key("http://x/decisions/planning/b/23-000-001")}),
        "23-000-002": frozenset({key("http://x/decisions/housing/a/23-000-002")}),
        "23-000-003": frozenset({key("http://x/decisions/planning/d/23-000-003")}),
    }  # fmt: skip


# --- save_data_file, record_probe_failure ---------------------------------------------------------------

DATA_URL = "http://x/annual-review/complaints-received-2024-25.csv"


def data_file(*values) -> items.DataFile:
    link = items.DataFileLink("2024-25", "Complaints received 2024-25 (CSV)", DATA_URL, "csv", "http://x/hub")
    return items.DataFile(link, "ab" * 32, 100, [
        items.AnnualDataValue(slug, name, "2024-25", "received", "Housing", None, "housing", value, str(value),
                              "Housing", DATA_URL, None, row)
        for row, (slug, name, value) in enumerate(values, start=2)
    ], [], [])  # fmt: skip


def test_an_annual_data_file_is_stored_whole_logging_changes_after_its_first_time(db, monkeypatch):
    first = store.start_run(db, "http://x", "t")
    fetch = store.Fetch(DATA_URL, 200, None, None, "ab" * 32)
    saved = store.save_data_file(
        db, data_file(("kent", "Kent", 12), (None, "Borough of Nowhere", 3)), fetch, first
    )
    assert (saved.new, saved.changed, saved.gone) == (2, 0, 0)
    assert db.execute("SELECT count(*) FROM changes").fetchone()[0] == 0  # a first file logs no value as new
    assert [tuple(row) for row in db.execute("SELECT url, run_id FROM fetches")] == [(DATA_URL, first)]
    rows = db.execute("SELECT printed_name, value, source_url, first_seen_run, gone_run FROM annual_data "
                      "ORDER BY row").fetchall()  # fmt: skip
    assert rows == [
        ("Kent", 12, "http://x/hub", first, None),
        ("Borough of Nowhere", 3, "http://x/hub", first, None),
    ]

    second = store.start_run(db, "http://x", "t")
    saved = store.save_data_file(db, data_file(("kent", "Kent", 13), ("york", "York", 1)), None, second)
    assert (saved.new, saved.changed, saved.gone) == (1, 1, 1)
    logged = db.execute("SELECT row_key, authority_slug, change, column_name, old_value, new_value FROM changes "
                        "WHERE run_id = ? ORDER BY id", [second]).fetchall()  # fmt: skip
    assert logged == [
        (f"{DATA_URL}/None/Kent/Housing/Housing", "kent", "changed", "value", "12", "13"),
        (f"{DATA_URL}/None/Kent/Housing/Housing", "kent", "changed", "raw", "12", "13"),
        (f"{DATA_URL}/None/York/Housing/Housing", "york", "new", None, None, None),
        # a value of no authority in the register is logged under its printed name
        (
            f"{DATA_URL}/None/Borough of Nowhere/Housing/Housing",
            "Borough of Nowhere",
            "gone",
            None,
            None,
            None,
        ),
        # the file's own row (annual_data_files), logged under its URL
        (DATA_URL, DATA_URL, "changed", "councils_matched", "1", "2"),
    ]
    assert [tuple(row) for row in db.execute("SELECT url, run_id FROM fetches")] == [(DATA_URL, first)]


def test_a_crawl_its_probe_stopped_is_a_run_with_what_the_probe_found(db):
    errors = [items.CrawlError("http://x/", None, "index", "http", "503"),
              items.CrawlError("http://x/robots.txt", None, "robots", "fetch", "timed out")]  # fmt: skip
    run = store.record_probe_failure(db, "http://x", "1.2", '["kent"]', "the site answers 503", errors)
    row = next(db.query("SELECT * FROM crawl_runs WHERE id = ?", [run]))
    assert {k: row[k] for k in ("started_at", "finished_at", "status", "base_url", "scope", "version", "summary")} == {
        "started_at": "2026-12-07T09:00:00+00:00", "finished_at": "2026-12-07T09:00:00+00:00",
        "status": "probe-failed", "base_url": "http://x", "scope": '["kent"]', "version": "1.2",
        "summary": '{"problems": ["the site answers 503"]}',
    }  # fmt: skip
    stored = db.execute(
        "SELECT run_id, url, authority_slug, page, kind, message FROM crawl_errors ORDER BY id"
    )
    assert stored.fetchall() == [(run, "http://x/", None, "index", "http", "503"),
                                 (run, "http://x/robots.txt", None, "robots", "fetch", "timed out")]  # fmt: skip
    assert store.record_probe_failure(db, "http://x", "1.2", "all", "no", []) == run + 1
