"""What a final answer may look like: text-level checks that run before any parser.

A verifier that only asks "is the value equal?" pays a policy for echoing the question
(`\\boxed{19 \\times 20}` for "What is 19x20?"), for infinities that a tolerance check equates
with every number, and for answers that hang the parser. These checks are pure string work,
linear in the answer, and run before sympy or math-verify see the text:

- `pathological(answer)`: too long, bracket nesting deeper than `MAX_DEPTH`, power towers
  (exponents nested `MAX_POWER_DEPTH` deep), relations (`<`, `\\le`, `\\neq`), and big operators
  or combinatorial functions the gold does not use (`\\prod`, `\\sum`, `\\binom`, `!`, ...).
- `non_finite(answer)`: infinity, NaN, `zoo`, "undefined", division by a literal zero.
- `unit_problem(unit, question)`: a unit word after a number must be one the question uses.
The value of an answer to a numeric gold is read by `final_number.read_number`.
- `equation_problem(answer, gold)`: an `=` whose left side is not a name (`381 = 380`).
- `hidden_value(answer, gold)`: a second value where the parsers do not look (`\\text{}` other
  than a trailing unit, subscripts holding math, zero factors, absolute values).
- `not_final(answer, gold, question)`: for non-numeric golds, arithmetic between two literals,
  operations the gold does not use, a math span of the question echoed back, hidden values.
"""
from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000
MAX_DEPTH = 12  # brackets nested deeper than this are not a final answer
MAX_POWER_DEPTH = 3  # `a^{b^{c^{d}}}`: a tower, refused before sympy builds it

_RELATION = re.compile(r"\\(le|ge|leq|geq|neq|ne|lt|gt|leqslant|geqslant|ll|gg|approx"
                       r"|sim|simeq|equiv|cong|propto|subset|notin)(?![A-Za-z])"
                       r"|[<>≤≥≠≈]|!=")
# an interval gold (`(-\\infty, 2]`, `[1, 3) \\cup (4, 5]`) may be answered with inequalities
_INTERVAL = re.compile(r"(\\left)?[\[(].*,.*(\\right)?[\])](\s*\\cup\s*(\\left)?[\[(].*,.*(\\right)?[\])])*")
_BIG_OPS = re.compile(r"\\(prod|sum|int|iint|iiint|oint|lim|limsup|liminf|binom|dbinom|tbinom|"
                      r"choose|Gamma|zeta|partial|frac\{d|mathrm\{d\})(?![A-Za-z])|(?<!\\)!")
_NON_FINITE = re.compile(r"\\infty|∞|\\infin\b|(?<![A-Za-z])(oo|inf|infinity|infinite|nan|zoo|"
                         r"undefined|indeterminate|dne|none)(?![A-Za-z])|\\text\{\s*(DNE|undefined)",
                         re.I)
_ZERO_DIV = re.compile(r"/\s*\(?\s*[-+]?0+(\.0*)?\s*\)?(?![\d.])|\\frac\{[^{}]*\}\{\s*[-+]?0+(\.0*)?\s*\}")
# words that turn a number into a hedge or a bound; never part of a unit
_HEDGE_WORDS = {"or", "and", "more", "less", "than", "about", "approximately", "approx", "around",
                "roughly", "least", "most", "maybe", "perhaps", "not", "nearly", "almost", "over",
                "under", "plus", "minus", "between", "to", "either", "possibly", "probably",
                "also", "else", "up", "above", "below", "exactly", "times", "if", "but", "no",
                "is", "are", "answer", "wrong", "correct", "right", "any", "every", "all", "odd",
                "circa", "ca", "est", "estimated", "likely", "ish", "some", "guess", "unsure"}
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
_DEC = r"(?:\d+(?:\.\d*)?|\.\d+)"


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
    if rel and not _RELATION.search(gold) and not _INTERVAL.fullmatch(gold.strip()):
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


def _variants(word: str) -> set[str]:
    w = word.lower().replace("meter", "metre").replace("liter", "litre")  # US and UK spellings
    out = {w}
    if w.endswith("ies"):
        out.add(w[:-3] + "y")
    if w.endswith("es"):
        out.add(w[:-2])
    if w.endswith("s"):
        out.add(w[:-1])
    return out


# a unit word or abbreviation -> the unit it names (singular, UK spelling); `mph` is a compound
_UNIT_NAMES = {"km": "kilometre", "kms": "kilometre", "m": "metre", "cm": "centimetre",
               "mm": "millimetre", "kg": "kilogram", "kgs": "kilogram", "g": "gram",
               "mg": "milligram", "l": "litre", "ml": "millilitre", "h": "hour", "hr": "hour",
               "hrs": "hour", "min": "minute", "mins": "minute", "s": "second", "sec": "second",
               "secs": "second", "mi": "mile", "ft": "foot", "feet": "foot", "in": "inch",
               "lb": "pound", "lbs": "pound", "oz": "ounce", "yd": "yard", "yr": "year",
               "yrs": "year", "mph": "mile/hour", "kmh": "kilometre/hour", "kph": "kilometre/hour",
               "usd": "dollar", "deg": "degree"}
# "How many [more] pencils ..." / "How many kilometres per hour ...": the quantity asked for
_ASKED = re.compile(r"\bhow\s+many\s+(?:(?:more|fewer|less|extra|additional|total|different|whole|full)\s+)*"
                    r"([a-z]+(?:\s*/\s*[a-z]+|\s+per\s+[a-z]+)?)", re.I)
