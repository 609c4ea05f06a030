"""The two floors the harvester's crawl is measured against: fetch a list of URLs, discard the bodies.

    python bench/floors.py scrapy URLS_FILE     a plain Scrapy spider with the harvester's concurrency settings
    python bench/floors.py asyncio URLS_FILE [--connections N]
                                                stdlib asyncio streams, HTTP/1.1 keep-alive, one connection per
                                                concurrent request the harvester allows

URLS_FILE holds one absolute URL a line, all on one origin. Both ask for gzip and inflate what comes back, as
Scrapy does for the harvester, so the server does the same work for all three. Each prints one JSON line:
{"responses": n, "statuses": {"200": n, ...}, "body_bytes": n} — bench/crawl.py checks that every URL was
answered. bench/crawl.py runs each as its own child process and times it from outside.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gzip
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harvester.settings import USER_AGENT  # noqa: E402

CONCURRENCY_SETTINGS = (
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "CONCURRENT_ITEMS",
    "DOWNLOAD_DELAY",
    "RANDOMIZE_DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_TIMEOUT",
)


def harvester_concurrency(url: str) -> dict:
    """The settings that set the pace, as the harvester's own crawl of `url` would have them."""
    # Imported here: it loads Scrapy, which the bare client, given --connections, does without.
    from harvester.crawl import crawl_settings

    parts = urlsplit(url)
    settings = crawl_settings(f"{parts.scheme}://{parts.netloc}", Path(os.devnull), {})
    return {name: settings.get(name) for name in CONCURRENCY_SETTINGS}


class Tally:
    def __init__(self):
        self.statuses: collections.Counter[int] = collections.Counter()
        self.body_bytes = 0

    def add(self, status: int, body: bytes) -> None:
        self.statuses[status] += 1
        self.body_bytes += len(body)

    def as_json(self) -> str:
        return json.dumps(
            {
                "responses": sum(self.statuses.values()),
                "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
                "body_bytes": self.body_bytes,
            }
        )


def scrapy_floor(urls: list[str]) -> Tally:
    """Scrapy with its default middlewares and the harvester's concurrency settings; no parsing, no pipeline,
    no cache. robots.txt is in the list like any other URL, so the robots middleware stays off."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    tally = Tally()

    class DiscardSpider(scrapy.Spider):
        name = "discard"

        async def start(self):
            for url in urls:
                yield scrapy.Request(url, callback=self.discard, meta={"handle_httpstatus_all": True})

        def discard(self, response):
            tally.add(response.status, response.body)
            return ()

    settings = {
        **harvester_concurrency(urls[0]),
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    process = CrawlerProcess(settings)
    process.crawl(DiscardSpider)
    process.start()
    return tally


class HttpError(Exception):
    """The server answered something this bare client does not speak (it needs Content-Length)."""


async def _read_response(reader: asyncio.StreamReader, url: str) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")[:-2]
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise HttpError(f"{url}: HTTP {status} without Content-Length")
    body = await reader.readexactly(int(headers["content-length"]))
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return status, headers, body


async def _fetch_all(urls: list[str], connections: int) -> Tally:
    origin = urlsplit(urls[0])
    if any(urlsplit(url).netloc != origin.netloc for url in urls):
        raise ValueError("the bare client fetches from one origin only")
    host, port = origin.hostname, origin.port or 80
    pending = collections.deque(urls)
    tally = Tally()

    async def connection() -> None:
        reader = writer = None
        while pending:
            url = pending.popleft()
            parts = urlsplit(url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(
                f"GET {target} HTTP/1.1\r\nHost: {origin.netloc}\r\nUser-Agent: {USER_AGENT}\r\n"
                "Accept-Encoding: gzip\r\n\r\n".encode("latin-1")
            )
            status, headers, body = await _read_response(reader, url)
            tally.add(status, body)
            if headers.get("connection", "").lower() == "close":
                writer.close()
                await writer.wait_closed()
                reader = writer = None
        if writer is not None:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return tally


def asyncio_floor(urls: list[str], connections: int) -> Tally:
    return asyncio.run(_fetch_all(urls, connections))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("floor", choices=("scrapy", "asyncio"))
    parser.add_argument("urls_file", type=Path)
    parser.add_argument(
        "--connections",
        type=int,
        help="asyncio: connections to open (default: the harvester's CONCURRENT_REQUESTS for these URLs)",
    )
    options = parser.parse_args()
    urls = options.urls_file.read_text().split()
    if options.floor == "scrapy":
        tally = scrapy_floor(urls)
    else:
        connections = options.connections or harvester_concurrency(urls[0])["CONCURRENT_REQUESTS"]
        tally = asyncio_floor(urls, connections)
    print(tally.as_json())


if __name__ == "__main__":
    main()
