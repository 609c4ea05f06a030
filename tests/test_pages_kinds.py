"""Which parser reads a saved page or file (pages/kinds.py, `harvester parse`): each kind told from what the content
is and says or from a URL shape the site uses, and each read by its own parser into what the page says (issue 26:
kinds.py had no test of its own)."""

import json

import pytest

from harvester.pages.annual_review import HUB_PATH
from harvester.pages.kinds import KINDS, guess_kind, parse_saved
from harvester.replica.letters import render_letter_pdf
from tests.pages.cases import CASES_DIR, as_json_data, read_case
from tests.test_letter_pdf import AUTHORITY, LETTERS, SITE, expected_statistics
from tests.test_pages_cases import _without_unset_new_fields

BASE = "https://www.lgo.org.uk"
DATA_FILE = f"{BASE}/assets/attach/6922/1-Complaints-Received-22-23.csv"
RECEIVED_COLUMNS = [
    "Adult care services", "Benefits and tax", "Corporate and other services", "Education and children's services",
    "Environmental services, public protection and regulation", "Highways and transport", "Housing",
    "Planning and development", "Other",
]  # fmt: skip
"""The complaints-received categories (site notes §5.3), one column each."""
RECEIVED_CSV = (
    "Organisation,Authority type," + ",".join(f'"{column}"' for column in RECEIVED_COLUMNS) + "\r\n"
    "Luton Borough Council,Unitary Authority,12,3,4,20,5,6,31,2,1\r\n"
).encode()


def saved(folder: str, case: str) -> tuple[bytes, str, list | dict]:
    """A saved case's bytes, URL and expected.json (values a person read against the page)."""
    _, html, url = read_case(CASES_DIR / folder / case)
    expected = json.loads((CASES_DIR / folder / case / "expected.json").read_text(encoding="utf-8"))
    return html.encode(), url, expected


@pytest.mark.parametrize(
    ("folder", "case", "kind"),
    [
        ("index", "councils-2025", "index"),
        ("reports_list", "luton-three-reports", "reports"),
        ("improvements", "luton-page-1-filters", "improvements"),
        ("decision_listing", "search-results-old-outcomes", "decision_listing"),
    ],
)
def test_a_saved_page_is_told_by_its_kind_and_read_to_what_it_says(folder, case, kind):
    content, url, expected = saved(folder, case)
    assert guess_kind(content, url) == kind
    expected = expected if isinstance(expected, list) else [expected]
    read = as_json_data(parse_saved(content, url, kind))
    assert _without_unset_new_fields(read, expected) == expected


def test_the_index_is_told_by_its_url_with_or_without_a_trailing_slash():
    assert guess_kind(b"<html></html>", f"{BASE}/your-councils-performance/") == "index"
    assert guess_kind(b"<html></html>", f"{BASE}/your-councils-performance") == "index"
    assert guess_kind(b"<html></html>", f"{BASE}/Your-Councils-Performance") == "index"


def test_a_decision_page_gives_its_remedy_payments_under_the_authority_given():
    content, url, _ = saved("decision", "other-markup-no-markers")
    page, payment = parse_saved(content, url, "decision", authority_slug="luton-borough-council")
    assert page.case_ref == "22-011-513"
    assert (payment.case_ref, payment.authority_slug, payment.provenance, payment.source_url) == (
        "22-011-513", "luton-borough-council", "decisions.remedy", url
    )  # fmt: skip
    assert (payment.amount_gbp, payment.payee, payment.sentence) == (
        2400.0, "Miss X", "Pay Miss X £2,400 for Y's lost provision"
    )  # fmt: skip


