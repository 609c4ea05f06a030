"""An annual review letter, from its PDF's text: year, date, addressee, signatory, public reports, statistics.

The input is the text `harvester.pdftext` extracted. PDF text keeps no reliable layout: sentences wrap
inside columns, figures printed large sit on lines of their own ("13" / "upheld decisions"), and the seed
texts mark emphasis with "**". So the parser anchors on the letters' fixed sentences (site notes §3) and
matches them on the text with emphasis dropped and whitespace collapsed; only the addressee and signature
blocks, which have no sentences, are read line by line.

Formats: the table era (2013-14 to 2017-18) ends with a "Local Authority Report" of two tables; the three key
areas (2018-19 to 2023-24) and the 2024-25 complaint overview end with statistics sentences, cut into sections
at each area's lead sentence. Some renderings stop at the signature: then there are no statistics (None, never
zeros).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from harvester import normalise
from harvester.items import AnnualStatistics
from harvester.pages.html import PageLayoutError


class LetterParseError(PageLayoutError):
    """The text does not read as an annual review letter: `missing` says what is wrong."""


@dataclass
class ParsedLetter:
    authority_slug: str
    """The authority whose letters page listed the PDF."""
    pdf_url: str
    year: str
    """Statistics year covered: 'year ending 31 March 2020' or 'Annual Review letter 2020' give '2019-20'."""
    title: str
    """As printed: 'Annual Review letter 2020'."""
    letter_date: str
    """ISO date the letter is dated."""
    addressee_name: str
    """Title and surname, as in the salutation: 'Mr Keeling'."""
    addressee_role: str
    """'Chief Executive', 'Chief Operating Officer'."""
    signatory: str
    """'Michael King'."""
    public_report_sentences: list[str]
    """Sentences of the body saying a public report about the authority was published or issued."""
    statistics: AnnualStatistics | None
    """The statistics section's figures, source 'letter'; None when the text has no statistics section. In
    the table era only upheld_pct, upheld_decisions, investigations (upheld + not upheld) and period_end."""
    received: dict[str, int] | None = None
    """Table era: complaints and enquiries received, by category as printed (the Total left out)."""
    decided: dict[str, int] | None = None
    """Table era: decisions made, by outcome as printed (Uphold Rate and Total left out)."""
    uphold_rate: int | float | None = None
    """Table era: the 'Uphold Rate (%)' column."""

    @property
    def has_public_report(self) -> bool:
        """The letter mentions a public report about the authority."""
        return bool(self.public_report_sentences)


def parse_letter(text: str, *, authority_slug: str, pdf_url: str) -> ParsedLetter:
    """Raise LetterParseError when a part every letter has (title, date, addressee, signature) is missing, or
    when a statistics section is present but a figure cannot be found next to its label. Percentages that
    disagree with their own counts are kept: the validation pipeline flags them."""
    return _parse(text, authority_slug, pdf_url)[0]


def parse_letter_checked(text: str, *, authority_slug: str, pdf_url: str) -> tuple[ParsedLetter, list[str]]:
    """The letter and the ways its figures disagree with each other (empty when they agree): one parse
    that serves both as the extraction's acceptance check and as the result."""
    return _parse(text, authority_slug, pdf_url)


def letter_text_is_usable(text: str, *, authority_slug: str) -> bool:
    """Whether `text` parses and its figures agree with each other: the `accept` check for
    `harvester.pdftext.extract_text`. Text failing it (a big figure read away from its label, or next to the
    wrong one) is read again by the layout-aware reader."""
    try:
        _letter, disagreements = _parse(text, authority_slug, "(checked text)")
    except LetterParseError:
        return False
    return not disagreements


