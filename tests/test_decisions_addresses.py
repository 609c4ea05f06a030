"""The addresses of decisions and their listings (site notes §1.8, §2.13): the search URL built for an authority,
which listing pages and decision pages are one page, how many listing pages are read, and whether a decision is
filed under the category its page prints."""

import datetime as dt

import pytest

from harvester.pages.decisions import (
    decision_search_url,
    decision_url_key,
    in_own_category,
    listing_page_key,
    listing_page_limit,
)

BASE = "https://www.lgo.org.uk"


def test_the_search_for_an_authoritys_decisions_has_the_seen_get_shape():
    assert decision_search_url(BASE, "Royal Borough of Kensington & Chelsea", "2021-04-01") == (
        f"{BASE}/Decisions/SearchResults?aname=Royal+Borough+of+Kensington+%26+Chelsea&dc=c%2Bnu%2Bu%2B"
        f"&fd=2021-04-01&page=1&sortOrder=descending&td={dt.date.today().isoformat()}"
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (f"{BASE}/Decisions/SearchResults?aname=Leeds+City+Council&page=2",
         "https://WWW.LGO.ORG.UK/decisions/searchresults/?Page=2&aname=Leeds%20City%20Council"),
        (f"{BASE}/decisions/planning/planning-applications?displaypref=2&page=",
         f"{BASE}/decisions/Planning/Planning%2DApplications?page=&displaypref=2"),
    ],
)  # fmt: skip
def test_one_listing_page_at_two_spellings_has_one_key(one, other):
    assert listing_page_key(one) == listing_page_key(other)


def test_a_listing_pages_key_keeps_what_tells_pages_apart():
    assert listing_page_key(f"{BASE}/Decisions/SearchResults/?page=2&aname=Leeds%20City%20Council") == (
        "www.lgo.org.uk/decisions/searchresults?aname=Leeds+City+Council&page=2"
    )
    assert listing_page_key(f"{BASE}/decisions/planning?page=") == "www.lgo.org.uk/decisions/planning?page="
    assert listing_page_key(f"{BASE}/decisions/benefits-and-TAX") == "www.lgo.org.uk/decisions/benefits-and-tax?"
    assert listing_page_key(f"{BASE}/decisions/planning?page=2") != listing_page_key(
        f"{BASE}/decisions/planning?page=3"
    )
    assert listing_page_key("http://lgo.org.uk/decisions/planning") != listing_page_key(
        f"{BASE}/decisions/planning"
    )


@pytest.mark.parametrize(
    ("expected", "first_page_cards", "pages"),
    [(None, 10, 500), (95, 10, 17), (10, 10, 4), (20, 10, 5), (95, 0, 145), (0, 0, 2)],
)
def test_a_listing_is_read_to_half_again_its_count_and_two_spare_pages(expected, first_page_cards, pages):
    assert listing_page_limit(expected, first_page_cards) == pages


def test_a_decision_pages_key_is_its_path_case_folded():
    assert decision_url_key(f"{BASE}/Decisions/Housing/Homelessness/24-005-444/?chapter=2") == (
        "/decisions/housing/homelessness/24-005-444"
    )
    assert decision_url_key("http://127.0.0.1:8080/decisions/health/other/17-002-402B") == (
        "/decisions/health/other/17-002-402b"
    )
    assert decision_url_key(f"{BASE}/decisions/planning/planning%20applications/22-011-513") == (
        "/decisions/planning/planning applications/22-011-513"
    )


@pytest.mark.parametrize(
    ("path", "category", "sub_category", "own"),
    [
        ("/decisions/housing/homelessness/24-005-444", "Housing", "Homelessness", True),
        ("/Decisions/Adult-Care-Services/Charging/24-001-994/", "Adult care services", "Charging", True),
        ("/decisions/childrens-care-services/fostering/23-001-002", "Children's care services", "Fostering", True),
        ("/decisions/environment-and-regulation/antisocial-behaviour/21-011-288",
         "Environment & regulation", "Antisocial behaviour", True),
        ("/decisions/covid-19/other/21-001-001", "COVID-19", "Other", True),
        ("/decisions/housing/allocations/24-005-444", "Housing", "Homelessness", False),
        ("/decisions/planning/homelessness/24-005-444", "Housing", "Homelessness", False),
        ("/decision/housing/homelessness/24-005-444", "Housing", "Homelessness", False),
        ("/decisions/housing/24-005-444", "Housing", "Homelessness", False),
        ("/decisions/housing/homelessness/old/24-005-444", "Housing", "Homelessness", False),
    ],
)  # fmt: skip
def test_a_decision_is_in_its_own_category_when_its_url_names_the_category_its_page_prints(
    path, category, sub_category, own
):
    assert in_own_category(BASE + path, category, sub_category) is own
