"""A run's record in the store: started, resumed or abandoned, finished or failed, compared with the last good one.

These are what `harvester crawl` and the verdict read; the crawls test them end to end, these without a crawl.
"""

import json

import pytest

from harvester import items, store


def run_row(db, run_id) -> dict:
    return next(db.query("SELECT * FROM crawl_runs WHERE id = ?", [run_id]))


def test_a_run_starts_running_with_its_scope_and_time(db):
    run = store.start_run(db, "http://x", "1.2", '["luton-borough-council"]')
    assert run == 1 and store.start_run(db, "http://x", "1.2") == 2
    row = run_row(db, run)
    assert (row["status"], row["base_url"], row["scope"], row["version"]) == (
        "running",
        "http://x",
        '["luton-borough-council"]',
        "1.2",
    )
    assert row["started_at"] == "2026-12-07T09:00:00+00:00" and row["finished_at"] is None
    assert run_row(db, 2)["scope"] == "all"


@pytest.mark.parametrize(
    ("status", "resumable"), [("running", True), ("interrupted", True), ("ok", False), ("failed", False)]
)
def test_only_the_latest_run_killed_or_interrupted_is_resumable(db, status, resumable):
    store.start_run(db, "http://x", "t")
    latest = store.start_run(db, "http://x", "t")
    store.finish_run(db, 1, "interrupted", store.RunTotals(), {})
    store.finish_run(db, latest, status, store.RunTotals(), {})
    found = store.resumable_run(db)
    assert (found["id"] if found else None) == (latest if resumable else None)


def test_no_run_is_resumable_in_an_empty_database(db):
    assert store.resumable_run(db) is None


def test_an_abandoned_run_fails_saying_why(db):
    run = store.start_run(db, "http://x", "t")
    store.abandon_run(db, run)
    row = run_row(db, run)
    assert row["status"] == "failed"
    assert json.loads(row["summary"]) == {"problems": ["killed; not resumed"]}


def test_a_resumed_run_runs_again_and_its_earlier_errors_are_superseded(db):
    other = store.start_run(db, "http://x", "t")
    store.record_error(db, other, items.CrawlError("http://x/a", "kent", "statistics", "http", "500"))
    run = store.start_run(db, "http://x", "t")
    store.record_error(db, run, items.CrawlError("http://x/b", "luton", "letters", "layout", "no link"))
    store.finish_run(db, run, "interrupted", store.RunTotals(), {})
    store.resume_run(db, run)
    row = run_row(db, run)
    assert (row["status"], row["finished_at"]) == ("running", None)
    errors = list(
        db.query("SELECT run_id, url, authority_slug, page, kind, message, superseded FROM crawl_errors")
    )
    assert errors == [
        {"run_id": other, "url": "http://x/a", "authority_slug": "kent", "page": "statistics", "kind": "http",
         "message": "500", "superseded": 0},
        {"run_id": run, "url": "http://x/b", "authority_slug": "luton", "page": "letters", "kind": "layout",
         "message": "no link", "superseded": 1},
    ]  # fmt: skip


def test_a_finished_run_keeps_its_totals_summary_and_time(db, monkeypatch):
    run = store.start_run(db, "http://x", "t")
    monkeypatch.setenv("HARVESTER_NOW", "2026-12-07T10:30:00")
    totals = store.RunTotals(
        requests=9, pages=8, pages_unchanged=1, items=7, errors=0, authorities=2, figures=2
    )
    store.finish_run(db, run, "ok", totals, {"b": 1, "a": [2]})
    row = run_row(db, run)
    assert (row["status"], row["finished_at"], row["summary"]) == (
        "ok",
        "2026-12-07T10:30:00+00:00",
        '{"a": [2], "b": 1}',
    )
    assert {name: row[name] for name in ("requests", "pages", "pages_unchanged", "items", "authorities", "figures")} == {
        "requests": 9, "pages": 8, "pages_unchanged": 1, "items": 7, "authorities": 2, "figures": 2,
    }  # fmt: skip


def test_a_failed_run_records_its_problems_and_time(db, monkeypatch):
    run = store.start_run(db, "http://x", "t")
    monkeypatch.setenv("HARVESTER_NOW", "2026-12-07T11:00:00+01:00")
    store.fail_run(db, run, ["database is locked"])
    row = run_row(db, run)
    assert (row["status"], row["finished_at"]) == ("failed", "2026-12-07T10:00:00+00:00")
    assert json.loads(row["summary"]) == {"problems": ["database is locked"]}


def test_the_last_good_run_is_the_latest_ok_one_of_the_same_scope_before_this_one(db):
    statuses = [("ok", "all"), ("ok", '["kent"]'), ("failed", "all"), ("ok", "all"), ("running", "all")]
    for status, scope in statuses:
        run = store.start_run(db, "http://x", "t", scope)
        store.finish_run(db, run, status, store.RunTotals(), {})
    assert store.last_good_run(db, 5, "all")["id"] == 4
    assert store.last_good_run(db, 4, "all")["id"] == 1
    assert store.last_good_run(db, 5, '["kent"]')["id"] == 2
    assert store.last_good_run(db, 1, "all") is None
    assert store.last_good_run(db, 5, '["luton"]') is None


