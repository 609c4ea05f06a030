"""Deciding whether a crawl worked: Scrapy exits 0 even when every request failed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from harvester import items

UNREADABLE_LETTERS_LIMIT = 0.10
"""A few unreadable letters are the site's (recorded, kept as failed); more than this share of those read
this run means the extraction or the letters' layout broke."""

DROP_LIMIT = 0.10
"""A run that reaches more than 10% fewer authorities, or reads 10% fewer figures, than the last good run
of the same scope looks wrong even if no request failed (a site redesign, a truncated index)."""


@dataclass
class RunFacts:
    errors: list[items.CrawlError]
    finish_reason: str
    """Scrapy's: 'finished', 'shutdown' (a signal), ..."""
    authorities: int
    """Authorities saved this run."""
    figures: int
    """Statistics pages that yielded figures this run."""
    letters_read: int
    previous: dict | None
    """The last good run of the same scope (its crawl_runs row), if any."""


@dataclass
class Verdict:
    status: str
    """'ok', 'failed', or 'interrupted' (stopped by a signal: `harvester crawl --resume` continues it)."""
    problems: list[str]
    """One line per reason the run is not healthy, for the log and the operator."""


def judge_run(facts: RunFacts) -> Verdict:
    """A run fails when Scrapy stopped early, when nothing was saved, when any page could not be
    fetched or read, when too many letters were unreadable, or when it found markedly less than the
    last good run. A 404 (a predecessor the site no longer has) is counted, not failed."""
    problems = []
    if facts.finish_reason != "finished":
        problems.append(f"crawl stopped early: {facts.finish_reason}")
    if facts.authorities == 0:
        problems.append("no authority was saved")
    unreadable = sum(1 for e in facts.errors if e.kind == "unreadable")
    if unreadable > UNREADABLE_LETTERS_LIMIT * facts.letters_read:
        problems.append(f"{unreadable} of {facts.letters_read} letters unreadable")
    failures = [e for e in facts.errors if e.kind not in ("missing", "unreadable")]
    for (page, kind), count in sorted(Counter((e.page, e.kind) for e in failures).items()):
        problems.append(f"{count} {page} page(s) failed ({kind})")
    if facts.previous is not None:
        for what, now in (("authorities", facts.authorities), ("figures", facts.figures)):
            before = facts.previous[what] or 0
            if now < (1 - DROP_LIMIT) * before:
                problems.append(f"{what} dropped from {before} (run {facts.previous['id']}) to {now}")
    if not problems:
        return Verdict("ok", [])
    return Verdict("interrupted" if facts.finish_reason == "shutdown" else "failed", problems)
