"""Issue 14's table in one run: every performance target of the harvester, measured, with its verdict.

    python bench/perf.py [--quick] [--skip-scale] [--skip-datasette] [--skip-pdfminer] [--epoch 2025] [--seed 2025]

One replica per scale on a thread of this process (its request log is the count of record); everything timed
is a child process measured from outside by bench/crawl.py's `run_child` (wall; CPU of the child and every
process it reaped; the child's own peak RSS, sampled from /proc).

1. A warm-up crawl, then the full crawl into a fresh database (bench/crawl.py's `warm_then_measure`).
2. The plain Scrapy floor over the full crawl's own request list (bench/floors.py).
3. bench/sequential.py, the sequential script of the issue, with pypdfium2 and with pdfminer; its counts are
   checked against the full crawl's (the same statistics pages and letters) before its time is believed.
4. The unchanged nightly rerun: a second `harvester crawl` into the full crawl's database, same epoch; its
   requests and answers, and its letter PDF requests, from the replica's log.
5. Datasette: `bench/datasette.py --db <the full crawl's database> --json` (its last stdout line, one JSON object).
6. Scale: the full crawl of the same replica with every authority 2 and 4 times (`ReplicaServer(scale=N)`),
   each after its own warm-up crawl: wall and peak RSS against the 1x crawl above.

--quick runs every step for five councils (and their predecessors) at scales 1 and 2: a check of the bench
itself in a few minutes. Its figures are not the issue's.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.crawl import (  # noqa: E402
    CHILD_TIMEOUT_SECONDS,
    ChildFailed,
    ChildRun,
    fresh_db,
    harvester_argv,
    resource_kind,
    run_child,
    run_floor,
    same_resources,
    warm_then_measure,
)
from bench.machine import machine_line  # noqa: E402
from harvester.replica.server import ReplicaServer, normalised_target  # noqa: E402
from harvester.replica.site import build_site  # noqa: E402

QUICK_AUTHORITIES = [
    "luton-borough-council",
    "kent-county-council",
    "North-Northamptonshire-Council",
    "westmorland-and-furness-council",
    "leeds-city-council",
]
"""bench/chaos.py's subset: every page type, the pager, merger boxes and every letter era."""
SCALES = (2, 4)
QUICK_SCALES = (2,)
CRAWL_TIMEOUT_SECONDS = 3 * CHILD_TIMEOUT_SECONDS
"""Each timed child at scale 1 is killed after this (times the scale); a loaded shared machine is slow."""
DATASETTE_TIMEOUT_SECONDS = 1200
SEQUENTIAL_KINDS = ("index", "statistics", "letters", "reports", "improvements", "pdf", "hub", "datafile")
"""What the sequential script reads: the crawl's requests of these kinds are "the same pages, letters and data
files"."""


def progress(what: str) -> None:
    """One line as each step ends, so a run cut short still shows what it measured."""
    print(f"  {time.strftime('%H:%M:%S')} {what}", flush=True)


@dataclass
class Row:
    what: str
    measured: str
    target: str
    met: bool | None
    """None: nothing to judge (measured for the record)."""

    @property
    def verdict(self) -> str:
        return "-" if self.met is None else "met" if self.met else "MISSES"


class ProgressRows(list):
    """The table's rows, each shown as soon as it is measured."""

    def append(self, row: Row) -> None:
        progress(f"{row.what}: {row.measured} ({row.verdict})")
        super().append(row)

    def __iadd__(self, rows):
        for row in rows:
            self.append(row)
        return self


def table(rows: list[Row]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(
        ("what", "measured", "target", "verdict"),
        *((row.what, row.measured, row.target, row.verdict) for row in rows),
        strict=True,
    )]  # fmt: skip

    def line(cells) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return [
        line(("what", "measured", "target", "verdict")),
        line(["-" * width for width in widths]),
        *(line((row.what, row.measured, row.target, row.verdict)) for row in rows),
    ]


