"""The replica over HTTP: real wording per epoch, list pages, HTTP semantics and every fault mode."""

from __future__ import annotations

import gzip
import http.client
import re
import time
import zlib
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.replica import published
from harvester.replica.faults import FAULTS, GZIP_BOMB_INFLATED_BYTES, FaultPlan
from harvester.replica.letters import letter_era

LUTON = "/your-councils-performance/luton-borough-council/statistics"


def fetch(server, path, method="GET", headers=None, timeout=10.0):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def text_of(body: bytes) -> str:
    """The page's text with whitespace runs collapsed, as a parser reading sentences would see it."""
    return re.sub(r"\s+", " ", lxml.html.fromstring(body).text_content())


def links(body: bytes) -> dict[str, str]:
    """Link text -> href (last one wins)."""
    return {a.text_content().strip(): a.get("href") for a in lxml.html.fromstring(body).iter("a")}


def page(server, path) -> bytes:
    status, _, body = fetch(server, path)
    assert status == 200, (path, status)
    return body


# --- pages ---------------------------------------------------------------------------------


def test_index_lists_current_councils_with_statistics_links(replica_2025):
    body = page(replica_2025, "/your-councils-performance")
    anchors = links(body)
    assert anchors["Luton Borough Council"] == LUTON
    assert anchors["North Northamptonshire Council"] == (
        "/your-councils-performance/North-Northamptonshire-Council/statistics"
    )
    assert "Northampton Borough Council" not in anchors  # abolished in 2021: reached only via merger boxes
    listed = [a for a in lxml.html.fromstring(body).iter("a") if a.get("href").endswith("/statistics")]
    assert len(listed) == len(published.index_authorities(replica_2025.site, 2025))


def test_t2024_statistics_page_has_luton_figures(replica):
    text = text_of(page(replica(epoch=2024), LUTON))
    for sentence in (
        "69% of complaints we investigated were upheld.",
        "This compares to an average of 79% in similar authorities.",
        "9 upheld decisions",
        "Adjusted for Luton Borough Council's population, this is 4 upheld decisions per 100,000 residents .",
        "The average for authorities of this type is 4.6 upheld decisions per 100,000 residents.",
        "Statistics are based on a total of 13 investigations for the period between 1 April 2023 to 31 "
        "March 2024",
        "100% of cases we were satisfied the Council had successfully implemented our recommendations.",
        "Statistics are based on a total of 7 compliance outcomes for the period between 1 April 2023",
        "In 33% of upheld cases we found the Council had provided a satisfactory remedy",
        "3 satisfactory remedy decisions",
        "Statistics are based on a total of 9 upheld decisions for the period between 1 April 2023 to 31 "
        "March 2024",
        "Annual statistics ?Find out more about annual statistics",
        "Advice on comparing statistics across years",
        "Last updated: 4 April 2015",
    ):
        assert sentence in text, sentence


def test_t2023_statistics_page_says_detailed_investigations_and_public_reports(replica):
    server = replica(epoch=2023)
    kent = text_of(page(server, "/your-councils-performance/kent-county-council/statistics"))
    assert "87% of complaints we investigated were upheld." in kent
    assert (
        "a total of 61 detailed investigations for the period between 1 April 2022 to 31 March 2023" in kent
    )
    assert (
        "a total of 53 detailed investigations for the period between 1 April 2022" in kent
    )  # the remedy base
    assert "Adjusted for Kent County Council's population, this is 3.4 upheld decisions per 100,000" in kent
    assert "Public reports ?Find out more about public reports" in kent
    allerdale = text_of(page(server, "/your-councils-performance/allerdale-borough-council/statistics"))
    assert "1 upheld decision " in allerdale and "1 satisfactory remedy decision " in allerdale
    assert "0% of cases we were satisfied the Council had successfully implemented" in allerdale
    assert "a total of 0 compliance outcomes" in allerdale
    assert "No public reports published" in allerdale


