"""Describes every table and column of the database, from the sources that define them.

Item fields are described by the docstrings in harvester/items.py; the store's own columns
(provenance, enrichment from the reference register) are described here, by name where a name means
the same in every table, and by table and name where it doesn't (a `status` or a `url`). The README's schema
section and the Datasette metadata are both generated from `describe()`, and a test keeps the
README in step.
"""

from __future__ import annotations

import ast
import inspect
import re
import sqlite3

import sqlite_utils

from harvester import items, migrations, payments, remedy_payments

TABLES = {
    "authorities": (
        "Every council the site lists, or links from a successor's merger box.",
        items.Authority,
    ),
    "annual_statistics": (
        "One row per authority, statistics year and source ('page' or 'letter').",
        items.AnnualStatistics,
    ),
    "reports": ("Public reports the Ombudsman published against an authority.", items.Report),
    "service_improvements": (
        "Cases in which a council agreed to improve its services (since April 2018).",
        items.ServiceImprovement,
    ),
    "improvement_actions": (
        "The actions agreed in each service improvement case, in order.",
        items.ServiceImprovement,
    ),
    "letters": (
        "Annual review letters, one per authority and statistics year, with their full text (searchable).",
        (items.LetterLink, items.LetterDocument),
    ),
    "letter_complaints_received": (
        "Table-era letters (2013-14 to 2017-18): complaints and enquiries received, by category.",
        items.LetterTableCount,
    ),
    "letter_decisions": (
        "Table-era letters (2013-14 to 2017-18): decisions made, by outcome.",
        items.LetterTableCount,
    ),
    "council_statistics": (
        "Every year's figures with the council's name, type, region and population, for faceting: the statistics"
        " rows not gone, joined to their authority (not gone), kept in step with both by triggers.",
        items.AnnualStatistics,
    ),
    "statistics_discrepancies": (
        "View: every figure where a council's annual letter, or its figures in the year's data file of decisions,"
        " and its statistics page disagree, with both values.",
        None,
    ),
    "crawl_runs": ("One row per crawl: when, against what, how it went.", None),
    "changes": ("Every change a crawl made to a data row: nothing is lost when the site changes.", None),
    "fetches": ("When each page was last fetched, with its status, ETag and checksum.", None),
    "crawl_errors": ("Pages a crawl could not fetch or read, per run.", items.CrawlError),
    "decisions": (
        "Published decisions behind the figures, one per case, with the statement's full text (searchable).",
        items.Decision,
    ),
    "decision_listings": (
        "Each authority's upheld and satisfactory remedy decision listings, as its statistics page links them.",
        items.DecisionListing,
    ),
    "decision_count_discrepancies": (
        "View: listings whose number of cases differs from the statistics page's upheld or remedy count.",
        items.DecisionListing,
    ),
    "remedy_payments": (
        "Payments councils agreed to make, read from decisions' remedies and agreed actions, with the sentence; and "
        "those of decisions about bodies outside the register (care providers), with no authority_slug.",
        (payments.Payment, remedy_payments.RemedyPayment),
    ),
    "coverage": (
        "View: what the dataset holds, per statistics year and kind, and the gap where it holds less than expected.",
        None,
    ),
    "oversized_values": (
        "Texts too big to serve (over 2 MiB), stored cut with a note; the whole text is in a file beside the "
        "database.",
        None,
    ),
    "decision_conflicts": (
        "Where the site contradicts itself about a decision: a page naming another body than the listing, report or "
        "improvement that led to it, and a case at a second URL. Recorded, never resolved in silence.",
        items.Decision,
    ),
    "annual_data": (
        "The Ombudsman's annual data files, every council's figures by service area and outcome for every year,"
        " one row per figure, with the cell as printed and where it was read (file, sheet, row).",
        items.AnnualDataValue,
    ),
    "annual_data_files": (
        "Each annual data file read: its year, link, checksum and what it gave (the files behind annual_data).",
        (items.DataFileLink, items.DataFile),
    ),
    "annual_data_facets": (
        "How many annual_data values each data file has per year, measure and concept, gone ones included: the"
        " annual_data page's count and facets are read from it. Kept by the store with every save (migration m017).",
        items.AnnualDataValue,
    ),
    "annual_data_runs": (
        "How many annual_data values each data file has per crawl run that first saw, last changed and found gone"
        " them: a crawl run's page counts its annual_data values from it. Kept by the store with every save"
        " (migration m019).",
        items.AnnualDataValue,
    ),
    "annual_data_councils": (
        "The councils each annual data file names, in each year it gives figures for (annual_data's rows not gone"
        " with an authority_slug): what the coverage view counts; kept in step with annual_data by the store as it"
        " saves each data file.",
        items.AnnualDataValue,
    ),
    "annual_data_received": (
        "Complaints and enquiries received, one row per organisation and year, a column per service area; kept in"
        " step with annual_data by the store as it saves each data file.",
        items.AnnualDataValue,
    ),
    "annual_data_decided": (
        "Decisions made, one row per organisation and year, a column per outcome, over all service areas; kept in"
        " step with annual_data by the store as it saves each data file.",
        items.AnnualDataValue,
    ),
    "annual_data_remedy": (
        "Remedy and compliance figures, one row per organisation and year; kept in step with annual_data by the"
        " store as it saves each data file.",
        (items.AnnualStatistics, items.AnnualDataValue),
    ),
}

