"""An authority's annual letters list: one link per annual review letter, labelled by year."""

from __future__ import annotations

import re

from harvester import normalise
from harvester.items import LetterLink
from harvester.pages.html import PageLayoutError, page_text, sentence
from harvester.pages.index import slug_from_authority_url

LETTER_TITLE_YEAR = re.compile(
    r"\bannual\s+review\s+letter\s+((?:19|20)\d{2})\b(?!\s*[-–/]\s*\d)", re.IGNORECASE
)
"""'Annual review letter 2024': the calendar year of issue, the end of the statistics year covered."""
LETTER_LABEL_YEAR = re.compile(r"\b(?:19|20)\d{2}\s*[-–/]\s*\d{2}\b")
"""A label giving the statistics year itself: 'Annual review letter 2023-24', or just '2023/24'."""
LETTER_WORD = re.compile(r"\bletter\b", re.IGNORECASE)
ISSUE_YEAR_LABEL = re.compile(r"(?:19|20)\d{2}")
"""A label that is just the year of issue ('2024'), as a list of letters may show them."""
NONE_STATEMENT = sentence(
    r"\bno (?:annual (?:review )?)?letters\b|\bthere are no (?:annual (?:review )?)?letters\b"
    r"|\bno (?:annual (?:review )?)?letters? (?:found|available|published)\b"
)
""""None" in the ordinary phrasings a list may use: 'No letters', 'There are no annual letters for this council'."""


def parse_letters_list(html: str | bytes, url: str) -> list[LetterLink]:
    """Every link labelled as an annual review letter or a year, in page order, whatever the markup around
    it. A page with no such link must say there are none ('No letters', 'There are no annual letters …'),
    or its layout has changed."""
    page = page_text(html, url)
    slug = slug_from_authority_url(url)
    letters = []
    for link in page.links:
        try:
            year = _letter_year(link.text)
        except ValueError as error:
            raise PageLayoutError(url, f"letter link {link.text!r}: {error}") from None
        if year is not None:
            letters.append(
                LetterLink(authority_slug=slug, year=year, label=link.text, pdf_url=link.href, source_url=url)
            )
    if not letters and NONE_STATEMENT.search(page.text) is None:
        raise PageLayoutError(url, "no annual review letter links and no statement that there are none")
    return letters


def _letter_year(label: str) -> str | None:
    """The statistics year a letter link's label names, or None if the link is not a letter."""
    label_year = LETTER_LABEL_YEAR.search(label)
    if label_year is not None and (LETTER_WORD.search(label) or label_year.group(0) == label):
        return normalise.statistics_year_from_label(label_year.group(0))
    if ISSUE_YEAR_LABEL.fullmatch(label):
        return normalise.statistics_year_from_letter_title_year(int(label))
    title_year = LETTER_TITLE_YEAR.search(label)
    if title_year is not None:
        return normalise.statistics_year_from_letter_title_year(int(title_year.group(1)))
    return None
