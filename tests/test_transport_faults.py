"""Crawls through a hostile transport: gzip streams cut short, a lying charset, letter bombs, and a page
cache left inconsistent by a kill. Each ends with the site's data stored right, or fails loudly keeping
what was stored."""

import sqlite3
import subprocess
import sys
import urllib.request

import pytest
from scrapy.http import Request, Response
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from harvester.crawl import crawl_settings
from harvester.replica.truth import ground_truth
from spiders.performance import PerformanceSpider

pytestmark = pytest.mark.slow

AUTHORITIES = ("luton-borough-council", "kent-county-council", "North-Northamptonshire-Council")
LIST_TABLES = {"reports": ("authority_slug", "url"), "service_improvements": ("authority_slug", "case_ref")}


def crawl(server, db, *options):
    args = [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", server.base_url, "--db", str(db)]
    for slug in AUTHORITIES:
        args += ["--authority", slug]
    return subprocess.run([*args, *options], capture_output=True, text=True, timeout=300)


def stored(db, table, columns, where="gone_run IS NULL"):
    conn = sqlite3.connect(db)
    return set(conn.execute(f"SELECT {', '.join(columns)} FROM [{table}] WHERE {where}"))


def truth_rows(server, db, table, columns):
    crawled = {slug for (slug,) in sqlite3.connect(db).execute("SELECT slug FROM authorities")}
    rows = ground_truth(server.site, server.epoch, server.base_url)[table]
    return {tuple(row[c] for c in columns) for row in rows if row["authority_slug"] in crawled}


def assert_lists_equal_truth(server, db):
    for table, key in LIST_TABLES.items():
        assert stored(db, table, key) == truth_rows(server, db, table, key), table


@pytest.mark.parametrize("fault", ["gzip-cut", "gzip-cut-chunked"])
def test_a_gzip_stream_cut_short_is_retried_into_the_whole_page(replica, tmp_path, fault):
    server = replica(faults=[f"{fault}@1"])
    result = crawl(server, tmp_path / "db")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert {name for name, _ in server.faults.faulted} == {fault}
    assert_lists_equal_truth(server, tmp_path / "db")
    assert stored(tmp_path / "db", "reports", ["url"], "gone_run IS NOT NULL") == set()


@pytest.mark.parametrize("fault", ["gzip-cut", "gzip-cut-chunked"])
def test_a_gzip_stream_always_cut_fails_the_run_and_keeps_every_row(replica, tmp_path, fault):
    db = tmp_path / "db"
    server = replica()
    assert crawl(server, db).returncode == 0
    before = {table: stored(db, table, ["*"]) for table in LIST_TABLES}
    server.faults = type(server.faults)([f"{fault}:always@1"])
    # Every list read again (an unchanged night would ask for the statistics pages alone, answered 304).
    result = crawl(server, db, "--retries", "1", "--list-max-age", "0")
    assert result.returncode == 1
    assert "body cut short after retries" in result.stdout
    assert {table: stored(db, table, ["*"]) for table in LIST_TABLES} == before


def test_windows_1252_labelled_utf_8_is_stored_as_the_site_wrote_it(replica, tmp_path):
    db = tmp_path / "db"
    server = replica(faults=["wrong-charset@1"])
    result = crawl(server, db)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    conn = sqlite3.connect(db)
    text_columns = [
        (table, column)
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for _, column, sql_type, *_ in conn.execute(f"PRAGMA table_info([{table}])")
        if sql_type == "TEXT"
    ]
    replaced = [
        (table, column)
        for table, column in text_columns
        if conn.execute(f"SELECT count(*) FROM [{table}] WHERE instr([{column}], char(65533))").fetchone()[0]
    ]
    assert replaced == []
    assert_lists_equal_truth(server, db)
    summaries = stored(db, "reports", ["summary"])
    assert summaries == truth_rows(server, db, "reports", ["summary"])
    assert any("neighbours – and" in summary for (summary,) in summaries)


# --- the page cache --------------------------------------------------------------------------------

KENT = "/your-councils-performance/kent-county-council/statistics"


def page_cache(server, db):
    """The crawl's configured page-cache storage, opened as a crawl would open it."""
    settings = crawl_settings(server.base_url, db, {})
    crawler = get_crawler(
        PerformanceSpider, settings_dict={"HTTPCACHE_STORAGE": settings["HTTPCACHE_STORAGE"]}
    )
    spider = PerformanceSpider.from_crawler(crawler, base_url=server.base_url)
    storage = load_object(settings["HTTPCACHE_STORAGE"])(settings)
    storage.open_spider(spider)
    return storage, spider


def validators_now(server, path):
    request = urllib.request.Request(server.base_url + path, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as answer:
        return {name: answer.headers[name] for name in ("ETag", "Last-Modified")}


def kent_figures(db):
    return stored(db, "annual_statistics", ["year", "upheld_pct", "investigations"],
                  "authority_slug = 'kent-county-council' AND source = 'page'")  # fmt: skip


@pytest.mark.parametrize("instant", ["new headers, old body", "headers written, body missing"])
def test_a_kill_inside_the_page_cache_write_never_hides_new_figures(replica, tmp_path, instant):
    db = tmp_path / "db"
    server = replica(epoch=2024)
    assert crawl(server, db).returncode == 0
    server.set_epoch(2025)
    storage, spider = page_cache(server, db)
    url = server.base_url + KENT
    old = storage.retrieve_response(spider, Request(url))
    body = old.body if instant == "new headers, old body" else b""
    headers = {**{k.decode(): v for k, v in old.headers.items()}, **validators_now(server, KENT)}
    storage.store_response(spider, Request(url), Response(url, status=200, headers=headers, body=body))
    storage.close_spider(spider)

    result = crawl(server, db)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    expected = {
        (row["year"], row["upheld_pct"], row["investigations"])
        for row in ground_truth(server.site, 2025, server.base_url)["annual_statistics"]
        if row["authority_slug"] == "kent-county-council" and row["source"] == "page"
    }
    assert {year for year, *_ in expected} == {"2024-25"}
    assert expected <= kent_figures(db)


def test_letter_bombs_fail_their_letters_and_nothing_else(replica, tmp_path):
    db = tmp_path / "db"
    server = replica(faults=["letter-bomb@0.05"])
    result = crawl(server, db)
    assert result.returncode == 1
    bombed = {url for name, url in server.faults.faulted}
    assert bombed
    conn = sqlite3.connect(db)
    errors = dict(conn.execute("SELECT url, message FROM crawl_errors WHERE page = 'letter'"))
    assert {url.removeprefix(server.base_url).lower() for url in errors} == bombed
    assert conn.execute("SELECT count(*) FROM letters WHERE status = 'ok'").fetchone()[0] > 50
    assert conn.execute("SELECT count(*) FROM authorities").fetchone()[0] == 8
