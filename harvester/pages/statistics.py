"""An authority's statistics page: its figures for one year and the links to its other pages.

Anchored on the site's sentences (site notes §2.1-§2.8, docs/replica-wording.md), which hold across
the 2023, 2024 and 2025 templates and the abolished-council layout. The figures block is cut into
three sections at its lead sentences (upheld, compliance, satisfactory remedy); each section's
sentences are looked for in that section only, at most once each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from harvester import normalise
from harvester.items import AnnualStatistics, Authority, ServiceImprovement
from harvester.pages.html import PageLayoutError, PageText, find_at_most_once, find_once, page_text, sentence
from harvester.pages.improvements import read_improvements_page
from harvester.pages.index import (
    is_statistics_url,
    slug_from_authority_url,
    slug_from_statistics_url,
    statistics_url,
)

NUMBER = r"(\d[\d,]*)"
DATE = r"(\d{1,2} [A-Za-z]+ \d{4})"
PERIOD = rf"for the period between {DATE} to {DATE}"
STATED = r"([^\n]{0,40}?)"
"""A figure between two fixed phrases, however it is written ('79%', 'n/a', '-', 'No data', nothing):
whether it reads as a number is the normaliser's question, not the pattern's."""
NO_FIGURE = r"n/?a|-+|–|—|no\s+data|not\s+available|none"
LEAD_PERCENT = rf"(\d{{1,3}}(?:\.\d+)?\s*%|(?<!\S)(?:{NO_FIGURE})|(?<![^\n]))"
"""A lead sentence's own figure: a percentage, or one of the site's ways of printing none (n/a, a
dash, 'No data', a blank at the start of the line). Only these, because a lead has no fixed words
before its figure to stop a looser pattern swallowing glued text."""

UPHELD_LEAD = sentence(rf"{LEAD_PERCENT}\s*of complaints we investigated were upheld")
AVERAGE = sentence(r"This compares to an average of\s*" + STATED + r"\s*in similar authorities")
UPHELD_COUNT = re.compile(
    r"(?<![\d.,])(?<!total\sof\s)(\d[\d,]*)\s*upheld\s+decisions?\b(?!\s+per\s+100,000)", re.IGNORECASE
)
INVESTIGATED_AND_UPHELD = sentence(rf"We investigated {NUMBER} complaints? and upheld {NUMBER}")
UPHELD_BASE = sentence(
    r"Statistics are based on a total of\s*" + STATED + rf"\s*(?:detailed )?investigations? {PERIOD}"
)
PER_100K = sentence(
    r"Adjusted for [^\n]{1,200}? population, this is\s*"
    + STATED
    + r"\s*upheld decisions? per 100,000 residents"
)
PER_100K_AVERAGE = sentence(
    r"The average for authorities of this type is\s*" + STATED + r"\s*upheld decisions? per 100,000 residents"
)
COMPLIANCE_LEAD = sentence(
    rf"{LEAD_PERCENT}\s*of cases we were satisfied the \w+ had successfully implemented our recommendations"
)
NO_COMPLIANCE_DUE = sentence("No recommendations were due for compliance in this period")
COMPLIANCE_BASE = sentence(
    r"Statistics are based on a total of\s*" + STATED + rf"\s*compliance outcomes? {PERIOD}"
)
REMEDY_LEAD = sentence(
    r"\bIn\s*" + STATED + r"\s*of upheld cases we found the \w+ had provided a satisfactory remedy"
)
REMEDY_COUNT = re.compile(r"(?<![\d.,])(\d[\d,]*)\s*satisfactory\s+remedy\s+decisions?\b", re.IGNORECASE)
REMEDY_BASE = sentence(
    r"Statistics are based on a total of\s*"
    + STATED
    + rf"\s*(?:upheld decisions?|(?:detailed )?investigations?) {PERIOD}"
)
ANY_PERIOD = sentence(rf"\bbetween {DATE} to {DATE}")
DEALT_WITH = sentence(rf"Between {DATE} to {DATE}, we dealt with {NUMBER} complaints?")
NOT_FOR_US = sentence(rf"Of these, {NUMBER} (?:were|was) not for us")
ASSESSED_AND_CLOSED = sentence(rf"We assessed and closed {NUMBER} complaints?")
INVESTIGATED = sentence(rf"We investigated {NUMBER} complaints?\b(?! and upheld)")

STATISTICS_WORDING = re.compile(
    r"of\s+complaints\s+we\s+investigated|of\s+cases\s+we\s+were\s+satisfied|No\s+recommendations\s+were\s+due"
    r"|of\s+upheld\s+cases\s+we\s+found|we\s+dealt\s+with|We\s+investigated|Statistics\s+are\s+based\s+on"
    r"|Annual\s+statistics|Complaint\s+overview"
)
"""Literal fragments of the figures block (cheap to search for): where it starts, and whether there is one."""
ANNUAL_LETTERS_SECTION = re.compile(r"We\s+write\s+to\s+councils\s+each\s+year|(?m:^Annual letters$)")
REPORTS_COUNT = re.compile(r"(?m)^(\d[\d,]*)\s*(?:public\s+)?reports\s+for\s+\S", re.IGNORECASE)
REPORTS_INTRO = sentence(r"has published the following (?:public interest )?reports against", flags=0)
NO_REPORTS = sentence("No (?:public )?reports published", flags=0)
IMPROVEMENTS_COUNT = re.compile(r"(?m)^(\d[\d,]*)\s*service\s+improvements\s+agreed\s+by\s+\S", re.IGNORECASE)
IMPROVEMENTS_INTRO = sentence(
    r"Since April 2018, the \w+ has agreed to make the following improvements", flags=0
)
MERGER = sentence(
    r"is a merger of several councils and the historical information for these are located"
    r" from the following links",
    flags=0,
)
MERGER_LINK_GAP = re.compile(r"[\s.,;:•·|-]*(?:and)?\s*")
NAME_WORDING = [
    re.compile(r"(?m)^\d[\d,]*\s*(?:public\s+)?reports\s+for\s+([^\n]+)$", re.IGNORECASE),
    re.compile(r"(?m)^\d[\d,]*\s*service\s+improvements\s+agreed\s+by\s+([^\n]+)$", re.IGNORECASE),
    re.compile(r"published\s+the\s+following\s+(?:public\s+interest\s+)?reports\s+against\s+([^\n]+)$", re.M),
    re.compile(r"Adjusted\s+for\s+([^\n]+?)['’]s\s+population"),
]


@dataclass
class StatisticsPage:
    """What one statistics page says about its authority."""

    authority: Authority | None
    """The authority (slug from the URL, name from the heading); None when the page carries none of a
    statistics page's wording (a maintenance page, say)."""
    statistics: AnnualStatistics | None
    """The year's figures (source 'page'); None when the page shows no statistics wording at all."""
    letters_url: str | None
    """"View annual letters" in the Annual letters section."""
    reports_url: str | None
    """"View all" after "{N} Reports for {Authority}"."""
    improvements_url: str | None
    """"View all" after "{N} Service improvements agreed by {Authority}"."""
    upheld_decisions_url: str | None
    """"View upheld decisions" (absent from early 2024-25 pages)."""
    remedy_decisions_url: str | None
    """"View all satisfactory remedy decisions"."""
    no_reports: bool
    """The page says "No reports published" (or "No public reports published")."""
    teaser_improvements: list[ServiceImprovement] = field(default_factory=list)
    """The service improvements the page itself lists when it has no "View all" to a fuller list ([] when it
    has one: the list page is read instead)."""
    problems: dict[str, str] = field(default_factory=dict)
    """Layout failures confined to one part, by the part they cost ('figures', 'letters', 'reports',
    'improvements', 'predecessors') -> what is wrong, for a person: figures that cannot be read, a link
    the page should carry and does not. The page's other parts are still read and followed."""

    @property
    def own_slug(self) -> str | None:
        """The slug the page's own list links name: whose page it is, whatever slug it was asked for under (a
        second slug the site answers with a council's page still links that council's lists); None without them."""
        for url in filter(None, (self.letters_url, self.reports_url, self.improvements_url)):
            try:
                return slug_from_authority_url(url)
            except ValueError:  # a list elsewhere on the site: it names no council
                continue
        return None


