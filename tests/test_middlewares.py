"""The crawl's HTTP rules, checked on Scrapy objects without a server."""

import asyncio
import gzip
import zlib

import pytest
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.test import get_crawler

from harvester import items
from harvester import settings as harvester_settings
from harvester.middlewares import (
    CharsetMiddleware,
    ItemsPerPage,
    PartialBodyRetryMiddleware,
    PdfResponse,
    ResponseSizeLimitMiddleware,
    RevalidateEveryTime,
    SameHostRedirectMiddleware,
    StrictHttpCompressionMiddleware,
    TruncatedStream,
    repaired_text,
    retry_after_seconds,
    strict_decompress,
)

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


# --- compressed bodies: whole, or a failure ---------------------------------------------------

PAGE_TEXT = (
    "<html><body><p>The Council’s figures for 2024-25.</p>" + "<p>row</p>" * 3000 + "</body></html>"
).encode()


def gzipped_page(body=PAGE_TEXT, cut=None, encoding=b"gzip"):
    compressed = gzip.compress(body, mtime=0)
    if cut is not None:
        compressed = compressed[: int(len(compressed) * cut)]
    headers = {b"Content-Encoding": encoding, b"Content-Type": b"text/html; charset=utf-8"}
    return HtmlResponse(URL, status=200, headers=headers, body=compressed)


def compression():
    return StrictHttpCompressionMiddleware(crawler=get_crawler(settings_dict=harvester_settings_dict()))


def harvester_settings_dict():
    """The harvester's limits, without the rest of its settings (a reactor, pipelines)."""
    return {
        name: getattr(harvester_settings, name)
        for name in dir(harvester_settings)
        if name.startswith(("HARVESTER_MAX", "DOWNLOAD_"))
    }


def test_a_whole_gzip_body_is_decompressed():
    response = compression().process_response(Request(URL), gzipped_page())
    assert response.body == PAGE_TEXT and "partial" not in response.flags
    assert b"Content-Encoding" not in response.headers


def test_a_gzip_stream_cut_short_is_a_partial_body_not_the_page():
    response = compression().process_response(Request(URL), gzipped_page(cut=0.45))
    assert "partial" in response.flags


def test_deflate_raw_or_wrapped_and_gzip_members_back_to_back_are_read_whole():
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert strict_decompress(raw.compress(PAGE_TEXT) + raw.flush(), b"deflate", 0) == PAGE_TEXT
    assert strict_decompress(zlib.compress(PAGE_TEXT), b"deflate", 0) == PAGE_TEXT
    two = gzip.compress(b"first ", mtime=0) + gzip.compress(b"second", mtime=0)
    assert strict_decompress(two, b"gzip", 0) == b"first second"
    with pytest.raises(TruncatedStream):
        strict_decompress(zlib.compress(PAGE_TEXT)[:-9], b"deflate", 0)


def test_a_gzip_bomb_stops_at_the_size_limit():
    bomb = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9)
    with pytest.raises(_DecompressionMaxSizeExceeded):
        strict_decompress(bomb, b"gzip", 2 * 1024 * 1024)


def test_a_cut_stream_is_retried_then_fails():
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 1})
    crawler.spider = crawler._create_spider("x")
    retry = PartialBodyRetryMiddleware.from_crawler(crawler)
    cut = compression().process_response(Request(URL), gzipped_page(cut=0.45))
    again = retry.process_response(Request(URL), cut)
    assert isinstance(again, Request) and again.meta["retry_times"] == 1
    with pytest.raises(IgnoreRequest, match="body cut short"):
        retry.process_response(again, cut)


# --- charsets ----------------------------------------------------------------------------------


def charset_middleware():
    return CharsetMiddleware.from_crawler(get_crawler())


def html(body: bytes, charset="utf-8"):
    return HtmlResponse(URL, headers={b"Content-Type": f"text/html; charset={charset}".encode()}, body=body)


def test_windows_1252_labelled_utf_8_is_read_as_windows_1252():
    text = "<html><body><h1>Luton Borough Council’s performance – £5</h1></body></html>"
    response = charset_middleware().process_response(Request(URL), html(text.encode("cp1252")))
    assert response.text == text and "\ufffd" not in response.text
    assert response.body == text.encode("utf-8")  # what the page cache keeps and a 304 replays


def test_utf_8_with_a_stray_windows_1252_byte_keeps_its_good_text():
    body = "<p>Council’s figures</p><p>café</p>".encode() + b"<p>Kent County Council\x92s</p>"
    response = charset_middleware().process_response(Request(URL), html(body))
    assert response.text == "<p>Council’s figures</p><p>café</p><p>Kent County Council’s</p>"


