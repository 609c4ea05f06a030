"""The replica's annual review hub and its data files (site notes §6), rendered from the Site's figures.

Each file is built once as a `Table` (its sheets, and each sheet's rows of cells, every figure cell knowing
what a perfect reader should store for it); the CSV or XLSX bytes and the ground truth (`truth_rows`) are
both made from that one Table, so they cannot disagree. The files' columns were never seen: they follow §6's
recalled layout and §5.3's category and outcome names, in the variations a reader must survive:

- header rows offset by different amounts (0 to 5 rows of titles and blanks above them), by year;
- the table-era years (2013-14 to 2017-18) as one XLSX only, grouping received and decided on sheets of
  their own after a notes sheet, with merged title cells and rates as percentage-formatted numbers;
- 2018-19 and 2019-20 as XLSX only, later years as CSV and XLSX (the crawl reads the CSV);
- 2021-22's CSV in windows-1252 (a curly apostrophe in "King’s Lynn"), 2022-23's with "-" for zero (as the
  Luton report's Table 4 prints it) and a column the reader does not know ("Region");
- names spelled unlike the register ('&' for 'and' and back, "Borough" or "District Council" left out), one
  organisation that is no council ("Broads Authority"), a total row, an average row and a footnote;
- 2024-25 decided in the new grouping: not for us / assessed and closed / investigated.

DISAGREEMENTS are the deliberate differences from the statistics pages the cross-check must show
(truth.data_file_disagreements).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import threading
import zipfile
from datetime import datetime

from harvester.replica import published
from harvester.replica.build import (
    COMPLAINT_OVERVIEW_FROM,
    PER_100K_FROM,
    RECEIVED_SHARES,
    TABLE_ERA_YEARS,
    _split,
    percent,
    year_start,
    years_between,
)
from harvester.replica.model import STATISTICS_YEARS, Authority, Figures, Site

HUB_PATH = "/information-centre/reports/annual-review-reports/local-government-complaint-reviews"
ATTACHMENT_BASE = 6900
"""'/assets/attach/{id}/…': one id per year, as the site files a year's set under a new id (§6)."""

CATEGORIES = (
    ("adult_care", "Adult care services"),
    ("benefits_and_tax", "Benefits and tax"),
    ("corporate_and_other", "Corporate and other services"),
    ("education_and_childrens", "Education and children's services"),
    ("environment_and_regulation", "Environmental services, public protection and regulation"),
    ("highways_and_transport", "Highways and transport"),
    ("housing", "Housing"),
    ("planning_and_development", "Planning and development"),
    ("other", "Other"),
)
"""§5.3's statistics categories, in the order of build.RECEIVED_CATEGORIES."""
OUTCOMES = (
    ("invalid_or_incomplete", "Invalid or incomplete", "Incomplete or Invalid"),
    ("advice_given", "Advice given", "Advice Given"),
    ("referred_back", "Referred back for local resolution", "Referred back for Local Resolution"),
    ("closed_after_initial_enquiries", "Closed after initial enquiries", "Closed After Initial Enquiries"),
    ("not_upheld", "Not upheld", "Not Upheld"),
    ("upheld", "Upheld", "Upheld"),
)
"""(concept, header, the table-era letters' name for it): §5.3's decision outcomes before 2024-25."""
NEW_GROUPING_FROM = COMPLAINT_OVERVIEW_FROM
REMEDY_FROM = "2018-19"
CSV_FROM = "2020-21"
HEADER_OFFSETS = {
    "2018-19": 2,
    "2019-20": 2,
    "2020-21": 0,
    "2021-22": 3,
    "2022-23": 5,
    "2023-24": 4,
    "2024-25": 4,
}
"""Rows of titles and blanks above the header, by year (the table era's sheets have their own)."""
CP1252_YEAR = "2021-22"
DASH_FOR_ZERO_YEAR = "2022-23"
UNKNOWN_COLUMN_YEAR = "2022-23"
NOT_A_COUNCIL = ("Broads Authority", "District")
"""An organisation the files list that is no council of the register: stored with a NULL slug."""
DISAGREEMENTS = {("kent-county-council", "2024-25"), ("birmingham-city-council", "2024-25"),
                 ("leeds-city-council", "2023-24")}  # fmt: skip
