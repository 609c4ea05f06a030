"""Running a crawl and judging it: the part of `harvester crawl` that is not argument parsing."""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from harvester import settings as harvester_settings
from harvester import store
from harvester.progress import use_json_logging
from spiders.performance import PerformanceSpider


@dataclass
class CrawlOutcome:
    run_id: int
    status: str
    summary_lines: list[str]

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "ok" else 1


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def crawl_settings(
    base_url: str, db_path: Path, overrides: dict, authorities: tuple[str, ...] = ()
) -> Settings:
    settings = Settings()
    settings.setmodule(harvester_settings, priority="project")
    if is_loopback(base_url):
        settings.update(harvester_settings.LOOPBACK_OVERRIDES, priority="project")
    settings.set("HARVESTER_DB", str(db_path), priority="cmdline")
    settings.set("HARVESTER_BASE_URL", base_url, priority="cmdline")
    settings.set("HARVESTER_AUTHORITIES", list(authorities), priority="cmdline")
    settings.set("HTTPCACHE_DIR", str(Path(db_path).resolve().parent / "httpcache"), priority="cmdline")
    settings.update(overrides, priority="cmdline")
    return settings


class CrawlRefused(Exception):
    """The crawl can't start: another is running on the database, or there is nothing to resume."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


@contextmanager
def crawl_lock(db_path: Path) -> Iterator[None]:
    """One crawl per database: an exclusive lock the kernel releases however the process ends."""
    lock_path = Path(f"{db_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise CrawlRefused(
                f"another crawl (pid {holder}) is writing {db_path}; wait for it, or stop it first", 3
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def run_crawl(
    base_url: str,
    db_path: Path,
    authorities: tuple[str, ...] = (),
    overrides: dict | None = None,
    *,
    refresh_letters: bool = False,
    resume: bool = False,
    full: bool = False,
) -> CrawlOutcome:
    """Crawl `base_url` into `db_path` and return the run's verdict (Scrapy's own exit status says nothing).

    `resume` continues the last run if it was killed or interrupted, under the same run id, so the
    database ends as an uninterrupted run would have left it. `full` refetches every page and letter
    instead of asking the server whether they changed."""
    overrides = dict(overrides or {})
    with crawl_lock(db_path):
        db = store.open_db(db_path)
        unfinished = store.resumable_run(db)
        if resume:
            if unfinished is None:
                raise CrawlRefused(f"nothing to resume in {db_path}: its last run finished", 2)
            base_url = unfinished["base_url"]
            authorities = tuple(json.loads(unfinished["scope"])) if unfinished["scope"] != "all" else ()
            overrides["HARVESTER_RESUME_RUN"] = unfinished["id"]
        elif unfinished is not None:
            store.abandon_run(db, unfinished["id"])
        if full:
            overrides["HARVESTER_CONDITIONAL_REQUESTS"] = False
        letters_read = frozenset() if (refresh_letters or full) else store.letters_read(db)
        decisions_read = frozenset() if full else store.decisions_read(db)
        db.close()
        settings = crawl_settings(base_url, db_path, overrides, authorities)
        process = CrawlerProcess(settings)
        if settings.get("HARVESTER_LOG_FORMAT") == "json":
            use_json_logging()
        crawler = process.create_crawler(PerformanceSpider)
        process.crawl(
            crawler,
            base_url=base_url,
            authorities=authorities,
            letters_read=letters_read,
            decisions_read=decisions_read,
        )
        process.start()
    run_id = crawler.stats.get_value("harvester/run_id")
    if run_id is None:
        return CrawlOutcome(0, "failed", ["the crawl did not start: see the log above"])
    return describe_run(store.open_db(db_path), run_id)


def describe_run(db, run_id: int) -> CrawlOutcome:
    run = db["crawl_runs"].get(run_id)
    summary = json.loads(run["summary"] or "{}")
    lines = [
        f"run {run_id} {run['status']}: {run['authorities']} authorities, {run['requests']} requests "
        f"({run['pages_unchanged']} unchanged), {run['errors']} errors, "
        f"rows {run['rows_new']} new / {run['rows_changed']} changed / "
        f"{run['rows_gone']} gone ({run['started_at']} to {run['finished_at']})"
    ]
    lines += [f"  problem: {problem}" for problem in summary.get("problems", [])]
    failed = db.query(
        "SELECT page, kind, url, message FROM crawl_errors WHERE run_id = ? AND kind != 'missing' "
        "ORDER BY id LIMIT 20",
        [run_id],
    )
    lines += [f"  {e['kind']} {e['page']}: {e['url']} ({e['message'][:200]})" for e in failed]
    missing = summary.get("missing", [])
    if missing:
        lines.append(f"  {len(missing)} page(s) missing (404), e.g. {missing[0]}")
    return CrawlOutcome(run_id, run["status"], lines)
