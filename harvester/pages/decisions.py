"""Decision listings and decision pages (site notes §1.4, §1.8, §2.11, §2.13).

A listing card reads `{Body} ({YY NNN NNN})` (a link to the decision page; some cards print no such
heading), then `{Statement|Report} {Outcome} {Sub category} {DD-Mon-YYYY}`, then `Summary: …`; ten a
page, with a pager whose "Next" link is followed. A card whose case can't be told is skipped with a warning
naming its text; the rest of the page is kept. A page whose cards are all skipped is a layout failure.

A decision page is anchored on its header: `{Body} ({YY NNN NNN})`, `Category : {Main} > {Sub}`,
`Decision : {Outcome}`, `Decision date : {D Mon YYYY}`. Everything else is optional: a table of
contents, "The Ombudsman's final decision:", `Summary: …`, "Back to top" after each section. The
statement is the text after the header to the end of the main content (the element that holds both
the header and what follows it: "Back to top" is no boundary, §2.13), in sections that
begin at any heading the page marks up or at a heading the site is known to print. A public report is
a landing page (summary, verdict, "The Council has agreed to:" and its actions, "Ombudsman satisfied
with Council's response: {date}.") and chapters linked as `?chapter=N` of the same page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urljoin, urlsplit

from lxml import etree

from harvester import normalise
from harvester.items import Decision
from harvester.pages.html import (
    PageLayoutError,
    PageText,
    Tree,
    page_text,
    parse_tree,
    part_text,
    sentence,
)

REFERENCE_HEADING = re.compile(rf"^(.+?)\s*\(({normalise.CASE_REF_AS_PRINTED})\)$", re.MULTILINE)
CARD_LINE = re.compile(r"^(Statement|Report)\s+(.+?)\s+(\d{1,2}[- ][A-Za-z]{3,9}[- ]\d{4})$")
CARD_OUTCOME = re.compile(
    r"(Not upheld|Upheld|Closed after initial enquiries)(?:\s*(?::|-|–)\s*[a-z][a-z ,]*[a-z])?(?=\s+[A-Z0-9])"
)
"""An outcome at the start of a card's line, compound ones included: the sub category after it is capitalised."""
SUMMARY = re.compile(r"^Summary\s*:\s*(.+)$", re.MULTILINE)
NO_DECISIONS = sentence(
    r"(?:there are |there were |we found |your search (?:has|returned|found) )?(?:no|0|zero) (?:matching )?"
    r"(?:decisions|results|statements|reports|cases)\b"
)
"""An empty listing in the ordinary phrasings: 'There are no decisions to show', 'Your search has 0 results',
'No results found', 'There are no statements in this category'."""
NEXT_LINK_TEXT = re.compile(r"Next\b.*", re.IGNORECASE)
LISTING_WORDING = sentence(
    r"Recent (?:statements|reports) in this category|Your search has \d+ results?|There are no decisions to show"
)
"""Wording only a listing prints (§1.8, §2.13): how `page_kind` tells a listing that shows no card."""
RESULT_COUNT = sentence(r"Your search has (\d+) results?")
LISTING_MARGIN = 1.5
"""A listing may show this many times the cases it is said to hold (the site's counts and listings do not always
agree, by a case or two) before its pager is taken for one that never ends."""
LISTING_SPARE_PAGES = 2
UNCOUNTED_LISTING_PAGES = 500
"""Pages read of a listing nothing counts (a search printing no "Your search has N results"): ten years of a
county's decisions, ten a page."""


def _header_line(label: str, value: str) -> re.Pattern[str]:
    """`{label} : {value}` on one line, or the label (its colon optional) in one block and the value in the next."""
    return re.compile(rf"^{label}[ \t]*(?::[ \t]*|:?[ \t]*\n(?::[ \t]*\n?)?[ \t]*){value}$", re.MULTILINE)


CATEGORY = _header_line("Category", r"(.+?)\s*>\s*(.+)")
OUTCOME = _header_line("Decision", r"(.+)")
DECISION_DATE = _header_line("Decision date", r"(.+)")
DECISION_DATE_LABEL = re.compile(r"Decision\s+date\s*:?", re.IGNORECASE)
FINAL_DECISION = re.compile(r"The Ombudsm[ae]n['’]s final decision:?", re.IGNORECASE)
BACK_TO_TOP = "back to top"
CONTENTS_LABEL = re.compile(r"(?:Contents|On this page|In this (?:statement|report|decision)):?", re.IGNORECASE)
REMEDY_HEADINGS = re.compile(r"Agreed actions?|Remedy|Remedies|Recommendations?|Agreed action and recommendations",
                             re.IGNORECASE)  # fmt: skip
