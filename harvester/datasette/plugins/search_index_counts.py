"""Datasette plugin: the database page counts a search index's rows as SQLite reads them, from its content table.

The database page counts every table, each within 5 ms (Datasette 0.65's Database.table_counts), and a mutable
database is counted on every visit. A search index (letters_fts, decisions_fts, ...) is an FTS5 table with external
content: SQLite reads a full scan of it, which `select count(*)` is, from its content table (FTS5's storage scans
`content` by rowid), one row per row of that table, but through the virtual table module one row at a time, with
Datasette's time limit checked at every step. On a full harvest letters_fts takes all of its 5 ms and is shown as
"Many rows", decisions_fts most of them: ~10 ms of the page's ~40 of CPU, for counts a `harvester publish` copy
shows exactly (Datasette counts an immutable copy once, without a limit). Here the index's rows are counted as
`select count(*)` of its content table, the number SQLite's scan of the index gives, within the same limit; every
other table is counted as Datasette counts it, and an immutable database's counts are Datasette's own.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

import re
import sqlite3

from datasette import hookimpl
from datasette.database import QueryInterrupted

EXTERNAL_CONTENT = re.compile(
    r"^create virtual table .* using fts5\s*\(.*[(,\s]content\s*=\s*(?:\"(?P<quoted>[^\"]+)\"|\[(?P<bracketed>[^\]]+)\]"
    r"|'(?P<single>[^']+)'|(?P<bare>\w+))",
    re.IGNORECASE | re.DOTALL,
)
"""An FTS5 table's definition naming its content table (sqlite-utils writes `content="letters"`)."""


@hookimpl
def startup(datasette):
    for db in datasette.databases.values():
        if db.is_mutable and not getattr(db.table_counts, "counts_search_indexes_by_content", False):
            db.table_counts = search_indexes_counted_by_content(db)


def search_indexes_counted_by_content(db):
    """DB's table_counts, with each external-content FTS5 table counted by its content table's count."""

    async def table_counts(limit=10):
        content_tables = await external_content(db)
        counts = {}
        for table in await db.table_names():
            counted = content_tables.get(table, table)
            try:
                results = await db.execute(f"select count(*) from [{counted}]", custom_time_limit=limit)
                counts[table] = results.rows[0][0]
            except (QueryInterrupted, sqlite3.OperationalError, sqlite3.DatabaseError):
                counts[table] = None  # as Datasette's: a count that takes too long or fails is not shown
        return counts

    table_counts.counts_search_indexes_by_content = True
    return table_counts


async def external_content(db) -> dict[str, str]:
    """Each FTS5 table with external content -> its content table, when that is a table of DB."""
    tables = set(await db.table_names())
    virtual = await db.execute("select name, sql from sqlite_master where type = 'table' and rootpage = 0")
    found = {}
    for name, sql in virtual.rows:
        if definition := EXTERNAL_CONTENT.match(sql or ""):
            content = next(group for group in definition.groups() if group is not None)
            if content in tables:
                found[name] = content
    return found
