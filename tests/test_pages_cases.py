"""Every saved page under tests/pages/{parser}/{case}/ parses to its expected.json."""

from __future__ import annotations

import json

import pytest

from harvester.pages.html import PageLayoutError
from tests.pages.cases import PARSERS, as_json_data, case_dirs, read_case


def _without_unset_new_fields(actual, expected):
    """Drop None-valued keys the case predates (fields later added to the items with a None default,
    such as the pipeline's `flags`), so a contract addition does not invalidate every saved case."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        return {
            key: _without_unset_new_fields(value, expected.get(key))
            for key, value in actual.items()
            if key in expected or value is not None
        }
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        return [_without_unset_new_fields(a, e) for a, e in zip(actual, expected, strict=True)]
    return actual


@pytest.mark.parametrize("case_dir", case_dirs(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_saved_page_parses_to_expected(case_dir):
    parser_name, html, url = read_case(case_dir)
    expected = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
    if isinstance(expected, dict) and expected.get("error") == "PageLayoutError":
        with pytest.raises(PageLayoutError) as raised:
            PARSERS[parser_name](html, url)
        assert expected["message_contains"] in str(raised.value)
        assert raised.value.url == url
        return
    actual = as_json_data(PARSERS[parser_name](html, url))
    assert _without_unset_new_fields(actual, expected) == expected


def test_there_are_cases_for_every_parser():
    assert {path.parent.name for path in case_dirs()} == set(PARSERS)
