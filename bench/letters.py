"""Annual letters: render time per letter, and extraction rate through the safe path beside the raw call.

    python bench/letters.py [--letters 400] [--seed 2025]

Letters are drawn evenly across every authority and era of the replica's site. Extraction is timed four ways:
PDFium called in this process (the raw call, unguarded), the safe path (`extract_text`, worker processes)
from one thread and from two threads sharing a two-worker pool, and the safe path with the letter check that
sends rejected text to the layout reader. The target for the safe path is 100 letters a second.
"""

from __future__ import annotations

import argparse
import collections
import functools
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import machine_line  # noqa: E402
from harvester.pages.letter import letter_text_is_usable  # noqa: E402
from harvester.pdftext import (  # noqa: E402
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    LAYOUT,
    WorkerPool,
    extract_text,
    pdfium_text,
)
from harvester.replica.letters import render_letter_pdf  # noqa: E402
from harvester.replica.site import build_site  # noqa: E402

TARGET_PER_SECOND = 100
LAYOUT_SAMPLE = 40
MIN_PAGES = 3
"""The target is set for real letters' length: shorter replica letters are rendered but not timed."""


def sample_letters(seed: int, count: int):
    site = build_site(seed)
    authorities = {authority.slug: authority for authority in site.authorities}
    every = [(authorities[slug], letter) for slug, letters in site.letters.items() for letter in letters]
    step = max(1, len(every) // count)
    return site, every[::step][:count]


def rate(label: str, count: int, seconds: float) -> float:
    per_second = count / seconds
    print(f"  {label:<44} {per_second:8.0f} letters/s  ({seconds / count * 1000:.2f} ms each)")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--letters", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2025)
    options = parser.parse_args()
    print(f"bench/letters.py · {machine_line()}")

    site, sample = sample_letters(options.seed, options.letters)
    render_ms = []
    pdfs = []
    for authority, letter in sample:
        started = time.perf_counter()
        pdfs.append((authority.slug, render_letter_pdf(site, authority, letter)))
        render_ms.append((time.perf_counter() - started) * 1000)
    pages = collections.Counter(pdfium_text(pdf)[1] for _, pdf in pdfs)
    kib = statistics.mean(len(pdf) for _, pdf in pdfs) / 1024
    print(f"{len(pdfs)} letters, by page count: {dict(sorted(pages.items()))}, {kib:.1f} KiB on average")
    print(f"render: median {statistics.median(render_ms):.2f} ms, mean {statistics.mean(render_ms):.2f} ms")
    pdfs = [(slug, pdf) for slug, pdf in pdfs if pdfium_text(pdf)[1] >= MIN_PAGES]

    pool = WorkerPool(size=2)
    extract_text(pdfs[0][1], pool=pool)  # start a worker before timing
    print(f"extraction of the {len(pdfs)} letters of {MIN_PAGES} pages or more:")
    started = time.perf_counter()
    for _, pdf in pdfs:
        pdfium_text(pdf)
    rate("raw pypdfium2, in this process", len(pdfs), time.perf_counter() - started)

    started = time.perf_counter()
    for _, pdf in pdfs:
        extract_text(pdf, pool=pool)
    safe = rate("safe path, one thread", len(pdfs), time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=2) as threads:
        started = time.perf_counter()
        list(threads.map(lambda item: extract_text(item[1], pool=pool), pdfs))
        rate("safe path, two threads, two workers", len(pdfs), time.perf_counter() - started)

    started = time.perf_counter()
    readers = [
        extract_text(
            pdf, pool=pool, accept=functools.partial(letter_text_is_usable, authority_slug=slug)
        ).reader
        for slug, pdf in pdfs
    ]
    rate("safe path + letter check, one thread", len(pdfs), time.perf_counter() - started)
    print(f"  layout reader used for {readers.count(LAYOUT)} of {len(readers)}")
    few = pdfs[:LAYOUT_SAMPLE]
    started = time.perf_counter()
    for _, pdf in few:
        pool.read(LAYOUT, pdf, timeout=DEFAULT_TIMEOUT, max_memory=DEFAULT_MAX_MEMORY)
    rate(f"layout reader (pdfminer) alone, safe, {len(few)} letters", len(few), time.perf_counter() - started)
    pool.close()
    verdict = "meets" if safe >= TARGET_PER_SECOND else "MISSES"
    print(f"safe path {verdict} the target of {TARGET_PER_SECOND} letters/s")


if __name__ == "__main__":
    main()