SECTION_HEADINGS = re.compile(
    r"The complaint|The Ombudsm[ae]n['’]s role and powers|How I considered this complaint|What I found"
    r"|My assessment|What I have (?:and have not )?investigated|Agreed actions?|Remedy|Remedies|Final decision"
    r"|Planning law and guidance|The Investigation|Legal and administrative background|Recommendations?"
    r"|Report summary|Investigation|Conclusions?|Background|Relevant law and guidance|Analysis",
    re.IGNORECASE,
)
"""Section headings seen (§2.11, §2.13): a hint, not a gate. A section also starts at any heading element."""
AGREED_TO = re.compile(r"The (?:Council|[A-Z][\w&’' -]+?) (?:has|have) agreed to:?")
"""A report landing page's "The Council has agreed to:", opening the list of agreed actions."""
VERDICT = re.compile(r"The Ombudsm[ae]n (?:upheld|did not uphold|found|has found|finds|partly upheld)\b.*")
SATISFIED = re.compile(r"Ombudsm[ae]n satisfied with (?:the )?.+?['’]s? response\s*:?\s*(.+?)\.?", re.IGNORECASE)
"""'Ombudsman satisfied with Council's response: 4 November 2019.' (§2.13)"""
OUTCOME_GROUPS = (
    (re.compile(r"Not upheld\b", re.IGNORECASE), "not upheld"),
    (re.compile(r"Upheld\b", re.IGNORECASE), "upheld"),
    (re.compile(r"Closed after initial enquiries\b", re.IGNORECASE), "closed early"),
)
REFERENCE_IN_BRACKETS = re.compile(rf"\({normalise.CASE_REF_AS_PRINTED}\)")
DECISION_REF_IN_PATH = re.compile(rf"/({normalise.CASE_REF_AS_PRINTED})/?$")
_CHAPTER_HREFS = etree.XPath("//a[contains(@href, 'chapter')]/@href")
_TEXT_NAMING_DECISION_DATE = etree.XPath("//text()[contains(., 'Decision date') or contains(., 'Decision Date')]")
_STRING_VALUE = etree.XPath("string()")


@dataclass
class DecisionCard:
    """One result card of a decision listing."""

    authority_name: str | None
    """The body as the card's heading prints it; None for a card without a heading."""
    case_ref: str
    """'YY-NNN-NNN', perhaps with a letter."""
    url: str | None
    """The decision page the card links to; None for a card whose heading names its case but links nothing."""
    is_report: bool
    """The card's line opens "Report" rather than "Statement"."""
    outcome: str | None
    """As printed; None when the line's outcome is not one the site is known to print."""
    sub_category: str | None
    decision_date: str | None
    """ISO; None (with a warning) for a date that can't be."""
    summary: str | None


@dataclass
class DecisionListing:
    cards: list[DecisionCard]
    next_url: str | None
    """The pager's "Next"; None on the last page."""
    warnings: list[str] = field(default_factory=list)
    """What could not be read on a card, each with the card's text: a skipped card, an unlinked heading, a date."""
    skipped: int = 0
    """Cards skipped because the page does not tell their case (no reference, or two): cases shown, not named."""
    results: int | None = None
    """"Your search has N results", where the page prints it; 0 where it shows no card and says there are none."""


@dataclass
class DecisionPage:
    """One page of a decision: its header, summary and the statement's part shown on this page."""

    authority_name: str
    """The body as the header prints it: a council, a care provider, an NHS trust."""
    case_ref: str
    category: str
    sub_category: str
    outcome: str
    decision_date: str
    summary: str | None
    """`Summary: …`; None where the page prints none (a report's chapters)."""
    chapter: int
    """This page's chapter: 0 for the page without `?chapter=` (a statement, a report's landing page)."""
    statement: list[str]
    """Headings and paragraphs in order, "Back to top" and any table of contents left out."""
    remedy: list[str]
    """The agreed actions on this page: an "Agreed action" / "Remedy" / "Recommendations" section's paragraphs,
    and the list after a report's "The Council has agreed to:"."""
    chapter_urls: list[str] = field(default_factory=list)
    """The other chapters this page links to, in chapter order."""
    verdict: str | None = None
    """A report landing page's verdict sentence ("The Ombudsman upheld the complaint, finding fault …")."""
    satisfied_date: str | None = None
    """ISO date of "Ombudsman satisfied with Council's response: …", where the page prints one."""
    warnings: list[str] = field(default_factory=list)
    """What was read in a form not understood: kept as text (the statement whole, the date NULL)."""


