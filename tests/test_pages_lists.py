"""Index, annual letters, reports and service improvements pages: behaviours beyond the saved cases."""

import pytest

from harvester.pages.html import PageLayoutError
from harvester.pages.improvements import parse_improvements_page
from harvester.pages.index import parse_index, slug_from_authority_url, slug_from_statistics_url
from harvester.pages.letters_list import parse_letters_list
from harvester.pages.reports_list import parse_reports_list
from harvester.replica import pages as replica_pages
from harvester.replica import published
from harvester.replica.site import build_site
from harvester.replica.truth import reachable_authorities
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


def test_reports_list_impossible_date_is_kept_as_printed():
    html = (
        "<p>The Ombudsman has published the following reports against Luton Borough Council</p>"
        "<p><a href='/information-centre/news/2024/mar/x'>Headline</a></p>"
        "<p>31 February 2024</p><p>Standfirst.</p>"
    )
    [only] = parse_reports_list(
        html, "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/reports"
    )
    assert (only.date, only.date_as_printed, only.summary) == (None, "31 February 2024", "Standfirst.")


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


REPORTS_URL = "https://www.lgo.org.uk/your-councils-performance/kent-county-council/reports"
LETTERS_URL = "https://www.lgo.org.uk/your-councils-performance/kent-county-council/annualletters"


@pytest.mark.parametrize(
    "none",
    [
        "No reports published",
        "There are no reports for this council.",
        "The Ombudsman has not published any reports against Kent County Council.",
        "No reports",
    ],
)
def test_reports_list_none_in_ordinary_phrasings(none):
    assert parse_reports_list(f"<h1>Kent County Council</h1><p>{none}</p>", REPORTS_URL) == []


def test_reports_list_without_intro_sentence_reads_its_table_and_skips_sidebar_news():
    html = (
        "<h1>Kent County Council</h1><h2>Reports for Kent County Council</h2><table>"
        "<tr><td><a href='/information-centre/news/2024/mar/kent-delays'>Kent delays</a></td>"
        "<td>12 March 2024</td><td>Kent left 170 complaints waiting.</td></tr>"
        "<tr><td><a href='/decisions/education/other/21-004-255'>Report on 21 004 255</a></td>"
        "<td>3 May 2022</td><td>A school transport report.</td></tr></table>"
        "<h2>Latest news</h2><ul><li><a href='/information-centre/news/2025/jul/annual-review'>Annual review</a>"
        "</li></ul>"
    )
    reports = parse_reports_list(html, REPORTS_URL)
    assert [(r.title, r.date, r.summary) for r in reports] == [
        ("Kent delays", "2024-03-12", "Kent left 170 complaints waiting."),
        ("Report on 21 004 255", "2022-05-03", "A school transport report."),
    ]


def test_sidebar_news_alone_is_not_a_reports_list():
    html = (
        "<h1>Kent County Council</h1><ul><li><a href='/information-centre/news/2025/jul/x'>News</a></li></ul>"
    )
    with pytest.raises(PageLayoutError, match="no statement that there are none"):
        parse_reports_list(html, REPORTS_URL)


@pytest.mark.parametrize("none", ["There are no annual letters for this council.", "No letters"])
def test_letters_list_none_in_ordinary_phrasings(none):
    assert parse_letters_list(f"<h1>Kent County Council</h1><p>{none}</p>", LETTERS_URL) == []


def test_letters_labelled_by_year_of_issue_alone():
    html = "<table><tr><td><a href='/assets/attach/1/kent-2024.pdf'>2024</a></td><td>PDF</td></tr></table>"
    [letter] = parse_letters_list(html, LETTERS_URL)
    assert (letter.year, letter.label) == ("2023-24", "2024")


@pytest.fixture(scope="module")
def site():
    return build_site(2025)


@pytest.mark.parametrize("epoch", [2024, 2025])
def test_every_replica_list_layout_reads_to_what_the_site_holds(site, epoch):
    layouts = set()
    for authority in reachable_authorities(site, epoch):
        reports_url = "http://127.0.0.1:8765" + replica_pages.reports_path(authority.slug)
        reports = parse_reports_list(replica_pages.render_reports_list(site, authority, epoch), reports_url)
        shown = published.reports_in_epoch(site, authority, epoch)
        assert [(r.title, r.summary, r.date) for r in reports] == [
            (r.title, r.summary, r.date.isoformat())
            for r in sorted(shown, key=lambda r: r.date, reverse=True)
        ]
        letters_url = "http://127.0.0.1:8765" + replica_pages.letters_path(authority.slug)
        letters = parse_letters_list(replica_pages.render_letters_list(site, authority, epoch), letters_url)
        assert sorted(letter.year for letter in letters) == [
            letter.year for letter in published.letters_in_epoch(site, authority, epoch)
        ]
        layouts.add(("reports", replica_pages.list_variant(site, authority, "reports"), bool(shown)))
        layouts.add(("letters", replica_pages.list_variant(site, authority, "letters"), bool(letters)))
    assert {(page, variant) for page, variant, _ in layouts} == {
        (p, v) for p in ("reports", "letters") for v in range(3)
    }
    assert {(variant, False) for variant in range(3)} <= {
        (v, has) for page, v, has in layouts if page == "reports"
    }
