"""Remedy sentences with payments, in the wordings real decisions use, and what a reader must find in each.

`TRUTH` maps a remedy sentence to the payments in it, as (amount_gbp, total_gbp, certainty): the ground
truth `harvester.payments.read_payments` is tested against. It covers the remedies the replica's decisions
print (harvester.replica.decisions.REMEDIES) and `MORE_REMEDIES`, the wordings decisions should also
print: a council may not agree to pay the same way twice.
"""

from __future__ import annotations

MORE_REMEDIES = (
    "Within one month the Council will apologise and pay Mrs X £300 to acknowledge the distress caused, and £150 "
    "for her time and trouble.",
    "The Council has agreed to refund £1,234.56 in care charges to Mr Y's estate.",
    "The Council will pay Ms Z £200 a month for six months while it arranges suitable accommodation.",
    "The Council will make a payment of £X to Mr B to reflect the loss of education; the amount is set out in the "
    "confidential annex.",
    "The Council will pay Mrs C up to £500 towards the cost of the private assessment once she provides receipts.",
    "The Council will make a symbolic payment of £100 to Miss D to acknowledge the frustration caused.",
    "The Council will pay the complainant a sum to reflect the lost opportunity to attend the review.",
)

TRUTH: dict[str, tuple[tuple[float | None, float | None, str], ...]] = {
    "The Council has agreed to apologise to the complainant and pay £150 for the distress caused.": (
        (150, 150, "certain"),
    ),
    "The Council has agreed to pay £300 to recognise the uncertainty and the time and trouble caused.": (
        (300, 300, "certain"),
    ),
    "The Council has agreed to remind its staff of the statutory timescales.": (),
    "Within one month the Council will review the complainant's case and write to them with its decision.": (),
    MORE_REMEDIES[0]: ((300, 300, "certain"), (150, 150, "certain")),
    MORE_REMEDIES[1]: ((1234.56, 1234.56, "certain"),),
    MORE_REMEDIES[2]: ((200, 1200, "certain"),),
    MORE_REMEDIES[3]: ((None, None, "uncertain"),),
    MORE_REMEDIES[4]: ((500, 500, "uncertain"),),
    MORE_REMEDIES[5]: ((100, 100, "certain"),),
    MORE_REMEDIES[6]: ((None, None, "uncertain"),),
}
