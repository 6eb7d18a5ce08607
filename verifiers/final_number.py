"""The value of an answer to a numeric gold, accepted only in a final form (`read_number`).

Split from `answer_form` (shape checks, units, equations) because it is one job: reading
`380`, `\\frac{3}{4}`, `2\\frac{1}{2}`, `1.2 \\times 10^{5}`, `USD 191.40`, `259 cookies`,
`1 \\text{ million}` or `25\\%` as an exact `Fraction`, and refusing everything that still holds
work to do (`19 \\times 20`), a second value (`380 \\text{ (or 381)}`, `2, 500`), an equation
between numbers (`381 = 380`), a unit the question does not use, or a non-finite value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .answer_form import equation_problem, nesting_depth, non_finite, unit_problem
from .math_answer import ZERO_WIDTH

_INT = r"\d+"
_DEC = r"(?:\d+(?:\.\d*)?|\.\d+)"
MAX_SCI_EXPONENT = 400  # `m \\times 10^{k}` with |k| above this is a number bomb, not an answer
_UNICODE_FRACS = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5",
                  "⅖": "2/5", "⅗": "3/5", "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8",
                  "⅜": "3/8", "⅝": "5/8", "⅞": "7/8", "⅐": "1/7", "⅑": "1/9", "⅒": "1/10"}
_MAGNITUDES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_LOWEST = re.compile(r"lowest terms|simplest form|reduced form|fully reduced|simplest terms", re.I)


@dataclass
class NumberReading:
    """An answer read as a number: its value, or why it is not a final numeric answer."""

    value: Fraction | None = None
    percent: bool = False  # written with `%` / "percent"
    reason: str = ""


def asks_lowest_terms(question: str | None) -> bool:
    """True when the question asks for a fraction in lowest terms."""
    return bool(question) and bool(_LOWEST.search(question))


_SCI = re.compile(rf"([-+]?{_DEC})\s*(?:\\times|\\cdot|\*|×|·|x)\s*10\s*\^\s*(?:\{{\s*([-+]?\d+)\s*\}}|([-+]?\d))"
                  rf"|([-+]?{_DEC})[eE]([-+]?\d+)|([-+]?)10\s*\^\s*(?:\{{\s*([-+]?\d+)\s*\}}|(\d))")
_FRAC = re.compile(rf"([-+]?)\\frac\s*(?:\{{\s*([-+]?{_INT})\s*\}}|(\d))\s*(?:\{{\s*([-+]?{_INT})\s*\}}|(\d))"
                   rf"|([-+]?{_INT})\s*/\s*([-+]?{_INT})")
_MIXED = re.compile(rf"({_INT})(?:\s*(\\frac\s*(?:\{{\s*{_INT}\s*\}}|\d)\s*(?:\{{\s*{_INT}\s*\}}|\d))|\s+({_INT}\s*/\s*{_INT}))")


def _unwrap(s: str) -> str:
    """Drop presentation: `\\text{}`-style wrappers, `\\left`, spacing, currency, degrees."""
    s = s.translate(ZERO_WIDTH).replace("−", "-").replace("–", "-")
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    for k, v in _UNICODE_FRACS.items():
        s = re.sub(rf"(\d)\s*{k}", rf"\1 {v}", s).replace(k, v)
    s = re.sub(r"\\(?:text|textbf|textrm|mathbf|mathrm|mbox|operatorname|textnormal)\s*\{([^{}]*)\}",
               r" \1 ", s)
    s = re.sub(r"\\(left|right|displaystyle|!|;|:|quad|qquad)|\\[hv]space\*?\s*\{[^{}]*\}", " ", s)
    s = re.sub(r"(?<=\d)(\{,\}|\\,|\\ |~|\u2009|\u202f|,)(?=\d{3}(?!\d))", "", s)  # 1{,}234
    s = s.replace("\\,", " ").replace("\\ ", " ").replace("~", " ")
    s = re.sub(r"\^\s*\{?\s*\\circ\s*\}?|°|\\degree", " deg ", s)
    s = re.sub(r"\\?\$|\bUS\s*\\?\$|\bUSD\b|€|£|\\euro", " $ ", s)
    return re.sub(r"\s+", " ", s).strip().rstrip(".").strip()


def _core_value(core: str) -> tuple[Fraction | None, str]:
    """The value of a bare numeric literal in a final form, or why it is not one."""
    c = re.sub(r"(?<=\d) (?=\d{3}(?!\d))", "", core.strip())  # `1 000`: SI thousands
    if re.search(r"\d\s+\d", c) and not _MIXED.fullmatch(c.lstrip("-+ ")):
        return None, "two numbers side by side, not one value"
    c = c if _MIXED.fullmatch(c.lstrip("-+ ")) else c.replace(" ", "")
    while c.startswith("(") and c.endswith(")") and nesting_depth(c[1:-1]) == nesting_depth(c) - 1:
        c = c[1:-1].strip()
    if re.fullmatch(r"[-+]\(.*\)", c):
        inner, sign = _core_value(c[2:-1])
        return (-inner if c[0] == "-" and inner is not None else inner), sign
    if re.fullmatch(rf"[-+]?{_DEC}", c):
        return Fraction(c), ""
    m = _SCI.fullmatch(c)
    if m:
        mant = m.group(1) or m.group(4) or (m.group(6) + "1")
        exp = int(m.group(2) or m.group(3) or m.group(5) or m.group(7) or m.group(8))
        if abs(exp) > MAX_SCI_EXPONENT:
            return None, f"a power of ten above 10^{MAX_SCI_EXPONENT} is not a final answer"
        if exp in (0, 1) and not (m.group(4) or m.group(5)):  # `7 \times 10^{1}`: 7 x 10 undone
            return None, "a product with 10^0 or 10^1 is arithmetic left undone"
        return Fraction(mant) * Fraction(10) ** exp, ""
    m = re.fullmatch(r"([-+]?)\\frac\{([^{}]*(?:\{[^{}]*\})?)\}\{([^{}]*(?:\{[^{}]*\})?)\}", c)
    if m and "10^" in c:  # `\frac{1}{10^{30}}`: a fraction of integers and powers of ten
        num, _ = _core_value(m.group(2))
        den, _ = _core_value(m.group(3))
        if num is None or den is None or not den or "." in m.group(2) + m.group(3):
            return None, "not a final numeric value (an unevaluated expression?)"
        return num / den * (-1 if m.group(1) == "-" else 1), ""
    m = _FRAC.fullmatch(c)
    if m:
        if m.group(6):
            sign, num, den = "", m.group(6), m.group(7)
        else:
            sign, num, den = m.group(1), m.group(2) or m.group(3), m.group(4) or m.group(5)
        if int(den) == 0:
            return None, "division by zero"
        return Fraction(int(num), int(den)) * (-1 if sign == "-" else 1), "fraction"
    neg = core.strip().startswith("-")
    m = _MIXED.fullmatch(core.strip().lstrip("-+").strip())
    if m:
        frac, _ = _core_value((m.group(2) or m.group(3)).strip())
        if frac is not None and 0 < frac < 1:
            v = int(m.group(1)) + frac
            return (-v if neg else v), "mixed"
    return None, "not a final numeric value (an unevaluated expression?)"


def read_number(answer: str, question: str | None = None, lowest_terms: bool = False) -> NumberReading:
    """The value of an answer to a numeric gold, accepted only in a final form.

    Accepted: `[sign] digits[.digits]` (thousands separators `1,234`, `1{,}234`, `1\\,234`),
    scientific notation (`1.2 \\times 10^{5}`, `1.2e5`, `10^{-3}`), a fraction of two integers
    (`\\frac{3}{4}`, `3/4`, unicode `½`; in lowest terms when `lowest_terms`), a mixed number
    (`2\\frac{1}{2}`, `2½`), optionally in parentheses; then presentation around it: `x =`,
    currency (`\\$`, `USD`), `%`/"percent", degrees, a magnitude word (`1 \\text{ million}`) and a
    unit word that the question mentions (`259 cookies`, `380 km` for a question in kilometres).
    Refused: arithmetic left to do (`19 \\times 20`, `2^3`, `\\sqrt{4}`), two values, equations
    between numbers (`381 = 380`), words that hedge (`380 (or 381)`), non-finite values.
    """
    s = _unwrap(answer)
    if non_finite(s):
        return NumberReading(reason="a non-finite value (infinity, NaN, undefined or division by 0)")
    why = equation_problem(s)
    if why:
        return NumberReading(reason=why)
    s = s.partition("=")[2].strip() if "=" in s else s
    s = re.sub(r"^\$\s*|\s*\$$", "", s).strip()
    percent = False
    m = re.search(r"\s*(\\%|%|\bper\s*cent\b|\bpercent(age)?\b)$", s)
    if m:
        percent, s = True, s[:m.start()].strip()
    scale, unit = 1, ""
    m = re.fullmatch(r"(.*?[\d})])\s*([A-Za-z][A-Za-z .\-/$]*?)?\s*", s)
    if m and m.group(2):
        s, unit = m.group(1).strip(), m.group(2).strip()
        words = unit.split()
        if words and words[0].lower() in _MAGNITUDES:
            scale, unit = _MAGNITUDES[words[0].lower()], " ".join(words[1:])
        if unit:
            why = unit_problem(unit.replace("$", "dollar").strip(), question)
            if why:
                return NumberReading(reason=why)
    value, form = _core_value(s)
    if value is None:
        return NumberReading(reason=form)
    if lowest_terms and form in ("fraction", "mixed"):
        m = _FRAC.search(s)
        nums = [int(g) for g in (m.groups() if m else ()) if g and g.lstrip("-+").isdigit()]
        if len(nums) == 2 and (abs(Fraction(*nums).numerator) != abs(nums[0]) or abs(nums[1]) == 1):
            return NumberReading(reason="fraction not in lowest terms, which the question asks for")
    return NumberReading(value=value * scale, percent=percent)
