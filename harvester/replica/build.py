"""Builds the replica's `Site`: every authority in the register, with figures, reports, improvements, letters.

`build_site_without_decisions(seed)` is deterministic: each authority draws from its own `random.Random` seeded by
the seed and its slug, so one council's data does not shift when another's changes. The seen
facts of `harvester.replica.facts` are laid in exactly and the generator fills in around them;
the build fails loudly when a seen percentage or average does not follow from the counts.

Percentages are counts over bases rounded half up (`percent`); averages are the same for every
council of a kind in a year: the seen average where the site notes give one, otherwise the
aggregate rate over all councils of that kind (sum over sum, rounded half up).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import re
from collections.abc import Iterable

from harvester.register import RegisterEntry, load_register
from harvester.replica import facts, phrasebook
from harvester.replica.model import (
    MAX_SCALE,
    STATISTICS_YEARS,
    Authority,
    Figures,
    Improvement,
    Letter,
    Report,
    Site,
)

FIRST_YEAR = STATISTICS_YEARS[0]
LATEST_YEAR = STATISTICS_YEARS[-1]
PER_100K_FROM = "2022-23"
"""First year the site quotes upheld decisions per 100,000 residents."""
COMPLAINT_OVERVIEW_FROM = "2024-25"
"""First year the site gives complaints dealt with / not for us / assessed and closed."""
TABLE_ERA_YEARS = STATISTICS_YEARS[: STATISTICS_YEARS.index("2017-18") + 1]
"""Letters for these years carry the received/decided tables (site notes §3.8)."""
IMPROVEMENTS_SINCE = dt.date(2018, 4, 1)
"""'Since April 2018, the Council has agreed to make the following improvements …'."""
REPORTS_SINCE = dt.date(2014, 4, 1)
LAST_DECISION_DATE = facts.PUBLICATION_DATES[LATEST_YEAR] - dt.timedelta(days=14)
"""Nothing is decided after the newest epoch's publication."""

RECEIVED_CATEGORIES = (
    "Adult Care Services",
    "Benefits and Tax",
    "Corporate and Other Services",
    "Education and Children's Services",
    "Environmental Services & Public Protection & Regulation",
    "Highways and Transport",
    "Housing",
    "Planning and Development",
    "Other",
)
"""The table-era 'Complaints and enquiries received' columns (site notes §3.8)."""

DECIDED_OUTCOMES = (
    "Upheld",
    "Not Upheld",
    "Advice Given",
    "Closed After Initial Enquiries",
    "Incomplete or Invalid",
    "Referred back for Local Resolution",
)
"""The table-era 'Decisions made' columns (site notes §3.8)."""

# Rates that shape the generated figures. Invented to land near the seen figures and averages.
INVESTIGATIONS_PER_100K = {
    "County": 4.3,
    "District": 2.4,
    "Metropolitan": 6.2,
    "Unitary": 5.8,
    "London Borough": 10.0,
}
YEAR_VOLUME = dict(
    zip(STATISTICS_YEARS, (1.25, 1.35, 1.45, 1.5, 1.5, 1.45, 1.45, 0.95, 1.25, 1.0, 1.0, 1.05), strict=True)
)
"""Investigations relative to 2022-23: more before the 2022-23 change of approach, fewer in Covid 2020-21."""
UPHOLD_RATE = dict(
    zip(
        STATISTICS_YEARS, (0.46, 0.51, 0.54, 0.54, 0.57, 0.58, 0.61, 0.67, 0.66, 0.74, 0.8, 0.83), strict=True
    )
)
KIND_UPHOLD_OFFSET = {
    "County": 0.05,
    "District": -0.12,
    "Metropolitan": 0.02,
    "Unitary": 0.0,
    "London Borough": 0.0,
}
KIND_REMEDY_RATE = {
    "County": 0.07,
    "District": 0.18,
    "Metropolitan": 0.11,
    "Unitary": 0.12,
    "London Borough": 0.14,
}
TYPICAL_POPULATION = {"County": 700_000, "District": 100_000, "Unitary": 180_000}
"""Scale for generating counts of councils abolished before mySociety's 2020 populations."""
RECEIVED_SHARES = {
    "County": (30, 1, 5, 35, 4, 20, 1, 3, 1),
    "District": (0, 18, 10, 0, 17, 5, 25, 24, 1),
    "Metropolitan": (15, 12, 7, 20, 10, 10, 13, 10, 3),
    "Unitary": (15, 12, 7, 20, 10, 10, 13, 10, 3),
    "London Borough": (13, 14, 7, 18, 9, 10, 18, 8, 3),
}
"""Share of received complaints per RECEIVED_CATEGORIES column, by kind."""
CATEGORY_WEIGHTS = {
    "care": 30,
    "children": 12,
    "education": 18,
    "housing": 20,
    "benefits": 6,
    "environment": 6,
    "planning": 5,
    "highways": 5,
    "corporate": 4,
}
"""How often each service appears among service improvements."""


