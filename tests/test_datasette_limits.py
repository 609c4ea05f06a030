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
