"""The counts and facets kept by plugins/counts_memo.py: a page shows what Datasette's own SQL shows, on a first
visit and on the next, kept answers are not counted again, and a commit by another connection (a crawl writing the
served file) makes every page count afresh."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import sqlite3
from pathlib import Path

import datasette.database
import pytest
from datasette.database import Database

from harvester.serve import DATABASE_NAME, datasette_for
from tests.conftest import unregistered
from tests.test_serve import small_harvest  # noqa: F401 (a fixture)

QUERY_TIME = re.compile(r'Queries took [0-9.]+ms|"query_ms": [0-9.e-]+')
PAGES = [
    "",
    ".json",
    "/letters?_search=council",
    "/letters.json?_search=council&_facet=year&_size=2",
    "/decisions?_search=council",
    "/crawl_runs/1",
    "/crawl_runs/1.json?_extras=foreign_key_tables",
    "/annual_data?first_seen_run=1",
    "/coverage",
    "/authorities?_facet=region",
]


def page(site, path: str) -> str:
    response = asyncio.run(site.client.get(f"/{DATABASE_NAME}{path}"))
    assert response.status_code == 200, path
    return QUERY_TIME.sub("", response.text)


def served_without_memo(db_path: Path):
    """DB_PATH served with every plugin but the memo."""
    site = datasette_for(db_path)
    with unregistered("counts_memo.py"):
        asyncio.run(site.invoke_startup())
    assert not getattr(site.get_database(DATABASE_NAME).execute, "keeps_counts", False)
    return site


@pytest.fixture(autouse=True)
def counts_not_cut_short(monkeypatch) -> None:
    """The database page gives each table's count 5 ms, checked after every SQLite step: on a busy machine some
    stop short whichever code runs, so the pages compared here give them a second."""
    limited = datasette.database.sqlite_timelimit
    monkeypatch.setattr(datasette.database, "sqlite_timelimit", lambda conn, ms: limited(conn, max(ms, 1000)))


@pytest.fixture()
def harvest(small_harvest, tmp_path) -> Path:  # noqa: F811
    copy = tmp_path / "lgsco.db"
    copy.write_bytes(small_harvest.read_bytes())
    return copy


def served(db_path: Path):
    site = datasette_for(db_path)
    asyncio.run(site.invoke_startup())
    return site


def test_pages_show_what_datasette_counts_on_the_first_visit_and_the_next(harvest):
    kept = served(harvest)
    first = [page(kept, path) for path in PAGES]
    again = [page(kept, path) for path in PAGES]
    plain = served_without_memo(harvest)
    assert first == again == [page(plain, path) for path in PAGES]
    # The pages count real rows: the run's letters, the authorities it first saw, the letters the search matched.
    assert re.search(r'"other_column": "first_seen_run", "count": [1-9]', first[6])
    assert re.search(r'<a href="/lgsco/letters\?first_seen_run=1">\s*[1-9][0-9,]* rows</a>', first[5])
    assert re.search(r'"filtered_table_rows_count": [1-9]\d*', first[3])


@pytest.fixture()
def counted_by_sqlite(monkeypatch) -> list[str]:
    """Every query Datasette's own execute runs (the one the plugins wrap), from the next Datasette made."""
    ran, execute = [], Database.execute

    async def recorded(self, sql, *args, **kwargs):
        ran.append(sql)
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", recorded)
    return ran


def counts(ran: list[str]) -> list[str]:
    return [sql for sql in ran if "count(*)" in sql]


# The search counts its three facets (its count is its rows: plugins/counted_from_rows.py), the run page its
# references, the database page every table.
@pytest.mark.parametrize(("path", "counted"), [("/letters?_search=council", 3), ("/crawl_runs/1", 1), ("", 40)])
def test_a_page_counted_once_is_not_counted_again_until_the_database_changes(harvest, counted_by_sqlite, path,
                                                                              counted):  # fmt: skip
    site = served(harvest)
    before = page(site, path)
    assert len(counts(counted_by_sqlite)) >= counted
    counted_by_sqlite.clear()
    assert page(site, path) == before
    assert counts(counted_by_sqlite) == []

    writer = sqlite3.connect(harvest)
    writer.execute("DELETE FROM letters WHERE rowid = (SELECT max(rowid) FROM letters)")
    writer.execute("UPDATE crawl_runs SET status = status")
    writer.commit()
    writer.close()
    after = page(site, path)
    assert len(counts(counted_by_sqlite)) >= counted
    fresh = served_without_memo(harvest)
    assert after == page(fresh, path)
    if path != "/crawl_runs/1":
        assert after != before  # one letter fewer


@pytest.mark.parametrize(("immutable", "kept"), [(False, False), (True, True)])
def test_under_a_thread_pool_only_an_immutable_database_keeps_its_counts(harvest, counted_by_sqlite, immutable, kept):
    site = served(harvest)
    site.executor = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    site.get_database(DATABASE_NAME).is_mutable = not immutable
    try:
        first = page(site, "/letters?_search=council")
        counted_by_sqlite.clear()
        assert page(site, "/letters?_search=council") == first
        assert (counts(counted_by_sqlite) == []) == kept
        assert "temp.matched_" not in " ".join(counted_by_sqlite)  # each thread has its own connection
    finally:
        site.executor.shutdown()