def test_t2025_statistics_page_opens_with_complaint_overview(replica_2025):
    text = text_of(page(replica_2025, "/your-councils-performance/birmingham-city-council/statistics"))
    assert (
        "Between 1 April 2024 to 31 March 2025, we dealt with 572 complaints. Of these, 232 were not for us "
        "or not "
        "ready for us to investigate. We assessed and closed 226 complaints. We investigated 114 complaints."
    ) in text
    assert "We investigated 114 complaints and upheld 94." in text
    assert "82% of complaints we investigated were upheld. This compares to an average of 81%" in text
    assert (
        "View upheld decisions Adjusted for Birmingham City Council's population, this is 8.1 upheld" in text
    )


def test_t2025_early_snapshot_has_percent_typo_and_no_upheld_link(replica_2025):
    body = page(replica_2025, "/your-councils-performance/kent-county-council/statistics")
    text = text_of(body)
    assert (
        "Adjusted for Kent County Council's population, this is 3.9% upheld decisions per 100,000 residents."
        in text
    )
    assert "View upheld decisions" not in text
    assert "View all satisfactory remedy decisions" in text


def test_abolished_council_uses_frozen_t2025_layout(replica_2025):
    text = text_of(page(replica_2025, "/your-councils-performance/northampton-borough-council/statistics"))
    assert "Complaint overview" not in text
    assert "50% of complaints we investigated were upheld. This compares to an average of 51%" in text
    assert (
        "2 upheld decisions View upheld decisionsStatistics are based on a total of 4 investigations" in text
    )
    assert "No recommendations were due for compliance in this period" in text
    assert "of cases we were satisfied" not in text
    assert "per 100,000 residents" not in text


def test_merger_box_links_reach_predecessors_and_one_404s(replica_2025):
    wf = page(replica_2025, "/your-councils-performance/westmorland-and-furness-council/statistics")
    assert "Westmorland &amp; furness Council is a merger of several councils" in wf.decode()
    assert links(wf)["Eden District Council"] == "/your-councils-performance/eden-district-council/statistics"
    west = links(page(replica_2025, "/your-councils-performance/West-Northamptonshire-Council/statistics"))
    assert west["Northamptonshire County Council"] == (
        "/your-councils-performance/Northamptonshire-County-Council/statistics"
    )
    assert fetch(replica_2025, west["Northamptonshire County Council"])[0] == 200
    bcp = links(
        page(replica_2025, "/your-councils-performance/bournemouth-christchurch-and-poole-council/statistics")
    )
    assert fetch(replica_2025, bcp["Poole Borough Council"])[0] == 200
    assert fetch(replica_2025, bcp["Borough of Poole"])[0] == 404


def test_slug_matching_ignores_case_and_trailing_slash(replica_2025):
    shouted = page(replica_2025, "/your-councils-performance/LUTON-Borough-Council/STATISTICS/")
    assert shouted == page(replica_2025, LUTON)


def test_letters_list_links_each_year_newest_first(replica_2025):
    body = page(replica_2025, "/your-councils-performance/luton-borough-council/annualletters")
    text = text_of(body)
    assert "Luton Borough Council Annual letters We write to councils each year" in text
    titles = [t for t in links(body) if t.startswith("Annual review letter")]
    assert titles == [f"Annual review letter {year}" for year in range(2025, 2013, -1)]


def test_letter_pdfs_of_each_era_are_served(replica_2025):
    luton = published.find_authority(replica_2025.site, "luton-borough-council")
    letters = published.letters_in_epoch(replica_2025.site, luton, 2025)
    by_era = {letter_era(letter.year): letter for letter in letters}
    assert len(by_era) == 3
    for letter in by_era.values():
        status, headers, body = fetch(replica_2025, letter.pdf_path)
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        assert body.startswith(b"%PDF-") and int(headers["Content-Length"]) == len(body)


def test_reports_list_and_decision(replica_2025):
    body = page(replica_2025, "/your-councils-performance/luton-borough-council/reports")
    text = text_of(body)
    assert "The Ombudsman has published the following reports against Luton Borough Council" in text
    assert "Luton Borough Council is improving the way it administers benefits appeals" in text
    assert re.search(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                     r"November|December) 20\d\d\b", text)  # fmt: skip
    report = next(href for href in links(body).values() if href.startswith("/decisions/"))
    assert fetch(replica_2025, report)[0] == 200
    poole = text_of(page(replica_2025, "/your-councils-performance/poole-borough-council/reports"))
    assert "No reports published" in poole


def _improvements(server, query=""):
    return page(server, f"/your-councils-performance/birmingham-city-council/serviceimprovements{query}")


