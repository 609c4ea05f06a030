"""save_decisions' finer points: what a later run logs, which of two authorities with one name a decision is
filed under, what a conflict says (the whole row handed back to be warned of, and the one kept quietly when two
URLs of a case say the same), and a case read at a second URL among more cases than one query asks about."""

import dataclasses

from harvester import items, store
from tests.test_decisions_store import SLUG, decision, listing, save


def at(case, url):
    return dataclasses.replace(case, url=url, source_url=url)


def logged(db, run) -> list[tuple]:
    return [tuple(r) for r in db.execute("SELECT table_name, row_key, authority_slug, change, column_name FROM "
                                         "changes WHERE run_id = ? ORDER BY id", [run])]  # fmt: skip


def test_a_later_run_logs_each_new_decision_and_listing_and_each_change(db):
    save(db, [decision()], [listing()])
    care_home = decision("25-001-200", body="Barchester Healthcare Homes Limited")
    run, saved = save(db, [decision("24-001-002"), care_home],
                      [listing(case_refs=("23-020-528", "24-001-002")), listing("remedy", ())])  # fmt: skip
    assert (saved.new, saved.changed, saved.gone) == (3, 1, 0)
    assert logged(db, run) == [
        ("decisions", "24-001-002", SLUG, "new", None),
        # no stored authority: logged under the one it was found through
        ("decisions", "25-001-200", SLUG, "new", None),
        ("decision_listings", f"{SLUG}/2023-24/upheld", SLUG, "changed", "listed"),
        ("decision_listings", f"{SLUG}/2023-24/upheld", SLUG, "changed", "case_refs"),
        ("decision_listings", f"{SLUG}/2023-24/remedy", SLUG, "new", None),
    ]


def test_a_decision_about_a_name_two_authorities_share_goes_to_the_one_it_was_found_through(db):
    run = store.start_run(db, "http://x", "t")
    for slug in ("luton", SLUG, "zeta-luton"):  # three stored authorities named alike
        authority = items.Authority(slug, "Luton Borough Council", f"http://x/{slug}")
        store.save_authority(db, store.AuthorityBundle(authority=authority), run)
    store.save_decisions(db, SLUG, [decision()], [], run)
    assert db["decisions"].get("23-020-528")["authority_slug"] == SLUG
    store.save_decisions(db, "luton", [decision("24-001-002")], [], run)
    assert db["decisions"].get("24-001-002")["authority_slug"] == "luton"


def test_a_body_conflict_is_handed_back_whole(db):
    kent = dataclasses.replace(decision(body="Kent County Council"), listed_as="Luton Borough Council")
    run, saved = save(db, [kent], [])
    assert saved.conflicts == [{
        "case_ref": "23-020-528", "kind": "body", "url": kent.url, "kept_url": None,
        "listed_as": "Luton Borough Council", "body_name": "Kent County Council", "found_via": SLUG,
        "detail": f"23-020-528: reached from {SLUG}'s pages as a decision about Luton Borough Council, its page "
                  "names Kent County Council; stored as its page says",
        "first_run": run,
    }]  # fmt: skip


def test_two_urls_of_a_case_neither_filed_under_its_category_keep_the_first_and_say_so(db):
    first = at(decision(), "http://x/decisions/planning/a/23-020-528")
    second = at(
        dataclasses.replace(decision(), outcome="Not upheld"), "http://x/decisions/planning/b/23-020-528"
    )
    run, saved = save(db, [second, first], [])
    assert db["decisions"].get("23-020-528")["url"] == first.url
    assert saved.conflicts == [{
        "case_ref": "23-020-528", "kind": "other text", "url": second.url, "kept_url": first.url,
        "listed_as": None, "body_name": "Luton Borough Council", "found_via": None,
        "detail": f"23-020-528 is also at {second.url}, where its outcome differ; kept {first.url}, neither is "
                  "filed under its own category: the first in order",
        "first_run": run,
    }]  # fmt: skip


def test_two_urls_of_a_case_with_the_same_text_are_recorded_but_not_warned_of(db):
    other = at(decision(), "http://x/decisions/planning/b/23-020-528")
    run, saved = save(db, [other, decision()], [])
    assert saved.conflicts == []
    assert [tuple(r) for r in db.execute("SELECT kind, url, kept_url, detail, first_run, last_run FROM "
                                         "decision_conflicts")] == [(
        "same text", other.url, decision().url,
        f"23-020-528 is also at {other.url}, with the same text; kept {decision().url}, filed under its own category",
        run, run,
    )]  # fmt: skip


def test_a_second_url_is_found_for_any_stored_case_however_many_are_read(db):
    cases = [decision(f"23-{n // 1000:03}-{n % 1000:03}") for n in range(1001)]
    save(db, cases, [])
    moved = {500, 1000}  # past the first and the second query of 500 cases
    again = [
        at(c, c.url.replace("/housing/", "/planning/")) if n in moved else c for n, c in enumerate(cases)
    ]
    _, saved = save(db, again, [])
    assert saved.conflicts == []  # the same text: recorded, not warned of
    found = [tuple(r) for r in db.execute("SELECT case_ref, kind FROM decision_conflicts ORDER BY case_ref")]
    assert found == [("23-000-500", "same text"), ("23-001-000", "same text")]
