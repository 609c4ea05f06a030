"""`harvester changes`: one readable sentence per change, however long the values."""

from harvester.report import describe


def change(old: str, new: str) -> dict:
    return {
        "table_name": "letters",
        "row_key": "luton-borough-council/2023-24",
        "change": "changed",
        "column_name": "text",
        "old_value": old,
        "new_value": new,
    }


def test_a_short_value_is_shown_whole():
    line = describe(change("Ms A Smith", "Mr B Jones"))
    assert line.endswith("text changed from 'Ms A Smith' to 'Mr B Jones'")


def test_a_long_value_is_summarised_where_it_first_differs():
    letter = "Dear Chief Executive, " + "The Ombudsman reviewed complaints. " * 120
    changed = letter.replace("reviewed complaints. The", "reviewed complaints about you. The", 1)
    line = describe(change(letter, changed))
    assert len(line) < 300, line
    assert f"({len(letter):,} → {len(changed):,} characters)" in line
    assert "first at character 56:" in line
    assert "'…reviewed complaints. The Ombudsman reviewed complaints. The…'" in line
    assert "→ '…reviewed complaints about you. The Ombudsman reviewed compl…'" in line
