"""The remedy_payments table: read from stored remedies and agreed actions, back-filled by m010, printed by
`harvester parse`, and asked about through two canned queries."""

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester import migrations, store
from harvester.cli import cli
from harvester.remedy_payments import store_payments
from harvester.serve import datasette_for
from tests.test_decisions_store import SLUG, decision
from tests.test_serve import query_rows
from tests.test_store import bundle

CASES = Path(__file__).resolve().parent / "pages"
REMEDY = "The Council will apologise to Mrs X.\nPay Mrs X £300 for the distress caused and £150 for her time and trouble."


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "lgsco.db"
    db = store.open_db(path)
    run = store.start_run(db, "http://x", "test")
    actions = ("Review the policy.", "The Council will pay Mrs X £300 for the distress caused.",
               "The Council will refund £75 of the charges to Mrs X.")  # fmt: skip
    with store.transaction(db):
        store.save_authority(db, bundle(actions=actions), run)
        store.save_decisions(db, SLUG, [decision("23-020-528", REMEDY), decision("24-001-002", None)], [], run)
        store_payments(db, SLUG)
    db.close()
    return path


def payments(path):
    db = store.open_db(path)
    try:
        return [tuple(r) for r in db.execute(
            "SELECT case_ref, provenance, position, amount_gbp, payee, kind, certainty FROM remedy_payments "
            "ORDER BY provenance, position"
        )]  # fmt: skip
    finally:
        db.close()


EXPECTED = [
    ("23-020-528", "decisions.remedy", 1, 300, "Mrs X", "payment", "certain"),
    ("23-020-528", "decisions.remedy", 2, 150, "Mrs X", "payment", "certain"),
    ("23-020-528", "improvement_actions.3", 1, 75, "Mrs X", "refund", "certain"),
]


def test_payments_are_read_from_remedies_and_actions_and_an_action_repeating_the_remedy_counts_once(db_path):
    # Action 2's sentence differs from the remedy's ("The Council will pay" / "Pay"): it is a sentence of its own.
    rows = payments(db_path)
    assert rows[:2] == EXPECTED[:2]
    assert ("23-020-528", "improvement_actions.2", 1, 300, "Mrs X", "payment", "certain") in rows
    assert rows[-1] == EXPECTED[-1]


def test_a_payment_repeated_word_for_word_by_an_action_is_kept_once_as_the_decisions(tmp_path):
    db = store.open_db(tmp_path / "t.db")
    run = store.start_run(db, "http://x", "test")
    with store.transaction(db):
        store.save_authority(db, bundle(actions=("Pay Mrs X £300 for the distress caused and £150 for her time and "
                                                 "trouble.",)), run)  # fmt: skip
        store.save_decisions(db, SLUG, [decision("23-020-528", REMEDY)], [], run)
        assert store_payments(db, SLUG) == 2
    assert {row[0] for row in db.execute("SELECT provenance FROM remedy_payments")} == {"decisions.remedy"}


def test_saving_again_replaces_the_authoritys_rows(db_path):
    db = store.open_db(db_path)
    run = store.start_run(db, "http://x", "test")
    with store.transaction(db):
        store.save_authority(db, bundle(actions=("Review the policy.",)), run)
        store_payments(db, SLUG)
    db.close()
    assert payments(db_path) == EXPECTED[:2]


def test_m010_and_m020_fill_the_table_from_what_an_older_harvest_stored(db_path):
    db = store.open_db(db_path)
    with store.transaction(db):
        store.save_decisions(db, SLUG, [decision("24-009-001", CARE_REMEDY, body=CARE_HOME)], [], 1)
    db.execute("DROP TABLE remedy_payments")
    db.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m010_journalist_tools', "
               "'m020_payments_outside_the_register')")  # fmt: skip
    db.conn.commit()
    assert migrations.migrate(db) == ["m010_journalist_tools", "m020_payments_outside_the_register"]
    db.close()
    rows = payments(db_path)
    assert len(rows) == 5 and set(EXPECTED) < set(rows)
    assert ("24-009-001", "decisions.remedy", 1, 300, "Mrs X", "refund", "certain") in rows


CARE_HOME = "Bupa Care Homes Ltd"
CARE_REMEDY = "The care provider will apologise to Mrs X.\nRefund Mrs X £300 of the fees she paid."


def slugs_and_amounts(db):
    return [tuple(row) for row in db.execute(
        "SELECT case_ref, authority_slug, provenance, amount_gbp, source_url FROM remedy_payments "
        "WHERE provenance = 'decisions.remedy' ORDER BY case_ref, position"
    )]  # fmt: skip


