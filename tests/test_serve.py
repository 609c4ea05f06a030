"""Datasette over a small crawled harvest, in-process: metadata, canned queries, search, and safety."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import importlib.util
import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.database import Database
from markupsafe import Markup

from harvester import schema_docs, store
from harvester.export import PRIVATE_TABLES
from harvester.migrations import BROWSING_INDEXES
from harvester.serve import (
    DATABASE_NAME,
    PLUGINS_DIR,
    SETTINGS,
    TEMPLATES_DIR,
    datasette_for,
    metadata,
    publish,
)
from tests.conftest import free_port

AUTHORITIES = (
    "luton-borough-council",
    "kent-county-council",
    "london-borough-of-islington",
    "breckland-district-council",
)


@pytest.fixture(scope="session")
def small_harvest(tmp_path_factory, replica_2025) -> Path:
    """A harvest of four councils of the epoch-2025 replica, crawled once by `harvester crawl`."""
    db_path = tmp_path_factory.mktemp("harvest") / "lgsco.db"
    command = [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", replica_2025.base_url]
    command += ["--db", str(db_path)] + [arg for slug in AUTHORITIES for arg in ("--authority", slug)]
    crawl = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    return db_path


@pytest.fixture(scope="module")
def datasette(small_harvest) -> Datasette:
    return datasette_for(small_harvest)


def get(datasette: Datasette, path: str, **params):
    return asyncio.run(datasette.client.get(path, params=params or None))


def query_rows(datasette: Datasette, query: str, **params) -> list[dict]:
    response = get(datasette, f"/{DATABASE_NAME}/{query}.json", _shape="array", **params)
    assert response.status_code == 200, response.text
    return response.json()


def stored(db_path: Path, sql: str, *params) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_metadata_describes_every_table_and_column_from_schema_docs(datasette):
    served = get(datasette, "/-/metadata.json").json()
    tables = served["databases"][DATABASE_NAME]["tables"]
    for table, (description, columns) in schema_docs.describe().items():
        assert tables[table]["description"] == description
        assert tables[table]["columns"] == {name: doc for name, _, doc in columns}
    assert served["license_url"] == "https://www.lgo.org.uk/copyright"
    assert served["source_url"] == "https://www.lgo.org.uk/your-councils-performance"
    assert (
        "Contains data from mySociety's UK Local Authority Names and Codes (CC-BY-4.0)"
        in served["description_html"]
    )


def test_table_page_shows_column_descriptions_and_default_facets(datasette):
    page = get(datasette, f"/{DATABASE_NAME}/authorities").text
    assert "Authority type the Ombudsman averages over" in page
    for facet in ("kind", "region", "status"):
        assert f'data-column="{facet}"' in page
    assert "Luton Borough Council" in page


def test_latest_figures_give_each_council_its_type_region_population_and_newest_year(
    datasette, small_harvest
):
    rows = {row["slug"]: row for row in query_rows(datasette, "latest_figures")}
    assert sorted(rows) == sorted(AUTHORITIES)
    luton = rows["luton-borough-council"]
    expected = stored(
        small_harvest,
        "SELECT upheld_pct FROM annual_statistics WHERE authority_slug = ? AND year = '2024-25' AND source = 'page'",
        "luton-borough-council",
    )[0]
    assert (luton["type"], luton["region"], luton["year"], luton["figures_from"]) == (
        "Unitary",
        "East of England",
        "2024-25",
        "page",
    )
    assert luton["population"] > 100_000
    assert luton["upheld_pct"] == expected["upheld_pct"]
    only_counties = query_rows(datasette, "latest_figures", type="County")
    assert [row["council"] for row in only_counties] == ["Kent County Council"]


def test_council_history_puts_page_and_letter_figures_side_by_side(datasette, small_harvest):
    rows = query_rows(datasette, "council_history", council="Luton")
    years = [row["year"] for row in rows]
    assert years == sorted(years) and years[0] == "2013-14" and years[-1] == "2024-25"
    assert {row["council"] for row in rows} == {"Luton Borough Council"}
    letter_figures = {
        row["year"]: row["upheld_pct"]
        for row in stored(
            small_harvest,
            "SELECT year, upheld_pct FROM annual_statistics WHERE authority_slug = ? AND source = 'letter'",
            "luton-borough-council",
        )
    }
    assert {row["year"]: row["letter_upheld_pct"] for row in rows} == letter_figures
    latest = rows[-1]
    assert latest["page_upheld_pct"] is not None and latest["letter_pdf"].endswith(".pdf")
    assert query_rows(datasette, "council_history", council="luton-borough-council") == rows
    assert query_rows(datasette, "council_history", council="") == []


def test_highest_uphold_rates_rank_one_type_in_one_year(datasette):
    rows = query_rows(datasette, "highest_uphold_rates", year="2022-23", type="District")
    assert [row["council"] for row in rows] == ["Breckland District Council"]
    every_type = query_rows(datasette, "highest_uphold_rates")
    assert {row["year"] for row in every_type} == {"2024-25"}
    rates = [row["upheld_pct"] for row in every_type]
    assert rates == sorted(rates, reverse=True) and every_type[0]["rank"] == 1


def test_below_full_compliance_lists_only_councils_under_100(datasette, small_harvest):
    rows = query_rows(datasette, "below_full_compliance", year="2024-25")
    expected = stored(
        small_harvest,
        "SELECT authority_slug, compliance_pct FROM annual_statistics "
        "WHERE year = '2024-25' AND source = 'page' AND compliance_pct < 100",
    )
    assert len(rows) == len(expected) >= 1
    assert all(row["compliance_pct"] < 100 for row in rows)


def test_councils_against_type_average_show_the_difference(datasette):
    rows = query_rows(datasette, "councils_against_type_average")
    assert len(rows) == len(AUTHORITIES)
    for row in rows:
        assert row["upheld_points_above_avg"] == row["upheld_pct"] - row["type_avg_upheld_pct"]
    differences = [row["upheld_points_above_avg"] for row in rows]
    assert differences == sorted(differences, reverse=True)


def test_improvements_in_a_category_list_the_agreed_actions_in_order(datasette, small_harvest):
    case = stored(
        small_harvest, "SELECT authority_slug, case_ref, category FROM service_improvements LIMIT 1"
    )[0]
    actions = [
        row["text"]
        for row in stored(
            small_harvest,
            "SELECT text FROM improvement_actions WHERE authority_slug = ? AND case_ref = ? ORDER BY position",
            case["authority_slug"],
            case["case_ref"],
        )
    ]
    rows = query_rows(datasette, "improvements_in_category", category=case["category"].upper())
    found = next(row for row in rows if row["case_ref"] == case["case_ref"])
    assert found["actions_agreed"] == "  ".join(f"{n}. {text}" for n, text in enumerate(actions, start=1))
    assert {row["category"] for row in rows} == {case["category"]}


def test_councils_with_reports_count_them(datasette, small_harvest):
    rows = query_rows(datasette, "councils_with_reports")
    expected = {
        row["name"]: row["reports"]
        for row in stored(
            small_harvest,
            "SELECT a.name, count(*) AS reports FROM reports r JOIN authorities a ON a.slug = r.authority_slug "
            "GROUP BY a.slug",
        )
    }
    assert {row["council"]: row["public_reports"] for row in rows} == expected
    assert expected["London Borough of Islington"] >= 1


def test_page_letter_disagreements_name_the_figure_and_both_values(small_harvest, tmp_path):
    altered = tmp_path / "altered.db"
    altered.write_bytes(small_harvest.read_bytes())
    conn = sqlite3.connect(altered)
    with conn:
        conn.execute(
            "UPDATE annual_statistics SET upheld_pct = upheld_pct + 1 "
            "WHERE authority_slug = 'luton-borough-council' AND year = '2024-25' AND source = 'letter'"
        )
    conn.close()
    (page_value,) = stored(
        altered,
        "SELECT upheld_pct FROM annual_statistics "
        "WHERE authority_slug = 'luton-borough-council' AND year = '2024-25' AND source = 'page'",
    )[0]
    rows = query_rows(datasette_for(altered), "page_letter_disagreements")
    assert [(r["council"], r["year"], r["figure"]) for r in rows] == [
        ("Luton Borough Council", "2024-25", "upheld_pct")
    ]
    assert (float(rows[0]["page_value"]), float(rows[0]["letter_value"])) == (page_value, page_value + 1)


def test_last_crawl_changes_list_what_the_latest_run_did(datasette, small_harvest):
    changes = query_rows(datasette, "last_crawl_changes")
    (count,) = stored(
        small_harvest, "SELECT count(*) FROM changes WHERE run_id = (SELECT max(id) FROM crawl_runs)"
    )[0]
    assert len(changes) == count > 0
    assert {row["change"] for row in changes} == {"new"}
    assert "Kent County Council" in {row["council"] for row in changes}


def test_chart_draws_the_council_against_its_type_average(datasette, small_harvest):
    page = get(datasette, f"/{DATABASE_NAME}/uphold_chart", council="Luton").text
    (latest,) = stored(
        small_harvest,
        "SELECT upheld_pct FROM annual_statistics WHERE authority_slug = 'luton-borough-council' "
        "AND year = '2024-25' AND source = 'page'",
    )[0]
    assert '<svg class="uphold-chart"' in page
    assert "Luton Borough Council: share of investigated complaints upheld" in page
    assert "Average for Unitary councils" in page
    assert f"2024-25: {latest:g}% upheld" in page
    assert page.count("<polyline") == 2
    several = get(datasette, f"/{DATABASE_NAME}/uphold_chart", council="Council").text
    assert "3 councils match" in several and "<svg" not in several


def load_plugin():
    """The Datasette plugin as a module (Datasette loads it from its folder, not as part of the package)."""
    spec = importlib.util.spec_from_file_location("lgsco_plugin", PLUGINS_DIR / "lgsco.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    return plugin


def test_map_is_a_hex_cartogram_coloured_against_the_type_average(datasette, small_harvest):
    plugin = load_plugin()
    page = get(datasette, f"/{DATABASE_NAME}/uphold_map").text
    hexes = plugin.read_layout("")
    assert '<svg class="uphold-map"' in page
    assert page.count("<polygon") == len(hexes) + 7  # a hexagon per council of the layout, seven swatches
    assert "Uphold rate, 2024-25" in page and "Hex map layouts © Open Innovations (MIT)" in page
    assert "3 councils of 4 shown" in page and "Not on this layout: Kent County Council" in page
    (value, average, gss) = stored(
        small_harvest,
        "SELECT s.upheld_pct, s.upheld_avg_pct, a.gss_code FROM annual_statistics s JOIN authorities a "
        "ON a.slug = s.authority_slug WHERE a.slug = 'luton-borough-council' AND s.year = '2024-25' "
        "AND s.source = 'page'",
    )[0]
    colour = plugin.DEVIATION_COLOURS[plugin.deviation_band(value, average, "upheld_pct")]
    luton = re.search(r'<polygon points="[^"]+" fill="(#\w+)"[^>]*><title>Luton Borough Council: (.*?)</title>', page)
    assert luton.group(1) == colour
    assert luton.group(2) == f"uphold rate {value:g}%; Unitary average {average:g}% (published)"
    assert hexes[gss]["n"] == "Luton"
    assert f"/{DATABASE_NAME}/council_history?council=luton-borough-council" in page
    counties = get(datasette, f"/{DATABASE_NAME}/uphold_map", layout="counties", measure="compliance_pct").text
    assert "Kent County Council: compliance with the Ombudsman" in counties
    assert "Not on this layout: Breckland District Council" in counties


def test_abolished_councils_are_on_the_2019_layout():
    plugin = load_plugin()
    aylesbury = {
        "council": "Aylesbury Vale District Council", "type": "District", "year": "2018-19",
        "measure": "upheld_pct", "value": 70.0, "type_avg": 55.0, "type_avg_from": "published",
        "gss_code": "E07000004", "slug": "aylesbury-vale-district-council",
    }  # fmt: skip
    assert "Not on this layout: Aylesbury Vale District Council" in plugin.uphold_map([aylesbury], "/lgsco")
    drawn = plugin.uphold_map([aylesbury], "/lgsco", "2019")
    assert "Aylesbury Vale District Council: uphold rate 70%; District average 55% (published)" in drawn
    assert f'fill="{plugin.DEVIATION_COLOURS[4]}"' in drawn  # 15 points above: far above


@pytest.mark.parametrize(
    ("table", "column"), [("letters", "text"), ("reports", "title"), ("improvement_actions", "text")]
)
def test_full_text_search_finds_a_row_by_its_longest_word(datasette, small_harvest, table, column):
    (stored_value,) = stored(
        small_harvest, f"SELECT [{column}] FROM [{table}] WHERE [{column}] != '' LIMIT 1"
    )[0]
    word = max(re.findall(r"[A-Za-z]+", stored_value), key=len)
    response = get(datasette, f"/{DATABASE_NAME}/{table}.json", _search=word, _shape="objects", _size="max")
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert stored_value in {row[column] for row in rows}
    assert len(rows) <= stored(small_harvest, f"SELECT count(*) FROM [{table}]")[0][0]
    page = get(datasette, f"/{DATABASE_NAME}/{table}", _search=word).text
    assert "where search matches" in page and word in page


def test_search_letters_shows_the_matching_passage(datasette):
    rows = query_rows(datasette, "search_letters", words='"annual review"')
    assert {row["council"] for row in rows} >= {"Luton Borough Council", "Kent County Council"}
    assert all("[" in row["passage"] and "]" in row["passage"] for row in rows)
    assert query_rows(datasette, "search_letters", words="") == []


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO authorities (slug, name, url, source_url, first_seen_run, last_changed_run) "
        "VALUES ('x', 'x', 'x', 'x', 1, 1)",
        "UPDATE annual_statistics SET upheld_pct = 0",
        "DELETE FROM changes",
        "DROP TABLE letters",
        "CREATE TABLE scratch (x)",
        "PRAGMA writable_schema = 1",
        "ATTACH DATABASE 'elsewhere.db' AS elsewhere",
    ],
)
def test_writes_through_the_sql_interface_fail(datasette, sql):
    response = get(datasette, f"/{DATABASE_NAME}.json", sql=sql)
    assert response.status_code == 400
    assert response.json()["error"] == "Statement must be a SELECT"


def test_the_database_is_opened_read_only_and_left_untouched(datasette, small_harvest):
    before = hashlib.sha256(small_harvest.read_bytes()).hexdigest()
    reader = datasette.get_database(DATABASE_NAME).connect()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("CREATE TABLE intruder (x)")
    get(datasette, f"/{DATABASE_NAME}/reports", _search="council")
    get(datasette, f"/{DATABASE_NAME}/uphold_map")
    assert hashlib.sha256(small_harvest.read_bytes()).hexdigest() == before
    assert sorted(datasette.databases) == ["_internal", DATABASE_NAME]


def test_a_slow_query_stops_at_the_time_limit(datasette):
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    response = get(datasette, f"/{DATABASE_NAME}.json", sql=endless)
    assert response.status_code == 400
    # Interrupted is the proof that the limit stopped it (the query never ends), and the limit in force is the
    # 3-second one: no bound on the time taken, which a loaded machine stretches either way.
    assert response.json()["title"] == "SQL Interrupted"
    assert get(datasette, "/-/settings.json").json()["sql_time_limit_ms"] == 3000


def test_metadata_rejects_a_table_the_schema_does_not_have(monkeypatch, tmp_path):
    broken = tmp_path / "metadata.yml"
    broken.write_text("databases:\n  lgsco:\n    tables:\n      no_such_table: {}\n")
    monkeypatch.setattr("harvester.serve.METADATA_FILE", broken)
    with pytest.raises(ValueError, match="no_such_table"):
        metadata()


def test_publish_writes_a_read_only_copy_of_the_public_tables(small_harvest, tmp_path):
    out = tmp_path / "site"
    copy_path = publish(small_harvest, out)
    tables = {row["name"] for row in stored(copy_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & set(PRIVATE_TABLES)
    assert {
        "authorities",
        "annual_statistics",
        "letters_fts",
        "reports_fts",
        "improvement_actions_fts",
    } <= tables
    assert stored(copy_path, "PRAGMA journal_mode")[0][0] == "delete"
    for table in ("authorities", "annual_statistics", "letters", "changes"):
        count = f"SELECT count(*) FROM [{table}]"
        assert stored(copy_path, count)[0][0] == stored(small_harvest, count)[0][0] > 0
    inspected = json.loads((out / "inspect-data.json").read_text())
    assert inspected[DATABASE_NAME]["file"] == "lgsco.db"
    for folder in (TEMPLATES_DIR, PLUGINS_DIR):
        assert sorted(p.relative_to(out / folder.name) for p in (out / folder.name).rglob("*")) == sorted(
            p.relative_to(folder) for p in folder.rglob("*") if "__pycache__" not in p.parts
        )
    assert (out / "plugins" / "hexmaps" / "LICENSE").read_text().startswith("MIT License")
    # What `datasette serve OUT` builds: the configuration directory, its copy opened immutable.
    site = Datasette(config_dir=out)
    assert site.get_database(DATABASE_NAME).is_mutable is False
    search = get(site, f"/{DATABASE_NAME}/improvement_actions.json", _search="council", _shape="array")
    assert search.status_code == 200 and search.json()
    assert '<svg class="uphold-chart"' in get(site, f"/{DATABASE_NAME}/uphold_chart", council="Kent").text
    assert "Kent County Council: uphold rate" in get(site, f"/{DATABASE_NAME}/uphold_map", layout="counties").text
    assert "fetches" not in get(site, "/-/metadata.json").json()["databases"][DATABASE_NAME]["tables"]


def test_a_database_being_written_is_served_as_written(small_harvest, tmp_path):
    busy = tmp_path / "busy.db"
    busy.write_bytes(small_harvest.read_bytes())
    writer = sqlite3.connect(busy)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the new row in the write-ahead log only
    writer.execute("UPDATE authorities SET name = 'Renamed Council' WHERE slug = 'luton-borough-council'")
    writer.commit()
    assert Path(f"{busy}-wal").stat().st_size > 0
    served = datasette_for(busy)
    rows = get(
        served,
        f"/{DATABASE_NAME}.json",
        sql="select name from authorities where slug = 'luton-borough-council'",
    )
    assert rows.json()["rows"] == [["Renamed Council"]]
    writer.close()


@pytest.mark.parametrize(
    ("words", "council"),
    [
        ("council-tax", None),
        ("children's services", None),
        ('"public report', None),
        ("NOT", None),
        ('"', None),
        ("annual review", "Luton Borough Council"),
        ('Ombudsman "annual review"', "Kent County Council"),
    ],
)
def test_search_letters_takes_words_as_journalists_type_them(datasette, words, council):
    response = get(datasette, f"/{DATABASE_NAME}/search_letters.json", words=words, _shape="array")
    assert response.status_code == 200, response.text
    if council is not None:
        assert council in {row["council"] for row in response.json()}


def test_search_letters_finds_a_hyphenated_word(datasette, small_harvest):
    (text,) = stored(small_harvest, "SELECT text FROM letters WHERE text LIKE '%-%' LIMIT 1")[0]
    hyphenated = re.search(r"\b[a-z]+-[a-z]+\b", text).group()
    rows = query_rows(datasette, "search_letters", words=hyphenated)
    assert rows, f"nothing found for {hyphenated!r}"


def test_query_parameters_ignore_case(datasette):
    exact = query_rows(datasette, "latest_figures", type="District", region="")
    assert exact and query_rows(datasette, "latest_figures", type="district", region="") == exact
    assert query_rows(datasette, "highest_uphold_rates", type=" UNITARY ", year="")
    assert query_rows(datasette, "uphold_chart", council="LUTON-BOROUGH-COUNCIL")


def test_every_canned_query_page_describes_its_columns_licence_and_source(datasette):
    queries = get(datasette, "/-/metadata.json").json()["databases"][DATABASE_NAME]["queries"]
    for name, query in queries.items():
        assert query["columns"] and all(query["columns"].values()), name
        page = get(datasette, f"/{DATABASE_NAME}/{name}").text
        assert '<dl class="column-descriptions">' in page, name
        assert "https://www.lgo.org.uk/copyright" in page and "Data source:" in page, name
    latest = queries["latest_figures"]["columns"]
    assert (
        latest["type_avg_upheld_pct"]
        == dict((name, doc) for name, _, doc in schema_docs.describe()["annual_statistics"][1])[
            "upheld_avg_pct"
        ]
    )


def test_descriptions_are_keyed_by_table_and_column():
    described = {
        table: {name: doc for name, _, doc in columns}
        for table, (_, columns) in schema_docs.describe().items()
    }
    assert "'interrupted'" in described["crawl_runs"]["status"]
    assert described["fetches"]["status"].startswith("HTTP status")
    assert described["fetches"]["url"] == "The page, letter PDF or data file fetched."
    assert described["authorities"]["status"] == "'current' or 'abolished' (reference register)."
    for table, column in schema_docs.TABLE_COLUMNS:
        assert column in described[table], (table, column)


def test_an_unknown_council_in_the_chart_says_no_council_matches(datasette):
    page = get(datasette, f"/{DATABASE_NAME}/uphold_chart", council="Atlantis").text
    assert "No council matches “Atlantis”" in page and "<svg" not in page


def test_last_crawl_changes_says_when_nothing_changed(small_harvest, tmp_path):
    quiet = tmp_path / "quiet.db"
    quiet.write_bytes(small_harvest.read_bytes())
    conn = sqlite3.connect(quiet)
    conn.execute(
        "INSERT INTO crawl_runs (started_at, status, base_url, scope, version) VALUES ('x', 'ok', 'x', 'all', 'x')"
    )
    conn.commit()
    conn.close()
    page = get(datasette_for(quiet), f"/{DATABASE_NAME}/last_crawl_changes").text
    assert "The last crawl changed nothing." in page


def test_table_views_show_extracts_and_row_pages_the_whole_text(datasette, small_harvest):
    (slug, year, text) = stored(
        small_harvest, "SELECT authority_slug, year, text FROM letters WHERE length(text) > 1000 LIMIT 1"
    )[0]
    table = get(datasette, f"/{DATABASE_NAME}/letters").text
    cells = re.findall(r'<td class="col-text type-str">(.*?)</td>', table, re.S)
    assert cells and all(len(cell) < 200 and cell.endswith("…") for cell in cells)
    row = get(datasette, f"/{DATABASE_NAME}/letters/{slug},{year}").text
    last_words = " ".join(text.split()[-6:])
    assert last_words in " ".join(row.split()).replace("&#39;", "'")
    actions = get(datasette, f"/{DATABASE_NAME}/improvement_actions").text
    assert "same words as text" in actions


def test_a_councils_row_page_links_to_its_chart_and_history(datasette):
    page = get(datasette, f"/{DATABASE_NAME}/authorities/luton-borough-council").text
    assert f"/{DATABASE_NAME}/uphold_chart?council=luton-borough-council" in page
    assert f"/{DATABASE_NAME}/council_history?council=luton-borough-council" in page
    assert f"/{DATABASE_NAME}/changes?authority_slug=luton-borough-council" in page


# What makes the pages fast, as behaviour; the speed itself is measured by bench/datasette.py.


def index_columns(db_path) -> set[tuple[str, str]]:
    """(table, column) of each index's first column: what a facet or a sort can be read through (a covering index's
    later columns, as m018's on letters, are not)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]
        return {
            (conn.execute("SELECT tbl_name FROM sqlite_master WHERE name = ?", [name]).fetchone()[0], column)
            for name in names
            for (position, _, column) in conn.execute(f"PRAGMA index_info([{name}])")
            if position == 0
        }
    finally:
        conn.close()


