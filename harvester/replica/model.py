"""What the replica knows: authorities, their figures per year, reports, improvements, letters.

`harvester.replica.site.build_site(seed)` fills a `Site` deterministically; the HTML pages
(`harvester.replica.pages`), the letter PDFs (`harvester.replica.letters`) and the ground
truth (`harvester.replica.truth`) are all rendered from it, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STATISTICS_YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2013, 2025)]
"""'2013-14' ... '2024-25': the years letters exist for."""

EPOCHS = {2023: "2022-23", 2024: "2023-24", 2025: "2024-25"}
"""Template epoch -> the newest statistics year published in it."""

MAX_SCALE = 10
"""Most copies of every authority a scaled replica serves (`build.scale_site`): case references 'YY-NNN-NNN'
have room for that many in their middle group."""

AUTHORITY_KINDS = ("County", "District", "Metropolitan", "Unitary", "London Borough")


@dataclass(frozen=True)
class Authority:
    slug: str
    """As the site writes it, case included."""
    name: str
    """The Ombudsman's display name."""
    kind: str
    """One of AUTHORITY_KINDS: the group whose average the pages quote."""
    abolished: bool
    first_year: str
    """First statistics year the site has figures and a letter for."""
    last_year: str
    """Last statistics year with figures (abolished councils: frozen here)."""
    population: int | None
    """Residents, for the per-100,000 figures."""
    predecessor_slugs: tuple[str, ...] = ()
    """Merger box links, in the order shown; may name a slug the site no longer has (a 404)."""
    gss_code: str | None = None
    letters_until: str | None = None
    """Last year with an annual letter when earlier than last_year: a council the site keeps attributing
    decisions to after its abolition (facts.FIGURES_AFTER_ABOLITION)."""

    @property
    def last_letter_year(self) -> str:
        return self.letters_until or self.last_year

    def after_abolition(self, year: str) -> bool:
        """A year the page shows after the council's last letter: no averages, no per-100k lines."""
        return year > self.last_letter_year


@dataclass(frozen=True)
class Figures:
    """One authority's figures for one statistics year: the truth every page and letter renders."""

    year: str
    investigations: int
    upheld_decisions: int
    upheld_pct: int
    upheld_avg_pct: int | None
    """None: the page prints "n/a" (a council with no group of similar authorities)."""
    compliance_outcomes: int
    compliance_pct: int | None
    """None when no outcomes were due."""
    compliance_avg_pct: int | None
    remedy_decisions: int
    remedy_pct: int
    remedy_avg_pct: int | None
    upheld_per_100k: float | None = None
    """From 2022-23."""
    upheld_per_100k_avg: float | None = None
    complaints_dealt_with: int | None = None
    """From 2024-25."""
    not_for_us: int | None = None
    assessed_and_closed: int | None = None
    received_by_category: dict[str, int] = field(default_factory=dict)
    """Table era (2013-14 to 2017-18): complaints and enquiries received, by category."""
    decided_by_outcome: dict[str, int] = field(default_factory=dict)
    """Table era: decisions made, by outcome."""


@dataclass(frozen=True)
class Report:
    title: str
    summary: str
    path: str
    """Site path the listing links to (a news article)."""
    date: dt.date


@dataclass(frozen=True)
class Improvement:
    case_ref: str
    """'YY-NNN-NNN'."""
    category: str
    sub_category: str
    category_id: int
    """The numeric id the list page's category filter uses."""
    year: int
    """Year the improvement was agreed: the list page's year filter."""
    actions: tuple[str, ...]
    decision_path: str
    """'/decisions/{category-slug}/{sub-category-slug}/{YY-NNN-NNN}'."""
    decision_date: dt.date
    outcome: str


@dataclass(frozen=True)
class Decision:
    """A published decision (§2.11): a service improvement's case, a public report, or another upheld case."""

    case_ref: str
    """'YY-NNN-NNN', with a letter on a joint case with the health ombudsman ('17-002-402b')."""
    authority_slug: str
    category: str
    sub_category: str
    outcome: str
    """As printed: 'Upheld', an older compound outcome ('Upheld: maladministration and injustice'), 'Not upheld' or
    'Closed after initial enquiries'."""
    decision_date: dt.date
    is_report: bool
    """A public report: its statement runs over `chapters` pages (`?chapter=N`)."""
    chapters: int
    remedied: bool
    """Listed under "View all satisfactory remedy decisions": the council had remedied it already."""
    actions: tuple[str, ...]
    """The "Agreed action" section's paragraphs; none for a case remedied before it reached us."""
    path: str
    """'/decisions/{category-slug}/{sub-category-slug}/{YY-NNN-NNN}'."""
    body: str | None = None
    """The body the decision is about when it is not the authority: a care provider, an NHS trust."""
    satisfied: dt.date | None = None
    """A report's "Ombudsman satisfied with Council's response" date; the site prints it from that day."""


@dataclass(frozen=True)
class Letter:
    year: str
    """Statistics year covered."""
    title: str
    """'Annual Review letter 2020' for 2019-20."""
    letter_date: dt.date
    addressee_name: str
    """'Mr Porter'."""
    addressee_role: str
    """'Chief Executive'."""
    signatory: str
    signatory_titles: tuple[str, ...]
    public_report_sentence: str | None
    """The body sentence mentioning a public report, when there was one."""
    pdf_path: str
    """'/assets/attach/{id}/{filename}.pdf'."""
    has_statistics_section: bool = True
    """False for the renderings that stop at the signature."""


@dataclass
class Site:
    seed: int
    authorities: list[Authority]
    figures: dict[tuple[str, str], Figures]
    """(slug, year) -> figures."""
    reports: dict[str, list[Report]]
    improvements: dict[str, list[Improvement]]
    """Newest case first."""
    letters: dict[str, list[Letter]]
    """Oldest year first."""
    decisions: dict[str, list[Decision]] = field(default_factory=dict)
    """Every decision page the site has for an authority, newest first (see harvester.replica.decisions)."""
    searched_only: dict[str, list[Decision]] = field(default_factory=dict)
    """Decisions only an authority's decision search shows, newest first: about care providers and NHS trusts, and
    its own not upheld and closed-after-initial-enquiries decisions (its figures and listings count upheld ones)."""
