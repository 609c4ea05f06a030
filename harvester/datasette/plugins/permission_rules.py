"""Datasette plugin: each table's permission rules read from the metadata once, not on every check.

Datasette 0.65.5 finds the `allow` rules of a table (`Datasette._table_permission_allows`) by deep-copying
the whole metadata on every permission check. Every page makes several checks, the index and database pages
one per table and canned query, and this project's metadata describes every column of every table and query,
so those copies were most of the index page's time and a large part of every other page's. The metadata is
read once when the server starts and never changes while it runs, so the rules of a (database, table) are
the same every time: they are kept after the first check.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish`
copy, so it imports nothing from the harvester.
"""

from __future__ import annotations

import functools

from datasette import hookimpl

TABLES_REMEMBERED = 4096
"""Far more than the harvest's tables and queries; a bound all the same, as any name can be asked for."""


@hookimpl
def startup(datasette):
    rules = getattr(datasette, "_table_permission_allows", None)
    if rules is not None and not hasattr(rules, "cache_info"):
        datasette._table_permission_allows = functools.lru_cache(maxsize=TABLES_REMEMBERED)(rules)
