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
        # A crawl's progress tally ("0/0 authorities") means nothing between contract results.
        extensions = self.settings.getdict("EXTENSIONS") | {"harvester.progress.Progress": None}
        self.settings.set("EXTENSIONS", extensions, priority=priority)
