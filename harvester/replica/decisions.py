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
from harvester.replica.payments import MORE_REMEDIES

COMPOUND_OUTCOMES_BEFORE = dt.date(2016, 4, 1)
"""Older decisions print compound outcomes ("Upheld: maladministration and injustice") (§2.11, RECALLED)."""
UPHELD_COMPOUND = "Upheld: maladministration and injustice"
REPORT_CHAPTERS = (2, 3)
"""A public report's pages, its landing page and chapters (`?chapter=N`), by the report's position."""
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


def _with_another_payment_wording(case: Decision) -> Decision:
    """Every seventh generated case also agrees to one of the other payment wordings real decisions use
    (payments.MORE_REMEDIES), picked by its reference so that the replica's random draws stay as they were."""
    number = int(case.case_ref[-3:])
    if number % 7:
        return case
    wording = MORE_REMEDIES[number // 7 % len(MORE_REMEDIES)]
    return dataclasses.replace(case, actions=(*case.actions, wording))


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
        # The council's response satisfies the Ombudsman some months after the report (NULL until then).
        case = dataclasses.replace(case, satisfied=report.date + dt.timedelta(days=45 + int(case.case_ref[-3:]) % 120))
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
            case = _case(rng, authority, build._random_date(rng, first, last), used_refs, actions=actions)
            cases.append(_with_another_payment_wording(case))
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
    """Fill `site.decisions` and `site.searched_only`, and point each report at its decision page."""
    used_refs = {case[0] for case in facts.LUTON_IMPROVEMENTS} | {
        improvement.case_ref for improvements in site.improvements.values() for improvement in improvements
    }
    disagreements = planned_disagreements(site, seed)
    for authority in site.authorities:
        cases, reports = _for_authority(authority, seed, site, used_refs, disagreements.get(authority.slug))
        site.decisions[authority.slug] = cases
        site.reports[authority.slug] = reports
    for authority in site.authorities:
        searched = _other_bodies(site, authority, seed, used_refs) + _not_upheld(authority, seed, used_refs)
        site.searched_only[authority.slug] = sorted(searched, key=lambda c: (c.decision_date, c.case_ref), reverse=True)


OTHER_BODIES_SHARE = 0.15
"""Of the councils with adult social care, the share whose decision search also shows a joint case with an NHS
trust (the council's case 'a', the trust's 'b') and a decision about a care provider (§2.13)."""
CARE_PROVIDERS = ("Barchester Healthcare Homes Limited", "Sunrise Care Homes Limited", "Hillgrove Care Limited")
NOT_UPHELD = "Not upheld"
CLOSED_EARLY = "Closed after initial enquiries"
OUTCOME_GROUPS = {NOT_UPHELD: "not upheld", CLOSED_EARLY: "closed early"}
"""outcome_group of the outcomes that are not upheld; every other outcome the replica prints is upheld."""


def outcome_group(decision: Decision) -> str:
    return OUTCOME_GROUPS.get(decision.outcome, "upheld")


def _other_bodies(site: Site, authority: Authority, seed: int, used_refs: set[str]) -> list[Decision]:
    """Decisions about bodies that are not councils, shown by the council's decision search only: they count in
    none of its figures. One of its own generated cases becomes the council's half of a joint case."""
    rng = random.Random(f"{seed}/{authority.slug}/other-bodies")
    cases = site.decisions[authority.slug]
    improvement_refs = {improvement.case_ref for improvement in site.improvements[authority.slug]}
    generated = [
        n for n, c in enumerate(cases)
        if c.category == "Adult care services" and c.actions and not (c.is_report or c.remedied)
        and c.case_ref not in improvement_refs
    ]  # fmt: skip
    if "care" not in phrasebook.SERVICES_BY_KIND[authority.kind] or not generated:
        return []
    if rng.random() >= OTHER_BODIES_SHARE:
        return []
    council_case = cases[rng.choice(generated)]
    joint_ref = council_case.case_ref + "a"
    cases[cases.index(council_case)] = dataclasses.replace(
        council_case, case_ref=joint_ref,
        path=decision_path(council_case.category, council_case.sub_category, joint_ref),
    )  # fmt: skip
    trust_ref = council_case.case_ref + "b"
    trust = dataclasses.replace(
        council_case, case_ref=trust_ref, category="Health", sub_category="Other", remedied=False,
        body=f"{build.place_name(authority.name)} Hospitals NHS Foundation Trust",
        path=decision_path("Health", "Other", trust_ref),
    )  # fmt: skip
    decided = council_case.decision_date - dt.timedelta(days=rng.randint(3, 60))
    provider = _case(
        rng, authority, max(decided, dt.date(2019, 4, 1)), used_refs, category="Adult care services",
        sub_category="Residential care", body=rng.choice(CARE_PROVIDERS),
        actions=(REMEDIES[0].replace("Council", "Care Provider"),),
    )  # fmt: skip
    return [trust, provider]


def _not_upheld(authority: Authority, seed: int, used_refs: set[str]) -> list[Decision]:
    """One not upheld and one closed-after-initial-enquiries decision in the authority's newest year, which only
    its decision search shows (the listings show upheld and remedied cases)."""
    years = years_shown(authority)
    if not years:
        return []
    rng = random.Random(f"{seed}/{authority.slug}/not-upheld")
    first, last = build.year_bounds(years[-1])
    return [
        _case(rng, authority, build._random_date(rng, first, min(last, build.LAST_DECISION_DATE)), used_refs,
              outcome=outcome)  # fmt: skip
        for outcome in (NOT_UPHELD, CLOSED_EARLY)
    ]


# --- what the site shows ---------------------------------------------------------------------


def decisions_in_epoch(site: Site, authority: Authority, epoch: int, searched: bool = False) -> list[Decision]:
    """Decision pages the site serves for the authority in the epoch: those published by then; with `searched`,
    those only its decision search shows too (`Site.searched_only`), newest first."""
    if published.page_year(site, authority, epoch) is None:
        return []
    published_by = published.publication_date(epoch)
    cases = site.decisions[authority.slug] + (site.searched_only.get(authority.slug, []) if searched else [])
    shown = [d for d in cases if d.decision_date <= published_by]
    return sorted(shown, key=lambda c: (c.decision_date, c.case_ref), reverse=True) if searched else shown


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
    if decision.outcome == NOT_UPHELD:
        return f"The complainant said the Council was at fault in a matter about {subject}. We did not find fault."
    if decision.outcome == CLOSED_EARLY:
        return (f"We will not investigate this complaint about {subject}. We are unlikely to find fault, and "
                "the complainant could have appealed.")  # fmt: skip
    if decision.remedied:
        return (
            f"The complainant said the Council was at fault in a matter about {subject}. The Council had "
            "already put things right before the complaint reached us, so we upheld it without further action."
        )
    return (
        f"The complainant said the Council was at fault in how it dealt with a matter about {subject}. We "
        "found fault causing injustice, which the Council has agreed to remedy."
    )


TEMPLATES = ("classic", "plain", "other")
"""How a statement is marked up (§2.13: the same page renders with and without "Back to top", with a table of
contents, and a site in other markup has neither):
- classic: `<article>`, header as label/value spans, "The Ombudsman's final decision:", `<h2>` sections of `<ol>`
  paragraphs each followed by "Back to top";
- plain: the same header, an "On this page" table of contents, headings in `<p><strong>`, no "Back to top";
- other: a `<div>`, header as a `<dl>`, no "final decision" line, `<h3>` sections, no "Back to top"."""


def template(decision: Decision) -> str:
    """A statement's template, fixed by its case reference; a public report has a shape of its own."""
    return TEMPLATES[int(decision.case_ref[9]) * len(TEMPLATES) // 10]


def body_name(decision: Decision, authority: Authority) -> str:
    """The body the decision is about, as its page prints it."""
    return decision.body or authority.name


def chapter_title(number: int) -> str:
    """A report's page title in its chapter list: 0 is the landing page."""
    return "Report summary" if number == 0 else f"Chapter {number}"


def statement(decision: Decision) -> list[list[tuple[str, tuple[str, ...]]]]:
    """A statement's sections in order, (heading, paragraphs); a report's, per chapter after its landing page
    (`report_chapters`)."""
    if decision.is_report:
        return report_chapters(decision)
    subject = decision.sub_category.lower()
    found = (
        f"The Council accepted it had been at fault in its handling of the {subject} matter.",
        "I consider the delay caused the complainant avoidable distress and uncertainty.",
    )
    if decision.remedied:
        found = ("The Council accepted fault and had already apologised and paid a suitable sum.",)
    verdict = "I have completed my investigation. I found fault causing injustice."
    if decision.outcome == NOT_UPHELD:
        found, verdict = (f"The Council dealt with the {subject} matter as its policy says.",), "I found no fault."
    elif decision.outcome == CLOSED_EARLY:
        found = ("We will not investigate, as we are unlikely to find fault.",)
        verdict = "I have decided not to investigate this complaint."
    closing = [("Agreed action", decision.actions)] if decision.actions else []
    closing.append(("Final decision", (verdict,)))
    opening = [
        ("The complaint", (f"The complainant complained about the Council’s handling of a {subject} matter.",)),
        ("The Ombudsman’s role and powers", ("We investigate complaints about ‘maladministration’ and "
                                             "‘service failure’.",)),
    ]  # fmt: skip
    return [opening + [("What I found", found)] + closing]


def report_chapters(decision: Decision) -> list[list[tuple[str, tuple[str, ...]]]]:
    """A public report's chapters after its landing page (§2.13): "The Investigation", "Legal and administrative
    background", numbered paragraphs, the recommendations (the agreed actions) last."""
    subject = decision.sub_category.lower()
    first = [
        ("The Investigation", ()),
        ("The complaint", (f"The complainant, Ms X, complained about the Council’s handling of a {subject} matter.",)),
        ("Legal and administrative background", ()),
        ("The Ombudsman’s role and powers", ("We investigate complaints about ‘maladministration’ and "
                                             "‘service failure’. In this report, we have used the word ‘fault’.",)),
    ]  # fmt: skip
    middle = [("What we found", (f"The Council did not follow its own procedure on {subject}.",
                                  "This caused Ms X avoidable distress and uncertainty."))]  # fmt: skip
    last = [
        ("Conclusions", ("The Council was at fault and this caused injustice.",)),
        ("Recommendations", decision.actions),
        ("Decision", ("We have completed our investigation. There was fault by the Council causing injustice.",)),
    ]
    chapters = [first, *[middle] * (decision.chapters - 3), last] if decision.chapters > 2 else [first + last]
    number = 0
    numbered = []
    for sections in chapters:
        chapter = []
        for heading, paragraphs in sections:
            if heading == "Recommendations":
                chapter.append((heading, paragraphs))  # the agreed actions, printed as on the landing page
                continue
            numbers = range(number + 1, number + 1 + len(paragraphs))
            chapter.append((heading, tuple(f"{n}. {p}" for n, p in zip(numbers, paragraphs, strict=True))))
            number += len(paragraphs)
        numbered.append(chapter)
    return numbered


REPORT_VERDICT = "The Ombudsman upheld the complaint, finding fault causing injustice."


def satisfied_shown(decision: Decision, epoch: int) -> dt.date | None:
    """The day the Ombudsman was satisfied with the council's response, once the site prints it."""
    satisfied = decision.satisfied
    return satisfied if satisfied and satisfied <= published.publication_date(epoch) else None


def report_landing(decision: Decision, epoch: int) -> list[str]:
    """A report's landing page after its summary (§2.13): verdict, "The Council has agreed to:" and the actions,
    and once it is so "Ombudsman satisfied with Council's response: {D Month YYYY}."."""
    lines = [REPORT_VERDICT, "The Council has agreed to:", *decision.actions]
    satisfied = satisfied_shown(decision, epoch)
    if satisfied:
        lines.append(f"Ombudsman satisfied with Council's response: {satisfied.day} {satisfied:%B %Y}.")
    return lines


def statement_text(decision: Decision, epoch: int = max(EPOCHS)) -> str:
    """The statement as a crawler stores it: every chapter, headings kept, one paragraph per line."""
    landing = report_landing(decision, epoch) if decision.is_report else []
    return "\n".join(
        [*landing]
        + [line for chapter in statement(decision) for heading, paragraphs in chapter for line in (heading, *paragraphs)]
    )


def remedy_text(decision: Decision) -> str | None:
    return "\n".join(decision.actions) if decision.actions else None


# --- ground truth ------------------------------------------------------------------------------


def truth_rows(
    site: Site, authority: Authority, epoch: int, base_url: str, searched: bool = False
) -> dict[str, list[dict]]:
    """`decisions` and `decision_listings` rows a perfect crawl stores for one reachable authority; with `searched`,
    also every decision its decision search shows (`harvester crawl --decisions-since` from before the first)."""
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
    shown = decisions_in_epoch(site, authority, epoch, searched=searched)
    by_ref = {d.case_ref: d for d in shown}
    if searched:
        reached += list(by_ref)
    rows = []
    for case_ref in dict.fromkeys(reached):
        decision = by_ref[case_ref]
        satisfied = satisfied_shown(decision, epoch)
        rows.append(
            {
                "case_ref": case_ref,
                "authority_slug": None if decision.body else authority.slug,
                "body_name": body_name(decision, authority),
                "category": decision.category,
                "sub_category": decision.sub_category,
                "outcome": decision.outcome,
                "outcome_group": outcome_group(decision),
                "decision_date": decision.decision_date.isoformat(),
                "is_report": int(decision.is_report),
                "chapters": decision.chapters,
                "summary": summary(decision),
                "text": statement_text(decision, epoch),
                "remedy": remedy_text(decision),
                "satisfied_date": satisfied.isoformat() if satisfied else None,
                "url": base_url + decision.path,
            }
        )
    return {"decisions": rows, "decision_listings": listings}
