"""Crawling decisions from the replica: a few councils chosen for their listings, reports and disagreements."""

import json
import sqlite3

import pytest

from harvester.replica import decisions as replica_decisions
from harvester.replica.server import ReplicaServer
from harvester.replica.truth import ground_truth
from harvester.serve import datasette_for
from tests.test_crawl import as_keyed, crawl, stored
from tests.test_serve import get, query_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chosen(replica_site):
    """Birmingham (94 upheld cases over ten listing pages, 3-chapter reports), Luton (its seen improvements),
    and one council of each planned disagreement with its statistics page."""
    planned = replica_decisions.planned_disagreements(replica_site, replica_site.seed)
    upheld = next(slug for slug, (listing, _) in planned.items() if listing == "upheld")
    remedy = next(slug for slug, (listing, _) in planned.items() if listing == "remedy")
    return ["birmingham-city-council", "luton-borough-council", upheld, remedy], planned


@pytest.fixture(scope="module")
def crawled(chosen, tmp_path_factory):
    slugs, _ = chosen
    db = tmp_path_factory.mktemp("decisions") / "lgsco.db"
    options = [option for slug in slugs for option in ("--authority", slug)]
    with ReplicaServer(epoch=2025) as replica:
        first = crawl(replica.base_url, db, *options)
        first_requests = list(replica.requests)
        second = crawl(replica.base_url, db, *options)
        second_requests = replica.requests[len(first_requests) :]
        truth = ground_truth(replica.site, 2025, replica.base_url)
    return first, second, first_requests, second_requests, db, truth


def is_decision_page(path: str) -> bool:
    return path.startswith("/decisions/") and "/Listing" not in path


def test_both_crawls_exit_zero(crawled):
    first, second, *_ = crawled
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]


@pytest.mark.parametrize(
    ("table", "key"),
    [("decisions", ("case_ref",)), ("decision_listings", ("authority_slug", "year", "listing"))],
)
def test_stored_decisions_equal_the_ground_truth(crawled, chosen, table, key):
    *_, db, truth = crawled
    slugs, _ = chosen
    expected_rows = [row for row in truth[table] if row["authority_slug"] in slugs]
    columns = sorted({column for row in expected_rows for column in row})
    expected = as_keyed(expected_rows, key, columns)
    actual = as_keyed(stored(db, table), key, columns)
    assert sorted(set(expected) ^ set(actual)) == []
    assert [k for k in expected if expected[k] != actual[k]] == []
    assert len(actual) > (200 if table == "decisions" else 7)


def test_each_decision_page_is_fetched_once_and_never_again(crawled):
    _, _, first_requests, second_requests, db, _ = crawled
    pages = [path for _, path, _ in first_requests if is_decision_page(path)]
    assert len(pages) == len(set(pages))
    chapters = sqlite3.connect(db).execute("SELECT sum(chapters) FROM decisions").fetchone()[0]
    assert len(pages) == chapters
    assert [path for _, path, _ in second_requests if is_decision_page(path)] == []
    # Unchanged statistics pages: their listings, read in full a moment ago, are left as stored (README
    # "Requests per night"); tests/test_nightly.py reads them again once they are older than the bound.
    assert [path for _, path, _ in second_requests if "/Listing" in path] == []
    assert [path for _, path, status in first_requests if "/Listing" in path and status == 200]
    summaries = [json.loads(s) for (s,) in sqlite3.connect(db).execute("SELECT summary FROM crawl_runs")]
    assert [s["decisions_read"] for s in summaries] == [len(stored(db, "decisions")), 0]


def test_the_cross_check_lists_exactly_the_planned_disagreements(crawled, chosen, replica_site):
    *_, db, _ = crawled
    slugs, planned = chosen
    rows = sqlite3.connect(db).execute(
        "SELECT authority_slug, year, listing, listed, page_count FROM decision_count_discrepancies"
    )
    expected = set()
    for slug in slugs:
        if slug in planned:
            listing, difference = planned[slug]
            stated = getattr(replica_site.figures[slug, "2024-25"], f"{listing}_decisions")
            expected.add((slug, "2024-25", listing, stated + difference, stated))
    assert set(rows) == expected and len(expected) == 2


