"""Decision listings and decision pages (site notes §1.4, §1.8, §2.11).

A listing card reads `{Authority} ({YY NNN NNN})` (a link to the decision page), then
`{Statement|Report} {Outcome} {Sub category} {DD-Mon-YYYY}`, then `Summary: …`; ten a page, with a
pager whose "Next" link is followed. A decision page reads `{Authority} ({YY NNN NNN})`,
`Category : {Main} > {Sub}`, `Decision : {Outcome}`, `Decision date : {D Mon YYYY}`, then
"The Ombudsman's final decision:", `Summary: …` and the statement in sections, each closed by
"Back to top"; a public report runs over chapters linked as `?chapter=N` of the same page.
Everything is anchored on that wording; the statement ends at its last "Back to top".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from harvester import normalise
from harvester.items import Decision
from harvester.pages.html import PageLayoutError, PageText, find_once, page_text, sentence

REFERENCE_HEADING = re.compile(r"^(.+?)\s*\((\d{2}\s\d{3}\s\d{3})\)$", re.MULTILINE)
CARD_LINE = re.compile(r"^(Statement|Report)\s+(.+?)\s+(\d{1,2}-[A-Za-z]{3}-\d{4})$")
CARD_OUTCOME = re.compile(
    r"(Not upheld|Upheld|Closed after initial enquiries)(?:\s*(?::|-|–)\s*[a-z][a-z ,]*[a-z])?(?=\s+[A-Z0-9])"
)
"""An outcome at the start of a card's line, compound ones included: the sub category after it is capitalised."""
SUMMARY = re.compile(r"^Summary\s*:\s*(.+)$", re.MULTILINE)
NO_DECISIONS = sentence(r"There are no decisions to show|Your search has 0 results")
NEXT_LINK_TEXT = re.compile(r"Next\b.*", re.IGNORECASE)

CATEGORY = re.compile(r"^Category\s*:\s*(.+?)\s*>\s*(.+)$", re.MULTILINE)
OUTCOME = re.compile(r"^Decision\s*:\s*(.+)$", re.MULTILINE)
DECISION_DATE = re.compile(r"^Decision date\s*:\s*(.+)$", re.MULTILINE)
FINAL_DECISION = sentence(r"The Ombudsman['’]s final decision:")
BACK_TO_TOP = "back to top"
REMEDY_HEADINGS = re.compile(r"Agreed actions?|Remedy|Remedies", re.IGNORECASE)
SECTION_HEADINGS = re.compile(
    r"The complaint|The Ombudsman['’]s role and powers|How I considered this complaint|What I found"
    r"|My assessment|What I have investigated|Agreed actions?|Remedy|Remedies|Final decision",
    re.IGNORECASE,
)
"""Section headings seen (§2.11): a section starts at one of these, or at any heading element."""
OUTCOME_GROUPS = (
    (re.compile(r"Not upheld\b", re.IGNORECASE), "not upheld"),
    (re.compile(r"Upheld\b", re.IGNORECASE), "upheld"),
    (re.compile(r"Closed after initial enquiries\b", re.IGNORECASE), "closed early"),
)
DECISION_REF_IN_PATH = re.compile(r"/(\d{2}-\d{3}-\d{3})/?$")


@dataclass
class DecisionCard:
    """One result card of a decision listing."""

    authority_name: str
    case_ref: str
    """'YY-NNN-NNN'."""
    url: str
    """The decision page the card's heading links to."""
    is_report: bool
    """The card's line opens "Report" rather than "Statement"."""
    outcome: str | None
    """As printed; None when the line's outcome is not one the site is known to print."""
    sub_category: str | None
    decision_date: str
    summary: str


@dataclass
class DecisionListing:
    cards: list[DecisionCard]
    next_url: str | None
    """The pager's "Next"; None on the last page."""


@dataclass
class DecisionPage:
    """One page of a decision: its header, summary and the statement's part shown on this page."""

    authority_name: str
    case_ref: str
    category: str
    sub_category: str
    outcome: str
    decision_date: str
    summary: str
    chapter: int
    """This page's chapter (1 for a single-page statement)."""
    statement: list[str]
    """Headings and paragraphs in order, "Back to top" left out."""
    remedy: list[str]
    """Paragraphs of the "Agreed action" / "Remedy" section on this page."""
    chapter_urls: list[str] = field(default_factory=list)
    """The other chapters this page links to, in chapter order."""


