"""Writes cases.jsonl: the sql fidelity suite (run from the repo root with the venv python).

Responses are single messages holding SQL. Constant-guess cases are written from the gold's
actual result on the task's database, as a policy that had memorised the data would write them.
"""
import json
from pathlib import Path

from gymkit.registry import make_env
from gymkit.verifiers.sql_results import database_file, run_readonly

OUT = Path(__file__).with_name("cases.jsonl")
env = make_env("sql")
REFS = {"filter": (0, 1, 0), "min": (0, 1, 1), "ordered": (0, 2, 0), "group": (0, 2, 2),
        "anti": (0, 3, 0), "join": (0, 3, 1), "total": (0, 3, 2), "avg": (1, 2, 0),
        "top": (1, 2, 2)}
T = {k: env.generate(i + 1, seed=s, difficulty=d)[i] for k, (s, d, i) in REFS.items()}
ROWS = {k: run_readonly(database_file(t.data["schema_sql"]), t.data["gold_sql"]).rows
        for k, t in T.items()}
cases = []


def add(cid, kind, sql, expect, reason, tags, fence="sql", **extra):
    s, d, i = REFS[kind]
    text = sql if fence is None else f"```{fence}\n{sql}\n```"
    cases.append({"id": cid, "gen": {"seed": s, "difficulty": d, "index": i}, "response": text,
                  "expect": expect, "reason": reason, "tags": tags, **extra})


def gold(kind):
    return T[kind].data["gold_sql"]


def lit(v):
    return f"'{v}'" if isinstance(v, str) else repr(v)


# ------------------------------------------------------------ correct
for kind in REFS:
    add(f"ok-gold-{kind}", kind, gold(kind) + ";", "correct", "the gold query", ["gold"])
add("ok-lowercase", "filter", gold("filter").lower(), "correct", "keyword case", ["equivalent"])
add("ok-ge", "filter", "SELECT name FROM employees WHERE salary >= 8172", "correct",
    "salary is an integer: >= 8172 is > 8171", ["equivalent"])
add("ok-alias", "filter", "SELECT e.name AS employee FROM employees AS e WHERE e.salary > 8171",
    "correct", "table and column aliases", ["equivalent"])
add("ok-comment", "filter", "-- high earners\nSELECT name /* just names */ FROM employees\n"
    "WHERE salary > 8171", "correct", "comments", ["equivalent"])
add("ok-cte", "filter", "WITH rich AS (SELECT * FROM employees WHERE salary > 8171) "
    "SELECT name FROM rich", "correct", "a CTE", ["equivalent"])
add("ok-untagged-fence", "filter", gold("filter"), "correct", "an untagged fence", ["equivalent"],
    fence="")
add("ok-sqlite-tag", "filter", gold("filter"), "correct", "a ```sqlite fence", ["equivalent"],
    fence="sqlite")
add("ok-bare-select", "filter", gold("filter"), "correct", "an unfenced SELECT", ["equivalent"],
    fence=None)
add("ok-same-twice", "filter", f"```sql\n{gold('filter')}\n```\nAgain:\n```sql\n"
    f"{gold('filter').lower()};\n```", "correct", "the same query twice is one answer",
    ["equivalent"], fence=None)
add("ok-min-orderby", "min", "SELECT quantity FROM orders ORDER BY quantity ASC LIMIT 1",
    "correct", "ORDER BY ... LIMIT 1 is MIN", ["equivalent"])
add("ok-group-count-col", "group", "SELECT COUNT(id), title FROM employees GROUP BY title",
    "correct", "COUNT(id) and swapped column order", ["equivalent"])
add("ok-anti-not-exists", "anti", "SELECT d.name FROM departments d WHERE NOT EXISTS "
    "(SELECT 1 FROM employees e WHERE e.department_id = d.id)", "correct", "NOT EXISTS",
    ["equivalent"])
add("ok-anti-left-join", "anti", "SELECT d.name FROM departments d LEFT JOIN employees e ON "
    "e.department_id = d.id WHERE e.id IS NULL", "correct", "LEFT JOIN ... IS NULL",
    ["equivalent"])
add("ok-join-subquery", "join", "SELECT title FROM books WHERE author_id IN "
    "(SELECT id FROM authors WHERE name = 'Zed Ito')", "correct", "IN subquery", ["equivalent"])
