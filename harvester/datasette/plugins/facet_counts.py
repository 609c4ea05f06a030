"""Datasette plugin: the annual_data page counts and facets from annual_data_facets, not from its 349,662 values.

The page's count (`select count(*) from annual_data where ...`) and its facets by year, measure and concept
(`select measure as value, count(*) as count from (select ... from annual_data where ...) where measure is not
null group by measure ...`) read every value, or every value a filter picks: ~180 ms of SQL on the unfiltered
page, `group by measure` and `group by concept` sorting all of them. Migration m017's annual_data_facets holds how
many values each data file has per (year, measure, concept), kept by the store in the transaction of every save
(harvester/facet_counts.py), so the same count and facets are sums over its ~270 rows, when the page is the whole
table or filtered by nothing but equalities on those three columns (`?year=`, `?measure=`, `?concept=`, as a facet's
link gives). Any other query, filter, search, `_where`, or next page's clause runs as Datasette wrote it.

The counts answer only while they can be trusted: the table and the triggers that drop a file's counts on a write
the store did not count (harvester/facet_counts.py) exist, and the counts add up to annual_data's row count; checked
once a page. A harvest made before m017, or one written by another path, is counted by Datasette's SQL as before.

As plugins/paging.py, the queries are rewritten as the database runs them (Datasette has no hook for a facet's or
a count's SQL); the shapes matched are Datasette 0.65's (tests/test_annual_data_facets.py fails if they change).
Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

import contextvars
import functools
import re

from datasette import hookimpl

COUNTED_TABLE = "annual_data"
COUNTS_TABLE = "annual_data_facets"
TRIGGERS = ("annual_data_facets_moved", "annual_data_facets_deleted")
COLUMNS = "year|measure|concept"

FILTER = rf'"(?:{COLUMNS})" = :p\d+'
WHERE = rf"(?:where {FILTER}(?: and {FILTER})* )?"
"""The WHERE clause of a table page filtered by nothing but equalities on the counted columns, as Datasette writes
it (`where "measure" = :p0 and "year" = :p1 `), or none."""
COUNT_QUERY = re.compile(rf"select count\(\*\) from {COUNTED_TABLE} (?P<where>{WHERE})$")
FACET_QUERY = re.compile(
    rf"\s*select (?P<column>{COLUMNS}) as value, count\(\*\) as count from \(\s*"
    rf"select [^()]* from {COUNTED_TABLE} (?P<where>{WHERE})\s*\)\s*"
    r"where (?P=column) is not null\s*"
    r"group by (?P=column) order by count desc, value limit (?P<limit>\d+)\s*$"
)
TRUSTED = f"""
select (select coalesce(sum(row_count), 0) from {COUNTS_TABLE}) = (select count(*) from {COUNTED_TABLE})
    and (select count(*) from sqlite_master where type = 'trigger' and name in {TRIGGERS}) = {len(TRIGGERS)}
"""

PAGE_TRUST: contextvars.ContextVar[dict | None] = contextvars.ContextVar("facet_counts_trust", default=None)
"""Database name -> whether its counts were found trustworthy, for the table page the request is building: made
afresh by each table page's filters_from_request, so a page checks once, and every other query checks for itself."""


@hookimpl
def filters_from_request(request, database, table, datasette):
    """No filter: makes DATABASE answer annual_data's count and facets from its counts, checked once this page."""
    db = datasette.get_database(database)
    if not getattr(db.execute, "answers_from_facet_counts", False):
        db.execute = counted_from_facet_counts(db)
    PAGE_TRUST.set({})


def counted_from_facet_counts(db):
    """DB's execute, with annual_data's count and column facets read from annual_data_facets where they can be."""
    execute = db.execute

    @functools.wraps(execute)
    async def execute_from_counts(sql, *args, **kwargs):
        counted = from_counts(sql)
        if counted is not None and await counts_trusted(db, execute):
            sql = counted
        return await execute(sql, *args, **kwargs)

    execute_from_counts.answers_from_facet_counts = True
    return execute_from_counts


def from_counts(sql: str) -> str | None:
    """SQL, a count or a facet of annual_data by one of the counted columns, as a query of the counts; else None."""
    if count := COUNT_QUERY.match(sql):
        return f"select coalesce(sum(row_count), 0) from {COUNTS_TABLE} {count['where']}"
    if facet := FACET_QUERY.match(sql):
        column, where = facet["column"], facet["where"]
        return (
            f"select {column} as value, sum(row_count) as count from {COUNTS_TABLE} "
            f"{where + 'and' if where else 'where'} {column} is not null "
            f"group by {column} order by count desc, value limit {facet['limit']}"
        )
    return None


async def counts_trusted(db, execute) -> bool:
    trust = PAGE_TRUST.get()
    if trust is not None and db.name in trust:
        return trust[db.name]
    trusted = await db.table_exists(COUNTS_TABLE) and bool((await execute(TRUSTED)).first()[0])
    if trust is not None:
        trust[db.name] = trusted
    return trusted
