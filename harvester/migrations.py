"""Schema migrations: every change to the database's shape, applied in order and recorded.

`migrate(db)` runs on every open and applies what is pending, recording each step in
sqlite-utils' `_sqlite_migrations` table. The first migration is the schema of release 0.1.0,
written "if not exists", so a database that release created is adopted as it stands and every
later migration upgrades it in place. A schema change is a new function at the end of this file;
a migration that has shipped is never edited.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("lgsco-harvester")

SCHEMA_0_1 = """
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    base_url TEXT NOT NULL,
    scope TEXT NOT NULL,
    version TEXT NOT NULL,
    requests INTEGER,
    pages INTEGER,
    pages_unchanged INTEGER,
    items INTEGER,
    errors INTEGER,
    authorities INTEGER,
    figures INTEGER,
    rows_new INTEGER,
    rows_changed INTEGER,
    rows_gone INTEGER,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS authorities (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT,
    status TEXT,
    successor_slugs TEXT,
    gss_code TEXT,
    region TEXT,
    population INTEGER,
    latitude REAL,
    longitude REAL,
    predecessor_urls TEXT,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id)
);
CREATE TABLE IF NOT EXISTS annual_statistics (
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    year TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('page', 'letter')),
    period_start TEXT,
    period_end TEXT,
    upheld_pct NUMERIC,
    upheld_avg_pct NUMERIC,
    upheld_decisions INTEGER,
    investigations INTEGER,
    upheld_per_100k NUMERIC,
    upheld_per_100k_avg NUMERIC,
    compliance_pct NUMERIC,
    compliance_avg_pct NUMERIC,
    compliance_outcomes INTEGER,
    remedy_pct NUMERIC,
    remedy_avg_pct NUMERIC,
    remedy_decisions INTEGER,
    complaints_dealt_with INTEGER,
    not_for_us INTEGER,
    assessed_and_closed INTEGER,
    flags TEXT,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, year, source)
);
CREATE TABLE IF NOT EXISTS reports (
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    date TEXT,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, url)
);
CREATE TABLE IF NOT EXISTS service_improvements (
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    case_ref TEXT NOT NULL,
    category TEXT NOT NULL,
    sub_category TEXT NOT NULL,
    decision_url TEXT,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, case_ref)
);
CREATE TABLE IF NOT EXISTS improvement_actions (
    authority_slug TEXT NOT NULL,
    case_ref TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    verbatim TEXT NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, case_ref, position),
    FOREIGN KEY (authority_slug, case_ref) REFERENCES service_improvements(authority_slug, case_ref)
);
CREATE TABLE IF NOT EXISTS letters (
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    year TEXT NOT NULL,
    label TEXT NOT NULL,
    pdf_url TEXT NOT NULL,
    title TEXT,
    status TEXT CHECK (status IN ('ok', 'failed')),
    error TEXT,
    letter_date TEXT,
    addressee_name TEXT,
    addressee_role TEXT,
    signatory TEXT,
    public_report INTEGER,
    public_report_sentences TEXT,
    year_in_text TEXT,
    sha256 TEXT,
    byte_size INTEGER,
    page_count INTEGER,
    reader TEXT,
    text TEXT,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, year)
);
CREATE TABLE IF NOT EXISTS letter_complaints_received (
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    year TEXT NOT NULL,
    category TEXT NOT NULL,
    complaints INTEGER NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, year, category)
);
CREATE TABLE IF NOT EXISTS letter_decisions (
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    year TEXT NOT NULL,
    outcome TEXT NOT NULL,
    decisions INTEGER NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, year, outcome)
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id),
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    authority_slug TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('new', 'changed', 'gone', 'back')),
    column_name TEXT,
    old_value TEXT,
    new_value TEXT
);
CREATE TABLE IF NOT EXISTS fetches (
    url TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,
    fetched_at TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id)
);
CREATE TABLE IF NOT EXISTS crawl_errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id),
    url TEXT NOT NULL,
    authority_slug TEXT,
    page TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS annual_statistics_year ON annual_statistics(year, source);
CREATE INDEX IF NOT EXISTS reports_date ON reports(date);
CREATE INDEX IF NOT EXISTS service_improvements_category ON service_improvements(category, sub_category);
CREATE INDEX IF NOT EXISTS improvement_actions_case ON improvement_actions(authority_slug, case_ref);
CREATE INDEX IF NOT EXISTS letters_year ON letters(year);
CREATE INDEX IF NOT EXISTS changes_run ON changes(run_id);
CREATE INDEX IF NOT EXISTS crawl_errors_run ON crawl_errors(run_id);
CREATE VIEW IF NOT EXISTS council_statistics AS
SELECT s.authority_slug, a.name, a.kind, a.region, a.population, s.year, s.source, s.period_start, s.period_end,
    s.upheld_pct, s.upheld_avg_pct, s.upheld_decisions, s.investigations, s.upheld_per_100k, s.upheld_per_100k_avg,
    s.compliance_pct, s.compliance_avg_pct, s.compliance_outcomes, s.remedy_pct, s.remedy_avg_pct,
    s.remedy_decisions, s.complaints_dealt_with, s.not_for_us, s.assessed_and_closed, s.flags, s.source_url
