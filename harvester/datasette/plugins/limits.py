"""Datasette plugin: a cap on the size of any value a query may build.

Datasette's time limit is checked between SQLite's steps, and one step can run for seconds:
`select length(printf('%.*c', 900000000, 'x'))` builds a 900 MB string in a single call, holding a SQL
thread and the memory meanwhile. SQLITE_LIMIT_LENGTH makes SQLite refuse any value over the cap
("string or blob too big": zeroblob, randomblob, replace, group_concat...). printf alone still loops
to its full width before returning NULL (SQLite 3.40), so printf and its alias format are replaced by a
wrapper that refuses a width or precision over the cap before the built-in runs.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish`
copy, so it imports nothing from the harvester.
"""

from __future__ import annotations

import re
import sqlite3

from datasette import hookimpl

MAX_VALUE_BYTES = 8 * 1024 * 1024
"""Far above any real value (a letter's text is 4-20 KB, the largest value in the database), far below harm."""
NUMBER = re.compile(r"\d+")


class ValueTooBig(ValueError):
    pass


def bounded_printf(helper: sqlite3.Connection):
    """SQLite's printf, run on `helper` (an in-memory connection that still has the built-in), after
    refusing a width or precision, written in the format or passed for a '*', over the cap."""

    def printf(form, *args):
        if form is None:
            return None
        sizes = [int(n) for n in NUMBER.findall(str(form))]
        if "*" in str(form):
            sizes += [abs(a) for a in args if isinstance(a, int)]
        if any(size > MAX_VALUE_BYTES for size in sizes):
            raise ValueTooBig(f"printf width or precision over {MAX_VALUE_BYTES} bytes")
        placeholders = ", ".join("?" * (1 + len(args)))
        return helper.execute(f"SELECT printf({placeholders})", (form, *args)).fetchone()[0]

    return printf


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf(helper), deterministic=True)
