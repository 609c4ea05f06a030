"""Reading the Ombudsman's annual data files (CSV and XLSX) by their wording, never by position.

The files' exact columns were never seen (site notes §6: "the layout has headers offset by several rows"),
only the category and outcome names of §5.3. So each sheet's header row is found by its wording anywhere in
its first rows (an organisation column beside columns naming service areas, outcomes or remedy and
compliance figures), each column is mapped by its wording to what it holds, and the rows below are read as
councils, with total, average and note rows recognised and left out. Numbers are read as printed: '1,234',
'69%'; '-', 'n/a' or a blank is NULL with its text kept. What the reader does not understand is said, never
guessed: an unknown column is kept under its printed header (measure 'unknown') and warned about; a sheet
without a recognisable header, a file that is not what its name says, a zip that would inflate past the
limit, a number column full of text, or a known column missing from a file of its kind fail the file.

Files are untrusted: an XLSX is a zip, so its members' sizes are checked before openpyxl opens it (read-only,
streaming), and a CSV is decoded as UTF-8, else windows-1252.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from harvester import items, pdftext, register

HEADER_SEARCH_ROWS = 30
"""The header row is looked for in this many rows from the top of a sheet."""
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
"""An XLSX whose members together would inflate past this is refused unopened (a zip bomb)."""
MAX_MEMBER_RATIO = 200
"""...as is one whose member inflates more than this many times over (spreadsheet XML compresses ~10x)."""
MAX_ROWS = 100_000
"""Rows read from one sheet: a council file has a few hundred, a care provider file a few thousand."""
NOT_A_NUMBER = {"", "-", "–", "—", "n/a", "na", "n.a.", "*", "x", "..", ":"}
"""Cells that say "no figure": NULL, their text kept, not warned about one by one."""


class DataFileError(ValueError):
    """A data file the reader cannot read soundly: the message names the file and what was expected."""


@dataclass(frozen=True)
class Concept:
    name: str
    """'housing', 'upheld', 'remedy_pct', ... (stored as annual_data.concept)."""
    measure: str | None
    """What a value under the column is (annual_data.measure); None for the name, type and category columns."""
    kind: str
    """The kind of file the column belongs to: 'received', 'decided', 'remedy', or 'any'."""
    pattern: re.Pattern[str]


def _concept(name: str, measure: str | None, kind: str, pattern: str) -> Concept:
    return Concept(name, measure, kind, re.compile(pattern, re.IGNORECASE))


CONCEPTS = (
    # Order matters: the first whose wording matches a header wins.
    _concept(
        "name",
        None,
        "any",
        r"^(?:organisation|organization|local authority|authority|council|provider)"
        r"(?: name)?$|^name$",
    ),  # fmt: skip
    _concept("type", None, "any", r"\btype\b"),
    _concept(
        "category", None, "decided", r"^(?:category|service area|service|main category|service category)$"
    ),
    _concept(
        "upheld_per_100k_avg", "upheld_per_100k_avg", "remedy", r"(?=.*100,?000)(?=.*(?:average|similar))"
    ),
    _concept("upheld_avg_pct", "upheld_avg_pct", "decided", r"(?=.*uph)(?=.*(?:average|similar))"),
    _concept("remedy_avg_pct", "remedy_avg_pct", "remedy", r"(?=.*remed)(?=.*(?:average|similar))"),
    _concept(
        "compliance_avg_pct", "compliance_avg_pct", "remedy", r"(?=.*complian)(?=.*(?:average|similar))"
    ),
    _concept("upheld_per_100k", "upheld_per_100k", "remedy", r"100,?000"),
    _concept("upheld_pct", "upheld_pct", "decided", r"uphold rate|upheld\s*(?:rate|%|\(%\))|%\s*upheld"),
    _concept("remedy_pct", "remedy_pct", "remedy", r"(?=.*remed)(?=.*(?:rate|%))"),
    _concept("compliance_pct", "compliance_pct", "remedy", r"(?=.*complian)(?=.*(?:rate|%))"),
    _concept("remedy_decisions", "remedy_decisions", "remedy", r"satisfactory remed"),
    _concept("compliance_outcomes", "compliance_outcomes", "remedy", r"complian"),
    _concept("upheld_decisions", "upheld_decisions", "remedy", r"^upheld decisions$"),
    _concept("invalid_or_incomplete", "decided", "decided", r"invalid|incomplete"),
    _concept("advice_given", "decided", "decided", r"\badvice\b"),
    _concept("referred_back", "decided", "decided", r"referred|premature"),
    _concept("closed_after_initial_enquiries", "decided", "decided", r"closed after|initial enquiries"),
    _concept("not_for_us", "decided", "decided", r"not for us"),
    _concept("assessed_and_closed", "decided", "decided", r"assessed and closed"),
    _concept("investigated", "decided", "decided", r"^(?:investigated|investigations?)$"),
    _concept("not_upheld", "decided", "decided", r"^not upheld$"),
    _concept("upheld", "decided", "decided", r"^upheld$"),
    _concept("adult_care", "received", "received", r"\badult"),
    _concept("benefits_and_tax", "received", "received", r"\bbenefit"),
    _concept("corporate_and_other", "received", "received", r"\bcorporate"),
    _concept("education_and_childrens", "received", "received", r"\beducation|\bchildren"),
    _concept("environment_and_regulation", "received", "received", r"\benvironment"),
    _concept("highways_and_transport", "received", "received", r"\bhighway|\btransport"),
    _concept("housing", "received", "received", r"^housing$"),
    _concept("planning_and_development", "received", "received", r"\bplanning"),
    _concept("other", "received", "received", r"^other\b"),
    _concept("total", None, "any", r"^(?:grand\s+)?total\b"),
)
REQUIRED = {
    "received": {"name", "adult_care", "benefits_and_tax", "corporate_and_other", "education_and_childrens",
                 "environment_and_regulation", "highways_and_transport", "housing", "planning_and_development",
                 "other"},
    "decided": {"name", "upheld", "not_upheld"},
    "remedy": {"name", "remedy_decisions", "compliance_outcomes"},
}  # fmt: skip
"""The columns a file of each kind must have: one that disappears fails the file loudly."""
MIN_KNOWN_COLUMNS = 2
"""A header row names the organisation and at least this many columns of one kind of file."""

TOTAL_ROW = re.compile(r"^(?:grand\s+)?totals?\b|^all\s+(?:councils|authorities|organisations)\b|^england\b",
                       re.IGNORECASE)  # fmt: skip
AVERAGE_ROW = re.compile(r"^(?:average|mean|median)\b", re.IGNORECASE)
NOTE_ROW = re.compile(r"^(?:\*|†|‡|notes?\b|source\b|\d+[.)]\s|\(\d+\))", re.IGNORECASE)
NOTE_LENGTH = 80
"""A name cell this long is a sentence (a footnote), not an organisation."""
NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(%?)")
WORKER_TIMEOUT = 120.0
"""Seconds a worker process may spend reading one file: the largest XLSX of the replica takes under a second of
CPU, so this only stops a file built to hang the reader, even on a loaded machine."""


@dataclass
class Reading:
    values: list[items.AnnualDataValue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmatched_names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Cell:
    value: object
    """A str (CSV, XLSX text), int or float (XLSX numbers), or None (empty)."""
    percent_format: bool = False
    """An XLSX number shown as a percentage (0.69 shown '69%')."""


@dataclass(frozen=True)
class Table:
    """A sheet's header as read: what kind of file it is and which column holds what."""

    where: str
    """The file, and the sheet of an XLSX: how every message names it."""
    sheet: str | None
    kind: str
    header_row: int
    name_column: int
    category_column: int | None
    value_columns: list[tuple[int, str, Concept | None]]
    """(index, header as printed, what it holds; None for a column the reader does not know)."""