def parse_statistics_page(html: str | bytes, url: str) -> StatisticsPage:
    page = page_text(html, url)
    first_statistics_wording = STATISTICS_WORDING.search(page.text)
    if first_statistics_wording is not None:
        statistics_start = page.block_starts[page.block_index(first_statistics_wording.start())]
    else:
        statistics_start = 0
    letters_section = ANNUAL_LETTERS_SECTION.search(page.text, statistics_start)
    statistics_end = letters_section.start() if letters_section else len(page.text)
    if first_statistics_wording is None and not _has_section_wording(page):
        return StatisticsPage(
            authority=None,
            statistics=None,
            letters_url=None,
            reports_url=None,
            improvements_url=None,
            upheld_decisions_url=None,
            remedy_decisions_url=None,
            no_reports=False,
        )
    problems: dict[str, str] = {}
    letters_url = _letters_url(page, letters_section)
    if letters_url is None:
        problems["letters"] = "no 'View annual letters' link in the Annual letters section"
    reports_url = _view_all_after(page, REPORTS_COUNT, "'{N} Reports for {Authority}'", problems, "reports")
    improvements_url = _view_all_after(
        page, IMPROVEMENTS_COUNT, "'{N} Service improvements agreed by …'", problems, "improvements"
    )
    no_reports = NO_REPORTS.search(page.text) is not None
    if reports_url is None and not no_reports:
        problems.setdefault("reports", "neither a reports 'View all' link nor 'No reports published'")
    if improvements_url is None and _count_shown(page, IMPROVEMENTS_COUNT):
        problems.setdefault("improvements", "no 'View all' link after '{N} Service improvements agreed by …'")
    slug = _slug_as_written(slug_from_statistics_url(url), (letters_url, reports_url, improvements_url))
    if slug != slug_from_statistics_url(url):
        url = statistics_url("{0.scheme}://{0.netloc}".format(urlsplit(url)), slug)
    teaser_improvements = []
    if improvements_url is None and "improvements" not in problems:
        try:
            teaser_improvements = read_improvements_page(page).improvements
        except PageLayoutError as error:
            problems["improvements"] = error.missing
    statistics = None
    if first_statistics_wording is None:
        problems["figures"] = "no statistics wording on the page"
    else:
        try:
            statistics = _statistics(page, slug, url, statistics_start, statistics_end)
        except PageLayoutError as error:
            problems["figures"] = error.missing
    return StatisticsPage(
        authority=Authority(
            slug=slug, name=_authority_name(page), url=url, predecessor_urls=_predecessors(page, problems)
        ),
        statistics=statistics,
        letters_url=letters_url,
        reports_url=reports_url,
        improvements_url=improvements_url,
        upheld_decisions_url=_link_by_text(page, "View upheld decisions", statistics_start, statistics_end),
        remedy_decisions_url=_link_by_text(
            page, "View all satisfactory remedy decisions", statistics_start, statistics_end
        ),
        no_reports=no_reports,
        teaser_improvements=teaser_improvements,
        problems=problems,
    )


