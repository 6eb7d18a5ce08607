"""Short final answers: one marked answer, matched as a normalised string or as a number.

Used by the tool-use envs (`search_kb`, `tool_calc`) whose answers are a name, a year or a
measured quantity. The answer must be marked: inside `\\boxed{...}` or on an `Answer:` line.
Every marked answer counts, and every one must match, so hedging (`\\boxed{12}` ... `\\boxed{13}`)
scores 0, and so does an unmarked answer (lenient extraction is a known reward hack). A number
may carry a unit after it, but not a qualifier: `25.69 or more`, `at least 25.69`, `25.69 give
or take` are not numbers. Names match after normalising, also with a place designator moved
(`Embkes River` for `River Embkes`) or as `Surname, First`. Markers are found after folding
look-alike letters (`fold_lookalikes`), so a Cyrillic `Аnswer:` line is an answer too. A caller
that knows the asked unit passes `unit_ok` to refuse a number in another unit (`litres` for
dollars).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ANSWER_LINE = re.compile(r"^[ \t>*_#-]*(?:final\s+)?answer[ \t*_]*[:：](.*)$", re.I | re.M)
_LATEX_WRAP = re.compile(r"\\(?:text|textbf|mathrm|mathbf|operatorname|emph)\s*\{([^{}]*)\}")
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+"
# A unit after the number ("km/h", "m^2", "°F", "%", "people"): digits only as powers of a unit.
_UNIT = r"(?:[A-Za-z°%µ²³$€£/\s.\-*·]|(?<=[A-Za-z)])\^?\{?[23]\}?)*"
# Rounding markers only: the tolerance, not the wording, decides how close is close enough.
_APPROX_PREFIX = r"(?:≈|~|about|approx(?:imately|\.)?|roughly|\\approx|=)?"
_CURRENCY_PREFIX = r"(?:USD|US\$|EUR|GBP|€|£)?"
_YEAR_PREFIX = r"(?:in\s+(?:the\s+year\s+)?|(?:the\s+)?year\s+)?"  # "in 1934", "the year 1934"
_QUANTITY = re.compile(rf"^\s*{_YEAR_PREFIX}{_APPROX_PREFIX}\s*(?P<cur>{_CURRENCY_PREFIX})\s*(?P<num>{_NUMBER})\s*"
                       rf"(?P<unit>{_UNIT})$", re.I)
# Words that turn "a number and its unit" into a claim about a range or several numbers.
_QUALIFIERS = frozenset("""or and nor more less than least most at up to over under above below
    plus minus give take between nearly almost around about approximately roughly maybe perhaps
    possibly probably likely not no either any higher lower greater fewer max min maximum
    minimum ish odd some something range estimate estimated guess if unless but else
    otherwise exactly except vs versus until from by within close approx approximate circa ca
    tops ballpark upward upwards downward downwards thereabouts plausibly assuming""".split())
MAX_UNIT_WORDS = 4
MAX_ANSWER_CHARS = 300  # a marked answer is a name or a number; longer is prose
MAX_DISTINCT_ANSWERS = 8
_FRACTION = re.compile(rf"^\s*(?P<a>{_NUMBER})\s*/\s*(?P<b>{_NUMBER})\s*$")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
# Letters that look Latin (Cyrillic, Greek, Armenian): an `Аnswer:` label with a Cyrillic А is
# still read as an answer label, so it must count as one (else it hides a second answer).
_CONFUSABLES = str.maketrans(
    "АВЕКМНОРСТУХЅІЈԁаеорсухѕіјһԛԝүӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧαιονρτυχϲϳոսօ",
    "ABEKMHOPCTYXSIJdaeopcyxsijhqwylABEZHIKMNOPTYXaiovptuxcjnuo")
# Invisible format characters (zero-width space/joiners, soft hyphen, BOM, bidi marks).
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x180E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF,
     *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def fold_lookalikes(text: str) -> str:
    """`text` as a reader sees it: NFKC (fullwidth and styled letters become plain), invisible
    format characters dropped, Cyrillic/Greek look-alikes of Latin letters made Latin."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).translate(_CONFUSABLES)


