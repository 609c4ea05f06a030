"""The coverage view ("What the dataset holds"): every part of the dataset for every year, and the gaps."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from harvester import derived_tables, store
from harvester.datafiles import read_data_file
from harvester.items import DataFile
from harvester.pages.annual_review import HUB_PATH, files_to_read, parse_hub
from harvester.replica.server import ReplicaServer

PARTS = ["statistics pages", "letters", "reports", "service improvements", "decisions", "annual data files"]
DATA_YEARS = ("2024-25", "2023-24", "2015-16")
"""The years whose annual data files the harvest holds (a crawl of named councils reads none: they are national)."""


@pytest.fixture(scope="module")
def harvest(tmp_path_factory, replica_site) -> Path:
    """Two current councils (every part held for 2024-25 between them) and an abolished one, crawled."""
    db = tmp_path_factory.mktemp("coverage") / "lgsco.db"
    with ReplicaServer(epoch=2025, site=replica_site) as server:
        crawl = subprocess.run(
            [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", server.base_url, "--db", str(db),
             "--authority", "kent-county-council", "--authority", "cumberland-council",
             "--authority", "allerdale-borough-council"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        save_annual_data_files(db, server.base_url, DATA_YEARS)
    return db


def read_annual_data_files(base_url: str, years) -> list[DataFile]:
    """Some years' files, from the hub, read as the crawl reads them."""
    with urllib.request.urlopen(base_url + HUB_PATH, timeout=30) as hub:
        links = files_to_read(parse_hub(hub.read(), base_url + HUB_PATH))
    read = []
    for link in (link for link in links if link.year in years):
        with urllib.request.urlopen(link.url, timeout=60) as response:
            read.append(read_data_file(response.read(), link))
    return read


def refresh_every_file(conn: sqlite3.Connection) -> None:
    """For a test that writes annual_data itself, beside the store: the tables the store keeps from it, made again
    as the store would after saving each file."""
    database = sqlite_utils.Database(conn)
    for (source_file,) in conn.execute("SELECT source_file FROM annual_data_files").fetchall():
        derived_tables.refresh_annual_data_tables(database, source_file)


def save_annual_data_files(db: Path, base_url: str, years) -> None:
    """Read some years' files from the hub and store them as the crawl's pipeline does, in run 1."""
    database = sqlite_utils.Database(db)
    for data_file in read_annual_data_files(base_url, years):
        store.save_data_file(database, data_file, None, run_id=1)
    database.close()


@pytest.fixture
def copy(harvest, tmp_path) -> Path:
    shutil.copy(harvest, tmp_path / "lgsco.db")
    return tmp_path / "lgsco.db"


def coverage(db: Path, change: str | None = None) -> dict[tuple[str, str], dict]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        if change:
            conn.execute(change)
            refresh_every_file(conn)
            conn.commit()
        return {(row["year"], row["part"]): dict(row) for row in conn.execute("SELECT * FROM coverage")}


def test_every_part_of_the_dataset_has_a_row_for_every_year(harvest):
    rows = coverage(harvest)
    years = sorted({year for year, _ in rows}, reverse=True)
    assert years[0] == "2024-25" and years[-1] == "2013-14"
    assert list(rows) == [(year, part) for year in years for part in PARTS]
    for part in PARTS:  # a service improvement's year is its complaint's: the newest year may have none yet
        recent = [rows[(year, part)] for year in ("2024-25", "2023-24")]
        assert any(row["items_stored"] > 0 and row["last_changed_run"] == 1 for row in recent), part
    # Kent and Cumberland show 2024-25, and so does Cumbria County (abolished, its decisions still counted);
    # Allerdale is frozen on 2023-24.
    for year, expected in (("2024-25", 3), ("2023-24", 1)):
        row = rows[(year, "statistics pages")]
        assert (row["councils_expected"], row["councils_held"], row["gap"]) == (expected, expected, None)
    newest_letters = rows[("2024-25", "letters")]  # the abolished councils' letters stopped before
    assert (newest_letters["councils_expected"], newest_letters["councils_held"], newest_letters["gap"]) == (
        2,
        2,
        None,
    )
    assert rows[("2019-20", "letters")] | {"last_changed_run": None} == {
        "year": "2019-20", "part": "letters", "councils_expected": 5, "councils_held": 5, "items_listed": 5,
        "items_stored": 5, "last_changed_run": None, "gap": None, "rows_behind": "letters?year=2019-20",
    }  # fmt: skip


