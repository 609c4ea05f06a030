"""Faults on the storing side of a crawl: a save that fails, a database another program holds, a second
crawl reaching the same file by another name, a letter that can no longer be read, a run that cannot
record its end. None may end with exit 0 while rows were lost, and "not saved this run" never makes a
council gone."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from harvester import store
from harvester.replica.faults import FaultPlan
from harvester.replica.truth import ground_truth

pytestmark = pytest.mark.slow

AUTHORITIES = ("luton-borough-council", "kent-county-council", "North-Northamptonshire-Council")
CRAWLED = 8
"""The three asked for and North Northamptonshire's five predecessors."""


def crawl_args(server, db, *options):
    args = ["crawl", "--base-url", server.base_url, "--db", str(db)]
    for slug in AUTHORITIES:
        args += ["--authority", slug]
    return [*args, *options]


def harvester(*args, prelude: str = ""):
    """Run the CLI in a child process; `prelude` is Python run first (to break something on purpose)."""
    code = f"{prelude}\nfrom harvester.cli import cli\ncli(prog_name='harvester')"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


def query(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def gone_authorities(db) -> list[str]:
    return [row[0] for row in query(db, "SELECT slug FROM authorities WHERE gone_run IS NOT NULL")]


def wait_for(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_case_repeated_across_pager_pages_is_stored_once(replica, tmp_path):
    server = replica(faults=["pager-repeat@1"])
    db = tmp_path / "lgsco.db"
    result = harvester(*crawl_args(server, db))
    assert {name for name, _ in server.faults.faulted} == {"pager-repeat"}
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    truth = ground_truth(server.site, server.epoch, server.base_url)["service_improvements"]
    expected = sorted(row["case_ref"] for row in truth if row["authority_slug"] == "kent-county-council")
    stored = [row[0] for row in query(
        db, "SELECT case_ref FROM service_improvements WHERE authority_slug = 'kent-county-council' ORDER BY 1"
    )]  # fmt: skip
    assert len(expected) > 10 and stored == expected
    assert len(query(db, "SELECT slug FROM authorities")) == CRAWLED


def test_a_save_that_fails_is_a_run_error_and_marks_nothing_gone(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    assert harvester(*crawl_args(server, db)).returncode == 0
    # A careless operator leaves a file where the letters folder goes: keeping any PDF fails.
    for kept in (tmp_path / "letters").iterdir():
        kept.unlink()
    (tmp_path / "letters").rmdir()
    (tmp_path / "letters").write_text("not a folder")
    result = harvester(*crawl_args(server, db, "--refresh-letters"))
    assert result.returncode == 1
    assert gone_authorities(db) == []
    errors = query(db, "SELECT page, kind, message FROM crawl_errors WHERE run_id = 2")
    assert errors and {(page, kind) for page, kind, _ in errors} == {("authority", "save")}
    assert all("FileExistsError" in message for *_, message in errors)
    assert "not saved (save failed): FileExistsError" in result.stdout
    assert "dropped" not in result.stdout


def test_a_database_another_program_holds_is_waited_for(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    assert harvester(*crawl_args(server, db)).returncode == 0
    held = threading.Event()

    def hold_the_write_lock():
        conn = sqlite3.connect(db, isolation_level=None)
        # From the moment the crawl has saved its first authority.
        wait_for(lambda: conn.execute("SELECT count(*) FROM fetches WHERE run_id = 2").fetchone()[0])
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE another_program (note TEXT)")
        conn.execute("INSERT INTO another_program VALUES ('written while the crawl runs')")
        held.set()
        time.sleep(0.7)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    result = harvester(*crawl_args(server, db, "--full"))
    holder.join(timeout=60)
    assert held.is_set()
    assert gone_authorities(db) == []
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert query(db, "SELECT status, authorities FROM crawl_runs WHERE id = 2") == [("ok", CRAWLED)]


def test_an_authority_is_gone_when_the_site_says_so_and_back_when_it_lists_it_again(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    assert harvester(*crawl_args(server, db)).returncode == 0
    server.faults = FaultPlan(["statistics-gone@0.4"], seed=1)
    result = harvester(*crawl_args(server, db))
    answered_gone = {path.split("/")[2] for _, path in server.faults.faulted}
    assert answered_gone and len(answered_gone) < CRAWLED
    assert {slug.lower() for slug in gone_authorities(db)} == answered_gone
    # Marked gone, and still loud: a run that reaches far fewer councils than the last looks wrong.
    assert result.returncode == 1
    assert f"authorities dropped from {CRAWLED} (run 1) to {CRAWLED - len(answered_gone)}" in result.stdout
    server.faults = FaultPlan()
    assert harvester(*crawl_args(server, db)).returncode == 0
    assert gone_authorities(db) == []


@pytest.mark.parametrize("name", ["symlink", "hardlink", "relative"])
def test_a_second_crawl_on_the_same_file_by_another_name_is_refused(replica, tmp_path, name):
    server = replica(faults=["hang@1"], hang_seconds=3)
    db = tmp_path / "lgsco.db"
    store.open_db(db).close()
    other = tmp_path / "sub" / "other.db"
    other.parent.mkdir()
    if name == "symlink":
        other.symlink_to(db)
    elif name == "hardlink":
        os.link(db, other)
    else:
        other = tmp_path / "sub" / ".." / "lgsco.db"
    first = subprocess.Popen([sys.executable, "-m", "harvester.cli", *crawl_args(server, db)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        lock = tmp_path / "lgsco.db.lock"
        wait_for(lambda: lock.exists() and lock.read_text(), seconds=30)
        second = harvester(*crawl_args(server, other))
        assert second.returncode == 3, second.stdout + second.stderr[-2000:]
        assert "another crawl" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)


@pytest.mark.parametrize("fault", ["pdf-error-page", "pdf-encrypted"])
def test_a_letter_that_fails_to_read_again_keeps_its_good_copy(replica, tmp_path, fault):
    db = tmp_path / "lgsco.db"
    server = replica()
    assert harvester(*crawl_args(server, db)).returncode == 0
    letter_columns = "pdf_url, status, text, title, letter_date, signatory, sha256"
    before = {row[0]: row for row in query(db, f"SELECT {letter_columns} FROM letters")}
    server.faults = FaultPlan([f"{fault}@0.05"], seed=3)
    result = harvester(*crawl_args(server, db, "--refresh-letters"))
    hit = {path for _, path in server.faults.faulted}
    assert hit
    after = {row[0]: row for row in query(db, f"SELECT {letter_columns} FROM letters")}
    assert {url.removeprefix(server.base_url).lower() for url in before} >= hit
    assert [row[1:] for row in after.values()] == [row[1:] for row in before.values()]
    assert result.returncode == 1
    kept = query(db, "SELECT url, message FROM crawl_errors WHERE run_id = 2 AND kind = 'reread'")
    assert {url.removeprefix(server.base_url).lower() for url, _ in kept} == hit
    assert "letter(s) read before could not be read again" in result.stdout


def test_a_run_that_cannot_record_its_end_fails(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    disk_full = (
        "import errno, os, harvester.store as store\n"
        "def finish_run(*args, **kwargs):\n"
        "    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
        "store.finish_run = finish_run\n"
    )
    result = harvester(*crawl_args(replica(), db), prelude=disk_full)
    assert result.returncode == 1
    assert "None" not in result.stdout
    assert "No space left on device" in result.stdout
    assert query(db, "SELECT status FROM crawl_runs") == [("failed",)]


def test_an_exception_while_storing_an_item_fails_the_run(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    broken = (
        "import harvester.store as store\n"
        "def save_fetches(*args, **kwargs):\n"
        "    raise sqlite3.IntegrityError('UNIQUE constraint failed: fetches.url')\n"
        "import sqlite3\n"
        "store.save_fetches = save_fetches\n"
    )
    result = harvester(*crawl_args(replica(), db), prelude=broken)
    assert result.returncode == 1
    assert "IntegrityError: UNIQUE constraint failed" in result.stdout
    assert query(db, "SELECT status FROM crawl_runs") == [("failed",)]


def test_an_exception_in_an_earlier_pipeline_fails_the_run_with_its_cause(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    server = replica()
    assert harvester(*crawl_args(server, db)).returncode == 0
    broken = (
        "import harvester.pipelines.validate as validate\n"
        "def contract_breach(item):\n"
        "    if type(item).__name__ == 'Report':\n"
        "        raise KeyError('date')\n"
        "validate.contract_breach = contract_breach\n"
    )
    # Every list read again: an unchanged night would leave the reports list as stored and send no Report.
    result = harvester(*crawl_args(server, db, "--list-max-age", "0"), prelude=broken)
    assert result.returncode == 1
    assert "a Report was lost: KeyError: 'date'" in result.stdout
    assert gone_authorities(db) == []


def test_a_resumed_run_reports_only_what_is_still_wrong(replica, tmp_path):
    server = replica(faults=["http503@0.3"])
    db = tmp_path / "lgsco.db"
    process = subprocess.Popen([sys.executable, "-m", "harvester.cli", *crawl_args(server, db, "--retries", "0")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def failed_once():
        try:
            return query(db, "SELECT count(*) FROM crawl_errors")[0][0] > 0
        except sqlite3.OperationalError:
            return False

    try:
        wait_for(failed_once)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    resumed = harvester("crawl", "--db", str(db), "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-2000:]
    assert resumed.stdout.startswith("run 1 ok:")
    assert "http" not in resumed.stdout and "503" not in resumed.stdout
    earlier = query(db, "SELECT superseded FROM crawl_errors")
    assert earlier and all(row == (1,) for row in earlier)
    assert query(db, "SELECT status, errors FROM crawl_runs") == [("ok", 0)]
