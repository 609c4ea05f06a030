"""Annual review letters as PDF, rendered from the replica's model.

A letter is first spelled out as blocks (`letter_blocks`): its words in reading order, each with the part
it plays. `render_letter_pdf` then lays the blocks out with reportlab. Keeping words and layout apart lets
tests lay the same words out the way other PDF producers do (other fonts, columns, figures drawn first).

Formats per era (site notes §3): the table era 2013-14 to 2017-18 (§3.8), the three key areas 2018-19 to
2023-24 (§3.2; per-100,000 lines from the 2022-23 letter on) and the 2024-25 complaint overview (§3.7).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from harvester.replica.model import Authority, Figures, Letter, Site

TABLE_ERA = "table"
KEY_AREAS_ERA = "three key areas"
OVERVIEW_ERA = "complaint overview"

DESIGNER_YEARS = frozenset({"2019-20", "2020-21", "2021-22", "2024-25"})
"""Years whose statistics page prints the big counts on their own lines ("13" / "upheld decisions")."""

PER_100K_FROM = 2022
"""Start year of the first letter quoting upheld decisions per 100,000 residents (2022-23)."""


@dataclass(frozen=True)
class Text:
    text: str
    """Words of one paragraph or line; emphasised figures are marked **45%**, as in the seed texts."""
    style: str
    """A key of STYLES."""


@dataclass(frozen=True)
class BigFigure:
    """A count printed large on its own line above its label ("13" / "upheld decisions")."""

    number: str
    label: str


@dataclass(frozen=True)
class TableColumn:
    label: str
    value: str
    group: str | None = None
    """Header spanning several columns ("Detailed Investigations")."""


@dataclass(frozen=True)
class Table:
    """A one-row table: a header row of labels over a row of figures."""

    title: str
    columns: tuple[TableColumn, ...]


@dataclass(frozen=True)
class Signature:
    """'Yours sincerely,', a drawn signature, the signatory and their titles: kept on one page."""

    signatory: str
    titles: tuple[str, ...]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Text | BigFigure | Table | Signature | PageBreak


@dataclass(frozen=True)
class Style:
    font: str
    size: float
    space_after: float

    @property
    def leading(self) -> float:
        return self.size * 1.25


STYLES = {
    "letterhead": Style("Helvetica-Bold", 16, 40),
    "line": Style("Helvetica", 11.5, 6),
    "address": Style("Helvetica", 11.5, 0),
    "title": Style("Helvetica-Bold", 13, 12),
    "heading": Style("Helvetica-Bold", 12.5, 8),
    "body": Style("Helvetica", 11.5, 10),
    "statistic": Style("Helvetica", 11.5, 6),
    "note": Style("Helvetica-Oblique", 9.5, 14),
    "signatory": Style("Helvetica", 11.5, 0),
}
BOLD_FONT = {"Helvetica": "Helvetica-Bold", "Helvetica-Oblique": "Helvetica-BoldOblique"}
BIG_FIGURE_STYLE = Style("Helvetica-Bold", 28, 2)
TABLE_FONT, TABLE_FONT_SIZE = "Helvetica", 7
TABLE_MARGIN = 40
SIGNATURE_HEIGHT = 40
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 62
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN


def letter_era(year: str) -> str:
    start = int(year[:4])
    if 2013 <= start <= 2017:
        return TABLE_ERA
    if 2018 <= start <= 2023:
        return KEY_AREAS_ERA
    if start == 2024:
        return OVERVIEW_ERA
    raise ValueError(f"no annual letter format is known for {year}")


def render_letter_pdf(site: Site, authority: Authority, letter: Letter) -> bytes:
    """The letter's PDF; the same inputs always give the same bytes."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(letter.title)
    canvas.setAuthor("Local Government and Social Care Ombudsman")
    _Layout(canvas).draw(letter_blocks(site, authority, letter))
    canvas.save()
    return buffer.getvalue()


