"""The "Your council's performance" spider: navigation only.

It starts at the index (or at the statistics pages of the authorities asked for), follows
merger-box links to predecessor councils, and from each statistics page the links the page
names: "View annual letters", the reports "View all", the service improvements "View all" and
then the pager's "Next", "View upheld decisions" and "View all satisfactory remedy decisions", and the
decision page of every listed case, report and improvement not stored yet. A crawl of the whole index
also reads the annual review hub page and each year's data files it links. Parsing lives in
harvester.pages and harvester.datafiles; storing in pipelines.

Each authority's requests are counted; when the last one finishes the spider sends
AuthorityDone, so the store can write that authority's rows in one transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import re
from collections import defaultdict
from urllib.parse import urlsplit

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from harvester import items
from harvester.datafiles import read_data_file_item
from harvester.letters import read_letter
from harvester.pages.annual_review import HUB_PATH, files_to_read, parse_hub
from harvester.pages.decisions import (
    case_ref_in_url,
    decision_from_pages,
    decision_search_url,
    decision_url_key,
    listing_page_key,
    listing_page_limit,
    parse_decision_listing,
    parse_decision_page,
)
from harvester.pages.html import PageLayoutError
from harvester.pages.improvements import parse_improvements_page
from harvester.pages.index import (
    NotASlug,
    checked_slug,
    parse_index,
    slug_from_statistics_url,
    statistics_url,
)
from harvester.pages.letters_list import parse_letters_list
from harvester.pages.reports_list import parse_reports_list, unread_dates
from harvester.pages.statistics import parse_statistics_page
from harvester.settings import REAL_SITE

LIST_PARTS = ("letters", "reports", "improvements")
OVERSIZED = re.compile(r"Expected to receive (\d+) bytes which is larger than download max size \((\d+)\)")
"""Scrapy's words for a page whose Content-Length is over its size limit (scrapy.utils._download_handlers)."""


def counted(callback):
    """Wrap a callback so its authority's request count always goes down, and a page that
    can't be read becomes a recorded error instead of a lost authority."""

    @functools.wraps(callback)
    def wrapper(self, response):
        key, page = response.meta["authority"], response.meta["page"]
        try:
            yield from self.counting(callback(self, response))
        except Exception as error:  # noqa: BLE001 - any parser failure is recorded, loudly
            self.part_failed(key, page)
            problem = items.CrawlError(response.url, key, page, "layout", f"{type(error).__name__}: {error}")
            yield from self.counting([problem])
        yield from self.finished(key)

    return wrapper