def read_data_file(content: bytes, link: items.DataFileLink) -> items.DataFile:
    """Every value of one data file; raises DataFileError naming the file and what it expected."""
    reading = Reading()
    for sheet, rows in sheets(content, link, reading):
        _read_sheet(rows, sheet, link, reading)
    if not reading.values:
        raise DataFileError(f"{link.url}: no council figures in any sheet")
    return items.DataFile(
        link=link,
        sha256=hashlib.sha256(content).hexdigest(),
        byte_size=len(content),
        values=reading.values,
        warnings=reading.warnings,
        unmatched_names=reading.unmatched_names,
        content=content,
    )


def read_in_worker(content: bytes, link: items.DataFileLink) -> items.DataFile:
    """read_data_file in one of harvester.pdftext's worker processes, under their time and memory bounds, so a
    crawl's one thread only receives the values (reading a full crawl's files, mostly openpyxl's XML, costs
    ~6 s of CPU). Raises what read_data_file raises; pdftext.PdfError when the worker timed out, ran out of
    memory or died; pdftext.ReadInterrupted when a signal from outside stopped it."""
    try:
        return pdftext.call(read_data_file, content, link, timeout=WORKER_TIMEOUT)
    except pdftext.CallRaised as raised:
        raise raised.error from None


def read_data_file_item(content: bytes, link: items.DataFileLink) -> items.DataFile | items.CrawlError:
    """A fetched data file as the crawl stores it: its values, read in a worker (read_in_worker), or the recorded
    error saying why not, as harvester.letters.read_letter answers for a letter."""
    def error(kind: str, message: str) -> items.CrawlError:
        return items.CrawlError(link.url, None, "datafile", kind, message)

    try:
        return read_in_worker(content, link)
    except DataFileError as failure:
        return error("layout", str(failure))
    except pdftext.ReadInterrupted as failure:
        return error("interrupted", pdftext.read_again(failure))
    except pdftext.PdfError as failure:  # the worker timed out, ran out of memory or died: a file built to hurt it
        return error("layout", f"{link.url}: not read: {failure.reason}")
    except Exception as failure:  # noqa: BLE001 - a reader bug is a recorded run error, not a lost crawl
        return error("internal", f"{type(failure).__name__}: {failure}")


