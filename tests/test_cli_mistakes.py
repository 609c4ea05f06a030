"""Mistakes a person makes on the command line: each is one line naming the problem, with the exit status
the crawl's help promises (2 for bad options, 3 for a crawl already running), never a traceback."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.crawl import crawl_lock
from harvester.replica.process import STARTUP_SECONDS, ReplicaFailed, replica_process
from tests.test_serve import small_harvest  # noqa: F401  (the shared crawled-harvest fixture)

PAGES = Path(__file__).resolve().parent / "pages"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_line(result, exit_code: int, *phrases: str) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == exit_code, result.output
    assert len(lines) == 1, f"not one line: {result.output}"
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def commands_reading(db: Path, out: Path) -> dict[str, list[str]]:
    return {
        "runs": ["runs", "--db", str(db)],
        "changes": ["changes", "--db", str(db)],
        "export": ["export", "--db", str(db), "--out", str(out)],
        "publish": ["publish", "--db", str(db), "--out", str(out)],
        "serve": ["serve", "--db", str(db), "--port", "0"],
    }


@pytest.mark.parametrize("command", ["runs", "changes", "export", "publish", "serve", "crawl", "demo"])
def test_a_db_that_is_not_sqlite_is_a_bad_option(tmp_path, command):
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("these are my notes, not a database\n" * 10)
    out = tmp_path / "out"
    args = commands_reading(not_sqlite, out).get(command) or [command, "--db", str(not_sqlite)]
    one_line(run(*args), 2, f"--db {not_sqlite}: not an SQLite database")
    assert not out.exists(), "a failed publish or export left files behind"


@pytest.mark.parametrize("command", ["runs", "changes", "export", "publish", "serve"])
def test_a_missing_database_is_the_same_bad_option_for_every_command(tmp_path, command):
    absent = tmp_path / "absent.db"
    one_line(run(*commands_reading(absent, tmp_path / "out")[command]), 2, "no such database", "harvester demo")


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["crawl", "--concurrency", "0"], "'--concurrency': 0 is not in the range x>=1"),
        (["crawl", "--timeout", "-1"], "'--timeout': -1.0 is not in the range x>0"),
        (["crawl", "--delay", "-0.5"], "'--delay'"),
        (["crawl", "--retries", "-1"], "'--retries'"),
        (["crawl", "--progress-seconds", "0"], "'--progress-seconds'"),
        (["runs", "--limit", "0"], "'--limit'"),
        (["serve", "--port", "70000"], "'--port'"),
        (["replica", "--hang-seconds", "-1"], "'--hang-seconds'"),
        (["crawl", "--base-url", "www.lgo.org.uk"], "'www.lgo.org.uk' is not a web address"),
        (["crawl", "--base-url", "ftp://www.lgo.org.uk"], "is not a web address"),
        (
            ["crawl", "--base-url", "https://127.0.0.1:9/your-councils-performance"],
            "the site's address, not a page of it: did you mean --base-url https://127.0.0.1:9?",
        ),
        (
            ["crawl", "--base-url", "http://127.0.0.1:8025/your-councils-performance/luton-borough-council/"],
            "did you mean --base-url http://127.0.0.1:8025?",
        ),
        (
            ["crawl", "--authority", "luton-borough-council", "--authority", "Luton Borough Council"],
            "did you mean --authority luton-borough-council?",
        ),
        (["crawl", "--authority", "luton borough council "], "did you mean --authority luton-borough-council?"),
        (["crawl", "--authority", "Luton Council"], "did you mean --authority luton-borough-council?"),
        (["crawl", "--authority", "Nowhere At All Council"], "'Nowhere At All Council' is not a slug (the part"),
    ],
)
def test_bad_values_are_refused_before_anything_runs(tmp_path, args, phrase):
    one_line(run(*args, *(["--db", str(tmp_path / "x.db")] if args[0] == "crawl" else [])), 2, phrase)
    assert not (tmp_path / "x.db").exists()


@contextlib.contextmanager
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize("command", ["replica", "demo", "serve"])
def test_a_busy_port_says_address_already_in_use(small_harvest, command):  # noqa: F811
    with busy_port() as port:
        args = [command, "--port", str(port)]
        if command == "serve":
            args += ["--db", str(small_harvest)]
        line = one_line(run(*args), 2, f"--port {port}", "address already in use")
    assert "Serving" not in line


def test_a_demo_while_a_crawl_holds_the_lock_says_so(tmp_path):
    db = tmp_path / "lgsco.db"
    with busy_port() as taken:
        pass  # a port free a moment ago, for the demo's replica
    with crawl_lock(db):
        result = run("demo", "--db", str(db), "--port", str(taken))
    assert result.exit_code == 3, result.output
    assert "another crawl" in result.output and "Traceback" not in result.output


def crawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--retries", "0", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_closed_port_is_reported_as_connection_refused(tmp_path):
    with busy_port() as port:
        pass  # closed again: nothing listens there now
    result = crawl("--base-url", f"http://127.0.0.1:{port}", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 1
    [error] = [line for line in result.stdout.splitlines() if line.startswith("  fetch index")]
    assert "(IgnoreRequest: connection refused" in error
    assert "Forbidden by robots.txt" not in result.stdout
    # The cause once, in one line a person reads: no Scrapy traceback after it.
    assert "Traceback" not in result.stderr, result.stderr
    [cause] = [line for line in result.stderr.splitlines() if "robots.txt unreachable (" in line]
    assert "Connection refused" in cause and f"treating 127.0.0.1:{port} as disallow-all" in cause


def test_a_misspelt_slug_among_several_fails_the_run(replica_2025, tmp_path):
    result = crawl(
        "--base-url", replica_2025.base_url, "--db", str(tmp_path / "x.db"),
        "--authority", "luton-borough-council", "--authority", "lutn-borough-council",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no authority 'lutn-borough-council' on the site (HTTP 404)" in result.stdout
    assert "run 1 failed: 1 authority" in result.stdout


def fetched_some(db: Path) -> bool:
    """Whether the crawl is under way: its run recorded and a council saved (so its signal handlers are set)."""
    if not db.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT count(*) FROM authorities").fetchone()[0] > 0
    except sqlite3.OperationalError:  # the schema isn't there yet
        return False


def test_ctrl_c_stores_no_letter_as_failed_and_says_how_to_continue(replica_2025, tmp_path):
    """Ctrl-C reaches the terminal's whole process group: the crawl stops gracefully, and the letters being
    read at that moment are read to the end, never recorded as broken PDFs. The authorities it was crawling
    are left for --resume, not listed (or logged) as errors."""
    db = tmp_path / "x.db"
    crawling = subprocess.Popen(
        [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", replica_2025.base_url, "--db", str(db),
         "--concurrency", "8"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not fetched_some(db) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        os.killpg(crawling.pid, signal.SIGINT)
        out, log = crawling.communicate(timeout=120)
    finally:
        if crawling.poll() is None:
            crawling.kill()
            crawling.wait()
    assert crawling.returncode == 1, out
    assert "run 1 interrupted" in out
    assert f"continue this run where it stopped with `harvester crawl --resume --db {db}`" in out
    assert "crawl ended first" not in out + log and " ERROR: " not in log, (out + log)[:3000]
    assert "problem: stopped by Ctrl-C or SIGTERM" in out
    saved, left = re.search(r"stopped with (\d+) saved and (\d+) of the \d+ authorities found so far left", out).groups()
    assert int(saved) > 0 and int(left) > 0, out
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        assert conn.execute("SELECT count(*) FROM authorities").fetchone()[0] == int(saved)
        assert conn.execute("SELECT count(*) FROM letters WHERE status = 'ok'").fetchone()[0] > 0
        assert conn.execute("SELECT pdf_url, error FROM letters WHERE status = 'failed'").fetchall() == []
        assert conn.execute("SELECT url, message FROM crawl_errors WHERE kind = 'unreadable'").fetchall() == []


def test_parse_on_a_page_that_is_not_what_it_claims_recognises_nothing(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>Parking permits</h1><p>Nothing about complaints.</p></body></html>")
    url = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/statistics"
    one_line(run("parse", str(page), "--url", url), 1, "nothing recognised as a statistics page")


def test_parse_kind_letter_on_a_web_page_is_one_line():
    page = PAGES / "statistics" / "luton-2023-24-cms" / "page.html"
    result = run("parse", str(page), "--url", "https://www.lgo.org.uk/x.pdf", "--kind", "letter",
                 "--authority", "luton-borough-council")  # fmt: skip
    one_line(result, 1, "not a PDF")


def test_demo_resume_with_nothing_to_resume_says_so(tmp_path):
    with busy_port() as port:
        pass  # free again, for the demo's replica
    result = run("demo", "--resume", "--db", str(tmp_path / "lgsco.db"), "--port", str(port))
    assert result.exit_code == 2, result.output
    assert "nothing to resume" in result.output and "Traceback" not in result.output


def test_a_replica_that_cannot_start_says_why_at_once():
    with busy_port() as port:
        started = time.monotonic()
        failing = pytest.raises(ReplicaFailed, match=f"127.0.0.1:{port}: address already in use")
        with failing, replica_process(port=port):
            pass
    assert time.monotonic() - started < STARTUP_SECONDS


def files_and_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


@pytest.mark.parametrize("command", ["runs", "changes", "export", "publish", "serve"])
@pytest.mark.parametrize("content", ["unrelated", "empty"])
def test_a_database_that_is_not_a_harvest_is_a_bad_option_left_untouched(tmp_path, command, content):
    folder = tmp_path / "mine"
    folder.mkdir()
    db = folder / "other.db"
    if content == "unrelated":
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("CREATE TABLE recipes (name TEXT)")
            conn.commit()
    else:
        db.touch()
    before = files_and_bytes(folder)
    out = tmp_path / "out"
    one_line(run(*commands_reading(db, out)[command]), 2, f"--db {db}: not a harvest")
    assert files_and_bytes(folder) == before, "a command that reads wrote to the folder"
    assert not out.exists()


@pytest.mark.parametrize("command", ["runs", "changes"])
def test_commands_that_read_a_harvest_leave_it_byte_for_byte(small_harvest, tmp_path, command):  # noqa: F811
    folder = tmp_path / "copy"
    folder.mkdir()
    db = folder / "lgsco.db"
    db.write_bytes(small_harvest.read_bytes())
    before = files_and_bytes(folder)
    result = run(command, "--db", str(db))
    assert result.exit_code == 0, result.output
    after = files_and_bytes(folder)
    # A reader of a write-ahead-log database shares its lock file; an empty log is no write.
    after.pop("lgsco.db-shm", None)
    assert after.pop("lgsco.db-wal", b"") == b""
    assert after == before


def test_resume_of_a_missing_database_creates_nothing(tmp_path):
    missing = tmp_path / "missing.db"
    one_line(run("crawl", "--resume", "--db", str(missing)), 2, f"--db {missing}: no such database")
    assert list(tmp_path.iterdir()) == []
