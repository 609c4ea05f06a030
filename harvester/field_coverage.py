"""Field coverage: the share of each item type's items that have each field filled, run against run.

A parser that still finds its page but no longer reads one of its fields (a date in a new format, a label
reworded) yields items with that field empty: no page fails, and the "markedly fewer" checks see as many items
as before. The share of items with the field filled falls, so a run whose share falls markedly below the last
good run's fails like a run that found markedly fewer authorities. Spidermon computes the same shares (its
SPIDERMON_ADD_FIELD_COVERAGE) but judges them against fixed thresholds in its own monitor suites; here the
baseline is the last good run of the same scope, and the verdict is the run's own (harvester.health).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

COVERAGE_DROP_LIMIT = 0.10
"""A field filled in 10 percentage points fewer of its items than in the last good run fails the run."""
MIN_ITEMS = 10
"""Fewer items of a type than this (in either run) are too few for a share to mean anything: not compared."""
COMPARABLE_ITEMS = 0.5
"""A run with fewer than half the last good run's items of a type read a subset of them (an incremental night
reads only the lists of the councils whose page changed): its shares are another population's, not compared."""


def filled(value) -> bool:
    """Whether a field holds something: False and 0 are values; None, '' and empty collections are not."""
    return value is not None and value != "" and value != [] and value != {} and value != ()


class FieldCoverage:
    """Counts, per item type, its items and those with each field filled."""

    def __init__(self) -> None:
        self.items: dict[str, int] = defaultdict(int)
        self.filled: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, item) -> None:
        kind = type(item).__name__
        self.items[kind] += 1
        for field in dataclasses.fields(item):
            self.filled[kind][field.name] += filled(getattr(item, field.name))

    def shares(self) -> dict[str, dict]:
        """{item type: {"items": n, "fields": {field: share filled, 0 to 1, 3 decimals}}}: the run report's."""
        return {
            kind: {
                "items": count,
                "fields": {
                    name: round(self.filled[kind][name] / count, 3) for name in sorted(self.filled[kind])
                },
            }
            for kind, count in sorted(self.items.items())
        }


def coverage_drops(now: dict[str, dict], before: dict[str, dict] | None, before_run: int) -> list[str]:
    """One problem per field filled in markedly fewer of its items than in the last good run (`before`, from
    that run's summary; None when it recorded no field coverage)."""
    problems = []
    for kind, then in sorted((before or {}).items()):
        current = now.get(kind)
        if (
            current is None
            or min(current["items"], then["items"]) < MIN_ITEMS
            or current["items"] < COMPARABLE_ITEMS * then["items"]
        ):
            continue
        for name, share_before in sorted(then["fields"].items()):
            share_now = current["fields"].get(name, 0.0)
            if share_before - share_now > COVERAGE_DROP_LIMIT:
                problems.append(
                    f"{kind}.{name} filled in {share_now:.0%} of {current['items']} items, "
                    f"{share_before:.0%} of {then['items']} in run {before_run}"
                )
    return problems
