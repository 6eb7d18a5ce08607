"""The episode loop. The driver owns it: envs are state machines behind a pool.

Each round gathers the next prompt of every live episode and calls the policy once per chunk
of `gen_batch` requests (the only way the `hf` backend is efficient); each finished chunk goes
to the pool at once, so env actors score it while the next chunk generates. Episodes whose
env replied (tool results, user turns) join the next round.

Token bookkeeping keeps the sampler's exact ids: the first turn's prompt ids become
`Rollout.prompt_ids`; after that, each turn appends the observation tokens the backend added
(loss_mask 0) and the sampled tokens (loss_mask 1, with their logprobs). A backend whose new
prompt does not extend the previous tokens would make the rollout off-policy: that episode
ends with status `error` instead of training on drifted tokens.

Episodes are keyed by their position in the request, never by `Task.id`: two tasks that share
an id still get one rollout each, and a backend that returns fewer generations than requests
gets the missing ones recorded as `error`, so every (task, sample) comes back with a status.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from .policy.base import Generation, GenRequest, Policy, SamplingParams
from .tools import message_with_calls
from .types import Message, Rollout, Score, Step, Task

MAX_TURNS_CAP = 64


class Pool(Protocol):
    def submit(self, key: str, task: Task, message: Message) -> None: ...
    def poll(self, timeout: float | None = None) -> list[tuple[str, Step]]: ...
    def pending(self) -> int: ...


class _Run:
    """One (task, sample) episode in flight."""

    def __init__(self, task: Task, sample: int, slot: int):
        self.task, self.sample, self.slot = task, sample, slot
        self.key = f"{slot}#{sample}"  # the position, not task.id: ids may repeat
        self.messages: list[Message] = list(task.prompt)
        self.prompt_ids: list[int] = []
        self.ids: list[int] = []  # prompt + completion so far
        self.logprobs: list[float] = []
        self.mask: list[int] = []
        self.turn_tokens: list[int] = []  # sampled tokens per turn (per-turn overlong penalty)
        self.versions: list[int] = []  # policy version of each turn (rollout engines report it)
        self.missing_logprobs = False
        self.turns = 0
        self.finish_reason: str | None = None
        self.timings = {"generate_s": 0.0, "env_s": 0.0}
        self.rollout: Rollout | None = None
        self.sent_at = 0.0
        self.n_covered = 0  # messages covered by self.ids

    def request(self) -> GenRequest:
        prefix = self.ids if self.turns and self.ids else None
        return GenRequest(messages=self.messages, tools=self.task.tools, prefix_ids=prefix,
                          n_prefix_messages=self.n_covered if prefix else 0)

    def absorb(self, gen: Generation) -> str | None:
        """Add one generation; returns an error text if the tokens drifted."""
        self.turns += 1
        self.finish_reason = gen.finish_reason
        if gen.version is not None:
            self.versions.append(gen.version)
        if gen.prompt_ids:
            if not self.prompt_ids:
                self.prompt_ids = list(gen.prompt_ids)
                self.ids = list(gen.prompt_ids)
            else:
                if gen.prompt_ids[:len(self.ids)] != self.ids:
                    return "token drift: the new prompt does not extend the sampled tokens"
                obs = gen.prompt_ids[len(self.ids):]
                self.ids += obs
                self.mask += [0] * len(obs)
                self.logprobs += [0.0] * len(obs)
            self.ids += gen.token_ids
            forced = set(gen.forced)  # e.g. a thinking budget's forced </think>: not sampled
            self.mask += [0 if i in forced else 1 for i in range(len(gen.token_ids))]
            self.turn_tokens.append(len(gen.token_ids))
            if len(gen.logprobs) != len(gen.token_ids):
                self.missing_logprobs = True  # never a 0.0 fill: it would bias the ratio
            self.logprobs += list(gen.logprobs)
        if gen.tool_calls:
            msg: Message = {"role": "assistant", "content": gen.text, "tool_calls": gen.tool_calls}
        elif self.task.tools:
            msg = message_with_calls(gen.text)
        else:
            msg = {"role": "assistant", "content": gen.text}
        self.messages.append(msg)
        self.n_covered = len(self.messages)
        return None

    def finish(self, score: Score) -> Rollout:
        status = final_status(score.status, self.finish_reason)
        n_prompt = len(self.prompt_ids)
        # a turn without logprobs leaves none at all: the trainer refuses it, loudly
        logprobs = [] if self.missing_logprobs else self.logprobs
        self.rollout = Rollout(
            task_id=self.task.id, env=self.task.env, sample=self.sample, messages=self.messages,
            prompt_ids=self.prompt_ids, completion_ids=self.ids[n_prompt:],
            logprobs=logprobs, loss_mask=self.mask, turn_tokens=self.turn_tokens,
            versions=self.versions,
            reward=score.reward,
            components=score.components, status=status, error=score.error, info=score.info,
            turns=self.turns, finish_reason=self.finish_reason, timings=self.timings,
            task=self.task)
        return self.rollout


def final_status(status: str, finish_reason: str | None) -> str:
    """A wrong answer cut off by max_new_tokens is `truncated` (lets trainers filter overlong).

    Shared by the driver and re-scoring of stored rollouts, so both agree on the status."""
    return "truncated" if finish_reason == "length" and status == "wrong" else status


def run_episodes(tasks: list[Task], policy: Policy, pool: Pool, params: SamplingParams,
                 samples: int = 1, gen_batch: int = 64,
                 on_group: Callable[[Task, list[Rollout]], None] | None = None,
                 on_rollout: Callable[[Rollout], None] | None = None,
                 max_turns: int = MAX_TURNS_CAP) -> list[Rollout]:
    """Play `samples` episodes of every task to the end; one Rollout per (task, sample).

    Every episode comes back with a status, whatever failed along the way (generation
    errors, env crashes, dead actors, timeouts). Rollouts are ordered by task, then sample.
    """
    runs = [_Run(t, s, i) for i, t in enumerate(tasks) for s in range(samples)]
    by_key = {r.key: r for r in runs}
    group_left = [samples] * len(tasks)
    ready: list[_Run] = list(runs)  # waiting for the policy

    def settle(run: _Run, score: Score) -> None:
        if run.rollout is not None:
            return
        rollout = run.finish(score)
        if on_rollout:
            on_rollout(rollout)
        group_left[run.slot] -= 1
        if group_left[run.slot] == 0 and on_group:
            group = runs[run.slot * samples:(run.slot + 1) * samples]  # runs are slot-major
            on_group(run.task, [r.rollout for r in group])

    def absorb_results(results: list[tuple[str, Step]]) -> None:
        for key, step in results:
            run = by_key[key]
            # the env's own run time when the pool reports it: waiting to be polled while
            # other episodes generate is not env latency
            run.timings["env_s"] += step.info.get("env_s", time.monotonic() - run.sent_at)
            if step.done:
                settle(run, step.score or Score.failed("env ended the episode without a score"))
            elif run.turns >= max_turns:
                settle(run, Score(reward=0.0, status="truncated",
                                  info={"reason": f"driver turn cap {max_turns}"}))
            else:
                run.messages.extend(step.observation)
                ready.append(run)

    while ready or pool.pending():
        batch, ready[:] = list(ready), []
        for start in range(0, len(batch), gen_batch):
            chunk = batch[start:start + gen_batch]
            t0 = time.monotonic()
            gens = list(policy.generate([r.request() for r in chunk], params))
            share = (time.monotonic() - t0) / max(1, len(chunk))
            for i, run in enumerate(chunk):
                run.timings["generate_s"] += share
                if i >= len(gens):  # a backend that answers fewer requests than it was given
                    run.turns += 1
                    settle(run, Score.failed(f"generation missing: the {policy.backend or 'policy'} "
                                             f"backend returned {len(gens)} of {len(chunk)}"))
                    continue
                gen = gens[i]
                if gen.error:
                    run.turns += 1
                    settle(run, Score.failed(f"generation failed: {gen.error}"))
                    continue
                drift = run.absorb(gen)
                if drift:
                    settle(run, Score.failed(drift))
                    continue
                run.sent_at = time.monotonic()
                pool.submit(run.key, run.task, run.messages[-1])
            absorb_results(pool.poll(timeout=0))
        if not ready and pool.pending():
            absorb_results(pool.poll(timeout=None))
    for run in runs:  # a pool that lost a step must not leave a hole in the result
        if run.rollout is None:
            settle(run, Score.failed("episode lost: the env pool never answered its last step"))
    return [r.rollout for r in runs]
