"""The replica's decisions: the cases behind the figures, their statements, and which listing shows which.

Every service improvement's case and every public report has a decision page; for each statistics year
a statistics page can show, a council's upheld cases number what the page says ("N upheld decisions"),
and N' of them are the satisfactory remedy decisions the page counts, except at a few councils where
the listing and the page disagree on purpose, as they do on the real site (`DISAGREEMENTS`).

Pages (`harvester.replica.pages`) and ground truth (`harvester.replica.truth`) both read the statement
text from `statement(decision)`, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

from harvester.replica import build, facts, phrasebook, published
from harvester.replica.model import EPOCHS, Authority, Decision, Improvement, Report, Site

COMPOUND_OUTCOMES_BEFORE = dt.date(2016, 4, 1)
"""Older decisions print compound outcomes ("Upheld: maladministration and injustice") (§2.11, RECALLED)."""
UPHELD_COMPOUND = "Upheld: maladministration and injustice"
REPORT_CHAPTERS = (2, 3)
"""A public report's statement runs over this many pages, by the report's position."""
UPHELD_LISTING = "upheld"
REMEDY_LISTING = "remedy"
LISTINGS = (UPHELD_LISTING, REMEDY_LISTING)
DISAGREEMENTS = 5
"""Councils whose listing for the newest year disagrees with their statistics page by one case: the
first three over the upheld count (alternately one short and one over), the next two over the remedy count."""

REMEDIES = (
    "The Council has agreed to apologise to the complainant and pay £150 for the distress caused.",
    "The Council has agreed to pay £300 to recognise the uncertainty and the time and trouble caused.",
    "The Council has agreed to remind its staff of the statutory timescales.",
    "Within one month the Council will review the complainant's case and write to them with its decision.",
)


def decision_path(category: str, sub_category: str, case_ref: str) -> str:
    return f"/decisions/{build.slugify(category)}/{build.slugify(sub_category)}/{case_ref}"


def years_shown(authority: Authority) -> list[str]:
    """The statistics years the authority's page shows in some epoch: the years its listings cover."""
    return sorted(
        {min(authority.last_year, year) for year in EPOCHS.values() if authority.first_year <= year}
    )


def _in_year(day: dt.date, year: str) -> bool:
    first, last = build.year_bounds(year)
    return first <= day <= last


def _outcome(day: dt.date) -> str:
    return UPHELD_COMPOUND if day < COMPOUND_OUTCOMES_BEFORE else "Upheld"


def _categories(authority: Authority) -> tuple[list[str], list[float]]:
    services = (*phrasebook.SERVICES_BY_KIND[authority.kind], "corporate")
    names = [n for n, (_, service, _) in phrasebook.IMPROVEMENT_CATEGORIES.items() if service in services]
    weights = [build.CATEGORY_WEIGHTS[phrasebook.IMPROVEMENT_CATEGORIES[n][1]] for n in names]
    return names, weights


def _case(
    rng: random.Random, authority: Authority, decided: dt.date, used_refs: set[str], **fields
) -> Decision:
    names, weights = _categories(authority)
    category = fields.pop("category", None) or rng.choices(names, weights)[0]
    sub_category = fields.pop("sub_category", None) or rng.choice(
        phrasebook.IMPROVEMENT_CATEGORIES[category][2]
    )
    case_ref = fields.pop("case_ref", None) or build._case_ref(rng, decided, used_refs)
    values = dict(
        case_ref=case_ref,
        authority_slug=authority.slug,
        category=category,
        sub_category=sub_category,
        outcome=_outcome(decided),
        decision_date=decided,
        is_report=False,
        chapters=1,
        remedied=False,
        actions=(),
        path=decision_path(category, sub_category, case_ref),
    )
    return Decision(**(values | fields))


def _from_improvement(rng: random.Random, authority: Authority, improvement: Improvement) -> Decision:
    return _case(
        rng,
        authority,
        improvement.decision_date,
        set(),
        case_ref=improvement.case_ref,
        category=improvement.category,
        sub_category=improvement.sub_category,
        outcome=improvement.outcome,
        actions=improvement.actions,
        path=improvement.decision_path,
    )


def _upheld_room(site: Site, authority: Authority, cases: list[Decision]) -> dict[str, int]:
    """Per statistics year, how many more upheld decisions fit under the page's "N upheld decisions"."""
    room = {
        year: site.figures[authority.slug, year].upheld_decisions
        for year in build.years_between(authority.first_year, authority.last_year)
    }
    for case in cases:
        room[build.statistics_year(case.decision_date)] -= 1
    return room


