"""`sql`: text-to-SQL over a seeded SQLite database, verified by executing both queries."""
from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import PositiveFloat

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Score, Task

from gymkit.verifiers.code_extract import code_blocks, extract_sql
from gymkit.verifiers.sql_results import compare_results, database_file, orders_result, \
    run_readonly, schema_of, shuffled_file, variant_file
from .database import database_script, make_database
from .questions import TEMPLATES

_SQL_TAGS = {"sql", "sqlite", "postgresql", "mysql"}
INSTRUCTIONS = ("Write one SQLite SELECT query that answers the question. Return exactly the "
                "columns asked for. Put the final query in a ```sql code block.")


def sql_prompt(schema: str, question: str, hint: str = "") -> str:
    hint = f"\nHint: {hint}" if hint else ""
    return f"Database schema (SQLite):\n{schema}\n\nQuestion: {question}{hint}\n\n{INSTRUCTIONS}"


def distinct_queries(text: str) -> set[str]:
    """The different queries written in SQL blocks (untagged ones when none is tagged),
    compared without case, spacing or a trailing semicolon."""
    blocks = code_blocks(text)
    tagged = [code for lang, code in blocks if lang in _SQL_TAGS]
    chosen = tagged or [code for lang, code in blocks if not lang]
    return {" ".join(q.strip().rstrip(";").split()).lower() for q in chosen if q.strip()}


