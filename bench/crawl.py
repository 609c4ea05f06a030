"""A full crawl of the replica, timed beside two floors fetching the same URLs, and its requests counted.

    python bench/crawl.py [--profile] [--authority SLUG ...]

The replica runs in this process on a thread (its request log is the count of record); everything timed runs
as a child process, measured from outside: wall time, CPU (os.wait4: the child and every process it reaped, so
the harvester's PDF reader workers are included; their share is sampled from /proc), peak RSS of the child and
of its largest helper (VmHWM, sampled from /proc) and the CPU the replica spent serving it.

1. A warm-up crawl renders every page and PDF the replica will serve (its lazy rendering would otherwise be
   timed as the first client's), and is reported as the cold figure.
2. The harvester's full crawl (`harvester crawl`, loopback settings: 32 concurrent requests, no delay), into a
   fresh database.
3. The floors over that crawl's request list (bench/floors.py): a plain Scrapy spider that discards each
   response, with the same concurrency settings, and a bare asyncio HTTP/1.1 keep-alive client.
4. Requests per distinct resource in the harvester's crawl, from the replica's log: each must be one.
5. Parse time per page type: every page of the crawl, read from the replica once, through the pure parsers.
6. With --profile, another harvester crawl sampled by py-spy (pip install py-spy), and its top costs.

--authority limits every step to a few authorities, to check the bench itself quickly.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.floors import harvester_concurrency  # noqa: E402
from bench.machine import machine_line  # noqa: E402
from harvester.letters import read_letter  # noqa: E402
from harvester.pages.decisions import parse_decision_listing, parse_decision_page  # noqa: E402
from harvester.pages.improvements import parse_improvements_page  # noqa: E402
from harvester.pages.index import parse_index  # noqa: E402
from harvester.pages.letter import parse_letter  # noqa: E402
from harvester.pages.letters_list import parse_letters_list  # noqa: E402
from harvester.pages.reports_list import parse_reports_list  # noqa: E402
from harvester.pages.statistics import parse_statistics_page  # noqa: E402
from harvester.pdftext import pdfium_text  # noqa: E402
from harvester.replica.server import ReplicaServer, normalised_target  # noqa: E402

RATIO_AIM = 1.5
STATISTICS_BUDGET_MS = 3.0
CHILD_TIMEOUT_SECONDS = 600
POLL_SECONDS = 0.2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROFILE_LINES = 24
PROFILE_RATE = 100

HTML_PARSERS: dict[str, tuple[str, Callable]] = {
    "index": ("index", parse_index),
    "statistics": ("statistics", parse_statistics_page),
    "letters": ("letters list", parse_letters_list),
    "reports": ("reports list", parse_reports_list),
    "improvements": ("improvements page", parse_improvements_page),
    "decision": ("decision page", parse_decision_page),
    "listing": ("decision listing", parse_decision_listing),
}
"""Replica resource kind -> (label, the parser the spider calls on it)."""


class ChildFailed(Exception):
    pass


@dataclass
class ChildRun:
    label: str
    wall: float
    cpu: float
    """User + system seconds of the child and of every descendant it reaped."""
    helpers_cpu: float
    """Of `cpu`, what the child's own child processes (PDF readers) used, sampled from /proc."""
    peak_rss_mib: float
    """The child process's own peak (VmHWM, sampled from /proc)."""
    helpers_peak_rss_mib: float
    """The largest peak among its child processes; 0 when it started none."""
    replica_cpu: float
    """CPU seconds this process (the replica, serving) spent while the child ran."""
    requests: list[tuple[str, str, int | None]]
    """The replica's log of the child's requests: (method, target, status)."""
    stdout: str

    @property
    def per_second(self) -> float:
        return len(self.requests) / self.wall

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu / len(self.requests) * 1000


@dataclass
class ParseTimings:
    """Milliseconds per page, by page type label, and the bytes of each page."""

    ms: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    sizes: dict[str, list[int]] = field(default_factory=lambda: collections.defaultdict(list))
    readers: collections.Counter[str] = field(default_factory=collections.Counter)
    failed: list[str] = field(default_factory=list)

    def add(self, label: str, seconds: float, size: int) -> None:
        self.ms[label].append(seconds * 1000)
        self.sizes[label].append(size)