def test_a_letter_pdf_is_told_by_its_bytes_and_read_under_the_authority_given():
    letter = LETTERS[-1]
    pdf = render_letter_pdf(SITE, AUTHORITY, letter)
    assert guess_kind(pdf, f"{BASE}{letter.pdf_path}") == "letter"
    [parsed] = parse_saved(pdf, letter.pdf_path, "letter", authority_slug=AUTHORITY.slug)
    assert (parsed.authority_slug, parsed.pdf_url, parsed.year) == (
        AUTHORITY.slug,
        letter.pdf_path,
        letter.year,
    )
    assert parsed.statistics == expected_statistics(letter)
    with pytest.raises(ValueError) as raised:
        parse_saved(pdf, letter.pdf_path, "letter")
    assert str(raised.value) == "a letter PDF's URL does not name its authority: give --authority SLUG"


@pytest.mark.parametrize(
    "url",
    [DATA_FILE, DATA_FILE.replace(".csv", ".xlsx"), DATA_FILE.replace(".csv", ".XLSX"), DATA_FILE + "/"],
    ids=["csv", "xlsx", "capitals", "slash"],
)
def test_a_data_file_is_told_by_its_extension(url):
    assert guess_kind(b"Organisation,Housing\r\n", url) == "datafile"


def test_a_data_file_is_read_to_its_councils_figures():
    values = parse_saved(RECEIVED_CSV, DATA_FILE, "datafile")
    assert [(value.category, value.value) for value in values] == list(
        zip(RECEIVED_COLUMNS, [12, 3, 4, 20, 5, 6, 31, 2, 1], strict=True)
    )
    assert {(value.authority_slug, value.year, value.measure, value.source_file) for value in values} == {
        ("luton-borough-council", "2022-23", "received", DATA_FILE)
    }


HUB = (
    "<h1>Local government complaint reviews</h1>"
    '<p><a href="/assets/attach/6922/1-Complaints-Received-22-23.csv">Complaints received 2022-23 (CSV)</a></p>'
    '<p><a href="/assets/attach/6923/2-Complaints-Decided-22-23.xlsx">Complaints decided 2022-23 (Excel)</a></p>'
)


@pytest.mark.parametrize(
    "url", [BASE + HUB_PATH, BASE + HUB_PATH.title() + "/"], ids=["as-linked", "other-case"]
)
def test_the_hub_is_told_by_its_path_and_read_to_its_data_file_links(url):
    assert guess_kind(HUB.encode(), url) == "hub"
    links = parse_saved(HUB.encode(), url, "hub")
    assert [(link.year, link.label, link.url, link.file_format, link.source_url) for link in links] == [
        ("2022-23", "Complaints received 2022-23 (CSV)", DATA_FILE, "csv", url),
        ("2022-23", "Complaints decided 2022-23 (Excel)", f"{BASE}/assets/attach/6923/2-Complaints-Decided-22-23.xlsx",
         "xlsx", url),
    ]  # fmt: skip


def test_a_page_of_no_kind_and_an_unknown_kind_are_refused_with_the_kinds_listed():
    kinds = (
        "index, statistics, letters, reports, improvements, letter, decision, decision_listing, hub, datafile"
    )
    assert ", ".join(KINDS) == kinds
    with pytest.raises(ValueError) as raised:
        guess_kind(b"<p>Nothing to see</p>", f"{BASE}/somewhere")
    assert str(raised.value) == f"cannot tell what kind of page {BASE}/somewhere is: give --kind ({kinds})"
    with pytest.raises(ValueError) as raised:
        parse_saved(b"<p>Nothing to see</p>", f"{BASE}/somewhere", "news")
    assert str(raised.value) == f"unknown page kind 'news': one of {kinds}"


def test_an_empty_listing_is_told_by_its_wording_after_every_list_page_of_another_kind():
    empty = b"<h1>Decisions</h1><p>No results found.</p>"
    assert guess_kind(empty, f"{BASE}/decisions?q=zebra") == "decision_listing"
    # A letters page with none to show is still a letters page.
    letters = b"<h1>Annual review letters</h1><p>Annual review letter</p><p>No results found.</p>"
    assert guess_kind(letters, f"{BASE}/your-councils-performance/luton/letters") == "letters"