def test_a_new_database_has_an_index_on_every_faceted_and_sorted_column(tmp_path):
    db_path = tmp_path / "lgsco.db"
    store.open_db(db_path).close()
    assert set(BROWSING_INDEXES) <= index_columns(db_path)
    assert ("decisions", "decision_date") in BROWSING_INDEXES and ("letters", "status") in BROWSING_INDEXES


def test_every_default_facet_and_sort_column_of_a_large_table_is_indexed(tmp_path):
    db_path = tmp_path / "lgsco.db"
    store.open_db(db_path).close()
    indexed = index_columns(db_path)
    large = ("decisions", "letters", "letter_complaints_received", "letter_decisions", "service_improvements")
    tables = metadata()["databases"][DATABASE_NAME]["tables"]
    for table in large:
        wanted = [*tables[table].get("facets", []), tables[table].get("sort_desc"), tables[table].get("sort")]
        for column in filter(None, wanted):
            assert (table, column) in indexed, (table, column)


def test_harvester_serve_suggests_no_facets_and_shows_the_configured_ones(small_harvest):
    datasette = datasette_for(small_harvest)
    assert datasette.setting("suggest_facets") is False
    letters = get(datasette, f"/{DATABASE_NAME}/letters.json", _extra="suggested_facets,facet_results").json()
    assert letters["suggested_facets"] == []
    assert set(letters["facet_results"]) == {"year", "status", "public_report"}
    years = {value["value"] for value in letters["facet_results"]["year"]["results"]}
    stored = sqlite3.connect(small_harvest).execute("SELECT DISTINCT year FROM letters").fetchall()
    assert years == {year for (year,) in stored}


