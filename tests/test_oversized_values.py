"""Nothing stored can be unservable: a text over the cap is stored cut, with a note and a record, and kept whole
in a file beside the database; every page that shows it still answers."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import sqlite3
from pathlib import Path

import pytest

from harvester import store
from harvester.datasette.plugins.limits import MAX_VALUE_BYTES
from harvester.oversized import SERVED_VALUE_CAP, STORED_VALUE_CAP, UnservableValue
from harvester.replica.server import ReplicaServer
from harvester.serve import DATABASE_NAME, datasette_for
from tests.test_crawl import LUTON, crawl
from tests.test_decisions_store import decision, listing, save

HUGE_TEXT = "The complaint\n" + "".join(
    f"Paragraph {n}: the council's records, é and all.\n" for n in range(200_000)
)
"""~10 MB: the report of issue 24, over the 8 MiB Datasette reads."""
CASE_REF = "23-020-528"


def huge():
    return dataclasses.replace(decision(case_ref=CASE_REF), text=HUGE_TEXT)


def test_the_cap_is_a_quarter_of_what_datasette_serves():
    assert STORED_VALUE_CAP * 4 == SERVED_VALUE_CAP == MAX_VALUE_BYTES


def stored_text(db_path: Path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT text FROM decisions WHERE case_ref = ?", [CASE_REF]).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def huge_decision(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("oversized") / "lgsco.db"
    db = store.open_db(path)
    save(db, [huge()], [listing(case_refs=(CASE_REF,))])
    db.close()
    return path


def test_the_text_is_stored_cut_with_a_note_and_kept_whole_beside_the_database(huge_decision):
    text = stored_text(huge_decision)
    whole = HUGE_TEXT.encode()
    assert len(text.encode()) <= STORED_VALUE_CAP
    assert HUGE_TEXT.startswith(text[: text.index("\n\n[Cut at")])
    sha256 = hashlib.sha256(whole).hexdigest()
    assert text.endswith(
        f"the whole text is oversized/{sha256}.txt beside the database (see oversized_values).]"
    )
    assert (huge_decision.parent / "oversized" / f"{sha256}.txt").read_bytes() == whole
    recorded = sqlite3.connect(huge_decision).execute("SELECT * FROM oversized_values").fetchall()
    assert recorded == [("decisions", CASE_REF, "text", len(whole), sha256, f"oversized/{sha256}.txt", 1)]


def test_saving_it_again_changes_nothing(huge_decision):
    db = store.open_db(huge_decision)
    try:
        before = stored_text(huge_decision)
        _, saved = save(db, [huge()], [listing(case_refs=(CASE_REF,))])
        assert (saved.new, saved.changed) == (0, 0)
        assert stored_text(huge_decision) == before
    finally:
        db.close()


@pytest.mark.parametrize(
    "path",
    [
        "/decisions",
        f"/decisions/{CASE_REF}",
        f"/decisions/{CASE_REF}.json",
        "/decisions.json?_sort=text",
        "/decisions.csv",
        "/decisions?_search=complaint",
        "/changes",
    ],
)
def test_every_page_showing_it_answers(huge_decision, path):
    response = asyncio.run(datasette_for(huge_decision).client.get(f"/{DATABASE_NAME}{path}"))
    assert response.status_code == 200, response.text[:500]


def test_an_in_memory_database_refuses_it_loudly():
    db = store.open_db(":memory:")
    with pytest.raises(UnservableValue, match="decisions.text"):
        save(db, [huge()], [listing(case_refs=(CASE_REF,))])


@pytest.mark.slow
def test_a_crawl_of_huge_reports_stores_them_cut_and_exits_zero(replica_site, tmp_path):
    db = tmp_path / "lgsco.db"
    with ReplicaServer(epoch=2025, site=replica_site, faults=["huge-report@1"]) as server:
        result = crawl(server.base_url, db, "--authority", LUTON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    conn = sqlite3.connect(db)
    reports = conn.execute(
        "SELECT case_ref, length(CAST(text AS BLOB)) FROM decisions WHERE is_report"
    ).fetchall()
    assert reports and all(size <= STORED_VALUE_CAP for _, size in reports)
    recorded = conn.execute("SELECT row_key, bytes, file FROM oversized_values").fetchall()
    assert {case_ref for case_ref, *_ in recorded} == {case_ref for case_ref, _ in reports}
    for _, size, file in recorded:
        assert size > STORED_VALUE_CAP and (tmp_path / file).stat().st_size == size
    assert (
        datasette_for(db)
        and asyncio.run(
            datasette_for(db).client.get(f"/{DATABASE_NAME}/decisions.json?_sort=text")
        ).status_code
        == 200
    )
