"""Tables of annual_data's rows added up, kept by the store: annual_data_received, annual_data_decided and
annual_data_remedy, which hold their views' rows, and annual_data_councils, which councils each file names.

The first three were views that added up annual_data's ~350,000 values on every Datasette page that showed them
(once for the rows, again for the count: 200-650 ms of CPU a page on a full harvest). Migration m018 makes each a
table with the same columns and rows, filled by the view's own query (the text m008 made stays the one source of
truth). The store refreshes the rows of a data file in the transaction that saves its values (store.save_data_file,
the one path that writes annual_data), from the same query restricted to that file; a council's values in one file
are one row of each table (the views group by printed name, year and file), so a file's rows are its own.
annual_data_councils is the coverage view's answer to "does a file of this year name this council?"
(harvester.coverage): a probe of ~9,000 rows instead of annual_data's ~350,000.
"""

from __future__ import annotations

import sqlite_utils

from harvester import facet_counts, migrations

ANNUAL_DATA_TABLES = ("annual_data_received", "annual_data_decided", "annual_data_remedy")
KEY = ("printed_name", "year", "source_file")
"""What each view grouped by: a table's primary key, which Datasette orders its page by, as the view was."""


def view_query(script: str, name: str) -> str:
    """The query of the view NAME that SCRIPT creates."""
    statement = next(s for s in migrations.statements(script) if s.startswith(f"CREATE VIEW IF NOT EXISTS {name} AS\n"))
    return statement.split(" AS\n", 1)[1].rstrip(";")


COUNCILS_QUERY = """SELECT DISTINCT authority_slug, year, source_file FROM annual_data
WHERE authority_slug IS NOT NULL AND gone_run IS NULL"""
"""The councils each file names, in each year it gives figures for: annual_data_councils' rows."""
COUNCILS_TABLE = """
CREATE TABLE annual_data_councils (
    authority_slug TEXT NOT NULL,
    year TEXT NOT NULL,
    source_file TEXT NOT NULL,
    PRIMARY KEY (authority_slug, year, source_file)
)"""

QUERIES = {name: view_query(migrations.ANNUAL_DATA_SCHEMA, name) for name in ANNUAL_DATA_TABLES} | {
    "annual_data_councils": COUNCILS_QUERY,
    facet_counts.TABLE: facet_counts.QUERY,
    facet_counts.RUNS_TABLE: facet_counts.RUNS_QUERY,
}
"""Each table's query: the view m008 made of that name, the councils each file names, and annual_data's facet
counts and run counts (migrations m017 and m019, plugins/facet_counts.py)."""


def one_file(query: str) -> str:
    """QUERY's rows of the file :source_file. SQLite pushes the term into the grouped query (it is a column the
    query groups by), so only that file's values are read, through annual_data's key index."""
    return f"SELECT * FROM ({query}) WHERE source_file = :source_file"


def refresh_annual_data_tables(db: sqlite_utils.Database, source_file: str) -> None:
    """Make each table's rows of SOURCE_FILE its query's, in the caller's transaction."""
    for name, query in QUERIES.items():
        db.execute(f"DELETE FROM {name} WHERE source_file = ?", [source_file])
        db.execute(f"INSERT INTO {name} {one_file(query)}", {"source_file": source_file})


def make_annual_data_tables(db: sqlite_utils.Database) -> None:
    """Each view becomes a table of its columns, filled by its query, with the file's rows (refreshed together) and
    a council's years (statistics_discrepancies' join, a council's page) indexed; annual_data_councils is made and
    filled."""
    db.execute(COUNCILS_TABLE)
    db.execute(f"INSERT INTO annual_data_councils {COUNCILS_QUERY}")
    db.execute("CREATE INDEX annual_data_councils_by_file ON annual_data_councils(source_file)")
    for name in ANNUAL_DATA_TABLES:
        query = QUERIES[name]
        columns = [(column, sql_type) for _, column, sql_type, *_ in db.execute(f"PRAGMA table_info({name})")]
        db.execute(f"DROP VIEW {name}")
        definitions = ",\n    ".join(f"{column} {sql_type}".rstrip() for column, sql_type in columns)
        db.execute(f"CREATE TABLE {name} (\n    {definitions},\n    PRIMARY KEY ({', '.join(KEY)})\n)")
        db.execute(f"INSERT INTO {name} {query}")
        db.execute(f"CREATE INDEX {name}_by_file ON {name}(source_file)")
        db.execute(f"CREATE INDEX {name}_by_authority ON {name}(authority_slug, year)")


def discrepancies_from_decided_table(db: sqlite_utils.Database) -> None:
    """statistics_discrepancies compares each statistics page with annual_data_decided, the table now, through its
    index on (authority_slug, year), instead of adding up the pages' decided values on each page (m016, ~35 ms of
    CPU, twice a page): the view m008 made, word for word."""
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'statistics_discrepancies'").fetchone()
    db.execute("DROP VIEW statistics_discrepancies")
    db.execute(
        migrations.replaced_once(sql, f"JOIN ({migrations.PAGES_DECIDED_QUERY}) AS data", "JOIN annual_data_decided AS data")
    )
