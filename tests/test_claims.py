"""`harvester check-claims`: what a council's report says about its Ombudsman record, against the harvest."""

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportlab.pdfgen.canvas import Canvas

from harvester import items, store
from harvester.claims import find_claims, report_year, statistics_years, year_option
from harvester.cli import cli
from harvester.remedy_payments import store_payments

REPORTS = Path(__file__).resolve().parent / "claims"
SLUG = "example-council"


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("2023/24", "2023-24"),
        ("2023-24", "2023-24"),
        ("2023–24", "2023-24"),
        ("23-24", "2023-24"),
        ("23/24", "2023-24"),
        ("2023/2024", "2023-24"),
        ("1 April 2023 to 31 March 2024", "2023-24"),
        ("April 2023 to March 2024", "2023-24"),
        ("1st April 2023 - 31st March 2024", "2023-24"),
    ],
)
def test_every_way_a_report_writes_a_year_is_understood(written, year):
    [(_, found)] = statistics_years(f"In {written} the council")
    assert found == year
    assert year_option(written) == year


@pytest.mark.parametrize("text", ["16 6 6", "pay £23-24", "2023/25", "12.5% compared", "1 April 2023 to 31 March 2025"])
def test_pairs_that_are_not_consecutive_years_are_not_years(text):
    assert statistics_years(text) == []


def statistics(year, **figures):
    url = f"http://x/your-councils-performance/{SLUG}/statistics"
    return items.AnnualStatistics(SLUG, year, "letter", url, **figures)


@pytest.fixture
def db_path(tmp_path):
    """A council whose harvest holds three years of figures, a full upheld listing for 2023-24 and one payment."""
    path = tmp_path / "lgsco.db"
    db = store.open_db(path)
    run = store.start_run(db, "http://x", "test")
    url = f"http://x/your-councils-performance/{SLUG}/statistics"
    bundle = store.AuthorityBundle(
        authority=items.Authority(SLUG, "Example Council", url),
        statistics=[
            statistics("2023-24", upheld_pct=75, upheld_avg_pct=79, investigations=94, upheld_decisions=71,
                       upheld_per_100k=6.1, upheld_per_100k_avg=4.6, compliance_pct=100, complaints_dealt_with=19),
            statistics("2022-23", upheld_pct=67, upheld_avg_pct=72, compliance_pct=100),
            statistics("2021-22", upheld_pct=50),
        ],
    )  # fmt: skip
    cases = [("23-020-528", "Adult care services", "The Council will pay Mrs X £300 for the distress caused."),
             ("23-020-529", "Adult care services", None), ("23-020-530", "Adult care services", None),
             ("23-020-531", "Housing", None)]  # fmt: skip
    decisions = [
        items.Decision(authority_slug=SLUG, case_ref=ref, body_name="Example Council", category=category,
                       sub_category="Sub", outcome="Upheld", outcome_group="upheld", decision_date="2023-09-01",
                       is_report=False, chapters=1, summary="S.", text="T.", remedy=remedy, satisfied_date=None,
                       url=f"http://x/decisions/{ref}", source_url=f"http://x/decisions/{ref}")
        for ref, category, remedy in cases
    ]  # fmt: skip
    listing = items.DecisionListing(SLUG, "2023-24", "upheld", 4, [ref for ref, *_ in cases], "http://x/l")
    with store.transaction(db):
        store.save_authority(db, bundle, run)
        store.save_decisions(db, SLUG, decisions, [listing], run)
        store_payments(db, SLUG)
    db.close()
    return path


