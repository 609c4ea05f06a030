"""Text of untrusted PDFs, read in worker processes with bounded time and memory.

The letters come from the web, so a PDF may be corrupt, truncated, encrypted, huge or built to hurt the
reader (a compressed stream that inflates to gigabytes: pdfminer.six has no cap on decompressed streams, and
PDFium aborts when an allocation fails). Parsing therefore never happens in the calling process: a small pool
of worker processes does it, each job under an address-space limit (RLIMIT_AS) set in the worker, and a worker
that overruns its time is killed. A worker that dies (killed, aborted, out of memory) is replaced.

Two readers: PDFium (pypdfium2), fast, text in content-stream order; and pdfminer.six, slower, which groups
text by position (LAParams with a wide line margin), so a figure drawn apart from its label ("13" above
"upheld decisions", written into the page before the text) is read next to it. `extract_text` uses PDFium,
and pdfminer only when the caller's `accept` check rejects PDFium's text. The caller's own parse of the text
can run in the worker too, beside the reader: the calling process (a crawl's busy event loop) then only
receives the result. The same workers also run any other pure function given to `call` (the annual data
files' reader, harvester.datafiles.read_in_worker), under the same bounds.
"""

from __future__ import annotations

import atexit
import io
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

FAST = "pdfium"
LAYOUT = "pdfminer"
CALL = "call"
"""Not a reader: the job is a function and its arguments (WorkerPool.call)."""

DEFAULT_TIMEOUT = 15.0
"""Seconds one reader may spend on one PDF."""
DEFAULT_MAX_MEMORY = 768 * 2**20
"""Address space a worker may use while reading one PDF (a worker idles at about 70 MiB)."""
DEFAULT_MAX_BYTES = 32 * 2**20
"""Largest PDF accepted at all; annual letters are tens of kilobytes."""
MAX_PAGES = 200
LAYOUT_LINE_MARGIN = 1.5
"""pdfminer's line_margin, in line heights: wide enough that a big figure and its label share a text box."""
HEADER_WINDOW = 1024
"""'%PDF-' must start within this many bytes (as readers allow for leading junk)."""
TRAILER_WINDOW = 2048
"""'%%EOF' must occur within this many bytes of the end; otherwise the file was cut short."""


class PdfError(Exception):
    """A PDF that could not be read safely; `reason` says why, in words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CallRaised(Exception):
    """The function given to WorkerPool.call raised `error` (carried back from the worker)."""

    def __init__(self, error: BaseException):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error


class ReadInterrupted(Exception):
    """The reader was stopped by a signal from outside (SIGTERM to the whole process group, a shutdown):
    no verdict on the PDF, which must be read again, never recorded as unreadable."""


def read_again(interrupted: ReadInterrupted) -> str:
    """The recorded message of a read a signal stopped: no verdict, the document is read again next run."""
    return f"{interrupted}: it is read again next run"


INTERRUPTING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
"""Signals that stop work rather than report a broken reader (the pool itself only ever sends SIGKILL)."""


@dataclass(frozen=True)
class PdfText:
    text: str
    """Page texts joined by form feeds ('\\f'); lines end with '\\n'."""
    page_count: int
    reader: str
    """FAST ('pdfium') or LAYOUT ('pdfminer'): which reader produced `text`."""
    parsed: Any = None
    """What the caller's `parse` made of `text` in the worker; None without one."""


def extract_text(
    pdf_bytes: bytes,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int = DEFAULT_MAX_MEMORY,
    max_bytes: int = DEFAULT_MAX_BYTES,
    accept: Callable[[Any], bool] | None = None,
    parse: Callable[[str], Any] | None = None,
    pool: WorkerPool | None = None,
) -> PdfText:
    """Read `pdf_bytes` in a worker process; raise PdfError if that cannot be done safely.

    `timeout` and `max_memory` bound each reader's run (with `parse`, reading and parsing). When `accept` is
    given and returns False for PDFium's text, the layout-aware reader runs and its text is returned, accepted
    or not: the caller's parser then says precisely what is missing. `parse`, a picklable function of the
    text (a module's function, or a functools.partial of one), runs in the worker after each reader; its
    result is PdfText.parsed and is what `accept` is asked about in place of the text. It must not raise for
    text it can't read: it says so in what it returns. `pool` defaults to one shared by the whole process.
    """
    _check_envelope(pdf_bytes, max_bytes)
    pool = pool or _shared_pool()
    text, page_count, parsed = pool.read(FAST, pdf_bytes, timeout=timeout, max_memory=max_memory, parse=parse)
    if accept is None or accept(text if parse is None else parsed):
        return PdfText(text, page_count, FAST, parsed)
    text, _, parsed = pool.read(LAYOUT, pdf_bytes, timeout=timeout, max_memory=max_memory, parse=parse)
    return PdfText(text, page_count, LAYOUT, parsed)


