"""Datasette plugin: a page's counts and facets are counted once while the database is unchanged.

Every page of a search counts the same matched rows again: its count and each facet (a search for "council" in the
letters: 5.5 ms of SQL a page, 9.5 in the decisions), and each next page of it the same. A `crawl_runs` row page
counts the run's rows in every table that references it (35 ms for a full crawl's run), the database page every
table (12-25 ms: Datasette checks its 5 ms limit after every SQLite step). Their answers change only when the
database does, so each such query's result is kept, keyed by its SQL and parameters, for as long as SQLite's
`PRAGMA data_version` on the connection that ran it says no other connection has committed since (a crawl writing
the file served, a Datasette write): the first change empties the memo. A query stopped by the time limit or by an
error is not kept, and runs again next time.

Only a single read connection has a data_version to trust: `harvester serve` and a `harvester publish` copy's
settings run SQL on the event loop's thread (num_sql_threads 0), one connection per database. Under a thread pool
(any other `datasette`), an immutable database is kept for good, as Datasette keeps its table counts, and a mutable
one is not kept.
Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict

from datasette import hookimpl

COUNTED = re.compile(
    r"\s*(?:select count\(\*\) from "  # a table's or a page's count
    r"|select \(select count\(\*\) from "  # a row page's counts of the rows referencing it
    r"|select \S+ as value, count\(\*\) as count from \()"  # a column facet
)
"""The start of the counting queries Datasette 0.65 writes for table, row and database pages."""
MAX_KEPT = 2000
"""Answers kept per database, the least recently used dropped first: a count is one row, a facet 30 at most."""


@hookimpl
def startup(datasette):
    for db in datasette.databases.values():
        if not getattr(db.execute, "keeps_counts", False):
            db.execute = counted_once(db)


def counted_once(db):
    """DB's execute, with the answers of counting queries kept while the database is unchanged."""
    execute = db.execute
    kept: OrderedDict = OrderedDict()
    seen_version: list = [None]

    @functools.wraps(execute)
    async def execute_keeping_counts(sql, params=None, *args, **kwargs):
        if not COUNTED.match(sql):
            return await execute(sql, params, *args, **kwargs)
        version = await data_version(db)
        if version is None:
            return await execute(sql, params, *args, **kwargs)
        if version != seen_version[0]:
            kept.clear()
            seen_version[0] = version
        key = (sql, tuple(sorted((params or {}).items())) if isinstance(params, dict) else tuple(params or ()))
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
        results = await execute(sql, params, *args, **kwargs)
        kept[key] = results
        if len(kept) > MAX_KEPT:
            kept.popitem(last=False)
        return results

    execute_keeping_counts.keeps_counts = True
    return execute_keeping_counts


async def data_version(db):
    """What tells DB's answers still hold: SQLite's data_version on its one read connection, a constant for an
    immutable database; None when there is no such thing to trust (a mutable database read by a thread pool)."""
    if not db.is_mutable:
        return "immutable"
    if db.ds.executor is not None:
        return None
    return await db.execute_fn(lambda conn: conn.execute("PRAGMA data_version").fetchone()[0])
