"""save_authority with every part of a bundle at once: each table gets its rows, parts the site dropped are gone
(within their own scope only), a letter that fails to read again keeps its good copy, and the `changes` log of a
first save holds one line for the authority while a later save logs each row."""


from harvester import items, store

SLUG = "luton-borough-council"
URL = f"http://x/your-councils-performance/{SLUG}"


def improvement(case_ref, *actions):
    return items.ServiceImprovement(SLUG, case_ref, "Housing", "Homelessness", None, f"{URL}/improvements",
                                    list(actions))  # fmt: skip


def letter(year):
    return items.LetterLink(
        SLUG, year, f"Annual review letter {year}", f"http://x/{year}.pdf", f"{URL}/letters"
    )


def document(year, status, sha256):
    return items.LetterDocument(SLUG, year, f"http://x/{year}.pdf", sha256, 10, status, title=f"Letter {sha256}",
                                text="Dear" if status == "ok" else None)  # fmt: skip


def count(year, table, label, number):
    return items.LetterTableCount(SLUG, year, table, label, number, f"http://x/{year}.pdf")


def first_bundle():
    return store.AuthorityBundle(
        authority=items.Authority(SLUG, "Luton Borough Council", f"{URL}/statistics"),
        statistics=[items.AnnualStatistics(SLUG, "2023-24", "page", f"{URL}/statistics", "2023-04-01", "2024-03-31",
                                           upheld_pct=69)],  # fmt: skip
        reports=[items.Report(SLUG, "Report a", "http://x/news/a", None, None, f"{URL}/reports")],
        improvements=[improvement("23-000-001", "First.", "Second."), improvement("23-000-002", "Only.")],
        letters=[letter("2023-24"), letter("2022-23")],
        letter_documents=[document("2023-24", "ok", "aa")],
        letter_tables=[count("2016-17", "received", "Housing", 12), count("2016-17", "received", "Planning", 3),
                       count("2016-17", "decided", "Upheld", 4), count("2015-16", "received", "Housing", 7)],
        fetches=[store.Fetch(f"{URL}/statistics", 200, '"e1"', None, "s1"),
                 store.Fetch(f"{URL}/letters", 200, None, None, "s2")],
    )  # fmt: skip


def later_bundle():
    return store.AuthorityBundle(
        authority=items.Authority(SLUG, "Luton Borough Council", f"{URL}/statistics"),
        statistics=[],  # statistics are never a complete list: the stored year stays
        reports=[items.Report(SLUG, "Report a", "http://x/news/a", None, None, f"{URL}/reports"),
                 items.Report(SLUG, "Report b", "http://x/news/b", None, None, f"{URL}/reports")],
        improvements=[improvement("23-000-001", "First.")],
        letters=[letter("2023-24"), letter("2024-25")],
        letter_documents=[document("2023-24", "failed", "bb"), document("2024-25", "failed", "cc")],
        letter_tables=[count("2016-17", "received", "Housing", 12), count("2016-17", "decided", "Upheld", 4)],
    )  # fmt: skip


def rows(db, sql) -> list[tuple]:
    return [tuple(row) for row in db.execute(sql)]


def test_a_first_save_stores_every_part_and_logs_one_new_authority(db):
    run = store.start_run(db, "http://x", "t")
    saved = store.save_authority(db, first_bundle(), run)
    # 1 authority, 1 statistics year, 1 report, 2 cases, 3 actions, 2 letters, 3 + 1 table counts
    assert (saved.new, saved.changed, saved.gone, saved.kept_letters) == (14, 0, 0, [])
    assert rows(db, "SELECT table_name, row_key, authority_slug, change FROM changes") == [
        ("authorities", SLUG, SLUG, "new")
    ]
    assert rows(db, "SELECT case_ref, position, text FROM improvement_actions ORDER BY case_ref, position") == [
        ("23-000-001", 1, "First."), ("23-000-001", 2, "Second."), ("23-000-002", 1, "Only."),
    ]  # fmt: skip
    assert rows(db, "SELECT year, status, sha256, title FROM letters ORDER BY year") == [
        ("2022-23", None, None, None), ("2023-24", "ok", "aa", "Letter aa"),
    ]  # fmt: skip
    assert rows(db, "SELECT year, category, complaints FROM letter_complaints_received ORDER BY year, category") == [
        ("2015-16", "Housing", 7), ("2016-17", "Housing", 12), ("2016-17", "Planning", 3),
    ]  # fmt: skip
    assert rows(db, "SELECT year, outcome, decisions FROM letter_decisions") == [("2016-17", "Upheld", 4)]
    assert rows(db, "SELECT url, etag, sha256, run_id FROM fetches ORDER BY url") == [
        (f"{URL}/letters", None, "s2", run), (f"{URL}/statistics", '"e1"', "s1", run),
    ]  # fmt: skip


