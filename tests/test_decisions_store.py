"""Saving decisions and listings: fetched-once rows, listings replaced whole, the count cross-check view."""

import dataclasses
import json

import pytest
import sqlite_utils

from harvester import items, migrations, store
from tests.test_store import bundle

SLUG = "luton-borough-council"


def decision(case_ref="23-020-528", remedy="Apologise.\nPay £300.", body="Luton Borough Council"):
    url = f"http://x/decisions/housing/homelessness/{case_ref}"
    return items.Decision(
        None, case_ref, body, "Housing", "Homelessness", "Upheld", "upheld", "2024-05-16", False, 1,
        "Summary of the case.", "The complaint\nMs X complained about interim accommodation.", remedy, None, url,
        url, found_via=SLUG,
    )  # fmt: skip


def listing(listing="upheld", case_refs=("23-020-528",)):
    url = "http://x/decisions/2024/u/Listing?aname=Luton+Borough+Council"
    return items.DecisionListing(SLUG, "2023-24", listing, len(case_refs), list(case_refs), url)


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "t.db")
    yield database
    database.close()


def save(db, decisions, listings, run_id=None):
    run_id = run_id or store.start_run(db, "http://x", "test")
    store.save_authority(db, bundle(), run_id)
    return run_id, store.save_decisions(db, SLUG, decisions, listings, run_id)


def test_decisions_are_stored_once_and_searchable(db):
    run, saved = save(db, [decision()], [listing()])
    assert (saved.new, saved.changed) == (2, 0)
    row = db["decisions"].get("23-020-528")
    assert (row["remedy"], row["is_report"], row["first_seen_run"], row["gone_run"]) == (
        "Apologise.\nPay £300.",
        0,
        run,
        None,
    )
    assert store.decisions_read(db) == {
        "23-020-528": frozenset({"/decisions/housing/homelessness/23-020-528"})
    }
    found = db.execute("SELECT rowid FROM decisions_fts WHERE decisions_fts MATCH 'accommodation'").fetchall()
    assert len(found) == 1
    # A first crawl of the authority logs no 'new' change per row, as save_authority does.
    assert db["changes"].count_where("table_name LIKE 'decision%'") == 0


def test_a_later_run_keeps_unread_decisions_and_replaces_listings(db):
    save(db, [decision()], [listing(), listing("remedy", ())])
    second, saved = save(db, [decision("24-001-002")], [listing(case_refs=("24-001-002", "23-020-528"))])
    assert (saved.new, saved.changed, saved.gone) == (1, 1, 0)
    assert {row["case_ref"] for row in db["decisions"].rows_where("gone_run IS NULL")} == {
        "23-020-528", "24-001-002",
    }  # fmt: skip
    upheld = db["decision_listings"].get((SLUG, "2023-24", "upheld"))
    assert (upheld["listed"], json.loads(upheld["case_refs"])) == (2, ["24-001-002", "23-020-528"])
    assert db["decision_listings"].get((SLUG, "2023-24", "remedy"))["gone_run"] is None
    changed = [
        r["column_name"] for r in db["changes"].rows_where("run_id = ? AND change = 'changed'", [second])
    ]
    assert sorted(changed) == ["case_refs", "listed"]


def test_the_cross_check_view_lists_listings_that_disagree_with_the_page(db):
    # The bundle's page says 9 upheld decisions and no remedy count.
    save(db, [decision()], [listing(case_refs=tuple(f"23-000-{n:03d}" for n in range(9))), listing("remedy")])
    rows = [tuple(r) for r in db.execute(
        "SELECT authority_slug, year, listing, listed, page_count FROM decision_count_discrepancies"
    )]  # fmt: skip
    assert rows == [(SLUG, "2023-24", "remedy", 1, None)]


def test_decisions_schema_is_pinned(db):
    assert db["decisions"].pks == ["case_ref"]
    assert list(db["decisions"].columns_dict) == [
        "case_ref", "authority_slug", "body_name", "category", "sub_category", "outcome", "outcome_group",
        "decision_date", "is_report", "chapters", "summary", "text", "remedy", "satisfied_date", "url", "source_url",
        "first_seen_run", "last_changed_run", "gone_run",
    ]  # fmt: skip
    assert db["decision_listings"].pks == ["authority_slug", "year", "listing"]
    assert db["decisions"].detect_fts() == "decisions_fts"


