"""The SQLite store: runs, and saving one authority at a time (the schema is in harvester.migrations).

Every data row carries provenance (`source_url`, `first_seen_run`, `last_changed_run`, and
`gone_run` once the site stops listing it). An unchanged crawl writes no data row: rows are
compared before they are written, and each difference is kept in `changes` so no value is
ever lost. Each authority is saved in one transaction, so a crash leaves it either as it was
or fully updated.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import operator
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from harvester import derived_tables, items, migrations, oversized, register
from harvester.pages.decisions import decision_url_key, in_own_category

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
    "decisions": ("case_ref",),
    "decision_listings": ("authority_slug", "year", "listing"),
    "annual_data": ("source_file", "sheet", "printed_name", "category", "column_header"),
    "annual_data_files": ("source_file",),
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
    migrations.migrate(db)
    return db


def kept_letters(db_path: Path) -> Path:
    """The folder where a harvest keeps its letters' PDFs, each as {sha256}.pdf: beside the database file."""
    return Path(db_path).parent / "letters"


def open_read_only(path: Path) -> sqlite_utils.Database:
    """A harvest opened for reading only (mode=ro): a command that reads never creates, migrates or writes."""
    return sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True))


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction that takes the write lock first (`BEGIN IMMEDIATE`), so it waits up to
    busy_timeout for another writer. sqlite-utils' atomic() begins deferred: a transaction that reads
    before it writes then fails at once with "database is locked" when another program writes meanwhile.
    Nested, it is a savepoint of the transaction it runs in."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise
    db.conn.commit()


def now() -> str:
    """The time a run, a fetch or a list's age is reckoned in (UTC, to the second). HARVESTER_NOW (ISO 8601,
    UTC unless it says otherwise) sets it, so a test or a benchmark can crawl "eight days later" without waiting."""
    fixed = os.environ.get("HARVESTER_NOW")
    moment = dt.datetime.fromisoformat(fixed) if fixed else dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def start_run(
    db: sqlite_utils.Database, base_url: str, version: str, scope: str = "all", options: str | None = None
) -> int:
    """A new crawl_runs row; `scope` is 'all' or the JSON list of the authorities asked for, `options` the JSON
    of the options that shape what it stores (harvester.crawl.run_options), which --resume restores."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (started_at, status, base_url, scope, version, options) "
            "VALUES (?, 'running', ?, ?, ?, ?)",
            [now(), base_url, scope, version, options],
        )
    return cursor.lastrowid


def resumable_run(db: sqlite_utils.Database) -> dict | None:
    """The latest run, if it was killed ('running') or stopped by a signal ('interrupted')."""
    # A crawl its probe stopped started nothing, so it hides no unfinished run from --resume.
    rows = list(db.query("SELECT * FROM crawl_runs WHERE status != 'probe-failed' ORDER BY id DESC LIMIT 1"))
    if rows and rows[0]["status"] in ("running", "interrupted"):
        return rows[0]
    return None


def abandon_run(db: sqlite_utils.Database, run_id: int) -> None:
    """A killed or interrupted run that a new crawl replaces instead of resuming."""
    with transaction(db):
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
    """Reopen a killed or interrupted run. Its part so far is crawled again, so the errors it recorded
    are superseded: what still fails is recorded again."""
    with transaction(db):
        db["crawl_runs"].update(run_id, {"status": "running", "finished_at": None})
        db.execute("UPDATE crawl_errors SET superseded = 1 WHERE run_id = ?", [run_id])


def last_good_run(db: sqlite_utils.Database, before: int, scope: str) -> dict | None:
    """The latest healthy run of the same scope before run `before`: what a new run is compared with."""
    rows = list(
        db.query(
            "SELECT * FROM crawl_runs WHERE id < ? AND status = 'ok' AND scope = ? ORDER BY id DESC LIMIT 1",
            [before, scope],
        )
    )
    return rows[0] if rows else None


def unlisted_authorities(db: sqlite_utils.Database, listed: set[str]) -> set[str]:
    """Stored authorities, not yet gone, whose case-folded slug is not in `listed`."""
    return {
        row["slug"]
        for row in db.query("SELECT slug FROM authorities WHERE gone_run IS NULL")
        if row["slug"].lower() not in listed
    }


def mark_gone_authorities(db: sqlite_utils.Database, run_id: int, slugs: Iterable[str]) -> int:
    """Mark these authorities gone: only ever on the site's word (see pipelines.store.gone_authorities)."""
    gone = 0
    with transaction(db):
        for slug in sorted(slugs):
            row = db.execute("SELECT slug FROM authorities WHERE lower(slug) = ? AND gone_run IS NULL",
                             [slug.lower()]).fetchone()  # fmt: skip
            if row is None:
                continue
            db["authorities"].update(row[0], {"gone_run": run_id, "last_changed_run": run_id})
            db["changes"].insert(change_row(run_id, "authorities", row[0], row[0], "gone"))
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
    with transaction(db):
        db["crawl_runs"].update(
            run_id,
            {"finished_at": now(), "status": status, "summary": json.dumps(summary, sort_keys=True)}
            | asdict(totals),
        )


