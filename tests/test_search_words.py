"""The letters a journalist's hostile search words find: the rows, not only a 200.

Each word is paired with the FTS5 query a person typing it means, written out by hand, and the canned query
must return exactly the letters that query finds over the same harvest; every passage found must hold the words.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from harvester.serve import DATABASE_NAME
from tests import test_serve
from tests.test_serve import get

datasette = test_serve.datasette  # the fixtures: a small harvest served in-process
small_harvest = test_serve.small_harvest

MEANT = [
    # (typed, the FTS5 query it means, a pattern each letter found holds, the least number of letters found)
    ("council-tax", '"council tax"', r"council\W+tax", 1),
    ("children's services", '"children s" services', r"children\W+s\b", 1),
    ('"public report', '"public report"', r"public\W+report", 1),
    ("NOT", '"not"', r"\bnot\b", 1),
    ('"', None, None, 0),
    ("annual review", "annual review", r"annual", 4),
    ('Ombudsman "annual review"', 'ombudsman "annual review"', r"annual\W+review", 4),
]


def meant_letters(db, query: str | None) -> set[tuple[str, str]]:
    if query is None:
        return set()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return set(
            conn.execute(
                "SELECT a.name, l.year FROM letters_fts JOIN letters l ON l.rowid = letters_fts.rowid "
                "JOIN authorities a ON a.slug = l.authority_slug WHERE letters_fts MATCH ?",
                (query,),
            )
        )
    finally:
        conn.close()


def letter_text(db, council: str, year: str) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        (text,) = conn.execute(
            "SELECT l.text FROM letters l JOIN authorities a ON a.slug = l.authority_slug "
            "WHERE a.name = ? AND l.year = ?",
            (council, year),
        ).fetchone()
        return text
    finally:
        conn.close()


@pytest.mark.parametrize(("typed", "query", "pattern", "least"), MEANT, ids=[typed for typed, *_ in MEANT])
def test_search_letters_returns_the_letters_the_words_mean(
    datasette, small_harvest, typed, query, pattern, least
):
    response = get(datasette, f"/{DATABASE_NAME}/search_letters.json", words=typed, _shape="array")
    assert response.status_code == 200, response.text
    found = {(row["council"], row["year"]) for row in response.json()}
    assert found == meant_letters(small_harvest, query)
    assert len(found) >= least
    for council, year in found:
        assert re.search(pattern, letter_text(small_harvest, council, year), re.IGNORECASE), (council, year)
