"""Tiny verifiers 0.4 tasksets, written as a verifiers user writes them, for gymkit's
`verifiers_env` tests (tests/integrations/test_from_verifiers.py).

`ArithTaskset`: "a + b" rows with a reference `answer`. Reward `exact` pays 1.0 for the sum
as written, 0.5 for the same value in another form ("7.0", "+7"), 0 otherwise; a metric
records the reply's length. Its config field `mode` turns the reward hostile: it raises,
returns NaN or inf, returns text, or sleeps past any timeout, so the tests can see how gymkit
reports each.
`ToolTaskset` and `RuntimeTaskset` are what gymkit must refuse: tools, a sandboxed reward.
"""
import asyncio
import math
from typing import Literal

import verifiers.v1 as vf


class ArithData(vf.TaskData):
    answer: str
    mode: str = "ok"


class ArithConfig(vf.TasksetConfig):
    n: int = 12
    mode: Literal["ok", "raise", "nan", "inf", "text", "slow"] = "ok"


def as_number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class ArithTask(vf.Task[ArithData, vf.State, vf.TaskConfig]):
    @vf.reward
    async def exact(self, task: ArithData, trace: vf.Trace) -> float:
        if task.mode == "raise":
            raise ValueError("the checker crashed")
        if task.mode in ("nan", "inf"):
            return float(task.mode)
        if task.mode == "slow":
            await asyncio.sleep(60)
        if task.mode == "text":
            return "full marks"  # not a number: verifiers' float() rejects it
        reply = trace.last_reply
        if reply == task.answer:
            return 1.0
        return 0.5 if as_number(reply) == float(task.answer) else 0.0

    @vf.metric
    async def reply_chars(self, trace: vf.Trace) -> float:
        return float(len(trace.last_reply))


class ArithTaskset(vf.Taskset[ArithTask, ArithConfig]):
    def load(self):
        for i in range(self.config.n):
            a, b = 3 * i + 1, 7 * i + 2
            data = ArithData(id=f"add-{i}", system_prompt="You add numbers.",
                             prompt=f"What is {a} + {b}? Reply with the number only.",
                             answer=str(a + b), mode=self.config.mode)
            yield ArithTask(data, self.config.task)


class Calculator(vf.Toolset):
    @vf.tool
    async def add(self, a: int, b: int) -> int:
        """Add two integers."""
        return a + b


class ToolTask(ArithTask):
    @classmethod
    def toolsets(cls, config):
        return [Calculator(vf.ToolsetConfig())]


class ToolTaskset(vf.Taskset[ToolTask, ArithConfig]):
    def load(self):
        yield ToolTask(ArithData(prompt="Add 1 and 2 with the tool.", answer="3"), self.config.task)


class RuntimeTask(vf.Task[ArithData, vf.State, vf.TaskConfig]):
    @vf.reward
    async def tests_pass(self, task: ArithData, trace: vf.Trace, runtime: vf.Runtime) -> float:
        result = await runtime.run(["true"])
        return float(result.exit_code == 0)


class RuntimeTaskset(vf.Taskset[RuntimeTask, ArithConfig]):
    def load(self):
        yield RuntimeTask(ArithData(prompt="Write a program.", answer="ok"), self.config.task)
