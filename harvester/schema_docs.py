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

from harvester import items, migrations

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
        "View: every year's figures with the council's name, type, region and population, for faceting.",
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
    "annual_data": (
        "The Ombudsman's annual data files, every council's figures by service area and outcome for every year,"
        " one row per figure, with the cell as printed and where it was read (file, sheet, row).",
        items.AnnualDataValue,
    ),
    "annual_data_received": (
        "View: complaints and enquiries received, one row per organisation and year, a column per service area.",
        items.AnnualDataValue,
    ),
    "annual_data_decided": (
        "View: decisions made, one row per organisation and year, a column per outcome, over all service areas.",
        items.AnnualDataValue,
    ),
    "annual_data_remedy": (
        "View: remedy and compliance figures, one row per organisation and year.",
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
        " --resume` continues it)."
    ),
    ("fetches", "status"): "HTTP status of the last fetch (304: unchanged since the fetch before).",
    ("fetches", "url"): "The page, letter PDF or data file fetched.",
    ("annual_data", "source_url"): "The annual review hub page that links the file.",
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
}
"""A canned query's column named apart from the table column it shows."""

QUERY_COLUMNS = {
    "rank": "1 for the highest uphold rate; councils with equal rates share a rank.",
    "type_mean_pct": "Mean uphold rate of the councils of the same type in this database that year.",
    "councils_in_mean": "How many councils that mean is taken over.",
    "upheld_points_above_avg": "Uphold rate minus the type average, in percentage points (negative: below it).",
    "upheld_per_100k_above_avg": "Upheld complaints per 100,000 residents minus the type average.",
    "actions_agreed": "The actions the council agreed, numbered in the site's order.",
    "public_reports": "Public reports the Ombudsman published against the council.",
    "latest_report_date": "Date of the newest of them.",
    "latest_report": "Title of the newest of them.",
    "passage": "The letter's words around the match, the matched words in [brackets].",
    "measure": "The figure mapped: upheld_pct, upheld_per_100k, compliance_pct or remedy_pct.",
    "value": "The council's figure for that measure.",
    "type_avg": "The average of that figure for councils of the same type: as published, else their mean here.",
    "type_avg_from": "'published' (the Ombudsman's average) or 'mean here' (the mean of the councils in this database).",
    "service_area": "The service area as the data file prints it ('Housing'); 'All service areas' for a figure it "
    "gives without one.",
    "decided": "Complaints decided in the service area that year, every outcome (count, from the data file).",
    "investigated": "Of those, investigated: upheld or not upheld (count).",
    "upheld": "Of those investigated, upheld (count).",
    "upheld_rank": "1 for the most complaints upheld in the service area; councils with equal counts share a rank.",
}
"""Columns a canned query computes."""

SOURCE_PREFIXES = {"page_": "On the statistics page: ", "letter_": "In the annual letter: "}


def query_columns(queries: dict[str, str]) -> dict[str, dict[str, str]]:
    """query name -> {column it returns: description}, for canned queries' SQL; a column nobody
    described is an error, so a new query can't ship undocumented columns."""
    db = sqlite_utils.Database(memory=True)
    migrations.migrate(db)
    # The Datasette plugin's SQL function, as a search for nothing: only the columns that come back matter.
    db.conn.create_function("fts_words", 1, lambda words: '""')
    table_docs = {table: {name: doc for name, _, doc in columns} for table, (_, columns) in describe().items()}
    docs: dict[str, str] = {}
    for table_columns in table_docs.values():
        for column, doc in table_columns.items():
            docs.setdefault(column, doc)

    def doc_of(column: str) -> str:
        if column in QUERY_COLUMNS:
            return QUERY_COLUMNS[column]
        if column in QUERY_ALIASES:
            table, name = QUERY_ALIASES[column]
            return table_docs[table][name]
        for prefix, source in SOURCE_PREFIXES.items():
            if column.startswith(prefix) and column[len(prefix) :] in table_docs["annual_statistics"]:
                return source + table_docs["annual_statistics"][column[len(prefix) :]]
        if column in docs:
            return docs[column]
        raise ValueError(f"column {column!r} is described nowhere: add it to schema_docs.QUERY_COLUMNS")

    result = {}
    for name, sql in queries.items():
        try:
            cursor = db.conn.execute(sql, dict.fromkeys(re.findall(r"(?<![:\w]):(\w+)", sql), ""))
        except sqlite3.Error as error:
            raise ValueError(f"query {name}: {error}") from error
        result[name] = {column: doc_of(column) for column, *_ in cursor.description}
    return result


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
