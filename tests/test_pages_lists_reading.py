"""The annual letters and reports lists read in the ways the site and other markup may print them (issue 26:
bench/mutation.py's lists module runs these with test_pages_lists.py and the saved page cases).

Headlines, dates and standfirsts are Luton's three real reports (tests/pages/reports_list/luton-three-reports,
site notes §2.5); letter labels are the ones the site prints ('Annual review letter 2025', 'Annual Review letter
2020/21', site notes §1.5). Every expected value is typed in from the snippet, not taken from a parser.
"""

from __future__ import annotations

import pytest

from harvester.items import LetterLink, Report
from harvester.pages.html import PageLayoutError
from harvester.pages.letters_list import parse_letters_list
from harvester.pages.reports_list import parse_reports_list

SITE = "https://www.lgo.org.uk"
LETTERS_URL = f"{SITE}/your-councils-performance/luton-borough-council/annualletters"
REPORTS_URL = f"{SITE}/your-councils-performance/luton-borough-council/reports"
SLUG = "luton-borough-council"

# --- annual letters


@pytest.mark.parametrize(
    ("label", "year"),
    [
        ("Annual review letter 2025", "2024-25"),
        ("ANNUAL REVIEW LETTER 2014", "2013-14"),
        ("Annual review letter 2020 (PDF, 245KB)", "2019-20"),
        ("Annual Review letter 2020/21", "2020-21"),
        ("Annual review letter 2023 - 24", "2023-24"),
        ("Annual review letter 2023–24", "2023-24"),
        ("Letter 2022-23", "2022-23"),
        ("2021/22", "2021-22"),
        ("2024", "2023-24"),
    ],
)
def test_letter_years_from_each_label_style(label, year):
    href = "/assets/attach/9025/Luton-Borough-Council-annual-review-letter.pdf"
    assert parse_letters_list(f"<ul><li><a href='{href}'>{label}</a></li></ul>", LETTERS_URL) == [
        LetterLink(
            authority_slug=SLUG, year=year, label=label, pdf_url=f"{SITE}{href}", source_url=LETTERS_URL
        )
    ]


@pytest.mark.parametrize(
    "label",
    [
        "Review of Local Government Complaints 2023-24",
        "Annual review 2024",
        "Annual review letter",
        "2024 annual review",
        "Annual letters 2019 to 2025",
    ],
)
def test_other_links_with_years_are_not_letters(label):
    html = (
        f"<p><a href='/information-centre/reports/annual-review-reports'>{label}</a></p>"
        "<p><a href='/assets/attach/9025/a.pdf'>Annual review letter 2025</a></p>"
    )
    assert [letter.year for letter in parse_letters_list(html, LETTERS_URL)] == ["2024-25"]


def test_letter_label_naming_no_statistics_year_is_a_layout_error():
    with pytest.raises(PageLayoutError) as raised:
        parse_letters_list("<a href='/a.pdf'>Annual review letter 2023-25</a>", LETTERS_URL)
    assert raised.value.missing == (
        "letter link 'Annual review letter 2023-25': statistics year halves are not consecutive: '2023-25'"
    )
    assert raised.value.url == LETTERS_URL


@pytest.mark.parametrize(
    "none",
    [
        "No annual review letters",
        "There are no annual review letters for this council.",
        "There are no letters.",
        "No annual letters found",
        "No letter available",
        "No annual review letter published",
    ],
)
def test_letters_list_saying_there_are_none(none):
    assert parse_letters_list(f"<h1>Luton Borough Council</h1><p>{none}</p>", LETTERS_URL) == []


def test_letters_list_without_letters_or_a_statement_is_a_layout_error():
    with pytest.raises(PageLayoutError) as raised:
        parse_letters_list(
            "<h1>Luton Borough Council</h1><p>Annual letters</p><p><a href='/news'>News</a></p>", LETTERS_URL
        )
    assert raised.value.missing == "no annual review letter links and no statement that there are none"


# --- reports

INTRO = "<p>The Ombudsman has published the following reports against Luton Borough Council</p>"
BENEFITS = (
    "/information-centre/news/2024/mar/luton-council-to-improve-benefits-appeals-after-backlog-found",
    "Luton council to improve benefits appeals after backlog found",
    "Luton Borough Council is improving the way it administers benefits appeals after the Local Government "
    "and Social Care Ombudsman found it had a backlog of cases dating back five years.",
)
NEIGHBOURS = (
    "/information-centre/news/2023/nov/luton-woman-left-to-face-neighbours-abuse-alone",
    "Luton woman left to face neighbours' abuse alone",
    "A Luton woman was verbally abused and harassed by her neighbours – and her local council did not do "
    "enough when she called on it to help, the Local Government and Social Care Ombudsman has found.",
)


def report(item, date, summary=True) -> Report:
    path, title, standfirst = item
    return Report(
        authority_slug=SLUG,
        title=title,
        url=f"{SITE}{path}",
        summary=standfirst if summary else None,
        date=date,
        source_url=REPORTS_URL,
    )


