"""Nightly operation against the replica: a new year published, a crawl killed and resumed, a reader
watching while a crawl writes, two crawls on one database."""

import asyncio
import collections
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, quote, unquote_plus, urlsplit

import pytest

from harvester.replica.faults import FaultPlan
from harvester.replica.truth import ground_truth
from harvester.report import real_site_pace
from harvester.serve import DATABASE_NAME, datasette_for
from tests.test_scrapy_commands import scrapy

pytestmark = pytest.mark.slow

SUBSET = (
    "luton-borough-council", "kent-county-council", "birmingham-city-council", "North-Northamptonshire-Council",
    "westmorland-and-furness-council", "northampton-borough-council", "allerdale-borough-council",
    "council-of-the-isles-of-scilly", "leeds-city-council", "poole-borough-council",
)  # fmt: skip
DATA_TABLES = (
    "authorities", "annual_statistics", "reports", "service_improvements", "improvement_actions", "letters",
    "letter_complaints_received", "letter_decisions", "changes",
)  # fmt: skip


def harvester(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "harvester.cli", *args], capture_output=True, text=True, timeout=600, **kwargs
    )


def crawl_args(base_url, db, *extra):
    args = ["crawl", "--base-url", base_url, "--db", str(db), *extra]
    for slug in SUBSET:
        args += ["--authority", slug]
    return args


def keyed_truth(server, tables=("annual_statistics", "letters", "reports", "service_improvements")):
    truth = ground_truth(server.site, server.epoch, server.base_url)
    keys = {
        "annual_statistics": ("authority_slug", "year", "source"),
        "letters": ("authority_slug", "year"),
        "reports": ("authority_slug", "url"),
        "service_improvements": ("authority_slug", "case_ref"),
    }
    crawled = {row["slug"] for row in truth["authorities"]}
    return {
        table: {
            "/".join(row[k] for k in keys[table]): row
            for row in truth[table]
            if row["authority_slug"] in crawled
        }
        for table in tables
    }


def test_a_new_year_published_is_recorded_exactly(replica, tmp_path):
    server = replica(epoch=2024)
    db = tmp_path / "lgsco.db"
    assert harvester(*crawl_args(server.base_url, db)).returncode == 0
    stored_slugs = {row[0] for row in sqlite3.connect(db).execute("SELECT slug FROM authorities")}
    before = keyed_truth(server)
    server.set_epoch(2025)
    result = harvester(*crawl_args(server.base_url, db))
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    after = keyed_truth(server)

    conn = sqlite3.connect(db)
    recorded = {}
    for table, key, change, column, old, new in conn.execute(
        "SELECT table_name, row_key, change, column_name, old_value, new_value FROM changes WHERE run_id = 2"
    ):
        recorded.setdefault(table, set()).add((key, change, column, old, new))

    for table in before:
        old_rows = {k: v for k, v in before[table].items() if v["authority_slug"] in stored_slugs}
        new_rows = {k: v for k, v in after[table].items() if v["authority_slug"] in stored_slugs}
        expected = {(key, "new", None, None, None) for key in new_rows.keys() - old_rows.keys()}
        if table != "annual_statistics":  # statistics rows stay: an older year is not "gone"
            expected |= {(key, "gone", None, None, None) for key in old_rows.keys() - new_rows.keys()}
        for key in old_rows.keys() & new_rows.keys():
            for column, old in old_rows[key].items():
                new = new_rows[key][column]
                if old != new:
                    expected.add((key, "changed", column, shown(old), shown(new)))
        assert recorded.get(table, set()) == expected, table

    new_letters = {key for key, change, *_ in recorded["letters"] if change == "new"}
    assert new_letters and all(key.endswith("/2024-25") for key in new_letters)
    kept = conn.execute(
        "SELECT count(*) FROM annual_statistics WHERE year = '2023-24' AND source = 'page'"
    ).fetchone()[0]
    assert kept > 0  # last year's page figures are kept beside the new year's

    words = harvester("changes", "--db", str(db)).stdout
    assert "Luton Borough Council: 2024-25 figures published (statistics page)" in words
    assert "Luton Borough Council: new annual letter 2024-25" in words


