"""Decision pages and listings in the variants the saved cases do not show, each built from the site's real wording
(site notes §1.8, §2.11, §2.13) and the saved hand-built report landing page: a decision joined from its pages field by
field, where a page's main content is, a table of contents, the chapter links, the header's own failures, and listing
cards read or skipped with the reason."""

import dataclasses

import pytest

from harvester.pages.decisions import (
    decision_from_pages,
    page_kind,
    parse_decision_listing,
    parse_decision_page,
)
from harvester.pages.html import PageLayoutError, page_text
from tests.pages.cases import CASES_DIR, read_case

_, LANDING, LANDING_URL = read_case(CASES_DIR / "decision" / "report-landing")
_, SANDWELL_2, SANDWELL_2_URL = read_case(CASES_DIR / "decision" / "real-sandwell-report-chapter-2")
URL = "https://www.lgo.org.uk/decisions/housing/homelessness/24-005-444"
HEADER = """<h1>London Borough of Southwark (24 005 444)</h1>
<p>Category : Housing &gt; Homelessness</p>
<p>Decision : Upheld</p>
<p>Decision date : 14 Mar 2025</p>"""
SUMMARY = ("Summary: Ms X complained the Council failed to provide suitable interim accommodation. We found fault "
           "causing injustice.")  # fmt: skip
COMPLAINT = (
    "1. Ms X complained the Council placed her family in unsuitable interim accommodation for eight months."
)
FOUND = "2. The Council accepted the accommodation was unsuitable from June 2024."
NEWS = "<div><h2>Latest news</h2><p>Ombudsman publishes its annual review of local government complaints</p></div>"
SATISFIED = "<p>Ombudsman satisfied with Council's response: 4 November 2019.</p>"
VERDICT = "<p>The Ombudsman upheld the complaint, finding fault causing injustice.</p>"
ACTIONS = [
    "apologise to Mrs B's son and pay him £500;",
    "review every placement it has not reviewed within a year.",
]


def page(body: str, url: str = URL):
    return parse_decision_page(f"<html><body>{body}</body></html>", url)


# --- one decision from its page(s) ---------------------------------------------------------------


def test_a_report_landing_page_alone_is_a_whole_report_decision():
    landing = parse_decision_page(LANDING, LANDING_URL)
    decision = decision_from_pages(
        [landing], "vale-of-white-horse-district-council", False, LANDING_URL, "Statement"
    )
    assert dataclasses.asdict(decision) == {
        "authority_slug": None,
        "case_ref": "19-004-001",
        "body_name": "Vale Of White Horse District Council",
        "category": "Adult care services",
        "sub_category": "Residential care",
        "outcome": "Upheld",
        "outcome_group": "upheld",
        "decision_date": "2019-06-12",
        "is_report": True,  # listed as a statement, but its page has a verdict and a compliance date
        "chapters": 1,
        "summary": "The Council failed to review Mrs B's care for two years and did not act on concerns about her fees.",
        "text": "\n".join(
            [
                "The Ombudsman upheld the complaint, finding fault causing injustice.",
                "The Council has agreed to:",
                *ACTIONS,
                "Ombudsman satisfied with Council's response: 4 November 2019.",
            ]
        ),  # fmt: skip
        "remedy": "\n".join(ACTIONS),
        "satisfied_date": "2019-11-04",
        "url": LANDING_URL,
        "source_url": LANDING_URL,
        "found_via": "vale-of-white-horse-district-council",
        "listed_as": "Statement",
    }


@pytest.mark.parametrize(
    ("dropped", "satisfied_date"),
    [(SATISFIED, None), (VERDICT, "2019-11-04")],
)
def test_a_verdict_or_a_compliance_date_alone_makes_a_report(dropped, satisfied_date):
    html = LANDING.replace(dropped, "")
    assert html != LANDING
    landing = parse_decision_page(html, LANDING_URL)
    decision = decision_from_pages([landing], "vale-of-white-horse-district-council", False, LANDING_URL)
    assert (decision.is_report, decision.satisfied_date) == (True, satisfied_date)