"""(slug, year): the decided file has one more upheld and one fewer not upheld decision than the page."""


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    measure: str | None
    """None for the name, type, service area and unknown columns."""
    concept: str | None
    label: str | None = None
    """'category' when the header is the value's service area, 'outcome' when it is its outcome."""


@dataclasses.dataclass(frozen=True)
class Value:
    """A figure cell: what is written, and what a perfect reader stores for it."""

    written: object
    """str, int, or float (an XLSX percentage, formatted '0%')."""
    value: int | float | None
    raw: str


@dataclasses.dataclass
class Sheet:
    name: str
    kind: str
    columns: list[Column]
    rows: list[list] = dataclasses.field(default_factory=list)
    """Every row as written, from the top: titles, blanks, the header, councils, totals, notes."""
    councils: list[tuple[int, str, str | None, str | None, list]] = dataclasses.field(default_factory=list)
    """(row number, printed name, slug, service area, cells) of each council row."""
    merged: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DataFile:
    year: str
    label: str
    path: str
    file_format: str
    sheets: list[Sheet]


def data_years(epoch: int) -> list[str]:
    return years_between(STATISTICS_YEARS[0], published.epoch_year(epoch))


DATA_FILE_SUFFIXES = (".csv", ".xlsx")
SAVED_AT = datetime(2025, 7, 1)
"""When every replica XLSX says it was saved: a fixed time, so a file is the same bytes on every request."""


class DataFiles:
    """A Site's data files, each year's built once (the server asks for them on every hub or file request)."""

    def __init__(self, site: Site):
        self.site = site
        self._years: dict[str, list[DataFile]] = {}
        self._building = threading.Lock()
        """The server answers on many threads: a year is built by one of them while the others wait for it."""

    def year(self, year: str) -> list[DataFile]:
        with self._building:
            if year not in self._years:
                self._years[year] = _build_year(self.site, year)
            return self._years[year]

    def on_hub(self, epoch: int) -> list[DataFile]:
        """Every file the hub links in the epoch, newest year first, CSV before XLSX."""
        return [file for year in reversed(data_years(epoch)) for file in self.year(year)]

    def read(self, epoch: int) -> list[DataFile]:
        """The files a crawl reads: one per year and data set, the CSV where there is one."""
        chosen: dict[tuple[str, str], DataFile] = {}
        for file in self.on_hub(epoch):
            key = (file.year, file.label.split(" (")[0])
            if key not in chosen or file.file_format == "csv":
                chosen[key] = file
        return list(chosen.values())

    def at(self, epoch: int, path: str) -> DataFile | None:
        folded = path.rstrip("/").lower()
        if not folded.endswith(DATA_FILE_SUFFIXES):
            return None  # a letter PDF: no data file is built to answer it
        return next((file for file in self.on_hub(epoch) if file.path.lower() == folded), None)

    def render_hub(self, epoch: int) -> str:
        from harvester.replica.pages import _page

        sections = []
        for year in reversed(data_years(epoch)):
            links = "".join(f'<li><a href="{file.path}">{file.label}</a></li>' for file in self.year(year))
            report = f"/assets/attach/{_attach_id(year)}/Review-of-Local-Government-Complaints-{year}.pdf"
            sections.append(
                f"<h2>Review of Local Government Complaints {year}</h2>"
                f'<p><a href="{report}">Review of Local Government Complaints {year}</a></p>'
                f"<p>Data tables for {year}:</p><ul>{links}</ul>"
            )
        body = (
            "<h1>Local government complaint reviews</h1><p>Each year we publish our Review of Local Government "
            "Complaints, with complaint statistics for all councils in spreadsheet format.</p>"
            + "".join(sections)
        )
        return _page("Local government complaint reviews", body, body_class="hub")

    def truth_rows(self, epoch: int, base_url: str) -> list[dict]:
        """What a perfect crawl stores in annual_data: every figure cell of every file the crawl reads."""
        rows = []
        for file in self.read(epoch):
            for sheet in file.sheets:
                values = [
                    (i, c)
                    for i, c in enumerate(sheet.columns)
                    if c.concept not in ("name", "type", "category")
                ]
                for number, name, slug, area, cells in sheet.councils:
                    for index, column in values:
                        rows.append({
                            "authority_slug": slug, "printed_name": name, "year": file.year,
                            "measure": column.measure or "unknown",
                            "category": column.header if column.label == "category" else area,
                            "outcome": column.header if column.label == "outcome" else None,
                            "concept": column.concept, "value": cells[index].value, "raw": cells[index].raw,
                            "column_header": column.header, "source_file": base_url + file.path,
                            "sheet": sheet.name if file.file_format == "xlsx" else None, "row": number,
                            "source_url": base_url + HUB_PATH,
                        })  # fmt: skip
        return rows