def test_a_published_copy_carries_the_settings_indexes_and_table_counts(small_harvest, tmp_path):
    out = tmp_path / "site"
    copy_path = publish(small_harvest, out)
    assert json.loads((out / "settings.json").read_text()) == SETTINGS
    assert SETTINGS["suggest_facets"] is False
    public_indexes = {(table, column) for table, column in BROWSING_INDEXES if table not in PRIVATE_TABLES}
    assert public_indexes <= index_columns(copy_path)
    counts = json.loads((out / "inspect-data.json").read_text())[DATABASE_NAME]["tables"]
    conn = sqlite3.connect(copy_path)
    assert counts["letters"]["count"] == conn.execute("SELECT count(*) FROM letters").fetchone()[0] > 0
    conn.close()
    site = Datasette(config_dir=out)
    assert site.setting("suggest_facets") is False
    page = get(site, f"/{DATABASE_NAME}/letters.json").json()
    assert page["filtered_table_rows_count"] == counts["letters"]["count"] and page["suggested_facets"] == []
    # The count a page shows comes from the inspect file, not from counting the rows on every request.
    inspected = json.loads((out / "inspect-data.json").read_text())
    inspected[DATABASE_NAME]["tables"]["letters"]["count"] = 123456
    (out / "inspect-data.json").write_text(json.dumps(inspected))
    recounted = get(Datasette(config_dir=out), f"/{DATABASE_NAME}/letters.json").json()
    assert recounted["filtered_table_rows_count"] == 123456