def outcome_group(outcome: str) -> str | None:
    """'upheld', 'not upheld' or 'closed early' for an outcome as printed (compound ones included)."""
    for pattern, group in OUTCOME_GROUPS:
        if pattern.match(outcome):
            return group
    return None


def case_ref_in_url(url: str) -> str | None:
    """The 'YY-NNN-NNN' a decision page's URL ends in (SEEN shape), None for any other URL."""
    match = DECISION_REF_IN_PATH.search(urlsplit(url).path)
    return match.group(1) if match else None


def decision_search_url(base_url: str, authority_name: str, since: str) -> str:
    """The decision search for every decision about an authority since an ISO date, newest first.

    The one URL built rather than followed: the search is a form, and its GET shape is SEEN (§1.8):
    `aname` the display name, `dc` decision codes (closed early, not upheld, upheld), `fd`/`td` dates."""
    query = {"aname": authority_name, "dc": "c+nu+u+", "fd": since, "page": 1, "sortOrder": "descending",
             "td": dt.date.today().isoformat()}  # fmt: skip
    return f"{base_url}/Decisions/SearchResults?{urlencode(query)}"


def parse_decision_listing(html: str | bytes, url: str) -> DecisionListing:
    page = page_text(html, url)
    cards = [_card(page, heading) for heading in REFERENCE_HEADING.finditer(page.text)]
    cards = [card for card in cards if card is not None]
    if not cards and not NO_DECISIONS.search(page.text):
        raise PageLayoutError(url, "no decision cards and no 'There are no decisions to show'")
    hrefs = {link.href for link in page.links if NEXT_LINK_TEXT.fullmatch(link.text)}
    if len(hrefs) > 1:
        raise PageLayoutError(url, f"{len(hrefs)} different 'Next' links")
    return DecisionListing(cards=cards, next_url=hrefs.pop() if hrefs else None)


def _card(page: PageText, heading: re.Match[str]) -> DecisionCard | None:
    """The card a '{Authority} (YY NNN NNN)' block opens; None when the next block is not a card's line."""
    index = page.block_index(heading.start())
    if index + 2 >= len(page.blocks):
        return None
    line = CARD_LINE.fullmatch(page.blocks[index + 1])
    if line is None:
        return None
    summary = SUMMARY.fullmatch(page.blocks[index + 2])
    what = f"card {heading.group(0)!r}"
    if summary is None:
        raise PageLayoutError(page.url, f"{what}: no 'Summary:' after its line")
    links = page.links_between(page.block_starts[index], page.block_end(heading.start()))
    if len(links) != 1:
        raise PageLayoutError(page.url, f"{what}: {len(links)} links, expected the one to its decision")
    outcome = CARD_OUTCOME.match(line.group(2))
    try:
        decision_date = normalise.uk_date(line.group(3))
    except ValueError as error:
        raise PageLayoutError(page.url, f"{what}: {error}") from None
    return DecisionCard(
        authority_name=heading.group(1),
        case_ref=normalise.case_ref(heading.group(2)),
        url=links[0].href,
        is_report=line.group(1) == "Report",
        outcome=outcome.group(0) if outcome else None,
        sub_category=line.group(2)[outcome.end() :].strip() if outcome else None,
        decision_date=decision_date,
        summary=summary.group(1),
    )