def faster(harvester_wall: float, other_wall: float) -> str:
    ratio = other_wall / harvester_wall
    return f"harvester {ratio:.2f}x faster" if ratio >= 1 else f"harvester {1 / ratio:.2f}x SLOWER"


def kinds(run: ChildRun, server: ReplicaServer) -> collections.Counter[str]:
    return collections.Counter(resource_kind(server, target) for _, target, _ in run.requests)


def resources(run: ChildRun, server: ReplicaServer, of_kinds=SEQUENTIAL_KINDS) -> set[str]:
    return {
        normalised_target(target)
        for _, target, _ in run.requests
        if resource_kind(server, target) in of_kinds
    }


def quick_slugs(authorities: list[str], scale: int) -> list[str]:
    """The chosen councils and their copies in a replica of that scale."""
    return [f"{slug}-{copy}" if copy > 1 else slug for copy in range(1, scale + 1) for slug in authorities]


# --- the steps ----------------------------------------------------------------------------------------


def sequential(server: ReplicaServer, workdir: Path, pdf: str, authorities: list[str], crawl: ChildRun):
    """bench/sequential.py, checked: it must have read the crawl's statistics pages, letters and data files, no
    fewer."""
    argv = [sys.executable, str(REPO / "bench" / "sequential.py"), server.base_url,
            "--db", str(workdir / f"sequential-{pdf}.db"), "--pdf", pdf,
            *(arg for slug in authorities for arg in ("--authority", slug))]  # fmt: skip
    run = run_child(f"sequential script, {pdf}", argv, server, timeout=CRAWL_TIMEOUT_SECONDS)
    counts = json.loads(run.stdout.strip().splitlines()[-1])
    crawled = kinds(crawl, server)
    differ = resources(run, server) ^ resources(crawl, server)
    if differ or counts["letters"] != crawled["pdf"] or counts["data_files"] != crawled["datafile"]:
        raise ChildFailed(
            f"{run.label}: read {counts} over {len(run.requests)} requests, not the crawl's "
            f"{crawled['statistics']} statistics pages, {crawled['pdf']} letters and {crawled['datafile']} data files; "
            f"requested by one only: {sorted(differ)[:10]}"
        )
    return run, counts


