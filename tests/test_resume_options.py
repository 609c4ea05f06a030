"""A run keeps the options that shape what it stores, and the bare `harvester crawl --resume` the harvester
itself prints restores them; an option that contradicts them is refused (exit 2), never silently dropped."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harvester.replica.server import ReplicaServer
from tests.test_crawl import LUTON, crawl

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
OPTIONS = ("--authority", LUTON, "--decisions-since", "2013-04-01")


def killed_crawl(base_url: str, db: Path, *options: str) -> None:
    """The crawl, killed (-9) as it saves the authority: nothing of it stored, the run left 'running'."""
    killed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "killpoint.py"), "authority-save", "1", str(db.parent / "counts.json"),
         "--", "crawl", "--base-url", base_url, "--db", str(db), *options],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stdout[-3000:] + killed.stderr[-3000:]


def case_refs(db: Path) -> set[str]:
    return {ref for (ref,) in sqlite3.connect(db).execute("SELECT case_ref FROM decisions")}


def resume(db: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--db", str(db), "--resume", *options],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def server(replica_site):
    with ReplicaServer(epoch=2025, site=replica_site) as replica:
        yield replica


@pytest.fixture(scope="module")
def uninterrupted(server, tmp_path_factory) -> set[str]:
    db = tmp_path_factory.mktemp("uninterrupted") / "lgsco.db"
    result = crawl(server.base_url, db, *OPTIONS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    plain = tmp_path_factory.mktemp("plain") / "lgsco.db"
    assert crawl(server.base_url, plain, "--authority", LUTON).returncode == 0
    assert len(case_refs(db)) > len(case_refs(plain))  # the back-fill is what a dropped option loses
    return case_refs(db)


def test_a_bare_resume_restores_the_runs_options(server, uninterrupted, tmp_path):
    db = tmp_path / "lgsco.db"
    killed_crawl(server.base_url, db, *OPTIONS)
    (options,) = sqlite3.connect(db).execute("SELECT options FROM crawl_runs").fetchone()
    assert json.loads(options)["--decisions-since"] == "2013-04-01"
    resumed = resume(db)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert case_refs(db) == uninterrupted
    runs = sqlite3.connect(db).execute("SELECT id, status, options FROM crawl_runs").fetchall()
    assert runs == [(1, "ok", options)]


@pytest.mark.parametrize(
    "contradicting",
    [
        ("--decisions-since", "2020-01-01"),
        ("--max-requests", "5"),
        ("--full",),
        ("--authority", "kent-county-council"),
    ],
)
def test_a_resume_with_options_that_contradict_the_runs_is_refused(server, tmp_path, contradicting):
    db = tmp_path / "lgsco.db"
    killed_crawl(server.base_url, db, *OPTIONS)
    refused = resume(db, *contradicting)
    assert refused.returncode == 2, refused.stdout[-3000:] + refused.stderr[-3000:]
    assert f"{contradicting[0]}" in refused.stderr and "--decisions-since 2013-04-01" in refused.stderr
    assert sqlite3.connect(db).execute("SELECT status FROM crawl_runs").fetchall() == [("running",)]


def test_a_resume_repeating_the_runs_options_continues_it(server, uninterrupted, tmp_path):
    db = tmp_path / "lgsco.db"
    killed_crawl(server.base_url, db, *OPTIONS)
    resumed = resume(db, *OPTIONS)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert case_refs(db) == uninterrupted