def _parse(text: str, authority_slug: str, pdf_url: str) -> tuple[ParsedLetter, list[str]]:
    """The letter, and the ways its figures disagree with each other (empty when they agree)."""
    letter = _LetterText(text, pdf_url)
    title, year = letter.title_and_year()
    name, role = letter.addressee(authority_slug)
    parsed = ParsedLetter(
        authority_slug=authority_slug,
        pdf_url=pdf_url,
        year=year,
        title=title,
        letter_date=letter.letter_date(),
        addressee_name=name,
        addressee_role=role,
        signatory=letter.signatory(),
        public_report_sentences=letter.public_report_sentences(),
        statistics=None,
    )
    disagreements: list[str] = []
    if letter.has_key_area_statistics():
        parsed.statistics, disagreements = letter.key_area_statistics(authority_slug, year)
    elif letter.has_report_tables():
        parsed.received, parsed.decided, parsed.uphold_rate, period_end = letter.report_tables(year)
        parsed.statistics, disagreements = letter.table_statistics(authority_slug, year, period_end, parsed)
    return parsed, disagreements


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
UK_DATE = re.compile(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b")
TITLE = re.compile(r"\bAnnual Review letter (\d{4})\b", re.IGNORECASE)
YEAR_ENDING = re.compile(r"\bfor the year end(?:ing|ed) 31 March (\d{4})\b")
BY_EMAIL = re.compile(r"^By (?:e-?mail|post)$", re.IGNORECASE)
SALUTATION = re.compile(r"^Dear (.+?),?$")
SIGN_OFF = re.compile(r"^Yours (?:sincerely|faithfully),?$", re.IGNORECASE)
OMBUDSMAN_TITLE = re.compile(r"\b(?:Interim )?Local Government (?:(?:and|&) Social Care )?Ombudsman\b")
PUBLIC_REPORT = re.compile(
    r"\b(?:I|we) (?:have )?(?:also )?(?:published|issued) (?:a|an|one|two|three|four|five|\d+) "
    r"(?:further )?public (?:interest )?reports?\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?](?= |$)")

NUMBER = r"(\d[\d,]*)"
PERCENT = r"(\d{1,3}(?:\.\d+)?%)"
PER_100K_FIGURE = r"(\d+(?:\.\d+)?%?)"
PERIOD = r"(1 April \d{4} to 31 March \d{4}|April 1, \d{4} to March 31, \d{4})"
UPHELD_LEAD = re.compile(rf"{PERCENT} of complaints we investigated were upheld\.")
COMPLIANCE_LEAD = re.compile(
    rf"(?:In )?{PERCENT} of cases we were satisfied the (?:authority|Council) had successfully implemented "
    r"our recommendations\."
)
NO_COMPLIANCE_DUE = re.compile(r"No recommendations were due for compliance in this period")
REMEDY_LEAD = re.compile(
    rf"In {PERCENT} of upheld cases we found the (?:authority|Council) had provided a satisfactory remedy "
    r"before the complaint reached the Ombudsman\."
)
OVERVIEW = re.compile(
    rf"Between {PERIOD}, we dealt with {NUMBER} complaints?\. Of these, {NUMBER} (?:were|was) not for us or "
    rf"not ready for us to investigate\. We assessed and closed {NUMBER} complaints?\. "
    rf"We investigated {NUMBER} complaints?\."
)
AVERAGE = re.compile(rf"This compares to an average of {PERCENT} in similar authorities\.")
UPHELD_COUNT = re.compile(rf"(?<![\d.,]){NUMBER} upheld decisions?\b(?! per 100,000)")
PER_100K = re.compile(
    rf"Adjusted for .+?'s population, this is {PER_100K_FIGURE} upheld decisions? per 100,000 residents"
)
PER_100K_AVERAGE = re.compile(
    rf"The average for authorities of this type is {PER_100K_FIGURE} upheld decisions? per 100,000 residents"
)
REMEDY_COUNT = re.compile(rf"(?<![\d.,]){NUMBER} satisfactory remedy decisions?\b")


def _based_on(what: str) -> re.Pattern[str]:
    return re.compile(rf"Statistics are based on a total of {NUMBER} {what} for the period between {PERIOD}")


INVESTIGATIONS_BASE = _based_on(r"(?:detailed )?investigations?")
COMPLIANCE_BASE = _based_on(r"compliance outcomes?")
REMEDY_BASE = _based_on(r"(?:(?:detailed )?investigations?|upheld decisions?)")
STATISTICS_ANCHORS = (UPHELD_LEAD, COMPLIANCE_LEAD, NO_COMPLIANCE_DUE, REMEDY_LEAD, OVERVIEW)

REPORT_HEAD = re.compile(r"Local Authority Report:? .+? For the period ending:? (\d{1,2})/(\d{1,2})/(\d{4})")
RECEIVED_TITLE = re.compile(r"Complaints and enquiries received")
DECIDED_TITLE = re.compile(r"Decisions made")
RECEIVED_CATEGORIES = (
    "Adult Care Services",
    "Adult social care",
    "Benefits and Tax",
    "Corporate and Other Services",
    "Education and Children's Services",
    "Environmental Services & Public Protection & Regulation",
    "Environmental services, public protection and regulation",
    "Highways and Transport",
    "Housing",
    "Planning and Development",
    "Other",
)
UPHELD, NOT_UPHELD, UPHOLD_RATE, TOTAL = "Upheld", "Not Upheld", "Uphold Rate (%)", "Total"
DETAILED_INVESTIGATIONS = "Detailed Investigations"
"""The header spanning Upheld, Not Upheld and Uphold Rate: a heading, not a column."""
DECIDED_OUTCOMES = (
    UPHELD,
    NOT_UPHELD,
    "Advice Given",
    "Closed After Initial Enquiries",
    "Incomplete or Invalid",
    "Invalid or incomplete",
    "Referred back for Local Resolution",
)


def _table_token(labels: tuple[str, ...]) -> re.Pattern[str]:
    """A label (longest first, so 'Not Upheld' wins over 'Upheld'), a figure, or anything else."""
    ordered = sorted(labels, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, label.split())) for label in ordered)
    return re.compile(
        rf"(?P<label>(?<!\w)(?:{alternatives})(?!\w))|(?<!\S)(?P<figure>\d[\d,]*%?)(?!\S)|(?P<other>\S+)",
        re.IGNORECASE,
    )


