"""The data contract: what the parsers yield and what the store keeps.

Every field has a docstring-style comment; `harvester.store` builds its tables from these
classes and the README's schema section is generated from them, so a change here is a change
to what researchers query. Keep names stable.

Conventions: percentages are numbers (69 for "69%"); a figure the source does not give is
None (NULL), never 0; years are statistics years 'YYYY-YY'; dates are ISO 'YYYY-MM-DD'.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Authority:
    """A council as the Ombudsman's site names it."""

    slug: str
    """URL slug exactly as the site writes it ('West-Northamptonshire-Council')."""
    name: str
    """Display name from the page heading ('Luton Borough Council')."""
    url: str
    """The authority's statistics page."""
    predecessor_urls: list[str] = field(default_factory=list)
    """Statistics pages linked from the merger box (successor councils only)."""


@dataclass
class AnnualStatistics:
    """One year of one authority's figures, from its statistics page or its annual letter."""

    authority_slug: str
    year: str
    """Statistics year 'YYYY-YY' (1 April YYYY to 31 March YYYY+1)."""
    source: str
    """'page' (statistics page) or 'letter' (annual review letter)."""
    source_url: str
    period_start: str | None = None
    """ISO date the period starts, from "for the period between 1 April 2023 ..."."""
    period_end: str | None = None
    """ISO date the period ends."""
    upheld_pct: float | None = None
    """Percent of investigated complaints upheld."""
    upheld_avg_pct: float | None = None
    """Average uphold rate (percent) for authorities of this type."""
    upheld_decisions: int | None = None
    """Number of upheld decisions."""
    investigations: int | None = None
    """Number of (detailed) investigations: the base of upheld_pct."""
    upheld_per_100k: float | None = None
    """Upheld decisions per 100,000 residents."""
    upheld_per_100k_avg: float | None = None
    """Average upheld decisions per 100,000 residents for authorities of this type."""
    compliance_pct: float | None = None
    """Percent of cases where the council implemented the recommendations; NULL when none were due."""
    compliance_avg_pct: float | None = None
    """Average compliance rate (percent) for authorities of this type."""
    compliance_outcomes: int | None = None
    """Number of compliance outcomes: the base of compliance_pct."""
    remedy_pct: float | None = None
    """Percent of upheld cases where the council had already provided a satisfactory remedy."""
    remedy_avg_pct: float | None = None
    """Average satisfactory remedy rate (percent) for authorities of this type."""
    remedy_decisions: int | None = None
    """Number of satisfactory remedy decisions."""
    complaints_dealt_with: int | None = None
    """Complaints and enquiries dealt with (2024-25 complaint overview onward)."""
    not_for_us: int | None = None
    """Complaints not for the Ombudsman or not ready to investigate (2024-25 onward)."""
    assessed_and_closed: int | None = None
    """Complaints assessed and closed without investigation (2024-25 onward)."""
    flags: str | None = None
    """Warnings about this row's figures, comma-separated: a field name ('upheld_pct') for a percentage that
    disagrees with its own counts beyond rounding (kept, not dropped); 'unreadable:{field}' for a figure
    the source states in a form that is not a number ('n/a'), stored NULL with its text in raw_values."""
    raw_values: str | None = None
    """JSON object {field: text as printed} for the figures stored NULL because their text is not a number,
    e.g. {"upheld_avg_pct": "n/a"}; NULL when every figure read."""


@dataclass
class Report:
    """A public report the Ombudsman published against an authority."""

    authority_slug: str
    title: str
    """Headline of the report as listed."""
    url: str
    """Where the listing links (news article or decision page)."""
    summary: str | None
    """Standfirst shown under the headline."""
    date: str | None
    """ISO date shown beside the report, when the listing shows one."""
    source_url: str
    """The reports list page it was read from."""
    case_ref: str | None = None
    """Case reference ('YY-NNN-NNN') of the decision page the report links to, as that page states it; NULL when
    the report links elsewhere (a news article) or its decision page has not been read yet."""
    date_as_printed: str | None = None
    """The block beside the report that looks like a date but can't be read as one ('March 2024'); `date` is then
    None. Recorded as the crawl's warning, not stored: a re-read never replaces a stored date with None."""


