"""The `ifeval` generator: draw compatible constraints, then write a real text obeying them.

The gold writer assembles a text about the topic from sentence templates plus the structure
the constraints ask for (sections, bullets, title, postscript, ...), for a growing number of
prose sentences, and keeps the first text that every checker accepts. So every gold is
verified by the same code that scores the model.
"""
from __future__ import annotations

import json
import random
from typing import Any, Callable

from gymkit.verifiers.constraints import check, count_phrase, min_answer_words, words

TOPICS = ("the history of tea", "learning to play the piano", "city gardens", "night trains",
          "the first day at a new job", "saving water at home", "a trip to the mountains",
          "the life of bees", "public libraries", "learning a second language", "old maps",
          "repairing a bicycle", "winter in a small town", "the ocean at night",
          "a family recipe", "working from home", "street food", "the night sky")
FORMS = ("short essay", "blog post", "letter to a friend", "story", "speech", "diary entry")
PROSE = ("{Topic} is easy to overlook in daily life.",
         "Most of us meet {topic} long before we think about it.",
         "When you look closely at {topic} the small details start to matter.",
         "There is a quiet pleasure in {topic} that rewards patience.",
         "Some people see {topic} as a hobby while others treat it as a craft.",
         "A good place to begin is with a single honest question.",
         "Over time, the lessons of {topic} tend to stay with you.",
         "It helps to write down what you notice along the way.",
         "Friends and neighbours often have stories to share about it.",
         "The best moments usually come without any warning.",
         "Each season brings a slightly different side of {topic}.",
         "In the end, curiosity does most of the work.",
         "Nobody gets everything right the first time.",
         "Small habits add up to something surprisingly large.",
         "Looking back, I would change very little about how it started.",
         "The hardest part is simply showing up again tomorrow.",
         "A little planning saves a lot of frustration later.",
         "What matters most is the care you bring to it.",
         "You can learn a great deal from people who tried before you.",
         "Still, there is always something new to discover.",
         "Think of {topic} as a conversation rather than a task.",
         "It is worth slowing down to enjoy the process.")
FORBIDDEN = ("easy", "quiet", "small", "patience", "habits", "season", "curiosity", "planning",
             "process", "details", "moments", "friends")
KEYWORDS = ("harmony", "lantern", "compass", "ritual", "horizon", "velvet", "echo", "anchor",
            "meadow", "spark", "mosaic", "thread", "window", "riddle")
KEYWORD_SENTENCES = ("I picture the {k} whenever I think about it.",
                     "There is something like the {k} at the heart of it.",
                     "The image of the {k} fits it well.", "The {k} is what stays with me.",
                     "Call it a kind of {k} if you like.")
BULLETS = ("Start with what you already know about {topic}.", "Keep notes on what works.",
           "Ask someone with more experience.", "Set aside a little time each week.",
           "Share what you learn with others.", "Return to the basics when stuck.")
PLACEHOLDERS = ("Write to me at [address] any time.",
                "Write to me at [address] or call [phone number].",
                "Write to me at [address] or call [phone number] before [date].")
END_PHRASES = ("Is there anything else I can help with?", "Let me know if you have additional "
               "questions.", "That is all for today.")
START_PHRASES = ("Here is what I think.", "Let me begin.", "Picture this for a moment.")
FIRST_WORDS = ("honestly", "today", "overall", "sometimes", "finally")
SPLITERS = ("SECTION", "Section", "PART")

# id -> (kwargs sampler(rng, difficulty), ids it cannot be combined with)
Sampler = Callable[[random.Random, int], dict[str, Any]]
STRUCTURE = {"length_constraints:number_paragraphs", "length_constraints:nth_paragraph_first_word",
             "detectable_format:multiple_sections", "detectable_format:json_format"}
