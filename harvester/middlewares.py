"""Downloader middlewares for a polite crawl that fails loudly, and one spider middleware that sends a
page's items on together.

Scrapy's defaults are generous in ways that hide failure: an unreachable robots.txt means
"allow everything", a body cut short arrives as a 200 (also when the cut is inside a gzip stream
whose length the server stated), a page in another charset than it declares is read with
replacement characters, and Retry-After is ignored.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import time
import zlib
from urllib.parse import urljoin, urlsplit

from bs4 import UnicodeDammit
from scrapy import Request, signals
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from harvester.items import PageItems

logger = logging.getLogger(__name__)


class DisallowAll:
    """The robots policy RFC 9309 §2.3.1.4 prescribes when robots.txt is unreachable; `reason` says why
    it was, so a refused request reports the real cause (connection refused, no such host) first."""

    def __init__(self, reason: str):
        self.reason = reason

    def allowed(self, url, user_agent) -> bool:
        return False


class WithoutTraceback(logging.Filter):
    """Drops the traceback of a record whose cause is logged in one line elsewhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Obeys robots.txt, and treats a 5xx answer or no answer at all as disallow-all.

    Scrapy logs robots.txt that can't be fetched with the download's whole traceback (60 lines for a refused
    connection); _robots_error says the cause in one line, so Scrapy's line keeps only its message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scrapy_logger = logging.getLogger(RobotsTxtMiddleware.__module__)
        if not any(isinstance(f, WithoutTraceback) for f in scrapy_logger.filters):
            scrapy_logger.addFilter(WithoutTraceback())

    async def robot_parser(self, request):
        parsed = await super().robot_parser(request)
        # Requests that queued up behind the first robots.txt fetch can be handed None (= allow all)
        # by the shared Deferred; once settled, the parser itself is in self._parsers.
        settled = self._parsers[urlparse_cached(request).netloc]
        return parsed if isinstance(settled, Deferred) else settled

    def process_request_2(self, rp, request) -> None:
        if isinstance(rp, DisallowAll):
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(f"{rp.reason}: robots.txt unreachable, so nothing is fetched from this site")
        super().process_request_2(rp, request)

    async def _parse_robots(self, response, netloc, request) -> None:
        if response.status >= 500 or response.status == 429:
            self._stats.inc_value("robotstxt/unreachable")
            logger.error(
                "robots.txt answered %s: treating %s as disallow-all (RFC 9309)", response.status, netloc
            )
            self._settle(netloc, DisallowAll(f"the server answered {response.status}"))
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc, netloc) -> None:
        if isinstance(exc, IgnoreRequest):
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value("robotstxt/unreachable")
        logger.error("robots.txt unreachable (%s): treating %s as disallow-all (RFC 9309)", exc, netloc)
        self._settle(netloc, DisallowAll(connection_failure(exc)))

    def _settle(self, netloc, parser) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        waiting.callback(parser)


def connection_failure(exc: BaseException) -> str:
    """The cause a person recognises first ("connection refused", "no such host"), then Twisted's words."""
    text = str(exc)
    folded = text.lower()
    for clue, cause in (
        ("refused", "connection refused"),
        ("dns lookup failed", "no such host"),
        ("name or service not known", "no such host"),
        ("timed out", "timed out"),
        ("took longer than", "timed out"),
    ):
        if clue in folded:
            return f"{cause}: {text}"
    return text


class SameHostRedirectMiddleware:
    """Refuses a redirect to another host as a failure of the request (Scrapy's offsite filter drops
    such requests silently, which would leave an authority never finished)."""

    def process_response(self, request, response):
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location is not None:
            target = urlsplit(urljoin(request.url, location.decode("latin-1"))).hostname
            if target != urlsplit(request.url).hostname:
                raise IgnoreRequest(f"redirect to another host refused: {target}")
        return response


class PartialBodyRetryMiddleware:
    """A body cut short (no Content-Length, or a compressed stream that never reaches its end)
    arrives as a 200 flagged 'partial': retry it, then give up as a failure rather than hand half
    a page to a parser."""

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls()
        middleware.crawler = crawler
        return middleware

    def process_response(self, request, response):
        if "partial" not in response.flags:
            return response
        retry = get_retry_request(request, spider=self.crawler.spider, reason="body cut short")
        if retry is None:
            raise IgnoreRequest(f"body cut short after retries: {request.url}")
        return retry


class RetryAfterMiddleware:
    """Waits as long as a 429 or 503 answer's Retry-After asks (capped) before Scrapy retries it."""

    def __init__(self, max_wait: float):
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getfloat("HARVESTER_MAX_RETRY_AFTER"))

    async def process_response(self, request, response):
        if response.status in (429, 503) and b"Retry-After" in response.headers:
            wait = retry_after_seconds(response.headers[b"Retry-After"].decode("latin-1"), time.time())
            if wait is not None:
                await asyncio.sleep(min(wait, self.max_wait))
        return response


