"""Final-answer extraction from a model's response: `\\boxed{...}`, strictly.

Policy (strict, on purpose):
- Only boxed answers count: `\\boxed{...}` (nested braces), `\\boxed 5`, and every command that
  renders a box (`\\fbox`, `\\framebox[..]`, `\\boxed*`, `\\colorbox{c}`, `\\fcolorbox{a}{b}`, ...),
  read as TeX reads them: spaces, newlines and `%` comments may stand before the group. A box
  whose group never closes, or is hidden past GAP_MAX, voids the answer (its content cannot be
  read, and skipping it would pay `\\boxed{4 \\boxed{3}`). A response
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
_SPACE_CMDS = re.compile(r"\\[,;:! ]|\\quad|\\qquad|\\left|\\right|\\displaystyle|\\mathrm|~|"
                         r"\\[hv]space\*?\s*\{[^{}]*\}|\\(?:en|thin|med|thick|negthin)space(?![A-Za-z])")
_WS = re.compile(r"\s+")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"))  # invisible: dropped
# a box command not followed by a letter (`\boxedx` is another command); colour boxes take their
# colour arguments first. All of these render a box around their last argument.
_BOX_RE = re.compile(r"\\(boxed|fbox|framebox|colorbox|fcolorbox|shadowbox|doublebox|ovalbox|Ovalbox"
                     r"|bbox|tcbox|enclose)(?![A-Za-z])")
_COLOUR_ARGS = {"colorbox": 1, "fcolorbox": 2, "enclose": 1}  # MathJax `\\enclose{box}[..]{4}`
GAP_MAX = 256  # whitespace/comments between a box command and its group; longer is refused, not skipped
_GAP = re.compile(r"(?:\s|%[^\n]*(?:\n|$))*")  # TeX skips spaces, newlines and `%` comments here
_OPT_ARG = re.compile(r"\[[^\[\]{}]*\]")  # `\framebox[1cm][c]{...}`, `\colorbox[rgb]{...}`
_BAD = (-1, -1, False)


@dataclass
class BoxScan:
    """Every box in a text: the contents (at most `limit`), how many there were, and whether
    one was unclosed or malformed (its argument cannot be read: the response's answer is invalid)."""

    contents: list[str] = field(default_factory=list)
    count: int = 0
    malformed: bool = False


@dataclass
class Extraction:
    """The final answers found in a response (distinct, in order), or why there are none."""

    answers: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.answers) and self.reason is None


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


def _skip_gap(text: str, k: int) -> int:
    """The position after the spaces/comments at `k`, or -1 when they run past GAP_MAX."""
    end = _GAP.match(text, k, k + GAP_MAX).end()
    return -1 if end - k >= GAP_MAX and end < len(text) else end


def _box_argument(text: str, m: re.Match, pairs: dict[int, int]) -> tuple[int, int, bool] | None:
    """(start, end, is_group) of the boxed argument of the command matched by `m`; None when it takes no
    argument here (`\\boxed.` in prose); `_BAD` when the argument is unclosed or hidden past the caps."""
    if text.startswith("{", m.end()) and m.group(1) not in _COLOUR_ARGS:  # the common `\\boxed{`
        close = pairs.get(m.end())
        return _BAD if close is None else (m.end() + 1, close, True)
    k = _skip_gap(text, m.end())
    if k < 0:
        return _BAD
    if text.startswith("*", k):  # `\boxed*{4}` still renders a box
        k = _skip_gap(text, k + 1)
    for _ in range(2):
        if k >= 0 and text.startswith("[", k):
            opt = _OPT_ARG.match(text, k, k + GAP_MAX)
            k = _skip_gap(text, opt.end()) if opt else -1
    for _ in range(_COLOUR_ARGS.get(m.group(1), 0)):  # the colours, then the content
        close = pairs.get(k) if k >= 0 and text.startswith("{", k) else None
        k = _skip_gap(text, close + 1) if close is not None else -1
        if k >= 0 and text.startswith("[", k):
            opt = _OPT_ARG.match(text, k, k + GAP_MAX)
            k = _skip_gap(text, opt.end()) if opt else -1
    if k < 0:
        return _BAD
    if text.startswith("{", k):
        close = pairs.get(k)
        return _BAD if close is None else (k + 1, close, True)
    if k > m.end():  # `\boxed 5`: one token, up to whitespace or the end of the math
        tok = re.compile(r"[^\s$]+").match(text, k, k + MAX_ANSWER_CHARS)
        if tok:
            return (k, tok.end(), False)
    return None


