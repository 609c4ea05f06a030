"""Datasette plugin: a table's search reads the table through its indexes, not every matched row.

A search box (`?_search=`) adds `rowid in (select rowid from <table>_fts where <table>_fts match ...)` to every
query of the page: its rows, its count and each of its facets. SQLite answers each by looking up every matched row
in the table: a search for "council", which matches nearly every letter, read all 4,101 letters five times a page,
and sorted them all to show the newest 100. Written `+rowid in (...)`, the rowid is no longer a key to look rows up
by, so SQLite walks the index the query needs (the sort column's for the rows shown, the faceted column's for a facet,
the smallest for the count) and keeps the entries whose rowid the full-text match found: the same rows, read from a
few index pages. The match itself, its words made safe by fts_words (lgsco.py), is Datasette's, untouched.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

import re

from datasette import hookimpl
from datasette.utils import await_me_maybe

MATCHED_ROWIDS = re.compile(r"^rowid in \(select rowid from \[?\w+\]? where \[?\w+\]? match ")
"""The start of the clause Datasette's search filter writes for `?_search=` and `?_search_<column>=`, on a table
whose full-text index is keyed by rowid (fts_pk: rowid, as every searchable table of the harvest is)."""


def searched_through_indexes(where_clauses: list[str]) -> list[str]:
    """WHERE_CLAUSES with each full-text match on rowid written so that it filters index entries (`+rowid`)."""
    return ["+" + clause if MATCHED_ROWIDS.match(clause) else clause for clause in where_clauses]


@hookimpl(hookwrapper=True)
def filters_from_request(request, database, table, datasette):
    """Every filter Datasette and its plugins make from the request, the search's rewritten as it is awaited."""
    made = yield

    def rewritten(filters):
        async def filter_arguments():
            arguments = await await_me_maybe(filters)
            if arguments is not None:
                arguments.where_clauses = searched_through_indexes(arguments.where_clauses)
            return arguments

        return filter_arguments

    made.force_result([rewritten(filters) for filters in made.get_result()])
