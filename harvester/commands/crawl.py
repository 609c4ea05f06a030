"""`scrapy crawl performance`: the same run as `harvester crawl`, with the same verdict and exit status.

The crawl takes the database's lock, settles an unfinished run, skips letters already read, goes at
loopback speed on a loopback base URL, and ends with the run's summary; it exits 1 when the run
failed (Scrapy's own crawl exits 0 even when every request failed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from scrapy.commands import crawl

from harvester.crawl import CrawlRefused, crawl_lock, judge_crawl, plan_crawl, set_run_settings
from harvester.progress import use_log_format
from harvester.spiders.performance import PerformanceSpider, authority_slugs


class Command(crawl.Command):
    def short_desc(self) -> str:
        return "Run a spider; `performance` (-a base_url=URL -a authorities=SLUG,SLUG) harvests into HARVESTER_DB"

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        use_log_format(self.settings)  # before Scrapy makes its process (and root log handler) from them

    def run(self, args, opts) -> None:
        if args != [PerformanceSpider.name]:
            super().run(args, opts)
            return
        db_path = Path(self.settings["HARVESTER_DB"])
        base_url = opts.spargs.pop("base_url", self.settings["HARVESTER_BASE_URL"]).rstrip("/")
        authorities = authority_slugs(opts.spargs.pop("authorities", ""))
        try:
            with crawl_lock(db_path):
                max_age = self.settings.getfloat("HARVESTER_LIST_MAX_AGE_DAYS")
                plan = plan_crawl(db_path, base_url, authorities, {"HARVESTER_LIST_MAX_AGE_DAYS": max_age})
                crawler = self._create_crawler(PerformanceSpider.name)
                set_run_settings(crawler.settings, plan.base_url, db_path, plan.overrides, plan.authorities)
                self.crawler_process.crawl(
                    crawler,
                    base_url=plan.base_url,
                    authorities=plan.authorities,
                    letters_read=plan.letters_read,
                    decisions_read=plan.decisions_read,
                    decision_search_starts=plan.decision_search_starts,
                    lists_fresh=plan.lists_fresh,
                    pages_saved=plan.pages_saved,
                    oversized_pages=plan.oversized_pages,
                    **opts.spargs,
                )
                self.crawler_process.start()
        except CrawlRefused as refused:
            click.echo(f"scrapy crawl: {refused}", err=True)
            self.exitcode = refused.exit_code
            return
        outcome = judge_crawl(crawler, db_path)
        for line in outcome.summary_lines:
            click.echo(line)
        sys.stdout.flush()
        self.exitcode = outcome.exit_code