def parse_decision_page(html: str | bytes, url: str) -> DecisionPage:
    page = page_text(html, url, links=_may_link_a_chapter)
    category = find_once(CATEGORY, page, "'Category : Main > Sub'")
    headings = [m for m in REFERENCE_HEADING.finditer(page.text, 0, category.start())]
    if not headings:
        raise PageLayoutError(url, "no '{Authority} (YY NNN NNN)' heading before 'Category :'")
    heading = headings[-1]
    outcome = find_once(OUTCOME, page, "'Decision :'")
    decided = find_once(DECISION_DATE, page, "'Decision date :'")
    final = find_once(FINAL_DECISION, page, '"The Ombudsman\'s final decision:"')
    summary = find_once(SUMMARY, page, "'Summary:' after the final decision", final.end())
    try:
        decision_date = normalise.uk_date(decided.group(1))
    except ValueError as error:
        raise PageLayoutError(url, f"'Decision date :' {error}") from None
    statement, remedy = _statement(page, page.block_index(summary.start()) + 1)
    return DecisionPage(
        authority_name=heading.group(1),
        case_ref=normalise.case_ref(heading.group(2)),
        category=category.group(1),
        sub_category=category.group(2),
        outcome=outcome.group(1).strip(),
        decision_date=decision_date,
        summary=summary.group(1).strip(),
        chapter=_chapter(url),
        statement=statement,
        remedy=remedy,
        chapter_urls=_chapter_urls(page),
    )


def _statement(page: PageText, first: int) -> tuple[list[str], list[str]]:
    """Blocks from `first` to the last "Back to top", and the remedy section's paragraphs among them."""
    ends = [i for i in range(first, len(page.blocks)) if page.blocks[i].lower() == BACK_TO_TOP]
    if not ends:
        raise PageLayoutError(page.url, "no 'Back to top' closing the statement")
    statement, remedy, in_remedy = [], [], False
    for index in range(first, ends[-1]):
        block = page.blocks[index]
        if block.lower() == BACK_TO_TOP:
            continue
        if index in page.heading_blocks or SECTION_HEADINGS.fullmatch(block):
            in_remedy = REMEDY_HEADINGS.fullmatch(block) is not None
        elif in_remedy:
            remedy.append(block)
        statement.append(block)
    if not statement:
        raise PageLayoutError(page.url, "an empty statement before 'Back to top'")
    return statement, remedy


def _chapter(url: str) -> int:
    values = parse_qs(urlsplit(url).query).get("chapter", ["1"])
    if len(values) != 1 or not values[0].isdigit():
        raise PageLayoutError(url, f"chapter {values} is not a number")
    return int(values[0])


def _may_link_a_chapter(href: str) -> bool:
    """Most of a decision page's links (menus, footer, sidebar) can't name a chapter: their text and
    position are never worked out, nor are they taken apart."""
    return "chapter" in href


def _chapter_urls(page: PageText) -> list[str]:
    """Links to other chapters of this page: same path, a `chapter` number in the query."""
    path = urlsplit(page.url).path.rstrip("/").lower()
    current = _chapter(page.url)
    chapters: dict[int, str] = {}
    for link in page.links:
        if not _may_link_a_chapter(link.href):
            continue
        parts = urlsplit(link.href)
        number = parse_qs(parts.query).get("chapter")
        same_page = parts.path.rstrip("/").lower() == path
        if same_page and number and number[0].isdigit() and int(number[0]) != current:
            chapters.setdefault(int(number[0]), link.href)
    return [chapters[number] for number in sorted(chapters)]


def decision_from_pages(
    pages: list[DecisionPage], authority_slug: str, is_report: bool, url: str
) -> Decision:
    """One decision from its page(s): chapters joined in order; every chapter must name the same case."""
    ordered = sorted(pages, key=lambda p: p.chapter)
    first = ordered[0]
    for other in ordered[1:]:
        if other.case_ref != first.case_ref:
            raise PageLayoutError(
                url, f"chapter {other.chapter} is about {other.case_ref}, not {first.case_ref}"
            )
    remedy = [paragraph for p in ordered for paragraph in p.remedy]
    return Decision(
        authority_slug=authority_slug,
        case_ref=first.case_ref,
        category=first.category,
        sub_category=first.sub_category,
        outcome=first.outcome,
        outcome_group=outcome_group(first.outcome),
        decision_date=first.decision_date,
        is_report=is_report or len(ordered) > 1,
        chapters=len(ordered),
        summary=first.summary,
        text="\n".join(line for p in ordered for line in p.statement),
        remedy="\n".join(remedy) if remedy else None,
        url=url,
        source_url=url,
    )
