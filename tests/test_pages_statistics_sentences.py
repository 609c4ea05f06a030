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

SENTENCES = [
    # (page, a sentence as the page prints it, the name a layout failure gives it)
    (BCP, "90% of complaints we investigated were upheld.", "'… of complaints we investigated were upheld'"),
    (BCP, "We investigated 29 complaints and upheld 26.", "'We investigated N complaints and upheld N'"),
    (
        BCP,
        "Between 1 April 2024 to 31 March 2025, we dealt with 121 complaints.",
        "'… we dealt with N complaints'",
    ),
    (
        BCP,
        "Of these, 27 were not for us or not ready for us to investigate.",
        "'Of these, N were not for us'",
    ),
    (BCP, "We assessed and closed 65 complaints.", "'We assessed and closed N complaints'"),
    (
        BCP,
        "90% of cases we were satisfied the Council had successfully implemented our recommendations.",
        "the compliance sentence",
    ),
    (
        BCP,
        "In 4% of upheld cases we found the Council had provided a satisfactory remedy before the complaint "
        "reached the Ombudsman.",
        "'In …% of upheld cases we found …'",
    ),
    (NORTHAMPTON, "2 upheld decisions", "'N upheld decisions'"),
    (
        NORTHAMPTON,
        "No recommendations were due for compliance in this period",
        "'No recommendations were due …'",
    ),
]
IDS = [
    "upheld-lead", "investigated-and-upheld", "dealt-with", "not-for-us", "assessed-and-closed", "compliance-lead",
    "remedy-lead", "upheld-count", "no-compliance-due",
]  # fmt: skip
"""ASCII test ids: mutmut reruns tests by node id, and pytest escapes non-ASCII ones."""


def with_paragraph(case, marker: str, sentence: str, before: bool) -> str:
    _, html, _ = case
    assert html.count(marker) == 1
    paragraph = f"<p>{sentence}</p>"
    return html.replace(marker, paragraph + marker if before else marker + paragraph)


@pytest.mark.parametrize(("case", "sentence", "label"), SENTENCES, ids=IDS)
def test_a_figure_sentence_repeated_in_the_statistics_block_is_named(case, sentence, label):
    _, _, url = case
    # the upheld count is looked for in the upheld section only; every other sentence in the whole block
    inside = UPHELD_SECTION_END if label == "'N upheld decisions'" else LETTERS_HEADING
    page = parse_statistics_page(with_paragraph(case, inside, sentence, before=True), url)
    assert page.statistics is None
    assert page.problems["figures"] == f"{label} appears 2 times, expected at most once"


@pytest.mark.parametrize(("case", "sentence", "label"), SENTENCES, ids=IDS)
def test_a_figure_sentence_after_the_letters_section_changes_nothing(case, sentence, label):
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
