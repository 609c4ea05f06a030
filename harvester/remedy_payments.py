"""The `remedy_payments` table: every payment read (harvester.payments) from what the store holds.

The table is derived: an authority's rows are read again from its stored decisions' remedies and its
service improvements' actions each time the authority is saved, in the same transaction, so they never
disagree with the text they come from. A payment an improvement action repeats word for word from its
decision's remedy is kept once, as the decision's. A decision about a body outside the register (a care
provider) has no authority to be saved with: its rows, authority_slug NULL, are read again in the same
transaction as the rows of the authority it was found through, which saved it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
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
    """The authority the case is about (authorities.slug); NULL for a decision about a body outside the register
    (a care provider, an NHS trust), as in decisions."""
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


def remedies_payments(db: sqlite_utils.Database, where: str, params: list) -> list[RemedyPayment]:
    """Every payment in the stored remedies of the decisions `where` picks."""
    return [
        payment
        for case_ref, slug, remedy, url in db.execute(
            "SELECT case_ref, authority_slug, remedy, url FROM decisions "
            f"WHERE {where} AND remedy IS NOT NULL ORDER BY case_ref",
            params,
        )
        for payment in payments_of(case_ref, slug, DECISION_REMEDY, remedy, url)
    ]


def authority_payments(db: sqlite_utils.Database, slug: str) -> list[RemedyPayment]:
    """Every payment in an authority's stored remedies and current agreed actions."""
    found = remedies_payments(db, "authority_slug = ?", [slug])
    read = {(p.case_ref, p.sentence) for p in found}
    for case_ref, position, text, url in db.execute(
        "SELECT case_ref, position, text, source_url FROM improvement_actions "
        "WHERE authority_slug = ? AND gone_run IS NULL ORDER BY case_ref, position",
        [slug],
    ):
        payments = payments_of(case_ref, slug, f"improvement_actions.{position}", text, url)
        found += [p for p in payments if (case_ref, p.sentence) not in read]
    return found


def store_payments(db: sqlite_utils.Database, slug: str, case_refs: Iterable[str] = ()) -> int:
    """Replace an authority's rows of remedy_payments, and those of the decisions among `case_refs` about a body
    outside the register, with those read from what is stored now; returns how many. Run inside the
    transaction that saved the authority.

    The caller passes the case refs of the decisions it saved with the authority. A care provider's decision
    is stored only that way, so its remedy changes only there. Its payments are read here rather than in
    save_decisions so that every payment is read in one place, with one answer to a failure to read them
    (the pipeline's savepoint: a recorded error, the rows as they were, the decisions saved all the same)."""
    db.conn.execute("DELETE FROM remedy_payments WHERE authority_slug = ?", [slug])
    return insert_payments(db, authority_payments(db, slug)) + store_outside_register_payments(db, case_refs)


OUTSIDE_REGISTER = "authority_slug IS NULL AND case_ref IN (SELECT value FROM json_each(?))"
"""The decisions or payments, of the case refs given as a JSON list, about a body outside the register."""


def store_outside_register_payments(db: sqlite_utils.Database, case_refs: Iterable[str]) -> int:
    """Replace the rows of the decisions among `case_refs` about a body outside the register (authority_slug
    NULL) with those read from their stored remedies: a case's rows, and nothing else's."""
    refs = json.dumps(list(case_refs))
    db.conn.execute(f"DELETE FROM remedy_payments WHERE {OUTSIDE_REGISTER}", [refs])
    return insert_payments(db, remedies_payments(db, OUTSIDE_REGISTER, [refs]))


def insert_payments(db: sqlite_utils.Database, payments: list[RemedyPayment]) -> int:
    if payments:
        store.insert_rows(db, "remedy_payments", [asdict(payment) for payment in payments])
    return len(payments)


def store_all_payments(db: sqlite_utils.Database) -> int:
    """Every payment, read again from what is stored (a migration's back-fill): each authority's, and those of
    the decisions about bodies outside the register."""
    db.conn.execute("DELETE FROM remedy_payments")
    slugs = [row[0] for row in db.execute("SELECT slug FROM authorities")]
    outside = [row[0] for row in db.execute("SELECT case_ref FROM decisions WHERE authority_slug IS NULL")]
    return sum(store_payments(db, slug) for slug in slugs) + store_outside_register_payments(db, outside)
