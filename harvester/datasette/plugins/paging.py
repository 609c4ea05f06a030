"""Datasette plugin: a sorted table's first page orders its ties as the next pages do, so paging reaches every row once.

Datasette 0.65 orders a table's first page by its sort column alone (`order by year desc limit 101`) and every later
page (`?_next=`) by the sort column then the primary key (`order by year desc, authority_slug, year` for the letters,
keyed by council and year), starting after the last row shown. On the first page, rows sharing the sort value come
in whatever order SQLite reads them (the index on year read backwards: the newest year's letters last stored
first), so the next page repeats some of the tied rows and skips others: following `next` 100 rows at a time
through a full harvest reached 4,089 of its 4,101 letters and 4,356 of its 4,463 statistics rows, and a CSV export
pages the same way.

Datasette has no hook for a table page's ORDER BY, so the page's query is rewritten as it is run: its table's
filters (filters_from_request, called for every table page, its CSV export's chunks included) mark the page,
and the database's execute adds the primary key (rowid for a rowid table) after the sort column of that page's
first query, as the next pages have it. Nothing else is rewritten: a canned query, the SQL page, a facet, a count
or a view's page (paged by offset) run as written. The shape matched is Datasette 0.65's (tests/test_paging.py
fails loudly if it changes). The SQL the page shows ("View and edit SQL") is Datasette's, without the tie-break.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

import contextvars
import functools
import re

from datasette import hookimpl
from datasette.utils import escape_sqlite

SORTED_FIRST_PAGE = re.compile(r"(?P<order> order by (?P<sort>\[[^\]]*\]|\w+)(?: desc)?) limit \d+$")
"""The end of a table page's query as Datasette 0.65 writes it for a first page sorted by one column: no tie-break
after the sort column, no offset (a view's later pages)."""

PAGE_END = re.compile(r" limit \d+(?: offset \d+)?$")

TABLE_PAGE: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "table_page", default=None
)
"""(database, table) of the table page the current request is building, until its page query runs: set in the
request's task, so a query run for any other page, or by another request, is never taken for it."""


@hookimpl
def filters_from_request(request, database, table, datasette):
    """No filter: marks the page as a table page of DATABASE's TABLE, and makes its database break sort ties."""
    db = datasette.get_database(database)
    if not getattr(db.execute, "breaks_sort_ties", False):
        db.execute = sort_ties_broken(db)
    TABLE_PAGE.set((database, table))


def sort_ties_broken(db):
    """DB's execute, with the first query of a sorted table page ordered by its primary key after its sort column."""
    execute = db.execute

    @functools.wraps(execute)
    async def execute_with_ties_broken(sql, *args, **kwargs):
        page = TABLE_PAGE.get()
        if page is not None and page[0] == db.name and is_page_query(sql, page[1]):
            # Once: a client calling Datasette in-process (datasette.client) shares its task, so the mark would
            # otherwise outlive the page into the caller's next request.
            TABLE_PAGE.set(None)
            sql = await with_ties_broken(db, page[1], sql)
        return await execute(sql, *args, **kwargs)

    execute_with_ties_broken.breaks_sort_ties = True
    return execute_with_ties_broken


def is_page_query(sql: str, table: str) -> bool:
    """Whether SQL is the query of a page of TABLE's rows, as Datasette 0.65 writes it: not a count or a facet."""
    return (
        sql.startswith("select ") and f" from {escape_sqlite(table)} " in sql and bool(PAGE_END.search(sql))
    )


async def with_ties_broken(db, table: str, sql: str) -> str:
    """SQL, a page query of TABLE, with TABLE's primary key after its sort column if it is a first page sorted by one."""
    first_page = SORTED_FIRST_PAGE.search(sql)
    if not first_page:
        return sql
    if not await db.table_exists(table):  # a view: paged by offset, and it has no rowid
        return sql
    primary_key = ", ".join(escape_sqlite(pk) for pk in await db.primary_keys(table)) or "rowid"
    if first_page["sort"] == primary_key:
        return sql
    order_end = first_page.end("order")
    return f"{sql[:order_end]}, {primary_key}{sql[order_end:]}"
