"""Datasette plugin: a table or view page whose rows all fit on it is counted from its rows, not counted again.

Datasette 0.65 runs a page's rows (`select ... from coverage where ... order by ... limit 101`) and then its count
(`select count(*) from coverage where ...`), the same FROM and WHERE with the same parameters. When the rows query
returned fewer rows than its limit, and Datasette did not cut it short (max_returned_rows), those are all the rows
the filter picks, so their number is the count: the count query is answered with it instead of running again. The
coverage view (72 rows, ~19 ms of SQL each time it is read on a full harvest) is read once a page instead of twice;
any page of a small table or a narrow filter saves its count the same way. A page with more rows than it shows, a
later page (an offset, a `_next` clause), or any other query runs as Datasette wrote it.

The rows and the count are two reads either way: Datasette's own are not one snapshot of the database, and these
are not either. The shapes matched are Datasette 0.65's (tests/test_first_visits.py fails if they change).
Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

import contextvars
import functools
import re

from datasette import hookimpl
from datasette.database import Results

COUNT_PREFIX = "select count(*) "
ROWS_TAIL = re.compile(r"(?:order by .*)? limit \d+")
"""What follows the FROM and WHERE of a page's rows query (`from coverage ` + ` limit 101`, `from letters where ... `
+ `order by year desc limit 101`): its order, then its limit, no offset."""
LIMIT = re.compile(r" limit (\d+)$")

PAGE_ROWS: contextvars.ContextVar[tuple[str, str, dict, Results] | None] = contextvars.ContextVar(
    "page_rows", default=None
)
"""The database, SQL, parameters and rows of the query the current request ran last, when it held all the rows it could have:
for the request's next query only (Datasette counts a table page right after its rows), and cleared by each table
page's filters_from_request (a client calling Datasette in-process shares its task)."""


@hookimpl
def filters_from_request(request, database, table, datasette):
    """No filter: makes DATABASE count a page whose rows all fit from its rows."""
    db = datasette.get_database(database)
    if not getattr(db.execute, "counts_from_rows", False):
        db.execute = counted_from_rows(db)
    PAGE_ROWS.set(None)


def counted_from_rows(db):
    """DB's execute, answering a page's count from its rows when they were all of them."""
    execute = db.execute

    @functools.wraps(execute)
    async def execute_counting_from_rows(sql, params=None, *args, **kwargs):
        rows = PAGE_ROWS.get()
        PAGE_ROWS.set(None)  # kept for the very next query: Datasette counts the page right after its rows
        if rows is not None and sql.startswith(COUNT_PREFIX) and counted(db.name, sql, params, rows):
            return Results([(len(rows[3].rows),)], False, [("count(*)",)])
        results = await execute(sql, params, *args, **kwargs)
        limit = LIMIT.search(sql) if sql.startswith("select ") else None
        if limit and not results.truncated and len(results.rows) < int(limit[1]):
            PAGE_ROWS.set((db.name, sql, dict(params or {}), results))
        return results

    execute_counting_from_rows.counts_from_rows = True
    return execute_counting_from_rows


def counted(database: str, count_sql: str, params, rows: tuple[str, str, dict, Results]) -> bool:
    """Whether COUNT_SQL with PARAMS on DATABASE counts exactly the rows ROWS' query returned: the same database,
    FROM and WHERE, the same parameters, and the rows query nothing after them but its order and limit."""
    rows_database, rows_sql, rows_params, _ = rows
    from_where = count_sql[len(COUNT_PREFIX) :]
    if (database, dict(params or {})) != (rows_database, rows_params) or not from_where.startswith("from "):
        return False
    start = rows_sql.find(f" {from_where}")
    return start > len("select") and bool(ROWS_TAIL.fullmatch(rows_sql[start + 1 + len(from_where) :]))
