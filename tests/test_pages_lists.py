"""Index, annual letters, reports and service improvements pages: behaviours beyond the saved cases."""

import pytest

from harvester.pages.html import PageLayoutError
from harvester.pages.improvements import parse_improvements_page
from harvester.pages.index import parse_index, slug_from_authority_url, slug_from_statistics_url
from harvester.pages.letters_list import parse_letters_list
from harvester.pages.reports_list import parse_reports_list
from tests.pages.cases import CASES_DIR, PARSERS, read_case


def parse_case(parser_name, case_name):
    _, html, url = read_case(CASES_DIR / parser_name / case_name)
    return PARSERS[parser_name](html, url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.lgo.org.uk/your-councils-performance/North-Northamptonshire-Council/statistics",
        "https://lgo.org.uk/your-councils-performance/North-Northamptonshire-Council/statistics/",
        "http://127.0.0.1:8123/your-councils-performance/North-Northamptonshire-Council/statistics?year=2024",
    ],
)
def test_slug_from_statistics_url_keeps_case(url):
    assert slug_from_statistics_url(url) == "North-Northamptonshire-Council"


def test_slug_urls_reject_other_pages():
    with pytest.raises(ValueError, match="not a statistics page URL"):
        slug_from_statistics_url(
            "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/reports"
        )
    with pytest.raises(ValueError, match="not an authority page URL"):
        slug_from_authority_url("https://www.lgo.org.uk/decisions/housing/homelessness/24-005-444")
    assert slug_from_authority_url(
        "https://www.lgo.org.uk/your-councils-performance/kent-county-council/reports"
    ) == ("kent-county-council")


def test_index_deduplicates_slugs_case_insensitively_and_skips_chrome():
    authorities = parse_case("index", "councils-2025")
    slugs = [authority.slug for authority in authorities]
    assert slugs.count("North-Northamptonshire-Council") == 1
    assert "north-northamptonshire-council" not in slugs
    assert len(authorities) == 8
    assert authorities[1].name == "Brighton & Hove City Council"


def test_index_without_statistics_links_is_a_layout_error():
    with pytest.raises(PageLayoutError, match="no links"):
        parse_index("<p><a href='/news'>News</a></p>", "https://www.lgo.org.uk/your-councils-performance")


def test_letters_years_from_both_label_styles():
    letters = parse_case("letters_list", "northampton-year-labels")
    assert [letter.year for letter in letters] == ["2021-22", "2020-21", "2019-20"]
    assert [letter.year for letter in parse_case("letters_list", "luton-2014-2025")][::11] == [
        "2024-25",
        "2013-14",
    ]


def test_letter_label_with_impossible_year_is_a_layout_error():
    with pytest.raises(PageLayoutError, match="not consecutive"):
        parse_letters_list(
            "<a href='/a.pdf'>Annual review letter 2023-25</a>",
            "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/annualletters",
        )


def test_reports_list_ignores_news_teasers_after_the_list():
    reports = parse_case("reports_list", "luton-three-reports")
    assert [report.date for report in reports] == ["2024-03-12", "2023-11-09", "2022-06-28"]
    assert all("/information-centre/news/20" in report.url for report in reports)
    assert parse_case("reports_list", "poole-none") == []


def test_reports_list_bad_date_is_a_layout_error():
    html = (
        "<p>The Ombudsman has published the following reports against Luton Borough Council</p>"
        "<p><a href='/information-centre/news/2024/mar/x'>Headline</a></p>"
        "<p>31 February 2024</p><p>Standfirst.</p>"
    )
    with pytest.raises(PageLayoutError, match="impossible date"):
        parse_reports_list(
            html, "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/reports"
        )


def test_improvements_pager_and_verbatim_actions():
    first = parse_case("improvements", "luton-page-1-filters")
    assert first.next_url.endswith("/serviceimprovements?page=2")
    assert first.matching_count == 23
    assert first.categories["1015"] == "Education"
    assert first.years[0] == 2025
    glued = next(case for case in first.improvements if case.case_ref == "22-010-409")
    assert glued.actions == [
        "The Council has agreed to consider giving people the option to opt out of receiving "
        "encryptede-mails if that is their preference."
    ]
    assert parse_case("improvements", "luton-page-2-table").next_url.endswith("?page=3")
    last = parse_case("improvements", "luton-page-3-last-br")
    assert last.next_url is None
    assert [len(case.actions) for case in last.improvements] == [1, 1, 1]
    assert parse_case("improvements", "luton-filtered-empty").improvements == []


def test_improvement_card_without_sub_category_is_a_layout_error():
    html = "<p>Case reference: 23 020 528</p><p>Category: Housing</p><ul><li>Do something.</li></ul>"
    with pytest.raises(PageLayoutError, match="'Sub Category:' of case 23 020 528"):
        parse_improvements_page(
            html, "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/serviceimprovements"
        )
