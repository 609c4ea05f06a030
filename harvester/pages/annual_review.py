"""The annual review hub page: each year's data files (complaints received, decided, remedy and compliance).

`/information-centre/reports/annual-review-reports/local-government-complaint-reviews` (site notes §6) links,
year by year, the "Review of Local Government Complaints" and the data behind it as CSV and XLSX files. A data
file is a link whose text names a data set ("Complaints decided", "Remedy and compliance", "data tables",
"spreadsheet") and whose text or file name gives a spreadsheet format; its year is the one its text, its file
name ('2-Complaints-Decided-25-26.csv') or the nearest heading above it gives. Where a year offers the same
data set as CSV and XLSX, the CSV is read (the same figures, without a zip to open).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from harvester import normalise
from harvester.items import DataFileLink
from harvester.pages.html import PageLayoutError, page_text

HUB_PATH = "/information-centre/reports/annual-review-reports/local-government-complaint-reviews"

DATA_SET_WORDS = re.compile(
    r"\bcomplaints?\b|\bdecisions?\b|\bdecided\b|\bremed(?:y|ies)\b|\bcompliance\b|\bdata\b|\bspreadsheet\b"
    r"|\bstatistics\b",
    re.IGNORECASE,
)
"""What a data file's link says it holds: the exact wording was never seen (site notes §6), so any of these words
with a spreadsheet format in the link's text or file name."""
FORMAT_WORDS = {
    "csv": re.compile(r"\bcsv\b", re.IGNORECASE),
    "xlsx": re.compile(r"\bxlsx\b|\bexcel\b", re.IGNORECASE),
}
FILE_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
TEXT_YEAR = re.compile(r"\b((?:19|20)\d{2})\s*[-–/]\s*(\d{2})\b")
FILE_NAME_YEAR = re.compile(r"(?<!\d)(\d{2})[-_](\d{2})(?!\d)")
"""'2-Complaints-Decided-25-26.csv': the statistics year 2025-26 (site notes §6)."""
FORMAT_AND_YEAR = re.compile(
    r"\(?\s*(?:csv|xlsx|excel|spreadsheet|file)\s*\)?|\b(?:19|20)\d{2}\s*[-–/]\s*\d{2}\b|[^\w\s]",
    re.IGNORECASE,
)


def parse_hub(html: str | bytes, url: str) -> list[DataFileLink]:
    """Every data file the hub links, in page order. A hub that links none has changed its layout."""
    page = page_text(html, url)
    found = []
    for link in page.links:
        if DATA_SET_WORDS.search(link.text) is None:
            continue
        file_format = _format(link.text, link.href)
        if file_format is None:
            continue  # the year's report (a PDF) or a page about the data, not a data file
        year = _year(link.text, link.href, page, link.offset)
        if year is None:
            raise PageLayoutError(url, f"data file link {link.text!r} gives no statistics year")
        found.append(DataFileLink(year, link.text, link.href, file_format, url))
    if not found:
        raise PageLayoutError(url, "no data file links (complaints received or decided, CSV or XLSX)")
    return found


def file_link(url: str) -> DataFileLink:
    """A data file known only by its URL (`harvester parse`): its year from its file name, its format from its
    extension."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    file_format, year = _format(name, url), _file_name_year(name)
    if file_format is None or year is None:
        raise ValueError(f"{url}: not a data file name with a year and .csv or .xlsx ('2-Complaints-Decided-25-26.csv')")
    return DataFileLink(year, name, url, file_format, url)


def files_to_read(links: list[DataFileLink]) -> list[DataFileLink]:
    """One file per year and data set: the CSV where the hub gives the same data set as CSV and XLSX."""
    chosen: dict[tuple[str, str], DataFileLink] = {}
    for link in links:
        key = (link.year, data_set(link))
        if key not in chosen or (chosen[key].file_format != "csv" and link.file_format == "csv"):
            chosen[key] = link
    return list(chosen.values())


def data_set(link: DataFileLink) -> str:
    """The data set a link names, without its year and format: 'complaints decided'."""
    return " ".join(FORMAT_AND_YEAR.sub(" ", link.label).lower().split())


def _format(text: str, href: str) -> str | None:
    suffix = unquote(urlsplit(href).path).lower()
    for ending, file_format in FILE_FORMATS.items():
        if suffix.endswith(ending):
            return file_format
    for file_format, words in FORMAT_WORDS.items():
        if words.search(text):
            return file_format
    return None


def _year(text: str, href: str, page, offset: int) -> str | None:
    in_text = TEXT_YEAR.search(text)
    if in_text is not None:
        return normalise.statistics_year_from_label(in_text.group(0))
    name = unquote(urlsplit(href).path).rsplit("/", 1)[-1]
    return _file_name_year(name) or _heading_year(page, offset)


def _file_name_year(name: str) -> str | None:
    for match in FILE_NAME_YEAR.finditer(name):
        start, end = (int(part) for part in match.groups())
        if start + 1 == end:  # '99-00' would be 2099-00, past any statistics year: not a year
            return normalise.statistics_year(2000 + start)
    return None


def _heading_year(page, offset: int) -> str | None:
    """The year of the nearest heading above a link: a hub may list a year's files under one heading."""
    for index in range(page.block_index(offset), -1, -1):
        if index in page.heading_blocks:
            match = TEXT_YEAR.search(page.blocks[index])
            if match is not None:
                return normalise.statistics_year_from_label(match.group(0))
    return None