RECEIVED_TOKEN = _table_token((*RECEIVED_CATEGORIES, TOTAL))
DECIDED_TOKEN = _table_token((*DECIDED_OUTCOMES, UPHOLD_RATE, TOTAL, DETAILED_INVESTIGATIONS))


def _collapse(text: str) -> str:
    return normalise.collapse_whitespace(text)


def _authority_name_at_end(authority_slug: str) -> re.Pattern[str]:
    """The authority's name as its slug spells it, ending a string: the slug's words in order with any
    punctuation between ('brighton-hove-city-council' matches 'Brighton & Hove City Council')."""
    words = [word for word in re.split(r"[^A-Za-z0-9]+", authority_slug) if word]
    return re.compile(r"[^A-Za-z0-9]+".join(map(re.escape, words)) + r"$", re.IGNORECASE)


class _LetterText:
    """One letter's text, normalised once, with a reader for each of its parts."""

    def __init__(self, text: str, pdf_url: str):
        self.pdf_url = pdf_url
        plain = text.replace("**", "").replace("\u2019", "'")
        self.lines = [line for line in map(_collapse, plain.splitlines()) if line]
        self.flat = _collapse(plain)

    def fail(self, problem: str) -> LetterParseError:
        return LetterParseError(self.pdf_url, problem)

    def find_once(self, pattern: re.Pattern[str], text: str, what: str) -> re.Match[str]:
        matches = list(pattern.finditer(text))
        if len(matches) != 1:
            raise self.fail(f"expected one {what}, found {len(matches)}")
        return matches[0]

    def find_at_most_once(self, pattern: re.Pattern[str], text: str, what: str) -> re.Match[str] | None:
        matches = list(pattern.finditer(text))
        if len(matches) > 1:
            raise self.fail(f"expected at most one {what}, found {len(matches)}")
        return matches[0] if matches else None

    def read(self, normaliser: Callable[[str], int | float | str], value: str):
        try:
            return normaliser(value)
        except ValueError as error:
            raise self.fail(str(error)) from None

    # --- the letter

    def title_and_year(self) -> tuple[str, str]:
        title = TITLE.search(self.flat)
        if title is None:
            raise self.fail("no 'Annual Review letter YYYY' title")
        ending = YEAR_ENDING.search(self.flat)
        if ending is not None and ending.group(1) != title.group(1):
            raise self.fail(f"title {title.group(0)!r} disagrees with {ending.group(0)!r}")
        return title.group(0), normalise.statistics_year_from_letter_title_year(int(title.group(1)))

    def _salutation(self) -> int:
        for index, line in enumerate(self.lines):
            if SALUTATION.match(line):
                return index
        raise self.fail("no 'Dear …' salutation")

    def letter_date(self) -> str:
        for line in self.lines[: self._salutation()]:
            date = UK_DATE.search(line)
            if date is not None:
                return self.read(normalise.uk_date, date.group(0))
        raise self.fail("no date above the salutation")

    def addressee(self, authority_slug: str) -> tuple[str, str]:
        """(name, role) from the block between 'By email' (or the date) and 'Dear …'; the block may be one
        line ('Mr Keeling Chief Operating Officer Leicester City Council') or one line per part."""
        salutation = self._salutation()
        name = SALUTATION.match(self.lines[salutation]).group(1)
        above = self.lines[:salutation]
        starts = [i for i, line in enumerate(above) if BY_EMAIL.match(line) or UK_DATE.fullmatch(line)]
        if not starts:
            raise self.fail("no 'By email' or date line above the addressee")
        block = above[starts[-1] + 1 :]
        if not block or not block[0].startswith(name):
            raise self.fail(f"addressee block {block!r} does not start with {name!r} of the salutation")
        rest = [line for line in (block[0][len(name) :].strip(), *block[1:]) if line]
        authority = _authority_name_at_end(authority_slug).search(" ".join(rest))
        if authority is not None:
            role = " ".join(rest)[: authority.start()].strip(" ,")
        elif len(rest) >= 2:
            role = " ".join(rest[:-1])
        else:
            raise self.fail(f"cannot tell the role from the authority's name in {rest!r}")
        if not role:
            raise self.fail(f"addressee block {block!r} names no role")
        return name, role

    def signatory(self) -> str:
        """The name on the line above the Ombudsman's title after 'Yours sincerely', or before it on its line
        (a signature image may leave stray letters in between)."""
        after = self.lines[self._sign_off() + 1 :]
        for index, line in enumerate(after):
            title = OMBUDSMAN_TITLE.search(line)
            if title is None:
                continue
            if title.start() > 0:
                return line[: title.start()].strip()
            if index > 0:
                return after[index - 1]
            break
        raise self.fail("no signatory above the Ombudsman's title after 'Yours sincerely'")

    def _sign_off(self) -> int:
        """The index of the one 'Yours sincerely' (or 'Yours faithfully') line: the body ends there."""
        sign_offs = [i for i, line in enumerate(self.lines) if SIGN_OFF.match(line)]
        if len(sign_offs) != 1:
            raise self.fail(f"expected one 'Yours sincerely', found {len(sign_offs)}")
        return sign_offs[0]

    def public_report_sentences(self) -> list[str]:
        body = " ".join(self.lines[: self._sign_off()])
        sentences: list[str] = []
        for mention in PUBLIC_REPORT.finditer(body):
            start = max((end.end() for end in SENTENCE_END.finditer(body, 0, mention.start())), default=0)
            end = SENTENCE_END.search(body, mention.end())
            sentence = body[start : end.end() if end else len(body)].strip()
            if sentence not in sentences:
                sentences.append(sentence)
        return sentences

    # --- the three key areas, and the 2024-25 complaint overview

    def has_key_area_statistics(self) -> bool:
        return any(anchor.search(self.flat) for anchor in STATISTICS_ANCHORS)

    def key_area_statistics(self, authority_slug: str, year: str) -> tuple[AnnualStatistics, list[str]]:
        sections = self._sections()
        upheld, compliance, remedy = sections["upheld"], sections["compliance"], sections["remedy"]
        base = self.find_once(INVESTIGATIONS_BASE, upheld, "investigations base in 'Complaints upheld'")
        period_start, period_end = self._period(base.group(2), year)
        statistics = AnnualStatistics(
            authority_slug=authority_slug,
            year=year,
            source="letter",
            source_url=self.pdf_url,
            period_start=period_start,
            period_end=period_end,
            upheld_pct=self._figure(UPHELD_LEAD, upheld, "uphold rate", normalise.percent),
            upheld_avg_pct=self._figure(AVERAGE, upheld, "average in 'Complaints upheld'", normalise.percent),
            upheld_decisions=self._figure(
                UPHELD_COUNT, upheld, "'N upheld decisions' figure", normalise.count
            ),
            investigations=self.read(normalise.count, base.group(1)),
            remedy_pct=self._figure(REMEDY_LEAD, remedy, "satisfactory remedy rate", normalise.percent),
            remedy_avg_pct=self._figure(AVERAGE, remedy, "satisfactory remedy average", normalise.percent),
            remedy_decisions=self._figure(
                REMEDY_COUNT, remedy, "'N satisfactory remedy decisions' figure", normalise.count
            ),
        )
        per_100k = self.find_at_most_once(PER_100K, upheld, "per-100,000 figure")
        per_100k_average = self.find_at_most_once(PER_100K_AVERAGE, upheld, "per-100,000 average")
        if (per_100k is None) != (per_100k_average is None):
            raise self.fail("a per-100,000 figure without its average, or the other way round")
        if per_100k is not None:
            statistics.upheld_per_100k = self.read(normalise.per_100k, per_100k.group(1))
            statistics.upheld_per_100k_avg = self.read(normalise.per_100k, per_100k_average.group(1))
        if NO_COMPLIANCE_DUE.search(compliance):
            statistics.compliance_outcomes = 0  # the sentence says none were due: no rate, no average
        else:
            statistics.compliance_pct = self._figure(
                COMPLIANCE_LEAD, compliance, "compliance rate", normalise.percent
            )
            statistics.compliance_avg_pct = self._figure(
                AVERAGE, compliance, "compliance average", normalise.percent
            )
            compliance_base = self.find_once(COMPLIANCE_BASE, compliance, "compliance outcomes base")
            statistics.compliance_outcomes = self.read(normalise.count, compliance_base.group(1))
            self._period(compliance_base.group(2), year)
        remedy_base = self.find_once(REMEDY_BASE, remedy, "satisfactory remedy base")
        self._period(remedy_base.group(2), year)
        disagreements = self._rate_disagreements(statistics)
        remedy_base_count = self.read(normalise.count, remedy_base.group(1))
        if remedy_base_count not in (statistics.investigations, statistics.upheld_decisions):
            disagreements.append(
                f"satisfactory remedy base {remedy_base_count} is neither investigations nor upheld"
            )
        if "overview" in sections:
            disagreements += self._overview(sections["overview"], statistics, year)
        return statistics, disagreements

    def _figure(
        self, pattern: re.Pattern[str], section: str, what: str, normaliser: Callable[[str], int | float]
    ):
        return self.read(normaliser, self.find_once(pattern, section, what).group(1))

    def _sections(self) -> dict[str, str]:
        """The statistics cut at each area's lead sentence: each section runs to the next lead."""
        text = self.flat
        compliance = self.find_at_most_once(COMPLIANCE_LEAD, text, "compliance sentence")
        none_due = self.find_at_most_once(NO_COMPLIANCE_DUE, text, "'No recommendations were due' sentence")
        if (compliance is None) == (none_due is None):
            state = "both" if compliance else "neither"
            raise self.fail(f"{state} of the compliance sentence and 'No recommendations were due …' found")
        leads = {
            "overview": self.find_at_most_once(OVERVIEW, text, "complaint overview"),
            "upheld": self.find_once(UPHELD_LEAD, text, "'… of complaints we investigated were upheld'"),
            "compliance": compliance or none_due,
            "remedy": self.find_once(REMEDY_LEAD, text, "'In …% of upheld cases we found …'"),
        }
        found = sorted((match.start(), name) for name, match in leads.items() if match is not None)
        ends = [start for start, _ in found[1:]] + [len(text)]
        return {name: text[start:end] for (start, name), end in zip(found, ends, strict=True)}

    def _period(self, text: str, year: str) -> tuple[str, str]:
        start, end, period_year = self.read(normalise.period, text)
        if period_year != year:
            raise self.fail(f"statistics period {text!r} is not the letter's year {year}")
        return start, end

    def _overview(self, section: str, statistics: AnnualStatistics, year: str) -> list[str]:
        overview = self.find_once(OVERVIEW, section, "complaint overview")
        self._period(overview.group(1), year)
        dealt_with, not_for_us, assessed, investigated = (
            self.read(normalise.count, value) for value in overview.groups()[1:]
        )
        statistics.complaints_dealt_with = dealt_with
        statistics.not_for_us = not_for_us
        statistics.assessed_and_closed = assessed
        if dealt_with != not_for_us + assessed + investigated or investigated != statistics.investigations:
            return [
                f"complaint overview {overview.group(0)!r} disagrees with {statistics.investigations} "
                "investigations"
            ]
        return []

    @staticmethod
    def _rate_disagreements(statistics: AnnualStatistics) -> list[str]:
        return [
            f"{name} {getattr(statistics, name)}% does not follow from its counts"
            for name in normalise.percentages_off(statistics)
        ]

    # --- the table era's Local Authority Report

    def has_report_tables(self) -> bool:
        return REPORT_HEAD.search(self.flat) is not None

    def report_tables(self, year: str) -> tuple[dict[str, int], dict[str, int], int | float, str]:
        """(received, decided, uphold rate, ISO period end) from the report heading and its two tables."""
        head = self.find_once(REPORT_HEAD, self.flat, "'Local Authority Report' heading")
        day, month, end_year = map(int, head.groups())
        if (day, month) != (31, 3) or normalise.statistics_year_from_letter_title_year(end_year) != year:
            raise self.fail(f"{head.group(0)!r} is not the end of the letter's year {year}")
        text = self.flat[head.end() :]
        received_title = self.find_once(RECEIVED_TITLE, text, "'Complaints and enquiries received' table")
        decided_title = self.find_once(DECIDED_TITLE, text, "'Decisions made' table")
        received = self._table(RECEIVED_TOKEN, text[received_title.end() : decided_title.start()], "received")
        decided = self._table(DECIDED_TOKEN, text[decided_title.end() :], "decisions made")
        uphold_rate = decided.pop(self._column(decided, UPHOLD_RATE))
        self._column(decided, UPHELD)
        self._column(decided, NOT_UPHELD)
        return received, decided, uphold_rate, f"{end_year}-03-31"

    def table_statistics(
        self, authority_slug: str, year: str, period_end: str, letter: ParsedLetter
    ) -> tuple[AnnualStatistics, list[str]]:
        upheld = letter.decided[self._column(letter.decided, UPHELD)]
        not_upheld = letter.decided[self._column(letter.decided, NOT_UPHELD)]
        statistics = AnnualStatistics(
            authority_slug=authority_slug,
            year=year,
            source="letter",
            source_url=self.pdf_url,
            period_end=period_end,
            upheld_pct=letter.uphold_rate,
            upheld_decisions=upheld,
            investigations=upheld + not_upheld,
        )
        return statistics, self._rate_disagreements(statistics)

    def _table(self, token: re.Pattern[str], window: str, what: str) -> dict[str, int | float]:
        """A one-row table read as text: its labels then its figures (a header row over a row of figures), or
        each label followed by its figure (label/figure rows). It ends at the Total's figure, and its figures
        must add up to that Total: with pairing by position, the sum is the check that it was right."""
        labels: list[str] = []
        figures: list[str] = []
        for kind, value in self._table_tokens(token, window, what):
            if kind == "label":
                if len(figures) not in (0, len(labels)):
                    raise self.fail(f"{what} table: label {value!r} among the figures")
                labels.append(value)
            else:
                figures.append(value)
            if figures and len(figures) == len(labels) and labels[-1].lower() == TOTAL.lower():
                break
        else:
            raise self.fail(
                f"{what} table: no figure for 'Total' ({len(labels)} labels, {len(figures)} figures)"
            )
        table = {
            label: self.read(self._table_figure(label), figure)
            for label, figure in zip(labels, figures, strict=True)
        }
        if len(table) != len(labels):
            raise self.fail(f"{what} table repeats a label: {labels}")
        total = table.pop(labels[-1])
        counts = [n for label, n in table.items() if label.lower() != UPHOLD_RATE.lower()]
        if sum(counts) != total:
            raise self.fail(f"{what} table: {dict(table)} do not add up to the Total {total}")
        return table

    @staticmethod
    def _table_figure(label: str) -> Callable[[str], int | float]:
        if label.lower() == UPHOLD_RATE.lower():
            return lambda figure: normalise.percent(figure if figure.endswith("%") else f"{figure}%")
        return normalise.count

    def _table_tokens(self, token: re.Pattern[str], window: str, what: str) -> Iterator[tuple[str, str]]:
        for match in token.finditer(window):
            if match.group("other") is not None:
                raise self.fail(f"{what} table: unexpected text {match.group('other')!r}")
            if match.group("figure") is not None:
                yield "figure", match.group("figure")
            elif _collapse(match.group("label")).lower() != DETAILED_INVESTIGATIONS.lower():
                yield "label", _collapse(match.group("label"))

    def _column(self, table: dict[str, int | float], wanted: str) -> str:
        for label in table:
            if label.lower() == wanted.lower():
                return label
        raise self.fail(f"decisions made table has no {wanted!r} column")