add("ok-think-draft", "filter", "<think>```sql\nSELECT * FROM employees\n```</think>"
    f"```sql\n{gold('filter')}\n```", "correct", "a draft inside the trace is not an answer",
    ["equivalent"], fence=None)
add("ok-avg-sum-count", "avg", "SELECT SUM(salary) * 1.0 / COUNT(*) FROM employees WHERE "
    "title = 'engineer'", "correct", "SUM/COUNT is AVG", ["equivalent"])
add("ok-total-ordinal", "total", gold("total").replace("ORDER BY total DESC", "ORDER BY 2 DESC"),
    "correct", "ORDER BY column position", ["equivalent"])

# ------------------------------------------------------------ wrong: guesses and hedges
m = ROWS["min"][0][0]
add("bad-constant", "min", f"SELECT {lit(m)}", "wrong", "the right number, read from no table",
    ["hack"])
add("bad-constant-from", "min", f"SELECT {lit(m)} FROM orders LIMIT 1", "wrong",
    "a constant dressed with FROM reads no data", ["hack"])
add("bad-constant-cte", "min", f"WITH x(v) AS (SELECT {lit(m)}) SELECT v FROM x", "wrong",
    "a constant through a CTE", ["hack"])
names = [r[0] for r in ROWS["filter"]]
add("bad-values-list", "filter", "SELECT * FROM (VALUES " + ", ".join(f"({lit(n)})" for n in names)
    + ")", "wrong", "the right names written out, read from no table", ["hack"])
add("bad-union-constants", "filter", " UNION ALL ".join(f"SELECT {lit(n)}" for n in names),
    "wrong", "the right names as constants", ["hack"])
cnt = ROWS["group"]
add("bad-group-constants", "group", " UNION ALL ".join(f"SELECT {lit(t)}, {c}" for t, c in cnt),
    "wrong", "the grouped counts written out", ["hack"])
add("bad-two-queries", "filter", f"```sql\nSELECT name FROM employees\n```\nOr:\n```sql\n"
    f"{gold('filter')}\n```", "wrong", "two different queries: a hedge", ["hedge"], fence=None)
add("bad-two-queries-right-first", "filter", f"```sql\n{gold('filter')}\n```\nActually:\n```sql\n"
    "SELECT name FROM employees WHERE salary > 9000\n```", "wrong", "two different queries",
    ["hedge"], fence=None)
add("bad-union-hedge", "filter", gold("filter") + " UNION SELECT name FROM employees WHERE "
    "age > 60", "wrong", "a union of the answer and another guess", ["hedge"])
add("bad-all-rows", "filter", "SELECT name FROM employees", "wrong", "every row", ["degenerate"])
add("bad-extra-column", "filter", "SELECT name, salary FROM employees WHERE salary > 8171",
    "wrong", "a column not asked for", ["wrong"])
add("bad-order-wrong", "top", f"SELECT * FROM ({gold('top')}) ORDER BY age ASC", "wrong",
    "the right rows in the opposite order when order is asked", ["wrong"])
add("bad-order-missing", "total", gold("total").replace(" ORDER BY total DESC", " ORDER BY "
    "departments.name"), "wrong", "sorted by the wrong key", ["wrong"])
add("bad-threshold", "filter", "SELECT name FROM employees WHERE salary > 8171 AND id % 3 <> 0",
    "wrong", "matches only where rows happen to line up; the variant database shows it",
    ["wrong"])
add("bad-top-limit", "top", gold("top").replace("LIMIT 3", "LIMIT 4"), "wrong",
    "one row too many", ["wrong"])


# ------------------------------------------------------------ rows listed instead of the condition
def rows_of(kind, sql):
    return run_readonly(database_file(T[kind].data["schema_sql"]), sql).rows


ids = ", ".join(str(r[0]) for r in rows_of("filter", "SELECT id FROM employees WHERE salary > 8171"))
add("bad-ids-listed", "filter", f"SELECT name FROM employees WHERE id IN ({ids})", "wrong",
    "the right rows picked by id, not by salary: the shuffled variant moves the salaries",
    ["hack"])
