"""Is a fact stated under negation? One rule shared by the envs that check what an agent told.

"The order did not come to $353.99", "the refund is not $123.27", "'Planning' is not on
2026-03-05" and "Lena Novak is not attending" each write the fact, but deny it: a reply that
only says these has not told the user the fact, and one that also says it plainly contradicts
itself. The rule is deliberately shallow (no parser):
- before: a negation cue (not, n't, never, no longer, neither, nor, cannot) earlier in the
  fact's clause, where clauses end at punctuation (, ; : brackets, dashes) and at words that
  start a new clause ("but", "and", "so", "while", "because", ...): "not 16:00 but 15:00"
  denies only 16:00;
- after: the fact opens its clause as its subject (only connectors, articles or other facts
  of the same list before it) and a verb with a cue follows within a few words: "Lena Novak
  is not attending", "$353.99 isn't right". "Your refund of $52.10 won't take long" does not
  count: there the fact is not the clause's subject.
"""
from __future__ import annotations

import re

_CUE = r"(?:\bnot\b|n't\b|n’t\b|\bnever\b|\bno longer\b|\bneither\b|\bnor\b|\bcannot\b)"
_CUE_RE = re.compile(_CUE, re.I)
# A clause boundary: punctuation, or a word that starts a new clause.
_BOUNDARY = re.compile(r"[,;:()\[\]{}\u2014\u2013]|\s-\s|\b(?:but|and|so|while|whereas|although|"
                       r"though|however|yet|because|since|instead|rather|whereas|then)\b", re.I)
# The same, without "and"/"or": "Lena Novak and Tom Lee are not attending" is one subject.
_BOUNDARY_NO_AND = re.compile(r"[;:()\[\]{}\u2014\u2013]|\s-\s|\b(?:but|so|while|whereas|"
                              r"although|though|however|yet|because|since|instead|rather|"
                              r"then)\b", re.I)
# Words that may come before a subject at the start of a clause.
_LEAD = re.compile(r"(?:\s|[,'\"‘’“”#]|\b(?:and|or|also|both|the|a|an|yes|so|sadly|"
                   r"unfortunately|actually|note|that|order|meeting)\b)*", re.I)
# A short verb group with a cue right after a subject: "is not", "won't", "will never be".
_AFTER = re.compile(rf"^\s*[\"'’”]?\s*(?:\w+\s+){{0,2}}?\w*?{_CUE}", re.I)


def _clause_start(text: str, at: int, boundary: re.Pattern) -> int:
    last = 0
    for m in boundary.finditer(text, 0, at):
        last = m.end()
    return last


def _clause_end(text: str, at: int, boundary: re.Pattern) -> int:
    m = boundary.search(text, at)
    return m.start() if m else len(text)


def negated(sentence: str, start: int, end: int,
            others: list[tuple[int, int]] = ()) -> bool:
    """Is the fact written at `sentence[start:end]` denied in its clause? `others` are the
    spans of the other facts in the sentence: a list of them may share one subject."""
    if _CUE_RE.search(sentence, _clause_start(sentence, start, _BOUNDARY), start):
        return True
    # The subject rule: blank the other facts, so a list of them reads as one subject.
    text = list(sentence)
    for a, b in others:
        if (a, b) != (start, end):
            text[a:b] = " " * (b - a)
    text = "".join(text)
    begin = _clause_start(text, start, _BOUNDARY)
    if not _LEAD.fullmatch(text[begin:start]):
        return False
    tail = text[end:_clause_end(text, end, _BOUNDARY_NO_AND)]
    # skip the rest of a list of facts ("Lena Novak, Tom Lee and Ana Ruiz are not ...")
    tail = re.sub(r"^(?:\s*(?:,|&|\band\b|\bor\b)\s*)+", " ", tail, flags=re.I)
    return bool(_AFTER.search(tail))
