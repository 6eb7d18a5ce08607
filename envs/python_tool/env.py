"""`python_tool`: math and data questions solved with a sandboxed Python tool.

The model calls `python(code)`; each call runs in a fresh `gymkit.sandbox` process (wall-clock
timeout, memory cap, no network) and returns the tail of what it printed. The final answer is
`\\boxed{}` and checked by the math verifier (`verifiers/math_equiv.score_boxed`). By default
the answer must also come out of the tool: a call whose code computed it from the problem's
numbers printed it (`grounding.py` has the rules), not any successful call.
"""
from __future__ import annotations

import random
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from pydantic import PositiveFloat, PositiveInt

from gymkit import BaseEnv, Score, Task, tool
from gymkit.chat import system, user
from gymkit.env import Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.tools import ToolCallError, make_call
from gymkit.verifiers.math_answer import find_boxed
from gymkit.verifiers.math_equiv import score_boxed

from .grounding import grounds, judge_call, numbers_in
from .problems import draw

SYSTEM_PROMPT = (
    "Solve the problem with the `python` tool: it runs Python 3 code (standard library only, "
    "no network, no files kept) in a fresh process each call and returns what the code "
    "prints. Compute the answer with code that works from the problem's data and prints the "
    "result on its last line, then give exactly one final answer in \\boxed{}.")
MAX_CODE_CHARS = 20_000
MAX_SHOWN_CHARS = 2_000  # the tool result is the tail of stdout/stderr, like a terminal


