"""Atom feeds (datasette-atom 0.9 through the project's plugin): a council's, the national reports', a category's;
valid even when empty, every timestamp with a zone, every entry linked to the site and to its row."""

import dataclasses
import datetime as dt
import sqlite3

import feedparser
import pytest

from harvester import items, store
from harvester.datasette.plugins.atom_feeds import row_path, with_zone
from harvester.serve import datasette_for
from tests.test_decisions_store import SLUG, decision
from tests.test_serve import get
from tests.test_store import bundle


@pytest.fixture(scope="module")
def datasette(tmp_path_factory):
    path = tmp_path_factory.mktemp("feeds") / "lgsco.db"
    db = store.open_db(path)
    run = store.start_run(db, "http://x", "test")
    with store.transaction(db):
        store.save_authority(db, bundle(reports=("a", "b")), run)
        older = dataclasses.replace(decision("22-001-702"), decision_date="2023-01-19")
        store.save_decisions(db, SLUG, [decision("23-020-528"), older], [], run)
        other = store.AuthorityBundle(items.Authority("quiet-council", "Quiet Council", "http://x/q"))
        store.save_authority(db, other, run)
    db.close()
    return datasette_for(path)


def feed(datasette, path, **params):
    response = get(datasette, path, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    parsed = feedparser.parse(response.text)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


def zoned(parsed_time: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(parsed_time)
    assert moment.tzinfo is not None, parsed_time
    return moment


def test_a_councils_feed_has_its_reports_improvements_and_decisions_newest_first(datasette):
    parsed = feed(datasette, "/lgsco/council_feed.atom", council="luton-borough-council")
    assert parsed.feed.title == "What is new about a council: luton-borough-council"
    # The improvement is dated by its decision; the reports by theirs (2024-03-12).
    assert [entry.title for entry in parsed.entries] == [
        "Luton Borough Council (23 020 528): Upheld, Housing > Homelessness",
        "Service improvement, case reference 23 020 528: Housing > Homelessness",
        "Report a",
        "Report b",
        "Luton Borough Council (22 001 702): Upheld, Housing > Homelessness",
    ]
    updated = [zoned(entry.updated) for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert updated[0] == dt.datetime(2024, 5, 16, tzinfo=dt.UTC)
    first = parsed.entries[0]
    assert first.link == "http://x/decisions/housing/homelessness/23-020-528"
    assert 'href="http://localhost/lgsco/decisions/23-020-528"' in first.content[0].value
    report = next(entry for entry in parsed.entries if entry.title == "Report a")
    assert report.link == "http://x/news/a"
    row = report.content[0].value.split('href="http://localhost')[1].split('"')[0]
    assert get(datasette, row).status_code == 200
    assert len({entry.id for entry in parsed.entries}) == 5


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/lgsco/council_feed.atom", {"council": "quiet-council"}),
        ("/lgsco/council_feed.atom", {"council": "nowhere"}),
        ("/lgsco/council_feed.atom", {}),
        ("/lgsco/category_feed.atom", {"category": "Education"}),
    ],
)
def test_an_empty_feed_is_valid_atom_with_no_entries(datasette, path, params):
    parsed = feed(datasette, path, **params)
    assert parsed.entries == []
    assert parsed.feed.title.startswith(("What is new about a council", "New decisions in a category"))
    zoned(parsed.feed.updated)


def test_the_national_reports_feed_and_a_category_feed(datasette):
    reports = feed(datasette, "/lgsco/reports_feed.atom")
    assert reports.feed.title == "New public reports, every council"
    assert [entry.title for entry in reports.entries] == ["Luton Borough Council: Report a",
                                                          "Luton Borough Council: Report b"]  # fmt: skip
    housing = feed(datasette, "/lgsco/category_feed.atom", category="housing")
    assert housing.feed.title == "New decisions in a category: housing"
    assert [entry.link.rsplit("/", 1)[1] for entry in housing.entries] == ["23-020-528", "22-001-702"]
    assert all(zoned(entry.updated) for entry in housing.entries)


def test_a_council_page_links_its_feed(datasette):
    page = get(datasette, "/lgsco/authorities/luton-borough-council").text
    href = "/lgsco/council_feed.atom?council=luton-borough-council"
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert f'href="{href}">' in page
    assert f'<a href="{href}">' in page


@pytest.mark.parametrize(
    ("stored", "atom"),
    [
        ("2024-05-16", "2024-05-16T00:00:00+00:00"),
        ("2024-05-16 10:30:00", "2024-05-16T10:30:00+00:00"),
        ("2026-12-07T07:42:03+00:00", "2026-12-07T07:42:03+00:00"),
        ("2026-12-07T07:42:03Z", "2026-12-07T07:42:03Z"),
    ],
)
def test_every_timestamp_is_given_a_zone(stored, atom):
    assert with_zone(stored) == atom


def test_a_query_of_the_users_own_with_naive_timestamps_still_renders(datasette):
    sql = "select 'x' as atom_id, '2024-05-16 10:30:00' as atom_updated, 'A title' as atom_title"
    parsed = feed(datasette, "/lgsco.atom", sql=sql)
    assert zoned(parsed.entries[0].updated) == dt.datetime(2024, 5, 16, 10, 30, tzinfo=dt.UTC)


def test_row_paths_are_datasettes_own():
    assert row_path("reports", "luton-borough-council", "http://x/a b") == (
        "reports/luton-borough-council,http~3A~2F~2Fx~2Fa+b"
    )
    conn = sqlite3.connect(":memory:")
    conn.create_function("row_path", -1, row_path)
    assert conn.execute("select row_path('decisions', '23-020-528')").fetchone() == ("decisions/23-020-528",)
