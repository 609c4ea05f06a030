"""Crawls of a misbehaving replica: transient faults are retried away, lasting ones fail the run
loudly, and nothing a failed page could have said replaces what was stored before."""

import sqlite3
import subprocess
import sys

import pytest

from harvester.replica.truth import ground_truth
from tests.test_crawl import flag_set

pytestmark = pytest.mark.slow

AUTHORITIES = ("luton-borough-council", "kent-county-council", "North-Northamptonshire-Council")
MEASURED = "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; " \
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
"""Runs a command and prints its peak RSS (KiB) last on stderr: the RUSAGE_CHILDREN of the test's own process
holds the largest child any earlier test of the worker reaped (a browser, another crawl), not this crawl's."""


def crawl(replica, db, *options, measured: bool = False):
    args = [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", replica.base_url, "--db", str(db)]
    for slug in AUTHORITIES:
        args += ["--authority", slug]
    wrapper = [sys.executable, "-c", MEASURED] if measured else []
    return subprocess.run([*wrapper, *args, *options], capture_output=True, text=True, timeout=300)


def page_statistics(db) -> dict:
    """The figures stored from statistics pages (each test's replica has its own port, so no URLs)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM annual_statistics WHERE source = 'page'").fetchall()
    skipped = {"source_url", "first_seen_run", "last_changed_run", "gone_run"}
    return {
        row["authority_slug"]: {
            k: flag_set(v) if k == "flags" else v for k, v in dict(row).items() if k not in skipped
        }
        for row in rows
    }


def expected_page_statistics(replica, slugs) -> dict:
    truth = ground_truth(replica.site, replica.epoch, replica.base_url)["annual_statistics"]
    return {
        row["authority_slug"]: row
        for row in truth
        if row["authority_slug"] in slugs and row["source"] == "page"
    }


def assert_equals_truth(replica, db):
    stored = page_statistics(db)
    assert len(stored) == 8  # the three asked for and North Northamptonshire's five predecessors
    for slug, expected in expected_page_statistics(replica, stored).items():
        assert stored[slug] == {
            k: flag_set(v) if k == "flags" else v for k, v in expected.items() if k in stored[slug]
        }


def test_transient_faults_are_retried_away(replica, tmp_path):
    faults = ["http500@0.2", "http503@0.2", "http429@0.15", "truncated@0.2", "hang@0.1"]
    server = replica(faults=faults, hang_seconds=4)
    result = crawl(server, tmp_path / "db", "--timeout", "1.5")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    hit = {name for name, _ in server.faults.faulted}
    assert hit == {"http500", "http503", "http429", "truncated", "hang"}
    assert_equals_truth(server, tmp_path / "db")


def test_malformed_html_still_reads(replica, tmp_path):
    server = replica(faults=["malformed-html@1"])
    result = crawl(server, tmp_path / "db")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert_equals_truth(server, tmp_path / "db")


def test_lasting_server_errors_fail_the_run_and_keep_good_rows(replica, tmp_path):
    db = tmp_path / "db"
    assert crawl(replica(), db).returncode == 0
    before = page_statistics(db)
    broken = replica(faults=["http500:always@0.5"])
    result = crawl(broken, db, "--retries", "1")
    assert result.returncode == 1
    failed_urls = {url for name, url in broken.faults.faulted if "/statistics" in url}
    assert failed_urls
    assert "statistics page(s) failed (http)" in result.stdout
    assert page_statistics(db) == before


def test_a_maintenance_page_never_overwrites_figures(replica, tmp_path):
    db = tmp_path / "db"
    assert crawl(replica(), db).returncode == 0
    before = page_statistics(db)
    result = crawl(replica(faults=["maintenance@1"]), db)
    assert result.returncode == 1
    assert "statistics page(s) failed (layout)" in result.stdout
    assert page_statistics(db) == before


def test_unreachable_robots_txt_means_disallow_all(replica, tmp_path):
    server = replica(faults=["robots-503"])
    result = crawl(server, tmp_path / "db", "--retries", "0")
    assert result.returncode == 1
    assert "robots.txt" in result.stdout
    assert {path for _, path, _ in server.requests} == {"/robots.txt"}


def test_redirects_to_another_host_are_not_followed(replica, tmp_path):
    server = replica(faults=["redirect-offsite@1"])
    result = crawl(server, tmp_path / "db")
    assert result.returncode == 1
    messages = {
        row[0] for row in sqlite3.connect(tmp_path / "db").execute("SELECT message FROM crawl_errors")
    }
    assert messages == {"IgnoreRequest: redirect to another host refused: example.invalid"}
    assert "DNSLookupError" not in result.stdout + result.stderr


def test_a_gzip_bomb_is_refused_without_exhausting_memory(replica, tmp_path):
    server = replica(faults=["gzip-bomb@1"])
    result = crawl(server, tmp_path / "db", "--retries", "0", measured=True)
    assert result.returncode == 1
    peak_kib = int(result.stderr.splitlines()[-1])
    assert 10 * 1024 < peak_kib < 400 * 1024
    assert "statistics page(s) failed" in result.stdout


def test_corrupt_letters_are_recorded_as_failed_and_the_crawl_completes(replica, tmp_path):
    server = replica(faults=["corrupt-pdf@0.05"])
    db = tmp_path / "db"
    result = crawl(server, db)
    assert result.returncode == 0, result.stdout
    conn = sqlite3.connect(db)
    failed = dict(conn.execute("SELECT pdf_url, error FROM letters WHERE status = 'failed'"))
    corrupted = {path for name, path in server.faults.faulted if name == "corrupt-pdf"}
    assert corrupted and {url.removeprefix(server.base_url).lower() for url in failed} == corrupted
    assert all(error.startswith(("corrupt", "truncated", "unparseable")) for error in failed.values())
    assert conn.execute("SELECT count(*) FROM letters WHERE status = 'ok'").fetchone()[0] > 50
