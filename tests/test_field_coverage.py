"""Field coverage per item type in the run report, judged against the last good run."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys

from harvester import items
from harvester.field_coverage import MIN_ITEMS, FieldCoverage, coverage_drops
from harvester.health import RunFacts, judge_run
from harvester.replica.redesign import PREFIX


def reports(count: int, dated: int) -> FieldCoverage:
    coverage = FieldCoverage()
    for number in range(count):
        date = "2024-05-01" if number < dated else None
        coverage.add(items.Report("luton", f"Report {number}", f"http://x/{number}", "", date, "http://x/r"))
    return coverage


def test_shares_count_the_items_with_each_field_filled():
    shares = reports(4, 3).shares()
    assert shares["Report"]["items"] == 4
    assert shares["Report"]["fields"]["date"] == 0.75
    assert shares["Report"]["fields"]["title"] == 1.0
    assert shares["Report"]["fields"]["summary"] == 0.0  # '' is not filled
    assert shares["Report"]["fields"]["case_ref"] == 0.0


def test_a_field_filled_markedly_less_than_in_the_last_good_run_is_a_problem():
    before = reports(20, 20).shares()
    assert coverage_drops(reports(20, 18).shares(), before, 7) == []  # 10 points: within the limit
    assert coverage_drops(reports(20, 17).shares(), before, 7) == [
        "Report.date filled in 85% of 20 items, 100% of 20 in run 7"
    ]
    assert coverage_drops(reports(MIN_ITEMS - 1, 0).shares(), before, 7) == []  # too few to judge
    # Under half the items: an incremental night's subset of the lists, another population.
    assert coverage_drops(reports(19, 0).shares(), reports(40, 40).shares(), 7) == []
    assert coverage_drops(reports(20, 0).shares(), None, 7) == []  # the last good run recorded none


def test_a_coverage_drop_fails_the_run_like_markedly_fewer_authorities():
    previous = {"id": 7, "authorities": 1, "figures": 1,
                "summary": json.dumps({"field_coverage": reports(20, 20).shares()})}  # fmt: skip
    facts = RunFacts([], "finished", 1, 1, 0, previous, field_coverage=reports(20, 0).shares())
    verdict = judge_run(facts)
    assert verdict.status == "failed"
    assert verdict.problems == ["Report.date filled in 0% of 20 items, 100% of 20 in run 7"]


def test_a_back_fill_is_not_judged_by_a_nightly_runs_shares_nor_a_nightly_by_a_back_fills():
    """A --decisions-since run also reads the older decisions a council's search finds, which no listing names:
    its shares are another population's (the chaos suite's back-fill reference failed on listed_as, 76% vs 100%)."""
    nightly = {"id": 7, "authorities": 1, "figures": 1, "options": json.dumps({"--decisions-since": None}),
               "summary": json.dumps({"field_coverage": reports(20, 20).shares()})}  # fmt: skip
    back_fill = {"--decisions-since": "2013-04-01"}
    fewer = reports(20, 0).shares()
    assert judge_run(RunFacts([], "finished", 1, 1, 0, nightly, field_coverage=fewer, options=back_fill)).status == "ok"
    earlier_back_fill = nightly | {"options": json.dumps(back_fill)}
    assert judge_run(RunFacts([], "finished", 1, 1, 0, earlier_back_fill, field_coverage=fewer,
                              options=back_fill)).problems == ["Report.date filled in 0% of 20 items, 100% of 20 in run 7"]
    # Runs recorded before options were: no options is a nightly's.
    assert judge_run(RunFacts([], "finished", 1, 1, 0, nightly | {"options": None}, field_coverage=fewer)).status == "failed"


def crawl(base_url: str, db, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", base_url, "--db", str(db), "--full", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_crawl_that_reads_report_dates_no_more_fails_naming_the_field(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    scope = ("--authority", "salford-city-council")  # 12 reports
    first = crawl(replica().base_url, db, *scope)
    assert first.returncode == 0, first.stdout + first.stderr
    redesigned = crawl(replica(faults=[PREFIX + "reports"]).base_url, db, *scope)
    assert redesigned.returncode == 1
    assert "problem: Report.date filled in 0% of 12 items, 100% of 12 in run 1" in redesigned.stdout
    with contextlib.closing(sqlite3.connect(db)) as conn:
        summaries = [json.loads(s) for (s,) in conn.execute("SELECT summary FROM crawl_runs ORDER BY id")]
    # As the spider yields them: a report's case_ref is the store's to fill, from the decision it links.
    assert summaries[0]["field_coverage"]["Report"] == {
        "items": 12,
        "fields": {"authority_slug": 1.0, "case_ref": 0.0, "date": 1.0, "date_as_printed": 0.0, "source_url": 1.0,
                   "summary": 1.0, "title": 1.0, "url": 1.0},
    }  # fmt: skip