class BuildError(ValueError):
    """The seen facts and the generated data disagree."""


# ---------------------------------------------------------------------------------------------
# Years, rounding, names


def year_start(year: str) -> int:
    """'2023-24' -> 2023."""
    return int(year[:4])


def statistics_year(day: dt.date) -> str:
    """The statistics year (1 April to 31 March) a date falls in."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def year_bounds(year: str) -> tuple[dt.date, dt.date]:
    """First and last day of a statistics year."""
    start = year_start(year)
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


def years_between(first: str, last: str) -> list[str]:
    return STATISTICS_YEARS[STATISTICS_YEARS.index(first) : STATISTICS_YEARS.index(last) + 1]


def percent(part: int, whole: int) -> int:
    """100 * part / whole rounded half up, as the site shows percentages; 0 when whole is 0."""
    if whole == 0:
        return 0
    return (200 * part + whole) // (2 * whole)


def per_100k(count: int, population: int) -> float:
    """count per 100,000 of population, rounded half up to one decimal."""
    tenths = (2 * count * 1_000_000 + population) // (2 * population)
    return tenths / 10


def slugify(text: str) -> str:
    """The site's slug rule for the decision taxonomy: lower-case, non-alphanumerics -> '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def place_name(name: str) -> str:
    """The place a council is named after, for headlines: 'Luton Borough Council' -> 'Luton'."""
    place = re.sub(r"^(London Borough of|Royal Borough of|Council of the) ", "", name)
    kinds = r"Metropolitan Borough|Metropolitan District|County|Borough|District|City( & District)?"
    return re.sub(rf" ({kinds})? ?Council$", "", place)


def _letter_file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name.replace("'", "")).strip("-")


def _binomial(rng: random.Random, trials: int, probability: float) -> int:
    return sum(rng.random() < probability for _ in range(trials))


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def with_room(decided: dt.date, room: dict[str, int]) -> dt.date:
    """An upheld decision's date, moved back to the end of the latest earlier year with room when its own
    year's page counts no more upheld decisions than it already has (an abolished council's last years can
    count none while its reports and improvements fall then); the chosen year's room shrinks by one."""
    earlier = [year for year in room if year <= statistics_year(decided) and room[year] > 0]
    if earlier:
        decided = min(decided, year_bounds(max(earlier))[1])
    room[statistics_year(decided)] = room.get(statistics_year(decided), 0) - 1
    return decided


def _authority_rng(seed: int, slug: str, purpose: str) -> random.Random:
    return random.Random(f"{seed}/{slug}/{purpose}")


# ---------------------------------------------------------------------------------------------
# Authorities


def _first_year(entry: RegisterEntry) -> str:
    if entry.start_date is None:
        return FIRST_YEAR
    return max(FIRST_YEAR, statistics_year(dt.date.fromisoformat(entry.start_date)))


def _last_year(entry: RegisterEntry) -> str:
    if entry.status == "current":
        return LATEST_YEAR
    if entry.slug in facts.LAST_YEAR_OVERRIDES:
        return facts.LAST_YEAR_OVERRIDES[entry.slug]
    if entry.end_date is None:
        raise BuildError(f"abolished council {entry.slug} has no end date in the register")
    # mySociety dates an abolition either 31 March or 1 April; both end the year before.
    return statistics_year(dt.date.fromisoformat(entry.end_date) - dt.timedelta(days=1))