# --- running and measuring a child process ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _peak_rss_kib(pid: int) -> int:
    """The process's own peak RSS; 0 once it has exited (a zombie's status has no memory lines)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@dataclass
class _ProcSamples:
    """What /proc shows of a running child, kept at its highest. Its own peak RSS is read here because
    ru_maxrss would not do: a child inherits the bench's high-water mark across fork and exec, and the
    bench holds the replica's cache."""

    peak_kib: int = 0
    helpers_cpu: dict[int, float] = field(default_factory=dict)
    helpers_peak_kib: int = 0

    def take(self, pid: int) -> None:
        # A process may exit between being listed and being read: that sample is lost, the next one counts.
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            self.peak_kib = max(self.peak_kib, _peak_rss_kib(pid))
            for child in _children(pid):
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    self.helpers_cpu[child] = max(self.helpers_cpu.get(child, 0.0), _cpu_seconds(child))
                    self.helpers_peak_kib = max(self.helpers_peak_kib, _peak_rss_kib(child))


def run_child(
    label: str, argv: list[str], server: ReplicaServer, timeout: float = CHILD_TIMEOUT_SECONDS
) -> ChildRun:
    first_request = len(server.requests)
    replica_before = resource.getrusage(resource.RUSAGE_SELF)
    samples = _ProcSamples()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                process.wait()
                raise ChildFailed(f"{label}: still running after {timeout:.0f} s, killed")
            samples.take(process.pid)
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        replica_after = resource.getrusage(resource.RUSAGE_SELF)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise ChildFailed(f"{label} exited {process.returncode}:\n{stdout[-2000:]}\n{stderr[-4000:]}")
    return ChildRun(
        label=label,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        helpers_cpu=sum(samples.helpers_cpu.values()),
        peak_rss_mib=samples.peak_kib / 1024,
        helpers_peak_rss_mib=samples.helpers_peak_kib / 1024,
        replica_cpu=(replica_after.ru_utime + replica_after.ru_stime)
        - (replica_before.ru_utime + replica_before.ru_stime),
        requests=server.requests[first_request:],
        stdout=stdout,
    )


def fresh_db(workdir: Path, name: str) -> Path:
    """A database in a folder of its own: the crawl keeps its page cache beside the database, and a crawl
    that found another's cache would revalidate (304s) instead of fetching."""
    folder = workdir / name
    folder.mkdir()
    return folder / "lgsco.db"


def harvester_argv(base_url: str, db_path: Path, authorities: list[str], *options: str) -> list[str]:
    chosen = [arg for slug in authorities for arg in ("--authority", slug)]
    return [
        sys.executable,
        "-m",
        "harvester.cli",
        "crawl",
        "--base-url",
        base_url,
        "--db",
        str(db_path),
        *chosen,
        *options,
    ]


def warm_then_measure(
    server: ReplicaServer,
    workdir: Path,
    authorities: list[str],
    name: str = "",
    timeout: float = CHILD_TIMEOUT_SECONDS,
) -> tuple[ChildRun, ChildRun, Path]:
    """A warm-up crawl, so the replica has rendered every page and PDF it will serve (its lazy rendering would
    otherwise be timed as the first client's), then the measured crawl into a fresh database: (the warm-up
    run, the measured run, the measured run's database). `name` tells the folders of one call from another's."""
    argv = harvester_argv(server.base_url, fresh_db(workdir, f"warm-up{name}"), authorities)
    cold = run_child("harvester, cold replica", argv, server, timeout)
    db_path = fresh_db(workdir, f"measured{name}")
    harvester = run_child("harvester", harvester_argv(server.base_url, db_path, authorities), server, timeout)
    return cold, harvester, db_path


def same_resources(first: ChildRun, second: ChildRun) -> bool:
    """Whether two runs requested the same resources. By resource, not by spelling: a council linked in two
    letter cases may be met either way first."""
    return {normalised_target(t) for _, t, _ in first.requests} == {
        normalised_target(t) for _, t, _ in second.requests
    }


