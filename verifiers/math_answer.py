"""Final-answer extraction from a model's response: `\\boxed{...}`, strictly.

Policy (strict, on purpose):
- Only boxed answers count: `\\boxed{...}` (nested braces), `\\boxed 5`, `\\fbox{...}`. A response
  with no boxed answer is wrong, with the reason "no \\boxed answer". Lenient extraction (the
  last number in the text, "the answer is ...") is a known reward hack: the policy learns to
  spray numbers and is paid whenever the last one happens to match.
- Every boxed answer is a final answer. Boxes that normalise to the same text count once;
  several *different* boxes are all returned, and the verifier requires each to equal the gold
  (so `\\boxed{1/2}` and `\\boxed{0.5}` pass, while `\\boxed{3}` ... `\\boxed{4}` is a hedge -> 0).
  A number in the reasoning never counts: only what is boxed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

BOX_COMMANDS = ("\\boxed", "\\fbox", "\\framebox")
MAX_BOXES = 8  # more distinct boxed answers than this is spraying, not answering
MAX_ANSWER_CHARS = 2000
_SPACE_CMDS = re.compile(r"\\[,;:! ]|\\quad|\\qquad|\\left|\\right|\\displaystyle|\\mathrm|~")
_WS = re.compile(r"\s+")


@dataclass
class Extraction:
    """The final answers found in a response (distinct, in order), or why there are none."""

    answers: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.answers) and self.reason is None


def _brace_group(text: str, start: int) -> tuple[str, int] | None:
    """The content of the `{...}` opening at `start` (nested braces, `\\{` escapes), and its end."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2  # skip the escaped char: `\{` and `\}` are literal braces
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
        i += 1
    return None


def find_boxed(text: str, limit: int = 64) -> list[str]:
    """Contents of every boxed command in `text`, in order (at most `limit`). Linear time."""
    out: list[str] = []
    pos = 0
    while len(out) < limit:
        hits = [(i, c) for c in BOX_COMMANDS if (i := text.find(c, pos)) != -1]
        if not hits:
            break
        i, cmd = min(hits)
        j = i + len(cmd)
        if j < len(text) and text[j].isalpha():  # `\boxedx` is another command
            pos = j
            continue
        k = j
        while k < len(text) and text[k] in " \t":
            k += 1
        if k < len(text) and text[k] == "{":
            group = _brace_group(text, k)
            if group is None:  # unbalanced: no answer here
                pos = k + 1
                continue
            out.append(group[0])
            pos = group[1]
        elif k > j:  # `\boxed 5`: one token, up to whitespace or the end of the math
            m = re.match(r"[^\s$]+", text[k:])
            token = m.group(0) if m else ""
            token = token.rstrip(".,;").removesuffix("\\]").removesuffix("\\)")
            if token:
                out.append(token)
            pos = k + max(len(token), 1)
        else:
            pos = j
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