def test_a_chapter_without_summary_or_agreed_actions_has_an_empty_summary_and_no_remedy():
    chapter = parse_decision_page(SANDWELL_2, SANDWELL_2_URL)
    decision = decision_from_pages([chapter], "sandwell-metropolitan-borough-council", True, SANDWELL_2_URL)
    assert (decision.summary, decision.remedy, decision.satisfied_date, decision.chapters) == (
        "",
        None,
        None,
        1,
    )
    assert decision.text.splitlines()[:2] == ["The Investigation", "The complaint"]


def test_a_chapter_of_another_case_is_refused_naming_both():
    landing = parse_decision_page(LANDING, LANDING_URL)
    other = parse_decision_page(SANDWELL_2, SANDWELL_2_URL)
    with pytest.raises(PageLayoutError) as raised:
        decision_from_pages([other, landing], "vale-of-white-horse-district-council", True, LANDING_URL)
    assert (raised.value.url, raised.value.missing) == (
        LANDING_URL,
        "chapter 2 is about 22-010-785, not 19-004-001",
    )


# --- the header's own failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        (HEADER.split("\n", 1)[1] + f"<p>{COMPLAINT}</p>", "no '{Body} (YY NNN NNN)' heading before 'Category :'"),
        (HEADER.replace("<p>Decision : Upheld</p>", "") + f"<p>{COMPLAINT}</p>", "missing 'Decision :'"),
        (HEADER.replace("<p>Decision date : 14 Mar 2025</p>", "") + f"<p>{COMPLAINT}</p>", "missing 'Decision date :'"),
        (HEADER.replace("Housing &gt; Homelessness", "Housing") + f"<p>{COMPLAINT}</p>",
         "missing 'Category : Main > Sub'"),
    ],
)  # fmt: skip
def test_a_header_without_one_of_its_lines_is_a_layout_failure_naming_it(body, missing):
    with pytest.raises(PageLayoutError) as raised:
        page(body)
    assert (raised.value.url, raised.value.missing) == (URL, missing)


def test_an_unreadable_decision_date_is_a_layout_failure():
    with pytest.raises(PageLayoutError) as raised:
        page(HEADER.replace("14 Mar 2025", "31 Feb 2025") + f"<p>{COMPLAINT}</p>")
    assert raised.value.url == URL and raised.value.missing.startswith("'Decision date :' ")
    assert "31 Feb 2025" in raised.value.missing


def test_a_case_named_further_down_the_statement_is_not_the_pages_case():
    read = page(f"<article>{HEADER}<p>{SUMMARY}</p><h2>The complaint</h2><p>{COMPLAINT}</p>"
                "<h2>Related decisions</h2><p>London Borough of Lambeth (23 001 234)</p></article>")  # fmt: skip
    assert (read.authority_name, read.case_ref, read.outcome) == (
        "London Borough of Southwark",
        "24-005-444",
        "Upheld",
    )


def test_the_header_lines_are_read_after_its_heading_not_from_a_search_form_above_it():
    form = "<form><p>Decision</p><p>Any outcome</p><p>Category</p><p>All categories</p></form>"
    read = page(form + HEADER)
    assert (read.category, read.sub_category, read.outcome, read.decision_date) == (
        "Housing", "Homelessness", "Upheld", "2025-03-14"
    )


# --- where the statement is: the page's main content -------------------------------------------------


@pytest.mark.parametrize("main", ["main", 'div role="main"'])
def test_a_declared_main_holding_only_the_header_has_no_statement_and_no_sidebar(main):
    read = page(f"<{main}>{HEADER}</{main.split()[0]}>{NEWS}")
    assert (read.statement, read.summary, read.warnings) == ([], None, ["no statement text after the header"])


def test_a_header_alone_in_its_article_reads_the_statement_beside_it_in_main():
    read = page(f"<main><article>{HEADER}</article><div><p>{SUMMARY}</p><h2>The complaint</h2><p>{COMPLAINT}</p>"
                "</div></main>")  # fmt: skip
    assert read.summary == SUMMARY.removeprefix("Summary: ")
    assert read.statement == ["The complaint", COMPLAINT]