def test_improvements_and_reports_join_their_decisions(crawled):
    *_, db, _ = crawled
    conn = sqlite3.connect(db)
    unjoined = conn.execute(
        "SELECT count(*) FROM service_improvements AS i LEFT JOIN decisions AS d ON d.case_ref = i.case_ref "
        "WHERE d.case_ref IS NULL"
    ).fetchone()[0]
    reports = conn.execute(
        "SELECT count(*), count(d.case_ref) FROM reports AS r LEFT JOIN decisions AS d ON d.case_ref = r.case_ref"
        " AND d.url = r.url"
    ).fetchone()
    assert unjoined == 0 and reports[0] == reports[1] > 0
    found = conn.execute(
        "SELECT count(*) FROM decisions_fts WHERE decisions_fts MATCH 'accommodation OR remedy'"
    ).fetchone()[0]
    assert found > 0


@pytest.fixture(scope="module")
def datasette(crawled):
    *_, db, _ = crawled
    return datasette_for(db)


def test_decisions_about_a_council_filter_by_category_and_outcome(datasette, crawled):
    *_, db, _ = crawled
    conn = sqlite3.connect(db)
    category, expected = conn.execute(
        "SELECT category, count(*) FROM decisions WHERE authority_slug = 'birmingham-city-council' "
        "GROUP BY category ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    rows = query_rows(
        datasette, "decisions_about_a_council", council="Birmingham", category=category, outcome="upheld"
    )
    assert len(rows) == expected and {r["council"] for r in rows} == {"Birmingham City Council"}
    assert [r["decision_date"] for r in rows] == sorted((r["decision_date"] for r in rows), reverse=True)
    compound = query_rows(
        datasette, "decisions_about_a_council", council="Birmingham", category="", outcome="Upheld: %"
    )
    assert compound and {r["outcome"] for r in compound} == {"Upheld: maladministration and injustice"}


def test_each_improvement_shows_the_decision_behind_it(datasette):
    rows = query_rows(datasette, "improvement_decisions", council="Luton")
    assert [r["case_ref"] for r in rows][:3] == ["23-020-528", "22-015-676", "22-015-473"]
    assert all(r["decision_url"] and r["summary"] and r["decision_date"] for r in rows)
    assert "The Council has agreed to send us an action plan" in rows[0]["remedy"]


def test_search_decisions_shows_the_matching_passage(datasette):
    # Words as a person types them: OR is a word here, not an operator (see test_serve's hostile words).
    rows = query_rows(datasette, "search_decisions", words="remedy")
    assert rows and all("[" in r["passage"] for r in rows)


def test_decision_count_checks_and_facets(datasette, chosen):
    _, planned = chosen
    rows = query_rows(datasette, "decision_count_checks")
    assert {r["listing"] for r in rows} == {"upheld", "remedy"} and len(rows) == 2
    assert all(abs(r["listed"] - r["page_count"]) == 1 for r in rows)
    page = get(datasette, "/lgsco/decisions").text
    for facet in ("category", "outcome"):
        assert f'data-column="{facet}"' in page


def test_a_card_whose_heading_links_nothing_keeps_its_case_in_the_listing(replica, tmp_path):
    server = replica(faults=["unlinked-card@1"])
    db = tmp_path / "lgsco.db"
    result = crawl(server.base_url, db, "--authority", "birmingham-city-council")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert {name for name, _ in server.faults.faulted} == {"unlinked-card"}
    connection = sqlite3.connect(db)
    warnings = connection.execute(
        "SELECT message FROM crawl_errors WHERE kind = 'warning' AND page = 'decision_listings'"
    ).fetchall()
    assert warnings and all("but links no decision page: not followed" in w for (w,) in warnings)
    assert all("Birmingham City Council (" in w for (w,) in warnings)  # the card's own text
    truth = ground_truth(server.site, 2025, server.base_url)
    listed = {(r["year"], r["listing"]): (r["listed"], r["case_refs"]) for r in truth["decision_listings"]
              if r["authority_slug"] == "birmingham-city-council"}  # fmt: skip
    query = "SELECT year, listing, listed, case_refs FROM decision_listings WHERE authority_slug = ?"
    stored = {(year, listing): (count, refs)
              for year, listing, count, refs in connection.execute(query, ["birmingham-city-council"])}  # fmt: skip
    assert stored == listed  # the unlinked card's case is the heading's: every listing whole, refs and all
    stored_refs = {ref for (ref,) in connection.execute("SELECT case_ref FROM decisions")}
    expected_refs = {r["case_ref"] for r in truth["decisions"] if r["authority_slug"] == "birmingham-city-council"}
    assert len(expected_refs - stored_refs) <= len(warnings) and len(stored_refs) > 50
