"""Run model-written SQL read-only against SQLite and compare result sets.

Read-only is enforced four ways, so one slip does not let a query change the data:
the file is opened with a `mode=ro` URI, `PRAGMA query_only` is on, an authorizer allows
only reads (SELECT, READ, FUNCTION, RECURSIVE) and records what it denied, and one
statement per call (sqlite3 refuses `SELECT 1; DROP TABLE t`). A progress handler enforces a
time limit, `SQLITE_LIMIT_LENGTH` caps a single value, and rows are capped.

Rows are also capped in total bytes, so 10,000 rows of 1 MB each are an error, not 10 GB.

A query whose result reads no row data (`SELECT 5`, `SELECT 5 FROM t`) is a guess. Variant
databases catch answers that fit this data only (Spider's test-suite evaluation does the same):
`variant_file` deletes a third of every table's rows, so a constant result fails, and
`shuffled_file` permutes every non-key column's values among the rows, so the gold's predicate
selects other rows and a query that lists the right rows by name or id
(`WHERE name IN ('Tess Diaz', ...)`) fails. A permutation keeps each column's multiset of
values, so an equivalent predicate (`> 5000` for `>= 5001`) and row-level ties are preserved.

Comparison: column names are ignored, columns may come in any order (Spider's execution
match does the same), rows are a multiset unless the gold query orders its outermost
result, and numbers compare with a relative tolerance (AVG gives 3.0 where COUNT gives 3).
"""
from __future__ import annotations

import hashlib
import itertools
import math
import os
import random
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_ROWS = 10_000
MAX_VALUE_BYTES = 1_000_000
MAX_RESULT_BYTES = 32_000_000
MAX_LIKE_PATTERN = 1_000  # a LIKE/GLOB pattern is matched inside one call, out of the time limit's reach
_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
            sqlite3.SQLITE_RECURSIVE}
# Functions that serve no read query but can hog memory or make results nondeterministic.
# printf/format: `printf('%.*c', 2000000000, 'a')` repeats a character inside one call the
# time limit cannot interrupt (36 s here), even though the result is then refused as too long.
_DENIED_FUNCTIONS = {"load_extension", "randomblob", "zeroblob", "random", "sqlite_offset",
                     "printf", "format"}
_WRITE_ACTIONS = ("INSERT", "UPDATE", "DELETE", "DROP_TABLE", "CREATE_TABLE", "ATTACH",
                  "DETACH", "PRAGMA", "ALTER_TABLE", "TRANSACTION", "CREATE_INDEX", "DROP_INDEX",
                  "CREATE_VIEW", "DROP_VIEW", "CREATE_TRIGGER", "SAVEPOINT", "ANALYZE", "REINDEX",
                  "CREATE_VTABLE", "CREATE_TEMP_TABLE", "CREATE_TEMP_VIEW", "DROP_VTABLE")
_ACTION_NAMES = {getattr(sqlite3, f"SQLITE_{n}"): n for n in _WRITE_ACTIONS}


@dataclass
class QueryResult:
    """What a query returned, or why it did not (`error`; `denied` lists refused actions)."""

    rows: list[tuple] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    error: str | None = None
    denied: list[str] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)  # tables the query read
    columns_read: int = 0  # column reads the query made (COUNT(*) makes none)
    functions: set[str] = field(default_factory=set)  # functions it called, lower case

    @property
    def reads_data(self) -> bool:
        """Does the result depend on the rows? (`SELECT 5 FROM t` does not, `COUNT(*)` does.)"""
        return bool(self.columns_read or {"count", "total"} & self.functions)
    wall_s: float = 0.0


def database_file(script: str, cache_dir: str | Path | None = None) -> Path:
    """A SQLite file built from `script` (DDL + INSERTs), cached by the script's hash.

    The same script always yields the same database; the file is written once, atomically,
    and afterwards only ever opened read-only.
    """
    digest = hashlib.sha256(script.encode()).hexdigest()[:24]
    root = Path(cache_dir or Path(tempfile.gettempdir()) / "gymkit-sql")
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{digest}.sqlite"
    if path.exists():
        return path
    fd, tmp = tempfile.mkstemp(dir=root, suffix=".tmp")
    os.close(fd)
    try:
        src = sqlite3.connect(":memory:")
        src.executescript(script)
        dst = sqlite3.connect(tmp)
        src.backup(dst)
        dst.close()
        src.close()
        os.replace(tmp, path)  # atomic: concurrent builders race harmlessly
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def variant_file(db_path: str | Path, cache_dir: str | Path | None = None) -> Path:
    """A copy of a database with every third row (by rowid) of each table deleted, cached.

    Deterministic, so gold and answer always meet the same variant; tables without a rowid
    are copied whole."""
    return _derived_copy(db_path, "variant1", _delete_third, cache_dir)