SERVICE_AREAS = {
    "adult_care": "adult care services",
    "benefits_and_tax": "benefits and tax",
    "corporate_and_other": "corporate and other services",
    "education_and_childrens": "education and children's services",
    "environment_and_regulation": "environmental services, public protection and regulation",
    "highways_and_transport": "highways and transport",
    "housing": "housing",
    "planning_and_development": "planning and development",
    "other": "other services",
}
"""annual_data_received's columns: the service areas of site notes §5.3, as harvester.datafiles names them."""
OUTCOMES = {
    "invalid_or_incomplete": "invalid or incomplete",
    "advice_given": "advice given",
    "referred_back": "referred back for local resolution (premature)",
    "closed_after_initial_enquiries": "closed after initial enquiries",
    "not_for_us": "not for us or not ready for us (2024-25 grouping)",
    "assessed_and_closed": "assessed and closed (2024-25 grouping)",
    "not_upheld": "investigated and not upheld",
    "upheld": "investigated and upheld",
}
"""annual_data_decided's outcome columns."""

TABLE_COLUMNS = {
    ("authorities", "url"): "The authority's statistics page.",
    ("authorities", "status"): "'current' or 'abolished' (reference register).",
    ("crawl_runs", "status"): (
        "'running', 'ok', 'failed' (a page could not be fetched or read, or the run found markedly less than"
        " the last good one: the summary says which) or 'interrupted' (stopped by a signal; `harvester crawl"
        " --resume` continues it) or 'probe-failed' (the probe found the site's layout changed; nothing was"
        " crawled: its findings are the run's crawl_errors)."
    ),
    ("coverage", "part"): (
        "Which part of the dataset: 'statistics pages', 'letters', 'reports', 'service improvements', 'decisions'"
        " or 'annual data files'."
    ),
    ("coverage", "year"): (
        "Statistics year 'YYYY-YY': of the figures or letter; of the date of a report or decision; of the year"
        " a service improvement's case reference starts with."
    ),
    ("coverage", "councils_expected"): (
        "Councils that should have this part this year: from the first year any figure of them is held; an"
        " abolished council up to its last (letters: up to its last letter). Statistics pages: the councils"
        " whose page shows this year."
    ),
    ("coverage", "councils_held"): (
        "Councils with at least one row of this part this year (annual data files: councils expected that a file"
        " of the year names)."
    ),
    ("coverage", "items_listed"): (
        "What the site lists: letters linked by the letters lists, cases in the upheld-decisions listings."
    ),
    ("coverage", "items_stored"): "Rows held (letters: read ones; annual data files: files read).",
    ("coverage", "last_changed_run"): "The last crawl run that changed any of these rows (crawl_runs.id).",
    ("coverage", "gap"): (
        "In words: councils expected but not held, items listed but not stored, or nothing held; NULL: no gap."
    ),
    ("coverage", "rows_behind"): "The rows behind the counts: a Datasette table path with its filter.",
    ("crawl_runs", "options"): (
        "JSON: the options the run was started with that shape what it stores (--decisions-since, --max-requests,"
        " --list-max-age, --no-robots, --refresh-letters, --full); `--resume` restores them."
    ),
    ("oversized_values", "table_name"): "The table holding the cut text.",
    ("oversized_values", "row_key"): "Its row's key, '/'-joined.",
    ("oversized_values", "column_name"): "The column holding the cut text.",
    ("oversized_values", "bytes"): "The whole text's size in UTF-8 bytes.",
    ("oversized_values", "sha256"): "SHA-256 of the whole text in UTF-8.",
    ("oversized_values", "file"): "The file holding the whole text, relative to the database's folder.",
    ("oversized_values", "run_id"): "The crawl run that last stored it cut (crawl_runs.id).",
    ("decision_conflicts", "kind"): (
        "'body' (the page names another body than the way to it did), 'other text' (the case at a second URL, "
        "saying otherwise) or 'same text' (at a second URL, saying the same: remembered so it is not fetched again)."
    ),
    ("decision_conflicts", "url"): (
        "The decision page read: for 'other text' and 'same text', the URL not kept."
    ),
    ("decision_conflicts", "kept_url"): (
        "For a case at two URLs: the URL whose page is stored in decisions, the one filed under the category its own "
        "page prints (else the first in order)."
    ),
    ("decision_conflicts", "listed_as"): (
        "For 'body': the body the listing, report or improvement (or a search card's heading) named."
    ),
    ("decision_conflicts", "body_name"): "The body the page names, as printed.",
    ("decision_conflicts", "found_via"): "For 'body': the authority whose pages led to the decision.",
    ("decision_conflicts", "detail"): "What disagrees, in words (the warning the run recorded).",
    ("decision_conflicts", "first_run"): "The crawl run that first found the conflict (crawl_runs.id).",
    ("decision_conflicts", "last_run"): "The crawl run that last found it (crawl_runs.id).",
    ("fetches", "status"): "HTTP status of the last fetch (304: unchanged since the fetch before).",
    ("fetches", "url"): "The page, letter PDF or data file fetched.",
    ("annual_data", "source_url"): "The annual review hub page that links the file.",
    ("annual_data_files", "source_file"): "The data file's URL (annual_data.source_file).",
    ("annual_data_facets", "row_count"): "annual_data's values of the file with this year, measure and concept.",
    ("annual_data_runs", "row_count"): "annual_data's values of the file with these three runs.",
    (
        "annual_data_files",
        "label",
    ): "The link's text on the hub page ('Complaints decided 2024-25 (CSV)'); NULL for a "
    "file read before this table was kept (migration m014).",
    (
        "annual_data_files",
        "sha256",
    ): "SHA-256 of the file read; the file is kept as data/datafiles/{sha256}.{format}.",
    (
        "annual_data_files",
        "byte_size",
    ): "The file's size in bytes; NULL for a file read before this table was kept.",
    ("annual_data_files", "values_read"): "Figures the file gave (its rows in annual_data).",
    ("annual_data_files", "councils_matched"): "Authorities of the register its printed names matched.",
    (
        "annual_data_files",
        "unmatched_names",
    ): "JSON list of the printed names no single authority matched (stored "
    "with a NULL authority_slug in annual_data).",
    ("annual_data_files", "source_url"): "The annual review hub page that links the file.",
    ("statistics_discrepancies", "letter_value"): "Its value in the annual letter, or in the data file "
    "(compared_with); a data file's upheld_pct is worked out from its counts, rounded half up.",
    ("statistics_discrepancies", "letter_url"): "The letter PDF, or the data file.",
    ("statistics_discrepancies", "compared_with"): "'letter' or 'data file': what the page is compared with.",
    **{("annual_data_received", c): f"Complaints and enquiries received about {area} (count)." for c, area in
       SERVICE_AREAS.items()},
    ("annual_data_received", "total"): "Complaints and enquiries received, all service areas, as the file totals "
    "them (count).",
    **{("annual_data_decided", c): f"Decisions: {outcome} (count, all service areas)." for c, outcome in
       OUTCOMES.items()},
    ("annual_data_decided", "investigated"): "Decisions after investigation (count): the file's 'Investigated', "
    "else upheld plus not upheld.",
    ("annual_data_decided", "total"): "Decisions made, all outcomes and service areas (count).",
    **{(view, "source_file"): "The data file the row was read from." for view in
       ("annual_data_received", "annual_data_decided", "annual_data_remedy")},
}
"""(table, column) -> description, for columns whose meaning depends on the table; wins over the rest."""

