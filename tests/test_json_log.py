"""`--log-format json`: every line a crawl writes to stderr is one JSON object, Scrapy's own included."""

import json
import logging
import os
import subprocess
import sys
import warnings

import pytest
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from harvester.progress import JsonFormatter, LevelAwareLogFormatter, use_log_format


def test_python_warnings_are_logged_as_json(capsys):
    settings = Settings({"LOG_LEVEL": "WARNING", "HARVESTER_LOG_FORMAT": "json"})
    use_log_format(settings)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("a deprecated setting", DeprecationWarning, stacklevel=1)
        logging.getLogger("scrapy.core.engine").info("below the level: not written")
    finally:
        for handler in list(logging.root.handlers):
            if isinstance(handler.formatter, JsonFormatter):
                logging.root.removeHandler(handler)
        logging.captureWarnings(False)
    (line,) = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["logger"] == "py.warnings" and record["level"] == "WARNING"
    assert "DeprecationWarning: a deprecated setting" in record["message"]
    assert settings.getbool("LOG_ENABLED") is False  # Scrapy's own text handler is off


@pytest.mark.slow
def test_every_stderr_line_of_a_crawl_is_one_json_object(replica, tmp_path):
    # Retries, a 404, unreadable letters and a debug-level log: every kind of line a crawl can write.
    server = replica(faults=["http503@0.3", "corrupt-pdf@0.5"])
    result = subprocess.run(
        [
            sys.executable, "-m", "harvester.cli", "crawl", "--base-url", server.base_url,
            "--db", str(tmp_path / "lgsco.db"), "--authority", "luton-borough-council",
            "--authority", "no-such-council", "--log-format", "json", "--log-level", "DEBUG",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"PYTHONWARNINGS": "always"},
    )
    lines = result.stderr.splitlines()
    records = [json.loads(line) for line in lines]  # fails on the first line that is not JSON
    assert all(isinstance(record, dict) for record in records)
    loggers = {record.get("logger") for record in records}
    assert {"scrapy.core.engine", "scrapy.downloadermiddlewares.retry"} <= loggers
    # A slug asked for by name that the site doesn't have is an error of the run, not a quiet 404.
    assert any(r.get("level") == "ERROR" and "no-such-council" in r["message"] for r in records)
    assert any(r.get("level") == "INFO" and r["message"].startswith("Overridden settings") for r in records)
    assert any(r.get("event") == "progress" and r["authorities_done"] == 1 for r in records)
    assert "no authority 'no-such-council' on the site" in result.stdout


@pytest.mark.parametrize(("level", "logged"), [("WARNING", False), ("INFO", False), ("DEBUG", True), (10, True)])
def test_crawled_and_scraped_messages_are_made_only_when_their_level_is_logged(level, logged):
    formatter = LevelAwareLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": level}))
    request = Request("https://www.lgo.org.uk/")
    response = Response(request.url, request=request)
    assert (formatter.crawled(request, response, None) is not None) is logged
    assert (formatter.scraped({"a": 1}, response, None) is not None) is logged