def test_decisions_about_bodies_outside_the_register_keep_their_name_and_no_authority(db):
    care_home = decision("25-001-200", body="Barchester Healthcare Homes Limited")
    trust = decision("17-002-402b", body="Sheffield Teaching Hospitals NHS Foundation Trust")
    as_printed = decision("19-004-001", body="Vale Of White Horse District Council")
    ampersand = decision("24-001-994", body="Royal Borough of Kensington and Chelsea")
    own = decision("23-020-528", body="LUTON Borough Council")
    run_id = store.start_run(db, "http://x", "test")
    for slug, name in [
        ("vale-of-white-horse-district-council", "Vale of White Horse District Council"),
        ("royal-borough-of-kensington-chelsea", "Royal Borough of Kensington & Chelsea"),
    ]:
        authority = dataclasses.replace(bundle().authority, slug=slug, name=name, url=f"http://x/{slug}")
        store.save_authority(db, store.AuthorityBundle(authority=authority), run_id)
    run, saved = save(db, [care_home, trust, as_printed, ampersand, own], [], run_id)
    assert saved.new == 5
    rows = {r["case_ref"]: (r["authority_slug"], r["body_name"]) for r in db.query("SELECT * FROM decisions")}
    assert rows == {
        "25-001-200": (None, "Barchester Healthcare Homes Limited"),
        "17-002-402b": (None, "Sheffield Teaching Hospitals NHS Foundation Trust"),
        "19-004-001": ("vale-of-white-horse-district-council", "Vale Of White Horse District Council"),
        "24-001-994": ("royal-borough-of-kensington-chelsea", "Royal Borough of Kensington and Chelsea"),
        "23-020-528": (SLUG, "LUTON Borough Council"),
    }
    logged = {
        r["row_key"]: r["authority_slug"]
        for r in db.query("SELECT * FROM changes WHERE table_name = 'decisions'")
    }
    assert logged.get("25-001-200", SLUG) == SLUG


