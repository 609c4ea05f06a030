"""Which parser reads a saved page or PDF: for `harvester parse`, debugging and bug reports."""

from __future__ import annotations

from urllib.parse import urlsplit

from w3lib.encoding import html_to_unicode

from harvester.pages.annual_review import HUB_PATH, file_link, parse_hub
from harvester.pages.decisions import NO_DECISIONS, page_kind, parse_decision_listing, parse_decision_page
from harvester.pages.html import page_text
from harvester.pages.improvements import parse_improvements_page
from harvester.pages.index import is_statistics_url, parse_index
from harvester.pages.letters_list import parse_letters_list
from harvester.pages.reports_list import parse_reports_list
from harvester.pages.statistics import parse_statistics_page

KINDS = (
    "index",
    "statistics",
    "letters",
    "reports",
    "improvements",
    "letter",
    "decision",
    "decision_listing",
    "hub",
    "datafile",
)

# Wording each list page carries and the statistics page (which carries all of it) does not need.
LIST_PAGE_WORDING = (
    ("improvements", "Case reference:"),
    ("letters", "Annual review letter"),
    ("reports", "has published the following reports against"),
)


def decoded(content: bytes) -> str:
    """A saved page's text as a browser would decode it with no HTTP header: its BOM or declared charset, else
    UTF-8. lxml left to itself reads an undeclared page as Latin-1 ("Â£" for "£")."""
    return html_to_unicode(None, content)[1]


def guess_kind(content: bytes, url: str) -> str:
    """The page type, from what the content is and says; the URL only where its shape is SEEN."""
    if content.startswith(b"%PDF"):
        return "letter"
    path = urlsplit(url).path.rstrip("/").lower()
    if path.endswith((".csv", ".xlsx")):
        return "datafile"
    if path == HUB_PATH:
        return "hub"
    if is_statistics_url(url):
        return "statistics"
    if path.endswith("/your-councils-performance"):
        return "index"
    text = decoded(content)
    page = page_text(text, url)
    decision_kind = page_kind(page)
    if decision_kind is not None:
        return decision_kind
    for kind, wording in LIST_PAGE_WORDING:
        if wording.lower() in text.lower():
            return kind
    # Last, as another list page may say it has none of its own kind: a listing that shows no card and says only
    # that there are none ("No results found.").
    if NO_DECISIONS.search(page.text):
        return "decision_listing"
    raise ValueError(f"cannot tell what kind of page {url} is: give --kind ({', '.join(KINDS)})")


def parse_saved(content: bytes | str, url: str, kind: str, authority_slug: str | None = None) -> list:
    """Everything the parser for `kind` yields from `content`, as item objects."""
    if kind == "letter":
        from harvester.pages.letter import parse_letter
        from harvester.pdftext import extract_text

        if authority_slug is None:
            raise ValueError("a letter PDF's URL does not name its authority: give --authority SLUG")
        return [parse_letter(extract_text(content).text, authority_slug=authority_slug, pdf_url=url)]
    if kind == "datafile":
        from harvester.datafiles import read_data_file

        return read_data_file(content, file_link(url)).values
    content = decoded(content)
    if kind == "statistics":
        page = parse_statistics_page(content, url)
        return [page]
    if kind == "index":
        return parse_index(content, url)
    if kind == "letters":
        return parse_letters_list(content, url)
    if kind == "reports":
        return parse_reports_list(content, url)
    if kind == "improvements":
        return [parse_improvements_page(content, url)]
    if kind == "decision":
        from harvester.remedy_payments import DECISION_REMEDY, payments_of

        page = parse_decision_page(content, url)
        return [page, *payments_of(page.case_ref, authority_slug, DECISION_REMEDY, "\n".join(page.remedy), url)]
    if kind == "decision_listing":
        return [parse_decision_listing(content, url)]
    if kind == "hub":
        return parse_hub(content, url)
    raise ValueError(f"unknown page kind {kind!r}: one of {', '.join(KINDS)}")