def save_care_home(db, remedy, also=()):
    """A care provider's decision, reached through Luton, saved with Luton as the pipeline saves it."""
    run = store.start_run(db, "http://x", "test")
    care_home = decision("24-009-001", remedy, body=CARE_HOME)
    with store.transaction(db):
        store.save_authority(db, bundle(), run)
        store.save_decisions(db, SLUG, [care_home, *also], [], run)
        store_payments(db, SLUG, [care_home.case_ref, *(d.case_ref for d in also)])


def test_a_care_providers_payments_are_read_with_no_authority(db_path):
    db = store.open_db(db_path)
    save_care_home(db, CARE_REMEDY)
    url = "http://x/decisions/housing/homelessness/24-009-001"
    assert db.execute("SELECT authority_slug FROM decisions WHERE case_ref = '24-009-001'").fetchone() == (None,)
    assert slugs_and_amounts(db) == [
        ("23-020-528", SLUG, "decisions.remedy", 300, "http://x/decisions/housing/homelessness/23-020-528"),
        ("23-020-528", SLUG, "decisions.remedy", 150, "http://x/decisions/housing/homelessness/23-020-528"),
        ("24-009-001", None, "decisions.remedy", 300, url),
    ]
    db.close()


def test_a_changed_care_provider_remedy_replaces_its_rows_and_nothing_elses(db_path):
    db = store.open_db(db_path)
    other = decision("24-009-002", "Pay Mr Y £90 for his time and trouble.", body="Sunrise Care Ltd")
    save_care_home(db, CARE_REMEDY, also=[other])
    save_care_home(db, "Refund Mrs X £450 of the fees she paid.")  # a --full crawl reads the page again
    assert [(ref, slug, amount) for ref, slug, _, amount, _ in slugs_and_amounts(db)] == [
        ("23-020-528", SLUG, 300),
        ("23-020-528", SLUG, 150),
        ("24-009-001", None, 450),
        ("24-009-002", None, 90),
    ]
    db.close()


def test_payments_with_no_authority_keep_one_row_per_case_text_and_position(db_path):
    db = store.open_db(db_path)
    save_care_home(db, CARE_REMEDY)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO remedy_payments SELECT * FROM remedy_payments WHERE authority_slug IS NULL")
    db.close()


def test_parse_prints_a_decision_pages_payments_with_the_tables_field_names():
    folder = CASES / "decision" / "southwark-strong-headings"
    url = (folder / "url.txt").read_text().strip()
    result = CliRunner().invoke(cli, ["parse", str(folder / "page.html"), "--url", url])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["type"] for line in lines] == ["DecisionPage", "RemedyPayment"]
    payment = lines[1]
    assert (payment["case_ref"], payment["amount_gbp"], payment["payee"], payment["certainty"]) == (
        "24-005-444", 1200, "Ms X", "certain",
    )  # fmt: skip
    assert payment["purpose"] == "for the distress caused by living in unsuitable accommodation"
    db = store.open_db(":memory:")
    columns = {row[1] for row in db.execute("PRAGMA table_info(remedy_payments)")}
    assert set(payment) - {"type"} == columns


def test_the_canned_queries_answer_year_by_year_and_largest_first(db_path):
    datasette = datasette_for(db_path)
    [year] = query_rows(datasette, "council_payments_by_year", council="luton")
    # The decision is dated 2024-05-16: statistics year 2024-25. Uncertain payments are counted, not added.
    assert (year["year"], year["cases_paid"], year["certain_gbp"], year["uncertain_payments"]) == (
        "2024-25", 1, 825, 0,
    )  # fmt: skip
    largest = query_rows(datasette, "largest_payments_in_category", category="housing")
    assert [row["total_gbp"] for row in largest] == [300, 300, 150, 75]
    assert largest[0]["sentence"].startswith("Pay Mrs X £300")
    assert query_rows(datasette, "largest_payments_in_category", category="Education") == []


def test_the_largest_payments_in_a_category_include_a_care_providers_under_its_name(db_path):
    db = store.open_db(db_path)
    save_care_home(db, "Refund Mrs X £450 of the fees she paid.")
    db.close()
    largest = query_rows(datasette_for(db_path), "largest_payments_in_category", category="housing")
    assert [(row["council"], row["total_gbp"]) for row in largest[:2]] == [(CARE_HOME, 450), ("Luton Borough Council", 300)]