def link(item) -> str:
    return f"<a href='{item[0]}'>{item[1]}</a>"


TWO_REPORTS = [report(BENEFITS, "2024-03-12"), report(NEIGHBOURS, "2023-11-09")]


@pytest.mark.parametrize(
    "items",
    [
        f"<h3>{link(BENEFITS)}</h3><p>12 March 2024</p><p>{BENEFITS[2]}</p>"
        f"<h3>{link(NEIGHBOURS)}</h3><p>9 November 2023</p><p>{NEIGHBOURS[2]}</p>",
        f"<p>{link(BENEFITS)} - 12 March 2024</p><p>{BENEFITS[2]}</p>"
        f"<p>{link(NEIGHBOURS)} | 9 November 2023</p><p>{NEIGHBOURS[2]}</p>",
        f"<h3>{link(BENEFITS)}</h3><p>{BENEFITS[2]}</p><p>Published: 12 March 2024</p>"
        f"<h3>{link(NEIGHBOURS)}</h3><p>{NEIGHBOURS[2]}</p><p>Published 9 November 2023</p>",
    ],
    ids=["date then standfirst", "date beside the headline", "standfirst then date"],
)
def test_reports_with_their_dates_and_standfirsts_in_either_order(items):
    assert parse_reports_list(f"{INTRO}{items}<h2>Latest news</h2>", REPORTS_URL) == TWO_REPORTS


def test_a_report_without_date_or_without_standfirst():
    items = f"<h3>{link(BENEFITS)}</h3><p>{BENEFITS[2]}</p><h3>{link(NEIGHBOURS)}</h3><p>9 November 2023</p>"
    assert parse_reports_list(INTRO + items, REPORTS_URL) == [
        report(BENEFITS, None),
        report(NEIGHBOURS, "2023-11-09", summary=False),
    ]


def test_the_list_ends_at_the_first_block_that_is_not_part_of_a_report():
    items = (
        f"<h3>{link(BENEFITS)}</h3><p>12 March 2024</p><p>{BENEFITS[2]}</p><p>Read more about our reports</p>"
        f"<h3>{link(NEIGHBOURS)}</h3><p>9 November 2023</p><p>{NEIGHBOURS[2]}</p>"
    )
    assert parse_reports_list(INTRO + items, REPORTS_URL) == [report(BENEFITS, "2024-03-12")]
    linked = (
        f"<h3>{link(BENEFITS)}</h3><p>12 March 2024</p><p>See <a href='/decisions'>our decisions</a></p>"
        f"<h3>{link(NEIGHBOURS)}</h3><p>9 November 2023</p><p>{NEIGHBOURS[2]}</p>"
    )
    assert parse_reports_list(INTRO + linked, REPORTS_URL) == [report(BENEFITS, "2024-03-12", summary=False)]


def test_headlines_linking_to_decisions_or_dated_documents():
    decision = "/decisions/benefits-and-tax/housing-benefit-and-council-tax-benefit/23-012-345"
    pdf = "/assets/attach/7001/Luton-report.pdf"
    items = (
        f"<p><a href='{decision}'>Report on 23 012 345</a></p><p>A benefits report.</p>"
        f"<p><a href='{pdf}'>Report on the benefits backlog</a></p><p>12 March 2024</p>"
        f"<p><a href='{pdf}'>Report on the care home</a> 9 November 2023</p>"
    )
    assert parse_reports_list(INTRO + items, REPORTS_URL) == [
        Report(SLUG, "Report on 23 012 345", f"{SITE}{decision}", "A benefits report.", None, REPORTS_URL),
        Report(SLUG, "Report on the benefits backlog", f"{SITE}{pdf}", None, "2024-03-12", REPORTS_URL),
        Report(SLUG, "Report on the care home", f"{SITE}{pdf}", None, "2023-11-09", REPORTS_URL),
    ]


@pytest.mark.parametrize(
    "after",
    [
        "<p><a href='/assets/attach/7001/Luton-report.pdf'>Report</a></p><p>A standfirst, not a date.</p>",
        "<p><a href='/assets/attach/7001/Luton-report.pdf'>Report</a> in full</p><p>12 March 2024</p>",
        "<p><a href='/information-centre/news'>View all news</a></p><p>A standfirst, not a date.</p>",
        "<p><a href='/information-centre/news/2024/mar'>March 2024</a></p><p>Latest news</p>",
        "<p><a href='/information-centre/news/2024/mar/x'><img src='a.png' alt=''></a></p><p>12 March 2024</p>",
    ],
    ids=["undated document", "words after the link", "all news", "a month of news", "image link"],
)
def test_links_that_are_not_report_headlines_end_the_list(after):
    items = f"<h3>{link(BENEFITS)}</h3><p>12 March 2024</p><p>{BENEFITS[2]}</p>{after}"
    assert parse_reports_list(INTRO + items, REPORTS_URL) == [report(BENEFITS, "2024-03-12")]


