"""The CPU one Datasette page costs, in process: `python bench/page_cpu.py --db full.db [--repeat 7] [page ...]`.

Each page of PAGES is asked for through `datasette_for(db).client` once to warm up, then REPEAT times, one request
at a time; printed: the median CPU of the process (`time.process_time()`, every thread: the SQL included) and of the
wall clock per request. The database is opened read-only, as `harvester serve` opens it (so not migrated).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

# The project's root in place of this script's folder, where bench/datasette.py would shadow the datasette package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from harvester.serve import datasette_for  # noqa: E402

PAGES = {
    "annual_data_received": "/lgsco/annual_data_received",
    "annual_data_decided": "/lgsco/annual_data_decided",
    "annual_data_remedy": "/lgsco/annual_data_remedy",
    "statistics_discrepancies": "/lgsco/statistics_discrepancies",
    "page_letter_disagreements": "/lgsco/page_letter_disagreements",
    "decision_count_discrepancies": "/lgsco/decision_count_discrepancies",
    "coverage": "/lgsco/coverage",
    "what_the_dataset_holds": "/lgsco/what_the_dataset_holds?part=",
    "search_letters": "/lgsco/letters?_search=council",
    "search_decisions": "/lgsco/decisions?_search=council",
    "crawl_run": "/lgsco/crawl_runs/1",
    "first_seen_run": "/lgsco/annual_data?first_seen_run=1",
    "database": "/lgsco",
}
"""Issue 23's heavy views, the canned queries built on them, and the other pages still over 30 ms: name -> path."""


async def measure(db: Path, repeat: int, names: list[str]) -> None:
    datasette = datasette_for(db)
    await datasette.invoke_startup()
    for name in names:
        cpu, wall = [], []
        for attempt in range(repeat + 1):
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            response = await datasette.client.get(PAGES[name])
            cpu_ms, wall_ms = (time.process_time() - cpu_start) * 1000, (time.perf_counter() - wall_start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{PAGES[name]}: HTTP {response.status_code}")
            if attempt:
                cpu.append(cpu_ms)
                wall.append(wall_ms)
        print(f"{name:30} CPU {statistics.median(cpu):7.1f} ms   wall {statistics.median(wall):7.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("pages", nargs="*", choices=[*PAGES, []])
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.db, arguments.repeat, arguments.pages or list(PAGES)))


if __name__ == "__main__":
    main()
