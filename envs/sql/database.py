"""Seeded SQLite databases for the `sql` env: a parent table and a child table with a
foreign key, in one of a few domains. The whole database is a SQL script (DDL + INSERTs),
so a task carries it and the database is rebuilt byte-for-byte from the task."""
from __future__ import annotations

import random
from dataclasses import dataclass

FIRST = ["Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jin", "Kai", "Lea",
         "Max", "Nia", "Oto", "Pia", "Raj", "Sol", "Tess", "Uma", "Vik", "Wes", "Yara", "Zed"]
LAST = ["Abe", "Baker", "Chen", "Diaz", "Evans", "Frost", "Gray", "Hale", "Ito", "Jones",
        "Khan", "Lopez", "Moss", "Novak", "Ortiz", "Park", "Quinn", "Rossi", "Sato", "Tan"]


@dataclass(frozen=True)
class Table:
    """A table's shape: its name, words for questions, and typed columns."""

    name: str
    singular: str
    plural: str
    label: str  # the column that names a row (unique)
    cats: dict[str, list[str]]  # categorical TEXT column -> value pool
    nums: dict[str, tuple[int, int]]  # INTEGER column -> (low, high), values kept distinct
    fk: str | None = None  # column referencing the parent's id


DOMAINS: dict[str, tuple[Table, Table]] = {
    "company": (
        Table("departments", "department", "departments", "name",
              {"city": ["Oslo", "Lima", "Pune", "Kyiv", "Accra", "Quito"]}, {"budget": (50, 900)}),
        Table("employees", "employee", "employees", "name",
              {"title": ["engineer", "analyst", "manager", "designer"]},
              {"salary": (3000, 9999), "age": (21, 64)}, fk="department_id")),
    "library": (
        Table("authors", "author", "authors", "name",
              {"country": ["Chile", "Japan", "Kenya", "Norway", "Peru"]}, {"born": (1900, 1999)}),
        Table("books", "book", "books", "title",
              {"genre": ["poetry", "history", "fiction", "science"]},
              {"pages": (80, 990), "year": (1950, 2024)}, fk="author_id")),
    "shop": (
        Table("customers", "customer", "customers", "name",
              {"country": ["Brazil", "Egypt", "France", "India", "Mexico"]}, {"age": (18, 80)}),
        Table("orders", "order", "orders", "code",
              {"product": ["lamp", "desk", "chair", "shelf", "rug"]},
              {"quantity": (1, 60), "amount": (5, 2500)}, fk="customer_id")),
}
NAME_WORDS = ["Red", "Blue", "Quiet", "Iron", "Silver", "Open", "Deep", "Bright", "North", "Wild"]
NOUNS = ["River", "Garden", "Tower", "Field", "Harbor", "Forest", "Bridge", "Valley"]


def _labels(rng: random.Random, table: Table, n: int) -> list[str]:
    if table.label == "code":
        return [f"ORD-{x:04d}" for x in rng.sample(range(1, 10_000), n)]
    if table.name == "departments":
        pool = ["Sales", "Research", "Support", "Legal", "Finance", "Design", "Ops", "Data"]
        return rng.sample(pool, n)
    if table.label == "title":
        pool = [f"The {a} {b}" for a in NAME_WORDS for b in NOUNS]
    else:
        pool = [f"{a} {b}" for a in FIRST for b in LAST]
    return rng.sample(pool, n)


def _ddl(t: Table, parent: Table | None) -> str:
    cols = ["id INTEGER PRIMARY KEY", f"{t.label} TEXT NOT NULL UNIQUE"]
    cols += [f"{c} TEXT NOT NULL" for c in t.cats] + [f"{c} INTEGER NOT NULL" for c in t.nums]
    if t.fk and parent:
        cols.append(f"{t.fk} INTEGER REFERENCES {parent.name}(id)")
    return f"CREATE TABLE {t.name} (\n  " + ",\n  ".join(cols) + "\n);"


def _rows(rng: random.Random, t: Table, n: int, parent_ids: list[int] | None) -> list[dict]:
    labels = _labels(rng, t, n)
    numbers = {c: rng.sample(range(lo, hi + 1), n) for c, (lo, hi) in t.nums.items()}
    rows = []
    for i in range(n):
        row: dict = {"id": i + 1, t.label: labels[i]}
        row.update({c: rng.choice(pool) for c, pool in t.cats.items()})
        row.update({c: numbers[c][i] for c in t.nums})
        if t.fk and parent_ids:
            row[t.fk] = rng.choice(parent_ids)
        rows.append(row)
    return rows


def _insert(table: str, rows: list[dict]) -> str:
    def lit(v: object) -> str:
        return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"

    cols = list(rows[0])
    values = ",\n  ".join("(" + ", ".join(lit(r[c]) for c in cols) + ")" for r in rows)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES\n  {values};"


def make_database(rng: random.Random, difficulty: int) -> tuple[str, tuple[Table, Table], dict]:
    """(domain name, its tables, rows by table name) for one seeded database."""
    domain = rng.choice(sorted(DOMAINS))
    parent, child = DOMAINS[domain]
    n_parent = rng.randint(3, 4) + difficulty
    n_child = rng.randint(6, 9) * difficulty + 4
    prows = _rows(rng, parent, n_parent, None)
    crows = _rows(rng, child, n_child, [r["id"] for r in prows[:-1]])  # last parent: no children
    return domain, (parent, child), {parent.name: prows, child.name: crows}


def database_script(tables: tuple[Table, Table], rows: dict) -> tuple[str, str]:
    """(DDL only, DDL + INSERTs) for the database."""
    parent, child = tables
    ddl = _ddl(parent, None) + "\n" + _ddl(child, parent)
    inserts = "\n".join(_insert(t.name, rows[t.name]) for t in tables)
    return ddl, ddl + "\n" + inserts
