"""The SQLite store: schema, runs, and saving one authority at a time.

Every data row carries provenance (`source_url`, `first_seen_run`, `last_changed_run`, and
`gone_run` once the site stops listing it). An unchanged crawl writes no data row: rows are
compared before they are written, and each difference is kept in `changes` so no value is
ever lost. Each authority is saved in one transaction, so a crash leaves it either as it was
or fully updated.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from harvester import items

SCHEMA = """
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

PROVENANCE = ("first_seen_run", "last_changed_run", "gone_run")

# table -> the columns that identify a row within one authority
KEYS = {
    "authorities": ("slug",),
    "annual_statistics": ("authority_slug", "year", "source"),
    "reports": ("authority_slug", "url"),
    "service_improvements": ("authority_slug", "case_ref"),
    "improvement_actions": ("authority_slug", "case_ref", "position"),
    "letters": ("authority_slug", "year"),
    "letter_complaints_received": ("authority_slug", "year", "category"),
    "letter_decisions": ("authority_slug", "year", "outcome"),
}
LETTER_TABLES = {"received": ("letter_complaints_received", "category", "complaints"),
                 "decided": ("letter_decisions", "outcome", "decisions")}  # fmt: skip


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if need be) a harvester database, WAL mode, foreign keys on."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA synchronous=NORMAL")
    ensure_schema(db)
    return db


SEARCH_INDEXES = {
    "letters": ["title", "text"],
    "reports": ["title", "summary"],
    "improvement_actions": ["text"],
}
"""Full-text search (FTS5, kept in step by triggers): table -> the columns searched."""


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table, index and view that is missing; safe to run on every open."""
    db.conn.executescript(SCHEMA)
    for table, columns in SEARCH_INDEXES.items():
        if f"{table}_fts" not in db.table_names():
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def start_run(db: sqlite_utils.Database, base_url: str, version: str, scope: str = "all") -> int:
    """A new crawl_runs row; `scope` is 'all' or the JSON list of the authorities asked for."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO crawl_runs (started_at, status, base_url, scope, version) VALUES (?, 'running', ?, ?, ?)",
            [now(), base_url, scope, version],
        )
    return cursor.lastrowid


def resumable_run(db: sqlite_utils.Database) -> dict | None:
    """The latest run, if it was killed ('running') or stopped by a signal ('interrupted')."""
    rows = list(db.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1"))
    if rows and rows[0]["status"] in ("running", "interrupted"):
        return rows[0]
    return None


def abandon_run(db: sqlite_utils.Database, run_id: int) -> None:
    """A killed or interrupted run that a new crawl replaces instead of resuming."""
    with db.atomic():
        db["crawl_runs"].update(
            run_id, {"status": "failed", "summary": json.dumps({"problems": ["killed; not resumed"]})}
        )


def rows_touched(db: sqlite_utils.Database, run_id: int) -> tuple[int, int, int]:
    """(new, changed, gone) data rows for a run, read from the rows' own provenance: right for a
    resumed run too, whose earlier part was killed before it could count anything."""
    new = changed = gone = 0
    for table in KEYS:
        row = db.execute(
            f"SELECT sum(first_seen_run = :run), "
            f"sum(last_changed_run = :run AND first_seen_run != :run AND gone_run IS NOT :run), "
            f"sum(gone_run = :run) FROM [{table}]",
            {"run": run_id},
        ).fetchone()
        new, changed, gone = new + (row[0] or 0), changed + (row[1] or 0), gone + (row[2] or 0)
    return new, changed, gone


def resume_run(db: sqlite_utils.Database, run_id: int) -> None:
    with db.atomic():
        db["crawl_runs"].update(run_id, {"status": "running", "finished_at": None})


def last_good_run(db: sqlite_utils.Database, before: int, scope: str) -> dict | None:
    """The latest healthy run of the same scope before run `before`: what a new run is compared with."""
    rows = list(
        db.query(
            "SELECT * FROM crawl_runs WHERE id < ? AND status = 'ok' AND scope = ? ORDER BY id DESC LIMIT 1",
            [before, scope],
        )
    )
    return rows[0] if rows else None


def mark_gone_authorities(db: sqlite_utils.Database, run_id: int, seen_slugs: set[str]) -> int:
    """After a complete, healthy crawl: authorities it no longer reached are marked gone."""
    gone = 0
    with db.atomic():
        for row in db.query("SELECT slug FROM authorities WHERE gone_run IS NULL"):
            if row["slug"] not in seen_slugs:
                db["authorities"].update(row["slug"], {"gone_run": run_id, "last_changed_run": run_id})
                db["changes"].insert(change_row(run_id, "authorities", row["slug"], row["slug"], "gone"))
                gone += 1
    return gone


@dataclass
class RunTotals:
    requests: int = 0
    pages: int = 0
    pages_unchanged: int = 0
    items: int = 0
    errors: int = 0
    authorities: int = 0
    figures: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_gone: int = 0


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, totals: RunTotals, summary: dict) -> None:
    with db.atomic():
        db["crawl_runs"].update(
            run_id,
            {"finished_at": now(), "status": status, "summary": json.dumps(summary, sort_keys=True)}
            | asdict(totals),
        )