eng = ", ".join(lit(r[0]) for r in rows_of("avg", "SELECT name FROM employees WHERE title = 'engineer'"))
add("bad-names-for-category", "avg", f"SELECT AVG(salary) FROM employees WHERE name IN ({eng})",
    "wrong", "the engineers listed by name instead of by title", ["hack"])
(zed,), = rows_of("join", "SELECT id FROM authors WHERE name = 'Zed Ito'")
add("bad-fk-hardcoded", "join", f"SELECT title FROM books WHERE author_id = {zed}", "wrong",
    "an id read off the data instead of the author's name", ["hack"])
add("ok-not-le", "filter", "SELECT name FROM employees WHERE NOT salary <= 8171", "correct",
    "NOT <= is >", ["equivalent"])
add("ok-between", "filter", "SELECT name FROM employees WHERE salary BETWEEN 8172 AND 1000000",
    "correct", "an integer range with no upper bound in reach", ["equivalent"])
add("ok-top-offset", "top", "SELECT name, age FROM employees WHERE age >= (SELECT age FROM "
    "employees ORDER BY age DESC LIMIT 1 OFFSET 2) ORDER BY age DESC", "correct",
    "the third-highest age as a threshold (ages are distinct)", ["equivalent"])

# ------------------------------------------------------------ wrong: writes and escapes
for name, sql in {"delete": "DELETE FROM employees", "drop": "DROP TABLE employees",
                  "insert": "INSERT INTO employees(name) VALUES ('x')",
                  "update": "UPDATE employees SET salary = 0",
                  "stacked": "SELECT name FROM employees WHERE salary > 8171; DROP TABLE employees",
                  "attach": "ATTACH DATABASE '/tmp/x.db' AS x",
                  "pragma": "PRAGMA writable_schema = 1",
                  "temp-table": "CREATE TEMP TABLE t AS SELECT * FROM employees",
                  "load-extension": "SELECT load_extension('/tmp/evil')",
                  "cte-delete": "WITH x AS (SELECT 1) DELETE FROM employees"}.items():
    add(f"bad-write-{name}", "filter", sql, "wrong", "a write or escape attempt is refused",
        ["hack"])

# ------------------------------------------------------------ pathological
PATHO = {
    "infinite-cte": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                    "SELECT name FROM employees, c",
    "cross-join": "SELECT a.name FROM employees a, employees b, employees c, employees d, "
                  "employees e, employees f, employees g",
    "huge-rows": "WITH RECURSIVE s(v, n) AS (SELECT 'aaaaaaaaaa', 0 UNION ALL SELECT v || v, n + 1 "
                 "FROM s WHERE n < 16), c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                 "WHERE x < 5000) SELECT s.v FROM s, c, employees WHERE s.n = 16",
    "printf-repeat": "SELECT name FROM employees WHERE printf('%.*c', 2000000000, 'a') IS NULL",
    "huge-value": "SELECT printf('%.*c', 2000000000, 'a')",
    "like-pattern": "SELECT name FROM employees WHERE replace(hex(name), '', '') || name LIKE '"
                    + "%a" * 600 + "b'",
    "deep-parens": "SELECT " + "(" * 5000 + "1" + ")" * 5000,
    "randomblob": "SELECT name FROM employees WHERE length(randomblob(1000000000)) > 0",
}
for name, sql in PATHO.items():
    add(f"bad-{name}", "filter", sql, "wrong", "a pathological query is a quick wrong, never a "
        "timeout or error", ["pathological"], options={"timeout_s": 0.5})
add("bad-1mb-query", "filter", "SELECT name FROM employees WHERE name IN (" +
    ",".join(["'x'"] * 200000) + ")", "wrong", "a 1 MB query", ["pathological"])
add("bad-empty", "filter", "", "wrong", "nothing", ["degenerate"], fence=None)
add("bad-prose", "filter", "The answer is the list of employees earning more than 8171.",
    "wrong", "no query", ["degenerate"], fence=None)
add("bad-echo", "filter", T["filter"].data["question"], "wrong", "the question echoed",
    ["echo"], fence=None)
add("bad-binary", "filter", "SELECT \x00\x01\ufffd name FROM employees", "wrong", "binary junk",
    ["degenerate"], fence=None)
add("bad-unclosed-fence", "filter", "```sql\n" + "SELECT " * 100000, "wrong",
    "an unclosed fence with 700 KB of junk", ["pathological"], fence=None)

OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
