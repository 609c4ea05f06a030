"""What a statistics page's reader says when a part is not as the site prints it: the field an unreadable figure is
kept under, the words of each problem, and which part alone a problem costs (issue 26's surviving mutants).

Pages are the saved BCP (2024-25) page and a typed 2023-24 page, changed in the site's own wording (site notes §2).
"""

import json

import pytest

from harvester.pages.html import PageLayoutError
from harvester.pages.statistics import parse_statistics_page
from tests.pages.cases import CASES_DIR, read_case
from tests.test_pages_statistics import FIGURES, URL

_, BCP, BCP_URL = read_case(
    CASES_DIR / "statistics" / "replica-2025-bournemouth-christchurch-and-poole-council"
)
AFTER_LETTERS = "View annual letters</a>"
LUTON_LIST = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council"
ANNUAL_LETTERS = (
    "<h2>Annual letters</h2><p>We write to councils each year to give a summary of the complaint statistics we "
    f'record about them.</p><p><a href="{LUTON_LIST}/annualletters">View annual letters</a></p>'
)
NO_REPORTS = "<p>No reports published</p>"
NO_IMPROVEMENTS = (
    "<p>Since April 2018, the Council has agreed to make the following improvements to its services following an "
    "Ombudsman investigation.</p>"
)
CARD = (
    "<p>Case reference: 23 020 528</p><p>Category: Children's care services</p><p>Sub Category: Adoption</p>"
    "<p>The Council will remind staff of the timescales for adoption reviews.</p>"
)


def changed(html: str, old: str, new: str) -> str:
    assert html.count(old) == 1, old
    return html.replace(old, new)


def with_parts(*parts: str) -> str:
    """The typed 2023-24 page with the given sections after its figures, before the footer."""
    return changed(FIGURES, "<footer>", "".join(parts) + "<footer>")


@pytest.mark.parametrize(
    ("old", "new", "field", "stated"),
    [
        ("this is 6.5 upheld", "this is n/a upheld", "upheld_per_100k", "n/a"),
        ("type is 5.3 upheld", "type is n/a upheld", "upheld_per_100k_avg", "n/a"),
        ("total of 20 compliance", "total of n/a compliance", "compliance_outcomes", "n/a"),
        # sentences whose figure the pattern wants in digits: a misplaced thousands comma is not a count
        ('"big-number">1</span> satisfactory', '"big-number">1,0</span> satisfactory', "remedy_decisions", "1,0"),
        ("we dealt with 121 complaints", "we dealt with 12,1 complaints", "complaints_dealt_with", "12,1"),
        ("Of these, 27 were", "Of these, 2,7 were", "not_for_us", "2,7"),
        ("closed 65 complaints", "closed 6,5 complaints", "assessed_and_closed", "6,5"),
    ],
    ids=["per-100k", "per-100k-average", "compliance-outcomes", "remedy-decisions", "dealt-with", "not-for-us",
         "assessed-and-closed"],
)  # fmt: skip
def test_a_figure_not_a_number_is_kept_under_its_own_field(old, new, field, stated):
    statistics = parse_statistics_page(changed(BCP, old, new), BCP_URL).statistics
    assert getattr(statistics, field) is None
    assert json.loads(statistics.raw_values) == {field: stated}
    assert statistics.flags == f"unreadable:{field}"
    assert (statistics.upheld_pct, statistics.investigations, statistics.remedy_pct) == (90, 29, 4)


def test_unreadable_text_is_stored_as_printed_not_escaped():
    html = FIGURES.replace("an average of 79%", "an average of –")  # an en dash: the site's "no figure"
    assert parse_statistics_page(html, URL).statistics.raw_values == '{"upheld_avg_pct": "–"}'


def test_a_count_one_sentence_leaves_unread_is_read_from_another():
    html = changed(
        FIGURES,
        "<p>Statistics are based on a total of 13 investigations",
        "<p>We investigated 13 complaints and upheld 9.</p><p>Statistics are based on a total of n/a investigations",
    )
    statistics = parse_statistics_page(html, URL).statistics
    assert (statistics.investigations, statistics.raw_values, statistics.flags) == (13, None, None)