def _boxed_contents(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Contents of every `\\boxed{...}` (nested braces allowed) and their spans, outermost
    boxes only, in one linear pass (an unclosed `\\boxed{` flood must not cost a scan each)."""
    opens = {m.end() - 1: m.start() for m in _BOXED.finditer(text)}  # brace index -> box start
    found, spans, stack, boxes_open = [], [], [], 0
    for m in re.finditer(r"[{}]", text):
        if m.group() == "{":
            stack.append(m.start())
            boxes_open += m.start() in opens
        elif stack:
            brace = stack.pop()
            if brace in opens:
                boxes_open -= 1
                if not boxes_open:  # an outermost box closed
                    found.append(text[brace + 1:m.start()])
                    spans.append((opens[brace], m.end()))
    order = sorted(range(len(spans)), key=lambda k: spans[k][0])
    return [found[k] for k in order], [spans[k] for k in order]


def final_answers(text: str) -> list[str]:
    """Every marked final answer in `text`: `\\boxed{}` contents and `Answer:` lines.

    An `Answer:` line that holds a box is counted once, through its box. Markers are found
    after `fold_lookalikes`, so a label or box spelled with look-alike letters still counts.
    """
    text = fold_lookalikes(text)
    boxed, spans = _boxed_contents(text)
    unboxed = text
    for start, end in reversed(spans):
        unboxed = unboxed[:start] + unboxed[end:]
    lines = []
    for m in _ANSWER_LINE.finditer(unboxed):
        line = m.group(1)
        if not line.strip():  # "Answer:" alone on its line: the answer is the next line
            rest = unboxed[m.end():].lstrip("\n")
            line = rest.split("\n", 1)[0] if rest else ""
        lines.append(line)
    lines = [ln.strip().strip("*_").strip() for ln in lines]
    return [a.strip() for a in boxed] + [ln for ln in lines if ln]


def _clean_latex(s: str) -> str:
    # Folded like the markers were, so gold and answer (Cyrillic, Greek, fullwidth) meet alike.
    s = unicodedata.normalize("NFKC", fold_lookalikes(s)).replace("−", "-")
    for _ in range(3):  # wrappers may nest: \text{\textbf{x}}
        s = _LATEX_WRAP.sub(r"\1", s)
    s = _FRAC.sub(r"(\1)/(\2)", s)
    for token in ("\\$", "$", "\\,", "\\!", "\\;", "\\ ", "{,}", "~", "\\left", "\\right"):
        s = s.replace(token, " " if token in ("\\ ", "~") else "")
    s = s.replace("\\%", "%").replace("\\degree", "°").replace("^\\circ", "°").replace("^{\\circ}", "°")
    return s.strip().rstrip(".").strip()


def parse_number(answer: str) -> float | None:
    """The number in a short answer such as `1,234.5 km`, `\\$12.50`, `3/4` or `-4.2 °C`.

    Returns None unless the answer is exactly one number, optionally with a unit after it:
    `12 or 13`, `between 5 and 6` and `5 (or 6)` are not numbers.
    """
    quantity = parse_quantity(answer)
    return quantity[0] if quantity else None


def parse_quantity(answer: str) -> tuple[float, str] | None:
    """(number, unit) of a short answer: `EUR 12.5` -> (12.5, "EUR"), `4 km per hour` ->
    (4.0, "km per hour"), `3/4` -> (0.75, ""); a `$` sign is dropped. None as `parse_number`."""
    s = _clean_latex(answer)
    s = re.sub(r"^\((.*)\)/\((.*)\)$", r"\1/\2", s)
    m = _FRACTION.match(s)
    if m:
        b = float(m.group("b").replace(",", ""))
        return (float(m.group("a").replace(",", "")) / b, "") if b else None
    m = _QUANTITY.match(s)
    if not m:
        return None
    words = re.findall(r"[^\W\d_]+", m.group("unit").lower())
    if len(words) > MAX_UNIT_WORDS or any(w in _QUALIFIERS for w in words):
        return None
    value = float(m.group("num").replace(",", ""))
    unit = " ".join(f"{m.group('cur')} {m.group('unit')}".split())
    return (value, unit) if math.isfinite(value) else None


def normalise_text(answer: str) -> str:
    """Lower case, no accents, punctuation, articles or extra spaces: `The Port-Ellery.` -> `port ellery`."""
    s = _clean_latex(answer)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = re.sub(r"[^\w\s]", " ", s.lower())
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def numbers_close(value: float, gold: float, rel_tol: float, abs_tol: float) -> bool:
    return math.isclose(value, gold, rel_tol=rel_tol, abs_tol=abs_tol)


def match_answer(answer: str, gold: str | float, aliases: list[str] = (),
                 rel_tol: float = 1e-9, abs_tol: float = 0.0,
                 unit_ok: Callable[[str], bool] | None = None) -> bool:
    """Does one short answer match the gold? Numbers compare numerically, text normalised.

    `unit_ok`, when given, judges the unit written with a number (`litres`, `EUR`): a number
    in another unit than the one asked for does not match. No unit is always fine."""
    gold_number = None
    if isinstance(gold, (int, float)) and not isinstance(gold, bool):
        gold_number = float(gold)
    elif re.fullmatch(rf"\s*(?:{_NUMBER})\s*", str(gold)):
        gold_number = parse_number(str(gold))
    if gold_number is not None:
        quantity = parse_quantity(answer)
        return (quantity is not None and numbers_close(quantity[0], gold_number, rel_tol, abs_tol)
                and not (unit_ok and quantity[1] and not unit_ok(quantity[1])))
    got = name_forms(answer)
    return bool(got) and any(got & name_forms(g) for g in [str(gold), *aliases])


# Words that name the kind of place; their position in a name is a matter of style.
_DESIGNATORS = frozenset("river lake mount mountain port fort cape isle island bay sea".split())


def name_forms(answer: str) -> set[str]:
    """The normalised forms a name answer stands for: itself, `Surname, First` turned round,
    and a place designator moved to the other end (`Embkes River` <-> `River Embkes`)."""
    raw = _clean_latex(answer)
    comma = re.fullmatch(r"\s*([^\s,]+)\s*,\s*([^\s,]+)\s*", raw)
    base = normalise_text(f"{comma.group(2)} {comma.group(1)}" if comma else raw)
    if not base:
        return set()
    forms, words = {base}, base.split()
    if len(words) > 1 and words[0] in _DESIGNATORS:
        forms.add(" ".join(words[1:] + words[:1]))
    if len(words) > 1 and words[-1] in _DESIGNATORS:
        forms.add(" ".join(words[-1:] + words[:-1]))
    return forms


def check_final_answer(text: str, gold: str | float, aliases: list[str] = (),
                       rel_tol: float = 1e-9, abs_tol: float = 0.0,
                       unit_ok: Callable[[str], bool] | None = None) -> tuple[bool, str]:
    """(correct, reason): every marked answer in `text` must match the gold, and there must be
    one. `unit_ok` as in `match_answer`."""
    answers = final_answers(text)
    if any(len(a) > MAX_ANSWER_CHARS for a in answers):
        return False, f"a final answer is longer than {MAX_ANSWER_CHARS} characters"
    if not answers:
        return False, "no final answer: put it in \\boxed{} or on an 'Answer:' line"
    distinct = list(dict.fromkeys(answers))
    if len(distinct) > MAX_DISTINCT_ANSWERS:  # each costs a match; this many is a hedge anyway
        return False, f"hedged: {len(distinct)} different final answers"
    bad = [a for a in distinct if not match_answer(a, gold, aliases, rel_tol, abs_tol, unit_ok)]
    if not bad:
        return True, "match"
    if len(distinct) > 1 and len(bad) < len(distinct):
        return False, f"hedged: {len(distinct)} different final answers"
    if unit_ok and match_answer(bad[0], gold, aliases, rel_tol, abs_tol):
        return False, f"final answer {bad[0][:80]!r} is not in the unit the question asks for"
    return False, f"final answer {bad[0][:80]!r} does not match"
