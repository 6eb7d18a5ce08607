"""`BaseEnv`: what an environment is. Subclass it to write a new one.

A single-turn env overrides `generate_task` and `score` (30-60 lines in all). A multi-turn or
tool-using env also declares `@tool` methods and/or overrides `reset` and `respond`, its answer
to one model message. `step` is the episode loop, one for every env: it counts the turn, asks
`respond`, and ends an episode still running on its last turn as `truncated`. Env objects are
long-lived (one per actor); per-episode state lives in the `Episode` they hand out, so one env
serves many interleaved episodes, and an episode is rebuilt by replaying the messages the pool
keeps for it.
"""
from __future__ import annotations

import json
import logging
import random
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .chat import strip_thinking, tool_result
from .errors import GymkitError
from .tools import ToolCallError, ToolSpec, collect_tools, run_tool
from .types import Message, Score, Step, Task

log = logging.getLogger(__name__)


@dataclass
class Episode:
    """Per-episode state: turns and tool calls so far (counted by `BaseEnv`), and what the env
    keeps in `state`. It must follow from the task and the messages played into it: the pool
    rebuilds a lost episode by replaying the messages it keeps."""

    task: Task
    turn: int = 0
    tool_calls: int = 0
    state: dict[str, Any] = field(default_factory=dict)


class BaseEnv:
    """Base class of every gymkit environment."""

    name: ClassVar[str] = ""
    family: ClassVar[str] = "misc"  # math | code | tool_use | agent | instruction
    verifier: ClassVar[str] = ""  # one line: how answers are checked
    max_turns: ClassVar[int] = 1
    max_tool_calls: ClassVar[int] = 16
    difficulties: ClassVar[tuple[int, ...]] = (1, 2, 3)
    # True for envs judged by a learned model (rm_chat): no gold solutions, and no promise
    # that garbage scores 0, so check-env checks only determinism and schemas.
    learned_judge: ClassVar[bool] = False
    # Options read from `self.config` (besides the named `__init__` parameters): together they
    # are what `--env-option` and a train config's `options` may set (see registry.env_options).
    config_keys: ClassVar[tuple[str, ...]] = ()
    # Their types, checked with the `__init__` annotations before the env is built
    # (registry.options_model); a key not listed here takes any value.
    config_types: ClassVar[dict[str, Any]] = {}
    # Seconds one verdict may take on any response; check-env's hostile probes must finish in it.
    score_budget_s: ClassVar[float] = 10.0
    # Exceptions from a @tool that mean this env's machinery failed (the episode ends as
    # `error`). Any other exception a tool raises goes back to the model as `error: ...`.
    tool_infra_errors: ClassVar[tuple[type[Exception], ...]] = ()
    _tool_specs: ClassVar[dict[str, ToolSpec]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._tool_specs = collect_tools(cls)

    def __init__(self, **config: Any) -> None:
        self.config = config

    # ------------------------------------------------------------------ tasks
    @property
    def multi_turn(self) -> bool:
        return self.max_turns > 1 or bool(self._tool_specs)

    def tool_schemas(self) -> list[dict[str, Any]] | None:
        return [s.schema for s in self._tool_specs.values()] or None

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        """One procedural task with its gold solution. Override in every env."""
        raise NotImplementedError(f"{type(self).__name__} has no procedural generator")

    def generate(self, n: int, seed: int = 0, difficulty: int | None = None) -> list[Task]:
        """`n` tasks, a pure function of (env, seed, difficulty): same inputs, same tasks."""
        levels = [difficulty] if difficulty is not None else list(self.difficulties)
        for level in levels:
            if level not in self.difficulties:
                raise GymkitError(f"env {self.name!r} has no difficulty {level}; "
                                  f"choose one of: {', '.join(map(str, self.difficulties))}")
        tasks = []
        for i in range(n):
            level = levels[i % len(levels)]
            rng = random.Random(f"{self.name}/{seed}/{level}/{i}")
            t = self.generate_task(rng, level, i)
            t.seed, t.difficulty = seed, level
            if t.tools is None:
                t.tools = self.tool_schemas()
            tasks.append(t)
        return tasks

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """A task from one row of the field's standard format. Envs override for theirs."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        raise GymkitError(f"env {self.name!r} cannot read a row with keys {sorted(row)}")

    def load(self, source: str | Path, split: str = "train", limit: int | None = None) -> list[Task]:
        """Tasks from a JSONL file, or from an HF `datasets` name (needs the hub or a cache)."""
        rows: list[dict[str, Any]]
        path = Path(source)
        if path.exists():
            rows = []
            with path.open() as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        raise GymkitError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        elif looks_local(str(source)):  # a mistyped file name: say so now, not after hub retries
            raise GymkitError(f"task file {str(source)!r} does not exist")
        else:
            import datasets  # deferred: heavy import, only for hub datasets

            try:
                rows = list(datasets.load_dataset(str(source), split=split))
            except Exception as e:  # the hub unreachable, no such dataset, ...
                raise GymkitError(f"cannot load dataset {source!r}: {type(e).__name__}: "
                                  f"{str(e).splitlines()[0] if str(e) else ''}") from None
        if limit is not None:
            rows = rows[:limit]
        tasks = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise GymkitError(f"{source}: row {i} is not a JSON object")
            # A row that is already a gymkit Task (from `gymkit tasks --out`) loads as itself.
            t = Task.model_validate(row) if "prompt" in row and "env" in row else \
                self.task_from_row(row, i)
            rid = row.get("task_id", row.get("id"))
            if rid is not None and "prompt" not in row:  # keep the dataset's own ids for verify
                t.id = str(rid)
            if t.tools is None:
                t.tools = self.tool_schemas()
            tasks.append(t)
        return tasks

    # ------------------------------------------------------------------ scoring
    def score(self, task: Task, response: str) -> Score:
        """Verify a final answer (thinking already stripped). Override in single-turn envs."""
        raise NotImplementedError(f"{type(self).__name__} must implement score()")

    def score_episode(self, episode: Episode, response: str) -> Score:
        """The verdict at the end of an episode; multi-turn envs may look at `episode.state`."""
        return self.score(episode.task, response)

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        """Start an episode. The first observation is `task.prompt`."""
        return Episode(task=task)

    def step(self, episode: Episode, message: Message) -> Step:
        """One turn of the episode loop, the same in every env: count the turn, let `respond`
        answer the message, and end an episode still running on its last turn as `truncated`
        (with the observation `respond` gave). Envs override `respond`, not `step`."""
        episode.turn += 1
        result = self.respond(episode, message)
        if result.done or not self.out_of_turns(episode):
            return result
        return self.turn_limit(result.observation)

    def respond(self, episode: Episode, message: Message) -> Step:
        """The env's answer to one model message: an observation, or `done` with the verdict.

        The default runs `@tool` calls (bad calls, and exceptions a tool raises, come back as
        `error: ...` observations) and scores the first message without tool calls as the final
        answer. Calls on the last turn are not run: no turn is left to read their results.
        """
        calls, errors = message_calls(message)
        if not calls and not errors:
            return Step(done=True, score=self.safe_score(episode, message.get("content") or ""))
        if self.out_of_turns(episode):
            return Step()
        return Step(observation=self.run_calls(episode, calls, errors))

    def out_of_turns(self, episode: Episode) -> bool:
        """Whether the turn just counted was the episode's last (`max_turns` by default)."""
        return episode.turn >= self.max_turns

    def turn_limit(self, observation: list[Message] | None = None) -> Step:
        """The episode ran out of turns: `truncated`, with the last observation kept."""
        return Step(observation=observation or [], done=True, score=Score(
            reward=0.0, status="truncated", info={"reason": "turn limit reached"}))

    def after_gold_calls(self, task: Task) -> Episode:
        """A fresh episode with the gold's tool calls run on it: the state the gold leaves."""
        episode = self.reset(task)
        for msg in self.gold_actions(task):
            if msg.get("tool_calls"):
                self.run_calls(episode, msg["tool_calls"], [])
        return episode

    def run_calls(self, episode: Episode, calls: list[dict], errors: list[str]) -> list[Message]:
        obs = [tool_result("invalid", "error", f"error: {e}") for e in errors]
        for call in calls:
            name = call.get("function", {}).get("name", "?")
            episode.tool_calls += 1
            if episode.tool_calls > self.max_tool_calls:
                out = f"error: tool-call limit of {self.max_tool_calls} reached"
            else:
                try:
                    out = run_tool(self._tool_specs, self, episode, call, self.tool_infra_errors)
                except ToolCallError as e:
                    out = f"error: {e}"
            obs.append(tool_result(call.get("id", "call"), name, out))
        return obs

    def safe_score(self, episode: Episode, text: str) -> Score:
        """Score with the thinking trace stripped; a crash becomes status `error`, not a zero."""
        answer = strip_thinking(text)
        if answer is None:
            return Score.wrong("unterminated reasoning block: no answer after </think>")
        try:
            return self.score_episode(episode, answer)
        except Exception as e:  # an env bug must not look like a wrong answer
            log.exception("env %s crashed scoring task %s", self.name, episode.task.id)
            return Score.failed(f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=4)}")

    def gold_actions(self, task: Task) -> list[Message]:
        """The assistant messages that solve `task` (used by check-env and tests)."""
        if not task.gold:
            raise GymkitError(f"task {task.id} of env {self.name!r} has no gold solution")
        return task.gold

    def end_episode(self, episode: Episode) -> None:
        """Free what an episode holds (sandboxes, temp dirs). Called once it ends or is dropped."""

    def close(self) -> None:
        """Release resources held by the env (files, processes)."""


