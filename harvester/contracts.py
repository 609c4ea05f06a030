"""Contracts for `scrapy check`: a callback's docstring names a page by its path on the site, so the same
contracts run against the real site or a copy of it (`scrapy check -a base_url=URL performance`)."""

from __future__ import annotations

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from harvester import items
from harvester.pages.index import statistics_url


class SitePage(Contract):
    """@site_page PATH [SLUG PAGE]: request the spider's base URL + PATH; with SLUG and PAGE (the spider's
    page names: 'statistics', 'letters', 'reports', 'improvements'), as the spider requests that page of
    that authority, so the callback finds the request's bookkeeping it expects. The callback fails the
    contract if it records an error: a page it can't read is turned into one, never raised."""

    name = "site_page"

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = method.__self__  # contracts are made for the spider's bound callbacks

    def adjust_request_args(self, args: dict) -> dict:
        spider = self.spider
        path, *authority = self.args
        url = spider.base_url + path
        if not authority:
            return args | {"url": url}
        slug, page = authority
        # The spider counts an authority's requests from its statistics page on: start that count.
        for _ in spider.follow_authority(statistics_url(spider.base_url, slug)):
            pass
        request = spider.request(url, slug.lower(), page, args["callback"])
        return args | {"url": request.url, "meta": request.meta}

    def post_process(self, output: list) -> None:
        errors = [thing for thing in output if isinstance(thing, items.CrawlError)]
        if errors:
            raise ContractFail(f"the callback recorded {len(errors)} error(s), first: {errors[0]}")
