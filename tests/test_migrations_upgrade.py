"""Schema migrations reach databases already in use: a crawl upgrades a database written by release 0.1.0
(the last before migrations) in place, and a migration added later reaches a database made before it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from harvester import migrations, store

FIXTURE = Path(__file__).resolve().parent / "migrations" / "lgsco-0.1.0.db"
DATA_TABLES = (
    "authorities", "annual_statistics", "reports", "service_improvements", "improvement_actions", "letters",
    "letter_complaints_received", "letter_decisions",
)  # fmt: skip
SITE_CHANGED = {"reports"}
"""Tables whose rows the replica itself has changed since 0.1.0: its reports now link to decision pages."""


def connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    return conn


def move_to(conn: sqlite3.Connection, base_url: str) -> None:
    """Rewrite the stored URLs for the replica's new port, as if the site had always been there."""
    (old_base,) = conn.execute("SELECT base_url FROM crawl_runs WHERE id = 1").fetchone()
    tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if "_fts" in table:
            continue  # search indexes follow their tables through triggers
        for column in conn.execute(f"PRAGMA table_info([{table}])").fetchall():
            if column["type"] == "TEXT":
                conn.execute(
                    f"UPDATE [{table}] SET [{column['name']}] = replace([{column['name']}], ?, ?)",
                    [old_base, base_url],
                )
    conn.commit()


def data_rows(conn: sqlite3.Connection) -> dict[str, list[dict]]:
    return {
        table: [dict(row) for row in conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid")]
        for table in DATA_TABLES
    }


def schema(conn: sqlite3.Connection) -> set[tuple]:
    return {
        tuple(row)
        for row in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    }


@pytest.mark.slow
def test_a_crawl_upgrades_a_release_0_1_database_in_place(replica_2025, tmp_path):
    db_path = tmp_path / "lgsco.db"
    shutil.copy(FIXTURE, db_path)
    conn = connect(db_path)
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'").fetchall()
    move_to(conn, replica_2025.base_url)
    before = data_rows(conn)
    old_run = dict(conn.execute("SELECT * FROM crawl_runs WHERE id = 1").fetchone())
    conn.close()
    assert len(before["letters"]) == 12 and len(before["annual_statistics"]) > 12

    crawl = subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", replica_2025.base_url,
         "--db", str(db_path), "--authority", "luton-borough-council"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    assert crawl.stdout.startswith("run 2 ok: 1 authority,")
    assert "/ 0 changed /" in crawl.stdout  # new decisions and moved report links only: no value changed

    conn = connect(db_path)
    after = data_rows(conn)
    # Every row kept, to the last provenance column (new rows come after them); columns later migrations
    # added are there, and empty.
    for table, rows in after.items():
        kept = [{c: row[c] for c in old} for row, old in zip(rows, before[table], strict=False)]
        if table in SITE_CHANGED:
            # A report whose link moved is marked gone by this run, never deleted.
            assert {row["gone_run"] for row in kept} <= {None, 2}
            kept = [row | {"gone_run": old["gone_run"], "last_changed_run": old["last_changed_run"]}
                    for row, old in zip(kept, before[table], strict=True)]  # fmt: skip
        assert kept == before[table], table
    old_conn = connect(FIXTURE)
    added = {
        (table, column)
        for table in DATA_TABLES
        for column in {r["name"] for r in conn.execute(f"PRAGMA table_info([{table}])")}
        - {r["name"] for r in old_conn.execute(f"PRAGMA table_info([{table}])")}
    }
    old_conn.close()
    assert added == {("annual_statistics", "raw_values"), ("reports", "case_ref")}
    assert {row["raw_values"] for row in after["annual_statistics"]} == {None}
    assert dict(conn.execute("SELECT * FROM crawl_runs WHERE id = 1").fetchone()) == old_run | {"options": None}
    assert [tuple(row) for row in conn.execute("PRAGMA integrity_check")] == [("ok",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    fresh = connect(tmp_path / "fresh.db")
    store.open_db(tmp_path / "fresh.db").close()
    assert schema(conn) == schema(fresh)  # the new schema, every migration applied
    recorded = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    every_migration = migrations.migrations.pending(sqlite_utils.Database(memory=True))
    assert recorded == [migration.name for migration in every_migration]
    conn.close()
    fresh.close()


def test_a_migration_added_later_reaches_an_existing_database(tmp_path, monkeypatch):
    db_path = tmp_path / "lgsco.db"
    db = store.open_db(db_path)
    run_id = store.start_run(db, "http://127.0.0.1:1", "0.1.0", "all")
    db.close()

    # A later release: one more migration at the end of the list (restored after the test).
    monkeypatch.setattr(migrations.migrations, "_migrations", list(migrations.migrations._migrations))

    @migrations.migrations()
    def m999_runs_note_who_started_them(db) -> None:
        db.execute("ALTER TABLE crawl_runs ADD COLUMN started_by TEXT")

    db = store.open_db(db_path)
    assert "started_by" in db["crawl_runs"].columns_dict
    assert db["crawl_runs"].get(run_id)["base_url"] == "http://127.0.0.1:1"  # the row is kept
    assert [m.name for m in migrations.migrations.applied(db)][-1] == "m999_runs_note_who_started_them"
    db.close()
    db = store.open_db(db_path)  # applied once: opening again changes nothing
    assert migrations.migrations.pending(db) == []
    assert [m.name for m in migrations.migrations.applied(db)].count("m999_runs_note_who_started_them") == 1
    db.close()