def test_the_overview_and_the_upheld_sentence_each_give_the_investigations():
    alone = changed(BCP, " We investigated 29 complaints.</p>", "</p>")
    assert parse_statistics_page(alone, BCP_URL).statistics.investigations == 29
    disagreeing = changed(BCP, "We investigated 29 complaints.</p>", "We investigated 30 complaints.</p>")
    page = parse_statistics_page(disagreeing, BCP_URL)
    assert page.statistics is None
    assert page.problems["figures"] == "sentences disagree on the number of investigations: [29, 30]"


def test_a_page_where_no_figure_at_all_is_a_number_is_a_layout_error():
    html = FIGURES
    for old, new in [
        ("69%", "n/a"), ("79%", "n/a"), ("<p>9 upheld decisions</p>", "<p>9,9 upheld decisions</p>"),
        ("13 investigations", "n/a investigations"), ("33%", "n/a"), ("13%", "n/a"),
        ("3 satisfactory", "3,3 satisfactory"),
    ]:  # fmt: skip
        html = changed(html, old, new)
    page = parse_statistics_page(html, URL)
    assert page.problems["figures"] == "not one figure on the page reads as a number"
    # the compliance figures unreadable as well: still nothing to store
    nothing = changed(changed(html, "100% of cases", "n/a of cases"), "7 compliance", "n/a compliance")
    assert (
        parse_statistics_page(nothing, URL).problems["figures"]
        == "not one figure on the page reads as a number"
    )


def test_a_period_of_two_years_names_both():
    html = changed(FIGURES, f"7 compliance outcomes {PERIOD_2023}", f"7 compliance outcomes {PERIOD_2024}")
    assert parse_statistics_page(html, URL).problems["figures"] == (
        "expected one 'between 1 April YYYY to 31 March YYYY' year, found 2023-24, 2024-25"
    )


PERIOD_2023 = "for the period between 1 April 2023 to 31 March 2024"
PERIOD_2024 = "for the period between 1 April 2024 to 31 March 2025"


def test_a_period_after_the_letters_section_is_not_the_statistics_year():
    news = "<p>Complaints to us for the period between 1 April 2019 to 31 March 2020 rose.</p>"
    page = parse_statistics_page(changed(BCP, AFTER_LETTERS, AFTER_LETTERS + news), BCP_URL)
    assert (page.statistics.year, page.problems) == ("2024-25", {})


def test_annual_letters_in_the_menu_before_the_figures_does_not_end_them():
    html = "<ul><li>Annual letters</li></ul>" + FIGURES
    page = parse_statistics_page(html, URL)
    assert (page.statistics.upheld_pct, page.statistics.remedy_decisions) == (69, 3)


def test_a_page_without_figures_still_gives_its_name_and_letters():
    html = (
        "<h2>Annual letters</h2>"
        f'<p><a href="{LUTON_LIST}/annualletters">View annual letters</a></p>'
        "<p>The Ombudsman has published the following reports against Luton Borough Council</p>"
        + NO_REPORTS
        + NO_IMPROVEMENTS
    )
    page = parse_statistics_page(html, URL)
    assert (page.statistics, page.problems) == (None, {"figures": "no statistics wording on the page"})
    assert page.authority.name == "Luton Borough Council"
    assert page.letters_url == f"{LUTON_LIST}/annualletters"


def test_a_page_naming_no_authority_is_a_layout_error():
    html = FIGURES.replace("<h1>Luton Borough Council</h1>", "")
    with pytest.raises(PageLayoutError) as raised:
        parse_statistics_page(html, URL)
    assert (raised.value.url, raised.value.missing) == (
        URL,
        "no authority name: no <h1> and no sentence naming the authority",
    )


@pytest.mark.parametrize(
    ("text", "listing"),
    [("View upheld decisions", "u"), ("View all satisfactory remedy decisions", "sr")],
    ids=["upheld", "remedy"],
)
def test_two_different_decision_links_of_one_kind_are_a_layout_error(text, listing):
    links = "".join(
        f'<p><a href="https://www.lgo.org.uk/decisions/{year}/{listing}/Listing">{text}</a></p>'
        for year in (2024, 2023)
    )
    html = changed(FIGURES, "<p>9 upheld decisions</p>", "<p>9 upheld decisions</p>" + links)
    with pytest.raises(PageLayoutError) as raised:
        parse_statistics_page(html, URL)
    assert (raised.value.url, raised.value.missing) == (URL, f"2 different '{text}' links")


