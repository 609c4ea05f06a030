"""Claims a council's complaints report makes about the Ombudsman's figures for it, checked against a harvest.

`find_claims(text, year)` is a pure function over the report's text: it reads wording, not one council's
layout. A figure is a claim when the words around it name an Ombudsman measure ("69% … upheld", "upheld
decisions per 100,000 residents", "satisfactory remedy", "compliant with … recommendations", "13
investigations") in a passage about the Local Government and Social Care Ombudsman (never the Housing
Ombudsman); a table of figures by service under a header of the Ombudsman's counts ("Enquiry | Investigation |
Upheld"); or a compensation line that quotes a case reference. National figures are set apart as context,
never as claims about the council. `check(db, slug, claims)` sets each beside the harvested value.
"""

from __future__ import annotations

import dataclasses
import json
import re

import sqlite_utils

from harvester import normalise

# --- years ------------------------------------------------------------------------------------------------

MONTH_SPAN = re.compile(
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?April\s+((?:19|20)\d{2})\s*(?:to|-|–|until|and)\s*"
    r"(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+)?March\s+((?:19|20)\d{2})",
    re.IGNORECASE,
)
YEAR_PAIR = re.compile(r"(?<![\d/£.,-])((?:19|20)?\d{2})\s*(?:/|-|–|to)\s*((?:19|20)?\d{2})(?![\d/%-]|,\d)")


def statistics_years(text: str) -> list[tuple[re.Match[str], str]]:
    """Every statistics year the text names, as (match, 'YYYY-YY'), in order: '2023/24', '23-24', '2023-2024',
    '1 April 2023 to 31 March 2024'. Pairs that are not consecutive years (page ranges, '16 6') are not years."""
    found = [(m, normalise.statistics_year(int(m.group(1)))) for m in MONTH_SPAN.finditer(text)
             if int(m.group(2)) == int(m.group(1)) + 1]  # fmt: skip
    taken = [m.span() for m, _ in found]
    for match in YEAR_PAIR.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        first, second = match.group(1), match.group(2)
        if len(first) != len(second) and not (len(first) == 4 and len(second) == 2):
            continue
        start = int(first) if len(first) == 4 else 2000 + int(first)
        end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
        if end == start + 1 and 1990 <= start <= 2098:
            found.append((match, normalise.statistics_year(start)))
    return sorted(found, key=lambda pair: pair[0].start())


def report_year(text: str) -> str | None:
    """The year a report is mostly about: the one it names most often (the later one on a tie)."""
    counts: dict[str, int] = {}
    for _, year in statistics_years(text):
        counts[year] = counts.get(year, 0) + 1
    return max(counts, key=lambda year: (counts[year], year)) if counts else None


# --- wording ----------------------------------------------------------------------------------------------

LGSCO = re.compile(r"Local Government (?:and |& )?Social Care Ombudsman|\bLGSCO\b|\bLGO\b|Local Government Ombudsman",
                   re.IGNORECASE)  # fmt: skip
HOUSING_OMBUDSMAN = re.compile(r"Housing Ombudsman|\bHO\b|\bHOS\b")
NATIONAL = re.compile(r"\bnational(?:ly)?\b|across England|all councils|England as a whole|every council",
                      re.IGNORECASE)  # fmt: skip
AVERAGE = re.compile(
    r"\baverage\b|\bsimilar (?:councils|authorities|organisations|organizations|local authorities)|other councils"
    r"|\bcomparable\b|\bpeers?\b|councils of (?:our|its|the same) type|councils like (?:ours|us|it)|benchmark",
    re.IGNORECASE,
)
PER_100K = re.compile(r"^\s*(?:upheld\s+)?(?:decisions|complaints|cases)?\s*(?:upheld\s+)?per\s+100,?000", re.I)
FIGURE = re.compile(r"(?<![\w.,/£-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*%| per ?cent\b)?(?![\w/]|[.,]\d)")
NOT_A_FIGURE_BEFORE = re.compile(
    r"(?:Table|Figure|Section|Chart|page|Appendix|Case|Ref(?:erence)?|per|£|below|above|under|over|less than"
    r"|more than|fewer than|at least|target of|aim(?:ing)? (?:for|of))\s*$",
    re.IGNORECASE,
)
"""Words before a number that make it no figure of the Ombudsman's (a reference, a sum, a threshold)."""
CLAUSE_BREAK = re.compile(r",|;|\(|\)|\band\b|\bbut\b|\bwhile\b|\bwhereas\b|\bcompared\b|\bthan\b|\bor\b",
                          re.IGNORECASE)  # fmt: skip

