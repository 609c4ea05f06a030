"""Payments a council agreed to make, read from a decision's remedy or a service improvement's actions.

`read_payments(text)` is a pure function over text: every amount in pounds that a sentence says the
council will pay, refund or reimburse, with what it is for and to whom as printed. What the words make
certain is read; anything else (an amount not printed, "up to", a payment refused, a payment with no
word of paying) is returned with certainty 'uncertain' and the reason, never guessed. A remedy is called
symbolic or financial only when its sentence says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24}  # fmt: skip
UNITS = {"week": "week", "weeks": "week", "weekly": "week", "month": "month", "months": "month",
         "monthly": "month", "year": "year", "years": "year", "annum": "year", "annually": "year"}  # fmt: skip

SENTENCE_END = re.compile(r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMx\.)(?<=[.!?])\s+(?=[A-Z(“\"'‘•·-])|\n+")
AMOUNT = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{2})?(?![\d,]*\.?\d)|£\s?(?:[A-Z]\b|x+\b|\[[^\]]*\])")
"""'£300', '£1,234.56', '£ 150'; or a placeholder where the amount is printed elsewhere ('£X', '£[amount]')."""
PERIOD = re.compile(
    r"\s*(?:(?:a|per|each|every|for each|for every)\s+(?:calendar\s+)?(week|month|year|annum)"
    r"|(weekly|monthly|annually))"
    r"(?:\s+for\s+(\d+|[a-z-]+)\s+(weeks|months|years))?",
    re.IGNORECASE,
)
PAYING = re.compile(
    r"\b(pay(?:s|ing|ment|ments)?|paid|refund(?:s|ed|ing)?|reimburse(?:s|d|ment)?|repay(?:s|ment)?"
    r"|compensat(?:e|es|ion)|award(?:s|ed)?|credit(?:ed)?|remit|write off|written off|waive[ds]?)\b",
    re.IGNORECASE,
)
"""Words saying money passes to the complainant; an amount in a sentence without one is not read as a payment."""
KINDS = (("refund", "refund"), ("repay", "refund"), ("reimburse", "reimbursement"), ("write off", "write-off"),
         ("written off", "write-off"), ("waive", "write-off"), ("credit", "credit"))  # fmt: skip
REFUSED = re.compile(
    r"\b(?:not|no longer|never|declined|refused|decline|refuse|without)\b[^.;£]{0,40}?\b(?:pay|payment|refund|"
    r"reimburse|compensat)|\bno (?:further )?(?:payment|compensation|financial remedy)\b",
    re.IGNORECASE,
)
HEDGED = re.compile(
    r"\b(?:up to|a maximum of|no more than|at least|around|about|approximately|roughly|some|between|if|unless"
    r"|subject to|could|may|might|consider(?:ing)?)\s*$",
    re.IGNORECASE,
)
"""Words just before an amount that make it a bound, an estimate or a condition rather than the sum agreed."""
TOTAL_BEFORE = re.compile(r"\b(?:a total of|in total|totalling|totaling|total of|altogether)\s*$", re.IGNORECASE)
PAYEE = (
    r"(?:the\s+)?(?:estate\s+of\s+)?(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+(?:and\s+(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?"
    r"[A-Z][a-z]*(?:['’]s\s+(?:son|daughter|mother|father|wife|husband|family|estate|representative))?"
    r"|complainants?|her|him|them|the\s+family|the\s+estate|the\s+resident|the\s+tenant|the\s+applicant)"
)
PAYEE_AFTER_VERB = re.compile(
    r"\b(?i:pay|paying|paid|refund|refunding|refunded|reimburse|reimbursing|reimbursed|repay|compensate|award)"
    rf"\s+({PAYEE})(?![\w'’])"
)
PAYEE_AFTER_AMOUNT = re.compile(rf"^\s*to\s+({PAYEE})\b")
PAYEE_LATER = re.compile(rf"\bto\s+({PAYEE})(?![\w'’])")
PURPOSE_START = re.compile(
    r"^\s*,?\s*(?:\(|for\b|to\b|towards\b|in recognition\b|in respect\b|as\b|of\b|because\b|which\b|"
    r"representing\b|reflecting\b|that\b)",
    re.IGNORECASE,
)
PURPOSE_END = re.compile(
    r"\s*(?:[;:]|,?\s+and\s*$|,\s*$|,?\s*(?:a total of|in total|totalling)\b"
    r"|,?\s+and\s+(?:to\s+|will\s+|also\s+)?(?:pay|refund|reimburse|repay|waive|write|apologise|review|remind"
    r"|provide|arrange|ensure|consider|carry|share|update|make)\b)"
)
NATURE = (("symbolic", "symbolic"), ("financial", "financial"))
AMOUNTLESS = re.compile(
    rf"\b(?i:to|and|will|should|must|would|shall)\s+(?:also\s+)?(?i:pay|refund|reimburse|compensate)\s+(?:{PAYEE}\s+)?"
    r"(?:a|the|an|any|her|his|their)\b|\b(?i:a\s+(?:symbolic\s+|financial\s+|further\s+)?payment)\b"
)
"""A payment agreed in words with no amount printed ("pay Mrs X a sum to reflect…", "a payment to…")."""


@dataclass
class Payment:
    """One payment a remedy or agreed action says the council will make."""

    amount_gbp: float | None
    """Pounds as printed (per period for a recurring payment); NULL when the sentence prints no amount."""
    period: str | None
    """For a recurring payment, the period as printed ('a month for six months'); NULL for a single payment."""
    total_gbp: float | None
    """The whole sum: the amount, or for a recurring payment amount × count where the text gives the count."""
    purpose: str | None
    """What the payment is for, as printed ('to acknowledge the distress', 'for her time and trouble')."""
    payee: str | None
    """To whom, as printed ('Mrs X', 'the complainant', 'her'); NULL where the sentence does not say."""
    kind: str
    """'payment', 'refund', 'reimbursement', 'credit' or 'write-off', from the sentence's verb."""
    nature: str | None
    """'symbolic' or 'financial' only where the sentence says so; NULL otherwise."""
    certainty: str
    """'certain' when the sentence states this sum is to be paid; 'uncertain' otherwise (see doubt)."""
    doubt: str | None
    """Why a payment is uncertain: no amount printed, a bound or condition, a payment refused, no word of paying."""
    sentence: str
    """The sentence the payment was read from, whitespace collapsed."""