def _authority(entry: RegisterEntry) -> Authority:
    after_abolition = facts.FIGURES_AFTER_ABOLITION.get(entry.slug)
    return Authority(
        slug=entry.slug,
        name=entry.name,
        kind=entry.kind,
        abolished=entry.status == "abolished",
        first_year=_first_year(entry),
        last_year=after_abolition or _last_year(entry),
        letters_until=_last_year(entry) if after_abolition else None,
        population=entry.population,
        predecessor_slugs=facts.MERGER_BOXES.get(entry.slug, ()),
        gss_code=entry.gss_code,
    )


def _existence(authority: Authority) -> tuple[dt.date, dt.date]:
    """First and last day the site records casework against the authority."""
    first, _ = year_bounds(authority.first_year)
    _, last = year_bounds(authority.last_year)
    return first, min(last, LAST_DECISION_DATE)


# ---------------------------------------------------------------------------------------------
# Figures


@dataclasses.dataclass
class _Counts:
    """The raw counts of one authority-year, before percentages and averages."""

    investigations: int
    upheld: int
    remedies: int
    outcomes: int
    complied: int
    not_for_us: int | None = None
    assessed_and_closed: int | None = None
    received_by_category: dict[str, int] = dataclasses.field(default_factory=dict)
    decided_by_outcome: dict[str, int] = dataclasses.field(default_factory=dict)


def _complied_for(outcomes: int, compliance_pct: int, where: str) -> int:
    """The largest complied count that shows as the seen compliance percentage."""
    for complied in range(outcomes, -1, -1):
        if percent(complied, outcomes) == compliance_pct:
            return complied
    raise BuildError(f"{where}: no count of {outcomes} compliance outcomes gives {compliance_pct}%")


def _split(rng: random.Random, total: int, shares: Iterable[float]) -> list[int]:
    """total divided in proportion to jittered shares, largest remainders first."""
    weights = [share * rng.uniform(0.7, 1.3) for share in shares]
    exact = [total * weight / sum(weights) for weight in weights]
    parts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _table_era(rng: random.Random, kind: str, investigations: int, upheld: int) -> tuple[dict, dict]:
    def jittered(factor: float) -> int:
        return round(investigations * factor * rng.uniform(0.7, 1.3))

    decided = dict(
        zip(
            DECIDED_OUTCOMES,
            (upheld, investigations - upheld, jittered(0.08), jittered(1.5), jittered(0.35), jittered(1.3)),
            strict=True,
        )
    )
    received_total = round(sum(decided.values()) * rng.uniform(0.92, 1.08))
    received = dict(zip(RECEIVED_CATEGORIES, _split(rng, received_total, RECEIVED_SHARES[kind]), strict=True))
    return received, decided


def _generated_counts(authority: Authority, seed: int) -> dict[str, _Counts]:
    rng = _authority_rng(seed, authority.slug, "figures")
    size = authority.population if authority.population is not None else TYPICAL_POPULATION[authority.kind]
    complained_about = rng.lognormvariate(0, 0.25)
    uphold_leaning = rng.gauss(0, 0.06)
    remedy_rate = _clamp(rng.gauss(KIND_REMEDY_RATE[authority.kind], 0.04), 0.0, 0.5)
    counts = {}
    for year in years_between(authority.first_year, authority.last_year):
        real = facts.REAL_FIGURES.get((authority.slug, year), {})
        expected = INVESTIGATIONS_PER_100K[authority.kind] * YEAR_VOLUME[year] * size / 100_000
        investigations = real.get(
            "investigations", round(expected * complained_about * rng.lognormvariate(0, 0.2))
        )
        uphold_rate = _clamp(
            UPHOLD_RATE[year] + KIND_UPHOLD_OFFSET[authority.kind] + uphold_leaning, 0.05, 0.98
        )
        upheld = real.get("upheld_decisions", _binomial(rng, investigations, uphold_rate))
        remedies = real.get("remedy_decisions", _binomial(rng, upheld, remedy_rate))
        outcomes = real.get("compliance_outcomes", _binomial(rng, upheld, 0.8))
        if "compliance_pct" in real:
            complied = _complied_for(outcomes, real["compliance_pct"], f"{authority.slug} {year}")
        else:
            complied = outcomes - _binomial(rng, outcomes, 0.015)
        year_counts = _Counts(investigations, upheld, remedies, outcomes, complied)
        if year >= COMPLAINT_OVERVIEW_FROM:
            _overview(rng, year_counts, real)
        if year in TABLE_ERA_YEARS:
            year_counts.received_by_category, year_counts.decided_by_outcome = _table_era(
                rng, authority.kind, investigations, upheld
            )
        counts[year] = year_counts
    return counts