AVERAGE_BREAK = re.compile(r",|;|\band\b|\bbut\b|\bwhile\b|\bwhereas\b|\bor\b", re.IGNORECASE)
"""Where a figure's own clause begins, when asking whether it is an average: "than the average (79%)" and
"compared to an average of 13%" keep the words that make it one."""

PERCENT_FAMILIES = (
    ("remedy", re.compile(r"satisfactor\w*\s+remed|remed\w*\s+(?:was\s+)?satisfactor|satisfactory\s+remedies",
                          re.I)),  # fmt: skip
    ("compliance", re.compile(r"\bcompli(?:ant|ance|ed)\b|\bcomply(?:ing)?\b|implemented\s+(?:the\s+|all\s+|its\s+)?"
                              r"(?:Ombudsman['’]?s?\s+)?recommendations", re.I)),  # fmt: skip
    ("upheld", re.compile(r"\buph[eo]ld\w*|uphold rate|found fault|findings? of fault", re.I)),
)
COUNT_FAMILIES = (
    ("upheld", re.compile(r"\buph[eo]ld\w*", re.I)),
    ("investigations", re.compile(r"\binvestigat\w*", re.I)),
    ("complaints_decided", re.compile(r"\b(?:decided|decisions?|dealt with|made enquiries|enquiries"
                                      r" (?:regarding|about|into)|assessed)\b", re.I)),  # fmt: skip
    ("complaints_received", re.compile(r"\breceived\b|\breferr\w+ to\b", re.I)),
)
MEASURES = {
    ("upheld", True, False): "upheld_pct",
    ("upheld", True, True): "upheld_avg_pct",
    ("remedy", True, False): "remedy_pct",
    ("remedy", True, True): "remedy_avg_pct",
    ("compliance", True, False): "compliance_pct",
    ("compliance", True, True): "compliance_avg_pct",
    ("upheld", False, False): "upheld_decisions",
    ("investigations", False, False): "investigations",
    ("complaints_decided", False, False): "complaints_decided",
    ("complaints_received", False, False): "complaints_received",
    ("per_100k", False, False): "upheld_per_100k",
    ("per_100k", False, True): "upheld_per_100k_avg",
}
"""(family, is a percentage, is the average of similar councils) -> the measure, an annual_statistics column where
there is one. A count of similar councils' average is no Ombudsman figure, so it has no measure."""

# A table of the Ombudsman's counts by service: its header names two or more of them, each row a service and
# one count (or '-') per column.
TABLE_COLUMNS = (
    ("received", re.compile(r"^(?:complaints?\s+)?received$|^complaints$", re.I)),
    ("decided", re.compile(r"^(?:enquir(?:y|ies)|decided|decisions|dealt with)$", re.I)),
    ("investigated", re.compile(r"^investigat(?:ion|ions|ed)$", re.I)),
    ("upheld", re.compile(r"^upheld$", re.I)),
)
TABLE_STATS = {"received": "complaints_received", "decided": "complaints_decided",
               "investigated": "investigations", "upheld": "upheld_decisions"}  # fmt: skip
ROW = re.compile(r"^(?P<service>[A-Za-z][A-Za-z&,'’ /()-]*?)\s+(?P<counts>(?:(?:\d+|-|–)\s*){2,6})$")
TOTAL = re.compile(r"^total", re.I)
HEADING = re.compile(r"\d+(?:\.\d+)*\.?\s+[A-Z][^.\n]{0,80}")
"""A numbered section heading ('3.2 The Local Government Social Care Ombudsman'): what follows is about what it
names."""

CASE_REF = re.compile(r"(?<!\d)(\d{2})[ -]?(\d{3})[ -]?(\d{3})(?!\d)")
PAYMENT_LINE = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{2})?|(\d{1,3}(?:,\d{3})*|\d+)\s*$")


