"""Full crawls of the replica, compared with the replica's own ground truth."""

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from harvester import derived_tables
from harvester.replica.datafiles import DataFiles
from harvester.replica.server import ReplicaServer
from harvester.replica.site import build_site
from harvester.replica.truth import annual_data_truth, data_file_disagreements, ground_truth

pytestmark = pytest.mark.slow

DATA_TABLES = {
    "authorities": (("slug",), ("slug", "name", "url")),
    "annual_statistics": (
        ("authority_slug", "year", "source"),
        None,  # every column the ground truth gives
    ),
    "reports": (("authority_slug", "url"), ("authority_slug", "title", "url", "summary", "date", "case_ref")),
    "service_improvements": (
        ("authority_slug", "case_ref"),
        ("authority_slug", "case_ref", "category", "sub_category", "decision_url"),
    ),
    "improvement_actions": (
        ("authority_slug", "case_ref", "position"),
        ("authority_slug", "case_ref", "position", "text"),
    ),
    "letters": (("authority_slug", "year"), None),
    "letter_complaints_received": (("authority_slug", "year", "category"), None),
    "letter_decisions": (("authority_slug", "year", "outcome"), None),
    "decisions": (("case_ref",), None),
    "decision_listings": (("authority_slug", "year", "listing"), None),
}


def crawl(base_url: str, db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", base_url, "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def stored(db: Path, table: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(f"SELECT * FROM [{table}] WHERE gone_run IS NULL")]
    conn.close()
    return rows


def as_keyed(rows, key, columns):
    keyed = {}
    for row in rows:
        keyed[tuple(row[k] for k in key)] = {c: normal(row[c], c) for c in columns}
    return keyed


def normal(value, column=None):
    if column == "flags":
        return flag_set(value)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def flag_set(flags: str | None) -> frozenset[str]:
    """A row's flags, whose order says nothing."""
    return frozenset(flags.split(",")) if flags else frozenset()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("crawl") / "lgsco.db"
    with ReplicaServer(epoch=2025) as replica:
        first = crawl(replica.base_url, db)
        snapshot = tmp_path_factory.mktemp("crawl") / "first.db"
        sqlite3.connect(db).execute(f"VACUUM INTO '{snapshot}'")
        second = crawl(replica.base_url, db)
        truth = ground_truth(replica.site, 2025, replica.base_url)
    return first, second, db, snapshot, truth


def test_full_crawl_exits_zero(crawled):
    first, second, *_ = crawled
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-5000:]
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-5000:]


@pytest.mark.parametrize("table", list(DATA_TABLES))
def test_every_stored_row_equals_the_ground_truth(crawled, table):
    _, _, db, _, truth = crawled
    key, columns = DATA_TABLES[table]
    expected_rows = truth[table]
    columns = columns or sorted({c for row in expected_rows for c in row})
    expected = as_keyed(expected_rows, key, columns)
    actual = as_keyed(stored(db, table), key, columns)
    missing = sorted(set(expected) - set(actual))[:5]
    extra = sorted(set(actual) - set(expected))[:5]
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"
    wrong = [(k, expected[k], actual[k]) for k in expected if expected[k] != actual[k]][:3]
    assert not wrong
    assert len(actual) == len(expected)


def test_averages_printed_na_are_stored_null_with_their_text_and_a_flag(crawled):
    _, _, db, *_ = crawled
    rows = (
        sqlite3.connect(db)
        .execute(
            "SELECT authority_slug, year, upheld_avg_pct, raw_values, flags FROM annual_statistics "
            "WHERE flags LIKE '%unreadable:%' ORDER BY 1"
        )
        .fetchall()
    )
    assert [(slug, year, average) for slug, year, average, _, _ in rows] == [
        ("allerdale-borough-council", "2023-24", None),
        ("cumbria-county-council", "2024-25", None),
        ("south-lakeland-district-council", "2023-24", None),
    ]
    allerdale = rows[0]
    assert json.loads(allerdale[3]) == dict.fromkeys(
        ("compliance_avg_pct", "remedy_avg_pct", "upheld_avg_pct"), "n/a"
    )
    assert set(allerdale[4].split(",")) == {
        "unreadable:upheld_avg_pct", "unreadable:compliance_avg_pct", "unreadable:remedy_avg_pct"
    }  # fmt: skip


def test_letter_links_equal_the_ground_truth(crawled):
    _, _, db, _, truth = crawled
    conn = sqlite3.connect(db)
    actual = set(conn.execute("SELECT authority_slug, year, pdf_url FROM letters"))
    expected = {(r["authority_slug"], r["year"], r["pdf_url"]) for r in truth["letter_links"]}
    assert actual == expected


