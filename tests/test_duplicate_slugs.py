"""A second slug the site answers with a council's own page is recognised by the page's identity (the slug its
own list links name): the council is saved once, under its own slug, every night, and no phantom is stored."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest

from harvester.replica.faults import DUPLICATE_SLUG
from harvester.replica.server import ReplicaServer
from tests.test_crawl import LUTON, crawl

pytestmark = pytest.mark.slow


def stored(db, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_second_slug_serving_a_councils_page_is_not_a_second_council(replica_site, tmp_path):
    # Luton alone on the index, so the crawl starts from it (as every nightly run does) in seconds.
    site = dataclasses.replace(
        replica_site, authorities=[a for a in replica_site.authorities if a.slug == LUTON]
    )
    clean, db = tmp_path / "clean.db", tmp_path / "lgsco.db"
    with ReplicaServer(epoch=2025, site=site) as server:
        assert crawl(server.base_url, clean).returncode == 0
    with ReplicaServer(epoch=2025, site=site, faults=["duplicate-slug"]) as server:
        runs = [crawl(server.base_url, db) for _ in range(2)]
        asked = {path.lower() for _, path, _ in server.requests}
    for run in runs:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"/your-councils-performance/{DUPLICATE_SLUG}/statistics" in asked  # the second slug was read
    assert stored(db, "SELECT slug FROM authorities") == [(LUTON,)]
    for table in ("decisions", "reports", "letters", "annual_statistics"):
        assert stored(db, f"SELECT count(*) FROM {table}") == stored(
            clean, f"SELECT count(*) FROM {table}"
        ), table
    assert stored(db, "SELECT count(*) FROM crawl_errors") == [(0,)]
    for (summary,) in stored(db, "SELECT summary FROM crawl_runs"):
        assert json.loads(summary)["duplicate_slugs"] == {DUPLICATE_SLUG: LUTON}
