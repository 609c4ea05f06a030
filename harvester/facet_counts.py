"""annual_data's facet counts, kept beside it: how many values each data file has per (year, measure, concept).

The annual_data page facets 349,662 values by year, measure and concept and counts them, ~180 ms of SQL a page.
The counts of every file's values per (year, measure, concept), ~270 rows, answer the same questions for the whole
table or a filter on those columns (plugins/facet_counts.py rewrites the page's count and facet queries to read
them). The store counts a data file's values again in the transaction that saves it, as it refreshes the other
tables made from a file's values (harvester.derived_tables); a write to
annual_data that moves a value to another file or facet, or deletes it, by any other path, drops its file's counts
(the triggers below), and the plugin answers from the counts only while they add up to the table's row count, so a
count left stale by such a write is never shown: the page falls back to Datasette's own SQL.

Row triggers on INSERT were measured and not used: any trigger on annual_data makes each of a full crawl's 349,662
inserts keep a statement journal, 3.8 → 10.8-12.2 s of CPU for the inserts even with a trigger that does nothing.
"""

from __future__ import annotations


def kept_counts(table: str, columns: dict[str, str]) -> tuple[str, str]:
    """The schema of TABLE, annual_data's values counted per data file and COLUMNS (name -> SQL type), with the
    triggers that drop a file's counts when a write the store did not count moves its values; and the query of its
    rows, from annual_data as it stands (gone values included: the table shows them), by which the store makes a
    file's counts again with the other tables derived from its values (harvester.derived_tables)."""
    definitions = "".join(f"    {name} {sql_type},\n" for name, sql_type in columns.items())
    names = ", ".join(columns)
    schema = f"""
CREATE TABLE {table} (
    source_file TEXT NOT NULL,
{definitions}    row_count INTEGER NOT NULL
);
CREATE INDEX {table}_by_file ON {table}(source_file);
CREATE TRIGGER {table}_moved AFTER UPDATE OF source_file, {names} ON annual_data
BEGIN
    DELETE FROM {table} WHERE source_file IN (old.source_file, new.source_file);
END;
CREATE TRIGGER {table}_deleted AFTER DELETE ON annual_data
BEGIN
    DELETE FROM {table} WHERE source_file = old.source_file;
END;
"""
    query = f"""SELECT source_file, {names}, count(*) AS row_count FROM annual_data
GROUP BY source_file, {names}"""
    return schema, query


TABLE = "annual_data_facets"
SCHEMA, QUERY = kept_counts(TABLE, {"year": "TEXT NOT NULL", "measure": "TEXT NOT NULL", "concept": "TEXT"})
"""The counts of the annual_data page's facets (migration m017)."""

RUNS_TABLE = "annual_data_runs"
RUNS_SCHEMA, RUNS_QUERY = kept_counts(
    RUNS_TABLE,
    {"first_seen_run": "INTEGER NOT NULL", "last_changed_run": "INTEGER NOT NULL", "gone_run": "INTEGER"},
)
"""The counts of a crawl run's page (migration m019): Datasette counts the values a run first saw, last changed
and found gone (`select count(*) from annual_data where first_seen_run = :id`, 12 ms of SQL each on a full
harvest: the run's index entries, one by one), which plugins/facet_counts.py sums from these ~30 rows instead."""