def sheets(
    content: bytes, link: items.DataFileLink, reading: Reading
) -> Iterator[tuple[str | None, Iterable]]:
    """(sheet name or None for a CSV, its rows of Cells), checking the bytes are what the link says."""
    looks_zip = content[:4] == b"PK\x03\x04"
    if link.file_format == "csv":
        if looks_zip or b"\x00" in content[:4096]:
            raise DataFileError(f"{link.url}: expected a CSV (text), found a binary file")
        yield None, _csv_rows(content, link, reading)
        return
    if not looks_zip:
        start = content[:60].decode("latin-1").strip()[:40]
        raise DataFileError(f"{link.url}: expected an XLSX (a zip), found {start!r}")
    yield from _xlsx_sheets(content, link)


def _csv_rows(content: bytes, link: items.DataFileLink, reading: Reading) -> Iterator[list[Cell]]:
    if re.match(rb"\s*<(?:!doctype|html)", content[:200], re.IGNORECASE):
        raise DataFileError(f"{link.url}: expected a CSV, found an HTML page")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
        reading.warnings.append(f"{link.url}: not UTF-8; read as windows-1252")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if number > MAX_ROWS:
            raise DataFileError(f"{link.url}: more than {MAX_ROWS} rows")
        yield [Cell(value) for value in row]


def _xlsx_sheets(content: bytes, link: items.DataFileLink) -> Iterator[tuple[str, Iterable]]:
    import openpyxl  # only crawls that meet an XLSX pay for importing it

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise DataFileError(f"{link.url}: expected an XLSX, found a damaged zip ({error})") from None
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_UNZIPPED_BYTES:
        raise DataFileError(f"{link.url}: its zip members inflate to {inflated:,} bytes, over the "
                            f"{MAX_UNZIPPED_BYTES:,} limit (a zip bomb?): not opened")  # fmt: skip
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_MEMBER_RATIO * max(
            member.compress_size, 1
        ):
            raise DataFileError(
                f"{link.url}: zip member {member.filename} inflates {member.file_size // max(member.compress_size, 1)}"
                f" times over (a zip bomb?): not opened"
            )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise DataFileError(f"{link.url}: expected an XLSX workbook, found a zip without xl/workbook.xml")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a damaged workbook
        raise DataFileError(f"{link.url}: expected an XLSX workbook, openpyxl could not open it "
                            f"({type(error).__name__}: {error})") from None  # fmt: skip
    try:
        for worksheet in workbook.worksheets:
            yield worksheet.title, _xlsx_rows(worksheet, link)
    finally:
        workbook.close()


