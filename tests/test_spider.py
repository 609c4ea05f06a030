"""The spider's navigation rules that need no server."""

from harvester.spiders.performance import PerformanceSpider


def test_links_to_the_bare_domain_stay_on_the_host_crawled():
    spider = PerformanceSpider(base_url="https://www.lgo.org.uk")
    assert (
        spider.on_our_host("http://lgo.org.uk/your-councils-performance/kent-county-council/statistics")
        == "https://www.lgo.org.uk/your-councils-performance/kent-county-council/statistics"
    )
    assert spider.on_our_host("https://example.org/x") == "https://example.org/x"
    assert spider.on_our_host("https://www.lgo.org.uk/a?b=1") == "https://www.lgo.org.uk/a?b=1"