def test_a_second_crawl_changes_no_data_row(crawled):
    _, _, db, snapshot, _ = crawled
    for table in DATA_TABLES:
        before = sqlite3.connect(snapshot).execute(f"SELECT * FROM [{table}] ORDER BY 1, 2, 3").fetchall()
        after = sqlite3.connect(db).execute(f"SELECT * FROM [{table}] ORDER BY 1, 2, 3").fetchall()
        assert before == after, table
    runs = sqlite3.connect(db).execute("SELECT id, status, rows_new, rows_changed FROM crawl_runs").fetchall()
    assert len(runs) == 2
    assert runs[1][1:] == ("ok", 0, 0)


def test_the_second_crawl_downloads_no_letter(crawled):
    first, second, db, *_ = crawled
    conn = sqlite3.connect(db)
    first_letters, second_letters = (
        json.loads(summary)["letters_read"] for (summary,) in conn.execute("SELECT summary FROM crawl_runs")
    )
    assert (first_letters, second_letters) == (4101, 0)


def test_letter_text_is_searchable(crawled):
    _, _, db, _, truth = crawled
    conn = sqlite3.connect(db)
    hits = conn.execute(
        "SELECT letters.authority_slug, letters.year FROM letters_fts JOIN letters ON letters.rowid = letters_fts.rowid "
        "WHERE letters_fts MATCH ? ORDER BY 1, 2",
        ['"public report"'],
    ).fetchall()
    with_reports = {(r["authority_slug"], r["year"]) for r in truth["letters"] if r["public_report"]}
    assert with_reports and with_reports <= set(hits)


def test_letters_are_kept_on_disk_by_checksum(crawled):
    _, _, db, *_ = crawled
    conn = sqlite3.connect(db)
    sha, size = conn.execute("SELECT sha256, byte_size FROM letters ORDER BY year LIMIT 1").fetchone()
    pdf = db.parent / "letters" / f"{sha}.pdf"
    assert pdf.stat().st_size == size
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == sha


def test_the_readme_questions_have_answers(crawled):
    _, _, db, *_ = crawled
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    queries = re.findall(r"```sql\n(.*?)```", readme, re.DOTALL)
    # Three in "What the database holds", one on coverage, two in "Decisions"; a query that may rightly find
    # nothing (decision_conflicts) is fenced without "sql" and not asked here.
    assert len(queries) == 6
    conn = sqlite3.connect(db)
    for query in queries:
        rows = conn.execute(query).fetchall()
        assert rows, query


LUTON = "luton-borough-council"


def luton_rows(db: Path, truth: dict, table: str) -> tuple[dict, dict]:
    """Luton's stored rows of `table` and the ground truth's, keyed and cut to the compared columns."""
    key, columns = DATA_TABLES[table]
    expected_rows = [row for row in truth[table] if row["authority_slug"] == LUTON]
    columns = columns or sorted({c for row in expected_rows for c in row})
    actual_rows = [row for row in stored(db, table) if row["authority_slug"] == LUTON]
    return as_keyed(actual_rows, key, columns), as_keyed(expected_rows, key, columns)


def crawl_errors(db: Path) -> list[tuple]:
    return sqlite3.connect(db).execute("SELECT page, kind, url, message FROM crawl_errors").fetchall()