STORE_COLUMNS = {
    "slug": "URL slug exactly as the site writes it.",
    "name": "Display name from the page heading.",
    "authority_slug": "The authority (authorities.slug).",
    "kind": "Authority type the Ombudsman averages over: County, District, Metropolitan, Unitary, London Borough.",
    "successor_slugs": "JSON list of the councils that replaced an abolished one (reference register).",
    "gss_code": "ONS GSS code (reference register).",
    "region": "English region (reference register).",
    "population": "Residents, 2020 estimate (reference register).",
    "latitude": "Centroid latitude (reference register).",
    "longitude": "Centroid longitude (reference register).",
    "predecessor_urls": "JSON list of predecessor statistics pages from the merger box.",
    "source_url": "The page the row was read from.",
    "first_seen_run": "The crawl run that first stored the row (crawl_runs.id).",
    "last_changed_run": "The crawl run that last changed the row (crawl_runs.id).",
    "gone_run": "The crawl run that found the row gone from the site; NULL while it is listed.",
    "position": "1 for the first action listed, 2 for the next, ...",
    "text": "The action with whitespace collapsed.",
    "verbatim": "The action exactly as the site shows it (glued words and all).",
    "id": "Row id.",
    "run_id": "The crawl run (crawl_runs.id).",
    "superseded": "1 when the run was resumed after this error: the resumed run fetched the page again "
    "(and recorded it again if it still failed).",
    "started_at": "UTC start time, ISO 8601.",
    "finished_at": "UTC end time, ISO 8601.",
    "base_url": "The site crawled.",
    "scope": "'all', or the JSON list of the authorities the run was asked for.",
    "pages_unchanged": "Pages the server said were unchanged (304).",
    "figures": "Statistics pages that yielded figures.",
    "version": "Harvester version.",
    "requests": "HTTP requests made.",
    "pages": "Responses received.",
    "items": "Items extracted.",
    "errors": "Pages that failed (404s not counted).",
    "authorities": "Authorities saved.",
    "rows_new": "Data rows added.",
    "rows_changed": "Data rows changed.",
    "rows_gone": "Data rows marked gone.",
    "summary": "JSON: problems found, missing pages, responses by status.",
    "table_name": "The table changed.",
    "row_key": "The changed row's key, '/'-joined.",
    "change": "'new', 'changed', 'gone' or 'back' (listed again after being gone).",
    "column_name": "For 'changed': the column.",
    "old_value": "For 'changed': the value before.",
    "new_value": "For 'changed': the value after.",
    "etag": "ETag the server sent.",
    "last_modified": "Last-Modified the server sent.",
    "sha256": "SHA-256 of the body.",
    "fetched_at": "UTC time of the fetch.",
    "year": "Statistics year 'YYYY-YY'.",
    "figure": "The annual_statistics column that disagrees.",
    "page_value": "Its value on the statistics page.",
    "letter_value": "Its value in the annual letter.",
    "page_url": "The statistics page.",
    "letter_url": "The letter PDF.",
    "category": "Complaint category as the letter prints it ('Housing').",
    "complaints": "Complaints and enquiries received in that category.",
    "outcome": "Decision outcome as the letter prints it ('Upheld', 'Advice Given').",
    "decisions": "Decisions with that outcome.",
    "page_count": "The statistics page's count for the listing: upheld decisions, or satisfactory remedy decisions.",
    "listing_url": "The listing's first page.",
}