FROM annual_statistics AS s JOIN authorities AS a ON a.slug = s.authority_slug
WHERE s.gone_run IS NULL AND a.gone_run IS NULL;
CREATE VIEW IF NOT EXISTS statistics_discrepancies AS
WITH pairs AS (
    SELECT page.authority_slug, page.year, page.source_url AS page_url, letter.source_url AS letter_url,
        json_array(
            json_array('upheld_pct', page.upheld_pct, letter.upheld_pct),
            json_array('upheld_avg_pct', page.upheld_avg_pct, letter.upheld_avg_pct),
            json_array('upheld_decisions', page.upheld_decisions, letter.upheld_decisions),
            json_array('investigations', page.investigations, letter.investigations),
            json_array('upheld_per_100k', page.upheld_per_100k, letter.upheld_per_100k),
            json_array('upheld_per_100k_avg', page.upheld_per_100k_avg, letter.upheld_per_100k_avg),
            json_array('compliance_pct', page.compliance_pct, letter.compliance_pct),
            json_array('compliance_avg_pct', page.compliance_avg_pct, letter.compliance_avg_pct),
            json_array('compliance_outcomes', page.compliance_outcomes, letter.compliance_outcomes),
            json_array('remedy_pct', page.remedy_pct, letter.remedy_pct),
            json_array('remedy_avg_pct', page.remedy_avg_pct, letter.remedy_avg_pct),
            json_array('remedy_decisions', page.remedy_decisions, letter.remedy_decisions),
            json_array('complaints_dealt_with', page.complaints_dealt_with, letter.complaints_dealt_with),
            json_array('not_for_us', page.not_for_us, letter.not_for_us),
            json_array('assessed_and_closed', page.assessed_and_closed, letter.assessed_and_closed)
        ) AS figures
    FROM annual_statistics AS page
    JOIN annual_statistics AS letter
        ON letter.authority_slug = page.authority_slug AND letter.year = page.year AND letter.source = 'letter'
    WHERE page.source = 'page'
)
SELECT authority_slug, year, figure.value ->> 0 AS figure, figure.value ->> 1 AS page_value,
    figure.value ->> 2 AS letter_value, page_url, letter_url
FROM pairs, json_each(pairs.figures) AS figure
WHERE figure.value ->> 1 IS NOT NULL AND figure.value ->> 2 IS NOT NULL
    AND figure.value ->> 1 != figure.value ->> 2;
