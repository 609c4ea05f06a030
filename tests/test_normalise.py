import pytest

from harvester import normalise
from harvester.items import AnnualStatistics


@pytest.mark.parametrize(
    ("text", "value"), [("69%", 69), ("**69%**", 69), (" 0% ", 0), ("100%", 100), ("99.7%", 99.7)]
)
def test_percent(text, value):
    assert normalise.percent(text) == value
    assert type(normalise.percent(text)) is type(value)


@pytest.mark.parametrize("text", ["69", "abc%", "101%", ""])
def test_percent_rejects(text):
    with pytest.raises(ValueError, match="percent"):
        normalise.percent(text)


def test_count():
    assert normalise.count("1,234") == 1234
    assert normalise.count("0") == 0
    assert normalise.count(" 13 ") == 13
    with pytest.raises(ValueError, match="'12,34'"):
        normalise.count("12,34")


def test_per_100k():
    assert normalise.per_100k("4") == 4.0
    assert normalise.per_100k("4.6") == 4.6
    assert normalise.per_100k("3.9%") == 3.9
    with pytest.raises(ValueError, match="'four'"):
        normalise.per_100k("four")


@pytest.mark.parametrize(
    "text", ["23 020 528", "23-020-528", "23\u00a0020\u00a0528", "23020528", " 23 020 528 "]
)
def test_case_ref(text):
    assert normalise.case_ref(text) == "23-020-528"


@pytest.mark.parametrize("text", ["23 020 52", "2302 0528", "AB 020 528", "23 020 528 1"])
def test_case_ref_rejects_bad_shapes(text):
    with pytest.raises(ValueError, match="case reference"):
        normalise.case_ref(text)


def test_statistics_years():
    assert normalise.statistics_year(2023) == "2023-24"
    assert normalise.statistics_year(1999) == "1999-00"
    assert normalise.statistics_year_from_letter_title_year(2020) == "2019-20"
    assert normalise.statistics_year_from_label("2023/24") == "2023-24"
    assert normalise.statistics_year_from_label("2023–24") == "2023-24"
    with pytest.raises(ValueError, match="not consecutive"):
        normalise.statistics_year_from_label("2023-25")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1 April 2023", "2023-04-01"),
        ("14 Mar 2025", "2025-03-14"),
        ("22 July 2020", "2020-07-22"),
        ("06-Nov-2025", "2025-11-06"),
        ("4 Sept 2019", "2019-09-04"),
        ("April 1, 2020", "2020-04-01"),
        ("12/03/2024", "2024-03-12"),
        ("12.03.2024", "2024-03-12"),
        ("1/4/2023", "2023-04-01"),
        ("2024-03-12", "2024-03-12"),
    ],
)
def test_uk_date(text, iso):
    assert normalise.uk_date(text) == iso


@pytest.mark.parametrize(
    "text", ["31 February 2024", "1 Smarch 2024", "03/13/2024", "12/03/24", "March 2024", "Last updated"]
)
def test_uk_date_rejects(text):
    with pytest.raises(ValueError, match=repr(text)):
        normalise.uk_date(text)


def test_period():
    assert normalise.period("1 April 2023 to 31 March 2024") == ("2023-04-01", "2024-03-31", "2023-24")
    assert normalise.period("April 1, 2020 to March 31, 2021") == ("2020-04-01", "2021-03-31", "2020-21")
    with pytest.raises(ValueError, match="not a statistics year"):
        normalise.period("1 April 2023 to 31 March 2025")


def test_collapse_whitespace():
    assert normalise.collapse_whitespace("  Luton\u00a0 Borough\n\tCouncil\u200b ") == "Luton Borough Council"


def test_percentages_off_names_figures_no_rounding_of_their_counts_gives():
    def year(**figures):
        return AnnualStatistics("luton-borough-council", "2023-24", "page", "u", **figures)

    assert normalise.percentages_off(year(upheld_pct=69, upheld_decisions=9, investigations=13)) == []
    assert normalise.percentages_off(year(upheld_pct=71, upheld_decisions=9, investigations=13)) == [
        "upheld_pct"
    ]
    assert normalise.percentages_off(year(remedy_pct=0, remedy_decisions=0, upheld_decisions=0)) == []
    assert normalise.percentages_off(year(remedy_pct=100, remedy_decisions=3, upheld_decisions=2)) == [
        "remedy_pct"
    ]