def field_docs(cls) -> dict[str, str]:
    """The docstring under each field of a dataclass, read from its source."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body
    docs = {}
    for statement, following in zip(body, body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
        ):
            docs[statement.target.id] = " ".join(following.value.value.split())
    return docs


def describe() -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """table -> (description, [(column, SQL type, description)]) for every table in the schema."""
    db = sqlite_utils.Database(memory=True)
    migrations.migrate(db)
    conn = db.conn
    described = {}
    for table, (description, item_classes) in TABLES.items():
        docs = dict(STORE_COLUMNS)
        for cls in item_classes if isinstance(item_classes, tuple) else (item_classes,):
            docs |= field_docs(cls) if cls else {}
        docs |= {column: doc for (owner, column), doc in TABLE_COLUMNS.items() if owner == table}
        columns = [
            (name, sql_type, docs[name])
            for _, name, sql_type, *_ in conn.execute(f"PRAGMA table_info([{table}])")
        ]
        described[table] = (description, columns)
    return described


QUERY_ALIASES = {
    "council": ("authorities", "name"),
    "type": ("authorities", "kind"),
    "figures_from": ("annual_statistics", "source"),
    "type_avg_upheld_pct": ("annual_statistics", "upheld_avg_pct"),
    "published_type_avg_pct": ("annual_statistics", "upheld_avg_pct"),
    "type_avg_upheld_per_100k": ("annual_statistics", "upheld_per_100k_avg"),
    "type_avg_compliance_pct": ("annual_statistics", "compliance_avg_pct"),
    "type_avg_remedy_pct": ("annual_statistics", "remedy_avg_pct"),
    "letter_pdf": ("letters", "pdf_url"),
    "decision_url": ("decisions", "url"),
    ("improvements_in_category", "decision_url"): ("service_improvements", "decision_url"),
    ("council_history", "year"): ("annual_statistics", "year"),
    ("page_letter_disagreements", "year"): ("statistics_discrepancies", "year"),
    ("improvements_in_category", "case_ref"): ("service_improvements", "case_ref"),
    ("improvement_decisions", "case_ref"): ("service_improvements", "case_ref"),
    ("largest_payments_in_category", "case_ref"): ("remedy_payments", "case_ref"),
    ("what_the_dataset_holds", "year"): ("coverage", "year"),
    ("what_the_dataset_holds", "part"): ("coverage", "part"),
    ("what_the_dataset_holds", "councils_expected"): ("coverage", "councils_expected"),
    ("what_the_dataset_holds", "councils_held"): ("coverage", "councils_held"),
    ("what_the_dataset_holds", "items_listed"): ("coverage", "items_listed"),
    ("what_the_dataset_holds", "items_stored"): ("coverage", "items_stored"),
    ("what_the_dataset_holds", "last_changed_run"): ("coverage", "last_changed_run"),
    ("what_the_dataset_holds", "gap"): ("coverage", "gap"),
    ("what_the_dataset_holds", "rows_behind"): ("coverage", "rows_behind"),
}
"""A canned query's column named apart from the table column it shows, or shown from one of several tables
the query reads with a column of that name: (query, column) or, for every query, column -> (table, column)."""

QUERY_COLUMNS = {
    ("council_history", "type_avg_upheld_pct"): (
        "Average uphold rate (percent) the Ombudsman published for authorities of this type: the statistics"
        " page's, else the annual letter's."
    ),
    ("uphold_chart", "type_mean_pct"): "Mean uphold rate of the councils of the same type in this database that year.",
    ("uphold_chart", "councils_in_mean"): "How many councils that mean is taken over.",
    ("uphold_map", "measure"): "The figure mapped: upheld_pct, upheld_per_100k, compliance_pct or remedy_pct.",
    ("uphold_map", "value"): "The council's figure for that measure.",
    ("uphold_map", "type_avg"): (
        "The average of that figure for councils of the same type: as published, else their mean here."
    ),
    ("uphold_map", "type_avg_from"): (
        "'published' (the Ombudsman's average) or 'mean here' (the mean of the councils in this database)."
    ),
    ("highest_uphold_rates", "rank"): "1 for the highest uphold rate; councils with equal rates share a rank.",
    ("councils_against_type_average", "upheld_points_above_avg"): (
        "Uphold rate minus the type average, in percentage points (negative: below it)."
    ),
    ("councils_against_type_average", "upheld_per_100k_above_avg"): (
        "Upheld complaints per 100,000 residents minus the type average."
    ),
    ("improvements_in_category", "actions_agreed"): "The actions the council agreed, numbered in the site's order.",
    ("councils_with_reports", "public_reports"): "Public reports the Ombudsman published against the council.",
    ("councils_with_reports", "latest_report_date"): "Date of the newest of them.",
    ("councils_with_reports", "latest_report"): "Title of the newest of them.",
    ("search_letters", "passage"): "The letter's words around the match, the matched words in [brackets].",
    ("search_decisions", "passage"): (
        "The decision's words around the match (from its summary or statement), the matched words in [brackets]."
    ),
    ("decisions_about_a_council", "kind"): "'report' (a public report) or 'statement' (a decision statement).",
    ("council_payments_by_year", "year"): (
        "Statistics year (April to March) of the decision the payments were agreed in; 'date not held' when the"
        " decision is not stored."
    ),
    ("largest_payments_in_category", "category"): (
        "Complaint category as the site prints it ('Adult care services'): the decision's, else the service"
        " improvement's."
    ),
    ("largest_payments_in_category", "sub_category"): "Its sub category: the decision's, else the service improvement's.",
    **{
        (query, "service_area"): (
            "The service area as the data file prints it ('Housing'); 'All service areas' for a figure it gives"
            " without one."
        )
        for query in ("council_service_areas", "councils_ranked_in_service_area")
    },
    **{
        (query, "decided"): "Complaints decided in the service area that year, every outcome (count, from the data file)."
        for query in ("council_service_areas", "councils_ranked_in_service_area")
    },
    **{
        (query, "investigated"): "Of those, investigated: upheld or not upheld (count)."
        for query in ("council_service_areas", "councils_ranked_in_service_area")
    },
    **{
        (query, "upheld"): "Of those investigated, upheld (count)."
        for query in ("council_service_areas", "councils_ranked_in_service_area")
    },
    **{
        (query, "council"): "The council's name in the register; as the data file prints it where no register name matches."
        for query in ("council_service_areas", "councils_ranked_in_service_area")
    },
    ("councils_ranked_in_service_area", "upheld_rank"): (
        "1 for the most complaints upheld in the service area; councils with equal counts share a rank."
    ),
    ("council_payments_by_year", "cases_paid"): "Cases with at least one payment read.",
    ("largest_payments_in_category", "council"): (
        "The council's name in the register; for a body outside the register (a care provider), the name its "
        "decision prints."
    ),
    ("council_payments_by_year", "certain_gbp"): (
        "Pounds the council agreed to pay that year, adding only payments whose text makes them certain."
    ),
    ("council_payments_by_year", "uncertain_payments"): (
        "Payments read whose amount or agreement the text leaves uncertain (not in certain_gbp)."
    ),
    ("council_payments_by_year", "cases"): "The cases paid, comma-separated.",
    ("council_feed", "atom_id"): "The feed entry's unique id: the site's page, with what it is after '#'.",
    ("council_feed", "atom_updated"): (
        "When the entry was published: the site's date (midnight UTC), else when a crawl first found it."
    ),
    ("council_feed", "atom_title"): "The entry's title, in the site's words.",
    ("council_feed", "atom_link"): "The site's page for the entry.",
    ("council_feed", "atom_content_html"): "The entry's summary, and a link to its row in this database.",
    ("reports_feed", "atom_id"): "The feed entry's unique id: the site's page, with what it is after '#'.",
    ("reports_feed", "atom_updated"): (
        "When the entry was published: the site's date (midnight UTC), else when a crawl first found it."
    ),
    ("reports_feed", "atom_title"): "The entry's title, in the site's words.",
    ("reports_feed", "atom_link"): "The site's page for the entry.",
    ("reports_feed", "atom_content_html"): "The entry's summary, and a link to its row in this database.",
    ("category_feed", "atom_id"): "The feed entry's unique id: the site's page, with what it is after '#'.",
    ("category_feed", "atom_updated"): (
        "When the entry was published: the site's date (midnight UTC), else when a crawl first found it."
    ),
    ("category_feed", "atom_title"): "The entry's title, in the site's words.",
    ("category_feed", "atom_link"): "The site's page for the entry.",
    ("category_feed", "atom_content_html"): "The entry's summary, and a link to its row in this database.",
}
"""(query, column) -> description, for the columns a canned query computes: each written for its query."""

SOURCE_PREFIXES = {"page_": "On the statistics page: ", "letter_": "In the annual letter: "}


def _run_noting_reads(conn: sqlite3.Connection, sql: str) -> tuple[sqlite3.Cursor, set[tuple[str, str]]]:
    """SQL run with every parameter empty, and the (table, column) pairs it reads itself (not inside a view),
    as SQLite's authorizer reports them while preparing it."""
    reads = set()
    views = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}

    def note(action, table, column, _database, inside):  # inside: the view or WITH clause being read
        if action == sqlite3.SQLITE_READ and inside not in views:
            reads.add((table, column))
        return sqlite3.SQLITE_OK

    conn.set_authorizer(note)
    try:
        cursor = conn.execute(sql, dict.fromkeys(re.findall(r"(?<![:\w]):(\w+)", sql), ""))
    finally:
        conn.set_authorizer(None)
    return cursor, reads


