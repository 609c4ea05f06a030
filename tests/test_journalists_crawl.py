"""The journalists' tools on a replica harvest: payments read from every stored remedy and agreed action, and
the Luton report's claims checked against what the replica holds for Luton."""

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.payments import sentences
from harvester.replica.payments import MORE_REMEDIES, TRUTH
from harvester.replica.server import ReplicaServer
from tests.test_crawl import crawl
from tests.test_save_faults import harvester

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
    assert {line for _, line in lines} >= set(MORE_REMEDIES), "every wording the replica knows is printed somewhere"
    assert stored == expected


LUTON_SEED = Path(__file__).resolve().parent / "seeds" / "council-complaints-report-luton-2023-24.txt"


def test_the_luton_report_agrees_with_the_replica_wherever_the_harvest_holds_the_figure(harvest):
    result = CliRunner().invoke(cli, ["check-claims", str(LUTON_SEED), "--authority", "luton-borough-council",
                                      "--db", str(harvest), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    claims = [json.loads(line) for line in result.output.splitlines()]
    figures = [(c["measure"], c["year"], c["claimed"], c["verdict"]) for c in claims if c["measure"] != "per_service"]
    assert figures == [
        # Executive summary
        ("compliance_pct", "2023-24", 100, "agrees"),
        ("upheld_pct", "2023-24", 69, "agrees"),
        ("upheld_pct", "2022-23", 82, "agrees"),
        ("upheld_avg_pct", "2023-24", 79, "agrees"),
        ("remedy_pct", "2023-24", 33, "agrees"),
        ("remedy_avg_pct", "2023-24", 13, "agrees"),
        # 3.2: enquiries, investigations and upheld decisions; Table 4's total row, then the same in prose
        ("complaints_decided", "2023-24", 64, "not held"),
        ("investigations", "2023-24", 13, "agrees"),
        ("upheld_decisions", "2023-24", 9, "agrees"),
        ("complaints_decided", "2023-24", 64, "not held"),
        ("investigations", "2023-24", 13, "agrees"),
        ("upheld_decisions", "2023-24", 9, "agrees"),
        ("compliance_pct", "2023-24", 100, "agrees"),
        ("investigations", "2023-24", 13, "agrees"),
        ("upheld_decisions", "2023-24", 9, "agrees"),
        ("upheld_pct", "2023-24", 69, "agrees"),
        ("upheld_per_100k", "2023-24", 4, "agrees"),
        ("upheld_pct", "2022-23", 82, "agrees"),
        ("upheld_avg_pct", "2023-24", 79, "agrees"),
        ("upheld_per_100k_avg", "2023-24", 4.6, "agrees"),
        ("compliance_pct", "2023-24", 100, "agrees"),
        ("remedy_pct", "2023-24", 33, "agrees"),
        ("remedy_avg_pct", "2023-24", 13, "agrees"),
        ("remedy_pct", "2022-23", 22, "agrees"),
        # Table 5: the LGSCO's cases (the Housing Ombudsman's 202210084 is not one)
        ("payment", "2023-24", 200, "not held"),
        ("payment", "2023-24", 550, "not held"),
        ("payment", "2023-24", 500, "not held"),
        ("payment", "2023-24", 300, "not held"),
    ]
    per_service = [c for c in claims if c["measure"] == "per_service"]
    assert len(per_service) == 8 * 3 and {c["verdict"] for c in per_service} == {"not held"}
    assert {c["service"] for c in per_service} >= {"Environmental Services, Public Protection & Regulation"}
    # The report's one mistake: it calls the satisfactory remedy rate a share of cases investigated.
    wrong = [c for c in claims if "share of upheld cases" in c.get("note", "")]
    assert [c["claimed"] for c in wrong] == [33, 33]


def test_payments_that_cannot_be_read_cost_the_authority_nothing_else_and_fail_the_run(replica, tmp_path):
    db = tmp_path / "lgsco.db"
    server = replica()
    broken = (
        "import harvester.remedy_payments as remedy_payments\n"
        "read = remedy_payments.read_payments\n"
        "def read_payments(text):\n"
        "    if text and '£300' in text:\n"
        "        raise RuntimeError('unreadable payment')\n"
        "    return read(text)\n"
        "remedy_payments.read_payments = read_payments\n"
    )
    options = [option for slug in CHOSEN for option in ("--authority", slug)]
    result = harvester("crawl", "--base-url", server.base_url, "--db", str(db), *options, prelude=broken)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    conn = sqlite3.connect(db)
    errors = conn.execute("SELECT authority_slug, page, kind, message FROM crawl_errors").fetchall()
    assert errors and all(kind == "internal" and "RuntimeError: unreadable payment" in message
                          for _, _, kind, message in errors)  # fmt: skip
    assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("failed",)]
    # Every authority and its decisions were saved all the same.
    assert {slug for (slug,) in conn.execute("SELECT DISTINCT authority_slug FROM decisions")} == set(CHOSEN)
    assert conn.execute("SELECT count(*) FROM remedy_payments WHERE amount_gbp = 300").fetchone() == (0,)