def _overview(rng: random.Random, counts: _Counts, real: dict) -> None:
    """Complaints not for us and assessed and closed, around the seen totals where there are any."""
    if "complaints_dealt_with" in real:
        rest = real["complaints_dealt_with"] - counts.investigations
        assessed = real.get("assessed_and_closed", round(rest * rng.uniform(0.45, 0.65)))
        counts.assessed_and_closed = assessed
        counts.not_for_us = real.get("not_for_us", rest - assessed)
    else:
        counts.assessed_and_closed = round(
            (counts.investigations + 1) * rng.lognormvariate(math.log(1.6), 0.35)
        )
        counts.not_for_us = round((counts.assessed_and_closed + 1) * rng.lognormvariate(math.log(0.75), 0.35))


@dataclasses.dataclass(frozen=True)
class _Averages:
    upheld_pct: int
    compliance_pct: int
    remedy_pct: int
    upheld_per_100k: float | None


def _averages(authorities: list[Authority], counts: dict[str, dict[str, _Counts]]) -> dict:
    """(kind, year) -> the averages every council of that kind shows for that year."""
    groups: dict[tuple[str, str], list[tuple[Authority, _Counts]]] = {}
    for authority in authorities:
        for year, year_counts in counts[authority.slug].items():
            if not authority.after_abolition(year):
                groups.setdefault((authority.kind, year), []).append((authority, year_counts))
    averages = {}
    for (kind, year), members in groups.items():
        real = facts.REAL_AVERAGES.get((kind, year), {})

        def total(field: str, members=members) -> int:
            return sum(getattr(year_counts, field) for _, year_counts in members)

        per_100k_average = None
        if year >= PER_100K_FROM:
            population = sum(authority.population for authority, _ in members)
            per_100k_average = real.get("upheld_per_100k_avg", per_100k(total("upheld"), population))
        averages[kind, year] = _Averages(
            upheld_pct=real.get("upheld_avg_pct", percent(total("upheld"), total("investigations"))),
            compliance_pct=real.get("compliance_avg_pct", percent(total("complied"), total("outcomes"))),
            remedy_pct=real.get("remedy_avg_pct", percent(total("remedies"), total("upheld"))),
            upheld_per_100k=per_100k_average,
        )
    return averages