def message_calls(message: Message) -> tuple[list[dict], list[str]]:
    """A model message's tool calls, and the errors of the calls that could not be read."""
    return message.get("tool_calls") or [], message.get("tool_call_errors") or []


_DATA_SUFFIXES = (".jsonl", ".json", ".csv", ".parquet", ".txt", ".arrow")


def looks_local(source: str) -> bool:
    """True for a name that can only be a local file (a path or a data-file name), never a hub
    dataset id such as `openai/gsm8k`."""
    p = Path(source)
    return (source.startswith(("/", "./", "../", "~", ".\\")) or p.suffix in _DATA_SUFFIXES
            or source.count("/") > 1 or (len(p.parts) > 1 and p.parent.is_dir()))


def play(env: BaseEnv, task: Task, actions: list[Message]) -> tuple[list[Message], Score]:
    """Run a scripted episode: feed `actions` as the model's messages until the env is done.

    Used for gold solutions, re-scoring stored rollouts, and replay after an actor died. An
    episode whose actions run out before the env is done is `truncated`.
    """
    episode = env.reset(task)
    messages = list(task.prompt)
    for action in actions:
        messages.append(action)
        result = env.step(episode, action)
        messages.extend(result.observation)
        if result.done:
            env.end_episode(episode)
            return messages, result.score or Score.failed("env ended without a score")
    env.end_episode(episode)
    return messages, Score(reward=0.0, status="truncated", info={"reason": "actions ran out"})
