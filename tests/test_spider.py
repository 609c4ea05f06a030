"""The spider's navigation rules that need no server."""

import hashlib
import inspect

import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.test import get_crawler

from harvester import items
from harvester.pages.statistics import parse_statistics_page
from harvester.spiders import performance
from harvester.spiders.performance import PerformanceSpider
from tests.pages.cases import CASES_DIR, read_case


def test_links_to_the_bare_domain_stay_on_the_host_crawled():
    spider = PerformanceSpider(base_url="https://www.lgo.org.uk")
    assert (
        spider.on_our_host("http://lgo.org.uk/your-councils-performance/kent-county-council/statistics")
        == "https://www.lgo.org.uk/your-councils-performance/kent-county-council/statistics"
    )
    assert spider.on_our_host("https://example.org/x") == "https://example.org/x"
    assert spider.on_our_host("https://www.lgo.org.uk/a?b=1") == "https://www.lgo.org.uk/a?b=1"


def statistics_spider(case: str, saved_body: bytes):
    """A spider that read every list of a saved statistics page lately, and the page (or another) last night."""
    _, html, url = read_case(CASES_DIR / "statistics" / case)
    request = scrapy.Request(url, meta={"authority": "birmingham-city-council", "page": "statistics"})
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=request)
    page = parse_statistics_page(html, url)
    lists = [page.letters_url, page.reports_url, page.upheld_decisions_url, page.remedy_decisions_url]
    crawler = get_crawler(PerformanceSpider)
    spider = PerformanceSpider.from_crawler(
        crawler,
        base_url="https://www.lgo.org.uk",
        lists_fresh=frozenset(lists),
        pages_saved={url: hashlib.sha256(saved_body).hexdigest()},
    )
    crawler.stats.open_spider()
    list(spider.follow_authority(url))
    return spider, response, lists


def test_an_unchanged_statistics_page_is_hashed_once_for_all_the_lists_it_leaves_as_stored(monkeypatch):
    _, html, _ = read_case(CASES_DIR / "statistics" / "birmingham-2024-25-t2025")
    spider, response, _ = statistics_spider("birmingham-2024-25-t2025", saved_body=html.encode())
    hashed, sha256 = [], hashlib.sha256
    monkeypatch.setattr(performance.hashlib, "sha256", lambda body: hashed.append(body) or sha256(body))

    output = list(spider.parse_statistics(response))

    assert [thing for thing in output if isinstance(thing, (scrapy.Request, items.CrawlError))] == []
    assert hashed == [response.body]
    assert spider.crawler.stats.get_value("harvester/lists_left_as_stored") == 4
    assert output[-1].unchanged_parts == frozenset({"letters", "reports", "upheld", "remedy"})


def test_a_changed_statistics_page_leaves_no_list_as_stored():
    spider, response, lists = statistics_spider("birmingham-2024-25-t2025", saved_body=b"last night's page")

    output = list(spider.parse_statistics(response))

    assert [thing.url for thing in output if isinstance(thing, scrapy.Request)] == lists
    assert spider.crawler.stats.get_value("harvester/lists_left_as_stored") is None


def test_no_method_of_the_spider_is_a_generator_that_returns_a_value():
    """Scrapy's own check, made once here instead of on every response (WARN_ON_GENERATOR_RETURN_VALUE is off
    in harvester.settings): a callback that is a generator drops a value its `return` gives, silently."""
    methods = [member for member in vars(PerformanceSpider).values() if inspect.isfunction(member)]
    generators = [method for method in methods if inspect.isgeneratorfunction(method)]
    assert len(generators) >= 8  # the callbacks: statistics, lists, decisions, the hub...
    assert [method.__name__ for method in generators if is_generator_with_return_value(method)] == []

    def planted(self, response):
        yield response
        return "lost"

    assert is_generator_with_return_value(planted)
