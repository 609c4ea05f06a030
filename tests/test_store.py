import sqlite3
import threading

import pytest

from harvester import items, store


def bundle(remedy_pct=33, reports=("a",), actions=("Review the policy.",)):
    slug = "luton-borough-council"
    url = f"http://x/your-councils-performance/{slug}/statistics"
    return store.AuthorityBundle(
        authority=items.Authority(slug, "Luton Borough Council", url),
        statistics=[
            items.AnnualStatistics(
                slug,
                "2023-24",
                "page",
                url,
                "2023-04-01",
                "2024-03-31",
                upheld_pct=69,
                upheld_decisions=9,
                investigations=13,
                remedy_pct=remedy_pct,
            )
        ],
        reports=[
            items.Report(slug, f"Report {r}", f"http://x/news/{r}", "Summary", "2024-03-12", "http://x/r")
            for r in reports
        ],
        improvements=[
            items.ServiceImprovement(
                slug, "23-020-528", "Housing", "Homelessness", None, "http://x/s", list(actions)
            )
        ],
        letters=[],
    )


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "t.db")
    yield database
    database.close()


def test_schema_is_pinned(db):
    assert {t for t in db.table_names() if "_fts" not in t} == {
        "crawl_runs",
        "authorities",
        "annual_statistics",
        "reports",
        "service_improvements",
        "improvement_actions",
        "letters",
        "letter_complaints_received",
        "letter_decisions",
        "changes",
        "fetches",
        "crawl_errors",
        "decisions",
        "decision_listings",
        "remedy_payments",
        "oversized_values",
        "decision_conflicts",
        "annual_data",
        "annual_data_files",
        "annual_data_facets",
        "annual_data_runs",
        "council_statistics",
        "annual_data_received",
        "annual_data_decided",
        "annual_data_remedy",
        "annual_data_councils",
        "_sqlite_migrations",
    }
    assert {table: db[table].detect_fts() for table in ("letters", "reports", "improvement_actions")} == {
        "letters": "letters_fts",
        "reports": "reports_fts",
        "improvement_actions": "improvement_actions_fts",
    }
    assert sorted(db.view_names()) == [
        "coverage",
        "decision_count_discrepancies",
        "statistics_discrepancies",
    ]
    assert db["annual_statistics"].pks == ["authority_slug", "year", "source"]
    assert db["improvement_actions"].pks == ["authority_slug", "case_ref", "position"]
    assert db["letters"].columns_dict == {
        "authority_slug": str,
        "year": str,
        "label": str,
        "pdf_url": str,
        "title": str,
        "status": str,
        "error": str,
        "letter_date": str,
        "addressee_name": str,
        "addressee_role": str,
        "signatory": str,
        "public_report": int,
        "public_report_sentences": str,
        "year_in_text": str,
        "sha256": str,
        "byte_size": int,
        "page_count": int,
        "reader": str,
        "text": str,
        "source_url": str,
        "first_seen_run": int,
        "last_changed_run": int,
        "gone_run": int,
    }
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_unchanged_save_writes_nothing(db):
    run1 = store.start_run(db, "http://x", "t")
    first = store.save_authority(db, bundle(), run1)
    assert (first.new, first.changed, first.gone) == (5, 0, 0)
    before = db.execute("SELECT * FROM annual_statistics").fetchall()
    run2 = store.start_run(db, "http://x", "t")
    second = store.save_authority(db, bundle(), run2)
    assert (second.new, second.changed, second.gone) == (0, 0, 0)
    assert db.execute("SELECT * FROM annual_statistics").fetchall() == before
    assert db.execute("SELECT count(*) FROM changes WHERE run_id = ?", [run2]).fetchone()[0] == 0


def test_changed_value_keeps_the_old_one(db):
    run1 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(remedy_pct=33), run1)
    run2 = store.start_run(db, "http://x", "t")
    saved = store.save_authority(db, bundle(remedy_pct=40), run2)
    assert saved.changed == 1
    row = db["annual_statistics"].get(("luton-borough-council", "2023-24", "page"))
    assert (row["remedy_pct"], row["first_seen_run"], row["last_changed_run"]) == (40, run1, run2)
    change = db.execute(
        "SELECT column_name, old_value, new_value FROM changes WHERE run_id = ? AND change = 'changed'",
        [run2],
    ).fetchall()
    assert change == [("remedy_pct", "33", "40")]


def test_rows_the_site_drops_are_marked_gone_not_deleted(db):
    run1 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(reports=("a", "b")), run1)
    run2 = store.start_run(db, "http://x", "t")
    saved = store.save_authority(db, bundle(reports=("a",)), run2)
    assert saved.gone == 1
    rows = {r["url"]: r["gone_run"] for r in db["reports"].rows}
    assert rows == {"http://x/news/a": None, "http://x/news/b": run2}


