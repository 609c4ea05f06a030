"""Progress for a person, quiet for cron.

On a terminal: one line, redrawn every second ("212/365 authorities, 41/min, 0 errors").
Otherwise: the same line once a minute, so a nightly log has a heartbeat and no noise.
With --log-format json every line, log records included, is one JSON object; in text, no log line holds a
control character (text from the site can't forge a line).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

from scrapy import logformatter, signals
from twisted.internet import task


class Progress:
    """A Scrapy extension reading the crawl's own counters."""

    def __init__(self, crawler, interactive: bool, as_json: bool, every: float):
        self.stats = crawler.stats
        self.interactive = interactive
        self.as_json = as_json
        self.every = every
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            crawler,
            interactive=sys.stderr.isatty() and crawler.settings.get("HARVESTER_LOG_FORMAT") != "json",
            as_json=crawler.settings.get("HARVESTER_LOG_FORMAT") == "json",
            every=crawler.settings.getfloat("HARVESTER_PROGRESS_SECONDS"),
        )

    def opened(self, spider):
        self.loop.start(1.0 if self.interactive else self.every, now=False)

    def closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        self.show()  # the final tally, on every kind of output
        if self.interactive:
            sys.stderr.write("\n")

    def counts(self) -> dict:
        minutes = max((time.monotonic() - self.started) / 60, 1 / 60)
        done = self.stats.get_value("harvester/authorities_done", 0)
        return {
            "authorities_done": done,
            "authorities_found": self.stats.get_value("harvester/authorities_found", 0),
            "per_minute": round(done / minutes, 1),
            "requests": self.stats.get_value("downloader/request_count", 0),
            "errors": self.stats.get_value("harvester/errors", 0),
        }

    def show(self):
        c = self.counts()
        if self.as_json:
            sys.stderr.write(json.dumps({"event": "progress", **c}) + "\n")
            return
        line = (
            f"{c['authorities_done']}/{c['authorities_found']} authorities, {c['per_minute']}/min, "
            f"{c['requests']} requests, {c['errors']} errors"
        )
        sys.stderr.write(f"\r{line}\x1b[K" if self.interactive else f"progress: {line}\n")
        sys.stderr.flush()


class JsonFormatter(logging.Formatter):
    """Log records as JSON objects, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """TEXT with each control character written as its escape (a newline as '\\n'), so no text from the site
    can end a log line and forge the next."""
    return CONTROL_CHARACTERS.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class TextFormatter(logging.Formatter):
    """Scrapy's text lines, with every message on one line: control characters escaped. A traceback
    appended to a record is the harvester's own, and keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


def use_log_format(settings) -> None:
    """Log every record, Scrapy's, Twisted's and Python warnings included, in HARVESTER_LOG_FORMAT: one JSON
    object per record ('json'), or Scrapy's text lines with control characters escaped ('text').

    Scrapy makes a text root handler again for every crawler it starts, so formatting its handler
    is undone; instead its handler is switched off (LOG_ENABLED) and this one takes its place. Call
    it with the settings before the CrawlerProcess is made from them."""
    as_json = settings.get("HARVESTER_LOG_FORMAT") == "json"
    if not as_json and not settings.getbool("LOG_ENABLED"):
        return
    settings.set("LOG_ENABLED", False, priority="cmdline")
    for handler in list(logging.root.handlers):
        if isinstance(handler.formatter, JsonFormatter | TextFormatter):
            logging.root.removeHandler(handler)
    if as_json:
        handler, formatter = logging.StreamHandler(sys.stderr), JsonFormatter()
    else:
        log_file = settings.get("LOG_FILE")
        mode = "a" if settings.getbool("LOG_FILE_APPEND", True) else "w"
        encoding = settings.get("LOG_ENCODING")
        handler = logging.FileHandler(log_file, mode, encoding) if log_file else logging.StreamHandler(sys.stderr)
        formatter = TextFormatter(fmt=settings.get("LOG_FORMAT"), datefmt=settings.get("LOG_DATEFORMAT"))
    handler.setFormatter(formatter)
    handler.setLevel(settings.get("LOG_LEVEL"))
    logging.root.addHandler(handler)
    logging.captureWarnings(True)  # Scrapy leaves warnings alone (as plain text) when -W or PYTHONWARNINGS is set


class LevelAwareLogFormatter(logformatter.LogFormatter):
    """Scrapy's "Crawled" and "Scraped" DEBUG messages, not even made below LOG_LEVEL: Scrapy leaves the root
    logger at NOTSET, so each response's and item's record was built and then dropped by the handler."""

    def __init__(self, verbose: bool):
        self.verbose = verbose

    @classmethod
    def from_crawler(cls, crawler):
        level = crawler.settings.get("LOG_LEVEL")
        number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        return cls(verbose=not isinstance(number, int) or number <= logging.DEBUG)

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.verbose else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.verbose else None