def run_floor(
    label: str, floor: str, urls: list[str], workdir: Path, server: ReplicaServer, *options: str
) -> ChildRun:
    urls_file = workdir / "urls.txt"
    urls_file.write_text("\n".join(urls) + "\n")
    argv = [sys.executable, str(REPO / "bench" / "floors.py"), floor, str(urls_file), *options]
    run = run_child(label, argv, server)
    answered = json.loads(run.stdout.strip().splitlines()[-1])
    if answered["responses"] != len(urls) or len(run.requests) != len(urls):
        raise ChildFailed(
            f"{label}: {answered['responses']} responses and {len(run.requests)} requests logged "
            f"for {len(urls)} URLs"
        )
    return run


# --- what was requested ----------------------------------------------------------------------------


def resource_kind(server: ReplicaServer, target: str) -> str:
    response = server.replica.get(target)
    return response.kind or f"HTTP {response.status}"


def count_requests(run: ChildRun, server: ReplicaServer) -> list[str]:
    """Lines saying how often each distinct resource was requested; any resource requested twice is listed."""
    methods = collections.Counter(method for method, _, _ in run.requests)
    statuses = collections.Counter(status for _, _, status in run.requests)
    by_resource = collections.Counter(normalised_target(target) for _, target, _ in run.requests)
    spellings = collections.defaultdict(set)
    for _, target, _ in run.requests:
        spellings[normalised_target(target)].add(target)
    by_kind = collections.Counter(resource_kind(server, target) for target in by_resource)
    repeated = {target: n for target, n in by_resource.items() if n > 1}
    lines = [
        f"{len(run.requests):,} requests ({', '.join(f'{m} {n:,}' for m, n in sorted(methods.items()))}) "
        f"for {len(by_resource):,} distinct resources; robots.txt requested {by_resource['/robots.txt']} time(s)",
        "  answers: " + ", ".join(f"HTTP {status} {n:,}" for status, n in statuses.most_common()),
        "  distinct resources by kind: " + ", ".join(f"{k} {n:,}" for k, n in by_kind.most_common()),
    ]
    if not repeated:
        lines.append("  every resource was requested exactly once")
    else:
        lines.append(f"  {len(repeated)} resource(s) requested more than once:")
        lines += [
            f"    {n}x {target}  (as {', '.join(sorted(spellings[target]))})"
            for target, n in sorted(repeated.items())
        ]
    return lines


# --- parse time per page type -----------------------------------------------------------------------


