"""The replica's HTTP server: www.lgo.org.uk as it stood in one epoch, on 127.0.0.1.

`Replica` routes a request target to a `Response` and caches it (pages render lazily, each
once per epoch; each letter PDF once); `ReplicaServer` puts it behind an HTTP/1.1 server
(keep-alive, HEAD, gzip, ETag / Last-Modified with 304s) in a background thread, with the
run's fault modes (faults.py) applied on the way out.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import logging
import re
import socket
import sys
import threading
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

from harvester.replica import pages, published
from harvester.replica.datafiles import HUB_PATH, DataFiles, render_file
from harvester.replica.decisions import REMEDY_LISTING, UPHELD_LISTING, decisions_in_epoch
from harvester.replica.faults import FaultPlan
from harvester.replica.model import EPOCHS, Authority, Decision, Letter, Site

log = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
COUNCIL_PAGES = {
    "statistics": "statistics",
    "annualletters": "letters",
    "reports": "reports",
    "serviceimprovements": "improvements",
}
"""Last path segment of a council's page -> resource kind."""
CHUNK_BYTES = 4096


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    kind: str | None = None
    """What was routed to ('statistics', 'pdf', ...): faults pick by kind; None for errors."""
    headers: tuple[tuple[str, str], ...] = ()
    content_encoding: str | None = None
    """Set when the body is already encoded (the gzip bomb); the server then sends it as is."""
    cacheable: bool = True
    """Whether ETag/Last-Modified/304 apply (faulted responses are not)."""
    hang_seconds: float = 0.0
    """Wire fault: send nothing for this long, then close."""
    truncated: bool = False
    """Wire fault: no Content-Length, send the body (already cut), then close."""
    chunked: bool = False
    """Send the body with Transfer-Encoding: chunked (in 4 KiB chunks, ended cleanly) instead of a length."""
    etag: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "etag", '"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"')


def _html(body: str, kind: str | None, status: int = 200) -> Response:
    return Response(
        status=status, content_type=HTML, body=body.encode(), kind=kind if status == 200 else None
    )


NOT_FOUND = Response(status=404, content_type=HTML, body=pages.render_not_found().encode())