@register_env
class SqlEnv(BaseEnv):
    """Text-to-SQL: the model's query runs read-only; its result set must equal the gold's.

    Config: `timeout_s` (per query, default 2), `db_dir` (Spider-style
    `<db_dir>/<db_id>/<db_id>.sqlite` for loaded rows), `cache_dir` (built databases).
    """

    name = "sql"
    family = "code"
    config_keys = ("db_dir", "cache_dir", "timeout_s")
    config_types = {"db_dir": str | None, "cache_dir": str | None, "timeout_s": PositiveFloat}
    verifier = ("execute read-only; result multiset (ordered if gold has ORDER BY), numeric tol "
                "1e-6, on the database, on a variant with a third of the rows deleted, and on one "
                "with non-key values shuffled among rows")
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        domain, tables, rows = make_database(rng, difficulty)
        ddl, script = database_script(tables, rows)
        conn = sqlite3.connect(":memory:")
        conn.executescript(script)
        templates = TEMPLATES[difficulty]
        for _ in range(50):  # retry templates whose answer would be empty or ambiguous
            made = rng.choice(templates)(rng, *tables, rows)
            if made and conn.execute(made[1]).fetchall():
                break
        else:
            raise RuntimeError(f"no usable question for database {domain} (index {index})")
        conn.close()
        question, gold_sql = made
        return Task(id=f"sql-{difficulty}-{index}-{domain}", env=self.name,
                    prompt=[{"role": "user", "content": sql_prompt(ddl, question)}],
                    data={"schema_sql": script, "gold_sql": gold_sql, "question": question,
                          "ordered": orders_result(gold_sql), "db_id": domain},
                    gold=[{"role": "assistant", "content": f"```sql\n{gold_sql};\n```"}])

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Spider (`db_id`, `question`, `query`) or BIRD (`SQL`, `evidence`) rows, with the
        database as `db_path`, `schema_sql`, or `db_id` under the `db_dir` config."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        gold_sql = row.get("query") or row.get("SQL") or row.get("gold_sql")
        if not gold_sql or not row.get("question"):
            raise GymkitError(f"sql row {index} needs 'question' and 'query' (or 'SQL'); "
                              f"got keys {sorted(row)}")
        data: dict[str, Any] = {"gold_sql": gold_sql, "question": row["question"],
                                "ordered": orders_result(gold_sql), "db_id": row.get("db_id")}
        if row.get("schema_sql"):
            data["schema_sql"] = row["schema_sql"]
        else:
            data["db_path"] = str(self._db_path_for(row, index))
        schema = schema_of(self._db_file(data))
        prompt = sql_prompt(schema, row["question"], row.get("evidence") or "")
        return Task(id=str(row.get("id", f"sql-row-{index}")), env=self.name, data=data,
                    prompt=[{"role": "user", "content": prompt}],
                    gold=[{"role": "assistant", "content": f"```sql\n{gold_sql}\n```"}])

    def _db_path_for(self, row: dict[str, Any], index: int) -> Path:
        if row.get("db_path"):
            path = Path(row["db_path"])
        elif row.get("db_id") and self.config.get("db_dir"):
            path = Path(self.config["db_dir"]) / row["db_id"] / f"{row['db_id']}.sqlite"
        else:
            raise GymkitError(f"sql row {index}: give 'db_path', 'schema_sql', or 'db_id' with "
                              "the env config db_dir=<Spider database folder>")
        if not path.is_file():
            raise GymkitError(f"sql row {index}: database file not found: {path}")
        return path.resolve()

    def _db_file(self, data: dict[str, Any]) -> Path:
        if data.get("db_path"):
            return Path(data["db_path"])
        return database_file(data["schema_sql"], self.config.get("cache_dir"))

    def score(self, task: Task, response: str) -> Score:
        sql = extract_sql(response)
        if sql is None:
            return Score.wrong("no SQL query found (expected a ```sql block)")
        if (n := len(distinct_queries(response))) > 1:
            return Score.wrong(f"hedge: {n} different SQL queries in the response; give one")
        db = self._db_file(task.data)
        timeout = float(self.config.get("timeout_s", 2.0))
        gold = run_readonly(db, task.data["gold_sql"], timeout_s=max(timeout, 10.0))
        if gold.error:
            return Score.failed(f"gold query failed on {db.name}: {gold.error}")
        pred = run_readonly(db, sql, timeout_s=timeout)
        if pred.denied:
            return Score.wrong(f"query attempted a denied action: {', '.join(pred.denied)}",
                               sql=sql[:2000], denied=pred.denied)
        if pred.error:
            return Score.wrong(f"query failed: {pred.error}", sql=sql[:2000])
        info = {"sql": sql[:2000], "rows": len(pred.rows), "gold_rows": len(gold.rows)}
        if gold.reads_data and not pred.reads_data:
            return Score.wrong("the query reads no data from the tables: a constant result is a "
                               "guess", **info)
        ok, reason = compare_results(gold.rows, pred.rows, ordered=bool(task.data.get("ordered")))
        if not ok:
            return Score.wrong(reason, **info)
        return self._check_variant(db, task.data["gold_sql"], sql, timeout, info)

    def _check_variant(self, db: Path, gold_sql: str, sql: str, timeout: float,
                       info: dict[str, Any]) -> Score:
        """The same answer on two variant databases: a third of the rows deleted (a constant
        fails), and non-key values permuted among rows (rows listed by name or id instead of
        the condition fail). Row order is not re-checked there, and a tie the variant creates
        is forgiven: the answer may match the gold run with ties broken the other way."""
        cache = self.config.get("cache_dir")
        checked = []
        for label, vdb in (("with a third of the rows deleted", variant_file(db, cache)),
                           ("with non-key values shuffled among rows", shuffled_file(db, cache))):
            gold = run_readonly(vdb, gold_sql, timeout_s=max(timeout, 10.0))
            if gold.error:
                continue
            pred = run_readonly(vdb, sql, timeout_s=timeout)
            if pred.denied or pred.error:
                return Score.wrong(f"query failed on a variant database {label}: "
                                   f"{pred.error or pred.denied}", **info)
            ok, reason = compare_results(gold.rows, pred.rows, ordered=False)
            if not ok:
                flipped = run_readonly(vdb, gold_sql, timeout_s=max(timeout, 10.0),
                                       reverse_unordered=True)
                ok = not flipped.error and compare_results(flipped.rows, pred.rows)[0]
            if not ok:
                return Score.wrong(f"matches on this database but not on a variant {label} "
                                   f"({reason}): the query does not answer the question in "
                                   f"general", **info)
            checked.append(label)
        return Score.correct(**info, variant="match" if len(checked) == 2 else
                             f"{len(checked)} of 2 variants checked")
