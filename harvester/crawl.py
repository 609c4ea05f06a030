"""Running a crawl and judging it: the part of `harvester crawl` that is not argument parsing."""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from harvester import __version__, items, store
from harvester import settings as harvester_settings
from harvester.pagecache import parsed_pages
from harvester.progress import use_log_format
from harvester.report import real_site_pace
from harvester.spiders.performance import PerformanceSpider


@dataclass
class CrawlOutcome:
    run_id: int
    status: str
    summary_lines: list[str]

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "ok" else 1


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def crawl_settings(
    base_url: str, db_path: Path, overrides: dict, authorities: tuple[str, ...] = ()
) -> Settings:
    settings = Settings()
    settings.setmodule(harvester_settings, priority="project")
    set_run_settings(settings, base_url, db_path, overrides, authorities)
    return settings


def set_run_settings(
    settings: Settings, base_url: str, db_path: Path, overrides: dict, authorities: tuple[str, ...] = ()
) -> None:
    """What one run needs, on settings that hold the project's: `scrapy crawl` has its own."""
    if is_loopback(base_url):
        # Above the project's settings (Scrapy merges them into a crawler again at their own priority),
        # below the command line's (--concurrency, -s).
        settings.update(harvester_settings.LOOPBACK_OVERRIDES, priority="spider")
    settings.set("HARVESTER_DB", str(db_path), priority="cmdline")
    settings.set("HARVESTER_BASE_URL", base_url, priority="cmdline")
    settings.set("HARVESTER_AUTHORITIES", list(authorities), priority="cmdline")
    settings.set("HTTPCACHE_DIR", str(Path(db_path).resolve().parent / "httpcache"), priority="cmdline")
    settings.update(overrides, priority="cmdline")


