"""A query can't escape Datasette's time limit by building one huge value in a single SQLite step."""

from __future__ import annotations

import asyncio

import pytest
from datasette.app import Datasette

from harvester import store
from harvester.serve import DATABASE_NAME, datasette_for, publish

# The refusal is an exception raised in the printf wrapper, which sqlite3 also reports as unraisable.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
HUGE = "select length(printf('%.*c', 900000000, 'x')) as n"
LETTER_SIZED = "select length(printf('%.*c', 200000, 'x')) as n"


@pytest.fixture(scope="module")
def harvest(tmp_path_factory):
    path = tmp_path_factory.mktemp("limits") / "lgsco.db"
    store.open_db(path).close()
    return path


def run_sql(datasette: Datasette, sql: str):
    return asyncio.run(datasette.client.get(f"/{DATABASE_NAME}.json", params={"sql": sql, "_shape": "array"}))


def assert_huge_values_refused_at_once(datasette: Datasette):
    refused = run_sql(datasette, HUGE)
    # Refused by the capped printf before building the value, not stopped by the time limit (which can't
    # interrupt the one SQLite step that builds it): what the error says, not how long it took.
    assert refused.status_code == 400
    assert refused.json()["error"] == "user-defined function raised exception"
    allowed = run_sql(datasette, LETTER_SIZED)  # ten times a long letter's text
    assert allowed.status_code == 200 and allowed.json() == [{"n": 200000}]


def test_harvester_serve_refuses_a_value_of_hundreds_of_megabytes(harvest):
    assert_huge_values_refused_at_once(datasette_for(harvest))


def test_a_published_copy_under_plain_datasette_refuses_it_too(harvest, tmp_path):
    publish(harvest, tmp_path / "site")
    assert_huge_values_refused_at_once(Datasette(config_dir=tmp_path / "site"))


def test_values_over_the_cap_are_refused_by_sqlite_itself(harvest):
    refused = run_sql(datasette_for(harvest), "select length(zeroblob(900000000)) as n")
    assert refused.status_code == 400 and "too big" in refused.text


def test_printf_still_formats(harvest):
    sql = "select printf('%05.1f%%', 4.25) as a, format('%s-%d', 'x', 7) as b"
    assert run_sql(datasette_for(harvest), sql).json() == [{"a": "004.3%", "b": "x-7"}]


@pytest.mark.parametrize(
    "width",
    ["'2000000000'", "2000000000.0", "' 2000000000'", "'-2000000000'", "cast(2000000000 as text)"],
)
def test_a_printf_width_in_any_form_is_refused_at_once(harvest, width):
    datasette = datasette_for(harvest)
    refused = run_sql(datasette, f"select length(printf('%.*c', {width}, 'x')) as n")
    # Refused by the width guard (the capped printf raises) before any output is built, not by the time
    # limit part-way through, which would say "interrupted".
    assert refused.status_code == 400
    assert refused.json()["error"] == "user-defined function raised exception"


def test_printf_widths_adding_up_past_the_cap_are_refused(harvest):
    half = 5 * 1024 * 1024
    sql = f"select length(printf('%.*c%.*c', {half}, 'x', {half}, 'y')) as n"
    assert run_sql(datasette_for(harvest), sql).status_code == 400


def query_with(datasette: Datasette, sql: str, **params):
    return asyncio.run(
        datasette.client.get(f"/{DATABASE_NAME}.json", params={"sql": sql, "_shape": "array", **params})
    )


def test_a_long_like_pattern_is_refused_at_once_in_the_sql_or_as_a_parameter(harvest):
    datasette = datasette_for(harvest)
    text = "a" * 20_000
    pattern = "%" + "a" * 40_000 + "b"
    as_parameter = query_with(datasette, "select :text like :pattern as hit", text=text, pattern=pattern)
    glob = query_with(
        datasette, "select :text glob :pattern as hit", text=text, pattern=pattern.replace("%", "*")
    )
    # Refused by SQLite's pattern-length limit before matching, not stopped by the time limit part-way.
    assert as_parameter.status_code == 400 and "pattern too complex" in as_parameter.text
    assert glob.status_code == 400 and "pattern too complex" in glob.text
    in_the_sql = query_with(datasette, f"select :text like '{pattern[:5000]}' as hit", text=text)
    assert in_the_sql.status_code == 400
    ordinary = query_with(
        datasette, "select :text like :pattern as hit", text="Luton council", pattern="%council%"
    )
    assert ordinary.json() == [{"hit": 1}]


def test_statements_over_the_sql_length_cap_are_refused(harvest):
    datasette = datasette_for(harvest)
    padded = "select 1 as n" + " " * 30_000
    refused = query_with(datasette, padded)
    assert refused.status_code == 400 and "too large" in refused.text
    assert query_with(datasette, "select 1 as n" + " " * 10_000).json() == [{"n": 1}]
