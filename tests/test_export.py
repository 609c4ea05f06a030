"""`harvester export`: every public table as CSV or JSON, with a Frictionless datapackage.json."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from click.testing import CliRunner

from harvester import schema_docs
from harvester.cli import cli
from harvester.export import PRIVATE_TABLES, export, public_tables
from tests.test_serve import small_harvest  # noqa: F401  (the shared crawled-harvest fixture)


def table_rows(db_path, table: str) -> list[dict]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(f"SELECT * FROM [{table}]")]
    finally:
        conn.close()


def test_public_tables_leave_out_the_crawlers_own_records():
    tables = public_tables()
    assert "authorities" in tables and "letters" in tables and "changes" in tables
    assert not set(PRIVATE_TABLES) & set(tables)


def test_csv_export_writes_every_public_table_and_describes_it(small_harvest, tmp_path):  # noqa: F811
    result = CliRunner().invoke(
        cli, ["export", "--db", str(small_harvest), "--format", "csv", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{table}.csv" for table in public_tables()] + ["datapackage.json"]
    )
    package = json.loads((tmp_path / "datapackage.json").read_text())
    described = schema_docs.describe()
    assert [resource["name"] for resource in package["resources"]] == public_tables()
    for resource in package["resources"]:
        description, columns = described[resource["name"]]
        assert resource["path"] == f"{resource['name']}.csv" and resource["mediatype"] == "text/csv"
        assert resource["description"] == description
        assert [(f["name"], f["description"]) for f in resource["schema"]["fields"]] == [
            (name, doc) for name, _, doc in columns
        ]
        with (tmp_path / resource["path"]).open(newline="", encoding="utf-8") as exported:
            reader = csv.DictReader(exported)
            assert reader.fieldnames == [name for name, _, _ in columns]
            assert sum(1 for _ in reader) == len(table_rows(small_harvest, resource["name"]))
    statistics = next(r for r in package["resources"] if r["name"] == "annual_statistics")["schema"]
    assert statistics["primaryKey"] == ["authority_slug", "year", "source"]
    assert {
        "fields": ["authority_slug"],
        "reference": {"resource": "authorities", "fields": ["slug"]},
    } in statistics["foreignKeys"]
    types = {f["name"]: f["type"] for f in statistics["fields"]}
    assert (types["upheld_pct"], types["investigations"], types["year"]) == ("number", "integer", "string")
    assert "mySociety" in package["description"]


def read_json_table(path) -> list[dict]:
    header, *rows = json.loads(path.read_text(encoding="utf-8"))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_json_export_round_trips_the_values(small_harvest, tmp_path):  # noqa: F811
    export(small_harvest, tmp_path, "json")
    authorities = read_json_table(tmp_path / "authorities.json")
    assert authorities == table_rows(small_harvest, "authorities")
    luton = next(row for row in authorities if row["slug"] == "luton-borough-council")
    assert (luton["kind"], luton["region"]) == ("Unitary", "East of England")
    letters = read_json_table(tmp_path / "letters.json")
    assert letters == table_rows(small_harvest, "letters")
    package = json.loads((tmp_path / "datapackage.json").read_text())
    assert {r["format"] for r in package["resources"]} == {"json"}


def test_export_refuses_a_missing_database_and_an_unknown_format(tmp_path, small_harvest):  # noqa: F811
    with pytest.raises(FileNotFoundError, match="no such database"):
        export(tmp_path / "absent.db", tmp_path, "csv")
    with pytest.raises(ValueError, match="format 'xml'"):
        export(small_harvest, tmp_path, "xml")