def query_column_sources(queries: dict[str, str]) -> dict[str, dict[str, tuple[str, str] | None]]:
    """query name -> {column it returns: (table, column) its values come from, or None when the query computes
    them}. A column named as in a table is that table's when the query reads that column of one table only;
    anything else must be named in QUERY_ALIASES or QUERY_COLUMNS, so no query borrows another table's words."""
    db = sqlite_utils.Database(memory=True)
    migrations.migrate(db)
    # The Datasette plugin's SQL function, as a search for nothing: only the columns that come back matter.
    db.conn.create_function("fts_words", 1, lambda words: '""')
    db.conn.create_function("row_path", -1, lambda *keys: "")
    statistics = {name for _, name, *_ in db.conn.execute("PRAGMA table_info(annual_statistics)")}
    result = {}
    for name, sql in queries.items():
        try:
            cursor, reads = _run_noting_reads(db.conn, sql)
        except sqlite3.Error as error:
            raise ValueError(f"query {name}: {error}") from error
        sources: dict[str, tuple[str, str] | None] = {}
        for column, *_ in cursor.description:
            prefix = next((p for p in SOURCE_PREFIXES if column.startswith(p)), None)
            if (name, column) in QUERY_COLUMNS:
                sources[column] = None
            elif (name, column) in QUERY_ALIASES or column in QUERY_ALIASES:
                sources[column] = QUERY_ALIASES.get((name, column)) or QUERY_ALIASES[column]
            elif prefix and column[len(prefix) :] in statistics:
                sources[column] = ("annual_statistics", column[len(prefix) :])
            else:
                tables = sorted(table for table, read in reads if read == column)
                if len(tables) != 1:
                    raise ValueError(
                        f"query {name}: column {column!r} is read from {len(tables) or 'no'} tables"
                        f"{' (' + ', '.join(tables) + ')' if tables else ''}: name its source in"
                        " schema_docs.QUERY_ALIASES, or describe it in QUERY_COLUMNS"
                    )
                sources[column] = (tables[0], column)
        result[name] = sources
    return result


