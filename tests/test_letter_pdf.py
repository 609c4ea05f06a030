"""Annual letters as PDF: rendered by the replica (and laid out in other ways), read back through the safe
extractor and parsed, they give exactly what they were rendered from; so do the two real letters."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from harvester.items import AnnualStatistics
from harvester.pages.letter import ParsedLetter, letter_text_is_usable, parse_letter
from harvester.pdftext import FAST, LAYOUT, extract_text, pdfium_text
from harvester.replica.build import DECIDED_OUTCOMES, RECEIVED_CATEGORIES, percent
from harvester.replica.letters import (
    DESIGNER_YEARS,
    TABLE_ERA,
    BigFigure,
    Block,
    PageBreak,
    Signature,
    Table,
    Text,
    emphasis_runs,
    letter_blocks,
    letter_era,
    render_letter_pdf,
)
from harvester.replica.model import STATISTICS_YEARS, Authority, Figures, Letter, Site
from tests.test_letter_text import with_statistics

SEEDS = Path(__file__).resolve().parent / "seeds"  # copies of ../shared/seeds: real letters as text

AUTHORITY = Authority(
    slug="brighton-hove-city-council",
    name="Brighton & Hove City Council",
    kind="Unitary",
    abolished=False,
    first_year="2013-14",
    last_year="2024-25",
    population=277_000,
)
RECEIVED = RECEIVED_CATEGORIES
OTHER_DECISIONS = tuple(outcome for outcome in DECIDED_OUTCOMES if outcome not in ("Upheld", "Not Upheld"))
SINGULARS_YEAR, NO_INVESTIGATIONS_YEAR, NONE_DUE_YEAR = "2018-19", "2020-21", "2021-22"
PUBLIC_REPORT_YEARS = {
    "2016-17": "We issued a public report about your council after it failed to review a child's care plan.",
    "2022-23": "This year, I published one public report about your Council and its failure to act on noise.",
}


def make_figures(year: str) -> Figures:
    index = STATISTICS_YEARS.index(year)
    investigations, upheld, remedies, outcomes = 40 + 3 * index, 21 + 2 * index, 3 + index % 4, 17 + index
    if year == SINGULARS_YEAR:
        investigations, upheld, remedies, outcomes = 1, 1, 1, 1
    if year == NO_INVESTIGATIONS_YEAR:
        investigations, upheld, remedies = 0, 0, 0
    if year == NONE_DUE_YEAR:
        outcomes = 0
    start = int(year[:4])
    table_era = letter_era(year) == TABLE_ERA
    return Figures(
        year=year,
        investigations=investigations,
        upheld_decisions=upheld,
        upheld_pct=percent(upheld, investigations),
        upheld_avg_pct=55 + index,
        compliance_outcomes=outcomes,
        compliance_pct=None if outcomes == 0 else 94 + index % 7,
        compliance_avg_pct=99,
        remedy_decisions=remedies,
        remedy_pct=percent(remedies, upheld),
        remedy_avg_pct=11 + index % 3,
        upheld_per_100k=round(upheld / 2.77, 1) if start >= 2022 else None,
        upheld_per_100k_avg=4.6 if start >= 2022 else None,
        complaints_dealt_with=141 + investigations if start == 2024 else None,
        not_for_us=33 if start == 2024 else None,
        assessed_and_closed=108 if start == 2024 else None,
        received_by_category={c: 3 * i + index for i, c in enumerate(RECEIVED)} if table_era else {},
        decided_by_outcome=(
            {"Upheld": upheld, "Not Upheld": investigations - upheld}
            | {outcome: 5 + i + index for i, outcome in enumerate(OTHER_DECISIONS)}
            if table_era
            else {}
        ),
    )


def make_letter(year: str, **changes) -> Letter:
    end = int(year[:4]) + 1
    letter = Letter(
        year=year,
        title=f"Annual Review letter {end}",
        letter_date=dt.date(end, 7, 20 + end % 7),
        addressee_name="Ms Elliott",
        addressee_role="Chief Executive and Head of Paid Service",
        signatory="Michael King" if end < 2023 else "Amerdeep Somal",
        signatory_titles=("Local Government and Social Care Ombudsman",)
        + (("Chair, Commission for Local Administration in England",) if end < 2023 else ()),
        public_report_sentence=PUBLIC_REPORT_YEARS.get(year),
        pdf_path=f"/assets/attach/{8000 + end}/Brighton-Hove-City-Council-annual-review-letter-{end}.pdf",
    )
    return Letter(**{**letter.__dict__, **changes})


SITE = Site(
    seed=0,
    authorities=[AUTHORITY],
    figures={(AUTHORITY.slug, year): make_figures(year) for year in STATISTICS_YEARS},
    reports={},
    improvements={},
    letters={AUTHORITY.slug: [make_letter(year) for year in STATISTICS_YEARS]},
)
LETTERS = SITE.letters[AUTHORITY.slug]


def expected_statistics(letter: Letter) -> AnnualStatistics:
    """What the letter's statistics section states, from the figures it was rendered from."""
    figures = SITE.figures[(AUTHORITY.slug, letter.year)]
    start = int(letter.year[:4])
    common = dict(
        authority_slug=AUTHORITY.slug, year=letter.year, source="letter", source_url=letter.pdf_path
    )
    if letter_era(letter.year) == TABLE_ERA:
        return AnnualStatistics(
            **common,
            period_end=f"{start + 1}-03-31",
            upheld_pct=figures.upheld_pct,
            upheld_decisions=figures.upheld_decisions,
            investigations=figures.investigations,
        )
    none_due = figures.compliance_outcomes == 0
    return AnnualStatistics(
        **common,
        period_start=f"{start}-04-01",
        period_end=f"{start + 1}-03-31",
        upheld_pct=figures.upheld_pct,
        upheld_avg_pct=figures.upheld_avg_pct,
        upheld_decisions=figures.upheld_decisions,
        investigations=figures.investigations,
        upheld_per_100k=figures.upheld_per_100k,
        upheld_per_100k_avg=figures.upheld_per_100k_avg,
        compliance_pct=None if none_due else figures.compliance_pct,
        compliance_avg_pct=None if none_due else figures.compliance_avg_pct,
        compliance_outcomes=figures.compliance_outcomes,
        remedy_pct=figures.remedy_pct,
        remedy_avg_pct=figures.remedy_avg_pct,
        remedy_decisions=figures.remedy_decisions,
        complaints_dealt_with=figures.complaints_dealt_with,
        not_for_us=figures.not_for_us,
        assessed_and_closed=figures.assessed_and_closed,
    )