def fail_run(db: sqlite_utils.Database, run_id: int, problems: list[str]) -> None:
    """The smallest write that ends a run as failed, for when finish_run itself could not be done."""
    with transaction(db):
        db["crawl_runs"].update(
            run_id, {"finished_at": now(), "status": "failed", "summary": json.dumps({"problems": problems})}
        )


def record_probe_failure(
    db: sqlite_utils.Database, base_url: str, version: str, scope: str, problem: str, errors: list
) -> int:
    """A crawl its probe (harvester.probe) stopped before anything was crawled: its run, and what the probe found."""
    at = now()
    with transaction(db):
        run_id = db.execute(
            "INSERT INTO crawl_runs (started_at, finished_at, status, base_url, scope, version, summary) "
            "VALUES (?, ?, 'probe-failed', ?, ?, ?, ?)",
            [at, at, base_url, scope, version, json.dumps({"problems": [problem]})],
        ).lastrowid
        db["crawl_errors"].insert_all({"run_id": run_id} | asdict(error) for error in errors)
    return run_id


def record_error(db: sqlite_utils.Database, run_id: int, error: items.CrawlError) -> None:
    with transaction(db):
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
    kept_letters: list[items.LetterDocument] = field(default_factory=list)
    """Letters that failed to read this run whose good copy, read before, was kept."""
    conflicts: list[dict] = field(default_factory=list)
    """`decision_conflicts` rows recorded this run where the site contradicts itself (to be warned of)."""

    def __iadd__(self, other: Saved) -> Saved:
        self.new += other.new
        self.changed += other.changed
        self.gone += other.gone
        self.kept_letters += other.kept_letters
        self.conflicts += other.conflicts
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
    """A published report's date never changes: a re-read without one (a date printed in a form not understood,
    recorded as a warning) leaves the column out, so a stored date is kept rather than replaced by NULL."""
    rows = []
    for report in reports:
        row = asdict(report)
        del row["date_as_printed"]
        if row["date"] is None:
            del row["date"]
        rows.append(row)
    return rows


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
    with transaction(db):
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
        documents = bundle.letter_documents
        if bundle.letters is not None:
            good = read_before(db, slug)
            saved.kept_letters = [d for d in documents if d.status != "ok" and d.pdf_url in good]
            documents = [d for d in documents if d.status == "ok" or d.pdf_url not in good]
            letters = letter_rows(bundle.letters, documents)
            saved += sync("letters", mine, letters, complete_list=True)
        for (table, year), rows in letter_table_rows(bundle.letter_tables).items():
            saved += sync(table, mine | {"year": year}, rows, complete_list=True)
        save_fetches(db, bundle.fetches, run_id)
    return saved


def read_before(db: sqlite_utils.Database, slug: str) -> set[str]:
    """PDF URLs of the authority's letters stored as read successfully: a failed re-read never replaces them."""
    # Filtered here, not in SQL: with "AND status = 'ok'" SQLite picks the status index and walks every letter
    # read so far, once per authority, a cost that grows with the square of the site.
    rows = db.execute("SELECT pdf_url, status FROM letters WHERE authority_slug = ?", [slug])
    return {pdf_url for pdf_url, status in rows if status == "ok"}


def letters_read(db: sqlite_utils.Database) -> frozenset[str]:
    """PDF URLs of letters already read successfully: published letters don't change."""
    return frozenset(row["pdf_url"] for row in db.query("SELECT pdf_url FROM letters WHERE status = 'ok'"))


