"""Datasette plugin: caps on the size of any value a query may build, on its SQL and on its patterns.

Datasette's time limit is checked between SQLite's steps, and one step can run for seconds:
`select length(printf('%.*c', 900000000, 'x'))` builds a 900 MB string in a single call, holding a SQL
thread and the memory meanwhile. SQLITE_LIMIT_LENGTH makes SQLite refuse any value over the cap
("string or blob too big": zeroblob, randomblob, replace, group_concat...). printf alone still loops
to its full width before returning NULL (SQLite 3.40), so printf and its alias format are replaced by a
wrapper that refuses widths and precisions adding up to more than the cap before the built-in runs, in
whatever form a '*' takes them: SQLite reads '2000000000' (text) or 2e9 (real) as 2000000000, so each
argument is read as the built-in reads it.

One LIKE or GLOB is one step too, and its cost grows with the pattern's length times the text's: a
40,000-character pattern over a letter's text ran for minutes. SQLITE_LIMIT_LIKE_PATTERN_LENGTH refuses
a pattern over MAX_LIKE_PATTERN characters ("LIKE or GLOB pattern too complex"), in the SQL or passed as
a parameter, and SQLITE_LIMIT_SQL_LENGTH a statement over MAX_SQL_BYTES.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish`
copy, so it imports nothing from the harvester.
"""

from __future__ import annotations

import re
import sqlite3

from datasette import hookimpl

MAX_VALUE_BYTES = 8 * 1024 * 1024
"""Far above any real value (a letter's text is 4-20 KB, the largest value in the database), far below harm."""
MAX_LIKE_PATTERN = 200
"""Characters: a phrase or a case reference with wildcards is a few dozen. A pattern costs up to its length
times the text's per row, ~2 s against a value at the cap, and the time limit is checked between rows."""
MAX_SQL_BYTES = 20_000
"""Bytes of one statement: the longest canned query or page query is under 2,000."""
NUMBER = re.compile(r"\d+")


class ValueTooBig(ValueError):
    pass


def bounded_printf(helper: sqlite3.Connection):
    """SQLite's printf, run on `helper` (an in-memory connection that still has the built-in), after
    refusing a width or precision, written in the format or passed for a '*', over the cap."""

    def as_printf_reads_it(value) -> int:
        return abs(int(helper.execute("SELECT printf('%d', ?)", (value,)).fetchone()[0]))

    def printf(form, *args):
        if form is None:
            return None
        sizes = [int(n) for n in NUMBER.findall(str(form))]
        if "*" in str(form):
            # Any argument may be the one a '*' takes: each counts as the built-in would read it.
            sizes += [as_printf_reads_it(a) for a in args]
        if sum(sizes) > MAX_VALUE_BYTES:
            raise ValueTooBig(f"printf widths and precisions over {MAX_VALUE_BYTES} bytes")
        placeholders = ", ".join("?" * (1 + len(args)))
        return helper.execute(f"SELECT printf({placeholders})", (form, *args)).fetchone()[0]

    return printf


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf(helper), deterministic=True)