def expected_letter(letter: Letter) -> ParsedLetter:
    figures = SITE.figures[(AUTHORITY.slug, letter.year)]
    table_era = letter_era(letter.year) == TABLE_ERA and letter.has_statistics_section
    return ParsedLetter(
        authority_slug=AUTHORITY.slug,
        pdf_url=letter.pdf_path,
        year=letter.year,
        title=letter.title,
        letter_date=letter.letter_date.isoformat(),
        addressee_name=letter.addressee_name,
        addressee_role=letter.addressee_role,
        signatory=letter.signatory,
        public_report_sentences=[letter.public_report_sentence] if letter.public_report_sentence else [],
        statistics=expected_statistics(letter) if letter.has_statistics_section else None,
        received=figures.received_by_category if table_era else None,
        decided=figures.decided_by_outcome if table_era else None,
        uphold_rate=figures.upheld_pct if table_era else None,
    )


def read_letter(pdf: bytes, letter: Letter):
    """The safe path the crawler takes: extract (with the layout fallback), then parse."""
    accept = functools.partial(letter_text_is_usable, authority_slug=AUTHORITY.slug)
    extracted = extract_text(pdf, accept=accept)
    return extracted, parse_letter(extracted.text, authority_slug=AUTHORITY.slug, pdf_url=letter.pdf_path)


@pytest.mark.parametrize("letter", LETTERS, ids=[letter.year for letter in LETTERS])
def test_replica_letter_reads_back_as_rendered(letter):
    extracted, parsed = read_letter(render_letter_pdf(SITE, AUTHORITY, letter), letter)
    assert extracted.reader == FAST
    assert extracted.page_count in (2, 3, 4)
    assert parsed == expected_letter(letter)


