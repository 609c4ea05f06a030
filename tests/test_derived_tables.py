"""annual_data_received, annual_data_decided and annual_data_remedy are tables (m018) that hold, after every save of a
data file, exactly the rows of the views m008 made (harvester.derived_tables), on files the replica serves."""

from __future__ import annotations

import dataclasses

import pytest
import sqlite_utils

from harvester import derived_tables, facet_counts, items, migrations, store
from harvester.replica.server import ReplicaServer
from tests.test_coverage import read_annual_data_files

YEARS = ("2024-25", "2019-20", "2015-16")
"""Years of CSV files, of workbooks, and of one workbook of received and decided figures (no remedy file yet)."""
REMEDY_YEARS = ("2024-25", "2019-20")


@pytest.fixture(scope="module")
def data_files(replica_site) -> list[items.DataFile]:
    """Every file of YEARS the replica's hub links, read as the crawl reads them."""
    with ReplicaServer(epoch=2025, site=replica_site) as server:
        return read_annual_data_files(server.base_url, YEARS)


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "lgsco.db")
    yield database
    database.close()


def rows(db: sqlite_utils.Database, sql: str) -> list[tuple]:
    return sorted(db.execute(sql).fetchall(), key=repr)


def assert_each_table_is_its_query(db: sqlite_utils.Database) -> None:
    for name, query in derived_tables.QUERIES.items():
        assert rows(db, f"SELECT * FROM {name}") == rows(db, query), name


def save(db: sqlite_utils.Database, files: list[items.DataFile]) -> int:
    run = store.start_run(db, "https://www.lgo.org.uk", "t")
    for data_file in files:
        store.save_data_file(db, data_file, None, run)
    return run


def edited(data_file: items.DataFile, changed: str, dropped: str) -> items.DataFile:
    """DATA_FILE as the site might give it later: CHANGED's figures 7 more, DROPPED's no longer there."""
    values = [
        dataclasses.replace(value, value=value.value + 7, raw=str(value.value + 7))
        if value.printed_name == changed and value.value is not None
        else value
        for value in data_file.values
        if value.printed_name != dropped
    ]
    return dataclasses.replace(data_file, values=values)


def test_each_table_holds_its_view_s_rows_for_every_file_saved(db, data_files):
    save(db, data_files)
    assert_each_table_is_its_query(db)
    for name in derived_tables.ANNUAL_DATA_TABLES:
        by_year = dict(db.execute(f"SELECT year, count(*) FROM {name} GROUP BY year").fetchall())
        years = REMEDY_YEARS if name == "annual_data_remedy" else YEARS
        assert set(by_year) == set(years) and min(by_year.values()) > 100, (name, by_year)


def test_a_second_crawl_s_changed_and_gone_values_reach_the_tables(db, data_files):
    save(db, data_files)
    first, second, *_ = sorted({value.printed_name for value in data_files[0].values if value.authority_slug})
    before = {name: dict(((row[1], row[2], row[-1]), row) for row in db.execute(f"SELECT * FROM {name}"))
              for name in derived_tables.ANNUAL_DATA_TABLES}  # fmt: skip

    save(db, [edited(data_file, changed=first, dropped=second) for data_file in data_files])
    assert_each_table_is_its_query(db)
    for name in derived_tables.ANNUAL_DATA_TABLES:
        names = {printed_name for (printed_name,) in db.execute(f"SELECT printed_name FROM {name}")}
        assert second not in names and first in names, name
        changed = [row for row in db.execute(f"SELECT * FROM {name} WHERE printed_name = ?", [first])]
        assert changed and all(row != before[name][row[1], row[2], row[-1]] for row in changed), name
    totals = [(row[-2], before["annual_data_received"][row[1], row[2], row[-1]][-2])
              for row in db.execute("SELECT * FROM annual_data_received WHERE printed_name = ?", [first])]  # fmt: skip
    assert totals and all(total == old + 7 for total, old in totals), totals
    # The site gives the file as it was: the values marked gone come back, the changed ones change back.
    save(db, data_files)
    assert_each_table_is_its_query(db)
    for name in derived_tables.ANNUAL_DATA_TABLES:
        assert rows(db, f"SELECT * FROM {name}") == sorted(before[name].values(), key=repr), name


def test_a_file_read_again_unchanged_leaves_its_rows_alone(db, data_files):
    save(db, data_files)
    rowids = rows(db, "SELECT rowid, * FROM annual_data_decided")
    save(db, data_files)
    assert rows(db, "SELECT rowid, * FROM annual_data_decided") == rowids


def test_the_migration_fills_the_tables_from_an_existing_harvest(tmp_path, data_files, monkeypatch):
    """A harvest made before m018, its views made from annual_data on every read, gets tables of the same rows, and
    its coverage view (reading annual_data_councils now) the same rows too."""
    path = tmp_path / "lgsco.db"
    every_migration = list(migrations.migrations._migrations)
    before_m018 = every_migration[: [migration.name for migration in every_migration].index("m018_derived_tables")]
    monkeypatch.setattr(migrations.migrations, "_migrations", before_m018)
    # Before m018 the store kept only the facet counts (m017) of what is made from a file's values.
    every_query = derived_tables.QUERIES
    monkeypatch.setattr(derived_tables, "QUERIES", {facet_counts.TABLE: facet_counts.QUERY})
    db = store.open_db(path)
    save(db, data_files)
    assert set(derived_tables.ANNUAL_DATA_TABLES) <= set(db.view_names())
    views = {name: rows(db, f"SELECT * FROM {name}")
             for name in (*derived_tables.ANNUAL_DATA_TABLES, "statistics_discrepancies", "coverage")}  # fmt: skip
    db.close()

    monkeypatch.setattr(migrations.migrations, "_migrations", every_migration)
    monkeypatch.setattr(derived_tables, "QUERIES", every_query)
    db = store.open_db(path)
    assert set(derived_tables.ANNUAL_DATA_TABLES) <= set(db.table_names())
    for name, expected in views.items():
        assert rows(db, f"SELECT * FROM {name}") == expected, name
    assert all(views[name] for name in derived_tables.ANNUAL_DATA_TABLES)
    assert_each_table_is_its_query(db)
    db.close()


def test_a_file_s_rows_are_made_from_that_file_s_values_only(db):
    """The crawl refreshes each file's rows as it saves the file: reading every file's values for each would cost a
    full crawl the three views' whole cost once per file."""
    for name, query in derived_tables.QUERIES.items():
        plan = [detail for *_, detail in db.execute(f"EXPLAIN QUERY PLAN {derived_tables.one_file(query)}", ["x"])]
        assert "SEARCH annual_data USING INDEX annual_data_key (source_file=?)" in plan, (name, plan)
        assert not any(detail.startswith("SCAN annual_data") for detail in plan), (name, plan)


def test_the_coverage_view_reads_letters_decisions_and_annual_data_from_indexes_only(db):
    """Letters and decisions keep their full text before their run columns, and annual_data is ~350,000 rows: read
    from the table, the view's query cost 55 ms of CPU on a full harvest, 29 ms from the indexes (m018)."""
    plan = [detail for *_, detail in db.execute("EXPLAIN QUERY PLAN SELECT * FROM coverage")]
    reads = [detail for detail in plan if detail.split()[:1] in (["SCAN"], ["SEARCH"])]
    tables = {"letters", "decisions", "annual_data", "d"}  # d: annual_data and decisions, as the view names them
    assert [detail for detail in reads if detail.split()[1] in tables and "COVERING INDEX" not in detail] == [], plan
    assert sum(detail.split()[1] in tables for detail in reads) == 6, plan