def _figures(authority: Authority, year: str, counts: _Counts, averages: _Averages | None) -> Figures:
    """One year's figures; `averages` None for a year after the council's abolition ("n/a" on its page)."""
    real = facts.REAL_FIGURES.get((authority.slug, year), {})
    shows_per_100k = year >= PER_100K_FROM and averages is not None
    if shows_per_100k and authority.population is None:
        raise BuildError(f"{authority.slug} {year}: per-100k figures need a population")
    figures = Figures(
        year=year,
        investigations=counts.investigations,
        upheld_decisions=counts.upheld,
        upheld_pct=percent(counts.upheld, counts.investigations),
        upheld_avg_pct=averages.upheld_pct if averages else None,
        compliance_outcomes=counts.outcomes,
        compliance_pct=percent(counts.complied, counts.outcomes) if counts.outcomes else None,
        compliance_avg_pct=averages.compliance_pct if averages else None,
        remedy_decisions=counts.remedies,
        remedy_pct=percent(counts.remedies, counts.upheld),
        remedy_avg_pct=averages.remedy_pct if averages else None,
        upheld_per_100k=(
            real.get("upheld_per_100k", per_100k(counts.upheld, authority.population))
            if shows_per_100k
            else None
        ),
        upheld_per_100k_avg=averages.upheld_per_100k if averages else None,
        complaints_dealt_with=(
            counts.not_for_us + counts.assessed_and_closed + counts.investigations
            if year >= COMPLAINT_OVERVIEW_FROM
            else None
        ),
        not_for_us=counts.not_for_us,
        assessed_and_closed=counts.assessed_and_closed,
        received_by_category=counts.received_by_category,
        decided_by_outcome=counts.decided_by_outcome,
    )
    figures = dataclasses.replace(figures, **facts.MISPRINTED_PERCENTAGES.get((authority.slug, year), {}))
    for field, seen in real.items():
        if getattr(figures, field) != seen:
            raise BuildError(
                f"{authority.slug} {year}: {field} is {getattr(figures, field)!r} but the site shows {seen!r}"
            )
    return figures


def _all_figures(authorities: list[Authority], seed: int) -> dict[tuple[str, str], Figures]:
    counts = {authority.slug: _generated_counts(authority, seed) for authority in authorities}
    averages = _averages(authorities, counts)
    return {
        (authority.slug, year): _figures(
            authority,
            year,
            year_counts,
            None if authority.after_abolition(year) else averages[authority.kind, year],
        )
        for authority in authorities
        for year, year_counts in counts[authority.slug].items()
    }


# ---------------------------------------------------------------------------------------------
# Reports


@dataclasses.dataclass(frozen=True)
class _ReportDraft:
    date: dt.date
    title: str
    summary: str
    letter_clause: str
    """How the annual letter refers to the report: 'its failure to …'."""


REPORT_COUNT_WEIGHTS = {
    "District": (55, 28, 10, 5, 2),
    "other": (22, 24, 18, 12, 8, 5, 4, 2, 2, 1, 1, 0.5, 0.5),
}
"""Relative chances of 0, 1, 2 … reports for an authority."""


def _report_drafts(authority: Authority, seed: int) -> list[_ReportDraft]:
    rng = _authority_rng(seed, authority.slug, "reports")
    real = [
        _ReportDraft(dt.date.fromisoformat(r["date"]), r["title"], r["summary"], r["letter_clause"])
        for r in facts.REAL_REPORTS.get(authority.slug, [])
    ]
    weights = REPORT_COUNT_WEIGHTS["District" if authority.kind == "District" else "other"]
    services = phrasebook.SERVICES_BY_KIND[authority.kind]
    themes = [theme for theme in phrasebook.REPORT_THEMES if theme[0] in services]
    wanted = facts.REPORT_COUNTS.get(authority.slug, rng.choices(range(len(weights)), weights)[0])
    count = min(max(wanted, len(real)), len(real) + len(themes))
    first, last = _existence(authority)
    first = max(first, REPORTS_SINCE)
    place = place_name(authority.name)
    drafts = real + [
        _ReportDraft(
            _random_date(rng, first, last),
            headline.format(place=place),
            standfirst.format(name=authority.name, place=place),
            clause,
        )
        for _, headline, standfirst, clause in rng.sample(themes, count - len(real))
    ]
    return sorted(drafts, key=lambda draft: draft.date, reverse=True)


# ---------------------------------------------------------------------------------------------
# Service improvements


def _case_ref(rng: random.Random, decided: dt.date, used: set[str]) -> str:
    """A 'YY-NNN-NNN' reference received some months before the decision, unused so far."""
    for _ in range(100):
        received = decided - dt.timedelta(days=rng.randint(60, 420))
        year_start_day, _ = year_bounds(statistics_year(received))
        sequence = int((received - year_start_day).days / 365 * 21_000) + rng.randint(0, 60)
        ref = f"{year_start_day.year % 100:02d}-{sequence // 1000:03d}-{sequence % 1000:03d}"
        if ref not in used:
            used.add(ref)
            return ref
    raise BuildError(f"no unused case reference near {decided}")


