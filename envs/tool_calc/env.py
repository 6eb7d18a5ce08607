"""`tool_calc`: word problems solved with a calculator and a unit converter, answer verified.

The model calls `calculate(expression)` and `convert(value, from_unit, to_unit)` over several
turns, then gives one final answer in `\\boxed{}` or on an `Answer:` line. The answer is
compared with the gold at the precision the prompt asks for (2 decimals: within half a unit
of the last place). By default the answer must also come from the tools: it must equal the
result of a successful, non-trivial call whose inputs come from the question or from earlier
such results (`calculate("1")` or `calculate("25.69 * 1")` prove nothing).
"""
from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

from gymkit import BaseEnv, Score, Task, tool
from gymkit.chat import system, user
from gymkit.env import Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.tools import ToolCallError, make_call
from gymkit.verifiers.kb import check_final_answer

from .calculator import CalcError, evaluate, format_number
from .problems import WRITERS
from .units import UnitError, convert, unit_matches

SYSTEM_PROMPT = (
    "Solve the problem with the tools: `calculate` evaluates an arithmetic expression and "
    "`convert` converts a value between units. Call them as needed, then give the final "
    "answer as a number rounded to 2 decimal places, in \\boxed{} or on a line "
    "'Answer: <number>'. Give exactly one final answer.")
DECIMALS = 2  # the prompt asks for 2 decimals
_NUM = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d*\.?\d+(?:[eE][-+]?\d+)?")


def answer_tolerance(decimals: int = DECIMALS) -> float:
    """Half a unit in the last asked place: 25.687 rounds to 25.69, 425 is not 425.20."""
    return 0.5 * 10.0 ** -decimals * (1 + 1e-9)


def numbers_in(text: str) -> list[tuple[float, int]]:
    """(value, decimals written) of every plain number in `text` (thousands commas allowed)."""
    out = []
    for m in _NUM.findall(text):
        digits = m.replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            continue
        frac = digits.split("e")[0].split("E")[0]
        out.append((value, len(frac.split(".")[1]) if "." in frac else 0))
    return out


def _derived(value: float, decimals: int, known: list[float]) -> bool:
    """Is a number the model wrote one of `known`, possibly rounded to the decimals shown?"""
    tol = 0.5 * 10.0 ** -decimals * (1 + 1e-9) if decimals else 0.5
    return any(abs(value - k) <= max(tol, 1e-9 * abs(k)) for k in known)


