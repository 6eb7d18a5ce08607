"""`function_call`: emit the right function call(s) for a request, checked BFCL-style.

Single turn. The model sees JSON tool schemas (`Task.tools`) and a request, and answers with
tool calls, either as OpenAI `tool_calls` on its message or as `<tool_call>{json}</tool_call>`
text; those calls ARE the answer, so `respond` scores them instead of running them. When no
function fits (irrelevance), the model must not call anything and must say `NO_CALL`.
"""
from __future__ import annotations

import random
from typing import Any

from gymkit import BaseEnv, Score, Step, Task
from gymkit.chat import system, user
from gymkit.env import Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.tools import make_call, parse_tool_calls
from gymkit.types import Message
from gymkit.verifiers.function_call import bfcl_tool, check_calls, function_key

from .catalog import CATALOG

DECLINE = "NO_CALL"
SYSTEM_PROMPT = (
    "You can call the functions described in the tools. Answer the user's request with the "
    "function call or calls that fulfil it, with arguments that match the schemas; make "
    "independent calls in parallel. If none of the functions can fulfil the request, do not "
    f"call any: reply in one line that starts with {DECLINE} and says why.")
_LEVELS = {  # difficulty -> (calls per request, distractor functions, chance of irrelevance)
    1: (1, 0, 0.0),
    2: (1, 3, 0.2),
    3: (3, 3, 0.15),
}


@register_env
class FunctionCallEnv(BaseEnv):
    """Single-turn function calling against JSON schemas (BFCL-style AST check)."""

    name = "function_call"
    family = "tool_use"
    verifier = "BFCL-style AST match: names, required/unknown params, types, values, any order"
    max_turns = 1
    difficulties = (1, 2, 3)

    # ------------------------------------------------------------------ tasks
    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        n_calls, n_distractors, p_irrelevant = _LEVELS[difficulty]
        n_calls = rng.randint(2, n_calls) if n_calls > 1 else 1
        apis = rng.sample(CATALOG, min(len(CATALOG), n_calls + n_distractors + 1))
        irrelevant = rng.random() < p_irrelevant
        # A parallel request may ask one function twice (two cities' weather).
        targets = [rng.choice(apis[:n_calls]) for _ in range(n_calls)] if n_calls > 1 else apis[:1]
        requests = [api.write(rng) for api in targets]
        if irrelevant:  # ask for the held-out api's job; offer only the others
            requests, targets = [apis[-1].write(rng)], [apis[-1]]
            offered = apis[:-1]
        else:
            offered = apis[:n_calls + n_distractors]
        rng.shuffle(offered)
        text = ", and ".join(words for words, _ in requests)
        question = f"Please {text}."
        truth = [] if irrelevant else [{t.name: gold} for t, (_, gold) in zip(targets, requests)]
        return Task(id=f"function_call-{difficulty}-{index}", env=self.name,
                    prompt=[system(SYSTEM_PROMPT), user(question)],
                    tools=[a.schema for a in offered], data={"ground_truth": truth},
                    gold=[self._gold_message(truth, index)],
                    meta={"irrelevant": irrelevant, "functions": [t.name for t in targets]})

    @staticmethod
    def _gold_message(truth: list[dict], index: int) -> Message:
        if not truth:
            return {"role": "assistant",
                    "content": f"{DECLINE}: none of the available functions can do this."}
        calls = []
        for k, expected in enumerate(truth):
            (name, params), = expected.items()
            args = {p: options[0] for p, options in params.items() if "" not in options}
            calls.append(make_call(name, args, call_id=f"call_{index}_{k}"))
        return {"role": "assistant", "content": "", "tool_calls": calls}

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """A BFCL row: `question`, `function` and `ground_truth` (absent or [] = irrelevance)."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        if "question" not in row or "function" not in row:
            raise GymkitError(f"function_call row {index} needs BFCL keys 'question' and "
                              f"'function' (and 'ground_truth'); got {sorted(row)}")
        question = row["question"]
        while isinstance(question, list) and question and isinstance(question[0], list):
            question = question[0]  # BFCL nests turns; the first turn is the single-turn task
        messages = [user(question)] if isinstance(question, str) else list(question)
        functions = row["function"] if isinstance(row["function"], list) else [row["function"]]
        truth = [{function_key(name): params for name, params in call.items()}
                 for call in row.get("ground_truth") or []]
        return Task(id=str(row.get("id", f"function_call-row-{index}")), env=self.name,
                    prompt=[system(SYSTEM_PROMPT), *messages],
                    tools=[bfcl_tool(f) for f in functions], data={"ground_truth": truth},
                    meta={"irrelevant": not truth})

    # ------------------------------------------------------------------ scoring
    def respond(self, episode: Episode, message: Message) -> Step:
        """The message's calls are the answer: score them (never run them) and end."""
        episode.state["calls"] = list(message.get("tool_calls") or [])
        episode.state["call_errors"] = list(message.get("tool_call_errors") or [])
        return Step(done=True, score=self.safe_score(episode, message.get("content") or ""))

    def score_episode(self, episode: Episode, response: str) -> Score:
        return self.judge(episode.task, response, episode.state.get("calls", []),
                          episode.state.get("call_errors", []))

    def score(self, task: Task, response: str) -> Score:
        """Score a plain-text answer whose calls are written as `<tool_call>` blocks."""
        return self.judge(task, response, [], [])

    def judge(self, task: Task, text: str, calls: list[dict], errors: list[str]) -> Score:
        """Verdict on the calls on the message plus any `<tool_call>` blocks in its text."""
        content, text_calls, text_errors = parse_tool_calls(text)
        if not calls and not errors:  # structured calls win: servers may echo them as text too
            calls, errors = text_calls, text_errors
        info = {"n_calls": len(calls)}
        if errors:
            return Score.wrong(f"malformed tool call: {errors[0][:160]}", **info)
        declined = DECLINE in content
        if declined and calls:
            return Score.wrong(f"both called functions and declined with {DECLINE}", **info)
        truth = task.data["ground_truth"]
        if not truth and not calls and not declined:
            return Score.wrong(f"no call, but no {DECLINE} decline either", **info)
        if truth and not calls:
            return Score.wrong("no function call", **info)
        ok, reason = check_calls(calls, task.tools or [], truth)
        return Score.correct(**info) if ok else Score.wrong(reason, **info)
