"""The journalists' tools on a replica harvest: payments read from every stored remedy and agreed action."""

import sqlite3

import pytest

from harvester.payments import sentences
from harvester.replica.payments import TRUTH
from harvester.replica.server import ReplicaServer
from tests.test_crawl import crawl

pytestmark = pytest.mark.slow

CHOSEN = ("birmingham-city-council", "luton-borough-council")
"""Birmingham: 94 upheld cases, reports with a "Remedy" chapter; Luton: the council of the seed report."""


@pytest.fixture(scope="module")
def harvest(tmp_path_factory):
    db = tmp_path_factory.mktemp("journalists") / "lgsco.db"
    with ReplicaServer(epoch=2025) as replica:
        result = crawl(replica.base_url, db, *(option for slug in CHOSEN for option in ("--authority", slug)))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return db


def test_every_payment_the_replica_prints_is_read_with_its_ground_truth_amount_and_certainty(harvest):
    conn = sqlite3.connect(harvest)
    remedies = conn.execute("SELECT case_ref, remedy FROM decisions WHERE remedy IS NOT NULL").fetchall()
    lines = [(case_ref, line) for case_ref, remedy in remedies for line in sentences(remedy)]
    # The replica's other remedies (Luton's seen improvements, its reports' recommendations) name no sum.
    assert not [line for _, line in lines if line not in TRUTH and "£" in line]
    expected = sorted((case_ref, *payment) for case_ref, line in lines for payment in TRUTH.get(line, ()))
    stored = sorted(conn.execute(
        "SELECT case_ref, amount_gbp, total_gbp, certainty FROM remedy_payments WHERE provenance = 'decisions.remedy'"
    ).fetchall())  # fmt: skip
    assert len(expected) > 20
    assert stored == expected
