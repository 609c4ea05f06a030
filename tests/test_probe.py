"""`harvester check-site`: the layout canary, on the replica, on its redesigns and on sites that are no site."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester import store
from harvester.cli import cli
from harvester.probe import EXTRA_REQUESTS
from harvester.replica.redesign import PREFIX, REDESIGNS
from harvester.replica.server import ReplicaServer

from .conftest import free_port

SAMPLED_AUTHORITIES = (
    "kent-county-council",
    "cumberland-council",
    "allerdale-borough-council",
    "cumbria-county-council",
)
"""What the probe samples on the replica at --sample 4 (the most populous council, the merger box whose
predecessors ended last, the first and last councils that box links): crawled, so known answers exist."""

CHANGED_ANCHOR = {
    "index": "links to each council's statistics page",
    "statistics": "'… of complaints we investigated were upheld'",
    "letters": "letters",
    "reports": "a date under each headline",
    # cards the parser can't read are its own layout failure now, not "none agreed" (bench/chaos.py's silent loss)
    "improvements": "improvements read by its parser",
    "listing": "decision_listing",
    "decision": "decision",
}
"""Redesign -> what the summary must name as changed (an anchor's name, or the page type whose parser failed)."""


def check_site(base_url: str, db: Path, *args: str):
    return CliRunner().invoke(cli, ["check-site", "--base-url", base_url, "--db", str(db), *args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def harvested(tmp_path_factory, replica_site):
    """A replica and a database holding the authorities the probe samples, crawled from it."""
    db = tmp_path_factory.mktemp("probe") / "lgsco.db"
    with ReplicaServer(epoch=2025, site=replica_site) as server:
        authorities = [arg for slug in SAMPLED_AUTHORITIES for arg in ("--authority", slug)]
        crawl = subprocess.run(
            [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", server.base_url, "--db", str(db),
             *authorities],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        yield server, db


def test_check_site_on_the_replica_finds_every_anchor_within_its_request_budget(harvested):
    server, db = harvested
    before, sent_before = digest(db), len(server.requests)
    result = check_site(server.base_url, db)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    states = {line.split()[0] for line in lines[:-1]}
    assert states == {"found", "same"}
    pages = {line.split()[1] for line in lines[:-1]}
    assert pages >= {"index", "statistics", "letters", "letter", "reports", "improvements", "decision_listing",
                     "decision"}  # fmt: skip
    for layout in ("(complaint overview)", "(merger box)", "(abolished council)"):
        assert any(layout in line for line in lines), layout
    assert any("pager 'Next' link" in line and line.startswith("found") for line in lines)
    assert any("public report:" in line for line in lines)
    assert lines[-1].startswith(f"check-site {server.base_url}: every anchor found")
    assert len(server.requests) - sent_before <= 4 + EXTRA_REQUESTS
    assert digest(db) == before


def test_known_answers_are_compared_with_the_database(harvested):
    server, db = harvested
    answers = json.loads(check_site(server.base_url, db, "--json").output)
    known = {f["anchor"]: f["state"] for f in answers["findings"] if f["anchor"].startswith("known answer")}
    assert known == {
        "known answer: 2023-24 figures": "same",
        "known answer: 2024-25 figures": "same",
        "known answer: 2024-25 letter": "same",
        "known answer: decision 24-002-997": "same",
        "known answer: decision 24-012-221": "same",
    }
    assert answers["exit_code"] == 0 and answers["requests"] <= 4 + EXTRA_REQUESTS


def test_a_stored_figure_unlike_the_page_is_a_difference(harvested, tmp_path):
    server, db = harvested
    changed = tmp_path / "lgsco.db"
    shutil.copy(db, changed)
    with sqlite3.connect(changed) as conn:
        conn.execute(
            "UPDATE annual_statistics SET upheld_decisions = upheld_decisions + 1 "
            "WHERE authority_slug = 'allerdale-borough-council' AND source = 'page'"
        )
    before = digest(changed)
    result = check_site(server.base_url, changed)
    assert result.exit_code == 1
    different = [line for line in result.output.splitlines() if line.startswith("different")]
    assert len(different) == 1 and "2023-24 figures" in different[0] and "upheld_decisions" in different[0]
    assert "statistics known answer: 2023-24 figures different" in result.output.splitlines()[-1]
    assert digest(changed) == before


@pytest.mark.parametrize("kind", [kind for kind, _, _ in REDESIGNS])
def test_every_redesign_is_caught_naming_the_changed_anchor(harvested, replica, kind):
    _, db = harvested
    server = replica(faults=[PREFIX + kind])
    before = digest(db)
    result = check_site(server.base_url, db)
    assert result.exit_code == 1, result.output
    summary = result.output.splitlines()[-1]
    assert " changed: " in summary and CHANGED_ANCHOR[kind] in summary
    assert digest(db) == before


class _Misbehaving(http.server.BaseHTTPRequestHandler):
    answer: tuple[int, dict, bytes]

    def do_GET(self):
        status, headers, body = self.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def misbehaving():
    """Factory: a server on 127.0.0.1 answering every request the same way; stopped after the test."""
    servers = []

    def start(status: int, body: bytes = b"", **headers: str) -> str:
        handler = type("Handler", (_Misbehaving,), {"answer": (status, headers, body)})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "headers", "code", "cause"),
    [
        (500, b"", {}, 2, "robots.txt answered 500"),
        (302, b"", {"Location": "http://example.invalid/"}, 2, "redirect to another host refused"),
        (200, b"<html><body></body></html>", {}, 1, "index links to each council's statistics page missing"),
        (200, b"", {}, 1, "index links to each council's statistics page missing"),
        (200, b"User-agent: *\nDisallow: /\n", {}, 2, "forbidden by robots.txt"),
    ],
    ids=["500s", "redirects-offsite", "empty-page", "empty-body", "robots-disallow-all"],
)
def test_a_site_that_is_no_site_exits_1_or_2_with_the_cause_and_touches_no_file(
    misbehaving, tmp_path, monkeypatch, status, body, headers, code, cause
):
    base_url = misbehaving(status, body, **headers)
    monkeypatch.chdir(tmp_path)
    result = check_site(base_url, tmp_path / "lgsco.db")
    assert result.exit_code == code, result.output
    assert cause in result.output.splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_site_is_one_line_and_exit_2(tmp_path):
    result = check_site(f"http://127.0.0.1:{free_port()}", tmp_path / "lgsco.db")
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "no answer" in result.output


def crawl(base_url: str, db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", base_url, "--db", str(db), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def rows(db: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def test_a_crawl_of_a_redesigned_site_stops_before_its_first_write(replica, tmp_path):
    server = replica(faults=[PREFIX + "statistics"])
    db = tmp_path / "lgsco.db"
    result = crawl(server.base_url, db, "--probe", "--authority", "kent-county-council")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "probe-failed" in result.stdout and "of complaints we investigated were upheld" in result.stdout
    assert rows(db, "SELECT status, scope FROM crawl_runs") == [("probe-failed", '["kent-county-council"]')]
    errors = rows(db, "SELECT page, kind, message FROM crawl_errors")
    assert ("statistics (complaint overview)", "probe", "'View annual letters' link missing: no 'View annual "
            "letters' link in the Annual letters section") in errors  # fmt: skip
    for table in ("authorities", "annual_statistics", "letters", "fetches", "changes"):
        assert rows(db, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert not (tmp_path / "httpcache.db").exists()
    assert len(server.requests) <= 4 + EXTRA_REQUESTS  # the probe's, and nothing crawled after it


def test_the_probe_is_off_on_127_0_0_1_unless_asked_for(replica, tmp_path):
    server = replica(faults=[PREFIX + "letters"])
    db = tmp_path / "lgsco.db"
    result = crawl(server.base_url, db, "--authority", "allerdale-borough-council")
    assert rows(db, "SELECT status FROM crawl_runs") == [("failed",)], result.stdout  # the crawl itself ran
    assert rows(db, "SELECT count(*) FROM authorities") == [(1,)]


def test_a_probe_that_passes_lets_the_crawl_run(harvested, tmp_path):
    server, _ = harvested
    db = tmp_path / "lgsco.db"
    result = crawl(server.base_url, db, "--probe", "--authority", "allerdale-borough-council")
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(db, "SELECT status FROM crawl_runs") == [("ok",)]


def test_a_probe_failed_run_hides_no_unfinished_run_from_resume(tmp_path):
    db = store.open_db(tmp_path / "lgsco.db")
    unfinished = store.start_run(db, "http://127.0.0.1:1", "0", "all")
    store.record_probe_failure(db, "http://127.0.0.1:1", "0", "all", "probe: changed", [])
    assert store.resumable_run(db)["id"] == unfinished


def test_runs_accept_probe_failed_and_nothing_else_new(tmp_path):
    db = store.open_db(tmp_path / "lgsco.db")
    insert = "INSERT INTO crawl_runs (started_at, status, base_url, scope, version) VALUES ('t', ?, 'b', 'all', 'v')"
    db.execute(insert, ["probe-failed"])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(insert, ["probe-passed"])
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_resume_probes_the_site_of_the_run_it_continues(replica, tmp_path):
    server = replica(faults=[PREFIX + "decision"])
    db = tmp_path / "lgsco.db"
    killed = store.start_run(store.open_db(db), server.base_url, "0", "all")  # a crawl killed mid-run
    result = subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--db", str(db), "--resume", "--probe"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1 and "'Decision date :'" in result.stdout, result.stdout + result.stderr
    assert rows(db, "SELECT status, base_url FROM crawl_runs ORDER BY id") == [
        ("running", server.base_url), ("probe-failed", server.base_url)
    ]  # fmt: skip
    assert store.resumable_run(store.open_db(db))["id"] == killed


def test_resume_with_nothing_to_resume_probes_nothing_and_says_so(tmp_path):
    db = tmp_path / "lgsco.db"
    result = CliRunner().invoke(cli, ["crawl", "--db", str(db), "--resume", "--probe"])
    assert result.exit_code == 2 and "nothing to resume" in result.output
    assert not db.exists()  # no run, no probe, and no file made to say so
