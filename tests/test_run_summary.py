"""What a person reads after a run or asks of one: counts in words, and how to carry on."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from harvester import store
from harvester.cli import cli, own_command
from harvester.crawl import describe_run


def finished_run(db, authorities: int, scope: str = "all") -> int:
    run_id = store.start_run(db, "http://127.0.0.1:8025", "test", scope)
    db["crawl_runs"].update(
        run_id,
        {"status": "ok", "finished_at": store.now(), "authorities": authorities, "requests": 10,
         "pages_unchanged": 0, "errors": 0, "rows_new": 3, "rows_changed": 0, "rows_gone": 0, "summary": "{}"},
    )  # fmt: skip
    return run_id


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "lgsco.db")
    yield database
    database.close()


def test_one_authority_is_one_authority(db):
    run_id = finished_run(db, 1, json.dumps(["luton-borough-council"]))
    assert f"run {run_id} ok: 1 authority, 10 requests" in describe_run(db, run_id).summary_lines[0]


def test_the_predecessors_a_crawl_added_to_the_councils_asked_for_are_named(db):
    asked = json.dumps(["buckinghamshire-council", "west-northamptonshire-council"])
    line = describe_run(db, finished_run(db, 7, asked)).summary_lines[0]
    assert "7 authorities (2 asked for, 5 predecessors linked from their merger boxes), 10 requests" in line
    assert "(" not in describe_run(db, finished_run(db, 2, asked)).summary_lines[0].split("authorities")[1][:3]


def test_changes_with_nothing_changed_says_so_as_a_sentence(db, tmp_path):
    finished_run(db, 2)
    result = CliRunner().invoke(cli, ["changes", "--db", str(tmp_path / "lgsco.db")])
    assert result.exit_code == 0, result.output
    assert result.output == "No changes\n"


@pytest.mark.parametrize(
    ("argv0", "shown"),
    [
        (".venv/bin/harvester", ".venv/bin/harvester"),
        ("/usr/local/bin/harvester", "harvester"),
        ("/home/me/project/harvester/cli.py", "harvester"),
    ],
)
def test_the_browse_hint_names_the_command_as_it_was_run(monkeypatch, argv0, shown):
    monkeypatch.setattr("sys.argv", [argv0, "demo"])
    assert own_command() == shown