class CrawlRefused(Exception):
    """The crawl can't start: another is running on the database, or there is nothing to resume."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


@contextmanager
def crawl_lock(db_path: Path) -> Iterator[None]:
    """One crawl per database file, however it is named: an exclusive lock the kernel releases however
    the process ends. The lock file (beside the file a symlink or `..` resolves to) names the crawl
    holding it; a lock on the database file itself covers its hard links too. Both are flock() locks,
    which SQLite's own (POSIX) locks never meet."""
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.touch()  # an empty file is an empty SQLite database
    with open(f"{db_path}.lock", "a+") as lock, open(db_path, "rb") as database:
        for held in (lock, database):
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() if held is lock else ""
                raise CrawlRefused(
                    f"another crawl (pid {holder or 'unknown'}) is writing {db_path}"
                    f"{'' if held is lock else ' under another name'}; wait for it, or stop it first",
                    3,
                ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield


@dataclass
class CrawlPlan:
    """What a crawl starts from, read off the database under its lock."""

    base_url: str
    authorities: tuple[str, ...]
    overrides: dict
    letters_read: frozenset[str]
    """PDF URLs already read, not fetched again."""
    decisions_read: dict[str, frozenset[str]]
    """Case reference -> the URLs it was read from (store.decisions_read): a published decision never changes."""
    decision_search_starts: dict[str, str] = field(default_factory=dict)
    """slug -> the day its decision search starts from, once its back-fill has completed."""
    lists_fresh: frozenset[str] = frozenset()
    """Pages read in full within HARVESTER_LIST_MAX_AGE_DAYS: the lists a statistics page exactly as last saved
    links are not requested again while they are here (see fresh_pages)."""
    pages_saved: dict[str, str] = field(default_factory=dict)
    """url -> SHA-256 of the body last saved from it: a statistics page that comes back the same (a 304, or a
    200 from a server that sends no validators) is unchanged."""
    oversized_pages: dict[str, int] = field(default_factory=dict)
    """url -> size of each decision page too big when last asked for (store.oversized_pages); none with --full."""


def plan_crawl(
    db_path: Path,
    base_url: str,
    authorities: tuple[str, ...] = (),
    overrides: dict | None = None,
    *,
    refresh_letters: bool = False,
    resume: bool = False,
    full: bool = False,
) -> CrawlPlan:
    """Settle a run before it starts (call it holding `crawl_lock`): resume the unfinished run or mark it
    abandoned, and list the letters already read. Shared by `harvester crawl` and `scrapy crawl`."""
    overrides = dict(overrides or {})
    db = store.open_db(db_path)
    unfinished = store.resumable_run(db)
    options = run_options(overrides, refresh_letters, full)
    if resume:
        if unfinished is None:
            db.close()
            raise CrawlRefused(f"nothing to resume in {db_path}: its last run finished", 2)
        base_url = unfinished["base_url"]
        scope = tuple(json.loads(unfinished["scope"])) if unfinished["scope"] != "all" else ()
        stored = json.loads(unfinished["options"]) if unfinished["options"] else {}
        contradicting = (
            [f"--authority {' '.join(authorities)}"] if authorities and set(authorities) != set(scope) else []
        )
        contradicting += [
            option for option, value in options.items() if value and value != stored.get(option, value)
        ]
        if contradicting:
            db.close()
            raise CrawlRefused(
                f"--resume continues run {unfinished['id']} with the options it was started with "
                f"({describe_options(stored, scope)}); {', '.join(contradicting)} contradict them: resume "
                "without them, or start a new run without --resume",
                2,
            )
        authorities = scope
        options = stored or options
        overrides |= option_settings(options) | {"HARVESTER_RESUME_RUN": unfinished["id"]}
        refresh_letters, full = options.get("--refresh-letters", refresh_letters), options.get("--full", full)
    elif unfinished is not None:
        store.abandon_run(db, unfinished["id"])
    overrides["HARVESTER_RUN_OPTIONS"] = json.dumps(options)
    if full:
        overrides["HARVESTER_CONDITIONAL_REQUESTS"] = False
    letters_read = frozenset() if (refresh_letters or full) else store.letters_read(db)
    decisions_read = {} if full else store.decisions_read(db)
    oversized = {} if full else store.oversized_pages(db)
    since = overrides.get("HARVESTER_DECISIONS_SINCE")
    search_starts = store.decision_search_starts(db, since) if since and not full else {}
    max_age = overrides.get("HARVESTER_LIST_MAX_AGE_DAYS", harvester_settings.HARVESTER_LIST_MAX_AGE_DAYS)
    # Letters asked for again are reached through their list, so every list is read then.
    lists_fresh = frozenset() if (refresh_letters or full) else fresh_pages(db, float(max_age))
    db.close()
    pages_saved = {url: page.sha256 for url, page in parsed_pages(db_path).items()} if lists_fresh else {}
    return CrawlPlan(
        base_url, tuple(authorities), overrides, letters_read, decisions_read, search_starts, lists_fresh,
        pages_saved, oversized,
    )  # fmt: skip


OPTION_SETTINGS = {
    "--decisions-since": "HARVESTER_DECISIONS_SINCE",
    "--max-requests": "HARVESTER_DECISION_BUDGET",
    "--list-max-age": "HARVESTER_LIST_MAX_AGE_DAYS",
}
"""The options that shape what a run stores, with the settings they give: a run records them (crawl_runs.options),
and `--resume` restores them, so a resumed run stores what the uninterrupted one would have."""


def run_options(overrides: dict, refresh_letters: bool, full: bool) -> dict:
    """The run's options that shape what it stores, by their command-line names; None or False when not given."""
    return {option: overrides.get(setting) for option, setting in OPTION_SETTINGS.items()} | {
        "--no-robots": overrides.get("ROBOTSTXT_OBEY") is False,
        "--refresh-letters": refresh_letters,
        "--full": full,
    }


def option_settings(options: dict) -> dict:
    """The settings run_options() came from (--refresh-letters and --full are plan_crawl's own arguments)."""
    settings = {
        OPTION_SETTINGS[option]: value for option, value in options.items() if option in OPTION_SETTINGS
    }
    settings = {setting: value for setting, value in settings.items() if value is not None}
    return settings | ({"ROBOTSTXT_OBEY": False} if options.get("--no-robots") else {})


def describe_options(options: dict, authorities: tuple[str, ...]) -> str:
    given = [f"--authority {slug}" for slug in authorities]
    given += [option if value is True else f"{option} {value}" for option, value in options.items() if value]
    return " ".join(given) or "no options"


def fresh_pages(db, max_age_days: float) -> frozenset[str]:
    """Pages last read in full (store.pages_revalidated) less than `max_age_days` ago, by store.now()'s clock."""
    cutoff = dt.datetime.fromisoformat(store.now()) - dt.timedelta(days=max_age_days)
    return frozenset(
        url for url, at in store.pages_revalidated(db).items() if dt.datetime.fromisoformat(at) > cutoff
    )


def run_crawl(
    base_url: str,
    db_path: Path,
    authorities: tuple[str, ...] = (),
    overrides: dict | None = None,
    *,
    refresh_letters: bool = False,
    resume: bool = False,
    full: bool = False,
    probe: bool | None = None,
) -> CrawlOutcome:
    """Crawl `base_url` into `db_path` and return the run's verdict (Scrapy's own exit status says nothing).

    `resume` continues the last run if it was killed or interrupted, under the same run id, so the
    database ends as an uninterrupted run would have left it. `full` refetches every page and letter
    instead of asking the server whether they changed. `probe` (default: on a remote site, not on
    127.0.0.1) runs `harvester check-site`'s probe first and stops the crawl before it writes anything
    if the site's layout changed."""
    with crawl_lock(db_path):
        # None: nothing to resume, which plan_crawl refuses.
        site = resumed_base_url(db_path) if resume else base_url
        if site is not None and (probe if probe is not None else not is_loopback(site)):
            stopped = probe_first(site, db_path, authorities, overrides or {})
            if stopped is not None:
                return stopped
        plan = plan_crawl(
            db_path,
            base_url,
            authorities,
            overrides,
            refresh_letters=refresh_letters,
            resume=resume,
            full=full,
        )
        settings = crawl_settings(plan.base_url, db_path, plan.overrides, plan.authorities)
        use_log_format(settings)
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(PerformanceSpider)
        process.crawl(
            crawler,
            base_url=plan.base_url,
            authorities=plan.authorities,
            letters_read=plan.letters_read,
            decisions_read=plan.decisions_read,
            decision_search_starts=plan.decision_search_starts,
            lists_fresh=plan.lists_fresh,
            pages_saved=plan.pages_saved,
            oversized_pages=plan.oversized_pages,
        )
        process.start()
    return judge_crawl(crawler, db_path)


def resumed_base_url(db_path: Path) -> str | None:
    """The site of the run --resume would continue, read without writing (None: nothing to resume; plan_crawl
    says so)."""
    try:
        with closing(sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)) as conn:
            unfinished = store.resumable_run(sqlite_utils.Database(conn))
    except sqlite3.OperationalError:  # an empty file: no runs table yet
        return None
    return unfinished["base_url"] if unfinished else None