class Replica:
    """Routing and caching for one Site, independent of sockets; the epoch can change while serving."""

    def __init__(self, site: Site, epoch: int):
        self.site = site
        self._epoch = _checked_epoch(epoch)
        self._lock = threading.Lock()
        self._pages: dict[tuple[int, str], Response] = {}
        self._indexes: dict[int, _EpochIndex] = {}
        self._pdfs: dict[str, Response] = {}
        self._pdf_locks: dict[str, threading.Lock] = {}
        self._by_name = {a.name.lower(): a for a in site.authorities}
        self.data_files = DataFiles(site)

    @property
    def epoch(self) -> int:
        return self._epoch

    def set_epoch(self, epoch: int) -> None:
        with self._lock:
            self._epoch = _checked_epoch(epoch)
            self._pages.clear()

    @property
    def last_modified(self) -> dt.datetime:
        published_on = published.publication_date(self._epoch)
        return dt.datetime(published_on.year, published_on.month, published_on.day, 9, 0, tzinfo=dt.UTC)

    def get(self, target: str) -> Response:
        """The response for a request target ('/path?query'), rendered once per epoch."""
        epoch = self._epoch
        key = normalised_target(target)
        cached = self._pages.get((epoch, key))
        if cached is None:
            cached = self._route(epoch, target)
            self._pages[(epoch, key)] = cached
        return cached

    def _route(self, epoch: int, target: str) -> Response:
        parts = urlsplit(target)
        segments = [s for s in parts.path.split("/") if s]
        lowered = [s.lower() for s in segments]
        query = parse_qs(parts.query)
        try:
            if not segments:
                return Response(301, HTML, b"", headers=(("Location", pages.index_path()),))
            if lowered == ["robots.txt"]:
                return Response(200, "text/plain; charset=utf-8", pages.ROBOTS_TXT.encode(), kind="robots")
            if lowered == ["your-councils-performance"]:
                return _html(pages.render_index(self.site, epoch), "index")
            if (
                len(lowered) == 3
                and lowered[0] == "your-councils-performance"
                and lowered[2] in COUNCIL_PAGES
            ):
                return self._council_page(epoch, segments[1], lowered[2], query)
            if parts.path.rstrip("/").lower() == HUB_PATH:
                return _html(self.data_files.render_hub(epoch), "hub")
            if lowered[:2] == ["assets", "attach"]:
                data_file = self.data_files.at(epoch, parts.path)
                if data_file is not None:
                    body, content_type = render_file(data_file)
                    return Response(200, content_type, body, kind="datafile")
                return self._pdf(epoch, parts.path)
            if lowered == ["decisions", "searchresults"]:
                return self._search(epoch, query)
            if len(lowered) == 4 and lowered[0] == "decisions" and lowered[3] == "listing":
                return self._listing(epoch, lowered[1], lowered[2], query)
            if len(lowered) == 4 and lowered[0] == "decisions":
                authority, decision = self._index(epoch).decision(parts.path)
                chapter = _int_param(query, "chapter") or 0
                return _html(pages.render_decision(authority, decision, chapter, epoch), "decision")
        except pages.NotFound:
            return NOT_FOUND
        return NOT_FOUND

    def _council_page(self, epoch: int, slug: str, page: str, query: dict[str, list[str]]) -> Response:
        authority = published.find_authority(self.site, slug)
        if authority is None:
            raise pages.NotFound(f"no authority {slug!r}")
        kind = COUNCIL_PAGES[page]
        if kind == "statistics":
            return _html(pages.render_statistics(self.site, authority, epoch), kind)
        if kind == "letters":
            return _html(pages.render_letters_list(self.site, authority, epoch), kind)
        if kind == "reports":
            return _html(pages.render_reports_list(self.site, authority, epoch), kind)
        body = pages.render_improvements_list(
            self.site,
            authority,
            epoch,
            category_id=_int_param(query, "category"),
            year=_int_param(query, "year"),
            page=_int_param(query, "page") or 1,
        )
        return _html(body, kind)

    def _listing(self, epoch: int, year: str, code: str, query: dict[str, list[str]]) -> Response:
        if not year.isdigit() or code not in (pages.UPHELD_LISTING_CODE, pages.REMEDY_LISTING_CODE):
            raise pages.NotFound(f"no decision listing {year}/{code}")
        names = query.get("aname", [])
        authority = self._by_name.get(unquote_plus(names[0]).lower()) if len(names) == 1 else None
        if authority is None:
            raise pages.NotFound(f"decision listing for unknown authority {names}")
        listing = UPHELD_LISTING if code == pages.UPHELD_LISTING_CODE else REMEDY_LISTING
        page = _int_param(query, "page") or 1
        body = pages.render_decision_listing(self.site, authority, epoch, int(year), listing, page)
        return _html(body, "listing")

    def _search(self, epoch: int, query: dict[str, list[str]]) -> Response:
        names = query.get("aname", [])
        authority = self._by_name.get(names[0].lower()) if len(names) == 1 else None
        if authority is None or published.page_year(self.site, authority, epoch) is None:
            raise pages.NotFound(f"decision search for unknown authority {names}")
        try:
            since, until = (_search_date(query, name) for name in ("fd", "td"))
        except ValueError as error:
            raise pages.NotFound(str(error)) from None
        codes = query.get("dc", [""])[0]
        page = _int_param(query, "page") or 1
        return _html(
            pages.render_decision_search(self.site, authority, epoch, codes, since, until, page), "listing"
        )

    def _pdf(self, epoch: int, path: str) -> Response:
        authority, letter = self._index(epoch).letter(path)
        key = letter.pdf_path
        with self._lock:
            lock = self._pdf_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._pdfs:
                from harvester.replica.letters import render_letter_pdf

                self._pdfs[key] = Response(
                    200, "application/pdf", render_letter_pdf(self.site, authority, letter), kind="pdf"
                )
            return self._pdfs[key]

    def _index(self, epoch: int) -> _EpochIndex:
        with self._lock:
            if epoch not in self._indexes:
                self._indexes[epoch] = _EpochIndex(self.site, epoch)
            return self._indexes[epoch]


