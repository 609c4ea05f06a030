"""Annual review letters read from their text (no PDF): the two real 2020 letters, and variants of their own
wording for the other years' formats and for every way a letter can fail to read (issue 26: these are the
tests bench/mutation.py runs against harvester/pages/letter.py).

Every expected value is read off the letter text by eye (the seeds are in tests/seeds/, copies of
../shared/seeds); the variants change the real text in the places the site notes (§3) say other years differ.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.items import AnnualStatistics
from harvester.pages.letter import (
    NOT_UPHELD,
    TOTAL,
    UPHELD,
    UPHOLD_RATE,
    LetterParseError,
    ParsedLetter,
    _based_on,  # these two build patterns once, at import: tested by calling them
    _table_token,
    letter_text_is_usable,
    parse_letter,
    parse_letter_checked,
)

SEEDS = Path(__file__).resolve().parent / "seeds"
WELLINGBOROUGH = (SEEDS / "letter-2020-wellingborough.txt").read_text()
LEICESTER = (SEEDS / "letter-2020-leicester.txt").read_text()
SLUG = "wellingborough-borough-council"
URL = "https://www.lgo.org.uk/assets/attach/1/letter-2020.pdf"
PERIOD_2019_20 = "for the period between 1 April 2019 to 31 March 2020"

UPHELD_LEAD = "100% of complaints we investigated were upheld."
UPHELD_AVERAGE = "This compares to an average of **45%** in similar authorities."
UPHELD_COUNT = "2\nupheld decisions"
INVESTIGATIONS_BASE = f"Statistics are based on a total of 2 detailed investigations {PERIOD_2019_20}"
COMPLIANCE_LEAD = (
    "In **100%** of cases we were satisfied the authority had successfully implemented our recommendations."
)
COMPLIANCE_AVERAGE = "This compares to an average of **99%** in similar authorities."
COMPLIANCE_BASE = f"Statistics are based on a total of 1 compliance outcome {PERIOD_2019_20}"
REMEDY_LEAD = (
    "In **0%** of upheld cases we found the authority had provided a satisfactory remedy before the complaint "
    "reached the Ombudsman."
)
REMEDY_AVERAGE = "This compares to an average of **20%** in similar authorities."
REMEDY_COUNT = "0\nsatisfactory remedy decisions"
NONE_DUE = "No recommendations were due for compliance in this period."
SIGNATURE = "Michael King\nLocal Government and Social Care Ombudsman"
STATISTICS_START = "Complaints upheld\n\n\n\n \n100%"
"""Where the statistics pages start (the body's 'Complaints upheld - We uphold …' is not followed by this)."""


def edit(text: str, old: str, new: str, *, nth: int = 0) -> str:
    """`text` with the `nth` occurrence of `old` (which must be in it) replaced by `new`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(old, start + 1)
    return text[:start] + new + text[start + len(old) :]


def read(text: str, slug: str = SLUG) -> tuple[ParsedLetter, list[str]]:
    return parse_letter_checked(text, authority_slug=slug, pdf_url=URL)


def statistics(text: str, slug: str = SLUG) -> AnnualStatistics:
    parsed, disagreements = read(text, slug)
    assert disagreements == []
    return parsed.statistics


def problem(text: str, slug: str = SLUG) -> str:
    with pytest.raises(LetterParseError) as raised:
        parse_letter(text, authority_slug=slug, pdf_url=URL)
    assert raised.value.url == URL
    assert not letter_text_is_usable(text, authority_slug=slug)
    return raised.value.missing


WELLINGBOROUGH_STATISTICS = AnnualStatistics(
    authority_slug=SLUG,
    year="2019-20",
    source="letter",
    source_url=URL,
    period_start="2019-04-01",
    period_end="2020-03-31",
    upheld_pct=100,
    upheld_avg_pct=45,
    upheld_decisions=2,
    investigations=2,
    compliance_pct=100,
    compliance_avg_pct=99,
    compliance_outcomes=1,
    remedy_pct=0,
    remedy_avg_pct=20,
    remedy_decisions=0,
)


def with_statistics(**changes) -> AnnualStatistics:
    return AnnualStatistics(**{**WELLINGBOROUGH_STATISTICS.__dict__, **changes})


# --- the two real letters


def test_wellingborough_letter_reads_as_printed():
    parsed, disagreements = read(WELLINGBOROUGH)
    assert parsed == ParsedLetter(
        authority_slug=SLUG,
        pdf_url=URL,
        year="2019-20",
        title="Annual Review letter 2020",
        letter_date="2020-07-22",
        addressee_name="Ms Elliott",
        addressee_role="Managing Director",
        signatory="Michael King",
        public_report_sentences=[],
        statistics=WELLINGBOROUGH_STATISTICS,
    )
    assert disagreements == []
    assert parse_letter(WELLINGBOROUGH, authority_slug=SLUG, pdf_url=URL) == parsed
    assert not parsed.has_public_report
    assert letter_text_is_usable(WELLINGBOROUGH, authority_slug=SLUG)


def test_leicester_letter_without_statistics_pages_reads_as_printed():
    parsed, disagreements = read(LEICESTER, "leicester-city-council")
    assert parsed == ParsedLetter(
        authority_slug="leicester-city-council",
        pdf_url=URL,
        year="2019-20",
        title="Annual Review letter 2020",
        letter_date="2020-07-22",
        addressee_name="Mr Keeling",
        addressee_role="Chief Operating Officer",
        signatory="Michael King",
        public_report_sentences=[
            "This year, I issued a public report about the Council after it wrongly decided a mother was not "
            "providing an adequate home education for her son."
        ],
        statistics=None,
    )
    assert disagreements == []
    assert parsed.has_public_report
    assert (parsed.received, parsed.decided, parsed.uphold_rate) == (None, None, None)
    assert letter_text_is_usable(LEICESTER, authority_slug="leicester-city-council")


# --- title, year and date


def test_title_in_capitals_and_the_year_ended_wording():
    text = edit(WELLINGBOROUGH, "Annual Review letter 2020", "ANNUAL REVIEW LETTER 2020")
    text = edit(text, "for the year ending 31 March 2020", "for the year ended 31 March 2020")
    parsed, _ = read(text)
    assert (parsed.title, parsed.year) == ("ANNUAL REVIEW LETTER 2020", "2019-20")


@pytest.mark.parametrize("wording", ["year ending", "year ended"])
def test_title_and_opening_sentence_naming_different_years_is_an_error(wording):
    text = edit(WELLINGBOROUGH, "for the year ending 31 March 2020", f"for the {wording} 31 March 2019")
    assert problem(text) == (
        f"title 'Annual Review letter 2020' disagrees with 'for the {wording} 31 March 2019'"
    )


def test_letter_without_its_title_is_an_error():
    text = edit(WELLINGBOROUGH, "Annual Review letter 2020", "Annual Review 2020")
    assert problem(text) == "no 'Annual Review letter YYYY' title"


def test_date_is_the_first_above_the_salutation_even_on_the_letterhead_line():
    text = edit(WELLINGBOROUGH, "OMBUDSMAN\n\n22 July 2020", "OMBUDSMAN 21 July 2020\n\n22 July 2020")
    assert read(text)[0].letter_date == "2020-07-21"


def test_no_date_above_the_salutation_is_an_error_even_with_dates_below():
    text = edit(WELLINGBOROUGH, "22 July 2020\n", "")
    assert "29 July 2020" in text
    assert problem(text) == "no date above the salutation"


def test_impossible_date_is_an_error():
    text = edit(WELLINGBOROUGH, "22 July 2020", "31 June 2020")
    assert problem(text).startswith("impossible date '31 June 2020'")


def test_letter_without_salutation_is_an_error():
    text = edit(WELLINGBOROUGH, "Dear Ms Elliott", "Ms Elliott")
    assert problem(text) == "no 'Dear …' salutation"


# --- addressee


@pytest.mark.parametrize("by", ["By e-mail", "BY EMAIL", "By post"])
def test_addressee_below_other_by_lines(by):
    parsed, _ = read(edit(WELLINGBOROUGH, "By email", by))
    assert (parsed.addressee_name, parsed.addressee_role) == ("Ms Elliott", "Managing Director")


def test_addressee_below_the_date_when_there_is_no_by_email_line():
    parsed, _ = read(edit(WELLINGBOROUGH, "By email\n", ""))
    assert (parsed.addressee_name, parsed.addressee_role) == ("Ms Elliott", "Managing Director")


def test_salutation_with_a_comma_and_the_addressee_on_one_line_with_commas():
    text = edit(WELLINGBOROUGH, "Dear Ms Elliott", "Dear Ms Elliott,")
    text = edit(
        text,
        "Ms Elliott\nManaging Director\nWellingborough Borough Council",
        "Ms Elliott, Managing Director, Wellingborough Borough Council",
    )
    parsed, _ = read(text)
    assert (parsed.addressee_name, parsed.addressee_role) == ("Ms Elliott", "Managing Director")


def test_one_line_addressee_found_by_the_authority_name_the_slug_spells():
    text = edit(
        LEICESTER,
        "Mr Keeling Chief Operating Officer Leicester City Council",
        "Mr Keeling Chief Executive and Head of Paid Service Brighton & Hove City Council",
    )
    parsed, _ = read(text, "brighton-hove-city-council")
    assert parsed.addressee_role == "Chief Executive and Head of Paid Service"


def test_role_on_lines_of_its_own_when_the_authority_is_not_named_as_its_slug():
    text = edit(WELLINGBOROUGH, "Managing Director\n", "Managing Director\nand Head of Paid Service\n")
    for slug in (SLUG, "north-northamptonshire-council"):
        assert read(text, slug)[0].addressee_role == "Managing Director and Head of Paid Service"
    assert read(WELLINGBOROUGH, "north-northamptonshire-council")[0].addressee_role == "Managing Director"


def test_one_line_addressee_of_another_authority_is_an_error():
    assert problem(LEICESTER, "leeds-city-council") == (
        "cannot tell the role from the authority's name in ['Chief Operating Officer Leicester City Council']"
    )


def test_addressee_without_a_role_is_an_error():
    text = edit(LEICESTER, "Mr Keeling Chief Operating Officer Leicester", "Mr Keeling Leicester")
    assert problem(text, "leicester-city-council") == (
        "addressee block ['Mr Keeling Leicester City Council'] names no role"
    )


def test_addressee_block_not_naming_the_person_greeted_is_an_error():
    text = edit(WELLINGBOROUGH, "Dear Ms Elliott", "Dear Mrs Elliott")
    assert problem(text) == (
        "addressee block ['Ms Elliott', 'Managing Director', 'Wellingborough Borough Council'] "
        "does not start with 'Mrs Elliott' of the salutation"
    )
    text = edit(WELLINGBOROUGH, "Ms Elliott\nManaging Director\nWellingborough Borough Council\n", "")
    assert problem(text) == "addressee block [] does not start with 'Ms Elliott' of the salutation"


def test_addressee_without_by_email_or_date_line_above_is_an_error():
    text = edit(WELLINGBOROUGH, "OMBUDSMAN\n\n22 July 2020\n\nBy email", "OMBUDSMAN 22 July 2020")
    assert problem(text) == "no 'By email' or date line above the addressee"


# --- signatory


def test_signatory_on_the_line_above_the_title_or_before_it_on_its_line():
    assert read(WELLINGBOROUGH)[0].signatory == "Michael King"
    text = edit(WELLINGBOROUGH, "Yours sincerely,", "Yours faithfully")
    assert read(text)[0].signatory == "Michael King"
    interim = edit(
        WELLINGBOROUGH, SIGNATURE, "Paul Najsarek\nInterim Local Government and Social Care Ombudsman"
    )
    assert read(interim)[0].signatory == "Paul Najsarek"
    one_line = edit(LEICESTER, "Michael King Local", "Paul Najsarek Interim Local")
    assert read(one_line, "leicester-city-council")[0].signatory == "Paul Najsarek"
    table_era = edit(WELLINGBOROUGH, SIGNATURE, "Dr Jane Martin\nLocal Government Ombudsman")
    assert read(table_era)[0].signatory == "Dr Jane Martin"
    ampersand = edit(WELLINGBOROUGH, SIGNATURE, "Michael King\nLocal Government & Social Care Ombudsman")
    assert read(ampersand)[0].signatory == "Michael King"


def test_sign_off_missing_or_repeated_is_an_error():
    assert problem(edit(WELLINGBOROUGH, "Yours sincerely,", "With best wishes,")) == (
        "expected one 'Yours sincerely', found 0"
    )
    twice = edit(WELLINGBOROUGH, "Yours sincerely,", "Yours sincerely,\n\nYours sincerely")
    assert problem(twice) == "expected one 'Yours sincerely', found 2"


@pytest.mark.parametrize(
    "signature",
    ["Local Government and Social Care Ombudsman", "Michael King"],
    ids=["no name above the title", "no title"],
)
def test_signature_without_name_or_title_is_an_error(signature):
    text = edit(WELLINGBOROUGH, SIGNATURE, signature)
    assert problem(text) == "no signatory above the Ombudsman's title after 'Yours sincerely'"


# --- public reports

REPORT_ON_NOISE = (
    "This year, I published one public report about your Council and its failure to act on noise."
)
FURTHER_REPORTS = (
    "We have also issued two further public interest reports about the Council's housing service."
)


def with_paragraph(text: str, paragraph: str) -> str:
    return edit(
        text, "Resources to help you get it right", f"{paragraph}\n\nResources to help you get it right"
    )


def test_public_report_sentences_in_order_once_each():
    paragraph = (
        f"{REPORT_ON_NOISE} It is pleasing that we recorded our satisfaction with your Council's compliance. "
        f"{FURTHER_REPORTS} {REPORT_ON_NOISE}"
    )
    parsed, _ = read(with_paragraph(WELLINGBOROUGH, paragraph))
    assert parsed.public_report_sentences == [REPORT_ON_NOISE, FURTHER_REPORTS]


def test_public_report_sentence_with_a_web_address_and_one_without_a_full_stop():
    with_address = (
        "This year, I issued a public report about the Council (see www.lgo.org.uk/decisions) after it "
        "failed to act."
    )
    parsed, _ = read(with_paragraph(WELLINGBOROUGH, f"Why does this matter? {with_address}"))
    assert parsed.public_report_sentences == [with_address]
    unfinished = edit(
        WELLINGBOROUGH, "Yours sincerely,", "We issued a public report about your council\n\nYours sincerely,"
    )
    assert read(unfinished)[0].public_report_sentences == ["We issued a public report about your council"]


def test_public_report_mentions_after_the_signature_are_not_the_letters():
    text = edit(
        WELLINGBOROUGH, "Complaints upheld\n\n\n\n", f"{REPORT_ON_NOISE}\n\nComplaints upheld\n\n\n\n"
    )
    assert read(text)[0].public_report_sentences == []


# --- the three key areas (2018-19 to 2023-24)

PER_100K = (
    "Adjusted for Wellingborough Borough Council\u2019s population, this is 2.5 upheld decisions per 100,000 "
    "residents."
)
PER_100K_AVERAGE = "The average for authorities of this type is 1.3 upheld decisions per 100,000 residents."


def test_upheld_decisions_per_100000_residents_and_their_average():
    text = edit(WELLINGBOROUGH, UPHELD_COUNT, f"{UPHELD_COUNT}\n\n{PER_100K}\n\n{PER_100K_AVERAGE}")
    assert statistics(text) == with_statistics(upheld_per_100k=2.5, upheld_per_100k_avg=1.3)


@pytest.mark.parametrize(
    ("added", "message"),
    [
        (PER_100K, "a per-100,000 figure without its average, or the other way round"),
        (PER_100K_AVERAGE, "a per-100,000 figure without its average, or the other way round"),
        (f"{PER_100K} {PER_100K_AVERAGE} {PER_100K}", "expected at most one per-100,000 figure, found 2"),
        (
            f"{PER_100K} {PER_100K_AVERAGE} {PER_100K_AVERAGE}",
            "expected at most one per-100,000 average, found 2",
        ),
    ],
    ids=["figure alone", "average alone", "figure twice", "average twice"],
)
def test_per_100000_figures_not_in_a_pair_are_an_error(added, message):
    assert problem(edit(WELLINGBOROUGH, UPHELD_COUNT, f"{UPHELD_COUNT}\n\n{added}")) == message


def test_no_recommendations_due_gives_no_compliance_rate_not_zero():
    compliance = f"{COMPLIANCE_LEAD}\n\n{COMPLIANCE_AVERAGE}\n\n{COMPLIANCE_BASE}"
    text = edit(WELLINGBOROUGH, compliance, NONE_DUE)
    assert statistics(text) == with_statistics(
        compliance_pct=None, compliance_avg_pct=None, compliance_outcomes=0
    )


def test_both_or_neither_compliance_sentence_is_an_error():
    both = edit(WELLINGBOROUGH, COMPLIANCE_BASE, f"{COMPLIANCE_BASE}\n\n{NONE_DUE}")
    assert problem(both) == "both of the compliance sentence and 'No recommendations were due …' found"
    neither = edit(WELLINGBOROUGH, COMPLIANCE_LEAD, "")
    assert problem(neither) == "neither of the compliance sentence and 'No recommendations were due …' found"


def test_the_council_wording_singulars_and_thousands():
    text = edit(WELLINGBOROUGH, "the authority had successfully", "the Council had successfully")
    text = edit(text, "the authority had provided", "the Council had provided")
    assert statistics(text) == WELLINGBOROUGH_STATISTICS
    single = edit(WELLINGBOROUGH, UPHELD_COUNT, "1\nupheld decision")
    single = edit(single, "total of 2 detailed investigations", "total of 1 detailed investigation")
    single = edit(single, "total of 2 detailed investigations", "total of 1 detailed investigation")
    single = edit(single, "In **0%** of upheld", "In **100%** of upheld")
    single = edit(single, REMEDY_COUNT, "1\nsatisfactory remedy decision")
    assert statistics(single) == with_statistics(
        upheld_decisions=1, investigations=1, remedy_pct=100, remedy_decisions=1
    )
    thousands = edit(WELLINGBOROUGH, UPHELD_COUNT, "1,204\nupheld decisions")
    thousands = edit(thousands, "total of 2 detailed", "total of 1,204 detailed")
    thousands = edit(thousands, "total of 2 detailed", "total of 1,204 detailed")
    assert statistics(thousands) == with_statistics(upheld_decisions=1204, investigations=1204)


def test_period_in_the_month_first_wording_a_news_site_quoted():
    text = WELLINGBOROUGH.replace("1 April 2019 to 31 March 2020", "April 1, 2019 to March 31, 2020")
    assert text.count("April 1, 2019 to March 31, 2020") == 3
    assert statistics(text) == WELLINGBOROUGH_STATISTICS


@pytest.mark.parametrize("nth", [0, 1, 2], ids=["investigations", "compliance", "satisfactory remedy"])
def test_a_statistics_period_of_another_year_is_an_error(nth):
    text = edit(WELLINGBOROUGH, "1 April 2019 to 31 March 2020", "1 April 2018 to 31 March 2019", nth=nth)
    assert problem(text) == (
        "statistics period '1 April 2018 to 31 March 2019' is not the letter's year 2019-20"
    )


def test_statistics_sections_read_in_any_order():
    compliance_start = WELLINGBOROUGH.index("Compliance with Ombudsman recommendations")
    remedy_start = WELLINGBOROUGH.index("Satisfactory remedies provided by the authority\n\n\n\nIn")
    upheld_start = WELLINGBOROUGH.index(STATISTICS_START)
    upheld, compliance, remedy = (
        WELLINGBOROUGH[upheld_start:compliance_start],
        WELLINGBOROUGH[compliance_start:remedy_start],
        WELLINGBOROUGH[remedy_start:],
    )
    text = WELLINGBOROUGH[:upheld_start] + remedy + "\n\n" + compliance + upheld
    assert statistics(text) == WELLINGBOROUGH_STATISTICS


def test_remedy_base_as_upheld_decisions_or_investigations():
    # four investigations, two upheld: the remedy base may quote either, as letters and pages do
    text = edit(WELLINGBOROUGH, UPHELD_LEAD, "50% of complaints we investigated were upheld.")
    text = edit(text, "total of 2 detailed investigations", "total of 4 detailed investigations")
    expected = with_statistics(upheld_pct=50, investigations=4)
    assert statistics(text) == expected
    upheld_base = edit(text, "total of 2 detailed investigations", "total of 2 upheld decisions")
    assert statistics(upheld_base) == expected
    other = edit(text, "total of 2 detailed investigations", "total of 3 detailed investigations")
    parsed, disagreements = read(other)
    assert parsed.statistics == expected
    assert disagreements == ["satisfactory remedy base 3 is neither investigations nor upheld"]
    assert not letter_text_is_usable(other, authority_slug=SLUG)


def test_percentages_that_do_not_follow_from_their_counts_are_kept_and_reported():
    text = edit(WELLINGBOROUGH, UPHELD_LEAD, "60% of complaints we investigated were upheld.")
    text = edit(text, "In **0%** of upheld", "In **50%** of upheld")
    parsed, disagreements = read(text)
    assert (parsed.statistics.upheld_pct, parsed.statistics.remedy_pct) == (60, 50)
    assert disagreements == [
        "upheld_pct 60% does not follow from its counts",
        "remedy_pct 50% does not follow from its counts",
    ]
    assert not letter_text_is_usable(text, authority_slug=SLUG)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (UPHELD_LEAD, "", "expected one '… of complaints we investigated were upheld', found 0"),
        (REMEDY_LEAD, "", "expected one 'In …% of upheld cases we found …', found 0"),
        (UPHELD_AVERAGE, "", "expected one average in 'Complaints upheld', found 0"),
        (UPHELD_COUNT, "", "expected one 'N upheld decisions' figure, found 0"),
        (INVESTIGATIONS_BASE, "", "expected one investigations base in 'Complaints upheld', found 0"),
        (COMPLIANCE_AVERAGE, "", "expected one compliance average, found 0"),
        (COMPLIANCE_BASE, "", "expected one compliance outcomes base, found 0"),
        (REMEDY_AVERAGE, "", "expected one satisfactory remedy average, found 0"),
        (REMEDY_COUNT, "", "expected one 'N satisfactory remedy decisions' figure, found 0"),
        (
            COMPLIANCE_LEAD,
            f"{COMPLIANCE_LEAD} {COMPLIANCE_LEAD}",
            "expected at most one compliance sentence, found 2",
        ),
        (
            COMPLIANCE_LEAD,
            f"{NONE_DUE} {NONE_DUE}",
            "expected at most one 'No recommendations were due' sentence, found 2",
        ),
        (
            UPHELD_LEAD,
            f"{UPHELD_LEAD} {UPHELD_LEAD}",
            "expected one '… of complaints we investigated were upheld', found 2",
        ),
    ],
    ids=[
        "uphold rate",
        "remedy rate",
        "upheld average",
        "upheld count",
        "investigations base",
        "compliance average",
        "compliance base",
        "remedy average",
        "remedy count",
        "compliance sentence twice",
        "none due twice",
        "uphold rate twice",
    ],
)
def test_a_missing_or_repeated_statistics_sentence_is_named(old, new, message):
    assert problem(edit(WELLINGBOROUGH, old, new)) == message


def test_the_remedy_base_missing_is_named():
    text = edit(WELLINGBOROUGH, INVESTIGATIONS_BASE, "", nth=1)
    assert problem(text) == "expected one satisfactory remedy base, found 0"


# --- the 2024-25 complaint overview (wording: site notes §3.7, the replica's letter)


def letter_2025(overview: str) -> str:
    text = WELLINGBOROUGH.replace("2020", "2025").replace("2019", "2024")
    return edit(
        text, STATISTICS_START.replace("100%", ""), f"{overview}\n\n" + STATISTICS_START.replace("100%", "")
    )


OVERVIEW = (
    "Between 1 April 2024 to 31 March 2025, we dealt with 14 complaints. Of these, 4 were not for us or not "
    "ready for us to investigate. We assessed and closed 8 complaints. We investigated 2 complaints."
)


def test_complaint_overview_2024_25():
    parsed, disagreements = read(letter_2025(OVERVIEW))
    assert disagreements == []
    assert parsed.statistics == with_statistics(
        year="2024-25",
        period_start="2024-04-01",
        period_end="2025-03-31",
        complaints_dealt_with=14,
        not_for_us=4,
        assessed_and_closed=8,
    )
    assert parsed.letter_date == "2025-07-22"


def test_complaint_overview_in_the_singular():
    overview = edit(OVERVIEW, "Of these, 4 were", "Of these, 1 was")
    overview = edit(overview, "dealt with 14", "dealt with 11")
    assert read(letter_2025(overview))[0].statistics.not_for_us == 1


@pytest.mark.parametrize(
    "overview",
    [
        OVERVIEW.replace("dealt with 14", "dealt with 15"),
        OVERVIEW.replace("dealt with 14", "dealt with 15").replace("We investigated 2", "We investigated 3"),
    ],
    ids=["parts do not add up", "investigations differ"],
)
def test_complaint_overview_disagreeing_with_its_parts_is_reported(overview):
    parsed, disagreements = read(letter_2025(overview))
    assert parsed.statistics.complaints_dealt_with == 15
    assert disagreements == [f"complaint overview {overview!r} disagrees with 2 investigations"]


def test_complaint_overview_of_another_year_or_twice_is_an_error():
    other_year = edit(OVERVIEW, "1 April 2024 to 31 March 2025", "1 April 2023 to 31 March 2024")
    assert problem(letter_2025(other_year)) == (
        "statistics period '1 April 2023 to 31 March 2024' is not the letter's year 2024-25"
    )
    assert (
        problem(letter_2025(f"{OVERVIEW} {OVERVIEW}")) == "expected at most one complaint overview, found 2"
    )


# --- the table era's Local Authority Report (site notes §3.8: a template, the labels as listed there)

TABLE_ERA_LETTER = """Local Government OMBUDSMAN

20 July 2016

By email

Ms Elliott
Managing Director
Wellingborough Borough Council

Dear Ms Elliott

Annual Review Letter 2016

I am writing with our annual summary of statistics on the complaints made to the Local Government Ombudsman (LGO) \
about your authority for the year ended 31 March 2016.

Yours sincerely,

Dr Jane Martin
Local Government Ombudsman
Chair, Commission for Local Administration in England

Local Authority Report: Wellingborough Borough Council
For the period ending: 31/03/2016

Complaints and enquiries received

Adult Care Services Benefits and Tax Corporate and Other Services Education and Children's Services \
Environmental Services & Public Protection &
Regulation Highways and Transport Housing Planning and Development Other Total
12 8 3 20 9 5 30 11 2 100

Decisions made

Detailed Investigations
Upheld Not Upheld Uphold Rate (%) Advice Given Closed After Initial Enquiries Incomplete or Invalid \
Referred back for Local Resolution Total
10 15 40 4 30 3 35 97

Complaints remedied
by LGO satisfactorily by Authority before LGO Involvement
7 1
"""
RECEIVED = {
    "Adult Care Services": 12,
    "Benefits and Tax": 8,
    "Corporate and Other Services": 3,
    "Education and Children's Services": 20,
    "Environmental Services & Public Protection & Regulation": 9,
    "Highways and Transport": 5,
    "Housing": 30,
    "Planning and Development": 11,
    "Other": 2,
}
DECIDED = {
    "Upheld": 10,
    "Not Upheld": 15,
    "Advice Given": 4,
    "Closed After Initial Enquiries": 30,
    "Incomplete or Invalid": 3,
    "Referred back for Local Resolution": 35,
}
TABLE_ERA_STATISTICS = AnnualStatistics(
    authority_slug=SLUG,
    year="2015-16",
    source="letter",
    source_url=URL,
    period_end="2016-03-31",
    upheld_pct=40,
    upheld_decisions=10,
    investigations=25,
)


def test_table_era_report_in_header_rows():
    parsed, disagreements = read(TABLE_ERA_LETTER)
    assert disagreements == []
    assert (parsed.year, parsed.title, parsed.letter_date, parsed.signatory) == (
        "2015-16",
        "Annual Review Letter 2016",
        "2016-07-20",
        "Dr Jane Martin",
    )
    assert (parsed.received, parsed.decided, parsed.uphold_rate) == (RECEIVED, DECIDED, 40)
    assert parsed.statistics == TABLE_ERA_STATISTICS


LABEL_ROWS = """Complaints and enquiries received

Adult Care Services
12
Benefits and Tax
8
Corporate and Other Services
3
Education and Children's Services
20
Environmental Services & Public Protection & Regulation
9
Highways and Transport
5
Housing
30
Planning and Development
11
Other
2
Total
100

Decisions made

Detailed Investigations
Upheld
10
Not Upheld
15
Uphold Rate (%)
40%
Advice Given
4
Closed After Initial Enquiries
30
Incomplete or Invalid
3
Referred back for Local Resolution
35
Total
97
"""
"""The same two tables printed as label/figure rows, as the layouts unlike the replica's give them."""


def test_table_era_report_in_label_and_figure_rows_with_a_percent_sign():
    tables = TABLE_ERA_LETTER.index("Complaints and enquiries received")
    text = TABLE_ERA_LETTER[:tables] + LABEL_ROWS
    parsed, disagreements = read(text)
    assert (parsed.received, parsed.decided, parsed.uphold_rate) == (RECEIVED, DECIDED, 40)
    assert (parsed.statistics, disagreements) == (TABLE_ERA_STATISTICS, [])


def test_table_era_2018_labels_in_lower_case():
    text = edit(TABLE_ERA_LETTER, "Adult Care Services", "Adult social care")
    text = edit(
        text,
        "Environmental Services & Public Protection &\nRegulation",
        "Environmental services, public protection and regulation",
    )
    text = edit(text, "Not Upheld Uphold Rate (%)", "Not upheld Uphold rate (%)")
    text = edit(text, "Incomplete or Invalid", "Invalid or incomplete")
    text = edit(text, "10 15 40 4 30 3 35 97", "10 20 33 4 30 3 35 102")
    parsed, disagreements = read(text)
    assert parsed.received["Adult social care"] == 12
    assert parsed.received["Environmental services, public protection and regulation"] == 9
    assert parsed.decided == {
        "Upheld": 10,
        "Not upheld": 20,
        "Advice Given": 4,
        "Closed After Initial Enquiries": 30,
        "Invalid or incomplete": 3,
        "Referred back for Local Resolution": 35,
    }
    assert parsed.uphold_rate == 33
    assert parsed.statistics == AnnualStatistics(
        **{**TABLE_ERA_STATISTICS.__dict__, "upheld_pct": 33, "investigations": 30}
    )
    assert disagreements == []


def test_table_era_uphold_rate_disagreeing_with_its_counts_is_reported():
    text = edit(TABLE_ERA_LETTER, "10 15 40 4", "10 15 50 4")
    parsed, disagreements = read(text)
    assert parsed.uphold_rate == 50
    assert disagreements == ["upheld_pct 50% does not follow from its counts"]


REPORT_HEAD = "'Local Authority Report: Wellingborough Borough Council For the period ending: "
REMEDIED_TABLE = "\nComplaints remedied\nby LGO satisfactorily by Authority before LGO Involvement\n7 1\n"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("31/03/2016", "30/06/2016", f"{REPORT_HEAD}30/06/2016' is not the end of the letter's year 2015-16"),
        ("31/03/2016", "31/03/2015", f"{REPORT_HEAD}31/03/2015' is not the end of the letter's year 2015-16"),
        ("Decisions made", "Decisions", "expected one 'Decisions made' table, found 0"),
        (
            "Complaints and enquiries received",
            "Complaints",
            "expected one 'Complaints and enquiries received' table, found 0",
        ),
        ("11 2 100", "11 2 101", "received table: {"),
        ("Other Total", "Total", "received table: {"),
        ("11 2 100", "11 2 n/a 100", "received table: unexpected text 'n/a'"),
        ("5 30 11 2 100", "5 30 11 Other 2 100", "received table: label 'Other' among the figures"),
        (
            "Housing Planning",
            "Housing Housing Planning",
            "received table: no figure for 'Total' (11 labels, 10",
        ),
        ("Housing Planning", "Housing Housing Planning", "received table repeats a label: ["),
        (
            f"35 97\n{REMEDIED_TABLE}",
            "35\n",
            "decisions made table: no figure for 'Total' (8 labels, 7 figures)",
        ),
        ("Upheld Not Upheld", "Not Upheld", "decisions made table: {"),
    ],
)
def test_table_era_report_that_does_not_read_is_an_error(old, new, message):
    text = edit(TABLE_ERA_LETTER, old, new)
    if message.startswith("received table repeats"):
        text = edit(text, "5 30 11", "5 30 0 11")  # a figure for the repeated label: the table is whole
    assert problem(text).startswith(message)


