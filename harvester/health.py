"""Deciding whether a crawl worked: Scrapy exits 0 even when every request failed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from harvester import items
from harvester.field_coverage import coverage_drops

UNREADABLE_LETTERS_LIMIT = 0.10
"""A few unreadable letters are the site's (recorded, kept as failed); more than this share of those read
this run means the extraction or the letters' layout broke."""

UNREADABLE_PER_AUTHORITY_LIMIT = 0.5
"""One authority whose letters read this run are mostly unreadable (at least two of them) fails the run
even when the run-wide share is small: a council that lost every letter is not noise."""

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
    letters_read_by_authority: dict[str, int] = field(default_factory=dict)
    """Letters read this run per authority (case-folded slug), readable or not."""
    field_coverage: dict[str, dict] = field(default_factory=dict)
    """This run's FieldCoverage.shares(): per item type, the share of items with each field filled."""
    options: dict = field(default_factory=dict)
    """The options that shape what the run stores (crawl_runs.options)."""


POPULATION_OPTIONS = ("--decisions-since",)
"""Options that change which items a run reads, not only how many: a back-fill also reads the older decisions a
council's search finds, which no listing names (so no listed_as) and which are told more briefly, so its field
shares are another population's than a nightly run's."""


@dataclass
class Verdict:
    status: str
    """'ok', 'failed', or 'interrupted' (stopped by a signal: `harvester crawl --resume` continues it)."""
    problems: list[str]
    """One line per reason the run is not healthy, for the log and the operator."""


NOT_FAILURES = ("missing", "unreadable", "warning")
"""Error kinds that don't fail a run by themselves: a 404, an unreadable letter (judged by share, below), and a
warning (a part read in a form not understood, kept as text or skipped with its text)."""


def judge_run(facts: RunFacts) -> Verdict:
    """A run fails when Scrapy stopped early, when nothing was saved, when any page could not be
    fetched or read or any authority saved, when too many letters were unreadable (in the run, or of
    one authority), or when it found markedly less than the last good run (authorities, figures, or the
    share of an item type's items with a field filled). A 404 (a predecessor the
    site no longer has) is counted, not failed. Every problem names its reason."""
    problems = []
    if facts.finish_reason == "shutdown":
        problems.append("stopped by Ctrl-C or SIGTERM")
    elif facts.finish_reason != "finished":
        problems.append(f"crawl stopped early: {facts.finish_reason}")
    not_saved = sum(1 for e in facts.errors if e.kind == "save")
    if facts.authorities == 0 and not not_saved:
        problems.append("no authority was saved")
    problems += unreadable_letters(facts)
    failures = [e for e in facts.errors if e.kind not in NOT_FAILURES]
    grouped: dict[tuple[str, str], list[items.CrawlError]] = {}
    for failure in failures:
        grouped.setdefault((failure.page, failure.kind), []).append(failure)
    for (page, kind), errors in sorted(grouped.items()):
        problems.append(f"{failure_count(page, kind, len(errors))}: {reasons(errors)}")
    if facts.previous is not None:
        # An authority whose save failed was reached: it is reported as a failed save, not as a drop.
        for what, now in (("authorities", facts.authorities + not_saved), ("figures", facts.figures)):
            before = facts.previous[what] or 0
            if now < (1 - DROP_LIMIT) * before:
                problems.append(f"{what} dropped from {before} (run {facts.previous['id']}) to {now}")
        if same_population(facts.options, json.loads(facts.previous.get("options") or "{}")):
            before = json.loads(facts.previous.get("summary") or "{}").get("field_coverage")
            problems += coverage_drops(facts.field_coverage, before, facts.previous["id"])
    if not problems:
        return Verdict("ok", [])
    return Verdict("interrupted" if facts.finish_reason == "shutdown" else "failed", problems)


def same_population(options: dict, previous_options: dict) -> bool:
    """Whether two runs' options let them read the same kinds of items, so their field shares compare."""
    return all(options.get(option) == previous_options.get(option) for option in POPULATION_OPTIONS)


def unreadable_letters(facts: RunFacts) -> list[str]:
    unreadable = [e for e in facts.errors if e.kind == "unreadable"]
    problems = []
    if len(unreadable) > UNREADABLE_LETTERS_LIMIT * facts.letters_read:
        problems.append(
            f"{len(unreadable)} of {facts.letters_read} letters unreadable: {reasons(unreadable)}"
        )
    by_authority = Counter((e.authority_slug or "").lower() for e in unreadable)
    for slug, count in sorted(by_authority.items()):
        read = facts.letters_read_by_authority.get(slug, count)
        if count >= 2 and count > UNREADABLE_PER_AUTHORITY_LIMIT * read:
            mine = [e for e in unreadable if (e.authority_slug or "").lower() == slug]
            problems.append(f"{count} of {read} letters of {slug} unreadable: {reasons(mine)}")
    return problems


def failure_count(page: str, kind: str, count: int) -> str:
    if kind == "save":
        return f"{count} authorit{'y' if count == 1 else 'ies'} not saved (save failed)"
    if kind == "reread":
        return f"{count} letter(s) read before could not be read again"
    if kind == "internal":
        return f"{count} internal error(s) of the harvester"
    return f"{count} {page} page(s) failed ({kind})"


def reasons(errors: list[items.CrawlError], shown: int = 2) -> str:
    """The distinct messages of a group of errors, most frequent first: every problem says why."""
    counted = Counter(e.message for e in errors).most_common()
    text = "; ".join(message[:160] for message, _ in counted[:shown])
    return text + (f" (and {len(counted) - shown} other reasons)" if len(counted) > shown else "")