def test_publish_indexes_a_harvest_made_before_the_indexing_migration(small_harvest, tmp_path):
    old = tmp_path / "old.db"
    conn = sqlite3.connect(small_harvest)
    conn.execute("VACUUM INTO ?", [str(old)])
    conn.close()
    conn = sqlite3.connect(old)
    for table, column in BROWSING_INDEXES:
        conn.execute(f"DROP INDEX {table}_by_{column}")
    conn.close()
    assert ("letters", "status") not in index_columns(old)
    copy_path = publish(old, tmp_path / "site")
    public_indexes = {(table, column) for table, column in BROWSING_INDEXES if table not in PRIVATE_TABLES}
    assert public_indexes <= index_columns(copy_path)


def test_permission_rules_are_read_once_per_table_and_still_deny(small_harvest):
    denied = metadata()
    denied["databases"][DATABASE_NAME]["tables"]["letters"]["allow"] = False
    datasette = Datasette(metadata=denied, template_dir=str(TEMPLATES_DIR), plugins_dir=str(PLUGINS_DIR))
    datasette.add_database(Database(datasette, path=str(small_harvest)), name=DATABASE_NAME)
    for _ in range(2):
        assert get(datasette, f"/{DATABASE_NAME}/letters").status_code == 403
        assert get(datasette, f"/{DATABASE_NAME}/authorities").status_code == 200
    rules = datasette._table_permission_allows.cache_info()
    assert rules.hits > 0 and rules.currsize >= 2