def outcome_group(outcome: str) -> str | None:
    """'upheld', 'not upheld' or 'closed early' for an outcome as printed (compound ones included)."""
    for pattern, group in OUTCOME_GROUPS:
        if pattern.match(outcome):
            return group
    return None


def case_ref_in_url(url: str) -> str | None:
    """The case reference a decision page's URL ends in (SEEN shape: '…/24-005-444', '…/17-002-402b'), None
    for any other URL."""
    match = DECISION_REF_IN_PATH.search(urlsplit(url).path)
    return normalise.case_ref(match.group(1)) if match else None


def decision_search_url(base_url: str, authority_name: str, since: str) -> str:
    """The decision search for every decision about an authority since an ISO date, newest first.

    The one URL built rather than followed: the search is a form, and its GET shape is SEEN (§1.8):
    `aname` the display name, `dc` decision codes (closed early, not upheld, upheld), `fd`/`td` dates."""
    query = {"aname": authority_name, "dc": "c+nu+u+", "fd": since, "page": 1, "sortOrder": "descending",
             "td": dt.date.today().isoformat()}  # fmt: skip
    return f"{base_url}/Decisions/SearchResults?{urlencode(query)}"


def page_kind(page: PageText) -> str | None:
    """'decision_listing' for a page of cards (or a listing's own wording), 'decision' for a page with a decision's
    header (a statement, a report's landing page or chapter); None for anything else."""
    if LISTING_WORDING.search(page.text) or any(CARD_LINE.fullmatch(block) for block in page.blocks):
        return "decision_listing"
    if CATEGORY.search(page.text) and DECISION_DATE.search(page.text):
        return "decision"
    return None


def parse_decision_listing(html: str | bytes, url: str) -> DecisionListing:
    page = page_text(html, url)
    cards, warnings, skipped = [], [], 0
    lines = [index for index, block in enumerate(page.blocks) if CARD_LINE.fullmatch(block)]
    claimed: set[int] = set()
    for index in lines:
        card, blocks, problem = _card(page, index)
        claimed.update(blocks)
        text = " / ".join(page.blocks[i] for i in blocks)
        if card is None:
            skipped += 1
            warnings.append(f"card skipped ({problem}): {text!r}")
        else:
            cards.append(card)
            if problem:
                warnings.append(f"card read in part ({problem}): {text!r}")
    for heading in REFERENCE_HEADING.finditer(page.text):
        index = page.block_index(heading.start())
        if index not in claimed:
            skipped += 1
            warnings.append(f"card skipped (no 'Statement …' or 'Report …' line after it): {heading.group(0)!r}")
    if not cards and skipped:
        # Cards shown and none read is a layout the parser doesn't know, not a listing of no cases.
        raise PageLayoutError(url, f"{skipped} cards shown and none read; the first: {warnings[0]}")
    if not cards and not NO_DECISIONS.search(page.text):
        raise PageLayoutError(url, "no decision cards and no wording saying there are none")
    hrefs = {link.href for link in page.links if NEXT_LINK_TEXT.fullmatch(link.text)}
    if len(hrefs) > 1:
        raise PageLayoutError(url, f"{len(hrefs)} different 'Next' links")
    count = RESULT_COUNT.search(page.text)
    results = int(count.group(1)) if count else 0 if not cards else None
    return DecisionListing(cards=cards, next_url=hrefs.pop() if hrefs else None, warnings=warnings, results=results,
                           skipped=skipped)  # fmt: skip


def listing_page_key(url: str) -> str:
    """A listing page's URL as the site tells pages apart: host and path case-folded, a trailing slash dropped,
    the query's parameters decoded and in order (`?b=1&a=x%20y` and `?a=x+y&b=1` are one page)."""
    parts = urlsplit(url)
    query = sorted((name.lower(), value) for name, value in parse_qsl(parts.query, keep_blank_values=True))
    path = unquote(parts.path).rstrip("/").lower()
    return f"{parts.netloc.lower()}{path}?{urlencode(query)}"


