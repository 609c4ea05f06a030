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


def error(kind, page="statistics"):
    return items.CrawlError("https://www.lgo.org.uk/x", "x", page, kind, "message")


def test_a_clean_run_is_ok():
    assert judge_run(facts()).status == "ok"


def test_a_missing_predecessor_is_counted_not_failed():
    assert judge_run(facts(errors=[error("missing")])).status == "ok"


def test_any_page_that_failed_fails_the_run_and_says_which():
    verdict = judge_run(facts(errors=[error("http"), error("http"), error("layout", "reports")]))
    assert verdict.status == "failed"
    assert verdict.problems == ["1 reports page(s) failed (layout)", "2 statistics page(s) failed (http)"]


def test_a_few_unreadable_letters_pass_but_many_fail():
    assert judge_run(facts(errors=[error("unreadable", "letter")] * 10)).status == "ok"
    verdict = judge_run(facts(errors=[error("unreadable", "letter")] * 11))
    assert verdict.problems == ["11 of 100 letters unreadable"]


def test_a_drop_of_more_than_a_tenth_against_the_last_good_run_fails():
    assert judge_run(facts(authorities=329)).status == "ok"
    verdict = judge_run(facts(authorities=300, figures=200))
    assert verdict.problems == [
        "authorities dropped from 365 (run 7) to 300",
        "figures dropped from 365 (run 7) to 200",
    ]


def test_a_run_stopped_by_a_signal_is_interrupted_so_it_can_be_resumed():
    assert judge_run(facts(finish_reason="shutdown")).status == "interrupted"
