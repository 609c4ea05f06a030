"""The annual data files read cell by cell: each row and column of small typed files, with the wording of the
Ombudsman's received and decided tables (site notes §5.3, §6), is what the file says, and every row the reader
leaves out or cannot read is counted in a warning. Fast: no replica, every file is built here."""

import hashlib
import io
import random
import zipfile

import openpyxl
import pytest

from harvester import datafiles, items
from harvester.datafiles import DataFileError, read_data_file
from harvester.pages.annual_review import data_set, file_link, files_to_read, parse_hub
from harvester.pages.html import PageLayoutError

BASE = "https://www.lgo.org.uk"
HUB = BASE + "/information-centre/reports/annual-review-reports/local-government-complaint-reviews"
CSV_URL = BASE + "/assets/attach/1/1-Complaints-Received-23-24.csv"
XLSX_URL = BASE + "/assets/attach/1/Complaints-23-24.xlsx"
CSV_LINK = items.DataFileLink("2023-24", "Complaints received 2023-24", CSV_URL, "csv", HUB)
XLSX_LINK = items.DataFileLink("2023-24", "Complaints 2023-24 (XLSX)", XLSX_URL, "xlsx", HUB)

AREAS = ["Adult care services", "Benefits and tax", "Corporate and other services",
         "Education and children's services", "Environmental services, public protection and regulation",
         "Highways and transport", "Housing", "Planning and development", "Other"]  # fmt: skip
CONCEPTS = ["adult_care", "benefits_and_tax", "corporate_and_other", "education_and_childrens",
            "environment_and_regulation", "highways_and_transport", "housing", "planning_and_development", "other"]  # fmt: skip
RECEIVED_HEADER = ["Organisation", "Authority type", *AREAS, "Total"]
OUTCOMES = ["Invalid or incomplete", "Advice given", "Referred back for local resolution",
            "Closed after initial enquiries", "Not upheld", "Upheld"]  # fmt: skip
DECIDED_HEADER = ["Organisation", "Authority type", "Service area", *OUTCOMES, "Total", "Uphold rate (%)"]
FOOTNOTE = ("Figures for councils formed on 1 April 2023 include complaints about the councils they replaced, "
            "where the complaint was made after that date.")  # fmt: skip


def csv_bytes(rows, delimiter=",", encoding="utf-8") -> bytes:
    def cell(value):
        text = str(value)
        return f'"{text}"' if delimiter in text or '"' in text else text

    return "".join(delimiter.join(cell(value) for value in row) + "\r\n" for row in rows).encode(encoding)


def workbook_bytes(sheets: dict[str, list[list]], percent_cells=(), extra_members=()) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for where in percent_cells:
            if where[0] == title:
                sheet[where[1]].number_format = "0%"
    out = io.BytesIO()
    workbook.save(out)
    if not extra_members:
        return out.getvalue()
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in extra_members:
            archive.writestr(name, data)
    return out.getvalue()


def by_cell(values):
    return {(v.printed_name, v.category, v.column_header): v for v in values}


# --- a received file: every column a service area, total, average and note rows left out -----


RECEIVED_ROWS = [
    ["Complaints and enquiries received 2023-24"],
    [],
    RECEIVED_HEADER,
    ["Luton Borough Council", "Unitary", 1, 2, 3, 4, 5, 6, 7, 8, 9, 45],
    ["Broads Authority", "Other", 0, 0, 0, 0, 0, 0, 0, 1, 0, 1],
    ["Kent County Council", "County", 10, 0, 2, 11, 3, 9, 0, 1, 2, 38],
    ["", "", 1, 1, 1, 1, 1, 1, 1, 1, 1, 9],
    ["Total", "", 11, 2, 5, 15, 8, 15, 7, 10, 11, 84],
    ["England", "", 11, 2, 5, 15, 8, 15, 7, 10, 11, 84],
    ["Average", "", 4, 1, 2, 5, 3, 5, 2, 3, 4, 28],
    ["Median", "", 1, 0, 2, 4, 3, 9, 0, 1, 2, 38],
    [],
    ["Notes"],
    ["* Includes enquiries", "", 1, "", "", "", "", "", "", "", "", ""],
    [FOOTNOTE, "", 2, "", "", "", "", "", "", "", "", ""],
    ["Source: Local Government and Social Care Ombudsman"],
]


