"""Decision listing and decision page parsers: outcomes, references, chapters joined into one decision."""

import dataclasses

import pytest

from harvester import normalise
from harvester.pages.decisions import (
    case_ref_in_url,
    decision_from_pages,
    outcome_group,
    parse_decision_listing,
    parse_decision_page,
)
from harvester.pages.html import PageLayoutError
from harvester.replica import decisions as replica_decisions
from harvester.replica import published
from harvester.replica.faults import FAULTS
from harvester.replica.server import Replica

BASE = "https://www.lgo.org.uk"


@pytest.mark.parametrize(
    ("outcome", "group"),
    [
        ("Upheld", "upheld"),
        ("Upheld: maladministration and injustice", "upheld"),
        ("Not upheld", "not upheld"),
        ("Not upheld: no maladministration", "not upheld"),
        ("Closed after initial enquiries", "closed early"),
        ("Closed after initial enquiries - out of jurisdiction", "closed early"),
        ("Closed after initial enquiries - no further action", "closed early"),
        ("Withdrawn", None),
    ],
)
def test_outcome_groups(outcome, group):
    assert outcome_group(outcome) == group


def test_case_ref_from_a_decision_url_only():
    assert case_ref_in_url(f"{BASE}/decisions/housing/homelessness/24-005-444") == "24-005-444"
    assert case_ref_in_url(f"{BASE}/decisions/housing/homelessness/24-005-444/?chapter=2") == "24-005-444"
    assert case_ref_in_url(f"{BASE}/decisions/health/other/17-002-402b") == "17-002-402b"
    assert case_ref_in_url(f"{BASE}/information-centre/news/2019/may/ombudsman-responds") is None


@pytest.mark.parametrize(
    ("printed", "stored"),
    [("24 005 444", "24-005-444"), ("24-005-444", "24-005-444"), ("17 002 402b", "17-002-402b"),
     ("17\u00a0002\u00a0402B", "17-002-402b"), ("24005444", "24-005-444")],
)  # fmt: skip
def test_case_references_as_printed(printed, stored):
    assert normalise.case_ref(printed) == stored


@pytest.mark.parametrize("text", ["24 005 44", "24 005 444bc", "2 4005 444"])
def test_what_is_not_a_case_reference(text):
    with pytest.raises(ValueError, match="not a case reference"):
        normalise.case_ref(text)


@pytest.fixture(scope="module")
def served(replica_site):
    return Replica(replica_site, 2025)


def read(served, path):
    return parse_decision_page(served.get(path).body, BASE + path)


def test_a_reports_landing_page_and_chapters_join_into_one_decision(replica_site, served):
    report = next(
        d for d in replica_site.decisions["birmingham-city-council"] if d.is_report and d.chapters == 3
    )
    first = read(served, report.path)
    assert first.chapter_urls == [BASE + f"{report.path}?chapter={n}" for n in (1, 2)]
    assert (first.verdict, first.satisfied_date) == (replica_decisions.REPORT_VERDICT, report.satisfied.isoformat())
    pages = [first] + [read(served, url.removeprefix(BASE)) for url in reversed(first.chapter_urls)]
    decision = decision_from_pages(pages, "birmingham-city-council", True, BASE + report.path)
    assert decision.text == replica_decisions.statement_text(report, 2025)
    assert decision.remedy == "\n".join(report.actions)  # the landing page's list and "Recommendations", once
    assert (decision.chapters, decision.outcome, decision.outcome_group) == (3, report.outcome, "upheld")
    assert decision.text.splitlines()[0] == replica_decisions.REPORT_VERDICT
    assert "Recommendations" in decision.text.splitlines() and "1. The complainant, Ms X," in decision.text
    assert decision.satisfied_date == report.satisfied.isoformat()


def test_chapters_of_different_cases_are_refused(replica_site, served):
    birmingham = replica_site.decisions["birmingham-city-council"]
    one, other = (read(served, d.path) for d in birmingham[:2])
    other.chapter = 2
    with pytest.raises(PageLayoutError, match="chapter 2 is about"):
        decision_from_pages([one, other], "birmingham-city-council", False, BASE + "/x")


def test_a_card_whose_heading_links_nothing_still_names_its_case():
    html = (
        "<h3>Leeds City Council (24 019 797)</h3><p>Statement Upheld Other 06-Nov-2025</p><p>Summary: x</p>"
        '<h3><a href="/decisions/housing/homelessness/25-001-020">Leeds City Council (25 001 020)</a></h3>'
        "<p>Statement Not upheld Homelessness 21-Nov-2025</p><p>Summary: y</p>"
    )
    listing = parse_decision_listing(html, BASE + "/decisions/2025/u/Listing")
    assert [(card.case_ref, card.url) for card in listing.cards] == [
        ("24-019-797", None),
        ("25-001-020", BASE + "/decisions/housing/homelessness/25-001-020"),
    ]
    assert listing.skipped == 0
    assert listing.warnings == [
        "card read in part (its heading names 24 019 797 but links no decision page: not followed): "
        "'Leeds City Council (24 019 797) / Statement Upheld Other 06-Nov-2025 / Summary: x'"
    ]


def test_a_card_naming_no_case_is_skipped_with_its_text_and_the_rest_kept():
    html = (
        "<p>Statement Upheld Other 06-Nov-2025</p><p>Summary: x</p>"
        '<h3><a href="/decisions/housing/homelessness/25-001-020">Leeds City Council (25 001 020)</a></h3>'
        "<p>Statement Not upheld Homelessness 21-Nov-2025</p><p>Summary: y</p>"
    )
    listing = parse_decision_listing(html, BASE + "/decisions/2025/u/Listing")
    assert [card.case_ref for card in listing.cards] == ["25-001-020"]
    assert listing.skipped == 1
    assert listing.warnings == [
        "card skipped (no link to a decision page and no heading naming its case): "
        "'Statement Upheld Other 06-Nov-2025 / Summary: x'"
    ]