@dataclasses.dataclass
class Claim:
    """One figure a report quotes about the Ombudsman's record for the council."""

    measure: str
    """The annual_statistics column it is about (upheld_pct, investigations, ...), complaints_received or
    complaints_decided, per_service, or payment."""
    year: str
    """Statistics year 'YYYY-YY' the figure is for."""
    claimed: float
    """The figure as the report prints it (a percentage without its '%')."""
    sentence: str
    """The sentence or table line it came from."""
    service: str | None = None
    """For per_service: the service as the report names it."""
    stat: str | None = None
    """For per_service: received, decided, investigated or upheld."""
    case_ref: str | None = None
    """For payment: the case the compensation was ordered in, 'YY-NNN-NNN'."""
    held: float | None = None
    """The harvested value; None when the harvest doesn't hold it."""
    verdict: str | None = None
    """'agrees', 'differs' or 'not held'."""
    note: str | None = None
    """Why a value is not held, or what else is worth knowing about the claim."""
    decimals: int = dataclasses.field(default=0, repr=False)
    """Decimal places printed: a held value is rounded to them before comparing."""
    average: bool = dataclasses.field(default=False, repr=False)
    """The figure is the average for similar councils."""
    at: int = dataclasses.field(default=0, repr=False)
    """Where in the report it is (a line number while tables are read, then a character offset): claims are
    listed in the report's order."""

    def public(self) -> dict:
        shown = {"measure": self.measure, "year": self.year, "claimed": self.claimed, "held": self.held,
                 "verdict": self.verdict, "sentence": self.sentence}  # fmt: skip
        if self.measure == "per_service":
            shown |= {"service": self.service, "stat": self.stat}
        if self.measure == "payment":
            shown["case_ref"] = self.case_ref
        if self.note:
            shown["note"] = self.note
        return shown


@dataclasses.dataclass
class Findings:
    claims: list[Claim]
    context: list[str]
    """Sentences quoting national figures: not claims about the council."""


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def sentences(paragraph: str) -> list[str]:
    flat = " ".join(paragraph.split())
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", flat) if s]


def find_claims(text: str, year: str) -> Findings:
    """Every claim in the report's text about the Ombudsman's figures; `year` for figures that name none."""
    lines = text.splitlines()
    table_claims, consumed = _tables(lines, year)
    prose = "\n".join("" if index in consumed else line for index, line in enumerate(lines))
    findings = Findings([], [])
    about_lgsco = False
    line_starts = [0]
    for line in prose.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    for claim in table_claims:
        claim.at = line_starts[claim.at]
    cursor = 0
    for paragraph in paragraphs(prose):
        cursor = prose.index(paragraph, cursor)
        if HEADING.fullmatch(paragraph):
            about_lgsco = LGSCO.search(paragraph) is not None
            continue
        housing, lgsco = HOUSING_OMBUDSMAN.search(paragraph), LGSCO.search(paragraph)
        if housing and not lgsco:
            about_lgsco = False
        elif lgsco:
            about_lgsco = True
        if not about_lgsco:
            continue
        findings.claims += [dataclasses.replace(claim, at=cursor) for claim in _payment_claims(paragraph, year)]
        family = None
        for sentence in sentences(paragraph):
            if HOUSING_OMBUDSMAN.search(sentence) and not LGSCO.search(sentence):
                continue
            claims, family = _sentence_claims(sentence, year, family)
            for claim in claims:
                claim.at = cursor
            if claims and NATIONAL.search(sentence):
                findings.context.append(sentence)
            else:
                findings.claims += [_noted(claim) for claim in claims]
    findings.claims = sorted(table_claims + findings.claims, key=lambda claim: claim.at)
    return findings


def _noted(claim: Claim) -> Claim:
    """A note where the report describes the Ombudsman's measure wrongly, though its figure may agree."""
    if claim.measure == "remedy_pct" and re.search(r"investigat", claim.sentence) and not re.search(
        r"upheld", claim.sentence
    ):
        claim.note = ("the report calls it a share of cases investigated: the Ombudsman's satisfactory remedy rate "
                      "is a share of upheld cases")  # fmt: skip
    return claim


