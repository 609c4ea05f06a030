"""The page cache hands out an entry only while it is exactly the page last parsed into the database."""

import hashlib
import sqlite3

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from harvester import store
from harvester.pagecache import SqlitePageCache, cache_path

URL = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/statistics"
BODY = "<html><body>Luton Borough Council’s figures</body></html>".encode()
VALIDATORS = {"ETag": '"v1-gzip"', "Last-Modified": "Tue, 08 Jul 2025 09:00:00 GMT"}


@pytest.fixture
def cache(tmp_path):
    db_path = tmp_path / "lgsco.db"
    store.open_db(db_path).close()

    def opened() -> SqlitePageCache:
        crawler = get_crawler(settings_dict={"HARVESTER_DB": str(db_path)})
        storage = SqlitePageCache(crawler.settings)
        spider = crawler._create_spider("performance")
        storage.open_spider(spider)
        storage.spider = spider
        return storage

    opened.db_path = db_path
    return opened


def parsed(db_path, body=BODY, etag=VALIDATORS["ETag"]):
    """What the store writes with an authority's rows: the fetches row of the page it parsed."""
    db = store.open_db(db_path)
    run_id = store.start_run(db, "https://www.lgo.org.uk", "test")
    with db.atomic():
        fetch = store.Fetch(URL, 200, etag, VALIDATORS["Last-Modified"], hashlib.sha256(body).hexdigest())
        store.save_fetches(db, [fetch], run_id)
    db.close()


def page(body=BODY, **headers):
    return HtmlResponse(URL, status=200, body=body, headers={**VALIDATORS, **headers})


def test_the_entry_of_the_page_last_parsed_is_replayed_whole(cache):
    storage = cache()
    storage.store_response(storage.spider, Request(URL), page())
    parsed(cache.db_path)
    replay = cache().retrieve_response(None, Request(URL))
    assert replay.body == BODY and replay.headers["ETag"] == b'"v1-gzip"' and replay.text.endswith("</html>")


@pytest.mark.parametrize(
    "stored",
    [page(ETag='"v2-gzip"'), page(body=b""), page(body=BODY + b" ")],
    ids=["new ETag with the old body", "body missing", "another body"],
)
def test_any_other_entry_is_ignored_so_the_page_is_fetched_afresh(cache, stored):
    storage = cache()
    storage.store_response(storage.spider, Request(URL), stored)
    parsed(cache.db_path)
    reopened = cache()
    assert reopened.retrieve_response(None, Request(URL)) is None
    assert reopened.stats.get_value("httpcache/distrusted") == 1


def test_an_entry_cached_but_never_saved_with_its_authority_is_ignored(cache):
    storage = cache()
    storage.store_response(storage.spider, Request(URL), page())
    assert cache().retrieve_response(None, Request(URL)) is None


def test_the_cache_is_one_table_beside_the_database(cache):
    storage = cache()
    storage.store_response(storage.spider, Request(URL), page())
    assert storage.path == cache_path(cache.db_path) == cache.db_path.parent / "httpcache.db"
    conn = sqlite3.connect(storage.path)
    assert conn.execute("SELECT url, status, body FROM pages").fetchall() == [(URL, 200, BODY)]
