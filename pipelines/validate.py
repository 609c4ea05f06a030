"""Checks every item against the data contract before it is stored."""

from __future__ import annotations

import re

from harvester import items, normalise

YEAR = re.compile(r"\d{4}-\d{2}")
PART_OF = {items.Report: "reports", items.ServiceImprovement: "improvements", items.LetterLink: "letters"}


class ValidationPipeline:
    """Turns items that break the data contract into recorded errors (never silently lost), and
    flags percentages that disagree with their own counts (kept, so a reader sees both) beside the
    parsers' own flags (figures that were not numbers)."""

    def process_item(self, item):
        if isinstance(item, items.PageItems):
            item.items = [self.checked(one) for one in item.items]
            return item
        return self.checked(item)

    def checked(self, item):
        if isinstance(item, items.AnnualStatistics):
            flags = (item.flags.split(",") if item.flags else []) + normalise.percentages_off(item)
            item.flags = ",".join(dict.fromkeys(flags)) or None
        problem = contract_breach(item)
        if problem is None:
            return item
        return items.CrawlError(
            url=item.source_url,
            authority_slug=item.authority_slug,
            page=PART_OF.get(type(item), "statistics"),
            kind="invalid",
            message=f"{type(item).__name__}: {problem}: {item!r}",
        )


def contract_breach(item) -> str | None:
    if isinstance(item, items.AnnualStatistics):
        if not YEAR.fullmatch(item.year):
            return f"year {item.year!r} is not 'YYYY-YY'"
        if item.source not in ("page", "letter"):
            return f"unknown source {item.source!r}"
    elif isinstance(item, items.ServiceImprovement):
        if not normalise.CASE_REF_STORED.fullmatch(item.case_ref):
            return f"case reference {item.case_ref!r} is not 'YY-NNN-NNN' (perhaps with a letter)"
        if not (item.category and item.sub_category):
            return "category or sub-category missing"
    elif isinstance(item, items.Report) and not (item.title and item.url):
        return "report without a title or a link"
    return None
