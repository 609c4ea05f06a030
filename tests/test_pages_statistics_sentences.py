"""Each figure sentence of a statistics page is read once, inside the statistics block, and named when it is not.

A sentence repeated inside the block is a layout failure that names the sentence; the same sentence after the
"Annual letters" section (a news teaser, a sidebar) is not part of the figures and changes nothing.
"""

import pytest

from harvester.pages.statistics import parse_statistics_page
from tests.pages.cases import CASES_DIR, read_case

BCP = read_case(CASES_DIR / "statistics" / "replica-2025-bournemouth-christchurch-and-poole-council")
NORTHAMPTON = read_case(CASES_DIR / "statistics" / "replica-2025-northampton-borough-council-abolished")
LETTERS_HEADING = "<h2>Annual letters</h2>"
UPHELD_SECTION_END = '<a class="button-link" href="/decisions/2022/u/Listing'
AFTER_LETTERS = "View annual letters</a>"

UPHELD_SECTION_END_BCP = "<h3>Compliance with Ombudsman recommendations</h3>"
COMPLIANCE_BASE_BCP = '<p class="basis">Statistics are based on a total of 20 compliance outcomes'
PER_100K = "Adjusted for Bournemouth, Christchurch and Poole Council's population, this is 6.5 upheld decisions per 100,000 residents."

SENTENCES = [
    # (page, a sentence as the page prints it, the name a layout failure gives it, where in the block it is repeated:
    # in the section it is looked for in, the whole block ending at the "Annual letters" heading for most)
    (BCP, "90% of complaints we investigated were upheld.", "'… of complaints we investigated were upheld'", LETTERS_HEADING),
    (BCP, "We investigated 29 complaints and upheld 26.", "'We investigated N complaints and upheld N'", LETTERS_HEADING),
    (
        BCP,
        "Between 1 April 2024 to 31 March 2025, we dealt with 121 complaints.",
        "'… we dealt with N complaints'",
        LETTERS_HEADING,
    ),
    (
        BCP,
        "Of these, 27 were not for us or not ready for us to investigate.",
        "'Of these, N were not for us'",
        LETTERS_HEADING,
    ),
    (BCP, "We assessed and closed 65 complaints.", "'We assessed and closed N complaints'", LETTERS_HEADING),
    (BCP, "We investigated 29 complaints.", "'We investigated N complaints.'", LETTERS_HEADING),
    (
        BCP,
        "90% of cases we were satisfied the Council had successfully implemented our recommendations.",
        "the compliance sentence",
        LETTERS_HEADING,
    ),
    (
        BCP,
        "In 4% of upheld cases we found the Council had provided a satisfactory remedy before the complaint "
        "reached the Ombudsman.",
        "'In …% of upheld cases we found …'",
        LETTERS_HEADING,
    ),
    (BCP, "This compares to an average of 80% in similar authorities.", "the upheld average", UPHELD_SECTION_END_BCP),
    (BCP, PER_100K, "the per-100,000 sentence", UPHELD_SECTION_END_BCP),
    (
        BCP,
        "The average for authorities of this type is 5.3 upheld decisions per 100,000 residents.",
        "the per-100,000 average",
        UPHELD_SECTION_END_BCP,
    ),
    (BCP, "This compares to an average of 99% in similar authorities.", "the compliance average", COMPLIANCE_BASE_BCP),
    (
        BCP,
        "Statistics are based on a total of 20 compliance outcomes for the period between 1 April 2024 to 31 March 2025",
        "the compliance outcomes sentence",
        COMPLIANCE_BASE_BCP,
    ),
    (BCP, "This compares to an average of 13% in similar authorities.", "the remedy average", LETTERS_HEADING),
    (BCP, "1 satisfactory remedy decision", "'N satisfactory remedy decisions'", LETTERS_HEADING),
    (NORTHAMPTON, "2 upheld decisions", "'N upheld decisions'", UPHELD_SECTION_END),
    (
        NORTHAMPTON,
        "Statistics are based on a total of 4 investigations for the period between 1 April 2021 to 31 March 2022",
        "the investigations base sentence",
        UPHELD_SECTION_END,
    ),
    (
        NORTHAMPTON,
        "No recommendations were due for compliance in this period",
        "'No recommendations were due …'",
        LETTERS_HEADING,
    ),
]  # fmt: skip
IDS = [
    "upheld-lead", "investigated-and-upheld", "dealt-with", "not-for-us", "assessed-and-closed",
    "overview-investigated", "compliance-lead", "remedy-lead", "upheld-average", "per-100k", "per-100k-average",
    "compliance-average", "compliance-base", "remedy-average", "remedy-count", "upheld-count", "upheld-base",
    "no-compliance-due",
]  # fmt: skip
"""ASCII test ids: mutmut reruns tests by node id, and pytest escapes non-ASCII ones."""


def with_paragraph(case, marker: str, sentence: str, before: bool) -> str:
    _, html, _ = case
    assert html.count(marker) == 1
    paragraph = f"<p>{sentence}</p>"
    return html.replace(marker, paragraph + marker if before else marker + paragraph)


@pytest.mark.parametrize(("case", "sentence", "label", "inside"), SENTENCES, ids=IDS)
def test_a_figure_sentence_repeated_in_the_statistics_block_is_named(case, sentence, label, inside):
    _, _, url = case
    page = parse_statistics_page(with_paragraph(case, inside, sentence, before=True), url)
    assert page.statistics is None
    assert page.problems["figures"] == f"{label} appears 2 times, expected at most once"


@pytest.mark.parametrize(("case", "sentence", "label", "inside"), SENTENCES, ids=IDS)
def test_a_figure_sentence_after_the_letters_section_changes_nothing(case, sentence, label, inside):
    _, html, url = case
    page = parse_statistics_page(with_paragraph(case, AFTER_LETTERS, sentence, before=False), url)
    assert page.problems == {}
    assert page.statistics == parse_statistics_page(html, url).statistics


def test_a_page_with_both_or_neither_compliance_sentence_says_which():
    _, html, url = NORTHAMPTON
    both = html.replace(
        "No recommendations were due for compliance in this period",
        "No recommendations were due for compliance in this period</p><p>100% of cases we were satisfied the "
        "Council had successfully implemented our recommendations.",
    )
    assert parse_statistics_page(both, url).problems["figures"] == (
        "both of the compliance sentence and 'No recommendations were due …' found"
    )
    neither = html.replace("No recommendations were due for compliance in this period", "")
    assert parse_statistics_page(neither, url).problems["figures"] == (
        "neither of the compliance sentence and 'No recommendations were due …' found"
    )


def test_a_page_fetched_at_another_spelling_of_its_slug_is_stored_under_the_sites_own():
    _, html, url = BCP
    shouted = url.replace(
        "bournemouth-christchurch-and-poole-council", "Bournemouth-Christchurch-And-Poole-Council"
    )
    page = parse_statistics_page(html, shouted)
    assert page.authority.slug == "bournemouth-christchurch-and-poole-council"
    assert page.authority.url == page.statistics.source_url == url
