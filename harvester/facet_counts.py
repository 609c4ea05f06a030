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

TABLE = "annual_data_facets"

SCHEMA = f"""
CREATE TABLE {TABLE} (
    source_file TEXT NOT NULL,
    year TEXT NOT NULL,
    measure TEXT NOT NULL,
    concept TEXT,
    row_count INTEGER NOT NULL
);
CREATE INDEX {TABLE}_by_file ON {TABLE}(source_file);
CREATE TRIGGER {TABLE}_moved AFTER UPDATE OF source_file, year, measure, concept ON annual_data
BEGIN
    DELETE FROM {TABLE} WHERE source_file IN (old.source_file, new.source_file);
END;
CREATE TRIGGER {TABLE}_deleted AFTER DELETE ON annual_data
BEGIN
    DELETE FROM {TABLE} WHERE source_file = old.source_file;
END;
"""
"""The counts, and the triggers that drop a file's counts when a write the store did not count moves its values."""

QUERY = """SELECT source_file, year, measure, concept, count(*) AS row_count FROM annual_data
GROUP BY source_file, year, measure, concept"""
"""The counts' rows, from annual_data as it stands (gone values included: the table shows them); the store makes a
file's again with the other tables derived from its values (harvester.derived_tables)."""
