"""The Ombudsman's annual data files: the hub page, the CSV/XLSX reader, name matching, storing, and the
spider's handling of a bad file. No server: the replica's files are rendered in process."""

import asyncio
import dataclasses
import datetime
import hashlib
import io
import sqlite3
import time
import zipfile

import openpyxl
import pytest
import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from harvester import datafiles, items, register, store
from harvester.datafiles import DataFileError, read_data_file, read_in_worker
from harvester.health import RunFacts, judge_run
from harvester.pages.annual_review import files_to_read, parse_hub
from harvester.pages.html import PageLayoutError
from harvester.replica import datafiles as replica_files
from harvester.replica.truth import annual_data_truth
from harvester.spiders.performance import PerformanceSpider

BASE = "https://www.lgo.org.uk"
HUB = BASE + replica_files.HUB_PATH


@pytest.fixture(scope="module")
def data_files(replica_site):
    return replica_files.DataFiles(replica_site)


def link(file_format="csv", year="2023-24", name="2-Complaints-Decided-23-24"):
    return items.DataFileLink(year, f"Complaints decided {year}", f"{BASE}/assets/attach/1/{name}.{file_format}",
                              file_format, HUB)  # fmt: skip


def csv_file(*rows: str) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode()


DECIDED_HEADER = (
    "Organisation,Authority type,Service area,Invalid or incomplete,Advice given,Referred back for local resolution,"
    "Closed after initial enquiries,Not upheld,Upheld,Total,Uphold rate (%)"
)


# --- the hub page ------------------------------------------------------------------------


def test_the_hub_links_every_years_files_and_the_crawl_reads_one_per_data_set(data_files):
    found = parse_hub(data_files.render_hub(2025), HUB)
    assert len(found) == 5 + 2 * 3 + 5 * 3 * 2  # table era: one workbook; 2018-20: XLSX; later: CSV and XLSX
    assert {link.year for link in found} == {f"{y}-{(y + 1) % 100:02d}" for y in range(2013, 2025)}
    chosen = files_to_read(found)
    assert [(f.year, f.file_format) for f in chosen] == [(f.year, f.file_format) for f in data_files.read(2025)]
    assert [f.url for f in chosen] == [BASE + f.path for f in data_files.read(2025)]
    assert {f.file_format for f in chosen if f.year >= "2020-21"} == {"csv"}


def test_a_hub_link_takes_its_year_from_its_text_its_file_name_or_the_heading_above_it():
    html = """<h1>Reviews</h1>
    <h2>Review of Local Government Complaints 2019-20</h2>
    <a href="/assets/attach/1/decided.xlsx">Complaints decided spreadsheet</a>
    <a href="/assets/attach/2/2-Complaints-Decided-25-26.csv">Complaints decided (CSV)</a>
    <a href="/assets/attach/3/x.pdf">Review of Local Government Complaints 2019-20</a>
    <a href="/assets/attach/4/received.csv">Complaints received 2018/19 (CSV)</a>"""
    found = parse_hub(html, HUB)
    assert [(f.year, f.file_format, f.url.rsplit("/", 1)[-1]) for f in found] == [
        ("2019-20", "xlsx", "decided.xlsx"),
        ("2025-26", "csv", "2-Complaints-Decided-25-26.csv"),
        ("2018-19", "csv", "received.csv"),
    ]


def test_a_hub_without_data_file_links_is_a_layout_error():
    with pytest.raises(PageLayoutError, match="no data file links"):
        parse_hub("<h1>Reviews</h1><a href='/x.pdf'>Review of Local Government Complaints 2024-25</a>", HUB)


# --- every variation of the replica's files reads to its ground truth --------------------


@pytest.fixture(scope="module")
def truth_by_file(replica_site):
    by_file: dict[str, list[dict]] = {}
    for row in annual_data_truth(replica_site, 2025, BASE):
        by_file.setdefault(row["source_file"], []).append(row)
    return by_file


VARIATIONS = {
    "2013-14": "table era: one XLSX, a notes sheet, received and decided sheets, merged title cells, % cells",
    "2018-19": "XLSX only, header two rows down",
    "2020-21": "CSV, header on the first row",
    "2021-22": "CSV in windows-1252, header three rows down",
    "2022-23": "CSV with '-' for zero and an unknown 'Region' column, header five rows down",
    "2024-25": "decided in the new grouping: not for us / assessed and closed / investigated",
}


