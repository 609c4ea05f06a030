"""The `remedy_payments` table: every payment read (harvester.payments) from what the store holds.

The table is derived: an authority's rows are read again from its stored decisions' remedies and its
service improvements' actions each time the authority is saved, in the same transaction, so they never
disagree with the text they come from. A payment an improvement action repeats word for word from its
decision's remedy is kept once, as the decision's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlite_utils

from harvester import store
from harvester.payments import Payment, read_payments

DECISION_REMEDY = "decisions.remedy"


@dataclass
class RemedyPayment(Payment):
    """A payment with the case and the stored text it was read from: a row of remedy_payments."""

    case_ref: str
    """Ombudsman case reference 'YY-NNN-NNN' (decisions.case_ref)."""
    authority_slug: str | None
    provenance: str
    """Where it was read: 'decisions.remedy', or 'improvement_actions.N' for the case's Nth agreed action."""
    position: int
    """1 for the first payment read from that text, 2 for the next, ..."""
    source_url: str | None
    """The decision page or service improvements page the text was read from."""


def payments_of(
    case_ref: str, slug: str | None, provenance: str, text: str | None, source_url: str | None
) -> list[RemedyPayment]:
    """The payments read from one stored text, each with where it was read."""
    return [
        RemedyPayment(**asdict(payment), case_ref=case_ref, authority_slug=slug, provenance=provenance,
                      position=position, source_url=source_url)  # fmt: skip
        for position, payment in enumerate(read_payments(text), start=1)
    ]


def authority_payments(db: sqlite_utils.Database, slug: str) -> list[RemedyPayment]:
    """Every payment in an authority's stored remedies and current agreed actions."""
    found: list[RemedyPayment] = []
    read: set[tuple[str, str]] = set()
    for case_ref, remedy, url in db.execute(
        "SELECT case_ref, remedy, url FROM decisions WHERE authority_slug = ? AND remedy IS NOT NULL "
        "ORDER BY case_ref",
        [slug],
    ):
        payments = payments_of(case_ref, slug, DECISION_REMEDY, remedy, url)
        found += payments
        read |= {(case_ref, p.sentence) for p in payments}
    for case_ref, position, text, url in db.execute(
        "SELECT case_ref, position, text, source_url FROM improvement_actions "
        "WHERE authority_slug = ? AND gone_run IS NULL ORDER BY case_ref, position",
        [slug],
    ):
        payments = payments_of(case_ref, slug, f"improvement_actions.{position}", text, url)
        found += [p for p in payments if (case_ref, p.sentence) not in read]
    return found


def store_payments(db: sqlite_utils.Database, slug: str) -> int:
    """Replace an authority's rows of remedy_payments with those read from what is stored now; returns
    how many. Run inside the transaction that saved the authority."""
    rows = [asdict(payment) for payment in authority_payments(db, slug)]
    db.conn.execute("DELETE FROM remedy_payments WHERE authority_slug = ?", [slug])
    if rows:
        store.insert_rows(db, "remedy_payments", rows)
    return len(rows)


def store_all_payments(db: sqlite_utils.Database) -> int:
    """Every authority's payments, read again from what is stored (a migration's back-fill)."""
    slugs = [row[0] for row in db.execute("SELECT slug FROM authorities")]
    return sum(store_payments(db, slug) for slug in slugs)
