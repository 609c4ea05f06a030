"""What a run did, in words an operator or a journalist can paste: `harvester runs` and `harvester changes`."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import sqlite_utils

from harvester import settings

FIGURES = {
    "upheld_pct": ("uphold rate", "%"),
    "upheld_avg_pct": ("average uphold rate for similar authorities", "%"),
    "upheld_decisions": ("upheld decisions", ""),
    "investigations": ("investigations", ""),
    "upheld_per_100k": ("upheld decisions per 100,000 residents", ""),
    "upheld_per_100k_avg": ("average upheld decisions per 100,000 residents", ""),
    "compliance_pct": ("compliance rate", "%"),
    "compliance_avg_pct": ("average compliance rate", "%"),
    "compliance_outcomes": ("compliance outcomes", ""),
    "remedy_pct": ("satisfactory remedy rate", "%"),
    "remedy_avg_pct": ("average satisfactory remedy rate", "%"),
    "remedy_decisions": ("satisfactory remedy decisions", ""),
    "complaints_dealt_with": ("complaints dealt with", ""),
    "not_for_us": ("complaints not for the Ombudsman", ""),
    "assessed_and_closed": ("complaints assessed and closed", ""),
}
"""annual_statistics columns -> how a sentence names them, and their unit."""

WHAT = {
    "reports": "report",
    "service_improvements": "service improvement",
    "improvement_actions": "agreed action",
    "letters": "annual letter",
    "letter_complaints_received": "letter complaints count",
    "letter_decisions": "letter decisions count",
    "authorities": "authority",
}

RUN_COLUMNS = (
    "id", "started_at", "finished_at", "status", "authorities", "requests", "pages_unchanged", "errors",
    "rows_new", "rows_changed", "rows_gone",
)  # fmt: skip
NIGHTLY_COLUMNS = ("lists_left_as_stored", "at_real_site_pace")
"""What `harvester runs` adds from each run's summary: lists not requested (unchanged), and the run's requests
at the real site's pace."""


def recent_runs(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    columns = ", ".join(RUN_COLUMNS)
    runs = db.query(f"SELECT {columns}, summary FROM crawl_runs ORDER BY id DESC LIMIT ?", [limit])
    return [run | nightly_figures(run) for run in runs]


def nightly_figures(run: dict) -> dict:
    summary = json.loads(run.pop("summary") or "{}")
    requests = run["requests"]
    return {
        "lists_left_as_stored": summary.get("lists_left_as_stored"),
        "at_real_site_pace": None if requests is None else real_site_pace(requests),
    }


def real_site_seconds(requests: int) -> float:
    """How long `requests` take at the real site's pace (harvester.settings' politeness): Scrapy sends a host one
    request per DOWNLOAD_DELAY (randomised between 0.5 and 1.5 times it: on average the delay itself) however many
    may be in flight (the 2 concurrent requests only matter when an answer takes longer than the delay), and
    AutoThrottle only ever widens that gap, to the site's latency / AUTOTHROTTLE_TARGET_CONCURRENCY: at least this."""
    return requests * settings.DOWNLOAD_DELAY


def real_site_pace(requests: int) -> str:
    """'≈ 22 min': the run's requests at the real site's pace, rounded as a person says it."""
    seconds = real_site_seconds(requests)
    if seconds < 90:
        return f"≈ {seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"≈ {minutes} min"
    return f"≈ {minutes // 60} h {minutes % 60:02d} min"


def runs_table(runs: list[dict]) -> str:
    columns = (*RUN_COLUMNS, *NIGHTLY_COLUMNS)
    rows = [columns, *[tuple("" if r[c] is None else str(r[c]) for c in columns) for r in runs]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def first_run_since(db: sqlite_utils.Database, since: str | None) -> int | None:
    """The run `since` names: a run id, an ISO date (the first run started on or after it), or None for the
    latest run."""
    if since is None:
        row = next(iter(db.query("SELECT max(id) AS id FROM crawl_runs")), {"id": None})
        return row["id"]
    if since.isdigit():
        return int(since)
    try:
        dt.date.fromisoformat(since[:10])
    except ValueError:
        raise ValueError(f"--since takes a run id or a date (YYYY-MM-DD), not {since!r}") from None
    row = next(iter(db.query("SELECT min(id) AS id FROM crawl_runs WHERE started_at >= ?", [since])), None)
    return row["id"] if row else None


def change_lines(db: sqlite_utils.Database, since_run: int) -> list[str]:
    """One sentence per change recorded by run `since_run` and later (an authority seen for the first
    time is one change: its rows are not logged one by one)."""
    names = {row["slug"]: row["name"] for row in db.query("SELECT slug, name FROM authorities")}
    lines = []
    for change in db.query("SELECT * FROM changes WHERE run_id >= ? ORDER BY id", [since_run]):
        slug = change["authority_slug"]
        lines.append(f"{names.get(slug, slug)}: {describe(change)}")
    return lines


def describe(change: dict) -> str:
    table, key, kind = change["table_name"], change["row_key"], change["change"]
    if table == "annual_statistics":
        _, year, source = key.split("/")
        where = "statistics page" if source == "page" else "annual letter"
        if kind == "changed" and change["column_name"] in FIGURES:
            label, unit = FIGURES[change["column_name"]]
            old, new = (shown(change[v], unit) for v in ("old_value", "new_value"))
            return f"{year} {label} {old} → {new} ({where})"
        if kind == "new":
            return f"{year} figures published ({where})"
        return f"{year} {where} {change['column_name'] or ''} {kind}".replace("  ", " ")
    what = WHAT.get(table, table)
    item = key.split("/", 1)[1] if "/" in key else key
    if table == "authorities" and kind == "new":
        return "first crawled"
    if kind == "changed":
        return f"{what} {item}: {change['column_name']} changed {difference(change['old_value'], change['new_value'])}"
    return {
        "new": f"new {what} {item}",
        "gone": f"{what} {item} no longer listed",
        "back": f"{what} {item} listed again",
    }[kind]


LONG_VALUE = 80
"""Longer values (a letter's text, a report's summary) are summarised: where they first differ, and how."""
BEFORE, AFTER = 20, 40
"""Characters shown around the first difference of two long values."""


def difference(old: str | None, new: str | None) -> str:
    """'from 'a' to 'b'' for short values; for long ones, the lengths and the words where they first differ."""
    if max(len(old or ""), len(new or "")) <= LONG_VALUE:
        return f"from {old!r} to {new!r}"
    old, new = old or "", new or ""
    start = len(os.path.commonprefix([old, new]))

    def near(value: str) -> str:
        cut = value[max(0, start - BEFORE) : start + AFTER]
        return ("…" if start > BEFORE else "") + " ".join(cut.split()) + ("…" if start + AFTER < len(value) else "")

    return (
        f"({len(old):,} → {len(new):,} characters), first at character {start + 1:,}: "
        f"{near(old)!r} → {near(new)!r}"
    )


def shown(value: str | None, unit: str) -> str:
    if value is None:
        return "none"
    return re.sub(r"\.0$", "", value) + unit
