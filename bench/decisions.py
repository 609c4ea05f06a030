"""Decisions: requests per decision stored, what that means on the real site, and storage per 10,000 decisions.

    python bench/decisions.py [--authority SLUG ...] [--out FILE.json]

Two `harvester crawl` runs of the epoch-2025 replica (in this process, on a thread) into one fresh database,
each timed from outside (wall and CPU of the child, os.wait4). From the replica's request log: the first run's
requests split into decision pages (every chapter), decision listing pages and everything else, and the second
run's decision page requests (must be 0: decisions are fetched once). The stored decisions are compared with the
ground truth. Storage is SQLite's own page accounting (dbstat): the decisions table, its full-text index and the
listings, scaled to 10,000 decisions. The real-site time is the decision requests at the default politeness
(one request a second: DOWNLOAD_DELAY 1 with AutoThrottle aiming at one request in flight).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harvester.replica.server import ReplicaServer  # noqa: E402
from harvester.replica.truth import ground_truth  # noqa: E402
from harvester.settings import DOWNLOAD_DELAY  # noqa: E402


def timed_crawl(base_url: str, db: Path, authorities: list[str]) -> dict:
    command = [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", base_url, "--db", str(db)]
    command += [arg for slug in authorities for arg in ("--authority", slug)]
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    output = child.stdout.read() + child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"crawl failed:\n{output[-3000:]}")
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1)}


def kind(path: str) -> str:
    lowered = path.lower()
    if lowered.startswith("/decisions/searchresults") or "/listing" in lowered:
        return "decision listing"
    if lowered.startswith("/decisions/"):
        return "decision page"
    return "other"


def storage(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    sizes = dict(
        conn.execute(
            "SELECT CASE WHEN name LIKE 'decisions_fts%' THEN 'decisions_fts' ELSE name END AS part, "
            "sum(pgsize) FROM dbstat WHERE name LIKE 'decision%' OR name LIKE 'sqlite_autoindex_decision%' "
            "GROUP BY part"
        )
    )
    conn.close()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--authority", action="append", default=[])
    parser.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ReplicaServer(epoch=2025) as replica:
        db = Path(folder) / "lgsco.db"
        first = timed_crawl(replica.base_url, db, arguments.authority)
        first_requests = list(replica.requests)
        second = timed_crawl(replica.base_url, db, arguments.authority)
        second_requests = replica.requests[len(first_requests) :]
        truth = ground_truth(replica.site, 2025, replica.base_url)
        conn = sqlite3.connect(db)
        stored = {row[0]: row for row in conn.execute("SELECT case_ref, text, remedy FROM decisions")}
        decisions = len(stored)
        chapters = conn.execute("SELECT coalesce(sum(chapters), 0) FROM decisions").fetchone()[0]
        conn.close()
        sizes = storage(db)
    counts = {
        k: sum(1 for _, path, _ in first_requests if kind(path) == k)
        for k in ("decision page", "decision listing", "other")
    }
    expected = {
        row["case_ref"]: (row["case_ref"], row["text"], row["remedy"])
        for row in truth["decisions"]
        if not arguments.authority or row["authority_slug"] in arguments.authority
    }
    decision_requests = counts["decision page"] + counts["decision listing"]
    total = sum(sizes.values())
    result = {
        "first_run": first | {"requests": len(first_requests), "by_kind": counts},
        "second_run": second
        | {
            "requests": len(second_requests),
            "decision_pages": sum(1 for _, path, _ in second_requests if kind(path) == "decision page"),
        },
        "decisions_stored": decisions,
        "decision_pages_per_decision": round(counts["decision page"] / decisions, 3) if decisions else None,
        "decision_requests_per_decision": round(decision_requests / decisions, 3) if decisions else None,
        "report_chapters_stored": chapters,
        "equal_to_ground_truth": stored == expected,
        "real_site_hours_at_default_politeness": round(decision_requests * DOWNLOAD_DELAY / 3600, 2),
        "real_site_hours_per_10000_decisions": round(
            decision_requests / decisions * 10_000 * DOWNLOAD_DELAY / 3600, 2
        )
        if decisions
        else None,
        "storage_bytes": sizes,
        "storage_mb_per_10000_decisions": round(total / decisions * 10_000 / 1e6, 1) if decisions else None,
    }
    text = json.dumps(result, indent=1)
    print(text)
    if arguments.out:
        arguments.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