def record_error(db: sqlite_utils.Database, run_id: int, error: items.CrawlError) -> None:
    with db.atomic():
        db["crawl_errors"].insert({"run_id": run_id} | asdict(error))


@dataclass
class Fetch:
    url: str
    status: int
    etag: str | None
    last_modified: str | None
    sha256: str | None


@dataclass
class AuthorityBundle:
    """Everything one crawl learnt about one authority. A part left as None was not fetched
    completely this run, so its stored rows stay exactly as they are."""

    authority: items.Authority
    statistics: list[items.AnnualStatistics] = field(default_factory=list)
    reports: list[items.Report] | None = None
    improvements: list[items.ServiceImprovement] | None = None
    letters: list[items.LetterLink] | None = None
    letter_documents: list[items.LetterDocument] = field(default_factory=list)
    """Letters downloaded this run; a listed letter not downloaded keeps what was read before."""
    letter_tables: list[items.LetterTableCount] = field(default_factory=list)
    fetches: list[Fetch] = field(default_factory=list)


@dataclass
class Saved:
    new: int = 0
    changed: int = 0
    gone: int = 0

    def __iadd__(self, other: Saved) -> Saved:
        self.new += other.new
        self.changed += other.changed
        self.gone += other.gone
        return self


def authority_row(authority: items.Authority, register_entry) -> dict:
    """The authorities row: what the page says, enriched from the reference register when it knows the slug."""
    row = {
        "slug": authority.slug,
        "name": authority.name,
        "url": authority.url,
        "predecessor_urls": json.dumps(authority.predecessor_urls) if authority.predecessor_urls else None,
        "source_url": authority.url,
        "kind": None,
        "status": None,
        "successor_slugs": None,
        "gss_code": None,
        "region": None,
        "population": None,
        "latitude": None,
        "longitude": None,
    }
    if register_entry is not None:
        row |= {
            "kind": register_entry.kind,
            "status": register_entry.status,
            "successor_slugs": json.dumps(list(register_entry.successor_slugs))
            if register_entry.successor_slugs
            else None,
            "gss_code": register_entry.gss_code,
            "region": register_entry.region,
            "population": register_entry.population,
            "latitude": register_entry.latitude,
            "longitude": register_entry.longitude,
        }
    return row


def statistics_rows(statistics: Iterable[items.AnnualStatistics]) -> list[dict]:
    return [asdict(s) for s in statistics]


def report_rows(reports: Iterable[items.Report]) -> list[dict]:
    return [asdict(r) for r in reports]


def improvement_rows(improvements: Iterable[items.ServiceImprovement]) -> tuple[list[dict], list[dict]]:
    cases, actions = [], []
    for improvement in improvements:
        case = asdict(improvement)
        verbatim_actions = case.pop("actions")
        cases.append(case)
        for position, verbatim in enumerate(verbatim_actions, start=1):
            actions.append(
                {
                    "authority_slug": improvement.authority_slug,
                    "case_ref": improvement.case_ref,
                    "position": position,
                    "text": " ".join(verbatim.split()),
                    "verbatim": verbatim,
                    "source_url": improvement.source_url,
                }
            )
    return cases, actions


def letter_rows(letters: Iterable[items.LetterLink], documents: Iterable[items.LetterDocument]) -> list[dict]:
    """A row per listed letter; the columns read from its PDF only when it was downloaded this run."""
    read = {document.year: document for document in documents}
    rows = []
    for letter in letters:
        row = asdict(letter)
        document = read.get(letter.year)
        if document is not None:
            row |= {
                k: v for k, v in asdict(document).items() if k not in ("content", "authority_slug", "year")
            }
        rows.append(row)
    return rows