@dataclass
class ServiceImprovement:
    """A case in which the council agreed to improve its services, with its agreed actions."""

    authority_slug: str
    case_ref: str
    """Ombudsman case reference normalised to 'YY-NNN-NNN' (shown as '23 020 528')."""
    category: str
    """'Category:' as shown ('Adult care services')."""
    sub_category: str
    """'Sub Category:' as shown ('Residential care')."""
    decision_url: str | None
    """The decision page the case links to, if it links to one."""
    source_url: str
    """The service improvements list page it was read from."""
    actions: list[str] = field(default_factory=list)
    """The agreed actions, verbatim, in the order shown."""


@dataclass
class LetterLink:
    """An annual review letter as listed on an authority's annual letters page."""

    authority_slug: str
    year: str
    """Statistics year the letter covers: 'Annual Review letter 2020' covers '2019-20'."""
    label: str
    """The link's text on the annual letters page ('Annual review letter 2020')."""
    pdf_url: str
    """The letter's PDF."""
    source_url: str
    """The annual letters page it was read from."""


@dataclass
class CrawlError:
    """Something the crawl could not fetch or read; kept in `crawl_errors` with its run."""

    url: str
    """The page that failed."""
    authority_slug: str | None
    page: str
    """Page type: 'index', 'statistics', 'letters', 'letter', 'reports', 'improvements'; 'authority' for a
    failed save."""
    kind: str
    """'fetch' (failed after retries), 'http' (error status), 'layout' (parsed to nothing), 'missing' (404),
    'unreadable' (a letter), 'warning' (read, but a part in a form not understood was kept as text or skipped: not
    a failure), 'reread' (a letter read before failed to read again: the old copy is kept),
    'save' (the authority could not be stored), 'internal' (the harvester itself failed), 'unknown' (a
    statistics page asked for with --authority that the site doesn't have), 'interrupted' (a letter whose
    reading a signal stopped: no verdict on it), 'oversized' (over the size a page may be: a decision page is
    then only asked for its size until that changes)."""
    message: str
    """What went wrong, for a person."""


@dataclass
class AuthorityDone:
    """Sent when every request for one authority has finished, so its rows can be saved together."""

    key: str
    """The authority's slug, case-folded: the key its requests and items are grouped by."""
    complete_parts: frozenset[str]
    """Lists read in full this run ('reports', 'improvements', 'letters'); a part not named here
    failed somewhere, and its stored rows are left as they were."""
    items: int
    """How many items the spider sent for the authority: the store saves once it has them all."""
    unchanged_parts: frozenset[str] = frozenset()
    """Lists not requested this run because the statistics page was unchanged and they were read in full
    lately ('letters', 'reports', 'improvements', 'upheld', 'remedy'): left as stored, never marked gone."""


@dataclass
class PageItems:
    """Every item one callback gave for one response, travelling as one: Scrapy's per-item work (the
    spider middlewares, the item pipelines, their signals and logs) then runs once per page, not once per
    row. Made by harvester.middlewares.ItemsPerPage; the pipelines and the feed exporter take its items
    one by one, in order, as if each had come alone."""

    items: list


