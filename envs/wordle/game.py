"""Wordle rules: the vendored word list, per-letter feedback, hard-mode checks and a solver."""
from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

GREEN, YELLOW, GRAY = "G", "Y", "-"
# `Guess: x`, `My final answer is x`, `Next guess #3: x`, `I'll guess x` (quotes already gone)
_PREFIX = re.compile(r"^\s*(?:(?:[-+]|\d{1,3}[.)])\s+)?(?:(?:(?:the|my|final|next|ill|i\s+will|i)\s+)*"
                     r"(?:guess|answer|word|try)(?:\s*#?\s*\d+)?\s*(?:is)?\s*[:=]?)?\s*", re.I)
_ANSWER_TAG = re.compile(r"</?answer>", re.I)
MAX_LINE = 200  # a longer last line is never one word
_MARKUP = re.compile(r"[`*_\"'“”‘’]")


@functools.cache
def words() -> tuple[str, ...]:
    """The vendored list of common five-letter English words (sorted, lowercase)."""
    text = (Path(__file__).parent / "words.txt").read_text()
    return tuple(w for w in text.split() if len(w) == 5 and w.isalpha())


@functools.cache
def word_set() -> frozenset[str]:
    return frozenset(words())


def feedback(guess: str, answer: str) -> str:
    """Per-letter marks: green (right place), yellow (elsewhere), gray (not there / used up).

    Greens are marked first; yellows then take the answer's remaining letters left to right,
    so a repeated letter is yellow only as often as the answer has it unmatched.
    """
    marks = [GRAY] * 5
    left = Counter(a for g, a in zip(guess, answer) if g != a)
    for i, (g, a) in enumerate(zip(guess, answer)):
        if g == a:
            marks[i] = GREEN
        elif left[g] > 0:
            marks[i] = YELLOW
            left[g] -= 1
    return "".join(marks)


def hard_mode_violation(guess: str, history: list[tuple[str, str]]) -> str | None:
    """Why `guess` breaks hard mode (revealed hints must be reused), or None."""
    for prev, marks in history:
        for i, (ch, m) in enumerate(zip(prev, marks)):
            if m == GREEN and guess[i] != ch:
                return f"letter {i + 1} must be {ch.upper()}"
        need = Counter(ch for ch, m in zip(prev, marks) if m != GRAY)
        have = Counter(guess)
        for ch, n in need.items():
            if have[ch] < n:
                return f"the guess must contain {ch.upper()}" + (f" {n} times" if n > 1 else "")
    return None


class GuessError(ValueError):
    """A reply that holds no single readable guess."""


_FENCE = re.compile(r"^\s*(?:```|~~~)[\w+.-]*\s*$")  # a code-fence marker line
MAX_HEDGE_LINES = 2000  # distinct earlier lines checked for a second, marked-up guess


def _line_guess(line: str) -> str:
    """The single word on one line, prefix and markup removed; raises GuessError."""
    if len(line) > MAX_LINE:
        raise GuessError(f"the last line is longer than {MAX_LINE} characters; put one word there")
    line = _PREFIX.sub("", _MARKUP.sub("", _ANSWER_TAG.sub(" ", line))).strip().rstrip(".!")
    tokens = line.split()
    if len(tokens) != 1:
        raise GuessError("put exactly one word, your guess, on the last line")
    return tokens[0].lower()


def _written_as_guess(line: str, fenced: bool) -> bool:
    """Whether an earlier line is set out as an answer (fenced, marked up, `Guess:` ...)."""
    line = line[:MAX_LINE]
    return fenced or bool(_MARKUP.search(line) or _ANSWER_TAG.search(line)
                          or _PREFIX.match(line).group().strip())


def read_guess(text: str) -> str:
    """The guess on the last non-empty line (`crane`, `Guess: CRANE`, `**crane**`).

    Code-fence markers are skipped, so a fenced guess reads as the word itself. A reply that
    also sets out a different word as an answer on an earlier line (`Guess: crane` ...
    `Guess: slate`, two words in the fence) is a hedge and is refused; plain words in
    reasoning lines are not read.
    """
    lines: list[tuple[str, bool]] = []
    fenced = False
    for ln in text.strip().splitlines():
        if _FENCE.match(ln):
            fenced = not fenced
        elif ln.strip() and _ANSWER_TAG.sub("", ln).strip():
            lines.append((ln, fenced))
    if not lines:
        raise GuessError("empty reply; put your guess (one five-letter word) on the last line")
    guess = _line_guess(lines[-1][0])
    earlier = dict.fromkeys((ln.strip(), f) for ln, f in reversed(lines[:-1]))
    for ln, f in list(earlier)[:MAX_HEDGE_LINES]:
        if not _written_as_guess(ln, f):
            continue
        try:
            other = _line_guess(ln)
        except GuessError:
            continue
        if len(other) == 5 and other.isalpha() and other != guess:
            raise GuessError(f"two different guesses ({other!r} and {guess[:20]!r}); put exactly "
                             "one word, your guess, on the last line")
    return guess


def _letter_score(candidates: list[str]) -> dict[str, int]:
    return Counter(ch for w in candidates for ch in set(w))


def solve(answer: str, opener: str, max_guesses: int,
          vocab: tuple[str, ...] | None = None, hint: dict | None = None) -> list[str] | None:
    """Guesses of a consistent-guess solver: each guess (after `opener`) fits every mark so far
    and covers the most common letters among the remaining candidates. None when it fails."""
    cands = list(vocab or words())
    if hint:
        cands = [w for w in cands if w[hint["position"]] == hint["letter"]]
    guesses, guess = [], opener
    while len(guesses) < max_guesses:
        guesses.append(guess)
        if guess == answer:
            return guesses
        marks = feedback(guess, answer)
        cands = [w for w in cands if feedback(guess, w) == marks and w != guess]
        if not cands:
            return None
        freq = _letter_score(cands)
        guess = max(cands, key=lambda w: (sum(freq[c] for c in set(w)), [-ord(c) for c in w]))
    return None


@functools.cache
def openers(n: int = 12) -> tuple[str, ...]:
    """The `n` words covering the most frequent letters of the list: good first guesses."""
    freq = _letter_score(list(words()))
    ranked = sorted(words(), key=lambda w: (-sum(freq[c] for c in set(w)), w))
    return tuple(ranked[:n])