_NOT_NOUNS = {"of", "times", "are", "is", "was", "were", "do", "does", "did", "will", "would",
              "can", "could", "should", "have", "has", "had", "in", "on", "at", "he", "she", "they",
              "we", "you", "it", "there"}


def _unit_keys(phrase: str) -> set[str]:
    """The units a phrase may name: `km/h`, `kilometers per hour` -> {'kilometre/hour', ...}."""
    keys = {""}
    for part in re.split(r"\s*/\s*|\s+per\s+", phrase.lower().strip())[:3]:
        word = (part.split() or [""])[0]
        opts = {_UNIT_NAMES.get(v, v) for v in _variants(word)}
        keys = {f"{k}/{o}" if k else o for k in keys for o in opts}
    return keys


def asked_quantity_problem(unit: str, question: str) -> str | None:
    """Why `unit` does not name what the question asks "how many" of, or None (also when the
    question asks no "how many"): 145 boxes do not answer "how many pencils", nor km/h "how
    many kilometres"; `kilometers`, `km` and `kilometres` all name the same unit."""
    asked = [m.group(1) for m in _ASKED.finditer(question)
             if m.group(1).split()[0].lower() not in _NOT_NOUNS]
    if not asked or not unit.strip():
        return None
    head = re.match(r"[^\s/]+(?:\s*/\s*[^\s/]+|\s+per\s+\S+)?", unit.strip())
    if _unit_keys(head.group(0) if head else unit) & _unit_keys(asked[-1]):
        return None
    return f"unit {unit[:40]!r} does not name what the question asks for ({asked[-1]!r})"


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
    why = asked_quantity_problem(unit, question)
    if why:
        return why
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


_LITERAL_OP = re.compile(rf"(?<![\w^.\\*]){_DEC}\s*(\+|-)\s*{_DEC}(?![\w.^\\({{])"
                         rf"|(?<![\w^.\\*]){_DEC}\s*(\\times|\\cdot|\*|×|·|\\div|÷)\s*{_DEC}(?![\w.^])"
                         rf"|(?<![\w^.]){_DEC}\s*\^\s*(\{{\s*\d+\s*\}}|\d)")  # `2^3`; `2^{1/3}` is a root
# `+ 0 \\cdot W` pads a right answer with anything: a literal zero factor is never final
_ZERO_TIMES = re.compile(r"(?<![\d.])0\s*(\\cdot|\\times|\*)|(\\cdot|\\times|\*)\s*0(?![\d.])")
# `+ 0x^{100}`, `+ \\frac{0}{x+4}`, `0/(x+4)`: a zero term pads a right answer with anything
_ZERO_TERM = re.compile(r"\\[dt]?frac\s*\{\s*[-+]?0+(\.0*)?\s*\}|(?<![\w.^{}\\])0+\s*(?:[a-zA-Z(]|/|\\(?:"
                        r"[dt]?frac|sqrt|sin|cos|tan|ln|log|exp|pi|left\s*\(|mathrm|operatorname)(?![a-zA-Z]))")
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


_FRACTIONAL_POWER = re.compile(r"\^\s*\{\s*(\(?\s*[-+]?\d+\s*/\s*\d+\s*\)?|\\[dt]?frac\s*\{?\d+\}?\s*\{?\d+\}?)\s*\}"
                               r"|\*\*\s*\(\s*[-+]?\d+\s*/\s*\d+\s*\)")
# `\sqrt{12}`, `\sqrt[3]{16}`, `12^{1/2}`: an integer radicand, with its root index (2 for \sqrt)
_RADICAND = re.compile(r"\\sqrt\s*(?:\[\s*(\d+)\s*\])?\s*(?:\{\s*(\d+)\s*\}|(\d+))|sqrt\(\s*(\d+)\s*\)"
                       r"|(?<![\w.])(\d+)\s*(?:\^|\*\*)\s*[{(]\s*[-+]?\d+\s*/\s*(\d+)\s*[})]")
_SIMPLEST = re.compile(r"simplest (radical )?form|simplif|lowest terms", re.I)


def _op_classes(s: str) -> set[str]:
    s = _FRACTIONAL_POWER.sub(lambda _: "\\sqrt", s)  # a fractional power is a root, whichever way written
    return {cls for tok, cls in _OP_CLASSES.items() if tok in s}


def unsimplified_radical(s: str) -> bool:
    """True when an integer radicand still holds a perfect power (`\\sqrt{12}`, `27^{1/2}`)."""
    for m in _RADICAND.finditer(s):
        k = int(m.group(1) or m.group(6) or 2)
        n = int(m.group(2) or m.group(3) or m.group(4) or m.group(5))
        if k < 2 or n > 10**12:
            return k >= 2  # a huge radicand is not a simplified form either
        d = 2
        while d ** k <= n:
            if n % d ** k == 0:
                return True
            d += 1
    return False


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
    if _ZERO_TERM.search(answer) and not _ZERO_TERM.search(gold):
        return "a zero term or zero coefficient written out: not a final form"
    extra = _op_classes(answer) - _op_classes(gold)
    if extra:
        return f"uses {sorted(extra)[0]} operations the answer does not need: not a final form"
    a = normalize(answer)
    if a != normalize(gold) and any(a == normalize(sp) for sp in math_spans(question)):
        return "the answer repeats the question's expression"
    if (question and _SIMPLEST.search(question) and unsimplified_radical(answer)
            and not unsimplified_radical(gold)):
        return "not in simplest radical form, which the question asks for"
    return None
