"""The first visit of a page (nothing kept by plugins/counts_memo.py) shows exactly what Datasette's own SQL shows,
with less of it run: a page whose rows all fit counted from them (plugins/counted_from_rows.py), the database page's
search indexes counted by their content tables (plugins/search_index_counts.py), and a crawl run's page counting its
annual_data values from annual_data_runs (migration m019, plugins/facet_counts.py). "Datasette's own" is the same
page from a Datasette made with those plugins unregistered."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from harvester import facet_counts
from harvester.serve import DATABASE_NAME, datasette_for
from tests.conftest import unregistered
from tests.test_annual_data_facets import data_file, migrated_again, save
from tests.test_counts_memo import counted_by_sqlite, counts_not_cut_short  # noqa: F401 (fixtures)
from tests.test_serve import small_harvest  # noqa: F401 (a fixture)

QUERY_TIME = re.compile(r'(?<=Queries took )[0-9.]+(?=ms)|(?<="query_ms": )[0-9.e-]+')
NEW_PLUGINS = ("counted_from_rows.py", "search_index_counts.py", "facet_counts.py")
MEMO = "counts_memo.py"
SMALL_HARVEST_PAGES = [
    "/coverage",
    "/coverage.json",
    "/coverage.json?part=letters",
    "/coverage.json?_size=5&_next=5",  # a view's later page: counted by Datasette
    "/authorities.json?region=London",
    "/authorities.json?_size=2",  # more rows than shown: counted by Datasette
    "/letters.json?_search=council&_facet=year",
    ".json",
    "",
    "?_show_hidden=1",
    "/crawl_runs/1",
    "/crawl_runs/1.json?_extras=foreign_key_tables",
]


def pages(db_path: Path, paths: list[str], without: tuple[str, ...] = ()) -> list[str]:
    """Each page of PATHS as a first visit shows it (no memo), its timings left out."""
    site = datasette_for(db_path)  # registers the plugins folder's plugins, if they are not

    async def get_all() -> list[str]:
        await site.invoke_startup()
        shown = []
        for path in paths:
            response = await site.client.get(f"/{DATABASE_NAME}{path}")
            assert response.status_code == 200, (path, response.text[:500])
            shown.append(QUERY_TIME.sub("0", response.text))
        return shown

    with unregistered(MEMO, *without):
        return asyncio.run(get_all())


def next_page(db_path: Path, path: str) -> str:
    """The path of PATH's next page (a `_next` clause of the table's sort and key)."""
    (first,) = pages(db_path, [path])
    return f"{path}&_next={quote(json.loads(first)['next'])}"


def test_small_harvest_pages_are_datasettes_own(small_harvest):  # noqa: F811
    paths = [*SMALL_HARVEST_PAGES, next_page(small_harvest, "/authorities.json?_size=2")]  # the last 2 of 4
    shown = pages(small_harvest, paths)
    assert shown == pages(small_harvest, paths, without=NEW_PLUGINS)
    assert '"filtered_table_rows_count": 4,' in shown[-1]
    assert re.search(
        r'"filtered_table_rows_count": [1-9]\d*', shown[SMALL_HARVEST_PAGES.index("/coverage.json")]
    )
    assert re.search(r'"name": "letters_fts", [^}]*"count": [1-9]', shown[SMALL_HARVEST_PAGES.index(".json")])


def test_a_page_whose_rows_all_fit_is_not_counted_again(small_harvest, counted_by_sqlite):  # noqa: F811
    pages(small_harvest, ["/coverage", "/coverage?part=letters", "/authorities?region=London"])
    assert not [sql for sql in counted_by_sqlite if sql.startswith("select count(*) ")]
    counted_by_sqlite.clear()
    later = next_page(small_harvest, "/authorities.json?_size=2")
    counted_by_sqlite.clear()
    pages(small_harvest, ["/coverage?_size=5&_next=5", "/authorities?_size=2", later])
    assert [
        sql.split(" where")[0].strip() for sql in counted_by_sqlite if sql.startswith("select count(*) ")
    ] == [
        "select count(*) from coverage",
        "select count(*) from authorities",
        "select count(*) from authorities",
    ]


def test_the_database_page_counts_search_indexes_from_their_content(small_harvest, counted_by_sqlite):  # noqa: F811
    pages(small_harvest, [""])
    counted = [sql for sql in counted_by_sqlite if sql.startswith("select count(*) from [")]
    for index, content in [
        ("letters_fts", "letters"),
        ("decisions_fts", "decisions"),
        ("reports_fts", "reports"),
    ]:
        assert f"select count(*) from [{index}]" not in counted
        assert counted.count(f"select count(*) from [{content}]") == 2  # its own row and its index's
    with sqlite3.connect(f"file:{small_harvest}?mode=ro", uri=True) as conn:
        assert (
            conn.execute("SELECT count(*) FROM letters_fts").fetchone()
            == conn.execute("SELECT count(*) FROM letters").fetchone()
        )
    conn.close()


RUN_PAGES = ["/crawl_runs/1.json?_extras=foreign_key_tables", "/crawl_runs/2.json?_extras=foreign_key_tables",
             "/crawl_runs/1", "/crawl_runs/2"]  # fmt: skip


@pytest.fixture
def two_runs(tmp_path) -> Path:
    """A harvest of two data files, then one of them again with values changed, moved, new and gone."""
    db_path = tmp_path / "lgsco.db"
    save(db_path, data_file("2023-24"), data_file("2024-25"))
    save(db_path, data_file("2023-24", changed=True))
    return db_path


def kept_runs(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        kept = conn.execute(f"SELECT * FROM {facet_counts.RUNS_TABLE} ORDER BY 1, 2, 3, 4").fetchall()
        counted = conn.execute(f"SELECT * FROM ({facet_counts.RUNS_QUERY}) ORDER BY 1, 2, 3, 4").fetchall()
    conn.close()
    assert kept == counted
    return kept


def from_run_counts(ran: list[str]) -> int:
    return sum(f"from {facet_counts.RUNS_TABLE} where" in sql for sql in ran)


def test_a_run_s_page_counts_its_values_from_the_run_counts(two_runs, counted_by_sqlite):  # noqa: F811
    runs = kept_runs(two_runs)
    assert {run[1:4] for run in runs} >= {(1, 1, None), (1, 2, None), (1, 2, 2), (2, 2, None)}
    shown = pages(two_runs, RUN_PAGES)
    assert from_run_counts(counted_by_sqlite) == len(RUN_PAGES)
    assert not [sql for sql in counted_by_sqlite if "from annual_data where gone_run" in sql]
    assert shown == pages(two_runs, RUN_PAGES, without=NEW_PLUGINS)
    assert re.search(
        r'"other_table": "annual_data", "column": "id", "other_column": "gone_run", "count": 3\b', shown[1]
    )


@pytest.mark.parametrize("write", [
    "UPDATE annual_data SET last_changed_run = 1 WHERE gone_run = 2",
    "UPDATE annual_data SET gone_run = 2 WHERE rowid = 1",
    "UPDATE annual_data SET source_file = 'elsewhere' WHERE rowid = 2",
    "DELETE FROM annual_data WHERE rowid = 3",
    "INSERT INTO annual_data SELECT * FROM annual_data WHERE concept = 'total'",
    "DROP TRIGGER annual_data_runs_moved",
])  # fmt: skip
def test_a_write_the_store_did_not_count_falls_back_to_datasettes_sql(two_runs, counted_by_sqlite, write):  # noqa: F811
    with sqlite3.connect(two_runs) as conn:
        conn.execute(write)
    conn.close()
    shown = pages(two_runs, RUN_PAGES)
    assert from_run_counts(counted_by_sqlite) == 0
    assert shown == pages(two_runs, RUN_PAGES, without=NEW_PLUGINS)


def test_the_migration_counts_an_existing_harvest(two_runs):
    kept = kept_runs(two_runs)
    migrated_again(two_runs, facet_counts.RUNS_TABLE, "m019_annual_data_runs")
    assert kept_runs(two_runs) == kept
