"""A report's date printed in a form the harvester can't read (the replica's `redesign-reports`: 'March 2024'
for '12 March 2024') costs nothing stored: the standfirst is still the summary, a stored date is never replaced
by NULL, and the text as printed is a recorded warning."""

from __future__ import annotations

import datetime as dt
import sqlite3

from harvester import items, store
from harvester.replica.faults import FaultPlan
from harvester.replica.redesign import PREFIX
from tests.test_crawl import crawl, stored

SLUG = "luton-borough-council"
REPORTS_URL = f"http://x/your-councils-performance/{SLUG}/reports"
ONE_PER_VARIANT = ("birmingham-city-council", "arun-district-council", "adur-district-council")
"""Authorities whose replica reports list is in each of its three markups (articles, table, paragraphs)."""


def report(date, date_as_printed=None, summary="Luton council to improve benefits appeals."):
    return items.Report(SLUG, "Benefits backlog", "http://x/news/a", summary, date, REPORTS_URL,
                        date_as_printed=date_as_printed)  # fmt: skip


def save(db, *reports) -> store.Saved:
    run = store.start_run(db, "http://x", "t")
    bundle = store.AuthorityBundle(authority=items.Authority(SLUG, "Luton Borough Council", REPORTS_URL),
                                   reports=list(reports))  # fmt: skip
    return store.save_authority(db, bundle, run)


def stored_reports(db) -> list[tuple]:
    return [tuple(row) for row in db.execute("SELECT date, summary, last_changed_run FROM reports")]


def test_a_reread_without_a_readable_date_keeps_the_stored_date(db):
    save(db, report("2024-03-12"))
    saved = save(db, report(None, date_as_printed="March 2024"))
    assert (saved.new, saved.changed, saved.gone) == (0, 0, 0)
    assert stored_reports(db) == [("2024-03-12", "Luton council to improve benefits appeals.", 1)]
    assert db.execute("SELECT count(*) FROM changes WHERE table_name = 'reports'").fetchone() == (0,)
    saved = save(db, report(None))  # nor when the list shows no date at all
    assert stored_reports(db) == [("2024-03-12", "Luton council to improve benefits appeals.", 1)]


def test_a_new_report_without_a_readable_date_is_stored_with_none_and_a_later_date_fills_it(db):
    save(db, report(None, date_as_printed="March 2024"))
    assert stored_reports(db) == [(None, "Luton council to improve benefits appeals.", 1)]
    saved = save(db, report("2024-03-12"))
    assert saved.changed == 1
    assert stored_reports(db) == [("2024-03-12", "Luton council to improve benefits appeals.", 2)]


def test_a_redesign_of_report_dates_changes_no_stored_report_and_is_warned_of(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    authorities = [arg for slug in ONE_PER_VARIANT for arg in ("--authority", slug)]
    server = replica()
    first = crawl(server.base_url, db, *authorities)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    before = sorted((r["url"], r["date"], r["summary"]) for r in stored(db, "reports"))
    assert len(before) >= 6 and all(date and summary for _, date, summary in before)
    server.faults = FaultPlan([PREFIX + "reports"])
    result = crawl(server.base_url, db, *authorities, "--full")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert sorted((r["url"], r["date"], r["summary"]) for r in stored(db, "reports")) == before
    with sqlite3.connect(db) as conn:
        warnings = conn.execute("SELECT page, message FROM crawl_errors WHERE kind = 'warning'").fetchall()
        changed = conn.execute("SELECT count(*) FROM changes WHERE table_name = 'reports'").fetchone()
    assert changed == (0,)
    assert all(page == "reports" and "report date not understood" in message for page, message in warnings)
    as_printed = sorted(message.split("'")[1].removeprefix("Published: ") for _, message in warnings)
    assert as_printed == sorted(dt.date.fromisoformat(date).strftime("%B %Y") for _, date, _ in before)