def pages_revalidated(db: sqlite_utils.Database) -> dict[str, str]:
    """url -> when the page was last fetched (200, or 304: unchanged) in a healthy run that spent no decision
    budget, i.e. when what it lists was last read in full: a run in which any page failed or could not be
    parsed, or a decision listing was cut short by the budget, is not healthy in that sense, and a page whose
    last fetch was in such a run has no entry (its `fetches` row holds only the last fetch)."""
    rows = db.execute(
        "SELECT f.url, f.fetched_at FROM fetches f JOIN crawl_runs r ON r.id = f.run_id "
        "WHERE f.status IN (200, 304) AND r.status = 'ok' "
        "AND NOT coalesce(json_extract(r.summary, '$.decision_budget_reached'), 0)"
    )
    return dict(rows.fetchall())


def save_fetches(db: sqlite_utils.Database, fetches: Iterable[Fetch], run_id: int) -> None:
    fetched_at = now()
    rows = [asdict(f) | {"fetched_at": fetched_at, "run_id": run_id} for f in fetches]
    if rows:
        columns = list(rows[0])
        replaced = ", ".join(f"[{column}] = excluded.[{column}]" for column in columns if column != "url")
        with transaction(db):  # also called on its own, at the end of a run
            db.conn.executemany(
                f"INSERT INTO fetches ({names(columns)}) VALUES ({marks(columns)}) "
                f"ON CONFLICT (url) DO UPDATE SET {replaced}",
                [list(row.values()) for row in rows],
            )


# Rows are written with plain executemany inside the caller's transaction(): sqlite-utils' insert_all, update
# and upsert_all read the table's schema again on every call, which cost more than the writes themselves.
# Outside one, Python's sqlite3 would begin a transaction of its own that nothing commits.


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict], same: dict | None = None) -> None:
    """Rows of one table in one statement; a column some rows leave out is NULL in those. `same` holds columns
    whose value every row shares (a new row's run columns), over any value a row gives: added to each row's
    parameters, not merged into a copy of each row (~0.2 s of the crawl's thread for the annual data values)."""
    same = same or {}
    columns = [column for column in dict.fromkeys(itertools.chain.from_iterable(rows)) if column not in same]
    shared = tuple(same.values())
    db.conn.executemany(
        f"INSERT INTO [{table}] ({names([*columns, *same])}) VALUES ({marks([*columns, *same])})",
        [(*map(row.get, columns), *shared) for row in rows],
    )


def update_row(db: sqlite_utils.Database, table: str, key: tuple, values: dict) -> None:
    """Set `values` in the row of `table` whose KEYS columns are `key`."""
    assignments = ", ".join(f"[{column}] = ?" for column in values)
    where = " AND ".join(f"[{column}] IS ?" for column in KEYS[table])  # IS: a key column may be NULL
    db.conn.execute(f"UPDATE [{table}] SET {assignments} WHERE {where}", [*values.values(), *key])


def names(columns: list[str]) -> str:
    return ", ".join(f"[{column}]" for column in columns)


def marks(columns: list[str]) -> str:
    return ", ".join("?" for _ in columns)