def test_a_heading_without_its_card_line_is_skipped_and_the_rest_kept():
    html = (
        '<p><a href="/decisions/housing/homelessness/24-019-797">Leeds City Council (24 019 797)</a></p><p>x</p>'
        '<h3><a href="/decisions/housing/homelessness/25-001-020">Leeds City Council (25 001 020)</a></h3>'
        "<p>Statement Not upheld Homelessness 21-Nov-2025</p>"
    )
    listing = parse_decision_listing(html, BASE + "/decisions/2025/u/Listing")
    assert [card.case_ref for card in listing.cards] == ["25-001-020"] and listing.skipped == 1
    assert "Leeds City Council (24 019 797)" in listing.warnings[0]


def test_cards_shown_and_none_read_are_a_layout_failure_not_an_empty_listing():
    # bench/chaos.py's redesign-listing: the date first on each card's line, a line no card is anchored on.
    html = (
        "<p>Your search has 2 results</p>"
        '<h3><a href="/decisions/housing/homelessness/24-019-797">Leeds City Council (24 019 797)</a></h3>'
        "<p>06-Nov-2025 · Statement Upheld Homelessness</p><p>Summary: x</p>"
        '<h3><a href="/decisions/housing/homelessness/25-001-020">Leeds City Council (25 001 020)</a></h3>'
        "<p>21-Nov-2025 · Statement Not upheld Homelessness</p><p>Summary: y</p>"
    )
    with pytest.raises(PageLayoutError, match="2 cards shown and none read"):
        parse_decision_listing(html, BASE + "/decisions/2025/u/Listing")


@pytest.mark.parametrize(
    "wording",
    ["There are no decisions to show.", "Your search has 0 results", "No results found.",
     "There are no statements in this category.", "We found no decisions matching your search."],
)  # fmt: skip
def test_an_empty_listing_in_any_ordinary_phrasing(wording):
    listing = parse_decision_listing(f"<h1>Decisions</h1><p>{wording}</p>", BASE + "/decisions/2025/u/Listing")
    assert (listing.cards, listing.warnings, listing.results) == ([], [], 0)


def test_a_listing_without_cards_or_empty_wording_is_a_layout_failure():
    with pytest.raises(PageLayoutError, match="no decision cards"):
        parse_decision_listing(
            "<h1>Decisions for Leeds City Council</h1>", BASE + "/decisions/2025/u/Listing"
        )


def test_a_decision_page_without_its_header_is_a_layout_failure(served, replica_site):
    decision = replica_site.decisions["birmingham-city-council"][0]
    html = served.get(decision.path).body.decode().replace("Decision date", "Date")
    with pytest.raises(PageLayoutError, match="missing 'Decision date :'"):
        parse_decision_page(html, BASE + decision.path)


def test_every_template_report_and_body_of_the_replica_reads_as_its_ground_truth(replica_site, served):
    """Statements in each template, reports (landing page and chapters), a care provider and an NHS trust."""
    chosen = ["birmingham-city-council", "hartlepool-borough-council"]
    authorities = [published.find_authority(replica_site, slug) for slug in chosen]
    read_kinds = set()
    for authority in authorities:
        truth = replica_decisions.truth_rows(replica_site, authority, 2025, BASE, searched=True)["decisions"]
        for row in truth:
            path = row["url"].removeprefix(BASE)
            first = read(served, path)
            pages = [first] + [read(served, url.removeprefix(BASE)) for url in first.chapter_urls]
            decision = decision_from_pages(pages, authority.slug, bool(row["is_report"]), row["url"])
            got = dataclasses.asdict(decision) | {"is_report": int(decision.is_report)}
            assert {column: got[column] for column in row if column != "authority_slug"} == {
                column: value for column, value in row.items() if column != "authority_slug"
            }
            assert first.warnings == []
            model = next(d for d in replica_decisions.decisions_in_epoch(replica_site, authority, 2025, True)
                         if d.case_ref == row["case_ref"])  # fmt: skip
            read_kinds.add("report" if model.is_report else replica_decisions.template(model))
            read_kinds.add("other body" if model.body else "council")
    assert read_kinds == {*replica_decisions.TEMPLATES, "report", "other body", "council"}


def test_a_decision_page_with_its_markup_left_unclosed_reads_as_the_whole_page_does(replica_site, served):
    """The replica's malformed-html fault (closing tags dropped, invalid bytes after the heading and before the
    footer): the nearest element holding the header becomes the page body, sidebar and cookie notice included.
    The statement still ends where the page's <main> does, and a footer or aside never joins it."""
    authority = published.find_authority(replica_site, "birmingham-city-council")
    truth = replica_decisions.truth_rows(replica_site, authority, 2025, BASE)["decisions"]
    malformed_html = FAULTS["malformed-html"]
    templates = set()
    for row in truth:
        path = row["url"].removeprefix(BASE)
        response = served.get(path)
        malformed = malformed_html.apply(response, path, 0).body
        whole, unclosed = read(served, path), parse_decision_page(malformed, BASE + path)
        assert dataclasses.asdict(unclosed) == dataclasses.asdict(whole), path
        model = next(d for d in replica_decisions.decisions_in_epoch(replica_site, authority, 2025, False)
                     if d.case_ref == row["case_ref"])  # fmt: skip
        templates.add("report" if model.is_report else replica_decisions.template(model))
    assert templates == {*replica_decisions.TEMPLATES, "report"}
