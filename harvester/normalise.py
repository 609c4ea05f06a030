"""Small pure functions that turn the site's figures, references and dates into stored values.

Each raises ValueError naming the text it could not read: a figure the parsers matched but cannot
normalise is a layout change worth hearing about, never a value to guess.
"""

from __future__ import annotations

import datetime as dt
import re

from harvester.items import AnnualStatistics

_WHITESPACE = re.compile(r"[\s\u200b]+")
_EMPHASIS = re.compile(r"^\*+|\*+$")
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")
_COUNT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_PER_100K = re.compile(r"(\d+(?:\.\d+)?)\s*%?")
CASE_REF_AS_PRINTED = r"\d{2}[\s\u00a0-]?\d{3}[\s\u00a0-]?\d{3}[A-Za-z]?\b"
"""A case reference as pages, cards and URLs print it: '24 005 444', '24-005-444', '17 002 402b' (joint cases with
the health ombudsman carry a letter, site notes §2.13). The one pattern every reader of a case reference embeds."""
CASE_REF_STORED = re.compile(r"\d{2}-\d{3}-\d{3}[a-z]?")
"""A case reference as stored: 'YY-NNN-NNN', with the printed letter in lower case."""
_CASE_REF = re.compile(r"(\d{2})[\s\u00a0-]?(\d{3})[\s\u00a0-]?(\d{3})([A-Za-z]?)")
_STATISTICS_YEAR = re.compile(r"((?:19|20)\d{2})\s*[-–/]\s*(\d{2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)\.?,?[ -](\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})")
_NUMERIC_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PERIOD = re.compile(r"(.+?) to (.+)")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
"""A month's name as dates print it, in full or abbreviated: an alternation for a case-insensitive regex."""


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (nbsp and zero-width spaces included) become one space; ends trimmed."""
    return _WHITESPACE.sub(" ", text).strip()


def _bare(text: str) -> str:
    """The figure without surrounding whitespace or markdown-style emphasis ('**69%**')."""
    return _EMPHASIS.sub("", collapse_whitespace(text)).strip()


def percent(text: str) -> int | float:
    """'69%' -> 69; '99.7%' -> 99.7. An integer stays an int so stored values read as the page shows them."""
    match = _PERCENT.fullmatch(_bare(text))
    if match is None:
        raise ValueError(f"not a percentage: {text!r}")
    value = float(match.group(1))
    if value > 100:
        raise ValueError(f"percentage above 100: {text!r}")
    return int(value) if value.is_integer() and "." not in match.group(1) else value


def count(text: str) -> int:
    """'1,234' -> 1234."""
    bare = _bare(text)
    if _COUNT.fullmatch(bare) is None:
        raise ValueError(f"not a count: {text!r}")
    return int(bare.replace(",", ""))


def per_100k(text: str) -> float:
    """'4' -> 4.0; '3.9%' -> 3.9 (early 2024-25 pages print a stray '%')."""
    match = _PER_100K.fullmatch(_bare(text))
    if match is None:
        raise ValueError(f"not a per-100,000 figure: {text!r}")
    return float(match.group(1))


def case_ref(text: str) -> str:
    """'23 020 528' (spaces, nbsp or hyphens) -> '23-020-528'; '17 002 402B' -> '17-002-402b'."""
    match = _CASE_REF.fullmatch(collapse_whitespace(text))
    if match is None:
        raise ValueError(f"not a case reference (YY NNN NNN, perhaps with a letter): {text!r}")
    year, first, second, letter = match.groups()
    return f"{year}-{first}-{second}{letter.lower()}"


def statistics_year(start_year: int) -> str:
    """2023 -> '2023-24': the year running 1 April 2023 to 31 March 2024."""
    if not 1900 <= start_year <= 2098:
        raise ValueError(f"not a plausible statistics start year: {start_year!r}")
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def statistics_year_from_letter_title_year(title_year: int) -> str:
    """'Annual Review letter 2020' covers the year ending 31 March 2020: 2020 -> '2019-20'."""
    return statistics_year(title_year - 1)


def statistics_year_from_label(text: str) -> str:
    """'2023-24', '2023/24' or '2023–24' -> '2023-24'; the two halves must be consecutive years."""
    match = _STATISTICS_YEAR.fullmatch(collapse_whitespace(text))
    if match is None:
        raise ValueError(f"not a statistics year label: {text!r}")
    start_year = int(match.group(1))
    year = statistics_year(start_year)
    if year[-2:] != match.group(2):
        raise ValueError(f"statistics year halves are not consecutive: {text!r}")
    return year


def uk_date(text: str) -> str:
    """'1 April 2023', '14 Mar 2025', '06-Nov-2025' (and 'April 1, 2020'), '01/04/2023', '01.04.2023' and
    '2023-04-01' -> ISO 'YYYY-MM-DD'. An all-numeric date is day first: a UK site never means mm/dd."""
    bare = collapse_whitespace(text)
    if numeric := _NUMERIC_DAY_MONTH_YEAR.fullmatch(bare):
        day, _, month, year = numeric.groups()
        return _iso(text, year, int(month), day)
    if iso := _ISO_DATE.fullmatch(bare):
        year, month, day = iso.groups()
        return _iso(text, year, int(month), day)
    match = _DAY_MONTH_YEAR.fullmatch(bare)
    if match is not None:
        day, month_name, year = match.groups()
    else:
        match = _MONTH_DAY_YEAR.fullmatch(bare)
        if match is None:
            raise ValueError(f"not a date: {text!r}")
        month_name, day, year = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise ValueError(f"unknown month in date: {text!r}")
    return _iso(text, year, month, day)


def _iso(text: str, year: str, month: int, day: str) -> str:
    try:
        return dt.date(int(year), month, int(day)).isoformat()
    except ValueError as error:
        raise ValueError(f"impossible date {text!r}: {error}") from None


def period(text: str) -> tuple[str, str, str]:
    """'1 April 2023 to 31 March 2024' -> ('2023-04-01', '2024-03-31', '2023-24').

    Only whole statistics years are accepted: a period that does not run 1 April to the next
    31 March means the sentence was misread.
    """
    match = _PERIOD.fullmatch(collapse_whitespace(text))
    if match is None:
        raise ValueError(f"not a period 'D Month YYYY to D Month YYYY': {text!r}")
    start, end = uk_date(match.group(1)), uk_date(match.group(2))
    start_year = int(start[:4])
    if start[5:] != "04-01" or end != f"{start_year + 1}-03-31":
        raise ValueError(f"period is not a statistics year (1 April to 31 March): {text!r}")
    return start, end, statistics_year(start_year)


def percentages_off(statistics: AnnualStatistics) -> list[str]:
    """The percentages of a year's figures that no rounding of their own counts gives: 'upheld_pct'
    (upheld decisions of investigations), 'remedy_pct' (remedy decisions of upheld decisions)."""
    checks = [
        ("upheld_pct", statistics.upheld_pct, statistics.upheld_decisions, statistics.investigations),
        ("remedy_pct", statistics.remedy_pct, statistics.remedy_decisions, statistics.upheld_decisions),
    ]
    return [
        name
        for name, pct, part, whole in checks
        if None not in (pct, part, whole) and not _rounds_to(pct, part, whole)
    ]


def _rounds_to(pct: float, part: int, whole: int) -> bool:
    if whole == 0:
        return part == 0
    return part <= whole and abs(pct - 100 * part / whole) < 1