def test_a_received_files_service_areas_are_its_columns_and_its_left_out_rows_are_counted():
    body = csv_bytes(RECEIVED_ROWS)
    read = read_data_file(body, CSV_LINK)
    assert (read.link, read.sha256, read.byte_size, read.content) == (
        CSV_LINK,
        hashlib.sha256(body).hexdigest(),
        len(body),
        body,
    )
    luton = [v for v in read.values if v.printed_name == "Luton Borough Council"]
    assert [(v.category, v.concept, v.value, v.raw) for v in luton] == [
        *(
            (area, concept, n, str(n))
            for n, (area, concept) in enumerate(zip(AREAS, CONCEPTS, strict=True), 1)
        ),
        (None, "total", 45, "45"),
    ]
    assert {(v.measure, v.outcome, v.year, v.row, v.sheet, v.source_file) for v in luton} == {
        ("received", None, "2023-24", 4, None, CSV_URL)
    }
    assert {v.authority_slug for v in luton} == {"luton-borough-council"}
    assert [(v.printed_name, v.row) for v in read.values if v.concept == "total"] == [
        ("Luton Borough Council", 4), ("Broads Authority", 5), ("Kent County Council", 6)
    ]  # fmt: skip
    assert by_cell(read.values)[("Kent County Council", "Education and children's services",
                                 "Education and children's services")].value == 11  # fmt: skip
    assert read.unmatched_names == ["Broads Authority"]
    assert read.warnings == [
        f"{CSV_URL} row 7: figures without an organisation's name: not read",
        f"{CSV_URL}: 2 total row(s) recognised and left out",
        f"{CSV_URL}: 2 average row(s) recognised and left out",
        f"{CSV_URL}: 4 note row(s) recognised and left out",
    ]


def test_a_council_printed_twice_in_one_table_fails_the_file_naming_the_row():
    rows = [RECEIVED_HEADER, RECEIVED_ROWS[3], RECEIVED_ROWS[5], RECEIVED_ROWS[3]]
    with pytest.raises(DataFileError, match=rf"^{CSV_URL} row 4: 'Luton Borough Council'  appears twice$"):
        read_data_file(csv_bytes(rows), CSV_LINK)
    decided = [DECIDED_HEADER, ["Kent County Council", "County", "Housing", 1, 0, 0, 0, 2, 3, 6, 60],
               ["Kent County Council", "County", "Housing", 1, 0, 0, 0, 2, 3, 6, 60]]  # fmt: skip
    with pytest.raises(DataFileError, match=r"row 3: 'Kent County Council' Housing appears twice$"):
        read_data_file(csv_bytes(decided), CSV_LINK)


def test_a_name_printed_in_several_rows_unmatched_is_listed_once():
    rows = [DECIDED_HEADER, ["Broads Authority", "Other", "Planning and development", 1, 0, 0, 0, 2, 0, 3, 0],
            ["Broads Authority", "Other", "Environmental services", 0, 0, 0, 1, 0, 0, 1, 0]]  # fmt: skip
    read = read_data_file(csv_bytes(rows), CSV_LINK)
    assert read.unmatched_names == ["Broads Authority"]
    assert {v.category for v in read.values} == {"Planning and development", "Environmental services"}


# --- a decided file: the outcome is the column, the service area the row -------------------------


def test_a_decided_files_outcomes_are_its_columns_and_a_councils_total_row_has_no_service_area():
    rows = [
        ["Complaints decided 2023-24"],
        DECIDED_HEADER,
        ["Kent County Council", "County", "Housing", 1, 0, 2, 0, 3, 4, 10, "57 %"],
        ["Kent County Council", "County", "Total", 1, 0, 2, 0, 3, 4, 10, "57%"],
    ]
    read = read_data_file(csv_bytes(rows), CSV_LINK)
    housing = [v for v in read.values if v.category == "Housing"]
    assert [(v.measure, v.outcome, v.concept, v.value) for v in housing] == [
        ("decided", "Invalid or incomplete", "invalid_or_incomplete", 1),
        ("decided", "Advice given", "advice_given", 0),
        ("decided", "Referred back for local resolution", "referred_back", 2),
        ("decided", "Closed after initial enquiries", "closed_after_initial_enquiries", 0),
        ("decided", "Not upheld", "not_upheld", 3),
        ("decided", "Upheld", "upheld", 4),
        ("decided", None, "total", 10),
        ("upheld_pct", None, "upheld_pct", 57),
    ]
    assert {v.row for v in housing} == {3}
    assert [(v.category, v.row, v.column_header) for v in read.values if v.value == 10] == [
        ("Housing", 3, "Total"), (None, 4, "Total")
    ]  # fmt: skip
    assert read.warnings == []


