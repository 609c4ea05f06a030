"""A crawl of the whole index meets bad data files: each is a recorded error naming the file, the rows read
from it before stay exactly as they were, the other files are read, and the run exits 1."""

import sqlite3

import pytest

from harvester.replica.faults import FaultPlan
from tests.test_crawl import crawl

pytestmark = pytest.mark.slow


def annual_rows(db):
    return sqlite3.connect(db).execute("SELECT * FROM annual_data ORDER BY source_file, sheet, row, column_header").fetchall()


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("datafile-error-page@0.3", ("expected a CSV, found an HTML page", "expected an XLSX (a zip), found '<!DOCTYPE")),
        ("datafile-zip-bomb@0.3", ("expected a CSV (text), found a binary file", "(a zip bomb?): not opened")),
    ],
)
def test_bad_data_files_fail_the_run_and_keep_their_rows(replica, tmp_path, fault, expected):
    server = replica()
    db = tmp_path / "lgsco.db"
    assert crawl(server.base_url, db).returncode == 0
    before = annual_rows(db)

    server.faults = FaultPlan([fault], seed=3)
    second = crawl(server.base_url, db)

    assert second.returncode == 1, second.stdout[-2000:]
    faulted = {(server.base_url + path).lower() for _, path in server.faults.faulted}  # paths come lower-cased
    assert faulted and len(faulted) < 26
    errors = sqlite3.connect(db).execute(
        "SELECT url, kind, message FROM crawl_errors WHERE run_id = 2 AND page = 'datafile'"
    ).fetchall()
    assert {url.lower() for url, *_ in errors} == faulted
    assert {kind for _, kind, _ in errors} == {"layout"}
    assert all(url in message and any(e in message for e in expected) for url, _, message in errors)
    assert "datafile page(s) failed (layout)" in second.stdout
    assert annual_rows(db) == before
