"""Paging through a table page by page (`next`, as a reader or a CSV export does) reaches every row exactly once.

Datasette 0.65 orders a sorted table's first page by the sort column alone and its next pages by the sort column
then the primary key; harvester/datasette/plugins/paging.py gives the first page the same tie-break."""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import io
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.database import Database

from harvester.serve import DATABASE_NAME, PLUGINS_DIR, SETTINGS, TEMPLATES_DIR, datasette_for, metadata
from tests.test_serve import small_harvest  # noqa: F401

PAGE_SIZE = 2
"""Smaller than the rows sharing a year (one letter per council and year), so pages break inside the ties."""
MAX_PAGES = 2_000


def load_plugin(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_plugin", PLUGINS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FTS_WORDS = load_plugin("lgsco").fts_words
SORTED_FIRST_PAGE = load_plugin("paging").SORTED_FIRST_PAGE


@pytest.fixture(scope="module")
def harvest(small_harvest) -> Path:  # noqa: F811
    """test_serve's harvest of four councils: one letter per council and year, more than a page shares a year."""
    return small_harvest


@pytest.fixture(scope="module")
def datasette(harvest) -> Datasette:
    return datasette_for(harvest)


def get_json(datasette: Datasette, path: str, params: dict) -> dict:
    response = asyncio.run(datasette.client.get(path, params=params))
    assert response.status_code == 200, response.text
    return response.json()


def stored(db_path: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, FTS_WORDS)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def page_through(datasette: Datasette, table: str, params: dict) -> tuple[list[tuple], list[dict]]:
    """The primary key of every row shown following `next` from the first page, and the pages' JSON."""
    path, params = f"/{DATABASE_NAME}/{table}.json", {**params, "_size": PAGE_SIZE, "_nofacet": 1}
    keys, pages = [], []
    for _ in range(MAX_PAGES):
        page = get_json(datasette, path, params)
        pages.append(page)
        key_columns = [page["columns"].index(pk) for pk in page["primary_keys"] or ["rowid"]]
        keys += [tuple(row[i] for i in key_columns) for row in page["rows"]]
        if page["next"] is None:
            return keys, pages
        params = {**params, "_next": page["next"]}
    raise AssertionError(f"{table} {params}: still a next page after {MAX_PAGES} pages")


def key_sql(db_path: Path, table: str) -> str:
    pks = [
        row[1]
        for row in sorted(stored(db_path, f"PRAGMA table_info([{table}])"), key=lambda c: c[5])
        if row[5]
    ]
    return ", ".join(f"[{pk}]" for pk in pks) or "rowid"


DEFAULT_SORTS = [
    table
    for table, settings in metadata()["databases"][DATABASE_NAME]["tables"].items()
    if "sort" in settings or "sort_desc" in settings
]


@pytest.mark.parametrize("table", DEFAULT_SORTS)
def test_paging_a_table_in_its_default_order_reaches_every_row_once(datasette, harvest, table):
    keys, pages = page_through(datasette, table, {})
    expected = stored(harvest, f"SELECT {key_sql(harvest, table)} FROM [{table}]")
    assert len(pages) > 1 or len(expected) <= PAGE_SIZE
    assert Counter(keys) == Counter(expected)


@pytest.mark.parametrize(
    ("table", "params", "where", "where_params"),
    [
        ("letters", {"_sort": "year"}, "", ()),
        ("letters", {"_sort_desc": "year"}, "", ()),
        ("letters", {"_sort": "public_report"}, "", ()),
        ("letters", {"_sort_desc": "public_report"}, "", ()),
        ("decisions", {"_sort": "category"}, "", ()),
        ("decisions", {"_sort_desc": "outcome"}, "", ()),
        ("decisions", {"_sort": "decision_date", "is_report": 0}, "WHERE is_report = 0", ()),
        (
            "letters",
            {"_search": "council"},
            "WHERE rowid IN (SELECT rowid FROM letters_fts WHERE letters_fts MATCH escape_fts(?))",
            ("council",),
        ),
        (
            "decisions",
            {"_search": "council", "_sort": "category"},
            "WHERE rowid IN (SELECT rowid FROM decisions_fts WHERE decisions_fts MATCH escape_fts(?))",
            ("council",),
        ),
    ],
)
def test_paging_a_sorted_searched_or_filtered_table_reaches_every_row_once(
    datasette, harvest, table, params, where, where_params
):
    keys, pages = page_through(datasette, table, params)
    expected = stored(harvest, f"SELECT {key_sql(harvest, table)} FROM [{table}] {where}", *where_params)
    assert len(expected) > 2 * PAGE_SIZE and pages[0]["filtered_table_rows_count"] == len(expected)
    assert Counter(keys) == Counter(expected)


@pytest.mark.parametrize(
    ("table", "query"), [("letters", "_sort=year"), ("annual_statistics", ""), ("decisions", "")]
)
def test_a_csv_export_reaches_every_row_once(harvest, table, query):
    """A streamed CSV export is Datasette's table pages one after another, each of the default page size."""
    exporting = Datasette(
        metadata=metadata(),
        settings={**SETTINGS, "default_page_size": PAGE_SIZE},
        template_dir=str(TEMPLATES_DIR),
        plugins_dir=str(PLUGINS_DIR),
    )
    exporting.add_database(Database(exporting, path=str(harvest), is_mutable=True), name=DATABASE_NAME)
    key = key_sql(harvest, table)
    columns = "&".join(f"_col={column.strip('[]')}" for column in key.split(", ") if column != "rowid")
    response = asyncio.run(exporting.client.get(f"/{DATABASE_NAME}/{table}.csv?_stream=on&{columns}&{query}"))
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    names = [column.strip("[]") for column in key.split(", ")]
    exported = [tuple(row[name] for name in names) for row in rows]
    expected = [tuple(str(value) for value in row) for row in stored(harvest, f"SELECT {key} FROM [{table}]")]
    assert len(expected) > 2 * PAGE_SIZE
    assert Counter(exported) == Counter(expected)


def test_only_the_table_pages_query_is_rewritten_even_for_a_client_sharing_its_task(datasette, harvest):
    """datasette.client runs a page in its caller's task: SQL the caller sends next, shaped like a page, runs as
    written."""
    sql = "select authority_slug, year from letters order by year desc limit 5"

    async def page_then_sql():
        await datasette.client.get(f"/{DATABASE_NAME}/letters.json", params={"_size": PAGE_SIZE})
        return await datasette.client.get(f"/{DATABASE_NAME}.json", params={"sql": sql, "_shape": "array"})

    response = asyncio.run(page_then_sql())
    assert response.status_code == 200, response.text
    written = stored(harvest, sql)
    assert [tuple(row.values()) for row in response.json()] == written
    assert written != sorted(
        sorted(written), key=lambda key: key[1], reverse=True
    )  # would differ if rewritten


def test_the_pages_are_written_as_the_tie_break_expects_and_the_first_would_lose_rows_without_it(
    datasette, harvest
):
    """Datasette 0.65's shape of a sorted first page and of a next page, which paging.py relies on: a Datasette
    that writes them otherwise fails here, not silently in a reader's export."""
    first = get_json(datasette, f"/{DATABASE_NAME}/letters.json", {"_size": PAGE_SIZE})
    assert first["query"]["sql"].endswith(f"from letters order by year desc limit {PAGE_SIZE + 1}")
    assert SORTED_FIRST_PAGE.search(first["query"]["sql"])["sort"] == "year"
    second = get_json(
        datasette, f"/{DATABASE_NAME}/letters.json", {"_size": PAGE_SIZE, "_next": first["next"]}
    )
    assert first["primary_keys"] == ["authority_slug", "year"]
    assert second["query"]["sql"].endswith(f"order by year desc, authority_slug, year limit {PAGE_SIZE + 1}")
    assert not SORTED_FIRST_PAGE.search(second["query"]["sql"])
    # The order SQLite gives Datasette's first page, untouched: ties not in key order, the case that lost rows.
    slug, year = first["columns"].index("authority_slug"), first["columns"].index("year")
    written = stored(harvest, first["query"]["sql"].removesuffix(f" limit {PAGE_SIZE + 1}"))
    written = [(row[slug], row[year]) for row in written]
    tie_broken = sorted(
        sorted(written), key=lambda key: key[1], reverse=True
    )  # stable: key order within a year
    assert len({key[1] for key in written}) < len(written) and written != tie_broken
    assert [(row[slug], row[year]) for row in first["rows"]] == tie_broken[:PAGE_SIZE]


def test_annual_data_pages_in_order_and_counts_a_runs_values_from_indexes(harvest):
    """m015: every page of annual_data (ordered `year desc, rowid`) reads its rows in index order instead of sorting
    the newest year; a crawl run's page counts annual_data's rows of the run from an index, not a scan of them all."""

    def plan(sql: str) -> list[str]:
        return [step for *_, step in stored(harvest, f"EXPLAIN QUERY PLAN {sql}")]

    for sql in (
        "SELECT * FROM annual_data ORDER BY year DESC, rowid LIMIT 101",
        "SELECT * FROM annual_data WHERE (year < '2023-24' OR (year = '2023-24' AND rowid > 5)) "
        "ORDER BY year DESC, rowid LIMIT 101",
    ):
        assert "USING INDEX annual_data_newest_first" in plan(sql)[0]
        assert not [step for step in plan(sql) if "TEMP B-TREE" in step]
    for column in ("first_seen_run", "last_changed_run", "gone_run"):
        assert plan(f"SELECT count(*) FROM annual_data WHERE {column} = 1") == [
            f"SEARCH annual_data USING COVERING INDEX annual_data_by_{column} ({column}=?)"
        ]
