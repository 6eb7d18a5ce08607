"""Final-answer extraction from a model's response: `\\boxed{...}`, strictly.

Policy (strict, on purpose):
- Only boxed answers count: `\\boxed{...}` (nested braces), `\\boxed 5`, `\\fbox{...}`. A response
  with no boxed answer is wrong, with the reason "no \\boxed answer". Lenient extraction (the
  last number in the text, "the answer is ...") is a known reward hack: the policy learns to
  spray numbers and is paid whenever the last one happens to match.
- A box that only wraps another box (`\\boxed{\\boxed{5}}`) counts once, as the inner one; a
  box holding more than another box (`\\boxed{3 \\boxed{5}}`) is compared as written (and fails).
- Every boxed answer is a final answer. Boxes that normalise to the same text count once;
  several *different* boxes are all returned, and the verifier requires each to equal the gold
  (so `\\boxed{1/2}` and `\\boxed{0.5}` pass, while `\\boxed{3}` ... `\\boxed{4}` is a hedge -> 0).
  A number in the reasoning never counts: only what is boxed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from gymkit.verifiers.text_norm import fold_text

MAX_BOXES = 8  # more distinct boxed answers than this is spraying, not answering
MAX_ANSWER_CHARS = 2000
_SPACE_CMDS = re.compile(r"\\[,;:! ]|\\quad|\\qquad|\\left|\\right|\\displaystyle|\\mathrm|~")
_WS = re.compile(r"\s+")
# a box command not followed by a letter (`\boxedx` is another command), then optional spaces
_BOX_RE = re.compile(r"\\(?:boxed|fbox|framebox)(?![A-Za-z])([ \t]*)")


@dataclass
class Extraction:
    """The final answers found in a response (distinct, in order), or why there are none."""

    answers: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.answers) and self.reason is None


_BOX_START = re.compile(r"\s*\\(?:boxed|fbox|framebox)\s*\{")
_BRACE_TOKENS = re.compile(r"\\.|[{}]", re.S)


def _matching_braces(text: str) -> dict[int, int]:
    """Map each `{` to its `}` in one pass (`\\{`, `\\}` are literal): keeps extraction linear."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACE_TOKENS.finditer(text):
        tok = m.group(0)
        if tok == "{":
            stack.append(m.start())
        elif tok == "}" and stack:
            pairs[stack.pop()] = m.start()
    return pairs


def _only_a_box(content: str) -> bool:
    """True when `content` is exactly one box command (`\\boxed{5}`), nothing before or after."""
    m = _BOX_START.match(content)
    return bool(m) and _matching_braces(content).get(m.end() - 1) == len(content.rstrip()) - 1


def find_boxed(text: str, limit: int = 64) -> list[str]:
    """Contents of every boxed command in `text`, in order (at most `limit`). Linear time."""
    out: list[str] = []
    pairs: dict[int, int] | None = None
    for m in _BOX_RE.finditer(text):
        if len(out) >= limit:
            break
        k = m.end()
        if k < len(text) and text[k] == "{":
            if pairs is None:
                pairs = _matching_braces(text)
            close = pairs.get(k)
            if close is not None:  # an unbalanced group holds no answer
                out.append(text[k + 1:close])
        elif m.group(1):  # `\boxed 5`: one token, up to whitespace or the end of the math
            tok = re.match(r"[^\s$]+", text[k:k + MAX_ANSWER_CHARS])
            token = (tok.group(0) if tok else "").rstrip(".,;")
            token = token.removesuffix("\\]").removesuffix("\\)")
            if token:
                out.append(token)
    return out


def normalize_answer_text(s: str) -> str:
    """A canonical spelling for comparing answer *strings* (not values): spacing, `\\left`, `$`."""
    s = _SPACE_CMDS.sub("", s)
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("−", "-")
    s = _WS.sub("", s).strip("$")
    return s.rstrip(".")


def extract_boxed_answers(text: str) -> Extraction:
    """The distinct boxed final answers of `text` under the strict policy above."""
    boxes = find_boxed(text, limit=64)
    if not boxes:
        return Extraction(reason="no \\boxed answer")
    distinct: dict[str, str] = {}
    for b in boxes:
        if _only_a_box(b):  # `\\boxed{\\boxed{5}}`: the inner box is listed on its own
            continue
        key = normalize_answer_text(b)
        if key:
            distinct.setdefault(key, b.strip())
    if not distinct:
        return Extraction(reason="empty \\boxed answer")
    if len(distinct) > MAX_BOXES:
        return Extraction(reason=f"{len(distinct)} different boxed answers (hedging)")
    answers = list(distinct.values())
    if any(len(a) > MAX_ANSWER_CHARS for a in answers):
        return Extraction(reason=f"boxed answer longer than {MAX_ANSWER_CHARS} characters")
    return Extraction(answers=answers)


