"""An authority's reports list: headline link, date and standfirst per report, newest first."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from harvester import normalise
from harvester.items import Report
from harvester.pages.html import Link, PageLayoutError, PageText, find_at_most_once, page_text, sentence
from harvester.pages.index import slug_from_authority_url

INTRO = sentence(r"has published the following (?:public interest )?reports against")
NO_REPORTS = sentence("No (?:public )?reports published")
DATE_BLOCK = re.compile(r"(?:Published:?\s*)?(\d{1,2}\s+[A-Za-z]+\s+\d{4})")
REPORT_PATH = re.compile(
    r"/information-centre/news/\d{4}/[^/]+/[^/]+/?|/decisions/[^/]+/[^/]+/\d{2}-\d{3}-\d{3}/?"
)
"""A news article or a decision page: what a report headline links to (chrome such as "View all
news" links to /information-centre/news and so is never taken for a report)."""


def parse_reports_list(html: str | bytes, url: str) -> list[Report]:
    """Each listed report. "No reports published" gives []; a page with neither reports nor that
    sentence raises PageLayoutError.

    The list is the unbroken run of items after the intro sentence: a headline block, then at most
    a date block and a standfirst block. The first block that fits none of these ends the list, so
    news teasers and footer links further down are never read as reports.
    """
    page = page_text(html, url)
    slug = slug_from_authority_url(url)
    intro = find_at_most_once(INTRO, page, "the reports intro sentence")
    if intro is None:
        if NO_REPORTS.search(page.text):
            return []
        raise PageLayoutError(url, "neither the reports intro sentence nor 'No reports published'")
    index = page.block_index(intro.end() - 1) + 1
    reports = []
    while index < len(page.blocks) and (headline := _headline(page, index)) is not None:
        date, summary, index = _date_and_summary(page, headline, index)
        reports.append(
            Report(
                authority_slug=slug,
                title=headline.text,
                url=headline.href,
                summary=summary,
                date=date,
                source_url=url,
            )
        )
    if not reports and NO_REPORTS.search(page.text) is None:
        raise PageLayoutError(url, "no report after the intro sentence and no 'No reports published'")
    return reports


def _headline(page: PageText, index: int) -> Link | None:
    """The block's headline link: a link opening the block, to an article or decision or dated."""
    start = page.block_starts[index]
    links = page.links_between(start, start + 1)
    if not links or not links[0].text:
        return None
    link = links[0]
    remainder = _after_link(page, link)
    if REPORT_PATH.fullmatch(urlsplit(link.href).path):
        return link
    dated_here = remainder and DATE_BLOCK.fullmatch(remainder)
    dated_next = index + 1 < len(page.blocks) and DATE_BLOCK.fullmatch(page.blocks[index + 1])
    return link if (not remainder and dated_next) or dated_here else None


def _after_link(page: PageText, link: Link) -> str:
    return page.text[link.offset + len(link.text) : page.block_end(link.offset)].strip(" -–|")


def _date_and_summary(page: PageText, headline: Link, index: int) -> tuple[str | None, str | None, int]:
    """Date and standfirst following a headline (either order, either absent), and the next block index."""
    candidates = [_after_link(page, headline)] if _after_link(page, headline) else []
    index += 1
    while len(candidates) < 2 and index < len(page.blocks) and not _headline(page, index):
        if page.links_between(page.block_starts[index], page.block_end(page.block_starts[index])):
            break
        candidates.append(page.blocks[index])
        index += 1
    date = summary = None
    for block in candidates:
        date_match = DATE_BLOCK.fullmatch(block)
        if date_match and date is None:
            try:
                date = normalise.uk_date(date_match.group(1))
            except ValueError as error:
                raise PageLayoutError(page.url, f"report date: {error}") from None
        elif summary is None:
            summary = block
    return date, summary, index