def _delete_third(mem: sqlite3.Connection) -> None:
    for t in _tables(mem):
        try:
            mem.execute(f'DELETE FROM "{t.replace(chr(34), chr(34) * 2)}" WHERE rowid % 3 = 0')
        except sqlite3.OperationalError:  # WITHOUT ROWID: keep it whole
            continue


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND "
                                       "name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'")]


def _key_columns(conn: sqlite3.Connection, tables: list[str]) -> set[tuple[str, str]]:
    """(table, column) pairs that identify or link rows: primary keys, foreign keys on both
    sides, and columns named `id` or `*_id`; their values are left in place."""
    keys: set[tuple[str, str]] = set()
    for t in tables:
        q = t.replace('"', '""')
        for _cid, col, _type, _nn, _dflt, pk in conn.execute(f'PRAGMA table_info("{q}")'):
            if pk or col.lower() == "id" or col.lower().endswith("_id"):
                keys.add((t.lower(), col.lower()))
        for fk in conn.execute(f'PRAGMA foreign_key_list("{q}")'):
            keys.add((t.lower(), str(fk[3]).lower()))
            if fk[4]:
                keys.add((str(fk[2]).lower(), str(fk[4]).lower()))
    return keys


def _derangement(n: int, rng: random.Random) -> list[int]:
    """A shuffle of range(n) that moves at least one item whenever n > 1."""
    order = list(range(n))
    rng.shuffle(order)
    if n > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


def _shuffle_columns(mem: sqlite3.Connection) -> None:
    """Permute every non-key column's values among its table's rows, each column its own way
    (seeded by its name, so the same database always gets the same variant)."""
    for (name,) in mem.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        mem.execute(f'DROP TRIGGER "{name.replace(chr(34), chr(34) * 2)}"')  # copies fire none
    tables = _tables(mem)
    keys = _key_columns(mem, tables)
    for t in tables:
        q = t.replace('"', '""')
        cols = [r[1] for r in mem.execute(f'PRAGMA table_info("{q}")')]
        rows = mem.execute(f'SELECT * FROM "{q}"').fetchall()
        if len(rows) < 2 or not cols:
            continue
        columns = [list(c) for c in zip(*rows)]
        for j, col in enumerate(cols):
            if (t.lower(), col.lower()) not in keys:
                order = _derangement(len(rows), random.Random(f"{t}.{col}"))
                columns[j] = [columns[j][k] for k in order]
        mem.execute(f'DELETE FROM "{q}"')  # rewrite whole: a UNIQUE column moves without clashes
        marks = ", ".join("?" * len(cols))
        mem.executemany(f'INSERT INTO "{q}" VALUES ({marks})', list(zip(*columns)))


def shuffled_file(db_path: str | Path, cache_dir: str | Path | None = None) -> Path:
    """A copy of a database whose non-key column values are permuted among rows, cached.

    Keys (`_key_columns`) stay, so joins still join; a table that cannot be rewritten (a
    generated column, a virtual table) is left as it is."""
    return _derived_copy(db_path, "shuffle1", _shuffle_columns, cache_dir)