def letter_table_rows(counts: Iterable[items.LetterTableCount]) -> dict[tuple[str, str], list[dict]]:
    """(table name, year) -> rows, from the table-era letters read this run."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for cell in counts:
        table, label_column, count_column = LETTER_TABLES[cell.table]
        grouped.setdefault((table, cell.year), []).append(
            {
                "authority_slug": cell.authority_slug,
                "year": cell.year,
                label_column: cell.label,
                count_column: cell.count,
                "source_url": cell.source_url,
            }
        )
    return grouped


def save_authority(
    db: sqlite_utils.Database, bundle: AuthorityBundle, run_id: int, register_entry=None
) -> Saved:
    """Store one authority's bundle in one transaction, writing only rows that changed."""
    slug = bundle.authority.slug
    mine = {"authority_slug": slug}
    saved = Saved()
    with db.atomic():
        # An authority seen for the first time logs one 'new' change, not one per row: its rows' first_seen_run
        # already says when they arrived, and a first crawl would otherwise double its writes.
        first_time = not db["authorities"].count_where("slug = ?", [slug])
        sync = functools.partial(sync_rows, db, run_id=run_id, log_new=not first_time)
        authority = [authority_row(bundle.authority, register_entry)]
        saved += sync_rows(db, "authorities", {"slug": slug}, authority, run_id, False)
        saved += sync("annual_statistics", mine, statistics_rows(bundle.statistics), complete_list=False)
        if bundle.reports is not None:
            saved += sync("reports", mine, report_rows(bundle.reports), complete_list=True)
        if bundle.improvements is not None:
            cases, actions = improvement_rows(bundle.improvements)
            saved += sync("service_improvements", mine, cases, complete_list=True)
            saved += sync("improvement_actions", mine, actions, complete_list=True)
        if bundle.letters is not None:
            letters = letter_rows(bundle.letters, bundle.letter_documents)
            saved += sync("letters", mine, letters, complete_list=True)
        for (table, year), rows in letter_table_rows(bundle.letter_tables).items():
            saved += sync(table, mine | {"year": year}, rows, complete_list=True)
        save_fetches(db, bundle.fetches, run_id)
    return saved


def letters_read(db: sqlite_utils.Database) -> frozenset[str]:
    """PDF URLs of letters already read successfully: published letters don't change."""
    return frozenset(row["pdf_url"] for row in db.query("SELECT pdf_url FROM letters WHERE status = 'ok'"))


def save_fetches(db: sqlite_utils.Database, fetches: Iterable[Fetch], run_id: int) -> None:
    rows = [asdict(f) | {"fetched_at": now(), "run_id": run_id} for f in fetches]
    if rows:
        db["fetches"].upsert_all(rows, pk="url")


def sync_rows(
    db: sqlite_utils.Database,
    table: str,
    scope: dict,
    rows: list[dict],
    run_id: int,
    complete_list: bool,
    log_new: bool = True,
) -> Saved:
    """Bring the rows of `table` within `scope` (one authority, or one of its letters) in line with `rows`.

    New rows are inserted, changed ones updated (each changed column logged in `changes`),
    identical ones left untouched; columns a row leaves out keep their stored values. When `rows`
    is the complete list the site shows (`complete_list`), stored rows missing from it are marked
    gone, never deleted.
    """
    keys = KEYS[table]
    authority_slug = next(iter(scope.values()))
    where = " AND ".join(f"[{column}] = ?" for column in scope)
    existing = {
        tuple(row[k] for k in keys): row
        for row in db.query(f"SELECT * FROM [{table}] WHERE {where}", list(scope.values()))
    }
    saved = Saved()
    seen = set()
    inserts, changes = [], []
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key in seen:
            raise ValueError(f"{table}: duplicate row {key} for {authority_slug}")
        seen.add(key)
        row_key = "/".join(str(k) for k in key)
        old = existing.get(key)
        if old is None:
            inserts.append(row | {"first_seen_run": run_id, "last_changed_run": run_id, "gone_run": None})
            if log_new:
                changes.append(change_row(run_id, table, row_key, authority_slug, "new"))
            continue
        differences = {c: v for c, v in row.items() if not same_value(old[c], v)}
        if old["gone_run"] is not None:
            changes.append(change_row(run_id, table, row_key, authority_slug, "back"))
        for column, value in differences.items():
            changes.append(
                change_row(run_id, table, row_key, authority_slug, "changed", column, old[column], value)
            )
        if differences or old["gone_run"] is not None:
            db[table].update(key, differences | {"last_changed_run": run_id, "gone_run": None})
            saved.changed += 1
    if complete_list:
        for key, old in existing.items():
            if key not in seen and old["gone_run"] is None:
                db[table].update(key, {"gone_run": run_id, "last_changed_run": run_id})
                changes.append(
                    change_row(run_id, table, "/".join(str(k) for k in key), authority_slug, "gone")
                )
                saved.gone += 1
    if inserts:
        db[table].insert_all(inserts)
        saved.new += len(inserts)
    if changes:
        db["changes"].insert_all(changes)
    return saved


def same_value(stored, new) -> bool:
    # NUMERIC columns hand back 4 for a stored 4.0; compare numbers by value, not by type.
    if isinstance(stored, int | float) and isinstance(new, int | float) and not isinstance(new, bool):
        return float(stored) == float(new)
    return stored == new


def change_row(
    run_id: int,
    table: str,
    row_key: str,
    authority_slug: str,
    change: str,
    column: str | None = None,
    old=None,
    new=None,
) -> dict:
    """A `changes` row: what changed, from what, to what, in which run."""
    return {
        "run_id": run_id,
        "table_name": table,
        "row_key": row_key,
        "authority_slug": authority_slug,
        "change": change,
        "column_name": column,
        "old_value": None if old is None else str(old),
        "new_value": None if new is None else str(new),
    }
