"""Reading the payments a council agreed to make from remedy and agreed-action text."""

import pytest

from harvester.payments import read_payments, sentences
from harvester.replica import decisions as replica_decisions
from harvester.replica.payments import MORE_REMEDIES, TRUTH


def only(text):
    [payment] = read_payments(text)
    return payment


def summary(text):
    return [(p.amount_gbp, p.total_gbp, p.certainty) for p in read_payments(text)]


def test_pay_a_named_person_an_amount_for_a_purpose():
    payment = only("The Council will pay Mrs X £300 to acknowledge the distress caused.")
    assert (payment.amount_gbp, payment.payee, payment.purpose, payment.certainty, payment.kind) == (
        300, "Mrs X", "to acknowledge the distress caused", "certain", "payment",
    )  # fmt: skip
    assert payment.sentence == "The Council will pay Mrs X £300 to acknowledge the distress caused."


def test_two_sums_in_one_sentence_share_the_payee_and_keep_their_own_purposes():
    first, second = read_payments(
        "Within one month the Council will apologise and pay Mrs X £300 to acknowledge the distress caused, and "
        "£150 for her time and trouble."
    )
    assert (first.amount_gbp, first.purpose, first.payee) == (300, "to acknowledge the distress caused", "Mrs X")
    assert (second.amount_gbp, second.purpose, second.payee) == (150, "for her time and trouble", "Mrs X")
    assert first.certainty == second.certainty == "certain"


def test_a_refund_with_pence_and_thousands():
    payment = only("The Council has agreed to refund £1,234.56.")
    assert (payment.amount_gbp, payment.kind, payment.certainty) == (1234.56, "refund", "certain")


def test_a_recurring_payment_keeps_its_period_and_totals_when_the_count_is_printed():
    payment = only("The Council will pay Mr B £200 a month for six months to cover the cost of care.")
    assert (payment.amount_gbp, payment.period, payment.total_gbp) == (200, "a month for six months", 1200)
    assert (payment.purpose, payment.certainty) == ("to cover the cost of care", "certain")
    weekly = only("The Council will pay £50 per week for 12 weeks.")
    assert (weekly.period, weekly.total_gbp) == ("per week for 12 weeks", 600)


def test_for_each_month_is_a_period_too():
    payment = only("The Council has agreed to pay Miss Y £200 for each month from June 2023 until it completes the "
                   "assessment.")  # fmt: skip
    assert (payment.amount_gbp, payment.period, payment.total_gbp, payment.certainty) == (
        200, "for each month", None, "uncertain",
    )  # fmt: skip


def test_a_recurring_payment_without_a_count_has_no_total_and_is_uncertain():
    payment = only("The Council will pay £50 a week until a placement is found.")
    assert (payment.amount_gbp, payment.period, payment.total_gbp, payment.certainty) == (
        50, "a week", None, "uncertain",
    )  # fmt: skip
    assert "number of payments" in payment.doubt


@pytest.mark.parametrize(
    "text",
    [
        "The Council will make a payment of £X to Ms C to reflect the loss of education.",
        "The Council will pay Ms C £[amount] to reflect the loss of education.",
    ],
)
def test_an_amount_printed_elsewhere_is_flagged_not_guessed(text):
    payment = only(text)
    assert (payment.amount_gbp, payment.total_gbp, payment.certainty) == (None, None, "uncertain")
    assert (payment.payee, payment.purpose) == ("Ms C", "to reflect the loss of education")
    assert "printed elsewhere" in payment.doubt


@pytest.mark.parametrize(
    ("text", "payee"),
    [
        ("The Council will pay the complainant a sum to reflect the lost opportunity.", "the complainant"),
        ("The Council has agreed to apologise to Mr X, make a payment to recognise the failure to meet his needs.",
         None),
        ("The Council has agreed to apologise to Mr B and pay him a financial remedy.", "him"),
    ],
)  # fmt: skip
def test_a_payment_agreed_in_words_with_no_amount_is_kept_as_uncertain(text, payee):
    payment = only(text)
    assert (payment.amount_gbp, payment.payee, payment.certainty) == (None, payee, "uncertain")
    assert payment.doubt == "no amount printed in the sentence"


@pytest.mark.parametrize(
    ("text", "doubt"),
    [
        ("The Council will pay Mrs X up to £500 towards the cost of the assessment.", "up to £500"),
        ("The Council will pay Mrs X at least £250 for her time and trouble.", "at least £250"),
        ("The Council should consider £200 for the distress caused.", "consider £200"),
    ],
)
def test_a_bound_or_condition_is_uncertain(text, doubt):
    payment = only(text)
    assert payment.certainty == "uncertain"
    assert doubt in payment.doubt


