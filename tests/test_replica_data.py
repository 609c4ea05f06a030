"""The replica's data: deterministic, consistent, real where the site notes are, edge cases in place."""

import dataclasses
import datetime as dt
import json
import re
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from harvester.items import AnnualStatistics
from harvester.register import find as find_in_register
from harvester.replica import facts, pages, published
from harvester.replica.build import (
    DECIDED_OUTCOMES,
    RECEIVED_CATEGORIES,
    TABLE_ERA_YEARS,
    slugify,
    statistics_year,
    years_between,
)
from harvester.replica.model import EPOCHS, STATISTICS_YEARS
from harvester.replica.site import build_site
from harvester.replica.truth import ground_truth, reachable_authorities, write_ground_truth

BASE_URL = "http://127.0.0.1:8765"


def half_up(value: Decimal, places: str = "1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def pct(part: int, whole: int) -> int:
    return 0 if whole == 0 else int(half_up(Decimal(100 * part) / Decimal(whole)))


def per_100k(count: int, population: int) -> float:
    return float(half_up(Decimal(count * 100_000) / Decimal(population), "0.1"))


@pytest.fixture(scope="module")
def site():
    started = time.perf_counter()
    built = build_site(2025)
    print(f"build_site(2025) took {time.perf_counter() - started:.3f} s")
    return built


@pytest.fixture(scope="module")
def authorities(site):
    return {authority.slug: authority for authority in site.authorities}


def figures_by_year(site, authorities):
    for (slug, year), figures in site.figures.items():
        yield authorities[slug], year, figures


def test_one_seed_builds_one_site_and_another_seed_another(site):
    assert build_site(2025) == site
    other = build_site(7)
    assert other.figures != site.figures
    assert [a.slug for a in other.authorities] == [a.slug for a in site.authorities]


def test_every_authority_has_figures_and_a_letter_for_each_of_its_years(site):
    assert len(site.authorities) == 365
    figure_years = 0
    for authority in site.authorities:
        letter_years = years_between(authority.first_year, authority.last_letter_year)
        assert [letter.year for letter in site.letters[authority.slug]] == letter_years
        years = years_between(authority.first_year, authority.last_year)
        assert all((authority.slug, year) in site.figures for year in years)
        figure_years += len(years)
    assert len(site.figures) == figure_years


def test_figures_after_abolition_have_no_letter_no_average_and_no_per_100k(site, authorities):
    after = [(a, y, f) for a, y, f in figures_by_year(site, authorities) if a.after_abolition(y)]
    assert {(a.slug, y) for a, y, _ in after} == {
        ("allerdale-borough-council", "2023-24"),
        ("south-lakeland-district-council", "2023-24"),
        ("cumbria-county-council", "2023-24"),
        ("cumbria-county-council", "2024-25"),
    }
    for _, _, figures in after:
        averages = (figures.upheld_avg_pct, figures.compliance_avg_pct, figures.remedy_avg_pct)
        assert averages == (None, None, None)
        assert figures.upheld_per_100k is figures.upheld_per_100k_avg is None
    assert authorities["cumbria-county-council"].last_letter_year == "2022-23"


@pytest.mark.parametrize(
    ("slug", "first_year", "last_year"),
    [
        ("luton-borough-council", "2013-14", "2024-25"),
        ("poole-borough-council", "2013-14", "2018-19"),
        ("bournemouth-christchurch-and-poole-council", "2019-20", "2024-25"),
        ("somerset-west-and-taunton-council", "2019-20", "2022-23"),
        ("buckinghamshire-county-council", "2013-14", "2019-20"),
        ("buckinghamshire-council", "2020-21", "2024-25"),
        ("wellingborough-borough-council", "2013-14", "2020-21"),
        ("northampton-borough-council", "2013-14", "2021-22"),  # SEEN after abolition
        ("West-Northamptonshire-Council", "2021-22", "2024-25"),
        ("allerdale-borough-council", "2013-14", "2023-24"),  # SEEN after abolition (§2.12)
        ("cumbria-county-council", "2013-14", "2024-25"),  # SEEN: an all-zero 2024-25 page
        ("cumberland-council", "2023-24", "2024-25"),
    ],
)
def test_years_follow_creation_and_abolition(authorities, slug, first_year, last_year):
    assert (authorities[slug].first_year, authorities[slug].last_year) == (first_year, last_year)


def test_percentages_are_counts_over_bases_rounded_half_up(site, authorities):
    for authority, year, figures in figures_by_year(site, authorities):
        where = (authority.slug, year)
        printed = facts.MISPRINTED_PERCENTAGES.get(where, {})
        upheld_pct = printed.get("upheld_pct", pct(figures.upheld_decisions, figures.investigations))
        assert figures.upheld_pct == upheld_pct, where
        assert figures.remedy_pct == pct(figures.remedy_decisions, figures.upheld_decisions), where
        assert 0 <= figures.remedy_decisions <= figures.upheld_decisions <= figures.investigations, where
        if figures.compliance_outcomes == 0:
            assert figures.compliance_pct is None, where
        else:
            outcomes = figures.compliance_outcomes
            assert figures.compliance_pct in {pct(complied, outcomes) for complied in range(outcomes + 1)}, (
                where
            )


def test_per_100k_figures_start_in_2022_23_and_follow_population(site, authorities):
    seen = {key for key, values in facts.REAL_FIGURES.items() if "upheld_per_100k" in values}
    for authority, year, figures in figures_by_year(site, authorities):
        if year < "2022-23" or authority.after_abolition(year):
            assert figures.upheld_per_100k is None and figures.upheld_per_100k_avg is None
        elif (authority.slug, year) not in seen:
            assert figures.upheld_per_100k == per_100k(figures.upheld_decisions, authority.population)


def test_averages_are_one_per_kind_and_year_seen_or_aggregate(site, authorities):
    groups = defaultdict(list)
    for authority, year, figures in figures_by_year(site, authorities):
        if not authority.after_abolition(year):
            groups[authority.kind, year].append((authority, figures))
    assert len(groups) == 5 * len(STATISTICS_YEARS)
    for (kind, year), members in groups.items():
        shown = {
            (f.upheld_avg_pct, f.compliance_avg_pct, f.remedy_avg_pct, f.upheld_per_100k_avg)
            for _, f in members
        }
        assert len(shown) == 1, (kind, year, shown)
        upheld_avg, compliance_avg, remedy_avg, per_100k_avg = shown.pop()
        seen = facts.REAL_AVERAGES.get((kind, year), {})
        upheld = sum(f.upheld_decisions for _, f in members)
        assert upheld_avg == seen.get(
            "upheld_avg_pct", pct(upheld, sum(f.investigations for _, f in members))
        )
        assert remedy_avg == seen.get(
            "remedy_avg_pct", pct(sum(f.remedy_decisions for _, f in members), upheld)
        )
        assert compliance_avg == seen.get("compliance_avg_pct", compliance_avg)
        assert 90 <= compliance_avg <= 100
        if year >= "2022-23":
            population = sum(a.population for a, _ in members)
            assert per_100k_avg == seen.get("upheld_per_100k_avg", per_100k(upheld, population))


def test_seen_averages_are_used(site):
    assert site.figures["kent-county-council", "2023-24"].upheld_avg_pct == 85
    assert site.figures["allerdale-borough-council", "2022-23"].upheld_per_100k_avg == 1.4
    assert site.figures["adur-district-council", "2022-23"].upheld_per_100k_avg == 1.4
    assert site.figures["buckinghamshire-council", "2024-25"].upheld_per_100k_avg == 5.3


def test_complaint_overview_adds_up_from_2024_25_only(site, authorities):
    for _, year, figures in figures_by_year(site, authorities):
        overview = (figures.complaints_dealt_with, figures.not_for_us, figures.assessed_and_closed)
        if year < "2024-25":
            assert overview == (None, None, None)
        else:
            assert figures.complaints_dealt_with == (
                figures.not_for_us + figures.assessed_and_closed + figures.investigations
            )


def test_table_era_tables_agree_with_the_counts(site, authorities):
    for _, year, figures in figures_by_year(site, authorities):
        if year in TABLE_ERA_YEARS:
            assert tuple(figures.received_by_category) == RECEIVED_CATEGORIES
            assert tuple(figures.decided_by_outcome) == DECIDED_OUTCOMES
            assert figures.decided_by_outcome["Upheld"] == figures.upheld_decisions
            assert figures.decided_by_outcome["Upheld"] + figures.decided_by_outcome["Not Upheld"] == (
                figures.investigations
            )
        else:
            assert figures.received_by_category == figures.decided_by_outcome == {}


def test_district_councils_receive_no_education_complaints(site, authorities):
    kent = site.figures["kent-county-council", "2015-16"].received_by_category
    adur = site.figures["adur-district-council", "2015-16"].received_by_category
    assert adur["Education and Children's Services"] == adur["Adult Care Services"] == 0
    assert kent["Education and Children's Services"] > kent["Housing"]


def test_luton_2023_24_is_the_seed_page_exactly(site):
    luton = site.figures["luton-borough-council", "2023-24"]
    assert dataclasses.astuple(luton)[:17] == (
        "2023-24",
        13,
        9,
        69,
        79,
        7,
        100,
        100,
        3,
        33,
        13,
        4.0,
        4.6,
        None,
        None,
        None,
        {},
    )


def test_seen_figures_are_present_exactly(site):
    birmingham = site.figures["birmingham-city-council", "2024-25"]
    assert (
        birmingham.complaints_dealt_with,
        birmingham.not_for_us,
        birmingham.assessed_and_closed,
        birmingham.investigations,
        birmingham.upheld_decisions,
        birmingham.upheld_pct,
        birmingham.upheld_avg_pct,
        birmingham.upheld_per_100k,
    ) == (572, 232, 226, 114, 94, 82, 81, 8.1)
    wellingborough = site.figures["wellingborough-borough-council", "2019-20"]
    assert (wellingborough.upheld_pct, wellingborough.upheld_avg_pct, wellingborough.compliance_outcomes) == (
        100,
        45,
        1,
    )
    for (slug, year), seen in facts.REAL_FIGURES.items():
        figures = site.figures[slug, year]
        assert {field: getattr(figures, field) for field in seen} == seen, (slug, year)


@pytest.mark.parametrize(("case", "slug", "year"), facts.EDGE_CASES)
def test_edge_case_lives_at_its_authority(site, authorities, case, slug, year):
    authority = authorities[slug]
    figures = site.figures[slug, year] if year else None
    letters = {letter.year: letter for letter in site.letters[slug]}
    checks = {
        "no reports": lambda: site.reports[slug] == [],
        "zero compliance outcomes": lambda: (
            figures.compliance_outcomes == 0 and figures.compliance_pct is None
        ),
        "0% remedy": lambda: figures.remedy_pct == figures.remedy_decisions == 0 < figures.upheld_decisions,
        "100% upheld on a tiny base": lambda: figures.upheld_pct == 100 and figures.investigations <= 3,
        "singular: 1 upheld decision": lambda: figures.upheld_decisions == 1,
        "singular: 1 satisfactory remedy decision": lambda: figures.remedy_decisions == 1,
        "singular: 1 compliance outcome": lambda: figures.compliance_outcomes == 1,
        "zero investigations": lambda: figures.investigations == 0 and year == authority.last_year,
        "per-100k '%' typo, no upheld link": lambda: (
            published.page_quirks(site, authority, 2025) >= {"per100k_percent_typo", "no_upheld_link"}
            and not published.page_quirks(site, authority, 2024)
        ),
        "more than 30 service improvements": lambda: (
            len(published.improvements_in_epoch(site, authority, 2025)) > 30
        ),
        "no service improvements": lambda: site.improvements[slug] == [],
        "merger box name typo 'Westmorland & furness'": lambda: (
            "merger_name_typo" in published.page_quirks(site, authority, 2025)
        ),
        "mixed-case slug": lambda: slug != slug.lower(),
        "merger-box link in other letter case": lambda: any(
            published.find_authority(site, link).slug == link.lower() != link
            for link in authority.predecessor_slugs
        ),
        "merger-box link that 404s": lambda: any(
            published.find_authority(site, link) is None for link in authority.predecessor_slugs
        ),
        "abolished, page year after abolition": lambda: (
            published.page_year(site, authority, 2025)
            == year
            > statistics_year(dt.date.fromisoformat(find_in_register(slug).end_date) - dt.timedelta(days=1))
        ),
        "letter without statistics section": lambda: not letters[year].has_statistics_section,
        "averages n/a after abolition": lambda: (
            authority.after_abolition(year) and figures.upheld_avg_pct is None and year not in letters
        ),
        "all-zero page": lambda: (
            figures.complaints_dealt_with == figures.investigations == figures.compliance_outcomes == 0
            and published.page_year(site, authority, 2025) == year
        ),
        "percentage disagreeing with its counts": lambda: (
            figures.upheld_pct != pct(figures.upheld_decisions, figures.investigations)
        ),
        "plurals after 1 in the bases": lambda: figures.investigations == figures.compliance_outcomes == 1,
        "older reports block under newer figures": lambda: (
            "public interest reports against"
            in pages.render_statistics(site, authority, 2024).split("Annual letters")[-1]
        ),
    }
    assert checks[case]()


def test_every_abolished_council_is_reached_through_a_merger_box(site):
    for epoch in EPOCHS:
        listed = {a.slug for a in published.index_authorities(site, epoch)}
        reached = {a.slug for a in reachable_authorities(site, epoch)}
        abolished = {a.slug for a in site.authorities if a.abolished}
        assert abolished <= reached, epoch
        if epoch >= 2024:
            assert not abolished & listed


def test_merger_boxes_agree_with_the_register_but_for_the_planted_links(site):
    for authority in site.authorities:
        links = {slug.casefold() for slug in authority.predecessor_slugs} - set(facts.MISSING_PREDECESSORS)
        assert links == set(find_in_register(authority.slug).predecessor_slugs), authority.slug
    boxes_naming = defaultdict(list)
    for authority in site.authorities:
        for link in authority.predecessor_slugs:
            boxes_naming[link.casefold()].append(link)
    assert boxes_naming["northamptonshire-county-council"] == [
        "northamptonshire-county-council",
        "Northamptonshire-County-Council",
    ]
    assert boxes_naming["cumbria-county-council"] == ["cumbria-county-council"] * 2
    assert boxes_naming["borough-of-poole"] == ["borough-of-poole"]


def test_reports_are_dated_within_the_councils_life_with_unique_paths(site, authorities):
    paths = [report.path for reports in site.reports.values() for report in reports]
    assert len(paths) == len(set(paths))
    for slug, reports in site.reports.items():
        assert 0 <= len(reports) <= 12
        assert [r.date for r in reports] == sorted((r.date for r in reports), reverse=True)
        last_day = dt.date(int(authorities[slug].last_year[:4]) + 1, 3, 31)
        for report in reports:
            assert dt.date(2014, 4, 1) <= report.date <= last_day, slug
            assert re.fullmatch(r"/decisions/[a-z0-9-]+/[a-z0-9-]+/\d\d-\d{3}-\d{3}", report.path)
            assert report.summary.endswith(".")
    assert max(len(reports) for reports in site.reports.values()) >= 10


def test_luton_reports_carry_the_seed_standfirsts(site):
    summaries = [report.summary for report in site.reports["luton-borough-council"]]
    assert len(summaries) == 3
    assert summaries[0].startswith(
        "Luton Borough Council is improving the way it administers benefits appeals"
    )
    assert summaries[1].startswith("A Luton woman was verbally abused and harassed by her neighbours – and")
    assert summaries[2].endswith("uncovered significant concerns during a recent investigation.")


def test_improvements_are_unique_ordered_and_link_their_decisions(site, authorities):
    refs = [i.case_ref for improvements in site.improvements.values() for i in improvements]
    assert len(refs) == len(set(refs))
    for slug, improvements in site.improvements.items():
        assert len(improvements) <= 40
        assert [i.case_ref for i in improvements] == sorted((i.case_ref for i in improvements), reverse=True)
        for improvement in improvements:
            assert re.fullmatch(r"\d\d-\d{3}-\d{3}", improvement.case_ref)
            assert improvement.decision_path == (
                f"/decisions/{slugify(improvement.category)}/{slugify(improvement.sub_category)}/{improvement.case_ref}"
            )
            assert improvement.decision_date >= dt.date(2018, 4, 1)
            assert improvement.year == improvement.decision_date.year
            assert 1 <= len(improvement.actions) <= 3
            if authorities[slug].kind == "District":
                assert improvement.category not in ("Adult care services", "Education")
    education = {
        i.category_id for items in site.improvements.values() for i in items if i.category == "Education"
    }
    assert education == {1015}
    assert len({i.category_id for items in site.improvements.values() for i in items}) == 9


def test_luton_improvements_are_the_seed_cases_verbatim(site):
    luton = site.improvements["luton-borough-council"]
    assert [i.case_ref for i in luton] == [
        "23-020-528", "22-015-676", "22-015-473", "22-010-409", "22-005-635",
        "22-005-300", "22-001-702", "21-017-081", "21-016-544", "21-008-891",
    ]  # fmt: skip
    assert luton[0].decision_path == "/decisions/children-s-care-services/adoption/23-020-528"
    assert luton[3].actions == (
        "The Council has agreed to consider giving people the option to opt out of receiving "
        "encryptede-mails if that is their preference.",
    )
    assert luton[4].sub_category == "Direct payments" and len(luton[4].actions) == 3
    assert luton[7].sub_category == "Housing benefit and council tax benefit"
    assert luton == published.improvements_in_epoch(
        site, published.find_authority(site, "luton-borough-council"), 2024
    )


def test_letters_follow_the_site_notes(site):
    pdf_ids = [
        re.match(r"/assets/attach/(\d+)/", letter.pdf_path).group(1)
        for ls in site.letters.values()
        for letter in ls
    ]
    assert len(pdf_ids) == len(set(pdf_ids))
    luton = {letter.year: letter for letter in site.letters["luton-borough-council"]}
    assert luton["2019-20"].title == "Annual Review letter 2020"
    assert luton["2019-20"].letter_date == dt.date(2020, 7, 22)
    assert (luton["2019-20"].addressee_name, luton["2019-20"].addressee_role) == (
        "Mr Porter",
        "Chief Executive",
    )
    assert luton["2019-20"].signatory == "Michael King"
    assert luton["2019-20"].public_report_sentence.startswith(
        "This year, I published one public report about your Council and its failure to "
    )
    assert luton["2013-14"].signatory == "Dr Jane Martin"
    assert luton["2024-25"].signatory == "Amerdeep Somal"
    assert luton["2024-25"].pdf_path.endswith("/Luton-Borough-Council-annual-review-letter-2025.pdf")
    leicester = {letter.year: letter for letter in site.letters["leicester-city-council"]}["2019-20"]
    assert (
        leicester.public_report_sentence
        == facts.REAL_PUBLIC_REPORT_SENTENCES["leicester-city-council", "2019-20"]
    )
    assert not leicester.has_statistics_section
    wellingborough = {letter.year: letter for letter in site.letters["wellingborough-borough-council"]}[
        "2019-20"
    ]
    assert (wellingborough.addressee_name, wellingborough.addressee_role) == (
        "Ms Elliott",
        "Managing Director",
    )
    assert wellingborough.public_report_sentence is None
    roles = {letter.addressee_role for letters in site.letters.values() for letter in letters}
    assert roles == {
        "Chief Executive",
        "Managing Director",
        "Head of Paid Service",
        "Chief Operating Officer",
    }


def test_a_letter_mentions_reports_exactly_when_one_was_published_in_its_year(site):
    for slug, letters in site.letters.items():
        for letter in letters:
            first, last = dt.date(int(letter.year[:4]), 4, 1), dt.date(int(letter.year[:4]) + 1, 3, 31)
            published_that_year = any(first <= report.date <= last for report in site.reports[slug])
            assert (letter.public_report_sentence is not None) == published_that_year, (slug, letter.year)
            assert letter.letter_date.month == 7 and letter.letter_date.year == int(letter.year[:4]) + 1


def test_epochs_show_the_right_councils_and_years(site):
    assert [len(published.index_authorities(site, epoch)) for epoch in EPOCHS] == [333, 317, 317]
    cumberland = published.find_authority(site, "CUMBERLAND-council")
    northampton = published.find_authority(site, "northampton-borough-council")
    assert published.page_year(site, cumberland, 2023) is None
    assert published.predecessors_shown(site, cumberland, 2023) == []
    assert published.page_year(site, cumberland, 2024) == "2023-24"
    assert [published.page_year(site, northampton, epoch) for epoch in EPOCHS] == ["2021-22"] * 3
    assert published.find_authority(site, "borough-of-poole") is None
    names = [a.name for a in published.index_authorities(site, 2025)]
    assert names == sorted(names, key=str.casefold)


def test_casework_appears_only_after_it_was_published(site):
    kent = published.find_authority(site, "kent-county-council")
    for epoch in EPOCHS:
        published_by = published.publication_date(epoch)
        assert all(r.date <= published_by for r in published.reports_in_epoch(site, kent, epoch))
        assert all(
            i.decision_date <= published_by for i in published.improvements_in_epoch(site, kent, epoch)
        )
        assert published.letters_in_epoch(site, kent, epoch)[-1].year == EPOCHS[epoch]
    reports = [len(published.reports_in_epoch(site, kent, epoch)) for epoch in EPOCHS]
    assert reports == sorted(reports)


def test_ground_truth_rows_hold_what_the_pages_show(site):
    truth = ground_truth(site, 2025, BASE_URL + "/")
    slugs = [row["slug"] for row in truth["authorities"]]
    assert len(slugs) == len({slug.casefold() for slug in slugs}) == 365
    assert "borough-of-poole" not in slugs
    statistics = {row["authority_slug"]: row for row in truth["annual_statistics"] if row["source"] == "page"}
    assert set(statistics["luton-borough-council"]) == {f.name for f in dataclasses.fields(AnnualStatistics)}
    northampton = statistics["northampton-borough-council"]
    assert (northampton["year"], northampton["period_start"], northampton["period_end"]) == (
        "2021-22",
        "2021-04-01",
        "2022-03-31",
    )
    assert (
        northampton["compliance_pct"]
        is northampton["compliance_avg_pct"]
        is northampton["upheld_per_100k"]
        is None
    )
    assert (
        northampton["source_url"]
        == f"{BASE_URL}/your-councils-performance/northampton-borough-council/statistics"
    )
    kent = statistics["kent-county-council"]
    assert (kent["complaints_dealt_with"], kent["upheld_per_100k"], kent["source"]) == (291, 3.9, "page")
    luton_2024 = {
        row["authority_slug"]: row
        for row in ground_truth(site, 2024, BASE_URL)["annual_statistics"]
        if row["source"] == "page"
    }
    assert luton_2024["luton-borough-council"]["upheld_per_100k"] == 4.0
    assert luton_2024["luton-borough-council"]["complaints_dealt_with"] is None
    allerdale_2023 = {
        row["authority_slug"]: row
        for row in ground_truth(site, 2023, BASE_URL)["annual_statistics"]
        if row["source"] == "page"
    }
    assert allerdale_2023["allerdale-borough-council"]["compliance_pct"] == 0
    assert allerdale_2023["allerdale-borough-council"]["compliance_avg_pct"] == 100
    luton_actions = [row for row in truth["improvement_actions"] if row["case_ref"] == "22-005-635"]
    assert [row["position"] for row in luton_actions] == [1, 2, 3]
    assert {row["authority_slug"] for row in truth["letter_links"]} == set(slugs)


def test_ground_truth_is_written_as_json(site, tmp_path):
    path = write_ground_truth(site, 2024, BASE_URL, tmp_path / "truth.json")
    assert json.loads(path.read_text()) == ground_truth(site, 2024, BASE_URL)