def _derived_copy(db_path: str | Path, tag: str, change: Any,
                  cache_dir: str | Path | None) -> Path:
    src_path = Path(db_path).resolve()
    st = src_path.stat()
    key = f"{src_path}:{st.st_size}:{st.st_mtime_ns}:{tag}"
    root = Path(cache_dir or Path(tempfile.gettempdir()) / "gymkit-sql")
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.{tag}.sqlite"
    if path.exists():
        return path
    fd, tmp = tempfile.mkstemp(dir=root, suffix=".tmp")
    os.close(fd)
    try:
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
        mem = sqlite3.connect(":memory:")
        src.backup(mem)
        src.close()
        mem.execute("PRAGMA foreign_keys = OFF")
        try:
            change(mem)
            mem.commit()
        except sqlite3.Error:  # an unusual schema: keep the copy as it was
            mem.rollback()
        dst = sqlite3.connect(tmp)
        mem.backup(dst)
        dst.close()
        mem.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def schema_of(db_path: str | Path) -> str:
    """The CREATE statements of a database file (read-only), for prompts."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
    finally:
        conn.close()
    return ";\n".join(r[0] for r in rows) + ";"


def run_readonly(db_path: str | Path, sql: str, timeout_s: float = 2.0,
                 max_rows: int = MAX_ROWS, reverse_unordered: bool = False) -> QueryResult:
    """Run one SELECT against `db_path` with every write path closed; never raises on SQL.

    `reverse_unordered` scans tables backwards, so ties (LIMIT among equal keys, an
    unordered pick) break the other way: a gold that changes under it is ambiguous there."""
    path = Path(db_path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"database file not found: {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    res = QueryResult()
    start = time.monotonic()
    deadline = start + timeout_s
    try:
        conn.execute("PRAGMA query_only = ON")
        if reverse_unordered:
            conn.execute("PRAGMA reverse_unordered_selects = ON")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)

        def authorize(action: int, arg1: Any, arg2: Any, db: Any, trigger: Any) -> int:
            if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() in _DENIED_FUNCTIONS:
                res.denied.append(f"function {arg2}")
                return sqlite3.SQLITE_DENY
            if action == sqlite3.SQLITE_READ and arg1:
                res.tables.add(str(arg1))
                res.columns_read += bool(arg2)
            if action == sqlite3.SQLITE_FUNCTION and arg2:
                res.functions.add(str(arg2).lower())
            if action in _ALLOWED:
                return sqlite3.SQLITE_OK
            res.denied.append(" ".join(str(x) for x in (_ACTION_NAMES.get(action, action), arg1)
                                       if x is not None))
            return sqlite3.SQLITE_DENY

        conn.set_authorizer(authorize)
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 2_000)
        cur = conn.execute(sql)
        res.columns = [d[0] for d in cur.description or []]
        res.rows, size = [], 0
        while batch := cur.fetchmany(256):
            res.rows.extend(batch)
            size += sum(len(v) if isinstance(v, (str, bytes)) else 8 for r in batch for v in r)
            if len(res.rows) > max_rows:
                res.error, res.rows = f"more than {max_rows} rows", []
                break
            if size > MAX_RESULT_BYTES:
                res.error, res.rows = f"result larger than {MAX_RESULT_BYTES} bytes", []
                break
    except sqlite3.Error as e:  # the query's fault: bad syntax, denied action, interrupted
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if "interrupted" in msg:
            msg = f"query exceeded the {timeout_s:g} s time limit"
        res.error = f"{type(e).__name__}: {msg}"
    except (OverflowError, MemoryError, ValueError) as e:
        res.error = f"{type(e).__name__}: {e}"
    finally:
        conn.close()
        res.wall_s = time.monotonic() - start
    return res


# ------------------------------------------------------------------ ordering and comparison
def orders_result(sql: str) -> bool:
    """True when the outermost query of `sql` has an ORDER BY (outside parentheses,
    strings and comments): then the order of rows is part of the answer."""
    depth, i, n = 0, 0, len(sql)
    out: list[str] = []
    while i < n:
        ch = sql[i]
        if ch in "'\"`[":
            close = "]" if ch == "[" else ch
            j = sql.find(close, i + 1)
            i = n if j < 0 else j + 1
            out.append(" ")
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out.append(ch)
        i += 1
    flat = " ".join("".join(out).lower().split())
    return " order by " in f" {flat} "


def _norm(v: Any, digits: int) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return ("num", str(v))
        return ("num", float(f"{v:.{digits}g}"))
    if isinstance(v, int):
        return ("num", float(f"{float(v):.{digits}g}"))
    if isinstance(v, bytes):
        return ("bytes", v)
    if v is None:
        return ("null",)
    return ("str", str(v))


def _row_key(row: tuple, digits: int = 9) -> tuple:
    return tuple(_norm(v, digits) for v in row)


def _close(a: Any, b: Any, rel_tol: float) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9)
    return type(a) is type(b) and a == b


def _rows_match(gold: list[tuple], pred: list[tuple], ordered: bool, rel_tol: float) -> bool:
    if len(gold) != len(pred):
        return False
    if not ordered:
        gold = sorted(gold, key=lambda r: repr(_row_key(r, 6)))
        pred = sorted(pred, key=lambda r: repr(_row_key(r, 6)))
    return all(len(g) == len(p) and all(_close(x, y, rel_tol) for x, y in zip(g, p))
               for g, p in zip(gold, pred))


def compare_results(gold: list[tuple], pred: list[tuple], ordered: bool = False,
                    rel_tol: float = 1e-6) -> tuple[bool, str]:
    """Do two result sets match? Returns (match, reason). Column order may differ."""
    ncols = {len(r) for r in gold} | {len(r) for r in pred}
    if len(gold) != len(pred):
        return False, f"expected {len(gold)} rows, got {len(pred)}"
    if not gold:
        return True, "both empty"
    if len(ncols) != 1:
        return False, f"expected {len(gold[0])} columns, got {len(pred[0])}"
    width = ncols.pop()
    # Only permutations that pair columns with the same multiset of values are worth a try.
    gcols = [sorted(repr(_norm(r[j], 6)) for r in gold) for j in range(width)]
    pcols = [sorted(repr(_norm(r[j], 6)) for r in pred) for j in range(width)]
    options = [[k for k in range(width) if pcols[k] == gcols[j]] or list(range(width))
               for j in range(width)]
    for perm in itertools.islice(itertools.product(*options), 5_000):
        if len(set(perm)) != width:
            continue
        permuted = [tuple(r[k] for k in perm) for r in pred]
        if _rows_match(gold, permuted, ordered, rel_tol):
            return True, "match"
    return False, "rows differ" + (" (order matters for this question)" if ordered else "")