def test_improvements_pager(replica_2025):
    first = _improvements(replica_2025)
    text = text_of(first)
    total = int(re.search(r"(\d+) service improvements", text).group(1))
    assert total > 30 and text.count("Case reference:") == 10
    anchors = links(first)
    assert "Previous" not in anchors and anchors["Next"].endswith("serviceimprovements?page=2")
    pages_count = -(-total // 10)
    last = _improvements(replica_2025, f"?page={pages_count}")
    assert "Next" not in links(last) and "Previous" in links(last)
    assert text_of(last).count("Case reference:") == total - 10 * (pages_count - 1)
    status, _, _ = fetch(replica_2025,
 f"/your-councils-performance/birmingham-city-council/serviceimprovements"
                                       f"?page={pages_count + 1}")  # fmt: skip
    assert status == 404


def test_improvements_filters_by_category_and_year(replica_2025):
    tree = lxml.html.fromstring(_improvements(replica_2025))
    form = tree.xpath("//form[.//select[@name='category']]")[0]
    options = {o.text: o.get("value") for o in form.xpath(".//select[@name='category']/option")}
    assert options["All categories"] == ""
    name, category_id = next((n, v) for n, v in options.items() if v)
    filtered = _improvements(replica_2025, f"?category={category_id}")
    categories = re.findall(r"Category: (.+?) Sub Category:", text_of(filtered))
    assert categories and set(categories) == {name}
    for href in links(filtered).values():
        if "page=" in href:
            assert parse_qs(urlsplit(href).query)["category"] == [category_id]
    years = [o.get("value") for o in form.xpath(".//select[@name='year']/option") if o.get("value")]
    birmingham = published.find_authority(replica_2025.site, "birmingham-city-council")
    expected = [i for i in published.improvements_in_epoch(replica_2025.site, birmingham, 2025)
                if i.year == int(years[0])]  # fmt: skip
    text = text_of(_improvements(replica_2025, f"?year={years[0]}"))
    assert f"{len(expected)} service improvements" in text
    assert "No service improvements found" in text_of(_improvements(replica_2025, "?category=999999"))


def test_decision_page_and_upheld_listing(replica_2025):
    improvement_links = links(_improvements(replica_2025))
    decisions = [(t, h) for t, h in improvement_links.items() if h.startswith("/decisions/")]
    texts = [text_of(page(replica_2025, href)) for _, href in decisions]
    for (reference, _), text in zip(decisions, texts, strict=True):
        # Three templates (replica.decisions.TEMPLATES): "Category : …" inline, or "Category" then its value.
        assert f"Birmingham City Council ({reference})" in text
        assert re.search(r"Category(?: : )?[^>]+ > ", text) and re.search(r"Decision(?: : )?(Upheld|Not upheld)", text)
        assert re.search(r"Decision date(?: : )?\d{1,2} [A-Z][a-z]{2} 20\d\d", text)
    assert any("The Ombudsman's final decision: Summary:" in text for text in texts)
    statistics = links(page(replica_2025, "/your-councils-performance/birmingham-city-council/statistics"))
    listing = statistics["View upheld decisions"]
    assert listing == "/decisions/2025/u/Listing?aname=Birmingham+City+Council"
    assert "Decisions for Birmingham City Council" in text_of(page(replica_2025, listing))


def test_robots_txt_allows_the_crawled_paths(replica_2025):
    status, headers, body = fetch(replica_2025, "/robots.txt")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    for line in ("Allow: /your-councils-performance", "Allow: /assets", "Allow: /decisions"):
        assert line in body.decode()


def test_unknown_slugs_404(replica_2025):
    assert fetch(replica_2025, "/your-councils-performance/no-such-council/statistics")[0] == 404
    assert fetch(replica_2025, "/your-councils-performance/borough-of-poole/annualletters")[0] == 404
    assert fetch(replica_2025, "/assets/attach/1/nothing.pdf")[0] == 404


def test_set_epoch_publishes_another_year(replica):
    server = replica(epoch=2024)
    assert "1 April 2023 to 31 March 2024" in text_of(page(server, LUTON))
    server.set_epoch(2025)
    assert "1 April 2024 to 31 March 2025" in text_of(page(server, LUTON))


# --- HTTP semantics ------------------------------------------------------------------------


def test_conditional_requests_get_304(replica_2025):
    status, headers, body = fetch(replica_2025, LUTON)
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    published_on = published.publication_date(2025)
    assert etag.startswith('"') and last_modified == f"{published_on:%a, %d %b %Y} 09:00:00 GMT"
    assert fetch(replica_2025, LUTON, headers={"If-None-Match": etag})[0] == 304
    assert fetch(replica_2025, LUTON, headers={"If-None-Match": '"other"'})[0] == 200
    assert fetch(replica_2025, LUTON, headers={"If-Modified-Since": last_modified})[0] == 304
    assert (
        fetch(replica_2025, LUTON, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})[0] == 200
    )