def _sentence_claims(sentence: str, default_year: str, inherited: str | None) -> tuple[list[Claim], str | None]:
    """The claims of one sentence, and the family of its last percentage (a following "This …" sentence may go
    on about the same measure)."""
    years = statistics_years(sentence)
    # Years and case references ('23 020 528') are not figures.
    spans = [m.span() for m, _ in years] + [m.span() for m in CASE_REF.finditer(sentence)]
    figures = [m for m in FIGURE.finditer(sentence)
               if not any(start <= m.start() < end for start, end in spans)
               and not NOT_A_FIGURE_BEFORE.search(sentence[: m.start()])]  # fmt: skip
    opens_on = re.match(r"^(?:This|That|It|Which|These)\b", sentence) is not None
    family_before = inherited if opens_on else None
    claims: list[Claim] = []
    year_used: set[int] = set()
    for index, figure in enumerate(figures):
        is_pct = figure.group(2) is not None
        start = figures[index - 1].end() if index else 0
        end = figures[index + 1].start() if index + 1 < len(figures) else len(sentence)
        before, after = sentence[start : figure.start()], sentence[figure.end() : end]
        own_before = CLAUSE_BREAK.split(before)[-1]
        own_after = CLAUSE_BREAK.split(after)[0]
        if not is_pct and PER_100K.match(after):
            family = "per_100k"
        else:
            family = _family(own_before, own_after, PERCENT_FAMILIES if is_pct else COUNT_FAMILIES)
            if family is None and is_pct:
                family = _family(before, "", PERCENT_FAMILIES) or family_before
            elif family is None and family_before == "per_100k" and "." in figure.group(1):
                family = family_before  # "6.1 upheld decisions per 100,000 residents, compared with 4.6 for …"
        family_before = family or family_before
        if family is None:
            continue
        average = bool(AVERAGE.search(AVERAGE_BREAK.split(before)[-1]))
        # "the average … (79%) or 4.6 upheld decisions per 100,000": a figure joined to an average is one too.
        joined = re.fullmatch(r"[\s)]*(?:,|or|and)\s*", before) is not None
        average = average or bool(AVERAGE.search(own_after)) or (joined and bool(claims) and claims[-1].average)
        measure = MEASURES.get((family, is_pct, average))
        if measure is None:
            continue
        year = _year_of(sentence, figure, before, years, year_used) or default_year
        value = float(figure.group(1).replace(",", ""))
        decimals = len(figure.group(1).split(".")[1]) if "." in figure.group(1) else 0
        claims.append(Claim(measure, year, value, sentence, decimals=decimals, average=average))
    return claims, family_before


def _family(before: str, after: str, families) -> str | None:
    """The family whose wording lies nearest the figure, in its own clause."""
    best = None
    for name, pattern in families:
        for match in pattern.finditer(before):
            distance = len(before) - match.end()
            best = min(best or (distance, name), (distance, name))
        match = pattern.search(after)
        if match:
            best = min(best or (match.start(), name), (match.start(), name))
    return best[1] if best else None


def _year_of(sentence, figure, before, years, used: set[int]) -> str | None:
    """A year right after the figure ('82% in 2022/23') is its own; else one in the words before it since the
    last figure, unless an earlier figure took it."""
    for match, year in years:
        gap = sentence[figure.end() : match.start()]
        if match.start() >= figure.end() and re.fullmatch(r"\s*(?:%\s*)?(?:in|for|during|of)\s+(?:the\s+)?(?:year\s+)?",
                                                          gap):  # fmt: skip
            used.add(match.start())
            return year
    offset = figure.start() - len(before)
    for match, year in reversed(years):
        if offset <= match.start() < figure.start() and match.start() not in used:
            return year
    for match, year in reversed(years):
        if match.start() < offset and match.start() not in used and not re.search(r"\d", sentence[match.end():offset]):
            return year
    return None


def _tables(lines: list[str], year: str) -> tuple[list[Claim], set[int]]:
    """Claims of every table of the Ombudsman's counts by service, and the lines the tables take up."""
    claims: list[Claim] = []
    consumed: set[int] = set()
    for index, line in enumerate(lines):
        columns = _table_header(line)
        if columns is None or index in consumed:
            continue
        above = " ".join(text for text in lines[max(0, index - 6) : index] if text.strip())
        if HOUSING_OMBUDSMAN.search(above) and not LGSCO.search(above):
            continue
        named = statistics_years(above)
        rows, end = _table_rows(lines, index + 1, columns, named[-1][1] if named else year)
        if rows:
            claims += rows
            consumed.update(range(index, end))
    return claims, consumed


def _table_header(line: str) -> list[str] | None:
    """The Ombudsman's counts a table's header names, in order; None for any other line."""
    cells = [cell.strip() for cell in re.split(r"\s*\|\s*|\t|\s{2,}", line.strip()) if cell.strip()]
    if len(cells) == 1:
        cells = line.split()
    if cells and re.fullmatch(r"(?:service(?: area)?|category|area|department|directorate)", cells[0], re.I):
        cells = cells[1:]
    columns = [next((name for name, pattern in TABLE_COLUMNS if pattern.match(cell)), None) for cell in cells]
    return columns if len(columns) >= 2 and all(columns) else None


