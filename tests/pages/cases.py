"""Saved page cases: one folder per case under tests/pages/{parser}/{case}/ holding page.html, url.txt,
expected.json (the parser's output as JSON, or {"error": ..., "message_contains": ...}) and made.txt (how
the expected values were made)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harvester.pages.decisions import parse_decision_listing, parse_decision_page
from harvester.pages.improvements import parse_improvements_page
from harvester.pages.index import parse_index
from harvester.pages.letters_list import parse_letters_list
from harvester.pages.reports_list import parse_reports_list
from harvester.pages.statistics import parse_statistics_page

CASES_DIR = Path(__file__).parent
HOW_MADE = ("typed", "hand-built", "captured")
"""How a case's expected.json was made, the first word of its made.txt (README "How each case was made")."""
CAPTURED = "captured"
READ = "read"
"""The line a captured case needs before it counts: a person read every value against the page."""
PARSERS: dict[str, Callable[[str, str], Any]] = {
    "index": parse_index,
    "statistics": parse_statistics_page,
    "letters_list": parse_letters_list,
    "reports_list": parse_reports_list,
    "improvements": parse_improvements_page,
    "decision_listing": parse_decision_listing,
    "decision": parse_decision_page,
}


def case_dirs() -> list[Path]:
    return sorted(path.parent for path in CASES_DIR.glob("*/*/page.html"))


def read_case(case_dir: Path) -> tuple[str, str, str]:
    """(parser name, html, url) of a saved case."""
    html = (case_dir / "page.html").read_text(encoding="utf-8")
    url = (case_dir / "url.txt").read_text(encoding="utf-8").strip()
    return case_dir.parent.name, html, url


def as_json_data(result: Any) -> Any:
    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    if isinstance(result, list):
        return [as_json_data(item) for item in result]
    return result


def dump_expected(case_dir: Path, result: Any) -> None:
    text = json.dumps(as_json_data(result), indent=2, ensure_ascii=False)
    (case_dir / "expected.json").write_text(text + "\n", encoding="utf-8")