def render_file(file: DataFile) -> tuple[bytes, str]:
    """(body, content type)."""
    if file.file_format == "csv":
        return _csv_bytes(file), "text/csv"
    return _xlsx_bytes(file), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- building a year's files -------------------------------------------------------------


def _attach_id(year: str) -> int:
    return ATTACHMENT_BASE + year_start(year) - 2000


def _listed(site: Site, year: str) -> list[tuple[Authority, Figures]]:
    listed = [(a, site.figures[(a.slug, year)]) for a in site.authorities if (a.slug, year) in site.figures]
    return sorted(listed, key=lambda pair: pair[0].name.casefold())


def printed_name(authority: Authority, year: str) -> str:
    """The name as the year's files print it: some councils spelled unlike the register, by a fixed rule."""
    name = authority.name.replace("'", "’") if year == CP1252_YEAR else authority.name
    turn = (sum(map(ord, authority.slug)) + year_start(year)) % 7
    if turn == 0 and " and " in name:
        return name.replace(" and ", " & ")
    if turn == 1 and " & " in name:
        return name.replace(" & ", " and ")
    if turn == 2 and name.endswith(" Borough Council"):
        return name.removesuffix(" Borough Council") + " Council"
    if turn == 3 and name.endswith(" District Council"):
        return name.removesuffix(" District Council")
    return name


def _rng(site: Site, authority: Authority, year: str) -> random.Random:
    return random.Random(f"{site.seed}/{authority.slug}/{year}/datafiles")


def _received(site: Site, authority: Authority, figures: Figures) -> list[int]:
    if figures.received_by_category:
        return list(figures.received_by_category.values())
    rng = _rng(site, authority, figures.year)
    total = round((figures.investigations * 3 + 2) * rng.uniform(0.92, 1.08))
    return _split(rng, total, RECEIVED_SHARES[authority.kind])


def decided_totals(site: Site, authority: Authority, figures: Figures) -> dict[str, int]:
    """Each outcome's decisions over all service areas (the page's counts, but for DISAGREEMENTS)."""
    shift = int((authority.slug, figures.year) in DISAGREEMENTS)
    upheld, not_upheld = (
        figures.upheld_decisions + shift,
        figures.investigations - figures.upheld_decisions - shift,
    )
    if figures.year >= NEW_GROUPING_FROM:
        return {"not_for_us": figures.not_for_us or 0, "assessed_and_closed": figures.assessed_and_closed or 0,
                "upheld": upheld, "not_upheld": not_upheld}  # fmt: skip
    if figures.decided_by_outcome:
        totals = {concept: figures.decided_by_outcome[letter_name] for concept, _, letter_name in OUTCOMES}
    else:
        rng = _rng(site, authority, figures.year)
        inv = figures.investigations
        totals = dict(
            zip(
                [c for c, _, _ in OUTCOMES[:4]],
                (round(inv * f * rng.uniform(0.7, 1.3)) for f in (0.35, 0.08, 1.3, 1.5)),
                strict=True,
            )
        )
    return totals | {"upheld": upheld, "not_upheld": not_upheld}


