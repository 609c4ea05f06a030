import dataclasses
import json
import re

import pytest

from harvester.pages.statistics import parse_statistics_page
from harvester.pipelines.validate import ValidationPipeline
from tests.pages.cases import CASES_DIR, read_case

LUTON_STYLES = ["cms", "bullets", "table", "br"]


def parse_case(name):
    _, html, url = read_case(CASES_DIR / "statistics" / name)
    return parse_statistics_page(html, url)


@pytest.mark.parametrize("style", LUTON_STYLES)
def test_luton_seed_figures_in_every_markup_style(style):
    page = parse_case(f"luton-2023-24-{style}")
    figures = dataclasses.asdict(page.statistics)
    assert figures | {"source_url": None} == figures | {
        "source_url": None,
        "year": "2023-24",
        "period_start": "2023-04-01",
        "period_end": "2024-03-31",
        "upheld_pct": 69,
        "upheld_avg_pct": 79,
        "upheld_decisions": 9,
        "investigations": 13,
        "upheld_per_100k": 4.0,
        "upheld_per_100k_avg": 4.6,
        "compliance_pct": 100,
        "compliance_avg_pct": 100,
        "compliance_outcomes": 7,
        "remedy_pct": 33,
        "remedy_avg_pct": 13,
        "remedy_decisions": 3,
        "complaints_dealt_with": None,
    }
    assert page.authority.name == "Luton Borough Council"
    assert page.reports_url.endswith("/luton-borough-council/reports")
    assert page.improvements_url.endswith("/luton-borough-council/serviceimprovements")
    assert page.letters_url.endswith("/luton-borough-council/annualletters")


def test_t2025_overview_and_upheld_sentence():
    figures = parse_case("birmingham-2024-25-t2025").statistics
    overview = (
        figures.complaints_dealt_with,
        figures.not_for_us,
        figures.assessed_and_closed,
        figures.investigations,
    )
    assert overview == (572, 232, 226, 114)
    assert (
        figures.upheld_decisions,
        figures.upheld_pct,
        figures.upheld_avg_pct,
        figures.upheld_per_100k,
    ) == (
        94,
        82,
        81,
        8.1,
    )


def test_early_t2025_per_100k_typo_and_no_upheld_link():
    page = parse_case("leeds-2024-25-early-typo")
    assert page.statistics.upheld_per_100k == 7.5
    assert page.upheld_decisions_url is None
    assert page.authority.name == "Leeds City Council"  # no <h1>: named by the page's sentences


def test_no_recommendations_due_means_zero_outcomes_and_no_rate():
    figures = parse_case("northampton-2021-22-abolished").statistics
    assert (figures.compliance_pct, figures.compliance_avg_pct, figures.compliance_outcomes) == (
        None,
        None,
        0,
    )
    assert (figures.upheld_per_100k, figures.upheld_per_100k_avg) == (None, None)


def test_zero_compliance_outcomes_rendered_as_zero_percent():
    page = parse_case("allerdale-2022-23-zero-compliance")
    assert (page.statistics.compliance_pct, page.statistics.compliance_outcomes) == (0, 0)
    assert page.statistics.upheld_decisions == 1
    assert page.no_reports is True


def test_merger_box_with_the_sites_typo_and_mixed_case_slug():
    westmorland = parse_case("westmorland-and-furness-2023-24-merger").authority
    assert [url.split("/")[-2] for url in westmorland.predecessor_urls] == [
        "cumbria-county-council",
        "barrow-in-furness-borough-council",
        "south-lakeland-district-council",
        "eden-district-council",
    ]
    north = parse_case("north-northamptonshire-2024-25-merger").authority
    assert north.slug == "North-Northamptonshire-Council"
    assert len(north.predecessor_urls) == 5


def test_maintenance_page_has_no_authority_and_no_statistics():
    page = parse_case("maintenance")
    assert (page.authority, page.statistics) == (None, None)


def test_cut_figures_block_is_a_layout_error_of_the_figures_alone():
    page = parse_case("luton-figures-cut")
    assert page.statistics is None
    assert "upheld cases" in page.problems["figures"]
    assert page.authority.name == "Luton Borough Council"


URL = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/statistics"
PERIOD = "for the period between 1 April 2023 to 31 March 2024"
FIGURES = f"""<h1>Luton Borough Council</h1>
<p>69% of complaints we investigated were upheld.</p>
<p>This compares to an average of 79% in similar authorities.</p>
<p>9 upheld decisions</p>
<p>Statistics are based on a total of 13 investigations {PERIOD}</p>
<p>100% of cases we were satisfied the Council had successfully implemented our recommendations.</p>
<p>This compares to an average of 100% in similar authorities.</p>
<p>Statistics are based on a total of 7 compliance outcomes {PERIOD}</p>
<p>In 33% of upheld cases we found the Council had provided a satisfactory remedy before the complaint
reached the Ombudsman.</p><p>This compares to an average of 13% in similar authorities.</p>
<p>3 satisfactory remedy decisions</p>
<p>Statistics are based on a total of 9 upheld decisions {PERIOD}</p>
<footer>Last updated: 4 April 2015</footer>"""