def _check_envelope(pdf_bytes: bytes, max_bytes: int) -> None:
    """Refuse, before any parsing, what is plainly not a whole PDF of a sane size."""
    if len(pdf_bytes) > max_bytes:
        raise PdfError(f"oversized: {len(pdf_bytes):,} bytes, over the limit of {max_bytes:,}")
    if b"%PDF-" not in pdf_bytes[:HEADER_WINDOW]:
        raise PdfError("not a PDF: no '%PDF-' header")
    if b"%%EOF" not in pdf_bytes[-TRAILER_WINDOW:]:
        raise PdfError("truncated: no '%%EOF' marker at the end")


class _Refused(Exception):
    """Raised inside a worker for a PDF the reader rejects; carries the reason back."""


def pdfium_text(pdf_bytes: bytes) -> tuple[str, int]:
    """(text, page count) read by PDFium in *this* process: unguarded, for workers and benchmarks only."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(pdf_bytes)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise _Refused("encrypted: a password is needed to open it") from error
        raise _Refused(f"corrupt: {error}") from error
    try:
        page_count = len(document)
        if not 0 < page_count <= MAX_PAGES:
            raise _Refused(f"{page_count} pages: a letter has between 1 and {MAX_PAGES}")
        texts = []
        for index in range(page_count):
            page = document[index]
            text_page = page.get_textpage()
            texts.append(text_page.get_text_range().replace("\r\n", "\n"))
            text_page.close()
            page.close()
    finally:
        document.close()
    return "\f".join(texts), page_count


def pdfminer_text(pdf_bytes: bytes) -> tuple[str, int]:
    """(text, page count) read by pdfminer.six with position grouping, in *this* process: unguarded."""
    from pdfminer.high_level import extract_text as pdfminer_extract_text
    from pdfminer.layout import LAParams

    text = pdfminer_extract_text(
        io.BytesIO(pdf_bytes), laparams=LAParams(line_margin=LAYOUT_LINE_MARGIN), maxpages=MAX_PAGES
    )
    pages = text.split("\f")
    if pages[-1] == "":
        pages.pop()
    return "\f".join(pages), len(pages)


READERS = {FAST: pdfium_text, LAYOUT: pdfminer_text}


def serve(job_fd: int, reply_fd: int) -> None:
    """A worker's life: take jobs (reader, memory limit, parse or None, bytes) and answer each with
    ('ok', text, pages, parsed), ('error', reason), or ('fatal', reason) just before quitting. A CALL job
    carries (function, args) in place of parse, and is answered ('ok', None, 0, value) or ('raised', error)."""
    jobs, replies = Connection(job_fd, writable=False), Connection(reply_fd, readable=False)
    # Ctrl-C is for the crawl, which stops gracefully: a letter being read when it comes is read to the end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    unlimited = resource.getrlimit(resource.RLIMIT_AS)
    while True:
        try:
            reader, max_memory, parse = jobs.recv()
            pdf_bytes = jobs.recv_bytes()
        except EOFError:
            return
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, unlimited[1]))
        try:
            if reader == CALL:
                reply = _called(*parse)
            else:
                text, pages = READERS[reader](pdf_bytes)
                reply = ("ok", text, pages, parse(text) if parse is not None else None)
        except MemoryError:
            # A reader interrupted mid-allocation may have left its state broken: this worker quits.
            reply = ("fatal", f"memory limit exceeded: {reader} needed over {max_memory // 2**20} MiB")
        except _Refused as refusal:
            reply = ("error", str(refusal))
        except Exception as error:  # the readers' own exceptions are many and unlisted: all mean "unreadable"
            reply = ("error", f"unreadable: {reader} failed with {type(error).__name__}: {error}")
        finally:
            resource.setrlimit(resource.RLIMIT_AS, unlimited)
        try:
            replies.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError) as error:  # nothing was sent: say why
            replies.send(("error", f"its result could not be sent back: {type(error).__name__}: {error}"))
        if reply[0] == "fatal":
            return


def _called(function: Callable, args: tuple) -> tuple:
    try:
        return ("ok", None, 0, function(*args))
    except MemoryError:
        raise
    except Exception as error:  # the function's own failure is its caller's to judge
        return ("raised", error)


PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from harvester.pdftext import serve; serve(*map(int, sys.argv[2:]))"
)


class _WorkerGone(Exception):
    """The worker had died before it was given the job: the job can go to another worker."""


class _Worker:
    """A fresh Python process (not a fork: the caller may hold threads, a reactor) fed through two pipes."""

    def __init__(self):
        job_read, job_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", WORKER_CODE, PACKAGE_ROOT, str(job_read), str(reply_write)],
                pass_fds=(job_read, reply_write),
                stdin=subprocess.DEVNULL,
                # Out of the terminal's process group, so a Ctrl-C reaches only the crawl, which waits for
                # the letters being read; the worker still ends when the crawl does (its job pipe closes).
                start_new_session=True,
            )
        finally:
            os.close(job_read)
            os.close(reply_write)
        self.jobs = Connection(job_write, readable=False)
        self.replies = Connection(reply_read, writable=False)
        self.usable = True
        """False once the worker timed out, crashed or quit: it must not be given another job."""

    def read(
        self, reader: str, pdf_bytes: bytes, timeout: float, max_memory: int, parse: Callable | None
    ) -> tuple[str, int, Any]:
        try:
            self.jobs.send((reader, max_memory, parse))
            self.jobs.send_bytes(pdf_bytes)
        except (BrokenPipeError, ConnectionResetError) as error:
            self.usable = False
            raise _WorkerGone from error
        if not self.replies.poll(timeout):
            self.usable = False
            raise PdfError(f"timed out: {reader} took over {timeout:g} s")
        try:
            status, *answer = self.replies.recv()
        except (EOFError, ConnectionResetError):
            self.usable = False
            death = self._death()
            if death in {f"killed by {sig.name}" for sig in INTERRUPTING_SIGNALS}:
                raise ReadInterrupted(f"{reader} was {death} while reading it") from None
            raise PdfError(f"{reader} crashed reading it ({death}): a hostile or broken PDF") from None
        if status == "ok":
            return answer[0], answer[1], answer[2]
        if status == "raised":
            raise CallRaised(answer[0])
        self.usable = status != "fatal"
        raise PdfError(answer[0])

    def alive(self) -> bool:
        return self.process.poll() is None

    def _death(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.jobs.close()
        self.replies.close()


class WorkerPool:
    """Up to `size` reader processes, started on demand and shared by threads; each reads one PDF at a time.

    A worker that times out is killed; one that crashed, quit or was killed from outside is replaced by a
    fresh one, so the pool survives any PDF.
    """

    def __init__(self, size: int):
        self._size = size
        self._idle: list[_Worker] = []
        self._started = 0
        self._available = threading.Condition()

    def read(
        self, reader: str, pdf_bytes: bytes, *, timeout: float, max_memory: int, parse: Callable | None = None
    ) -> tuple[str, int, Any]:
        """(text, page count, parse(text) or None)."""
        for _attempt in range(2):
            worker = self._checkout()
            try:
                return worker.read(reader, pdf_bytes, timeout, max_memory, parse)
            except _WorkerGone:
                continue
            finally:
                self._checkin(worker)
        raise PdfError("no worker process could be started to read it")

    def call(self, function: Callable, *args, timeout: float, max_memory: int) -> Any:
        """function(*args) in a worker: a picklable function whose arguments and result pickle. Raises CallRaised
        with the function's own exception, PdfError (the worker timed out, crashed or could not send the result
        back) or ReadInterrupted."""
        return self.read(CALL, b"", timeout=timeout, max_memory=max_memory, parse=(function, args))[2]

    def close(self) -> None:
        with self._available:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
        for worker in idle:
            worker.stop()

    def _checkout(self) -> _Worker:
        with self._available:
            while not self._idle and self._started >= self._size:
                self._available.wait()
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return _Worker()
        except BaseException:
            with self._available:
                self._started -= 1
                self._available.notify()
            raise

    def _checkin(self, worker: _Worker) -> None:
        keep = worker.usable and worker.alive()
        if not keep:
            worker.stop()
        with self._available:
            if keep:
                self._idle.append(worker)
            else:
                self._started -= 1
            self._available.notify()


def call(function: Callable, *args, timeout: float = DEFAULT_TIMEOUT, max_memory: int = DEFAULT_MAX_MEMORY) -> Any:
    """function(*args) in a worker of the pool shared by the whole process (WorkerPool.call)."""
    return _shared_pool().call(function, *args, timeout=timeout, max_memory=max_memory)


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> WorkerPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WorkerPool(size=min(2, os.cpu_count() or 1))
            atexit.register(_pool.close)
        return _pool
