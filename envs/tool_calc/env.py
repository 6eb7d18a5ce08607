"""`tool_calc`: word problems solved with a calculator and a unit converter, answer verified.

The model calls `calculate(expression)` and `convert(value, from_unit, to_unit)` over several
turns, then gives one final answer in `\\boxed{}` or on an `Answer:` line. The answer is
compared numerically with the gold (to the two decimals the prompt asks for); by default it
also must have made at least one successful tool call, since using the tools is the skill.
"""
from __future__ import annotations

import random
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
from .units import UnitError, convert

SYSTEM_PROMPT = (
    "Solve the problem with the tools: `calculate` evaluates an arithmetic expression and "
    "`convert` converts a value between units. Call them as needed, then give the final "
    "answer as a number rounded to 2 decimal places, in \\boxed{} or on a line "
    "'Answer: <number>'. Give exactly one final answer.")
REL_TOL = 5e-4  # tool results carry 10 digits; this only absorbs rounding of intermediates
ABS_TOL = 0.01  # the prompt asks for 2 decimals


@register_env
class ToolCalcEnv(BaseEnv):
    """Calculator and unit-conversion tools for multi-step word problems."""

    name = "tool_calc"
    family = "tool_use"
    verifier = "numeric match of one boxed/Answer: value (2 dp, rel 5e-4), tools used"
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
        ep.state["ok_calls"] = ep.state.get("ok_calls", 0) + 1
        return out

    @tool
    def convert(self, ep: Episode, value: float, from_unit: str, to_unit: str) -> str:
        """Convert a value between units of the same dimension (length, mass, time, volume,
        area, speed, energy, temperature), e.g. value=3, from_unit="mi", to_unit="km"."""
        try:
            out = format_number(convert(value, from_unit, to_unit))
        except UnitError as e:
            raise ToolCallError(str(e)) from None
        ep.state["ok_calls"] = ep.state.get("ok_calls", 0) + 1
        return out

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
        gold = float(episode.task.data["answer"])
        ok, reason = check_final_answer(response, gold, rel_tol=REL_TOL, abs_tol=ABS_TOL)
        info = {"tool_calls": episode.tool_calls, "ok_tool_calls": episode.state.get("ok_calls", 0)}
        if not ok:
            return Score.wrong(reason, **info)
        if self.require_tool_use and not episode.state.get("ok_calls"):
            return Score.wrong("answered without a successful tool call", **info)
        return Score.correct(**info)

    def score(self, task: Task, response: str) -> Score:
        """Answer-only check (no episode): used by `gymkit verify` on a final text."""
        ok, reason = check_final_answer(response, float(task.data["answer"]),
                                        rel_tol=REL_TOL, abs_tol=ABS_TOL)
        return Score.correct() if ok else Score.wrong(reason)