def test_a_later_save_marks_what_the_site_dropped_gone_keeps_good_letters_and_logs_each_row(db):
    first = store.start_run(db, "http://x", "t")
    store.save_authority(db, first_bundle(), first)
    run = store.start_run(db, "http://x", "t")
    saved = store.save_authority(db, later_bundle(), run)
    assert [letter.pdf_url for letter in saved.kept_letters] == ["http://x/2023-24.pdf"]
    # new: report b, letter 2024-25; gone: case 2, actions 1/2 and 2/1, letter 2022-23, Planning
    assert (saved.new, saved.changed, saved.gone) == (2, 0, 5)
    assert rows(
        db, f"SELECT row_key, authority_slug, change FROM changes WHERE run_id = {run} ORDER BY id"
    ) == [
        (f"{SLUG}/http://x/news/b", SLUG, "new"),
        (f"{SLUG}/23-000-002", SLUG, "gone"),
        (f"{SLUG}/23-000-001/2", SLUG, "gone"),
        (f"{SLUG}/23-000-002/1", SLUG, "gone"),
        (f"{SLUG}/2024-25", SLUG, "new"),
        (f"{SLUG}/2022-23", SLUG, "gone"),
        (f"{SLUG}/2016-17/Planning", SLUG, "gone"),
    ]
    assert rows(db, "SELECT year, status, sha256, title, gone_run FROM letters ORDER BY year") == [
        ("2022-23", None, None, None, run),
        ("2023-24", "ok", "aa", "Letter aa", None),  # the good copy, not the failed re-read
        ("2024-25", "failed", "cc", "Letter cc", None),  # never read well: the failure is what there is
    ]
    assert rows(db, "SELECT year, source, gone_run FROM annual_statistics") == [("2023-24", "page", None)]
    assert rows(db, "SELECT year, category, gone_run FROM letter_complaints_received ORDER BY year, category") == [
        ("2015-16", "Housing", None), ("2016-17", "Housing", None), ("2016-17", "Planning", run),
    ]  # fmt: skip
    assert rows(db, "SELECT run_id FROM fetches") == [(first,), (first,)]  # none fetched this run


def test_an_authority_gets_the_registers_facts_and_a_change_of_them_is_logged(db):
    from types import SimpleNamespace

    entry = SimpleNamespace(kind="Unitary", status="active", successor_slugs=(), gss_code="E06000032",
                            region="East of England", population=225300, latitude=51.9, longitude=-0.4)  # fmt: skip
    first = store.start_run(db, "http://x", "t")
    store.save_authority(db, first_bundle(), first, entry)
    run = store.start_run(db, "http://x", "t")
    saved = store.save_authority(
        db, first_bundle(), run, SimpleNamespace(**vars(entry) | {"population": 230000})
    )
    assert (saved.new, saved.changed, saved.gone) == (0, 1, 0)
    assert rows(
        db, f"SELECT row_key, change, column_name, old_value, new_value FROM changes WHERE run_id = {run}"
    ) == [(SLUG, "changed", "population", "225300", "230000")]
    assert rows(db, "SELECT kind, gss_code, population, last_changed_run FROM authorities") == [
        ("Unitary", "E06000032", 230000, run)
    ]


def test_a_letter_read_well_again_replaces_the_good_copy_and_is_not_kept(db):
    store.save_authority(db, first_bundle(), store.start_run(db, "http://x", "t"))
    again = first_bundle()
    again.letter_documents = [document("2023-24", "ok", "dd")]
    saved = store.save_authority(db, again, store.start_run(db, "http://x", "t"))
    assert (saved.kept_letters, saved.changed) == ([], 1)
    assert rows(db, "SELECT year, status, sha256, title FROM letters ORDER BY year") == [
        ("2022-23", None, None, None),
        ("2023-24", "ok", "dd", "Letter dd"),
    ]
