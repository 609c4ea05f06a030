"""Scrapy settings for the harvester: polite on the real site, fast on a loopback replica."""

from harvester import __version__

REAL_SITE = "https://www.lgo.org.uk"
HOMEPAGE = "https://github.com/lgsco-harvester/lgsco-harvester"

BOT_NAME = "lgsco-harvester"
SPIDER_MODULES = ["spiders"]
USER_AGENT = f"lgsco-harvester/{__version__} (+{HOMEPAGE})"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 2
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 60
# A letter PDF is well under 1 MB; 32 MB also caps what a gzip bomb may inflate to.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
HARVESTER_MAX_RETRY_AFTER = 120.0

# Every page is fetched conditionally (If-None-Match / If-Modified-Since): an unchanged page costs a 304,
# and its stored body (kept beside the database in httpcache/) is what gets parsed.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "harvester.middlewares.RevalidateEveryTime"
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
HTTPCACHE_GZIP = True
HARVESTER_CONDITIONAL_REQUESTS = True

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "harvester.middlewares.RevalidatingCacheMiddleware": 900,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "harvester.middlewares.StrictRobotsTxtMiddleware": 100,
    "harvester.middlewares.RetryAfterMiddleware": 551,
    "harvester.middlewares.PartialBodyRetryMiddleware": 560,
    "harvester.middlewares.SameHostRedirectMiddleware": 650,
}
ITEM_PIPELINES = {
    "pipelines.validate.ValidationPipeline": 100,
    "pipelines.store.StorePipeline": 800,
}
EXTENSIONS = {
    "harvester.progress.Progress": 500,
    # Opens a local HTTP control port and imports aiohttp at start-up; nothing here uses it.
    "scrapy.extensions.remote_control.RemoteControl": None,
}
HARVESTER_LOG_FORMAT = "text"
HARVESTER_PROGRESS_SECONDS = 60.0
"""Between progress lines when not on a terminal (a terminal's line is redrawn every second)."""
# The pipelines are synchronous, so items in parallel only cost CPU (Scrapy starts a task per slot for
# every response). Order is not relied on: the store waits for the count of items the spider sent.
CONCURRENT_ITEMS = 1
HARVESTER_DECISIONS_SINCE = None
"""ISO date: also back-fill every decision about each authority since then, through the decision search."""
HARVESTER_DECISION_BUDGET = None
"""At most this many decision requests (listings, searches, decision pages) in one run; None: no limit."""
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"

# On a loopback replica nobody needs protecting: go as fast as the machine allows.
LOOPBACK_OVERRIDES = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_TIMEOUT": 20,
    "HARVESTER_MAX_RETRY_AFTER": 5.0,
}