def sentences(text: str) -> list[str]:
    """The text's sentences and list lines, whitespace collapsed."""
    return [" ".join(part.split()) for part in SENTENCE_END.split(text) if part and part.strip()]


def pounds(match: re.Match[str]) -> float | None:
    if match.group(1) is None:
        return None
    return float(match.group(1).replace(",", "") + (match.group(2) or ""))


def read_payments(text: str | None) -> list[Payment]:
    """Every payment the text says a council agreed to make, in the order printed."""
    found: list[Payment] = []
    lead_in: str | None = None
    for line in sentences(text or ""):
        own_verb = PAYING.search(line) is not None
        # "The Council will pay Mrs X:" then a line per sum: lines with no verb of their own take the lead-in's.
        found += _sentence_payments(line, None if own_verb else lead_in)
        if line.endswith(":") and own_verb:
            lead_in = line
        elif own_verb or not AMOUNT.search(line):
            lead_in = None
    return found


def _sentence_payments(line: str, lead_in: str | None) -> list[Payment]:
    amounts = [m for m in AMOUNT.finditer(line) if not _inside_breakdown(line, m)]
    context = f"{lead_in} {line}" if lead_in else line
    paying = PAYING.search(context) is not None
    refused = REFUSED.search(line) is not None
    nature = next((value for word, value in NATURE if word in line.lower()), None)
    if not amounts:
        amountless = AMOUNTLESS.search(line)
        if amountless is None or refused:
            return []
        purpose = _purpose(line[amountless.end() :])
        return [Payment(None, None, None, purpose, _payee(line, ""), _kind(line, ""), nature, "uncertain",
                        "no amount printed in the sentence", line)]  # fmt: skip
    payments: list[Payment] = []
    for index, match in enumerate(amounts):
        before = line[: match.start()]
        end = amounts[index + 1].start() if index + 1 < len(amounts) else len(line)
        after = line[match.end() : end]
        breakdown = re.match(r"\s*\([^)]*\)", after)
        if breakdown:
            after = after[breakdown.end() :]
        amount = pounds(match)
        doubt = None
        if TOTAL_BEFORE.search(before):
            if payments and amount == sum(p.amount_gbp or 0 for p in payments):
                continue  # the sum of the payments already read
            doubt = "a total that is not the sum of the payments before it"
        period_match = PERIOD.match(after)
        period, total = None, amount
        if period_match:
            period = period_match.group(0).strip()
            total = _recurring_total(amount, period_match)
            after = after[period_match.end() :]
        purpose = _purpose(after)
        if breakdown:
            purpose = " ".join(filter(None, [breakdown.group(0).strip(), purpose]))
        if not paying and purpose is None:
            continue  # a bill, a debt or a charge, not a payment
        doubt = doubt or _doubt(match.group(0), amount, before, paying, refused, period, total)
        payments.append(
            Payment(
                amount_gbp=amount,
                period=period,
                total_gbp=total,
                purpose=purpose,
                payee=_payee(f"{lead_in} {before}" if lead_in else before, after),
                kind=_kind(f"{lead_in} {before}" if lead_in else before, after),
                nature=nature,
                certainty="uncertain" if doubt else "certain",
                doubt=doubt,
                sentence=line,
            )
        )
    return payments


