"""Scrapy feed exports (`scrapy crawl performance -O items.jsonl`) of the harvester's items.

Each item is written with its type (the feed mixes statistics, reports, letters, …), as
`harvester parse` prints them; the spider's internal AuthorityDone messages are left out, and so are
bytes (a letter's PDF, kept on disk by its sha256, which is exported)."""

from __future__ import annotations

import dataclasses

from scrapy import exporters

from harvester import items

INTERNAL = (items.AuthorityDone,)


def public_form(item) -> dict | None:
    """The item as the feed shows it, or None for a message between spider and store."""
    if isinstance(item, INTERNAL):
        return None
    fields = {
        field.name: getattr(item, field.name)
        for field in dataclasses.fields(item)
        if not isinstance(getattr(item, field.name), bytes)
    }
    return {"type": type(item).__name__} | fields


class PublicItems:
    """Exports public_form(item) in place of the item, and nothing for an internal one; a page's items
    (harvester.middlewares.ItemsPerPage) one by one, as if each had come alone."""

    def export_item(self, item) -> None:
        for one in items.unpacked(item):
            shown = public_form(one)
            if shown is not None:
                super().export_item(shown)


class JsonLinesItemExporter(PublicItems, exporters.JsonLinesItemExporter):
    pass


class JsonItemExporter(PublicItems, exporters.JsonItemExporter):
    pass
