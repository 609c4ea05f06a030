"""The page cache: one SQLite table beside the database, written one whole entry per transaction.

Scrapy's FilesystemCacheStorage writes a page's headers and its body as separate files, so a crawl killed
between the two writes pairs a new ETag with the old body: every later night the server answers 304 and the
old page is parsed again. Here an entry appears whole or not at all, and an entry is handed out (for its
validators, then for a 304) only while it is exactly the page last parsed into the database: its body's
SHA-256, ETag and Last-Modified equal the `fetches` row the store wrote in the same transaction as the
page's rows. Any other entry (a crawl killed after caching a page but before saving its authority, a
damaged or foreign cache file) is ignored, so the page is fetched again without validators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import NamedTuple

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

CACHE_FILE_NAME = "httpcache.db"
SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    fingerprint TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    stored_at TEXT NOT NULL
)
"""


class ParsedPage(NamedTuple):
    """What the database says was last parsed from a URL: the `fetches` row's identity of the page."""

    sha256: str | None
    etag: str | None
    last_modified: str | None


def cache_path(db_path: str | Path) -> Path:
    return Path(db_path).resolve().parent / CACHE_FILE_NAME


def parsed_pages(db_path: str | Path) -> dict[str, ParsedPage]:
    """URL -> the page last parsed from it, from the database's `fetches` (empty for a new database)."""
    if not Path(db_path).is_file():
        return {}
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT url, sha256, etag, last_modified FROM fetches").fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
        rows = []
    finally:
        conn.close()
    return {url: ParsedPage(sha, etag, modified) for url, sha, etag, modified in rows}


def header_text(headers: Headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value is not None else None


class SqlitePageCache:
    """A Scrapy HTTPCACHE_STORAGE: `<database's folder>/httpcache.db`, table `pages`."""

    def __init__(self, settings):
        self.db_path = Path(settings["HARVESTER_DB"])
        self.path = cache_path(self.db_path)
        self.conn: sqlite3.Connection | None = None
        self.parsed: dict[str, ParsedPage] = {}
        self.fingerprinter = None
        self.stats = None

    def open_spider(self, spider) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=10000")
        self.conn.execute(SCHEMA)
        self.parsed = parsed_pages(self.db_path)
        self.fingerprinter = spider.crawler.request_fingerprinter
        self.stats = spider.crawler.stats

    def close_spider(self, spider) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def fingerprint(self, request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def retrieve_response(self, spider, request):
        row = self.conn.execute(
            "SELECT url, status, headers, body FROM pages WHERE fingerprint = ?",
            [self.fingerprint(request)],
        ).fetchone()
        if row is None:
            return None
        url, status, headers_json, body = row
        headers = Headers({name: values for name, values in json.loads(headers_json)})
        stored = ParsedPage(
            hashlib.sha256(body).hexdigest(),
            header_text(headers, b"ETag"),
            header_text(headers, b"Last-Modified"),
        )
        if stored != self.parsed.get(url):
            # Not the page the database was last built from: revalidating it could confirm a body nobody
            # parsed. Fetch the page afresh instead.
            self.stats.inc_value("httpcache/distrusted")
            logger.info("page cache entry for %s is not the page last parsed: fetching it afresh", url)
            return None
        respcls = responsetypes.from_args(headers=headers, url=url, body=body)
        return respcls(url=url, headers=headers, status=status, body=body)

    def store_response(self, spider, request, response) -> None:
        headers = [
            [name.decode("latin-1"), [value.decode("latin-1") for value in values]]
            for name, values in response.headers.items()
        ]
        self.write(
            self.fingerprint(request),
            response.url,
            response.status,
            json.dumps(headers),
            response.body,
        )

    def write(self, fingerprint: str, url: str, status: int, headers_json: str, body: bytes) -> None:
        """One entry, whole, in one transaction (INSERT OR REPLACE is a single statement)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO pages (fingerprint, url, status, headers, body, stored_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                fingerprint,
                url,
                status,
                headers_json,
                body,
                dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            ],
        )
