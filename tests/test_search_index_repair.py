"""A kill inside a migration never leaves full-text search dead: each migration is one transaction with its
record, and every open repairs a search index that lacks its triggers or is out of step with its table."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from harvester import migrations, store
from tests.test_crawl import LUTON, crawl

REPO = Path(__file__).resolve().parents[1]


def searched(db: Path, table: str, word: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            f"SELECT count(*) FROM [{table}_fts] WHERE [{table}_fts] MATCH ?", [word]
        ).fetchone()[0]
    finally:
        conn.close()


def test_search_indexes_are_the_schema_sqlite_utils_makes(tmp_path):
    store.open_db(tmp_path / "lgsco.db").close()
    made = sqlite_utils.Database(tmp_path / "lgsco.db")
    reference = sqlite_utils.Database(memory=True)
    for table, columns in {**migrations.SEARCH_INDEXES_0_1, "decisions": ["summary", "text"]}.items():
        reference.execute(f"CREATE TABLE [{table}] ({', '.join(columns)})")
        reference[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    expected = {
        name: sql
        for name, sql in reference.execute(
            "SELECT name, sql FROM sqlite_master WHERE name LIKE '%fts%' OR type = 'trigger'"
        )
    }
    stored = dict(made.execute("SELECT name, sql FROM sqlite_master").fetchall())
    assert {name: stored.get(name) for name in expected} == expected


@pytest.mark.slow
def test_a_kill_between_a_search_table_and_its_triggers_leaves_search_working(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    server = replica()
    killed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "killpoint.py"), "migration", "1", str(tmp_path / "counts.json"), "--",
         "crawl", "--base-url", server.base_url, "--db", str(db), "--authority", LUTON],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stdout + killed.stderr
    conn = sqlite3.connect(db)
    assert not conn.execute("SELECT name FROM sqlite_master WHERE name LIKE '%fts%'").fetchall()
    conn.close()
    result = crawl(server.base_url, db, "--authority", LUTON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert searched(db, "letters", "luton") > 0 and searched(db, "reports", "luton") > 0
    assert migrations.broken_search_indexes(sqlite_utils.Database(db)) == {}


@pytest.mark.slow
def test_a_search_index_left_without_triggers_is_rebuilt_on_the_next_open(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    server = replica()
    assert crawl(server.base_url, db, "--authority", LUTON).returncode == 0
    letters = searched(db, "letters", "luton")
    assert letters > 0
    # What a kill inside release 0.3's non-transactional migration left: the table, empty, and no triggers.
    conn = sqlite3.connect(db)
    for suffix in migrations.TRIGGER_SUFFIXES:
        conn.execute(f"DROP TRIGGER letters{suffix}")
    conn.execute("INSERT INTO letters_fts (letters_fts) VALUES ('delete-all')")
    conn.commit()
    conn.close()
    assert searched(db, "letters", "luton") == 0
    assert migrations.broken_search_indexes(sqlite_utils.Database(db)) == {"letters": ["title", "text"]}

    result = crawl(server.base_url, db, "--authority", LUTON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert searched(db, "letters", "luton") == letters
    assert migrations.broken_search_indexes(sqlite_utils.Database(db)) == {}
    conn = sqlite3.connect(db)
    conn.execute("UPDATE letters SET title = 'Zanzibar' WHERE rowid = (SELECT min(rowid) FROM letters)")
    conn.commit()
    conn.close()
    assert searched(db, "letters", "zanzibar") == 1  # the triggers are back


def test_an_index_out_of_step_with_its_table_is_rebuilt(tmp_path):
    db = store.open_db(tmp_path / "lgsco.db")
    db.execute("INSERT INTO reports_fts (rowid, title, summary) VALUES (99, 'phantom', 'phantom')")
    db.conn.commit()
    assert migrations.broken_search_indexes(db) == {"reports": ["title", "summary"]}
    assert migrations.repair_search_indexes(db) == ["reports"]
    assert migrations.broken_search_indexes(db) == {}
    assert not db.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH 'phantom'").fetchone()[0]
