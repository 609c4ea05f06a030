"""Migration m005: reports stored before it get the case reference of the decision page they link."""

import sqlite_utils

from harvester.migrations import migrate, migrations

DECISION_URL = "https://www.lgo.org.uk/decisions/housing/homelessness/23-004-123"
NEWS_URL = "https://www.lgo.org.uk/information-centre/news/2024/jan/a-report"


def test_reports_stored_before_the_migration_take_their_decisions_case_ref(tmp_path):
    db = sqlite_utils.Database(tmp_path / "lgsco.db")
    migrations.apply(db, stop_before="m005_reports_case_ref")
    provenance = {"first_seen_run": 1, "last_changed_run": 1}
    db["decisions"].insert(
        {"case_ref": "23-004-123", "authority_slug": "luton-borough-council", "category": "Housing",
         "sub_category": "Homelessness", "outcome": "Upheld", "outcome_group": "upheld",
         "decision_date": "2024-01-10", "is_report": 1, "chapters": 2, "summary": "s", "text": "t",
         "url": DECISION_URL, "source_url": DECISION_URL} | provenance
    )  # fmt: skip
    for url in (DECISION_URL, NEWS_URL):
        db["reports"].insert(
            {"authority_slug": "luton-borough-council", "url": url, "title": "A report", "source_url": url}
            | provenance
        )
    assert migrate(db)[0] == "m005_reports_case_ref"  # later migrations follow it
    rows = db.execute("SELECT url, case_ref FROM reports ORDER BY url").fetchall()
    assert rows == [(DECISION_URL, "23-004-123"), (NEWS_URL, None)]