def test_the_2024_25_grouping_reads_not_for_us_assessed_and_closed_and_investigated():
    header = ["Organisation", "Authority type", "Service area", "Not for us", "Assessed and closed", "Investigated",
              "Upheld", "Not upheld", "Total"]  # fmt: skip
    rows = [header, ["Luton Borough Council", "Unitary", "Housing", 5, 6, 7, 4, 3, 18]]
    read = read_data_file(csv_bytes(rows), CSV_LINK)
    assert [(v.concept, v.outcome, v.value) for v in read.values] == [
        ("not_for_us", "Not for us", 5), ("assessed_and_closed", "Assessed and closed", 6),
        ("investigated", "Investigated", 7), ("upheld", "Upheld", 4), ("not_upheld", "Not upheld", 3),
        ("total", None, 18),
    ]  # fmt: skip


def test_a_remedy_and_compliance_file_reads_each_figure_under_its_measure():
    header = ["Organisation", "Authority type", "Upheld decisions", "Satisfactory remedy decisions",
              "Satisfactory remedy rate (%)", "Average satisfactory remedy rate for similar authorities (%)",
              "Compliance outcomes", "Compliance rate (%)", "Average compliance rate for similar authorities (%)",
              "Upheld decisions per 100,000 residents", "Average for similar authorities per 100,000 residents"]  # fmt: skip
    rows = [header, ["Luton Borough Council", "Unitary", 9, 2, "22%", "13%", 7, "100%", "99%", "4.2", "3.9"]]
    read = read_data_file(csv_bytes(rows), CSV_LINK)
    assert [(v.measure, v.concept, v.value, v.category, v.outcome) for v in read.values] == [
        ("upheld_decisions", "upheld_decisions", 9, None, None),
        ("remedy_decisions", "remedy_decisions", 2, None, None),
        ("remedy_pct", "remedy_pct", 22, None, None),
        ("remedy_avg_pct", "remedy_avg_pct", 13, None, None),
        ("compliance_outcomes", "compliance_outcomes", 7, None, None),
        ("compliance_pct", "compliance_pct", 100, None, None),
        ("compliance_avg_pct", "compliance_avg_pct", 99, None, None),
        ("upheld_per_100k", "upheld_per_100k", 4.2, None, None),
        ("upheld_per_100k_avg", "upheld_per_100k_avg", 3.9, None, None),
    ]


def test_a_column_of_another_kind_of_file_is_kept_as_unknown():
    rows = [
        [*DECIDED_HEADER, "Housing"],
        ["Kent County Council", "County", "Housing", 1, 0, 2, 0, 3, 4, 10, 57, 12],
    ]
    read = read_data_file(csv_bytes(rows), CSV_LINK)
    [extra] = [v for v in read.values if v.column_header == "Housing"]
    assert (extra.measure, extra.concept, extra.value, extra.category, extra.outcome) == (
        "unknown",
        None,
        12,
        "Housing",
        None,
    )
    assert read.warnings == [f"{CSV_URL}: column 'Housing' not recognised: kept as measure 'unknown'"]


# --- the header row: found by its wording, in the first 30 rows -----------------------------------


def test_the_header_is_found_on_the_30th_row_and_not_on_the_31st():
    council = ["Kent County Council", "County", "Housing", 1, 0, 2, 0, 3, 4, 10, 57]
    titles = [[f"Complaints decided 2023-24, part {n}"] for n in range(29)]
    read = read_data_file(csv_bytes([*titles, DECIDED_HEADER, council]), CSV_LINK)
    assert {v.row for v in read.values} == {31}
    with pytest.raises(DataFileError, match="no council figures in any sheet"):
        read_data_file(csv_bytes([*titles, ["Notes"], DECIDED_HEADER, council]), CSV_LINK)