def test_a_part_not_fetched_leaves_stored_rows_alone(db):
    run1 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(reports=("a", "b")), run1)
    partial = bundle(reports=())
    partial.reports = None
    run2 = store.start_run(db, "http://x", "t")
    assert store.save_authority(db, partial, run2).gone == 0
    assert db["reports"].count == 2


def test_a_failed_save_leaves_the_authority_as_it_was(db):
    run1 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(), run1)
    broken = bundle(remedy_pct=50)
    broken.improvements.append(broken.improvements[0])  # a duplicate case: refused midway
    run2 = store.start_run(db, "http://x", "t")
    with pytest.raises(ValueError, match="duplicate"):
        store.save_authority(db, broken, run2)
    assert db["annual_statistics"].get(("luton-borough-council", "2023-24", "page"))["remedy_pct"] == 33
    assert db.execute("SELECT count(*) FROM changes WHERE run_id = ?", [run2]).fetchone()[0] == 0


def test_actions_keep_verbatim_text_and_a_clean_one(db):
    run = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(actions=("Opt out of encryptede-mails.\n  Now.", "Second.")), run)
    rows = [(r["position"], r["text"], r["verbatim"]) for r in db["improvement_actions"].rows]
    assert rows == [
        (1, "Opt out of encryptede-mails. Now.", "Opt out of encryptede-mails.\n  Now."),
        (2, "Second.", "Second."),
    ]


def test_foreign_keys_hold(db):
    run = store.start_run(db, "http://x", "t")
    with pytest.raises(sqlite3.IntegrityError):
        db["reports"].insert(
            {
                "authority_slug": "nobody",
                "url": "u",
                "title": "t",
                "source_url": "s",
                "first_seen_run": run,
                "last_changed_run": run,
            }
        )


def test_a_save_waits_for_another_program_writing(db, tmp_path):
    run = store.start_run(db, "http://x", "t")
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE another_program (note TEXT)")
    committer = threading.Timer(0.5, other.execute, ["COMMIT"])
    committer.start()
    try:
        # A deferred transaction would read a snapshot the other program's commit then makes stale:
        # "database is locked" at once, whatever busy_timeout says.
        saved = store.save_authority(db, bundle(), run)
    finally:
        committer.join()
        other.close()
    assert saved.new == 5


def test_only_the_site_makes_an_authority_gone(db):
    run1 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(), run1)
    run2 = store.start_run(db, "http://x", "t")
    assert store.unlisted_authorities(db, {"luton-borough-council"}) == set()
    assert store.unlisted_authorities(db, set()) == {"luton-borough-council"}
    assert store.mark_gone_authorities(db, run2, {"Luton-Borough-Council", "never-stored"}) == 1
    assert db["authorities"].get("luton-borough-council")["gone_run"] == run2
    run3 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(), run3)
    assert db["authorities"].get("luton-borough-council")["gone_run"] is None


def test_a_letter_that_fails_to_read_again_keeps_the_good_copy(db):
    slug, pdf_url = "luton-borough-council", "http://x/assets/attach/1/letter-2024.pdf"
    listed = bundle()
    listed.letters = [items.LetterLink(slug, "2023-24", "Annual review letter 2024", pdf_url, "http://x/l")]
    good = items.LetterDocument(
        slug, "2023-24", pdf_url, "aa", 10, "ok", text="Dear Ms Bailey", title="Letter"
    )
    listed.letter_documents = [good]
    store.save_authority(db, listed, store.start_run(db, "http://x", "t"))
    failed = items.LetterDocument(
        slug, "2023-24", pdf_url, "bb", 3, "failed", error="not a PDF: no '%PDF-' header"
    )
    listed.letter_documents = [failed]
    saved = store.save_authority(db, listed, store.start_run(db, "http://x", "t"))
    assert saved.kept_letters == [failed]
    row = db["letters"].get((slug, "2023-24"))
    assert (row["status"], row["text"], row["title"], row["sha256"]) == (
        "ok",
        "Dear Ms Bailey",
        "Letter",
        "aa",
    )


def test_fetches_saved_on_their_own_are_committed(tmp_path):
    # The end of a run saves the fetches of pages no authority owns (the index) outside any other transaction.
    path = tmp_path / "lgsco.db"
    db = store.open_db(path)
    run_id = store.start_run(db, "http://x", "test")
    store.save_fetches(db, [store.Fetch("http://x/index", 200, '"e1"', None, "ab" * 32)], run_id)
    store.finish_run(db, run_id, "ok", store.RunTotals(), {})
    db.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT url, etag FROM fetches").fetchall() == [("http://x/index", '"e1"')]
    assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("ok",)]
    conn.close()
