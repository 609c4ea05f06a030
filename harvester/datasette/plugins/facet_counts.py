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

A crawl run's row page counts the rows of every table that references the run, annual_data's by its three run
columns (`(select count(*) from annual_data where first_seen_run=:id)`: a full crawl's run is all 349,662 values,
~25 ms of SQL for the three); migration m019's annual_data_runs holds how many values each data file has per
(first_seen_run, last_changed_run, gone_run), kept the same way, so those three counts are sums over its ~30 rows,
trusted as the facet counts are.

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
RUNS_TABLE = "annual_data_runs"
COLUMNS = "year|measure|concept"
RUN_COLUMNS = "first_seen_run|last_changed_run|gone_run"

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
RUN_COUNT = re.compile(rf"\(select count\(\*\) from {COUNTED_TABLE} where (?P<column>{RUN_COLUMNS})=:id\)")
"""A row page's count of annual_data's values referencing it by one of its run columns, as Datasette writes it."""


def trusted_sql(counts_table: str) -> str:
    """Whether COUNTS_TABLE's counts add up to annual_data's and the triggers that drop a file's counts exist: a
    counting query as plugins/counts_memo.py knows them, so a later visit does not check again (the database
    unchanged)."""
    triggers = (f"{counts_table}_moved", f"{counts_table}_deleted")
    return f"""
select (select count(*) from {COUNTED_TABLE}) = (select coalesce(sum(row_count), 0) from {counts_table})
    and (select count(*) from sqlite_master where type = 'trigger' and name in {triggers}) = {len(triggers)}
"""


PAGE_TRUST: contextvars.ContextVar[dict | None] = contextvars.ContextVar("facet_counts_trust", default=None)
"""(database name, counts table) -> whether its counts were found trustworthy, for the table page the request is
building: made afresh by each table page's filters_from_request, so a page checks once, and every other query (a
row page's) checks for itself."""


@hookimpl
def startup(datasette):
    """Makes each database answer annual_data's counts and facets from its kept counts where it can."""
    for db in datasette.databases.values():
        if not getattr(db.execute, "answers_from_facet_counts", False):
            db.execute = counted_from_facet_counts(db)


@hookimpl
def filters_from_request(request, database, table, datasette):
    """No filter: a table page checks the counts once."""
    PAGE_TRUST.set({})


def counted_from_facet_counts(db):
    """DB's execute, with annual_data's count and column facets read from annual_data_facets, and a row page's
    counts of its values by run from annual_data_runs, where they can be."""
    execute = db.execute

    @functools.wraps(execute)
    async def execute_from_counts(sql, *args, **kwargs):
        counted = from_counts(sql)
        if counted is not None and await counts_trusted(db, execute, COUNTS_TABLE):
            sql = counted
        elif RUN_COUNT.search(sql) and await counts_trusted(db, execute, RUNS_TABLE):
            sql = RUN_COUNT.sub(
                rf"(select coalesce(sum(row_count), 0) from {RUNS_TABLE} where \g<column>=:id)", sql
            )
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


async def counts_trusted(db, execute, counts_table: str) -> bool:
    trust = PAGE_TRUST.get()
    if trust is not None and (db.name, counts_table) in trust:
        return trust[db.name, counts_table]
    trusted = await db.table_exists(counts_table) and bool(
        (await execute(trusted_sql(counts_table))).first()[0]
    )
    if trust is not None:
        trust[db.name, counts_table] = trusted
    return trusted