@register_env
class ToolCalcEnv(BaseEnv):
    """Calculator and unit-conversion tools for multi-step word problems."""

    name = "tool_calc"
    family = "tool_use"
    verifier = "one boxed/Answer: value equal to the gold at 2 dp, and to a grounded tool result"
    max_turns = 10
    max_tool_calls = 8
    difficulties = (1, 2, 3)

    def __init__(self, require_tool_use: bool = True, **config: Any) -> None:
        super().__init__(require_tool_use=require_tool_use, **config)
        self.require_tool_use = require_tool_use

    # ------------------------------------------------------------------ tools
    @tool
    def calculate(self, ep: Episode, expression: str) -> str:
        """Evaluate an arithmetic expression: numbers, + - * / // % ** ( ), sqrt, log, exp, sin,
        cos, tan, round, abs, min, max, floor, ceil, pi, e. Example: "(12.5 * 3) / 7"."""
        try:
            out = format_number(evaluate(expression))
        except CalcError as e:
            raise ToolCallError(str(e)) from None
        self._record(ep, out, numbers_in(expression))
        return out

    @tool
    def convert(self, ep: Episode, value: float, from_unit: str, to_unit: str) -> str:
        """Convert a value between units of the same dimension (length, mass, time, volume,
        area, speed, energy, temperature), e.g. value=3, from_unit="mi", to_unit="km"."""
        try:
            out = format_number(convert(value, from_unit, to_unit))
        except UnitError as e:
            raise ToolCallError(str(e)) from None
        self._record(ep, out, [(float(value), _decimals(value))])
        return out

    def _record(self, ep: Episode, out: str, inputs: list[tuple[float, int]]) -> None:
        """Count a successful call; keep its result when it is grounded and non-trivial:
        some input comes from the question or an earlier grounded result, and the result is
        not just one of its own inputs, nor one of them rounded (`calculate("25.69 * 1")`,
        `calculate("round(146.2683, 2)")` on a number the model typed in prove nothing)."""
        ep.state["ok_calls"] = ep.state.get("ok_calls", 0) + 1
        result = float(out)
        known = ep.state.setdefault("grounded", []) + _question_numbers(ep.task)
        grounded = any(_derived(v, d, known) for v, d in inputs)
        near = answer_tolerance(int(ep.task.data.get("decimals", DECIMALS)))
        trivial = any(abs(result - v) <= max(near, 1e-12 * abs(v)) for v, _ in inputs)
        if grounded and not trivial:
            ep.state["grounded"].append(result)

    # ------------------------------------------------------------------ tasks
    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        writer = rng.choice(WRITERS[difficulty])
        question, plan, unit = writer(rng, difficulty)
        answer = float(plan.results[-1])
        gold = [{"role": "assistant", "content": "",
                 "tool_calls": [make_call(name, args, call_id=f"call_{i}")]}
                for i, (name, args) in enumerate(plan.calls)]
        gold.append({"role": "assistant",
                     "content": f"The result is {answer:.2f} {unit}.\n\nAnswer: {answer:.2f}"})
        return Task(id=f"tool_calc-{difficulty}-{index}-{writer.__name__}", env=self.name,
                    prompt=[system(SYSTEM_PROMPT), user(question)], gold=gold,
                    data={"answer": answer, "unit": unit, "steps": len(plan.calls)},
                    meta={"problem": writer.__name__})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """A `{question, answer}` row (GSM8K-style; `answer` may end in '#### <number>')."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        question = row.get("question") or row.get("problem")
        raw = row.get("answer")
        if not isinstance(question, str) or raw is None:
            raise GymkitError(f"tool_calc row {index} needs 'question' and a numeric 'answer'; "
                              f"got keys {sorted(row)}")
        text = str(raw).split("####")[-1].strip().replace(",", "")
        try:
            answer = float(text)
        except ValueError:
            raise GymkitError(f"tool_calc row {index}: answer {raw!r} is not a number") from None
        return Task(id=str(row.get("id", f"tool_calc-row-{index}")), env=self.name,
                    prompt=[system(SYSTEM_PROMPT), user(question)],
                    data={"answer": answer, "unit": row.get("unit", "")})

    # ------------------------------------------------------------------ scoring
    def score_episode(self, episode: Episode, response: str) -> Score:
        task = episode.task
        gold = float(task.data["answer"])
        tol = answer_tolerance(int(task.data.get("decimals", DECIMALS)))
        ok, reason = check_final_answer(response, gold, rel_tol=0.0, abs_tol=tol,
                                        unit_ok=_unit_check(task))
        grounded = episode.state.get("grounded", [])
        info = {"tool_calls": episode.tool_calls, "ok_tool_calls": episode.state.get("ok_calls", 0),
                "grounded_results": len(grounded)}
        if not ok:
            return Score.wrong(reason, **info)
        if self.require_tool_use and not episode.state.get("ok_calls"):
            return Score.wrong("answered without a successful tool call", **info)
        if self.require_tool_use and not any(abs(g - gold) <= tol for g in grounded):
            return Score.wrong("the answer is not the result of a tool call on the problem's "
                               "numbers (or on earlier results)", **info)
        return Score.correct(**info)

    def score(self, task: Task, response: str) -> Score:
        """Answer-only check (no episode): used by `gymkit verify` on a final text."""
        tol = answer_tolerance(int(task.data.get("decimals", DECIMALS)))
        ok, reason = check_final_answer(response, float(task.data["answer"]),
                                        rel_tol=0.0, abs_tol=tol, unit_ok=_unit_check(task))
        return Score.correct() if ok else Score.wrong(reason)


def _unit_check(task: Task) -> Callable[[str], bool] | None:
    """A judge of the unit written after the answer: the asked unit's spellings only (a
    dollar question answered in litres is wrong); None (any unit) when the task names none."""
    asked = str(task.data.get("unit") or "")
    return (lambda written: unit_matches(asked, written)) if asked else None


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if float(value).is_integer() or "e" in text else len(text.split(".")[1])


def _question_numbers(task: Task) -> list[float]:
    """The numbers stated in the task's user messages (the problem's givens)."""
    return [v for m in task.prompt if m.get("role") == "user"
            for v, _ in numbers_in(str(m.get("content") or ""))]