def test_a_news_headline_with_a_trailing_slash():
    items = f"<h3><a href='{BENEFITS[0]}/'>{BENEFITS[1]}</a></h3><p>12 March 2024</p>"
    [only] = parse_reports_list(INTRO + items, REPORTS_URL)
    assert (only.url, only.date) == (f"{SITE}{BENEFITS[0]}/", "2024-03-12")


def test_without_the_intro_the_list_is_the_first_headline_with_a_date_or_standfirst():
    sidebar = "<ul><li><a href='/information-centre/news/2025/jul/annual-review'>Annual review</a></li></ul>"
    items = f"<h3>{link(BENEFITS)}</h3><p>12 March 2024</p><h3>{link(NEIGHBOURS)}</h3><p>{NEIGHBOURS[2]}</p>"
    assert parse_reports_list(f"<h1>Luton Borough Council</h1>{sidebar}{items}", REPORTS_URL) == [
        report(BENEFITS, "2024-03-12", summary=False),
        report(NEIGHBOURS, None),
    ]


def test_the_intro_with_nothing_listed_after_it():
    page = f"<h1>Luton Borough Council</h1>{INTRO}<p>No reports published</p>"
    assert parse_reports_list(page, REPORTS_URL) == []
    with pytest.raises(PageLayoutError) as raised:
        parse_reports_list(f"<h1>Luton Borough Council</h1>{INTRO}<p>Latest news</p>", REPORTS_URL)
    assert raised.value.missing == "no reports listed and no statement that there are none"


def test_the_intro_twice_is_a_layout_error():
    with pytest.raises(PageLayoutError) as raised:
        parse_reports_list(INTRO + INTRO, REPORTS_URL)
    assert raised.value.missing == "the reports intro sentence appears 2 times, expected at most once"


@pytest.mark.parametrize(
    "none",
    [
        "There are no public interest reports for this council.",
        "No public reports",
        "No report found",
        "No reports available",
        "The Ombudsman has not published any public interest reports against Luton Borough Council.",
    ],
)
def test_reports_list_saying_there_are_none(none):
    assert parse_reports_list(f"<h1>Luton Borough Council</h1><p>{none}</p>", REPORTS_URL) == []


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("12/03/2024", "2024-03-12"),
        ("12.03.2024", "2024-03-12"),
        ("2024-03-12", "2024-03-12"),
        ("Published: 12/03/2024", "2024-03-12"),
        ("March 2024", None),
        ("Spring 2024", None),
        ("Published 12th March 2024", None),
        ("31 February 2024", None),
    ],
)
def test_a_date_in_any_form_is_never_taken_for_the_standfirst(printed, iso):
    """The replica's reports redesign once printed '12/03/2024': the date block became the summary, the real
    standfirst was dropped and the date was NULL. A block that looks like a date is read as one when it can be,
    else kept as printed (the crawl's warning) with the date NULL; the standfirst stays the standfirst."""
    items = f"<h3>{link(BENEFITS)}</h3><p>{printed}</p><p>{BENEFITS[2]}</p><h3>{link(NEIGHBOURS)}</h3><p>{printed}</p>"
    expected = [report(BENEFITS, iso), report(NEIGHBOURS, iso, summary=False)]
    if iso is None:
        for one in expected:
            one.date_as_printed = printed
    assert parse_reports_list(INTRO + items, REPORTS_URL) == expected


# --- found by mutation testing (bench/mutation.py lists)


def test_a_dated_document_at_the_very_end_of_the_page():
    pdf = "/assets/attach/7001/Luton-report.pdf"
    items = f"<h3>{link(BENEFITS)}</h3><p>12 March 2024</p><p><a href='{pdf}'>Report on the care home</a></p>"
    assert parse_reports_list(INTRO + items + "<p>9 November 2023</p>", REPORTS_URL) == [
        report(BENEFITS, "2024-03-12", summary=False),
        Report(SLUG, "Report on the care home", f"{SITE}{pdf}", None, "2023-11-09", REPORTS_URL),
    ]


def test_a_link_that_does_not_open_its_block_is_not_a_headline():
    # a sidebar's chevron glued to its news links, straight after the list
    items = (
        f"<h3>{link(BENEFITS)}</h3><p>12 March 2024</p>"
        f"<p>\u203a<a href='{NEIGHBOURS[0]}'>{NEIGHBOURS[1]}</a></p><p>9 November 2023</p>"
    )
    assert parse_reports_list(INTRO + items, REPORTS_URL) == [report(BENEFITS, "2024-03-12", summary=False)]


def test_text_beside_a_headline_loses_only_its_separator():
    items = f"<p>{link(BENEFITS)} \u2013 X-ray appointments were cancelled, the Ombudsman found.</p>"
    [only] = parse_reports_list(INTRO + items, REPORTS_URL)
    assert only.summary == "X-ray appointments were cancelled, the Ombudsman found."