@pytest.mark.parametrize(
    ("label", "figure", "total"),
    [("Upheld ", "10 ", "87"), ("Not Upheld ", "15 ", "82"), ("Uphold Rate (%) ", "40 ", "97")],
)
def test_table_era_decisions_without_an_upheld_not_upheld_or_rate_column_is_an_error(label, figure, total):
    header = "Upheld Not Upheld Uphold Rate (%) Advice"
    text = edit(TABLE_ERA_LETTER, header, header.replace(label, "", 1))
    figures = "10 15 40 4 30 3 35 97"
    text = edit(text, figures, (figures.replace(figure, "", 1))[: -len("97")] + total)
    assert problem(text) == f"decisions made table has no {label.strip()!r} column"


# --- found by mutation testing (bench/mutation.py letter)


def test_the_body_ends_at_the_sign_off_whatever_its_wording():
    """A report sentence after 'Yours faithfully' is past the letter's body, as it is after 'Yours sincerely'."""
    text = edit(WELLINGBOROUGH, "Yours sincerely,", "Yours faithfully,")
    text = edit(text, "Complaints upheld\n\n\n\n", f"{REPORT_ON_NOISE}\n\nComplaints upheld\n\n\n\n")
    assert read(text)[0].public_report_sentences == []


def test_a_report_mentioned_before_any_full_stop_runs_from_the_start_of_the_letter():
    # the letterhead, date and addressee have no full stop, so the first sentence starts with the letter
    text = edit(
        WELLINGBOROUGH,
        "I write to you with our annual summary",
        "We issued a public report about your Council. I write to you with our annual summary",
    )
    assert read(text)[0].public_report_sentences == [
        "Local Government & Social Care OMBUDSMAN 22 July 2020 By email Ms Elliott Managing Director "
        "Wellingborough Borough Council Dear Ms Elliott Annual Review letter 2020 We issued a public report "
        "about your Council."
    ]


