"""A decision page over the size a page may be fails one night, loudly, and is then only asked for its size
(HEAD) until that changes: not the same failure every night, and read as soon as it is servable."""

from __future__ import annotations

import json
import sqlite3

import pytest

from harvester.replica.faults import FaultPlan
from harvester.replica.server import ReplicaServer
from tests.test_crawl import LUTON, crawl

pytestmark = pytest.mark.slow


def decision_requests(server, since: int) -> list[tuple[str, str]]:
    return sorted(
        (method, path) for method, path, _ in server.requests[since:]
        if path.startswith("/decisions/") and "/Listing" not in path and "SearchResults" not in path
    )  # fmt: skip


def test_an_oversized_decision_page_fails_once_and_is_skipped_until_it_changes(replica_site, tmp_path):
    db = tmp_path / "lgsco.db"
    with ReplicaServer(epoch=2025, site=replica_site, faults=["decision-over-limit@0.2"]) as server:
        first = crawl(server.base_url, db, "--authority", LUTON)
        oversized = sorted({path for _, path in server.faults.faulted})
        assert oversized
        assert first.returncode == 1, first.stdout[-3000:]
        errors = sqlite3.connect(db).execute("SELECT kind, url, message FROM crawl_errors").fetchall()
        assert sorted(url.removeprefix(server.base_url) for _, url, _ in errors) == oversized
        assert {kind for kind, *_ in errors} == {"oversized"}
        assert all("over the 2097152 a page may be" in message for *_, message in errors)

        since = len(server.requests)
        second = crawl(server.base_url, db, "--authority", LUTON)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        assert [path for method, path in decision_requests(server, since) if path in oversized] == oversized
        assert {method for method, path in decision_requests(server, since) if path in oversized} == {"HEAD"}
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT count(*) FROM crawl_errors WHERE run_id = 2").fetchone() == (0,)
        (summary,) = conn.execute("SELECT summary FROM crawl_runs WHERE id = 2").fetchone()
        assert json.loads(summary)["oversized_skipped"] == len(oversized)

        server.faults = FaultPlan()  # the pages are back to their usual size
        since = len(server.requests)
        # Read every list again, as a night does within --list-max-age days: the lists name the missing decisions.
        third = crawl(server.base_url, db, "--authority", LUTON, "--list-max-age", "0")
        assert third.returncode == 0, third.stdout[-3000:] + third.stderr[-3000:]
        assert {("GET", path) for path in oversized} <= set(decision_requests(server, since))
        stored = {url.removeprefix(server.base_url) for (url,) in conn.execute("SELECT url FROM decisions")}
        assert {path.split("?")[0] for path in oversized} <= stored