def sync_rows(
    db: sqlite_utils.Database,
    table: str,
    scope: dict,
    rows: list[dict],
    run_id: int,
    complete_list: bool,
    log_new: bool = True,
    about=None,
) -> Saved:
    """Bring the rows of `table` within `scope` (one authority, or one of its letters) in line with `rows`.

    New rows are inserted, changed ones updated (each changed column logged in `changes`),
    identical ones left untouched; columns a row leaves out keep their stored values. When `rows`
    is the complete list the site shows (`complete_list`), stored rows missing from it are marked
    gone, never deleted. `about(row)` names the authority a change is about, when the scope is not one
    authority's (the annual data files: the row's authority, else its printed name).
    """
    keys = KEYS[table]
    # itemgetter builds a key without a Python frame per row (~0.13 s for a full crawl's annual data values).
    key_of = operator.itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    rows = oversized.fit_rows(db, table, keys, rows, run_id)
    authority_slug = next(iter(scope.values()))
    about = about or (lambda row: authority_slug)
    # IS for a NULL scope (decisions about a body outside the register): NULL = NULL matches nothing.
    where = " AND ".join(f"[{column}] {'IS' if value is None else '='} ?" for column, value in scope.items())
    existing = {
        tuple(row[k] for k in keys): row
        for row in db.query(f"SELECT * FROM [{table}] WHERE {where}", list(scope.values()))
    }
    saved = Saved()
    seen = set()
    inserts, changes = [], []
    for row in rows:
        key = key_of(row)
        if key in seen:
            raise ValueError(f"{table}: duplicate row {key} for {authority_slug}")
        seen.add(key)
        old = existing.get(key)
        if old is None:
            inserts.append(row)
            if log_new:
                changes.append(change_row(run_id, table, key_text(key), about(row), "new"))
            continue
        row_key = key_text(key)
        differences = {c: v for c, v in row.items() if not same_value(old[c], v)}
        if old["gone_run"] is not None:
            changes.append(change_row(run_id, table, row_key, about(row), "back"))
        for column, value in differences.items():
            changes.append(
                change_row(run_id, table, row_key, about(row), "changed", column, old[column], value)
            )
        if differences or old["gone_run"] is not None:
            update_row(db, table, key, differences | {"last_changed_run": run_id, "gone_run": None})
            saved.changed += 1
    if complete_list:
        for key, old in existing.items():
            if key not in seen and old["gone_run"] is None:
                update_row(db, table, key, {"gone_run": run_id, "last_changed_run": run_id})
                changes.append(change_row(run_id, table, key_text(key), about(old), "gone"))
                saved.gone += 1
    if inserts:
        insert_rows(db, table, inserts, {"first_seen_run": run_id, "last_changed_run": run_id, "gone_run": None})
        saved.new += len(inserts)
    if changes:
        insert_rows(db, "changes", changes)
    return saved


def key_text(key: tuple) -> str:
    """A row's key as `changes.row_key` gives it: built only for a row that logs a change (a first crawl's
    ~350,000 annual data values log none)."""
    return "/".join(str(k) for k in key)


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


def save_decisions(
    db: sqlite_utils.Database,
    slug: str,
    decisions: Iterable[items.Decision],
    listings: Iterable[items.DecisionListing],
    run_id: int,
) -> Saved:
    """Store an authority's decisions read this run and its listings read in full, in one transaction.

    Decisions are fetched once, so the ones not read this run are simply not here: none is ever marked
    gone for that. A listing read in full replaces what was stored for its year, empty ones included."""
    saved = Saved()
    decisions = list(decisions)
    with transaction(db):
        # As save_authority does: an authority first stored this run logs no 'new' change per row.
        first_seen = db.execute("SELECT first_seen_run FROM authorities WHERE slug = ?", [slug]).fetchone()
        log_new = first_seen[0] != run_id
        sync = functools.partial(sync_rows, db, run_id=run_id, log_new=log_new)
        slugs = slugs_by_name(db, preferred=slug)
        conflicts = [conflict | {"first_run": run_id} for conflict in body_conflicts(decisions)]
        rows, url_conflicts = one_url_per_case(db, decisions)
        conflicts += [conflict | {"first_run": run_id} for conflict in url_conflicts]
        by_body: dict[str | None, list[dict]] = {}
        for row in rows:
            # The authority a decision is about is the stored one its page names; a care provider has none.
            row["authority_slug"] = slugs.get(register.name_key(row["body_name"]))
            by_body.setdefault(row["authority_slug"], []).append(row)
        for body_slug, body_rows in by_body.items():
            # A decision about a body outside the register is logged under the authority it was found through.
            saved += sync("decisions", {"authority_slug": body_slug}, body_rows, complete_list=False,
                          about=lambda row, logged_under=body_slug or slug: logged_under)  # fmt: skip
        record_conflicts(db, conflicts, run_id)
        saved.conflicts = [conflict for conflict in conflicts if conflict["kind"] != "same text"]
        for listing in listings:
            row = asdict(listing) | {"case_refs": json.dumps(listing.case_refs)}
            # Its scope is its own key: the listing read replaces the stored one of that year, whatever it holds.
            scope = {"authority_slug": listing.authority_slug, "year": listing.year, "listing": listing.listing}
            saved += sync("decision_listings", scope, [row], complete_list=True)
    return saved


DECISION_TEXT_COLUMNS = ("body_name", "category", "sub_category", "outcome", "decision_date", "is_report", "chapters",
                         "summary", "text", "remedy")  # fmt: skip