def test_an_authority_whose_slug_keeps_capitals():
    # the site spells some slugs with capitals (North-Northamptonshire-Council, site notes §4.2)
    parsed, _ = read(LEICESTER, "Leicester-City-Council")
    assert parsed.addressee_role == "Chief Operating Officer"


def test_the_local_authority_report_printed_twice_is_an_error():
    start = TABLE_ERA_LETTER.index("Local Authority Report")
    text = TABLE_ERA_LETTER + TABLE_ERA_LETTER[start:]
    assert problem(text) == "expected one 'Local Authority Report' heading, found 2"


def test_a_complaint_overview_keeps_the_disagreements_found_before_it():
    text = edit(letter_2025(OVERVIEW), UPHELD_LEAD, "60% of complaints we investigated were upheld.")
    text = edit(text, "dealt with 14", "dealt with 15")
    overview = OVERVIEW.replace("dealt with 14", "dealt with 15")
    assert read(text)[1] == [
        "upheld_pct 60% does not follow from its counts",
        f"complaint overview {overview!r} disagrees with 2 investigations",
    ]


def test_table_labels_match_across_line_breaks_in_any_case_beside_figures_and_other_text():
    token = _table_token((UPHELD, NOT_UPHELD, UPHOLD_RATE, TOTAL))
    found = [
        (match.lastgroup, match.group(match.lastgroup))
        for match in token.finditer("Upheld Not\nupheld UPHOLD RATE (%) Total 10 15 40% n/a 1,204")
    ]
    assert found == [
        ("label", "Upheld"),
        ("label", "Not\nupheld"),
        ("label", "UPHOLD RATE (%)"),
        ("label", "Total"),
        ("figure", "10"),
        ("figure", "15"),
        ("figure", "40%"),
        ("other", "n/a"),
        ("figure", "1,204"),
    ]


def test_a_statistics_base_sentence_gives_its_count_and_period():
    base = _based_on("compliance outcomes?").search(COMPLIANCE_BASE)
    assert base.groups() == ("1", "1 April 2019 to 31 March 2020")