@pytest.mark.parametrize("year", list(VARIATIONS))
def test_each_variation_reads_exactly_to_the_ground_truth(data_files, truth_by_file, year):
    for file in (f for f in data_files.read(2025) if f.year == year):
        body, _ = replica_files.render_file(file)
        url = BASE + file.path
        read = read_data_file(body, items.DataFileLink(year, file.label, url, file.file_format, HUB))
        stored = [dataclasses.asdict(v) | {"source_url": HUB} for v in read.values]
        assert stored == truth_by_file[url], file.path
        if file.sheets[0].kind == "received":
            assert read.unmatched_names == ["Broads Authority"]
            assert any("total row(s) recognised" in w for w in read.warnings)
        if any(sheet.kind == "decided" for sheet in file.sheets):
            assert any("1 average row(s) recognised" in w for w in read.warnings)
        assert any("note row(s) recognised" in w for w in read.warnings) or file.sheets[0].kind == "remedy"


def test_a_replica_workbook_is_the_same_bytes_on_every_request(data_files, monkeypatch):
    """As the real site's files are: openpyxl stamps the time of saving, which gave every re-read a new sha256."""
    workbook = next(f for f in data_files.read(2025) if f.file_format == "xlsx")
    first = replica_files.render_file(workbook)[0]
    later = datetime.datetime(2031, 1, 2, 3, 4, 5)
    monkeypatch.setattr(time, "localtime", lambda *_: later.timetuple())
    monkeypatch.setattr(datetime, "datetime", type("Later", (datetime.datetime,), {"now": lambda *_, **__: later,
                                                                                  "utcnow": lambda *_: later}))
    assert replica_files.render_file(workbook)[0] == first
    assert openpyxl.load_workbook(io.BytesIO(first)).sheetnames == [s.name for s in workbook.sheets]


def test_the_variations_are_what_they_say(data_files):
    by_year = {f.year: f for f in data_files.read(2025)}
    assert replica_files.render_file(by_year["2021-22"])[0].decode("cp1252").count("King’s Lynn") == 1
    with pytest.raises(UnicodeDecodeError):
        replica_files.render_file(by_year["2021-22"])[0].decode("utf-8")
    workbook = openpyxl.load_workbook(io.BytesIO(replica_files.render_file(by_year["2013-14"])[0]))
    assert workbook.sheetnames == ["Notes", "Received", "Decided"]
    assert [str(r) for r in workbook["Received"].merged_cells.ranges] == ["A1:F1"]
    decided_2024 = [f for f in data_files.read(2025) if f.year == "2024-25" and f.sheets[0].kind == "decided"][0]
    headers = {c.header for c in decided_2024.sheets[0].columns}
    assert {"Not for us", "Assessed and closed", "Investigated"} <= headers
    assert "Advice given" not in headers
    names = {row[1] for f in data_files.read(2025) for s in f.sheets for row in s.councils}
    register_names = {entry.name for entry in register.load_register()}
    assert len(names - register_names) > 20  # spelled unlike the register, every one still matched


def test_numbers_are_read_as_printed_and_the_unreadable_kept_as_text():
    body = csv_file(
        "Complaints decided 2023-24",
        "",
        DECIDED_HEADER,
        'Luton Borough Council,Unitary,Housing,"1,234",-,,n/a,2,3,"1,239",60%',
        "Luton Borough Council,Unitary,Planning and development,0,1,2,3,4,5,15,56",
        "Kent County Council,County,Housing,0,0,0,0,0,0,0,twelve",
    )
    read = read_data_file(body, link())
    cells = {(v.printed_name, v.category, v.column_header): (v.value, v.raw) for v in read.values}
    housing = ("Luton Borough Council", "Housing")
    assert cells[(*housing, "Invalid or incomplete")] == (1234, "1,234")
    assert cells[(*housing, "Advice given")] == (None, "-")
    assert cells[(*housing, "Referred back for local resolution")] == (None, "")
    assert cells[(*housing, "Closed after initial enquiries")] == (None, "n/a")
    assert cells[(*housing, "Uphold rate (%)")] == (60, "60%")
    assert cells[("Kent County Council", "Housing", "Uphold rate (%)")] == (None, "twelve")
    assert any("'Uphold rate (%)': 1 cell(s) not numbers (e.g. 'twelve')" in w for w in read.warnings)
    assert not any("'Advice given'" in w or "'Closed after" in w for w in read.warnings)  # "no figure", as printed
    luton = [v for v in read.values if v.printed_name.startswith("Luton")]
    assert {v.authority_slug for v in luton} == {"luton-borough-council"}
    assert {v.measure for v in luton} == {"decided", "upheld_pct"}
    assert [v.row for v in luton][:1] == [4]


