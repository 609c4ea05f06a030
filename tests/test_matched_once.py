"""plugins/matched_once.py: a search page's queries read the rowids its match found from one temporary table, and
show what Datasette's own queries show; another connection's commit makes the next search match afresh."""

from __future__ import annotations

import asyncio
import sqlite3

from harvester.serve import DATABASE_NAME
from tests.test_counts_memo import QUERY_TIME, counted_by_sqlite, harvest, served, without_memo  # noqa: F401 (fixtures)
from tests.test_serve import small_harvest  # noqa: F401 (a fixture)

SEARCHES = [
    "/letters?_search=council",
    "/letters.json?_search=council",
    "/letters?_search=council&_facet=authority_slug&_sort=title",
    "/letters.json?_search=annual+review&_size=3",
    "/letters.json?_search_text=ombudsman&_search_title=annual",  # two matches in one query
    "/letters.json?_search=zebra+crossing",  # nothing matched
    "/letters.json?_search=%22&_searchmode=raw",  # a match SQLite refuses: the same error
    "/decisions?_search=council",
    "/decisions.json?_search=council&outcome_group=upheld",
    "/reports.json?_search=council",
    "",  # the database page, which lists attached databases: not `temp`, where the matched rowids are
    ".json",
]


def response(site, path: str):
    return asyncio.run(site.client.get(f"/{DATABASE_NAME}{path}"))


def shown(site, path: str) -> tuple[int, str]:
    answer = response(site, path)
    return answer.status_code, QUERY_TIME.sub("", answer.text)


def temp_tables(site) -> list[str]:
    db = site.get_database(DATABASE_NAME)
    return sorted(row[0] for row in db._read_connection.execute("select name from temp.sqlite_master"))


def test_search_pages_are_what_datasette_shows(harvest, counted_by_sqlite):  # noqa: F811
    matching = served(harvest)
    first = [shown(matching, path) for path in SEARCHES]
    again = [shown(matching, path) for path in SEARCHES]
    plain = served(harvest)
    without_memo(plain)
    assert first == again == [shown(plain, path) for path in SEARCHES]
    assert [status for status, _ in first].count(200) == len(SEARCHES) - 1
    assert "attached" not in first[-2][1]
    assert '"filtered_table_rows_count": 0' in first[5][1]
    assert "temp.matched_" in " ".join(counted_by_sqlite)


def test_a_page_matches_once_and_a_commit_matches_afresh(harvest, counted_by_sqlite):  # noqa: F811
    site = served(harvest)
    before = response(site, "/letters.json?_search=council&_facet=year").json()
    searched = [sql for sql in counted_by_sqlite if "rowid in (select rowid from" in sql]
    assert len(searched) >= 3  # rows, count, facets (each of the page's configured facets)
    assert all("+rowid in (select rowid from temp.matched_1)" in sql for sql in searched), searched
    assert temp_tables(site) == ["matched_1"]
    assert before["filtered_table_rows_count"] > 1

    writer = sqlite3.connect(harvest)
    writer.execute("DELETE FROM letters WHERE rowid = ?", (_a_matched(writer),))
    writer.commit()
    writer.close()
    after = response(site, "/letters.json?_search=council&_facet=year").json()
    assert temp_tables(site) == ["matched_2"]
    assert after["filtered_table_rows_count"] == before["filtered_table_rows_count"] - 1
    plain = served(harvest)
    without_memo(plain)
    assert after["facet_results"] == response(plain, "/letters.json?_search=council&_facet=year").json()["facet_results"]


def _a_matched(conn: sqlite3.Connection) -> int:
    return conn.execute("select rowid from letters_fts where letters_fts match 'council' limit 1").fetchone()[0]


def test_only_the_most_recent_searches_are_kept(harvest):  # noqa: F811
    site = served(harvest)
    words = [f"council{n}" for n in range(20)] + ["council"]
    for word in words:
        assert response(site, f"/letters.json?_search={word}").status_code == 200
    assert len(temp_tables(site)) == 16