def _doubt(printed: str, amount, before: str, paying: bool, refused: bool, period, total) -> str | None:
    """Why the words leave this payment uncertain; None when they make it certain."""
    hedge = HEDGED.search(before)
    if amount is None:
        return f"amount printed elsewhere ({printed})"
    if refused:
        return "the sentence says a payment was not made or not agreed"
    if hedge:
        return f"a bound or condition: '{hedge.group(0).strip()} {printed}'"
    if not paying:
        return "no word of paying in the sentence"
    if period and total is None:
        return "a recurring payment whose number of payments is not printed"
    return None


def _inside_breakdown(line: str, match: re.Match[str]) -> bool:
    """An amount in brackets right after another ('£300 (£150 for distress and £150 for time and trouble)') is
    a part of it: read once, as the amount before the brackets, whose purpose keeps the brackets."""
    opened = line.rfind("(", 0, match.start())
    return opened > 0 and line.find(")", opened) > match.start() and bool(AMOUNT.search(line[:opened][-20:]))


def _recurring_total(amount: float | None, period: re.Match[str]) -> float | None:
    unit = UNITS[(period.group(1) or period.group(2)).lower()]
    count_text, count_unit = period.group(3), period.group(4)
    if amount is None or count_text is None or UNITS[count_unit.lower()] != unit:
        return None
    count = int(count_text) if count_text.isdigit() else NUMBER_WORDS.get(count_text.lower())
    return None if count is None else round(amount * count, 2)


def _purpose(text: str) -> str | None:
    """What follows an amount up to the next clause, when it opens as a purpose does ('for', 'to', 'as')."""
    payee = PAYEE_AFTER_AMOUNT.match(text)
    rest = text[payee.end() :] if payee else text
    if not PURPOSE_START.match(rest):
        return None
    end = PURPOSE_END.search(rest)
    return (rest[: end.start()] if end else rest).strip(" ,.") or None


def _payee(before: str, after: str) -> str | None:
    """Who is paid, as printed: named after the amount ('£300 to Mrs X') or after the last verb before it."""
    named_after = PAYEE_AFTER_AMOUNT.match(after)
    if named_after:
        return named_after.group(1)
    named = list(PAYEE_AFTER_VERB.finditer(before))
    if named:
        return named[-1].group(1)
    later = PAYEE_LATER.search(after)
    return later.group(1) if later else None


def _kind(before: str, after: str) -> str:
    """What kind of payment the verb nearest before the amount (else the first after it) makes."""
    verbs = list(PAYING.finditer(before)) or list(PAYING.finditer(after))[:1]
    verb = verbs[-1].group(0).lower() if verbs else ""
    return next((kind for word, kind in KINDS if verb.startswith(word)), "payment")
