"""Each canned query's columns are described from where their values really come from, as SQLite says."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util

import pytest
import sqlite_utils

from harvester import migrations, schema_docs
from harvester.serve import DATABASE_NAME, metadata

SQLITE = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
for _name in ("sqlite3_column_name", "sqlite3_column_table_name", "sqlite3_column_origin_name", "sqlite3_errmsg"):
    getattr(SQLITE, _name).restype = ctypes.c_char_p
SQLITE.sqlite3_column_count.argtypes = [ctypes.c_void_p]
for _name in ("sqlite3_column_name", "sqlite3_column_table_name", "sqlite3_column_origin_name"):
    getattr(SQLITE, _name).argtypes = [ctypes.c_void_p, ctypes.c_int]


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """A connection of the system's SQLite library to an empty harvest, for its column metadata API."""
    path = tmp_path_factory.mktemp("schema") / "empty.db"
    with contextlib.closing(sqlite_utils.Database(path)) as db:
        migrations.migrate(db)
    handle = ctypes.c_void_p()
    assert SQLITE.sqlite3_open_v2(str(path).encode(), ctypes.byref(handle), 1, None) == 0  # read-only
    yield handle
    SQLITE.sqlite3_close(handle)


def real_sources(handle, sql: str) -> dict[str, tuple[str, str] | None]:
    """column -> the (table, column) SQLite says its values come from; None for a computed value."""
    statement = ctypes.c_void_p()
    # The plugins' functions are not in this connection: stand-ins that compute a value the same way.
    sql = sql.replace("fts_words(", "(").replace("row_path(", "coalesce(")
    assert SQLITE.sqlite3_prepare_v2(handle, sql.encode(), -1, ctypes.byref(statement), None) == 0, (
        SQLITE.sqlite3_errmsg(handle)
    )
    try:
        sources = {}
        for i in range(SQLITE.sqlite3_column_count(statement)):
            table = SQLITE.sqlite3_column_table_name(statement, i)
            origin = SQLITE.sqlite3_column_origin_name(statement, i)
            name = SQLITE.sqlite3_column_name(statement, i).decode()
            sources[name] = (table.decode(), origin.decode()) if table else None
        return sources
    finally:
        SQLITE.sqlite3_finalize(statement)


def test_every_query_column_is_described_from_its_real_source(schema):
    queries = metadata()["databases"][DATABASE_NAME]["queries"]
    sources = schema_docs.query_column_sources({name: query["sql"] for name, query in queries.items()})
    table_docs = {table: {name: doc for name, _, doc in columns} for table, (_, columns) in schema_docs.describe().items()}
    every_table_doc = {doc for docs in table_docs.values() for doc in docs.values()}
    for name, query in queries.items():
        for column, real in real_sources(schema, query["sql"]).items():
            described, source = query["columns"][column], sources[name][column]
            if source is None:  # computed by the query: described for it, not borrowed from a table
                assert (name, column) in schema_docs.QUERY_COLUMNS, (name, column)
                assert described not in every_table_doc, (name, column, described)
                continue
            table, origin = source
            assert real_sources(schema, f"select [{origin}] from [{table}]")[origin] == real, (name, column, source)
            assert described.endswith(table_docs[table][origin]), (name, column, described)


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("search_decisions", "passage", "decision's"),
        ("search_decisions", "url", "decision page"),
        ("search_decisions", "outcome", "'Decision :'"),
        ("decisions_about_a_council", "kind", "statement"),
        ("improvement_decisions", "summary", "'Summary:'"),
        ("improvement_decisions", "case_ref", "normalised"),
        ("search_letters", "passage", "letter's"),
        ("decision_count_checks", "page_count", "statistics page's count"),
    ],
)
def test_columns_the_issue_found_borrowed_are_described_for_their_query(query, column, words):
    assert words in metadata()["databases"][DATABASE_NAME]["queries"][query]["columns"][column]