def time_parsers(server: ReplicaServer, targets: list[str]) -> ParseTimings:
    """Each page of the crawl once through the parser the spider gives it, after one untimed call per parser
    (patterns compiled, libraries loaded); letter PDFs three ways, the crawl's own `read_letter` among them."""
    timings = ParseTimings()
    warmed: set[str] = set()
    letter_links = []
    for target in dict.fromkeys(targets):
        response = server.replica.get(target)
        if response.status != 200 or response.kind not in HTML_PARSERS:
            continue
        label, parse = HTML_PARSERS[response.kind]
        url = server.base_url + target
        html = response.body.decode()
        if label not in warmed:
            parse(html, url)
            warmed.add(label)
        started = time.perf_counter()
        parsed = parse(html, url)
        timings.add(label, time.perf_counter() - started, len(response.body))
        if response.kind == "letters":
            letter_links += parsed
    crawled = {normalised_target(target) for target in targets}
    for link in letter_links:
        parts = urlsplit(link.pdf_url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if normalised_target(target) in crawled:
            time_letter(server.replica.get(target).body, link, timings)
    return timings


def time_letter(pdf: bytes, link, timings: ParseTimings) -> None:
    started = time.perf_counter()
    pdfium_text(pdf)
    timings.add("letter PDF: PDFium text, raw, in-process", time.perf_counter() - started, len(pdf))
    started = time.perf_counter()
    document, *_ = read_letter(pdf, link)
    timings.add("letter PDF: read_letter, as the crawl runs it", time.perf_counter() - started, len(pdf))
    if document.reader is not None:
        timings.readers[document.reader] += 1
    if document.status != "ok":
        timings.failed.append(f"{link.pdf_url}: {document.error}")
        return
    started = time.perf_counter()
    parse_letter(document.text, authority_slug=link.authority_slug, pdf_url=link.pdf_url)
    timings.add("letter PDF: parse_letter on its text", time.perf_counter() - started, len(pdf))


# --- report ------------------------------------------------------------------------------------------


def crawl_table(runs: list[ChildRun]) -> list[str]:
    """CPU includes the PDF readers'; 'readers' columns are theirs alone; RSS is per process, not summed."""
    lines = [
        f"{'':<24} {'wall s':>7} {'req/s':>6} {'CPU s':>6} {'CPU ms/req':>11} {'readers ms/req':>15} "
        f"{'peak RSS MiB':>13} {'readers MiB':>12} {'replica CPU s':>14}"
    ]
    for run in runs:
        helpers_ms = f"{run.helpers_cpu / len(run.requests) * 1000:.2f}" if run.helpers_cpu else "-"
        helpers_mib = f"{run.helpers_peak_rss_mib:.0f}" if run.helpers_peak_rss_mib else "-"
        lines.append(
            f"{run.label:<24} {run.wall:>7.1f} {run.per_second:>6.0f} {run.cpu:>6.1f} "
            f"{run.cpu_ms_per_request:>11.2f} {helpers_ms:>15} {run.peak_rss_mib:>13.0f} {helpers_mib:>12} "
            f"{run.replica_cpu:>14.1f}"
        )
    return lines


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def parse_table(timings: ParseTimings) -> list[str]:
    lines = [
        f"{'page type':<46} {'pages':>5} {'median ms':>10} {'p90 ms':>7} {'max ms':>7} {'sum s':>6} {'KB':>5}"
    ]
    for label, ms in timings.ms.items():
        kilobytes = statistics.median(timings.sizes[label]) / 1000
        lines.append(
            f"{label:<46} {len(ms):>5} {statistics.median(ms):>10.2f} {percentile(ms, 0.9):>7.2f} "
            f"{max(ms):>7.2f} {sum(ms) / 1000:>6.1f} {kilobytes:>5.0f}"
        )
    stats_ms = statistics.median(timings.ms["statistics"])
    verdict = "within" if stats_ms <= STATISTICS_BUDGET_MS else "OVER"
    lines.append(
        f"statistics page median {stats_ms:.2f} ms: {verdict} the {STATISTICS_BUDGET_MS:g} ms budget"
    )
    lines.append(
        "letter readers used by read_letter: " + ", ".join(f"{r} {n}" for r, n in timings.readers.items())
    )
    lines += [f"  letter not read: {failure}" for failure in timings.failed]
    return lines


RUNTIME_FRAMES = (
    "(asyncio/",
    "(twisted/",
    "(threading.py",
    "(click/",
    "(<frozen",
    "(concurrent/",
    "(selectors.py",
)
"""Frames every stack passes through: left out of the inclusive listing, which is about who spends the time."""


def py_spy() -> str:
    found = shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    return found


def profile_crawl(server: ReplicaServer, db_path: Path, authorities: list[str]) -> list[str]:
    """Sample a crawl with py-spy: a sampler, so the event loop's many small calls are not inflated as
    they are under cProfile, and it sees the threads where letters are read."""
    samples = db_path.parent / "crawl.spy"
    argv = [py_spy(), "record", "--format", "raw", "--rate", str(PROFILE_RATE), "--output", str(samples),
            "--", *harvester_argv(server.base_url, db_path, authorities)]  # fmt: skip
    run = run_child("harvester under py-spy", argv, server)
    # py-spy exits 0 whatever the crawl did: a crawl cut short would be profiled without a word.
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        status, summary = conn.execute("SELECT status, summary FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    if status != "ok":
        raise ChildFailed(f"{run.label}: the crawl's run ended {status!r}, not 'ok': {str(summary)[:2000]}")
    return [f"sampled crawl: {run.wall:.1f} s wall, {PROFILE_RATE} samples/s", *summarise_samples(samples)]


def summarise_samples(path: Path) -> list[str]:
    """Top costs of the crawl process's main thread (the reactor: everything but letter reading), by own
    time and by time including callees, and of its other threads (letters read via asyncio.to_thread)."""
    own, including, threads = collections.Counter(), collections.Counter(), collections.Counter()
    main_samples = thread_samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        if frames[0].startswith("_run_module_as_main"):
            main_samples += int(count)
            own[frames[-1]] += int(count)
            including.update({frame: int(count) for frame in set(frames)})
        else:
            thread_samples += int(count)
            threads.update({frame: int(count) for frame in set(frames)})

    def share(frame: str, n: int, total: int) -> str:
        return f"  {n / total:6.1%}  {frame}"

    lines = [f"main thread, {main_samples:,} samples; by own time:"]
    lines += [share(frame, n, main_samples) for frame, n in own.most_common(PROFILE_LINES // 2)]
    lines.append("main thread, including callees (runtime frames left out):")
    lines += [
        share(frame, n, main_samples)
        for frame, n in including.most_common()
        if not any(runtime in frame for runtime in RUNTIME_FRAMES)
    ][:PROFILE_LINES]
    lines.append("main thread, project code including callees:")
    lines += [
        share(frame, n, main_samples)
        for frame, n in including.most_common()
        if _ours(frame) and "(harvester/cli.py)" not in frame and "run_crawl (" not in frame  # every stack's
    ][:PROFILE_LINES]
    lines.append(f"other threads, {thread_samples:,} samples, including callees (project code):")
    lines += [
        share(frame, n, thread_samples)
        for frame, n in threads.most_common()
        if _ours(frame)
    ][: PROFILE_LINES // 2]
    return lines


def _ours(frame: str) -> bool:
    return "(harvester/" in frame or "(pipelines/" in frame or "(spiders/" in frame


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epoch", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--authority", action="append", default=[], metavar="SLUG")
    parser.add_argument("--profile", action="store_true", help="also sample a crawl with py-spy")
    options = parser.parse_args()
    bench_started = time.perf_counter()
    print(f"bench/crawl.py · {machine_line()}")
    with (
        tempfile.TemporaryDirectory(prefix="bench-crawl-") as scratch,
        ReplicaServer(options.epoch, options.seed) as server,
    ):
        workdir = Path(scratch)
        pace = harvester_concurrency(server.base_url)
        print(f"replica epoch {options.epoch}, seed {options.seed}, on a thread of this process")
        print(
            "harvester's settings for it, the floors' too: " + ", ".join(f"{k} {v}" for k, v in pace.items())
        )
        cold, harvester, _ = warm_then_measure(server, workdir, options.authority)
        urls = [server.base_url + target for _, target, _ in harvester.requests]
        same = same_resources(cold, harvester)
        scrapy_floor = run_floor("plain Scrapy floor", "scrapy", urls, workdir, server)
        connections = str(pace["CONCURRENT_REQUESTS"])
        asyncio_floor = run_floor(
            "bare asyncio floor", "asyncio", urls, workdir, server, "--connections", connections
        )

        print(f"\nFull crawl: {len(urls):,} requests, the floors fetching the harvester's request list "
              f"(the warm-up crawl requested {'the same' if same else 'a DIFFERENT'} set)")  # fmt: skip
        for line in crawl_table([harvester, scrapy_floor, asyncio_floor, cold]):
            print(line)
        ratio = harvester.wall / scrapy_floor.wall
        verdict = "within" if ratio <= RATIO_AIM else "MISSES"
        print(f"harvester / plain Scrapy: {ratio:.2f}x wall, {harvester.cpu / scrapy_floor.cpu:.2f}x CPU "
              f"({verdict} the {RATIO_AIM}x aim); plain Scrapy / bare asyncio: "
              f"{scrapy_floor.wall / asyncio_floor.wall:.2f}x wall, {scrapy_floor.cpu / asyncio_floor.cpu:.2f}x CPU")  # fmt: skip

        print("\nRequests per distinct resource, harvester's crawl (the replica's log)")
        for line in count_requests(harvester, server):
            print(line)

        print("\nParse time per page type (this process, each page of the crawl once, pure functions)")
        timings = time_parsers(server, [target for _, target, _ in harvester.requests])
        for line in parse_table(timings):
            print(line)

        if options.profile:
            print("\nWhere the crawl's time goes (py-spy)")
            for line in profile_crawl(server, fresh_db(workdir, "profiled"), options.authority):
                print(line)
    print(f"\nbench ran {time.perf_counter() - bench_started:.0f} s")


if __name__ == "__main__":
    main()
