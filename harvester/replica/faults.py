"""Fault modes: the ways the replica misbehaves so the crawler's resilience can be tested.

A run chooses faults by spec, `NAME[:always][@RATE]`: 'http503' faults ~3% of the URLs it
applies to, 'http503:always@0.1' faults 10% and never lets the retry through. Which URLs a
fault picks is a pure function of (fault_seed, fault name, URL), so a run is repeatable and a
test can ask in advance which URLs will fail (`FaultPlan.owner`), and afterwards which did
(`FaultPlan.faulted`). The index page is never faulted, so every run can start; robots.txt is
faulted only by 'robots-503'.

Faults change the response the server was about to send (`Response`, see server.py); the
server carries out the wire-level ones (hang, truncate).
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import io
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harvester.replica.server import Response

DEFAULT_RATE = 0.03
GZIP_BOMB_INFLATED_BYTES = 256 * 1024 * 1024

HTML_KINDS = frozenset({"statistics", "letters", "reports", "improvements", "article", "decision", "listing"})
CONTENT_KINDS = HTML_KINDS | {"pdf"}
"""Resource kinds the server routes to; 'index' and 'robots' are deliberately absent."""


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
        Fault("letter-gzip-bomb", "letter PDFs answer the gzip bomb (~250 KB inflating to 256 MiB).",
              frozenset({"pdf"}), False, _letter_gzip_bomb),
        Fault("datafile-error-page", "annual data files (CSV, XLSX) answer 200 with an HTML error page.",
              frozenset({"datafile"}), False, _datafile_error_page),
        Fault("datafile-zip-bomb", "annual data files answer an ~80 KB zip whose worksheet inflates to 80 MiB.",
              frozenset({"datafile"}), False, _datafile_zip_bomb),
    )
}  # fmt: skip


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
        if name == "robots-503":
            rate = 1.0
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
            if kind in spec.fault.kinds and _fraction(self.seed, spec.fault.name, path) < spec.rate:
                return spec
        return None

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
