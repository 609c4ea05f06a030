"""An authority's reports list: headline link, date and standfirst per report, newest first."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from harvester import normalise
from harvester.items import Report
from harvester.pages.html import Link, PageLayoutError, PageText, find_at_most_once, page_text, sentence
from harvester.pages.index import slug_from_authority_url

INTRO = sentence(r"has published the following (?:public interest )?reports against")
NONE_STATEMENT = sentence(
    r"\bno (?:public (?:interest )?)?reports\b|\bthere are no (?:public (?:interest )?)?reports\b"
    r"|\bhas not published any (?:public (?:interest )?)?reports\b|\bno reports? (?:found|available)\b"
)
""""None" in the ordinary phrasings a list may use: 'No reports published', 'No public reports published',
'There are no reports for this council', 'The Ombudsman has not published any reports against …'."""
DATE_BLOCK = re.compile(
    r"(?:Published:?\s*)?("
    r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?[\s-]+[A-Za-z]+\.?,?[\s-]+\d{4}"
    rf"|(?:{normalise.MONTH_NAME}|spring|summer|autumn|winter)\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+\d{{4}}"
    r")",
    re.IGNORECASE,
)
"""A block that looks like a date, whether or not normalise.uk_date can read it: '12 March 2024', 'Published:
06-Nov-2025', '12/03/2024', '2024-03-12', 'March 2024', 'Spring 2024'. Such a block is never a standfirst."""
REPORT_PATH = re.compile(
    rf"/information-centre/news/\d{{4}}/[^/]+/[^/]+/?|/decisions/[^/]+/[^/]+/{normalise.CASE_REF_AS_PRINTED}/?"
)
"""A news article or a decision page: what a report headline links to (chrome such as "View all
news" links to /information-centre/news and so is never taken for a report)."""


def parse_reports_list(html: str | bytes, url: str) -> list[Report]:
    """Each listed report, read by what the page holds rather than by one sentence.

    The list is the first unbroken run of items: a headline block (a link to a news article or a
    decision page, or a dated link), then at most a date block and a standfirst block. After the intro
    sentence, when the page has one, the run starts at the next block; without it, at the first headline
    that has a date or standfirst of its own (bare news links, as in a sidebar, are chrome). The first
    block that fits none of these ends the run, so teasers and footer links further down are never read
    as reports. No items and a statement that there are none gives []; neither is a layout error.
    """
    page = page_text(html, url)
    slug = slug_from_authority_url(url)
    intro = find_at_most_once(INTRO, page, "the reports intro sentence")
    if intro is not None:
        first = page.block_index(intro.end() - 1) + 1
        reports = _run(page, slug, first)
    else:
        reports = _first_run_with_standfirsts(page, slug)
    if not reports and NONE_STATEMENT.search(page.text) is None:
        raise PageLayoutError(url, "no reports listed and no statement that there are none")
    return reports


def unread_dates(reports: list[Report]) -> list[str]:
    """A warning for each report whose date block could not be read as a date, with the block as printed."""
    return [
        f"report date not understood, read as none (a date stored before is kept): {r.date_as_printed!r} ({r.title})"
        for r in reports
        if r.date_as_printed
    ]


def _first_run_with_standfirsts(page: PageText, slug: str) -> list[Report]:
    for index in range(len(page.blocks)):
        if _headline(page, index) is not None:
            run = _run(page, slug, index)
            if run[0].date or run[0].summary:
                return run
    return []


def _run(page: PageText, slug: str, index: int) -> list[Report]:
    reports = []
    while index < len(page.blocks) and (headline := _headline(page, index)) is not None:
        date, date_as_printed, summary, index = _date_and_summary(page, headline, index)
        reports.append(
            Report(
                authority_slug=slug,
                title=headline.text,
                url=headline.href,
                summary=summary,
                date=date,
                source_url=page.url,
                date_as_printed=date_as_printed,
            )
        )
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


def _date_and_summary(
    page: PageText, headline: Link, index: int
) -> tuple[str | None, str | None, str | None, int]:
    """Date, the date block as printed when it can't be read, standfirst following a headline (date and
    standfirst in either order, either absent), and the next block index."""
    candidates = [_after_link(page, headline)] if _after_link(page, headline) else []
    index += 1
    while len(candidates) < 2 and index < len(page.blocks) and not _headline(page, index):
        if page.links_between(page.block_starts[index], page.block_end(page.block_starts[index])):
            break
        candidates.append(page.blocks[index])
        index += 1
    date = date_as_printed = summary = None
    for block in candidates:
        date_match = DATE_BLOCK.fullmatch(block)
        if date_match is None:
            summary = summary or block
        elif date is None and date_as_printed is None:
            try:
                date = normalise.uk_date(date_match.group(1))
            except ValueError:
                date_as_printed = block
    return date, date_as_printed, summary, index