def letter_blocks(site: Site, authority: Authority, letter: Letter) -> list[Block]:
    era = letter_era(letter.year)
    blocks = _opening_blocks(authority, letter) + _body_blocks(era, letter)
    if letter.public_report_sentence is not None:
        blocks.append(Text(letter.public_report_sentence, "body"))
    blocks += _closing_blocks(era, letter)
    if letter.has_statistics_section:
        key = (authority.slug, letter.year)
        if key not in site.figures:
            raise KeyError(f"letter {letter.pdf_path}: the site has no figures for {key}")
        figures = site.figures[key]
        blocks.append(PageBreak())
        if era == TABLE_ERA:
            blocks += _table_statistics(authority, figures)
        else:
            blocks += _key_area_statistics(era, authority, figures)
    return blocks


def _end_year(year: str) -> int:
    return int(year[:4]) + 1


def _ombudsman_name(year: str) -> str:
    return (
        "Local Government Ombudsman"
        if _end_year(year) <= 2016
        else "Local Government and Social Care Ombudsman"
    )


def _opening_blocks(authority: Authority, letter: Letter) -> list[Block]:
    letterhead = _ombudsman_name(letter.year).replace(" and ", " & ").removesuffix("Ombudsman") + "OMBUDSMAN"
    return [
        Text(letterhead, "letterhead"),
        Text(f"{letter.letter_date.day} {letter.letter_date:%B %Y}", "line"),
        Text("By email", "line"),
        Text(letter.addressee_name, "address"),
        Text(letter.addressee_role, "address"),
        Text(authority.name, "line"),
        Text(f"Dear {letter.addressee_name}", "line"),
        Text(letter.title, "title"),
    ]


COVID_2020 = (
    "Given the exceptional pressures under which local authorities have been working over recent months, I "
    "thought carefully about whether it was still appropriate to send you this annual update. However, now, "
    "more than ever, I believe that it is essential that the public experience of local services is at the "
    "heart of our thinking."
)
PAUSE_2021 = (
    "This year's figures reflect the period from 18 March to 29 June 2020 when we stopped accepting new "
    "complaints for three months due to Covid-19, so we received and decided fewer complaints than normal."
)
CHANGED_APPROACH_2023 = (
    "We have changed our approach to the complaints we investigate. We are less likely to carry out "
    "investigations on 'borderline' issues, so we are naturally finding a higher proportion of fault overall."
)
TABLE_ERA_BODY = (
    "The number of complaints and enquiries received about your authority is not, on its own, a measure of "
    "how well it serves the public: a council that makes its complaints procedure easy to find may receive "
    "more. The decisions we made, and how often we found fault, tell more about where things go wrong.",
    "We publish all our decisions on our website, so that the public, elected members and officers can see "
    "how complaints about local services were resolved and what was learned from them. I would encourage "
    "you to share this letter, and our decisions about your authority, with your scrutiny committee.",
    "Our training programme supports councils to improve local complaint handling, with courses on "
    "effective complaint handling, investigation skills and managing unreasonable behaviour. To find out "
    "more visit www.lgo.org.uk/training.",
)
KEY_AREAS = (
    "Complaint statistics",
    "This year, we continue to place our focus on the outcomes of complaints and what can be learned from "
    "them. We want to provide you with the most insightful information we can and have made several changes "
    "over recent years to improve the data we capture and report. We focus our statistics on these three key "
    "areas:",
    "Complaints upheld - We uphold complaints when we find some form of fault in an authority's actions, "
    "including where the authority accepted fault before we investigated. A focus on how often things go "
    "wrong, rather than simple volumes of complaints provides a clearer indicator of performance.",
    "Compliance with recommendations - We recommend ways for authorities to put things right when faults "
    "have caused injustice. Our recommendations try to put people back in the position they were before the "
    "fault and we monitor authorities to ensure they comply with our recommendations. Failure to comply with "
    "our recommendations is rare. An authority with a compliance rate below 100% should scrutinise those "
    "complaints where it failed to comply and identify any learning.",
    "Satisfactory remedies provided by the authority - We want to encourage the early resolution of "
    "complaints and to credit authorities that have a positive and open approach to resolving complaints. We "
    "recognise cases where an authority has taken steps to put things right before the complaint came to "
    "us. The authority upheld the complaint and we agreed with how it offered to put things right.",
    "Finally, we compare the three key annual statistics for your authority with similar types of "
    "authorities to work out an average level of performance. We do this for County Councils, District "
    "Councils, Metropolitan Boroughs, Unitary Councils, and London Boroughs.",
)
PER_100K_AREA = (
    "We also compare the number of upheld complaints with the size of the population your authority serves, "
    "so that authorities of different sizes can be compared fairly."
)
OVERVIEW_AREAS = (
    "Complaint statistics",
    "This year we report how many complaints we dealt with, how many were not for us, how many we assessed "
    "and closed, and how many we investigated, alongside complaints upheld, satisfactory remedies and "
    "compliance with our recommendations. We compare the annual statistics of similar types of councils to "
    "work out average performance rates.",
)
RESOURCES = (
    "Resources to help you get it right",
    "There are a range of resources available that can support you to place the learning from complaints, "
    "about your authority and others, at the heart of your system of corporate governance. Your council's "
    "performance puts our data and information about councils in one place. Again, the emphasis is on "
    "learning, not numbers. You can find the decisions we have made, public reports we have issued, and the "
    "service improvements your Council has agreed to make as a result of our investigations, as well as "
    "previous annual review letters.",
    "I would encourage you to share the tool with colleagues and elected members; the information can "
    "provide valuable insights into service areas, early warning signs of problems and is a key source of "
    "information for governance, audit, risk and scrutiny functions.",
    "We have a well-established and successful training programme supporting local authorities and "
    "independent care providers to help improve local complaint handling. Our courses cover effective "
    "complaint handling, investigation skills and the handling of unreasonable behaviour. To find out more "
    "visit www.lgo.org.uk/training.",
)