def extract_choice(text: str, labels: list[str], choices: list[str] | None = None) -> Extraction:
    """The chosen option label of a multiple-choice answer, strictly.

    Tiers, first non-empty wins: `\\boxed{B}` (or a box holding exactly one choice's text,
    or the label plus its own choice's text: `\\boxed{(B) Osaka}`; formatting such as
    `\\textbf` is dropped) together with "Answer: B" / "the answer is (B)"; a response that is
    only a label ("B", "(B)", "B."); then "(B)" mentions. Several different labels in the
    deciding tier is a hedge: no answer ("Answer: A, B, C" lists three). The text is read as
    displayed first (`text_norm.fold_text`: a Cyrillic `А` or `B\u200b, A` are what they look
    like); a box holding only a lowercase label counts (`\boxed{b}`); an answer line that is
    an option's text counts as that option, and text after a label must not be another
    option's (`Answer: B) <A's text>` is a hedge).
    """
    text = fold_text(text)
    shown = {fold_text(x): x for x in labels}  # folded label -> the caller's label
    if len(shown) == len(labels):
        labels = list(shown)
    else:  # labels that fold together: keep them as given
        shown = {x: x for x in labels}
    choices = [fold_text(c) for c in choices] if choices else choices
    alt = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True))
    lab = rf"[\(\[]?\s*(?:\\text\{{)?({alt})\}}?\s*[\)\]]?"
    norm = {normalize_answer_text(c).lower(): labels[i] for i, c in enumerate(choices or [])}

    def from_box(b: str) -> str | None:
        for _ in range(4):  # \textbf{\text{B}} and the like: keep the content
            b = re.sub(r"\\(?:text[a-z]{0,2}|math[a-z]{0,2}|bf|it|mbox)\s*\{([^{}]*)\}", r"\1", b)
        b = b.strip().strip("*").strip()
        m = re.fullmatch(lab + r"[.:]?", b)
        if m:
            return m.group(1)
        m = re.fullmatch(lab + r"\s*[.:)\-]?\s+(.+)", b, re.S)  # "(B) Osaka", "B. Osaka"
        if m and choices and normalize_answer_text(m.group(2)).lower() == normalize_answer_text(
                choices[labels.index(m.group(1))]).lower():
            return m.group(1)
        if (named := norm.get(normalize_answer_text(b).lower())) is not None:
            return named
        m = re.fullmatch(lab + r"[.:]?", b.upper()) if len(b) <= 8 else None  # `\boxed{b}`
        return m.group(1) if m else None

    def option_named(rest: str) -> str | None:
        """The label whose option text is `rest` (the rest of an answer line), if any."""
        rest = rest[:MAX_ANSWER_CHARS].split("\n", 1)[0].strip(" \t*_.,:;)\u2013\u2014-")
        return norm.get(normalize_answer_text(rest).lower()) if rest else None

    listed = re.compile(rf"\s*(?:,|/|&|\+|;|\band\b|\bor\b)\s*{lab}(?![\w])")

    def stated(m: re.Match) -> list[str]:
        """The label after "Answer:" and any listed with it ("A, B and C" is three), plus the
        option whose text follows them on the line (the same label, or a contradiction)."""
        if (whole := option_named(text[m.start(1):])) is not None:
            return [whole]  # "Answer: A dog" where "A dog" is an option's text
        got, end = [m.group(1)], m.end()
        while more := listed.match(text, end):
            got.append(more.group(1))
            end = more.end()
        if (named := option_named(text[end:])) is not None:
            got.append(named)
        return got

    if scan_boxes(text).malformed:  # `\\boxed{A \\boxed{B}`: what is boxed cannot be read
        return Extraction(reason="an unclosed or malformed \\boxed answer")
    tiers = [  # boxes and "Answer: X" statements are one tier: a box and a differing statement hedge
        [from_box(b) for b in find_boxed(text)] +
        [x for m in re.finditer(rf"(?i:answer)(?:\s+is)?\s*[:=]?\s*(?:\*\*)?\s*{lab}(?![\w])", text)
         for x in stated(m)] +
        [x for m in re.finditer(r"(?i:answer)(?:\s+is)?\s*[:=]?\s*(?:\*\*)?\s*(?=\S)", text)
         if (x := option_named(text[m.end():])) is not None],
        [m.group(1) for m in [re.fullmatch(lab + r"[.]?", text.strip())] if m],
        re.findall(rf"\(({alt})\)", text),
    ]
    for found in tiers:
        if not found:
            continue
        if None in found:
            return Extraction(reason="a boxed answer that is not one of the options")
        distinct = list(dict.fromkeys(found))
        if len(distinct) > 1:
            return Extraction(reason=f"several different options chosen: {distinct} (hedging)")
        return Extraction(answers=[shown[x] for x in distinct])
    return Extraction(reason="no option chosen (use \\boxed{LETTER} or 'Answer: LETTER')")
