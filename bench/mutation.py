"""Mutation testing of the code that decides what the dataset says and whether a run is healthy (issue 26).

    python bench/mutation.py [MODULE ...] [--work DIR] [--max-children N] [--show-killed]

MODULE is a key of MODULES: normalise, health, one per page reader (statistics, improvements, index, kinds,
letter, html, lists, decisions, annual-data), store, politeness (default: all, in that order). Each module runs
mutmut over its own files with its own fast test selection, in a scratch copy of the tree (this tree is never
mutated), under `nice -n 10`, one mutant at a time unless --max-children says otherwise. It prints one line per
module (mutants, killed, equivalent, survived, score) and, for every survivor not listed in EQUIVALENT, its diff.
Exit 0 when every module reaches TARGET.

mutmut is not a project dependency (.ci/run never runs this): `.venv/bin/pip install mutmut==3.8.1`.
mutmut mutates code inside functions only, so the politeness constants of harvester/settings.py are mutated by
this script itself (each flag flipped, each number changed, each loopback override dropped), the politeness tests
run once per mutant.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 0.90
"""Share of the non-equivalent mutants of each module its tests must kill."""
PYTEST_ARGS = ["-p", "no:xdist", "-p", "no:cacheprovider", "-q", "-x"]


@dataclass(frozen=True)
class Module:
    files: tuple[str, ...]
    tests: tuple[str, ...]
    mutants: tuple[str, ...] = ()
    """mutmut name patterns to run (fnmatch); none: every mutant of `files`."""


PAGE_TESTS = (
    "tests/test_pages_cases.py",
    "tests/test_pages_html.py",
    "tests/test_pages_lists.py",
    "tests/test_pages_statistics.py",
    "tests/test_pages_statistics_sentences.py",
    "tests/test_letter_pdf.py",
    "tests/test_pages_made.py",
    "tests/test_cli_parse.py",  # `harvester parse` guesses a page's kind (pages/kinds.py)
)
"""The fast tests that read saved and typed pages through the page readers."""

MODULES = {
    "normalise": Module(
        ("harvester/normalise.py",), ("tests/test_normalise.py", "tests/test_normalise_limits.py")
    ),
    "health": Module(("harvester/health.py",), ("tests/test_health.py", "tests/test_health_boundaries.py")),
    # one entry a page reader, so each is run, scored and sorted on its own
    **{
        name: Module((f"harvester/pages/{name}.py",), PAGE_TESTS)
        for name in ("statistics", "improvements", "index", "kinds", "letter", "html")
    },
    "lists": Module(("harvester/pages/letters_list.py", "harvester/pages/reports_list.py"), PAGE_TESTS),
    "decisions": Module(
        ("harvester/pages/decisions.py",),
        (
            "tests/test_decisions_pages.py",
            "tests/test_decisions_report_rule.py",
            "tests/test_pages_cases.py",
            "tests/test_pages_made.py",
            "tests/test_cli_parse.py",
        ),
    ),
    "annual-data": Module(
        ("harvester/datafiles.py", "harvester/pages/annual_review.py"),
        ("tests/test_datafiles.py", "tests/test_pages_cases.py", "tests/test_pages_made.py"),
    ),
    "store": Module(
        ("harvester/store.py",),
        (
            "tests/test_store.py",
            "tests/test_store_runs.py",
            "tests/test_decisions_store.py",
            "tests/test_store_reads.py",
            "tests/test_store_sync.py",
            "tests/test_store_authority.py",
            "tests/test_store_decisions.py",
        ),
    ),
    "politeness": Module(
        ("harvester/crawl.py", "harvester/middlewares.py"),
        # test_middlewares' other tests are about other middlewares (and its bomb test counts frames, which
        # mutmut's trampolines keep alive)
        ("tests/test_politeness.py", "tests/test_middlewares.py::test_retry_after_reads_seconds_and_dates"),
        (
            "harvester.crawl.x_is_loopback__mutmut_*",
            "harvester.crawl.x_crawl_settings__mutmut_*",
            "harvester.crawl.x_set_run_settings__mutmut_*",
            "harvester.middlewares.xǁRetryAfterMiddlewareǁ*",
            "harvester.middlewares.x_retry_after_seconds__mutmut_*",
        ),
    ),
}

SETTINGS_POLITENESS = (
    "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT",
    "HARVESTER_MAX_RETRY_AFTER", "LOOPBACK_OVERRIDES",
)  # fmt: skip
"""harvester/settings.py's names that make a crawl polite on the real site, or fast on a loopback replica."""