@dataclass
class LetterDocument:
    """An annual review letter PDF as downloaded and read (or found unreadable)."""

    authority_slug: str
    year: str
    """Statistics year, as the letters list labels it."""
    pdf_url: str
    sha256: str
    """SHA-256 of the PDF; the file is kept as data/letters/{sha256}.pdf."""
    byte_size: int
    """Size of the PDF in bytes."""
    status: str
    """'ok' (read and parsed) or 'failed' (see error)."""
    title: str | None = None
    """The letter's own title line: 'Annual Review letter 2020'."""
    error: str | None = None
    """Why the PDF could not be read or parsed: 'corrupt: …', 'truncated: …', 'timed out', …"""
    page_count: int | None = None
    """Pages in the PDF."""
    text: str | None = None
    """The full extracted text (pages separated by form feeds); searchable."""
    reader: str | None = None
    """Which extractor produced the text: 'pdfium' (fast) or 'pdfminer' (layout-aware fallback)."""
    letter_date: str | None = None
    """ISO date the letter is dated."""
    addressee_name: str | None = None
    """'Mr Porter'."""
    addressee_role: str | None = None
    """'Chief Executive'."""
    signatory: str | None = None
    """Who signed: 'Michael King'."""
    public_report: bool | None = None
    """The letter mentions a public report about the authority."""
    public_report_sentences: str | None = None
    """The sentences that mention it, one per line."""
    year_in_text: str | None = None
    """The year the letter's own text names, when it differs from the list's label."""
    content: bytes = field(default=b"", repr=False)
    """The PDF itself (not stored in the database: written to disk by its sha256)."""


@dataclass
class LetterTableCount:
    """One cell of a table-era letter (2013-14 to 2017-18): complaints received by category, or
    decisions made by outcome."""

    authority_slug: str
    year: str
    table: str
    """'received' (complaints and enquiries received) or 'decided' (decisions made)."""
    label: str
    """The category ('Housing') or outcome ('Upheld') as printed."""
    count: int
    source_url: str
    """The letter PDF."""


@dataclass
class Decision:
    """A published decision: the Ombudsman's statement (or public report) on one case, read from its page."""

    authority_slug: str | None
    """The register authority the decision is about: the body its page names, matched by name ('Vale Of White
    Horse…', '&' for 'and'); NULL for a care provider, an NHS trust or another body that is not in the register."""
    case_ref: str
    """Ombudsman case reference 'YY-NNN-NNN' (shown as '24 005 444'), with a letter on joint cases with the health
    ombudsman ('17-002-402b'): joins service improvements."""
    body_name: str
    """The body the decision is about, as its page prints it: a council, care provider, NHS trust."""
    category: str
    """'Category : Main > Sub', the main part ('Housing')."""
    sub_category: str
    """The part after '>' ('Homelessness')."""
    outcome: str
    """'Decision :' as printed: 'Upheld', 'Not upheld', 'Closed after initial enquiries', or an older
    compound outcome ('Upheld: maladministration and injustice')."""
    outcome_group: str | None
    """'upheld', 'not upheld' or 'closed early', from the outcome; NULL for an outcome not understood."""
    decision_date: str
    """ISO date from 'Decision date :'."""
    is_report: bool
    """A public report (listed as a report, a "Report" card, or a page in chapters) rather than a statement."""
    chapters: int
    """Pages the decision runs over: a report's landing page and its chapters (`?chapter=N`), read and joined."""
    summary: str
    """The 'Summary:' of the statement or report; empty where the page prints none."""
    text: str
    """The statement, every chapter, one heading or paragraph per line, section headings and paragraph numbers
    kept; searchable. A statement whose sections could not be told apart is stored whole."""
    remedy: str | None
    """The agreed actions, one per line: an "Agreed action", "Remedy" or "Recommendations" section, and a report's
    list after "The Council has agreed to:"; NULL when there are none."""
    satisfied_date: str | None
    """ISO date of a report's "Ombudsman satisfied with Council's response: …"; NULL until the site prints it."""
    url: str
    """The decision page as linked (a report's landing page)."""
    source_url: str
    """The decision page it was read from (a report's landing page): the same as url."""
    found_via: str | None = None
    """The authority whose statistics page, listing, report or improvement led to the decision: the crawl saves
    the decision with that authority's other parts. Not stored."""
    listed_as: str | None = None
    """The body the way that led to it names: the listing's, report's or improvement's authority, or a search
    card's heading. A page naming another body is recorded in `decision_conflicts`, never settled in silence. Not
    stored."""