def listing_page_limit(expected: int | None, first_page_cards: int) -> int:
    """How many pages of a listing are read at most: what it is said to hold (the statistics page's count, or the
    search's "Your search has N results") with a margin, at the first page's cards a page."""
    if expected is None:
        return UNCOUNTED_LISTING_PAGES
    return math.ceil(expected * LISTING_MARGIN / max(1, first_page_cards)) + LISTING_SPARE_PAGES


def _card(page: PageText, index: int) -> tuple[DecisionCard | None, list[int], str]:
    """The card whose `Statement|Report …` line is block `index`: (card or None, its blocks, what was wrong).

    Its heading is the block before the line when that reads `{Body} ({ref})`; its summary the block after
    when that reads `Summary: …`; its link the one link among those blocks to a decision page. Its case is the
    one the link names, or the heading's where there is no link: a card is skipped only when the page doesn't
    tell its case. A date that can't be is left None, the rest of the card kept."""
    line = CARD_LINE.fullmatch(page.blocks[index])
    heading = REFERENCE_HEADING.fullmatch(page.blocks[index - 1]) if index > 0 else None
    summary = SUMMARY.fullmatch(page.blocks[index + 1]) if index + 1 < len(page.blocks) else None
    blocks = [i for i in (index - 1 if heading else None, index, index + 1 if summary else None) if i is not None]
    start = page.block_starts[blocks[0]]
    end = page.block_starts[blocks[-1]] + len(page.blocks[blocks[-1]])
    links = [link for link in page.links_between(start, end) if case_ref_in_url(link.href)]
    urls = list(dict.fromkeys(link.href for link in links))
    if len(urls) > 1:
        return None, blocks, f"{len(urls)} links to a decision page, expected one"
    if not urls and heading is None:
        return None, blocks, "no link to a decision page and no heading naming its case"
    case_ref = case_ref_in_url(urls[0]) if urls else normalise.case_ref(heading.group(2))
    if heading is not None and normalise.case_ref(heading.group(2)) != case_ref:
        return None, blocks, f"its heading names {heading.group(2)} but it links {urls[0]}"
    problems = [] if urls else [f"its heading names {heading.group(2)} but links no decision page: not followed"]
    try:
        decision_date = normalise.uk_date(line.group(3))
    except ValueError as error:
        decision_date = None
        problems.append(str(error))
    outcome = CARD_OUTCOME.match(line.group(2))
    card = DecisionCard(
        authority_name=heading.group(1) if heading else None,
        case_ref=case_ref,
        url=urls[0] if urls else None,
        is_report=line.group(1) == "Report",
        outcome=outcome.group(0) if outcome else None,
        sub_category=line.group(2)[outcome.end() :].strip() if outcome else None,
        decision_date=decision_date,
        summary=_without_trailing_link(summary.group(1), links) if summary else None,
    )
    return card, blocks, "; ".join(problems)


def _without_trailing_link(summary: str, links: list) -> str:
    """A card without a heading may end its summary with its link ("… Read the statement"): that is the link's
    label, not the Ombudsman's words."""
    for link in links:
        if link.text and summary.endswith(link.text):
            return summary[: -len(link.text)].rstrip()
    return summary


def parse_decision_page(html: str | bytes, url: str) -> DecisionPage:
    tree = parse_tree(html, url)
    page = part_text(tree, _main_content(tree), links=_may_link_a_chapter)
    category = _first(CATEGORY, page, "'Category : Main > Sub'", 0)
    headings = list(REFERENCE_HEADING.finditer(page.text, 0, category.start()))
    if not headings:
        raise PageLayoutError(url, "no '{Body} (YY NNN NNN)' heading before 'Category :'")
    heading = headings[-1]
    # The header's own lines come first: a statement may have a section headed "Decision" further down.
    outcome = _first(OUTCOME, page, "'Decision :'", heading.start())
    decided = _first(DECISION_DATE, page, "'Decision date :'", heading.start())
    try:
        decision_date = normalise.uk_date(decided.group(1))
    except ValueError as error:
        raise PageLayoutError(url, f"'Decision date :' {error}") from None
    header_end = max(page.block_index(match.end() - 1) for match in (heading, category, outcome, decided))
    statement = _Statement(page, header_end + 1)
    return DecisionPage(
        authority_name=heading.group(1),
        case_ref=normalise.case_ref(heading.group(2)),
        category=category.group(1),
        sub_category=category.group(2),
        outcome=outcome.group(1).strip(),
        decision_date=decision_date,
        summary=statement.summary,
        chapter=_chapter(url),
        statement=statement.blocks,
        remedy=statement.remedy,
        chapter_urls=_chapter_urls(tree),
        verdict=statement.verdict,
        satisfied_date=statement.satisfied_date,
        warnings=statement.warnings,
    )