def probe_first(
    base_url: str, db_path: Path, authorities: tuple[str, ...], overrides: dict
) -> CrawlOutcome | None:
    """Probe the site (harvester.probe) before anything is crawled: None when it reads as the parsers expect,
    else the outcome of a run recorded 'probe-failed' with the probe's findings as its errors."""
    from harvester.probe import SiteUnreachable, probe_site

    try:
        found = probe_site(base_url, db_path=db_path, obey_robots=overrides.get("ROBOTSTXT_OBEY", True))
    except SiteUnreachable as error:
        index = f"{base_url}/your-councils-performance"
        problem, errors = f"probe: {error}", [items.CrawlError(index, None, "index", "probe", str(error))]
    else:
        if found.exit_code == 0:
            return None
        problem = f"probe: {found.summary()}"
        errors = [
            items.CrawlError(
                f.url, None, f.page, "probe", f"{f.anchor} {f.state}" + (f": {f.detail}" if f.detail else "")
            )
            for f in found.changed
        ]
    db = store.open_db(db_path)
    scope = json.dumps(sorted(authorities)) if authorities else "all"
    run_id = store.record_probe_failure(db, base_url, __version__, scope, problem, errors)
    return describe_run(db, run_id)


def judge_crawl(crawler, db_path: Path) -> CrawlOutcome:
    """The verdict the store recorded for the crawler's run."""
    run_id = crawler.stats.get_value("harvester/run_id")
    if run_id is None:
        return CrawlOutcome(0, "failed", ["the crawl did not start: see the log above"])
    finish_error = crawler.stats.get_value("harvester/finish_error")
    try:
        outcome = describe_run(store.open_db(db_path), run_id)
    except Exception as error:  # noqa: BLE001 - a database that can't be read still gets a verdict
        outcome = CrawlOutcome(run_id, "failed", [f"run {run_id} failed: its record can't be read: {error}"])
    if finish_error:
        outcome.status = "failed"
        outcome.summary_lines.insert(1, f"  problem: {finish_error}")
    return outcome