def _by_area(site: Site, authority: Authority, figures: Figures) -> list[dict[str, int]]:
    """The decided totals split over the nine service areas, in proportion to the complaints received."""
    rng = _rng(site, authority, figures.year + "/areas")
    weights = [count + 0.5 for count in _received(site, authority, figures)]
    areas: list[dict[str, int]] = [{} for _ in CATEGORIES]
    for concept, total in decided_totals(site, authority, figures).items():
        for area, part in zip(areas, _split(rng, total, weights), strict=True):
            area[concept] = part
    return areas


def _count(number: int, year: str, file_format: str) -> Value:
    if file_format == "csv" and year == DASH_FOR_ZERO_YEAR and number == 0:
        return Value("-", None, "-")
    if file_format == "csv" and number >= 1000:
        return Value(f"{number:,}", number, f"{number:,}")
    return Value(number if file_format == "xlsx" else str(number), number, str(number))


def _rate(pct: int | float | None, year: str, file_format: str, blank: str = "n/a") -> Value:
    if pct is None:
        return Value(blank, None, blank)
    if file_format == "xlsx":
        return Value(pct / 100, pct, f"{pct}%")
    shown = f"{pct}%" if year_start(year) % 2 else str(pct)
    return Value(shown, pct, shown)


def _title_rows(title: str, offset: int) -> list[list]:
    if offset == 0:
        return []
    rows: list[list] = [[title]] + [[] for _ in range(offset - 1)]
    if offset >= 3:
        rows[1] = ["Source: Local Government and Social Care Ombudsman"]
    return rows


def _finish(sheet: Sheet, file_format: str, notes: bool) -> None:
    if notes:
        sheet.rows.append([])
        sheet.rows.append(["* Figures are for complaints and enquiries in the year 1 April to 31 March."])


def _received_sheet(site: Site, year: str, file_format: str, offset: int, name: str = "Received") -> Sheet:
    columns = [Column("Organisation", None, "name"), Column("Authority type", None, "type")]
    columns += [Column(header, "received", concept, "category") for concept, header in CATEGORIES]
    columns.append(Column("Total", "received", "total"))
    if year == UNKNOWN_COLUMN_YEAR:
        columns.append(Column("Region", None, None))
    sheet = Sheet(name, "received", columns)
    sheet.rows = _title_rows(f"Complaints and enquiries received {year}", offset)
    sheet.rows.append([column.header for column in columns])
    grand = 0
    for authority, figures in _listed(site, year):
        counts = _received(site, authority, figures)
        cells = [Value(printed_name(authority, year), None, ""), Value(authority.kind, None, "")]
        cells += [_count(count, year, file_format) for count in counts]
        cells.append(_count(sum(counts), year, file_format))
        grand += sum(counts)
        if year == UNKNOWN_COLUMN_YEAR:
            region = _region(authority)
            cells.append(Value(region, None, region))
        _add_council(sheet, authority, year, None, cells)
    _add_broads(sheet, year, file_format, len(CATEGORIES) + 1, "received")
    sheet.rows.append(["Total", ""] + [""] * len(CATEGORIES) + [_count(grand, year, file_format).written])
    _finish(sheet, file_format, notes=True)
    return sheet


def _region(authority: Authority) -> str:
    from harvester import register

    try:
        return register.find(authority.slug).region
    except register.RegisterError:
        return ""