def scan_boxes(text: str, limit: int = 64) -> BoxScan:
    """Every box command in `text`: the contents of the first `limit`, in order, up to the first
    unclosed or malformed one. Linear time."""
    scan = BoxScan()
    pairs = _matching_braces(text) if "\\" in text else {}
    for m in _BOX_RE.finditer(text):
        arg = _box_argument(text, m, pairs)
        if arg is None:
            continue
        if arg == _BAD:  # the response's boxed answer cannot be read: no need to look further
            scan.malformed = True
            break
        scan.count += 1
        start, end, group = arg
        if len(scan.contents) >= limit:  # count the rest, but slice no more: stays linear
            continue
        content = text[start:end] if group else \
            text[start:end].rstrip(".,;").removesuffix("\\]").removesuffix("\\)")
        if group or content:
            scan.contents.append(content)
    return scan


def _only_a_box(content: str) -> bool:
    """True when `content` is exactly one box command (`\\boxed{5}`), nothing before or after."""
    s = content.strip()
    m = _BOX_RE.match(s)
    if not m:
        return False
    arg = _box_argument(s, m, _matching_braces(s))
    return arg not in (None, _BAD) and s[arg[1]:arg[1] + 1] == "}" and arg[1] == len(s) - 1


def find_boxed(text: str, limit: int = 64) -> list[str]:
    """Contents of every well-formed box command in `text`, in order (at most `limit`).

    Use `scan_boxes` (or `extract_boxed_answers`) to also learn of unclosed or malformed boxes."""
    return scan_boxes(text, limit).contents


def normalize_answer_text(s: str) -> str:
    """A canonical spelling for comparing answer *strings* (not values): spacing, `\\left`, `$`."""
    s = _SPACE_CMDS.sub(" ", s.translate(ZERO_WIDTH))
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("−", "-")
    s = re.sub(r"(?<=\d)\s+(?=\d{3}(?!\d))", "", s)  # `1 000`: thousands come in groups of three
    s = re.sub(r"(?<=\d)\s+(?=\d)", "\0", s)  # any other space between digits parts two numbers
    s = _WS.sub("", s).strip("$").replace("\0", " ")
    return s.rstrip(".")


def extract_boxed_answers(text: str) -> Extraction:
    """The distinct boxed final answers of `text` under the strict policy above."""
    scan = scan_boxes(text, limit=64)
    if scan.malformed:  # `\\boxed{4 \\boxed{3}`: what the box holds cannot be read, so no answer
        return Extraction(reason="an unclosed or malformed \\boxed answer")
    if scan.count > len(scan.contents):
        return Extraction(reason=f"{scan.count} boxed answers (spraying)")
    boxes = scan.contents
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
    displayed first (`text_norm.fold_text`: a Cyrillic `А` or `B\\u200b, A` are what they look
    like); a box holding only a lowercase label counts (`\\boxed{b}`); an answer line that is
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
    longest = 2 * max((len(c) for c in choices or []), default=0) + 16  # an option line, with markup

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

    def option_named(at: int) -> str | None:
        """The label whose option text is the rest of the answer line from `at`, if any."""
        end = text.find("\n", at, at + longest)
        rest = text[at:end if end >= 0 else at + longest]
        if end < 0 and at + longest < len(text) or not norm:
            return None  # the line is longer than any option's text (with markup): not one
        rest = rest.strip(" \t*_.,:;)\u2013\u2014-")
        return norm.get(normalize_answer_text(rest).lower()) if rest else None

    listed = re.compile(rf"\s*(?:,|/|&|\+|;|\band\b|\bor\b)\s*{lab}(?![\w])")

    def stated(m: re.Match) -> list[str]:
        """The label after "Answer:" and any listed with it ("A, B and C" is three), plus the
        option whose text follows them on the line (the same label, or a contradiction)."""
        if (whole := option_named(m.start(1))) is not None:
            return [whole]  # "Answer: A dog" where "A dog" is an option's text
        got, end = [m.group(1)], m.end()
        while more := listed.match(text, end):
            got.append(more.group(1))
            end = more.end()
        if (named := option_named(end)) is not None:
            got.append(named)
        return got

    if scan_boxes(text).malformed:  # `\\boxed{A \\boxed{B}`: what is boxed cannot be read
        return Extraction(reason="an unclosed or malformed \\boxed answer")
    tiers = [  # boxes and "Answer: X" statements are one tier: a box and a differing statement hedge
        [from_box(b) for b in find_boxed(text)] +
        [x for m in re.finditer(rf"(?i:answer)(?:\s+is)?\s*[:=]?\s*(?:\*\*)?\s*{lab}(?![\w])", text)
         for x in stated(m)] +
        [x for m in re.finditer(r"(?i:answer)(?:\s+is)?\s*[:=]?\s*(?:\*\*)?\s*(?=\S)", text)
         if (x := option_named(m.end())) is not None],
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