def test_an_unknown_column_is_kept_under_its_header_and_warned_about():
    body = csv_file(DECIDED_HEADER + ",Escalated", "Luton Borough Council,Unitary,Housing,1,2,3,4,5,6,21,55,7")
    read = read_data_file(body, link())
    unknown = [v for v in read.values if v.measure == "unknown"]
    assert [(u.column_header, u.value, u.raw, u.concept) for u in unknown] == [("Escalated", 7, "7", None)]
    assert any("column 'Escalated' not recognised" in w for w in read.warnings)


def test_unmatched_names_are_stored_with_their_printed_name_and_no_slug():
    body = csv_file(DECIDED_HEADER, "Borsetshire Unitary Council,Unitary,Housing,1,2,3,4,5,6,21,55")
    read = read_data_file(body, link())
    assert {(v.authority_slug, v.printed_name) for v in read.values} == {(None, "Borsetshire Unitary Council")}
    assert read.unmatched_names == ["Borsetshire Unitary Council"]


# --- bad input: each an error naming the file and what was expected -----------------------


def xlsx(rows, title="Decided") -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_file_that_is_not_what_its_extension_says_fails_naming_the_file():
    with pytest.raises(DataFileError, match=r"Decided-23-24\.xlsx: expected an XLSX \(a zip\), found '<!DOCTYPE html>"):
        read_data_file(b"<!DOCTYPE html><html><body>Not found</body></html>", link("xlsx"))
    with pytest.raises(DataFileError, match=r"Decided-23-24\.csv: expected a CSV \(text\), found a binary file"):
        read_data_file(xlsx([DECIDED_HEADER.split(",")]), link("csv"))
    with pytest.raises(DataFileError, match="expected a CSV, found an HTML page"):
        read_data_file(b"<html><body>Server error</body></html>", link("csv"))
    with pytest.raises(DataFileError, match="expected an XLSX workbook, found a zip without xl/workbook.xml"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "hello")
        read_data_file(out.getvalue(), link("xlsx"))