def _improvement(
    case_ref: str, category: str, sub_category: str, decided: dt.date, actions: tuple[str, ...]
) -> Improvement:
    category_id = phrasebook.IMPROVEMENT_CATEGORIES[category][0]
    return Improvement(
        case_ref=case_ref,
        category=category,
        sub_category=sub_category,
        category_id=category_id,
        year=decided.year,
        actions=actions,
        decision_path=f"/decisions/{slugify(category)}/{slugify(sub_category)}/{case_ref}",
        decision_date=decided,
        outcome="Upheld",
    )


def _improvement_count(authority: Authority, rng: random.Random, figures: dict) -> int:
    if authority.slug in facts.REAL_IMPROVEMENT_COUNTS:
        return facts.REAL_IMPROVEMENT_COUNTS[authority.slug]
    upheld_since_2018 = sum(
        figures[authority.slug, year].upheld_decisions
        for year in years_between(authority.first_year, authority.last_year)
        if year >= "2018-19"
    )
    return min(40, round(upheld_since_2018 * 0.06 * rng.uniform(0.5, 1.5)))


def _improvements(authority: Authority, seed: int, figures: dict, used_refs: set[str]) -> list[Improvement]:
    if authority.slug == "luton-borough-council":
        return [_improvement(*case) for case in facts.LUTON_IMPROVEMENTS]
    rng = _authority_rng(seed, authority.slug, "improvements")
    count = _improvement_count(authority, rng, figures)
    services = (*phrasebook.SERVICES_BY_KIND[authority.kind], "corporate")
    categories = [
        name for name, (_, service, _) in phrasebook.IMPROVEMENT_CATEGORIES.items() if service in services
    ]
    weights = [CATEGORY_WEIGHTS[phrasebook.IMPROVEMENT_CATEGORIES[name][1]] for name in categories]
    first, last = _existence(authority)
    first = max(first, IMPROVEMENTS_SINCE)
    room = {
        year: figures[authority.slug, year].upheld_decisions
        for year in years_between(authority.first_year, authority.last_year)
    }
    improvements = []
    for _ in range(count):
        category = rng.choices(categories, weights)[0]
        sub_category = rng.choice(phrasebook.IMPROVEMENT_CATEGORIES[category][2])
        decided = with_room(_random_date(rng, first, last), room)
        actions = tuple(rng.sample(phrasebook.IMPROVEMENT_ACTIONS[category], rng.choice((1, 1, 1, 2, 2, 3))))
        case_ref = _case_ref(rng, decided, used_refs)
        improvements.append(_improvement(case_ref, category, sub_category, decided, actions))
    return sorted(improvements, key=lambda improvement: improvement.case_ref, reverse=True)


# ---------------------------------------------------------------------------------------------
# Letters


def _addressees(authority: Authority, seed: int) -> dict[str, tuple[str, str]]:
    """Year -> (name, role): officers serve several years each; seen addressees fill their tenure."""
    rng = _authority_rng(seed, authority.slug, "letters")
    roles, role_weights = zip(*phrasebook.OFFICER_ROLES, strict=True)
    years = years_between(authority.first_year, authority.last_year)
    tenures: list[list[str]] = []
    while sum(map(len, tenures)) < len(years):
        taken = sum(map(len, tenures))
        tenures.append(years[taken : taken + rng.randint(2, 7)])
    officers = {}
    for tenure in tenures:
        officer = (
            f"{rng.choice(phrasebook.OFFICER_TITLES)} {rng.choice(phrasebook.OFFICER_SURNAMES)}",
            rng.choices(roles, role_weights)[0],
        )
        seen = [
            facts.REAL_ADDRESSEES[authority.slug, y]
            for y in tenure
            if (authority.slug, y) in facts.REAL_ADDRESSEES
        ]
        officers.update(dict.fromkeys(tenure, seen[0] if seen else officer))
    return officers


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six")


