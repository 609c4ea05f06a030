"""Downloader middlewares for a polite crawl that fails loudly.

Scrapy's defaults are generous in ways that hide failure: an unreachable robots.txt means
"allow everything", a body cut short arrives as a 200, and Retry-After is ignored.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class DisallowAll:
    """The robots policy RFC 9309 §2.3.1.4 prescribes when robots.txt is unreachable; `reason` says why
    it was, so a refused request reports the real cause (connection refused, no such host) first."""

    def __init__(self, reason: str):
        self.reason = reason

    def allowed(self, url, user_agent) -> bool:
        return False


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Obeys robots.txt, and treats a 5xx answer or no answer at all as disallow-all."""

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
    """A body cut short with no Content-Length arrives as a 200 flagged 'partial': retry it,
    then give up as a failure rather than hand half a page to a parser."""

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