"""What two pages of one case must agree on to be the same decision."""


def body_conflicts(decisions: Iterable[items.Decision]) -> list[dict]:
    """`decision_conflicts` rows for decisions whose page names another body than the way to it did (a case filed
    under Kent County Council on its own page, reached from Luton's listing): the page decides, the rest is said."""
    return [
        {
            "case_ref": decision.case_ref, "kind": "body", "url": decision.url, "kept_url": None,
            "listed_as": decision.listed_as, "body_name": decision.body_name, "found_via": decision.found_via,
            "detail": f"{decision.case_ref}: reached from {decision.found_via}'s pages as a decision about "
                      f"{decision.listed_as}, its page names {decision.body_name}; stored as its page says",
        }
        for decision in decisions
        if decision.listed_as and register.name_key(decision.listed_as) != register.name_key(decision.body_name)
    ]  # fmt: skip


def one_url_per_case(db: sqlite_utils.Database, decisions: Iterable[items.Decision]) -> tuple[list[dict], list[dict]]:
    """The decisions rows to sync, one per case, and `decision_conflicts` rows for a case read at two URLs (this
    run, or this run and before): the URL kept is the one filed under the category its own page prints
    (`in_own_category`), else the first in order, so every run keeps the same; the other is recorded, with
    'other text' when the two pages disagree."""
    by_case: dict[str, dict[str, dict]] = {}
    for decision in decisions:
        row = asdict(decision)
        del row["found_via"], row["listed_as"]
        by_case.setdefault(decision.case_ref, {})[decision_url_key(decision.url)] = row
    refs = list(by_case)
    stored = {
        row["case_ref"]: row
        for start in range(0, len(refs), 500)
        for row in db.query(f"SELECT * FROM decisions WHERE case_ref IN ({marks(refs[start : start + 500])})",
                            refs[start : start + 500])  # fmt: skip
    }
    rows, conflicts = [], []
    for case_ref, read in by_case.items():
        pages = dict(read)
        old = stored.get(case_ref)
        if old is not None:
            pages.setdefault(decision_url_key(old["url"]), old)
        kept_key = min(pages, key=lambda key: (not in_own_category(key, pages[key]["category"],
                                                                   pages[key]["sub_category"]), key))  # fmt: skip
        kept = pages[kept_key]
        why = "filed under its own category" if in_own_category(kept_key, kept["category"], kept["sub_category"]) else (
            "neither is filed under its own category: the first in order")  # fmt: skip
        if kept is not old:
            rows.append(kept)
        for key, other in pages.items():
            if key == kept_key:
                continue
            differs = [column for column in DECISION_TEXT_COLUMNS if not same_value(other[column], kept[column])]
            detail = (f"{case_ref} is also at {other['url']}"
                      + (f", where its {', '.join(differs)} differ" if differs else ", with the same text")
                      + f"; kept {kept['url']}, {why}")  # fmt: skip
            conflicts.append({
                "case_ref": case_ref, "kind": "other text" if differs else "same text", "url": other["url"],
                "kept_url": kept["url"], "listed_as": None, "body_name": other["body_name"], "found_via": None,
                "detail": detail,
            })  # fmt: skip
    return rows, conflicts


def record_conflicts(db: sqlite_utils.Database, conflicts: list[dict], run_id: int) -> None:
    """Conflicts found again keep their first run; their last run and what they say are brought up to date."""
    if not conflicts:
        return
    columns = list(conflicts[0]) + ["last_run"]
    updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("kept_url", "listed_as", "body_name", "found_via",
                                                              "detail", "last_run"))  # fmt: skip
    db.conn.executemany(
        f"INSERT INTO decision_conflicts ({names(columns)}) VALUES ({marks(columns)}) "
        f"ON CONFLICT (case_ref, kind, url) DO UPDATE SET {updated}",
        [[*conflict.values(), run_id] for conflict in conflicts],
    )


def slugs_by_name(db: sqlite_utils.Database, preferred: str) -> dict[str, str]:
    """register.name_key(name) -> slug of every stored authority; of two with one name, `preferred`."""
    slugs: dict[str, str] = {}
    for slug, name in db.execute("SELECT slug, name FROM authorities"):
        key = register.name_key(name)
        if key not in slugs or slug == preferred:
            slugs[key] = slug
    return slugs