def _first(pattern: re.Pattern[str], page: PageText, what: str, start: int) -> re.Match[str]:
    match = pattern.search(page.text, start)
    if match is None:
        raise PageLayoutError(page.url, f"missing {what}")
    return match


def _main_content(tree: Tree) -> etree._Element:
    """The element holding the decision's header and what follows it: the nearest ancestor of the
    "Decision date" label that has text after the date, and never more than the page's own <main> (markup left
    unclosed can make that ancestor the whole page body, sidebar and all). The whole page when there is no such
    element."""
    for text in _TEXT_NAMING_DECISION_DATE(tree.root):
        element = text.getparent()
        while element is not None and element is not tree.root:
            content = normalise.collapse_whitespace(_STRING_VALUE(element))
            label = list(DECISION_DATE_LABEL.finditer(content))
            after = content[label[-1].end() :] if label else ""
            declared_main = element.tag == "main" or element.get("role") == "main"
            if REFERENCE_IN_BRACKETS.search(content) and (len(after.split()) > 3 or declared_main):
                return element
            element = element.getparent()
    return tree.root


class _Statement:
    """The text after a decision page's header, read as `parse_decision_page` describes."""

    def __init__(self, page: PageText, first: int):
        self.warnings: list[str] = []
        self.summary: str | None = None
        self.verdict: str | None = None
        self.satisfied_date: str | None = None
        self.remedy: list[str] = []
        indices = self._indices(page, first)
        self.blocks = [page.blocks[i] for i in indices]
        headed, in_remedy = False, False
        for index, block in zip(indices, self.blocks, strict=True):
            if index in page.heading_blocks or SECTION_HEADINGS.fullmatch(block):
                headed = True
                in_remedy = REMEDY_HEADINGS.fullmatch(block) is not None
            elif AGREED_TO.fullmatch(block):
                in_remedy = True
            elif satisfied := SATISFIED.fullmatch(block):
                in_remedy = False
                self._satisfied(satisfied.group(1))
            elif in_remedy:
                self.remedy.append(block)
            elif self.verdict is None and not headed and VERDICT.fullmatch(block):
                self.verdict = block
        if not self.blocks:
            self.warnings.append("no statement text after the header")
        elif not headed and self.verdict is None and self.satisfied_date is None:
            self.warnings.append("no section heading in the statement: its text is stored whole")

    def _indices(self, page: PageText, first: int) -> list[int]:
        """The statement's blocks: after the header to the end of the main content, without "Back to top", a table
        of contents, "The Ombudsman's final decision:" and the summary."""
        indices = [i for i in range(first, len(page.blocks)) if page.blocks[i].lower() != BACK_TO_TOP]
        opening = 0
        while opening < len(indices) and _is_furniture(page, indices, opening):
            opening += 1
        if opening < len(indices) and (summary := SUMMARY.fullmatch(page.blocks[indices[opening]])):
            self.summary = summary.group(1).strip()
            return indices[opening + 1 :]
        finals = [n for n in range(opening) if FINAL_DECISION.fullmatch(page.blocks[indices[n]])]
        if finals:
            return indices[finals[-1] + 1 :]
        return indices[_contents_length(page, indices) :]

    def _satisfied(self, text: str) -> None:
        try:
            self.satisfied_date = normalise.uk_date(text.rstrip("."))
        except ValueError as error:
            self.warnings.append(f"'Ombudsman satisfied with … response': {error}")


def _is_furniture(page: PageText, indices: list[int], n: int) -> bool:
    """Whether the block at indices[n] may stand between a header and its summary: "The Ombudsman's final
    decision:", a table of contents (its label; entries printed again further down; headings), a chapter link."""
    index = indices[n]
    block = page.blocks[index]
    return bool(
        FINAL_DECISION.fullmatch(block)
        or CONTENTS_LABEL.fullmatch(block)
        or index in page.heading_blocks
        or SECTION_HEADINGS.fullmatch(block)
        or any(page.blocks[later] == block for later in indices[n + 1 :])
        or any(link.text == block for link in page.links_between(page.block_starts[index], page.block_end(
            page.block_starts[index])))
    )


