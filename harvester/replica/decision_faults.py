"""Fault modes of the decision pages (issue 24): a pager that never ends or comes back under another spelling,
a decision page printing another council's name, the same case at a second URL with other text, a report of a
thousand chapters.

Some of them serve a page at a URL the replica does not have: a `route` maps such a request target to the one
the replica renders (the fault then rewrites what it renders), or returns None for targets it leaves alone.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

if TYPE_CHECKING:
    from harvester.replica.server import Response

ENDLESS_PAGES = 10_000
"""The page the endless pager stops at: a crawler must have given up long before."""
LONG_REPORT_CHAPTERS = 1_000
RECATEGORISED = "-recategorised"
"""Added to a category's URL segment: the same case at a second URL, as a case moved between categories is."""
OTHER_COUNCIL = "Kent County Council"
OTHER_COUNCIL_FOR_KENT = "Surrey County Council"
_PAGER = re.compile(rb'<nav class="pager">.*?</nav>\n?', re.DOTALL)
_NEXT_LINK = re.compile(rb'<li><a href="[^"]*">Next</a></li>')
_CARD = re.compile(rb'<div class="result">\n.*?</div>\n', re.DOTALL)
_CARD_LINK = re.compile(rb'href="/decisions/([^/"]+)/')
REMEDIED_SUMMARY = b"already put things right"
"""How the replica's summary of a remedied case reads: such a case is linked from the remedy listing too."""
_DECISION_HEADING = re.compile(rb"(<h[12]>|<title>)[^<>(]+?( \(\d\d \d\d\d \d\d\d[a-z]?\))")
_DECISION_OUTCOME = re.compile(
    rb'(<span class="label">Decision</span> : <span class="value">)Upheld(</span>)'
)
_DECISION_OUTCOME_LIST = re.compile(rb"(<dt>Decision</dt><dd>)Upheld(</dd>)")
_FOUND_FAULT = b"I found fault causing injustice."
_CHAPTERS_ASIDE = re.compile(rb'(<aside class="chapters">.*?<ul>\n)', re.DOTALL)


def _query(path: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(path).query, keep_blank_values=True)


def _page_number(path: str) -> int:
    return int(dict(_query(path)).get("page", "1") or 1)


def _with_query(path: str, query: list[tuple[str, str]]) -> str:
    parts = urlsplit(path)
    return parts._replace(query=urlencode(query)).geturl()


def without_page(path: str) -> str:
    """A listing's URL key without its page number: every page of one listing is picked together."""
    return _with_query(path, [(name, value) for name, value in _query(path) if name != "page"])


def endless_listing_route(target: str) -> str | None:
    """Any page of a decision listing past the first is its first page again (the fault renumbers its pager)."""
    path = urlsplit(target).path.lower()
    if not (path.endswith("/listing") or path.endswith("/searchresults")) or _page_number(target) == 1:
        return None
    return without_page(target)


def endless_listing(response: Response, path: str, hang_seconds: float) -> Response:
    """Every page links a "Next" page, up to page 10,000, each showing the first page's cards."""
    number = _page_number(path)
    body = _PAGER.sub(b"", response.body)
    if number < ENDLESS_PAGES:
        href = _with_query(
            path, [*[(k, v) for k, v in _query(path) if k != "page"], ("page", str(number + 1))]
        )
        pager = f'<nav class="pager"><ul>\n<li><a href="{href}">Next</a></li>\n</ul></nav>\n'.encode()
        body = body.replace(b"</main>", pager + b"</main>", 1) if b"</main>" in body else body + pager
    return dataclasses.replace(response, body=body)


def respelled(path: str) -> str:
    """The same listing page in another spelling: path in capitals with a trailing slash, the query reordered and
    spaces as %20 (the site's paths are case-insensitive)."""
    parts = urlsplit(path)
    query = "&".join(f"{k}={v.replace(' ', '%20')}" for k, v in reversed(_query(path)))
    return f"{parts.path.upper()}/?{query}"


def listing_next_loop(response: Response, path: str, hang_seconds: float) -> Response:
    """The last page's "Next" goes back to the first page, spelled another way."""
    if _NEXT_LINK.search(response.body):
        return response
    first = respelled(without_page(path))
    pager = f'<nav class="pager"><ul>\n<li><a href="{first}">Next</a></li>\n</ul></nav>\n'.encode()
    body = response.body
    body = body.replace(b"</main>", pager + b"</main>", 1) if b"</main>" in body else body + pager
    return dataclasses.replace(response, body=body)


def other_council(response: Response, path: str, hang_seconds: float) -> Response:
    """The decision page's heading names Kent County Council (Surrey County Council on Kent's own pages)."""
    other = OTHER_COUNCIL_FOR_KENT if OTHER_COUNCIL.encode() in response.body else OTHER_COUNCIL
    body = _DECISION_HEADING.sub(lambda m: m.group(1) + other.encode() + m.group(2), response.body)
    return dataclasses.replace(response, body=body)


def recategorised_route(target: str) -> str | None:
    """A decision page under its category's second URL is rendered from its own (the fault then changes its text)."""
    parts = urlsplit(target)
    segments = parts.path.split("/")
    if len(segments) != 5 or segments[1].lower() != "decisions" or not segments[2].endswith(RECATEGORISED):
        return None
    segments[2] = segments[2].removesuffix(RECATEGORISED)
    return parts._replace(path="/".join(segments)).geturl()


def _recategorised_card(card: re.Match[bytes]) -> bytes:
    text = card.group(0)
    if b"<p>Statement " not in text or REMEDIED_SUMMARY not in text:
        return text
    return _CARD_LINK.sub(
        lambda m: b'href="/decisions/' + m.group(1) + RECATEGORISED.encode() + b"/", text, count=1
    )


def case_at_two_urls(response: Response, path: str, hang_seconds: float) -> Response:
    """Upheld listings link their remedied statements under a second URL, where the page says 'Not upheld' and
    'I found no fault.': the satisfactory remedy listing (always linked) links the same cases under their own
    category, with the real text."""
    if response.kind == "listing":
        if "/u/listing" not in path:
            return response
        return dataclasses.replace(response, body=_CARD.sub(_recategorised_card, response.body))
    if recategorised_route(path) is None:
        return response
    body = _DECISION_OUTCOME.sub(rb"\1Not upheld\2", response.body)
    body = _DECISION_OUTCOME_LIST.sub(rb"\1Not upheld\2", body).replace(_FOUND_FAULT, b"I found no fault.")
    return dataclasses.replace(response, body=body)


def long_report_route(target: str) -> str | None:
    """A chapter past a report's own is its first chapter again."""
    chapter = dict(_query(target)).get("chapter")
    if chapter is None or not chapter.isdigit() or int(chapter) <= 1:
        return None
    return _with_query(target, [(k, "1" if k == "chapter" else v) for k, v in _query(target)])


def long_report(response: Response, path: str, hang_seconds: float) -> Response:
    """A public report's pages link 1,000 chapters."""
    found = _CHAPTERS_ASIDE.search(response.body)
    if found is None:
        return response
    base = urlsplit(path).path
    links = "".join(
        f'<li><a href="{base}?chapter={n}">Chapter {n}</a></li>\n' for n in range(2, LONG_REPORT_CHAPTERS)
    )
    body = response.body[: found.end()] + links.encode() + response.body[found.end() :]
    return dataclasses.replace(response, body=body)
