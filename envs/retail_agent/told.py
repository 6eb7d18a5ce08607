"""Did the agent tell the customer the required amounts, once and plainly?

A required amount (a refund, a price difference, an order total) counts as told when some
sentence the customer read states it as money with no competing amount: every other amount in
that sentence must be a fact the agent read from the store (a price, a payment) or another
required amount, and the sentence must not offer alternatives ("$3.46, $4.46 or $2.46",
"$3.46 or so"). Across the whole conversation, no amount may be invented: an amount that is
neither required nor in a tool result is a guess, and a guess next to the right amount is a
hedge.
A sentence that states a required amount under negation ("the refund is not $123.27") does not
tell it, and denies it: it is a problem wherever else the amount is stated.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from gymkit.verifiers.negation import negated

# Money as people write it: $3.46, 3.46 dollars, USD 3.46, or any number with a decimal point.
# A number glued to a letter or '#' (order #W1234567, "Unit 12") is an id, not money.
_N = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_MONEY = re.compile(
    rf"(?:(?:US\$|USD|\$)\s?(?P<a>{_N}))"
    rf"|(?<![\w#.,$])(?P<b>{_N})\s?(?:dollars?|usd|bucks)\b"
    rf"|(?<![\w#.,$])(?P<c>\d{{1,3}}(?:,\d{{3}})*\.\d+|\d+\.\d+)(?![\w.]*\d)", re.I)
_NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
# Words that offer an alternative or a range next to an amount.
_HEDGE = re.compile(r"\bor\b|\beither\b|\bmaybe\b|\bperhaps\b|\bpossibly\b|\bprobably\b|"
                    r"\bbetween\b|\bapprox|\baround\b|\broughly\b|\babout\b|\bestimat|"
                    r"\bsomewhere\b|\bguess|\bnot sure\b|\bcould be\b|\bmight be\b|~|±|\+/-|"
                    r"(?<=\d)\s*/\s*\$?\d|\$?\d\s*[-–]\s*\$?\d", re.I)


# A qualifier right next to an amount makes it a bound or a guess, not the amount.
_NEAR_BEFORE = re.compile(r"(?:\babout|\baround|\broughly|\bapprox\w*\.?|~|≈|\bat (?:least|most)|"
                          r"\bup to|\b(?:more|less|fewer) than|\bover|\bunder|\bnearly|\balmost|"
                          r"\bestimated|\bmaybe|\bperhaps)\s*(?:of\s*)?$", re.I)
_NEAR_AFTER = re.compile(r"^\s*(?:or (?:so|more|less|thereabouts)|-?ish\b|\+|give or take|at most|"
                         r"at least|max(?:imum)?\b|min(?:imum)?\b)", re.I)
_LIST_GAP = re.compile(r"\s*(?:,|;|&|\band\b|,\s*and\b)?\s*", re.I)  # "$1.00, $2.00 and $3.00"


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def money_spans(sentence: str) -> list[tuple[Decimal, int, int]]:
    """Every amount of money written in `sentence`: (exact decimal, start, end)."""
    out = []
    for m in _MONEY.finditer(sentence):
        value = _dec(m.group("a") or m.group("b") or m.group("c"))
        if value is not None:
            out.append((value, m.start(), m.end()))
    return out


def money_in(sentence: str) -> list[Decimal]:
    """Every amount of money written in `sentence`, as exact decimals."""
    return [v for v, _, _ in money_spans(sentence)]


def _qualified_or_listed(sentence: str, r: Decimal) -> bool:
    """Is `r` stated with a qualifier next to it, or as one item of a bare list of amounts?"""
    spans = money_spans(sentence)
    for k, (v, start, end) in enumerate(spans):
        if v != r:
            continue
        if _NEAR_BEFORE.search(sentence[max(0, start - 20):start]) or \
                _NEAR_AFTER.search(sentence[end:end + 20]):
            return True
        gaps = ([sentence[spans[k - 1][2]:start]] if k else []) + \
               ([sentence[end:spans[k + 1][1]]] if k + 1 < len(spans) else [])
        if any(_LIST_GAP.fullmatch(g) for g in gaps):
            return True
    return False


def numbers_in(text: str) -> set[Decimal]:
    """Every number written in `text` (ids and zips too): the facts a tool result showed."""
    return {d for m in _NUMBER.findall(text) if (d := _dec(m)) is not None}


def sentences(texts: list[str]) -> list[str]:
    return [s for t in texts for s in _SENTENCE_END.split(t) if s.strip()]


def _template(sentence: str) -> str:
    """A sentence with its amounts blanked: "the refund is $_" for "The refund is $52.10."."""
    out, last = [], 0
    for _, start, end in money_spans(sentence):
        out.append(sentence[last:start])
        out.append("$_")
        last = end
    out.append(sentence[last:])
    return " ".join("".join(out).lower().rstrip(".!?").split())


def _restated(said: list[tuple[str, list[Decimal]]], r: Decimal) -> list[str]:
    """Sentences that say the same thing as one stating `r`, with a different amount: "The
    refund is $52.10. The refund is $33.00." is two answers, however real both amounts are."""
    templates = {_template(s) for s, amounts in said if r in amounts}
    return [s for s, amounts in said
            if r not in amounts and amounts and _template(s) in templates]


def _denies(sentence: str, r: Decimal) -> bool:
    """Is some statement of `r` in `sentence` negated in its clause?"""
    spans = money_spans(sentence)
    others = [(a, b) for _, a, b in spans]
    return any(negated(sentence, a, b, others) for v, a, b in spans if v == r)


def told_problems(told: list[str], required: list[Decimal], seen: set[Decimal]) -> list[str]:
    """Why the required amounts were not told plainly (empty when they were)."""
    allowed = seen | set(required)
    problems = []
    said = [(s, money_in(s)) for s in sentences(told)]
    invented = sorted({a for _, amounts in said for a in amounts if a not in allowed})
    if invented:
        problems.append("amounts that are not from the store: "
                        + ", ".join(f"${a}" for a in invented[:5]))
    for r in required:
        stating = [(s, amounts) for s, amounts in said if r in amounts]
        if not stating:
            problems.append(f"not told to the customer: {r}")
            continue
        denied = [s for s, _ in stating if _denies(s, r)]
        if denied:  # "did not come to $353.99": not told, and a contradiction if told elsewhere
            problems.append(f"{r} is stated under negation: {denied[0][:120]!r}")
            continue
        hedged = [s for s, amounts in stating if len(amounts) > 1 and _HEDGE.search(
            s.replace("-", " minus ") if "=" in s else s)]  # "$53.46 - $50.00 = $3.46" is sums
        hedged += [s for s, _ in stating if _qualified_or_listed(s, r)]
        hedged += _restated(said, r)
        if hedged:
            problems.append(f"{r} is told among alternatives or with a qualifier: "
                            f"{hedged[0][:120]!r}")
    return problems
