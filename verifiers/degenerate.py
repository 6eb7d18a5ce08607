"""Degenerate text: filler, repeated passages, word lists, echoes and second drafts.

Counting rules (word counts, keyword counts, lowercase, no commas) are met by text that says
nothing: one word 300 times, a paragraph pasted ten times, a tiny vocabulary shuffled, the
prompt echoed back, or a reply that gives two drafts. These checks gate a response before any
rule or judge sees it (ifeval, rm_chat). The thresholds sit well clear of every generated
ifeval gold (measured on 2,100 golds) and of ordinary prose (the repo's READMEs and docs).
"""
from __future__ import annotations

import re
from collections import Counter

from gymkit.verifiers.constraints import words

MAX_TOP_WORD_SHARE = 0.25  # golds peak at 0.18 ("the", "a"); filler is 1.0
MAX_REPEATED_4GRAMS = 0.4  # golds peak at 0.18; a paragraph pasted k times is (k-1)/k
MIN_WINDOW_TTR = 0.35  # distinct words per 50-word window; golds >= 0.42, prose >= 0.5
MAX_WORD_CHARS = 50  # longer "words" are runs of letters, not language
MIN_FUNCTION_SHARE = 0.05  # English prose is 30-50% function words; word salad is ~0%
FUNCTION_WORDS = frozenset("""a an the and or but of to in on at by for with from as is are was
were be been it its this that these those i you he she we they my your our their his her not no
so if then than there here what which who when where how do does did have has had will would can
could should may might must all some any each every into about over after before""".split())
_WINDOW = 50


def _four_grams(ws: list[str]) -> list[tuple[str, ...]]:
    return [tuple(ws[i:i + 4]) for i in range(len(ws) - 3)]


def degenerate_reason(text: str) -> str | None:
    """Why `text` is filler rather than writing (one word dominating, repeated passages, a tiny
    vocabulary, letter runs), or None. Texts under 12 words are too short to judge."""
    ws = [w.lower() for w in words(text)]
    if any(len(w) > MAX_WORD_CHARS for w in ws):
        return f"holds a 'word' longer than {MAX_WORD_CHARS} characters"
    n = len(ws)
    if n < 12:
        return None
    top, k = Counter(ws).most_common(1)[0]
    if k >= 6 and k / n > MAX_TOP_WORD_SHARE:
        return f"degenerate: {top!r} is {k / n:.0%} of the words"
    if sum(any(c.isalpha() for c in w) for w in ws) < n / 2:
        return "degenerate: most of its words are numbers"
    if n >= 40 and sum(w in FUNCTION_WORDS for w in ws) < MIN_FUNCTION_SHARE * n:
        return "not prose: almost no function words (a list of words, not sentences)"
    grams = _four_grams(ws)
    repeated = 1 - len(set(grams)) / len(grams)
    if n >= 30 and repeated > MAX_REPEATED_4GRAMS:
        return f"degenerate: {repeated:.0%} of its 4-word phrases repeat earlier ones"
    if n >= _WINDOW:
        ttr = min(len(set(ws[i:i + _WINDOW])) / _WINDOW for i in range(0, n - _WINDOW + 1, 10))
        if ttr < MIN_WINDOW_TTR:
            return f"degenerate: only {ttr:.0%} distinct words in a 50-word stretch"
    return None


# a line that only announces another attempt ("Actually:", "Or, to be safe:", "Version 2")
_SECOND_DRAFT = re.compile(
    r"(?im)^[ \t#*>_]*(?:or|actually|alternatively|instead|or maybe|or instead|or,? to be safe|"
    r"or,? alternatively|on second thought|let me (?:try|rewrite|redo)(?: (?:it|that|this))?"
    r"(?: again)?|(?:another|alternative|second|revised|better|final|new) (?:version|answer|"
    r"draft|take|attempt|option|response)|(?:version|answer|draft|take|attempt|option|"
    r"response) (?:\d+|two|2|b))[ \t]*[:.,!\-—]*[ \t*_]*$")


def second_draft(text: str) -> bool:
    """True when a line of `text` only announces another attempt: two answers in one reply."""
    return _SECOND_DRAFT.search(text) is not None


def echo_share(text: str, source: str) -> float:
    """The share of `text`'s 4-word phrases that occur in `source` (0 for texts under 4 words):
    a response that mostly copies the prompt is an echo, not an answer."""
    grams = _four_grams([w.lower() for w in words(text)])
    if not grams:
        return 0.0
    seen = set(_four_grams([w.lower() for w in words(source)]))
    return sum(g in seen for g in grams) / len(grams)
