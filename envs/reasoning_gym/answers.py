"""Reading a reasoning-gym answer strictly: one `<answer>` tag, then one value of the task's kind.

reasoning-gym's own scorers are lenient in places (0.1.25, read and measured; see the README):
- the default scorer pays `len(gold) / len(answer)` to any answer that *contains* the gold
  (`3 or 4` gets 1/6 for gold 4): a hedge still earns;
- chain_sum's `compute_decimal_reward` deletes every comma (`1,2` reads as 12) and `Decimal`
  takes `1e1`, `1_2` and surrounding spaces;
- gsm_symbolic reads the *first* number anywhere in the answer (`4 or 5` is 4);
- number_sorting accepts every value within 1 of the gold, and `NaN` (json.loads reads it, and
  NaN is never "more than 1 away"): `[NaN, NaN, NaN]` scores 1.0;
- prime_factorization raises on a factor that is not an integer.
So gymkit takes exactly one tagged answer, refuses any text that is not one value of the
expected kind, rewrites it in the gold's spelling (`read_answer`), and only then asks the
library. The env pays 1 only for the library's full score.
"""
from __future__ import annotations

import re
from decimal import Decimal

from gymkit.verifiers.math_answer import Extraction
from gymkit.verifiers.text_norm import nfkc, strip_invisible

MAX_TAGS = 8  # more tags than this is spraying, not answering
MAX_ANSWER_CHARS = 2000
MAX_ITEMS = 200  # list answers: no vetted task has more than 20 items
_TAG = re.compile(r"<(/?)answer\s*>", re.I)
_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d{1,60})(?:\.(\d{1,30}))?")
_PLAIN = re.compile(r"[+-]?(?:\d{1,60}(?:\.\d{0,30})?|\.\d{1,30})")
_WRAPPERS = (("$", "$"), ("`", "`"), ("**", "**"), ("\\boxed{", "}"), ("\\text{", "}"))
_TIMES = re.compile(r"\s*(?:×|\\times|\\cdot|·|⋅|\*|x|X)\s*")
_POWER = re.compile(r"(\d{1,30})\s*\^\s*\{?\s*(\d{1,2})\s*\}?")


def tagged_answer(text: str) -> Extraction:
    """The one final answer between `<answer>` and `</answer>`, or why there is none.

    Tags may not nest or be left open; several tags must all hold the same answer (a second,
    different one is a hedge). Text outside the tags is never read as an answer."""
    found: list[str] = []
    start = None
    for k, m in enumerate(_TAG.finditer(text)):
        if k >= 2 * MAX_TAGS:
            return Extraction(reason=f"more than {MAX_TAGS} <answer> tags (spraying)")
        if m.group(1):  # a closing tag
            if start is None:
                return Extraction(reason="a </answer> without its <answer>")
            found.append(text[start:m.start()])
            start = None
        elif start is not None:
            return Extraction(reason="nested <answer> tags")
        else:
            start = m.end()
    if start is not None:
        return Extraction(reason="an <answer> tag that is never closed")
    if not found:
        return Extraction(reason="no <answer>...</answer> tag")
    distinct = {" ".join(a.split()) for a in found}
    if len(distinct) > 1:
        return Extraction(reason=f"{len(distinct)} different tagged answers (hedging)")
    answer = found[-1].strip()
    if not answer:
        return Extraction(reason="empty <answer> tag")
    if len(answer) > MAX_ANSWER_CHARS:
        return Extraction(reason=f"answer longer than {MAX_ANSWER_CHARS} characters")
    return Extraction(answers=[answer])


def unwrap(answer: str) -> str:
    """Drop presentation that holds the whole answer: `$4$`, `**4**`, `\\boxed{4}`, invisible
    characters, full-width digits (NFKC)."""
    s = nfkc(strip_invisible(answer)).strip().replace("−", "-")
    changed = True
    while changed:
        changed = False
        for head, tail in _WRAPPERS:
            if len(s) > len(head) + len(tail) and s.startswith(head) and s.endswith(tail):
                inner = s[len(head):-len(tail)]
                if "{" in head and inner.count("{") != inner.count("}"):
                    continue  # `\boxed{1}{2}`: not one group
                s, changed = inner.strip(), True
    return s


def canonical_number(text: str) -> str | None:
    """`+1,000.50` -> `1000.5`: one plain decimal number in its shortest spelling, or None."""
    m = _NUMBER.fullmatch(text)
    if not m:
        return None
    sign, whole, frac = m.groups()
    value = Decimal(whole.replace(",", "") + ("." + frac if frac else ""))
    if value == value.to_integral_value():
        out = str(int(value))
    else:
        out = format(value.normalize(), "f")
    return out if sign != "-" or out == "0" else "-" + out


def read_number(answer: str, entry: dict) -> tuple[str | None, str]:
    s = answer
    variable = entry.get("metadata", {}).get("variable")
    if variable:  # simple_equations: `x = 13` names the asked variable
        s = re.sub(rf"^{re.escape(variable)}\s*=\s*", "", s)
    value = canonical_number(s)
    return (value, "") if value is not None else (None, "not one plain number")


def read_base_digits(answer: str, entry: dict) -> tuple[str | None, str]:
    base = int(entry["metadata"]["target_base"])
    s = answer.lower()
    if not re.fullmatch(r"[0-9a-z]{1,64}", s):
        return None, "not one numeral of letters and digits"
    if any(int(c, 36) >= base for c in s):
        return None, f"a digit that base {base} does not have"
    return s.lstrip("0") or "0", ""


def read_word(answer: str, entry: dict) -> tuple[str | None, str]:
    ok = re.fullmatch(r"\w{1,64}", answer)
    return (answer, "") if ok else (None, "not one word")


def read_word_list(answer: str, entry: dict) -> tuple[str | None, str]:
    items = [w.strip() for w in answer.split(",")]
    if len(items) > MAX_ITEMS or not all(re.fullmatch(r"\w{1,64}", w) for w in items):
        return None, "not a comma-separated list of words"
    return ", ".join(items), ""


def read_number_list(answer: str, entry: dict) -> tuple[str | None, str]:
    m = re.fullmatch(r"\[(.*)\]", answer, re.S)
    items = [i.strip() for i in m.group(1).split(",")] if m else []
    if not m or len(items) > MAX_ITEMS:
        return None, "not a list of numbers in brackets"
    values = []
    for item in items:
        if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
            item = item[1:-1].strip()
        if not _PLAIN.fullmatch(item):
            return None, f"{item[:40]!r} is not a plain number"
        values.append(item)
    return str(values), ""


def read_factors(answer: str, entry: dict) -> tuple[str | None, str]:
    s = _POWER.sub(lambda m: " × ".join([m.group(1)] * int(m.group(2) or 1)), answer)
    items = _TIMES.split(s.strip())
    if len(items) > MAX_ITEMS or not all(re.fullmatch(r"\d{1,30}", f) for f in items):
        return None, "not prime factors joined by ×"
    return " × ".join(str(int(f)) for f in items), ""


READERS = {"number": read_number, "base_digits": read_base_digits, "word": read_word,
           "word_list": read_word_list, "number_list": read_number_list, "factors": read_factors}


def exact_numbers(canonical: str, entry: dict) -> str | None:
    """number_sorting only: every value equal to the gold's (the library allows +-1)."""
    got = [Decimal(x) for x in re.findall(r"'([^']*)'", canonical)]
    gold = [Decimal(x) for x in entry["metadata"]["sorted_numbers"]]
    return None if got == gold else "a value differs from the gold's (the library allows 1)"