def test_minimal_page_without_per_100k_or_links():
    page = parse_statistics_page(FIGURES, URL)
    assert page.statistics.year == "2023-24"
    assert page.statistics.upheld_per_100k is None
    assert (page.letters_url, page.reports_url, page.improvements_url) == (None, None, None)


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("9 upheld decisions", "9 upheld decisions</p><p>9 upheld decisions", "appears 2 times"),
        ("31 March 2024</p>\n<p>100%", "31 March 2025</p>\n<p>100%", "not a statistics year"),
        ("9 upheld decisions for", "8 upheld decisions for", None),
        ("<p>9 upheld decisions</p>", "", "no sentence gives the number of upheld decisions"),
    ],
)
def test_inconsistent_or_repeated_sentences(replace, by, message):
    html = FIGURES.replace(replace, by, 1)
    if message is None:  # the remedy base's count is not stored; cross-checks belong to the pipeline
        statistics = parse_statistics_page(html, URL).statistics
        assert statistics == parse_statistics_page(FIGURES, URL).statistics
        assert (statistics.upheld_decisions, statistics.remedy_decisions, statistics.remedy_pct) == (9, 3, 33)
        return
    assert_figures_unreadable(html, message)


def assert_figures_unreadable(html, message):
    page = parse_statistics_page(html, URL)
    assert page.statistics is None
    assert re.search(message, page.problems["figures"])


def test_period_never_comes_from_last_updated():
    assert_figures_unreadable(FIGURES.replace(f" {PERIOD}", ""), "found none")


def test_disagreeing_upheld_counts_are_a_layout_error():
    html = FIGURES.replace(
        "<p>9 upheld decisions</p>",
        "<p>We investigated 13 complaints and upheld 8.</p><p>9 upheld decisions</p>",
    )
    assert_figures_unreadable(html, r"disagree on the number of upheld decisions: \[8, 9\]")


@pytest.mark.parametrize("stated", ["n/a", "N/A", "-", "No data", ""])
def test_an_average_that_is_not_a_number_is_null_with_its_text_kept(stated):
    html = FIGURES.replace("an average of 79%", f"an average of {stated}")
    statistics = parse_statistics_page(html, URL).statistics
    assert statistics.upheld_avg_pct is None
    assert json.loads(statistics.raw_values) == {"upheld_avg_pct": stated}
    assert statistics.flags == "unreadable:upheld_avg_pct"
    assert (statistics.upheld_pct, statistics.compliance_avg_pct, statistics.remedy_avg_pct) == (69, 100, 13)


def test_every_figure_of_a_kind_not_a_number():
    html = (
        FIGURES.replace("69%", "n/a").replace("100% of cases", "- of cases").replace("In 33%", "In n/a")
        .replace("13 investigations", "n/a investigations")
    )  # fmt: skip
    statistics = parse_statistics_page(html, URL).statistics
    assert json.loads(statistics.raw_values) == {
        "upheld_pct": "n/a", "compliance_pct": "-", "remedy_pct": "n/a", "investigations": "n/a"
    }  # fmt: skip
    assert (statistics.upheld_pct, statistics.compliance_pct, statistics.investigations) == (None, None, None)
    assert statistics.upheld_decisions == 9


def test_a_page_where_no_figure_is_a_number_is_a_layout_error():
    html = FIGURES
    for figure in ("69%", "79%", "9 upheld", "13 investigations", "33%", "13%", "3 satisfactory"):
        html = html.replace(figure, "n/a" + figure.lstrip("0123456789%"), 1)
    html = html.replace("<p>n/a upheld decisions</p>", "")
    assert_figures_unreadable(html, "no sentence gives the number of upheld decisions")


def test_missing_links_are_problems_of_their_own_parts():
    html = FIGURES.replace(
        "<footer>",
        "<h2>Annual letters</h2><p>We write to councils each year to give a summary.</p>"
        "<p>2</p><p>Reports for Luton Borough Council</p>"
        "<p>4</p><p>Service improvements agreed by Luton Borough Council</p><footer>",
    )
    page = parse_statistics_page(html, URL)
    assert page.statistics.upheld_pct == 69
    assert set(page.problems) == {"letters", "reports", "improvements"}
    assert "View annual letters" in page.problems["letters"]


@pytest.mark.parametrize(
    "council", ["allerdale-2023-24-na", "south-lakeland-2023-24-na", "cumbria-2023-24-na"]
)
def test_real_na_pages_store_null_averages_with_their_text(council):
    statistics = parse_case(f"real-{council}").statistics
    averages = ("upheld_avg_pct", "compliance_avg_pct", "remedy_avg_pct")
    assert [getattr(statistics, name) for name in averages] == [None, None, None]
    assert json.loads(statistics.raw_values) == dict.fromkeys(averages, "n/a")
    assert set(statistics.flags.split(",")) == {f"unreadable:{name}" for name in averages}


def test_a_percentage_disagreeing_with_its_counts_is_kept_and_flagged_beside_unreadable_ones():
    statistics = parse_case("real-cumbria-2023-24-na").statistics  # 91% for 9 of 10, as the site prints it
    checked = ValidationPipeline().process_item(statistics)
    assert checked.upheld_pct == 91
    assert checked.flags.split(",")[-1] == "upheld_pct"
    assert "unreadable:upheld_avg_pct" in checked.flags