class PerformanceSpider(scrapy.Spider):
    name = "performance"

    def __init__(
        self,
        base_url: str = REAL_SITE,
        authorities: tuple[str, ...] | str = (),
        letters_read: frozenset[str] = frozenset(),
        decisions_read: dict[str, frozenset[str]] | None = None,
        decision_search_starts: dict[str, str] | None = None,
        lists_fresh: frozenset[str] = frozenset(),
        pages_saved: dict[str, str] | None = None,
        oversized_pages: dict[str, int] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.requested_slugs = authority_slugs(authorities)
        self.letters_read = letters_read
        """PDF URLs already read: letters don't change once published, so they are not fetched again."""
        self.decisions_requested = {ref: set(urls) for ref, urls in (decisions_read or {}).items()}
        """Case reference -> URLs (`decision_url_key`) stored or requested this run: a decision is published once and
        never changes, but the same case at a second URL is read too, to be compared (store.one_url_per_case)."""
        self.authority_names: dict[str, str] = {}
        """key -> the authority's name as its statistics page prints it: the body its reports and listings are about."""
        self.decision_search_starts = decision_search_starts or {}
        """slug -> day: an authority whose back-fill is complete is searched only from its newest decision."""
        self.decision_searches_completed: dict[str, str] = {}
        """slug -> HARVESTER_DECISIONS_SINCE, for each decision search read to its end within the budget."""
        self.duplicate_slugs: dict[str, str] = {}
        """Case-folded slug -> the slug of the council whose page it serves (StatisticsPage.own_slug)."""
        self.allowed_domains = [urlsplit(self.base_url).hostname]
        self.pending: dict[str, int] = {}
        self.items_sent: dict[str, int] = {}
        self.failed_parts: dict[str, set[str]] = {}
        self.lists_fresh = lists_fresh
        """Lists read in full lately (harvester.crawl.fresh_pages): not requested again while unchanged."""
        self.pages_saved = pages_saved or {}
        self.oversized_pages = oversized_pages or {}
        """url -> size of each decision page too big when last asked for (store.oversized_pages): only its size is
        asked for (HEAD) until that changes, so it fails one night, not every night."""
        """url -> SHA-256 of the body last saved from it."""
        self.unchanged_parts: dict[str, set[str]] = defaultdict(set)

    async def start(self):
        if self.requested_slugs:
            for slug in self.requested_slugs:
                for request in self.follow_authority(statistics_url(self.base_url, slug)):
                    yield request
            return
        yield scrapy.Request(
            f"{self.base_url}/your-councils-performance",
            callback=self.parse_index,
            errback=self.national_page_failed,
            meta={"page": "index"},
        )
        yield scrapy.Request(
            self.base_url + HUB_PATH, callback=self.parse_hub, errback=self.national_page_failed, meta={"page": "hub"}
        )

    def parse_index(self, response):
        """@site_page /your-councils-performance
        @returns requests 300
        @returns items 0 0
        """
        try:
            listed = parse_index(response.text, response.url)
        except PageLayoutError as error:
            yield items.CrawlError(response.url, None, "index", "layout", str(error))
            return
        for authority in listed:
            yield from self.follow_authority(authority.url)

    def parse_hub(self, response):
        """The annual review hub: each year's data files, followed by their link text (a site without the
        hub, a 404, is a harvest without data files, not a failure)."""
        try:
            links = files_to_read(parse_hub(response.text, response.url))
        except PageLayoutError as error:
            yield items.CrawlError(response.url, None, "hub", "layout", str(error))
            return
        for link in links:
            url = self.on_our_host(link.url)
            if urlsplit(url).hostname not in self.allowed_domains:
                yield items.CrawlError(url, None, "datafile", "offsite", "link to another host not followed")
                continue
            yield scrapy.Request(
                url, callback=self.parse_data_file, errback=self.national_page_failed,
                meta={"page": "datafile", "data_file": link}, dont_filter=True,
            )  # fmt: skip

    async def parse_data_file(self, response):
        """A data file, fetched conditionally like a page (an unchanged file answers 304 and is read from
        the page cache): its values, or an error naming what the reader expected."""
        link = dataclasses.replace(response.meta["data_file"], url=response.url)
        if "cached" in response.flags and self.pages_saved.get(response.url) == sha256(response.body):
            # It answered 304 and is the file whose values are stored: nothing to read again.
            self.crawler.stats.inc_value("harvester/data_files_unchanged")
            return
        # Read in a worker process, as letters are; waiting on it in a thread keeps the downloads going.
        yield await asyncio.to_thread(read_data_file_item, response.body, link)

    def national_page_failed(self, failure):
        """The index, the hub or a data file failed: no authority's page."""
        yield failure_to_error(failure, None, failure.request.meta["page"])

    def follow_authority(self, url: str, found_on: str = "index"):
        try:
            key = checked_slug(slug_from_statistics_url(url)).lower()
        except NotASlug as error:
            yield items.CrawlError(url, None, found_on, "layout", str(error))
            return
        if key in self.pending:
            return
        self.pending[key] = 0
        self.items_sent[key] = 0
        self.failed_parts[key] = set()
        self.crawler.stats.inc_value("harvester/authorities_found")
        yield self.request(url, key, "statistics", self.parse_statistics)

    def request(self, url: str, key: str, page: str, callback, **meta):
        """A request on behalf of one authority, known by its case-folded slug (the site's slugs are
        case-insensitive and the same council may be linked in two spellings).

        Every request is counted until its callback or errback runs, so none may be dropped
        silently: links to another host are refused here as errors, and Scrapy's duplicate filter
        is off because each URL is requested once by construction."""
        url = self.on_our_host(url)
        if urlsplit(url).hostname not in self.allowed_domains:
            self.part_failed(key, page)
            return items.CrawlError(url, key, page, "offsite", "link to another host not followed")
        self.pending[key] += 1
        method = "GET"
        if page == "decision" and url in self.oversized_pages:
            method, callback, meta = "HEAD", self.unless_still_oversized, {"asked": (callback.__name__, meta)}
        return scrapy.Request(
            url,
            method=method,
            callback=callback,
            errback=self.request_failed,
            meta={"authority": key, "page": page, **meta},
            dont_filter=True,
        )

    @counted
    def unless_still_oversized(self, response):
        """The size of a decision page too big when last asked for: the same, it is skipped (its error was
        recorded the night it failed); another, the page is asked for again."""
        size = response.headers.get(b"Content-Length")
        if size is not None and int(size) == self.oversized_pages[response.url]:
            self.crawler.stats.inc_value("harvester/oversized_skipped")
            return
        del self.oversized_pages[response.url]
        name, asked = response.meta["asked"]
        yield self.request(response.url, response.meta["authority"], "decision", getattr(self, name), **asked)

    def on_our_host(self, url: str) -> str:
        """The site answers on both www.lgo.org.uk and lgo.org.uk (SEEN); keep to the host crawled."""
        ours = urlsplit(self.base_url)
        parts = urlsplit(url)
        if (
            parts.hostname
            and parts.hostname != ours.hostname
            and parts.hostname == ours.hostname.removeprefix("www.")
        ):
            return parts._replace(scheme=ours.scheme, netloc=ours.netloc).geturl()
        return url

    @counted
    def parse_statistics(self, response):
        """Everything the page gives, each part on its own: a figures block or a link that can't be read
        is a recorded layout error, and the authority's other parts are still followed and saved.

        @site_page /your-councils-performance/luton-borough-council/statistics luton-borough-council statistics
        @returns items 2
        @returns requests 3
        """
        key = response.meta["authority"]
        page = parse_statistics_page(response.text, response.url)
        if page.authority is None:
            raise PageLayoutError(response.url, "none of a statistics page's wording (maintenance page?)")
        if page.own_slug and page.own_slug.lower() != key:
            # Another council's page under a second slug: saved (and listed) under its own slug alone, never twice.
            self.duplicate_slugs[key] = page.own_slug
            self.logger.warning("%s serves the page of %s: not saved under it", response.url, page.own_slug)
            yield from self.follow_authority(statistics_url(self.base_url, page.own_slug))
            return
        self.authority_names[key] = page.authority.name
        yield page.authority
        if page.statistics is not None:
            yield page.statistics
        for part, problem in page.problems.items():
            yield items.CrawlError(response.url, key, "statistics", "layout", problem)
            if part in LIST_PARTS:
                self.part_failed(key, part)
        for predecessor_url in page.authority.predecessor_urls:
            yield from self.follow_authority(predecessor_url, "statistics")
        as_saved = self.as_last_saved(response)
        if page.letters_url and not self.left_as_stored(as_saved, key, "letters", page.letters_url):
            yield self.request(page.letters_url, key, "letters", self.parse_letters)
        if page.reports_url and not self.left_as_stored(as_saved, key, "reports", page.reports_url):
            yield self.request(page.reports_url, key, "reports", self.parse_reports)
        improvements = page.improvements_url
        if improvements and not self.left_as_stored(as_saved, key, "improvements", improvements):
            yield self.request(improvements, key, "improvements", self.parse_improvements)
        # No "View all": whatever the teaser shows (usually nothing) is the whole list.
        yield from self.with_decisions(page.teaser_improvements)
        yield from self.follow_decision_listings(page, key, as_saved)

    def as_last_saved(self, statistics) -> bool:
        """Whether a statistics page is exactly the one last saved (it answered 304, or the same bytes): hashed
        once per page, for the up to five lists it links."""
        saved = self.pages_saved.get(statistics.url)
        return saved is not None and sha256(statistics.body) == saved

    def left_as_stored(self, statistics_as_saved: bool, key: str, part: str, url: str) -> bool:
        """Whether a list the statistics page links is skipped: the page is as last saved (`as_last_saved`)
        and the list was read in full within HARVESTER_LIST_MAX_AGE_DAYS. Its stored rows are then left as
        they are, neither rewritten nor marked gone (AuthorityDone names it unchanged)."""
        if not statistics_as_saved or self.on_our_host(url) not in self.lists_fresh:
            return False
        self.unchanged_parts[key].add(part)
        self.crawler.stats.inc_value("harvester/lists_left_as_stored")
        return True

    @counted
    def parse_letters(self, response):
        """@site_page /your-councils-performance/luton-borough-council/annualletters luton-borough-council letters
        @returns items 10
        @returns requests 10
        @scrapes authority_slug year label pdf_url source_url
        """
        key = response.meta["authority"]
        for link in parse_letters_list(response.text, response.url):
            yield link
            if link.pdf_url not in self.letters_read:
                # Letters are stored once read, so they have no use for the page cache.
                yield self.request(
                    link.pdf_url, key, "letter", self.parse_letter_pdf, letter=link, dont_cache=True
                )

    async def parse_letter_pdf(self, response):
        key = response.meta["authority"]
        try:
            # PDF reading runs in child processes; waiting on them in a thread keeps the downloads going.
            found = await asyncio.to_thread(read_letter, response.body, response.meta["letter"])
        except Exception as error:  # noqa: BLE001 - a reader bug must not lose the whole authority
            found = [
                items.CrawlError(
                    response.url, key, "letter", "unreadable", f"{type(error).__name__}: {error}"
                )
            ]
        for item in [*self.counting(found), *self.finished(key)]:
            yield item

    @counted
    def parse_reports(self, response):
        """@site_page /your-councils-performance/luton-borough-council/reports luton-borough-council reports
        @returns items 1
        @scrapes authority_slug title url source_url
        """
        reports = parse_reports_list(response.text, response.url)
        yield from recorded_warnings(response.url, response.meta["authority"], "reports", unread_dates(reports))
        yield from self.with_decisions(reports)

    @counted
    def parse_improvements(self, response):
        """@site_page /your-councils-performance/luton-borough-council/serviceimprovements luton-borough-council improvements
        @returns items 1
        @scrapes authority_slug case_ref category sub_category source_url
        """
        page = parse_improvements_page(response.text, response.url)
        list_url = response.meta.get("list_url", response.url)
        for improvement in page.improvements:
            # Cases move down the pager as new ones arrive: credit the list, not the page, so a
            # case's provenance doesn't change every time the council agrees another.
            improvement.source_url = list_url
            yield from self.with_decisions([improvement])
        if page.next_url:
            key = response.meta["authority"]
            yield self.request(page.next_url, key, "improvements", self.parse_improvements, list_url=list_url)

    def with_decisions(self, listed):
        """Reports and improvements, each followed by a request for its decision page when it links one."""
        for item in listed:
            yield item
            is_report = isinstance(item, items.Report)
            url = item.url if is_report else item.decision_url
            if url and case_ref_in_url(url):
                listed_as = self.authority_names.get(item.authority_slug.lower())
                yield from self.follow_decision(url, item.authority_slug, is_report, listed_as=listed_as)

    def follow_decision_listings(self, page, key: str, statistics_as_saved: bool):
        """The statistics page's "View upheld decisions" and "View all satisfactory remedy decisions", and
        with HARVESTER_DECISIONS_SINCE the decision search for the authority (a search yields no listing)."""
        if page.statistics is None:
            return
        since = max(self.decisions_since or "", self.decision_search_starts.get(page.authority.slug, ""))
        searches = [(None, decision_search_url(self.base_url, page.authority.name, since), None)]
        figures = page.statistics
        for listing, url, expected in [
            ("upheld", page.upheld_decisions_url, figures.upheld_decisions),
            ("remedy", page.remedy_decisions_url, figures.remedy_decisions),
            *(searches if self.decisions_since else []),
        ]:
            if not url or (listing is not None and self.left_as_stored(statistics_as_saved, key, listing, url)):
                continue
            if self.within_decision_budget():
                yield self.request(
                    url, key, "decision_listings", self.parse_decision_listing, slug=page.authority.slug,
                    year=page.statistics.year, listing=listing, list_url=url, case_refs=[],
                    visited=[listing_page_key(url)], expected=expected, page_limit=None,
                    listed_as=page.authority.name if listing else None,
                )  # fmt: skip

    @property
    def decisions_since(self) -> str | None:
        return self.settings.get("HARVESTER_DECISIONS_SINCE")

    @property
    def decision_budget(self) -> int | None:
        return self.settings.getint("HARVESTER_DECISION_BUDGET") or None

    def within_decision_budget(self, requests: int = 1) -> bool:
        """Count decision requests against HARVESTER_DECISION_BUDGET (a report's chapters all at once, so a report
        is read whole or not at all); False, counting none, when they don't fit in what is left."""
        stats = self.crawler.stats
        if self.decision_budget is not None and stats.get_value("harvester/decision_requests", 0) + requests > self.decision_budget:
            stats.set_value("harvester/decision_budget_reached", True)
            return False
        stats.inc_value("harvester/decision_requests", requests)
        return True

    @counted
    def parse_decision_listing(self, response):
        """One page of a listing; the listing is yielded whole once its last page is read."""
        meta = response.meta
        listing = parse_decision_listing(response.text, response.url)
        yield from recorded_warnings(response.url, meta["authority"], "decision_listings", listing.warnings)
        case_refs = meta["case_refs"] + [card.case_ref for card in listing.cards]
        # A card whose case the page doesn't tell is a case the listing shows and doesn't name.
        skipped = meta.get("skipped", 0) + listing.skipped
        unlinked = meta.get("unlinked", 0) + sum(card.url is None for card in listing.cards)
        for card in listing.cards:
            # A listing is about its authority; a search shows other bodies too, each card naming its own (or none).
            listed_as = meta["listed_as"] or card.authority_name
            if card.url:
                yield from self.follow_decision(card.url, meta["slug"], card.is_report, card.case_ref, listed_as)
        if listing.next_url:
            # A pager that comes back to a page, or goes on past what the listing is said to hold, is not followed
            # to its end: the listing is a recorded failure and its stored row is kept.
            next_key = listing_page_key(listing.next_url)
            if next_key in meta["visited"]:
                raise PageLayoutError(response.url, f"the pager's 'Next' goes back to {listing.next_url}")
            expected = listing.results if meta["expected"] is None else meta["expected"]
            limit = meta["page_limit"] or listing_page_limit(expected, len(listing.cards))
            if len(meta["visited"]) >= limit:
                raise PageLayoutError(
                    response.url, f"the pager goes on past {limit} pages, more than the {expected} cases the "
                    f"listing is said to hold fill; 'Next' is {listing.next_url}",
                )  # fmt: skip
            if not self.within_decision_budget():
                return  # the listing is left as stored; the next run reads it again
            yield self.request(
                listing.next_url, meta["authority"], "decision_listings", self.parse_decision_listing,
                slug=meta["slug"], year=meta["year"], listing=meta["listing"], list_url=meta["list_url"],
                case_refs=case_refs, visited=[*meta["visited"], next_key], skipped=skipped, unlinked=unlinked,
                expected=meta["expected"], page_limit=limit, listed_as=meta["listed_as"],
            )  # fmt: skip
            return
        if skipped:
            # Its case refs would be fewer than it shows: the listing is a recorded failure, its stored row kept.
            raise PageLayoutError(response.url, f"{skipped} of the cards of the listing {meta['list_url']} don't "
                                  "tell their case (see its warnings): it is left as stored")  # fmt: skip
        if meta["listing"] is None:
            # A decision search: its cards are only a way to the decisions. Read to its end with every card
            # followed, it completes the back-fill; later runs search only from the newest stored decision.
            if not unlinked and not self.crawler.stats.get_value("harvester/decision_budget_reached"):
                self.decision_searches_completed[meta["slug"]] = self.decisions_since
            return
        yield items.DecisionListing(
            authority_slug=meta["slug"],
            year=meta["year"],
            listing=meta["listing"],
            listed=len(case_refs),
            case_refs=case_refs,
            source_url=meta["list_url"],
        )

    def follow_decision(
        self, url: str, slug: str, is_report: bool, case_ref: str | None = None, listed_as: str | None = None
    ):
        """A decision page, unless stored already or requested this run from the same URL (decisions don't change)."""
        case_ref = case_ref or case_ref_in_url(url)
        urls = self.decisions_requested.setdefault(case_ref, set())
        if decision_url_key(url) in urls or not self.within_decision_budget():
            return
        urls.add(decision_url_key(url))
        # Decisions are stored once read, so they have no use for the page cache.
        yield self.request(
            url, slug.lower(), "decision", self.parse_decision, slug=slug, is_report=is_report,
            decision_url=url, chapters_read=[], chapters_left=None, dont_cache=True, listed_as=listed_as,
        )  # fmt: skip

    @counted
    def parse_decision(self, response):
        """A decision page; a report's other chapters are read one after another, then joined."""
        meta = response.meta
        page = parse_decision_page(response.text, response.url)
        yield from recorded_warnings(response.url, meta["authority"], "decision", page.warnings)
        read = [*meta["chapters_read"], page]
        left = meta["chapters_left"]
        if left is None:
            left = page.chapter_urls
            if left and not self.within_decision_budget(len(left)):
                # Left unstored, not half-stored: a later run with the budget to spare reads it whole. One that no run
                # could read fails the run, so it is not left out night after night in silence.
                if self.decision_budget is not None and len(left) + 1 > self.decision_budget:
                    message = (f"a report of {len(left) + 1} pages needs more than --max-requests "
                               f"{self.decision_budget} allows: not read")  # fmt: skip
                    yield items.CrawlError(response.url, meta["authority"], "decision", "budget", message)
                return
        if left:
            yield self.request(
                left[0], meta["authority"], "decision", self.parse_decision, slug=meta["slug"],
                is_report=meta["is_report"], decision_url=meta["decision_url"],
                chapters_read=read, chapters_left=left[1:], dont_cache=True, listed_as=meta["listed_as"],
            )  # fmt: skip
            return
        yield decision_from_pages(read, meta["slug"], meta["is_report"], meta["decision_url"], meta["listed_as"])

    def request_failed(self, failure):
        key, page = failure.request.meta["authority"], failure.request.meta["page"]
        self.part_failed(key, page)
        error = failure_to_error(failure, key, page)
        if (
            error.kind == "missing"
            and page == "statistics"
            and key in {s.lower() for s in self.requested_slugs}
        ):
            # A council the user named that the site doesn't have is a mistake to report, not a page it dropped.
            error.kind, error.message = "unknown", f"no authority {key!r} on the site ({error.message})"
        yield from self.counting([error])
        yield from self.finished(key)

    def part_failed(self, key: str, page: str) -> None:
        # Without its statistics page nothing else of the authority can be trusted this run; a letter
        # that fails is recorded on its own and does not make the letters list incomplete.
        self.failed_parts[key].update(LIST_PARTS if page == "statistics" else (page,))

    def counting(self, output):
        """Pass a callback's output on, counting each item for its authority: Scrapy may deliver an
        authority's items to the pipelines after its last callback has returned, so the store waits
        for exactly this many."""
        for thing in output:
            if (
                not isinstance(thing, scrapy.Request)
                and (key := items.authority_key(thing)) in self.items_sent
            ):
                self.items_sent[key] += 1
            yield thing

    def finished(self, key: str):
        self.pending[key] -= 1
        if self.pending[key] == 0 and key not in self.duplicate_slugs:
            unchanged = frozenset(self.unchanged_parts.pop(key, ()))
            parts = frozenset(LIST_PARTS) - self.failed_parts[key] - unchanged
            yield items.AuthorityDone(key, parts, self.items_sent[key], unchanged)


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def authority_slugs(authorities: tuple[str, ...] | str) -> tuple[str, ...]:
    """The slugs asked for: `scrapy crawl performance -a authorities=a,b` gives them as one string."""
    if isinstance(authorities, str):
        authorities = authorities.split(",")
    return tuple(slug.strip() for slug in authorities if slug.strip())


def recorded_warnings(url: str, key: str, page: str, messages: list[str]):
    """What a parser read in a form it did not understand and kept as text: recorded, not a failure."""
    for message in messages:
        yield items.CrawlError(url, key, page, "warning", message)


def failure_to_error(failure, slug: str | None, page: str) -> items.CrawlError:
    """Name what went wrong the way an operator reads it in the morning."""
    url = failure.request.url
    if oversized := OVERSIZED.search(str(failure.value)):
        size, limit = oversized.groups()
        message = f"{size} bytes, over the {limit} a page may be: not asked for again until its size changes"
        return items.CrawlError(url, slug, page, "oversized", message)
    if failure.check(HttpError):
        status = failure.value.response.status
        if status in (404, 410):
            return items.CrawlError(url, slug, page, "missing", f"HTTP {status}")
        return items.CrawlError(url, slug, page, "http", f"HTTP {status} after retries")
    return items.CrawlError(url, slug, page, "fetch", f"{type(failure.value).__name__}: {failure.value}")