def shown(value):
    if value is None:
        return None
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def test_an_unchanged_site_gets_304s_and_no_changes(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    assert harvester(*crawl_args(server.base_url, db)).returncode == 0
    second = harvester(*crawl_args(server.base_url, db))
    assert second.returncode == 0
    run = dict(
        zip(
            ("requests", "pages_unchanged", "rows_new", "rows_changed", "rows_gone"),
            sqlite3.connect(db)
            .execute(
                "SELECT requests, pages_unchanged, rows_new, rows_changed, rows_gone FROM crawl_runs WHERE id = 2"
            )
            .fetchone(),
            strict=True,
        )
    )
    assert run["rows_new"] == run["rows_changed"] == run["rows_gone"] == 0
    assert run["pages_unchanged"] == run["requests"]  # robots.txt included
    assert not [path for method, path, _ in server.requests[-run["requests"] :] if path.endswith(".pdf")]
    assert harvester("changes", "--db", str(db)).stdout.strip() == "No changes"
    listed = harvester("runs", "--db", str(db)).stdout.splitlines()
    assert listed[0].split()[:4] == ["id", "started_at", "finished_at", "status"]
    assert [line.split()[0] for line in listed[1:]] == ["2", "1"]
    assert all(line.split()[3] == "ok" for line in listed[1:])


def clean_crawl(server, tmp_path):
    db = tmp_path / "clean" / "lgsco.db"
    assert harvester(*crawl_args(server.base_url, db)).returncode == 0
    return db


def table_rows(db, table):
    conn = sqlite3.connect(db)
    rows = conn.execute(f"SELECT * FROM [{table}] ORDER BY 1, 2, 3").fetchall()
    columns = [d[0] for d in conn.execute(f"SELECT * FROM [{table}] LIMIT 0").description]
    if table == "changes":
        return sorted(tuple(r[1:]) for r in rows)  # ids depend on write order, the facts do not
    return [tuple(v for c, v in zip(columns, r, strict=True) if c != "fetched_at") for r in rows]


@pytest.mark.parametrize("kill_after", [1, 5])
def test_a_killed_crawl_resumes_to_the_same_database(replica, tmp_path, kill_after):
    server = replica()
    expected = clean_crawl(server, tmp_path)
    db = tmp_path / "killed" / "lgsco.db"
    db.parent.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "harvester.cli", *crawl_args(server.base_url, db)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            done = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("SELECT count(*) FROM authorities")
            if done.fetchone()[0] >= kill_after:
                break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    resumed = harvester("crawl", "--db", str(db), "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-2000:]
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for table in DATA_TABLES:
        assert table_rows(db, table) == table_rows(expected, table), table
    counts = "SELECT status, rows_new, rows_changed, rows_gone FROM crawl_runs"
    assert (
        sqlite3.connect(db).execute(counts).fetchall() == sqlite3.connect(expected).execute(counts).fetchall()
    )


def test_two_crawls_cannot_share_a_database(replica, tmp_path):
    server = replica(faults=["hang@1"], hang_seconds=3)
    db = tmp_path / "lgsco.db"
    first = subprocess.Popen([sys.executable, "-m", "harvester.cli", *crawl_args(server.base_url, db)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "lgsco.db.lock").exists() or not (tmp_path / "lgsco.db.lock").read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = harvester(*crawl_args(server.base_url, db))
        assert second.returncode == 3
        assert f"another crawl (pid {first.pid}) is writing" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_a_datasette_reader_never_sees_a_half_written_authority(replica, tmp_path):
    server = replica()
    truth = keyed_truth(server)
    letters_per_authority = {}
    for row in truth["letters"].values():
        letters_per_authority[row["authority_slug"]] = letters_per_authority.get(row["authority_slug"], 0) + 1
    db = tmp_path / "lgsco.db"
    snapshot_sql = (
        "select a.slug, (select count(*) from letters l where l.authority_slug = a.slug) as letters, "
        "(select count(*) from annual_statistics s where s.authority_slug = a.slug and source = 'page') as pages "
        "from authorities a"
    )
    seen, problems, stop = [], [], threading.Event()

    async def poll():
        deadline = time.monotonic() + 60
        while not db.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        datasette = datasette_for(db)
        while not stop.is_set() and time.monotonic() < deadline:
            response = await datasette.client.get(
                f"/{DATABASE_NAME}.json?sql={quote(snapshot_sql)}&_shape=array"
            )
            if response.status_code != 200:
                if "no such table" not in response.text:
                    problems.append(response.text[:300])
                continue
            rows = response.json()
            seen.append(len(rows))
            problems.extend(
                row
                for row in rows
                if row["letters"] != letters_per_authority.get(row["slug"], 0) or row["pages"] != 1
            )
            await asyncio.sleep(0.01)

    reader = threading.Thread(target=asyncio.run, args=(poll(),))
    reader.start()
    try:
        assert harvester(*crawl_args(server.base_url, db)).returncode == 0
    finally:
        stop.set()
        reader.join(timeout=60)
    assert not problems
    assert len(set(seen)) > 2  # the reader really watched the authorities arrive


def test_cron_output_is_a_line_a_minute_and_json_when_asked(replica, tmp_path):
    server = replica()
    result = harvester(
        *crawl_args(server.base_url, tmp_path / "db", "--log-format", "json", "--progress-seconds", "0.2")
    )
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    progress = [line for line in lines if line.get("event") == "progress"]
    assert len(progress) >= 2
    assert progress[-1]["authorities_done"] == progress[-1]["authorities_found"] == 19


# --- Requests per night: lists of an unchanged statistics page are left as stored for a bounded time ---

NIGHTLY = ("luton-borough-council", "kent-county-council", "North-Northamptonshire-Council")
"""Authorities with every list (letters, reports, a paged improvements list, decision listings) and, through
North Northamptonshire's merger box, abolished predecessors."""
LIST_KINDS = ("annualletters", "reports", "serviceimprovements", "listing")


def page_kind(path):
    """What a request asked the replica for, by the site's URL shapes."""
    segments = [s for s in urlsplit(path).path.lower().split("/") if s]
    if segments == ["robots.txt"]:
        return "robots"
    if segments[0] == "your-councils-performance":
        return segments[-1] if len(segments) == 3 else "index"
    if segments[:2] == ["assets", "attach"]:
        return "pdf"
    if segments[0] == "decisions":
        return "listing" if segments[-1] == "listing" else "decision"
    return "other"


def nightly_crawl(server, db, *extra, days_later=0, expect=0):
    """A crawl of NIGHTLY, `days_later` by the harvester's clock; its requests as the replica logged them."""
    env = dict(os.environ)
    if days_later:
        env["HARVESTER_NOW"] = (dt.datetime.now(dt.UTC) + dt.timedelta(days=days_later)).isoformat()
    before = len(server.requests)
    args = ["crawl", "--base-url", server.base_url, "--db", str(db), *extra]
    for slug in NIGHTLY:
        args += ["--authority", slug]
    result = harvester(*args, env=env)
    assert result.returncode == expect, result.stdout + result.stderr[-2000:]
    return result, server.requests[before:]


def kinds(requests):
    return collections.Counter(page_kind(path) for _, path, _ in requests)


def first_pages(requests):
    """Requests for the first page of a list (the URL the statistics page links, without a pager's page=)."""
    return [
        path
        for _, path, _ in requests
        if page_kind(path) in LIST_KINDS and "page=" not in urlsplit(path).query
    ]


def run_row(db, run_id):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return dict(conn.execute("SELECT * FROM crawl_runs WHERE id = ?", [run_id]).fetchone())


def stored(db):
    return {table: table_rows(db, table) for table in (*DATA_TABLES, "decisions", "decision_listings")}


def test_an_unchanged_rerun_asks_only_for_robots_and_statistics_pages(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    _, first = nightly_crawl(server, db)
    authorities = sqlite3.connect(db).execute("SELECT count(*) FROM authorities").fetchone()[0]
    assert {"annualletters", "reports", "serviceimprovements", "listing", "pdf"} <= kinds(first).keys()
    before = stored(db)

    result, rerun = nightly_crawl(server, db)
    assert kinds(rerun) == {"robots": 1, "statistics": authorities}
    assert {status for *_, status in rerun} == {304}
    assert stored(db) == before  # every list left as stored: no row rewritten, none marked gone
    run = run_row(db, 2)
    assert (run["status"], run["rows_new"], run["rows_changed"], run["rows_gone"]) == ("ok", 0, 0, 0)
    assert json.loads(run["summary"])["lists_left_as_stored"] == len(first_pages(first))
    assert f"{len(rerun)} requests ({len(rerun)} unchanged, {len(first_pages(first))} lists left as stored; " in (
        result.stdout
    )

    listed = harvester("runs", "--db", str(db)).stdout.splitlines()
    assert listed[0].split()[-2:] == ["lists_left_as_stored", "at_real_site_pace"]
    second, first_run = (" ".join(line.split()) for line in listed[1:3])
    assert second.startswith("2 ") and second.endswith(f" {len(first_pages(first))} ≈ {len(rerun)} s")
    assert first_run.startswith("1 ") and first_run.endswith(f" 0 {real_site_pace(len(first))}")
    assert real_site_pace(len(first)) == f"≈ {round(len(first) / 60)} min"  # 1 request/s at the real site


def test_lists_are_read_again_once_older_than_the_bound(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    _, first = nightly_crawl(server, db)
    lists_read = collections.Counter(page_kind(path) for path in first_pages(first))

    _, six_days = nightly_crawl(server, db, days_later=6)
    assert not first_pages(six_days)
    _, eight_days = nightly_crawl(server, db, days_later=8)
    assert collections.Counter(page_kind(path) for path in first_pages(eight_days)) == lists_read
    assert kinds(eight_days)["pdf"] == 0  # letters read before are never fetched again
    assert {status for *_, status in eight_days} == {304}
    _, nine_days = nightly_crawl(server, db, days_later=9)  # read on day 8: fresh again
    assert not first_pages(nine_days)
    _, every_list = nightly_crawl(server, db, "--list-max-age", "0", days_later=9)
    assert sorted(first_pages(every_list)) == sorted(first_pages(first))
    assert [run_row(db, run)["rows_gone"] for run in range(1, 6)] == [0] * 5


def test_a_changed_statistics_page_has_its_lists_read_again(replica, tmp_path):
    server = replica(epoch=2024)
    db = tmp_path / "lgsco.db"
    nightly_crawl(server, db)
    server.set_epoch(2025)
    _, rerun = nightly_crawl(server, db)
    slug_of_name = dict(sqlite3.connect(db).execute("SELECT lower(name), lower(slug) FROM authorities"))

    def slug(path):
        parts = urlsplit(path)
        if page_kind(path) == "listing":
            return slug_of_name[unquote_plus(parse_qs(parts.query)["aname"][0]).lower()]
        return parts.path.split("/")[2].lower()

    answered = {slug(path): status for _, path, status in rerun if page_kind(path) == "statistics"}
    changed = {s for s, status in answered.items() if status == 200}
    assert changed  # each epoch is a new template: every statistics page changed
    assert {slug(path) for path in first_pages(rerun)} == changed
    assert all(status == 304 for s, status in answered.items() if s not in changed)


def test_full_reads_every_list_and_letter_again(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    _, first = nightly_crawl(server, db)
    _, full = nightly_crawl(server, db, "--full")
    assert kinds(full) == kinds(first)
    assert run_row(db, 2)["rows_gone"] == 0


def test_a_list_that_failed_is_read_again_though_its_statistics_page_is_unchanged(replica, tmp_path):
    server = replica()
    db = tmp_path / "lgsco.db"
    _, first = nightly_crawl(server, db)
    reports_lists = sorted(path for path in first_pages(first) if page_kind(path) == "reports")
    server.faults = FaultPlan(["unreadable-reports@1"])
    _, within_bound = nightly_crawl(server, db, days_later=1)  # statistics pages 304: reports left as stored
    assert not first_pages(within_bound)
    _, stale = nightly_crawl(server, db, days_later=8, expect=1)  # read again, and the fault fails the run
    assert sorted(path for path in first_pages(stale) if page_kind(path) == "reports") == reports_lists
    server.faults = FaultPlan([])
    _, after_failure = nightly_crawl(server, db, days_later=8)  # a failed run's reads don't count
    assert sorted(path for path in first_pages(after_failure) if page_kind(path) == "reports") == reports_lists
    assert [run_row(db, run)["rows_gone"] for run in range(1, 5)] == [0] * 4


def test_a_statistics_page_sent_again_byte_for_byte_counts_as_unchanged(replica, tmp_path):
    """A server that answers every request in full (no ETag, no Last-Modified honoured): a statistics page whose
    body is the one last saved is unchanged, so its lists are left as stored all the same."""
    server = replica()
    crawl = ("crawl", "performance", "-a", f"base_url={server.base_url}", "-a", f"authorities={','.join(NIGHTLY)}",
             "-s", "HARVESTER_CONDITIONAL_REQUESTS=False")  # fmt: skip
    before = len(server.requests)
    assert scrapy(tmp_path, *crawl).returncode == 0
    first = server.requests[before:]
    middle = len(server.requests)
    second = scrapy(tmp_path, *crawl)
    assert second.returncode == 0, second.stderr[-3000:]
    rerun = server.requests[middle:]
    assert {status for *_, status in rerun} == {200}
    assert kinds(rerun) == {"robots": 1, "statistics": kinds(first)["statistics"]}
    every_list = scrapy(tmp_path, *crawl, "-s", "HARVESTER_LIST_MAX_AGE_DAYS=0")
    assert every_list.returncode == 0
    assert sorted(first_pages(server.requests[middle + len(rerun) :])) == sorted(first_pages(first))
