"""A fictional world (towns, people, companies) drawn from a seed, written up as documents.

Names are built from invented syllables, so a model cannot know any fact without reading it.
`build_world(seed, level)` is a pure function: a task stores only the seed and rebuilds the
same documents on any actor. Higher levels have more entities and shared surnames and name
stems, so a careless search lands on the wrong document.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from .kb import Doc, KnowledgeBase

_SYLLABLES = ["vel", "mor", "ath", "quin", "dra", "zel", "oru", "kes", "tha", "lun", "bri",
              "sor", "nev", "ix", "ul", "gar", "emb", "ost", "ryn", "pel", "tov", "yas"]
_TOWN_ENDS = ["", "", "wick", "mere", "holt", "ford", "by"]
_REGIONS = ["the Harrow Vale", "the Ostmarch", "Lower Quell", "the Tessary Coast", "High Brenn"]
_PROFESSIONS = ["cartographer", "glassblower", "engineer", "botanist", "composer", "architect",
                "astronomer", "shipwright"]
_PRODUCTS = ["barometers", "ceramic tiles", "rope", "clockwork toys", "telescopes",
             "woollen cloth", "canal barges", "paper lanterns"]
_COMPANY_ENDS = ["Works", "& Sons", "Instruments", "Guild", "Foundry", "Company"]
# level -> (towns, people, companies, surname pool size)
SIZES = {1: (4, 6, 3, 12), 2: (8, 14, 6, 8), 3: (14, 30, 12, 5)}


@dataclass
class World:
    towns: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    kb: KnowledgeBase | None = None


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize()


def _unique(rng: random.Random, make, taken: set[str]) -> str:
    while True:  # terminates: the name space is far larger than any world
        name = make(rng)
        if name not in taken:
            taken.add(name)
            return name


def _draw(rng: random.Random, level: int) -> World:
    n_towns, n_people, n_companies, n_surnames = SIZES[level]
    taken: set[str] = set()
    w = World()
    rivers = [f"River {_word(rng, 2)}" for _ in range(4)]
    for _ in range(n_towns):
        w.towns.append({"name": _unique(rng, lambda r: _word(r, 2) + r.choice(_TOWN_ENDS), taken),
                        "region": rng.choice(_REGIONS), "river": rng.choice(rivers),
                        "founded": rng.randint(1150, 1890),
                        "population": rng.randint(800, 240000)})
    surnames = [_word(rng, 2) for _ in range(n_surnames)]
    for _ in range(n_people):
        w.people.append({"name": _unique(rng, lambda r: f"{_word(r, 2)} {r.choice(surnames)}", taken),
                         "born": rng.randint(1890, 1995), "profession": rng.choice(_PROFESSIONS),
                         "birthplace": rng.choice(w.towns)["name"]})
    for _ in range(n_companies):
        w.companies.append({
            "name": _unique(rng, lambda r: f"{_word(r, 2)} {r.choice(_COMPANY_ENDS)}", taken),
            "founded": rng.randint(1900, 2015), "product": rng.choice(_PRODUCTS),
            "headquarters": rng.choice(w.towns)["name"], "founder": rng.choice(w.people)["name"]})
    for town in w.towns:
        town["mayor"] = rng.choice(w.people)["name"]
    for person in w.people:
        person["employer"] = rng.choice(w.companies)["name"]
    return w


def _documents(w: World) -> list[tuple[str, str]]:
    docs = []
    for t in w.towns:
        docs.append((t["name"], f"{t['name']} is a town in {t['region']}, on the banks of the "
                     f"{t['river']}. It was founded in {t['founded']} and has a population of "
                     f"{t['population']:,}. The current mayor of {t['name']} is {t['mayor']}."))
    for p in w.people:
        docs.append((p["name"], f"{p['name']} (born {p['born']}) is a {p['profession']} from "
                     f"{p['birthplace']}. {p['name'].split()[0]} works for {p['employer']}."))
    for c in w.companies:
        docs.append((c["name"], f"{c['name']} makes {c['product']}. The company was founded in "
                     f"{c['founded']} by {c['founder']} and has its headquarters in "
                     f"{c['headquarters']}."))
    return docs


@lru_cache(maxsize=64)
def build_world(seed: int, level: int) -> World:
    """The world for `seed` at `level`, its documents shuffled so ids reveal nothing."""
    rng = random.Random(f"search_kb-world/{seed}/{level}")
    w = _draw(rng, level)
    docs = _documents(w)
    rng.shuffle(docs)
    w.kb = KnowledgeBase([Doc(f"d{i}", title, text) for i, (title, text) in enumerate(docs)])
    return w


def doc_id(w: World, title: str) -> str:
    """The id of the document titled `title`."""
    return next(d.id for d in w.kb.docs.values() if d.title == title)