def _contents_length(page: PageText, indices: list[int]) -> int:
    """How many blocks a table of contents opening the statement takes: an optional "Contents" label, then two or
    more entries each printed again further down (as the heading it points to); 0 when there is none."""
    blocks = [page.blocks[i] for i in indices]
    start = 1 if blocks and CONTENTS_LABEL.fullmatch(blocks[0]) else 0
    end = start
    while end < len(blocks) and blocks[end] in blocks[end + 1 :]:
        end += 1
    return end if end - start >= 2 else 0


def _chapter(url: str) -> int:
    values = parse_qs(urlsplit(url).query).get("chapter", ["0"])
    if len(values) != 1 or not values[0].isdigit():
        raise PageLayoutError(url, f"chapter {values} is not a number")
    return int(values[0])


def _may_link_a_chapter(href: str) -> bool:
    """Most of a decision page's links (menus, footer, sidebar) can't name a chapter: their text and
    position are never worked out, nor are they taken apart."""
    return "chapter" in href


def _chapter_urls(tree: Tree) -> list[str]:
    """Links anywhere on the page to other chapters of it: same path, a `chapter` number in the query."""
    path = urlsplit(tree.url).path.rstrip("/").lower()
    current = _chapter(tree.url)
    chapters: dict[int, str] = {}
    for href in _CHAPTER_HREFS(tree.root):
        absolute = urljoin(tree.base_url, href.strip())
        parts = urlsplit(absolute)
        number = parse_qs(parts.query).get("chapter")
        same_page = parts.path.rstrip("/").lower() == path
        if same_page and number and number[0].isdigit() and int(number[0]) != current:
            chapters.setdefault(int(number[0]), absolute)
    return [chapters[number] for number in sorted(chapters)]


def decision_url_key(url: str) -> str:
    """A decision page's URL as the site tells them apart: its path, case-folded (hosts and ports aside)."""
    return unquote(urlsplit(url).path).rstrip("/").lower()


def _squashed(words: str) -> str:
    return re.sub(r"[^a-z0-9]", "", words.lower().replace("&", "and"))


def in_own_category(url: str, category: str, sub_category: str) -> bool:
    """Whether a decision's URL is the one the site files it under, the category its page prints:
    `/decisions/{category}/{sub category}/{ref}` (SEEN: '/decisions/housing/homelessness/24-005-444')."""
    segments = decision_url_key(url).strip("/").split("/")
    return (
        len(segments) == 4
        and segments[0] == "decisions"
        and (_squashed(segments[1]), _squashed(segments[2])) == (_squashed(category), _squashed(sub_category))
    )


def decision_from_pages(
    pages: list[DecisionPage], found_via: str, is_report: bool, url: str, listed_as: str | None = None
) -> Decision:
    """One decision from its page(s): chapters joined in order; every chapter must name the same case.

    `found_via` is the authority whose pages led to it; which authority the decision is about (if any: a care
    provider is in no register) is worked out from the body's name where it is stored (store.save_decisions)."""
    ordered = sorted(pages, key=lambda p: p.chapter)
    first = ordered[0]
    for other in ordered[1:]:
        if other.case_ref != first.case_ref:
            raise PageLayoutError(
                url, f"chapter {other.chapter} is about {other.case_ref}, not {first.case_ref}"
            )
    remedy = list(dict.fromkeys(paragraph for p in ordered for paragraph in p.remedy))
    return Decision(
        authority_slug=None,
        case_ref=first.case_ref,
        body_name=first.authority_name,
        category=first.category,
        sub_category=first.sub_category,
        outcome=first.outcome,
        outcome_group=outcome_group(first.outcome),
        decision_date=first.decision_date,
        is_report=is_report or len(ordered) > 1 or any(p.satisfied_date or p.verdict for p in ordered),
        chapters=len(ordered),
        summary=next((p.summary for p in ordered if p.summary), ""),
        text="\n".join(line for p in ordered for line in p.statement),
        remedy="\n".join(remedy) if remedy else None,
        satisfied_date=next((p.satisfied_date for p in ordered if p.satisfied_date), None),
        url=url,
        source_url=url,
        found_via=found_via,
        listed_as=listed_as,
    )