def _decided_sheet(site: Site, year: str, file_format: str, offset: int, name: str = "Decided") -> Sheet:
    columns = [Column("Organisation", None, "name"), Column("Authority type", None, "type"),
               Column("Service area", None, "category")]  # fmt: skip
    new_grouping = year >= NEW_GROUPING_FROM
    if new_grouping:
        concepts = [("not_for_us", "Not for us"), ("assessed_and_closed", "Assessed and closed"),
                    ("investigated", "Investigated"), ("upheld", "Upheld"), ("not_upheld", "Not upheld")]  # fmt: skip
    else:
        concepts = [(concept, header) for concept, header, _ in OUTCOMES]
    columns += [Column(header, "decided", concept, "outcome") for concept, header in concepts]
    columns.append(Column("Total", "decided", "total"))
    if not new_grouping:
        columns.append(Column("Uphold rate (%)", "upheld_pct", "upheld_pct"))
    sheet = Sheet(name, "decided", columns)
    sheet.rows = _title_rows(f"Complaints decided {year}", offset)
    sheet.rows.append([column.header for column in columns])
    for authority, figures in _listed(site, year):
        for (_, area_name), area in zip(CATEGORIES, _by_area(site, authority, figures), strict=True):
            area = area | {"investigated": area["upheld"] + area["not_upheld"]}
            counts = [area[concept] for concept, _ in concepts]
            total = sum(area[c] for c in area if c not in ("upheld", "not_upheld"))
            if not new_grouping:
                total = sum(counts)
            cells = [Value(printed_name(authority, year), None, ""), Value(authority.kind, None, ""),
                     Value(area_name, None, "")]  # fmt: skip
            cells += [_count(count, year, file_format) for count in counts]
            cells.append(_count(total, year, file_format))
            if not new_grouping:
                investigated = area["upheld"] + area["not_upheld"]
                rate = percent(area["upheld"], investigated) if investigated else None
                cells.append(_rate(rate, year, file_format, blank="-"))
            _add_council(sheet, authority, year, area_name, cells)
    totals = [cells[len(concepts) + 3].value or 0 for *_, cells in sheet.councils]
    average = _count(round(sum(totals) / max(len(totals), 1)), year, file_format).written
    sheet.rows.append(["Average", "", ""] + [""] * len(concepts) + [average])  # under the Total column
    _finish(sheet, file_format, notes=True)
    return sheet


def _remedy_sheet(site: Site, year: str, file_format: str, offset: int) -> Sheet:
    columns = [Column("Organisation", None, "name"), Column("Authority type", None, "type"),
               Column("Upheld decisions", "upheld_decisions", "upheld_decisions"),
               Column("Satisfactory remedy decisions", "remedy_decisions", "remedy_decisions"),
               Column("Satisfactory remedy rate (%)", "remedy_pct", "remedy_pct"),
               Column("Average satisfactory remedy rate for similar authorities (%)", "remedy_avg_pct",
                      "remedy_avg_pct"),
               Column("Compliance outcomes", "compliance_outcomes", "compliance_outcomes"),
               Column("Compliance rate (%)", "compliance_pct", "compliance_pct"),
               Column("Average compliance rate for similar authorities (%)", "compliance_avg_pct",
                      "compliance_avg_pct")]  # fmt: skip
    per_100k = year >= PER_100K_FROM
    if per_100k:
        columns += [Column("Upheld decisions per 100,000 residents", "upheld_per_100k", "upheld_per_100k"),
                    Column("Average for similar authorities per 100,000 residents", "upheld_per_100k_avg",
                           "upheld_per_100k_avg")]  # fmt: skip
    sheet = Sheet("Remedy and compliance", "remedy", columns)
    sheet.rows = _title_rows(f"Remedy and compliance {year}", offset)
    sheet.rows.append([column.header for column in columns])
    for authority, figures in _listed(site, year):
        cells = [Value(printed_name(authority, year), None, ""), Value(authority.kind, None, ""),
                 _count(figures.upheld_decisions, year, file_format),
                 _count(figures.remedy_decisions, year, file_format),
                 _rate(figures.remedy_pct, year, file_format), _rate(figures.remedy_avg_pct, year, file_format),
                 _count(figures.compliance_outcomes, year, file_format),
                 _rate(figures.compliance_pct, year, file_format),
                 _rate(figures.compliance_avg_pct, year, file_format)]  # fmt: skip
        if per_100k:
            cells += [
                _plain(figures.upheld_per_100k, file_format),
                _plain(figures.upheld_per_100k_avg, file_format),
            ]
        _add_council(sheet, authority, year, None, cells)
    _finish(sheet, file_format, notes=False)
    return sheet


def _plain(number: float | None, file_format: str) -> Value:
    if number is None:
        return Value("n/a", None, "n/a")
    shown = int(number) if float(number).is_integer() else number
    return Value(shown if file_format == "xlsx" else str(shown), shown, str(shown))