def test_gzip_when_accepted(replica_2025):
    _, plain_headers, plain = fetch(replica_2025, LUTON)
    status, headers, body = fetch(replica_2025, LUTON, headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
    assert headers["ETag"] != plain_headers["ETag"]
    assert "Content-Encoding" not in fetch(replica_2025, LUTON, headers={"Accept-Encoding": "gzip;q=0"})[1]


def test_head_sends_headers_only(replica_2025):
    _, _, body = fetch(replica_2025, LUTON)
    status, headers, head_body = fetch(replica_2025, LUTON, method="HEAD")
    assert status == 200 and head_body == b"" and int(headers["Content-Length"]) == len(body)


def test_keep_alive_serves_several_requests_on_one_connection(replica_2025):
    connection = http.client.HTTPConnection("127.0.0.1", replica_2025.port, timeout=10)
    try:
        for path in (LUTON, "/robots.txt", "/your-councils-performance"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        assert connection.sock is not None
    finally:
        connection.close()


def test_request_log_records_method_path_status(replica):
    server = replica()
    fetch(server, "/nope")
    fetch(server, LUTON, method="HEAD")
    # The server logs a request just after sending its last byte: give it a moment.
    deadline = time.monotonic() + 5
    while len(server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.requests == [("GET", "/nope", 404), ("HEAD", LUTON, 200)]


# --- faults --------------------------------------------------------------------------------


def test_fault_choice_is_seeded_and_roughly_the_rate():
    paths = [f"/your-councils-performance/council-{n}/statistics" for n in range(2000)]
    chosen = {p for p in paths if FaultPlan(["http500"], seed=7).owner(p, "statistics")}
    assert chosen == {p for p in paths if FaultPlan(["http500"], seed=7).owner(p, "statistics")}
    assert chosen != {p for p in paths if FaultPlan(["http500"], seed=8).owner(p, "statistics")}
    assert 30 <= len(chosen) <= 90  # 3% of 2000
    assert FaultPlan(["http500"]).owner("/your-councils-performance", "index") is None
    with pytest.raises(ValueError, match="unknown fault"):
        FaultPlan(["http999"])


@pytest.mark.parametrize("name, status", [("http500", 500), ("http503", 503), ("http429", 429)])
def test_transient_status_faults_fail_once_then_succeed(replica, name, status):
    server = replica(faults=[f"{name}@1"])
    first_status, headers, _ = fetch(server, LUTON)
    assert first_status == status
    if name == "http429":
        assert headers["Retry-After"] == "1"
    assert fetch(server, LUTON)[0] == 200
    assert fetch(server, "/your-councils-performance")[0] == 200  # the index is never faulted
    assert server.faults.faulted == [(name, LUTON)]


def test_always_suffix_makes_a_fault_persistent(replica):
    server = replica(faults=["http503:always@1"])
    assert [fetch(server, LUTON)[0] for _ in range(3)] == [503, 503, 503]


def test_hang_holds_the_connection_then_closes(replica):
    server = replica(faults=["hang@1"], hang_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(http.client.RemoteDisconnected):
        fetch(server, LUTON)
    assert time.monotonic() - started >= 0.45
    assert fetch(server, LUTON)[0] == 200
    assert ("GET", LUTON, None) in server.requests


def test_truncated_sends_half_the_body_without_length(replica):
    server = replica(faults=["truncated@1"])
    status, headers, cut = fetch(server, LUTON)
    _, _, whole = fetch(server, LUTON)
    assert status == 200 and "Content-Length" not in headers and headers["Connection"] == "close"
    assert cut == whole[: len(whole) // 2]


def test_malformed_html_keeps_the_wording(replica):
    server = replica(epoch=2024, faults=["malformed-html@1"])
    _, _, body = fetch(server, LUTON)
    assert b"\xff\xfe" in body and b"</div>" not in body
    assert "69% of complaints we investigated were upheld." in body.decode("utf-8", errors="replace")


def test_corrupt_pdf_is_still_labelled_pdf(replica, replica_2025):
    server = replica(faults=["corrupt-pdf@1"])
    luton = published.find_authority(server.site, "luton-borough-council")
    for letter in published.letters_in_epoch(server.site, luton, 2025)[-4:]:
        genuine = page(replica_2025, letter.pdf_path)
        status, headers, body = fetch(server, letter.pdf_path)
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        assert body.startswith(b"%PDF-") and body != genuine
    assert fetch(server, LUTON)[0] == 200  # HTML is not a PDF


def test_redirect_offsite(replica):
    server = replica(faults=["redirect-offsite@1"])
    status, headers, _ = fetch(server, LUTON)
    assert status == 302 and headers["Location"] == "http://example.invalid" + LUTON


def test_gzip_bomb_inflates_to_hundreds_of_megabytes(replica):
    server = replica(faults=["gzip-bomb@1"])
    status, headers, body = fetch(server, LUTON)
    assert status == 200 and headers["Content-Encoding"] == "gzip" and len(body) < 1_000_000
    inflater, inflated = zlib.decompressobj(31), 0
    for start in range(0, len(body), 65536):
        inflated += len(inflater.decompress(body[start : start + 65536]))
    assert inflated == GZIP_BOMB_INFLATED_BYTES


LUTON_REPORTS = "/your-councils-performance/luton-borough-council/reports"


@pytest.mark.parametrize("name", ["gzip-cut", "gzip-cut-chunked"])
def test_gzip_cut_sends_a_well_framed_body_whose_stream_stops_short(replica, name):
    server = replica(faults=[f"{name}@1"])
    status, headers, body = fetch(server, LUTON_REPORTS)  # http.client reads exactly the framed body
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    if name == "gzip-cut":
        assert int(headers["Content-Length"]) == len(body)
    else:
        assert headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in headers
    whole = page(server, LUTON_REPORTS)  # transient: the second request gets the page
    assert len(body) == int(len(gzip.compress(whole, mtime=0)) * 0.45)
    inflater = zlib.decompressobj(31)
    cut_text = inflater.decompress(body)
    assert not inflater.eof and whole.startswith(cut_text) and len(cut_text) < len(whole)


def test_wrong_charset_sends_windows_1252_labelled_utf_8(replica, replica_2025):
    server = replica(faults=["wrong-charset@1"])
    status, headers, body = fetch(server, LUTON)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    right = page(replica_2025, LUTON).decode("utf-8")
    assert "’" in right and body == right.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_letter_bombs_are_far_larger_than_any_letter(replica, replica_2025):
    letters = page(replica_2025, "/your-councils-performance/luton-borough-council/annualletters")
    pdf = next(href for href in links(letters).values() if href and href.endswith(".pdf"))
    pdf_path = urlsplit(pdf).path
    status, headers, body = fetch(replica(faults=["letter-bomb@1"]), pdf_path, timeout=30)
    assert status == 200 and "Content-Length" not in headers
    assert body.startswith(b"%PDF-") and len(body) == 40 * 1024 * 1024
    status, headers, body = fetch(replica(faults=["letter-gzip-bomb@1"]), pdf_path)
    assert status == 200 and headers["Content-Encoding"] == "gzip" and len(body) < 1_000_000


def test_robots_503(replica):
    server = replica(faults=["robots-503"])
    assert [fetch(server, "/robots.txt")[0] for _ in range(2)] == [503, 503]
    assert fetch(server, LUTON)[0] == 200


def test_cli_help_explains_epochs_seeds_and_faults():
    result = CliRunner().invoke(cli, ["replica", "--help"])
    assert result.exit_code == 0
    for word in ("EPOCH", "2023", "2024-25", "SEED", "--fault-seed", "--ground-truth", *FAULTS):
        assert word in result.output, word