_HEADERS_IGNORE_CASE = "Scrapy's Headers look names up case-insensitively"
SQL_CASE = "SQLite ignores the case of SQL keywords and of table and column names"
# store.py
_COLUMN_CASE = (
    "the key only ever becomes a column name in the SQL written with it (an UPDATE's SET, an INSERT's columns, "
    "the WHERE of a row's scope), and SQLite ignores the case of column names"
)
_ONLY_TRUTH = "sync_rows only tests complete_list for truth, and None is as false as False"
_LISTING_OWN_KEY = (
    "a listing's scope is its row's whole key, so the only stored row in scope is the one written again: "
    "complete_list has nothing to mark gone"
)
_AUTHORITY_OWN_KEY = (
    "the authorities row's scope is its own slug, the one row written: complete_list has nothing to mark gone"
)
_FRESH_SAVED = (
    "what is added to is still empty there (save_authority's first result into a new Saved, sync_rows' only "
    "addition to `new`): taking the value is adding it to nothing"
)
_IS_NOT_NULL = "for a value that is not NULL, SQLite's IS is ="
_URL_SET_TO_ITSELF = (
    "on a conflict over url, excluded.url is the stored url: setting it to itself changes nothing"
)
_SQLITE_USE_URI = (
    "the SQLite Python runs with is built with SQLITE_USE_URI (PRAGMA compile_options), so a 'file:' name is "
    "read as a URI whatever uri= says"
)
_LETTER_YEAR = "a letter's document is found by the letter's year, so the year it would overwrite is the same"
_CHUNK_STEP = (
    "with a step of one the chunks of 500 case references overlap, but together they read the same stored "
    "rows: only with more queries"
)
EQUIVALENT: dict[tuple[str, str], str] = {
    ("harvester/crawl.py", 'host = urlsplit(base_url).hostname or "XXXX"'): (
        "a URL without a host is not loopback either way: 'XXXX' is neither 'localhost' nor an address"
    ),
    ("harvester/crawl.py", "settings.setmodule(harvester_settings, )"): (
        "setmodule's default priority is 'project', the one given"
    ),
    (
        "harvester/middlewares.py",
        'if response.status in (429, 503) and b"retry-after" in response.headers:',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'if response.status in (429, 503) and b"RETRY-AFTER" in response.headers:',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'wait = retry_after_seconds(response.headers[b"retry-after"].decode("latin-1"), time.time())',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'wait = retry_after_seconds(response.headers[b"RETRY-AFTER"].decode("latin-1"), time.time())',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'wait = retry_after_seconds(response.headers[b"Retry-After"].decode("LATIN-1"), time.time())',
    ): "Python's codec names ignore case",
    # store.py
    (
        "harvester/store.py",
        'run_id, {"STATUS": "failed", "summary": json.dumps({"problems": ["killed; not resumed"]})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"status": "failed", "SUMMARY": json.dumps({"problems": ["killed; not resumed"]})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["crawl_runs"].update(run_id, {"STATUS": "running", "finished_at": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["crawl_runs"].update(run_id, {"status": "running", "FINISHED_AT": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        '{"FINISHED_AT": now(), "status": status, "summary": json.dumps(summary, sort_keys=True)}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        '{"finished_at": now(), "STATUS": status, "summary": json.dumps(summary, sort_keys=True)}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        '{"finished_at": now(), "status": status, "SUMMARY": json.dumps(summary, sort_keys=True)}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"FINISHED_AT": now(), "status": "failed", "summary": json.dumps({"problems": problems})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"finished_at": now(), "STATUS": "failed", "summary": json.dumps({"problems": problems})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"finished_at": now(), "status": "failed", "SUMMARY": json.dumps({"problems": problems})}',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'db["crawl_errors"].insert({"RUN_ID": run_id} | asdict(error))'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["crawl_errors"].insert_all({"RUN_ID": run_id} | asdict(error) for error in errors)',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["authorities"].update(row[0], {"GONE_RUN": run_id, "last_changed_run": run_id})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["authorities"].update(row[0], {"gone_run": run_id, "LAST_CHANGED_RUN": run_id})',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'mine = {"AUTHORITY_SLUG": slug}'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'saved += sync_rows(db, "authorities", {"SLUG": slug}, authority, run_id, False)',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'saved += sync("decisions", {"AUTHORITY_SLUG": body_slug}, body_rows, complete_list=False,',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'scope = {"AUTHORITY_SLUG": listing.authority_slug, "year": listing.year, "listing": listing.listing}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'scope = {"authority_slug": listing.authority_slug, "YEAR": listing.year, "listing": listing.listing}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'scope = {"authority_slug": listing.authority_slug, "year": listing.year, "LISTING": listing.listing}',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'columns = list(conflicts[0]) + ["LAST_RUN"]'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("KEPT_URL", "listed_as", "body_name", "found_via",',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("kept_url", "LISTED_AS", "body_name", "found_via",',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("kept_url", "listed_as", "BODY_NAME", "found_via",',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("kept_url", "listed_as", "body_name", "FOUND_VIA",',
    ): _COLUMN_CASE,
    ("harvester/store.py", '"DETAIL", "last_run"))  # fmt: skip'): _COLUMN_CASE,
    ("harvester/store.py", '"detail", "LAST_RUN"))  # fmt: skip'): _COLUMN_CASE,
    ("harvester/store.py", 'scope = {"SOURCE_FILE": data_file.link.url}'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'saved += sync(table, mine | {"YEAR": year}, rows, complete_list=True)',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'rows = [asdict(f) | {"FETCHED_AT": fetched_at, "run_id": run_id} for f in fetches]',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'rows = [asdict(f) | {"fetched_at": fetched_at, "RUN_ID": run_id} for f in fetches]',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, differences | {"LAST_CHANGED_RUN": run_id, "gone_run": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, differences | {"last_changed_run": run_id, "GONE_RUN": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, {"GONE_RUN": run_id, "last_changed_run": run_id})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, {"gone_run": run_id, "LAST_CHANGED_RUN": run_id})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'inserts.append(row | {"FIRST_SEEN_RUN": run_id, "last_changed_run": run_id, "gone_run": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'inserts.append(row | {"first_seen_run": run_id, "LAST_CHANGED_RUN": run_id, "gone_run": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'inserts.append(row | {"first_seen_run": run_id, "last_changed_run": run_id, "GONE_RUN": None})',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'first_time = not db["AUTHORITIES"].count_where("slug = ?", [slug])'): SQL_CASE,
    ("harvester/store.py", 'first_time = not db["authorities"].count_where("SLUG = ?", [slug])'): SQL_CASE,
    (
        "harvester/store.py",
        'first_time = not db["ANNUAL_DATA"].count_where("source_file = ?", [data_file.link.url])',
    ): SQL_CASE,
    (
        "harvester/store.py",
        'first_time = not db["annual_data"].count_where("SOURCE_FILE = ?", [data_file.link.url])',
    ): SQL_CASE,
    (
        "harvester/store.py",
        "\"select * from crawl_runs where id < ? and status = 'ok' and scope = ? order by id desc limit 1\",",
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"select authority_slug, max(decision_date) from decisions group by authority_slug"',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"SELECT AUTHORITY_SLUG, MAX(DECISION_DATE) FROM DECISIONS GROUP BY AUTHORITY_SLUG"',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"select f.url, f.fetched_at from fetches f join crawl_runs r on r.id = f.run_id "',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"SELECT F.URL, F.FETCHED_AT FROM FETCHES F JOIN CRAWL_RUNS R ON R.ID = F.RUN_ID "',
    ): SQL_CASE,
    ("harvester/store.py", "\"where f.status in (200, 304) and r.status = 'ok' \""): SQL_CASE,
    (
        "harvester/store.py",
        "\"and not coalesce(json_extract(r.summary, '$.decision_budget_reached'), 0)\"",
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"insert into crawl_runs (started_at, finished_at, status, base_url, scope, version, summary) "',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"INSERT INTO CRAWL_RUNS (STARTED_AT, FINISHED_AT, STATUS, BASE_URL, SCOPE, VERSION, SUMMARY) "',
    ): SQL_CASE,
    ("harvester/store.py", "\"values (?, ?, 'probe-failed', ?, ?, ?, ?)\","): SQL_CASE,
    (
        "harvester/store.py",
        "query = \"select case_ref, url from decisions union select case_ref, url from decision_conflicts where kind != 'body'\"",
    ): SQL_CASE,
    (
        "harvester/store.py",
        'where = " and ".join(f"[{column}] IS ?" for column in KEYS[table])  # IS: a key column may be NULL',
    ): SQL_CASE,
    (
        "harvester/store.py",
        "where = \" and \".join(f\"[{column}] {'IS' if value is None else '='} ?\" for column, value in scope.items())",
    ): SQL_CASE,
    (
        "harvester/store.py",
        "where = \" AND \".join(f\"[{column}] {'is' if value is None else '='} ?\" for column, value in scope.items())",
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"insert into crawl_runs (started_at, status, base_url, scope, version, options) "',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"INSERT INTO CRAWL_RUNS (STARTED_AT, STATUS, BASE_URL, SCOPE, VERSION, OPTIONS) "',
    ): SQL_CASE,
    ("harvester/store.py", "\"values (?, 'running', ?, ?, ?, ?)\","): SQL_CASE,
    ("harvester/store.py", 'insert_rows(db, "CHANGES", changes)'): SQL_CASE,
    (
        "harvester/store.py",
        'saved += sync("decisions", {"authority_slug": body_slug}, body_rows, complete_list=None,',
    ): _ONLY_TRUTH,
    (
        "harvester/store.py",
        'saved += sync_rows(db, "authorities", {"slug": slug}, authority, run_id, None)',
    ): _ONLY_TRUTH,
    (
        "harvester/store.py",
        'saved += sync("annual_statistics", mine, statistics_rows(bundle.statistics), complete_list=None)',
    ): _ONLY_TRUTH,
    (
        "harvester/store.py",
        'saved += sync("decision_listings", scope, [row], complete_list=None)',
    ): _LISTING_OWN_KEY,
    (
        "harvester/store.py",
        'saved += sync("decision_listings", scope, [row], complete_list=False)',
    ): _LISTING_OWN_KEY,
    (
        "harvester/store.py",
        'saved += sync_rows(db, "authorities", {"slug": slug}, authority, run_id, True)',
    ): _AUTHORITY_OWN_KEY,
    (
        "harvester/store.py",
        'saved = sync_rows(db, "authorities", {"slug": slug}, authority, run_id, False)',
    ): _FRESH_SAVED,
    ("harvester/store.py", "saved.new = len(inserts)"): _FRESH_SAVED,
    (
        "harvester/store.py",
        "where = \" AND \".join(f\"[{column}] {'IS' if (value is None) or True else '='} ?\" for column, value in scope.items())",
    ): _IS_NOT_NULL,
    (
        "harvester/store.py",
        'replaced = ", ".join(f"[{column}] = excluded.[{column}]" for column in columns if column != "XXurlXX")',
    ): _URL_SET_TO_ITSELF,
    (
        "harvester/store.py",
        'replaced = ", ".join(f"[{column}] = excluded.[{column}]" for column in columns if column != "URL")',
    ): _URL_SET_TO_ITSELF,
    (
        "harvester/store.py",
        'return sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=None))',
    ): _SQLITE_USE_URI,
    (
        "harvester/store.py",
        'return sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", ))',
    ): _SQLITE_USE_URI,
    (
        "harvester/store.py",
        'return sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=False))',
    ): _SQLITE_USE_URI,
    (
        "harvester/store.py",
        'k: v for k, v in asdict(document).items() if k not in ("content", "authority_slug", "XXyearXX")',
    ): _LETTER_YEAR,
    (
        "harvester/store.py",
        'k: v for k, v in asdict(document).items() if k not in ("content", "authority_slug", "YEAR")',
    ): _LETTER_YEAR,
    ("harvester/store.py", "for start in range(0, len(refs), )"): _CHUNK_STEP,
}
"""(file, the mutated line as mutmut shows it, stripped) -> why no test can tell it from the original."""


def scratch_copy(into: Path) -> Path:
    """The tracked tree (bench/ and docs/ left out) as it stands in this worktree, uncommitted edits included."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files"], capture_output=True, text=True, check=True)
    for name in listed.stdout.splitlines():
        if name.startswith(("bench/", "docs/")) or not (REPO / name).is_file():
            continue
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    return into


def toml_list(values) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def configure(tree: Path, module: Module) -> None:
    with open(tree / "pyproject.toml", "a", encoding="utf-8") as pyproject:
        pyproject.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["harvester"]\n'
            f"only_mutate = {toml_list(module.files)}\n"
            'also_copy = ["spiders", "pipelines", "data", "scrapy.cfg"]\n'
            f"pytest_add_cli_args = {toml_list(PYTEST_ARGS[:-1])}\n"
            f"pytest_add_cli_args_test_selection = {toml_list(module.tests)}\n"
            "use_git_change_detection = false\n"
        )


def mutmut(tree: Path, *args: str, log: Path | None = None) -> str:
    command = ["nice", "-n", "10", str(Path(sys.executable).parent / "mutmut"), *args]
    if log is None:
        return subprocess.run(command, cwd=tree, capture_output=True, text=True, check=True).stdout
    with open(log, "w") as output:
        subprocess.run(command, cwd=tree, stdout=output, stderr=subprocess.STDOUT, check=True)
    return ""


_SQL_STRING = re.compile(r"'[^']*'")


def sql_case_only(diff: str) -> str | None:
    """Why a mutant is equivalent when all it changes is the case of SQL text run by the database."""
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    same_words = removed != added and [line.casefold() for line in removed] == [
        line.casefold() for line in added
    ]
    # A quoted SQL string ('probe-failed') is data: SQLite compares it case by case.
    same_strings = [_SQL_STRING.findall(line) for line in removed] == [
        _SQL_STRING.findall(line) for line in added
    ]
    if (
        same_words
        and same_strings
        and all(("db.execute(" in line or "db.query(" in line) for line in removed)
    ):
        return SQL_CASE
    return None


def mutated_line(diff: str) -> str:
    added = [
        line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(added) or "(lines removed)"


@dataclass
class Score:
    name: str
    mutants: int
    killed: int
    equivalent: list[tuple[str, str, str]]
    survivors: list[tuple[str, str, str]]
    """(mutant, status, diff)"""

    @property
    def score(self) -> float:
        counted = self.mutants - len(self.equivalent)
        return self.killed / counted if counted else 1.0

    def line(self) -> str:
        return (
            f"{self.name}: {self.mutants} mutants, {self.killed} killed, {len(self.equivalent)} equivalent, "
            f"{len(self.survivors)} survived: {self.score:.1%} of non-equivalent killed"
        )


def run_mutmut(name: str, module: Module, work: Path, max_children: int, report_only: bool = False) -> Score:
    tree = work / name
    if not report_only:
        scratch_copy(tree)
        configure(tree, module)
        mutmut(tree, "run", "--max-children", str(max_children), *module.mutants, log=work / f"{name}.log")
    statuses = {}
    for line in mutmut(tree, "results", "--all", "true").splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if mutant and (not module.mutants or any(fnmatch.fnmatchcase(mutant, p) for p in module.mutants)):
            statuses[mutant] = status
    killed = sum(1 for status in statuses.values() if status in ("killed", "timeout"))
    equivalent, survivors = [], []
    for mutant, status in sorted(statuses.items()):
        if status in ("killed", "timeout"):
            continue
        diff = mutmut(tree, "show", mutant)
        path = next(f for f in module.files if _module_name(f) == mutant.split(".x", 1)[0])
        why = EQUIVALENT.get((path, mutated_line(diff))) or sql_case_only(diff)
        (equivalent if why else survivors).append((mutant, why or status, diff))
    return Score(name, len(statuses), killed, equivalent, survivors)


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def settings_mutants(source: str) -> list[tuple[str, str]]:
    """(what was changed, the mutated settings.py) for each politeness constant and loopback override."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def span(node) -> tuple[int, int]:
        return offsets[node.lineno - 1] + node.col_offset, offsets[node.end_lineno - 1] + node.end_col_offset

    def replaced(node, text: str) -> str:
        start, end = span(node)
        return source[:start] + text + source[end:]

    def changed_values(name: str, node) -> list[tuple[str, str]]:
        if not isinstance(node, ast.Constant) or not isinstance(node.value, bool | int | float):
            return []
        value = node.value
        if isinstance(value, bool):
            return [(f"{name} = {not value}", replaced(node, repr(not value)))]
        others = {value + 1, value * 2, 0} - {value}
        return [(f"{name} = {other!r}", replaced(node, repr(other))) for other in sorted(others)]

    found = []
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        name = getattr(statement.targets[0], "id", None)
        if name not in SETTINGS_POLITENESS:
            continue
        if isinstance(statement.value, ast.Dict):
            for key, value in zip(statement.value.keys, statement.value.values, strict=True):
                entry = f"{name}[{key.value!r}]"
                start, _ = span(key)
                _, end = span(value)
                dropped = source[:start] + source[end:].removeprefix(",")
                found.append((f"{entry} dropped", dropped))
                found += changed_values(entry, value)
        else:
            found += changed_values(name, statement.value)
    return found


def run_settings(work: Path, tests: tuple[str, ...]) -> Score:
    tree = scratch_copy(work / "settings")
    settings = tree / "harvester" / "settings.py"
    original = settings.read_text(encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(tree)}
    command = ["nice", "-n", "10", sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests]

    def passes() -> bool:
        return subprocess.run(command, cwd=tree, env=env, capture_output=True).returncode == 0

    if not passes():
        raise SystemExit("the politeness tests fail on the unmutated settings: fix them first")
    killed, survivors = 0, []
    mutants = settings_mutants(original)
    for what, source in mutants:
        settings.write_text(source, encoding="utf-8")
        if passes():
            survivors.append((what, "survived", ""))
        else:
            killed += 1
    settings.write_text(original, encoding="utf-8")
    return Score("politeness (settings.py constants)", len(mutants), killed, [], survivors)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "modules", nargs="*", metavar="MODULE", help=f"any of {', '.join(MODULES)} (default: all)"
    )
    parser.add_argument("--work", type=Path, help="scratch folder to keep (default: a temporary one)")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="score the results already in --work, without running mutmut",
    )
    parser.add_argument(
        "--mutants",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only the mutants whose mutmut name matches, e.g. 'harvester.pages.statistics.*' (repeatable)",
    )
    options = parser.parse_args()
    unknown = set(options.modules) - set(MODULES)
    if unknown:
        parser.error(f"no module {', '.join(sorted(unknown))}: choose from {', '.join(MODULES)}")
    if shutil.which("mutmut", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit(f"needs mutmut: {Path(sys.executable).parent}/pip install mutmut==3.8.1")
    work = options.work or Path(tempfile.mkdtemp(prefix="lgsco-mutation-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"bench/mutation.py · scratch {work} · load average {os.getloadavg()[0]:.2f}", flush=True)
    scores = []
    for name in options.modules or list(MODULES):
        module = MODULES[name]
        if options.mutants:
            module = dataclasses.replace(module, mutants=tuple(options.mutants))
        scores.append(run_mutmut(name, module, work, options.max_children, options.report_only))
        print(scores[-1].line(), flush=True)
        if name == "politeness" and not options.report_only:
            scores.append(run_settings(work, ("tests/test_politeness.py",)))
            print(scores[-1].line(), flush=True)
    for score in scores:
        for mutant, why, _ in score.equivalent:
            print(f"\n{mutant}: equivalent: {why}")
        for mutant, status, diff in score.survivors:
            print(f"\n{mutant}: {status}\n{_diff_body(diff)}")
    return 0 if all(score.score >= TARGET for score in scores) else 1


def _diff_body(diff: str) -> str:
    return "\n".join(
        line
        for line in diff.splitlines()
        if re.match(r"^[-+@ ]", line) and not line.startswith(("---", "+++"))
    )


if __name__ == "__main__":
    sys.exit(main())
