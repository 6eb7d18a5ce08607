"""Zebra (Einstein) puzzles: a random hidden assignment, clues proved to determine it, scoring
of a JSON assignment against every clue; ZebraLogic-style rows are checked against their grid."""
from __future__ import annotations

import json
import random
import re
from typing import Any

from gymkit.errors import GymkitError
from gymkit.types import Score
from gymkit.verifiers.puzzles import make_zebra_clues, zebra_errors
from gymkit.verifiers.structured import extract_json_object

# attribute -> (values, how a person with that value is named)
ATTRIBUTES = {
    "color": (["red", "green", "blue", "white", "yellow"], "the person in the {} house"),
    "pet": (["dog", "cat", "bird", "fish", "horse"], "the person who keeps the {}"),
    "drink": (["tea", "coffee", "milk", "juice", "water"], "the person who drinks {}"),
    "hobby": (["chess", "painting", "hiking", "reading", "cooking"], "the person who enjoys {}"),
    "job": (["teacher", "doctor", "pilot", "baker", "lawyer"], "the {}"),
    "name": (["Alice", "Bruno", "Chen", "Dara", "Emil"], "{}"),
}
LEVELS = {1: (3, 3), 2: (4, 4), 3: (5, 5)}  # difficulty -> (houses, attributes)
SENTENCES = {
    "at": "{a} lives in house {pos}.", "not_at": "{a} does not live in house {pos}.",
    "same": "{a} and {b} are the same person.", "diff": "{a} and {b} are different people.",
    "left_of": "{a} lives directly to the left of {b}.",
    "next_to": "{a} and {b} live next to each other.",
    "before": "{a} lives somewhere to the left of {b}.",
}


def _who(ref: list[str]) -> str:
    return ATTRIBUTES[ref[0]][1].format(ref[1])


def clue_text(clue: dict[str, Any]) -> str:
    text = SENTENCES[clue["type"]].format(a=_who(clue["a"]), b=_who(clue.get("b", ["name", ""])),
                                          pos=clue.get("pos"))
    return text[0].upper() + text[1:]


def _format_rule(houses: int, attributes: dict[str, list[str]]) -> str:
    example = {str(h): {a: "..." for a in attributes} for h in (1, 2)}
    return (f"Answer with one JSON object in a ```json fenced block that maps every house number "
            f"(1 to {houses}) to that house's attributes, like {json.dumps(example)} and so on. "
            f"Write only one answer.")


def generate(rng: random.Random, difficulty: int) -> tuple[str, dict, str]:
    houses, n_attrs = LEVELS[difficulty]
    names = sorted(rng.sample(sorted(ATTRIBUTES), n_attrs))
    attributes = {a: sorted(rng.sample(ATTRIBUTES[a][0], houses)) for a in names}
    solution = {a: rng.sample(vals, houses) for a, vals in attributes.items()}
    clues = make_zebra_clues(rng, solution)
    listing = "\n".join(f"- {a}: {', '.join(vals)}" for a, vals in attributes.items())
    numbered = "\n".join(f"{i + 1}. {clue_text(c)}" for i, c in enumerate(clues))
    text = (f"There are {houses} houses in a row, numbered 1 to {houses} from left to right. "
            f"One person lives in each house, and each attribute value below belongs to exactly "
            f"one person:\n{listing}\n\nClues:\n{numbered}\n\n{_format_rule(houses, attributes)}")
    gold = {str(h + 1): {a: solution[a][h] for a in names} for h in range(houses)}
    return text, {"kind": "zebra", "attributes": attributes, "clues": clues,
                  "solution": None}, "```json\n" + json.dumps(gold, indent=2) + "\n```"


def from_row(row: dict[str, Any], index: int) -> tuple[str, dict, str | None]:
    """ZebraLogic grid-mode rows: `{puzzle, solution: {header: [House, ...], rows: [[...]]}}`."""
    sol = row["solution"]
    header, rows = sol.get("header"), sol.get("rows")
    if not header or not rows or str(header[0]).lower() != "house":
        raise GymkitError(f"row {index}: a zebra solution needs header ['House', ...] and rows")
    names = [str(h).lower() for h in header[1:]]
    solution = {a: [str(r[i + 1]) for r in rows] for i, a in enumerate(names)}
    attributes = {a: sorted(vals) for a, vals in solution.items()}
    text = f"{row['puzzle'].strip()}\n\n{_format_rule(len(rows), attributes)}"
    gold = {str(h + 1): {a: solution[a][h] for a in names} for h in range(len(rows))}
    return text, {"kind": "zebra", "attributes": attributes, "clues": None,
                  "solution": solution}, "```json\n" + json.dumps(gold, indent=2) + "\n```"


def _house_number(key: str) -> int | None:
    m = re.fullmatch(r"\s*(?:house[\s_#-]*)?(\d+)\s*", str(key), re.I)
    return int(m.group(1)) if m else None


def parse_answer(value: Any, attributes: dict[str, list[str]]) -> tuple[dict | None, str]:
    """{attribute: [value in house 1, house 2, ...]} from a JSON answer, or why not."""
    if isinstance(value, list):  # a list of houses in order is an equally clear layout
        value = {str(i + 1): h for i, h in enumerate(value)}
    if not isinstance(value, dict):
        return None, "the answer must map house numbers to attributes"
    houses = len(next(iter(attributes.values())))
    by_house: dict[int, dict] = {}
    known = {a.lower() for a in attributes}
    for key, row in value.items():
        h = _house_number(key)
        if h is None or not 1 <= h <= houses or not isinstance(row, dict) or h in by_house:
            return None, f"bad house entry {str(key)[:20]!r}"
        cells: dict[str, str] = {}
        for k, v in row.items():
            name = str(k).strip().lower()
            if name == "house" and _house_number(str(v)) == h:
                continue  # `{"house": 2, ...}` restating its own number is fine
            if name not in known or name in cells:  # an invented or doubled attribute: a hedge
                return None, f"house {h} has an unknown or repeated attribute {str(k)[:20]!r}"
            cells[name] = str(v).strip().lower()
        by_house[h] = cells
    if sorted(by_house) != list(range(1, houses + 1)):
        return None, f"the answer must cover houses 1 to {houses}"
    canon = {a: {v.lower(): v for v in vals} for a, vals in attributes.items()}
    answer = {}
    for a in attributes:
        cells = [by_house[h].get(a.lower()) for h in range(1, houses + 1)]
        if any(c not in canon[a] for c in cells):
            return None, f"attribute {a!r} is missing or has an unknown value"
        answer[a] = [canon[a][c] for c in cells]
    return answer, ""


def score(data: dict[str, Any], response: str) -> Score:
    got = extract_json_object(response, allow_arrays=True)
    if not got.ok:
        return Score.wrong(got.error or "no JSON")
    answer, why = parse_answer(got.value, data["attributes"])
    if answer is None:
        return Score.wrong(why)
    if data.get("clues") is not None:
        errors = zebra_errors(answer, data["attributes"], data["clues"])
    else:
        errors = [f"{a} differs from the solution" for a in answer
                  if answer[a] != data["solution"][a]]
    return Score.wrong(errors[0], errors=errors[:5]) if errors else Score.correct()