"""

SEARCH_INDEXES_0_1 = {
    "letters": ["title", "text"],
    "reports": ["title", "summary"],
    "improvement_actions": ["text"],
}
"""Full-text search (FTS5, kept in step by triggers): table -> the columns searched."""


def statements(script: str) -> list[str]:
    """A script's statements one by one: `executescript` would commit any transaction it runs in."""
    found, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:80]}")
    return found


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration, then repair any search index that is not whole; returns the names
    applied (none on an up-to-date database)."""
    pending = [migration.name for migration in migrations.pending(db)]
    if pending:
        migrations.apply(db)
    repair_search_indexes(db)
    return pending


def search_index_statements(table: str, columns: list[str]) -> list[str]:
    """A full-text search index on TABLE's COLUMNS (FTS5, porter stemming, the table as its content) filled
    from the table and kept in step by triggers: the statements of sqlite-utils'
    `enable_fts(columns, create_triggers=True, tokenize="porter")`, word for word, but for the caller's
    transaction. enable_fts runs them with executescript, which commits first, so a kill between them
    left a search table without its triggers, and every later search found nothing new."""
    fts = f'"{table}_fts"'
    quoted = ", ".join(f'"{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    insert = f"INSERT INTO {fts} (rowid, {quoted}) VALUES (new.rowid, {new});"
    delete = f"INSERT INTO {fts} ({fts}, rowid, {quoted}) VALUES('delete', old.rowid, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING FTS5 (\n    {quoted},\n    tokenize='porter',\n    content=\"{table}\"\n)",
        f'INSERT INTO {fts} (rowid, {quoted})\n    SELECT rowid, {quoted} FROM "{table}";',
        f'CREATE TRIGGER "{table}_ai" AFTER INSERT ON "{table}" BEGIN\n  {insert}\nEND',
        f'CREATE TRIGGER "{table}_ad" AFTER DELETE ON "{table}" BEGIN\n  {delete}\nEND',
        f'CREATE TRIGGER "{table}_au" AFTER UPDATE ON "{table}" BEGIN\n  {delete}\n  {insert}\nEND',
    ]


def create_search_index(db: sqlite_utils.Database, table: str, columns: list[str]) -> None:
    for statement in search_index_statements(table, columns):
        db.execute(statement)


TRIGGER_SUFFIXES = ("_ai", "_ad", "_au")


def broken_search_indexes(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """table -> searched columns, for every search index (an FTS5 table named `<table>_fts` with the table as
    its content) that lacks one of its triggers or holds a different number of rows from its table."""
    triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    broken = {}
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_fts' ESCAPE '\\' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%USING FTS5%content=%'"
    ).fetchall():
        table = name.removesuffix("_fts")
        columns = [row[1] for row in db.execute(f"PRAGMA table_info([{name}])")]
        # An external-content index reads its rows from the table; its docsize table counts what it indexed.
        indexed = db.execute(f"SELECT count(*) FROM [{name}_docsize]").fetchone()[0]
        rows = db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
        if indexed != rows or not {table + suffix for suffix in TRIGGER_SUFFIXES} <= triggers:
            broken[table] = columns
    return broken


def repair_search_indexes(db: sqlite_utils.Database) -> list[str]:
    """Rebuild, each in one transaction, the search indexes broken_search_indexes() finds; returns their tables.
    Run on every open: an index left without triggers by a kill in an earlier version's migration, or
    out of step with its table, would otherwise answer searches wrongly for good, and silently."""
    broken = broken_search_indexes(db)
    for table, columns in broken.items():
        with db.atomic():
            for suffix in TRIGGER_SUFFIXES:
                db.execute(f'DROP TRIGGER IF EXISTS "{table}{suffix}"')
            db.execute(f'DROP TABLE "{table}_fts"')
            create_search_index(db, table, columns)
    return list(broken)


# The migrations, in the order they are applied. A new one goes at the end.


# m001 and m004 ran sqlite-utils' enable_fts(), which commits as it goes, outside a transaction: a kill
# between its statements left a search table without triggers. They now make the same schema with
# create_search_index(), in one transaction with their record, like every migration.
@migrations()
def m001_release_0_1_schema(db: sqlite_utils.Database) -> None:
    for statement in statements(SCHEMA_0_1):
        db.execute(statement)
    for table, columns in SEARCH_INDEXES_0_1.items():
        if not db[f"{table}_fts"].exists():
            create_search_index(db, table, columns)


@migrations()
def m002_raw_values_of_unreadable_figures(db: sqlite_utils.Database) -> None:
    """A figure the site prints as 'n/a' (or '-', 'No data', blank) is stored NULL: keep what it said."""
    db["annual_statistics"].add_column("raw_values", str)


@migrations()
def m003_crawl_errors_superseded(db: sqlite_utils.Database) -> None:
    # A resumed run crawls its earlier part again: the errors that part recorded are kept, flagged.
    db.execute("ALTER TABLE crawl_errors ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0")


DECISIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    case_ref TEXT PRIMARY KEY,
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    category TEXT NOT NULL,
    sub_category TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_group TEXT CHECK (outcome_group IN ('upheld', 'not upheld', 'closed early')),
    decision_date TEXT NOT NULL,
    is_report INTEGER NOT NULL,
    chapters INTEGER NOT NULL,
    summary TEXT NOT NULL,
    text TEXT NOT NULL,
    remedy TEXT,
    url TEXT NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id)
);
CREATE TABLE IF NOT EXISTS decision_listings (
    authority_slug TEXT NOT NULL REFERENCES authorities(slug),
    year TEXT NOT NULL,
    listing TEXT NOT NULL CHECK (listing IN ('upheld', 'remedy')),
    listed INTEGER NOT NULL,
    case_refs TEXT NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (authority_slug, year, listing)
);
CREATE INDEX IF NOT EXISTS decisions_authority ON decisions(authority_slug, decision_date);
CREATE INDEX IF NOT EXISTS decisions_category ON decisions(category, sub_category, outcome_group);
CREATE VIEW IF NOT EXISTS decision_count_discrepancies AS
SELECT l.authority_slug, l.year, l.listing, l.listed,
    CASE l.listing WHEN 'upheld' THEN s.upheld_decisions ELSE s.remedy_decisions END AS page_count,
    l.source_url AS listing_url, s.source_url AS page_url
FROM decision_listings AS l
JOIN annual_statistics AS s ON s.authority_slug = l.authority_slug AND s.year = l.year AND s.source = 'page'
WHERE l.gone_run IS NULL
    AND l.listed IS NOT CASE l.listing WHEN 'upheld' THEN s.upheld_decisions ELSE s.remedy_decisions END;
"""
"""Decisions (one row per case, fetched once) and the listings the statistics page links, with the view
that sets each listing's count beside the page's upheld or satisfactory remedy count."""


@migrations()
def m004_decisions(db: sqlite_utils.Database) -> None:
    for statement in statements(DECISIONS_SCHEMA):
        db.execute(statement)
    if not db["decisions_fts"].exists():
        create_search_index(db, "decisions", ["summary", "text"])


@migrations()
def m005_reports_case_ref(db: sqlite_utils.Database) -> None:
    """Reports join decisions by case reference, read from the decision page the report links."""
    db.execute("ALTER TABLE reports ADD COLUMN case_ref TEXT")
    db.execute(
        "UPDATE reports SET case_ref = (SELECT d.case_ref FROM decisions AS d WHERE d.url = reports.url)"
    )


BROWSING_INDEXES = [
    ("decisions", "decision_date"),
    ("decisions", "outcome"),
    ("decisions", "outcome_group"),
    ("decisions", "is_report"),
    ("letters", "status"),
    ("letters", "public_report"),
    ("letter_complaints_received", "year"),
    ("letter_complaints_received", "category"),
    ("letter_decisions", "year"),
    ("letter_decisions", "outcome"),
    ("service_improvements", "case_ref"),
    ("service_improvements", "sub_category"),
    ("changes", "change"),
    ("changes", "table_name"),
    ("crawl_errors", "kind"),
    *(
        (table, column)
        for table in ("letters", "decisions")
        for column in ("first_seen_run", "last_changed_run", "gone_run")
    ),
]
"""(table, column) of the indexes named `<table>_by_<column>`: the columns Datasette's pages facet and sort by, where
a table is large enough for a scan to show. Letters and decisions store their runs after their full text, so a scan
for a run (a crawl run's page counts the rows it added, changed and marked gone) reads every letter and decision."""