def _body_blocks(era: str, letter: Letter) -> list[Block]:
    end = _end_year(letter.year)
    if era == TABLE_ERA:
        paragraphs = [
            f"I am writing with our annual summary of statistics on the complaints made to the "
            f"{_ombudsman_name(letter.year)} about your authority for the year ended 31 March {end}. The "
            f"enclosed tables present the number of complaints and enquiries received about your authority "
            f"and the decisions we made during the period.",
            "I hope this information will prove helpful in assessing your authority's performance in "
            "handling complaints. Our statistics are one part of the picture and are most useful read "
            "alongside the decisions themselves, which we publish on our website.",
            *TABLE_ERA_BODY,
        ]
        return [Text(paragraph, "body") for paragraph in paragraphs]
    opening = {
        2020: COVID_2020,
        2021: PAUSE_2021,
        2023: CHANGED_APPROACH_2023,
    }.get(end, "I hope this feedback will be useful as you plan for the year ahead.")
    if era == OVERVIEW_ERA:
        lead = (
            f"I write to you with your annual summary of complaint statistics from the Local Government and "
            f"Social Care Ombudsman for the year ending 31 March {end}."
        )
        sections = OVERVIEW_AREAS
    else:
        lead = (
            f"I write to you with our annual summary of statistics on the decisions made by the Local "
            f"Government and Social Care Ombudsman about your authority for the year ending 31 March {end}."
        )
        sections = KEY_AREAS + ((PER_100K_AREA,) if end - 1 >= PER_100K_FROM else ())
    blocks: list[Block] = [Text(f"{lead} {opening}", "body")]
    blocks += [Text(line, "heading" if line == sections[0] else "body") for line in sections]
    blocks.append(
        Text(
            "This data will be uploaded to our interactive map, Your council's performance, along with a "
            "copy of this letter.",
            "body",
        )
    )
    return blocks


def _closing_blocks(era: str, letter: Letter) -> list[Block]:
    blocks: list[Block] = []
    if era != TABLE_ERA:
        blocks += [Text(RESOURCES[0], "heading")] + [Text(line, "body") for line in RESOURCES[1:]]
    blocks.append(Signature(letter.signatory, letter.signatory_titles))
    return blocks