WRAPPERS = {"detectable_format:json_format", "startend:quotation"}
SPECS: dict[str, tuple[Sampler, set[str]]] = {
    "length_constraints:number_words": (lambda r, d: (
        {"relation": "at least", "num_words": r.choice((40, 60, 80, 100)[:d + 1])} if r.random() < .5
        else {"relation": "at most", "num_words": r.choice((250, 200, 160)[:d + 1])}), set()),
    "length_constraints:number_sentences": (lambda r, d: (
        {"relation": "at least", "num_sentences": r.randint(3, 3 + 2 * d)} if r.random() < .5
        else {"relation": "at most", "num_sentences": r.randint(18 - 2 * d, 20)}), set()),
    "length_constraints:number_paragraphs": (
        lambda r, d: {"num_paragraphs": r.randint(2, 2 + d)}, STRUCTURE),
    "length_constraints:nth_paragraph_first_word": (lambda r, d: _nth(r, d), STRUCTURE | {
        "detectable_format:title", "startend:start_checker", "startend:quotation"}),
    "keywords:existence": (lambda r, d: {"keywords": r.sample(KEYWORDS[:7], r.randint(1, d))}, set()),
    "keywords:forbidden_words": (lambda r, d: {"forbidden_words": r.sample(FORBIDDEN, d + 1)}, set()),
    "keywords:frequency": (lambda r, d: {"keyword": r.choice(KEYWORDS[7:]), "relation": r.choice(
        ("at least", "less than")), "frequency": r.randint(2, 2 + d)}, set()),
    "change_case:english_lowercase": (lambda r, d: {}, {"change_case:english_capital"}),
    "change_case:english_capital": (lambda r, d: {}, {"change_case:english_lowercase"}),
    "detectable_format:json_format": (lambda r, d: {}, {
        "detectable_format:number_bullet_lists", "detectable_format:title",
        "detectable_format:number_highlighted_sections", "startend:end_checker",
        "startend:start_checker", "detectable_content:postscript"} | STRUCTURE | WRAPPERS),
    "detectable_format:multiple_sections": (lambda r, d: {
        "section_spliter": r.choice(SPLITERS), "num_sections": r.randint(2, 2 + d)}, STRUCTURE),
    "detectable_format:number_bullet_lists": (lambda r, d: {"num_bullets": r.randint(2, 3 + d)},
                                              {"detectable_format:json_format"}),
    "detectable_format:title": (lambda r, d: {}, {"detectable_format:json_format"}),
    "detectable_format:number_highlighted_sections": (
        lambda r, d: {"num_highlights": r.randint(1, 1 + d)}, {"detectable_format:json_format"}),
    "startend:end_checker": (lambda r, d: {"end_phrase": r.choice(END_PHRASES)}, WRAPPERS),
    "startend:start_checker": (lambda r, d: {"start_phrase": r.choice(START_PHRASES)}, WRAPPERS),
    "startend:quotation": (lambda r, d: {}, WRAPPERS | {"startend:end_checker",
                                                        "startend:start_checker"}),
    "punctuation:no_comma": (lambda r, d: {}, set()),
    "detectable_content:number_placeholders": (
        lambda r, d: {"num_placeholders": r.randint(1, 3)}, set()),
    "detectable_content:postscript": (
        lambda r, d: {"postscript_marker": r.choice(("P.S.", "P.P.S"))}, {"detectable_format:json_format"}),
}


def _nth(rng: random.Random, difficulty: int) -> dict[str, Any]:
    n = rng.randint(2, 2 + difficulty)
    return {"num_paragraphs": n, "nth_paragraph": rng.randint(1, n),
            "first_word": rng.choice(FIRST_WORDS)}


def draw_constraints(rng: random.Random, difficulty: int) -> list[dict[str, Any]]:
    """`difficulty` mutually compatible constraints (1 to 3), as `{"id", "kwargs"}` dicts."""
    chosen: list[dict[str, Any]] = []
    ids = sorted(SPECS)
    while len(chosen) < difficulty:
        cid = rng.choice(ids)
        taken = {c["id"] for c in chosen}
        if cid in taken or any(cid in SPECS[t][1] or t in SPECS[cid][1] for t in taken):
            continue
        chosen.append({"id": cid, "kwargs": SPECS[cid][0](rng, difficulty)})
    return chosen