def _table_rows(lines: list[str], start: int, columns: list[str], year: str) -> tuple[list[Claim], int]:
    """The rows under a header, to its total row or the first line that is neither a row nor a wrapped name."""
    claims: list[Claim] = []
    index = start
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        row = ROW.match(re.sub(r"\s*\|\s*", " ", line).strip())
        if row is None or len(row.group("counts").split()) != len(columns):
            if re.fullmatch(r"[A-Za-z&,'’ /()-]+", line) and claims and claims[-1].measure == "per_service":
                for claim in claims[-len(columns) :]:  # a service name wrapped onto the next line
                    claim.service = f"{claim.service} {line}"
                continue
            index -= 1
            break
        service = row.group("service").strip()
        for stat, count in zip(columns, row.group("counts").split(), strict=True):
            claimed = 0.0 if count in ("-", "–") else float(count)
            if TOTAL.match(service):
                claims.append(Claim(TABLE_STATS[stat], year, claimed, line, at=index - 1))
            else:
                claims.append(Claim("per_service", year, claimed, line, service=service, stat=stat, at=index - 1))
        if TOTAL.match(service):
            break
    return claims, index


def _payment_claims(paragraph: str, year: str) -> list[Claim]:
    """Compensation lines that quote an Ombudsman case reference ('22010409 | Adult Care … LGSCO 200',
    'we paid £300 in case 22 010 409'). A line marked as the Housing Ombudsman's is not the LGSCO's."""
    claims = []
    if not re.search(r"compensat|£|payment|paid|pay\b|\(£\)", paragraph, re.I):
        return claims
    lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
    for line in lines:
        ref = CASE_REF.match(line) or (CASE_REF.search(line) if "£" in line else None)
        if ref is None or HOUSING_OMBUDSMAN.search(line) or re.match(r"\d{9,}", line[ref.start() :]):
            continue
        rest = line[ref.end() :]
        amounts = list(PAYMENT_LINE.finditer(rest))
        if not amounts:
            continue
        amount = amounts[-1].group(1) or amounts[-1].group(2)
        case_ref = f"{ref.group(1)}-{ref.group(2)}-{ref.group(3)}"
        claims.append(Claim("payment", year, float(amount.replace(",", "")), line, case_ref=case_ref))
    return claims


# --- checking ---------------------------------------------------------------------------------------------

HELD_COLUMNS = {"complaints_decided": "complaints_dealt_with"}
"""A measure held under another annual_statistics column's name."""


def check(db: sqlite_utils.Database, slug: str, claims: list[Claim]) -> list[Claim]:
    """Each claim with the harvested value beside it and its verdict."""
    for claim in claims:
        held, note = _held(db, slug, claim)
        claim.held = held
        claim.note = claim.note or note
        if held is None:
            claim.verdict = "not held"
        else:
            claim.verdict = "agrees" if same_figure(claim.claimed, claim.decimals, held) else "differs"
    return claims


def same_figure(claimed: float, decimals: int, held: float) -> bool:
    """The same figure, rounded as the one printed with fewer decimals is: a report's 66.7% is the 67% the
    Ombudsman printed, and its 69% the Ombudsman's 69.2%."""
    held_decimals = len(f"{held:g}".split(".")[1]) if "." in f"{held:g}" else 0
    if decimals <= held_decimals:
        return round(held, decimals) == claimed
    return round(claimed, held_decimals) == held


def _held(db: sqlite_utils.Database, slug: str, claim: Claim) -> tuple[float | None, str | None]:
    if claim.measure == "payment":
        return _held_payment(db, slug, claim.case_ref)
    if claim.measure == "per_service":
        return _held_per_service(db, slug, claim)
    if claim.measure == "complaints_received":
        row = db.execute("SELECT sum(complaints) FROM letter_complaints_received WHERE authority_slug = ? AND "
                         "year = ? AND gone_run IS NULL", [slug, claim.year]).fetchone()  # fmt: skip
        return (row[0], None) if row[0] is not None else (None, "no received total held for that year")
    column = HELD_COLUMNS.get(claim.measure, claim.measure)
    rows = db.execute(
        f"SELECT [{column}] FROM annual_statistics WHERE authority_slug = ? AND year = ? AND gone_run IS NULL "
        f"AND [{column}] IS NOT NULL ORDER BY source = 'page' DESC",
        [slug, claim.year],
    ).fetchall()
    if not rows:
        return None, f"no {column} held for {claim.year}"
    return float(rows[0][0]), None