def test_table_rows_are_written_as_datasettes_template_writes_them_escaped():
    rows = [
        [
            {"column": "name", "value": "<b>Luton</b> & co", "value_type": "str", "raw": "<b>Luton</b> & co"},
            {"column": "odd name", "value": Markup('<a href="/x">1</a>'), "value_type": "int", "raw": 1},
        ]
    ]
    odd = load_plugin().css_class("odd name")
    assert odd.startswith("odd-name-") and len(odd) == len("odd-name-") + 6
    assert load_plugin().table_body(rows) == Markup(
        '<tr><td class="col-name type-str">&lt;b&gt;Luton&lt;/b&gt; &amp; co</td>'
        f'<td class="col-{odd} type-int"><a href="/x">1</a></td></tr>\n'
    )


def test_a_table_page_shows_every_row_with_its_cells(small_harvest):
    datasette = datasette_for(small_harvest)
    page = get(datasette, f"/{DATABASE_NAME}/authorities", _size="max").text
    count = sqlite3.connect(small_harvest).execute("SELECT count(*) FROM authorities").fetchone()[0]
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == count > 0
    assert '<td class="col-name type-str">Luton Borough Council</td>' in body


def test_query_rows_are_written_as_datasettes_template_writes_them_escaped():
    rows = [["<b>Luton</b> & co", Markup('<a href="/x">1</a>'), 12.5]]
    odd = load_plugin().css_class("odd name")
    assert load_plugin().query_body(rows, ["council", "odd name", "upheld_pct"]) == Markup(
        '<tr><td class="col-council">&lt;b&gt;Luton&lt;/b&gt; &amp; co</td>'
        f'<td class="col-{odd}"><a href="/x">1</a></td><td class="col-upheld_pct">12.5</td></tr>\n'
    )