def authorities_in_words(run: dict) -> str:
    """'1 authority', '40 authorities'; for a run asked for some councils that saved more, where the rest
    came from: the predecessors linked from their merger boxes, which the crawl follows."""
    saved = run["authorities"]
    words = f"{saved} authorit{'y' if saved == 1 else 'ies'}"
    asked = len(json.loads(run["scope"])) if run["scope"] != "all" else saved
    if saved > asked:
        words += f" ({asked} asked for, {saved - asked} predecessors linked from their merger boxes)"
    return words


def describe_run(db, run_id: int) -> CrawlOutcome:
    """The run's verdict and summary as its row and its errors record them. Errors a resumed run
    superseded (it fetched those pages again) are not listed: only what the finished run still has wrong."""
    run = db["crawl_runs"].get(run_id)
    summary = json.loads(run["summary"] or "{}")
    status = run["status"]
    if status == "running":
        # Only a process that died in the middle leaves 'running'; this one returned, so it failed to finish.
        status = "failed"
        summary.setdefault("problems", []).append("the run ended without recording its end: see the log")
    if run["authorities"] is None:
        counts = "counts not recorded"
    else:
        counts = (
            f"{authorities_in_words(run)}, {run['requests']} requests ({run['pages_unchanged']} unchanged, "
            f"{summary.get('lists_left_as_stored', 0)} lists left as stored; "
            f"{real_site_pace(run['requests'])} at the real site's pace), "
            f"{run['errors']} errors, rows {run['rows_new']} new / {run['rows_changed']} changed / "
            f"{run['rows_gone']} gone"
        )
    lines = [f"run {run_id} {status}: {counts} ({run['started_at']} to {run['finished_at'] or 'unfinished'})"]
    lines += [f"  problem: {problem}" for problem in summary.get("problems", [])]
    if status == "interrupted" and run["authorities"] is not None:
        found = max(summary.get("authorities_found", 0), run["authorities"])
        under_way = len(summary.get("authorities_under_way", []))
        lines.append(
            f"  stopped with {run['authorities']} saved and {found - run['authorities']} of the {found}"
            f" authorities found so far left ({under_way} under way, the rest not started)"
        )
    failed = db.query(
        "SELECT page, kind, url, message FROM crawl_errors WHERE run_id = ? AND kind != 'missing' "
        "AND NOT superseded ORDER BY id LIMIT 20",
        [run_id],
    )
    lines += [f"  {e['kind']} {e['page']}: {e['url']} ({e['message'][:200]})" for e in failed]
    if summary.get("data_files_read"):
        lines.append(f"  annual data files: {summary['data_files_read']} read, "
                     f"{len(summary.get('data_file_warnings', []))} warnings (crawl_runs.summary)")  # fmt: skip
    unmatched = summary.get("data_file_unmatched_names", [])
    if unmatched:
        lines.append(f"  annual data files: {len(unmatched)} name(s) matched no council, stored without a slug: "
                     + "; ".join(unmatched[:10]) + (" …" if len(unmatched) > 10 else ""))  # fmt: skip
    missing = summary.get("missing", [])
    if missing:
        lines.append(f"  {len(missing)} page(s) missing (404), e.g. {missing[0]}")
    return CrawlOutcome(run_id, status, lines)
