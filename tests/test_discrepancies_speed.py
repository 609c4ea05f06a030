"""statistics_discrepancies compares each statistics page with the decided data file, through the index on
annual_data_decided's (authority_slug, year) since that view became a table (m018; m016 read annual_data's index on
(authority_slug, year, measure)), and gives the rows the view m008 made gave."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harvester.migrations import (
    ANNUAL_DATA_DECIDED_QUERY,
    DATA_FILE_DISCREPANCIES,
    PAGES_DECIDED_QUERY,
    SCHEMA_0_1,
    replaced_once,
    statements,
)
from harvester.replica.server import ReplicaServer
from tests.test_coverage import DATA_YEARS, refresh_every_file, save_annual_data_files

PAGES = "SELECT authority_slug, year FROM annual_statistics WHERE source = 'page'"


def view_query(name: str, script: str) -> str:
    return next(s for s in statements(script) if s.startswith(f"CREATE VIEW IF NOT EXISTS {name} ")).split(
        " AS\n", 1
    )[1]


M008_DISCREPANCIES = (
    f"SELECT *, 'letter' AS compared_with FROM ({view_query('statistics_discrepancies', SCHEMA_0_1).rstrip(';')}) "
    f"UNION ALL "
    + replaced_once(DATA_FILE_DISCREPANCIES, "JOIN annual_data_decided AS", f"JOIN ({ANNUAL_DATA_DECIDED_QUERY}) AS")
)
"""The query of the view m008 made, which joined every page to the whole of annual_data_decided (its view then, read
here from annual_data by the view's query, so the table m018 made is checked too)."""


TOTAL_ROWS = """
INSERT INTO annual_data (authority_slug, printed_name, year, measure, category, outcome, concept, value, raw,
    column_header, source_file, sheet, row, source_url, first_seen_run, last_changed_run)
SELECT authority_slug, printed_name, year, measure, NULL, min(outcome), concept, sum(value) + ?, 'total',
    min(column_header), source_file, sheet, max(row) + 1, source_url, 1, 1
FROM annual_data WHERE authority_slug = ? AND year = '2024-25' AND measure = 'decided'
GROUP BY printed_name, source_file, sheet, concept
"""
"""A council's total row per concept, from its service-area rows in the 2024-25 decided file."""


@pytest.fixture(scope="module")
def harvest(tmp_path_factory, replica_site) -> Path:
    """Kent (whose page disagrees with its data file) and Cumberland crawled, three years' data files read."""
    db = tmp_path_factory.mktemp("discrepancies") / "lgsco.db"
    with ReplicaServer(epoch=2025, site=replica_site) as server:
        crawl = subprocess.run(
            [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", server.base_url, "--db", str(db),
             "--authority", "kent-county-council", "--authority", "cumberland-council"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        save_annual_data_files(db, server.base_url, DATA_YEARS)
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        # The replica's files give service areas only: Kent gains a total row beside its areas (counted there, it
        # would add 1,000 to each figure), Cumberland's areas become one total row one more than their sum.
        for slug, added in (("kent-county-council", 1000), ("cumberland-council", 1)):
            conn.execute(TOTAL_ROWS, [added, slug])
        conn.execute(
            "DELETE FROM annual_data WHERE authority_slug = 'cumberland-council' AND year = '2024-25'"
            " AND measure = 'decided' AND category IS NOT NULL"
        )
        refresh_every_file(conn)
    return db


def rows(db: Path, query: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return sorted(conn.execute(query).fetchall(), key=repr)


def test_the_pages_council_years_hold_both_kinds_of_decided_file(harvest):
    """A council-year with a total row beside its service-area rows (the total not counted again), and one with only
    a total row: the two sides of the rule the view shares with annual_data_decided."""
    kinds = rows(harvest, f"""
        SELECT authority_slug, year, count(category) > 0 AS has_areas, sum(category IS NULL) > 0 AS has_total
        FROM annual_data WHERE measure = 'decided' AND (authority_slug, year) IN ({PAGES})
        GROUP BY authority_slug, year""")  # fmt: skip
    assert ("kent-county-council", "2024-25", 1, 1) in kinds and (
        "cumberland-council",
        "2024-25",
        0,
        1,
    ) in kinds


def test_the_pages_decided_counts_are_annual_data_decideds(harvest):
    expected = rows(harvest, f"SELECT * FROM annual_data_decided WHERE (authority_slug, year) IN ({PAGES})")
    assert len(expected) > 3
    assert rows(harvest, PAGES_DECIDED_QUERY) == expected


def test_the_view_has_the_rows_of_the_view_m008_made(harvest):
    expected = rows(harvest, M008_DISCREPANCIES)
    assert {(slug, compared_with) for slug, *_, compared_with in expected} == {
        ("kent-county-council", "data file"),
        ("cumberland-council", "data file"),
    }
    assert rows(harvest, "SELECT * FROM statistics_discrepancies") == expected


def test_each_page_s_data_file_counts_are_searched_by_council_and_year(harvest):
    """Left to choose, SQLite added up every decided value of every file (~390 ms of CPU on a full harvest)."""
    with contextlib.closing(sqlite3.connect(harvest)) as conn:
        plan = [
            detail for *_, detail in conn.execute("EXPLAIN QUERY PLAN SELECT * FROM statistics_discrepancies")
        ]
    assert "SEARCH data USING INDEX annual_data_decided_by_authority (authority_slug=? AND year=?)" in plan, plan
    assert not any("annual_data " in detail for detail in plan), plan


def test_annual_data_decided_holds_the_rows_of_the_query_m008_made(harvest):
    assert rows(harvest, "SELECT * FROM annual_data_decided") == rows(harvest, ANNUAL_DATA_DECIDED_QUERY)
