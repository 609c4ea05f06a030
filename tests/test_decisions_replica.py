"""The replica's decisions: consistent with its figures, improvements and reports, served as pages."""

import datetime as dt
import json
import math
import re
import subprocess
import sys

import pytest

from harvester.replica import decisions, published
from harvester.replica.pages import DECISIONS_PER_PAGE
from harvester.replica.truth import ground_truth, reachable_authorities
from tests.test_replica_http import fetch, links, page, text_of


@pytest.fixture(scope="module")
def site(replica_site):
    return replica_site


def served(site, authority, epoch=2025):
    return {d.path: d for d in decisions.decisions_in_epoch(site, authority, epoch)}


def test_every_improvement_and_report_has_a_decision_page(site):
    for authority in reachable_authorities(site, 2025):
        paths = served(site, authority)
        for improvement in published.improvements_in_epoch(site, authority, 2025):
            decision = paths[improvement.decision_path]
            assert (decision.case_ref, decision.category, decision.actions) == (
                improvement.case_ref,
                improvement.category,
                improvement.actions,
            )
        for report in published.reports_in_epoch(site, authority, 2025):
            assert paths[report.path].is_report and paths[report.path].chapters in decisions.REPORT_CHAPTERS


def listing_disagreements(site, epoch=2025):
    found = set()
    for authority in reachable_authorities(site, epoch):
        year = published.page_year(site, authority, epoch)
        figures = site.figures[authority.slug, year]
        for listing, stated in (("upheld", figures.upheld_decisions), ("remedy", figures.remedy_decisions)):
            listed = len(decisions.listed(site, authority, year, listing))
            if listed != stated:
                found.add((authority.slug, year, listing, listed, stated))
    return found


def test_listings_hold_the_pages_counts_but_for_a_few_councils(site):
    found = listing_disagreements(site)
    planned = decisions.planned_disagreements(site, site.seed)
    assert len(planned) == decisions.DISAGREEMENTS
    for slug, (listing, difference) in planned.items():
        stated = getattr(site.figures[slug, "2024-25"], f"{listing}_decisions")
        assert (slug, "2024-25", listing, stated + difference, stated) in found
    assert len(found) == decisions.DISAGREEMENTS, sorted(found)


def test_abolished_councils_cases_are_decided_in_years_with_room(site):
    """Hambleton's and Somerset West and Taunton's last pages (2022-23) and Cumbria's 2024-25 page count
    0 upheld decisions while reports or improvements fell then: those cases move to earlier years, and no
    council's upheld cases in a year its page shows outnumber the count but for the planned disagreements."""
    for slug, year in (
        ("hambleton-district-council", "2022-23"),
        ("somerset-west-and-taunton-council", "2022-23"),
        ("cumbria-county-council", "2024-25"),
    ):
        authority = next(a for a in site.authorities if a.slug == slug)
        assert site.figures[slug, year].upheld_decisions == 0
        assert decisions.listed(site, authority, year, "upheld") == []
    assert any(r.date >= dt.date(2022, 4, 1) for r in site.reports["hambleton-district-council"])
    planned = decisions.planned_disagreements(site, site.seed)
    for authority in site.authorities:
        for year in decisions.years_shown(authority):
            listed = len(decisions.listed(site, authority, year, "upheld"))
            stated = site.figures[authority.slug, year].upheld_decisions
            assert listed <= stated or authority.slug in planned, (authority.slug, year, listed, stated)


def test_old_decisions_print_compound_outcomes(site):
    outcomes = {d.outcome for cases in site.decisions.values() for d in cases}
    assert outcomes == {"Upheld", decisions.UPHELD_COMPOUND}
    for cases in site.decisions.values():
        for decision in cases:
            assert (decision.outcome == "Upheld") == (
                decision.decision_date >= decisions.COMPOUND_OUTCOMES_BEFORE
            )


def test_upheld_listing_pages_through_every_case(site, replica_2025):
    authority = published.find_authority(site, "birmingham-city-council")
    expected = decisions.listed(site, authority, "2024-25", "upheld")
    url = links(page(replica_2025, "/your-councils-performance/birmingham-city-council/statistics"))[
        "View upheld decisions"
    ]
    seen, pages = [], 0
    while url and pages < 50:
        body = page(replica_2025, url)
        pages += 1
        # Cards link their decision from a heading or, without one, from "Read the statement".
        seen += re.findall(r'<a href="/decisions/[^"]+/(\d\d-\d{3}-\d{3}[a-z]?)"', body.decode())
        url = links(body).get("Next")
    assert pages == math.ceil(len(expected) / DECISIONS_PER_PAGE) > 1
    assert seen == [d.case_ref for d in expected]
    assert fetch(replica_2025, "/decisions/2025/u/Listing?aname=Birmingham+City+Council&page=99")[0] == 404