def _slug_as_written(slug: str, own_links: tuple[str | None, ...]) -> str:
    """A link in other letter case still reaches the page (the site matches slugs case-insensitively);
    the page's own section links show how the site spells the authority, so one council keeps one slug."""
    for link in own_links:
        if link is None:
            continue
        try:
            written = slug_from_authority_url(link)
        except ValueError:
            continue
        if written.lower() == slug.lower():
            return written
    return slug


def _has_section_wording(page: PageText) -> bool:
    return any(
        pattern.search(page.text)
        for pattern in (
            ANNUAL_LETTERS_SECTION,
            REPORTS_COUNT,
            REPORTS_INTRO,
            NO_REPORTS,
            IMPROVEMENTS_INTRO,
            MERGER,
        )
    )


def _authority_name(page: PageText) -> str:
    """The first <h1>; pages whose markup has no <h1> still name the authority in fixed sentences."""
    for heading in page.h1s:
        if heading:
            return heading
    for pattern in NAME_WORDING:
        match = pattern.search(page.text)
        if match:
            return match.group(1).strip()
    raise PageLayoutError(page.url, "no authority name: no <h1> and no sentence naming the authority")


def _predecessors(page: PageText, problems: dict[str, str]) -> list[str]:
    """The statistics links that directly follow the merger sentence, nothing but separators between them."""
    try:
        merger = find_at_most_once(MERGER, page, "the merger sentence")
    except PageLayoutError as error:
        problems["predecessors"] = error.missing
        return []
    if merger is None:
        return []
    urls, position = [], merger.end()
    for link in page.links_between(merger.end(), len(page.text)):
        if not MERGER_LINK_GAP.fullmatch(page.text, position, link.offset) or not is_statistics_url(
            link.href
        ):
            break
        urls.append(link.href)
        position = link.offset + len(link.text)
    if not urls:
        problems["predecessors"] = "merger sentence not followed by links to statistics pages"
    return urls


