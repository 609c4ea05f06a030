"""council_statistics is a table (migration m013) that always holds what the view it replaced would show: every
statistics row not gone, joined to its authority (not gone). Checked after saves, changes, gone authorities, a
failed save, the migration of a database that had the view, and crawls of the replica."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils

from harvester import migrations, store
from tests.test_store import bundle

OLD_VIEW = next(s for s in migrations.statements(migrations.SCHEMA_0_1) if "VIEW IF NOT EXISTS council_statistics" in s)
"""The view as release 0.1.0 defined it, word for word: what the table must equal."""
VIEW_QUERY = OLD_VIEW.split(" AS\n", 1)[1].rstrip(";")
ORDER = " ORDER BY authority_slug, year, source"


def table_and_view(db) -> tuple[list, list]:
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    return (
        conn.execute(f"SELECT * FROM council_statistics{ORDER}").fetchall(),
        conn.execute(f"SELECT * FROM ({VIEW_QUERY}){ORDER}").fetchall(),
    )


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "t.db")
    yield database
    database.close()


def test_the_table_follows_every_save(db):
    run1 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(remedy_pct=33), run1)
    table, view = table_and_view(db)
    assert len(table) == 1 and table == view
    row = db["council_statistics"].get(("luton-borough-council", "2023-24", "page"))
    assert (row["name"], row["remedy_pct"], row["upheld_pct"]) == ("Luton Borough Council", 33, 69)

    run2 = store.start_run(db, "http://x", "t")
    store.save_authority(db, bundle(remedy_pct=40), run2)  # a figure changed
    assert db["council_statistics"].get(("luton-borough-council", "2023-24", "page"))["remedy_pct"] == 40
    assert table_and_view(db)[0] == table_and_view(db)[1]

    renamed = bundle(remedy_pct=40)
    renamed.authority.name = "Luton Council"
    store.save_authority(db, renamed, store.start_run(db, "http://x", "t"))  # the authority's own row changed
    assert db["council_statistics"].get(("luton-borough-council", "2023-24", "page"))["name"] == "Luton Council"

    store.mark_gone_authorities(db, store.start_run(db, "http://x", "t"), {"luton-borough-council"})
    assert table_and_view(db) == ([], [])
    store.save_authority(db, bundle(remedy_pct=40), store.start_run(db, "http://x", "t"))  # back on the site
    table, view = table_and_view(db)
    assert len(table) == 1 and table == view


def test_a_statistics_row_gone_or_deleted_leaves_the_table(db):
    store.save_authority(db, bundle(), store.start_run(db, "http://x", "t"))
    with store.transaction(db):
        db.execute("UPDATE annual_statistics SET gone_run = 1")
    assert table_and_view(db) == ([], [])
    with store.transaction(db):
        db.execute("UPDATE annual_statistics SET gone_run = NULL")
    assert len(table_and_view(db)[0]) == 1
    with store.transaction(db):
        db.execute("DELETE FROM annual_statistics")
    assert table_and_view(db) == ([], [])


def test_a_failed_save_leaves_the_table_as_it_was(db):
    store.save_authority(db, bundle(remedy_pct=33), store.start_run(db, "http://x", "t"))
    before = table_and_view(db)[0]
    broken = bundle(remedy_pct=50)  # statistics written first, then a duplicate case refused midway
    broken.improvements.append(broken.improvements[0])
    with pytest.raises(ValueError, match="duplicate"):
        store.save_authority(db, broken, store.start_run(db, "http://x", "t"))
    table, view = table_and_view(db)
    assert table == before == view
    assert db["council_statistics"].get(("luton-borough-council", "2023-24", "page"))["remedy_pct"] == 33


def test_the_migration_fills_the_table_from_a_database_that_had_the_view(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.migrations.apply(old, stop_before="m013_council_statistics_table")
    assert "council_statistics" in old.view_names()
    run = store.start_run(old, "http://x", "t")
    store.save_authority(old, bundle(), run)
    store.save_authority(old, bundle_for("kent-county-council", "Kent County Council"), run)
    view_rows = old.execute(f"SELECT * FROM council_statistics{ORDER}").fetchall()
    assert len(view_rows) == 2
    old.close()

    upgraded = store.open_db(path)
    assert "council_statistics" in upgraded.table_names() and "council_statistics" not in upgraded.view_names()
    assert table_and_view(upgraded) == (view_rows, view_rows)
    # Same columns, same declared types, as the view had.
    fresh = sqlite_utils.Database(memory=True)
    migrations.migrations.apply(fresh, stop_before="m013_council_statistics_table")
    names_and_types = [(c.name, c.type) for c in fresh["council_statistics"].columns]
    assert [(c.name, c.type) for c in upgraded["council_statistics"].columns] == names_and_types
    upgraded.close()


def bundle_for(slug: str, name: str) -> store.AuthorityBundle:
    other = bundle()
    other.authority.slug, other.authority.name = slug, name
    for statistics in other.statistics:
        statistics.authority_slug = slug
    other.reports, other.improvements = [], []
    return other


SUBSET = ("luton-borough-council", "kent-county-council", "North-Northamptonshire-Council")


@pytest.mark.slow
def test_crawls_keep_the_table_equal_to_the_view(replica, tmp_path):
    """A first crawl, then a rerun of a site whose figures changed (a new year published, last year revised)."""
    server = replica(epoch=2024)
    db_path = tmp_path / "lgsco.db"

    def crawl() -> None:
        args = ["crawl", "--base-url", server.base_url, "--db", str(db_path)]
        for slug in SUBSET:
            args += ["--authority", slug]
        result = subprocess.run([sys.executable, "-m", "harvester.cli", *args], capture_output=True, text=True,
                                timeout=600)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr[-2000:]

    crawl()
    conn = sqlite3.connect(db_path)
    first, view = table_and_view(conn)
    assert len(first) > 20 and first == view
    conn.close()

    server.set_epoch(2025)
    crawl()
    conn = sqlite3.connect(db_path)
    second, view = table_and_view(conn)
    assert second == view
    assert {row[5] for row in second} - {row[5] for row in first} == {"2024-25"}  # the year published since
    changed = conn.execute("SELECT count(*) FROM changes WHERE run_id = 2 AND table_name = 'annual_statistics'")
    assert changed.fetchone()[0] > 0
    conn.close()