def decision_search_starts(db: sqlite_utils.Database, since: str) -> dict[str, str]:
    """slug -> the newest stored decision_date, for authorities whose decision search from `since` (or
    earlier) was read to its end in a healthy run: their back-fill is done, so a later search need only
    reach back to that day (same-day decisions published later are still found; stored ones are skipped)."""
    completed: set[str] = set()
    for (summary,) in db.execute("SELECT summary FROM crawl_runs WHERE status = 'ok' AND summary IS NOT NULL"):
        searched = json.loads(summary).get("decision_searches_completed", {})
        completed.update(slug for slug, searched_since in searched.items() if searched_since <= since)
    if not completed:
        return {}
    rows = db.execute(
        "SELECT authority_slug, max(decision_date) FROM decisions GROUP BY authority_slug"
    ).fetchall()
    return {slug: newest for slug, newest in rows if slug in completed and newest and newest > since}


def decision_refs_by_url(db: sqlite_utils.Database, slug: str) -> dict[str, str]:
    """url -> case_ref of an authority's stored decisions: a report linking one of them is that case."""
    rows = db.execute("SELECT url, case_ref FROM decisions WHERE authority_slug = ?", [slug])
    return dict(rows.fetchall())


def oversized_pages(db: sqlite_utils.Database) -> dict[str, int]:
    """url -> size in bytes (its Content-Length) of each decision page last recorded as over the size limit: not
    asked for again while the server gives that size (harvester.spiders.performance.unless_still_oversized)."""
    rows = db.execute("SELECT url, message FROM crawl_errors WHERE kind = 'oversized' AND page = 'decision' ORDER BY id")
    return {url: int(message.split()[0]) for url, message in rows}


def decisions_read(db: sqlite_utils.Database) -> dict[str, frozenset[str]]:
    """Case reference -> the URLs (`decision_url_key`) it was read from, stored or found at a second URL: a published
    decision doesn't change, so none is fetched again; only a URL of a case not read before is."""
    urls: dict[str, set[str]] = {}
    query = "SELECT case_ref, url FROM decisions UNION SELECT case_ref, url FROM decision_conflicts WHERE kind != 'body'"
    for case_ref, url in db.execute(query):
        urls.setdefault(case_ref, set()).add(decision_url_key(url))
    return {case_ref: frozenset(keys) for case_ref, keys in urls.items()}


def save_data_file(db: sqlite_utils.Database, data_file: items.DataFile, fetch: Fetch | None, run_id: int) -> Saved:
    """Store every value of one annual data file read in full, and its fetch, in one transaction: values the
    file no longer gives are marked gone; a file seen for the first time logs no 'new' change per value."""
    # vars(), not asdict(): a value's fields are plain scalars, and asdict deep-copies each of them, which cost
    # ~4 s of the crawl's one thread for the ~350,000 values of a full crawl.
    source_url = {"source_url": data_file.link.source_url}
    rows = [vars(value) | source_url for value in data_file.values]
    scope = {"source_file": data_file.link.url}
    with transaction(db):
        first_time = not db["annual_data"].count_where("source_file = ?", [data_file.link.url])
        saved = sync_rows(
            db, "annual_data", scope, rows, run_id, complete_list=True, log_new=not first_time,
            about=lambda row: row["authority_slug"] or row["printed_name"],
        )  # fmt: skip
        # The file's own row is provenance, like its fetch: not among the data rows a run added or changed.
        file_row = data_file_row(data_file)
        sync_rows(
            db, "annual_data_files", scope, [file_row], run_id, complete_list=False, log_new=not first_time
        )
        save_fetches(db, [fetch] if fetch else [], run_id)
        if saved.new or saved.changed or saved.gone:
            derived_tables.refresh_annual_data_tables(db, data_file.link.url)
    return saved


def data_file_row(data_file: items.DataFile) -> dict:
    link = data_file.link
    return {
        "source_file": link.url,
        "year": link.year,
        "label": link.label,
        "file_format": link.file_format,
        "sha256": data_file.sha256,
        "byte_size": data_file.byte_size,
        "values_read": len(data_file.values),
        "councils_matched": len({value.authority_slug for value in data_file.values if value.authority_slug}),
        "unmatched_names": json.dumps(sorted(set(data_file.unmatched_names))),
        "source_url": link.source_url,
    }