def test_a_count_of_improvements_without_view_all_is_that_parts_problem_and_its_cards_are_not_read():
    html = with_parts(
        ANNUAL_LETTERS,
        NO_REPORTS,
        CARD,
        "<p>1</p><p>Service improvements agreed by Luton Borough Council</p>",
    )
    page = parse_statistics_page(html, URL)
    assert page.problems == {
        "improvements": "no 'View all' link after '{N} Service improvements agreed by …'"
    }
    assert (page.teaser_improvements, page.statistics.upheld_pct) == ([], 69)


@pytest.mark.parametrize(
    ("count", "part", "what"),
    [
        (
            f'<p>1</p><p>Reports for Luton Borough Council</p><p><a href="{LUTON_LIST}/reports">View all</a></p>',
            "reports",
            "'{N} Reports for {Authority}'",
        ),
        (
            "<p>1</p><p>Service improvements agreed by Luton Borough Council</p>"
            f'<p><a href="{LUTON_LIST}/serviceimprovements">View all</a></p>',
            "improvements",
            "'{N} Service improvements agreed by …'",
        ),
    ],
    ids=["reports", "improvements"],
)
def test_a_count_sentence_printed_twice_costs_its_own_part_alone(count, part, what):
    others = {"reports": NO_IMPROVEMENTS, "improvements": NO_REPORTS}
    page = parse_statistics_page(with_parts(ANNUAL_LETTERS, others[part], count, count), URL)
    assert page.problems == {part: f"{what} appears 2 times, expected at most once"}
    assert (page.statistics.upheld_pct, page.letters_url) == (69, f"{LUTON_LIST}/annualletters")
    assert page.teaser_improvements == []


MERGER = (
    "<p>Luton Borough Council is a merger of several councils and the historical information for these are located "
    "from the following links.</p>"
)


def test_a_merger_sentence_printed_twice_costs_the_predecessors_alone():
    link = '<p><a href="/your-councils-performance/old-luton-council/statistics">Old Luton Council</a></p>'
    html = changed(
        with_parts(ANNUAL_LETTERS, NO_REPORTS, NO_IMPROVEMENTS), "</h1>", "</h1>" + (MERGER + link) * 2
    )
    page = parse_statistics_page(html, URL)
    assert page.problems == {"predecessors": "the merger sentence appears 2 times, expected at most once"}
    assert (page.authority.predecessor_urls, page.statistics.upheld_pct) == ([], 69)


def test_a_link_after_the_merger_sentence_to_another_kind_of_page_is_no_predecessor():
    link = '<p><a href="https://www.lgo.org.uk/information-centre/news">Read the news</a></p>'
    html = changed(with_parts(ANNUAL_LETTERS, NO_REPORTS, NO_IMPROVEMENTS), "</h1>", "</h1>" + MERGER + link)
    page = parse_statistics_page(html, URL)
    assert page.authority.predecessor_urls == []
    assert page.problems == {"predecessors": "merger sentence not followed by links to statistics pages"}


@pytest.mark.parametrize(
    "letters",
    [
        "",  # no letters link: the reports link still shows the spelling
        '<p><a href="https://www.lgo.org.uk/information-centre/annual-letters">View annual letters</a></p>',
    ],
    ids=["no-letters-link", "letters-elsewhere"],
)
def test_the_sites_spelling_of_a_slug_comes_from_any_of_the_pages_own_list_links(letters):
    reports = (
        f'<p>1</p><p>Reports for Luton Borough Council</p><p><a href="{LUTON_LIST}/reports">View all</a></p>'
    )
    html = with_parts("<h2>Annual letters</h2>", letters, reports)
    page = parse_statistics_page(html, URL.replace("luton-borough-council", "Luton-Borough-Council"))
    assert (page.authority.slug, page.authority.url) == ("luton-borough-council", URL)
