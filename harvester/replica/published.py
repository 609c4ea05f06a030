"""What the replica shows in each epoch: which councils, which year, which links, which quirks.

An epoch (model.EPOCHS: 2023, 2024, 2025) is the site as it stood between one July's annual
publication and the next; its newest statistics year is EPOCHS[epoch]. The page renderer
(`harvester.replica.pages`) and the ground truth (`harvester.replica.truth`) both ask this module,
so what a page shows and what a perfect crawl should store cannot drift apart.

Rendering quirks (`page_quirks`), each a name the page renderer keys on:

- ``per100k_percent_typo``: the per-100k sentence carries a stray "%" ("this is 3.9% upheld
  decisions per 100,000 residents."), as in the early 2025 snapshot (site notes §2.4). Epoch 2025
  only, at the councils of `facts.EARLY_T2025_SNAPSHOT`.
- ``no_upheld_link``: no "View upheld decisions" link on the page; same councils and epoch.
- ``merger_name_typo``: the merger box opens "Westmorland & furness Council is a merger …"
  instead of the council's name (site notes §2.1, SEEN), wherever that box is shown.

Which figures a page gives (`shows_per_100k`, `shows_complaint_overview`, `compliance_none_due`)
follows the statistics year and the epoch's template, per docs/replica-wording.md.
"""

from __future__ import annotations

import datetime as dt

from harvester.replica import facts
from harvester.replica.build import COMPLAINT_OVERVIEW_FROM, PER_100K_FROM
from harvester.replica.model import EPOCHS, Authority, Figures, Improvement, Letter, Report, Site

PER100K_PERCENT_TYPO = "per100k_percent_typo"
NO_UPHELD_LINK = "no_upheld_link"
MERGER_NAME_TYPO = "merger_name_typo"

MERGER_NAME_TYPO_AUTHORITIES = ("westmorland-and-furness-council",)
"""Councils whose merger box misprints their own name (SEEN)."""


class UnknownEpoch(KeyError):
    """An epoch the replica does not model."""


def epoch_year(epoch: int) -> str:
    """The newest statistics year published in an epoch: 2025 -> '2024-25'."""
    try:
        return EPOCHS[epoch]
    except KeyError:
        raise UnknownEpoch(f"epoch {epoch} is not one of {sorted(EPOCHS)}") from None


def publication_date(epoch: int) -> dt.date:
    """The day the epoch's annual data went on the site; casework after it is not shown."""
    return facts.PUBLICATION_DATES[epoch_year(epoch)]


def index_authorities(site: Site, epoch: int) -> list[Authority]:
    """The councils the index lists: current ones that have begun, and abolished ones in the year of their last
    letter (later years, if the site shows any, are reached through their successors' merger boxes)."""
    year = epoch_year(epoch)
    listed = [
        authority
        for authority in site.authorities
        if (authority.last_letter_year == year if authority.abolished else authority.first_year <= year)
    ]
    return sorted(listed, key=lambda authority: authority.name.casefold())


def find_authority(site: Site, slug: str) -> Authority | None:
    """The authority a slug names, matched case-insensitively as the site does."""
    folded = slug.casefold()
    return next((authority for authority in site.authorities if authority.slug.casefold() == folded), None)


def page_year(site: Site, authority: Authority, epoch: int) -> str | None:
    """The statistics year the authority's page shows in the epoch; None when it has no page yet."""
    year = epoch_year(epoch)
    if authority.first_year > year:
        return None
    return min(authority.last_year, year)


def page_figures(site: Site, authority: Authority, epoch: int) -> Figures | None:
    """The figures the authority's statistics page shows in the epoch."""
    year = page_year(site, authority, epoch)
    return None if year is None else site.figures[authority.slug, year]


def predecessors_shown(site: Site, authority: Authority, epoch: int) -> list[str]:
    """Merger-box link slugs, as written (case and all); none when the successor has no page yet."""
    if page_year(site, authority, epoch) is None:
        return []
    return list(authority.predecessor_slugs)


def letters_in_epoch(site: Site, authority: Authority, epoch: int) -> list[Letter]:
    """Letters listed on the authority's annual letters page, oldest first."""
    year = page_year(site, authority, epoch)
    if year is None:
        return []
    return [letter for letter in site.letters[authority.slug] if letter.year <= year]


def reports_in_epoch(site: Site, authority: Authority, epoch: int) -> list[Report]:
    """Reports published by the epoch's publication date, newest first."""
    if page_year(site, authority, epoch) is None:
        return []
    published_by = publication_date(epoch)
    return [report for report in site.reports[authority.slug] if report.date <= published_by]


def improvements_in_epoch(site: Site, authority: Authority, epoch: int) -> list[Improvement]:
    """Service improvements decided by the epoch's publication date, newest case reference first."""
    if page_year(site, authority, epoch) is None:
        return []
    published_by = publication_date(epoch)
    return [
        improvement
        for improvement in site.improvements[authority.slug]
        if improvement.decision_date <= published_by
    ]


def page_quirks(site: Site, authority: Authority, epoch: int) -> frozenset[str]:
    """The rendering quirks of the authority's statistics page in the epoch (see the module docstring)."""
    quirks = set()
    if epoch == 2025 and authority.slug in facts.EARLY_T2025_SNAPSHOT:
        quirks |= {PER100K_PERCENT_TYPO, NO_UPHELD_LINK}
    if authority.slug in MERGER_NAME_TYPO_AUTHORITIES and predecessors_shown(site, authority, epoch):
        quirks.add(MERGER_NAME_TYPO)
    return frozenset(quirks)


def shows_per_100k(year: str) -> bool:
    """Whether a page for this statistics year gives upheld decisions per 100,000 residents."""
    return year >= PER_100K_FROM


def shows_complaint_overview(year: str) -> bool:
    """Whether a page for this statistics year opens with the complaint overview (dealt with …)."""
    return year >= COMPLAINT_OVERVIEW_FROM


def compliance_none_due(figures: Figures, epoch: int) -> bool:
    """Whether the compliance block reads "No recommendations were due for compliance in this period".

    T2025 says so for zero outcomes; T2023 and T2024 print "0%", the average and "0 compliance outcomes".
    """
    return figures.compliance_outcomes == 0 and epoch >= 2025