def test_a_page_that_decodes_is_left_alone():
    response = html("<p>Council’s</p>".encode())
    assert charset_middleware().process_response(Request(URL), response) is response


def test_bytes_no_charset_explains_fail_the_page_in_another_declared_charset():
    with pytest.raises(IgnoreRequest, match="undecodable"):
        charset_middleware().process_response(Request(URL), html(b"<p>\xff\xfe\x80</p>", "euc-kr"))


def test_repaired_text_reads_pure_single_byte_text_as_windows_1252():
    assert repaired_text("£5 – Council’s".encode("cp1252"), "utf-8") == ("£5 – Council’s", "windows-1252")


def test_a_pdf_is_typed_by_its_content_type_without_reading_its_body(monkeypatch):
    from scrapy.http import Headers, TextResponse
    from scrapy.responsetypes import responsetypes

    text_like = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" * 100  # an uncompressed head, as the replica's
    monkeypatch.setattr(responsetypes, "from_body", lambda body: pytest.fail("a PDF's body was scanned"))
    pdf = responsetypes.from_args(headers=Headers({"Content-Type": "application/pdf"}), url=URL, body=text_like)
    assert pdf is PdfResponse and not issubclass(pdf, TextResponse)
    monkeypatch.undo()
    # Served under a type that says nothing, the body is still what tells.
    unlabelled = Headers({"Content-Type": "application/octet-stream"})
    assert responsetypes.from_args(headers=unlabelled, url=URL, body=text_like) is TextResponse


# --- sizes -------------------------------------------------------------------------------------


def size_limits():
    return ResponseSizeLimitMiddleware.from_crawler(get_crawler(settings_dict=harvester_settings_dict()))


def test_each_kind_of_resource_gets_its_own_size_limit():
    limits = size_limits()
    page, letter = Request(URL, meta={"page": "statistics"}), Request(URL, meta={"page": "letter"})
    limits.process_request(page)
    limits.process_request(letter)
    assert page.meta["download_maxsize"] == harvester_settings.HARVESTER_MAX_PAGE_BYTES == 2 * 1024 * 1024
    assert letter.meta["download_maxsize"] == harvester_settings.HARVESTER_MAX_LETTER_BYTES


def test_downloads_in_progress_together_stay_under_the_budget():
    limits = size_limits()
    chunk = bytes(1024 * 1024)
    requests = [Request(f"{URL}?{n}") for n in range(60)]
    with pytest.raises(StopDownload):
        for request in requests:
            limits.bytes_received(chunk, request, None)
    assert limits.total > harvester_settings.HARVESTER_MAX_BYTES_IN_FLIGHT
    for request in requests:
        limits.left_downloader(request, None)
    assert limits.total == 0 and not limits.in_flight


def test_a_refused_bomb_keeps_none_of_what_it_inflated():
    """Scrapy keeps a failed request's exception, and with it the frames of its traceback."""
    bomb = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9)
    with pytest.raises(_DecompressionMaxSizeExceeded) as refused:
        strict_decompress(bomb, b"gzip", 8 * 1024 * 1024)
    frame_bytes = 0
    traceback = refused.value.__traceback__
    while traceback is not None:
        for value in traceback.tb_frame.f_locals.values():
            if isinstance(value, list):
                frame_bytes += sum(len(item) for item in value if isinstance(item, bytes))
        traceback = traceback.tb_next
    assert frame_bytes == 0


def test_a_pages_items_travel_as_one_and_its_requests_as_they_come():
    request = Request(URL + "/next")
    authority = items.Authority("luton-borough-council", "Luton Borough Council", URL)
    error = items.CrawlError(URL, "luton-borough-council", "statistics", "layout", "no figures")
    output = list(ItemsPerPage().process_spider_output(None, iter([authority, request, error])))
    assert output == [request, items.PageItems([authority, error])]
    assert list(ItemsPerPage().process_spider_output(None, iter([request]))) == [request]


def test_items_yielded_before_a_callback_raises_still_go_on():
    authority = items.Authority("luton-borough-council", "Luton Borough Council", URL)

    def callback():
        yield authority
        raise ValueError("parser bug")

    output = ItemsPerPage().process_spider_output(None, callback())
    assert next(output) == items.PageItems([authority])
    with pytest.raises(ValueError, match="parser bug"):
        next(output)


async def collected(output) -> list:
    return [thing async for thing in output]


def test_an_async_callbacks_items_travel_as_one_too():
    request = Request(URL + "/letter.pdf")
    authority = items.Authority("luton-borough-council", "Luton Borough Council", URL)

    async def callback():
        yield request
        yield authority
        yield authority

    output = asyncio.run(collected(ItemsPerPage().process_spider_output_async(None, callback())))
    assert output == [request, items.PageItems([authority, authority])]