def _held_payment(db, slug, case_ref) -> tuple[float | None, str | None]:
    decision = db.execute("SELECT authority_slug FROM decisions WHERE case_ref = ?", [case_ref]).fetchone()
    if decision is None:
        return None, "decision not held"
    if decision[0] != slug:
        return None, f"the decision held is about {decision[0]}"
    rows = db.execute("SELECT certainty, total_gbp FROM remedy_payments WHERE case_ref = ?", [case_ref]).fetchall()
    if any(certainty == "uncertain" for certainty, _ in rows):
        return None, "the decision's payments are not all certain (see remedy_payments)"
    if not rows:
        return None, "the decision is held but no payment was read in its remedy or agreed actions"
    return float(sum(total for _, total in rows)), None


def _held_per_service(db, slug, claim: Claim) -> tuple[float | None, str | None]:
    """Upheld decisions by category, counted from a full upheld listing of that year; nothing else is held."""
    if claim.stat != "upheld":
        return None, f"the Ombudsman's {claim.stat} counts by service are not held"
    listing = db.execute("SELECT case_refs FROM decision_listings WHERE authority_slug = ? AND year = ? AND "
                         "listing = 'upheld' AND gone_run IS NULL", [slug, claim.year]).fetchone()  # fmt: skip
    if listing is None:
        return None, f"no upheld decision listing held for {claim.year}"
    wanted = _service_key(claim.service)
    rows = db.execute(
        "SELECT d.category FROM json_each(?) AS l JOIN decisions AS d ON d.case_ref = l.value", [listing[0]]
    ).fetchall()
    categories = {_service_key(category) for (category,) in rows}
    if wanted not in categories and len(rows) < len(json.loads(listing[0])):
        return None, "not every listed decision is held"
    return float(sum(1 for (category,) in rows if _service_key(category) == wanted)), None


def _service_key(name: str | None) -> str:
    words = re.sub(r"&", " and ", (name or "").lower())
    return " ".join(word for word in re.findall(r"[a-z]+", words) if word not in ("services", "service", "s"))


# --- the report -------------------------------------------------------------------------------------------


class ReportError(ValueError):
    """A report that can't be read as text."""


def report_text(content: bytes) -> str:
    """A report's text: a PDF read by the project's PDF reader (bounded in time and memory), else UTF-8 text."""
    if content.startswith(b"%PDF"):
        from harvester.pdftext import PdfError, extract_text

        try:
            return extract_text(content).text
        except PdfError as error:
            raise ReportError(f"unreadable PDF: {error}") from error
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def year_option(value: str) -> str:
    """--year in any form a report writes it ('2023-24', '2023/24', '23-24', '1 April 2023 to 31 March 2024')."""
    named = statistics_years(value)
    if len(named) != 1 or named[0][0].group(0).strip() != value.strip():
        raise ValueError(f"{value!r} is not a statistics year (write it 2023-24)")
    return named[0][1]


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if value == int(value) else f"{value:g}"


def claim_lines(claims: list[Claim], context: list[str]) -> list[str]:
    """The claims for a reader: verdict, what, claimed and held, and the sentence underneath."""
    lines = []
    for claim in claims:
        what = claim.measure
        if claim.measure == "per_service":
            what = f"per_service {claim.stat} {claim.service!r}"
        elif claim.measure == "payment":
            what = f"payment {claim.case_ref}"
        lines.append(f"{claim.verdict:<9} {what} {claim.year}: claimed {number(claim.claimed)}, "
                     f"held {number(claim.held)}")  # fmt: skip
        lines.append(f"          “{claim.sentence}”")
        if claim.note:
            lines.append(f"          ({claim.note})")
    for sentence in context:
        lines.append(f"national  (not a claim about the council) “{sentence}”")
    return lines


def summary_line(name: str, year: str, claims: list[Claim]) -> str:
    counts = {verdict: sum(1 for c in claims if c.verdict == verdict) for verdict in ("agrees", "differs", "not held")}
    return (f"{name}, {year}: {len(claims)} claims about the Ombudsman's figures; {counts['agrees']} agree, "
            f"{counts['differs']} differ, {counts['not held']} not held")  # fmt: skip
