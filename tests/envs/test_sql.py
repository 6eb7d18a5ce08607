import hashlib
import json
import re
import sqlite3

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.sql import SqlEnv
from gymkit.verifiers.code_extract import extract_sql
from gymkit.verifiers.sql_results import compare_results, database_file, orders_result, \
    run_readonly


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return SqlEnv(cache_dir=str(tmp_path_factory.mktemp("sqlcache")))


@pytest.fixture(scope="module")
def tasks(env):
    return {t.difficulty: t for t in env.generate(3, seed=7)}


def say(text):
    return [{"role": "assistant", "content": text}]


def test_check_env(env):
    assert check_env(env) == []


def test_gold_scores_one_on_every_level(env):
    for t in env.generate(12, seed=3):
        _, s = play(env, t, env.gold_actions(t))
        assert (s.reward, s.status) == (1.0, "correct"), (t.data["gold_sql"], s)


def test_equivalent_queries_score(env):
    t = next(t for t in env.generate(20, seed=0, difficulty=1) if " > " in t.data["gold_sql"])
    m = re.match(r"SELECT (\w+) FROM (\w+) WHERE (\w+) > (\d+)$", t.data["gold_sql"])
    label, table, col, x = m.groups()
    # alias, negation, and an order the question did not ask for
    alt = f"SELECT o.{label} AS c FROM {table} AS o WHERE NOT (o.{col} <= {x}) ORDER BY 1 DESC"
    assert play(env, t, say(f"Sure.\n```sql\n{alt};\n```"))[1].status == "correct"
    assert play(env, t, say(alt))[1].status == "correct"  # bare SELECT is accepted


def test_column_order_and_float_tolerance():
    assert compare_results([(1, "a"), (2, "b")], [("b", 2.0), ("a", 1.0000000001)])[0]
    assert not compare_results([(1, "a")], [(1, "a"), (1, "a")])[0]  # multiset, not set
    assert not compare_results([(1, "a")], [(1, "a", 3)])[0]  # extra column
    assert not compare_results([(1,)], [("1",)])[0]  # text is not a number
    assert not compare_results([(1,), (2,)], [(2,), (1,)], ordered=True)[0]


def test_wrong_queries_score_zero(env, tasks):
    t = tasks[3]
    for bad in ["SELECT 1", f"SELECT * FROM {t.data['db_id']}_nope", "SELECT name FROM sqlite_master"]:
        _, s = play(env, t, say(f"```sql\n{bad}\n```"))
        assert (s.reward, s.status) == (0.0, "wrong"), bad


def test_ordered_question_needs_order(env):
    t = next(t for t in env.generate(30, seed=2, difficulty=2) if t.data["ordered"])
    gold = t.data["gold_sql"]
    flipped = gold.replace(" DESC", " ASC") if " DESC" in gold else gold + " DESC"
    s = play(env, t, say(f"```sql\n{flipped}\n```"))[1]
    assert s.status == "wrong"


@pytest.mark.parametrize("attack", [
    "DROP TABLE {t}", "DELETE FROM {t}", "INSERT INTO {t} (id) VALUES (999)",
    "UPDATE {t} SET id = id + 100", "ATTACH DATABASE '{tmp}/x.db' AS x",
    "PRAGMA query_only = OFF", "SELECT 1; DROP TABLE {t}", "CREATE TABLE z (a)",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c",
    "SELECT randomblob(1000000000)",
])
def test_writes_and_hogs_score_zero_and_leave_db_unchanged(env, tasks, attack, tmp_path):
    t = tasks[1]
    db = env._db_file(t.data)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    table = "orders" if "orders" in t.data["schema_sql"] else "books" if "books" in \
        t.data["schema_sql"] else "employees"
    q = attack.format(t=table, tmp=tmp_path)
    _, s = play(env, t, say(f"```sql\n{q}\n```"))
    assert (s.reward, s.status) == (0.0, "wrong")
    assert s.info["reason"]  # the refusal is recorded
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (tmp_path / "x.db").exists()
    assert play(env, t, env.gold_actions(t))[1].status == "correct"


def test_denied_write_is_named(env, tasks):
    s = play(env, tasks[1], say("```sql\nDELETE FROM orders\n```"))[1]
    assert "denied" in s.info["reason"] or "no such table" in s.info["reason"]


def test_readonly_runner_guards(tmp_path):
    db = database_file("CREATE TABLE t(a INT); INSERT INTO t VALUES (1),(2),(3);", tmp_path)
    assert run_readonly(db, "SELECT a FROM t", max_rows=2).error == "more than 2 rows"
    r = run_readonly(db, "INSERT INTO t VALUES (4)")
    assert r.denied == ["INSERT t"] and "not authorized" in r.error
    assert run_readonly(db, "SELECT COUNT(*) FROM t").rows == [(3,)]


def test_order_detection():
    assert orders_result("SELECT a FROM t ORDER BY a")
    assert not orders_result("SELECT a FROM (SELECT a FROM t ORDER BY a LIMIT 3)")
    assert not orders_result("SELECT 'order by' FROM t -- order by a")


def test_extraction_takes_last_sql_block_and_refuses_prose():
    assert extract_sql("```sql\nSELECT 1\n```\nbetter:\n```sql\nSELECT 2;\n```") == "SELECT 2"
    assert extract_sql("I would select the rows from the table.") is None
    assert extract_sql("") is None


