"""`scrapy check`: the contracts run against the site itself, never against pages cached by a crawl."""

from __future__ import annotations

from scrapy.commands import check
from scrapy.settings import SETTINGS_PRIORITIES


class Command(check.Command):
    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        # Scrapy's own check turns pipelines and feeds off at this priority, so -s can turn them back on.
        priority = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2
        self.settings.set("HTTPCACHE_ENABLED", False, priority=priority)