def check(db_path, report, *options):
    result = CliRunner().invoke(cli, ["check-claims", str(REPORTS / report), "--authority", SLUG, "--db",
                                      str(db_path), "--json", *options])  # fmt: skip
    return result.exit_code, [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def verdicts(claims):
    return [(c["measure"], c["year"], c["claimed"], c["held"], c["verdict"]) for c in claims]


def test_a_report_in_prose_with_per_cent_and_a_national_figure(db_path):
    code, claims = check(db_path, "metropolitan-per-cent.txt")
    assert code == 0
    assert verdicts(claims) == [
        ("upheld_pct", "2023-24", 75, 75, "agrees"),
        ("upheld_avg_pct", "2023-24", 79, 79, "agrees"),
        ("investigations", "2023-24", 94, 94, "agrees"),
        ("upheld_decisions", "2023-24", 70, 71, "differs"),
        ("upheld_per_100k", "2023-24", 6.1, 6.1, "agrees"),
        ("upheld_per_100k_avg", "2023-24", 4.6, 4.6, "agrees"),
        ("compliance_pct", "2023-24", 98, 100, "differs"),
    ]
    assert claims[3]["sentence"] == "The Ombudsman investigated 94 complaints and upheld 70 of them."


def test_national_figures_the_council_complaints_and_the_housing_ombudsman_are_not_claims():
    text = (REPORTS / "metropolitan-per-cent.txt").read_text()
    findings = find_claims(text, "2023-24")
    assert findings.context == ["Nationally, the Ombudsman upheld 80% of the complaints it investigated in 2023-24."]
    assert not [c for c in findings.claims if c.claimed in (4512, 87, 80, 12, 9)]


def test_a_table_by_service_its_total_and_a_quoted_case(db_path):
    code, claims = check(db_path, "district-table.txt")
    assert code == 0
    by_service = {(c["service"], c["stat"]): (c["claimed"], c["held"], c["verdict"]) for c in claims
                  if c["measure"] == "per_service"}  # fmt: skip
    assert by_service[("Adult care services", "upheld")] == (3, 3, "agrees")
    assert by_service[("Housing", "upheld")] == (0, 1, "differs")
    assert by_service[("Adult care services", "received")] == (12, None, "not held")
    totals = [v for v in verdicts(claims) if v[0] != "per_service" and v[0] != "payment"]
    assert totals == [
        ("complaints_received", "2023-24", 20, None, "not held"),
        ("complaints_decided", "2023-24", 19, 19, "agrees"),
        ("investigations", "2023-24", 4, 94, "differs"),
        ("upheld_decisions", "2023-24", 3, 71, "differs"),
    ]
    [payment] = [c for c in claims if c["measure"] == "payment"]
    assert (payment["case_ref"], payment["claimed"], payment["held"], payment["verdict"]) == (
        "23-020-528", 300, 300, "agrees",
    )  # fmt: skip


def test_a_committee_report_quoting_the_letter_with_years_in_other_forms(db_path):
    assert report_year((REPORTS / "committee-letter-quotes.txt").read_text()) == "2022-23"
    code, claims = check(db_path, "committee-letter-quotes.txt")
    assert code == 0
    assert verdicts(claims) == [
        ("upheld_pct", "2022-23", 66.7, 67, "agrees"),  # the council's own rounding of the same figure
        ("upheld_pct", "2021-22", 50, 50, "agrees"),
        ("upheld_avg_pct", "2022-23", 72, 72, "agrees"),
        ("compliance_pct", "2022-23", 100, 100, "agrees"),
    ]


def test_a_report_in_its_own_words_found_fault_councils_like_ours_and_totals(db_path):
    code, claims = check(db_path, "county-letter-wording.txt")
    assert code == 0
    assert verdicts(claims) == [
        ("complaints_received", "2023-24", 45, None, "not held"),
        ("complaints_decided", "2023-24", 19, 19, "agrees"),
        ("investigations", "2023-24", 94, 94, "agrees"),
        ("upheld_pct", "2023-24", 75, 75, "agrees"),
        ("upheld_avg_pct", "2023-24", 79, 79, "agrees"),
        ("upheld_pct", "2022-23", 67, 67, "agrees"),
        ("upheld_pct", "2021-22", 50, 50, "agrees"),
    ]


def test_year_option_sets_the_year_of_figures_that_name_none(db_path):
    _, claims = check(db_path, "committee-letter-quotes.txt", "--year", "21/22")
    assert ("upheld_avg_pct", "2021-22", 72, None, "not held") in verdicts(claims)


def test_the_text_output_sets_each_claim_beside_its_sentence(db_path):
    result = CliRunner().invoke(cli, ["check-claims", str(REPORTS / "metropolitan-per-cent.txt"), "--authority",
                                      SLUG, "--db", str(db_path)])  # fmt: skip
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == ("Example Council, 2023-24: 7 claims about the Ombudsman's figures; 5 agree, 2 differ, "
                        "0 not held")  # fmt: skip
    assert "differs   upheld_decisions 2023-24: claimed 70, held 71" in lines
    assert any(line.startswith("national  (not a claim about the council)") for line in lines)


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (["--authority", "nowhere"], 2, "no such council"),
        (["--authority", SLUG, "--year", "2023"], 2, "not a statistics year"),
        (["--year", "2023-24"], 2, "--authority"),
    ],
)
def test_bad_options_exit_2(db_path, options, code, message):
    result = CliRunner().invoke(cli, ["check-claims", str(REPORTS / "district-table.txt"), "--db", str(db_path),
                                      *options])  # fmt: skip
    assert result.exit_code == code, result.output
    assert message in result.output


def test_a_report_with_no_claim_exits_1(db_path, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("Complaints report 2023/24\n\nThe Council received 1,740 complaints and answered 69% on time.\n")
    result = CliRunner().invoke(cli, ["check-claims", str(report), "--authority", SLUG, "--db", str(db_path)])
    assert result.exit_code == 1
    assert "no claim about the Ombudsman's figures" in result.output


def test_a_pdf_report_is_read_through_the_projects_pdf_reader(db_path, tmp_path):
    page = io.BytesIO()
    canvas = Canvas(page)
    lines = ["2. The Local Government and Social Care Ombudsman", "",
             "In 2023/24 the Ombudsman upheld 75% of the complaints it investigated about the Council."]  # fmt: skip
    for number, line in enumerate(lines):
        canvas.drawString(40, 800 - 16 * number, line)
    canvas.save()
    report = tmp_path / "report.pdf"
    report.write_bytes(page.getvalue())
    result = CliRunner().invoke(cli, ["check-claims", str(report), "--authority", SLUG, "--db", str(db_path),
                                      "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert verdicts([json.loads(line) for line in result.output.splitlines()]) == [
        ("upheld_pct", "2023-24", 75, 75, "agrees")
    ]