def test_a_query_page_shows_every_row_with_its_cells(datasette):
    page = get(datasette, f"/{DATABASE_NAME}/latest_figures", type="", region="").text
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == len(AUTHORITIES)
    assert '<td class="col-council">Luton Borough Council</td>' in body
    assert "returning 4 rows" in page and 'class="column-descriptions"' in page


def best_figures(db_path: Path) -> dict[tuple[str, str], sqlite3.Row]:
    """(council, year) -> the figures the canned queries must show: the statistics page's, else the letter's."""
    best = {}
    for row in stored(db_path, "SELECT * FROM annual_statistics WHERE gone_run IS NULL"):
        key = (row["authority_slug"], row["year"])
        if key not in best or row["source"] == "page":
            best[key] = row
    return best


def test_per_year_queries_show_one_row_a_council_the_pages_figures_before_the_letters(datasette, small_harvest):
    best = best_figures(small_harvest)
    names = {row["slug"]: row["name"] for row in stored(small_harvest, "SELECT slug, name FROM authorities")}
    years = sorted({year for _, year in best})
    assert len(years) >= 10 and {row["source"] for row in best.values()} == {"page", "letter"}
    for year in years:
        expected = {
            (names[slug], row["source"], row["upheld_pct"])
            for (slug, that_year), row in best.items()
            if that_year == year and row["upheld_pct"] is not None
        }
        rows = query_rows(datasette, "highest_uphold_rates", year=year, type="")
        assert {(row["council"], row["figures_from"], row["upheld_pct"]) for row in rows} == expected, year
        mapped = query_rows(datasette, "uphold_map", year=year, measure="", layout="")
        assert {(row["council"], row["value"]) for row in mapped} == {
            (council, pct) for council, _, pct in expected
        } | {(names[slug], None) for (slug, y), row in best.items() if y == year and row["upheld_pct"] is None}