def test_a_refused_payment_is_uncertain_and_says_why():
    payment = only("The Council declined to pay the £250 Mrs X asked for.")
    assert (payment.amount_gbp, payment.certainty) == (250, "uncertain")
    assert "not made or not agreed" in payment.doubt


@pytest.mark.parametrize(
    "text",
    [
        "Mrs X owed £2,000 in council tax arrears.",
        "The care home charged £1,050 a week.",
        "The Council has agreed to remind its staff of the statutory timescales.",
        "",
    ],
)
def test_amounts_that_are_not_payments_are_not_read(text):
    assert read_payments(text) == []


def test_an_amount_with_a_purpose_but_no_word_of_paying_is_uncertain():
    payment = only("£150 for her time and trouble.")
    assert (payment.amount_gbp, payment.purpose, payment.certainty) == (150, "for her time and trouble", "uncertain")
    assert payment.doubt == "no word of paying in the sentence"


def test_list_lines_under_a_lead_in_take_its_verb_and_payee():
    first, second = read_payments("The Council should pay Mr and Mrs Y:\n£500 for the distress caused;\n"
                                  "£250 for their time and trouble.")  # fmt: skip
    assert (first.amount_gbp, first.payee, first.certainty) == (500, "Mr and Mrs Y", "certain")
    assert (second.amount_gbp, second.purpose) == (250, "for their time and trouble")
    assert second.sentence == "£250 for their time and trouble."


def test_a_breakdown_in_brackets_is_part_of_the_sum_before_it():
    payment = only("The Council will pay £300 (£150 for distress and £150 for time and trouble) to Mr Z.")
    assert (payment.amount_gbp, payment.payee) == (300, "Mr Z")
    assert payment.purpose == "(£150 for distress and £150 for time and trouble)"


def test_a_sum_explained_in_brackets_as_a_monthly_rate_is_read_once():
    payment = only("The Council has agreed to pay Mr B £1,750 (£250 a month for seven months) to reflect the loss of "
                   "service.")  # fmt: skip
    assert (payment.amount_gbp, payment.period, payment.total_gbp, payment.payee) == (1750, None, 1750, "Mr B")
    assert payment.purpose == "(£250 a month for seven months) to reflect the loss of service"


def test_a_printed_total_of_the_sums_before_it_is_not_a_payment_of_its_own():
    assert summary("The Council will pay Mrs X £300 for distress and £150 for time and trouble, a total of £450.") == [
        (300, 300, "certain"), (150, 150, "certain"),
    ]  # fmt: skip
    mismatched = summary("The Council will pay Mrs X £300 for distress and £150 for time and trouble, a total of £500.")
    assert mismatched[-1] == (500, 500, "uncertain")


def test_symbolic_and_financial_only_where_the_text_says_so():
    assert only("The Council will make a symbolic payment of £100 to Miss D.").nature == "symbolic"
    assert only("The Council should make a financial payment of £2,500 to remedy the loss of care.").nature == (
        "financial"
    )
    assert only("The Council will pay Mrs X £300 for the distress caused.").nature is None


def test_kinds_follow_the_verb_nearest_the_amount():
    waived, reimbursed = read_payments("The Council will waive £320 of the charges and reimburse Mr. E £45.50 "
                                       "for the postage.")  # fmt: skip
    assert (waived.kind, waived.amount_gbp, waived.purpose) == ("write-off", 320, "of the charges")
    assert (reimbursed.kind, reimbursed.amount_gbp, reimbursed.payee) == ("reimbursement", 45.5, "Mr. E")
    assert only("Mrs K's care charges of £4,000 will be written off.").kind == "write-off"


def test_numbered_paragraphs_and_capitalised_verbs_as_real_decisions_print_them():
    payment = only("5. Pay Ms X £1,200 for the distress caused by living in unsuitable accommodation.")
    assert (payment.amount_gbp, payment.payee, payment.certainty) == (1200, "Ms X", "certain")
    already = only("The Council has already paid Mr H £250 for the distress caused.")
    assert (already.amount_gbp, already.payee) == (250, "Mr H")


def test_sentences_split_at_full_stops_but_not_after_titles_or_inside_amounts():
    assert sentences("Pay Mr. E £45.50 now. Then write.\nNext line") == ["Pay Mr. E £45.50 now.", "Then write.",
                                                                         "Next line"]  # fmt: skip


@pytest.mark.parametrize("sentence", list(TRUTH))
def test_every_remedy_wording_the_replica_knows_is_read_as_its_ground_truth_gives(sentence):
    assert summary(sentence) == [tuple(float(v) if v is not None else None for v in p[:2]) + p[2:]
                                 for p in TRUTH[sentence]]  # fmt: skip


def test_the_ground_truth_covers_every_remedy_the_replica_prints():
    assert {*replica_decisions.REMEDIES, *MORE_REMEDIES} <= set(TRUTH)
