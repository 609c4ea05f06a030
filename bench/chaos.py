"""The chaos suite: every fault of issue 9 against the replica, and a kill -9 matrix, in one table.

    python bench/chaos.py [--kills 20] [--seed 9] [--only NAME ...]

Every scenario is the same *changing* crawl: epoch 2024 stored, then epoch 2025 crawled through the
fault, for a subset of authorities (SUBSET and North Northamptonshire's five predecessors: every page type,
the pager, a merger box and every letter era, in seconds instead of minutes). Its database is compared with the same crawl run
without the fault (the reference):

- rows lost: data rows the reference keeps (and, when the run failed, that were stored before it) which
  the faulted run left missing or marked gone;
- rows wrongly changed: data rows whose values are neither the reference's nor, for a failed run, what
  was stored before (good data replaced by worse). Rows first stored by the faulted run from a URL it
  recorded as an error (a letter it could not read) are recorded failures, counted in neither;
- outcome: 'recovered' (exit 0 and equal to the reference), 'failed loudly' (exit status 1 and nothing
  lost or wrongly changed), 'SILENT LOSS' (exit 0 with rows lost or wrong: the outcome a nightly job
  must never have), 'LOSS' (a failed run that also damaged stored rows);
- peak memory: the crawl process's own peak RSS (VmHWM from /proc; PDF reader workers not included).

FAULTS is the list of fault scenarios, one entry each; a replica fault mode no entry names is run too,
at a default rate, so a fault added to harvester/replica/faults.py is in the table without editing this
file. A fault on what only a crawl from the index reads (the index, the annual data files) is crawled from the
index of a replica of SUBSET alone, and compared with the same crawl from that index without the fault. The
kill -9 matrix kills the 2025 crawl (bench/killpoint.py) at seeded moments, including inside the page-cache write
and inside a letter save, then runs `harvester crawl --resume`, and compares the result with the uninterrupted run:
every table, the change log and the run's counts.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.crawl import _ProcSamples  # noqa: E402
from bench.killpoint import KILL_POINTS  # noqa: E402
from bench.machine import machine_line  # noqa: E402
from harvester import pagecache, store  # noqa: E402
from harvester.migrations import broken_search_indexes  # noqa: E402
from harvester.oversized import STORED_VALUE_CAP  # noqa: E402
from harvester.replica.faults import (  # noqa: E402
    DUPLICATE_SLUG,
    FAULTS,
    FORGED_LOG_LINE,
    FORMULAS,
    FaultPlan,
)
from harvester.replica.model import Site  # noqa: E402
from harvester.replica.server import Replica, ReplicaServer  # noqa: E402
from harvester.replica.site import build_site  # noqa: E402

SUBSET = ("luton-borough-council", "kent-county-council", "North-Northamptonshire-Council")
BEFORE_EPOCH, EPOCH = 2024, 2025
CRAWL_TIMEOUT_SECONDS = 300
POLL_SECONDS = 0.05
DEFAULT_RATE = 0.3
BACKFILL_SINCE = "2013-04-01"
"""The day the back-fill kill's --decisions-since reaches back to: every decision the replica has."""
NOT_COMPARED = {"first_seen_run", "last_changed_run", "gone_run", "fetched_at"}
"""Provenance says *when*; the comparison is of *what* is stored and whether it is live."""


@dataclass(frozen=True)
class Scenario:
    name: str
    faults: tuple[str, ...] = ()
    """Replica fault specs for the faulted crawl."""
    options: tuple[str, ...] = ()
    """Extra `harvester crawl` options (short timeouts for the hanging faults)."""
    tamper: Callable[[Path, ReplicaServer], int] | None = None
    """Damage done to the stored state before the crawl (a kill's leftovers); returns how many entries."""
    hang_seconds: float = 3.0
    site_removes: bool = False
    """The fault is the site saying councils are gone (410): their rows marked gone are its word, not a loss."""
    site_says: bool = False
    """The fault changes what the site says (a formula in a title, a report of megabytes): rows read from the
    URLs it hit hold the site's new word, so they are compared with nothing; `check` judges what became of it."""
    from_index: bool = False
    """The fault is on the index: crawl from it (no --authority), on a replica of SUBSET alone."""
    check: Callable[[Path, str], int] | None = None
    """(database, the crawl's output) -> how many wrong results beyond rows (counted as rows wrongly changed)."""