class _EpochIndex:
    """Letters and decisions the epoch's pages link to, by lower-cased path."""

    def __init__(self, site: Site, epoch: int):
        self.letters: dict[str, tuple[Authority, Letter]] = {}
        self.decisions: dict[str, tuple[Authority, Decision]] = {}
        for authority in site.authorities:
            if published.page_year(site, authority, epoch) is None:
                continue
            for letter in published.letters_in_epoch(site, authority, epoch):
                self.letters[letter.pdf_path.lower()] = (authority, letter)
            for decision in decisions_in_epoch(site, authority, epoch, searched=True):
                self.decisions[decision.path.lower()] = (authority, decision)

    def letter(self, path: str) -> tuple[Authority, Letter]:
        return _lookup(self.letters, path)

    def decision(self, path: str) -> tuple[Authority, Decision]:
        return _lookup(self.decisions, path)


def _lookup(table: dict, path: str):
    found = table.get(path.rstrip("/").lower())
    if found is None:
        raise pages.NotFound(path)
    return found


def _int_param(query: dict[str, list[str]], name: str) -> int | None:
    values = [v for v in query.get(name, []) if v]
    if not values:
        return None
    if len(values) > 1 or not values[0].isdigit():
        raise pages.NotFound(f"bad {name}={values}")
    return int(values[0])


def _search_date(query: dict[str, list[str]], name: str) -> dt.date:
    """A search date as the site takes it: 'YYYY-M-D', unpadded accepted (§1.8)."""
    values = query.get(name, [])
    if len(values) != 1:
        raise ValueError(f"{name}: {values}")
    year, month, day = (int(part) for part in values[0].split("-"))
    return dt.date(year, month, day)


def _checked_epoch(epoch: int) -> int:
    if epoch not in EPOCHS:
        raise ValueError(f"epoch {epoch} is not one of {sorted(EPOCHS)}")
    return epoch


def normalised_target(target: str) -> str:
    """Lower-case path without a trailing slash, then the query as sent: the cache and fault key."""
    parts = urlsplit(target)
    path = parts.path.rstrip("/").lower() or "/"
    return f"{path}?{parts.query}" if parts.query else path


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header admits gzip ('gzip', 'gzip;q=0.5', '*'; not 'gzip;q=0')."""
    for item in (header or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=")
            return not quality or not re.fullmatch(r"0(\.0*)?", quality)
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self):
        super().setup()
        self.server.owner.connections.add(self.connection)

    def finish(self):
        self.server.owner.connections.discard(self.connection)
        super().finish()

    def do_GET(self):
        self.server.owner.handle(self, head=False)

    def do_HEAD(self):
        self.server.owner.handle(self, head=True)

    def log_message(self, format, *args):
        log.debug("%s " + format, self.address_string(), *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: ReplicaServer

    def handle_error(self, request, client_address):
        """A client hanging up mid-response (a crawler aborting a gzip bomb) is routine, not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s disconnected mid-response", client_address)
        else:
            super().handle_error(request, client_address)