def query_columns(queries: dict[str, str]) -> dict[str, dict[str, str]]:
    """query name -> {column it returns: description}, for canned queries' SQL: a column shown from a table is
    described as that table describes it, a computed one as QUERY_COLUMNS describes it for that query."""
    table_docs = {table: {name: doc for name, _, doc in columns} for table, (_, columns) in describe().items()}

    def doc_of(name: str, column: str, source: tuple[str, str] | None) -> str:
        if source is None:
            return QUERY_COLUMNS[name, column]
        table, origin = source
        prefix = next((p for p in SOURCE_PREFIXES if column.startswith(p) and origin != column), None)
        return (SOURCE_PREFIXES[prefix] if prefix else "") + table_docs[table][origin]

    return {
        name: {column: doc_of(name, column, source) for column, source in sources.items()}
        for name, sources in query_column_sources(queries).items()
    }


def markdown() -> str:
    out = []
    for table, (description, columns) in describe().items():
        out += [f"### `{table}`", "", description, "", "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{name}` | {sql_type} | {doc} |" for name, sql_type, doc in columns]
        out.append("")
    return "\n".join(out)


README_START, README_END = "<!-- schema:start -->", "<!-- schema:end -->"


def with_schema(readme: str) -> str:
    """The README text with the block between the schema markers replaced by `markdown()`."""
    head, start, rest = readme.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not (start and end):
        raise ValueError(f"README has no {README_START} ... {README_END} block")
    return f"{head}{README_START}\n{markdown()}\n{README_END}{tail}"
