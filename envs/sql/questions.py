"""Question templates for the `sql` env: (question, gold SQL) pairs over a generated database.

Each template reads the data, so its constants exist in the database and the answer is not
empty; numeric columns hold distinct values, so "top k" and ordered questions have no ties.
Every question names the columns to return and says when the order matters.
"""
from __future__ import annotations

import random
from collections.abc import Callable

from .database import Table

Question = tuple[str, str]
Rows = dict[str, list[dict]]


def _num(rng: random.Random, t: Table) -> str:
    return rng.choice(sorted(t.nums))


def _cat(rng: random.Random, t: Table) -> str:
    return rng.choice(sorted(t.cats))


# ------------------------------------------------------------------ difficulty 1: one table
def count_where(rng, p: Table, c: Table, rows: Rows) -> Question:
    col = _cat(rng, c)
    value = rng.choice(rows[c.name])[col]
    return (f"How many {c.plural} have {col} '{value}'? Return a single number.",
            f"SELECT COUNT(*) FROM {c.name} WHERE {col} = '{value}'")


def list_above(rng, p: Table, c: Table, rows: Rows) -> Question:
    col = _num(rng, c)
    values = sorted(r[col] for r in rows[c.name])
    x = values[len(values) // 2]
    return (f"List the {c.label} of every {c.singular} whose {col} is greater than {x}.",
            f"SELECT {c.label} FROM {c.name} WHERE {col} > {x}")


def extreme(rng, p: Table, c: Table, rows: Rows) -> Question:
    col = _num(rng, c)
    word, fn = rng.choice([("highest", "MAX"), ("lowest", "MIN")])
    return (f"What is the {word} {col} of any {c.singular}? Return a single number.",
            f"SELECT {fn}({col}) FROM {c.name}")


# ------------------------------------------------------------------ difficulty 2: aggregates, order
def group_count(rng, p: Table, c: Table, rows: Rows) -> Question:
    col = _cat(rng, c)
    return (f"For each {col} that appears among the {c.plural}, return the {col} and the "
            f"number of {c.plural} with it.",
            f"SELECT {col}, COUNT(*) FROM {c.name} GROUP BY {col}")


def top_k(rng, p: Table, c: Table, rows: Rows) -> Question:
    col = _num(rng, c)
    k = rng.randint(2, 4)
    return (f"Return the {c.label} and {col} of the {k} {c.plural} with the largest {col}, "
            f"sorted from largest to smallest {col}.",
            f"SELECT {c.label}, {col} FROM {c.name} ORDER BY {col} DESC LIMIT {k}")


def average_where(rng, p: Table, c: Table, rows: Rows) -> Question:
    col, num = _cat(rng, c), _num(rng, c)
    value = rng.choice(rows[c.name])[col]
    return (f"What is the average {num} of the {c.plural} with {col} '{value}'? "
            f"Return a single number.",
            f"SELECT AVG({num}) FROM {c.name} WHERE {col} = '{value}'")


def sorted_filter(rng, p: Table, c: Table, rows: Rows) -> Question:
    col, num = _cat(rng, p), _num(rng, p)
    value = rng.choice(rows[p.name])[col]
    return (f"List the {p.label} of the {p.plural} with {col} '{value}', sorted by {num} "
            f"in ascending order.",
            f"SELECT {p.label} FROM {p.name} WHERE {col} = '{value}' ORDER BY {num}")


# ------------------------------------------------------------------ difficulty 3: joins
def join_filter(rng, p: Table, c: Table, rows: Rows) -> Question:
    parent = rng.choice(rows[p.name][:-1])
    return (f"List the {c.label} of every {c.singular} whose {p.singular} has {p.label} "
            f"'{parent[p.label]}'.",
            f"SELECT {c.name}.{c.label} FROM {c.name} JOIN {p.name} ON {c.name}.{c.fk} = "
            f"{p.name}.id WHERE {p.name}.{p.label} = '{parent[p.label]}'")


def join_total(rng, p: Table, c: Table, rows: Rows) -> Question | None:
    num = _num(rng, c)
    totals = [sum(r[num] for r in rows[c.name] if r[c.fk] == q["id"]) for q in rows[p.name]]
    if len(set(totals)) != len(totals):
        return None  # a tie would make the requested order ambiguous
    return (f"For each {p.singular} that has at least one {c.singular}, return the "
            f"{p.singular}'s {p.label} and the total {num} of its {c.plural}, sorted by that "
            f"total from largest to smallest.",
            f"SELECT {p.name}.{p.label}, SUM({c.name}.{num}) AS total FROM {p.name} JOIN "
            f"{c.name} ON {c.name}.{c.fk} = {p.name}.id GROUP BY {p.name}.id ORDER BY total DESC")


def without_children(rng, p: Table, c: Table, rows: Rows) -> Question:
    return (f"List the {p.label} of every {p.singular} that has no {c.plural}.",
            f"SELECT {p.label} FROM {p.name} WHERE id NOT IN "
            f"(SELECT {c.fk} FROM {c.name} WHERE {c.fk} IS NOT NULL)")


def having_count(rng, p: Table, c: Table, rows: Rows) -> Question:
    counts = sorted({sum(r[c.fk] == q["id"] for r in rows[c.name]) for q in rows[p.name]})
    n = counts[max(0, len(counts) // 2 - 1)]
    return (f"Return the {p.label} of every {p.singular} with more than {n} {c.plural}.",
            f"SELECT {p.name}.{p.label} FROM {p.name} JOIN {c.name} ON {c.name}.{c.fk} = "
            f"{p.name}.id GROUP BY {p.name}.id HAVING COUNT(*) > {n}")


TEMPLATES: dict[int, list[Callable[..., Question | None]]] = {
    1: [count_where, list_above, extreme],
    2: [group_count, top_k, average_where, sorted_filter],
    3: [join_filter, join_total, without_children, having_count],
}
