"""Values too big to serve: cut at store time, the whole kept in a file beside the database.

Datasette refuses to read any value over its cap (harvester/datasette/plugins/limits.py: SQLite's
SQLITE_LIMIT_LENGTH, which also bounds a whole row as SQLite sorts or copies it), so one stored text over it
makes its table, its row, search, .json and .csv answer 500. No real value comes near (a letter's text is
4-20 KB, a long report's well under 1 MB), but a page the site inflates can. So the store never writes a text
over STORED_VALUE_CAP: it keeps the whole text under its SHA-256 in `oversized/` beside the database,
stores the text cut at the cap with a note saying so, and records it in `oversized_values`. The cap is a
quarter of the served one, so a row holding several such texts, and a `changes` row holding the old and new
value of one, stay servable too.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import sqlite_utils

SERVED_VALUE_CAP = 8 * 1024 * 1024
"""MAX_VALUE_BYTES of the Datasette plugin limits.py (a test keeps them equal): not imported from it, as the store
must not import Datasette."""
STORED_VALUE_CAP = SERVED_VALUE_CAP // 4
FOLDER_NAME = "oversized"


class UnservableValue(ValueError):
    """A value over the cap, and no folder beside the database to keep it whole in."""


def folder_of(db: sqlite_utils.Database) -> Path | None:
    """The `oversized` folder beside the database's file; None for an in-memory database."""
    path = next((file for _, name, file in db.execute("PRAGMA database_list") if name == "main"), "")
    return Path(path).parent / FOLDER_NAME if path else None


def cut_note(size: int, file_name: str) -> str:
    return (
        f"\n\n[Cut at {STORED_VALUE_CAP:,} of its {size:,} bytes so it can be served: the whole text is "
        f"{FOLDER_NAME}/{file_name} beside the database (see oversized_values).]"
    )


def cut(text: str, size: int, file_name: str) -> str:
    """TEXT cut at a character boundary so that, with its note, it takes at most STORED_VALUE_CAP bytes."""
    note = cut_note(size, file_name)
    room = STORED_VALUE_CAP - len(note.encode("utf-8"))
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore") + note


def keep_whole(folder: Path, file_name: str, encoded: bytes) -> None:
    path = folder / file_name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(encoded)
        partial.replace(path)


def fit_rows(
    db: sqlite_utils.Database, table: str, keys: tuple[str, ...], rows: list[dict], run_id: int
) -> list[dict]:
    """ROWS with every text over STORED_VALUE_CAP cut (see the module docstring); each cut recorded in
    `oversized_values`, in the caller's transaction, its whole text already in its file."""
    # Every row's texts measured in one pass first, at C speed: nearly every call has none near the cap (a full
    # crawl's ~350,000 annual data values), and looking into each row for one cost ~0.4 s of the crawl's thread.
    texts = filter(str.__instancecheck__, itertools.chain.from_iterable(map(dict.values, rows)))
    if max(map(len, texts), default=0) * 4 <= STORED_VALUE_CAP:
        return rows
    fitted = []
    for row in rows:
        oversized = {
            column: value
            for column, value in row.items()
            if isinstance(value, str)
            and len(value) * 4 > STORED_VALUE_CAP
            and len(value.encode()) > STORED_VALUE_CAP
        }
        for column, value in oversized.items():
            folder = folder_of(db)
            encoded = value.encode("utf-8")
            if folder is None:
                raise UnservableValue(f"{table}.{column}: {len(encoded):,} bytes, over {STORED_VALUE_CAP:,}")
            sha256 = hashlib.sha256(encoded).hexdigest()
            file_name = f"{sha256}.txt"
            keep_whole(folder, file_name, encoded)
            row = row | {column: cut(value, len(encoded), file_name)}
            db.conn.execute(
                "INSERT INTO oversized_values (table_name, row_key, column_name, bytes, sha256, file, run_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (table_name, row_key, column_name) DO UPDATE SET "
                "bytes = excluded.bytes, sha256 = excluded.sha256, file = excluded.file, run_id = excluded.run_id",
                [table, "/".join(str(row[k]) for k in keys), column, len(encoded), sha256,
                 f"{FOLDER_NAME}/{file_name}", run_id],
            )  # fmt: skip
        fitted.append(row)
    return fitted
