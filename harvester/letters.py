"""A downloaded letter PDF to items: its text, what it says, and its figures.

Runs the untrusted PDF through harvester.pdftext (bounded child processes, layout-aware fallback)
and harvester.pages.letter; a PDF that can't be read or parsed becomes a 'failed' LetterDocument
with its reason, never an exception that stops the crawl. A read stopped by a signal is no verdict
on the PDF: it yields no LetterDocument at all, only an 'interrupted' error, and is read next run.
"""

from __future__ import annotations

import hashlib

from harvester import items
from harvester.pages.letter import LetterParseError, ParsedLetter, parse_letter, parse_letter_checked
from harvester.pdftext import PdfError, ReadInterrupted, extract_text


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
    parsed: dict[str, ParsedLetter] = {}

    def usable(text: str) -> bool:
        """The fallback's trigger: a text that parses is kept, so the letter is parsed once, not twice."""
        try:
            letter, disagreements = parse_letter_checked(
                text, authority_slug=link.authority_slug, pdf_url=link.pdf_url
            )
        except LetterParseError:
            return False
        parsed[text] = letter
        return not disagreements

    try:
        pdf = extract_text(content, accept=usable)
    except PdfError as error:
        document.error = str(error)
        return [document, unreadable(link, document.error)]
    except ReadInterrupted as error:
        return [
            items.CrawlError(
                link.pdf_url, link.authority_slug, "letter", "interrupted", f"{error}: it is read again next run"
            )
        ]
    document.text, document.page_count, document.reader = pdf.text, pdf.page_count, pdf.reader
    try:
        letter = parsed.get(pdf.text) or parse_letter(
            pdf.text, authority_slug=link.authority_slug, pdf_url=link.pdf_url
        )
    except LetterParseError as error:
        document.error = f"unparseable: {error}"
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