def test_a_row_naming_the_organisation_and_one_known_column_is_not_a_header():
    rows = [["Organisation", "Housing"], ["Kent County Council", "3"]]
    with pytest.raises(DataFileError, match=r"no header row in its first 30 rows \(expected an organisation"):
        read_data_file(csv_bytes(rows), CSV_LINK)
    rows = [["Service area", "Upheld", "Not upheld"], ["Housing", "4", "3"]]  # no organisation column
    with pytest.raises(DataFileError, match="no header row"):
        read_data_file(csv_bytes(rows), CSV_LINK)


def test_a_header_of_a_decided_file_with_more_received_columns_is_a_received_file():
    header = ["Council", "Adult care services", "Housing", "Upheld", "Not upheld", "Benefits and tax"]
    with pytest.raises(
        DataFileError,
        match="a file of complaints received without the column.s. corporate_and_other, education_and_childrens, "
        "environment_and_regulation, highways_and_transport, other, planning_and_development$",
    ):
        read_data_file(csv_bytes([header, ["Kent County Council", 1, 2, 3, 4, 5]]), CSV_LINK)


# --- CSV text: its encoding, delimiter and length ---------------------------------------------------


def test_a_csv_with_a_byte_order_mark_semicolons_or_windows_1252_reads_the_same():
    rows = [DECIDED_HEADER, ["King’s Lynn & West Norfolk Borough Council", "District", "Housing", 1, 0, 2, 0, 3, 4,
                             10, "57"]]  # fmt: skip
    plain = read_data_file(csv_bytes(rows), CSV_LINK)
    with_bom = read_data_file(b"\xef\xbb\xbf" + csv_bytes(rows), CSV_LINK)
    semicolons = read_data_file(csv_bytes(rows, delimiter=";"), CSV_LINK)
    windows = read_data_file(csv_bytes(rows, encoding="cp1252"), CSV_LINK)
    for other in (with_bom, semicolons, windows):
        assert other.values == plain.values
    assert plain.values[0].printed_name == "King’s Lynn & West Norfolk Borough Council"
    assert plain.values[0].authority_slug == "kings-lynn-west-norfolk-borough-council"
    assert (plain.warnings, with_bom.warnings, semicolons.warnings) == ([], [], [])
    assert windows.warnings == [f"{CSV_URL}: not UTF-8; read as windows-1252"]


def test_a_csv_with_a_nul_byte_or_an_html_page_is_not_read():
    rows = csv_bytes([DECIDED_HEADER, ["Kent County Council", "County", "Housing", 1, 0, 2, 0, 3, 4, 10, 57]])
    with pytest.raises(DataFileError, match=rf"^{CSV_URL}: expected a CSV \(text\), found a binary file$"):
        read_data_file(rows[:100] + b"\x00" + rows[100:], CSV_LINK)
    with pytest.raises(DataFileError, match=rf"^{CSV_URL}: expected a CSV, found an HTML page$"):
        read_data_file(b"\r\n  <!DOCTYPE HTML><html><body>Page not found</body></html>", CSV_LINK)


KENT_DECIDED = ["Kent County Council", "County", "Housing", 1, 0, 2, 0, 3, 4, 10, 57]


def test_a_csv_is_read_to_its_row_limit_and_no_further(monkeypatch):
    monkeypatch.setattr(datafiles, "MAX_ROWS", 4)  # 100,000 on the site; the same check at any number
    rows = [DECIDED_HEADER, KENT_DECIDED, [""], [""]]
    assert {v.row for v in read_data_file(csv_bytes(rows), CSV_LINK).values} == {2}
    with pytest.raises(DataFileError, match=rf"^{CSV_URL}: more than 4 rows$"):
        read_data_file(csv_bytes([*rows, [""]]), CSV_LINK)


def test_a_workbook_sheet_is_read_to_its_row_limit_and_no_further(monkeypatch):
    monkeypatch.setattr(datafiles, "MAX_ROWS", 4)
    rows = [DECIDED_HEADER, KENT_DECIDED, ["Notes"], ["Source: Local Government and Social Care Ombudsman"]]
    assert {v.row for v in read_data_file(workbook_bytes({"Decided": rows}), XLSX_LINK).values} == {2}
    with pytest.raises(DataFileError, match=rf"^{XLSX_URL}: sheet 'Decided' has more than 4 rows$"):
        read_data_file(workbook_bytes({"Decided": [*rows, ["* Figures are provisional"]]}), XLSX_LINK)


