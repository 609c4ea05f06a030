"""normalise at the edges of what it accepts: the cases its mutation run (bench/mutation.py) showed unguarded."""

import pytest

from harvester import normalise
from harvester.items import AnnualStatistics


def year(**figures) -> AnnualStatistics:
    return AnnualStatistics("luton-borough-council", "2023-24", "page", "u", **figures)


def test_a_percentage_over_a_zero_base_is_flagged_unless_it_counts_nothing():
    assert normalise.percentages_off(year(remedy_pct=0, remedy_decisions=2, upheld_decisions=0)) == [
        "remedy_pct"
    ]
    assert normalise.percentages_off(year(upheld_pct=0, upheld_decisions=1, investigations=0)) == [
        "upheld_pct"
    ]


def test_every_decision_upheld_is_one_hundred_percent():
    assert normalise.percentages_off(year(upheld_pct=100, upheld_decisions=9, investigations=9)) == []


def test_a_percentage_one_point_off_its_counts_is_flagged():
    # 69 of 100 is 69.0%: 70% is off by exactly one point, more than any rounding
    assert normalise.percentages_off(year(upheld_pct=70, upheld_decisions=69, investigations=100)) == [
        "upheld_pct"
    ]
    assert normalise.percentages_off(year(upheld_pct=69.5, upheld_decisions=69, investigations=100)) == []


def test_a_whole_percentage_printed_with_a_decimal_stays_as_printed():
    assert normalise.percent("69.0%") == 69.0
    assert type(normalise.percent("69.0%")) is float


@pytest.mark.parametrize(("start", "label"), [(1900, "1900-01"), (1999, "1999-00"), (2098, "2098-99")])
def test_statistics_years_at_the_ends_of_the_plausible_range(start, label):
    assert normalise.statistics_year(start) == label


@pytest.mark.parametrize("start", [1899, 2099])
def test_statistics_years_outside_the_plausible_range(start):
    with pytest.raises(ValueError, match=f"not a plausible statistics start year: {start}"):
        normalise.statistics_year(start)


def test_unreadable_labels_and_periods_name_what_they_could_not_read():
    with pytest.raises(ValueError, match="not a statistics year label: 'year 2023'"):
        normalise.statistics_year_from_label("year 2023")
    with pytest.raises(ValueError, match="not a period 'D Month YYYY to D Month YYYY': '2023-24'"):
        normalise.period("2023-24")