def _public_report_sentence(
    authority: Authority, year: str, drafts: list[_ReportDraft], rng: random.Random
) -> str | None:
    """The letter's paragraph opening on the year's public reports, in the styles of site notes §3.2."""
    if (authority.slug, year) in facts.REAL_PUBLIC_REPORT_SENTENCES:
        return facts.REAL_PUBLIC_REPORT_SENTENCES[authority.slug, year]
    first, last = year_bounds(year)
    clauses = [draft.letter_clause for draft in reversed(drafts) if first <= draft.date <= last]
    if not clauses:
        return None
    if year in TABLE_ERA_YEARS:
        if len(clauses) == 1:
            return f"This year we issued a public report about your council and {clauses[0]}."
        return f"This year we issued {NUMBER_WORDS[len(clauses)]} public reports about your council."
    if len(clauses) == 1:
        return rng.choice(
            (
                f"This year, I published one public report about your Council and {clauses[0]}.",
                f"This year, I issued a public report about the Council concerning {clauses[0]}.",
            )
        )
    return (
        f"This year, I published {NUMBER_WORDS[len(clauses)]} public reports about your Council, "
        f"including one about {clauses[0]}."
    )


def _letters(
    authorities: list[Authority], seed: int, drafts: dict[str, list[_ReportDraft]]
) -> dict[str, list[Letter]]:
    """Letters oldest first per authority; attachment ids numbered by year, then by name."""
    addressees = {authority.slug: _addressees(authority, seed) for authority in authorities}
    wording = {
        authority.slug: _authority_rng(seed, authority.slug, "letter wording") for authority in authorities
    }
    letters: dict[str, list[Letter]] = {authority.slug: [] for authority in authorities}
    attachment_id = 2400
    for year in STATISTICS_YEARS:
        signatory, titles = facts.SIGNATORIES[year]
        title_year = year_start(year) + 1
        for authority in authorities:
            if not authority.first_year <= year <= authority.last_letter_year:
                continue
            name, role = addressees[authority.slug][year]
            letters[authority.slug].append(
                Letter(
                    year=year,
                    title=f"Annual Review letter {title_year}",
                    letter_date=facts.LETTER_DATES[year],
                    addressee_name=name,
                    addressee_role=role,
                    signatory=signatory,
                    signatory_titles=titles,
                    public_report_sentence=_public_report_sentence(
                        authority, year, drafts[authority.slug], wording[authority.slug]
                    ),
                    pdf_path=f"/assets/attach/{attachment_id}/"
                    f"{_letter_file_stem(authority.name)}-annual-review-letter-{title_year}.pdf",
                    has_statistics_section=(authority.slug, year) not in facts.LETTERS_WITHOUT_STATISTICS,
                )
            )
            attachment_id += 1
    return letters


# ---------------------------------------------------------------------------------------------


def build_site_without_decisions(seed: int = 2025) -> Site:
    """The replica's data but its decisions (`harvester.replica.site.build_site` adds them), the same for the same
    seed."""
    authorities = sorted((_authority(entry) for entry in load_register()), key=lambda a: a.name.casefold())
    figures = _all_figures(authorities, seed)
    drafts = {authority.slug: _report_drafts(authority, seed) for authority in authorities}
    # Each report's path is set to its decision page by decisions.add_decisions.
    reports = {
        slug: [Report(draft.title, draft.summary, "", draft.date) for draft in slug_drafts]
        for slug, slug_drafts in drafts.items()
    }
    used_refs = {case[0] for case in facts.LUTON_IMPROVEMENTS}
    improvements = {
        authority.slug: _improvements(authority, seed, figures, used_refs) for authority in authorities
    }
    site = Site(
        seed=seed,
        authorities=authorities,
        figures=figures,
        reports=reports,
        improvements=improvements,
        letters=_letters(authorities, seed, drafts),
    )
    return site


ATTACHMENT_ID_STRIDE = 100_000
"""A copy's letter attachment ids are the original's plus (copy - 1) times this."""
CASE_SEQUENCE_STRIDE = 1000 // MAX_SCALE
"""A copy's case reference 'YY-NNN-NNN' adds (copy - 1) times this to its middle group (the site's are < 100)."""


