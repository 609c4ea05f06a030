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
LETTERS_WORDING = sentence(r"We write to councils each year|^Annual letters$", re.MULTILINE)


def parse_letters_list(html: str | bytes, url: str) -> list[LetterLink]:
    """Every link labelled as an annual review letter, in page order. A page with no such link must at
    least carry the annual letters wording, or its layout has changed."""
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
    if not letters and LETTERS_WORDING.search(page.text) is None:
        raise PageLayoutError(url, "no annual review letter links and no annual letters wording")
    return letters


def _letter_year(label: str) -> str | None:
    """The statistics year a letter link's label names, or None if the link is not a letter."""
    label_year = LETTER_LABEL_YEAR.search(label)
    if label_year is not None and (LETTER_WORD.search(label) or label_year.group(0) == label):
        return normalise.statistics_year_from_label(label_year.group(0))
    title_year = LETTER_TITLE_YEAR.search(label)
    if title_year is not None:
        return normalise.statistics_year_from_letter_title_year(int(title_year.group(1)))
    return None
