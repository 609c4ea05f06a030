"""Judging a run: what makes the nightly exit status non-zero."""

from harvester import items
from harvester.health import RunFacts, judge_run


def facts(**changes) -> RunFacts:
    healthy = {
        "errors": [],
        "finish_reason": "finished",
        "authorities": 365,
        "figures": 365,
        "letters_read": 100,
        "previous": {"id": 7, "authorities": 365, "figures": 365},
    }
    return RunFacts(**(healthy | changes))


def error(kind, page="statistics", slug="x", message="message"):
    return items.CrawlError("https://www.lgo.org.uk/x", slug, page, kind, message)


def test_a_clean_run_is_ok():
    assert judge_run(facts()).status == "ok"


def test_a_missing_predecessor_is_counted_not_failed():
    assert judge_run(facts(errors=[error("missing")])).status == "ok"


def test_a_warning_is_recorded_not_failed():
    """A listing card skipped with its text, a statement kept whole: read, not lost (pages/decisions.py)."""
    warning = error("warning", "decision_listings", message="card skipped (0 links to a decision page, expected one)")
    assert judge_run(facts(errors=[warning])).status == "ok"


def test_any_page_that_failed_fails_the_run_and_says_which():
    verdict = judge_run(facts(errors=[error("http"), error("http"), error("layout", "reports")]))
    assert verdict.status == "failed"
    assert verdict.problems == [
        "1 reports page(s) failed (layout): message",
        "2 statistics page(s) failed (http): message",
    ]


def unreadable_letters(count, per_authority=1):
    return [error("unreadable", "letter", slug=f"council-{i // per_authority}") for i in range(count)]


def test_a_few_unreadable_letters_pass_but_many_fail():
    assert judge_run(facts(errors=unreadable_letters(10))).status == "ok"
    verdict = judge_run(facts(errors=unreadable_letters(11)))
    assert verdict.problems == ["11 of 100 letters unreadable: message"]


def test_one_council_losing_its_letters_fails_even_when_the_run_wide_share_is_small():
    read = {f"council-{i}": 6 for i in range(16)} | {"kent": 4}
    lost = [error("unreadable", "letter", slug="Kent", message=f"encrypted {i}") for i in range(4)]
    verdict = judge_run(facts(errors=lost, letters_read_by_authority=read))
    assert verdict.problems == [
        "4 of 4 letters of kent unreadable: encrypted 0; encrypted 1 (and 2 other reasons)"
    ]
    one_of_four = judge_run(facts(errors=lost[:1], letters_read_by_authority=read))
    assert one_of_four.status == "ok"
    two_of_six = judge_run(
        facts(errors=unreadable_letters(2, per_authority=2), letters_read_by_authority=read)
    )
    assert two_of_six.status == "ok"


def test_save_failures_are_reported_as_such_not_as_a_drop():
    not_saved = [error("save", "authority", message="OperationalError: database is locked")] * 40
    verdict = judge_run(facts(authorities=325, errors=not_saved))
    assert verdict.problems == [
        "40 authorities not saved (save failed): OperationalError: database is locked"
    ]


def test_a_letter_that_failed_to_read_again_fails_the_run():
    verdict = judge_run(
        facts(errors=[error("reread", "letter", message="encrypted; the copy read before is kept")])
    )
    assert verdict.problems == [
        "1 letter(s) read before could not be read again: encrypted; the copy read before is kept"
    ]


def test_a_drop_of_more_than_a_tenth_against_the_last_good_run_fails():
    assert judge_run(facts(authorities=329)).status == "ok"
    verdict = judge_run(facts(authorities=300, figures=200))
    assert verdict.problems == [
        "authorities dropped from 365 (run 7) to 300",
        "figures dropped from 365 (run 7) to 200",
    ]


def test_a_run_stopped_by_a_signal_is_interrupted_so_it_can_be_resumed():
    assert judge_run(facts(finish_reason="shutdown")).status == "interrupted"
