"""Generated documents for `long_context`: filler prose with needle sentences placed in it.

The filler is built from a small grammar (no digits, no needle phrasing), so every number in a
document belongs to a needle, and a document of any length is a pure function of the rng.
Lengths are counted in words (the env's stand-in for tokens).
"""
from __future__ import annotations

import random

ADJ = ("quiet old bright narrow distant wooden careful patient early northern muddy silver "
       "crowded hidden gentle heavy sudden open broken restless").split()
NOUN = ("river village teacher harbor orchard merchant lantern bridge library garden ferry "
        "market painter tower meadow kitchen workshop valley sailor archive mill forest "
        "council baker road festival").split()
VERB = ("watched crossed repaired described visited followed painted measured remembered "
        "carried opened guarded studied praised ignored mapped cleaned").split()
PLACE = ("near the old bridge", "beyond the eastern hills", "along the canal",
         "behind the town hall", "at the edge of the forest", "in the lower valley",
         "across the harbor", "under the stone arch", "by the northern gate")
TIME = ("every spring", "after the long winter", "before the harvest", "late in the evening",
        "during the festival", "on market days", "in those years", "at first light",
        "once the rain stopped")
CLAUSE = ("and nobody seemed to mind", "while the bells rang in the distance",
          "as the records of the council describe", "though few people noticed at the time",
          "which surprised the visitors", "until the weather turned", "as it had done before")
# key words for needles: two words joined by a hyphen, disjoint from the filler vocabulary
KEY_A = ("amber azure crimson cobalt golden ivory jade lilac maroon olive onyx pearl ruby "
         "saffron scarlet teal umber violet").split()
KEY_B = ("falcon otter badger heron lynx marten osprey raven salmon stork viper walrus "
         "beetle cricket gecko ibis jackal koala").split()
PEOPLE = ("Alvarez Brennan Castillo Dimitrov Eriksen Fontaine Garrido Haldane Iwasaki Jensen "
          "Kowalski Lindqvist Moreau Nakamura Okafor Petrov Quintero Rasmussen Sorensen "
          "Takahashi Ulrich Valdez Whitaker Yamada Zielinski").split()
BOXES = ("red blue green yellow purple orange white black grey brown pink cyan").split()
CARGO = ("copper glass linen pepper marble timber wool cocoa silk rubber").split()
DOCKS = ("Dock North", "Dock South", "Dock East", "Dock West", "Dock Central")


def filler_sentence(rng: random.Random) -> str:
    """One sentence of filler prose (about 10-16 words)."""
    s = (f"The {rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(VERB)} the {rng.choice(ADJ)} "
         f"{rng.choice(NOUN)} {rng.choice(PLACE)}")
    r = rng.random()
    if r < 0.4:
        s += f" {rng.choice(TIME)}"
    elif r < 0.7:
        s += f", {rng.choice(CLAUSE)}"
    return s + "."


def key_names(rng: random.Random, n: int) -> list[str]:
    """`n` distinct needle keys such as `cobalt-heron`."""
    pairs = rng.sample([(a, b) for a in KEY_A for b in KEY_B], n)
    return [f"{a}-{b}" for a, b in pairs]


def value(rng: random.Random, used: set[int]) -> int:
    """A fresh 7-digit value."""
    while True:
        v = rng.randint(1_000_000, 9_999_999)
        if v not in used:
            used.add(v)
            return v


def build_document(rng: random.Random, words: int, needles: list[str]) -> str:
    """Filler of about `words` words with each needle sentence at a random place, split into
    paragraphs of 4-8 sentences."""
    sentences: list[str] = []
    count = sum(len(n.split()) for n in needles)
    while count < words:
        s = filler_sentence(rng)
        sentences.append(s)
        count += len(s.split())
    slots = sorted(rng.randint(0, len(sentences)) for _ in needles)
    order = list(needles)
    rng.shuffle(order)
    for slot, needle in zip(reversed(slots), reversed(order)):  # back to front: slots stay valid
        sentences.insert(slot, needle)
    paragraphs, i = [], 0
    while i < len(sentences):
        step = rng.randint(4, 8)
        paragraphs.append(" ".join(sentences[i:i + step]))
        i += step
    return "\n\n".join(paragraphs)
