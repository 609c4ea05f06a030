"""Every public table as CSV or JSON files, described by a Frictionless datapackage.json.

For researchers who load the data elsewhere: one file per table, and a datapackage.json whose
field descriptions, primary keys and foreign keys come from harvester.schema_docs and the schema.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from harvester import schema_docs
from harvester.datasette.plugins.csv_cells import neutralise_row

# How the crawler works, not what the site says: left out of exports and published copies.
PRIVATE_TABLES = ("fetches", "crawl_errors")

FORMATS = {"csv": "text/csv", "json": "application/json"}
FRICTIONLESS_TYPES = {
    "INTEGER": "integer",
    "NUMERIC": "number",
    "REAL": "number",
    "TEXT": "string",
    "": "any",
}

SOURCES = [
    {
        "title": "Local Government and Social Care Ombudsman: Your council's performance",
        "path": "https://www.lgo.org.uk/your-councils-performance",
    },
    {
        "title": "mySociety: UK Local Authority Names and Codes (CC-BY-4.0)",
        "path": "https://github.com/mysociety/uk_local_authority_names_and_codes",
    },
]
ATTRIBUTION = (
    "Figures, letters, reports and service improvements as published by the Local Government and Social "
    "Care Ombudsman (reuse terms: see https://www.lgo.org.uk/copyright; not verified by this project). "
    "Contains data from mySociety's UK Local Authority Names and Codes (CC-BY-4.0)."
)


def public_tables() -> list[str]:
    """Every documented table and view that is not about the crawler's own workings."""
    return [table for table in schema_docs.describe() if table not in PRIVATE_TABLES]


def open_read_only(db_path: Path) -> sqlite3.Connection:
    if not db_path.is_file():
        raise FileNotFoundError(
            f"{db_path}: no such database (run `harvester crawl` or `harvester demo` first)"
        )
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def export(db_path: Path, out_dir: Path, file_format: str) -> Path:
    """Write each public table of DB_PATH to OUT_DIR/<table>.<format> and a datapackage.json; return its path."""
    if file_format not in FORMATS:
        raise ValueError(f"format {file_format!r}: expected one of {', '.join(FORMATS)}")
    tables = public_tables()
    conn = open_read_only(db_path)
    try:
        present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        missing = [table for table in tables if table not in present]
        if missing:
            raise ValueError(f"{db_path}: no {', '.join(missing)}: not a harvester database of this version")
        package = datapackage(conn, tables, file_format)
        out_dir.mkdir(parents=True, exist_ok=True)
        write = write_csv if file_format == "csv" else write_json
        for table in tables:
            write(conn.execute(f"SELECT * FROM [{table}]"), out_dir / f"{table}.{file_format}")
    finally:
        conn.close()
    package_path = out_dir / "datapackage.json"
    package_path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return package_path


def write_csv(cursor: sqlite3.Cursor, path: Path) -> None:
    """The rows, with every text cell a spreadsheet would run as a formula neutralised (see csv_cells)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([column for column, *_ in cursor.description])
        writer.writerows(map(neutralise_row, cursor))


def write_json(cursor: sqlite3.Cursor, path: Path) -> None:
    """A JSON array of rows, each an array, after one of the column names: the tabular JSON Frictionless
    reads even for an empty table (it can't tell an empty array of objects' columns). Written row by row:
    the letters' text alone is many megabytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n" + json.dumps([column for column, *_ in cursor.description], ensure_ascii=False))
        for row in cursor:
            out.write(",\n" + json.dumps(list(row), ensure_ascii=False))
        out.write("\n]\n")


def datapackage(conn: sqlite3.Connection, tables: list[str], file_format: str) -> dict:
    """A Frictionless Data Package describing the exported files."""
    described = schema_docs.describe()
    resources = []
    for table in tables:
        description, columns = described[table]
        info = conn.execute(f"PRAGMA table_info([{table}])").fetchall()
        stored_columns = [row["name"] for row in info]
        if stored_columns != [name for name, _, _ in columns]:
            raise ValueError(
                f"{table}: the database's columns {stored_columns} differ from the documented schema"
            )
        schema = {
            "fields": [
                {"name": name, "type": FRICTIONLESS_TYPES[sql_type], "description": doc}
                for name, sql_type, doc in columns
            ]
        }
        primary_key = [row["name"] for row in sorted(info, key=lambda row: row["pk"]) if row["pk"]]
        if primary_key:
            schema["primaryKey"] = primary_key
        foreign_keys = foreign_keys_of(conn, table, tables)
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        resources.append(
            {
                "name": table,
                "path": f"{table}.{file_format}",
                "profile": "tabular-data-resource",
                "format": file_format,
                "mediatype": FORMATS[file_format],
                "encoding": "utf-8",
                "description": description,
                "schema": schema,
            }
        )
    return {
        "name": "lgsco-council-performance",
        "title": "Council complaints in England, from the Local Government and Social Care Ombudsman",
        "description": ATTRIBUTION,
        "profile": "tabular-data-package",
        "sources": SOURCES,
        "resources": resources,
    }


def foreign_keys_of(conn: sqlite3.Connection, table: str, exported: list[str]) -> list[dict]:
    """The table's foreign keys that point at another exported table, in Frictionless form."""
    grouped: dict[int, dict] = {}
    for row in conn.execute(f"PRAGMA foreign_key_list([{table}])"):
        if row["table"] not in exported:
            continue
        key = grouped.setdefault(
            row["id"], {"fields": [], "reference": {"resource": row["table"], "fields": []}}
        )
        key["fields"].append(row["from"])
        key["reference"]["fields"].append(row["to"])
    return list(grouped.values())
