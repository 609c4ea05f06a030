"""The crawl's HTTP rules, checked on Scrapy objects without a server."""

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.settings import Settings

from harvester import settings as harvester_settings
from harvester.middlewares import RevalidateEveryTime, SameHostRedirectMiddleware, retry_after_seconds

URL = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/statistics"


def policy(conditional=True):
    settings = Settings()
    settings.setmodule(harvester_settings)
    settings.set("HARVESTER_CONDITIONAL_REQUESTS", conditional)
    return RevalidateEveryTime(settings)


def page(status=200, flags=None, etag=b'"abc"'):
    headers = {b"ETag": etag} if etag else {}
    return Response(URL, status=status, headers=headers, body=b"<html></html>", flags=flags)


@pytest.mark.parametrize(
    "response",
    [page(503), page(429), page(500), page(flags=["partial"]), page(etag=None), page(304)],
    ids=["503", "429", "500", "cut short", "no validator", "304"],
)
def test_failed_or_unvalidatable_responses_are_never_stored(response):
    assert not policy().should_cache_response(response, Request(URL))


def test_a_complete_page_with_a_validator_is_stored():
    assert policy().should_cache_response(page(), Request(URL))


def test_every_stored_page_is_revalidated_with_its_validators():
    request = Request(URL)
    assert not policy().is_cached_response_fresh(page(), request)
    assert request.headers[b"If-None-Match"] == b'"abc"'


def test_full_refetch_sends_no_validators():
    request = Request(URL)
    assert not policy(conditional=False).is_cached_response_fresh(page(), request)
    assert b"If-None-Match" not in request.headers


def test_a_stored_page_stands_in_only_for_a_304():
    assert policy().is_cached_response_valid(page(), page(304), Request(URL))
    assert not policy().is_cached_response_valid(page(), page(503), Request(URL))


def test_a_redirect_to_another_host_is_a_failure_and_one_on_the_host_is_followed():
    middleware = SameHostRedirectMiddleware()
    away = Response(URL, status=302, headers={b"Location": b"http://example.invalid/x"})
    with pytest.raises(IgnoreRequest, match="example.invalid"):
        middleware.process_response(Request(URL), away)
    home = Response(URL, status=301, headers={b"Location": b"/your-councils-performance/x/statistics"})
    assert middleware.process_response(Request(URL), home) is home


def test_retry_after_reads_seconds_and_dates():
    assert retry_after_seconds("7", now=0) == 7
    assert retry_after_seconds("Thu, 01 Jan 1970 00:00:30 GMT", now=0) == 30
    assert retry_after_seconds("soon", now=0) is None
