"""`code_output`: predict exactly what a given Python program prints."""
from __future__ import annotations

import ast
import contextlib
import io
import random
from typing import Any

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Score, Task
from gymkit.verifiers.code_extract import code_blocks, extract_output, normalize_output

from .programs import make_program

ASK = ("What does this Python program print? Give the exact output in a ``` block "
       "(or as \\boxed{{...}}, or after 'Output:').\n```python\n{program}```")
PYTHON_TAGS = {"python", "py", "python3", "py3", "pycon"}  # restating the program is not an answer
ASK_CALL = ("What does `{call}` return for this Python function? Give the value as a Python "
            "literal in a ``` block.\n```python\n{program}\n```")


def run_trusted(program: str) -> str:
    """stdout of one of our own generated programs, run in-process (it is not model-written)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(program, "<generated>", "exec"), {"__name__": "__main__"})
    return buf.getvalue()


def run_sandboxed(program: str) -> str:
    """stdout of a program from a loaded dataset, run in the sandbox to make the gold."""
    from gymkit.sandbox import run

    res = run(program, language="python", timeout_s=10.0)
    if res.status != "ok":
        raise GymkitError(f"program did not run cleanly ({res.status}): {res.stderr[-200:]}")
    return res.stdout


MAX_LITERAL_CHARS = 20_000  # a CRUXEval value is short; a longer one is text-compared only
MAX_CHARS = 20_000  # fence parsing is superlinear on backtick floods; real answers are far shorter


def _typed(value: Any) -> Any:
    """A type-exact, order-free key for a literal: `True` is not `1`, `2.0` is not `2`, and a
    float compares by its repr (so `-0.0` is not `0.0`); sets and dicts ignore order."""
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(_typed(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return type(value).__name__, frozenset(_typed(v) for v in value)
    if isinstance(value, dict):
        return "dict", frozenset((_typed(k), _typed(v)) for k, v in value.items())
    if isinstance(value, (float, complex)):
        return type(value).__name__, repr(value)
    return type(value).__name__, value


def _same_literal(gold: str, answer: str) -> bool:
    """Python literals equal as typed values ('a' == "a", [1,2] == [1, 2], but True != 1 and
    2.0 != 2); text that is not a literal must match exactly."""
    if len(answer) > MAX_LITERAL_CHARS:
        return gold == answer
    try:
        return _typed(ast.literal_eval(gold)) == _typed(_literal(answer))
    except DuplicateKey:
        return False
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return gold == answer


class DuplicateKey(ValueError):
    """A dict literal that repeats a key: `{'a': 1, 'a': 2}` is two answers for 'a'."""


def _literal(text: str) -> Any:
    tree = ast.parse(text.strip(), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [_typed(ast.literal_eval(k)) for k in node.keys if k is not None]
            if len(keys) != len(set(keys)):
                raise DuplicateKey("a dict literal repeats a key")
    return ast.literal_eval(tree)


@register_env
class CodeOutputEnv(BaseEnv):
    """Output prediction: the answer must equal the program's stdout after whitespace
    normalisation (trailing spaces per line, blank lines at the ends)."""

    name = "code_output"
    family = "code"
    verifier = "exact match with the program's real stdout after trailing-whitespace normalisation"
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        program = make_program(rng, difficulty)
        output = normalize_output(run_trusted(program))
        return Task(id=f"code_output-{difficulty}-{index}", env=self.name,
                    prompt=[{"role": "user", "content": ASK.format(program=program)}],
                    data={"program": program, "output": output, "compare": "text"},
                    gold=[{"role": "assistant", "content": f"```\n{output}\n```"}])

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """CRUXEval output rows (`code`, `input`, `output`: predict `f(input)`), or rows with a
        `program` (its `output`, when absent, is made by running it in the sandbox)."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        rid = row.get("id") or f"row-{index}"
        if "code" in row and "input" in row and "output" in row:
            call = f"f({row['input']})"
            data = {"program": row["code"], "output": str(row["output"]), "compare": "literal"}
            text = ASK_CALL.format(call=call, program=row["code"])
        elif "program" in row:
            out = row.get("output")
            out = run_sandboxed(row["program"]) if out is None else str(out)
            data = {"program": row["program"], "output": normalize_output(out), "compare": "text"}
            text = ASK.format(program=row["program"].rstrip("\n") + "\n")
        else:
            raise GymkitError(f"code_output row {index} needs 'program' (and optional 'output') "
                              f"or CRUXEval 'code', 'input', 'output'; got keys {sorted(row)}")
        return Task(id=f"code_output-{rid}", env=self.name, data=data,
                    prompt=[{"role": "user", "content": text}],
                    gold=[{"role": "assistant", "content": f"```\n{data['output']}\n```"}])

    def score(self, task: Task, response: str) -> Score:
        if len(response) > MAX_CHARS:
            return Score.wrong(f"response longer than {MAX_CHARS} characters")
        answer, why = extract_output(response)
        if answer is None:
            return Score.wrong(why)
        outputs = {normalize_output(code) for lang, code in code_blocks(response)
                   if lang not in PYTHON_TAGS}
        if len(outputs) > 1:  # the last block would win: a draft then "Actually:" is a hedge
            return Score.wrong(f"hedge: {len(outputs)} different output blocks")
        gold = task.data["output"]
        if task.data.get("compare") == "literal":
            ok = _same_literal(gold, answer)
        else:
            ok = answer == gold
        return Score.correct() if ok else Score.wrong("output differs", expected_lines=len(
            gold.splitlines()), got_lines=len(answer.splitlines()))
