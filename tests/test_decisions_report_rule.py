"""A decision that runs over several chapters is a report, whatever the listing that led to it said.

Every multi-chapter decision in the replica is also listed as "Report", so no crawl of it can see this rule:
it is checked here on two saved chapters of one Birmingham report, joined as if a listing had called it a
"Statement".
"""

import pytest

from harvester.pages.decisions import decision_from_pages, parse_decision_page
from tests.pages.cases import CASES_DIR, read_case

CHAPTERS = [CASES_DIR / "decision" / f"replica-2025-birmingham-report-chapter-{n}" for n in (1, 2)]
URL = read_case(CHAPTERS[0])[2]


def chapter_pages():
    return [parse_decision_page(html, url) for _, html, url in map(read_case, CHAPTERS)]


@pytest.mark.parametrize("listed_as_report", [False, True])
def test_two_chapters_make_a_report_even_when_listed_as_a_statement(listed_as_report):
    first, second = chapter_pages()
    decision = decision_from_pages([second, first], "birmingham-city-council", listed_as_report, URL)
    assert (decision.case_ref, decision.chapters, decision.is_report) == ("15-014-338", 2, True)
    assert decision.text.splitlines()[0] == "The complaint"
    assert "How I considered this complaint" in decision.text.splitlines()


def test_one_chapter_listed_as_a_statement_stays_a_statement():
    first, _ = chapter_pages()
    decision = decision_from_pages([first], "birmingham-city-council", False, URL)
    assert (decision.chapters, decision.is_report) == (1, False)
