"""annual_data_files: one row per annual data file read, kept by the store beside the file's values."""

import json

import pytest

from harvester import items, migrations, store

HUB = "https://www.lgo.org.uk/information-centre/reports/annual-review-reports/local-government-complaint-reviews"
CSV = "https://www.lgo.org.uk/assets/attach/6924/2-Complaints-Decided-24-25.csv"


def value(slug, name, concept, number) -> items.AnnualDataValue:
    return items.AnnualDataValue(
        authority_slug=slug, printed_name=name, year="2024-25", measure="decided", category=None,
        outcome=concept.title(), concept=concept, value=number, raw=str(number), column_header=concept.title(),
        source_file=CSV, sheet=None, row=7,
    )  # fmt: skip


def decided_file(upheld: int = 12, sha256: str = "a" * 64) -> items.DataFile:
    link = items.DataFileLink("2024-25", "Complaints decided 2024-25 (CSV)", CSV, "csv", HUB)
    values = [
        value("kent-county-council", "Kent County Council", "upheld", upheld),
        value("kent-county-council", "Kent County Council", "not_upheld", 4),
        value("luton-borough-council", "Luton Council", "upheld", 3),
        value(None, "Broads Authority", "upheld", 0),
        value(None, "Broads Authority", "not_upheld", 1),
    ]
    return items.DataFile(link, sha256, 2048, values, [], ["Broads Authority"])


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "lgsco.db")
    yield database
    database.close()


def file_rows(db) -> list[dict]:
    return list(db.query("SELECT * FROM annual_data_files"))


def test_a_file_read_is_a_row_with_its_link_checksum_and_what_it_gave(db):
    run = store.start_run(db, "https://www.lgo.org.uk", "t")
    saved = store.save_data_file(db, decided_file(), None, run)
    assert file_rows(db) == [{
        "source_file": CSV, "year": "2024-25", "label": "Complaints decided 2024-25 (CSV)", "file_format": "csv",
        "sha256": "a" * 64, "byte_size": 2048, "values_read": 5, "councils_matched": 2,
        "unmatched_names": '["Broads Authority"]', "source_url": HUB,
        "first_seen_run": run, "last_changed_run": run, "gone_run": None,
    }]  # fmt: skip
    assert saved.new == 5  # the values; the file's row is provenance, like its fetch


def test_a_file_read_again_unchanged_keeps_its_run_and_a_changed_one_says_what_changed(db):
    first = store.start_run(db, "https://www.lgo.org.uk", "t")
    store.save_data_file(db, decided_file(), None, first)
    second = store.start_run(db, "https://www.lgo.org.uk", "t")
    assert store.save_data_file(db, decided_file(), None, second).changed == 0
    assert file_rows(db)[0]["last_changed_run"] == first

    third = store.start_run(db, "https://www.lgo.org.uk", "t")
    store.save_data_file(db, decided_file(upheld=13, sha256="b" * 64), None, third)
    assert file_rows(db)[0] | {"sha256": "b" * 64} == file_rows(db)[0]
    assert file_rows(db)[0]["last_changed_run"] == third
    assert list(db.query(
        "SELECT row_key, change, column_name, old_value, new_value FROM changes "
        "WHERE run_id = ? AND table_name = 'annual_data_files'", [third],
    )) == [{"row_key": CSV, "change": "changed", "column_name": "sha256", "old_value": "a" * 64,
            "new_value": "b" * 64}]  # fmt: skip


def test_the_files_read_before_the_table_existed_are_rebuilt_from_their_values(db):
    """m014 fills the table from annual_data: everything but the link's text and the size, which were not kept."""
    run = store.start_run(db, "https://www.lgo.org.uk", "t")
    store.save_data_file(db, decided_file(), None, run)
    db.execute("INSERT INTO fetches (url, status, sha256, fetched_at, run_id) VALUES (?, 200, ?, 'now', ?)",
               [CSV, "a" * 64, run])  # fmt: skip
    kept = file_rows(db)[0]
    db.execute("DROP VIEW coverage")
    db.execute("DROP TABLE annual_data_files")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm014_annual_data_files'")

    assert migrations.migrate(db) == ["m014_annual_data_files"]
    assert file_rows(db) == [kept | {"label": None, "byte_size": None}]
    assert json.loads(file_rows(db)[0]["unmatched_names"]) == ["Broads Authority"]
