"""Every saved page case says how its expected values were made, and none counts on the parser's word alone."""

import pytest

from tests.pages.cases import CAPTURED, HOW_MADE, READ, case_dirs


@pytest.mark.parametrize("case_dir", case_dirs(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_each_case_says_how_its_expected_values_were_made(case_dir):
    lines = (case_dir / "made.txt").read_text(encoding="utf-8").splitlines()
    how = lines[0].split(":", 1)[0]
    assert how in HOW_MADE, lines[0]
    if how == CAPTURED:
        # the parser's own output proves nothing about the parser until a person has read it off the page
        assert any(line.startswith(f"{READ}: ") for line in lines[1:]), f"{case_dir}: captured, never read"

