"""Datasette plugin: a search's full-text match is made once, not once per query of its page.

A search page runs five to six queries with the same `+rowid in (select rowid from letters_fts where letters_fts
match escape_fts(:search))` (plugins/speed.py): its rows, its count, each facet. Each makes the match again and
builds a table of the matched rowids to look rows up in: ~0.8 ms of a 1.0-1.3 ms count or facet of "council" in
the letters. Here the rowids a match finds are written once into a temporary table (`temp.matched_<n>`, keyed by
rowid, which SQLite reads as the IN list without building one) and each query reads them from it; the rows, counts
and facets are the same rows, as the match is the same statement with the same parameters.

A temporary table lives on one connection, so this works only where a database has one read connection:
`harvester serve` and a `harvester publish` copy's settings run SQL on the event loop's thread (num_sql_threads 0);
under a thread pool (any other `datasette`) every query runs as written. The tables are dropped as soon as SQLite's `PRAGMA data_version` says another
connection has committed (a crawl writing the file served), and beyond the KEPT most recent searches. A match that
fails or is stopped by the time limit is not kept: the query runs as written, and fails as Datasette's would.
The SQL interface can read these tables (`select * from temp.matched_1`): rowids a recent search matched, not its
words; the database page leaves `temp` out of the databases it lists as attached.
Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

import functools
import itertools
import re
import sqlite3
from collections import OrderedDict

from datasette import hookimpl
from datasette.utils import sqlite_timelimit

MATCHED = re.compile(
    r"\+rowid in \((?P<match>select rowid from \[?\w+\]? where \[?\w+\]? match "
    r"(?:escape_fts\(:(?P<escaped>\w+)\)|:(?P<raw>\w+)))\)"
)
"""plugins/speed.py's form of the clause Datasette's search filter writes for `?_search=` and `?_search_<column>=`."""
KEPT = 16
"""Searches whose matched rowids are kept: a page's queries and the next few pages of the same searches."""


@hookimpl
def startup(datasette):
    for db in datasette.databases.values():
        if not getattr(db.execute, "matches_once", False):
            db.execute = matching_once(db)
            db.attached_databases = without_temp(db.attached_databases)


def matching_once(db):
    """DB's execute, with each search's matched rowids read from a temporary table made by its first query."""
    execute = db.execute
    tables: OrderedDict[tuple, str] = OrderedDict()
    names = (f"matched_{n}" for n in itertools.count(1))
    seen_version: list = [None]

    def drop(conn, name: str) -> None:
        conn.execute(f"drop table if exists temp.{name}")

    def matched_table(conn, key: tuple, match: str, params: dict) -> str | None:
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != seen_version[0]:
            while tables:
                drop(conn, tables.popitem()[1])
            seen_version[0] = version
        if key in tables:
            tables.move_to_end(key)
            return tables[key]
        name = next(names)
        conn.execute(f"create temp table {name} (rowid integer primary key)")
        try:
            with sqlite_timelimit(conn, db.ds.sql_time_limit_ms):
                conn.execute(f"insert into temp.{name} {match}", params)
            conn.commit()
        except sqlite3.DatabaseError:
            conn.rollback()
            drop(conn, name)
            return None
        tables[key] = name
        if len(tables) > KEPT:
            drop(conn, tables.popitem(last=False)[1])
        return name

    @functools.wraps(execute)
    async def execute_matching_once(sql, params=None, *args, **kwargs):
        searches = list(MATCHED.finditer(sql)) if db.ds.executor is None and isinstance(params, dict) else []
        for search in reversed(searches):
            parameter = search["escaped"] or search["raw"]
            if parameter not in params:
                continue
            key = (search["match"], params[parameter])
            name = await db.execute_fn(
                lambda conn, key=key, search=search, parameter=parameter: matched_table(
                    conn, key, search["match"], {parameter: params[parameter]}
                )
            )
            if name is not None:
                sql = f"{sql[: search.start()]}+rowid in (select rowid from temp.{name}){sql[search.end():]}"
        return await execute(sql, params, *args, **kwargs)

    execute_matching_once.matches_once = True
    return execute_matching_once


def without_temp(attached_databases):
    """The database page lists the databases attached to the connection: SQLite lists `temp` once it holds a table,
    and only these tables are ever there (the SQL interface runs SELECT only)."""

    @functools.wraps(attached_databases)
    async def attached_but_temp():
        return [attached for attached in await attached_databases() if attached.name != "temp"]

    return attached_but_temp
