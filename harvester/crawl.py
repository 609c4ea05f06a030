"""Running a crawl and judging it: the part of `harvester crawl` that is not argument parsing."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from harvester import settings as harvester_settings
from harvester import store
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


def crawl_settings(base_url: str, db_path: Path, overrides: dict) -> Settings:
    settings = Settings()
    settings.setmodule(harvester_settings, priority="project")
    if is_loopback(base_url):
        settings.update(harvester_settings.LOOPBACK_OVERRIDES, priority="project")
    settings.set("HARVESTER_DB", str(db_path), priority="cmdline")
    settings.update(overrides, priority="cmdline")
    return settings


def run_crawl(
    base_url: str,
    db_path: Path,
    authorities: tuple[str, ...] = (),
    overrides: dict | None = None,
    refresh_letters: bool = False,
) -> CrawlOutcome:
    """Crawl `base_url` into `db_path` and return the run's verdict (Scrapy's own exit status says nothing)."""
    letters_read = frozenset() if refresh_letters else store.letters_read(store.open_db(db_path))
    process = CrawlerProcess(crawl_settings(base_url, db_path, overrides or {}))
    crawler = process.create_crawler(PerformanceSpider)
    process.crawl(crawler, base_url=base_url, authorities=authorities, letters_read=letters_read)
    process.start()
    run_id = crawler.stats.get_value("harvester/run_id")
    if run_id is None:
        return CrawlOutcome(0, "failed", ["the crawl did not start: see the log above"])
    return describe_run(store.open_db(db_path), run_id)


def describe_run(db, run_id: int) -> CrawlOutcome:
    run = db["crawl_runs"].get(run_id)
    summary = json.loads(run["summary"] or "{}")
    lines = [
        f"run {run_id} {run['status']}: {run['authorities']} authorities, {run['requests']} requests, "
        f"{run['errors']} errors, rows {run['rows_new']} new / {run['rows_changed']} changed / "
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