class GoldWriter:
    """Writes texts on `topic` that carry the structure `constraints` ask for."""

    def __init__(self, rng: random.Random, topic: str, constraints: list[dict[str, Any]]):
        self.c = {c["id"]: c["kwargs"] for c in constraints}
        self.constraints = constraints
        banned = self.c.get("keywords:forbidden_words", {}).get("forbidden_words", [])
        no_comma = "punctuation:no_comma" in self.c

        def usable(s: str) -> bool:
            return not (no_comma and "," in s) and not any(count_phrase(s, w) for w in banned)

        fill = {"topic": topic, "Topic": topic[0].upper() + topic[1:]}
        self.prose = [s.format(**fill) for s in PROSE if usable(s.format(**fill))]
        self.bullets = [s.format(**fill) for s in BULLETS if usable(s.format(**fill))]
        rng.shuffle(self.prose)
        rng.shuffle(self.bullets)
        self.topic, self.extra = topic, self._keyword_sentences(rng)

    def _keyword_sentences(self, rng: random.Random) -> list[str]:
        out = [rng.choice(KEYWORD_SENTENCES).format(k=k)
               for k in self.c.get("keywords:existence", {}).get("keywords", [])]
        if freq := self.c.get("keywords:frequency"):
            times = freq["frequency"] if freq["relation"] == "at least" else freq["frequency"] - 1
            out += [KEYWORD_SENTENCES[i % len(KEYWORD_SENTENCES)].format(k=freq["keyword"])
                    for i in range(times)]
        return out

    def write(self) -> str:
        """The shortest composed text (of four sentences or more, when possible) that passes
        every constraint."""
        sizes = list(range(4, len(self.prose) + 1)) + [3, 2, 1]  # a few sentences if they fit
        for n in sizes:
            text = self.compose(n)
            if len(words(text)) >= min_answer_words(self.constraints) and all(
                    check(c["id"], c["kwargs"], text) for c in self.constraints):
                return text
        raise ValueError(f"no gold text satisfies {sorted(self.c)}")

    def _units(self) -> tuple[str, int]:
        c = self.c
        if "detectable_format:multiple_sections" in c:
            return "sections", c["detectable_format:multiple_sections"]["num_sections"]
        if "length_constraints:number_paragraphs" in c:
            return "stars", c["length_constraints:number_paragraphs"]["num_paragraphs"]
        if "length_constraints:nth_paragraph_first_word" in c:
            return "blank", c["length_constraints:nth_paragraph_first_word"]["num_paragraphs"]
        return "plain", 1

    def compose(self, n: int) -> str:
        """A text with `n` prose sentences (at least one per section or paragraph)."""
        c = self.c
        kind, k = self._units()
        units: list[list[str]] = [[] for _ in range(k)]
        for i, s in enumerate(self.prose[:max(n, k)] + self.extra):
            units[i % k].append(s)
        if placeholder := c.get("detectable_content:number_placeholders"):
            units[-1].append(PLACEHOLDERS[placeholder["num_placeholders"] - 1])
        if nth := c.get("length_constraints:nth_paragraph_first_word"):
            unit = units[nth["nth_paragraph"] - 1]
            unit[0] = f"{nth['first_word'].capitalize()} {unit[0][0].lower()}{unit[0][1:]}"
        if hl := c.get("detectable_format:number_highlighted_sections"):
            opener = (nth["nth_paragraph"] - 1, 0) if nth else None
            spots = [(u, i) for u in range(k) for i in range(len(units[u])) if (u, i) != opener]
            for u, i in spots[-hl["num_highlights"]:]:  # too few spots: a longer text is tried
                units[u][i] = f"*{units[u][i]}*"
        texts = [" ".join(u) for u in units]
        if bl := c.get("detectable_format:number_bullet_lists"):
            texts[0] += "\n" + "\n".join(f"* {b}" for b in self.bullets[:bl["num_bullets"]])
        if kind == "sections":
            spliter = c["detectable_format:multiple_sections"]["section_spliter"]
            body = "\n\n".join(f"{spliter} {i + 1}\n{t}" for i, t in enumerate(texts))
        else:
            body = ("\n\n***\n\n" if kind == "stars" else "\n\n").join(texts)
        head = [c["startend:start_checker"]["start_phrase"]] if "startend:start_checker" in c else []
        if "detectable_format:title" in c:
            head.append(f"<<Notes on {self.topic}>>")
        tail = []
        if ps := c.get("detectable_content:postscript"):
            tail.append(f"{ps['postscript_marker']} Thank you for reading this far.")
        if end := c.get("startend:end_checker"):
            tail.append(end["end_phrase"])
        text = "\n".join(head + [body] + tail)
        if "change_case:english_lowercase" in c:
            text = text.lower()
        if "change_case:english_capital" in c:
            text = text.upper()
        if "detectable_format:json_format" in c:  # the key follows the case rule too
            key = "RESPONSE" if "change_case:english_capital" in c else "response"
            text = json.dumps({key: text}, ensure_ascii=False)
        if "startend:quotation" in c:
            text = f'"{text}"'
        return text