def test_a_byte_neither_utf_8_nor_windows_1252_is_replaced_and_the_rest_read():
    rows = [DECIDED_HEADER, KENT_DECIDED]
    plain = read_data_file(csv_bytes(rows), CSV_LINK)
    odd = read_data_file(csv_bytes(rows) + b"Source: the Ombudsman\x81s casework system\r\n", CSV_LINK)
    assert odd.values == plain.values
    assert odd.warnings == [
        f"{CSV_URL}: not UTF-8; read as windows-1252",
        f"{CSV_URL}: 1 note row(s) recognised and left out",
    ]


def test_a_file_of_headers_only_has_no_council_figures():
    with pytest.raises(DataFileError, match=rf"^{CSV_URL}: no council figures in any sheet$"):
        read_data_file(csv_bytes([DECIDED_HEADER]), CSV_LINK)


# --- XLSX: sheets, cells shown as percentages, zip checks ----------------------------------------


def test_a_workbook_reads_each_sheet_under_its_name_with_its_cells_as_shown():
    notes = [["Complaints 2023-24"], ["These tables give the complaints we received and decided."]]
    decided = [["Complaints decided 2023-24"], DECIDED_HEADER,
               ["Kent County Council", "County", "Housing", 1.0, 0, 2, True, 3, 4, 10.0, 0.571],
               ["Luton Borough Council", "Unitary", "Housing", 0, 0, 0, 0, 1, 1, 2, 0.5],
               ["Source: Local Government and Social Care Ombudsman"]]  # fmt: skip
    body = workbook_bytes({"Notes": notes, "Decided": decided}, percent_cells=[("Decided", "K3")])
    read = read_data_file(body, XLSX_LINK)
    kent = by_cell(v for v in read.values if v.printed_name == "Kent County Council")
    assert [
        (kent[("Kent County Council", "Housing", h)].value, kent[("Kent County Council", "Housing", h)].raw)
        for h in DECIDED_HEADER[3:]
    ] == [  # fmt: skip
        (1, "1"),
        (0, "0"),
        (2, "2"),
        (None, "True"),
        (3, "3"),
        (4, "4"),
        (10, "10"),
        (57.1, "57.1%"),
    ]
    luton_rate = by_cell(read.values)[("Luton Borough Council", "Housing", "Uphold rate (%)")]
    assert (luton_rate.value, luton_rate.raw) == (
        0.5,
        "0.5",
    )  # a fraction not shown as a percentage: as stored
    assert {(v.sheet, v.source_file) for v in read.values} == {("Decided", XLSX_URL)}
    assert {v.row for v in read.values if v.printed_name == "Kent County Council"} == {3}
    assert read.warnings == [
        f"{XLSX_URL} sheet 'Notes': no data table (no header row): sheet skipped",
        f"{XLSX_URL} sheet 'Decided': column 'Closed after initial enquiries': 1 cell(s) not numbers (e.g. 'True'): "
        "stored NULL with their text",
        f"{XLSX_URL} sheet 'Decided': 1 note row(s) recognised and left out",
    ]


def test_a_sheet_of_figures_without_a_header_fails_even_when_its_numbers_are_text():
    body = workbook_bytes({"Decided": [["Kent County Council", "1,234"]]})
    with pytest.raises(
        DataFileError, match=rf"^{XLSX_URL} sheet 'Decided': no header row in its first 30 rows"
    ):
        read_data_file(body, XLSX_LINK)
    body = workbook_bytes({"Decided": [["Kent County Council", 3.5]]})
    with pytest.raises(DataFileError, match="no header row"):
        read_data_file(body, XLSX_LINK)


