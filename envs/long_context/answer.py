"""Strict answers for `long_context`: one marked answer, no hedges, no candidate dumps, no echo.

The final answer is the one `\\boxed{}` or `Answer:` line of the response (`verifiers/kb.py`
finds them); several different ones are a hedge. Numeric golds are compared as numbers: the
answer must hold exactly the gold's numbers (one for a single value, the same set for an
any-order list, the same sequence for an ordered list), so a dump of candidates scores 0.
Text golds are compared item by item after normalising. Hedge words, over-long replies and
replies that copy the document score 0.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from gymkit.verifiers.kb import final_answers, normalise_text

MODES = ("single", "any", "set", "ordered")
MAX_RESPONSE_CHARS = 4_000  # the answer is a few values; a longer reply is a dump or an echo
MAX_COPIED_4GRAMS = 80  # quoting the needle sentences (about 10 4-grams each) stays under this
HEDGES = frozenset("""or maybe perhaps possibly probably likely either unsure unclear unknown
    approximately approx about around roughly between guess might could nor alternatively
    somewhere possible candidates candidate""".split())
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUM = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?![\w])")
_WORDS = re.compile(r"[A-Za-z]+")


def _grams(text: str) -> list[tuple[str, ...]]:
    ws = [w.lower() for w in re.findall(r"\w+", text)]
    return [tuple(ws[i:i + 4]) for i in range(len(ws) - 3)]


def copied_4grams(response: str, document: str) -> int:
    """How many of the response's 4-word phrases occur in the document."""
    mine = _grams(response)
    if len(mine) <= MAX_COPIED_4GRAMS:
        return 0
    seen = set(_grams(document))
    return sum(g in seen for g in mine)


def _number(token: str) -> Decimal | None:
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


def is_numeric(items: list[str]) -> bool:
    """True when every gold item is one plain number."""
    return bool(items) and all(re.fullmatch(r"-?\d+(?:\.\d+)?", s.strip()) for s in items)


def numbers_of(answer: str) -> list[Decimal]:
    """The numbers an answer states, in order (`1,234,567` is one number; a lone number word
    up to twenty counts when the answer has no digits)."""
    found = [v for v in (_number(m) for m in _NUM.findall(answer)) if v is not None]
    if not found:
        words = [w.lower() for w in _WORDS.findall(answer)]
        found = [Decimal(NUMBER_WORDS[w]) for w in words if w in NUMBER_WORDS]
    return found


def _split_items(answer: str) -> list[str]:
    parts = re.split(r"[,;\n]|\band\b|&", answer)
    return [normalise_text(p) for p in parts if normalise_text(p)]


def check_answer(response: str, gold: list[str], mode: str, document: str) -> tuple[bool, str]:
    """(correct, reason) for one response against gold items under `mode` (see MODES)."""
    if len(response) > MAX_RESPONSE_CHARS:
        return False, f"response longer than {MAX_RESPONSE_CHARS} characters (the answer is short)"
    copied = copied_4grams(response, document)
    if copied > MAX_COPIED_4GRAMS:
        return False, f"echoes the document ({copied} copied 4-word phrases)"
    raw = final_answers(response)
    if not raw:
        return False, "no final answer: put it on an 'Answer:' line or in \\boxed{}"
    numeric = is_numeric(gold)
    # the same answer boxed and on an Answer: line is one answer (1,234,567 == 1234567)
    answers = {tuple(numbers_of(a)) if numeric else normalise_text(a) for a in raw}
    if len(answers) > 1:
        return False, f"hedged: {len(answers)} different final answers"
    answer = raw[0]
    gold_words = {w.lower() for g in gold for w in _WORDS.findall(g)}
    hedge = [w for w in _WORDS.findall(answer.lower()) if w in HEDGES and w not in gold_words]
    if hedge:
        return False, f"hedged answer (the word {hedge[0]!r})"
    if numeric:
        want = [Decimal(g) for g in gold]
        got = numbers_of(answer)
        if not got:
            return False, f"the answer {answer[:60]!r} states no number"
        if mode in ("single", "any"):
            if len(got) > 1:
                return False, f"{len(got)} numbers in the answer where one is asked"
            ok = got[0] in want
        elif mode == "set":
            ok = len(got) == len(set(got)) and sorted(got) == sorted(want)
        else:
            ok = got == want
        return (True, "match") if ok else (False, f"answer {answer[:80]!r} does not match")
    items = [normalise_text(g) for g in gold]
    if mode in ("single", "any"):
        ok = normalise_text(answer) in items
    else:
        got_items = _split_items(answer)
        ok = (sorted(got_items) == sorted(items) and len(set(got_items)) == len(got_items)
              if mode == "set" else got_items == items)
    return (True, "match") if ok else (False, f"answer {answer[:80]!r} does not match")