def create_browsing_indexes(db: sqlite_utils.Database) -> None:
    """BROWSING_INDEXES on the tables DB has (a published copy has no private tables). Run by m006 and by
    `harvester publish`; an index added later goes in a migration of its own, as any schema change."""
    for table, column in BROWSING_INDEXES:
        if db[table].exists():
            db.execute(f"CREATE INDEX IF NOT EXISTS {table}_by_{column} ON {table}({column})")


@migrations()
def m006_browsing_indexes(db: sqlite_utils.Database) -> None:
    create_browsing_indexes(db)


DECISIONS_AS_PRINTED = """
CREATE TABLE decisions_as_printed (
    case_ref TEXT PRIMARY KEY,
    authority_slug TEXT REFERENCES authorities(slug),
    body_name TEXT NOT NULL,
    category TEXT NOT NULL,
    sub_category TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_group TEXT CHECK (outcome_group IN ('upheld', 'not upheld', 'closed early')),
    decision_date TEXT NOT NULL,
    is_report INTEGER NOT NULL,
    chapters INTEGER NOT NULL,
    summary TEXT NOT NULL,
    text TEXT NOT NULL,
    remedy TEXT,
    satisfied_date TEXT,
    url TEXT NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id)
);
INSERT INTO decisions_as_printed (rowid, case_ref, authority_slug, body_name, category, sub_category, outcome,
    outcome_group, decision_date, is_report, chapters, summary, text, remedy, url, source_url, first_seen_run,
    last_changed_run, gone_run)
SELECT d.rowid, d.case_ref, d.authority_slug, coalesce(a.name, d.authority_slug), d.category, d.sub_category,
    d.outcome, d.outcome_group, d.decision_date, d.is_report, d.chapters, d.summary, d.text, d.remedy, d.url,
    d.source_url, d.first_seen_run, d.last_changed_run, d.gone_run
FROM decisions AS d LEFT JOIN authorities AS a ON a.slug = d.authority_slug;
"""
"""Decisions about every body the Ombudsman names: a care provider or NHS trust has its name and a NULL authority_slug,
and a report the day the Ombudsman was satisfied with the council's response. Rows keep their rowids, so the full-text
index (keyed by rowid) stays valid; decisions stored before were all about the authority they were found through."""


@migrations()
def m007_decisions_as_printed(db: sqlite_utils.Database) -> None:
    # SQLite can't drop a NOT NULL: the table is rebuilt, its indexes and full-text triggers made again as they were.
    kept = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'decisions' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    )]  # fmt: skip
    for statement in statements(DECISIONS_AS_PRINTED):
        db.execute(statement)
    db.execute("DROP TABLE decisions")
    db.execute("ALTER TABLE decisions_as_printed RENAME TO decisions")
    for statement in kept:
        db.execute(statement)


