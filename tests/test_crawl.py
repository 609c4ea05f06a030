"""Full crawls of the replica, compared with the replica's own ground truth."""

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harvester.replica.server import ReplicaServer
from harvester.replica.truth import ground_truth

pytestmark = pytest.mark.slow

DATA_TABLES = {
    "authorities": (("slug",), ("slug", "name", "url")),
    "annual_statistics": (
        ("authority_slug", "year", "source"),
        None,  # every column the ground truth gives
    ),
    "reports": (("authority_slug", "url"), ("authority_slug", "title", "url", "summary", "date")),
    "service_improvements": (
        ("authority_slug", "case_ref"),
        ("authority_slug", "case_ref", "category", "sub_category", "decision_url"),
    ),
    "improvement_actions": (
        ("authority_slug", "case_ref", "position"),
        ("authority_slug", "case_ref", "position", "text"),
    ),
    "letters": (("authority_slug", "year"), None),
    "letter_complaints_received": (("authority_slug", "year", "category"), None),
    "letter_decisions": (("authority_slug", "year", "outcome"), None),
    "decisions": (("case_ref",), None),
    "decision_listings": (("authority_slug", "year", "listing"), None),
}


def crawl(base_url: str, db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", base_url, "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def stored(db: Path, table: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(f"SELECT * FROM [{table}] WHERE gone_run IS NULL")]
    conn.close()
    return rows


def as_keyed(rows, key, columns):
    keyed = {}
    for row in rows:
        keyed[tuple(row[k] for k in key)] = {c: normal(row[c]) for c in columns}
    return keyed


def normal(value):
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("crawl") / "lgsco.db"
    with ReplicaServer(epoch=2025) as replica:
        first = crawl(replica.base_url, db)
        snapshot = tmp_path_factory.mktemp("crawl") / "first.db"
        sqlite3.connect(db).execute(f"VACUUM INTO '{snapshot}'")
        second = crawl(replica.base_url, db)
        truth = ground_truth(replica.site, 2025, replica.base_url)
    return first, second, db, snapshot, truth


def test_full_crawl_exits_zero(crawled):
    first, second, *_ = crawled
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-5000:]
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-5000:]


@pytest.mark.parametrize("table", list(DATA_TABLES))
def test_every_stored_row_equals_the_ground_truth(crawled, table):
    _, _, db, _, truth = crawled
    key, columns = DATA_TABLES[table]
    expected_rows = truth[table]
    columns = columns or sorted({c for row in expected_rows for c in row} - {"flags"})
    expected = as_keyed(expected_rows, key, columns)
    actual = as_keyed(stored(db, table), key, columns)
    missing = sorted(set(expected) - set(actual))[:5]
    extra = sorted(set(actual) - set(expected))[:5]
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"
    wrong = [(k, expected[k], actual[k]) for k in expected if expected[k] != actual[k]][:3]
    assert not wrong
    assert len(actual) == len(expected)


def test_letter_links_equal_the_ground_truth(crawled):
    _, _, db, _, truth = crawled
    conn = sqlite3.connect(db)
    actual = set(conn.execute("SELECT authority_slug, year, pdf_url FROM letters"))
    expected = {(r["authority_slug"], r["year"], r["pdf_url"]) for r in truth["letter_links"]}
    assert actual == expected


def test_a_second_crawl_changes_no_data_row(crawled):
    _, _, db, snapshot, _ = crawled
    for table in DATA_TABLES:
        before = sqlite3.connect(snapshot).execute(f"SELECT * FROM [{table}] ORDER BY 1, 2, 3").fetchall()
        after = sqlite3.connect(db).execute(f"SELECT * FROM [{table}] ORDER BY 1, 2, 3").fetchall()
        assert before == after, table
    runs = sqlite3.connect(db).execute("SELECT id, status, rows_new, rows_changed FROM crawl_runs").fetchall()
    assert len(runs) == 2
    assert runs[1][1:] == ("ok", 0, 0)


def test_the_second_crawl_downloads_no_letter(crawled):
    first, second, db, *_ = crawled
    conn = sqlite3.connect(db)
    first_letters, second_letters = (
        json.loads(summary)["letters_read"] for (summary,) in conn.execute("SELECT summary FROM crawl_runs")
    )
    assert (first_letters, second_letters) == (4101, 0)


def test_letter_text_is_searchable(crawled):
    _, _, db, _, truth = crawled
    conn = sqlite3.connect(db)
    hits = conn.execute(
        "SELECT letters.authority_slug, letters.year FROM letters_fts JOIN letters ON letters.rowid = letters_fts.rowid "
        "WHERE letters_fts MATCH ? ORDER BY 1, 2",
        ['"public report"'],
    ).fetchall()
    with_reports = {(r["authority_slug"], r["year"]) for r in truth["letters"] if r["public_report"]}
    assert with_reports and with_reports <= set(hits)


def test_letters_are_kept_on_disk_by_checksum(crawled):
    _, _, db, *_ = crawled
    conn = sqlite3.connect(db)
    sha, size = conn.execute("SELECT sha256, byte_size FROM letters ORDER BY year LIMIT 1").fetchone()
    pdf = db.parent / "letters" / f"{sha}.pdf"
    assert pdf.stat().st_size == size
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == sha


def test_the_readme_questions_have_answers(crawled):
    _, _, db, *_ = crawled
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    queries = re.findall(r"```sql\n(.*?)```", readme, re.DOTALL)
    assert len(queries) == 4  # three in "What the database holds", one in "Decisions"
    conn = sqlite3.connect(db)
    for query in queries:
        rows = conn.execute(query).fetchall()
        assert rows, query


def test_the_decision_cross_check_lists_exactly_the_replicas_disagreements(crawled):
    _, _, db, _, truth = crawled
    stated = {
        (row["authority_slug"], row["year"]): row
        for row in truth["annual_statistics"]
        if row["source"] == "page"
    }
    expected = set()
    for listing in truth["decision_listings"]:
        page = stated[listing["authority_slug"], listing["year"]]
        count = page["upheld_decisions" if listing["listing"] == "upheld" else "remedy_decisions"]
        if listing["listed"] != count:
            expected.add(
                (listing["authority_slug"], listing["year"], listing["listing"], listing["listed"], count)
            )
    actual = set(
        sqlite3.connect(db).execute(
            "SELECT authority_slug, year, listing, listed, page_count FROM decision_count_discrepancies"
        )
    )
    assert actual == expected and len(expected) >= 5


def test_the_second_crawl_fetches_no_decision(crawled):
    _, _, db, _, truth = crawled
    summaries = [json.loads(s) for (s,) in sqlite3.connect(db).execute("SELECT summary FROM crawl_runs")]
    assert [s["decisions_read"] for s in summaries] == [len(truth["decisions"]), 0]
