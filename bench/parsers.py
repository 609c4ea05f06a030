"""Median parse time per page type over the saved page cases (tests/pages/).

    python bench/parsers.py [--runs 200]

The statistics page is also timed padded to ~60 KB with realistic chrome (a council picker menu
linking every authority, as a site-wide mega-menu would), the size the parser budget (3 ms) is set for.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import machine_line  # noqa: E402
from harvester.pages.html import PageLayoutError  # noqa: E402
from tests.pages.cases import CASES_DIR, PARSERS, case_dirs, read_case  # noqa: E402

TARGET_BYTES = 60_000


def median_ms(parse, html: str, url: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        # Error cases are timed too: failing must be as cheap as succeeding.
        with contextlib.suppress(PageLayoutError):
            parse(html, url)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def padded_statistics_page() -> tuple[str, str]:
    """The Luton CMS-style page with a council picker menu inserted until it weighs ~60 KB."""
    _, html, url = read_case(CASES_DIR / "statistics" / "luton-2023-24-cms")
    slugs = [f"example-council-{number}" for number in range(2000)]
    items, size = [], len(html.encode())
    for slug in slugs:
        if size >= TARGET_BYTES:
            break
        item = (
            f'<li class="menu-item"><a class="menu-link" href="/your-councils-performance/{slug}/statistics">'
            f"{slug.replace('-', ' ').title()}</a></li>\n"
        )
        items.append(item)
        size += len(item.encode())
    menu = '<nav class="council-picker" aria-label="Councils"><ul>\n' + "".join(items) + "</ul></nav>\n"
    return html.replace('<main id="content">', menu + '<main id="content">', 1), url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    print(f"bench/parsers.py · {machine_line()}")
    by_type: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for case_dir in case_dirs():
        parser_name, html, url = read_case(case_dir)
        by_type[parser_name].append((median_ms(PARSERS[parser_name], html, url, runs), len(html.encode())))
    print(f"{'page type':<14} {'cases':>5} {'median ms':>10} {'max ms':>8} {'max KB':>7}")
    for parser_name, results in sorted(by_type.items()):
        times = [ms for ms, _ in results]
        kilobytes = max(size for _, size in results) / 1000
        median = statistics.median(times)
        print(f"{parser_name:<14} {len(results):>5} {median:>10.3f} {max(times):>8.3f} {kilobytes:>7.1f}")
    html, url = padded_statistics_page()
    padded_ms = median_ms(PARSERS["statistics"], html, url, runs)
    kilobytes = len(html.encode()) / 1000
    print(f"statistics page padded to {kilobytes:.1f} KB: median {padded_ms:.3f} ms (budget 3 ms)")


if __name__ == "__main__":
    main()