def test_a_damaged_or_unopenable_workbook_fails_naming_the_file():
    with pytest.raises(DataFileError, match=rf"^{XLSX_URL}: expected an XLSX, found a damaged zip \("):
        read_data_file(b"PK\x03\x04" + b"\x00" * 200, XLSX_LINK)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-a-workbook/>")
    with pytest.raises(
        DataFileError,
        match=rf"^{XLSX_URL}: expected an XLSX workbook, openpyxl could not open it \(KeyError: ",
    ):
        read_data_file(out.getvalue(), XLSX_LINK)
    page = b'<!DOCTYPE html><html lang="en"><head><title>Page not found</title></head></html>'
    with pytest.raises(DataFileError) as raised:
        read_data_file(page, XLSX_LINK)
    assert (
        str(raised.value)
        == f"{XLSX_URL}: expected an XLSX (a zip), found '<!DOCTYPE html><html lang=\"en\"><head><ti'"
    )
    with pytest.raises(DataFileError) as raised:
        read_data_file(b"\r\n" * 10 + b"     " + page, XLSX_LINK)
    assert (
        str(raised.value)
        == f"{XLSX_URL}: expected an XLSX (a zip), found '<!DOCTYPE html><html lang=\"en\"><hea'"
    )
    with pytest.raises(
        DataFileError, match=rf"^{XLSX_URL}: expected an XLSX \(a zip\), found 'Complaints decided'$"
    ):
        read_data_file(b"  Complaints decided" + b" " * 100 + b"2023-24", XLSX_LINK)


def test_a_workbook_with_a_large_well_compressed_member_under_the_limits_is_read():
    decided = [DECIDED_HEADER, KENT_DECIDED]
    body = workbook_bytes(
        {"Decided": decided}, extra_members=[("docProps/padding.bin", b"\0" * (1024 * 1024))]
    )
    assert len(read_data_file(body, XLSX_LINK).values) == 8
    body = workbook_bytes(
        {"Decided": decided}, extra_members=[("docProps/padding.bin", b"\0" * (1024 * 1024 + 1))]
    )
    with pytest.raises(DataFileError, match=r"zip member docProps/padding\.bin inflates \d+ times over"):
        read_data_file(body, XLSX_LINK)


def test_a_workbook_with_a_large_picture_that_hardly_compresses_is_read():
    picture = random.Random(26).randbytes(3 * 1024 * 1024 // 2)
    body = workbook_bytes(
        {"Decided": [DECIDED_HEADER, KENT_DECIDED]}, extra_members=[("xl/media/image1.png", picture)]
    )
    assert len(read_data_file(body, XLSX_LINK).values) == 8


def test_a_workbook_inflating_to_exactly_the_limit_is_opened_and_one_byte_more_is_not(monkeypatch):
    body = workbook_bytes({"Decided": [DECIDED_HEADER, KENT_DECIDED]})
    inflated = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(body)).infolist())
    monkeypatch.setattr(datafiles, "MAX_UNZIPPED_BYTES", inflated)
    assert len(read_data_file(body, XLSX_LINK).values) == 8
    monkeypatch.setattr(datafiles, "MAX_UNZIPPED_BYTES", inflated - 1)
    with pytest.raises(DataFileError) as refused:
        read_data_file(body, XLSX_LINK)
    assert str(refused.value) == (
        f"{XLSX_URL}: its zip members inflate to {inflated:,} bytes, over the {inflated - 1:,} limit (a zip bomb?): "
        "not opened"
    )


def test_a_total_worked_out_by_a_formula_is_read_as_the_value_excel_saved():
    body = workbook_bytes({"Decided": [DECIDED_HEADER, [*KENT_DECIDED[:9], "=SUM(D2:I2)", 57]]})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(body)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as saved,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>SUM(D2:I2)</f><v></v>" in data
                data = data.replace(b"<f>SUM(D2:I2)</f><v></v>", b"<f>SUM(D2:I2)</f><v>10.0</v>")
            saved.writestr(member, data)
    [total] = [v for v in read_data_file(out.getvalue(), XLSX_LINK).values if v.column_header == "Total"]
    assert (total.value, total.raw) == (10, "10")


# --- the hub: which links are data files, their year, and which one is read ------------------------


