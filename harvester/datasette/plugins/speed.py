"""Datasette plugin: what keeps the harvest's heavy pages (letters and decisions, searched or not) fast.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy,
so it imports nothing from the harvester.
"""

from __future__ import annotations

import collections

from datasette import hookimpl
from datasette.database import QueryInterrupted, Results
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite

PAGE_CACHE_KIB = 64 * 1024
"""SQLite's page cache per connection (default 2 MiB). A search's count and each of its facets read every matched
letter's or decision's row, one page each: 4,101 letters are 16 MiB of pages, so with the default cache every
query of a page read them all again from the operating system (half a search page's SQL time)."""


@hookimpl
def prepare_connection(conn):
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")


class OnePassColumnFacet(ColumnFacet):
    """Datasette's column facets, counted in one pass over a search's matched rows instead of one query a column.

    A search's facet queries each run the full-text match again and read every matched row (a search for
    "council" matches nearly every letter): one query grouping by every faceted column at once reads them once,
    and each column's counts are summed from its groups. Datasette's own code then builds the facets from those
    counts exactly as from its per-column queries. A page without a search keeps Datasette's queries, which
    count each column from its index without reading the rows."""

    async def facet_results(self):
        columns = [config["config"].get("column") or config["config"]["simple"] for config in self.get_configs()]
        if len(columns) < 2 or not any(key.startswith("_search") for key in self.request.args):
            return await super().facet_results()
        grouped = ", ".join(escape_sqlite(column) for column in columns)
        try:
            groups = await self.ds.execute(
                self.database,
                f"select {grouped}, count(*) from ({self.sql}) group by {grouped}",
                self.params,
                truncate=False,
                custom_time_limit=self.ds.setting("facet_time_limit_ms"),
            )
        except QueryInterrupted:
            return await super().facet_results()  # each column on its own, each within the time limit
        limit = self.get_facet_size() + 1
        counted = {}
        for i, column in enumerate(columns):
            counts = collections.Counter()
            for group in groups.rows:
                if group[i] is not None:
                    counts[group[i]] += group[-1]
            ordered = sorted(counts.items(), key=lambda item: (-item[1], sqlite_order(item[0])))[:limit]
            counted[facet_sql(column, self.sql, limit)] = [{"value": v, "count": n} for v, n in ordered]
        real, self.ds = self.ds, CountedFacets(self.ds, counted)
        try:
            return await super().facet_results()
        finally:
            self.ds = real


def facet_sql(column: str, sql: str, limit: int) -> str:
    """The query ColumnFacet.facet_results runs for COLUMN, as it writes it, with its spacing squeezed."""
    return " ".join(
        f"select {escape_sqlite(column)} as value, count(*) as count from ( {sql} ) where {escape_sqlite(column)}"
        f" is not null group by {escape_sqlite(column)} order by count desc, value limit {limit}".split()
    )


def sqlite_order(value) -> tuple:
    """SQLite's order of values of different types: numbers, then text, then blobs."""
    return (0 if isinstance(value, int | float) else 1 if isinstance(value, str) else 2, value)


class CountedFacets:
    """The Datasette a facet sees, answering a facet query already counted from its counts; anything else, and a
    query it does not know, goes to the real one."""

    def __init__(self, datasette, counted: dict[str, list[dict]]):
        self._datasette, self._counted = datasette, counted

    def __getattr__(self, name):
        return getattr(self._datasette, name)

    async def execute(self, database, sql, *args, **kwargs):
        rows = self._counted.get(" ".join(sql.split()))
        if rows is None:
            return await self._datasette.execute(database, sql, *args, **kwargs)
        return Results(rows, False, [("value",), ("count",)])


@hookimpl(hookwrapper=True)
def register_facet_classes():
    registered = yield
    registered.force_result(
        [[OnePassColumnFacet if cls is ColumnFacet else cls for cls in classes] for classes in registered.get_result()]
    )
