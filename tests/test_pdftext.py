"""Untrusted PDFs are read in worker processes: bad ones fail with a PdfError in bounded time and memory,
and the pool keeps working after a worker is killed."""

from __future__ import annotations

import io
import os
import resource
import signal
import threading
import time
import zlib
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt
from reportlab.pdfgen.canvas import Canvas

from harvester import items
from harvester.letters import read_letter
from harvester.pdftext import (
    DEFAULT_MAX_MEMORY,
    FAST,
    LAYOUT,
    CallRaised,
    PdfError,
    ReadInterrupted,
    WorkerPool,
    extract_text,
)

BOUND_SECONDS = 20
BOMB_MIB = 1100
"""What the bomb's one stream inflates to: over 1 GB, from about 1 MB."""


def letter_pdf(pages: int = 3) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for page in range(1, pages + 1):
        canvas.drawString(72, 760, "Annual Review letter 2020" if page == 1 else f"Page {page}")
        canvas.drawString(72, 740, "13 upheld decisions")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_with_page_content(content: bytes, filters: bytes) -> bytes:
    """A one-page PDF whose content stream is `content` stored with the given /Filter; xref correct."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(content), filters, content),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def decompression_bomb(mebibytes: int = BOMB_MIB) -> bytes:
    """A FlateDecode stream of `mebibytes` MiB of spaces, built without holding them: each MiB compresses
    to the same block once the compressor's state is flushed: the block is repeated, the checksum summed."""
    mebibyte = b" " * 2**20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mebibyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(mebibytes):
        checksum = zlib.adler32(mebibyte, checksum)
    final_empty_block = b"\x03\x00"
    stream = b"\x78\xda" + block * mebibytes + final_empty_block + checksum.to_bytes(4, "big")
    return pdf_with_page_content(stream, b"/FlateDecode")


@pytest.fixture
def pool():
    pool = WorkerPool(size=1)
    yield pool
    pool.close()


def worker_pids() -> set[int]:
    """This process's children that are PDF workers."""
    pids = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            if "harvester.pdftext" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                pids.add(int(pid))
    return pids


def refused(pdf: bytes, **options) -> str:
    """Why the PDF was refused: a reason other than "timed out" is the proof it was refused by what it is,
    not by the clock (no bound on the time taken, which a loaded machine stretches)."""
    with pytest.raises(PdfError) as raised:
        extract_text(pdf, **options)
    return raised.value.reason


def test_a_letter_extracts():
    extracted = extract_text(letter_pdf())
    assert extracted.page_count == 3
    assert extracted.reader == FAST
    assert extracted.text.split("\f") == [
        "Annual Review letter 2020\n13 upheld decisions",
        "Page 2\n13 upheld decisions",
        "Page 3\n13 upheld decisions",
    ]


def test_the_layout_reader_runs_when_the_fast_text_is_rejected():
    extracted = extract_text(letter_pdf(1), accept=lambda text: "never" in text)
    assert extracted.reader == LAYOUT
    assert extracted.page_count == 1
    assert " ".join(extracted.text.split()) == "Annual Review letter 2020 13 upheld decisions"


def test_the_callers_parse_runs_in_the_worker_on_each_text_and_is_what_accept_judges():
    judged = []

    def accept(parsed):
        judged.append(parsed)
        return False

    # str.split, a builtin, pickles to the worker as the caller's own parse function would.
    extracted = extract_text(letter_pdf(1), accept=accept, parse=str.split)
    assert extracted.reader == LAYOUT
    assert judged == [["Annual", "Review", "letter", "2020", "13", "upheld", "decisions"]]
    assert extracted.parsed == extracted.text.split()


def test_a_call_runs_in_a_worker_process_and_brings_back_its_exception(pool):
    assert pool.call(os.getpid, timeout=30, max_memory=DEFAULT_MAX_MEMORY) != os.getpid()
    with pytest.raises(CallRaised) as raised:
        pool.call(int, "seven", timeout=30, max_memory=DEFAULT_MAX_MEMORY)
    assert type(raised.value.error) is ValueError and "seven" in str(raised.value.error)


def test_a_result_that_cannot_come_back_is_a_failed_call_and_the_worker_goes_on(pool):
    with pytest.raises(PdfError, match="could not be sent back"):
        pool.call(threading.Lock, timeout=30, max_memory=DEFAULT_MAX_MEMORY)
    assert pool.call(int, "7", timeout=30, max_memory=DEFAULT_MAX_MEMORY) == 7


def test_corrupt_pdf():
    whole = letter_pdf()
    mangled = whole[:20] + bytes(range(256)) * 8 + whole[-40:]
    assert refused(mangled).startswith("corrupt")