def test_a_zip_bomb_is_refused_before_it_is_opened(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))
    bomb = out.getvalue()
    assert len(bomb) < 200 * 1024
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    with pytest.raises(DataFileError, match=r"Decided-23-24\.xlsx: its zip members inflate to 83,886,\d+ bytes"):
        read_data_file(bomb, link("xlsx"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(DataFileError, match=r"zip member xl/worksheets/sheet1\.xml inflates \d+ times over"):
        read_data_file(out.getvalue(), link("xlsx"))
    assert opened == []


def test_a_sheet_with_no_recognisable_header_fails_naming_the_sheet():
    body = xlsx([["Complaints decided 2023-24"], ["Name", "A", "B"], ["Luton Borough Council", 1, 2]])
    with pytest.raises(DataFileError, match=r"Decided-23-24\.xlsx sheet 'Decided': no header row in its first 30"):
        read_data_file(body, link("xlsx"))


def test_a_number_column_full_of_text_fails_naming_the_column():
    body = csv_file(DECIDED_HEADER, "Luton Borough Council,Unitary,Housing,1,2,3,4,five,six,21,55",
                    "Kent County Council,County,Housing,1,2,3,4,none,some,21,55")  # fmt: skip
    with pytest.raises(DataFileError, match="column 'Not upheld' should hold numbers, but every cell is text"):
        read_data_file(body, link())


def test_a_column_of_dashes_is_no_figures_not_text():
    body = csv_file(DECIDED_HEADER, "Luton Borough Council,Unitary,Housing,1,-,3,4,5,6,21,55",
                    "Kent County Council,County,Housing,1,-,3,4,5,6,21,n/a")  # fmt: skip
    read = read_data_file(body, link())
    assert [v.raw for v in read.values if v.column_header == "Advice given"] == ["-", "-"]
    assert read.warnings == []


def test_a_known_column_that_disappears_fails_the_file():
    body = csv_file(DECIDED_HEADER.replace(",Upheld,", ",Escalated,"), "Luton Borough Council,Unitary,Housing,1,2,3,4,5,6,21,55")
    with pytest.raises(DataFileError, match="a file of complaints decided without the column.s. upheld"):
        read_data_file(body, link())


# --- names matched to the register ---------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "year", "slug"),
    [
        ("Luton Council", "2023-24", "luton-borough-council"),
        ("Brighton and Hove City Council", "2023-24", "brighton-hove-city-council"),
        ("King’s Lynn & West Norfolk Borough Council", "2021-22", "kings-lynn-west-norfolk-borough-council"),
        ("City of York Council", "2023-24", "city-of-york-council"),
        ("York", "2023-24", "city-of-york-council"),
        ("Hammersmith & Fulham", "2023-24", "london-borough-of-hammersmith-fulham"),
        ("Adur", "2023-24", "adur-district-council"),
        ("Buckinghamshire", "2018-19", "buckinghamshire-county-council"),  # abolished 1 April 2020
        ("Buckinghamshire", "2021-22", "buckinghamshire-council"),  # its successor
        ("Broads Authority", "2023-24", None),
        ("Council", "2023-24", None),
    ],
)
def test_printed_names_match_the_one_council_they_mean_that_year(printed, year, slug):
    assert register.match_name(printed, year) == slug


# --- storing, and the spider's handling of a bad file ---------------------------------------


def stored_file(body: bytes, run_id: int, db) -> store.Saved:
    data_file = read_data_file(body, link())
    return store.save_data_file(db, data_file, None, run_id)


def test_a_file_read_again_unchanged_writes_nothing_and_a_changed_one_logs_each_change(tmp_path):
    db = store.open_db(tmp_path / "lgsco.db")
    runs = [store.start_run(db, BASE, "test") for _ in range(3)]
    first = csv_file(DECIDED_HEADER, "Luton Borough Council,Unitary,Housing,1,2,3,4,5,6,21,55",
                     "Kent County Council,County,Housing,1,2,3,4,5,6,21,55")  # fmt: skip
    assert stored_file(first, runs[0], db).new == 2 * 8
    assert db.execute("SELECT count(*) FROM changes").fetchone()[0] == 0  # a new file: no change per value
    assert (stored_file(first, runs[1], db).new, stored_file(first, runs[1], db).changed) == (0, 0)
    changed = csv_file(DECIDED_HEADER, "Luton Borough Council,Unitary,Housing,1,2,3,4,5,7,22,58")
    saved = stored_file(changed, runs[2], db)
    assert (saved.changed, saved.gone) == (3, 8)
    logged = db.execute(
        "SELECT authority_slug, change, column_name, old_value, new_value FROM changes "
        "WHERE change = 'changed' ORDER BY row_key"
    ).fetchall()
    assert ("luton-borough-council", "changed", "value", "6", "7") in logged
    assert db.execute("SELECT count(*) FROM annual_data WHERE gone_run = ?", [runs[2]]).fetchone()[0] == 8


def spider_for(pages_saved=None):
    crawler = get_crawler(PerformanceSpider)
    spider = PerformanceSpider.from_crawler(crawler, base_url=BASE, pages_saved=pages_saved or {})
    crawler.stats.open_spider()
    return spider


def file_response(body: bytes, data_link: items.DataFileLink, flags=()) -> Response:
    request = scrapy.Request(data_link.url, meta={"page": "datafile", "data_file": data_link})
    return Response(data_link.url, body=body, request=request, flags=list(flags))


def read_by_spider(spider, response) -> list:
    """What the spider's (asynchronous) callback yields for a data file."""

    async def collected():
        return [item async for item in spider.parse_data_file(response)]

    return asyncio.run(collected())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<!DOCTYPE html><html>Not found</html>", "expected an XLSX (a zip)"),
        (xlsx([["Name", "A"], ["Luton Borough Council", 1]]), "no header row"),
    ],
)
def test_a_bad_file_is_a_recorded_error_that_fails_the_run_and_leaves_its_rows(tmp_path, body, expected):
    db = store.open_db(tmp_path / "lgsco.db")
    run = store.start_run(db, BASE, "test")
    good = xlsx([DECIDED_HEADER.split(","), ["Luton Borough Council", "Unitary", "Housing", 1, 2, 3, 4, 5, 6, 21, 55]])
    store.save_data_file(db, read_data_file(good, link("xlsx")), None, run)
    before = db.execute("SELECT * FROM annual_data ORDER BY column_header").fetchall()

    output = read_by_spider(spider_for(), file_response(body, link("xlsx")))

    assert [(type(o), o.page, o.kind) for o in output] == [(items.CrawlError, "datafile", "layout")]
    assert output[0].url.endswith("2-Complaints-Decided-23-24.xlsx") and expected in output[0].message
    assert db.execute("SELECT * FROM annual_data ORDER BY column_header").fetchall() == before
    verdict = judge_run(RunFacts(errors=output, finish_reason="finished", authorities=1, figures=1,
                                 letters_read=0, previous=None))  # fmt: skip
    assert verdict.status == "failed"
    assert "1 datafile page(s) failed (layout)" in verdict.problems[0]


