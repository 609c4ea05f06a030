"""A downloaded letter PDF to items: its text, what it says, and its figures.

Runs the untrusted PDF through harvester.pdftext (bounded child processes, layout-aware fallback)
and harvester.pages.letter, parsed in the child process that read it, so the crawl's own process only
receives the result; a PDF that can't be read or parsed becomes a 'failed' LetterDocument with its
reason, never an exception that stops the crawl. A read stopped by a signal is no verdict
on the PDF: it yields no LetterDocument at all, only an 'interrupted' error, and is read next run.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from harvester import items
from harvester.pages.letter import LetterParseError, ParsedLetter, parse_letter_checked
from harvester.pdftext import PdfError, ReadInterrupted, extract_text, read_again


@dataclass
class LetterReading:
    """A letter's text as parsed in the reader's worker process: the letter, or why it didn't parse."""

    letter: ParsedLetter | None
    disagreements: list[str]
    """Ways the letter's figures disagree with each other: PDFium's text with any is read again by pdfminer."""
    error: str | None = None


def parse_in_worker(text: str, authority_slug: str, pdf_url: str) -> LetterReading:
    """harvester.pdftext's `parse`: one parse of each text read, serving as the acceptance check and the result."""
    try:
        letter, disagreements = parse_letter_checked(text, authority_slug=authority_slug, pdf_url=pdf_url)
    except LetterParseError as error:
        return LetterReading(None, [], str(error))
    return LetterReading(letter, disagreements)


def usable(reading: LetterReading) -> bool:
    """The fallback's trigger: PDFium's text is kept when it parses and its figures agree."""
    return reading.letter is not None and not reading.disagreements


def read_letter(content: bytes, link: items.LetterLink) -> list:
    """The items one letter PDF yields: its LetterDocument, then its figures (if it has any)."""
    document = items.LetterDocument(
        authority_slug=link.authority_slug,
        year=link.year,
        pdf_url=link.pdf_url,
        sha256=hashlib.sha256(content).hexdigest(),
        byte_size=len(content),
        status="failed",
        content=content,
    )
    parse = functools.partial(parse_in_worker, authority_slug=link.authority_slug, pdf_url=link.pdf_url)
    try:
        pdf = extract_text(content, accept=usable, parse=parse)
    except PdfError as error:
        document.error = str(error)
        return [document, unreadable(link, document.error)]
    except ReadInterrupted as error:
        return [
            items.CrawlError(
                link.pdf_url, link.authority_slug, "letter", "interrupted", read_again(error)
            )
        ]
    document.text, document.page_count, document.reader = pdf.text, pdf.page_count, pdf.reader
    letter = pdf.parsed.letter
    if letter is None:
        document.error = f"unparseable: {pdf.parsed.error}"
        return [document, unreadable(link, document.error)]
    document.status = "ok"
    document.title = letter.title
    document.letter_date = letter.letter_date
    document.addressee_name = letter.addressee_name
    document.addressee_role = letter.addressee_role
    document.signatory = letter.signatory
    document.public_report = letter.has_public_report
    document.public_report_sentences = "\n".join(letter.public_report_sentences) or None
    document.year_in_text = letter.year if letter.year != link.year else None
    found: list = [document]
    if letter.statistics is not None:
        found.append(letter.statistics)
    for table, counts in (("received", letter.received), ("decided", letter.decided)):
        found += [
            items.LetterTableCount(link.authority_slug, letter.year, table, label, count, link.pdf_url)
            for label, count in (counts or {}).items()
        ]
    return found


def unreadable(link: items.LetterLink, reason: str) -> items.CrawlError:
    return items.CrawlError(link.pdf_url, link.authority_slug, "letter", "unreadable", reason)
