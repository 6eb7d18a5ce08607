"""Instruction-following constraints in the IFEval tradition: one checker per instruction id.

Each checker takes the response text and the instruction's kwargs (IFEval's names, e.g.
`num_words`, `relation`) and returns True when the response obeys it. Counting rules, written
once here so the prompt, the gold writer and the verifier agree:
- a *word* is a run of letters/digits, with inner apostrophes or hyphens (`don't`, `well-known`);
- a *sentence* ends at `.`, `!` or `?` followed by space, or at a line break; common
  abbreviations (`e.g.`, `Dr.`, `P.S.`) do not end one; only segments holding a word count;
- keywords match whole words or phrases, case-insensitively.
Words and keywords are read as a person sees them (`verifiers.text_norm`): NFKC, invisible
characters dropped, Cyrillic/Greek look-alikes folded to Latin, a word split by markdown
emphasis or an HTML tag joined (`**ea**sy`), so `е\u200basy` is the word "easy". Case rules
judge the NFKC form (math-bold `𝐆𝐑𝐄𝐀𝐓` is capitals).

Degenerate text meets most counting rules, so `gymkit.verifiers.degenerate` gates a response
before any checker runs (the ifeval env calls it).
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .structured import extract_whole_json
from .text_norm import fold_text, nfkc, strip_inner_markup

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|prof|st|p\.p\.s|p\.s)\.", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]*]*\s+|\n+")
RELATIONS: dict[str, Callable[[int, int], bool]] = {
    "at least": lambda got, n: got >= n, "at most": lambda got, n: got <= n,
    "less than": lambda got, n: got < n, "more than": lambda got, n: got > n,
    "exactly": lambda got, n: got == n,
}


def readable(text: str) -> str:
    """The letters a reader sees (module docstring): what word and keyword rules judge."""
    return strip_inner_markup(fold_text(text))


def words(text: str) -> list[str]:
    return _WORD.findall(readable(text))


def sentences(text: str) -> list[str]:
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    return [s for s in _SENTENCE_END.split(protected) if _WORD.search(s)]


def count_phrase(text: str, phrase: str) -> int:
    """Whole-word, case-insensitive occurrences of `phrase` (spaces match any whitespace)."""
    body = r"\s+".join(re.escape(p) for p in readable(phrase).split())
    return len(re.findall(rf"(?<!\w){body}(?!\w)", readable(text), re.I)) if body else 0


def _relation(relation: str) -> Callable[[int, int], bool]:
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}; choose one of: {', '.join(RELATIONS)}")
    return RELATIONS[relation]


@dataclass(frozen=True)
class Constraint:
    """A checkable instruction: its IFEval id, checker, and the sentence that asks for it."""

    id: str
    check: Callable[..., bool]
    describe: Callable[..., str] | None = None

    def required_kwargs(self) -> list[str]:
        params = list(inspect.signature(self.check).parameters.values())[1:]
        return [p.name for p in params if p.default is inspect.Parameter.empty]


CONSTRAINTS: dict[str, Constraint] = {}


def constraint(cid: str, describe: Callable[..., str] | None = None):
    def add(fn: Callable[..., bool]) -> Callable[..., bool]:
        CONSTRAINTS[cid] = Constraint(cid, fn, describe)
        return fn
    return add


def clean_kwargs(kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """IFEval rows list every kwarg with None for the unused ones; drop those."""
    return {k: v for k, v in (kwargs or {}).items() if v is not None}


def kwargs_problem(cid: str, kwargs: dict[str, Any]) -> str | None:
    """None when `cid` is supported and its kwargs fit the checker, else a one-line reason."""
    if cid not in CONSTRAINTS:
        return f"unsupported instruction id {cid!r}"
    c = CONSTRAINTS[cid]
    missing = [k for k in c.required_kwargs() if k not in kwargs]
    allowed = set(inspect.signature(c.check).parameters) - {"text"}
    extra = sorted(set(kwargs) - allowed)
    if missing or extra:
        return f"instruction {cid!r} needs kwargs {sorted(allowed)}; missing {missing}, unknown {extra}"
    bad = [f"{k}={v!r}" for k, v in kwargs.items() if k.endswith("relation") and v not in RELATIONS]
    if bad:
        return f"instruction {cid!r} has {bad[0]}; relations are: {', '.join(RELATIONS)}"
    return None


def check(cid: str, kwargs: dict[str, Any], text: str) -> bool:
    """Does `text` obey instruction `cid` with `kwargs`? (KeyError for an unknown id.)"""
    return bool(CONSTRAINTS[cid].check(text, **clean_kwargs(kwargs)))


def describe(cid: str, kwargs: dict[str, Any]) -> str:
    """The instruction as a sentence for a prompt."""
    c = CONSTRAINTS[cid]
    if c.describe is None:
        raise ValueError(f"instruction {cid!r} has no prompt wording")
    return c.describe(**clean_kwargs(kwargs))


def _quote_list(items: list[str]) -> str:
    return ", ".join(f'"{w}"' for w in items)


# ---------------------------------------------------------------------------- length
@constraint("length_constraints:number_words",
            lambda num_words, relation: f"Answer with {relation} {num_words} words.")
def _number_words(text: str, num_words: int, relation: str) -> bool:
    return _relation(relation)(len(words(text)), num_words)


@constraint("length_constraints:number_sentences",
            lambda num_sentences, relation: f"Your response should contain {relation} "
                                            f"{num_sentences} sentences.")
def _number_sentences(text: str, num_sentences: int, relation: str) -> bool:
    return _relation(relation)(len(sentences(text)), num_sentences)


@constraint("length_constraints:number_paragraphs",
            lambda num_paragraphs: f"There should be exactly {num_paragraphs} paragraphs, "
                                   f"separated from each other by the markdown divider ***.")
def _number_paragraphs(text: str, num_paragraphs: int) -> bool:
    parts = [p.strip() for p in re.split(r"\s*\*\*\*\s*", text.strip())]
    return all(parts) and len(parts) == num_paragraphs


@constraint("length_constraints:nth_paragraph_first_word",
            lambda num_paragraphs, nth_paragraph, first_word:
            f"There should be exactly {num_paragraphs} paragraphs, separated by a blank line. "
            f"Paragraph {nth_paragraph} must start with the word \"{first_word}\".")
def _nth_paragraph_first_word(text: str, num_paragraphs: int, nth_paragraph: int,
                              first_word: str) -> bool:
    parts = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(parts) != num_paragraphs or not 1 <= nth_paragraph <= len(parts):
        return False
    first = _WORD.match(parts[nth_paragraph - 1].lstrip(" \t\"'*#>“"))
    return first is not None and first.group(0).lower() == first_word.lower()


# ---------------------------------------------------------------------------- keywords
@constraint("keywords:existence",
            lambda keywords: f"Include the keywords {_quote_list(keywords)} in the response.")
def _existence(text: str, keywords: list[str]) -> bool:
    return all(count_phrase(text, k) > 0 for k in keywords)


@constraint("keywords:forbidden_words",
            lambda forbidden_words: f"Do not include the words {_quote_list(forbidden_words)} "
                                    f"in the response.")
def _forbidden(text: str, forbidden_words: list[str]) -> bool:
    return not any(count_phrase(text, w) for w in forbidden_words)


@constraint("keywords:frequency",
            lambda keyword, frequency, relation: f"The word \"{keyword}\" should appear "
                                                 f"{relation} {frequency} times.")
def _frequency(text: str, keyword: str, frequency: int, relation: str) -> bool:
    return _relation(relation)(count_phrase(text, keyword), frequency)


@constraint("keywords:letter_frequency",
            lambda letter, let_frequency, let_relation: f"The letter \"{letter}\" should appear "
                                                        f"{let_relation} {let_frequency} times.")
def _letter_frequency(text: str, letter: str, let_frequency: int, let_relation: str) -> bool:
    return _relation(let_relation)(fold_text(text).lower().count(fold_text(letter).lower()),
                                   let_frequency)


# ---------------------------------------------------------------------------- case
@constraint("change_case:english_lowercase",
            lambda: "Your entire response should be in lowercase letters; no capital letters.")
def _lowercase(text: str) -> bool:
    text = nfkc(text)  # math-bold or full-width capitals are capitals
    return any(c.isalpha() for c in text) and text == text.lower()


@constraint("change_case:english_capital",
            lambda: "Your entire response should be in capital letters.")
def _uppercase(text: str) -> bool:
    text = nfkc(text)
    return any(c.isalpha() for c in text) and text == text.upper()


@constraint("change_case:capital_word_frequency",
            lambda capital_frequency, capital_relation: f"Use words in all capital letters "
                                                        f"{capital_relation} {capital_frequency} times.")
def _capital_words(text: str, capital_frequency: int, capital_relation: str) -> bool:
    caps = [w for w in words(text) if w.isupper()]
    return _relation(capital_relation)(len(caps), capital_frequency)


# ---------------------------------------------------------------------------- format
@constraint("detectable_format:json_format",
            lambda: "Your entire output should be wrapped in JSON format; you may use a ```json "
                    "fenced block.")
def _json_format(text: str) -> bool:
    return extract_whole_json(text).ok


def section_headers(text: str, section_spliter: str) -> list[re.Match]:
    """Lines opening a section: `SECTION 2`, `## Section 2`, `**Section 2**`."""
    spliter = re.escape(section_spliter.strip())
    return list(re.finditer(rf"(?im)^[ \t#*>\"“]*{spliter}[ \t]+\d+\b.*$", text))


@constraint("detectable_format:multiple_sections",
            lambda section_spliter, num_sections: f"Your response must have exactly "
            f"{num_sections} sections. Mark the beginning of each section with "
            f"{section_spliter} X, on its own line, where X is the section number.")
def _multiple_sections(text: str, section_spliter: str, num_sections: int) -> bool:
    heads = section_headers(text, section_spliter)
    bodies = [text[h.end():(heads[i + 1].start() if i + 1 < len(heads) else len(text))]
              for i, h in enumerate(heads)]
    return len(heads) == num_sections and all(words(b) for b in bodies)


def bullets(text: str) -> list[str]:
    """Markdown bullet lines (`* item`, `- item`, `• item`); `***` dividers are not bullets."""
    return re.findall(r"(?m)^[ \t]*[*\-•][ \t]+\S.*$", text)


@constraint("detectable_format:number_bullet_lists",
            lambda num_bullets: f"Your answer must contain exactly {num_bullets} bullet points. "
                                f"Use markdown bullet points such as \"* This is point 1.\"")
def _bullets(text: str, num_bullets: int) -> bool:
    return len(bullets(text)) == num_bullets


@constraint("detectable_format:title",
            lambda: "Your answer must contain a title, wrapped in double angular brackets, "
                    "such as <<poem of joy>>.")
def _title(text: str) -> bool:
    return re.search(r"<<[^\n<>]*[^\W_][^\n<>]*>>", text) is not None


def highlights(text: str) -> list[str]:
    """`*highlighted*` and `**bold**` spans; the asterisks must hug the text (not bullets)."""
    single = re.findall(r"(?<![*\w])\*(?![\s*])([^\n*]*?[^\s*])\*(?![*\w])", text)
    double = re.findall(r"(?<![*\w])\*\*(?![\s*])([^\n*]*?[^\s*])\*\*(?![*\w])", text)
    return single + double


@constraint("detectable_format:number_highlighted_sections",
            lambda num_highlights: f"Highlight at least {num_highlights} sections in your "
                                   f"answer with markdown, i.e. *highlighted section*.")
def _highlights(text: str, num_highlights: int) -> bool:
    return len(highlights(text)) >= num_highlights


CHOICES = ("My answer is yes.", "My answer is no.", "My answer is maybe.")
_CHOICE_MENTION = re.compile(r"\bmy\s+answer\s+is\s+([^\W_]+)", re.I)


@constraint("detectable_format:constrained_response",
            lambda: "Answer with one of the following options: " + ", ".join(
                f'"{c}"' for c in CHOICES))
def _constrained(text: str) -> bool:
    """Exactly one option, and every "my answer is X" agrees with it (else a hedge)."""
    given = [c for c in CHOICES if c in text]
    mentions = {m.group(1).lower() for m in _CHOICE_MENTION.finditer(text)}
    return len(given) == 1 and mentions == {given[0].rstrip(".").split()[-1].lower()}


# ---------------------------------------------------------------------------- start / end
@constraint("startend:end_checker",
            lambda end_phrase: f"Finish your response with this exact phrase: \"{end_phrase}\". "
                               f"No other words should follow it.")
def _end(text: str, end_phrase: str) -> bool:
    return text.strip().lower().endswith(end_phrase.strip().lower())


@constraint("startend:start_checker",
            lambda start_phrase: f"Start your response with this exact phrase: \"{start_phrase}\".")
def _start(text: str, start_phrase: str) -> bool:
    return text.strip().lower().startswith(start_phrase.strip().lower())


@constraint("startend:quotation",
            lambda: "Wrap your entire response with double quotation marks.")
def _quotation(text: str) -> bool:
    t = text.strip()
    return len(t) > 2 and (t[0], t[-1]) in (('"', '"'), ("“", "”"))


# a comma and its look-alikes (Arabic, low-9 quote, ideographic...); NFKC folds full-width/small
_COMMAS = re.compile("[,\u060c\u201a\u3001\u055d\u07f8\u1802\u1808\ua60d\u2e41]")


@constraint("punctuation:no_comma",
            lambda: "In your entire response, refrain from the use of any commas.")
def _no_comma(text: str) -> bool:
    return not _COMMAS.search(nfkc(text))


# ---------------------------------------------------------------------------- content
def placeholders(text: str) -> list[str]:
    return re.findall(r"\[[^\[\]\n]*[^\W_][^\[\]\n]*\]", text)


@constraint("detectable_content:number_placeholders",
            lambda num_placeholders: f"The response must contain at least {num_placeholders} "
                                     f"placeholders represented by square brackets, such as "
                                     f"[address].")
def _placeholders(text: str, num_placeholders: int) -> bool:
    return len(placeholders(text)) >= num_placeholders


@constraint("detectable_content:postscript",
            lambda postscript_marker: f"At the end of your response, please explicitly add a "
                                      f"postscript starting with {postscript_marker}")
def _postscript(text: str, postscript_marker: str) -> bool:
    letters = [re.escape(c) for c in postscript_marker.strip().rstrip(".") if not c.isspace()]
    marker = r"\s?".join(letters)
    # on a line of its own (markdown emphasis allowed), followed by some words
    return re.search(rf"(?im)^[ \t*_>]*{marker}\.?[*_]*:?[*_]*\s*[^\W_]", text) is not None


# ---------------------------------------------------------------------------- combination
@constraint("combination:repeat_prompt",
            lambda prompt_to_repeat: "First repeat the request word for word without change, "
                                     f"then give your answer. The request: {prompt_to_repeat}")
def _repeat_prompt(text: str, prompt_to_repeat: str) -> bool:
    head, body = text.strip().lower(), prompt_to_repeat.strip().lower()
    return head.startswith(body) and bool(words(head[len(body):]))  # the repeat, then an answer


@constraint("combination:two_responses",
            lambda: "Give two different responses, separated by 6 asterisk symbols: ******.")
def _two_responses(text: str) -> bool:
    parts = [[w.lower() for w in words(p)] for p in text.split("******")]
    return len(parts) == 2 and all(parts) and parts[0] != parts[1]  # differing in words


def looks_like_text(text: str, min_ratio: float = 0.5) -> bool:
    """True when at least `min_ratio` of whitespace-separated tokens are words once edge
    punctuation is stripped: random characters and binary dumps fail, markdown and JSON pass."""
    tokens = text.split()
    if not tokens:
        return False
    wordlike = sum(1 for t in tokens if _WORD.fullmatch(t.strip("\"'“”‘’()[]{}<>*#:;,.!?-_`/")))
    return wordlike / len(tokens) >= min_ratio


MIN_WORDS = 20  # a shorter reply is no attempt at the writing task ("nope" is lowercase...)


def min_answer_words(constraints: list[dict[str, Any]]) -> int:
    """The fewest words a real answer has: MIN_WORDS, less when the task caps the length,
    none when it asks for a fixed short reply."""
    floor = MIN_WORDS
    for c in constraints:
        kw = c["kwargs"]
        if c["id"] == "detectable_format:constrained_response":
            return 0
        if c["id"] == "length_constraints:number_words" and kw["relation"] in ("at most", "less than"):
            floor = min(floor, kw["num_words"] // 2)
    return floor