def test_an_unchanged_file_answering_304_is_not_read_again():
    body = csv_file(DECIDED_HEADER, "Luton Borough Council,Unitary,Housing,1,2,3,4,5,6,21,55")
    spider = spider_for({link().url: hashlib.sha256(body).hexdigest()})
    assert read_by_spider(spider, file_response(body, link(), flags=["cached"])) == []
    assert spider.crawler.stats.get_value("harvester/data_files_unchanged") == 1
    (read,) = read_by_spider(spider, file_response(body, link()))  # a 200, even of the same bytes, is read
    assert isinstance(read, items.DataFile) and len(read.values) == 8


def test_a_file_is_read_in_a_worker_process_with_the_same_values_and_errors_as_in_the_crawls_own():
    body = csv_file(DECIDED_HEADER, "Luton Borough Council,Unitary,Housing,1,2,3,4,5,6,21,55")
    assert read_in_worker(body, link()) == read_data_file(body, link())
    bad = xlsx([["Name", "A"], ["Luton Borough Council", 1]])
    with pytest.raises(DataFileError) as in_process:
        read_data_file(bad, link("xlsx"))
    with pytest.raises(DataFileError) as in_worker:
        read_in_worker(bad, link("xlsx"))
    assert str(in_worker.value) == str(in_process.value) and "no header row" in str(in_worker.value)


def test_a_file_its_worker_cannot_read_in_time_is_a_recorded_error_that_fails_the_run(monkeypatch):
    monkeypatch.setattr(datafiles, "WORKER_TIMEOUT", 0.001)  # as a file built to hang the reader would
    body = csv_file(DECIDED_HEADER, *(f"Council {n},Unitary,Housing,1,2,3,4,5,6,21,55" for n in range(3000)))
    output = read_by_spider(spider_for(), file_response(body, link()))
    assert [(type(o), o.page, o.kind) for o in output] == [(items.CrawlError, "datafile", "layout")]
    assert "not read: timed out" in output[0].message
    verdict = judge_run(RunFacts(errors=output, finish_reason="finished", authorities=1, figures=1,
                                 letters_read=0, previous=None))  # fmt: skip
    assert verdict.status == "failed"


def test_a_site_without_the_hub_is_a_good_harvest():
    spider = spider_for()
    request = scrapy.Request(HUB, meta={"page": "hub"})
    response = HtmlResponse(HUB, status=404, body=b"<h1>Page not found</h1>", request=request)
    failure = Failure(HttpError(response))
    failure.request = request
    (error,) = spider.national_page_failed(failure)
    assert (error.page, error.kind) == ("hub", "missing")
    verdict = judge_run(RunFacts(errors=[error], finish_reason="finished", authorities=1, figures=1,
                                 letters_read=0, previous=None))  # fmt: skip
    assert verdict.status == "ok"


def test_the_cross_check_view_sets_the_decided_file_beside_the_statistics_page(tmp_path):
    db = store.open_db(tmp_path / "lgsco.db")
    run = store.start_run(db, BASE, "test")
    luton = items.Authority("luton-borough-council", "Luton Borough Council", BASE + "/luton")
    bundle = store.AuthorityBundle(luton, statistics=[items.AnnualStatistics(
        "luton-borough-council", "2023-24", "page", BASE + "/luton", upheld_pct=69, upheld_decisions=9,
        investigations=13)])  # fmt: skip
    store.save_authority(db, bundle, run)
    body = csv_file(DECIDED_HEADER, "Luton Borough Council,Unitary,Housing,1,2,3,4,3,6,19,67",
                    "Luton Borough Council,Unitary,Planning and development,0,0,0,0,1,4,5,80")  # fmt: skip
    stored_file(body, run, db)
    rows = sqlite3.connect(tmp_path / "lgsco.db").execute(
        "SELECT figure, page_value, letter_value, letter_url, compared_with FROM statistics_discrepancies"
    ).fetchall()
    assert sorted(rows) == [
        ("investigations", 13, 14, link().url, "data file"),  # 4 + 6 + 1 + 4 investigated
        ("upheld_decisions", 9, 10, link().url, "data file"),
        ("upheld_pct", 69, 71, link().url, "data file"),  # 10 of 14, rounded half up
    ]


def test_a_saved_data_file_or_hub_page_can_be_parsed_for_a_bug_report(data_files):
    from harvester.pages.kinds import guess_kind, parse_saved

    file = [f for f in data_files.read(2025) if f.year == "2022-23"][0]
    body, _ = replica_files.render_file(file)
    url = BASE + file.path
    assert guess_kind(body, url) == "datafile"
    values = parse_saved(body, url, "datafile")
    assert {(v.year, v.source_file) for v in values} == {("2022-23", url)}
    assert guess_kind(b"<html></html>", HUB) == "hub"
    assert len(parse_saved(data_files.render_hub(2024).encode(), HUB, "hub")) == 5 + 6 + 4 * 6