def _copied_ref(case_ref: str, copy: int) -> str:
    year, middle, last = case_ref.split("-")
    if int(middle) >= CASE_SEQUENCE_STRIDE:
        raise BuildError(f"case reference {case_ref} has no room for copies")
    return f"{year}-{int(middle) + (copy - 1) * CASE_SEQUENCE_STRIDE:03d}-{last}"


def _copied_path(path: str, copy: int) -> str:
    """A decision page path ('/decisions/{category}/{sub-category}/{case ref}') of the copy's case."""
    folder, _, case_ref = path.rpartition("/")
    return f"{folder}/{_copied_ref(case_ref, copy)}"


def _copy_of(site: Site, authority: Authority, copy: int, into: Site) -> None:
    """Add to `into` the authority's copy number `copy`: its slugs, name, case references and attachment ids
    made distinct, everything else as the original's."""

    def slug(original: str) -> str:
        return f"{original}-{copy}"

    twin = dataclasses.replace(
        authority,
        slug=slug(authority.slug),
        name=f"{authority.name} {copy}",
        # A predecessor the site doesn't have (a stale link that 404s) stays the same stale link in every copy.
        predecessor_slugs=tuple(s if s in facts.MISSING_PREDECESSORS else slug(s) for s in authority.predecessor_slugs),
        gss_code=None,
    )
    into.authorities.append(twin)
    for year in STATISTICS_YEARS:
        if (authority.slug, year) in site.figures:
            into.figures[twin.slug, year] = site.figures[authority.slug, year]
    into.reports[twin.slug] = [
        dataclasses.replace(report, path=_copied_path(report.path, copy))
        for report in site.reports[authority.slug]
    ]
    into.improvements[twin.slug] = [
        dataclasses.replace(
            improvement,
            case_ref=_copied_ref(improvement.case_ref, copy),
            decision_path=_copied_path(improvement.decision_path, copy),
        )
        for improvement in site.improvements[authority.slug]
    ]
    into.decisions[twin.slug] = [
        dataclasses.replace(
            decision,
            case_ref=_copied_ref(decision.case_ref, copy),
            authority_slug=slug(decision.authority_slug),
            path=_copied_path(decision.path, copy),
        )
        for decision in site.decisions[authority.slug]
    ]
    into.letters[twin.slug] = []
    for letter in site.letters[authority.slug]:
        attachment_id = int(letter.pdf_path.split("/")[3])
        if attachment_id >= ATTACHMENT_ID_STRIDE:
            raise BuildError(f"attachment id {attachment_id} has no room for copies")
        year_suffix = letter.pdf_path.rsplit("-annual-review-letter-", 1)[1]
        path = (
            f"/assets/attach/{attachment_id + (copy - 1) * ATTACHMENT_ID_STRIDE}/"
            f"{_letter_file_stem(twin.name)}-annual-review-letter-{year_suffix}"
        )
        into.letters[twin.slug].append(dataclasses.replace(letter, pdf_path=path))


def scale_site(site: Site, times: int) -> Site:
    """The same site with every authority `times` times: copy N of 'Luton Borough Council' (luton-borough-council)
    is 'Luton Borough Council N' (luton-borough-council-N), with its pages, letters and decisions, and merger
    boxes naming the predecessors' copies N. For measuring how a crawl grows with the number of authorities."""
    if not 1 <= times <= MAX_SCALE:
        raise ValueError(f"scale must be from 1 to {MAX_SCALE}, not {times}")
    if times == 1:
        return site
    scaled = Site(
        seed=site.seed,
        authorities=list(site.authorities),
        figures=dict(site.figures),
        reports=dict(site.reports),
        improvements=dict(site.improvements),
        letters=dict(site.letters),
        decisions=dict(site.decisions),
        searched_only=dict(site.searched_only),
    )
    for copy in range(2, times + 1):
        for authority in site.authorities:
            _copy_of(site, authority, copy, scaled)
    scaled.authorities.sort(key=lambda a: a.name.casefold())
    return scaled
