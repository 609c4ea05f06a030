"""The README's commands and schema are the code's, not a copy that drifts."""

import re
from pathlib import Path

from click.testing import CliRunner

from harvester.cli import cli
from harvester.schema_docs import with_schema

README = Path(__file__).resolve().parents[1] / "README.md"


def test_schema_section_is_generated_from_the_code():
    text = README.read_text()
    assert text == with_schema(text), "run: harvester schema --readme README.md"


def test_every_harvester_command_in_the_readme_exists():
    commands = set(re.findall(r"(?:bin/|`)harvester ([\w-]+)", README.read_text()))
    assert {"crawl", "replica", "serve", "demo", "schema"} <= commands
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_every_crawl_option_in_the_readme_exists():
    crawling = README.read_text().split("## Crawling the real site")[1].split("## What the database holds")[0]
    documented = set(re.findall(r"`(--[a-z-]+)", crawling))
    help_text = CliRunner().invoke(cli, ["crawl", "--help"]).output
    assert len(documented) >= 9
    assert {option for option in documented if option not in help_text} == set()
