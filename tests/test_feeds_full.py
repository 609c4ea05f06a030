"""Every feed of a full replica harvest parses as valid Atom: each council's, the national reports', each
category's, the empty ones included; every entry dated with a zone and linked to the site and to its row."""

import datetime as dt
import sqlite3

import feedparser
import pytest

from harvester.replica.server import ReplicaServer
from harvester.serve import datasette_for
from tests.test_crawl import crawl
from tests.test_serve import get

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def harvest(tmp_path_factory):
    db = tmp_path_factory.mktemp("feeds") / "lgsco.db"
    with ReplicaServer(epoch=2025) as replica:
        result = crawl(replica.base_url, db)
        base_url = replica.base_url
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return db, base_url


def feeds(db) -> list[tuple[str, dict]]:
    conn = sqlite3.connect(db)
    slugs = [slug for (slug,) in conn.execute("SELECT slug FROM authorities ORDER BY slug")]
    categories = [category for (category,) in conn.execute("SELECT DISTINCT category FROM decisions")]
    conn.close()
    return ([("council_feed", {"council": slug}) for slug in slugs] + [("reports_feed", {})]
            + [("category_feed", {"category": category}) for category in categories])  # fmt: skip


def test_every_feed_of_a_full_harvest_is_valid_atom(harvest):
    db, base_url = harvest
    datasette = datasette_for(db)
    checked, empty, entries = 0, 0, 0
    for query, params in feeds(db):
        response = get(datasette, f"/lgsco/{query}.atom", **params)
        assert response.status_code == 200, (query, params, response.text[:300])
        parsed = feedparser.parse(response.text)
        assert not parsed.bozo and parsed.version == "atom10", (query, params, parsed.get("bozo_exception"))
        assert dt.datetime.fromisoformat(parsed.feed.updated).tzinfo is not None
        updated = [dt.datetime.fromisoformat(entry.updated) for entry in parsed.entries]
        assert all(moment.tzinfo is not None for moment in updated), (query, params)
        assert updated == sorted(updated, reverse=True), (query, params)
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith(base_url), (query, params, entry)
            assert 'href="http://localhost/lgsco/' in entry.content[0].value, (query, params, entry)
        assert len({entry.id for entry in parsed.entries}) == len(parsed.entries), (query, params)
        checked += 1
        empty += not parsed.entries
        entries += len(parsed.entries)
    conn = sqlite3.connect(db)
    councils = conn.execute("SELECT count(*) FROM authorities").fetchone()[0]
    quiet = conn.execute(
        "SELECT count(*) FROM authorities AS a WHERE NOT EXISTS (SELECT 1 FROM reports WHERE authority_slug = a.slug)"
        " AND NOT EXISTS (SELECT 1 FROM decisions WHERE authority_slug = a.slug)"
        " AND NOT EXISTS (SELECT 1 FROM service_improvements WHERE authority_slug = a.slug)"
    ).fetchone()[0]
    assert checked > councils > 300
    assert empty == quiet > 0, "the empty case is among the councils' feeds"
    assert entries > 1000