def test_a_header_alone_in_its_block_reads_the_statement_after_it():
    read = page(f"<div>{HEADER}</div><div><p>{SUMMARY}</p><h2>The complaint</h2><p>{COMPLAINT}</p></div>")
    assert read.statement == ["The complaint", COMPLAINT]


def test_a_page_that_is_only_a_header_says_it_has_no_statement():
    read = page(HEADER)
    assert (read.statement, read.remedy, read.verdict, read.warnings) == (
        [],
        [],
        None,
        ["no statement text after the header"],
    )


def test_a_final_decision_line_alone_is_no_statement():
    read = page(f"<article>{HEADER}<p>The Ombudsman's final decision:</p></article>{NEWS}")
    assert (read.statement, read.warnings) == ([], ["no statement text after the header"])


# --- what opens a statement: a table of contents, "final decision", chapter links ------------------


def test_a_statement_after_its_final_decision_line_without_a_summary_starts_at_its_first_section():
    read = page(f"<article>{HEADER}<p>On this page</p><p>The complaint</p><p>What I found</p>"
                f"<p>The Ombudsman's final decision:</p><h2>The complaint</h2><p>{COMPLAINT}</p>"
                f"<h2>What I found</h2><p>{FOUND}</p></article>")  # fmt: skip
    assert (read.summary, read.statement) == (None, ["The complaint", COMPLAINT, "What I found", FOUND])


@pytest.mark.parametrize("label", ["<p>Contents</p>", ""])
def test_a_table_of_contents_of_two_entries_opening_a_statement_is_left_out(label):
    read = page(f"<article>{HEADER}{label}<p>The complaint</p><p>What I found</p><h2>The complaint</h2>"
                f"<p>{COMPLAINT}</p><h2>What I found</h2><p>{FOUND}</p></article>")  # fmt: skip
    assert read.statement == ["The complaint", COMPLAINT, "What I found", FOUND]


def test_a_contents_label_over_one_entry_is_no_table_of_contents():
    read = page(f"<article>{HEADER}<p>Contents</p><p>The complaint</p><h2>The complaint</h2><p>{COMPLAINT}</p>"
                "</article>")  # fmt: skip
    assert read.statement == ["Contents", "The complaint", "The complaint", COMPLAINT]


def test_entries_printed_again_below_stand_between_the_header_and_the_summary():
    read = page(f"<article>{HEADER}<p>Events of 2023</p><p>What happened next</p><p>{SUMMARY}</p>"
                f"<h3>Events of 2023</h3><p>{COMPLAINT}</p><h3>What happened next</h3><p>{FOUND}</p></article>")  # fmt: skip
    assert read.summary == SUMMARY.removeprefix("Summary: ")
    assert read.statement == ["Events of 2023", COMPLAINT, "What happened next", FOUND]


def test_a_link_to_a_chapter_stands_between_the_header_and_the_summary_but_another_link_does_not():
    chapter = (
        '<p><a href="/decisions/housing/homelessness/24-005-444?chapter=1">Read the report in full</a></p>'
    )
    read = page(
        f"<article>{HEADER}{chapter}<p>{SUMMARY}</p><h2>The complaint</h2><p>{COMPLAINT}</p></article>"
    )
    assert (read.summary, read.statement) == (SUMMARY.removeprefix("Summary: "), ["The complaint", COMPLAINT])
    other = '<p><a href="/decisions/housing">Read more housing decisions</a></p>'
    read = page(f"<article>{HEADER}{other}<p>{SUMMARY}</p><h2>The complaint</h2><p>{COMPLAINT}</p></article>")
    assert read.summary is None
    assert read.statement[:2] == ["Read more housing decisions", SUMMARY]


def test_a_chapter_link_with_more_words_around_it_is_statement_text():
    block = ('<p>The report\'s <a href="/decisions/housing/homelessness/24-005-444?chapter=1">investigation</a> '
             "follows.</p>")  # fmt: skip
    read = page(f"<article>{HEADER}{block}<p>{SUMMARY}</p><h2>The complaint</h2><p>{COMPLAINT}</p></article>")
    assert read.summary is None and read.statement[0] == "The report's investigation follows."


