"""Deciding whether a crawl worked: Scrapy exits 0 even when every request failed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from harvester import items


@dataclass
class Verdict:
    status: str
    """'ok' or 'failed'."""
    problems: list[str]
    """One line per reason the run failed, for the log and the operator."""


UNREADABLE_LETTERS_LIMIT = 0.10
"""A few unreadable letters are the site's (recorded, kept as failed); more than this share of those read
this run means the extraction or the letters' layout broke."""


def judge_run(
    errors: list[items.CrawlError], finish_reason: str, authorities_saved: int, letters_read: int = 0
) -> Verdict:
    """A run fails when Scrapy stopped early, when nothing was saved, when any page could not be
    fetched or read, or when too many letters were unreadable. A 404 (a predecessor the site no
    longer has) is counted, not failed."""
    problems = []
    if finish_reason != "finished":
        problems.append(f"crawl stopped early: {finish_reason}")
    if authorities_saved == 0:
        problems.append("no authority was saved")
    unreadable = sum(1 for e in errors if e.kind == "unreadable")
    if unreadable > UNREADABLE_LETTERS_LIMIT * letters_read:
        problems.append(f"{unreadable} of {letters_read} letters unreadable")
    failures = [e for e in errors if e.kind not in ("missing", "unreadable")]
    for (page, kind), count in sorted(Counter((e.page, e.kind) for e in failures).items()):
        problems.append(f"{count} {page} page(s) failed ({kind})")
    return Verdict("failed" if problems else "ok", problems)
