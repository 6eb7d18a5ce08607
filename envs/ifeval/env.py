"""`ifeval`: write on a topic while obeying 1-3 verifiable instructions (IFEval tradition)."""
from __future__ import annotations

import hashlib
import random
from typing import Any

from pydantic import PositiveInt

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Score, Task
from gymkit.verifiers.constraints import (CONSTRAINTS, check, clean_kwargs, describe,
                                          kwargs_problem, looks_like_text, min_answer_words, words)
from gymkit.verifiers.degenerate import degenerate_reason, echo_share, second_draft

from .compose import FORMS, TOPICS, GoldWriter, draw_constraints

MAX_CHARS = 20_000  # far above any requested length; longer output is degenerate
MAX_ECHO = 0.5  # share of the response's 4-word phrases copied from the prompt


@register_env
class IfevalEnv(BaseEnv):
    """Instruction following. Config: `partial=True` pays the fraction of instructions met
    (status stays `wrong` unless all are); `max_chars` caps the response length."""

    name = "ifeval"
    family = "instruction"
    verifier = "IFEval-style rule checkers per instruction; reward = all met (or fraction)"
    difficulties = (1, 2, 3)  # = number of instructions per task

    def __init__(self, partial: bool = False, max_chars: PositiveInt = MAX_CHARS, **config: Any) -> None:
        super().__init__(partial=partial, max_chars=max_chars, **config)
        self.partial, self.max_chars = partial, max_chars

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        topic, form = rng.choice(TOPICS), rng.choice(FORMS)
        for _ in range(50):  # a rare combination no text can meet (too tight) is redrawn
            constraints = draw_constraints(rng, difficulty)
            try:
                gold = GoldWriter(rng, topic, constraints).write()
                break
            except ValueError:
                continue
        else:
            raise RuntimeError(f"no satisfiable instruction set drawn for task {index}")
        text = f"Write a {form} about {topic}. " + " ".join(
            describe(c["id"], c["kwargs"]) for c in constraints)
        digest = hashlib.sha1(text.encode()).hexdigest()[:8]
        return Task(id=f"ifeval-d{difficulty}-{index}-{digest}", env=self.name,
                    prompt=[{"role": "user", "content": text}],
                    data={"constraints": constraints},
                    gold=[{"role": "assistant", "content": gold}])

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """IFEval rows: `{key, prompt, instruction_id_list, kwargs}`."""
        if "instruction_id_list" not in row:
            return super().task_from_row(row, index)
        ids, kwargs = row["instruction_id_list"], row.get("kwargs") or [{}] * len(
            row["instruction_id_list"])
        where = f"row {index} (key {row.get('key', '?')})"
        if len(ids) != len(kwargs):
            raise GymkitError(f"{where}: {len(ids)} instruction ids but {len(kwargs)} kwargs")
        constraints = []
        for cid, kw in zip(ids, kwargs):
            kw = clean_kwargs(kw)
            if (problem := kwargs_problem(cid, kw)) is not None:
                raise GymkitError(f"{where}: {problem}; supported: {', '.join(sorted(CONSTRAINTS))}")
            constraints.append({"id": cid, "kwargs": kw})
        return Task(id=f"ifeval-{row.get('key', index)}", env=self.name,
                    prompt=[{"role": "user", "content": row["prompt"]}],
                    data={"constraints": constraints})

    def score(self, task: Task, response: str) -> Score:
        if not response.strip():
            return Score.wrong("empty response")
        if len(response) > self.max_chars:
            return Score.wrong(f"response longer than {self.max_chars} characters")
        if not looks_like_text(response):
            return Score.wrong("response is not text: too few words among its tokens")
        if len(words(response)) < (floor := min_answer_words(task.data["constraints"])):
            return Score.wrong(f"fewer than {floor} words: not an attempt at the writing task")
        if (why := degenerate_reason(response)) is not None:
            return Score.wrong(why)
        if echo_share(_without_repeat(task, response), _instructions(task)) > MAX_ECHO:
            return Score.wrong("echoes the prompt instead of answering it")
        asked_two = any(c["id"] == "combination:two_responses" for c in task.data["constraints"])
        if not asked_two and second_draft(response):
            return Score.wrong("two attempts in one reply (a line announces another version)")
        components: dict[str, float] = {}
        for c in task.data["constraints"]:
            key = c["id"] if c["id"] not in components else f"{c['id']}#{len(components)}"
            components[key] = float(check(c["id"], c["kwargs"], response))
        met = sum(components.values()) / len(components)
        failed = [k for k, v in components.items() if not v]
        reward = met if self.partial else float(not failed)
        if failed:
            return Score(reward=reward, status="wrong", components=components,
                         info={"reason": "instructions not followed: " + ", ".join(failed)})
        return Score(reward=1.0, status="correct", components=components)



def _instructions(task: Task) -> str:
    """The instruction sentences, as gymkit words them. Echo is measured against these, not the
    whole prompt: a "rewrite this passage in capitals" row is answered by copying its passage."""
    copied = {"detectable_format:constrained_response"}  # its options are meant to be copied
    return " ".join(describe(c["id"], c["kwargs"]) for c in task.data["constraints"]
                    if CONSTRAINTS[c["id"]].describe is not None and c["id"] not in copied)


def _without_repeat(task: Task, response: str) -> str:
    """The response minus the prompt copy that `combination:repeat_prompt` asks for."""
    for c in task.data["constraints"]:
        if c["id"] == "combination:repeat_prompt":
            head = c["kwargs"]["prompt_to_repeat"].strip()
            if response.strip().lower().startswith(head.lower()):
                return response.strip()[len(head):]
    return response