ANNUAL_DATA_SCHEMA = """
CREATE TABLE IF NOT EXISTS annual_data (
    authority_slug TEXT,
    printed_name TEXT NOT NULL,
    year TEXT NOT NULL,
    measure TEXT NOT NULL,
    category TEXT,
    outcome TEXT,
    concept TEXT,
    value NUMERIC,
    raw TEXT NOT NULL,
    column_header TEXT NOT NULL,
    source_file TEXT NOT NULL,
    sheet TEXT,
    row INTEGER NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id)
);
-- the store's key for a row (store.KEYS): a changed value is updated through it, a file's rows read by its prefix
CREATE INDEX IF NOT EXISTS annual_data_key ON annual_data(source_file, sheet, printed_name, category, column_header);
CREATE INDEX IF NOT EXISTS annual_data_authority ON annual_data(authority_slug, year, measure);
CREATE INDEX IF NOT EXISTS annual_data_by_measure ON annual_data(year, measure, concept);
CREATE VIEW IF NOT EXISTS annual_data_received AS
SELECT authority_slug, printed_name, year,
    max(CASE concept WHEN 'adult_care' THEN value END) AS adult_care,
    max(CASE concept WHEN 'benefits_and_tax' THEN value END) AS benefits_and_tax,
    max(CASE concept WHEN 'corporate_and_other' THEN value END) AS corporate_and_other,
    max(CASE concept WHEN 'education_and_childrens' THEN value END) AS education_and_childrens,
    max(CASE concept WHEN 'environment_and_regulation' THEN value END) AS environment_and_regulation,
    max(CASE concept WHEN 'highways_and_transport' THEN value END) AS highways_and_transport,
    max(CASE concept WHEN 'housing' THEN value END) AS housing,
    max(CASE concept WHEN 'planning_and_development' THEN value END) AS planning_and_development,
    max(CASE concept WHEN 'other' THEN value END) AS other,
    max(CASE concept WHEN 'total' THEN value END) AS total,
    source_file
FROM annual_data WHERE measure = 'received' AND gone_run IS NULL
GROUP BY printed_name, year, source_file;
CREATE VIEW IF NOT EXISTS annual_data_decided AS
SELECT authority_slug, printed_name, year,
    sum(CASE concept WHEN 'invalid_or_incomplete' THEN value END) AS invalid_or_incomplete,
    sum(CASE concept WHEN 'advice_given' THEN value END) AS advice_given,
    sum(CASE concept WHEN 'referred_back' THEN value END) AS referred_back,
    sum(CASE concept WHEN 'closed_after_initial_enquiries' THEN value END) AS closed_after_initial_enquiries,
    sum(CASE concept WHEN 'not_for_us' THEN value END) AS not_for_us,
    sum(CASE concept WHEN 'assessed_and_closed' THEN value END) AS assessed_and_closed,
    coalesce(sum(CASE concept WHEN 'investigated' THEN value END),
        sum(CASE WHEN concept IN ('upheld', 'not_upheld') THEN value END)) AS investigated,
    sum(CASE concept WHEN 'not_upheld' THEN value END) AS not_upheld,
    sum(CASE concept WHEN 'upheld' THEN value END) AS upheld,
    sum(CASE concept WHEN 'total' THEN value END) AS total,
    source_file
FROM annual_data
WHERE measure = 'decided' AND gone_run IS NULL
    -- a council's total row (no service area) beside its service-area rows would count twice
    AND (category IS NOT NULL OR NOT EXISTS (
        SELECT 1 FROM annual_data AS area WHERE area.source_file = annual_data.source_file
            AND area.printed_name = annual_data.printed_name AND area.measure = 'decided'
            AND area.category IS NOT NULL AND area.gone_run IS NULL))
GROUP BY printed_name, year, source_file;
CREATE VIEW IF NOT EXISTS annual_data_remedy AS
SELECT authority_slug, printed_name, year,
    max(CASE measure WHEN 'upheld_decisions' THEN value END) AS upheld_decisions,
    max(CASE measure WHEN 'remedy_decisions' THEN value END) AS remedy_decisions,
    max(CASE measure WHEN 'remedy_pct' THEN value END) AS remedy_pct,
    max(CASE measure WHEN 'remedy_avg_pct' THEN value END) AS remedy_avg_pct,
    max(CASE measure WHEN 'compliance_outcomes' THEN value END) AS compliance_outcomes,
    max(CASE measure WHEN 'compliance_pct' THEN value END) AS compliance_pct,
    max(CASE measure WHEN 'compliance_avg_pct' THEN value END) AS compliance_avg_pct,
    max(CASE measure WHEN 'upheld_per_100k' THEN value END) AS upheld_per_100k,
    max(CASE measure WHEN 'upheld_per_100k_avg' THEN value END) AS upheld_per_100k_avg,
    source_file
FROM annual_data
WHERE measure IN ('upheld_decisions', 'remedy_decisions', 'remedy_pct', 'remedy_avg_pct', 'compliance_outcomes',
    'compliance_pct', 'compliance_avg_pct', 'upheld_per_100k', 'upheld_per_100k_avg') AND gone_run IS NULL
GROUP BY printed_name, year, source_file;
"""
"""The Ombudsman's annual data files in long form (one row a figure) and a wide view per kind of file."""

DATA_FILE_DISCREPANCIES = """
SELECT page.authority_slug, page.year, figure.value ->> 0 AS figure, figure.value ->> 1 AS page_value,
    figure.value ->> 2 AS letter_value, page.source_url AS page_url, data.source_file AS letter_url,
    'data file' AS compared_with
FROM annual_statistics AS page
JOIN annual_data_decided AS data ON data.authority_slug = page.authority_slug AND data.year = page.year,
    json_each(json_array(
        json_array('upheld_decisions', page.upheld_decisions, data.upheld),
        json_array('investigations', page.investigations, data.investigated),
        -- the file's rate, from its counts, rounded half up as the pages round
        json_array('upheld_pct', page.upheld_pct, CASE WHEN data.investigated > 0
            THEN CAST((200 * data.upheld + data.investigated) / (2 * data.investigated) AS INTEGER) END)
    )) AS figure
WHERE page.source = 'page' AND figure.value ->> 1 IS NOT NULL AND figure.value ->> 2 IS NOT NULL
    AND figure.value ->> 1 != figure.value ->> 2
"""
"""Each council's decided file against its statistics page: upheld decisions, investigations, uphold rate."""


