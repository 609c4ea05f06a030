"""Service improvements: the cases a council agreed to improve its services in, with the actions.

Reads the list page (filters, pager) and, with the same card wording, the statistics page's teaser.
A card is "Case reference: 23 020 528", "Category: …", "Sub Category: …", then the actions, one per
block, copied verbatim (glued words such as "encryptede-mails" included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from harvester import normalise
from harvester.items import ServiceImprovement
from harvester.pages.html import PageLayoutError, PageText, find_at_most_once, find_once, page_text, sentence
from harvester.pages.index import slug_from_authority_url

CASE_REFERENCE = re.compile(rf"Case\s+reference\s*:\s*({normalise.CASE_REF_AS_PRINTED})", re.IGNORECASE)
CATEGORY = re.compile(r"(?<!Sub\s)\bCategory\s*:\s*([^\n]+?)(?=\s*Sub\s+Category\s*:|\n|$)", re.IGNORECASE)
SUB_CATEGORY = re.compile(r"\bSub\s+Category\s*:\s*([^\n]+)", re.IGNORECASE)
BULLET = re.compile(r"^[•·▪‣◦]\s*")
END_OF_ACTIONS = re.compile(
    r"(?:(?:Previous|Next|First|Last|\d+|…|\.\.\.|«|»|‹|›)\s*)+"
    r"|\d[\d,]*\s*service\s+improvements?\b.*|Service\s+improvements\s+agreed\s+by\b.*"
    r"|No\s+service\s+improvements\s+found.*|Last\s+updated:.*|View\s+all",
    re.IGNORECASE,
)
"""Blocks that end a card's actions: pager, counts, empty-state and footer lines."""
MATCHING_COUNT = re.compile(r"(?m)^(\d[\d,]*)\s+service\s+improvements?$", re.IGNORECASE)
NO_RESULTS = sentence(
    r"\bno (?:service )?improvements\b|\bthere are no (?:service )?improvements\b"
    r"|\bhas not agreed (?:to make )?any (?:service )?improvements\b"
)
""""None" in ordinary phrasings: 'No service improvements found', 'There are no service improvements …'."""
INTRO = sentence(r"Since April 2018, the \w+ has agreed to make the following improvements")
NEXT_LINK_TEXT = re.compile(r"Next\b.*", re.IGNORECASE)


@dataclass
class ImprovementsPage:
    """One page of an authority's service improvements (or the statistics page's teaser)."""

    improvements: list[ServiceImprovement]
    """The cases shown, in page order."""
    next_url: str | None
    """The pager's "Next" link; None on the last (or only) page."""
    matching_count: int | None
    """"{N} service improvements": cases matching the filters across all pages (list page only)."""
    categories: dict[str, str] = field(default_factory=dict)
    """Category filter: option value (the `category=` id) -> category name; "All categories" left out."""
    years: list[int] = field(default_factory=list)
    """Year filter values, as offered; "All years" left out."""


def parse_improvements_page(html: str | bytes, url: str) -> ImprovementsPage:
    return read_improvements_page(page_text(html, url))


def read_improvements_page(page: PageText) -> ImprovementsPage:
    """The cases of a page already turned into text (the statistics page reads its teaser this way)."""
    url = page.url
    slug = slug_from_authority_url(url)
    references = list(CASE_REFERENCE.finditer(page.text))
    card_ends = [match.start() for match in references[1:]] + [len(page.text)]
    improvements = [
        _card(page, slug, reference, card_end)
        for reference, card_end in zip(references, card_ends, strict=False)
    ]
    matching = find_at_most_once(MATCHING_COUNT, page, "the '{N} service improvements' count")
    matching_count = normalise.count(matching.group(1)) if matching else None
    if not improvements and (matching_count or SUB_CATEGORY.search(page.text)):
        # Cards are shown (their 'Sub Category:' lines, or a count above 0) but none is read: never "none agreed",
        # which would mark every stored improvement gone.
        raise PageLayoutError(url, "service improvement cards without a 'Case reference:' heading")
    if not improvements and not (
        NO_RESULTS.search(page.text) or INTRO.search(page.text) or matching_count == 0
    ):
        raise PageLayoutError(url, "no 'Case reference:' cards and no service improvements wording")
    return ImprovementsPage(
        improvements=improvements,
        next_url=_next_url(page),
        matching_count=matching_count,
        categories=_filter_choices(page, "All categories", "category"),
        years=[_year(page, value) for value in _filter_choices(page, "All years", "year")],
    )


def _card(page: PageText, slug: str, reference: re.Match[str], card_end: int) -> ServiceImprovement:
    ref = normalise.case_ref(reference.group(1))
    what = f"case {reference.group(1)}"
    category = find_once(CATEGORY, page, f"'Category:' of {what}", reference.end(), card_end)
    sub_category = find_once(SUB_CATEGORY, page, f"'Sub Category:' of {what}", reference.end(), card_end)
    actions = []
    for index in range(page.block_index(sub_category.end() - 1) + 1, page.block_index(card_end - 1) + 1):
        block = page.blocks[index]
        if _ends_actions(page, index):
            break
        actions.append(BULLET.sub("", block))
    if not actions:
        raise PageLayoutError(page.url, f"no agreed actions listed for {what}")
    decision_urls = {
        link.href
        for link in page.links_between(reference.start(), card_end)
        if urlsplit(link.href).path.lower().rstrip("/").endswith(ref)
    }
    if len(decision_urls) > 1:
        raise PageLayoutError(page.url, f"{len(decision_urls)} different decision links for {what}")
    return ServiceImprovement(
        authority_slug=slug,
        case_ref=ref,
        category=category.group(1).strip(),
        sub_category=sub_category.group(1).strip(),
        decision_url=decision_urls.pop() if decision_urls else None,
        source_url=page.url,
        actions=actions,
    )


def _ends_actions(page: PageText, index: int) -> bool:
    """Pager, count, empty-state or footer lines, headings, and blocks that are nothing but links (chrome)."""
    block = page.blocks[index]
    if index in page.heading_blocks or END_OF_ACTIONS.fullmatch(block) or CASE_REFERENCE.match(block):
        return True
    start = page.block_starts[index]
    link_texts = "".join(link.text for link in page.links_between(start, start + len(block)))
    return re.sub(r"\W", "", link_texts) == re.sub(r"\W", "", block)


def _next_url(page: PageText) -> str | None:
    hrefs = {link.href for link in page.links if NEXT_LINK_TEXT.fullmatch(link.text)}
    if len(hrefs) > 1:
        raise PageLayoutError(page.url, f"{len(hrefs)} different 'Next' links")
    return hrefs.pop() if hrefs else None


def _filter_choices(page: PageText, all_label: str, parameter: str) -> dict[str, str]:
    """value -> label of the <select> offering `all_label`; failing that, of links setting `parameter`."""
    for options in page.selects:
        if any(option.label.lower() == all_label.lower() for option in options):
            return {
                option.value: option.label for option in options if option.label.lower() != all_label.lower()
            }
    choices = {}
    for link in page.links:
        values = parse_qs(urlsplit(link.href).query).get(parameter)
        if values and link.text and link.text.lower() != all_label.lower():
            choices[values[0]] = link.text
    return choices


def _year(page: PageText, value: str) -> int:
    if not re.fullmatch(r"(?:19|20)\d{2}", value):
        raise PageLayoutError(page.url, f"year filter value is not a year: {value!r}")
    return int(value)
