"""The index of councils ("Your council's performance"): every link to an authority's statistics page.

This module owns the shape of the site's authority URLs; the other page parsers import it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from harvester.items import Authority
from harvester.pages.html import PageLayoutError, page_text

AUTHORITY_PATH = re.compile(r"/your-councils-performance/(?P<slug>[^/?#]+)(?:/.*)?", re.IGNORECASE)
"""Any page under an authority: statistics, annual letters, reports, service improvements."""
STATISTICS_PATH = re.compile(r"/your-councils-performance/(?P<slug>[^/?#]+)/statistics/?", re.IGNORECASE)
SLUG_SHAPE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
"""Every slug SEEN, and every one in the register: words of letters and digits joined by single hyphens
('luton-borough-council', 'North-Northamptonshire-Council')."""
MAX_SLUG_LENGTH = 120
"""The longest in the register is 46."""


class NotASlug(ValueError):
    """A link to a statistics page whose slug is not of the site's shape (a decoded newline, say)."""


def checked_slug(slug: str) -> str:
    """SLUG, if it has the site's shape; a slug a link carries is decoded text from the site, and becomes a
    key, a stored value and a log line only once it is known to be plain."""
    if len(slug) > MAX_SLUG_LENGTH or not SLUG_SHAPE.fullmatch(slug):
        raise NotASlug(
            f"not a slug of the site's shape (words of letters and digits joined by hyphens): {slug[:200]!r}"
        )
    return slug


def slug_from_authority_url(url: str) -> str:
    """The slug, case kept, of any page under /your-councils-performance/{slug}/ (any host)."""
    match = AUTHORITY_PATH.fullmatch(urlsplit(url).path)
    if match is None:
        raise ValueError(f"not an authority page URL (/your-councils-performance/{{slug}}/...): {url!r}")
    return unquote(match.group("slug"))


def slug_from_statistics_url(url: str) -> str:
    """'https://lgo.org.uk/your-councils-performance/North-Northamptonshire-Council/statistics/'
    -> 'North-Northamptonshire-Council'."""
    match = STATISTICS_PATH.fullmatch(urlsplit(url).path)
    if match is None:
        raise ValueError(
            f"not a statistics page URL (/your-councils-performance/{{slug}}/statistics): {url!r}"
        )
    return unquote(match.group("slug"))


def statistics_url(base_url: str, slug: str) -> str:
    """The statistics page of an authority whose slug is known (the shape is SEEN on the real site)."""
    return f"{base_url.rstrip('/')}/your-councils-performance/{slug}/statistics"


def is_statistics_url(url: str) -> bool:
    return STATISTICS_PATH.fullmatch(urlsplit(url).path) is not None


def parse_index(html: str | bytes, url: str) -> list[Authority]:
    """Each authority the index links to, in page order; a slug linked twice (any case) counts once.
    An index without any statistics link is a layout change and raises PageLayoutError."""
    authorities: dict[str, Authority] = {}
    for link in page_text(html, url).links:
        if not is_statistics_url(link.href) or not link.text:
            continue
        slug = slug_from_statistics_url(link.href)
        authorities.setdefault(slug.lower(), Authority(slug=slug, name=link.text, url=link.href))
    if not authorities:
        raise PageLayoutError(url, "no links to /your-councils-performance/{slug}/statistics")
    return list(authorities.values())
