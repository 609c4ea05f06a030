"""sync_rows, the one way a data row is written: what it inserts, updates, marks gone or brings back, what it logs
in `changes` (which row, about which authority, which column, from what to what) and what it counts."""

import hashlib

import pytest

from harvester import store

TABLE = "letter_complaints_received"  # a three-column key: authority, year, category


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVESTER_NOW", "2026-12-07T09:00:00")
    database = store.open_db(tmp_path / "t.db")
    run = store.start_run(database, "http://x", "t")
    database["authorities"].insert(
        {"slug": "kent", "name": "Kent", "url": "http://x/kent", "source_url": "http://x/kent",
         "first_seen_run": run, "last_changed_run": run}
    )  # fmt: skip
    yield database
    database.close()


def counts(year="2016-17", source="http://x/l.pdf", **complaints):
    return [
        {
            "authority_slug": "kent",
            "year": year,
            "category": category,
            "complaints": number,
            "source_url": source,
        }
        for category, number in complaints.items()
    ]


def sync(db, rows, run, year="2016-17", complete_list=True, **options) -> tuple[int, int, int]:
    with store.transaction(db):
        saved = store.sync_rows(db, TABLE, {"authority_slug": "kent", "year": year}, rows, run, complete_list,
                                **options)  # fmt: skip
    return saved.new, saved.changed, saved.gone


def stored(db, year="2016-17") -> dict:
    return {
        row["category"]: (row["complaints"], row["source_url"], row["first_seen_run"], row["last_changed_run"],
                          row["gone_run"])
        for row in db.query(f"SELECT * FROM {TABLE} WHERE year = ?", [year])
    }  # fmt: skip


def changes(db, run) -> list[tuple]:
    return [
        tuple(row)
        for row in db.execute(
            "SELECT table_name, row_key, authority_slug, change, column_name, old_value, new_value FROM changes "
            "WHERE run_id = ? ORDER BY id",
            [run],
        )
    ]


def test_new_changed_gone_and_back_rows_are_written_logged_and_counted(db):
    first, second, third = 1, store.start_run(db, "http://x", "t"), None
    assert sync(db, counts(Housing=12, Planning=3, Education=5), first) == (3, 0, 0)
    assert sync(db, counts(year="2017-18", Housing=1), first, year="2017-18") == (1, 0, 0)
    assert changes(db, first) == [
        (TABLE, f"kent/{year}/{category}", "kent", "new", None, None, None)
        for year, category in [("2016-17", "Housing"), ("2016-17", "Planning"), ("2016-17", "Education"),
                               ("2017-18", "Housing")]
    ]  # fmt: skip

    later = counts(Housing=13, Benefits=2) + counts(source="http://x/m.pdf", Planning=4)
    assert sync(db, later, second) == (1, 2, 1)
    assert stored(db) == {
        "Housing": (13, "http://x/l.pdf", first, second, None),
        "Planning": (4, "http://x/m.pdf", first, second, None),
        "Education": (5, "http://x/l.pdf", first, second, second),  # gone, never deleted
        "Benefits": (2, "http://x/l.pdf", second, second, None),
    }
    assert stored(db, "2017-18") == {"Housing": (1, "http://x/l.pdf", first, first, None)}  # another scope
    assert changes(db, second) == [
        (TABLE, "kent/2016-17/Housing", "kent", "changed", "complaints", "12", "13"),
        (TABLE, "kent/2016-17/Benefits", "kent", "new", None, None, None),
        (TABLE, "kent/2016-17/Planning", "kent", "changed", "complaints", "3", "4"),
        (TABLE, "kent/2016-17/Planning", "kent", "changed", "source_url", "http://x/l.pdf", "http://x/m.pdf"),
        (TABLE, "kent/2016-17/Education", "kent", "gone", None, None, None),
    ]

    third = store.start_run(db, "http://x", "t")
    # Education back as it was, Housing unchanged, Planning not in a list that is not the whole list
    back = counts(Education=5, Housing=13, Benefits=2)
    assert sync(db, back, third, complete_list=False) == (0, 1, 0)
    assert stored(db)["Education"] == (5, "http://x/l.pdf", first, third, None)
    assert stored(db)["Planning"] == (4, "http://x/m.pdf", first, second, None)
    assert changes(db, third) == [(TABLE, "kent/2016-17/Education", "kent", "back", None, None, None)]


