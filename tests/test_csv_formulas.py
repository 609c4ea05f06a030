"""Text from the site that a spreadsheet would run as a formula is neutralised in every CSV the project
writes (`harvester export`) or serves (Datasette's .csv), and left exact in the database and in JSON."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3

import pytest

from harvester.datasette.plugins.csv_cells import CsvStream, neutralise_cell
from harvester.export import export
from harvester.replica.faults import FORMULAS
from harvester.serve import DATABASE_NAME, datasette_for
from tests.test_crawl import LUTON, crawl


@pytest.fixture(scope="module")
def formula_harvest(replica_site, tmp_path_factory):
    from harvester.replica.server import ReplicaServer

    db = tmp_path_factory.mktemp("formulas") / "lgsco.db"
    with ReplicaServer(epoch=2025, site=replica_site, faults=["formula-text@1"]) as server:
        result = crawl(server.base_url, db, "--authority", LUTON)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return db


def stored_titles(db) -> list[str]:
    return [title for (title,) in sqlite3.connect(db).execute("SELECT title FROM reports ORDER BY url")]


def test_the_database_keeps_the_sites_text_exactly(formula_harvest):
    titles = stored_titles(formula_harvest)
    assert len(titles) == 3 and all(title.startswith(FORMULAS) for title in titles)


def test_export_neutralises_formulas_in_csv_and_keeps_json_exact(formula_harvest, tmp_path):
    export(formula_harvest, tmp_path / "csv", "csv")
    export(formula_harvest, tmp_path / "json", "json")
    with (tmp_path / "csv" / "reports.csv").open(newline="", encoding="utf-8") as exported:
        rows = sorted(csv.DictReader(exported), key=lambda row: row["url"])
    expected = stored_titles(formula_harvest)
    assert [row["title"] for row in rows] == ["'" + title for title in expected]
    assert all(row["summary"].startswith("'") for row in rows)
    header, *json_rows = json.loads((tmp_path / "json" / "reports.json").read_text(encoding="utf-8"))
    title = header.index("title")
    assert sorted(row[title] for row in json_rows) == sorted(expected)


@pytest.mark.parametrize(
    "path",
    [
        f"/{DATABASE_NAME}/reports.csv?_sort=url",
        f"/{DATABASE_NAME}/reports.csv?_sort=url&_stream=on&_dl=1",
        f"/{DATABASE_NAME}.csv?sql=select+title+from+reports+order+by+url",
    ],
)
def test_datasette_csv_neutralises_formulas(formula_harvest, path):
    response = asyncio.run(datasette_for(formula_harvest).client.get(path))
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["title"] for row in rows] == ["'" + title for title in stored_titles(formula_harvest)]


def test_datasette_json_is_exact(formula_harvest):
    response = asyncio.run(
        datasette_for(formula_harvest).client.get(f"/{DATABASE_NAME}/reports.json?_sort=url&_shape=array")
    )
    assert [row["title"] for row in response.json()] == stored_titles(formula_harvest)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-3", "-3"),
        ("+4.5", "+4.5"),
        ("-1e3", "-1e3"),
        ("- a dash list", "'- a dash list"),
        ("Luton", "Luton"),
        (-3, -3),
        (None, None),
    ],
)
def test_the_rule(value, written):
    assert neutralise_cell(value) == written


def test_a_stream_in_any_pieces_is_rewritten_only_where_needed():
    rows = [["title", "n"], ['=HYPERLINK("x"&A1)', "-3"], ['a\n"quoted", =not first', "é"], ["@x", ""]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode()
    for size in (1, 2, 3, 7, len(data)):
        stream = CsvStream()
        pieces = [stream.feed(data[i : i + size]) for i in range(0, len(data), size)]
        written = (b"".join(pieces) + stream.feed(b"", final=True)).decode()
        assert list(csv.reader(io.StringIO(written))) == [
            ["title", "n"], ['\'=HYPERLINK("x"&A1)', "-3"], ['a\n"quoted", =not first', "é"], ["'@x", ""]
        ]  # fmt: skip
        assert written.split("\r\n")[0] == "title,n"
