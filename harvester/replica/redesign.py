"""Redesigns: the replica with a few anchors of one kind of page reworded or moved, as a site redesign does.

Each is a fault mode (`--fault redesign-statistics`, always on every page of its kind) so `harvester
check-site` and the crawl's probe are tested against real change, not only against absence. A redesign
changes wording or structure the parsers rely on and nothing else; what each one changes is in its
description.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harvester.replica.server import Response

PREFIX = "redesign-"


def _rewrite(*substitutions: tuple[bytes, bytes]):
    def apply(response: Response, path: str, hang_seconds: float) -> Response:
        body = response.body
        for pattern, replacement in substitutions:
            body = re.sub(pattern, replacement, body)
        return dataclasses.replace(response, body=body)

    return apply


REDESIGNS = (
    (
        "index",
        "the index links each council's page at /your-councils-performance/{slug}, no longer at its "
        "/statistics page.",
        _rewrite((rb'(href="/your-councils-performance/[^"/]+)/statistics"', rb'\1"')),
    ),
    (
        "statistics",
        "statistics pages say '… of the complaints we looked at were upheld' and 'Read the annual letters'.",
        _rewrite(
            (rb"of complaints we investigated were upheld", b"of the complaints we looked at were upheld"),
            (rb">\s*View annual letters\s*<", b">Read the annual letters<"),
        ),
    ),
    (
        "letters",
        "letters lists label every letter link 'Download (PDF)' instead of its year.",
        _rewrite((rb'(<a\b[^>]*href="[^"]*\.pdf"[^>]*>).*?(</a>)', rb"\1Download (PDF)\2")),
    ),
    (
        "reports",
        "reports lists date each report by its month alone, 'March 2024' instead of '12 March 2024'.",
        _rewrite((rb"\b\d{1,2} (" + "|".join(calendar.month_name[1:]).encode() + rb") (\d{4})\b", rb"\1 \2")),
    ),
    (
        "improvements",
        "improvements lists head each case 'Reference number:' and call the pager's next link 'Older'.",
        _rewrite((rb"Case reference:", b"Reference number:"), (rb">Next<", b">Older<")),
    ),
    (
        "listing",
        "decision listings put the date first on each card's line: '12-Jan-2024 · Statement Upheld …'.",
        _rewrite(
            (
                rb"<p>((?:Statement|Report) [^<]*?) (\d{1,2}-[A-Za-z]{3}-\d{4})</p>",
                "<p>\\2 · \\1</p>".encode(),
            )
        ),
    ),
    (
        "decision",
        "decision pages label the date 'Date of decision' instead of 'Decision date'.",
        _rewrite((rb">Decision date<", b">Date of decision<")),
    ),
)
"""(resource kind, what changes, how): one redesign per kind of page the probe reads. Letter PDFs have none:
the replica renders them, and a reworded letter is the letter reader's own fault modes' business."""