def _xlsx_rows(worksheet, link: items.DataFileLink) -> Iterator[list[Cell]]:
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        if number > MAX_ROWS:
            raise DataFileError(f"{link.url}: sheet {worksheet.title!r} has more than {MAX_ROWS} rows")
        yield [Cell(cell.value, "%" in (getattr(cell, "number_format", "") or "")) for cell in row]


def _read_sheet(
    rows: Iterable[list[Cell]], sheet: str | None, link: items.DataFileLink, reading: Reading
) -> None:
    where = f"{link.url}" + (f" sheet {sheet!r}" if sheet else "")
    rows = iter(rows)
    seen = []
    for number, row in enumerate(rows, start=1):
        seen.append(row)
        kind = _header_kind(row)
        if kind is not None:
            _read_rows(rows, _table(row, number, kind, where, sheet, reading), link, reading)
            return
        if number >= HEADER_SEARCH_ROWS:
            break
    if any(isinstance(cell.value, int | float) or _reads_as_number(cell.value) for row in seen for cell in row):
        raise DataFileError(
            f"{where}: no header row in its first {HEADER_SEARCH_ROWS} rows (expected an organisation column "
            "beside columns of service areas, decision outcomes, or remedy and compliance figures)"
        )
    reading.warnings.append(f"{where}: no data table (no header row): sheet skipped")


def _table(header: list[Cell], number: int, kind: str, where: str, sheet: str | None, reading: Reading) -> Table:
    columns = [(index, _text(cell.value)) for index, cell in enumerate(header)]
    columns = [(index, text, _classify(text, kind)) for index, text in columns if text]
    missing = REQUIRED[kind] - {concept.name for _, _, concept in columns if concept is not None}
    if missing:
        raise DataFileError(f"{where}: a file of complaints {kind} without the column(s) {', '.join(sorted(missing))}")
    for _, text, concept in columns:
        if concept is None:
            reading.warnings.append(f"{where}: column {text!r} not recognised: kept as measure 'unknown'")
    by_concept = {concept.name: index for index, _, concept in columns if concept is not None}
    return Table(
        where=where,
        sheet=sheet,
        kind=kind,
        header_row=number,
        name_column=by_concept["name"],
        category_column=by_concept.get("category"),
        value_columns=[(i, text, c) for i, text, c in columns if c is None or c.name not in ("name", "type", "category")],
    )


def _read_rows(rows: Iterator[list[Cell]], table: Table, link: items.DataFileLink, reading: Reading) -> None:
    with_numbers: set[int] = set()
    text_in: dict[int, list[str]] = {index: [] for index, _, _ in table.value_columns}
    skipped = {"total": 0, "average": 0, "note": 0}
    seen_keys: set[tuple] = set()
    where = table.where
    for number, row in enumerate(rows, start=table.header_row + 1):
        name = _cell_text(row, table.name_column)
        cells = {index: row[index] if index < len(row) else Cell(None) for index, _, _ in table.value_columns}
        if not any(_text(cell.value) for cell in cells.values()):
            if name:
                skipped["note"] += 1  # a sentence under the table, or a title: no figures beside it
            continue
        if not name:
            reading.warnings.append(f"{where} row {number}: figures without an organisation's name: not read")
            continue
        if TOTAL_ROW.search(name):
            skipped["total"] += 1
            continue
        if AVERAGE_ROW.search(name):
            skipped["average"] += 1
            continue
        if NOTE_ROW.search(name) or len(name) > NOTE_LENGTH:
            skipped["note"] += 1
            continue
        category = _cell_text(row, table.category_column) or None if table.category_column is not None else None
        if category is not None and TOTAL_ROW.search(category):
            category = None  # a council's row for all its service areas
        if (name, category) in seen_keys:
            raise DataFileError(f"{where} row {number}: {name!r} {category or ''} appears twice")
        seen_keys.add((name, category))
        slug = register.match_name(name, link.year)
        if slug is None and name not in reading.unmatched_names:
            reading.unmatched_names.append(name)
        for index, header_text, concept in table.value_columns:
            value, raw, readable = _figure(cells[index])
            if value is not None:
                with_numbers.add(index)
            elif not readable:
                text_in[index].append(raw)
            reading.values.append(_value(table, link, number, name, slug, category, concept, header_text, value, raw))
    for index, header_text, concept in table.value_columns:
        if text_in[index] and index not in with_numbers and concept is not None:
            raise DataFileError(f"{where}: column {header_text!r} should hold numbers, but every cell is text "
                                f"(e.g. {text_in[index][0]!r})")  # fmt: skip
        if text_in[index]:
            reading.warnings.append(f"{where}: column {header_text!r}: {len(text_in[index])} cell(s) not numbers "
                                    f"(e.g. {text_in[index][0]!r}): stored NULL with their text")  # fmt: skip
    for what, count in skipped.items():
        if count:
            reading.warnings.append(f"{where}: {count} {what} row(s) recognised and left out")


