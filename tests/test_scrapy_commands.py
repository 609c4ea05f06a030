"""Scrapy's own commands on the project: `scrapy crawl performance` (with feed exports) and `scrapy check`."""

import collections
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.same_data import table_rows

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TWO = ("luton-borough-council", "kent-county-council")
TABLES = (
    "authorities",
    "annual_statistics",
    "reports",
    "service_improvements",
    "letters",
    "letter_decisions",
)


def scrapy(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`scrapy ARGS` run where a user runs it: in a project folder (its scrapy.cfg), no source tree on the path."""
    if not (project / "scrapy.cfg").exists():
        shutil.copy(ROOT / "scrapy.cfg", project)
    return subprocess.run(
        [str(Path(sys.executable).parent / "scrapy"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
    )


def test_scrapy_crawl_harvests_like_harvester_crawl_and_exports_a_feed(replica, tmp_path):
    server = replica()
    result = scrapy(
        tmp_path, "crawl", "performance", "-a", f"base_url={server.base_url}",
        "-a", f"authorities={','.join(TWO)}", "-O", "items.jsonl", "-L", "INFO",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("run 1 ok: 2 authorities")
    assert "'CONCURRENT_REQUESTS': 32" in result.stderr  # loopback speed on a loopback base URL

    db = tmp_path / "data" / "lgsco.db"  # the README's database path
    conn = sqlite3.connect(db)
    assert [row[0] for row in conn.execute("SELECT slug FROM authorities ORDER BY slug")] == sorted(TWO)
    assert conn.execute("SELECT status, scope FROM crawl_runs").fetchall() == [
        ("ok", json.dumps(sorted(TWO)))
    ]
    conn.close()

    reference = tmp_path / "harvester-crawl.db"
    harvested = subprocess.run(
        [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", server.base_url, "--db", str(reference),
         *(option for slug in TWO for option in ("--authority", slug))],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert harvested.returncode == 0, harvested.stderr[-3000:]
    ours, theirs = table_rows(db), table_rows(reference)
    # crawl_runs.options records `harvester crawl`'s own options, for --resume; `scrapy crawl` has none to record.
    for rows in (ours, theirs):
        rows["crawl_runs"] = collections.Counter(
            {tuple(pair for pair in row if pair[0] != "options"): n for row, n in rows["crawl_runs"].items()}
        )
    assert sorted(ours) == sorted(theirs)
    for table in ours:
        missing, extra = theirs[table] - ours[table], ours[table] - theirs[table]
        assert not missing and not extra, (table, list(missing)[:2], list(extra)[:2])
    assert all(sum(ours[table].values()) > 0 for table in TABLES)

    feed = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text().splitlines()]
    types = {item["type"] for item in feed}
    assert {"Authority", "AnnualStatistics", "Report", "LetterLink", "LetterDocument"} <= types
    assert "AuthorityDone" not in types
    documents = [item for item in feed if item["type"] == "LetterDocument"]
    assert documents and all("content" not in item and len(item["sha256"]) == 64 for item in documents)
    statistics = [item for item in feed if item["type"] == "AnnualStatistics" and item["source"] == "page"]
    assert {item["authority_slug"] for item in statistics} == set(TWO)


def test_scrapy_crawl_exits_1_when_the_run_failed(replica, tmp_path):
    server = replica(faults=["http503:always@1"])
    result = scrapy(
        tmp_path, "crawl", "performance", "-a", f"base_url={server.base_url}",
        "-a", "authorities=luton-borough-council", "-s", f"HARVESTER_DB={tmp_path / 'failed.db'}",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    assert result.stdout.startswith("run 1 failed")
    conn = sqlite3.connect(tmp_path / "failed.db")
    assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("failed",)]
    conn.close()


def test_scrapy_crawl_logs_json_when_asked(replica, tmp_path):
    server = replica()
    result = scrapy(
        tmp_path, "crawl", "performance", "-a", f"base_url={server.base_url}",
        "-a", "authorities=luton-borough-council", "-s", "HARVESTER_LOG_FORMAT=json", "-L", "INFO",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in result.stderr.splitlines()]  # every line one JSON object
    assert any(record.get("message", "").startswith("Spider closed (finished)") for record in records)
    assert any(record.get("event") == "progress" for record in records)


def test_scrapy_crawl_refuses_a_database_another_crawl_is_writing(tmp_path):
    from harvester.crawl import crawl_lock

    with crawl_lock(tmp_path / "data" / "lgsco.db"):
        result = scrapy(tmp_path, "crawl", "performance", "-a", "base_url=http://127.0.0.1:9")
    assert result.returncode == 3
    assert "another crawl" in result.stderr


def test_scrapy_check_runs_the_callbacks_contracts(replica, tmp_path):
    server = replica()
    result = scrapy(tmp_path, "check", "-v", "-a", f"base_url={server.base_url}", "performance")
    assert result.returncode == 0, result.stderr[-3000:]
    checked = {line.split()[1] for line in result.stderr.splitlines() if line.startswith("[performance]")}
    assert checked == {
        "parse_index",
        "parse_statistics",
        "parse_letters",
        "parse_reports",
        "parse_improvements",
    }
    assert "Ran 16 contracts" in result.stderr
    assert "progress:" not in result.stderr  # a crawl's tally, with no crawl to count
    assert not (tmp_path / "data").exists()  # nothing stored, nothing cached


def test_scrapy_check_fails_when_a_page_cannot_be_read(replica, tmp_path):
    server = replica(faults=["maintenance@1"])
    result = scrapy(tmp_path, "check", "-a", f"base_url={server.base_url}", "performance")
    assert result.returncode == 1
    assert "parse_statistics (@site_page post-hook)" in result.stderr
    assert "recorded 1 error(s)" in result.stderr


def test_the_readme_shows_each_scrapy_command_tested_here():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Using Scrapy's own commands")[1].split("\n## ")[0]
    shown = set(re.findall(r"bin/scrapy (\w+)", section))
    assert shown == {"crawl", "check", "list"}
    tested = Path(__file__).read_text()
    assert all(f'"{command}"' in tested for command in shown)
    assert "-a authorities=luton-borough-council,kent-county-council" in section
    assert "-O items.jsonl" in section


def test_scrapy_list_names_the_spider(tmp_path):
    result = scrapy(tmp_path, "list")
    assert result.returncode == 0 and result.stdout.split() == ["performance"]