# --- a report's landing page: agreed actions, the compliance date ----------------------------------


def test_what_follows_the_compliance_date_is_not_an_agreed_action():
    html = LANDING.replace("</article>", "<p>This report was published under section 30 of the Local Government "
                           "Act 1974.</p></article>")  # fmt: skip
    read = parse_decision_page(html, LANDING_URL)
    assert (read.remedy, read.satisfied_date) == (ACTIONS, "2019-11-04")


def test_a_compliance_date_printed_with_two_full_stops_is_read():
    read = parse_decision_page(LANDING.replace("2019.</p>", "2019..</p>"), LANDING_URL)
    assert (read.satisfied_date, read.warnings) == ("2019-11-04", [])


def test_an_impossible_compliance_date_is_a_warning_and_no_date():
    read = parse_decision_page(LANDING.replace("4 November 2019", "31 February 2019"), LANDING_URL)
    assert read.satisfied_date is None
    [warning] = read.warnings
    assert warning.startswith("'Ombudsman satisfied with … response': ") and "31 February 2019" in warning


# --- chapters --------------------------------------------------------------------------------------


def test_chapter_links_of_this_page_only_in_chapter_order():
    links = ('<p><a href="/decisions/housing/homelessness/24-005-444?chapter=2">The Investigation</a>'
             '<a href="/decisions/housing/homelessness/24-005-444/?chapter=1">Report summary</a>'
             '<a href="/decisions/housing/homelessness/24-005-445?chapter=3">Another report</a>'
             '<a href="#chapter-4">Conclusions</a></p>')  # fmt: skip
    read = page(f"<article>{HEADER}<p>{SUMMARY}</p>{links}<h2>The complaint</h2><p>{COMPLAINT}</p></article>",
                URL + "/")  # fmt: skip
    assert (read.chapter, read.chapter_urls) == (0, [URL + "/?chapter=1", URL + "?chapter=2"])


def test_a_chapter_page_does_not_link_itself():
    links = ('<p><a href="/decisions/housing/homelessness/24-005-444?chapter=1">The Investigation</a> '
             '<a href="/decisions/housing/homelessness/24-005-444?chapter=2">Conclusions</a></p>')  # fmt: skip
    read = page(
        f"<article>{HEADER}{links}<h2>The Investigation</h2><p>{COMPLAINT}</p></article>", URL + "?chapter=1"
    )
    assert (read.chapter, read.chapter_urls) == (1, [URL + "?chapter=2"])


@pytest.mark.parametrize("query", ["?chapter=one", "?chapter=1&chapter=2"])
def test_a_chapter_that_is_not_one_number_is_a_layout_failure(query):
    with pytest.raises(PageLayoutError) as raised:
        page(f"<article>{HEADER}<h2>The complaint</h2><p>{COMPLAINT}</p></article>", URL + query)
    assert raised.value.url == URL + query
    assert raised.value.missing.startswith("chapter [") and raised.value.missing.endswith("] is not a number")


# --- what kind of page -------------------------------------------------------------------------------


def test_a_page_kind_is_told_by_a_listings_wording_or_cards_or_a_decisions_header():
    def kind(html):
        return page_kind(page_text(html, URL))

    assert (
        kind("<h1>Housing</h1><p>Recent statements in this category are shown below:</p>")
        == "decision_listing"
    )
    assert kind("<p>Statement Upheld Homelessness 06-Nov-2025</p>") == "decision_listing"
    assert kind(HEADER) == "decision"
    assert kind(HEADER.replace("<p>Decision date : 14 Mar 2025</p>", "")) is None
    assert kind(HEADER.replace("<p>Category : Housing &gt; Homelessness</p>", "")) is None


# --- listing cards ------------------------------------------------------------------------------------

LISTING = "https://www.lgo.org.uk/decisions/housing/homelessness"
CARD_LINK = '<a href="/decisions/housing/homelessness/25-001-020">'


