"""Scrapy settings for the harvester: polite on the real site, fast on a loopback replica."""

from harvester import __version__

REAL_SITE = "https://www.lgo.org.uk"
HOMEPAGE = "https://github.com/lgsco-harvester/lgsco-harvester"

BOT_NAME = "lgsco-harvester"
SPIDER_MODULES = ["harvester.spiders"]
# `scrapy crawl performance` runs, locks and judges a harvest as `harvester crawl` does; `scrapy check`
# checks the callbacks' contracts against the live site.
COMMANDS_MODULE = "harvester.commands"
SPIDER_CONTRACTS = {"harvester.contracts.SitePage": 10}
# Feed exports (-O items.jsonl) write each item with its type, without PDF bytes or internal messages.
FEED_EXPORTERS = {
    "json": "harvester.feeds.JsonItemExporter",
    "jsonlines": "harvester.feeds.JsonLinesItemExporter",
    "jsonl": "harvester.feeds.JsonLinesItemExporter",
    "jl": "harvester.feeds.JsonLinesItemExporter",
}
# What a crawl writes and where it starts, unless told otherwise: the README's paths and the real site.
HARVESTER_DB = "data/lgsco.db"
HARVESTER_BASE_URL = REAL_SITE
USER_AGENT = f"lgsco-harvester/{__version__} (+{HOMEPAGE})"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 2
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 60
# Size limits by kind of resource (harvester.middlewares.ResponseSizeLimitMiddleware), each also capping
# what a compressed body may inflate to. The replica's largest statistics page is 19 KB and the real
# site's pages are of the same order; a real letter PDF is 3-4 pages of text, a few hundred KB at most.
HARVESTER_MAX_PAGE_BYTES = 2 * 1024 * 1024
HARVESTER_MAX_LETTER_BYTES = 8 * 1024 * 1024
# All downloads in progress together: 32 concurrent answers at their limit can't add up past this.
HARVESTER_MAX_BYTES_IN_FLIGHT = 48 * 1024 * 1024
DOWNLOAD_MAXSIZE = HARVESTER_MAX_LETTER_BYTES
DOWNLOAD_WARNSIZE = HARVESTER_MAX_LETTER_BYTES // 2
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
HARVESTER_MAX_RETRY_AFTER = 120.0

# Every page is fetched conditionally (If-None-Match / If-Modified-Since): an unchanged page costs a 304,
# and its stored body (kept beside the database in httpcache.db, harvester.pagecache) is what gets parsed.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "harvester.middlewares.RevalidateEveryTime"
HTTPCACHE_STORAGE = "harvester.pagecache.SqlitePageCache"
HARVESTER_CONDITIONAL_REQUESTS = True
HARVESTER_LIST_MAX_AGE_DAYS = 7
"""When an authority's statistics page is unchanged (a 304, or the same bytes), the lists it links (annual letters, reports, service
improvements, upheld and remedy decisions) are not requested if they were read in full less than this many days
ago: they are left as stored. 0 reads every list every run. README "Requests per night" says why this is safe."""

# On the way back a response passes these from the highest number down: it is decompressed strictly
# (590), read in its real charset (587), and only then cached (585), so the cache holds, and a 304
# replays, exactly the body the parsers read and the store's `fetches` row describes.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "harvester.middlewares.RevalidatingCacheMiddleware": 585,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "harvester.middlewares.StrictHttpCompressionMiddleware": 590,
    "harvester.middlewares.CharsetMiddleware": 587,
    "harvester.middlewares.ResponseSizeLimitMiddleware": 540,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "harvester.middlewares.StrictRobotsTxtMiddleware": 100,
    "harvester.middlewares.RetryAfterMiddleware": 551,
    "harvester.middlewares.PartialBodyRetryMiddleware": 560,
    "harvester.middlewares.SameHostRedirectMiddleware": 650,
}
SPIDER_MIDDLEWARES = {"harvester.middlewares.ItemsPerPage": 1100}
ITEM_PIPELINES = {
    "harvester.pipelines.validate.ValidationPipeline": 100,
    "harvester.pipelines.store.StorePipeline": 800,
}
EXTENSIONS = {
    "harvester.progress.Progress": 500,
    # Opens a local HTTP control port and imports aiohttp at start-up; nothing here uses it.
    "scrapy.extensions.remote_control.RemoteControl": None,
}
# Scrapy checks each response's callback for a generator that returns a value by reading and parsing its source
# (inspect.getsource, ast.parse: ~1.3 ms), cached by a weak reference to the bound method, which dies with its
# request: about one response in seven paid it again. tests/test_spider.py makes the check once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
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
LOG_FORMATTER = "harvester.progress.LevelAwareLogFormatter"

# On a loopback replica nobody needs protecting: go as fast as the machine allows.
LOOPBACK_OVERRIDES = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_TIMEOUT": 20,
    "HARVESTER_MAX_RETRY_AFTER": 5.0,
}
