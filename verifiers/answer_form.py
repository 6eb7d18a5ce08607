"""What a final answer may look like: text-level checks that run before any parser.

A verifier that only asks "is the value equal?" pays a policy for echoing the question
(`\\boxed{19 \\times 20}` for "What is 19x20?"), for infinities that a tolerance check equates
with every number, and for answers that hang the parser. These checks are pure string work,
linear in the answer, and run before sympy or math-verify see the text:

- `pathological(answer)`: too long, bracket nesting deeper than `MAX_DEPTH`, power towers
  (exponents nested `MAX_POWER_DEPTH` deep), relations (`<`, `\\le`, `\\neq`), and big operators
  or combinatorial functions the gold does not use (`\\prod`, `\\sum`, `\\binom`, `!`, ...).
- `non_finite(answer)`: infinity, NaN, `zoo`, "undefined", division by a literal zero.
- `read_number(answer, question)`: the value of an answer to a *numeric* gold, accepted only in a
  final form (see its docstring); anything else (arithmetic left to do, two values, words that
  hedge) is refused with a reason.
- `equation_problem(answer, gold)`: an `=` whose left side is not a name (`381 = 380`).
- `hidden_value(answer, gold)`: a second value where the parsers do not look (`\\text{}` other
  than a trailing unit, subscripts holding math, zero factors, absolute values).
- `not_final(answer, gold, question)`: for non-numeric golds, arithmetic between two literals,
  operations the gold does not use, a math span of the question echoed back, hidden values.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

MAX_CHARS = 2000
MAX_DEPTH = 12  # brackets nested deeper than this are not a final answer
MAX_POWER_DEPTH = 3  # `a^{b^{c^{d}}}`: a tower, refused before sympy builds it
MAX_SCI_EXPONENT = 400  # `m \times 10^{k}` with |k| above this is a number bomb, not an answer

_RELATION = re.compile(r"\\(le|ge|leq|geq|neq|ne|lt|gt|leqslant|geqslant|ll|gg|approx"
                       r"|sim|simeq|equiv|cong|propto|subset|notin)(?![A-Za-z])"
                       r"|[<>≤≥≠≈]|!=")
_BIG_OPS = re.compile(r"\\(prod|sum|int|iint|iiint|oint|lim|limsup|liminf|binom|dbinom|tbinom|"
                      r"choose|Gamma|zeta|partial|frac\{d|mathrm\{d\})(?![A-Za-z])|(?<!\\)!")
_NON_FINITE = re.compile(r"\\infty|∞|\\infin\b|(?<![A-Za-z])(oo|inf|infinity|infinite|nan|zoo|"
                         r"undefined|indeterminate|dne|none)(?![A-Za-z])|\\text\{\s*(DNE|undefined)",
                         re.I)
_ZERO_DIV = re.compile(r"/\s*\(?\s*[-+]?0+(\.0*)?\s*\)?(?![\d.])|\\frac\{[^{}]*\}\{\s*[-+]?0+(\.0*)?\s*\}")
_UNICODE_FRACS = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5",
                  "⅖": "2/5", "⅗": "3/5", "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8",
                  "⅜": "3/8", "⅝": "5/8", "⅞": "7/8", "⅐": "1/7", "⅑": "1/9", "⅒": "1/10"}
_MAGNITUDES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# words that turn a number into a hedge or a bound; never part of a unit
_HEDGE_WORDS = {"or", "and", "more", "less", "than", "about", "approximately", "approx", "around",
                "roughly", "least", "most", "maybe", "perhaps", "not", "nearly", "almost", "over",
                "under", "plus", "minus", "between", "to", "either", "possibly", "probably",
                "also", "else", "up", "above", "below", "exactly", "times", "if", "but", "no",
                "is", "are", "answer", "wrong", "correct", "right", "any", "every", "all"}
# unit abbreviations -> word stems one of which the question must mention
_ABBREV = {"km": ("kilomet", "km"), "m": ("metre", "meter"), "cm": ("centimet", "cm"),
           "mm": ("millimet", "mm"), "kg": ("kilogram", "kg"), "g": ("gram",), "mg": ("milligram",),
           "l": ("litre", "liter"), "ml": ("millilit", "ml"), "h": ("hour", "km/h"),
           "hr": ("hour",), "hrs": ("hour",), "min": ("minute",), "mins": ("minute",),
           "s": ("second",), "sec": ("second",), "secs": ("second",), "mi": ("mile",),
           "ft": ("feet", "foot"), "in": ("inch",), "lb": ("pound",), "lbs": ("pound",),
           "oz": ("ounce",), "mph": ("mile",), "kmh": ("km/h", "kilomet"),
           "usd": ("$", "dollar", "price", "cost", "pay", "spend", "earn", "money"),
           "dollar": ("$", "dollar", "price", "cost", "pay", "spend", "earn", "money"),
           "cent": ("cent", "$"), "deg": ("degree", "angle"), "degree": ("degree", "angle", "°")}
_LOWEST = re.compile(r"lowest terms|simplest form|reduced form|fully reduced|simplest terms", re.I)
_INT = r"\d+"
_DEC = r"(?:\d+(?:\.\d*)?|\.\d+)"


@dataclass
class NumberReading:
    """An answer read as a number: its value, or why it is not a final numeric answer."""

    value: Fraction | None = None
    percent: bool = False  # written with `%` / "percent"
    reason: str = ""


def nesting_depth(s: str) -> int:
    """The deepest bracket nesting of `s` (`{`, `(`, `[`; escaped `\\{` counts too)."""
    depth = best = 0
    for c in s:
        if c in "{([":
            depth += 1
            best = max(best, depth)
        elif c in "})]":
            depth = max(0, depth - 1)
    return best


def power_depth(s: str) -> int:
    """How deeply exponents nest: `x^2` is 1, `e^{x^2}` 2, `e^{e^{e^e}}` and `2^2^2^2` 3.

    A bare exponent is one token (a number, a letter or a command), as in LaTeX; a group right
    after `^` (`^{...}`, `^(...)`) is one level deeper; `(a^b)^c` stays at depth 1.
    """
    stack: list[tuple[int, int, bool]] = []  # (level, chain, group is an exponent) per bracket
    level = chain = best = 0
    exp_ended = False  # the previous token was an exponent: a `^` now continues the chain
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
            continue
        if c == "^" or s.startswith("**", i):
            chain = chain + 1 if exp_ended else 1
            best = max(best, level + chain)
            i += 1 if c == "^" else 2
            while i < n and s[i].isspace():
                i += 1
            if i < n and s[i] in "{([":
                stack.append((level, chain, True))
                level, chain, exp_ended = level + chain, 0, False
                i += 1
                continue
            tok = re.match(r"\d+(\.\d+)?|\\[A-Za-z]+|.", s[i:i + 64], re.S)
            i += len(tok.group(0)) if tok else 0
            exp_ended = True
            continue
        if c in "{([":
            stack.append((level, chain, False))
            chain, exp_ended = 0, False
        elif c in "})]":
            level, chain, exp_ended = stack.pop() if stack else (0, 0, False)
            chain = chain if exp_ended else 0
        else:
            exp_ended = False
        i += 1
    return best


def pathological(answer: str, gold: str = "") -> str | None:
    """Why `answer` cannot be a final answer to `gold` on its shape alone, or None."""
    if len(answer) > MAX_CHARS:
        return f"answer longer than {MAX_CHARS} characters"
    if "\x00" in answer or any(unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\n\t\r"
                               for c in answer):
        return "control or binary characters in the answer"
    if nesting_depth(answer) > MAX_DEPTH:
        return f"brackets nested more than {MAX_DEPTH} deep"
    if power_depth(answer) >= MAX_POWER_DEPTH:
        return "a power tower (exponents nested 3 deep) is not a final answer"
    rel = _RELATION.search(answer)
    if rel and not _RELATION.search(gold):
        return f"a relation ({rel.group(0)!r}), not a value"
    used = {m.group(0) for m in _BIG_OPS.finditer(answer)} - {m.group(0) for m in _BIG_OPS.finditer(gold)}
    if used:
        return f"unevaluated {sorted(used)[0]!r}: not a final answer"
    if re.search(r"\\(boxed|fbox|framebox)(?![A-Za-z])", answer):
        return "a box inside the boxed answer"
    if "\\binom" in answer and "^" in answer:
        return "a binomial of a power: too large to be a final answer"
    return None


def non_finite(text: str) -> bool:
    """True when `text` names infinity, NaN or an undefined value, or divides by a literal 0."""
    return bool(_NON_FINITE.search(text) or _ZERO_DIV.search(text))


# a name for the answer on the left of `=`: `x`, `y_1`, `f(x)`, `f'(x)`, `\\frac{dy}{dx}`, `answer`
LABEL = re.compile(r"[A-Za-z](_\{?\w+\}?)?('{1,2}|\^\{?\\prime\}?)?(\s*\\left)?(\s*\(\s*[a-z]\s*(\\right)?\))?"
                   r"|\\frac\{d\s*[a-z]?\}\{d\s*[a-z]\}|[A-Za-z][A-Za-z ]{0,30}")


def top_level_split(text: str, seps: str = ",;") -> list[str]:
    """Split at separators outside brackets: `(1, 2), 3` -> [`(1, 2)`, `3`]."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in (q.strip() for q in parts) if p]