def test_a_hub_link_named_only_by_its_text_takes_its_format_from_it():
    html = """<p><a href="/">Home</a> <a href="/information-centre">Information centre</a></p>
    <h1>Local government complaint reviews</h1>
    <h2>Review of Local Government Complaints 2022-23</h2>
    <p><a href="/assets/attach/9/about">About our complaints data</a></p>
    <p><a href="/download?id=7">Complaints decided (Excel)</a> <a href="/download?id=8">Complaints decided (CSV)</a></p>
    <h2>How we publish</h2>
    <p><a href="/download?id=9">Complaints received 2021/22 xlsx</a></p>
    <a href="/download?id=10">Remedy and compliance data (XLSX)</a>"""
    found = parse_hub(html, HUB)
    assert [(f.year, f.label, f.url, f.file_format, f.source_url) for f in found] == [
        ("2022-23", "Complaints decided (Excel)", BASE + "/download?id=7", "xlsx", HUB),
        ("2022-23", "Complaints decided (CSV)", BASE + "/download?id=8", "csv", HUB),
        ("2021-22", "Complaints received 2021/22 xlsx", BASE + "/download?id=9", "xlsx", HUB),
        ("2022-23", "Remedy and compliance data (XLSX)", BASE + "/download?id=10", "xlsx", HUB),
    ]
    assert [data_set(f) for f in found] == ["complaints decided", "complaints decided", "complaints received",
                                           "remedy and compliance data"]  # fmt: skip
    assert [(f.label, f.file_format) for f in files_to_read(found)] == [
        ("Complaints decided (CSV)", "csv"), ("Complaints received 2021/22 xlsx", "xlsx"),
        ("Remedy and compliance data (XLSX)", "xlsx"),
    ]  # fmt: skip


def test_a_csv_linked_first_is_kept_over_the_xlsx_after_it():
    csv_first = [
        items.DataFileLink("2023-24", "Complaints decided 2023-24 (CSV)", BASE + "/a.csv", "csv", HUB),
        items.DataFileLink("2023-24", "Complaints decided 2023-24 (XLSX)", BASE + "/a.xlsx", "xlsx", HUB),
        items.DataFileLink(
            "2023-24", "Complaints decided 2023-24 (spreadsheet file)", BASE + "/b.xlsx", "xlsx", HUB
        ),
        items.DataFileLink("2023-24", "Complaints decided 2023-24 (CSV file)", BASE + "/b.csv", "csv", HUB),
    ]
    assert [f.url for f in files_to_read(csv_first)] == [BASE + "/a.csv"]
    assert [f.url for f in files_to_read(csv_first[1:3])] == [BASE + "/a.xlsx"]
    assert [f.url for f in files_to_read(csv_first[1:])] == [BASE + "/b.csv"]


def test_a_data_file_link_without_any_year_is_a_layout_error():
    html = '<h1>Reviews</h1><p><a href="/download?id=7">Complaints decided (CSV)</a></p>'
    with pytest.raises(PageLayoutError) as raised:
        parse_hub(html, HUB)
    assert (raised.value.url, raised.value.missing) == (
        HUB,
        "data file link 'Complaints decided (CSV)' gives no statistics year",
    )


def test_a_hub_without_data_file_links_names_the_page():
    with pytest.raises(PageLayoutError) as raised:
        parse_hub('<h1>Reviews</h1><a href="/r.pdf">Review of Local Government Complaints 2024-25</a>', HUB)
    assert (raised.value.url, raised.value.missing) == (
        HUB,
        "no data file links (complaints received or decided, CSV or XLSX)",
    )


def test_a_file_name_99_00_is_no_year():
    html = """<h1>Reviews</h1><h2>Review of Local Government Complaints 2019-20</h2>
    <a href="/assets/attach/5/Complaints-Decided-99-00.csv">Complaints decided</a>"""
    assert [f.year for f in parse_hub(html, HUB)] == ["2019-20"]
    with pytest.raises(ValueError, match=r"not a data file name with a year"):
        file_link(BASE + "/assets/attach/5/Complaints-Decided-99-00.csv")


def test_a_file_name_year_needs_consecutive_halves():
    html = """<h1>Reviews</h1><h2>Review of Local Government Complaints 2019-20</h2>
    <a href="/assets/attach/5/Complaints-Decided-12-34-20-21.csv">Complaints decided</a>"""
    assert [f.year for f in parse_hub(html, HUB)] == ["2020-21"]