def _letters_url(page: PageText, letters_section: re.Match[str] | None) -> str | None:
    if letters_section is None:
        return None
    for link in page.links_between(letters_section.start(), len(page.text)):
        if link.text.lower() == "view annual letters":
            return link.href
    return None


def _view_all_after(
    page: PageText, count_pattern: re.Pattern[str], what: str, problems: dict[str, str], part: str
) -> str | None:
    """The "View all" link that comes next after a section's count sentence, if there is one; a count sentence
    printed twice is a problem of that part alone."""
    try:
        match = find_at_most_once(count_pattern, page, what)
    except PageLayoutError as error:
        problems[part] = error.missing
        return None
    if match is None:
        return None
    link = page.next_link(match.end())
    return link.href if link is not None and link.text.lower() == "view all" else None


def _count_shown(page: PageText, count_pattern: re.Pattern[str]) -> int:
    """The section's '{N} …' count; 0 when the page shows none (a count of 0 needs no "View all")."""
    match = count_pattern.search(page.text)
    return normalise.count(match.group(1)) if match else 0


def _link_by_text(page: PageText, text: str, start: int, end: int) -> str | None:
    hrefs = {link.href for link in page.links_between(start, end) if link.text.lower() == text.lower()}
    if len(hrefs) > 1:
        raise PageLayoutError(page.url, f"{len(hrefs)} different '{text}' links")
    return hrefs.pop() if hrefs else None


def _statistics(page: PageText, slug: str, url: str, start: int, end: int) -> AnnualStatistics:
    upheld_lead = find_once(UPHELD_LEAD, page, "'… of complaints we investigated were upheld'", start, end)
    compliance_lead = find_at_most_once(COMPLIANCE_LEAD, page, "the compliance sentence", start, end)
    no_compliance_due = find_at_most_once(
        NO_COMPLIANCE_DUE, page, "'No recommendations were due …'", start, end
    )
    if (compliance_lead is None) == (no_compliance_due is None):
        state = "both" if compliance_lead else "neither"
        raise PageLayoutError(
            page.url, f"{state} of the compliance sentence and 'No recommendations were due …' found"
        )
    remedy_lead = find_once(REMEDY_LEAD, page, "'In …% of upheld cases we found …'", start, end)
    starts = sorted(lead.start() for lead in (upheld_lead, compliance_lead or no_compliance_due, remedy_lead))

    def section(lead: re.Match[str]) -> tuple[int, int]:
        later = [lead_start for lead_start in starts if lead_start > lead.start()]
        return lead.start(), later[0] if later else end

    upheld = section(upheld_lead)
    remedy = section(remedy_lead)
    period_start, period_end, year = _period(page, start, end)
    dealt_with = find_at_most_once(DEALT_WITH, page, "'… we dealt with N complaints'", start, end)
    investigated_and_upheld = find_at_most_once(
        INVESTIGATED_AND_UPHELD, page, "'We investigated N complaints and upheld N'", start, end
    )
    upheld_count = find_at_most_once(UPHELD_COUNT, page, "'N upheld decisions'", *upheld)
    upheld_base = find_at_most_once(UPHELD_BASE, page, "the investigations base sentence", *upheld)
    overview_investigated = find_at_most_once(
        INVESTIGATED, page, "'We investigated N complaints.'", start, end
    )
    per_100k = find_at_most_once(PER_100K, page, "the per-100,000 sentence", *upheld)
    per_100k_average = find_at_most_once(PER_100K_AVERAGE, page, "the per-100,000 average", *upheld)
    read = _Reader(page)
    statistics = AnnualStatistics(
        authority_slug=slug,
        year=year,
        source="page",
        source_url=url,
        period_start=period_start,
        period_end=period_end,
        upheld_pct=read("upheld_pct", normalise.percent, upheld_lead),
        upheld_avg_pct=read(
            "upheld_avg_pct", normalise.percent, find_once(AVERAGE, page, "the upheld average", *upheld)
        ),
        upheld_decisions=read.agreeing("upheld_decisions", (upheld_count, 1), (investigated_and_upheld, 2)),
        investigations=read.agreeing(
            "investigations", (upheld_base, 1), (investigated_and_upheld, 1), (overview_investigated, 1)
        ),
        upheld_per_100k=read("upheld_per_100k", normalise.per_100k, per_100k) if per_100k else None,
        upheld_per_100k_avg=read("upheld_per_100k_avg", normalise.per_100k, per_100k_average)
        if per_100k_average
        else None,
        remedy_pct=read("remedy_pct", normalise.percent, remedy_lead),
        remedy_avg_pct=read(
            "remedy_avg_pct", normalise.percent, find_once(AVERAGE, page, "the remedy average", *remedy)
        ),
        remedy_decisions=read(
            "remedy_decisions",
            normalise.count,
            find_once(REMEDY_COUNT, page, "'N satisfactory remedy decisions'", *remedy),
        ),
    )
    if compliance_lead is not None:
        compliance = section(compliance_lead)
        statistics.compliance_pct = read("compliance_pct", normalise.percent, compliance_lead)
        statistics.compliance_avg_pct = read(
            "compliance_avg_pct",
            normalise.percent,
            find_once(AVERAGE, page, "the compliance average", *compliance),
        )
        statistics.compliance_outcomes = read(
            "compliance_outcomes",
            normalise.count,
            find_once(COMPLIANCE_BASE, page, "the compliance outcomes sentence", *compliance),
        )
    else:
        # The sentence says none were due: zero outcomes, and no rate to report.
        statistics.compliance_outcomes = 0
    if dealt_with is not None:
        statistics.complaints_dealt_with = read("complaints_dealt_with", normalise.count, dealt_with, 3)
        statistics.not_for_us = read(
            "not_for_us",
            normalise.count,
            find_once(NOT_FOR_US, page, "'Of these, N were not for us'", start, end),
        )
        statistics.assessed_and_closed = read(
            "assessed_and_closed",
            normalise.count,
            find_once(ASSESSED_AND_CLOSED, page, "'We assessed and closed N complaints'", start, end),
        )
    if read.raw_values:
        if set(FIGURES_READ) <= set(read.raw_values):
            raise PageLayoutError(page.url, "not one figure on the page reads as a number")
        statistics.raw_values = json.dumps(read.raw_values, ensure_ascii=False, sort_keys=True)
        statistics.flags = ",".join(f"unreadable:{name}" for name in read.raw_values)
    return statistics