def datasette_figures(db_path: Path) -> dict | str:
    """bench/datasette.py's figures for the crawl's database, or why there are none."""
    script = REPO / "bench" / "datasette.py"
    if not script.exists():
        return "bench/datasette.py not found"
    try:
        done = subprocess.run(
            [sys.executable, str(script), "--db", str(db_path), "--json"],
            cwd=REPO, capture_output=True, text=True, timeout=DATASETTE_TIMEOUT_SECONDS,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"bench/datasette.py still running after {DATASETTE_TIMEOUT_SECONDS} s, killed"
    if done.returncode != 0 or not done.stdout.strip():
        return f"bench/datasette.py exited {done.returncode}: {done.stderr.strip()[-500:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def datasette_rows(figures: dict) -> list[Row]:
    return [
        Row("Datasette: canned queries, worst p95", f"{figures['canned_p95_ms']:.1f} ms", "≤ 50 ms",
            figures["canned_p95_ms"] <= 50),
        Row("Datasette: letters table page p95", f"{figures['letters_table_p95_ms']:.1f} ms", "≤ 50 ms",
            figures["letters_table_p95_ms"] <= 50),
        Row("Datasette: slowest page p95", f"{figures['slowest_page_p95_ms']:.1f} ms ({figures['slowest_page']})",
            "every page ≤ 50 ms", figures["slowest_page_p95_ms"] <= 50),
        Row(f"Datasette: heavy read mix, published copy, {figures['mix_workers']} processes",
            f"{figures['mix_responses_per_s']:.1f} responses/s (one process: "
            f"{figures['mix_one_process_responses_per_s']:.1f})",
            "≥ 50 responses/s", figures["mix_responses_per_s"] >= 50),
    ]  # fmt: skip


def scale_rows(
    site, options, authorities: list[str], workdir: Path, base: ChildRun
) -> tuple[list[Row], list[str]]:
    rows, lines = [], [f"{'scale':<6} {'requests':>9} {'wall s':>7} {'CPU s':>6} {'peak RSS MiB':>13} "
                       f"{'time / 1x':>10} {'RSS / 1x':>9} {'requests / 1x':>14}"]  # fmt: skip
    lines.append(
        f"{'1x':<6} {len(base.requests):>9,} {base.wall:>7.1f} {base.cpu:>6.1f} {base.peak_rss_mib:>13.0f}"
    )
    for scale in QUICK_SCALES if options.quick else SCALES:
        with ReplicaServer(options.epoch, options.seed, site=site, scale=scale) as server:
            chosen = quick_slugs(authorities, scale) if authorities else []
            _, run, _ = warm_then_measure(
                server, workdir, chosen, f"-{scale}x", scale * CRAWL_TIMEOUT_SECONDS
            )
        time_ratio, rss_ratio = run.wall / base.wall, run.peak_rss_mib / base.peak_rss_mib
        lines.append(f"{scale}x{'':<4} {len(run.requests):>9,} {run.wall:>7.1f} {run.cpu:>6.1f} "
                     f"{run.peak_rss_mib:>13.0f} {time_ratio:>9.2f}x {rss_ratio:>8.2f}x "
                     f"{len(run.requests) / len(base.requests):>13.2f}x")  # fmt: skip
        progress(f"scale {lines[-1]}")
        bound = 1.1 * scale
        rows.append(Row(f"{scale}x authorities: full crawl time / 1x", f"{time_ratio:.2f}x ({run.wall:.0f} s)",
                        f"≤ {bound:.1f}x", time_ratio <= bound))  # fmt: skip
        rows.append(Row(f"{scale}x authorities: peak RSS / 1x", f"{rss_ratio:.2f}x ({run.peak_rss_mib:.0f} MiB)",
                        f"≤ {bound:.1f}x (linear)", rss_ratio <= bound))  # fmt: skip
    return rows, lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="five councils, scales 1 and 2: checks the bench"
    )
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-datasette", action="store_true")
    parser.add_argument(
        "--skip-pdfminer", action="store_true", help="the sequential script with pypdfium2 only (pdfminer: ~8 min)"
    )
    parser.add_argument("--epoch", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=2025)
    options = parser.parse_args()
    started = time.perf_counter()
    print(f"bench/perf.py · {machine_line()}", flush=True)
    authorities = QUICK_AUTHORITIES if options.quick else []
    site = build_site(options.seed)
    rows = ProgressRows()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-perf-") as scratch:
        workdir = Path(scratch)
        with ReplicaServer(options.epoch, options.seed, site=site) as server:
            print(f"replica epoch {options.epoch}, seed {options.seed}, on a thread of this process; "
                  f"{'QUICK: ' + ', '.join(authorities) if authorities else 'every authority'}", flush=True)  # fmt: skip
            cold, crawl, db_path = warm_then_measure(
                server, workdir, authorities, timeout=CRAWL_TIMEOUT_SECONDS
            )
            crawled = kinds(crawl, server)
            progress(
                f"full crawl {crawl.wall:.1f} s, {len(crawl.requests):,} requests (warm-up {cold.wall:.1f} s)"
            )
            notes.append(f"full crawl: {len(crawl.requests):,} requests ({', '.join(f'{k} {n:,}' for k, n in crawled.most_common())}); "
                         f"warm-up crawl (cold replica) {cold.wall:.1f} s, requested "
                         f"{'the same' if same_resources(cold, crawl) else 'a DIFFERENT'} set")  # fmt: skip

            urls = [server.base_url + target for _, target, _ in crawl.requests]
            floor = run_floor("plain Scrapy floor", "scrapy", urls, workdir, server)
            wall_ratio, cpu_ratio = crawl.wall / floor.wall, crawl.cpu / floor.cpu
            rows.append(Row("full replica crawl / plain Scrapy floor, same URLs",
                            f"{wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU ({crawl.wall:.1f} s vs {floor.wall:.1f} s)",
                            "≤ 1.5x wall", wall_ratio <= 1.5))  # fmt: skip

            # The sequential script reads no decisions: the same pages are a crawl that stops its decisions
            # at the first request (--max-requests 1).
            argv = harvester_argv(server.base_url, fresh_db(workdir, "no-decisions"), authorities,
                                  "--max-requests", "1")  # fmt: skip
            same_pages = run_child("harvester, decisions capped", argv, server, CRAWL_TIMEOUT_SECONDS)
            notes.append(f"crawl with decisions capped (--max-requests 1): {len(same_pages.requests):,} requests, "
                         f"{same_pages.wall:.1f} s wall, {same_pages.cpu:.1f} s CPU")  # fmt: skip
            for pdf, aim, what in (
                ("pypdfium2", 2.0, "≥ 2x faster"),
                *(() if options.skip_pdfminer else (("pdfminer", 5.5, "≥ 5.5x faster (keep)"),)),
            ):
                run, counts = sequential(server, workdir, pdf, authorities, crawl)
                rows.append(Row(f"crawl vs sequential script ({pdf}), same pages",
                                f"{faster(same_pages.wall, run.wall)} ({same_pages.wall:.1f} s vs {run.wall:.1f} s); "
                                f"full crawl with decisions: {faster(crawl.wall, run.wall)}",
                                what, run.wall / same_pages.wall >= aim))  # fmt: skip
                notes.append(f"sequential script, {pdf}: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, "
                             f"{run.peak_rss_mib:.0f} MiB; read {json.dumps(counts)}: the crawl's statistics "
                             f"pages, lists, letters and data files, not its decisions")  # fmt: skip

            rerun = run_child(
                "unchanged nightly rerun",
                harvester_argv(server.base_url, db_path, authorities),
                server,
                CRAWL_TIMEOUT_SECONDS,
            )
            answers = collections.Counter(status for _, _, status in rerun.requests)
            letters_fetched = kinds(rerun, server)["pdf"]
            ratio = rerun.wall / crawl.wall
            rows.append(Row("unchanged nightly rerun / full crawl",
                            f"{ratio:.2f} ({rerun.wall:.1f} s; {len(rerun.requests):,} requests, "
                            f"{answers[304]:,} answered 304)", "≤ 0.10", ratio <= 0.10))  # fmt: skip
            rows.append(Row("letters fetched by the rerun", f"{letters_fetched}", "0", letters_fetched == 0))

        if options.skip_datasette:
            notes.append("Datasette: skipped (--skip-datasette)")
        else:
            figures = datasette_figures(db_path)
            if isinstance(figures, str):
                notes.append(f"Datasette: {figures}")
            else:
                rows += datasette_rows(figures)

        rows.append(Row("peak RSS of the full crawl", f"{crawl.peak_rss_mib:.0f} MiB "
                        f"(+ largest PDF reader {crawl.helpers_peak_rss_mib:.0f} MiB)", "< 400 MiB",
                        crawl.peak_rss_mib < 400))  # fmt: skip

        scale_lines = []
        if options.skip_scale:
            notes.append("scale: skipped (--skip-scale)")
        else:
            try:
                more_rows, scale_lines = scale_rows(site, options, authorities, workdir, crawl)
                rows += more_rows
            except ChildFailed as error:  # the rows measured so far are still printed
                notes.append(f"scale: a crawl failed: {str(error)[:2000]}")

    print()
    for line in table(rows):
        print(line)
    print()
    for note in notes:
        print(note)
    if scale_lines:
        print("\nfull crawl by scale (each after its own warm-up crawl)")
        for line in scale_lines:
            print(line)
    print(f"\nbench ran {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