def test_the_edge_years_read_as_their_wording_says():
    by_year = {
        letter.year: read_letter(render_letter_pdf(SITE, AUTHORITY, letter), letter)[1] for letter in LETTERS
    }
    singulars = by_year[SINGULARS_YEAR].statistics
    assert (singulars.investigations, singulars.upheld_decisions, singulars.compliance_outcomes) == (1, 1, 1)
    nothing_investigated = by_year[NO_INVESTIGATIONS_YEAR].statistics
    assert (nothing_investigated.upheld_pct, nothing_investigated.remedy_decisions) == (0, 0)
    none_due = by_year[NONE_DUE_YEAR].statistics
    assert (none_due.compliance_outcomes, none_due.compliance_pct, none_due.compliance_avg_pct) == (
        0,
        None,
        None,
    )
    overview = by_year["2024-25"].statistics
    assert (overview.complaints_dealt_with, overview.not_for_us, overview.assessed_and_closed) == (
        141 + overview.investigations,
        33,
        108,
    )
    assert by_year["2015-16"].received["Environmental Services & Public Protection & Regulation"] == 14
    assert by_year["2016-17"].has_public_report and not by_year["2017-18"].has_public_report


def test_a_letter_without_its_statistics_pages_has_no_statistics_not_zeros():
    for year in ("2015-16", "2019-20", "2024-25"):
        letter = make_letter(year, has_statistics_section=False)
        extracted, parsed = read_letter(render_letter_pdf(SITE, AUTHORITY, letter), letter)
        assert parsed == expected_letter(letter)
        assert (parsed.statistics, parsed.received, parsed.decided) == (None, None, None)
        assert "Complaints upheld" not in extracted.text.split("Yours sincerely")[1]


def test_rendering_is_deterministic():
    # Rendering speed is measured in bench/, not asserted here: a loaded machine would fail it.
    letter = LETTERS[STATISTICS_YEARS.index("2019-20")]
    first = render_letter_pdf(SITE, AUTHORITY, letter)
    assert render_letter_pdf(SITE, AUTHORITY, letter) == first
    assert b"/CreationDate (D:20000101000000+00'00')" in first


def test_designer_years_print_their_counts_on_lines_of_their_own():
    letter = LETTERS[STATISTICS_YEARS.index("2019-20")]
    text, _pages = pdfium_text(render_letter_pdf(SITE, AUTHORITY, letter))
    upheld = SITE.figures[(AUTHORITY.slug, "2019-20")].upheld_decisions
    assert f"\n{upheld}\nupheld decisions\n" in text
    assert "2019-20" in DESIGNER_YEARS


# --- the two real letters (seed texts), rendered to PDF here as plain pages of text