def test_m007_keeps_stored_decisions_their_search_and_indexes(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations.migrations.apply(db, stop_before="m007_decisions_as_printed")
    db.execute(
        "INSERT INTO crawl_runs (id, started_at, status, base_url, scope, version) VALUES (1, 'x', 'ok', 'x', 'x', 'x')"
    )
    db.execute("INSERT INTO authorities (slug, name, url, source_url, first_seen_run, last_changed_run) "
               "VALUES (?, 'Luton Borough Council', 'u', 'u', 1, 1)", [SLUG])  # fmt: skip
    for case_ref, text in [("23-020-528", "interim accommodation"), ("23-020-529", "other words")]:
        db.execute(
            "INSERT INTO decisions (case_ref, authority_slug, category, sub_category, outcome, outcome_group, "
            "decision_date, is_report, chapters, summary, text, url, source_url, first_seen_run, last_changed_run) "
            "VALUES (?, ?, 'Housing', 'Homelessness', 'Upheld', 'upheld', '2024-01-01', 0, 1, 's', ?, 'u', 'u', 1, 1)",
            [case_ref, SLUG, text],
        )
    db.conn.commit()
    before = sorted(
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'decisions'")
    )
    # m007 alone: later migrations add indexes of their own (m018's for the coverage view).
    migrations.migrations.apply(db, stop_before="m008_annual_data")
    after = sorted(
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'decisions'")
    )
    assert after == before and "decisions_ai" in after and "decisions_by_outcome" in after
    rows = db.execute(
        "SELECT case_ref, authority_slug, body_name, satisfied_date FROM decisions ORDER BY case_ref"
    )
    assert rows.fetchall() == [("23-020-528", SLUG, "Luton Borough Council", None),
                               ("23-020-529", SLUG, "Luton Borough Council", None)]  # fmt: skip
    found = "SELECT d.case_ref FROM decisions_fts f JOIN decisions d ON d.rowid = f.rowid WHERE decisions_fts MATCH ?"
    assert db.execute(found, ["interim"]).fetchall() == [("23-020-528",)]
    db.execute("INSERT INTO decisions (case_ref, authority_slug, body_name, category, sub_category, outcome, "
               "decision_date, is_report, chapters, summary, text, url, source_url, first_seen_run, last_changed_run) "
               "VALUES ('25-001-200', NULL, 'Barchester Healthcare Homes Limited', 'Adult care services', "
               "'Residential care', 'Upheld', '2025-01-01', 0, 1, 's', 'care home fees', 'u', 'u', 1, 1)")  # fmt: skip
    assert db.execute(found, ["fees"]).fetchall() == [("25-001-200",)]


def conflicts(db) -> list[tuple]:
    return db.execute(
        "SELECT case_ref, kind, url, kept_url, listed_as, body_name FROM decision_conflicts"
    ).fetchall()


def test_a_page_naming_another_body_than_its_listing_is_stored_as_the_page_says_and_recorded(db):
    kent = dataclasses.replace(decision(body="Kent County Council"), listed_as="Luton Borough Council")
    _, saved = save(db, [kent], [listing()])
    row = db["decisions"].get("23-020-528")
    assert (row["body_name"], row["authority_slug"]) == ("Kent County Council", None)
    assert conflicts(db) == [
        ("23-020-528", "body", kent.url, None, "Luton Borough Council", "Kent County Council")
    ]
    assert [c["kind"] for c in saved.conflicts] == ["body"]
    assert "its page names Kent County Council" in saved.conflicts[0]["detail"]
    # The same body printed another way is no disagreement.
    other = dataclasses.replace(decision("23-020-529"), listed_as="LUTON BOROUGH COUNCIL")
    assert save(db, [other], [])[1].conflicts == []


def recategorised(case_ref="23-020-528"):
    """The same case at a second URL, whose page says otherwise."""
    canonical = decision(case_ref)
    url = canonical.url.replace("/housing/", "/housing-recategorised/")
    return dataclasses.replace(canonical, url=url, source_url=url, outcome="Not upheld", outcome_group="not upheld",
                               text="The complaint\nI found no fault.")  # fmt: skip


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_case_at_two_urls_keeps_the_one_filed_under_its_category_and_flags_the_other(db, order):
    pages = [decision(), recategorised()]
    _, saved = save(db, [pages[i] for i in order], [])
    row = db["decisions"].get("23-020-528")
    assert (row["url"], row["outcome"]) == (decision().url, "Upheld")
    assert conflicts(db) == [("23-020-528", "other text", recategorised().url, decision().url, None,
                              "Luton Borough Council")]  # fmt: skip
    assert (
        "outcome, text differ; kept http://x/decisions/housing/homelessness/23-020-528, filed under its own category"
        in saved.conflicts[0]["detail"]
    )
    # Both URLs are read: neither is fetched again.
    assert store.decisions_read(db) == {"23-020-528": frozenset({"/decisions/housing/homelessness/23-020-528",
                                                                 "/decisions/housing-recategorised/homelessness/23-020-528"})}  # fmt: skip


def test_a_second_url_found_in_a_later_run_is_compared_with_the_stored_case(db):
    save(db, [recategorised()], [])  # only the second URL was linked at first: stored, nothing to compare
    assert db["decisions"].get("23-020-528")["outcome"] == "Not upheld" and conflicts(db) == []
    _, saved = save(db, [decision()], [])
    assert db["decisions"].get("23-020-528")["outcome"] == "Upheld"  # the case's own category wins
    assert [(c["kind"], c["url"]) for c in saved.conflicts] == [("other text", recategorised().url)]
    _, saved = save(db, [dataclasses.replace(decision(), summary="Summary of the case.")], [])
    assert saved.conflicts == [] and len(conflicts(db)) == 1


def test_a_decision_about_a_body_outside_the_register_read_again_is_the_same_row(db):
    """A --full crawl reads a care provider's decision again: its NULL authority_slug scope must find the stored
    row (NULL = NULL finds nothing), not insert it a second time and fail on its case reference."""
    care_home = decision("25-001-200", body="Barchester Healthcare Homes Limited")
    save(db, [care_home], [])
    _, again = save(db, [care_home], [])
    assert (again.new, again.changed) == (0, 0)
    remedied = dataclasses.replace(care_home, remedy="Apologise.\nPay £500.")
    _, changed = save(db, [remedied], [])
    assert changed.changed == 1
    assert [r["remedy"] for r in db.query("SELECT remedy FROM decisions")] == ["Apologise.\nPay £500."]
