"""Every export passes `frictionless validate`, the maintained Frictionless validator, empty tables included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harvester import schema_docs, store
from harvester.export import export, public_tables
from tests.test_serve import small_harvest  # noqa: F401  (the shared crawled-harvest fixture)

FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def frictionless_validate(package: Path) -> dict:
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(package)], capture_output=True, text=True, timeout=300
    )
    return json.loads(result.stdout)


def assert_valid_and_complete(report: dict) -> None:
    """Valid, and every public table read back with the columns the schema documents."""
    assert failures(report) == [] and report["valid"]
    described = schema_docs.describe()
    assert {task["name"]: task["labels"] for task in report["tasks"]} == {
        table: [name for name, _, _ in described[table][1]] for table in public_tables()
    }


def failures(report: dict) -> list:
    return [
        (task["name"], error["type"], error.get("note") or error["message"])
        for task in report["tasks"]
        for error in task["errors"]
    ]


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_an_export_of_a_harvest_is_a_valid_data_package(small_harvest, tmp_path, file_format):  # noqa: F811
    report = frictionless_validate(export(small_harvest, tmp_path, file_format))
    assert_valid_and_complete(report)
    rows = {task["name"]: task["stats"].get("rows") for task in report["tasks"]}  # no count: no rows
    assert rows["authorities"] == 4 and rows["annual_statistics"] > 4


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_an_export_of_empty_tables_is_a_valid_data_package(tmp_path, file_format):
    db_path = tmp_path / "empty.db"
    store.open_db(db_path).close()
    report = frictionless_validate(export(db_path, tmp_path / "export", file_format))
    assert_valid_and_complete(report)
    assert [task["stats"].get("rows") for task in report["tasks"]] == [None] * len(public_tables())