def _counted(count: int, noun: str) -> str:
    """'1 upheld decision', '2 upheld decisions': the letters use the singular for one."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _per_100k(value: float) -> str:
    """'4' for 4.0, '4.6' for 4.6: the site drops a trailing '.0'."""
    if round(value, 1) != value:
        raise ValueError(f"per-100,000 figure {value!r} has more than one decimal")
    return f"{value:.1f}".removesuffix(".0")


def _key_area_statistics(era: str, authority: Authority, figures: Figures) -> list[Block]:
    designer = figures.year in DESIGNER_YEARS
    start, end = int(figures.year[:4]), _end_year(figures.year)
    investigation = "investigation" if era == OVERVIEW_ERA or start >= 2023 else "detailed investigation"
    based_on = f"for the period between 1 April {start} to 31 March {end}"

    def count(number: int, noun: str) -> Block:
        if designer:
            label = _counted(number, noun).partition(" ")[2]
            return BigFigure(str(number), label)
        return Text(_counted(number, noun), "statistic")

    def average(pct: int) -> Block:
        figure = f"**{pct}%**" if designer else f"{pct}%"
        return Text(f"This compares to an average of {figure} in similar authorities.", "statistic")

    blocks: list[Block] = []
    if era == OVERVIEW_ERA:
        blocks += [Text("Complaint overview", "heading"), Text(_overview_sentence(figures), "statistic")]
    blocks += [
        Text("Complaints upheld", "heading"),
        Text(f"{figures.upheld_pct}% of complaints we investigated were upheld.", "statistic"),
        average(figures.upheld_avg_pct),
        count(figures.upheld_decisions, "upheld decision"),
    ]
    if start >= PER_100K_FROM and figures.upheld_per_100k is not None:
        if figures.upheld_per_100k_avg is None:
            raise ValueError(f"{authority.slug} {figures.year}: upheld_per_100k without its average")
        blocks += [
            Text(
                f"Adjusted for {authority.name}'s population, this is {_per_100k(figures.upheld_per_100k)} "
                "upheld decisions per 100,000 residents.",
                "statistic",
            ),
            Text(
                f"The average for authorities of this type is {_per_100k(figures.upheld_per_100k_avg)} "
                "upheld decisions per 100,000 residents.",
                "statistic",
            ),
        ]
    investigations_base = Text(
        f"Statistics are based on a total of {_counted(figures.investigations, investigation)} {based_on}",
        "note",
    )
    blocks += [investigations_base, Text("Compliance with Ombudsman recommendations", "heading")]
    if figures.compliance_outcomes == 0:
        blocks.append(Text("No recommendations were due for compliance in this period", "statistic"))
    else:
        if figures.compliance_pct is None:
            raise ValueError(
                f"{authority.slug} {figures.year}: compliance outcomes without a compliance rate"
            )
        blocks += [
            Text(
                f"In **{figures.compliance_pct}%** of cases we were satisfied the authority had successfully "
                "implemented our recommendations.",
                "statistic",
            ),
            average(figures.compliance_avg_pct),
            Text(
                "Statistics are based on a total of "
                f"{_counted(figures.compliance_outcomes, 'compliance outcome')} {based_on}",
                "note",
            ),
            Text(
                "- Failure to comply with our recommendations is rare. An authority with a compliance rate "
                "below 100% should scrutinise those complaints where it failed to comply and identify any "
                "learning.",
                "note",
            ),
        ]
    blocks += [
        Text("Satisfactory remedies provided by the authority", "heading"),
        Text(
            f"In **{figures.remedy_pct}%** of upheld cases we found the authority had provided a "
            "satisfactory remedy before the complaint reached the Ombudsman.",
            "statistic",
        ),
        average(figures.remedy_avg_pct),
        count(figures.remedy_decisions, "satisfactory remedy decision"),
        investigations_base,  # the letters quote the investigations, not the upheld decisions, here too
    ]
    return blocks


def _overview_sentence(figures: Figures) -> str:
    overview = (figures.complaints_dealt_with, figures.not_for_us, figures.assessed_and_closed)
    if None in overview:
        raise ValueError(f"{figures.year} figures lack the complaint overview: {overview}")
    dealt_with, not_for_us, assessed = overview
    start = int(figures.year[:4])
    return (
        f"Between 1 April {start} to 31 March {start + 1}, we dealt with "
        f"{_counted(dealt_with, 'complaint')}. "
        f"Of these, {not_for_us} {'was' if not_for_us == 1 else 'were'} not for us or not ready for us to "
        f"investigate. We assessed and closed {_counted(assessed, 'complaint')}. "
        f"We investigated {_counted(figures.investigations, 'complaint')}."
    )


DETAILED_INVESTIGATIONS = "Detailed Investigations"
DETAILED_OUTCOMES = ("upheld", "not upheld")


def _table_statistics(authority: Authority, figures: Figures) -> list[Block]:
    if not figures.received_by_category or not figures.decided_by_outcome:
        raise ValueError(
            f"{authority.slug} {figures.year}: table-era figures need received and decided counts"
        )
    received = [TableColumn(category, str(n)) for category, n in figures.received_by_category.items()]
    received.append(TableColumn("Total", str(sum(figures.received_by_category.values()))))
    by_lower = {outcome.lower(): outcome for outcome in figures.decided_by_outcome}
    missing = [outcome for outcome in DETAILED_OUTCOMES if outcome not in by_lower]
    if missing:
        raise ValueError(f"{authority.slug} {figures.year}: decided_by_outcome lacks {missing}")
    decided = [
        TableColumn(
            by_lower[outcome], str(figures.decided_by_outcome[by_lower[outcome]]), DETAILED_INVESTIGATIONS
        )
        for outcome in DETAILED_OUTCOMES
    ]
    decided.append(TableColumn("Uphold Rate (%)", str(figures.upheld_pct), DETAILED_INVESTIGATIONS))
    decided += [
        TableColumn(outcome, str(n))
        for outcome, n in figures.decided_by_outcome.items()
        if outcome.lower() not in DETAILED_OUTCOMES
    ]
    decided.append(TableColumn("Total", str(sum(figures.decided_by_outcome.values()))))
    return [
        Text(f"Local Authority Report: {authority.name}", "heading"),
        Text(f"For the period ending: 31/03/{_end_year(figures.year)}", "line"),
        Table("Complaints and enquiries received", tuple(received)),
        Table("Decisions made", tuple(decided)),
    ]


EMPHASIS = re.compile(r"\*\*(.+?)\*\*")


def emphasis_runs(text: str) -> list[tuple[str, bool]]:
    """Split '... of **45%** in ...' into (words, emphasised) runs."""
    runs, position = [], 0
    for match in EMPHASIS.finditer(text):
        runs += [(text[position : match.start()], False), (match.group(1), True)]
        position = match.end()
    runs.append((text[position:], False))
    return [(words, emphasised) for words, emphasised in runs if words]


class _Layout:
    """Flows blocks down A4 pages, one column, starting a new page when the next block does not fit."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.y = PAGE_HEIGHT - MARGIN

    def draw(self, blocks: list[Block]) -> None:
        for block in blocks:
            match block:
                case Text():
                    self._text(block)
                case BigFigure():
                    self._big_figure(block)
                case Table():
                    self._table(block)
                case Signature():
                    self._signature(block)
                case PageBreak():
                    self._new_page()
        self.canvas.showPage()

    def _new_page(self) -> None:
        self.canvas.showPage()
        self.y = PAGE_HEIGHT - MARGIN

    def _make_room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self._new_page()

    def _text(self, block: Text) -> None:
        style = STYLES[block.style]
        lines = _wrap(emphasis_runs(block.text), style, TEXT_WIDTH)
        self._make_room(len(lines) * style.leading)
        for line in lines:
            self.y -= style.leading
            text = self.canvas.beginText(MARGIN, self.y)
            for word, font in line:
                text.setFont(font, style.size)
                text.textOut(word)
            self.canvas.drawText(text)
        self.y -= style.space_after

    def _signature(self, block: Signature) -> None:
        style = STYLES["signatory"]
        self._make_room((3 + len(block.titles)) * style.leading + SIGNATURE_HEIGHT)
        self.canvas.setFont(style.font, style.size)
        self.y -= style.leading
        self.canvas.drawString(MARGIN, self.y, "Yours sincerely,")
        path = self.canvas.beginPath()
        path.moveTo(MARGIN, self.y - SIGNATURE_HEIGHT + 8)
        path.curveTo(
            MARGIN + 20, self.y - 5, MARGIN + 40, self.y - SIGNATURE_HEIGHT, MARGIN + 90, self.y - 15
        )
        self.canvas.drawPath(path)
        self.y -= SIGNATURE_HEIGHT
        for line in (block.signatory, *block.titles):
            self.y -= style.leading
            self.canvas.drawString(MARGIN, self.y, line)

    def _big_figure(self, block: BigFigure) -> None:
        label = STYLES["statistic"]
        self._make_room(BIG_FIGURE_STYLE.leading + label.leading)
        self.y -= BIG_FIGURE_STYLE.leading
        self.canvas.setFont(BIG_FIGURE_STYLE.font, BIG_FIGURE_STYLE.size)
        self.canvas.drawString(MARGIN, self.y, block.number)
        self.y -= label.leading
        self.canvas.setFont(label.font, label.size)
        self.canvas.drawString(MARGIN, self.y, block.label)
        self.y -= label.space_after

    def _table(self, block: Table) -> None:
        canvas = self.canvas
        width = (PAGE_WIDTH - 2 * TABLE_MARGIN) / len(block.columns)
        leading = TABLE_FONT_SIZE * 1.2
        cell_style = Style(TABLE_FONT, TABLE_FONT_SIZE, 0)
        headers = [
            [line[0][0].rstrip() for line in _wrap([(column.label, False)], cell_style, width - 4)]
            for column in block.columns
        ]
        header_lines = max(map(len, headers))
        groups = list(dict.fromkeys(column.group for column in block.columns if column.group))
        self._make_room(16 + 6 + (leading + 4) * bool(groups) + header_lines * leading + 30)
        self.y -= 16
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(TABLE_MARGIN, self.y, block.title)
        self.y -= 6
        canvas.setFont(TABLE_FONT, TABLE_FONT_SIZE)
        if groups:
            self.y -= leading
            for group in groups:
                spanned = [i for i, column in enumerate(block.columns) if column.group == group]
                left, right = TABLE_MARGIN + spanned[0] * width, TABLE_MARGIN + (spanned[-1] + 1) * width
                canvas.drawCentredString((left + right) / 2, self.y, group)
                canvas.line(left + 2, self.y - 3, right - 2, self.y - 3)
            self.y -= 4
        header_top = self.y
        for i, lines in enumerate(headers):
            for row, line in enumerate(lines, start=1):
                canvas.drawCentredString(TABLE_MARGIN + (i + 0.5) * width, header_top - row * leading, line)
        self.y = header_top - header_lines * leading - 14
        for i, column in enumerate(block.columns):
            canvas.drawCentredString(TABLE_MARGIN + (i + 0.5) * width, self.y, column.value)
        for i in range(len(block.columns) + 1):
            x = TABLE_MARGIN + i * width
            canvas.line(x, header_top + 2, x, self.y - 4)
        canvas.line(TABLE_MARGIN, self.y - 4, PAGE_WIDTH - TABLE_MARGIN, self.y - 4)
        self.y -= 16


def _wrap(runs: list[tuple[str, bool]], style: Style, width: float) -> list[list[tuple[str, str]]]:
    """Greedy word wrap of emphasis runs into lines of (word plus its trailing space, font)."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for words, emphasised in runs:
        font = BOLD_FONT[style.font] if emphasised else style.font
        if words[0].isspace() and lines[-1]:
            last_word, last_font = lines[-1][-1]
            lines[-1][-1] = (last_word + " ", last_font)
        for word in re.findall(r"\S+\s*", words):
            word_width = stringWidth(word.rstrip(), font, style.size)
            if used and used + word_width > width:
                lines.append([])
                used = 0.0
            lines[-1].append((word, font))
            used += stringWidth(word, font, style.size)
    return _merge_fonts(lines)


def _merge_fonts(lines: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """Join neighbouring words in the same font, so each line is drawn in as few text runs as possible."""
    merged = []
    for line in lines:
        runs: list[tuple[str, str]] = []
        for word, font in line:
            if runs and runs[-1][1] == font:
                runs[-1] = (runs[-1][0] + word, font)
            else:
                runs.append((word, font))
        merged.append(runs)
    return merged