def test_latest_figures_are_each_councils_newest_year_the_page_before_the_letter(datasette, small_harvest):
    newest = {}
    for (slug, year), row in best_figures(small_harvest).items():
        if slug not in newest or year > newest[slug]["year"]:
            newest[slug] = row
    rows = query_rows(datasette, "latest_figures", type="", region="")
    assert {row["slug"]: (row["year"], row["figures_from"], row["upheld_pct"]) for row in rows} == {
        slug: (row["year"], row["source"], row["upheld_pct"]) for slug, row in newest.items()
    }


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def process_cpu_ticks() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU clock ticks) of every process."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def test_serve_with_two_workers_answers_from_two_processes(small_harvest):
    port = free_port()
    command = [sys.executable, "-m", "harvester.cli", "serve", "--db", str(small_harvest), "--port", str(port)]
    server = subprocess.Popen([*command, "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not answers(f"{base}/-/versions.json"):
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "harvester serve --workers 2 did not answer within 60 s"
            time.sleep(0.2)
        before = process_cpu_ticks()
        workers = [pid for pid, (parent, _) in before.items() if parent == server.pid]
        page = f"{base}/{DATABASE_NAME}/latest_figures?type=&region="
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pages = list(pool.map(lambda _: urllib.request.urlopen(page, timeout=30).read(), range(48)))
        assert all(b"Luton Borough Council" in body for body in pages)
        after = process_cpu_ticks()
        busy = [pid for pid in workers if pid in after and after[pid][1] - before[pid][1] > 0]
        assert len(busy) >= 2, f"only {busy} of the processes {workers} answered"
    finally:
        server.terminate()
        server.wait(timeout=30)
    time.sleep(0.5)
    assert not [pid for pid, (parent, _) in process_cpu_ticks().items() if parent == server.pid]


HOSTILE_WORDS = [
    "council-tax",
    "children's services",
    "NOT",
    "AND OR",
    '"public report',
    '"',
    '""""',
    "NEAR(council tax)",
    "text:council",
    "council*",
    "(",
    "-",
    "^",
    "council\x00tax",
]
"""What people type into a search box, none of it FTS5 syntax they meant."""


def full_text_searches() -> list[tuple[str, dict]]:
    """Every full-text search the project serves, from its configuration: each table's search box and each
    canned query that matches an FTS table (a search added later joins the test by itself)."""
    served = metadata()["databases"][DATABASE_NAME]
    searches = [(f"/{DATABASE_NAME}/{table}.json", {"_search": "{}"}) for table, config in served["tables"].items()
                if config.get("fts_table")]  # fmt: skip
    for name, query in served["queries"].items():
        if re.search(r"\bmatch\b", query["sql"], re.IGNORECASE):
            params = set(re.findall(r"(?<![:\w]):(\w+)", query["sql"]))
            searches.append((f"/{DATABASE_NAME}/{name}.json", dict.fromkeys(params, "{}")))
    return searches


def test_every_full_text_search_is_a_table_search_or_a_query_through_fts_words():
    searched = {path.split("/")[-1] for path, _ in full_text_searches()}
    assert searched >= {
        "letters.json", "reports.json", "improvement_actions.json", "decisions.json",
        "search_letters.json", "search_decisions.json",
    }  # fmt: skip
    for name, query in metadata()["databases"][DATABASE_NAME]["queries"].items():
        for matched in re.findall(r"\bmatch\s+(\S+)", query["sql"], re.IGNORECASE):
            assert matched.startswith("fts_words("), (name, matched)


@pytest.mark.parametrize("words", HOSTILE_WORDS)
def test_every_full_text_search_takes_hostile_words(datasette, words):
    for path, params in full_text_searches():
        asked = {key: value.format(words) for key, value in params.items()}
        response = get(datasette, path, **asked)
        assert response.status_code == 200, (path, words, response.text)


def test_every_full_text_search_finds_an_ordinary_word(datasette):
    for path, params in full_text_searches():
        asked = {key: value.format("council") for key, value in params.items()}
        response = get(datasette, path, **asked, _shape="array")
        assert response.status_code == 200 and response.json(), path


def test_the_readmes_search_examples_find_something(datasette):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"`/lgsco/(search_\w+)\?words=([^`]+)`", readme)
    assert "search_decisions" in {query for query, _ in examples}
    for query, words in examples:
        assert query_rows(datasette, query, words=words), (query, words)


def test_serve_answers_a_readers_mistakes_without_a_traceback(small_harvest):
    port = free_port()
    command = [sys.executable, "-m", "harvester.cli", "serve", "--db", str(small_harvest), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    mistakes = {
        f"/{DATABASE_NAME}/no_such_table": 404,
        "/about": 404,
        f"/{DATABASE_NAME}/authorities/no-such-council": 404,
        f"/{DATABASE_NAME}.json?sql=select+nonsense+from": 400,
    }
    try:
        deadline = time.monotonic() + 60
        while not answers(f"{base}/-/versions.json"):
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "harvester serve did not answer within 60 s"
            time.sleep(0.2)
        for path, status in mistakes.items():
            with pytest.raises(urllib.error.HTTPError) as answered:
                urllib.request.urlopen(base + path, timeout=30)
            assert answered.value.code == status, path
    finally:
        server.terminate()
        console, _ = server.communicate(timeout=30)
    assert "Traceback" not in console and "locals" not in console, console[:3000]


def test_the_front_page_gives_the_attribution_the_readme_promises(datasette):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "`harvester serve`'s front page gives\nthe attribution" in readme
    front = get(datasette, "/").text
    assert "Contains data from mySociety's UK Local Authority Names and Codes (CC-BY-4.0)" in front
    assert "https://www.lgo.org.uk/copyright" in front and "Data source:" in front


def kept_letter(db_path: Path) -> tuple[str, str]:
    (pdf_url, sha256) = stored(
        db_path, "SELECT pdf_url, sha256 FROM letters WHERE status = 'ok' ORDER BY year DESC LIMIT 1"
    )[0]
    assert (db_path.parent / "letters" / f"{sha256}.pdf").is_file()
    return pdf_url, sha256


def assert_offers_the_kept_copy(site: Datasette, pdf_url: str, sha256: str) -> None:
    copy = f"/static/letters/{sha256}.pdf"
    pages = [f"/{DATABASE_NAME}/letters", f"/{DATABASE_NAME}/letters?sha256={sha256}"]
    pages.append(f"/{DATABASE_NAME}/search_letters?words=%22annual+review%22")
    for page in pages:
        html = get(site, page).text
        assert f'href="{copy}"' in html and f'href="{pdf_url}"' in html, page
    response = get(site, copy)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sha256


def test_serve_offers_each_letters_kept_copy_beside_its_source(datasette, small_harvest):
    assert_offers_the_kept_copy(datasette, *kept_letter(small_harvest))
    assert get(datasette, "/static/letters/../lgsco.db").status_code == 404


def test_a_copy_published_with_its_letters_offers_them_too(small_harvest, tmp_path):
    pdf_url, sha256 = kept_letter(small_harvest)
    out = tmp_path / "site"
    publish(small_harvest, out, letters=True)
    kept = sorted(path.name for path in (out / "static" / "letters").iterdir())
    assert kept == sorted(path.name for path in (small_harvest.parent / "letters").glob("*.pdf"))
    assert_offers_the_kept_copy(Datasette(config_dir=out), pdf_url, sha256)
    assert_offers_the_kept_copy(datasette_for(out / "lgsco.db"), pdf_url, sha256)  # harvester serve of the copy
    without = tmp_path / "bare"
    publish(small_harvest, without)
    assert not (without / "static").exists()
    assert "/static/letters/" not in get(Datasette(config_dir=without), f"/{DATABASE_NAME}/letters").text


def test_the_decisions_table_shows_each_value_once_and_runs_by_when_they_started(datasette, small_harvest):
    (case_ref, url, started_at) = stored(
        small_harvest,
        "SELECT d.case_ref, d.url, r.started_at FROM decisions AS d JOIN crawl_runs AS r ON r.id = d.first_seen_run"
        " WHERE d.url = d.source_url ORDER BY d.decision_date DESC LIMIT 1",
    )[0]
    page = get(datasette, f"/{DATABASE_NAME}/decisions", case_ref=case_ref).text
    cells = dict(re.findall(r'<td class="col-(\w+)[^"]*">(.*?)</td>', page, re.S))
    assert url in cells["url"]
    assert "same words as url" in cells["source_url"] and url not in cells["source_url"]
    assert started_at in cells["first_seen_run"] and started_at in cells["last_changed_run"]
    assert len(cells["text"]) < 400  # an extract; the decision's own page shows it whole


def test_a_published_copy_can_be_published_again(small_harvest, tmp_path):
    first = publish(small_harvest, tmp_path / "site")
    again = publish(first, tmp_path / "again")
    count = "SELECT count(*) FROM letters"
    assert stored(again, count)[0][0] == stored(small_harvest, count)[0][0] > 0


@pytest.mark.parametrize(
    ("table", "words", "facets"),
    [
        ("letters", "council", {"year", "status", "public_report", "authority_slug"}),
        ("letters", "public report", {"year", "status", "public_report", "authority_slug"}),
        ("decisions", "council", {"category", "outcome", "outcome_group", "is_report", "authority_slug"}),
    ],
)
def test_a_searchs_facets_and_count_are_the_matched_rows_as_a_query_of_them_gives(
    datasette, small_harvest, table, words, facets
):
    """A search reads the table through its indexes (harvester/datasette/plugins/speed.py), its facets and count
    still the matched rows': the same values, counts and order as a query of the matched rows for each column."""
    found = get(datasette, f"/{DATABASE_NAME}/{table}.json", _search=words, _facet="authority_slug").json()
    assert set(found["facet_results"]) == facets
    assert f"where +rowid in (select rowid from {table}_fts where {table}_fts match" in found["query"]["sql"]
    match = f"rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?)"
    for column, facet in found["facet_results"].items():
        expected = stored(
            small_harvest,
            f"SELECT {column}, count(*) FROM {table} WHERE {match} AND {column} IS NOT NULL"
            f" GROUP BY {column} ORDER BY count(*) DESC, {column}",
            load_plugin().fts_words(words),
        )
        assert [(value["value"], value["count"]) for value in facet["results"]] == [tuple(row) for row in expected]
    assert sum(value["count"] for value in found["facet_results"]["authority_slug"]["results"]) == found[
        "filtered_table_rows_count"
    ] > 0


@pytest.mark.parametrize("query", ["search_letters", "search_decisions"])
def test_a_search_query_ranks_in_the_index_so_only_the_rows_shown_get_a_passage(small_harvest, query):
    """The full-text index hands the matches over best first (no sort of its own after): the passage (snippet) is
    made for the rows the page shows, not for every match before a sort."""
    sql = metadata()["databases"][DATABASE_NAME]["queries"][query]["sql"]
    conn = sqlite3.connect(f"file:{small_harvest}?mode=ro", uri=True)
    conn.create_function("fts_words", 1, load_plugin().fts_words)
    plan = [step for *_, step in conn.execute(f"EXPLAIN QUERY PLAN {sql}", {"words": "council"})]
    conn.close()
    assert plan[0].startswith(f"SCAN {query.removeprefix('search_')}_fts VIRTUAL TABLE")
    assert not [step for step in plan if "TEMP B-TREE" in step]


@pytest.mark.parametrize(
    ("table", "sort", "index"),
    [("letters", "year", "letters_year"), ("decisions", "decision_date", "decisions_by_decision_date")],
)
def test_a_search_shows_matched_rows_newest_first_walking_the_sort_index(datasette, small_harvest, table, sort, index):
    found = get(datasette, f"/{DATABASE_NAME}/{table}.json", _search="council", _shape="objects").json()
    matched = stored(
        small_harvest,
        f"SELECT rowid, {sort} FROM {table} WHERE rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?)",
        load_plugin().fts_words("council"),
    )
    shown = [row[sort] for row in found["rows"]]
    assert found["filtered_table_rows_count"] == len(matched) > 0
    assert len(shown) == min(len(matched), 100) and shown == sorted(shown, reverse=True)
    assert shown == sorted((row[sort] for row in matched), reverse=True)[: len(shown)]
    conn = sqlite3.connect(f"file:{small_harvest}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, load_plugin().fts_words)
    plan = [step for *_, step in conn.execute(f"EXPLAIN QUERY PLAN {found['query']['sql']}", found["query"]["params"])]
    conn.close()
    assert plan[0] == f"SCAN {table} USING INDEX {index}"  # read newest first, not every match looked up and sorted


def test_only_a_full_text_match_on_rowid_is_read_through_the_indexes():
    spec = importlib.util.spec_from_file_location("speed_plugin", PLUGINS_DIR / "speed.py")
    speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(speed)
    # As Datasette 0.65's search filter writes them, for ?_search= and ?_search_<column>=.
    search = "rowid in (select rowid from letters_fts where letters_fts match escape_fts(:search))"
    column = "rowid in (select rowid from decisions_fts where [summary] match escape_fts(:search_0))"
    others = ['"year" = :p0', "rowid in (select value from json_each(:p1))", "[status] match :p2"]
    assert speed.searched_through_indexes([search, column, *others]) == ["+" + search, "+" + column, *others]
