"""Service improvements pages: a card's parts and where its actions end, the filters offered as links, and the words
and URL of each layout failure (issue 26's surviving mutants).

Typed pages in the site's card wording (site notes §2.6): "Case reference: 23 020 528", "Category: …",
"Sub Category: …", then the actions.
"""

import pytest

from harvester.pages.html import PageLayoutError
from harvester.pages.improvements import parse_improvements_page

URL = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/serviceimprovements"
INTRO = (
    "<h1>Luton Borough Council</h1><h2>Service improvements</h2><p>Since April 2018, the Council has agreed to make "
    "the following improvements to its services following an Ombudsman investigation.</p>"
)
ACTION = "The Council has agreed to remind staff of the timescales for adoption reviews."
DECISION = "https://www.lgo.org.uk/decisions/children-s-care-services/adoption/23-020-528"


def card(reference="23 020 528", parts=("<p>Category: Children's care services</p>", "<p>Sub Category: Adoption</p>"),
         actions=(ACTION,), link=None) -> str:  # fmt: skip
    linked = f'<a href="{link}">{reference}</a>' if link else reference
    return f"<p>Case reference: {linked}</p>{''.join(parts)}" + "".join(
        f"<p>{action}</p>" for action in actions
    )


def parse(*parts: str):
    return parse_improvements_page(
        INTRO + "".join(parts) + "<footer>Last updated: 4 April 2015</footer>", URL
    )


def layout_error(*parts: str) -> PageLayoutError:
    with pytest.raises(PageLayoutError) as raised:
        parse(*parts)
    assert raised.value.url == URL
    return raised.value


def test_a_card_without_category_names_the_case():
    assert layout_error(card(parts=("<p>Sub Category: Adoption</p>",))).missing == (
        "missing 'Category:' of case 23 020 528"
    )


def test_a_card_without_actions_names_the_case():
    page = card(actions=()) + card("22 015 676")
    assert layout_error(page).missing == "no agreed actions listed for case 23 020 528"


def test_a_cards_decision_link_may_end_in_a_slash():
    [improvement] = parse(card(link=DECISION + "/")).improvements
    assert (improvement.case_ref, improvement.decision_url, improvement.actions) == (
        "23-020-528",
        DECISION + "/",
        [ACTION],
    )


def test_a_joint_cases_link_printed_with_a_capital_letter_is_its_decision():
    link = "https://www.lgo.org.uk/decisions/adult-care-services/other/17-002-402B"
    [improvement] = parse(card("17 002 402b", link=link)).improvements
    assert (improvement.case_ref, improvement.decision_url) == ("17-002-402b", link)


def test_two_different_decision_links_in_a_card_are_a_layout_error():
    other = f'<p>See also <a href="{DECISION.replace("/adoption/", "/other/")}">the decision</a></p>'
    assert (
        layout_error(card(link=DECISION) + other).missing == "2 different decision links for case 23 020 528"
    )


def test_a_block_of_nothing_but_links_ends_the_actions():
    chrome = (
        '<p><a href="/information-centre/news">Latest news</a> | <a href="/decisions">Our decisions</a></p>'
    )
    [improvement] = parse(card(), chrome).improvements
    assert improvement.actions == [ACTION]


def test_filters_offered_as_links_are_read_from_their_query():
    filters = (
        f'<ul><li><a href="{URL}?category=0">All categories</a></li>'
        f'<li><a href="{URL}?category=1016">Housing</a></li>'
        f'<li><a href="{URL}?category=1010">Adult care services</a></li></ul>'
        f'<ul><li><a href="{URL}?year=0">All years</a></li><li><a href="{URL}?year=2024">2024</a></li>'
        f'<li><a href="{URL}?year=2023">2023</a></li></ul>'
    )
    page = parse(filters, card())
    assert page.categories == {"1016": "Housing", "1010": "Adult care services"}
    assert page.years == [2024, 2023]


def test_a_year_filter_value_that_is_not_a_year_is_a_layout_error():
    select = '<select name="year"><option value="">All years</option><option value="last">Last year</option></select>'
    assert layout_error(select, card()).missing == "year filter value is not a year: 'last'"


def test_two_different_next_links_are_a_layout_error():
    pager = f'<p><a href="{URL}?page=2">Next</a></p><p><a href="{URL}?page=3">Next</a></p>'
    assert layout_error(card(), pager).missing == "2 different 'Next' links"


def test_the_matching_count_printed_twice_is_a_layout_error():
    count = "<p>23 service improvements</p>"
    assert layout_error(count, card(), count).missing == (
        "the '{N} service improvements' count appears 2 times, expected at most once"
    )


def test_a_count_of_none_matching_is_an_empty_page_without_other_wording():
    html = "<h1>Luton Borough Council</h1><p>0 service improvements</p>"
    page = parse_improvements_page(html, URL)
    assert (page.improvements, page.matching_count) == ([], 0)


def test_a_page_without_cards_or_wording_is_a_layout_error():
    with pytest.raises(PageLayoutError) as raised:
        parse_improvements_page("<h1>Luton Borough Council</h1><p>Something else</p>", URL)
    assert (raised.value.url, raised.value.missing) == (
        URL,
        "no 'Case reference:' cards and no service improvements wording",
    )


@pytest.mark.parametrize(
    "shown",
    [
        # the replica's redesign-improvements: cards headed 'Reference number:' under the intro sentence
        card().replace("Case reference:", "Reference number:"),
        # a count of cases matching, above 0, with none read
        "<p>23 service improvements</p><p>Reference number: 23 020 528</p>",
    ],
)
def test_cards_shown_but_none_read_are_a_layout_error_not_none_agreed(shown):
    """The intro sentence alone reads as "none agreed" (Poole's and Allerdale's pages print it with no case); with
    cards shown that would mark every stored improvement gone on a run that exits 0 (bench/chaos.py: 89 rows lost)."""
    assert layout_error(shown).missing == "service improvement cards without a 'Case reference:' heading"


def test_the_intro_sentence_alone_is_still_none_agreed():
    assert parse().improvements == []