FIGURES_READ = ("upheld_pct", "upheld_avg_pct", "upheld_decisions", "investigations", "remedy_pct",
                "remedy_avg_pct", "remedy_decisions")  # fmt: skip
"""Figures every statistics page states: if none of them reads as a number, the page says nothing."""


def _period(page: PageText, start: int, end: int) -> tuple[str, str, str]:
    """The one statistics year every 'between 1 April YYYY to 31 March YYYY' phrase names."""
    periods = set()
    for match in ANY_PERIOD.finditer(page.text, start, end):
        try:
            periods.add(normalise.period(f"{match.group(1)} to {match.group(2)}"))
        except ValueError as error:
            raise PageLayoutError(page.url, str(error)) from None
    if len(periods) != 1:
        found = ", ".join(sorted(year for _, _, year in periods)) or "none"
        raise PageLayoutError(
            page.url, f"expected one 'between 1 April YYYY to 31 March YYYY' year, found {found}"
        )
    return periods.pop()


class _Reader:
    """Normalises matched figures. A figure stated in a form that is not a number ('n/a', '-', 'No data',
    blank) reads as None, its text kept in `raw_values` by field name: a value the site chose not to
    give is not a layout change, and the rest of the page still reads."""

    def __init__(self, page: PageText):
        self.page = page
        self.raw_values: dict[str, str] = {}

    def __call__(
        self, name: str, normaliser: Callable[[str], int | float], match: re.Match[str], group: int = 1
    ) -> int | float | None:
        stated = match.group(group)
        try:
            return normaliser(stated)
        except ValueError:
            self.raw_values[name] = normalise.collapse_whitespace(stated)
            return None

    def agreeing(self, name: str, *sources: tuple[re.Match[str] | None, int]) -> int | None:
        """A count several sentences may state; at least one must, and all that give a number must agree."""
        found = [(match, group) for match, group in sources if match is not None]
        if not found:
            raise PageLayoutError(self.page.url, f"no sentence gives the number of {name.replace('_', ' ')}")
        values = {
            value
            for match, group in found
            if (value := self(name, normalise.count, match, group)) is not None
        }
        if len(values) > 1:
            disagreement = f"sentences disagree on the number of {name.replace('_', ' ')}: {sorted(values)}"
            raise PageLayoutError(self.page.url, disagreement)
        if values:
            self.raw_values.pop(name, None)
            return values.pop()
        return None