def seed_pdf(text: str) -> bytes:
    """The seed text on A4 pages, Times, wrapped at 480 pt; '**' runs in bold; blank lines kept."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    y = A4[1] - 60
    for paragraph in text.splitlines():
        for line in simpleSplit(paragraph, "Times-Roman", 11, 480) or [""]:
            if y < 60:
                canvas.showPage()
                y = A4[1] - 60
            drawn = canvas.beginText(60, y)
            for words, emphasised in emphasis_runs(line):
                drawn.setFont("Times-Bold" if emphasised else "Times-Roman", 11)
                drawn.textOut(words)
            canvas.drawText(drawn)
            y -= 14
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def read_seed(name: str, slug: str) -> tuple[ParsedLetter, ParsedLetter]:
    """The seed parsed straight from its text and through a PDF of it."""
    text = (SEEDS / name).read_text()
    extracted = extract_text(
        seed_pdf(text), accept=functools.partial(letter_text_is_usable, authority_slug=slug)
    )
    url = f"https://www.lgo.org.uk/assets/attach/1/{name}.pdf"
    return (
        parse_letter(text, authority_slug=slug, pdf_url=url),
        parse_letter(extracted.text, authority_slug=slug, pdf_url=url),
    )


def test_wellingborough_2020_letter():
    for parsed in read_seed("letter-2020-wellingborough.txt", "wellingborough-borough-council"):
        assert (parsed.year, parsed.title, parsed.letter_date) == (
            "2019-20",
            "Annual Review letter 2020",
            "2020-07-22",
        )
        assert (parsed.addressee_name, parsed.addressee_role, parsed.signatory) == (
            "Ms Elliott",
            "Managing Director",
            "Michael King",
        )
        assert parsed.public_report_sentences == []
        assert parsed.statistics == with_statistics(source_url=parsed.pdf_url)


def test_leicester_2020_letter_without_statistics_pages():
    for parsed in read_seed("letter-2020-leicester.txt", "leicester-city-council"):
        assert (parsed.year, parsed.letter_date, parsed.signatory) == (
            "2019-20",
            "2020-07-22",
            "Michael King",
        )
        assert (parsed.addressee_name, parsed.addressee_role) == ("Mr Keeling", "Chief Operating Officer")
        assert parsed.statistics is None
        assert parsed.public_report_sentences == [
            "This year, I issued a public report about the Council after it wrongly decided a mother was not "
            "providing an adequate home education for her son."
        ]


# --- PDFs laid out unlike the replica's


def render_unlike_the_replica(
    blocks: list[Block],
    *,
    font: str = "Helvetica",
    text_width: float = 400,
    columns: int = 1,
    numbers_apart: bool = False,
    figures_first: bool = False,
) -> bytes:
    """The letter's words laid out as other producers do. `numbers_apart` prints a statistic's leading figure
    large on a line of its own; `columns` puts each statistics section in its own column; `figures_first`
    draws every large figure into the page before any text, as designed pages exported from layout tools do.
    Tables become label/figure rows."""
    width, height = A4
    column_width = (width - 100 - (columns - 1) * 16) / columns
    pages: list[list[tuple[bool, float, float, str, float, str]]] = [[]]
    x, y, heading_count, statistics = 50.0, height - 50, 0, False

    def draw(text: str, face: str = font, size: float = 10, *, big: bool = False, gap: float = 13) -> None:
        nonlocal y
        if y - gap < 50:
            pages.append([])
            y = height - 50
        y -= gap
        pages[-1].append((big, x, y, face, size, text))

    def paragraph(text: str, size: float = 10) -> None:
        wrap_width = min(column_width, text_width) if statistics else text_width
        for line in simpleSplit(text.replace("**", ""), font, size, wrap_width):
            draw(line, size=size)
        draw("", gap=4)

    for block in blocks:
        match block:
            case PageBreak():
                pages.append([])
                x, y, statistics = 50.0, height - 50, True
            case Text(style="heading") if statistics and columns > 1:
                heading_count += 1
                if heading_count > 1 and (heading_count - 1) % columns == 0:
                    pages.append([])
                x = 50 + ((heading_count - 1) % columns) * (column_width + 16)
                y = height - 50
                paragraph(block.text, 11)
            case Text(text=text) if statistics and numbers_apart and re.match(r"\d[\d,]*%? ", text):
                figure, rest = text.split(" ", 1)
                draw(figure, "Helvetica-Bold", 26, big=True, gap=30)
                paragraph(rest)
            case Text():
                paragraph(block.text)
            case BigFigure():
                draw(block.number, "Helvetica-Bold", 26, big=True, gap=30)
                draw(block.label)
            case Table():
                draw(block.title, gap=18)
                for column in block.columns:
                    draw(column.label)
                    pages[-1].append((False, x + 330, y, font, 10, column.value))
            case Signature():
                for line in ("Yours sincerely,", block.signatory, *block.titles):
                    draw(line)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        ordered = sorted(page, key=lambda item: not item[0]) if figures_first else page
        for _big, left, baseline, face, size, text in ordered:
            canvas.setFont(face, size)
            canvas.drawString(left, baseline, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


LAYOUTS = {
    "another font": dict(font="Times-Roman"),
    "numbers on their own lines": dict(numbers_apart=True),
    "sentences wrapped mid-phrase": dict(text_width=170),
    "three columns": dict(columns=3),
    "designer order": dict(columns=3, numbers_apart=True, figures_first=True),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_letters_laid_out_otherwise_read_the_same(layout):
    for letter in LETTERS:
        pdf = render_unlike_the_replica(letter_blocks(SITE, AUTHORITY, letter), **LAYOUTS[layout])
        extracted, parsed = read_letter(pdf, letter)
        assert parsed == expected_letter(letter), f"{layout}, {letter.year}"
        if layout != "designer order":
            assert extracted.reader == FAST
        elif letter_era(letter.year) != TABLE_ERA:
            # PDFium reads the figures first, away from their labels; the layout reader pairs them again.
            assert not letter_text_is_usable(pdfium_text(pdf)[0], authority_slug=AUTHORITY.slug)
            assert extracted.reader == LAYOUT