def _cell_text(row: list[Cell], index: int | None) -> str:
    return _text(row[index].value) if index is not None and index < len(row) else ""


def _value(table, link, number, name, slug, category, concept, header_text, value, raw) -> items.AnnualDataValue:
    """One figure: a received file's service area is its column, a decided file's outcome is its column."""
    is_total = concept is not None and concept.name == "total"
    measure = table.kind if is_total else concept.measure if concept is not None else "unknown"
    return items.AnnualDataValue(
        authority_slug=slug,
        printed_name=name,
        year=link.year,
        measure=measure,
        category=header_text if measure == "received" and not is_total else category,
        outcome=header_text if measure == "decided" and not is_total else None,
        concept=concept.name if concept is not None else None,
        value=value,
        raw=raw,
        column_header=header_text,
        source_file=link.url,
        sheet=table.sheet,
        row=number,
    )


def _header_kind(row: list[Cell]) -> str | None:
    """The kind of file a row is the header of ('received', 'decided', 'remedy'), or None if it is not one."""
    texts = [_text(cell.value) for cell in row if isinstance(cell.value, str)]
    if not any(CONCEPTS[0].pattern.search(text) for text in texts):
        return None
    counts = {kind: 0 for kind in REQUIRED}
    for text in texts:
        for concept in CONCEPTS:
            if concept.pattern.search(text):
                if concept.kind in counts:
                    counts[concept.kind] += 1
                break
    kind, count = max(counts.items(), key=lambda pair: pair[1])
    return kind if count >= MIN_KNOWN_COLUMNS else None


def _classify(text: str, kind: str) -> Concept | None:
    """What a header names in a file of `kind`; None for a column the reader does not know."""
    for concept in CONCEPTS:
        if concept.pattern.search(text):
            return concept if concept.kind in (kind, "any") else None
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _reads_as_number(value) -> bool:
    return isinstance(value, str) and NUMBER.fullmatch(value.strip()) is not None


def _figure(cell: Cell) -> tuple[int | float | None, str, bool]:
    """(value, text as printed, readable): NULL with its text for a cell that says "no figure" (readable)
    or says something that is not a number (not readable)."""
    value = cell.value
    if isinstance(value, bool):
        return None, str(value), False
    if isinstance(value, int | float):
        if cell.percent_format:
            shown = round(value * 100, 6)
            return _whole(shown), f"{_whole(shown)}%", True
        return _whole(value), _text(value), True
    raw = "" if value is None else str(value)
    bare = " ".join(raw.split())
    if bare.lower() in NOT_A_NUMBER:
        return None, raw, True
    match = NUMBER.fullmatch(bare)
    if match is None:
        return None, raw, False
    whole, decimals, _ = match.groups()
    return _whole(float(whole.replace(",", "") + (decimals or ""))), raw, True


def _whole(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number