def equation_problem(answer: str, gold: str = "") -> str | None:
    """Why an `=` in the answer hides a claim (`381 = 380`, `19 \\times 20 = 380`), or None.

    One `=` whose left side names the answer (`LABEL`) is presentation; when the gold itself is
    an equation (`y = 2x + 1`) the sides are the verifier's business.
    """
    if "=" not in answer or "=" in gold:
        return None
    for item in top_level_split(answer):  # `x = 2, x = 3` lists two named values
        if item.count("=") > 1:
            return "a chain of equalities, not a final value"
        lhs = item.partition("=")[0].strip()
        if "=" in item and not LABEL.fullmatch(lhs):
            return f"an equation ({lhs[:30]!r} = ...): box only the answer"
    return None


def asks_lowest_terms(question: str | None) -> bool:
    """True when the question asks for a fraction in lowest terms."""
    return bool(question) and bool(_LOWEST.search(question))


def _variants(word: str) -> set[str]:
    w = word.lower()
    out = {w}
    if w.endswith("ies"):
        out.add(w[:-3] + "y")
    if w.endswith("es"):
        out.add(w[:-2])
    if w.endswith("s"):
        out.add(w[:-1])
    return out


def unit_problem(unit: str, question: str | None) -> str | None:
    """Why a unit written after the number is not acceptable, or None (see module docstring)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z .\-/]{0,39}", unit):
        return f"text {unit[:40]!r} after the number is not a unit"
    words = re.findall(r"[A-Za-z]+", unit)
    if len(words) > 3 or any(w.lower() in _HEDGE_WORDS for w in words):
        return f"{unit[:40]!r} after the number hedges or qualifies it"
    if not question:  # no question to match: any word, but single letters only as known units
        bad = [w for w in words if len(w) == 1 and w.lower() not in _ABBREV]
        return f"{bad[0]!r} after the number is not a unit" if bad else None
    q = question.lower()
    q_words = set().union(*(_variants(w) for w in re.findall(r"[a-z]+", q))) | {"$"}
    for w in words:
        stems = _ABBREV.get(w.lower(), ()) or next(
            (_ABBREV[v] for v in _variants(w) if v in _ABBREV), ())
        if _variants(w) & q_words and w.lower() not in ("m", "s", "h", "g", "l"):
            continue
        if any(re.search(r"(?<![a-z])" + re.escape(stem.strip()), q) for stem in stems):
            continue
        return f"unit {w!r} is not what the question asks for"
    return None


_SCI = re.compile(rf"([-+]?{_DEC})\s*(?:\\times|\\cdot|\*|×|·|x)\s*10\s*\^\s*(?:\{{\s*([-+]?\d+)\s*\}}|([-+]?\d))"
                  rf"|([-+]?{_DEC})[eE]([-+]?\d+)|([-+]?)10\s*\^\s*(?:\{{\s*([-+]?\d+)\s*\}}|(\d))")
_FRAC = re.compile(rf"([-+]?)\\frac\s*(?:\{{\s*([-+]?{_INT})\s*\}}|(\d))\s*(?:\{{\s*([-+]?{_INT})\s*\}}|(\d))"
                   rf"|([-+]?{_INT})\s*/\s*([-+]?{_INT})")
_MIXED = re.compile(rf"({_INT})(?:\s*(\\frac\s*(?:\{{\s*{_INT}\s*\}}|\d)\s*(?:\{{\s*{_INT}\s*\}}|\d))|\s+({_INT}\s*/\s*{_INT}))")


def _unwrap(s: str) -> str:
    """Drop presentation: `\\text{}`-style wrappers, `\\left`, spacing, currency, degrees."""
    s = s.replace("−", "-").replace("–", "-").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    for k, v in _UNICODE_FRACS.items():
        s = re.sub(rf"(\d)\s*{k}", rf"\1 {v}", s).replace(k, v)
    s = re.sub(r"\\(?:text|textbf|textrm|mathbf|mathrm|mbox|operatorname|textnormal)\s*\{([^{}]*)\}",
               r" \1 ", s)
    s = re.sub(r"\\(left|right|displaystyle|!|;|:|quad|qquad)", " ", s)
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


_LITERAL_OP = re.compile(rf"(?<![\w^.\\*]){_DEC}\s*(\+|-)\s*{_DEC}(?![\w.^\\({{])"
                         rf"|(?<![\w^.\\*]){_DEC}\s*(\\times|\\cdot|\*|×|·|\\div|÷)\s*{_DEC}(?![\w.^])"
                         rf"|(?<![\w^.]){_DEC}\s*\^\s*\{{?\s*\d")
# `+ 0 \\cdot W` pads a right answer with anything: a literal zero factor is never final
_ZERO_TIMES = re.compile(r"(?<![\d.])0\s*(\\cdot|\\times|\*)|(\\cdot|\\times|\*)\s*0(?![\d.])")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textrm|mathrm|mbox|operatorname|textnormal)\s*\{")


def _text_command(s: str) -> tuple[int, int, str] | None:
    """The first `\\text{...}`-like command: (start, end, content), braces matched."""
    m = _TEXT_CMD.search(s)
    if not m:
        return None
    depth = 1
    for i in range(m.end(), len(s)):
        depth += (s[i] == "{") - (s[i] == "}")
        if depth == 0:
            return m.start(), i + 1, s[m.end():i]
    return m.start(), len(s), s[m.end():]
_SUBSCRIPTED = re.compile(r"[\d})\]]\s*_|_\s*\{[^{}]*[^\w\s{},][^{}]*\}")  # `x_{1,2}` is a name
# `\ln|x|`, `\ln\left|x\right|`, `\ln(|x|)`, `log(abs(x))`: the usual antiderivative, not a hedge
_LOG_ABS = re.compile(r"(\\ln|\\log|ln|log)\s*(\\left\s*)?\(?\s*((\\left\s*)?\|[^|]*\||\\lvert.*?\\rvert|"
                      r"(abs|Abs)\([^()]*\))")
_OP_CLASSES = {"\\sqrt": "root", "√": "root", "^": "power", "\\exp": "power", "**": "power",
               "\\sin": "trig", "\\cos": "trig", "\\tan": "trig", "\\cot": "trig", "\\sec": "trig",
               "\\csc": "trig", "\\arc": "trig", "\\log": "log", "\\ln": "log", "\\lg": "log",
               "sqrt": "root", "exp": "power", "sin": "trig", "cos": "trig", "tan": "trig",
               "log": "log", "ln": "log"}


def _op_classes(s: str) -> set[str]:
    return {cls for tok, cls in _OP_CLASSES.items() if tok in s}


def math_spans(question: str | None) -> list[str]:
    """The math of a question (`$...$`, `\\(...\\)` spans), for spotting an echoed question."""
    if not question:
        return []
    return [a or b for a, b in re.findall(r"\$+([^$]+)\$+|\\\((.+?)\\\)", question)]


def hidden_value(answer: str, gold: str = "") -> str | None:
    """Why `answer` may hide a second value where the parsers do not look, or None.

    math-verify and latex2sympy drop `\\text{}` (as units) and subscripts, a zero factor makes
    any term vanish (`+ 0 \\cdot W`), and `|f|` equals `f` wherever f is positive: text other
    than a trailing unit word, subscripts on numbers or holding math, zero factors, and absolute
    values the gold does not use (`\\ln|x|` aside) are refused.
    """
    if _ZERO_TIMES.search(answer):
        return "a zero factor pads the answer: not a final form"
    text = _text_command(answer)
    if text and text[2].strip() and (answer[text[1]:].strip(" .") or unit_problem(text[2].strip(), None)):
        return f"text {answer[text[0]:text[1]][:40]!r} in the answer: only a trailing unit word may be text"
    if _SUBSCRIPTED.search(answer) and not _SUBSCRIPTED.search(gold):
        return "a subscript on a number or holding math hides a second expression"
    bars = _LOG_ABS.sub("", answer)
    if re.search(r"\||\\lvert|\\abs\b|Abs\(|abs\(", bars) and not re.search(r"\||Abs|abs", gold):
        return "an absolute value the answer does not need"
    return None


def not_final(answer: str, gold: str, question: str | None = None,
              normalize=lambda t: re.sub(r"\s+", "", t)) -> str | None:
    """For a non-numeric gold: why `answer` still holds work to do or hides a second value."""
    if _LITERAL_OP.search(answer) and not _LITERAL_OP.search(gold):
        return "arithmetic between numbers left undone: not a final answer"
    hidden = hidden_value(answer, gold)
    if hidden:
        return hidden
    extra = _op_classes(answer) - _op_classes(gold)
    if extra:
        return f"uses {sorted(extra)[0]} operations the answer does not need: not a final form"
    a = normalize(answer)
    if a != normalize(gold) and any(a == normalize(sp) for sp in math_spans(question)):
        return "the answer repeats the question's expression"
    return None