def _every_cache_entry(db: Path, server: ReplicaServer, damage: Callable[[list, bytes, dict], tuple]) -> int:
    """Rewrite every page-cache entry as a kill inside its write would have left it, with the validators
    the server now gives each page (what the interrupted write had just received)."""
    conn = sqlite3.connect(pagecache.cache_path(db))
    rows = conn.execute("SELECT fingerprint, url, headers, body FROM pages").fetchall()
    for fingerprint, url, headers_json, body in rows:
        request = urllib.request.Request(url, method="HEAD", headers={"Accept-Encoding": "gzip, deflate"})
        with urllib.request.urlopen(request) as answer:
            now = {name: answer.headers[name] for name in ("ETag", "Last-Modified") if answer.headers[name]}
        headers = [[name, values] for name, values in json.loads(headers_json) if name not in now]
        headers += [[name, [value]] for name, value in now.items()]
        new_headers, new_body = damage(headers, body, now)
        conn.execute(
            "UPDATE pages SET headers = ?, body = ? WHERE fingerprint = ?",
            [json.dumps(new_headers), new_body, fingerprint],
        )
    conn.commit()
    conn.close()
    return len(rows)


def new_validators_old_body(db: Path, server: ReplicaServer) -> int:
    return _every_cache_entry(db, server, lambda headers, body, now: (headers, body))


def headers_without_body(db: Path, server: ReplicaServer) -> int:
    return _every_cache_entry(db, server, lambda headers, body, now: (headers, b""))


def formulas_left_in_csv(db: Path, output: str) -> int:
    """CSV cells of `harvester export` that still begin with one of the replica's formulas (not neutralised)."""
    with tempfile.TemporaryDirectory(prefix="chaos-csv-") as out:
        subprocess.run([sys.executable, "-m", "harvester.cli", "export", "--db", str(db), "--format", "csv",
                        "--out", out], cwd=REPO, check=True, capture_output=True)  # fmt: skip
        return sum(
            cell.startswith(FORMULAS)
            for path in Path(out).glob("*.csv")
            for row in csv.reader(path.open(newline="", encoding="utf-8"))
            for cell in row
        )


def values_too_big_to_serve(db: Path, output: str) -> int:
    """Stored texts over the store's cap (harvester.oversized): each would make Datasette's pages answer 500."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found = 0
    for table in store.KEYS:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])") if row[2] == "TEXT"]
        for column in columns:
            found += conn.execute(
                f"SELECT count(*) FROM [{table}] WHERE length(CAST([{column}] AS BLOB)) > ?",
                [STORED_VALUE_CAP],
            ).fetchone()[0]
    return found


def forged_lines_and_slugs(db: Path, output: str) -> int:
    """Log lines the forged slug wrote, and stored slugs holding a control character."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    slugs = [
        slug
        for (slug,) in conn.execute(
            "SELECT slug FROM authorities UNION SELECT authority_slug FROM crawl_errors"
        )
    ]
    forged = [line for line in output.splitlines() if line.startswith(FORGED_LOG_LINE[:19])]
    return len(forged) + sum(1 for slug in slugs if slug and any(ord(c) < 32 for c in slug))