def _tail(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"[... {len(text) - limit} characters cut]\n" + text[-limit:]


@register_env
class PythonToolEnv(BaseEnv):
    """Tool-integrated reasoning: a sandboxed Python interpreter, a boxed answer."""

    name = "python_tool"
    family = "tool_use"
    verifier = ("math verifier on one \\boxed{} answer; the gold must be printed by a sound "
                "python call that computed it from the problem's numbers")
    max_turns = 8
    max_tool_calls = 6
    difficulties = (1, 2, 3)
    config_keys = ("timeout_s", "memory_mb")
    config_types = {"timeout_s": PositiveFloat, "memory_mb": PositiveInt}

    def __init__(self, require_tool_use: bool = True, **config: Any) -> None:
        super().__init__(require_tool_use=require_tool_use, **config)
        self.require_tool_use = require_tool_use
        self.timeout_s = float(config.get("timeout_s", 5.0))
        self.memory_mb = int(config.get("memory_mb", 512))
        if not 0 < self.timeout_s <= 60 or not 64 <= self.memory_mb <= 4096:
            raise GymkitError("python_tool: timeout_s must be in (0, 60] and memory_mb in "
                              f"[64, 4096]; got {self.timeout_s}, {self.memory_mb}")

    # ------------------------------------------------------------------ the tool
    @tool
    def python(self, ep: Episode, code: str) -> str:
        """Run Python 3 code in a fresh sandboxed process and return the tail of its output
        (stdout, then stderr). Nothing persists between calls: print what you need."""
        from gymkit.sandbox import run  # deferred: the sandbox client starts a server

        if len(code) > MAX_CODE_CHARS:
            raise ToolCallError(f"code is longer than {MAX_CODE_CHARS} characters")
        try:
            res = run(code, "python", timeout_s=self.timeout_s, memory_mb=self.memory_mb)
        except (ValueError, TypeError) as e:  # unusable code (NUL bytes...): the model's doing
            raise ToolCallError(str(e)) from None
        # a SandboxError is the sandbox failing, not the model: it propagates as an error
        stdout = _tail(res.stdout, MAX_SHOWN_CHARS)
        if res.status == "timeout":
            status = f"[timed out after {self.timeout_s:g} s]"
        elif res.status in ("oom", "killed"):
            status = f"[{res.status}: {res.reason}]"
        else:
            status = f"[exit code {res.exit_code}]"
        self._record(ep, code, res.status == "ok", res.stdout[-MAX_SHOWN_CHARS:])  # no cut marker
        err = _tail(res.stderr, MAX_SHOWN_CHARS // 2).rstrip()
        err = f"\n[stderr]\n{err}" if err else ""
        return f"{stdout.rstrip()}{err}\n{status}".lstrip("\n")

    def _record(self, ep: Episode, code: str, ok: bool, stdout: str) -> None:
        question = _question_numbers(ep.task)
        earlier = [Fraction(p) for r in ep.state.get("calls", []) if r["sound"]
                   for p in r["printed"]]
        rec = judge_call(code, ok, stdout, question, earlier)
        ep.state.setdefault("calls", []).append(rec.as_json())

    # ------------------------------------------------------------------ tasks
    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        writer, p = draw(rng, difficulty)
        call = make_call("python", {"code": p.code}, call_id=f"call_{index}_0")
        gold = [{"role": "assistant", "content": "", "tool_calls": [call]},
                {"role": "assistant", "content": f"The program prints the result.\n\n"
                                                 f"\\boxed{{{p.answer}}}"}]
        return Task(id=f"python_tool-{difficulty}-{index}-{writer.__name__}", env=self.name,
                    prompt=[system(SYSTEM_PROMPT), user(p.question)], gold=gold,
                    data={"answer": p.answer, "question": p.question, "decimals": p.decimals},
                    meta={"problem": writer.__name__})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """A `{question, answer}` row (GSM8K `#### 42` or a MATH boxed solution allowed): any
        numeric answer; `decimals` (optional) is the precision the question asks for."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        question = row.get("question") or row.get("problem")
        if not isinstance(question, str) or row.get("answer") in (None, ""):
            raise GymkitError(f"python_tool row {index} needs 'question' and 'answer'; "
                              f"got keys {sorted(row)}")
        answer = _final_answer(row["answer"])
        return Task(id=f"python_tool-row-{index}", env=self.name,
                    prompt=[system(SYSTEM_PROMPT), user(question)],
                    data={"answer": answer, "question": question,
                          "decimals": row.get("decimals")})

    # ------------------------------------------------------------------ scoring
    def score(self, task: Task, response: str) -> Score:
        """Answer-only check (no episode, so no tool-use rule): `gymkit verify` on a text."""
        return score_boxed(response, str(task.data["answer"]), task.data.get("question"))

    def score_episode(self, episode: Episode, response: str) -> Score:
        task = episode.task
        verdict = self.score(task, response)
        calls = episode.state.get("calls", [])
        info = {"tool_calls": episode.tool_calls, "ok_tool_calls": sum(c["ok"] for c in calls),
                "sound_tool_calls": sum(c["sound"] for c in calls)}
        verdict.info.update(info)
        if verdict.status != "correct" or not self.require_tool_use:
            return verdict
        gold = _exact(str(task.data["answer"]))
        if gold is None:  # a non-numeric gold (loaded row): the tool rule cannot apply
            return verdict
        decimals = task.data.get("decimals")
        tol = Fraction(5, 10 ** (int(decimals) + 1)) if decimals else Fraction(0)
        question = _question_numbers(task)
        if not any(c["ok"] for c in calls):
            return Score.wrong("answered without a successful python call", **info)
        if not any(grounds(c, gold, tol, question) for c in calls):
            return Score.wrong("no sound python call printed the answer (it must be computed "
                               "from the problem's numbers, not typed in)", **info)
        return verdict


def _final_answer(field: Any) -> str:
    """The final answer of an answer field: GSM8K `... #### 1,234`, a solution's last box, or
    the field itself."""
    s = str(field).strip()
    if "####" in s:
        s = s.rsplit("####", 1)[1].strip()
    elif find_boxed(s):
        s = find_boxed(s)[-1].strip()
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", s)


def _exact(text: str) -> Fraction | None:
    try:
        return abs(Fraction(Decimal(text.strip())))
    except (InvalidOperation, ValueError):
        return None


def _question_numbers(task: Task) -> list[Fraction]:
    """The numbers in the task's user messages (the problem's data)."""
    return [v for m in task.prompt if m.get("role") == "user"
            for v in numbers_in(str(m.get("content") or ""))]