def retry_after_seconds(value: str, now: float) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date; None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class RevalidateEveryTime(RFC2616Policy):
    """Conditional requests for every page, every run: send the stored ETag / Last-Modified, use the
    stored body only on a 304, and store only complete 200s. Never serve a stored page in place of a
    5xx or a failed download: that would hide the failure the run must report."""

    def __init__(self, settings):
        super().__init__(settings)
        self.conditional = settings.getbool("HARVESTER_CONDITIONAL_REQUESTS")

    def should_cache_response(self, response, request) -> bool:
        return (
            response.status == 200
            and "partial" not in response.flags
            and (b"ETag" in response.headers or b"Last-Modified" in response.headers)
        )

    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        if self.conditional:
            self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse, response, request) -> bool:
        return response.status == 304


class RevalidatingCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's cache middleware without its error recovery (a stored page for a failed download)."""

    def process_exception(self, request, exception, spider=None):
        request.meta.pop("cached_response", None)


DECODED_CHUNK = 64 * 1024


class TruncatedStream(ValueError):
    """A compressed body whose stream ends before its end-of-stream marker: the rest never arrived."""


def strict_decompress(body: bytes, encoding: bytes, max_size: int) -> bytes:
    """Decompress a gzip or deflate body that must be whole: raise TruncatedStream when its stream does
    not reach its end (Scrapy's own gunzip returns whatever it has), _DecompressionMaxSizeExceeded when
    it inflates past `max_size` (checked every 64 KiB, so a bomb never inflates further)."""
    if encoding in (b"gzip", b"x-gzip"):
        candidates = [zlib.MAX_WBITS | 16]
    elif encoding == b"deflate":
        candidates = [zlib.MAX_WBITS, -zlib.MAX_WBITS]  # zlib-wrapped, or raw as some IIS servers send
    else:
        raise ValueError(f"not a stream this decoder reads: {encoding!r}")
    for wbits in candidates:
        try:
            return _inflate_whole(body, wbits, max_size)
        except zlib.error as error:
            last_error = error
    raise TruncatedStream(f"unreadable {encoding.decode()} stream: {last_error}")


def _inflate_whole(body: bytes, wbits: int, max_size: int) -> bytes:
    out, size, pending = [], 0, body
    while True:
        inflater = zlib.decompressobj(wbits)
        while not inflater.eof:
            if not pending:
                chunk = inflater.flush()
            else:
                chunk = inflater.decompress(pending, DECODED_CHUNK)
                pending = inflater.unconsumed_tail
            size += len(chunk)
            out.append(chunk)
            # The exception's traceback keeps this frame alive as long as the request's failure is kept:
            # drop what was inflated first, or every refused bomb would hold its megabytes.
            if max_size and size > max_size:
                out.clear()
                raise _DecompressionMaxSizeExceeded(size, max_size)
            if not pending and not inflater.eof and not chunk:
                out.clear()
                raise TruncatedStream(f"stream ends after {len(body)} bytes, before its end ({size} decoded)")
        # gzip allows members back to back; anything else after the end is trailing junk, as browsers ignore.
        pending = inflater.unused_data
        if wbits <= zlib.MAX_WBITS or not pending.strip(b"\0"):
            return b"".join(out)


class StrictHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, made strict for the encodings this crawler asks for (gzip, deflate): a
    stream cut short is flagged 'partial' (PartialBodyRetryMiddleware retries it, then fails it)
    instead of passing for the whole page."""

    ACCEPT = b"gzip, deflate"

    def process_request(self, request, spider=None):
        request.headers.setdefault("Accept-Encoding", self.ACCEPT)

    def process_response(self, request, response, spider=None):
        if response.status in (204, 304):
            return response
        try:
            return super().process_response(request, response)
        except TruncatedStream as error:
            logger.warning("%s: %s", response.url, error)
            self.stats.inc_value("harvester/truncated_stream")
            return response.replace(flags=[*response.flags, "partial"])

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        if encoding in (b"gzip", b"x-gzip", b"deflate"):
            return strict_decompress(body, encoding, max_size)
        raise TruncatedStream(f"the server sent an encoding this crawler did not ask for: {encoding!r}")


class ResponseSizeLimitMiddleware:
    """Bounds what the downloads of one crawl may hold in memory.

    Each request gets the size limit of its kind of resource (`download_maxsize`, which Scrapy applies
    to the bytes received and to what a compressed body inflates to): an HTML page never needs
    Scrapy's 32 MB, a letter PDF is a few hundred KB. And the bytes of all downloads in progress
    together stay under HARVESTER_MAX_BYTES_IN_FLIGHT: the download that would pass it is stopped as a
    failure, so 32 concurrent oversized answers cannot add up."""

    def __init__(self, crawler):
        settings = crawler.settings
        self.page_limit = settings.getint("HARVESTER_MAX_PAGE_BYTES")
        self.letter_limit = settings.getint("HARVESTER_MAX_LETTER_BYTES")
        self.budget = settings.getint("HARVESTER_MAX_BYTES_IN_FLIGHT")
        self.stats = crawler.stats
        self.in_flight: dict[int, int] = {}
        self.total = 0
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(self.left_downloader, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def limit_for(self, request) -> int:
        # A data file (CSV or XLSX, harvester.datafiles) is bounded as a letter is.
        return self.letter_limit if request.meta.get("page") in ("letter", "datafile") else self.page_limit

    def process_request(self, request, spider=None):
        limit = self.limit_for(request)
        request.meta.setdefault("download_maxsize", limit)
        request.meta.setdefault("download_warnsize", limit // 2)

    def bytes_received(self, data, request, spider):
        key = id(request)
        self.in_flight[key] = self.in_flight.get(key, 0) + len(data)
        self.total += len(data)
        if self.total > self.budget:
            self.stats.inc_value("harvester/bytes_in_flight_exceeded")
            raise StopDownload(fail=True)

    def left_downloader(self, request, spider):
        self.total -= self.in_flight.pop(id(request), 0)


UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
"""A well-formed multi-byte UTF-8 character: text in a single-byte charset almost never contains one."""


class UndecodablePage(ValueError):
    pass


def repaired_text(body: bytes, declared: str) -> tuple[str, str]:
    """The text of a page whose bytes don't all decode in the charset it declares (or Scrapy inferred),
    and the charset it is really in; good text never turned into U+FFFD.

    Only for UTF-8 and windows-1252, what the site's pages are in: a body with no well-formed multi-byte
    UTF-8 character is single-byte text, read as windows-1252 (as browsers read a mislabelled Western
    page); a UTF-8 body with stray windows-1252 bytes is repaired by BeautifulSoup's
    UnicodeDammit.detwingle. Bytes neither explains (noise, no letter of any text) become U+FFFD.
    Anything else raises UndecodablePage."""
    if declared.replace("_", "-").lower() not in ("utf-8", "utf8", "cp1252", "windows-1252"):
        raise UndecodablePage(f"not {declared} as declared, nor UTF-8 or windows-1252")
    if UTF8_SEQUENCE.search(body) is None:
        return body.decode("cp1252", errors="replace"), "windows-1252"
    return UnicodeDammit.detwingle(body).decode("utf-8", errors="replace"), "utf-8 with windows-1252 bytes"


class CharsetMiddleware:
    """Reads each HTML page in the charset its bytes are really in (see repaired_text) and hands it on as
    UTF-8 labelled UTF-8, so the page cache stores, and a 304 replays, text already decided. A page
    that can't be decoded soundly is a failed request, never text full of U+FFFD."""

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls()
        middleware.stats = crawler.stats
        return middleware

    def process_response(self, request, response, spider=None):
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if not (isinstance(response, TextResponse) and content_type.startswith(b"text/")):
            return response  # a letter PDF, whatever Scrapy guessed from its bytes
        if request.meta.get("page") == "datafile":
            return response  # a CSV is kept as served; harvester.datafiles decodes it
        if "partial" in response.flags:
            return response
        declared = response.encoding
        try:
            response.body.decode(declared)
            return response
        except (UnicodeDecodeError, LookupError):
            pass
        try:
            text, charset = repaired_text(response.body, declared)
        except UndecodablePage as error:
            raise IgnoreRequest(f"undecodable page {response.url}: {error}") from None
        logger.warning("%s is not %s as it declares: read as %s", response.url, declared, charset)
        self.stats.inc_value("harvester/charset_corrected")
        headers = response.headers.copy()
        headers[b"Content-Type"] = b"text/html; charset=utf-8"
        return response.replace(body=text.encode("utf-8"), headers=headers, encoding="utf-8")


class PdfResponse(Response):
    """A response served as application/pdf: a binary file, whatever its first bytes look like."""


# Scrapy picks a response's class by its Content-Type and, for a type it has no class for (a PDF), by scanning
# the body's first 5,000 bytes in Python for a control character (~150 us a PDF, 0.6 s of the crawl's thread
# for 4,101 letters); a PDF whose first objects are uncompressed (every letter the replica serves) was then made
# a TextResponse. Its class is now chosen by its Content-Type alone. Nothing reads a letter but through
# `response.body` (the readers take bytes; CharsetMiddleware leaves anything not text/* alone), so what is
# fetched and stored is the same; a PDF served under another type is still guessed as before.
responsetypes.classes["application/pdf"] = PdfResponse


class ItemsPerPage:
    """Sends on a callback's requests as they come and its items as one PageItems when it ends: a page
    yields up to dozens of rows, and Scrapy's machinery after the spider costs the same for each item
    whatever its size. Closest to the spider, so every other spider middleware sees pages, not rows.
    The items a callback yielded before raising still go on, ahead of its exception."""

    def process_spider_output(self, response, result):
        found = []
        try:
            for thing in result:
                if isinstance(thing, Request):
                    yield thing
                else:
                    found.append(thing)
        except Exception:
            yield from _page_of(found)
            raise
        yield from _page_of(found)

    async def process_spider_output_async(self, response, result):
        found = []
        try:
            async for thing in result:
                if isinstance(thing, Request):
                    yield thing
                else:
                    found.append(thing)
        except Exception:
            for page in _page_of(found):
                yield page
            raise
        for page in _page_of(found):
            yield page


def _page_of(found: list) -> list[PageItems]:
    return [PageItems(found)] if found else []