def _for_authority(
    authority: Authority, seed: int, site: Site, used_refs: set[str], disagreement: tuple[str, int] | None
) -> tuple[list[Decision], list[Report]]:
    """The authority's decisions, and its reports re-pointed at their decision pages."""
    rng = random.Random(f"{seed}/{authority.slug}/decisions")
    cases = [_from_improvement(rng, authority, i) for i in site.improvements[authority.slug]]
    room = _upheld_room(site, authority, cases)
    reports = []
    for position, report in enumerate(site.reports[authority.slug]):
        decided = build.with_room(report.date - dt.timedelta(days=rng.randint(7, 40)), room)
        chapters = REPORT_CHAPTERS[position % len(REPORT_CHAPTERS)]
        remedy = tuple(rng.sample(REMEDIES, 2))
        case = _case(rng, authority, decided, used_refs, is_report=True, chapters=chapters, actions=remedy)
        cases.append(case)
        reports.append(dataclasses.replace(report, path=case.path))
    newest_year = years_shown(authority)[-1] if years_shown(authority) else None
    for year in years_shown(authority):
        figures = site.figures[authority.slug, year]
        first, last = build.year_bounds(year)
        wanted = figures.upheld_decisions
        if disagreement and disagreement[0] == UPHELD_LISTING and year == newest_year:
            wanted += disagreement[1]
        already = [c for c in cases if _in_year(c.decision_date, year)]
        for _ in range(max(0, wanted - len(already))):
            actions = tuple(rng.sample(REMEDIES, rng.choice((1, 2))))
            cases.append(
                _case(rng, authority, build._random_date(rng, first, last), used_refs, actions=actions)
            )
        in_year = [c for c in cases if _in_year(c.decision_date, year)]
        remedied_wanted = min(figures.remedy_decisions, len(in_year))
        if disagreement and disagreement[0] == REMEDY_LISTING and year == newest_year:
            remedied_wanted += disagreement[1]
        # Cases the council had already remedied: generated ones first, then improvements', then reports.
        improvement_refs = {i.case_ref for i in site.improvements[authority.slug]}
        candidates = sorted(in_year, key=lambda c: (c.is_report, c.case_ref in improvement_refs, c.case_ref))
        for case in candidates[:remedied_wanted]:
            keeps_actions = case.is_report or case.case_ref in improvement_refs
            cases[cases.index(case)] = dataclasses.replace(
                case, remedied=True, actions=case.actions if keeps_actions else ()
            )
    return sorted(cases, key=lambda c: (c.decision_date, c.case_ref), reverse=True), reports


def planned_disagreements(site: Site, seed: int) -> dict[str, tuple[str, int]]:
    """slug -> (listing, +1 or -1) for the few councils whose newest listing disagrees with their page."""
    rng = random.Random(f"{seed}/decision-disagreements")
    newest = EPOCHS[max(EPOCHS)]
    candidates = sorted(
        a.slug
        for a in site.authorities
        if not a.abolished
        and years_shown(a)
        and years_shown(a)[-1] == newest
        and site.figures[a.slug, newest].remedy_decisions >= 2
        and site.figures[a.slug, newest].upheld_decisions >= 10
    )
    chosen = rng.sample(candidates, DISAGREEMENTS)
    listings = [UPHELD_LISTING] * 3 + [REMEDY_LISTING] * (DISAGREEMENTS - 3)
    return {
        slug: (listing, -1 if i % 2 else 1)
        for i, (slug, listing) in enumerate(zip(chosen, listings, strict=True))
    }


def add_decisions(site: Site, seed: int) -> None:
    """Fill `site.decisions` and point each report at its decision page."""
    used_refs = {case[0] for case in facts.LUTON_IMPROVEMENTS} | {
        improvement.case_ref for improvements in site.improvements.values() for improvement in improvements
    }
    disagreements = planned_disagreements(site, seed)
    for authority in site.authorities:
        cases, reports = _for_authority(authority, seed, site, used_refs, disagreements.get(authority.slug))
        site.decisions[authority.slug] = cases
        site.reports[authority.slug] = reports


# --- what the site shows ---------------------------------------------------------------------


def decisions_in_epoch(site: Site, authority: Authority, epoch: int) -> list[Decision]:
    """Decision pages the site serves for the authority in the epoch: those published by then."""
    if published.page_year(site, authority, epoch) is None:
        return []
    published_by = published.publication_date(epoch)
    return [d for d in site.decisions[authority.slug] if d.decision_date <= published_by]