def test_the_annual_data_files_are_counted_for_the_councils_expected(harvest):
    rows = coverage(harvest)
    # The files are national, but only the councils the dataset expects a year are counted: the replica's
    # 2024-25 has three files (received, decided, remedy and compliance), the table era one workbook a year.
    assert rows[("2024-25", "annual data files")] == {
        "year": "2024-25", "part": "annual data files", "councils_expected": 3, "councils_held": 3,
        "items_listed": None, "items_stored": 3, "last_changed_run": 1, "gap": None,
        "rows_behind": "annual_data_files?year=2024-25",
    }  # fmt: skip
    assert rows[("2015-16", "annual data files")]["items_stored"] == 1
    for year in {year for year, _ in rows}:
        gap = None if year in DATA_YEARS else "nothing held"
        assert rows[(year, "annual data files")]["gap"] == gap, year


def test_a_council_missing_from_the_annual_data_files_is_a_gap(copy):
    rows = coverage(
        copy, "DELETE FROM annual_data WHERE year = '2024-25' AND authority_slug = 'kent-county-council'"
    )
    assert rows[("2024-25", "annual data files")]["councils_held"] == 2
    assert rows[("2024-25", "annual data files")]["gap"] == "1 council(s) expected but not held"
    rows = coverage(  # a file no longer naming a council: its values are kept, marked gone
        copy,
        "UPDATE annual_data SET gone_run = 1 WHERE year = '2023-24' AND authority_slug = 'kent-county-council'",
    )
    assert rows[("2023-24", "annual data files")]["gap"] == "1 council(s) expected but not held"


def test_a_year_without_its_annual_data_files_is_a_gap(copy):
    rows = coverage(copy, "UPDATE annual_data_files SET gone_run = 1 WHERE year = '2024-25'")
    assert rows[("2024-25", "annual data files")] | {"councils_expected": None} == {
        "year": "2024-25", "part": "annual data files", "councils_expected": None, "councils_held": 0,
        "items_listed": None, "items_stored": 0, "last_changed_run": None, "gap": "nothing held",
        "rows_behind": "annual_data_files?year=2024-25",
    }  # fmt: skip


def test_a_part_missing_for_a_year_is_a_gap(copy):
    rows = coverage(copy, "DELETE FROM letters WHERE year = '2019-20'")
    assert rows[("2019-20", "letters")]["gap"] == "nothing held"
    assert rows[("2018-19", "letters")]["gap"] is None


def test_a_council_missing_from_a_part_is_a_gap(copy):
    rows = coverage(
        copy, "DELETE FROM letters WHERE year = '2019-20' AND authority_slug = 'kent-county-council'"
    )
    assert rows[("2019-20", "letters")]["gap"] == "1 council(s) expected but not held"


def test_a_listed_decision_not_stored_is_a_gap(copy):
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        (listed,) = conn.execute(
            "SELECT ref.value FROM decision_listings, json_each(case_refs) AS ref "
            "WHERE listing = 'upheld' AND year = '2024-25' LIMIT 1"
        ).fetchone()
    rows = coverage(copy, f"DELETE FROM decisions WHERE case_ref = '{listed}'")
    assert rows[("2024-25", "decisions")]["gap"] == "1 listed by the site but not stored"


def test_each_listed_case_is_looked_up_by_its_reference(harvest):
    """Left to choose, SQLite walked every stored decision for each case listed (10 s on a full harvest)."""
    with contextlib.closing(sqlite3.connect(harvest)) as conn:
        plan = [detail for *_, detail in conn.execute("EXPLAIN QUERY PLAN SELECT * FROM coverage")]
    lookups = [detail for detail in plan if detail.startswith(("SEARCH d ", "SCAN d"))]
    # by its reference and, since m018, from an index that also holds gone_run, so no decision row is read
    assert "SEARCH d USING COVERING INDEX decisions_held_by_case (case_ref=? AND gone_run=?)" in lookups, plan
    assert not any("by_gone_run" in detail for detail in lookups), plan
