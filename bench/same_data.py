"""Does this tree's full crawl store exactly what another revision's does?

    python bench/same_data.py [--against main | --against-code DIR] [--authority SLUG ...]

Lays out the other revision's package from `git archive` (its spiders/, pipelines/ and data/reference/ inside
harvester/, where the installed package puts them), crawls one replica with that code and with this tree's,
each into a fresh database, and compares every table both databases have, row by row as multisets, on every
column but provenance (ids, run ids, *_run, times), plus the names of the letter PDFs kept. Exit 0 when equal.
A speed-up must not change the data: run this before merging one.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.crawl import harvester_argv  # noqa: E402
from harvester.replica.server import ReplicaServer  # noqa: E402

INSTALLED_AS = {"spiders": "harvester/spiders", "pipelines": "harvester/pipelines",
                "data/reference": "harvester/reference"}  # fmt: skip
"""pyproject.toml's package-dir: where the installed package keeps the top-level folders."""
PROVENANCE_COLUMNS = {"id", "run_id", "fetched_at", "started_at", "finished_at", "stored_at", "version"}
"""Besides every column ending in '_run': what differs between two crawls of the same site by design."""
SKIPPED_TABLES = ("sqlite_", "_")
"""SQLite's own tables and the migrations' bookkeeping."""
CRAWL_TIMEOUT_SECONDS = 2400


def lay_out(revision: str, into: Path) -> Path:
    """The revision's harvester package, laid out as it installs, under `into` (put first on PYTHONPATH)."""
    archive = into / "source.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "--output", str(archive), revision], check=True)
    source = into / "source"
    with tarfile.open(archive) as tar:
        tar.extractall(source, filter="data")
    code = into / "code"
    code.mkdir()
    (source / "harvester").rename(code / "harvester")
    for folder, installed in INSTALLED_AS.items():
        (source / folder).rename(code / installed)
    return code


def crawl(label: str, code: Path, base_url: str, db: Path, authorities: list[str]) -> None:
    # Ahead of the editable install; what a tree laid out by lay_out() lacks (this worktree's spiders/ and
    # pipelines/) the editable install of this worktree provides.
    env = dict(os.environ) | {"PYTHONPATH": str(code)}
    # Not from this tree's folder: `python -m` puts the working directory first on the path.
    cwd = db.parent
    argv = harvester_argv(base_url, db, authorities)
    which = subprocess.run(
        [argv[0], "-c", "import harvester.spiders.performance as s, harvester.store as t; print(s.__file__, t.__file__)"],
        env=env, cwd=cwd, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    print(f"{label}: {which}")
    done = subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=CRAWL_TIMEOUT_SECONDS
    )
    print(f"{label}: exit {done.returncode}: {done.stdout.strip().splitlines()[:1]}")
    if done.returncode != 0:
        print(done.stderr[-3000:])


UNORDERED_SUMMARY_LISTS = ("data_file_warnings",)
"""crawl_runs.summary lists whose order is not data: before 2026-12-07 the data files' warnings came in the order
the files were read, which the order their responses arrived decided."""


def comparable(table: str, column: str, value):
    if table == "crawl_runs" and column == "summary" and value:
        summary = json.loads(value)
        for name in UNORDERED_SUMMARY_LISTS:
            if isinstance(summary.get(name), list):
                summary[name] = sorted(summary[name])
        return json.dumps(summary, sort_keys=True)
    return value


def table_rows(db: Path) -> dict[str, collections.Counter]:
    conn = sqlite3.connect(db)
    found = {}
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table.startswith(SKIPPED_TABLES) or "_fts" in table:
            continue
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]
        kept = [c for c in columns if c not in PROVENANCE_COLUMNS and not c.endswith("_run")]
        listed = ", ".join(f"[{c}]" for c in kept)
        found[table] = collections.Counter(
            tuple((c, comparable(table, c, v)) for c, v in zip(kept, row, strict=True))
            for row in conn.execute(f"SELECT {listed} FROM [{table}]")
        )
    conn.close()
    return found


def differences(reference: Path, candidate: Path) -> list[str]:
    ours, theirs = table_rows(candidate), table_rows(reference)
    lines = []
    for table in sorted(set(ours) | set(theirs)):
        if table not in ours or table not in theirs:
            lines.append(f"{table}: only in {'this tree' if table in ours else 'the reference'}")
            continue
        missing, extra = theirs[table] - ours[table], ours[table] - theirs[table]
        state = (
            "same"
            if not (missing or extra)
            else f"{sum(missing.values())} missing, {sum(extra.values())} extra"
        )
        print(f"  {table:<28} {sum(theirs[table].values()):>7} rows  {state}")
        if missing or extra:
            lines.append(f"{table}: {state}")
            lines += [f"    - {dict(row)}" for row in list(missing)[:3]]
            lines += [f"    + {dict(row)}" for row in list(extra)[:3]]
    pdfs = [sorted(p.name for p in (db.parent / "letters").glob("*.pdf")) for db in (reference, candidate)]
    print(
        f"  {'letter PDFs kept':<28} {len(pdfs[0]):>7} files {'same' if pdfs[0] == pdfs[1] else 'DIFFERENT'}"
    )
    if pdfs[0] != pdfs[1]:
        lines.append("letter PDFs kept differ")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", default="main", help="the revision to compare with (default main)")
    parser.add_argument("--against-code", type=Path, help="or that revision already laid out in this folder")
    parser.add_argument("--epoch", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--authority", action="append", default=[], metavar="SLUG")
    options = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="same-data-") as scratch,
        ReplicaServer(options.epoch, options.seed) as server,
    ):
        work = Path(scratch)
        code = options.against_code or lay_out(options.against, work)
        databases = {}
        for label, using in ((options.against, code), ("this tree", REPO)):
            databases[label] = work / label.replace(" ", "-") / "lgsco.db"
            databases[label].parent.mkdir()
            crawl(label, using, server.base_url, databases[label], options.authority)
        print(f"tables, {options.against} against this tree (provenance columns left out):")
        found = differences(databases[options.against], databases["this tree"])
    if found:
        print("DIFFERENT:\n" + "\n".join(found))
        raise SystemExit(1)
    print("same data")


if __name__ == "__main__":
    main()