def listing_shown(site: Site, authority: Authority, epoch: int, listing: str) -> bool:
    """Whether the statistics page links the listing ("View upheld decisions" is missing on some)."""
    if published.page_year(site, authority, epoch) is None:
        return False
    return listing == REMEDY_LISTING or published.NO_UPHELD_LINK not in published.page_quirks(
        site, authority, epoch
    )


def listed(site: Site, authority: Authority, year: str, listing: str) -> list[Decision]:
    """The cards of a council's upheld (or satisfactory remedy) listing for a statistics year, newest first."""
    return [
        d
        for d in site.decisions[authority.slug]
        if _in_year(d.decision_date, year) and (listing == UPHELD_LISTING or d.remedied)
    ]


def summary(decision: Decision) -> str:
    subject = decision.sub_category.lower()
    if decision.remedied:
        return (
            f"The complainant said the Council was at fault in a matter about {subject}. The Council had "
            "already put things right before the complaint reached us, so we upheld it without further action."
        )
    return (
        f"The complainant said the Council was at fault in how it dealt with a matter about {subject}. We "
        "found fault causing injustice, which the Council has agreed to remedy."
    )


def chapter_title(number: int, chapters: int) -> str:
    return "Report summary" if number == 1 else ("Recommendations" if number == chapters else "Investigation")


def statement(decision: Decision) -> list[list[tuple[str, tuple[str, ...]]]]:
    """Per chapter, the statement's sections in order: (heading, paragraphs)."""
    subject = decision.sub_category.lower()
    found = (
        f"The Council accepted it had been at fault in its handling of the {subject} matter.",
        "I consider the delay caused the complainant avoidable distress and uncertainty.",
    )
    if decision.remedied:
        found = ("The Council accepted fault and had already apologised and paid a suitable sum.",)
    remedy_heading = "Remedy" if decision.is_report else "Agreed action"
    closing = [(remedy_heading, decision.actions)] if decision.actions else []
    closing.append(
        ("Final decision", ("I have completed my investigation. I found fault causing injustice.",))
    )
    opening = [
        ("The complaint", (f"The complainant complained about the Council’s handling of a {subject} matter.",)),
        ("The Ombudsman’s role and powers", ("We investigate complaints about ‘maladministration’ and "
                                             "‘service failure’.",)),
    ]  # fmt: skip
    investigation = [("What I found", found)]
    if decision.chapters == 1:
        return [opening + investigation + closing]
    middle = [[("How I considered this complaint", ("I considered the Council’s records.",)), *investigation]]
    return [opening, *middle * (decision.chapters - 2), closing]


def statement_text(decision: Decision) -> str:
    """The statement as a crawler stores it: every chapter, headings kept, one paragraph per line."""
    return "\n".join(
        line
        for chapter in statement(decision)
        for heading, paragraphs in chapter
        for line in (heading, *paragraphs)
    )


def remedy_text(decision: Decision) -> str | None:
    return "\n".join(decision.actions) if decision.actions else None


# --- ground truth ------------------------------------------------------------------------------


def truth_rows(site: Site, authority: Authority, epoch: int, base_url: str) -> dict[str, list[dict]]:
    """`decisions` and `decision_listings` rows a perfect crawl stores for one reachable authority."""
    year = published.page_year(site, authority, epoch)
    if year is None:
        return {"decisions": [], "decision_listings": []}
    reached = [i.case_ref for i in published.improvements_in_epoch(site, authority, epoch)]
    reached += [r.path.rsplit("/", 1)[-1] for r in published.reports_in_epoch(site, authority, epoch)]
    listings = []
    for listing in LISTINGS:
        if not listing_shown(site, authority, epoch, listing):
            continue
        cards = [decision.case_ref for decision in listed(site, authority, year, listing)]
        reached += cards
        listings.append(
            {
                "authority_slug": authority.slug,
                "year": year,
                "listing": listing,
                "listed": len(cards),
                "case_refs": json.dumps(cards),
            }
        )
    by_ref = {d.case_ref: d for d in decisions_in_epoch(site, authority, epoch)}
    rows = []
    for case_ref in dict.fromkeys(reached):
        decision = by_ref[case_ref]
        rows.append(
            {
                "case_ref": case_ref,
                "authority_slug": authority.slug,
                "category": decision.category,
                "sub_category": decision.sub_category,
                "outcome": decision.outcome,
                "outcome_group": "upheld",
                "decision_date": decision.decision_date.isoformat(),
                "is_report": int(decision.is_report),
                "chapters": decision.chapters,
                "summary": summary(decision),
                "text": statement_text(decision),
                "remedy": remedy_text(decision),
                "url": base_url + decision.path,
            }
        )
    return {"decisions": rows, "decision_listings": listings}