def _add_council(sheet: Sheet, authority: Authority, year: str, area: str | None, cells: list[Value]) -> None:
    sheet.rows.append([cell.written for cell in cells])
    slug = None if authority is None else authority.slug
    sheet.councils.append((len(sheet.rows), cells[0].written, slug, area, cells))


def _add_broads(sheet: Sheet, year: str, file_format: str, figures: int, kind: str) -> None:
    """The organisation that is no council: its name matches nothing in the register."""
    name, authority_type = NOT_A_COUNCIL
    counts = [1] + [0] * (figures - 2) + [1]
    cells = [Value(name, None, ""), Value(authority_type, None, "")]
    cells += [_count(count, year, file_format) for count in counts]
    if year == UNKNOWN_COLUMN_YEAR:
        cells.append(Value("East of England", None, "East of England"))
    sheet.rows.append([cell.written for cell in cells])
    sheet.councils.append((len(sheet.rows), name, None, None, cells))


def _build_year(site: Site, year: str) -> list[DataFile]:
    attach = f"/assets/attach/{_attach_id(year)}"
    short = f"{year[2:4]}-{year[5:7]}"
    if year in TABLE_ERA_YEARS:
        notes = Sheet("Notes", "notes", [])
        notes.rows = [
            [f"Complaints and enquiries received and decisions made {year}"],
            [],
            ["These tables give the complaints and enquiries we received and the decisions we made."],
        ]
        received = _received_sheet(site, year, "xlsx", 2)
        decided = _decided_sheet(site, year, "xlsx", 3)
        for sheet in (received, decided):
            sheet.merged.append("A1:F1")
        label = f"Complaints and enquiries received and decisions made {year} (XLSX)"
        return [DataFile(year, label, f"{attach}/Complaints-received-and-decided-{short}.xlsx", "xlsx",
                         [notes, received, decided])]  # fmt: skip
    offset = HEADER_OFFSETS[year]
    files = []
    formats = ("csv", "xlsx") if year >= CSV_FROM else ("xlsx",)
    for number, (stem, title, build) in enumerate(
        (("Complaints-Received", "Complaints received", _received_sheet),
         ("Complaints-Decided", "Complaints decided", _decided_sheet),
         ("Remedy-and-compliance", "Remedy and compliance", _remedy_sheet)), start=1,
    ):  # fmt: skip
        for file_format in formats:
            sheet = build(site, year, file_format, offset)
            files.append(DataFile(year, f"{title} {year} ({file_format.upper()})",
                                  f"{attach}/{number}-{stem}-{short}.{file_format}", file_format, [sheet]))  # fmt: skip
    return files


def _csv_bytes(file: DataFile) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in file.sheets[0].rows:
        writer.writerow(row)
    encoding = "cp1252" if file.year == CP1252_YEAR else "utf-8"
    return out.getvalue().encode(encoding)


def _xlsx_bytes(file: DataFile) -> bytes:
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in file.sheets:
        worksheet = workbook.create_sheet(sheet.name)
        for row in sheet.rows:
            worksheet.append(row)
        for number, *_, cells in sheet.councils:
            for index, cell in enumerate(cells):
                if isinstance(cell.written, float) and cell.raw.endswith("%"):
                    worksheet.cell(row=number, column=index + 1).number_format = "0%"
        for cells in sheet.merged:
            worksheet.merge_cells(cells)
    # The same file is the same bytes, as on the real site. openpyxl's save_workbook stamps the time of saving into
    # the document's properties, and zipfile into every entry, which gave each request a new sha256.
    workbook.properties.created = workbook.properties.modified = SAVED_AT
    saved = io.BytesIO()
    with zipfile.ZipFile(saved, "w") as archive:
        ExcelWriter(workbook, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as written, zipfile.ZipFile(out, "w") as fixed:
        for entry in written.infolist():
            stamped = zipfile.ZipInfo(entry.filename, SAVED_AT.timetuple()[:6])
            stamped.compress_type = zipfile.ZIP_DEFLATED
            fixed.writestr(stamped, written.read(entry))
    return out.getvalue()
