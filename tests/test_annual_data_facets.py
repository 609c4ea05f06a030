"""The annual_data page counts and facets from annual_data_facets (migration m017, plugins/facet_counts.py) and
shows exactly what Datasette's own SQL shows: its JSON is compared with the same harvest's without the counts, whose
page Datasette counts and facets as it would without the plugin (every plugin of the plugins folder is loaded once a
process, so "without" is the plugin falling through). Checked after a first save, a changing second crawl (values
changed, moved to another concept, new, gone), the migration of a harvest made before m017, a publish, and writes
the store did not count."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from harvester import facet_counts, items, store
from harvester.serve import DATABASE_NAME, datasette_for, publish
from tests.conftest import unregistered

HUB = "https://www.lgo.org.uk/information-centre/reports/annual-review-reports/local-government-complaint-reviews"
COUNCILS = [("kent-county-council", "Kent County Council"), ("luton-borough-council", "Luton Council"),
            (None, "Broads Authority")]  # fmt: skip
PAGES = [
    "",
    "?year=2023-24",
    "?measure=decided",
    "?concept=total",
    "?authority_slug=kent-county-council",
    "?first_seen_run=1",
    "?year=2024-25&measure=decided&concept=upheld",
    "?measure=received&_facet_size=2",  # a facet cut short
    "?year=1999-00",  # nothing
    "?year__exact=2023-24&measure=received",
    "?_sort=value&year=2024-25",
    "?concept__isnull=1",  # a filter the counts don't answer
]
COUNTED_PAGES = [page for page in PAGES if page not in ("?authority_slug=kent-county-council", "?first_seen_run=1",
                                                        "?concept__isnull=1")]  # fmt: skip


def data_file(year: str, changed: bool = False) -> items.DataFile:
    """A file of two measures and a column not recognised, for three councils; CHANGED, as read again: a value
    changed, a column read as another concept, a column gone and a council new."""
    url = f"https://www.lgo.org.uk/assets/attach/{year}.csv"
    link = items.DataFileLink(year, f"Complaints {year} (CSV)", url, "csv", HUB)
    councils = COUNCILS + ([("bristol-city-council", "Bristol City Council")] if changed else [])
    columns = {"Upheld": ("decided", "upheld"), "Not upheld": ("decided", "not_upheld"), "Total": ("decided", "total"),
               "Housing": ("received", "housing"), "Received": ("received", "total"), "Notes": ("unknown", None)}
    if changed:
        del columns["Not upheld"]
        columns["Housing"] = ("received", "other")
    values = [
        items.AnnualDataValue(
            authority_slug=slug, printed_name=name, year=year, measure=measure, category=None, outcome=None,
            concept=concept, value=row * 10 + changed * (header == "Upheld"), raw=str(row * 10), source_file=url,
            column_header=header, sheet=None, row=row,
        )  # fmt: skip
        for row, (slug, name) in enumerate(councils, start=2)
        for header, (measure, concept) in columns.items()
    ]  # fmt: skip
    return items.DataFile(link, "a" * 64, 100, values, [], [])


def save(db_path: Path, *files: items.DataFile) -> None:
    db = store.open_db(db_path)
    try:
        run = store.start_run(db, "https://www.lgo.org.uk", "t")
        for file in files:
            store.save_data_file(db, file, None, run)
    finally:
        db.close()


def pages(db_path: Path) -> tuple[dict[str, dict], list[str]]:
    """Each page's JSON (its timing left out) and the SQL the database ran for them; without plugins/counted_from_rows.py,
    which counts this small table's pages from their rows before the counts are asked."""
    datasette = datasette_for(db_path)
    database = datasette.get_database(DATABASE_NAME)
    ran = []
    execute = database.execute

    async def recorded(sql, *args, **kwargs):
        ran.append(sql)
        return await execute(sql, *args, **kwargs)

    database.execute = recorded  # before the first page: the plugins wrap it, so it sees what they run

    async def get_all():
        shown = {}
        for page in PAGES:
            response = await datasette.client.get(f"/{DATABASE_NAME}/annual_data.json{page}")
            assert response.status_code == 200, (page, response.text)
            shown[page] = response.json() | {"query_ms": None}
        return shown

    with unregistered("counted_from_rows.py"):
        return asyncio.run(get_all()), ran