# --- rows built from items: what each table is given ----------------------------------------------------


def test_an_authority_row_takes_the_registers_facts_when_it_knows_the_slug():
    from types import SimpleNamespace

    authority = items.Authority("poole", "Poole", "http://x/poole/statistics", ["http://x/a", "http://x/b"])
    entry = SimpleNamespace(
        kind="Unitary", status="abolished", successor_slugs=("bcp",), gss_code="E06000029", region="South West",
        population=151500, latitude=50.7, longitude=-1.98,
    )  # fmt: skip
    assert store.authority_row(authority, entry) == {
        "slug": "poole", "name": "Poole", "url": "http://x/poole/statistics",
        "predecessor_urls": '["http://x/a", "http://x/b"]', "source_url": "http://x/poole/statistics",
        "kind": "Unitary", "status": "abolished", "successor_slugs": '["bcp"]', "gss_code": "E06000029",
        "region": "South West", "population": 151500, "latitude": 50.7, "longitude": -1.98,
    }  # fmt: skip
    unknown = store.authority_row(items.Authority("x", "X", "http://x/x/statistics"), None)
    assert unknown["predecessor_urls"] is None and unknown["kind"] is None
    current = store.authority_row(authority, SimpleNamespace(**vars(entry) | {"successor_slugs": ()}))
    assert current["successor_slugs"] is None


def test_a_letter_row_takes_its_documents_columns_only_for_the_same_year():
    link = items.LetterLink(
        "luton", "2023-24", "Annual review letter 2024", "http://x/l.pdf", "http://x/letters"
    )
    older = items.LetterLink(
        "luton", "2022-23", "Annual review letter 2023", "http://x/k.pdf", "http://x/letters"
    )
    document = items.LetterDocument(
        "someone-else", "2023-24", "http://x/l.pdf", "ab" * 32, 1234, "ok", title="Letter", content=b"%PDF"
    )
    rows = store.letter_rows([link, older], [document])
    assert rows[0]["authority_slug"] == "luton" and rows[0]["year"] == "2023-24"
    assert (rows[0]["sha256"], rows[0]["byte_size"], rows[0]["title"]) == ("ab" * 32, 1234, "Letter")
    assert "content" not in rows[0]
    assert "sha256" not in rows[1]


def test_letter_table_counts_are_grouped_by_table_and_year_with_their_own_columns():
    counts = [
        items.LetterTableCount("luton", "2016-17", "received", "Housing", 12, "http://x/l.pdf"),
        items.LetterTableCount("luton", "2016-17", "decided", "Upheld", 4, "http://x/l.pdf"),
        items.LetterTableCount("luton", "2016-17", "received", "Planning", 3, "http://x/l.pdf"),
    ]
    assert store.letter_table_rows(counts) == {
        ("letter_complaints_received", "2016-17"): [
            {"authority_slug": "luton", "year": "2016-17", "category": "Housing", "complaints": 12,
             "source_url": "http://x/l.pdf"},
            {"authority_slug": "luton", "year": "2016-17", "category": "Planning", "complaints": 3,
             "source_url": "http://x/l.pdf"},
        ],
        ("letter_decisions", "2016-17"): [
            {"authority_slug": "luton", "year": "2016-17", "outcome": "Upheld", "decisions": 4,
             "source_url": "http://x/l.pdf"},
        ],
    }  # fmt: skip


def test_authorities_marked_gone_each_get_a_change_row_and_are_counted(db):
    first = store.start_run(db, "http://x", "t")
    for slug in ("Kent", "luton", "york"):
        db["authorities"].insert(
            {"slug": slug, "name": slug, "url": f"http://x/{slug}", "source_url": f"http://x/{slug}",
             "first_seen_run": first, "last_changed_run": first}
        )  # fmt: skip
    run = store.start_run(db, "http://x", "t")
    assert store.unlisted_authorities(db, {"york"}) == {"Kent", "luton"}
    assert store.mark_gone_authorities(db, run, ["aaa-not-stored", "kent", "luton"]) == 2
    rows = list(db.query("SELECT slug, gone_run, last_changed_run FROM authorities ORDER BY slug"))
    assert [(r["slug"], r["gone_run"], r["last_changed_run"]) for r in rows] == [
        ("Kent", run, run),
        ("luton", run, run),
        ("york", None, first),
    ]
    changes = list(db.query("SELECT run_id, table_name, row_key, authority_slug, change FROM changes"))
    assert changes == [
        {
            "run_id": run,
            "table_name": "authorities",
            "row_key": slug,
            "authority_slug": slug,
            "change": "gone",
        }
        for slug in ("Kent", "luton")
    ]
    assert store.unlisted_authorities(db, {"york"}) == set()
    assert store.mark_gone_authorities(db, run, ["kent"]) == 0  # already gone


def test_a_crawl_its_probe_stopped_hides_no_unfinished_run_from_resume(db):
    interrupted = store.start_run(db, "http://x", "t")
    store.finish_run(db, interrupted, "interrupted", store.RunTotals(), {})
    store.record_probe_failure(db, "http://x", "t", "all", "the site answers 503", [])
    assert store.resumable_run(db)["id"] == interrupted