class ReplicaServer:
    """The replica on 127.0.0.1 in a background thread; use as a context manager.

    `site` lets callers share one built Site between servers (building it is the slow part); `scale` serves
    every authority that many times (`build.scale_site`)."""

    def __init__(
        self,
        epoch: int = 2025,
        seed: int = 2025,
        faults=(),
        fault_seed: int = 0,
        port: int = 0,
        *,
        hang_seconds: float = 30.0,
        site: Site | None = None,
        scale: int = 1,
    ):
        from harvester.replica.build import scale_site
        from harvester.replica.site import build_site

        self.replica = Replica(scale_site(site or build_site(seed), scale), epoch)
        self.faults = FaultPlan(faults, seed=fault_seed, hang_seconds=hang_seconds)
        self.connections: set[socket.socket] = set()
        self._log_lock = threading.Lock()
        self._requests: list[tuple[str, str, int | None]] = []
        self._errors: list[str] = []
        self._gzipped: dict[str, bytes] = {}
        self._stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def site(self) -> Site:
        return self.replica.site

    @property
    def epoch(self) -> int:
        return self.replica.epoch

    def set_epoch(self, epoch: int) -> None:
        """Publish another year while running: later requests see the new epoch's pages."""
        self.replica.set_epoch(epoch)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[tuple[str, str, int | None]]:
        """(method, path as requested, status sent; None when the connection hung and closed)."""
        with self._log_lock:
            return list(self._requests)

    @property
    def errors(self) -> list[str]:
        """Tracebacks of requests the replica itself failed on (a bug in the replica, answered 500)."""
        with self._log_lock:
            return list(self._errors)

    def start(self) -> ReplicaServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="replica", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                log.debug("connection already closed during stop")
        self._httpd.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self.stop()

    # --- request handling --------------------------------------------------------------

    def handle(self, handler: _Handler, head: bool) -> None:
        method = "HEAD" if head else "GET"
        try:
            response = self.replica.get(self.faults.route(handler.path, normalised_target(handler.path)))
        except Exception:
            with self._log_lock:
                self._errors.append(traceback.format_exc())
            log.exception("replica failed on %s", handler.path)
            response = Response(500, "text/plain; charset=utf-8", b"replica error", cacheable=False)
        if response.kind is not None:
            response = self.faults.apply(response, normalised_target(handler.path), response.kind)
        status = self._send(handler, response, head)
        with self._log_lock:
            self._requests.append((method, handler.path, status))

    def _send(self, handler: _Handler, response: Response, head: bool) -> int | None:
        if response.hang_seconds:
            self._stopping.wait(response.hang_seconds)
            handler.close_connection = True
            return None
        if response.truncated:
            handler.send_response(response.status)
            handler.send_header("Content-Type", response.content_type)
            handler.send_header("Connection", "close")
            handler.end_headers()
            if not head:
                handler.wfile.write(response.body)
            handler.close_connection = True
            return response.status
        last_modified = self.replica.last_modified
        etag = response.etag
        body = response.body
        encoding = response.content_encoding
        compressible = response.content_type.startswith("text/") and encoding is None
        if compressible and accepts_gzip(handler.headers.get("Accept-Encoding")):
            body, encoding = self._gzip(response), "gzip"
            etag = etag[:-1] + '-gzip"'
        validated = response.status == 200 and response.cacheable
        if validated and _not_modified(handler, etag, last_modified):
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", email.utils.format_datetime(last_modified, usegmt=True))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return 304
        handler.send_response(response.status)
        handler.send_header("Content-Type", response.content_type)
        if response.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(len(body)))
        if validated:
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", email.utils.format_datetime(last_modified, usegmt=True))
            handler.send_header("Cache-Control", "public, max-age=0")
        if compressible:
            handler.send_header("Vary", "Accept-Encoding")
        if encoding:
            handler.send_header("Content-Encoding", encoding)
        for name, value in response.headers:
            handler.send_header(name, value)
        handler.end_headers()
        if head:
            return response.status
        if response.chunked:
            for start in range(0, len(body), CHUNK_BYTES):
                chunk = body[start : start + CHUNK_BYTES]
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.write(b"0\r\n\r\n")
        else:
            handler.wfile.write(body)
        return response.status

    def _gzip(self, response: Response) -> bytes:
        compressed = self._gzipped.get(response.etag)
        if compressed is None:
            compressed = gzip.compress(response.body, compresslevel=6, mtime=0)
            self._gzipped[response.etag] = compressed
        return compressed


def _not_modified(handler: _Handler, etag: str, last_modified: dt.datetime) -> bool:
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = handler.headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return last_modified <= since


def serve(
    epoch: int = 2025,
    seed: int = 2025,
    faults=(),
    fault_seed: int = 0,
    port: int = 0,
    hang_seconds: float = 30.0,
    on_ready=None,
    scale: int = 1,
) -> None:
    """Serve in the foreground until interrupted; `on_ready(server)` runs once the port is bound."""
    server = ReplicaServer(epoch, seed, faults, fault_seed, port, hang_seconds=hang_seconds, scale=scale)
    if on_ready is not None:
        on_ready(server)
    server.serve_forever()