def own(db_path: Path, tmp_path: Path) -> Path:
    """A copy of the harvest without the counts: its pages are counted and faceted by Datasette's own SQL."""
    copy = tmp_path / "own.db"
    source = sqlite3.connect(db_path)
    source.execute("VACUUM INTO ?", [str(copy)])
    source.close()
    with sqlite3.connect(copy) as conn:
        conn.execute(f"DROP TABLE {facet_counts.TABLE}")
    conn.close()
    return copy


def from_counts(ran: list[str]) -> tuple[int, int]:
    """How many counts and facets the queries RAN read from the counts."""
    return (
        sum(sql.startswith(f"select coalesce(sum(row_count), 0) from {facet_counts.TABLE} ") for sql in ran),
        sum(f" as value, sum(row_count) as count from {facet_counts.TABLE} " in sql for sql in ran),
    )


def assert_same_as_datasettes_own(db_path: Path, tmp_path: Path) -> None:
    counted, ran = pages(db_path)
    shown, own_ran = pages(own(db_path, tmp_path))
    assert counted == shown
    assert not any(facet_counts.TABLE in sql for sql in own_ran)  # the copy has none: Datasette's SQL ran
    # every count and facet of a counted page came from the counts: one count and three facets each
    assert from_counts(ran) == (len(COUNTED_PAGES), 3 * len(COUNTED_PAGES))
    assert shown["?year=2024-25&measure=decided&concept=upheld"]["filtered_table_rows_count"] > 0


@pytest.fixture
def harvest(tmp_path) -> Path:
    db_path = tmp_path / "lgsco.db"
    save(db_path, data_file("2023-24"), data_file("2024-25"))
    return db_path


def stored_counts(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        counted = conn.execute(f"SELECT * FROM {facet_counts.TABLE} ORDER BY 1, 2, 3, 4").fetchall()
        counts = conn.execute(
            "SELECT source_file, year, measure, concept, count(*) FROM annual_data "
            "GROUP BY source_file, year, measure, concept ORDER BY 1, 2, 3, 4"
        ).fetchall()
    conn.close()
    assert counted == counts
    return counted


def test_the_pages_count_and_facet_as_datasette_does(harvest, tmp_path):
    assert len(stored_counts(harvest)) == 2 * 6
    assert_same_as_datasettes_own(harvest, tmp_path)


def test_a_changing_second_crawl_keeps_the_counts_right(harvest, tmp_path):
    before = stored_counts(harvest)
    save(harvest, data_file("2023-24", changed=True))  # a column gone, a concept read otherwise, a council new
    after = stored_counts(harvest)
    assert after != before
    with sqlite3.connect(harvest) as conn:
        assert conn.execute("SELECT count(*) FROM annual_data WHERE gone_run = 2").fetchone()[0] == 3
    conn.close()
    assert_same_as_datasettes_own(harvest, tmp_path)


def migrated_again(db_path: Path, table: str, migration: str) -> None:
    """DB_PATH as if MIGRATION, which made the kept counts TABLE (harvester.facet_counts.kept_counts), had not run,
    then opened by the store, which runs it."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"DROP TABLE {table}")
        for trigger in ("moved", "deleted"):
            conn.execute(f"DROP TRIGGER {table}_{trigger}")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [migration])
    conn.close()
    store.open_db(db_path).close()


def test_the_migration_counts_an_existing_harvest(harvest, tmp_path):
    kept = stored_counts(harvest)
    migrated_again(harvest, facet_counts.TABLE, "m017_annual_data_facets")
    assert stored_counts(harvest) == kept
    assert_same_as_datasettes_own(harvest, tmp_path)


@pytest.mark.parametrize("write", [
    "INSERT INTO annual_data SELECT * FROM annual_data WHERE concept = 'total'",
    "UPDATE annual_data SET measure = 'received' WHERE rowid = 1",
    "UPDATE annual_data SET concept = 'total' WHERE rowid = 2",
    "DELETE FROM annual_data WHERE rowid = 3",
])  # fmt: skip
def test_a_write_the_store_did_not_count_falls_back_to_datasettes_sql(harvest, tmp_path, write):
    with sqlite3.connect(harvest) as conn:
        conn.execute(write)
    conn.close()
    counted, ran = pages(harvest)
    shown, _ = pages(own(harvest, tmp_path))
    assert counted == shown
    assert from_counts(ran) == (0, 0)


def test_a_published_copy_counts_from_its_counts(harvest, tmp_path):
    copy = publish(harvest, tmp_path / "site")
    assert_same_as_datasettes_own(copy, tmp_path)