def test_two_rows_gone_and_two_changed_are_each_counted(db):
    sync(db, counts(Housing=1, Planning=2, Education=3, Benefits=4), 1)
    second = store.start_run(db, "http://x", "t")
    assert sync(db, counts(Housing=10, Planning=20), second) == (0, 2, 2)
    third = store.start_run(db, "http://x", "t")
    assert sync(db, counts(Housing=10, Planning=20, Education=3, Benefits=4), third) == (0, 2, 0)  # both back
    assert sync(db, counts(Housing=10, Planning=20, Education=3, Benefits=4), third) == (0, 0, 0)


def test_a_column_a_row_leaves_out_keeps_its_stored_value(db):
    sync(db, counts(Housing=12), 1)
    second = store.start_run(db, "http://x", "t")
    row = {"authority_slug": "kent", "year": "2016-17", "category": "Housing", "complaints": 14}
    assert sync(db, [row], second) == (0, 1, 0)
    assert stored(db) == {"Housing": (14, "http://x/l.pdf", 1, second, None)}


def test_new_rows_log_nothing_when_asked_and_changes_are_about_whom_the_caller_says(db):
    assert sync(db, counts(Housing=12), 1, log_new=False) == (1, 0, 0)
    assert changes(db, 1) == []
    second = store.start_run(db, "http://x", "t")
    sync(db, counts(Housing=13, Planning=1), second, about=lambda row: f"about {row['category']}")
    sync(db, [], second, year="2016-17", about=lambda row: f"gone {row['category']}")
    assert changes(db, second) == [
        (TABLE, "kent/2016-17/Housing", "about Housing", "changed", "complaints", "12", "13"),
        (TABLE, "kent/2016-17/Planning", "about Planning", "new", None, None, None),
        (TABLE, "kent/2016-17/Housing", "gone Housing", "gone", None, None, None),
        (TABLE, "kent/2016-17/Planning", "gone Planning", "gone", None, None, None),
    ]


def test_a_row_twice_in_one_list_is_refused_by_name(db):
    with pytest.raises(ValueError) as refused:
        sync(db, counts(Housing=12) * 2, 1)
    assert str(refused.value) == f"{TABLE}: duplicate row ('kent', '2016-17', 'Housing') for kent"
    assert stored(db) == {}


@pytest.mark.parametrize(
    ("stored_value", "new", "same"),
    [(4, 4.0, True), (4.0, 4, True), (4, 5, False), (0.5, 0.5, True), ("4", 4, False), (None, None, True),
     (None, 0, False), (1, True, True), (0, False, True), ("a", "a", True), ("a", "b", False),
     (2**53 + 1, 2.0**53, True)],  # a whole number past a float's precision is the float it was read as
)  # fmt: skip
def test_numbers_compare_by_value_whatever_their_type(stored_value, new, same):
    assert store.same_value(stored_value, new) is same


def test_a_change_row_keeps_old_and_new_values_as_text():
    assert store.change_row(7, "reports", "kent/u", "kent", "changed", "date", 0, 2.5) == {
        "run_id": 7, "table_name": "reports", "row_key": "kent/u", "authority_slug": "kent", "change": "changed",
        "column_name": "date", "old_value": "0", "new_value": "2.5",
    }  # fmt: skip
    assert store.change_row(7, "reports", "kent/u", "kent", "new") == {
        "run_id": 7, "table_name": "reports", "row_key": "kent/u", "authority_slug": "kent", "change": "new",
        "column_name": None, "old_value": None, "new_value": None,
    }  # fmt: skip


def test_a_value_over_the_cap_is_stored_cut_and_recorded_against_its_row(db, tmp_path):
    from harvester import oversized

    huge = "x" * (oversized.STORED_VALUE_CAP + 1)
    assert sync(db, counts(source=huge, Housing=12), 1) == (1, 0, 0)
    complaints, source_url, *_ = stored(db)["Housing"]
    assert complaints == 12 and len(source_url.encode()) <= oversized.STORED_VALUE_CAP
    recorded = db.execute("SELECT table_name, row_key, column_name, bytes, run_id FROM oversized_values")
    assert [tuple(row) for row in recorded] == [(TABLE, "kent/2016-17/Housing", "source_url", len(huge), 1)]
    assert [path.name for path in (tmp_path / oversized.FOLDER_NAME).iterdir()] == [
        f"{hashlib.sha256(huge.encode()).hexdigest()}.txt"
    ]


def test_a_row_back_is_about_whom_the_caller_says(db):
    sync(db, counts(Housing=12), 1)
    second = store.start_run(db, "http://x", "t")
    sync(db, [], second)
    third = store.start_run(db, "http://x", "t")
    sync(db, counts(Housing=12), third, about=lambda row: f"about {row['category']}")
    assert changes(db, third) == [(TABLE, "kent/2016-17/Housing", "about Housing", "back", None, None, None)]
