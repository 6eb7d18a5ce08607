"""The `algebra` env: symbolic tasks checked by sympy equivalence plus random numeric sampling."""
from __future__ import annotations

import random
import re
from typing import Any

import sympy

from gymkit import BaseEnv, Score, Task
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.verifiers.algebra_check import check_algebra
from gymkit.verifiers.answer_form import hidden_value, not_final, pathological
from gymkit.verifiers.final_number import read_number
from gymkit.verifiers.math_answer import extract_boxed_answers
from gymkit.verifiers.math_equiv import score_boxed, verify_isolated

from ..math.env import ANSWER_KEYS, QUESTION_KEYS, gold_from_answer_field
from .problems import KINDS

INSTRUCTION = "Put your final answer in \\boxed{}."
VERIFY_TIMEOUT = 8.0  # sympy on a long answer; an answer that runs past it is scored `wrong`
FINAL_FORM_KINDS = ("expand", "factor", "simplify", "solve")  # the kinds whose answer is a final form


@register_env
class AlgebraEnv(BaseEnv):
    """Expand, factor, simplify, solve, differentiate and integrate, verified symbolically."""

    name = "algebra"
    family = "math"
    verifier = ("boxed answer; shape checks, sympy equivalence + random sampling, required form, "
                "d/dx for integrals; non-finite answers are wrong")
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        make = rng.choice(KINDS[difficulty])
        kind, question, gold, integrand = make(rng, difficulty)
        if kind == "solve":
            gold_text, gold_tex = ", ".join(map(str, gold)), ", ".join(map(sympy.latex, gold))
        else:
            gold_text, gold_tex = str(gold), sympy.latex(gold) + (" + C" if kind == "integrate" else "")
        data = {"kind": kind, "answer": gold_text, "variable": "x", "question": question}
        if integrand is not None:
            data["integrand"] = str(integrand)
        return Task(id=f"algebra-{difficulty}-{index}", env=self.name, data=data,
                    prompt=[{"role": "user", "content": f"{question} {INSTRUCTION}"}],
                    gold=[{"role": "assistant", "content": f"$\\boxed{{{gold_tex}}}$"}])

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """`{question, answer}` rows (optional `kind`, `variable`, `integrand`) or native tasks."""
        if "prompt" in row and "env" in row:
            return super().task_from_row(row, index)
        q = next((row[k] for k in QUESTION_KEYS if row.get(k)), None)
        a = next((row[k] for k in ANSWER_KEYS if row.get(k) not in (None, "")), None)
        if q is None or a is None:
            raise GymkitError(f"algebra row {index} needs a question and an answer; it has keys "
                              f"{sorted(row)}")
        kind = str(row.get("kind", "equiv"))
        if kind not in ("equiv", "expand", "factor", "simplify", "solve", "diff", "integrate"):
            raise GymkitError(f"algebra row {index}: unknown kind {kind!r}")
        gold = gold_from_answer_field(a)
        data = {"kind": kind, "answer": gold, "variable": str(row.get("variable", "x")),
                "question": str(q)}
        if row.get("integrand"):
            data["integrand"] = str(row["integrand"])
        return Task(id=f"algebra-row-{index}", env=self.name, data=data,
                    prompt=[{"role": "user", "content": f"{q} {INSTRUCTION}"}],
                    gold=[{"role": "assistant", "content": f"\\boxed{{{gold}}}"}])

    def score(self, task: Task, response: str) -> Score:
        ex = extract_boxed_answers(response)
        if not ex.ok:
            return Score.wrong(ex.reason or "no answer")
        d = task.data
        # `\boxed{2}, \boxed{3}` lists solutions; otherwise every box must be right (no hedging)
        answers = [", ".join(ex.answers)] if d["kind"] == "solve" else ex.answers
        if d["kind"] == "equiv" and read_number(d["answer"]).value is not None:
            return score_boxed(response, d["answer"], d.get("question"))  # numeric: math's rules
        for ans in answers:
            listed = re.sub(r"\\text\{\s*(or|and)\s*\}", ",", ans)  # `x = 2 \\text{ or } x = 3`
            # expand/factor/simplify/solve ask for a final form: no arithmetic, roots or zero terms
            # left to do (`\\frac{17+17}{6}`, `\\sqrt{36}`, `+ \\frac{0}{x+4}`)
            bad = pathological(ans, d["answer"]) or (
                not_final(listed, d["answer"], d.get("question")) if d["kind"] in FINAL_FORM_KINDS
                else hidden_value(listed, d["answer"]))
            if bad:
                return Score.wrong(bad, answer=ans[:200])
            v = verify_isolated(check_algebra, d["kind"], d["answer"], ans, d.get("variable", "x"),
                                d.get("integrand"), timeout=VERIFY_TIMEOUT)
            if v.status == "error":
                return Score.failed(v.reason)
            if v.status != "correct":
                hedge = "hedged: several different boxed answers; " if len(answers) > 1 else ""
                return Score.wrong(hedge + v.reason, answer=ans[:200])
        return Score.correct(answer=answers[0][:200], method=v.reason)