@migrations()
def m008_annual_data(db: sqlite_utils.Database) -> None:
    for statement in statements(ANNUAL_DATA_SCHEMA):
        db.execute(statement)
    # statistics_discrepancies gains the data files' rows, its letter rows kept exactly as the view defined them.
    (letters_sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'statistics_discrepancies'").fetchone()
    letters_select = letters_sql.split(" AS", 1)[1]
    db.execute("DROP VIEW statistics_discrepancies")
    db.execute(
        "CREATE VIEW statistics_discrepancies AS "
        f"SELECT *, 'letter' AS compared_with FROM ({letters_select}) UNION ALL {DATA_FILE_DISCREPANCIES}"
    )


OVERSIZED_VALUES_SCHEMA = """
CREATE TABLE IF NOT EXISTS oversized_values (
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    column_name TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id),
    PRIMARY KEY (table_name, row_key, column_name)
)
"""


@migrations()
def m009_reliability(db: sqlite_utils.Database) -> None:
    """A run keeps the options it was started with, so a bare --resume restores them; a text too big to serve is
    stored cut (harvester.oversized), each cut recorded."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN options TEXT")
    db.execute(OVERSIZED_VALUES_SCHEMA)


REMEDY_PAYMENTS_SCHEMA = """
CREATE TABLE remedy_payments (
    case_ref TEXT NOT NULL,
    authority_slug TEXT REFERENCES authorities(slug),
    provenance TEXT NOT NULL,
    position INTEGER NOT NULL,
    amount_gbp NUMERIC,
    period TEXT,
    total_gbp NUMERIC,
    purpose TEXT,
    payee TEXT,
    kind TEXT NOT NULL,
    nature TEXT CHECK (nature IN ('symbolic', 'financial')),
    certainty TEXT NOT NULL CHECK (certainty IN ('certain', 'uncertain')),
    doubt TEXT,
    sentence TEXT NOT NULL,
    source_url TEXT
);
CREATE UNIQUE INDEX remedy_payments_key ON remedy_payments(authority_slug, case_ref, provenance, position);
CREATE UNIQUE INDEX remedy_payments_outside_register ON remedy_payments(case_ref, provenance, position)
    WHERE authority_slug IS NULL;
CREATE INDEX remedy_payments_case ON remedy_payments(case_ref);
CREATE INDEX remedy_payments_amount ON remedy_payments(total_gbp);
"""
"""Payments agreed to, read from stored remedies and agreed actions (harvester.remedy_payments); authority_slug NULL
for a decision about a body outside the register (since m020). No primary key: a NULL in one would give Datasette
row links that find nothing ('None' is looked up). The two unique indexes keep what a key kept: NULLs are distinct
in the first, so the second holds those rows to one per case, text and position."""


@migrations()
def m010_journalist_tools(db: sqlite_utils.Database) -> None:
    # Filled by m020, which makes the table again: a harvest that ran m010 before it has authority_slug NOT NULL.
    for statement in statements(REMEDY_PAYMENTS_SCHEMA):
        db.execute(statement)


@migrations()
def m011_probe_and_coverage(db: sqlite_utils.Database) -> None:
    """A crawl stopped by its probe (harvester.probe) is recorded as 'probe-failed'.

    SQLite can't alter a CHECK constraint, and rebuilding crawl_runs would mean rebuilding every table that
    references it; adding a value to the IN list only widens what the table accepts, so the stored definition
    is rewritten in place (https://sqlite.org/lang_altertable.html, "making other kinds of table schema
    changes"), in this migration's transaction."""
    (definition,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'crawl_runs'").fetchone()
    statuses = "('running', 'ok', 'failed', 'interrupted')"
    if statuses not in definition:
        raise RuntimeError(f"crawl_runs has an unexpected status CHECK: {definition}")
    (version,) = db.execute("PRAGMA schema_version").fetchone()
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'crawl_runs'",
        [definition.replace(statuses, "('running', 'ok', 'failed', 'interrupted', 'probe-failed')")],
    )
    db.execute(f"PRAGMA schema_version = {version + 1}")
    db.execute("PRAGMA writable_schema = OFF")
    # The coverage view this migration made first is made by m014 now, from the one text there is.


DECISION_CONFLICTS = """
CREATE TABLE IF NOT EXISTS decision_conflicts (
    case_ref TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('body', 'other text', 'same text')),
    url TEXT NOT NULL,
    kept_url TEXT,
    listed_as TEXT,
    body_name TEXT,
    found_via TEXT,
    detail TEXT NOT NULL,
    first_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    PRIMARY KEY (case_ref, kind, url)
);
"""
"""Where the site contradicts itself about a decision, recorded rather than resolved in silence: a page naming another
body than the listing, report or improvement that led to it ('body'), and a case at a second URL, with other text
('other text') or the same ('same text': remembered so the URL is not fetched again)."""


@migrations()
def m012_decision_conflicts(db: sqlite_utils.Database) -> None:
    for statement in statements(DECISION_CONFLICTS):
        db.execute(statement)


COUNCIL_STATISTICS_QUERY = next(
    statement for statement in statements(SCHEMA_0_1) if statement.startswith("CREATE VIEW IF NOT EXISTS council_statistics")
).split(" AS\n", 1)[1].rstrip(";")
"""The query of the council_statistics view release 0.1.0 made, which the table of that name holds the rows of."""
COUNCIL_STATISTICS_INDEXED = ("year", "kind", "region", "source")
"""The columns of council_statistics its Datasette page facets and sorts by."""


def council_statistics_triggers(select: str) -> list[str]:
    """Triggers that keep the council_statistics table equal to SELECT (the view it replaced), in the transaction of
    each write to what it is read from: a statistics row is read again by its key, an authority's rows by its slug."""
    key = "s.authority_slug = {0}.authority_slug AND s.year = {0}.year AND s.source = {0}.source"
    drop_key = "authority_slug = {0}.authority_slug AND year = {0}.year AND source = {0}.source"
    bodies = {
        ("annual_statistics", "INSERT"): [f"INSERT INTO council_statistics {select} AND {key.format('new')};"],
        ("annual_statistics", "UPDATE"): [
            f"DELETE FROM council_statistics WHERE {drop_key.format('old')};",
            f"INSERT INTO council_statistics {select} AND {key.format('new')};",
        ],
        ("annual_statistics", "DELETE"): [f"DELETE FROM council_statistics WHERE {drop_key.format('old')};"],
        ("authorities", "INSERT"): [f"INSERT INTO council_statistics {select} AND s.authority_slug = new.slug;"],
        ("authorities", "UPDATE"): [
            "DELETE FROM council_statistics WHERE authority_slug IN (old.slug, new.slug);",
            f"INSERT INTO council_statistics {select} AND s.authority_slug = new.slug;",
        ],
        ("authorities", "DELETE"): ["DELETE FROM council_statistics WHERE authority_slug = old.slug;"],
    }
    return [
        f"CREATE TRIGGER council_statistics_after_{table}_{event.lower()} AFTER {event} ON {table} BEGIN\n  "
        + "\n  ".join(statements)
        + "\nEND"
        for (table, event), statements in bodies.items()
    ]


@migrations()
def m013_council_statistics_table(db: sqlite_utils.Database) -> None:
    """council_statistics, a view that joined every statistics row to its authority on every page that showed it,
    becomes a table with the same columns and rows, kept equal to the view's query by triggers (so every path that
    writes statistics or authorities refreshes it, in the same transaction), with the columns its page facets by
    indexed."""
    select = COUNCIL_STATISTICS_QUERY
    columns = [(name, sql_type) for _, name, sql_type, *_ in db.execute("PRAGMA table_info(council_statistics)")]
    db.execute("DROP VIEW council_statistics")
    definitions = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in columns)
    db.execute(f"CREATE TABLE council_statistics (\n    {definitions},\n    PRIMARY KEY (authority_slug, year, source)\n)")
    db.execute(f"INSERT INTO council_statistics {select}")
    for statement in council_statistics_triggers(select):
        db.execute(statement)
    for column in COUNCIL_STATISTICS_INDEXED:
        db.execute(f"CREATE INDEX council_statistics_by_{column} ON council_statistics({column})")


ANNUAL_DATA_FILES = """
CREATE TABLE IF NOT EXISTS annual_data_files (
    source_file TEXT PRIMARY KEY,
    year TEXT NOT NULL,
    label TEXT,
    file_format TEXT NOT NULL,
    sha256 TEXT,
    byte_size INTEGER,
    values_read INTEGER NOT NULL,
    councils_matched INTEGER NOT NULL,
    unmatched_names TEXT NOT NULL,
    source_url TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    last_changed_run INTEGER NOT NULL REFERENCES crawl_runs(id),
    gone_run INTEGER REFERENCES crawl_runs(id)
);
CREATE INDEX IF NOT EXISTS annual_data_files_by_year ON annual_data_files(year);
-- the files read before this table, from their values: the link's text and the size were not kept
INSERT OR IGNORE INTO annual_data_files (source_file, year, label, file_format, sha256, byte_size, values_read,
    councils_matched, unmatched_names, source_url, first_seen_run, last_changed_run, gone_run)
SELECT d.source_file, min(d.year), NULL, CASE WHEN max(d.sheet) IS NULL THEN 'csv' ELSE 'xlsx' END,
    (SELECT sha256 FROM fetches WHERE url = d.source_file), NULL, sum(d.gone_run IS NULL),
    count(DISTINCT CASE WHEN d.gone_run IS NULL THEN d.authority_slug END),
    coalesce((SELECT json_group_array(printed_name) FROM (
        SELECT DISTINCT u.printed_name FROM annual_data AS u
        WHERE u.source_file = d.source_file AND u.authority_slug IS NULL AND u.gone_run IS NULL
        ORDER BY u.printed_name)), '[]'),
    min(d.source_url), min(d.first_seen_run), max(d.last_changed_run),
    CASE WHEN sum(d.gone_run IS NULL) = 0 THEN max(d.gone_run) END
FROM annual_data AS d GROUP BY d.source_file;
"""
"""One row per annual data file read: its year, link, checksum and what it gave, so a researcher can see which
files stand behind annual_data, and the coverage view count them per year without reading every value."""


@migrations()
def m014_annual_data_files(db: sqlite_utils.Database) -> None:
    """The annual data files get a table of their own, and the coverage view counts them (issue 20)."""
    from harvester.coverage import COVERAGE_VIEW

    for statement in statements(ANNUAL_DATA_FILES):
        db.execute(statement)
    db.execute("DROP VIEW IF EXISTS coverage")
    for statement in statements(COVERAGE_VIEW):
        db.execute(statement)


@migrations()
def m015_browsing_speed(db: sqlite_utils.Database) -> None:
    """Indexes for two annual_data pages. Its table page (sort_desc: year) and every next page order by
    `year desc, rowid` (plugins/paging.py), which the index on (year, measure, concept) answered only by sorting the
    newest year's ~31,000 values for each page (25 ms of CPU); (year DESC) holds them in that order. A crawl run's
    page counts the rows each table has from that run, three full scans of annual_data (60 ms each) without its run
    columns indexed, as m006 indexed letters' and decisions'."""
    db.execute("CREATE INDEX IF NOT EXISTS annual_data_newest_first ON annual_data(year DESC)")
    for column in ("first_seen_run", "last_changed_run", "gone_run"):
        db.execute(f"CREATE INDEX IF NOT EXISTS annual_data_by_{column} ON annual_data({column})")


ANNUAL_DATA_DECIDED_QUERY = next(
    statement for statement in statements(ANNUAL_DATA_SCHEMA)
    if statement.startswith("CREATE VIEW IF NOT EXISTS annual_data_decided")
).split(" AS\n", 1)[1].rstrip(";")  # fmt: skip
"""The query of the annual_data_decided view m008 made: the one text of how a council's decided values add up."""


def replaced_once(text: str, old: str, new: str) -> str:
    """TEXT with its one OLD made NEW: a query adapted from another must fail loudly if that one has moved on."""
    if text.count(old) != 1:
        raise RuntimeError(f"expected one {old!r} in {text}")
    return text.replace(old, new)


PAGES_DECIDED_QUERY = replaced_once(
    replaced_once(
        ANNUAL_DATA_DECIDED_QUERY,
        "\nFROM annual_data\n",
        # SQLite would rather walk every current value through the gone_run index (m015) than look pages up
        "\nFROM annual_data INDEXED BY annual_data_authority\n",
    ),
    "\nWHERE measure = 'decided'",
    "\nWHERE (authority_slug, year) IN (SELECT authority_slug, year FROM annual_statistics WHERE source = 'page')"
    "\n    AND measure = 'decided'",
)
"""annual_data_decided's rows for the council-years a statistics page has, each read through the index on
(authority_slug, year, measure). A row's council is matched from its printed name and the file's year, so a row of
annual_data_decided (a name's values in one file) has one authority_slug and is kept or left out whole."""


@migrations()
def m016_discrepancies_speed(db: sqlite_utils.Database) -> None:
    """statistics_discrepancies compared each statistics page with annual_data_decided, which SQLite made in full
    for it (every decided value of every file, ~390 ms of CPU on a full harvest, twice a Datasette page): SQLite
    does not push a join's terms into an aggregate view. The view now adds up only the pages' council-years, from
    the same query (PAGES_DECIDED_QUERY); its rows are the same."""
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'statistics_discrepancies'").fetchone()
    db.execute("DROP VIEW statistics_discrepancies")
    db.execute(replaced_once(sql, "JOIN annual_data_decided AS data", f"JOIN ({PAGES_DECIDED_QUERY}) AS data"))


@migrations()
def m017_annual_data_facets(db: sqlite_utils.Database) -> None:
    """annual_data's page counted and faceted its 349,662 values by year, measure and concept on every view (~180
    ms of SQL); the counts per data file and (year, measure, concept) answer it instead (harvester.facet_counts),
    made here from the values an existing harvest holds."""
    from harvester import facet_counts

    for statement in statements(facet_counts.SCHEMA):
        db.execute(statement)
    db.execute(f"INSERT INTO {facet_counts.TABLE} {facet_counts.QUERY}")


@migrations()
def m018_derived_tables(db: sqlite_utils.Database) -> None:
    """The views annual_data_received, annual_data_decided and annual_data_remedy become tables with the same columns
    and rows, which the store refreshes file by file as it saves each file's values (harvester.derived_tables), and
    statistics_discrepancies reads annual_data_decided's table; the coverage view reads the councils each file names
    from a table the store keeps too, and letters and decisions from indexes that answer it (issue 23)."""
    from harvester.coverage import COVERAGE_INDEXES, COVERAGE_VIEW_FROM_COUNCILS
    from harvester.derived_tables import discrepancies_from_decided_table, make_annual_data_tables

    make_annual_data_tables(db)
    discrepancies_from_decided_table(db)
    db.execute("DROP VIEW coverage")
    for statement in statements(COVERAGE_VIEW_FROM_COUNCILS) + statements(COVERAGE_INDEXES):
        db.execute(statement)


@migrations()
def m019_annual_data_runs(db: sqlite_utils.Database) -> None:
    """A crawl run's Datasette page counted the values it first saw, last changed and found gone in annual_data
    (~25 ms of SQL for a full crawl's run, on every first visit); the counts per data file and runs answer it instead
    (harvester.facet_counts, plugins/facet_counts.py), made here from the values an existing harvest holds."""
    from harvester import facet_counts

    for statement in statements(facet_counts.RUNS_SCHEMA):
        db.execute(statement)
    db.execute(f"INSERT INTO {facet_counts.RUNS_TABLE} {facet_counts.RUNS_QUERY}")


@migrations()
def m020_payments_outside_the_register(db: sqlite_utils.Database) -> None:
    """The payments of decisions about bodies outside the register (a care provider's refunds) were never read:
    the table is derived, so it is made again with authority_slug NULL-able and filled from what is stored."""
    from harvester.remedy_payments import store_all_payments

    db.execute("DROP TABLE remedy_payments")
    for statement in statements(REMEDY_PAYMENTS_SCHEMA):
        db.execute(statement)
    store_all_payments(db)