def phantom_authorities(db: Path, output: str) -> int:
    """Authorities stored under the second slug the site answers with Luton's page."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    return conn.execute(
        "SELECT count(*) FROM authorities WHERE lower(slug) = ?", [DUPLICATE_SLUG]
    ).fetchone()[0]


FAULTS_RUN: list[Scenario] = [
    Scenario("http500", ("http500@0.3",)),
    Scenario("http500:always", ("http500:always@0.2",), ("--retries", "1")),
    Scenario("http503", ("http503@0.3",)),
    Scenario("http429", ("http429@0.3",)),
    Scenario("hang", ("hang@0.1",), ("--timeout", "1.5")),
    Scenario("truncated", ("truncated@0.3",)),
    Scenario("gzip-cut", ("gzip-cut@0.5",)),
    Scenario("gzip-cut:always", ("gzip-cut:always@0.3",), ("--retries", "1")),
    Scenario("gzip-cut-chunked", ("gzip-cut-chunked@0.5",)),
    Scenario("wrong-charset", ("wrong-charset@1",)),
    Scenario("malformed-html", ("malformed-html@1",)),
    Scenario("maintenance", ("maintenance@0.3",)),
    Scenario("corrupt-pdf", ("corrupt-pdf@1",)),
    Scenario("redirect-offsite", ("redirect-offsite@0.1",)),
    Scenario("robots-503", ("robots-503",), ("--retries", "0")),
    Scenario("gzip-bomb", ("gzip-bomb@0.2",), ("--retries", "0")),
    Scenario("letter-bomb", ("letter-bomb@1",), ("--retries", "0")),
    Scenario("letter-gzip-bomb", ("letter-gzip-bomb@1",), ("--retries", "0")),
    Scenario("pager-repeat", ("pager-repeat@1",)),
    Scenario("pdf-error-page", ("pdf-error-page@1",)),
    Scenario("pdf-error-page, --refresh-letters", ("pdf-error-page@1",), ("--refresh-letters",)),
    Scenario("pdf-encrypted, --refresh-letters", ("pdf-encrypted@1",), ("--refresh-letters",)),
    Scenario("statistics-gone", ("statistics-gone@0.3",), site_removes=True),
    Scenario("endless-listing", ("endless-listing@1",)),
    Scenario("listing-next-loop", ("listing-next-loop@1",)),
    Scenario("other-council-decision", ("other-council-decision@0.3",)),
    Scenario("case-at-two-urls", ("case-at-two-urls@1",)),
    Scenario("long-report, --max-requests 200", ("long-report@1",), ("--max-requests", "200")),
    Scenario("cache: new validators, old body", tamper=new_validators_old_body),
    Scenario("cache: headers, body missing", tamper=headers_without_body),
    Scenario("formula-text", ("formula-text@1",), site_says=True, check=formulas_left_in_csv),
    Scenario("huge-report", ("huge-report@1",), site_says=True, check=values_too_big_to_serve),
    Scenario("forged-slug", ("forged-slug",), from_index=True, check=forged_lines_and_slugs),
    Scenario("duplicate-slug", ("duplicate-slug",), from_index=True, check=phantom_authorities),
]
"""One entry per fault. A changing crawl of SUBSET fetches only the year's new letters (3), so letter faults hit
every letter. Faults another branch adds to the replica run at DEFAULT_RATE without an entry;
give one here when a fault needs a rate, options or a tamper of its own."""


READ_FROM_THE_INDEX = frozenset({"index", "datafile"})
"""Resource kinds only a crawl from the index reads (a crawl with --authority starts at the councils' own pages and
never reads the annual review hub's data files): a fault on them is crawled from the index."""


def scenarios() -> list[Scenario]:
    named = {spec.split("@")[0].split(":")[0] for s in FAULTS_RUN for spec in s.faults}
    unnamed = [
        Scenario(name, (f"{name}@{DEFAULT_RATE}",), from_index=bool(FAULTS[name].kinds & READ_FROM_THE_INDEX))
        for name in FAULTS
        if name not in named
    ]
    return FAULTS_RUN + unnamed


# --- crawling ------------------------------------------------------------------------------------------


@dataclass
class Crawl:
    exit_status: int
    peak_mib: float
    seconds: float
    output: str


def crawl_argv(base_url: str, db: Path, *options: str, from_index: bool = False) -> list[str]:
    argv = ["crawl", "--base-url", base_url, "--db", str(db), *options]
    for slug in SUBSET if not from_index else ():
        argv += ["--authority", slug]
    return argv


def run(argv: list[str]) -> Crawl:
    samples = _ProcSamples()
    with tempfile.TemporaryFile() as out:
        started = time.monotonic()
        process = subprocess.Popen(
            argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
        while process.poll() is None:
            if time.monotonic() - started > CRAWL_TIMEOUT_SECONDS:
                process.kill()
            samples.take(process.pid)
            time.sleep(POLL_SECONDS)
        out.seek(0)
        return Crawl(
            process.returncode, samples.peak_kib / 1024, time.monotonic() - started, out.read().decode()
        )


def harvester(*args: str) -> Crawl:
    return run([sys.executable, "-m", "harvester.cli", *args])


def copy_state(source: Path, target: Path) -> Path:
    """A copy of a stored state (database, page cache, kept PDFs) to crawl on; returns the database path."""
    shutil.copytree(source.parent, target)
    return target / source.name


# --- comparing -----------------------------------------------------------------------------------------


def live_rows(db: Path) -> dict[str, dict[tuple, tuple]]:
    """table -> row key -> the row's compared values, for rows not marked gone."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    tables = {}
    for table, keys in store.KEYS.items():
        rows = conn.execute(f"SELECT * FROM [{table}] WHERE gone_run IS NULL").fetchall()
        tables[table] = {
            tuple(row[k] for k in keys): tuple((c, v) for c, v in dict(row).items() if c not in NOT_COMPARED)
            for row in rows
        }
    return tables


def recorded_error_urls(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    last_run = conn.execute("SELECT max(id) FROM crawl_runs").fetchone()[0]
    return {url for (url,) in conn.execute("SELECT url FROM crawl_errors WHERE run_id = ?", [last_run])}


def damage(
    before: Path,
    reference: Path,
    faulted: Path,
    exit_status: int,
    removed: frozenset[str] = frozenset(),
    site_changed: frozenset[str] = frozenset(),
) -> tuple[int, int, list[str]]:
    """(rows lost, rows wrongly changed, a line naming each of them) of `faulted` against the reference (see the
    module docstring); rows of the councils in `removed` (the site answered 410 for them) are not compared, nor
    rows read from the URLs in `site_changed` (lower-case: the fault changed what the site says there)."""
    old, expected, got = live_rows(before), live_rows(reference), live_rows(faulted)
    errors = recorded_error_urls(faulted) | site_changed
    lost = wrong = 0
    damaged = []
    for table, rows in expected.items():
        stored_before = old[table]
        for key, values in rows.items():
            columns = dict(values)
            if (columns.get("authority_slug") or columns.get("slug") or "").lower() in removed:
                continue
            recorded_failure = key not in stored_before and bool({v for _, v in values} & errors)
            said_otherwise = bool({str(v).lower() for _, v in values} & site_changed)
            if recorded_failure or said_otherwise:
                continue
            if key not in got[table]:
                if exit_status == 0 or key in stored_before:
                    lost += 1
                    damaged.append(f"lost {table} {key}")
            elif got[table][key] != values and (
                exit_status == 0 or got[table][key] != stored_before.get(key)
            ):
                wrong += 1
                damaged.append(f"changed {table} {key}: {changed_columns(values, got[table][key])}")
        unexpected = [
            key for key, values in got[table].items()
            if key not in rows and key not in stored_before and not {str(v).lower() for _, v in values} & site_changed
        ]  # fmt: skip
        wrong += len(unexpected)
        damaged += [f"unexpected {table} {key}" for key in unexpected]
    return lost, wrong, damaged


def changed_columns(expected: tuple, got: tuple, width: int = 80) -> str:
    """'column: expected -> got' for each column that differs, values cut to `width` characters."""
    now = dict(got)
    return "; ".join(
        f"{column}: {str(value)[:width]!r} -> {str(now.get(column))[:width]!r}"
        for column, value in expected
        if now.get(column) != value
    )


def outcome(exit_status: int, lost: int, wrong: int) -> str:
    if lost or wrong:
        return "SILENT LOSS" if exit_status == 0 else "LOSS"
    return "recovered" if exit_status == 0 else "failed loudly"


# --- the table -----------------------------------------------------------------------------------------


@dataclass
class Row:
    fault: str
    injected: str
    outcome: str
    lost: int | str
    wrong: int | str
    exit_status: str
    peak_mib: str
    damaged: list[str] = field(default_factory=list)
    """One line per row lost or wrongly changed (`--show` prints them)."""


COLUMNS = ("fault", "injected", "recovered", "rows lost", "rows wrongly changed", "exit status", "peak MiB")


def table_lines(rows: list[Row]) -> list[str]:
    cells = [COLUMNS] + [
        (r.fault, r.injected, r.outcome, str(r.lost), str(r.wrong), r.exit_status, r.peak_mib) for r in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |"
        for line in cells
    ]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return lines


def report_row(row: Row, show: int) -> None:
    """A scenario's row as it ends (on stderr, so a long run shows progress), with up to `show` damaged rows."""
    print(table_lines([row])[-1], file=sys.stderr, flush=True)
    for line in row.damaged[:show]:
        print(f"    {line}", file=sys.stderr)
    if len(row.damaged) > show > 0:
        print(f"    … and {len(row.damaged) - show} more", file=sys.stderr)


class Chaos:
    def __init__(self, workdir: Path, seed: int):
        self.workdir = workdir
        self.seed = seed
        self.site = build_site(2025)
        self.server = ReplicaServer(epoch=BEFORE_EPOCH, site=self.site).start()
        self.before = self.workdir / "before" / "lgsco.db"
        self.reference = self.workdir / "reference" / "lgsco.db"
        self.index_reference = self.workdir / "index-reference" / "lgsco.db"

    def close(self) -> None:
        self.server.stop()

    def at_epoch(self, epoch: int, faults=(), hang_seconds: float = 3.0) -> None:
        self.server.set_epoch(epoch)
        self.server.faults = FaultPlan(faults, seed=self.seed, hang_seconds=hang_seconds)

    def prepare(self) -> Crawl:
        """The stored 2024 state, and the reference: the same state crawled at 2025 without faults."""
        self.at_epoch(BEFORE_EPOCH)
        first = harvester(*crawl_argv(self.server.base_url, self.before))
        if first.exit_status != 0:
            raise SystemExit(f"the 2024 crawl failed:\n{first.output[-3000:]}")
        reference = copy_state(self.before, self.reference.parent)
        self.at_epoch(EPOCH)
        second = harvester(*crawl_argv(self.server.base_url, reference))
        if second.exit_status != 0:
            raise SystemExit(f"the reference 2025 crawl failed:\n{second.output[-3000:]}")
        return second

    def crawled_from_index(self) -> Path:
        """The reference of the faults crawled from the index: the stored state crawled at 2025 from the SUBSET
        replica's index without faults, which (unlike the --authority reference) also reads the data files."""
        if not self.index_reference.exists():
            reference = copy_state(self.before, self.index_reference.parent)
            self.at_epoch(EPOCH)
            with self.serving(from_index=True):
                crawl = harvester(*crawl_argv(self.server.base_url, reference, from_index=True))
            if crawl.exit_status != 0:
                raise SystemExit(f"the reference crawl from the index failed:\n{crawl.output[-3000:]}")
        return self.index_reference

    def fault(self, number: int, scenario: Scenario) -> Row:
        reference = self.crawled_from_index() if scenario.from_index else self.reference
        db = copy_state(self.before, self.workdir / f"fault-{number}")
        self.at_epoch(EPOCH)
        tampered = scenario.tamper(db, self.server) if scenario.tamper else 0
        self.at_epoch(EPOCH, scenario.faults, scenario.hang_seconds)
        with self.serving(scenario.from_index):
            crawl = harvester(
                *crawl_argv(self.server.base_url, db, *scenario.options, from_index=scenario.from_index)
            )
        injected = len(self.server.faults.faulted) + tampered
        removed = frozenset(
            path.split("/")[2].lower() for _, path in self.server.faults.faulted if scenario.site_removes
        )
        site_changed = frozenset(
            (self.server.base_url + path).lower()
            for _, path in self.server.faults.faulted
            if scenario.site_says
        )
        lost, wrong, damaged = damage(self.before, reference, db, crawl.exit_status, removed, site_changed)
        if scenario.check:
            wrong += scenario.check(db, crawl.output)
        return Row(scenario.name, f"{injected} responses" if not tampered else f"{tampered} cache entries",
                   outcome(crawl.exit_status, lost, wrong), lost, wrong, str(crawl.exit_status),
                   f"{crawl.peak_mib:.0f}", damaged)  # fmt: skip

    @contextlib.contextmanager
    def serving(self, from_index: bool):
        """The replica of SUBSET alone while a crawl from the index runs; the whole site otherwise."""
        served = self.server.replica
        if from_index:
            self.server.replica = Replica(self.subset_site(), EPOCH)
        try:
            yield
        finally:
            self.server.replica = served

    def subset_site(self) -> Site:
        """The replica's site with SUBSET alone: its index lists just them (abolished councils are reached
        through merger boxes), so a crawl from the index takes seconds and reads what the reference read."""
        wanted = {slug.lower() for slug in SUBSET}
        return dataclasses.replace(
            self.site,
            authorities=[a for a in self.site.authorities if a.slug.lower() in wanted or a.abolished],
        )

    def kill_counts(self) -> dict[str, int]:
        """How often an uninterrupted 2025 crawl passes each kill point."""
        db = copy_state(self.before, self.workdir / "counted")
        counts_file = self.workdir / "counted.json"
        self.at_epoch(EPOCH)
        argv = [sys.executable, str(REPO / "bench" / "killpoint.py"), "response", "0", str(counts_file), "--"]
        counted = run([*argv, *crawl_argv(self.server.base_url, db)])
        if counted.exit_status != 0:
            raise SystemExit(f"the counting crawl failed:\n{counted.output[-3000:]}")
        return json.loads(counts_file.read_text())

    def kill(self, number: int, point: str, nth: int) -> Row:
        db = copy_state(self.before, self.workdir / f"kill-{number}")
        self.at_epoch(EPOCH)
        counts_file = db.parent / "counts.json"
        argv = [sys.executable, str(REPO / "bench" / "killpoint.py"), point, str(nth), str(counts_file), "--"]
        killed = run([*argv, *crawl_argv(self.server.base_url, db)])
        resumed = harvester("crawl", "--db", str(db), "--resume")
        same = equal_databases(db, self.reference)
        status = (
            "recovered" if resumed.exit_status == 0 and same else ("LOSS" if not same else "failed loudly")
        )
        lost, wrong, damaged = damage(self.before, self.reference, db, resumed.exit_status)
        return Row(f"kill -9 at {point} #{nth}", "SIGKILL" if killed.exit_status == -9 else "not reached",
                   status, lost, wrong, f"killed, then --resume {resumed.exit_status}",
                   f"{max(killed.peak_mib, resumed.peak_mib):.0f}", damaged)  # fmt: skip

    def kill_in_migration(self) -> Row:
        """A crawl of an empty database killed inside its first migration (a search table made, its triggers not
        yet), then the same crawl again: it must end as one crawl of an empty database does, every search whole."""
        self.at_epoch(EPOCH)
        reference = self.workdir / "fresh-reference" / "lgsco.db"
        first = harvester(*crawl_argv(self.server.base_url, reference))
        if first.exit_status != 0:
            raise SystemExit(f"the crawl of an empty database failed:\n{first.output[-3000:]}")
        db = self.workdir / "kill-migration" / "lgsco.db"
        db.parent.mkdir(parents=True)
        argv = [
            sys.executable,
            str(REPO / "bench" / "killpoint.py"),
            "migration",
            "1",
            str(db.parent / "counts.json"),
        ]
        killed = run([*argv, "--", *crawl_argv(self.server.base_url, db)])
        again = harvester(*crawl_argv(self.server.base_url, db))
        searchable = not broken_search_indexes(sqlite_utils.Database(db))
        return self.judged("kill -9 at migration #1", killed, again, db, reference, reference, searchable,
                           "killed, then the crawl again")  # fmt: skip

    def kill_in_backfill(self) -> Row:
        """A --decisions-since crawl killed two thirds of the way through, then the bare `--resume` the harvester
        prints: it must end as the uninterrupted back-fill does."""
        since = ("--decisions-since", BACKFILL_SINCE)
        reference = copy_state(self.before, self.workdir / "backfill-reference")
        counts_file = self.workdir / "backfill-counts.json"
        self.at_epoch(EPOCH)
        argv = [sys.executable, str(REPO / "bench" / "killpoint.py")]
        counted = run(
            [
                *argv,
                "response",
                "0",
                str(counts_file),
                "--",
                *crawl_argv(self.server.base_url, reference, *since),
            ]
        )
        if counted.exit_status != 0:
            raise SystemExit(f"the back-fill reference crawl failed:\n{counted.output[-3000:]}")
        nth = json.loads(counts_file.read_text())["response"] * 2 // 3
        db = copy_state(self.before, self.workdir / "kill-backfill")
        killed = run([*argv, "response", str(nth), str(db.parent / "counts.json"), "--",
                      *crawl_argv(self.server.base_url, db, *since)])  # fmt: skip
        resumed = harvester("crawl", "--db", str(db), "--resume")
        return self.judged(f"kill -9 in --decisions-since at response #{nth}", killed, resumed, db, self.before,
                           reference, True, "killed, then bare --resume")  # fmt: skip

    def judged(self, name: str, killed: Crawl, after: Crawl, db: Path, before: Path, reference: Path,
               searchable: bool, how: str) -> Row:  # fmt: skip
        same = equal_databases(db, reference) and searchable
        status = "recovered" if after.exit_status == 0 and same else ("LOSS" if not same else "failed loudly")
        lost, wrong, damaged = damage(before, reference, db, after.exit_status)
        return Row(name, "SIGKILL" if killed.exit_status == -9 else "not reached", status, lost,
                   wrong + (not searchable), f"{how} {after.exit_status}",
                   f"{max(killed.peak_mib, after.peak_mib):.0f}", damaged)  # fmt: skip


def compared_tables(db: Path) -> dict[str, list[tuple]]:
    """Every data table, the change log (without ids: they depend on write order) and each run's verdict
    and counts: what test_nightly compares for a resumed crawl."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found = {}
    for table in (*store.KEYS, "changes"):
        cursor = conn.execute(f"SELECT * FROM [{table}]")
        columns = [d[0] for d in cursor.description]
        rows = [
            tuple(v for c, v in zip(columns, row, strict=True) if c not in ("id", "fetched_at"))
            for row in cursor
        ]
        found[table] = sorted(rows, key=repr)
    found["crawl_runs"] = conn.execute(
        "SELECT status, rows_new, rows_changed, rows_gone FROM crawl_runs"
    ).fetchall()
    return found


def equal_databases(db: Path, reference: Path) -> bool:
    return compared_tables(db) == compared_tables(reference)


def kill_plan(counts: dict[str, int], kills: int, seed: int) -> list[tuple[str, int]]:
    """Seeded (point, N) pairs: the points in turn, so each is hit, N drawn within the uninterrupted count."""
    rng = random.Random(seed)
    points = [point for point in KILL_POINTS if counts.get(point)]
    return [(points[i % len(points)], rng.randint(1, counts[points[i % len(points)]])) for i in range(kills)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="kill -9 points in the matrix (default 20)")
    parser.add_argument("--seed", type=int, default=9, help="seed of the kill points and faulted URLs")
    parser.add_argument("--only", action="append", default=[], help="run only this fault (repeatable)")
    parser.add_argument("--at", action="append", default=[], metavar="POINT#N",
                        help="kill at this point instead of the seeded ones, e.g. letter-save#1 (repeatable: "
                             "a point that once did not recover, tried again)")  # fmt: skip
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="under each scenario's row, name up to N of the rows it lost or changed, and how")
    args = parser.parse_args()
    chosen_kills = [(point, int(nth)) for point, _, nth in (at.partition("#") for at in args.at)]
    unknown = sorted({point for point, _ in chosen_kills} - set(KILL_POINTS))
    if unknown:
        parser.error(f"--at: no kill point {', '.join(unknown)} (points: {', '.join(KILL_POINTS)})")
    print(f"bench/chaos.py · {machine_line()}")
    print(f"replica seed 2025, epoch {BEFORE_EPOCH} stored then {EPOCH} crawled; authorities: {', '.join(SUBSET)}"
          " and their predecessors; fault seed " + str(args.seed))  # fmt: skip
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        chaos = Chaos(Path(tmp), args.seed)
        try:
            reference = chaos.prepare()
            rows = [Row("none (reference)", "-", "recovered", 0, 0, str(reference.exit_status),
                        f"{reference.peak_mib:.0f}")]  # fmt: skip
            chosen = [s for s in scenarios() if not args.only or s.name in args.only]
            for number, scenario in enumerate(chosen):
                rows.append(chaos.fault(number, scenario))
                report_row(rows[-1], args.show)
            for name, special in (("kill -9 at migration", chaos.kill_in_migration),
                                  ("kill -9 in a back-fill", chaos.kill_in_backfill)):  # fmt: skip
                if not args.only or name in args.only:
                    rows.append(special())
                    report_row(rows[-1], args.show)
            if chosen_kills or args.kills:
                plan = chosen_kills or kill_plan(chaos.kill_counts(), args.kills, args.seed)
                for number, (point, nth) in enumerate(plan):
                    rows.append(chaos.kill(number, point, nth))
                    report_row(rows[-1], args.show)
        finally:
            chaos.close()
    print("\n".join(table_lines(rows)))
    silent = [r.fault for r in rows if r.outcome in ("SILENT LOSS", "LOSS")]
    kills = [r for r in rows if r.fault.startswith("kill -9")]
    print(
        f"{len(rows) - 1 - len(kills)} faults, {len(kills)} kills ({sum(r.injected == 'SIGKILL' for r in kills)} "
        f"reached); rows lost {sum(int(r.lost) for r in rows)}, wrongly changed {sum(int(r.wrong) for r in rows)}; "
        f"ending ok with wrong data or losing stored rows: {', '.join(silent) or 'none'}; "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
