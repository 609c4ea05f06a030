"""A slug from the site is text from the site: one not of the site's slug shape (a decoded newline and a forged
log line) is a recorded error, never an authority, a key or a stored value; and no text log line holds a control
character, whatever a message quotes."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import subprocess
import sys

import pytest
from scrapy.settings import Settings

from harvester.pages.index import NotASlug, checked_slug
from harvester.progress import TextFormatter, escape_controls, use_log_format
from harvester.replica.faults import FORGED_LOG_LINE, FORGED_SLUG
from harvester.replica.server import ReplicaServer
from tests.test_crawl import LUTON


@pytest.mark.parametrize("slug", [LUTON, "North-Northamptonshire-Council", "county-durham-council-2"])
def test_the_sites_slugs_pass(slug):
    assert checked_slug(slug) == slug


@pytest.mark.parametrize(
    "slug", [FORGED_SLUG, "luton--council", "-luton", "luton council", "luton\x1b[2J", "a" * 121, ""]
)
def test_other_text_is_not_a_slug(slug):
    with pytest.raises(NotASlug):
        checked_slug(slug)


def test_control_characters_are_escaped():
    assert escape_controls("a\nb\r\tc\x1b[31m\u2028é") == "a\\nb\\r\\tc\\x1b[31m\\u2028é"


def test_a_text_log_line_never_holds_a_control_character(capsys):
    use_log_format(Settings({"LOG_LEVEL": "WARNING", "LOG_FORMAT": "%(levelname)s: %(message)s"}))
    try:
        logging.getLogger("harvester").warning("%s is not in the register", FORGED_SLUG)
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("harvester").exception("failed on\n%s", "x")
    finally:
        for handler in list(logging.root.handlers):
            if isinstance(handler.formatter, TextFormatter):
                logging.root.removeHandler(handler)
        logging.captureWarnings(False)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"WARNING: luton-borough-council\\n{FORGED_LOG_LINE} is not in the register"
    assert lines[1] == "ERROR: failed on\\nx"
    assert lines[2] == "Traceback (most recent call last):"  # the harvester's own traceback keeps its lines


@pytest.mark.slow
def test_a_forged_slug_in_the_index_is_a_recorded_error_not_an_authority(replica_site, tmp_path):
    # Luton alone on the index, so the crawl starts from it (as every nightly run does) in seconds.
    site = dataclasses.replace(
        replica_site, authorities=[a for a in replica_site.authorities if a.slug == LUTON]
    )
    db = tmp_path / "lgsco.db"
    with ReplicaServer(epoch=2025, site=site, faults=["forged-slug"]) as server:
        result = subprocess.run(
            [sys.executable, "-m", "harvester.cli", "crawl", "--base-url", server.base_url, "--db", str(db),
             "--log-level", "DEBUG"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert server.faults.faulted == [("forged-slug", "/your-councils-performance")]
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert not [line for line in result.stderr.splitlines() if line.startswith(FORGED_LOG_LINE[:19])]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT slug FROM authorities").fetchall() == [(LUTON,)]
    errors = conn.execute("SELECT page, kind, authority_slug, message FROM crawl_errors").fetchall()
    assert errors == [("index", "layout", None, f"not a slug of the site's shape (words of letters and digits "
                       f"joined by hyphens): {FORGED_SLUG!r}")]  # fmt: skip
    for table, column in (
        ("crawl_errors", "authority_slug"),
        ("fetches", "url"),
        ("changes", "authority_slug"),
    ):
        values = [value for (value,) in conn.execute(f"SELECT {column} FROM {table}") if value]
        assert not [value for value in values if escape_controls(value) != value], table


def test_a_slug_of_another_shape_on_the_command_line_is_refused(tmp_path):
    from click.testing import CliRunner

    from harvester.cli import cli

    result = CliRunner().invoke(
        cli, ["crawl", "--db", str(tmp_path / "x.db"), "--authority", "luton\nforged"]
    )
    assert result.exit_code == 2 and "is not a slug" in result.output
