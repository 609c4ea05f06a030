"""The real site gets the polite settings; only a replica on this machine gets the fast ones.

Every other test crawls a loopback replica, so it runs with the loopback overrides: only these tests see what a
crawl of www.lgo.org.uk would be configured with.
"""

import pytest
from scrapy.crawler import Crawler
from scrapy.extensions.throttle import AutoThrottle

from harvester.crawl import crawl_settings, is_loopback
from harvester.middlewares import RetryAfterMiddleware
from harvester.settings import REAL_SITE
from harvester.spiders.performance import PerformanceSpider

POLITE = {
    "CONCURRENT_REQUESTS": 2,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 1.0,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "ROBOTSTXT_OBEY": True,
    "DOWNLOAD_TIMEOUT": 60,
    "HARVESTER_MAX_RETRY_AFTER": 120.0,
}
FAST = POLITE | {
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 20,
    "HARVESTER_MAX_RETRY_AFTER": 5.0,
}
REMOTE = [
    REAL_SITE,
    "https://lgo.org.uk/",
    "http://localhost.example.org:8080",  # a name that starts like a loopback one is not one
    "http://127.0.0.1.nip.io",
    "http://10.0.0.1:8000",
    "http://[2001:db8::1]:8000",
    "not a url",
]
LOOPBACK = ["http://127.0.0.1:8123", "http://localhost:8000", "http://127.8.9.10", "http://[::1]:9000"]


def effective(base_url, tmp_path, overrides=None) -> dict:
    """The settings a crawler made for `harvester crawl BASE_URL` runs with, with the spider's own merged in."""
    crawler = Crawler(PerformanceSpider, crawl_settings(base_url, tmp_path / "lgsco.db", overrides or {}))
    return {name: type(value)(crawler.settings[name]) for name, value in POLITE.items()}


@pytest.mark.parametrize("base_url", REMOTE)
def test_a_remote_base_url_gets_the_polite_settings(base_url, tmp_path):
    assert not is_loopback(base_url)
    assert effective(base_url, tmp_path) == POLITE


@pytest.mark.parametrize("base_url", LOOPBACK)
def test_a_loopback_base_url_gets_the_fast_settings(base_url, tmp_path):
    assert is_loopback(base_url)
    assert effective(base_url, tmp_path) == FAST


def test_the_command_line_beats_both(tmp_path):
    overrides = {"CONCURRENT_REQUESTS": 4, "DOWNLOAD_DELAY": 3.0, "ROBOTSTXT_OBEY": False}
    assert effective(REAL_SITE, tmp_path, overrides) == POLITE | overrides
    assert effective(LOOPBACK[0], tmp_path, overrides) == FAST | overrides


def test_the_real_site_crawl_throttles_and_caps_retry_after(tmp_path):
    crawler = Crawler(PerformanceSpider, crawl_settings(REAL_SITE, tmp_path / "lgsco.db", {}))
    throttle = AutoThrottle.from_crawler(crawler)  # raises NotConfigured when AutoThrottle is off
    assert throttle.target_concurrency == 1.0
    assert RetryAfterMiddleware.from_crawler(crawler).max_wait == 120.0


class Sleeps(list):
    async def __call__(self, seconds):
        self.append(seconds)


@pytest.mark.parametrize(
    ("status", "retry_after", "slept"),
    [
        (429, "30", [30.0]),
        (503, " 7 ", [7.0]),
        (429, "600", [120.0]),  # capped: a site asking for ten minutes does not stall the crawl
        (429, "Thu, 01 Jan 1970 00:00:00 GMT", [0.0]),  # a date already past
        (429, "soon", []),
        (500, "30", []),
        (200, "30", []),
        (429, None, []),
    ],
)
def test_a_429_or_503_waits_as_long_as_retry_after_asks_up_to_the_cap(
    monkeypatch, status, retry_after, slept
):
    import asyncio

    from scrapy.http import Request, Response

    sleeps = Sleeps()
    monkeypatch.setattr(asyncio, "sleep", sleeps)
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    response = Response("https://www.lgo.org.uk/x", status=status, headers=headers)
    middleware = RetryAfterMiddleware(120.0)
    assert asyncio.run(middleware.process_response(Request(response.url), response)) is response
    assert sleeps == slept


def test_the_run_settings_beat_a_value_set_on_the_command_line_before_them(tmp_path):
    """`scrapy crawl performance -a base_url=B -s HARVESTER_BASE_URL=A` crawls B: the run's own values win."""
    from scrapy.settings import Settings

    from harvester import settings as harvester_settings
    from harvester.crawl import set_run_settings

    settings = Settings()
    settings.setmodule(harvester_settings, priority="project")
    for name in ("HARVESTER_DB", "HARVESTER_BASE_URL", "HARVESTER_AUTHORITIES", "HTTPCACHE_DIR"):
        settings.set(name, "from -s", priority="cmdline")
    set_run_settings(settings, REAL_SITE, tmp_path / "x" / "lgsco.db", {}, ("luton-borough-council",))
    assert settings["HARVESTER_DB"] == str(tmp_path / "x" / "lgsco.db")
    assert settings["HARVESTER_BASE_URL"] == REAL_SITE
    assert settings["HARVESTER_AUTHORITIES"] == ["luton-borough-council"]
    assert settings["HTTPCACHE_DIR"] == str(tmp_path.resolve() / "x" / "httpcache")


def test_crawl_settings_carry_the_authorities_asked_for(tmp_path):
    settings = crawl_settings(
        REAL_SITE, tmp_path / "lgsco.db", {}, ("kent-county-council", "luton-borough-council")
    )
    assert settings["HARVESTER_AUTHORITIES"] == ["kent-county-council", "luton-borough-council"]
    assert crawl_settings(REAL_SITE, tmp_path / "lgsco.db", {})["HARVESTER_AUTHORITIES"] == []


def test_the_loopback_overrides_outrank_the_project_settings_merged_again(tmp_path):
    """Scrapy may merge the project's settings into a crawler's again: the fast ones must stay above them."""
    from harvester import settings as harvester_settings

    settings = crawl_settings(LOOPBACK[0], tmp_path / "lgsco.db", {})
    settings.setmodule(harvester_settings, priority="project")
    assert {name: settings[name] for name in harvester_settings.LOOPBACK_OVERRIDES} == (
        harvester_settings.LOOPBACK_OVERRIDES
    )
