"""The run verdict at exactly its thresholds: one letter either side of each limit, the run that saved nothing."""

import pytest

from harvester.health import judge_run
from tests.test_health import error, facts


def lost_letters(count, slug="Kent"):
    return [error("unreadable", "letter", slug=slug, message="encrypted") for _ in range(count)]


def read_per_authority(kent: int) -> dict[str, int]:
    """Kent's letters among 96 others' that all read: the run-wide share stays far below its limit."""
    return {f"council-{i}": 8 for i in range(12)} | {"kent": kent}


@pytest.mark.parametrize(
    ("unreadable", "read", "problem"),
    [
        (2, 2, "2 of 2 letters of kent unreadable: encrypted"),
        (2, 3, "2 of 3 letters of kent unreadable: encrypted"),  # exactly two, more than half
        (3, 5, "3 of 5 letters of kent unreadable: encrypted"),  # partly unreadable: both counts shown
        (2, 4, None),  # exactly half is not "mostly"
        (1, 1, None),  # one letter is not a council losing its letters
        (3, 6, None),
    ],
)
def test_one_councils_unreadable_letters_at_the_limit(unreadable, read, problem):
    verdict = judge_run(
        facts(errors=lost_letters(unreadable), letters_read_by_authority=read_per_authority(read))
    )
    assert verdict.problems == ([problem] if problem else [])
    assert verdict.status == ("failed" if problem else "ok")


def test_a_council_missing_from_the_letters_read_counts_as_having_read_only_its_unreadable_ones():
    verdict = judge_run(facts(errors=lost_letters(2, slug="york"), letters_read_by_authority={}))
    assert verdict.problems == ["2 of 2 letters of york unreadable: encrypted"]


def test_the_run_wide_share_of_unreadable_letters_at_the_limit():
    spread = [error("unreadable", "letter", slug=f"council-{i}") for i in range(5)]
    assert judge_run(facts(errors=spread, letters_read=50)).problems == []
    verdict = judge_run(facts(errors=spread, letters_read=49))
    assert verdict.problems == ["5 of 49 letters unreadable: message"]


def test_a_run_that_saved_no_authority_fails_even_with_nothing_to_compare_with():
    verdict = judge_run(facts(authorities=0, figures=0, letters_read=0, previous=None))
    assert verdict.status == "failed"
    assert verdict.problems == ["no authority was saved"]


def test_a_run_whose_every_save_failed_says_so_once():
    not_saved = [error("save", "authority", message="disk full")] * 2
    verdict = judge_run(facts(authorities=0, errors=not_saved, previous=None))
    assert verdict.problems == ["2 authorities not saved (save failed): disk full"]


@pytest.mark.parametrize("what", ["authorities", "figures"])
def test_a_drop_of_exactly_a_tenth_passes_and_one_more_fails(what):
    previous = {"id": 3, "authorities": 100, "figures": 100}
    assert judge_run(facts(**{what: 90}, previous=previous)).problems == []
    verdict = judge_run(facts(**{what: 89}, previous=previous))
    assert verdict.problems == [f"{what} dropped from 100 (run 3) to 89"]


def test_a_previous_run_with_no_count_compares_as_zero():
    verdict = judge_run(facts(figures=0, previous={"id": 3, "authorities": None, "figures": None}))
    assert verdict.status == "ok"


def test_failed_saves_count_once_each_towards_the_authorities_reached():
    not_saved = [error("save", "authority", slug=f"council-{i}", message="disk full") for i in range(20)]
    verdict = judge_run(
        facts(authorities=50, errors=not_saved, previous={"id": 3, "authorities": 100, "figures": 365})
    )
    assert verdict.problems == [
        "20 authorities not saved (save failed): disk full",
        "authorities dropped from 100 (run 3) to 70",
    ]


def test_each_problem_is_worded_for_its_kind_and_count():
    verdict = judge_run(
        facts(
            finish_reason="shutdown",
            errors=[
                error("save", "authority", message="disk full"),
                error("internal", message="KeyError: 'x'"),
            ],
        )
    )
    assert verdict.status == "interrupted"
    assert verdict.problems == [
        "stopped by Ctrl-C or SIGTERM",
        "1 authority not saved (save failed): disk full",
        "1 internal error(s) of the harvester: KeyError: 'x'",
    ]


def test_reasons_show_two_messages_cut_to_160_characters():
    long = "x" * 200
    two = judge_run(facts(errors=[error("http", message=long), error("http", message="timeout")]))
    assert two.problems == [f"2 statistics page(s) failed (http): {'x' * 160}; timeout"]


def test_unreadable_letters_without_an_authority_are_counted_together():
    lost = [error("unreadable", "letter", slug=None, message="encrypted")] * 2
    verdict = judge_run(facts(errors=lost, letters_read_by_authority={}))
    assert verdict.problems == ["2 of 2 letters of  unreadable: encrypted"]
