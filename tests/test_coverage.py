"""The coverage view ("What the dataset holds"): every part of the dataset for every year, and the gaps."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harvester.replica.server import ReplicaServer

PARTS = ["statistics pages", "letters", "reports", "service improvements", "decisions"]


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
    return db


@pytest.fixture
def copy(harvest, tmp_path) -> Path:
    shutil.copy(harvest, tmp_path / "lgsco.db")
    return tmp_path / "lgsco.db"


def coverage(db: Path, change: str | None = None) -> dict[tuple[str, str], dict]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        if change:
            conn.execute(change)
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