def test_a_card_whose_heading_names_another_case_than_its_link_is_skipped_saying_so():
    html = (f"<h1>Homelessness</h1><h3>{CARD_LINK}Leeds City Council (24 019 797)</a></h3>"
            "<p>Statement Upheld Homelessness 06-Nov-2025</p><p>Summary: x</p>"
            f"<h3>{CARD_LINK}Leeds City Council (25 001 020)</a></h3>"
            "<p>Statement Upheld Homelessness 06-Nov-2025</p>")  # fmt: skip
    listing = parse_decision_listing(html, LISTING)
    assert [card.case_ref for card in listing.cards] == ["25-001-020"] and listing.skipped == 1
    assert listing.warnings == [
        "card skipped (its heading names 24 019 797 but it links "
        "https://www.lgo.org.uk/decisions/housing/homelessness/25-001-020): "
        "'Leeds City Council (24 019 797) / Statement Upheld Homelessness 06-Nov-2025 / Summary: x'"
    ]


def test_a_card_with_an_outcome_the_site_is_not_known_to_print_keeps_it_unread():
    html = (f"<h1>Homelessness</h1><h3>{CARD_LINK}Leeds City Council (25 001 020)</a></h3>"
            "<p>Statement Withdrawn Homelessness 06-Nov-2025</p><p>Summary: x</p>")  # fmt: skip
    [card] = parse_decision_listing(html, LISTING).cards
    assert (card.outcome, card.sub_category, card.decision_date) == (None, None, "2025-11-06")


def test_a_cards_link_may_be_at_the_end_of_its_summary_under_an_unlinked_heading():
    html = ("<h1>Homelessness</h1><h3>Leeds City Council (25 001 020)</h3>"
            "<p>Statement Not upheld Homelessness 21-Nov-2025</p>"
            f"<p>Summary: The Council properly considered Mr Y's homeless application. {CARD_LINK}Read the "
            "statement</a></p>")  # fmt: skip
    [card] = parse_decision_listing(html, LISTING).cards
    assert (card.authority_name, card.case_ref, card.outcome, card.summary) == (
        "Leeds City Council",
        "25-001-020",
        "Not upheld",
        "The Council properly considered Mr Y's homeless application.",
    )


def test_a_card_opening_the_page_takes_no_heading_from_the_pages_end():
    html = (
        "<p>Statement Upheld Homelessness 06-Nov-2025</p>"
        f"<p>Summary: The Council delayed. {CARD_LINK}Read the statement</a></p>"
        '<p><a href="/decisions/housing/homelessness/24-019-797">Leeds City Council (24 019 797)</a></p>'
    )
    listing = parse_decision_listing(html, LISTING)
    assert [(c.authority_name, c.case_ref, c.summary) for c in listing.cards] == [
        (None, "25-001-020", "The Council delayed.")
    ]
    assert len(listing.warnings) == 1 and "(24 019 797)" in listing.warnings[0]


def test_a_listing_without_cards_or_empty_wording_names_the_page():
    with pytest.raises(PageLayoutError) as raised:
        parse_decision_listing("<h1>Decisions for Leeds City Council</h1>", LISTING)
    assert (raised.value.url, raised.value.missing) == (
        LISTING,
        "no decision cards and no wording saying there are none",
    )


def test_a_listing_with_two_different_next_links_is_a_layout_failure():
    card = (f"<h3>{CARD_LINK}Leeds City Council (25 001 020)</a></h3>"
            "<p>Statement Upheld Homelessness 06-Nov-2025</p><p>Summary: x</p>")  # fmt: skip
    pager = '<a href="?page=2">Next</a> <a href="?page=3">Next</a>'
    with pytest.raises(PageLayoutError) as raised:
        parse_decision_listing(f"{card}<p>{pager}</p>", LISTING)
    assert (raised.value.url, raised.value.missing) == (LISTING, "2 different 'Next' links")
    same_twice = '<a href="?page=2">Next</a> <a href="?page=2">Next »</a>'
    assert parse_decision_listing(f"{card}<p>{same_twice}</p>", LISTING).next_url == LISTING + "?page=2"