def test_a_report_is_a_landing_page_and_chapters(site, replica_2025):
    report = next(d for d in site.decisions["birmingham-city-council"] if d.is_report and d.chapters == 3)
    landing = text_of(page(replica_2025, report.path))
    chapter_links = links(page(replica_2025, report.path))
    assert chapter_links["Chapter 1"] == f"{report.path}?chapter=1"
    assert chapter_links["Chapter 2"] == f"{report.path}?chapter=2"
    assert f"Summary: {decisions.summary(report)}" in landing
    assert f"{decisions.REPORT_VERDICT} The Council has agreed to: {report.actions[0]}" in landing
    assert f"Ombudsman satisfied with Council's response: {report.satisfied.day} {report.satisfied:%B %Y}." in landing
    assert "final decision" not in landing and "Back to top" not in landing
    first, last = (text_of(page(replica_2025, f"{report.path}?chapter={n}")) for n in (1, 2))
    assert "The Investigation The complaint 1. The complainant" in first and "Summary:" not in first
    assert f"Recommendations {report.actions[0]}" in last and "Decision " in last
    assert fetch(replica_2025, f"{report.path}?chapter=3")[0] == 404


def test_the_satisfied_date_is_printed_from_its_day(site):
    reports = [d for cases in site.decisions.values() for d in cases if d.is_report]
    shown = {epoch: [d for d in reports if decisions.satisfied_shown(d, epoch)] for epoch in (2023, 2025)}
    assert 0 < len(shown[2023]) < len(shown[2025]) < len(reports)
    assert all("Ombudsman satisfied" in decisions.statement_text(d, 2025) for d in shown[2025])


def test_the_search_shows_care_providers_and_nhs_trusts_on_joint_cases(site):
    with_others = [a for a in site.authorities if any(d.body for d in site.searched_only[a.slug])]
    assert len(with_others) > 10
    for authority in with_others:
        trust, provider = sorted((d for d in site.searched_only[authority.slug] if d.body), key=lambda d: d.sub_category)
        assert trust.body.endswith("NHS Foundation Trust") and trust.case_ref.endswith("b")
        assert provider.body in decisions.CARE_PROVIDERS
        council_half = trust.case_ref[:-1] + "a"
        assert council_half in {d.case_ref for d in site.decisions[authority.slug]}
        searched = {d.case_ref for d in decisions.decisions_in_epoch(site, authority, 2025, searched=True)}
        assert trust.case_ref not in {d.case_ref for d in decisions.decisions_in_epoch(site, authority, 2025)}
        assert trust.case_ref in searched or trust.decision_date > published.publication_date(2025)


def test_statements_come_in_three_templates(site):
    templates = {decisions.template(d) for cases in site.decisions.values() for d in cases if not d.is_report}
    assert templates == set(decisions.TEMPLATES)


def test_ground_truth_covers_the_decisions_reached(site):
    truth = ground_truth(site, 2025, "http://replica")
    rows = truth["decisions"]
    assert len(rows) == len({row["case_ref"] for row in rows})
    listed = {ref for row in truth["decision_listings"] for ref in json.loads(row["case_refs"])}
    assert listed <= {row["case_ref"] for row in rows}
    improvements = {row["case_ref"] for row in truth["service_improvements"]}
    assert improvements <= {row["case_ref"] for row in rows}
    reports = {row["url"] for row in truth["reports"]}
    assert reports == {row["url"] for row in rows if row["is_report"]}
    assert sum(row["chapters"] for row in rows) < 7000  # proportionate to the crawl's 5,397 other requests


def test_the_replica_modules_depend_one_way():
    """site -> decisions -> published -> build: building the site's figures loads no decision module."""
    code = (
        "import sys, harvester.replica.build, harvester.replica.published; "
        "print(sorted(m for m in sys.modules if m.startswith('harvester.replica.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "harvester.replica.decisions" not in loaded and "harvester.replica.build" in loaded


def test_the_search_shows_not_upheld_and_closed_early_decisions_the_listings_do_not(site):
    authority = published.find_authority(site, "luton-borough-council")
    searched = decisions.decisions_in_epoch(site, authority, 2025, searched=True)
    groups = [decisions.outcome_group(d) for d in searched]
    assert groups.count("not upheld") == 1 and groups.count("closed early") == 1
    listed = {d.case_ref for listing in decisions.LISTINGS for d in decisions.listed(site, authority, "2024-25", listing)}
    assert {d.case_ref for d in searched if decisions.outcome_group(d) != "upheld"}.isdisjoint(listed)
    rows = decisions.truth_rows(site, authority, 2025, "http://replica", searched=True)["decisions"]
    assert sorted({(row["outcome"], row["outcome_group"]) for row in rows}) == [
        ("Closed after initial enquiries", "closed early"), ("Not upheld", "not upheld"), ("Upheld", "upheld")
    ]