@dataclass
class DecisionListing:
    """An authority's "View upheld decisions" or "View all satisfactory remedy decisions" listing, every
    page of it: what the statistics page's upheld and remedy counts are checked against."""

    authority_slug: str
    year: str
    """The statistics year of the page that links the listing."""
    listing: str
    """'upheld' or 'remedy'."""
    listed: int
    """How many cases the listing shows, over all its pages: each one in case_refs (a listing with a card that
    names no case is a layout failure, and the row stored before is kept)."""
    case_refs: list[str]
    """The cases listed ('YY-NNN-NNN'), in listing order; stored as a JSON array."""
    source_url: str
    """The listing's first page, as the statistics page links it."""


@dataclass
class DataFileLink:
    """One of the Ombudsman's annual data files as the annual review hub page links it."""

    year: str
    """Statistics year the file covers, from its link text or the heading above it."""
    label: str
    """The link's text ('Complaints decided 2024-25 (CSV)')."""
    url: str
    """The file."""
    file_format: str
    """'csv' or 'xlsx', from the link's file name or its text."""
    source_url: str
    """The hub page it was read from."""


@dataclass
class AnnualDataValue:
    """One figure of an annual data file: a council's count or rate for one service area and/or outcome."""

    authority_slug: str | None
    """The authority the printed name matched in the register (authorities.slug); NULL when no single
    authority matched (the name is listed in the run's summary)."""
    printed_name: str
    """The organisation's name exactly as the file prints it."""
    year: str
    """Statistics year 'YYYY-YY' the file covers."""
    measure: str
    """'received' (complaints and enquiries received, a count), 'decided' (decisions made, a count), or the
    annual_statistics figure a column gives: 'upheld_pct', 'upheld_avg_pct' (percent), 'upheld_decisions',
    'remedy_decisions', 'compliance_outcomes' (counts), 'remedy_pct', 'remedy_avg_pct', 'compliance_pct',
    'compliance_avg_pct' (percent), 'upheld_per_100k', 'upheld_per_100k_avg' (per 100,000 residents);
    'unknown' for a column the reader did not recognise (kept under its printed header, and warned about)."""
    category: str | None
    """The service area as printed ('Adult care services'); NULL where the figure has none (a council's total)."""
    outcome: str | None
    """The decision outcome as printed ('Upheld', 'Assessed and closed'); NULL where none (received, totals)."""
    concept: str | None
    """The reader's name for what the column holds: a service area ('housing', 'adult_care', ...), an outcome
    ('upheld', 'not_upheld', 'not_for_us', ...), 'total', or the measure itself; NULL for an unknown column."""
    value: float | None
    """The figure as a number (counts whole, rates in percent); NULL when the cell is not a number."""
    raw: str
    """The cell exactly as printed ('1,234', '-', 'n/a', ''): a NULL value keeps its text here."""
    column_header: str
    """The column's header as printed."""
    source_file: str
    """The data file's URL."""
    sheet: str | None
    """The worksheet (XLSX); NULL for a CSV."""
    row: int
    """The row's number in its sheet or CSV, counting from 1 as a spreadsheet does."""


@dataclass
class DataFile:
    """An annual data file as downloaded and read: its values, what the reader warned about, and the file."""

    link: DataFileLink
    sha256: str
    """SHA-256 of the file; it is kept as data/datafiles/{sha256}.{csv|xlsx}."""
    byte_size: int
    values: list[AnnualDataValue]
    warnings: list[str]
    """Columns not recognised, unreadable cells, rows skipped as totals or notes: for the run's summary."""
    unmatched_names: list[str]
    """Printed names no single authority of the register matched: stored with a NULL slug."""
    content: bytes = field(default=b"", repr=False)


def authority_key(item) -> str | None:
    """The case-folded slug of the authority an item belongs to, the key the spider and the store
    group items by (the site's slugs are case-insensitive); None for the index page's errors."""
    if isinstance(item, AuthorityDone):
        return item.key
    if isinstance(item, Decision):
        return item.found_via.lower() if item.found_via else None
    if isinstance(item, DataFile):
        return None  # the annual data files are national: no authority's
    slug = item.slug if isinstance(item, Authority) else item.authority_slug
    return slug.lower() if slug else None


def unpacked(item) -> list:
    """The items a PageItems carries, or the item alone."""
    return item.items if isinstance(item, PageItems) else [item]
