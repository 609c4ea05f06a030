"""The floor of issue 14: the sequential script most people would write, over the same pages and letters.

    python bench/sequential.py BASE_URL --db PATH [--pdf pypdfium2|pdfminer] [--authority SLUG ...]

One requests.Session, one request at a time, BeautifulSoup with Python's own "html.parser", regular expressions
over the page text, plain sqlite3, no retries, no cache, no safety limits. It walks the site by its links as a
person would: the index, each council's statistics page (and the predecessors its merger box links), its annual
letters list and every letter PDF, its reports list and its service improvements pages ("View all", "Next").
It stores the six headline figures of each statistics page and the text of each letter (pypdfium2, or pdfminer.six's
`extract_text`, what most people write). Without --authority, as the harvester's crawl of the whole index does, it
also reads the annual review hub and each year's data files linked there (the CSV where a data set is offered as CSV
and XLSX too; csv and openpyxl), storing every cell beside a council's name in long form (file, sheet, row, name,
column header, cell as printed): the ~350,000 figures the crawl stores in `annual_data`. It does not read decisions,
the harvester's other ~7,000 requests.

It prints one JSON line of what it did: {"requests", "pages", "letters", "statistics", "figures", "data_files",
"data_cells"}; bench/perf.py checks those against the site before it believes the time.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sqlite3
from urllib.parse import urljoin, urlsplit

import requests
from bs4 import BeautifulSoup

INDEX = "/your-councils-performance"
HUB = "/information-centre/reports/annual-review-reports/local-government-complaint-reviews"
"""The annual review hub, where the harvester's crawl starts for the data files too (site notes §6)."""
DATA_FILE_ENDINGS = (".csv", ".xlsx")
FIGURES = {
    "investigations": [
        r"We investigated (\d[\d,]*) complaints",
        r"total of (\d[\d,]*) (?:detailed )?investigations",
    ],
    "upheld_decisions": [r"and upheld (\d[\d,]*)", r"(?<![\d.,])(\d[\d,]*) upheld decisions?\b(?! per)"],
    "upheld_pct": [r"(\d+)% of complaints we investigated were upheld"],
    "compliance_pct": [r"(\d+)% of cases we were satisfied"],
    "remedy_pct": [r"In (\d+)% of upheld cases"],
    "remedy_decisions": [r"(\d[\d,]*) satisfactory remedy decisions?"],
}
"""The six headline figures: the first pattern that matches gives the number."""
YEAR = re.compile(r"between 1 April (\d{4}) to 31 March (\d{4})")
SCHEMA = """
CREATE TABLE IF NOT EXISTS statistics (slug TEXT, year TEXT, investigations INTEGER, upheld_decisions INTEGER,
    upheld_pct INTEGER, compliance_pct INTEGER, remedy_pct INTEGER, remedy_decisions INTEGER, url TEXT,
    PRIMARY KEY (slug, year));
CREATE TABLE IF NOT EXISTS letters (url TEXT PRIMARY KEY, slug TEXT, title TEXT, text TEXT);
CREATE TABLE IF NOT EXISTS data_cells (file TEXT, sheet TEXT, row INTEGER, name TEXT, header TEXT, raw TEXT);
"""