def test_gold_error_is_status_error_not_wrong(env, tasks):
    t = tasks[1].model_copy(deep=True)
    t.data["gold_sql"] = "SELECT missing_column FROM nowhere"
    s = play(env, t, env.gold_actions(tasks[1]))[1]
    assert s.status == "error"


def test_determinism(env):
    a, b = env.generate(5, seed=11), env.generate(5, seed=11)
    assert a == b and a != env.generate(5, seed=12)


def test_loader_spider_and_schema_rows(tmp_path, env):
    spider = tmp_path / "database" / "pets"
    spider.mkdir(parents=True)
    conn = sqlite3.connect(spider / "pets.sqlite")
    conn.executescript("CREATE TABLE pet(id INT, kind TEXT, age INT);"
                       "INSERT INTO pet VALUES (1,'cat',3),(2,'dog',5),(3,'cat',9);")
    conn.commit()
    conn.close()
    rows = [
        {"db_id": "pets", "question": "How many cats are there?",
         "query": "SELECT count(*) FROM pet WHERE kind = 'cat'"},
        {"db_id": "x", "question": "Oldest age?", "SQL": "SELECT MAX(age) FROM p",
         "evidence": "age is in years", "schema_sql": "CREATE TABLE p(age INT); "
                                                     "INSERT INTO p VALUES (4),(8);"},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    loader = SqlEnv(db_dir=str(tmp_path / "database"), cache_dir=str(tmp_path / "c"))
    t1, t2 = loader.load(path)
    assert "CREATE TABLE pet" in t1.prompt[0]["content"]
    assert "Hint: age is in years" in t2.prompt[0]["content"]
    for t in (t1, t2):
        assert play(loader, t, loader.gold_actions(t))[1].status == "correct"
    assert play(loader, t1, say("```sql\nSELECT 3\n```"))[1].status == "wrong"
    with pytest.raises(Exception, match="db_dir"):
        SqlEnv().task_from_row({"db_id": "pets", "question": "q", "query": "SELECT 1"}, 0)


def test_constants_and_hedges_score_zero(env, tasks):
    from gymkit.verifiers.sql_results import run_readonly

    task = tasks[1]
    rows = run_readonly(database_file(task.data["schema_sql"], env.config["cache_dir"]),
                        task.data["gold_sql"]).rows
    values = " UNION ALL ".join("SELECT " + ", ".join(repr(v) if not isinstance(v, str)
                                                      else f"'{v}'" for v in r) for r in rows)
    for text in (f"```sql\n{values}\n```",
                 f"```sql\n{task.data['gold_sql']}\n```\nor\n```sql\nSELECT 1\n```"):
        _, score = play(env, task, say(text))
        assert score.status == "wrong", (text, score)


def test_variant_database_drops_every_third_row(env, tasks):
    from gymkit.verifiers.sql_results import variant_file

    db = database_file(tasks[1].data["schema_sql"], env.config["cache_dir"])
    vdb = variant_file(db, env.config["cache_dir"])
    count = lambda p: sqlite3.connect(p).execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    assert count(db) == count(vdb)
    table = sqlite3.connect(db).execute(
        "SELECT name FROM sqlite_master WHERE type='table' LIMIT 1").fetchone()[0]
    n = lambda p: sqlite3.connect(p).execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    assert n(vdb) == n(db) - n(db) // 3


def test_rows_listed_by_name_fail_on_the_shuffled_variant(env):
    from gymkit.verifiers.sql_results import shuffled_file

    task = next(t for t in env.generate(25, seed=0, difficulty=1) if " > " in t.data["gold_sql"])
    db = database_file(task.data["schema_sql"], env.config["cache_dir"])
    rows = run_readonly(db, task.data["gold_sql"]).rows
    table, label = re.search(r"SELECT (\w+) FROM (\w+)", task.data["gold_sql"]).group(2, 1)
    names = ", ".join("'" + r[0].replace("'", "''") + "'" for r in rows)
    _, score = play(env, task, say(f"```sql\nSELECT {label} FROM {table} WHERE {label} IN ({names})\n```"))
    assert score.status == "wrong" and "shuffled" in score.info["reason"], score
    # An equivalent predicate (>= x+1 for integers) still scores: permuting keeps the values.
    x = int(re.search(r"> (\d+)", task.data["gold_sql"]).group(1))
    _, score = play(env, task, say("```sql\n" + task.data["gold_sql"].replace(f"> {x}", f">= {x + 1}") + "\n```"))
    assert score.status == "correct", score
    # Keys stay put, every other column keeps its multiset of values but not its order.
    vdb = shuffled_file(db, env.config["cache_dir"])
    q = lambda p, s: sqlite3.connect(p).execute(s).fetchall()
    assert q(db, f"SELECT id FROM {table} ORDER BY id") == q(vdb, f"SELECT id FROM {table} ORDER BY id")
    assert sorted(q(db, f"SELECT {label} FROM {table}")) == sorted(q(vdb, f"SELECT {label} FROM {table}"))
    assert q(db, f"SELECT {label} FROM {table} ORDER BY id") != q(vdb, f"SELECT {label} FROM {table} ORDER BY id")