def test_an_unreadable_reports_list_costs_the_authority_only_its_reports(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    clean = replica()
    assert crawl(clean.base_url, db, "--authority", LUTON).returncode == 0
    reports_before = stored(db, "reports")
    assert reports_before
    broken = replica(faults=["unreadable-reports@1"])
    result = crawl(broken.base_url, db, "--authority", LUTON, "--full")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    reports_url = f"{broken.base_url}/your-councils-performance/{LUTON}/reports"
    [(page, kind, url, message)] = crawl_errors(db)
    assert (page, kind, url) == ("reports", "layout", reports_url)
    assert "no statement that there are none" in message
    assert "reports page(s) failed (layout)" in result.stdout
    assert "statistics page(s) failed" not in result.stdout
    truth = ground_truth(broken.site, 2025, broken.base_url)
    for table in ("annual_statistics", "service_improvements", "improvement_actions", "letters"):
        actual, expected = luton_rows(db, truth, table)
        assert actual and actual == expected, table
    assert stored(db, "reports") == reports_before


def test_a_statistics_page_without_its_letters_link_fails_loudly_and_saves_the_rest(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    server = replica(faults=["no-letters-link@1"])
    result = crawl(server.base_url, db, "--authority", LUTON)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    statistics_url = f"{server.base_url}/your-councils-performance/{LUTON}/statistics"
    assert crawl_errors(db) == [
        (
            "statistics",
            "layout",
            statistics_url,
            "no 'View annual letters' link in the Annual letters section",
        )
    ]
    assert "statistics page(s) failed (layout)" in result.stdout
    truth = ground_truth(server.site, 2025, server.base_url)
    for table in ("reports", "service_improvements", "improvement_actions"):
        actual, expected = luton_rows(db, truth, table)
        assert actual and actual == expected, table
    assert [row["source"] for row in stored(db, "annual_statistics")] == ["page"]  # letters never read
    assert stored(db, "letters") == []


def test_a_statistics_page_whose_figures_cannot_be_read_still_has_its_links_followed():
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from harvester import items
    from harvester.spiders.performance import PerformanceSpider

    url = f"https://www.lgo.org.uk/your-councils-performance/{LUTON}/statistics"
    html = (
        "<h1>Luton Borough Council</h1><p>69% of complaints we investigated were upheld.</p>"
        "<p>Statistics are based on a total of 13 investigations for the period between 1 April 2023 to "
        "31 March 2024</p><h2>Annual letters</h2><p>We write to councils each year to give a summary.</p>"
        f"<a href='/your-councils-performance/{LUTON}/annualletters'>View annual letters</a>"
        f"<p>3</p><p>Reports for Luton Borough Council</p><a href='/your-councils-performance/{LUTON}/reports'>"
        "View all</a>"
    )
    spider = PerformanceSpider.from_crawler(get_crawler(PerformanceSpider), base_url="https://www.lgo.org.uk")
    list(spider.follow_authority(url))
    response = HtmlResponse(url, body=html.encode(), request=Request(url, meta={"authority": LUTON}))
    response.meta["page"] = "statistics"
    output = list(spider.parse_statistics(response))
    followed = sorted(thing.url.rsplit("/", 1)[1] for thing in output if isinstance(thing, Request))
    assert followed == ["annualletters", "reports"]
    errors = {thing.message for thing in output if isinstance(thing, items.CrawlError)}
    assert errors == {
        "neither of the compliance sentence and 'No recommendations were due …' found",
        "no 'Case reference:' cards and no service improvements wording",
    }
    assert spider.failed_parts[LUTON] == {"improvements"}
    assert not any(isinstance(thing, items.AnnualStatistics) for thing in output)


def test_the_decision_cross_check_lists_exactly_the_replicas_disagreements(crawled):
    _, _, db, _, truth = crawled
    stated = {
        (row["authority_slug"], row["year"]): row
        for row in truth["annual_statistics"]
        if row["source"] == "page"
    }
    expected = set()
    for listing in truth["decision_listings"]:
        page = stated[listing["authority_slug"], listing["year"]]
        count = page["upheld_decisions" if listing["listing"] == "upheld" else "remedy_decisions"]
        if listing["listed"] != count:
            expected.add(
                (listing["authority_slug"], listing["year"], listing["listing"], listing["listed"], count)
            )
    actual = set(
        sqlite3.connect(db).execute(
            "SELECT authority_slug, year, listing, listed, page_count FROM decision_count_discrepancies"
        )
    )
    assert actual == expected and len(expected) >= 5


def test_the_second_crawl_fetches_no_decision(crawled):
    _, _, db, _, truth = crawled
    summaries = [json.loads(s) for (s,) in sqlite3.connect(db).execute("SELECT summary FROM crawl_runs")]
    assert [s["decisions_read"] for s in summaries] == [len(truth["decisions"]), 0]


def test_coverage_shows_every_part_for_every_year_and_the_newest_pages_whole(crawled, replica_site):
    _, _, db, _, _ = crawled
    conn = sqlite3.connect(db)
    rows = {(year, part): (expected, held, stored, gap) for year, part, expected, held, stored, gap in conn.execute(
        "SELECT year, part, councils_expected, councils_held, items_stored, gap FROM coverage")}  # fmt: skip
    years = {year for year, _ in rows}
    parts = (
        "statistics pages",
        "letters",
        "reports",
        "service improvements",
        "decisions",
        "annual data files",
    )
    assert set(rows) == {(year, part) for year in years for part in parts} and len(years) >= 12
    expected, held, _, gap = rows[(max(years), "statistics pages")]
    assert expected == held > 250 and gap is None
    for part in parts:  # every part is held for the last two years
        assert any(rows[(year, part)][1] > 0 for year in sorted(years)[-2:]), part
    # every year's data files are read, and name every council the dataset expects that year
    files_read = Counter(file.year for file in DataFiles(replica_site).read(2025))
    assert {year: rows[(year, "annual data files")][2] for year in years} == files_read
    assert [
        (year, rows[(year, "annual data files")]) for year in years if rows[(year, "annual data files")][3]
    ] == []


ANNUAL_DATA_KEY = ("source_file", "sheet", "printed_name", "category", "column_header")


def test_every_data_file_value_equals_the_ground_truth(crawled):
    _, _, db, _, truth = crawled
    base_url = truth["authorities"][0]["url"].split("/your-councils-performance")[0]
    expected_rows = annual_data_truth(build_site(2025), 2025, base_url)
    columns = sorted(expected_rows[0])
    expected = as_keyed(expected_rows, ANNUAL_DATA_KEY, columns)
    actual = as_keyed(stored(db, "annual_data"), ANNUAL_DATA_KEY, columns)
    assert len(expected_rows) == len(expected) > 300_000
    assert sorted(set(expected) ^ set(actual))[:5] == []
    assert [(k, expected[k], actual[k]) for k in expected if expected[k] != actual[k]][:3] == []
    summary = json.loads(sqlite3.connect(db).execute("SELECT summary FROM crawl_runs WHERE id = 1").fetchone()[0])
    assert summary["data_file_unmatched_names"] == ["Broads Authority"]
    assert summary["data_files_read"] == len({row["source_file"] for row in expected_rows})
    # By file, whatever order the files were read in (workers finish in any order): two crawls say the same.
    warned = [warning.split()[0].rstrip(":") for warning in summary["data_file_warnings"]]
    assert len(set(warned)) > 10 and warned == sorted(warned)


def test_the_data_file_cross_check_lists_exactly_the_replicas_disagreements(crawled):
    _, _, db, *_ = crawled
    actual = set(
        sqlite3.connect(db).execute(
            "SELECT authority_slug, year, figure FROM statistics_discrepancies WHERE compared_with = 'data file'"
        )
    )
    assert actual == data_file_disagreements(build_site(2025), 2025)
    assert {slug for slug, *_ in actual} == {"kent-county-council", "birmingham-city-council"}


def test_the_tables_the_store_keeps_from_annual_data_hold_their_queries_rows(crawled):
    _, _, db, *_ = crawled
    with contextlib.closing(sqlite3.connect(db)) as conn:
        files = conn.execute("SELECT count(*) FROM annual_data_files").fetchone()[0]
        for name, query in derived_tables.QUERIES.items():
            table = sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            # Every data file has rows in each (annual_data_runs: one per file after a single crawl).
            assert files == 26 and len(table) >= files, name
            assert table == sorted(conn.execute(query).fetchall(), key=repr), name


def test_the_second_crawl_fetches_no_data_file_body(crawled):
    _, second, db, *_ = crawled
    fetched = sqlite3.connect(db).execute(
        "SELECT status, run_id, count(*) FROM fetches WHERE url LIKE '%/assets/attach/%' "
        "AND (url LIKE '%.csv' OR url LIKE '%.xlsx') GROUP BY 1, 2"
    ).fetchall()
    assert fetched == [(304, 2, 26)]
    assert json.loads(
        sqlite3.connect(db).execute("SELECT summary FROM crawl_runs WHERE id = 2").fetchone()[0]
    )["data_files_read"] == 0


def test_the_data_file_canned_queries_answer_for_any_council_and_year(crawled):
    _, _, db, _, truth = crawled
    queries = yaml.safe_load((Path(__file__).parents[1] / "harvester/datasette/metadata.yml").read_text())
    queries = queries["databases"]["lgsco"]["queries"]
    conn = sqlite3.connect(db)
    base_url = truth["authorities"][0]["url"].split("/your-councils-performance")[0]
    decided = [r for r in annual_data_truth(build_site(2025), 2025, base_url) if r["measure"] == "decided"]
    for slug, year in [("luton-borough-council", "2023-24"), ("kent-county-council", "2024-25"),
                       ("northampton-borough-council", "2019-20"), ("adur-district-council", "2013-14")]:  # fmt: skip
        mine = [r for r in decided if r["authority_slug"] == slug and r["year"] == year]
        expected = {}
        for row in mine:
            area = expected.setdefault(row["category"], {"decided": 0, "investigated": 0, "upheld": 0})
            if row["concept"] == "total":
                area["decided"] += row["value"]
            if row["concept"] in ("upheld", "not_upheld"):
                area["investigated"] += row["value"]
            if row["concept"] == "upheld":
                area["upheld"] += row["value"]
        rows = conn.execute(queries["council_service_areas"]["sql"], {"council": slug, "year": year}).fetchall()
        assert {r[2]: {"decided": r[3], "investigated": r[4], "upheld": r[5]} for r in rows} == expected, slug
    latest = conn.execute(queries["council_service_areas"]["sql"], {"council": "Luton", "year": ""}).fetchall()
    assert {r[1] for r in latest} == {"2024-25"} and len(latest) == 9
    ranked = conn.execute(
        queries["councils_ranked_in_service_area"]["sql"], {"service_area": "housing", "year": "2023-24"}
    ).fetchall()
    housing = {}
    for row in decided:
        if row["year"] == "2023-24" and row["category"] == "Housing" and row["concept"] == "upheld":
            housing[row["printed_name"]] = row["value"]
    assert [r[5] for r in ranked] == sorted(housing.values(), reverse=True)
    assert ranked[0][0] == 1 and len(ranked) == len(housing)