def sheet_rows(content: bytes, url: str) -> list[tuple[str | None, list[list[str]]]]:
    """(sheet name or None for a CSV, its rows as text) of a data file."""
    if urlsplit(url).path.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:  # one year's file is in windows-1252
            text = content.decode("cp1252", errors="replace")
        return [(None, list(csv.reader(io.StringIO(text))))]
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return [
            (sheet.title, [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def data_cells(content: bytes, url: str) -> list[tuple]:
    """Every cell beside a council's name, under its column's header: the header is the first row that names
    an organisation or authority in its first cell; rows below it with a name in that cell are councils."""
    cells = []
    for sheet, rows in sheet_rows(content, url):
        header = None
        for number, row in enumerate(rows, start=1):
            if header is None:
                if row and re.match(r"(organisation|authority|council)", row[0].strip(), re.IGNORECASE):
                    header = row
                continue
            if not row or not row[0].strip():
                continue
            name = row[0].strip()
            cells += [(url, sheet, number, name, column, raw) for column, raw in zip(header[1:], row[1:], strict=False)
                      if column]
    return cells


def pdfium_text(data: bytes) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


class Walker:
    def __init__(self, base_url: str, db: sqlite3.Connection, pdf_text):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.db = db
        self.pdf_text = pdf_text
        self.seen: set[str] = set()
        self.counts = {"requests": 0, "pages": 0, "letters": 0, "statistics": 0, "figures": 0, "data_files": 0,
                       "data_cells": 0}  # fmt: skip

    def get(self, url: str) -> requests.Response | None:
        self.counts["requests"] += 1
        response = self.session.get(url, timeout=60)
        return response if response.status_code == 200 else None

    def soup(self, url: str) -> BeautifulSoup | None:
        response = self.get(url)
        if response is None:
            return None
        self.counts["pages"] += 1
        return BeautifulSoup(response.text, "html.parser")

    def links(self, soup: BeautifulSoup, url: str, text: str | None = None, ending: str = "") -> list[str]:
        found = []
        for a in soup.find_all("a", href=True):
            if (text is None or a.get_text(" ", strip=True) == text) and a["href"].split("?")[0].endswith(
                ending
            ):
                found.append(urljoin(url, a["href"]))
        return found

    def council(self, url: str) -> None:
        if url.lower() in self.seen:
            return
        self.seen.add(url.lower())
        soup = self.soup(url)
        if soup is None:
            return
        slug = url.rstrip("/").split("/")[-2]
        self.store_statistics(slug, url, " ".join(soup.get_text(" ").split()))
        for letters_url in self.links(soup, url, "View annual letters"):
            self.letters(slug, letters_url)
        for list_url in self.links(soup, url, "View all"):
            self.list_pages(list_url)
        for predecessor in self.links(soup, url, ending="/statistics"):  # the merger box
            self.council(predecessor)

    def store_statistics(self, slug: str, url: str, text: str) -> None:
        year = YEAR.search(text)
        figures = {}
        for name, patterns in FIGURES.items():
            match = next((m for m in (re.search(p, text) for p in patterns) if m), None)
            figures[name] = int(match.group(1).replace(",", "")) if match else None
        self.db.execute(
            "INSERT OR REPLACE INTO statistics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (slug, year and f"{year.group(1)}-{year.group(2)[2:]}", *figures.values(), url),
        )
        self.db.commit()
        self.counts["statistics"] += 1
        self.counts["figures"] += sum(value is not None for value in figures.values())

    def letters(self, slug: str, url: str) -> None:
        soup = self.soup(url)
        if soup is None:
            return
        for a in soup.find_all("a", href=True):
            if not a["href"].lower().endswith(".pdf"):
                continue
            pdf_url = urljoin(url, a["href"])
            response = self.get(pdf_url)
            if response is None:
                continue
            text = self.pdf_text(response.content)
            self.db.execute(
                "INSERT OR REPLACE INTO letters VALUES (?, ?, ?, ?)",
                (pdf_url, slug, a.get_text(" ", strip=True), text),
            )
            self.db.commit()
            self.counts["letters"] += 1

    def list_pages(self, url: str) -> None:
        for _ in range(1000):  # a list runs to a few pages; a pager that never ends stops here
            soup = self.soup(url)
            following = self.links(soup, url, "Next") if soup else []
            if not following:
                return
            url = following[0]

    def data_files(self) -> None:
        """Each data file the hub links, one per data set and year: the CSV where there is an XLSX of it too."""
        hub_url = self.base_url + HUB
        soup = self.soup(hub_url)
        if soup is None:
            return
        chosen: dict[str, str] = {}
        for url in self.links(soup, hub_url):
            stem, dot, ending = urlsplit(url).path.lower().rpartition(".")
            if f".{ending}" in DATA_FILE_ENDINGS and (stem not in chosen or ending == "csv"):
                chosen[stem] = url
        for url in chosen.values():
            response = self.get(url)
            if response is None:
                continue
            cells = data_cells(response.content, url)
            self.db.executemany("INSERT INTO data_cells VALUES (?, ?, ?, ?, ?, ?)", cells)
            self.db.commit()
            self.counts["data_files"] += 1
            self.counts["data_cells"] += len(cells)

    def run(self, authorities: list[str]) -> None:
        """Every council on the index and the data files or, as `harvester crawl --authority` does, the chosen
        ones' pages."""
        index_url = self.base_url + INDEX
        if authorities:
            councils = [f"{index_url}/{slug}/statistics" for slug in authorities]
        else:
            councils = self.links(self.soup(index_url), index_url, ending="/statistics")
            self.data_files()
        for url in councils:
            self.council(url)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url")
    parser.add_argument("--db", required=True)
    parser.add_argument("--pdf", choices=("pypdfium2", "pdfminer"), default="pypdfium2")
    parser.add_argument("--authority", action="append", default=[], metavar="SLUG")
    options = parser.parse_args()
    db = sqlite3.connect(options.db)
    db.executescript(SCHEMA)
    walker = Walker(options.base_url, db, pdfium_text if options.pdf == "pypdfium2" else pdfminer_text)
    walker.run(options.authority)
    db.close()
    print(json.dumps(walker.counts))


if __name__ == "__main__":
    main()