def test_truncated_pdf():
    whole = letter_pdf()
    assert refused(whole[: len(whole) // 2]).startswith("truncated")


def test_not_a_pdf_and_oversized():
    assert refused(b"<html>Service unavailable</html>").startswith("not a PDF")
    assert refused(letter_pdf(), max_bytes=1000).startswith("oversized")


def test_encrypted_pdf():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, encrypt=pdfencrypt.StandardEncryption("user secret", "owner secret"))
    canvas.drawString(72, 760, "Annual Review letter 2020")
    canvas.showPage()
    canvas.save()
    assert refused(buffer.getvalue()).startswith("encrypted")


def test_decompression_bomb_fails_in_bounded_time_and_memory(pool):
    bomb = decompression_bomb()
    assert len(bomb) < 2 * BOMB_MIB * 2**10
    own_peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reason = refused(bomb, pool=pool)
    assert "crashed" in reason or "memory limit" in reason
    # pdfminer.six inflates the whole stream: only the worker's address-space limit stops it, and the
    # reader stopped by it says so (one stopped by the clock would say "timed out").
    with pytest.raises(PdfError, match="memory limit exceeded"):
        pool.read(LAYOUT, bomb, timeout=BOUND_SECONDS, max_memory=512 * 2**20)
    own_peak_growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - own_peak_before
    assert own_peak_growth_kib < 100 * 2**10, "the bomb was inflated in the calling process"
    assert extract_text(letter_pdf(), pool=pool).page_count == 3


def started_worker(pool: WorkerPool) -> int:
    """Have the (fresh) pool start its one worker; its pid."""
    before = worker_pids()
    assert extract_text(letter_pdf(), pool=pool).page_count == 3
    (pid,) = worker_pids() - before
    return pid


def test_a_worker_over_its_time_is_killed_and_replaced(pool):
    worker = started_worker(pool)
    with pytest.raises(PdfError, match="timed out"):
        pool.read(LAYOUT, decompression_bomb(64), timeout=0.05, max_memory=2**30)
    assert not Path(f"/proc/{worker}").exists()
    assert extract_text(letter_pdf(), pool=pool).page_count == 3


def test_the_pool_survives_a_worker_killed_from_outside(pool):
    worker = started_worker(pool)
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + BOUND_SECONDS
    while "State:\tZ" not in Path(f"/proc/{worker}/status").read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert extract_text(letter_pdf(), pool=pool).page_count == 3


def cpu_ticks(pid: int) -> int:
    """User and system CPU time a process has used, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def read_stopped_by(pool: WorkerPool, signum: int):
    """Start a slow read on the pool's one worker, send it `signum` mid-read; what the read raised."""
    worker = started_worker(pool)
    bomb = decompression_bomb(64)
    outcome: list[BaseException | tuple] = []

    def slow_read():
        try:
            outcome.append(pool.read(LAYOUT, bomb, timeout=BOUND_SECONDS, max_memory=2**30))
        except (PdfError, ReadInterrupted) as error:
            outcome.append(error)

    idle = cpu_ticks(worker)
    reading = threading.Thread(target=slow_read)
    reading.start()
    deadline = time.monotonic() + BOUND_SECONDS
    while cpu_ticks(worker) < idle + 10 and time.monotonic() < deadline:  # reading for 0.1 s of CPU
        time.sleep(0.02)
    os.kill(worker, signum)
    reading.join(timeout=BOUND_SECONDS)
    assert outcome, "the read did not end"
    return worker, outcome[0]


def test_a_read_stopped_by_sigterm_is_interrupted_not_a_broken_pdf(pool):
    _, outcome = read_stopped_by(pool, signal.SIGTERM)
    assert isinstance(outcome, ReadInterrupted), outcome
    assert "SIGTERM" in str(outcome) and "hostile" not in str(outcome)
    assert extract_text(letter_pdf(), pool=pool).page_count == 3


def test_ctrl_c_does_not_reach_the_readers(pool):
    """A worker reads on through SIGINT, and sits outside the terminal's process group, so the letter being
    read when Ctrl-C comes is read to the end and stored as what it is."""
    worker, outcome = read_stopped_by(pool, signal.SIGINT)
    assert os.getsid(worker) != os.getsid(0)
    assert not isinstance(outcome, ReadInterrupted)
    assert Path(f"/proc/{worker}").exists()


def test_an_interrupted_letter_is_never_stored_as_failed(monkeypatch):
    def stopped(content, **_):
        raise ReadInterrupted("pdfium was killed by SIGTERM while reading it")

    monkeypatch.setattr("harvester.letters.extract_text", stopped)
    link = items.LetterLink("luton-borough-council", "2023-24", "Annual letter", "https://example.org/luton.pdf", "page")
    [error] = read_letter(letter_pdf(), link)
    assert isinstance(error, items.CrawlError)
    assert (error.kind, error.page) == ("interrupted", "letter")
    assert "read again next run" in error.message


def test_threads_share_the_pool():
    pool = WorkerPool(size=2)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(extract_text(letter_pdf(), pool=pool).page_count))
        for _ in range(6)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=BOUND_SECONDS)
    finally:
        pool.close()
    assert results == [3] * 6