def test_a_data_file_known_only_by_its_url_takes_year_and_format_from_its_name():
    url = BASE + "/assets/attach/7/2-Complaints%20Decided-25-26.XLSX"
    assert file_link(url) == items.DataFileLink(
        "2025-26", "2-Complaints Decided-25-26.XLSX", url, "xlsx", url
    )
    with pytest.raises(ValueError, match=r"not a data file name with a year"):
        file_link(BASE + "/assets/attach/7/Complaints-Decided.csv")
    with pytest.raises(ValueError, match=r"not a data file name with a year"):
        file_link(BASE + "/assets/attach/7/Review-24-25.pdf")
    with pytest.raises(ValueError, match=r"not a data file name with a year"):
        file_link(BASE)


# --- rows and cells at the edges of a table ----------------------------------------------------------


def test_thirty_rows_of_figures_without_a_header_fail_naming_the_sheet_and_what_was_expected():
    rows = [["Name", "Housing total", "Planning total"]] + [[f"Council {n}", n, n + 1] for n in range(40)]
    with pytest.raises(DataFileError) as raised:
        read_data_file(workbook_bytes({"Decided": rows}), XLSX_LINK)
    assert str(raised.value) == (
        f"{XLSX_URL} sheet 'Decided': no header row in its first 30 rows (expected an organisation column beside "
        "columns of service areas, decision outcomes, or remedy and compliance figures)"
    )


def test_a_row_without_its_last_cells_reads_them_as_blank():
    rows = [DECIDED_HEADER, ["Kent County Council", "County", "Housing", 1, 0, 2, 0, 3, 4, 10]]
    read = read_data_file(csv_bytes(rows), CSV_LINK)
    rate = by_cell(read.values)[("Kent County Council", "Housing", "Uphold rate (%)")]
    assert (rate.value, rate.raw) == (None, "")
    assert len(read.values) == 8 and read.warnings == []


def test_a_header_naming_the_organisation_and_two_outcomes_is_enough():
    rows = [["Organisation", "Upheld", "Not upheld"], ["Kent County Council", "4", "3"]]
    read = read_data_file(csv_bytes(rows), CSV_LINK)
    assert [(v.concept, v.value) for v in read.values] == [("upheld", 4), ("not_upheld", 3)]


def test_a_column_of_text_names_its_first_cell():
    rows = [DECIDED_HEADER, ["Luton Borough Council", "Unitary", "Housing", 1, 2, 3, 4, "five", 6, 21, 55],
            ["Kent County Council", "County", "Housing", 1, 2, 3, 4, "none", 6, 21, 55]]  # fmt: skip
    with pytest.raises(DataFileError) as raised:
        read_data_file(csv_bytes(rows), CSV_LINK)
    assert str(raised.value) == (
        f"{CSV_URL}: column 'Not upheld' should hold numbers, but every cell is text (e.g. 'five')"
    )


def test_a_workbooks_blank_spacer_column_and_empty_cells_are_no_figures():
    header = [*DECIDED_HEADER[:3], None, *DECIDED_HEADER[3:]]
    rows = [header, ["Kent County Council", "County", "Housing", None, 1, None, 2, 0, 3, 4, 10, 57],
            ["Councils formed on 1 April 2023"]]  # fmt: skip
    read = read_data_file(workbook_bytes({"Decided": rows}), XLSX_LINK)
    assert [(v.column_header, v.value, v.raw) for v in read.values] == [
        ("Invalid or incomplete", 1, "1"), ("Advice given", None, ""), ("Referred back for local resolution", 2, "2"),
        ("Closed after initial enquiries", 0, "0"), ("Not upheld", 3, "3"), ("Upheld", 4, "4"), ("Total", 10, "10"),
        ("Uphold rate (%)", 57, "57"),
    ]  # fmt: skip
    assert read.warnings == [f"{XLSX_URL} sheet 'Decided': 1 note row(s) recognised and left out"]


def test_a_rate_shown_as_a_percentage_keeps_six_decimals():
    rows = [DECIDED_HEADER, [*KENT_DECIDED[:10], 9 / 13]]
    read = read_data_file(workbook_bytes({"Decided": rows}, percent_cells=[("Decided", "K2")]), XLSX_LINK)
    rate = by_cell(read.values)[("Kent County Council", "Housing", "Uphold rate (%)")]
    assert (rate.value, rate.raw) == (69.230769, "69.230769%")
