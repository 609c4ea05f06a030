"""`harvester parse`: what a saved page yields, as JSON lines, for debugging and bug reports."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli

CASES = Path(__file__).resolve().parent / "pages"


def parse(case: str, *options: str) -> list[dict]:
    folder = CASES / case
    url = (folder / "url.txt").read_text().strip()
    result = CliRunner().invoke(cli, ["parse", str(folder / "page.html"), "--url", url, *options])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_a_statistics_page_prints_its_figures_and_links():
    [page] = parse("statistics/luton-2023-24-cms")
    assert page["type"] == "StatisticsPage"
    assert (
        page["statistics"]["year"],
        page["statistics"]["upheld_pct"],
        page["statistics"]["investigations"],
    ) == (
        "2023-24",
        69,
        13,
    )
    assert page["letters_url"] and page["improvements_url"]


def test_a_list_page_is_recognised_by_its_wording():
    letters = parse("letters_list/luton-2014-2025")
    assert {line["type"] for line in letters} == {"LetterLink"}
    assert [line["year"] for line in letters][:2] == ["2024-25", "2023-24"]


def test_an_unrecognisable_page_asks_for_its_kind(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Nothing to see</p></body></html>")
    result = CliRunner().invoke(cli, ["parse", str(page), "--url", "https://www.lgo.org.uk/somewhere"])
    assert result.exit_code == 1
    assert "give --kind" in result.output


@pytest.mark.parametrize(
    ("case", "kind", "first"),
    [
        ("decision/southwark-strong-headings", "DecisionPage", "24-005-444"),
        ("decision/other-markup-no-markers", "DecisionPage", "22-011-513"),
        ("decision/report-landing", "DecisionPage", "19-004-001"),
        ("decision/replica-2025-birmingham-report-chapter-2", "DecisionPage", "15-014-338"),
        ("decision_listing/search-results-old-outcomes", "DecisionListing", "13-017-442"),
        ("decision_listing/cards-without-heading-and-unreadable", "DecisionListing", "17-002-402b"),
    ],
)
def test_every_decision_page_kind_is_recognised_by_its_content(case, kind, first):
    page, *payments = parse(case)
    assert page["type"] == kind
    assert {line["type"] for line in payments} <= {"RemedyPayment"}
    assert (page["case_ref"] if kind == "DecisionPage" else page["cards"][0]["case_ref"]) == first



def test_a_saved_page_without_a_declared_charset_is_read_as_utf8():
    """curl -o keeps no Content-Type: the page's "£" must not come out as Latin-1's "Â£"."""
    page, payment = parse("decision/other-markup-no-markers")
    assert "Pay Miss X £2,400 for Y's lost provision" in page["remedy"]
    assert (payment["type"], payment["amount_gbp"], payment["payee"], payment["sentence"]) == (
        "RemedyPayment", 2400.0, "Miss X", "Pay Miss X £2,400 for Y's lost provision")


@pytest.mark.parametrize("wording", ["No results found.", "There are no statements in this category."])
def test_an_empty_listing_saying_only_that_it_has_none_is_read_without_its_kind(tmp_path, wording):
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><h1>Decisions</h1><p>{wording}</p></body></html>")
    result = CliRunner().invoke(cli, ["parse", str(page), "--url", "https://www.lgo.org.uk/decisions?q=zebra"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.output.splitlines()] == [
        {"type": "DecisionListing", "cards": [], "next_url": None, "warnings": [], "skipped": 0, "results": 0}
    ]
