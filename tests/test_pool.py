"""Env hosting: Ray actors, fault tolerance, hard timeouts, and the driver loop over them."""
import os
import random
import time

import pytest

from gymkit import BaseEnv, Score, Task
from gymkit.driver import run_episodes
from gymkit.policy.base import Generation, Policy, SamplingParams
from gymkit.pool import EnvPool, LocalPool


class Slow(BaseEnv):
    """Answer with the task's number; verification takes a little while, or hangs on 'hang'."""

    name = "test_slow"

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        n = rng.randint(0, 999)
        return Task(id=f"slow-{index}", env=self.name, data={"n": n},
                    prompt=[{"role": "user", "content": f"echo {n}"}],
                    gold=[{"role": "assistant", "content": str(n)}])

    def score(self, task, response):
        time.sleep(task.data.get("delay", 0.05))
        if response == "hang":
            time.sleep(3600)
        if response == "die":
            os._exit(1)
        return Score.correct() if response == str(task.data["n"]) else Score.wrong("mismatch")


class Scripted(Policy):
    """Answers from a script: the gold answer, or a fixed word for chosen tasks."""

    backend = "scripted"

    def __init__(self, overrides=None):
        self.overrides = overrides or {}

    def generate(self, requests, params):
        out = []
        for r in requests:
            prompt = r.messages[0]["content"]
            text = self.overrides.get(prompt, prompt.split()[-1])
            out.append(Generation(text=text, prompt_ids=[1, 2, 3], token_ids=[7, 8],
                                  logprobs=[-0.1, -0.2]))
        return out


@pytest.fixture(scope="module")
def tasks():
    return Slow().generate(12, seed=3)


def test_local_pool_runs_every_episode(tasks):
    rollouts = run_episodes(tasks, Scripted(), LocalPool({"test_slow": Slow}),
                            SamplingParams(), samples=2)
    assert len(rollouts) == 24
    assert all(r.status == "correct" and r.reward == 1.0 for r in rollouts)
    assert rollouts[0].completion_ids == [7, 8] and rollouts[0].loss_mask == [1, 1]


@pytest.fixture(scope="module")
def ray_pool():
    pool = EnvPool({"test_slow": Slow}, actors_per_env=2, step_timeout_s=4.0, max_retries=2)
    yield pool
    pool.close()


def test_ray_pool_scores_and_groups(ray_pool, tasks):
    groups = []
    rollouts = run_episodes(tasks, Scripted(), ray_pool, SamplingParams(), samples=2,
                            gen_batch=4, on_group=lambda t, rs: groups.append((t.id, len(rs))))
    assert [r.status for r in rollouts] == ["correct"] * 24
    assert sorted(groups) == sorted((t.id, 2) for t in tasks)


def test_killed_actor_mid_batch_loses_nothing(ray_pool, tasks):
    restarts = ray_pool.restarts
    for i, t in enumerate(tasks):
        ray_pool.submit(f"k{i}", t, {"role": "assistant", "content": str(t.data["n"])})
    ray_pool.kill_actor("test_slow", 0)
    got = {}
    while ray_pool.pending():
        got.update(ray_pool.poll(timeout=30))
    assert len(got) == len(tasks)
    assert all(s.score.status == "correct" for s in got.values())
    assert ray_pool.restarts > restarts


def test_hung_step_times_out_and_pool_recovers(ray_pool, tasks):
    hang = tasks[0].prompt[0]["content"]
    die = tasks[1].prompt[0]["content"]
    rollouts = run_episodes(tasks, Scripted({hang: "hang", die: "die"}), ray_pool,
                            SamplingParams())
    status = {r.task_id: r.status for r in rollouts}
    assert status.pop(tasks[0].id) == "timeout"
    assert status.pop(tasks[1].id) == "error"  # crashed the actor on every retry
    assert set(status.values()) == {"correct"}


def test_forced_tokens_are_masked_out_of_the_loss(tasks):
    class Forcing(Scripted):
        def generate(self, requests, params):
            gens = super().generate(requests, params)
            for g in gens:
                g.token_ids, g.logprobs, g.forced = [7, 8, 9], [-0.1, -0.2, -0.3], [1]
            return gens

    (r,) = run_episodes(tasks[:1], Forcing(), LocalPool({"test_slow": Slow}), SamplingParams())
    assert r.completion_ids == [7, 8, 9] and r.loss_mask == [1, 0, 1]


def test_deadline_is_per_step_not_per_batch(ray_pool, tasks):
    """A batch of honest steps that together outlast the deadline is never cut off."""
    restarts = ray_pool.restarts
    slow = [t.model_copy(update={"data": {**t.data, "delay": 0.8}}) for t in tasks[:12]]
    for i, t in enumerate(slow):  # 6 x 0.8 s per actor in one call, past the 4 s step deadline
        ray_pool.submit(f"p{i}", t, {"role": "assistant", "content": str(t.data["n"])})
    got = {}
    while ray_pool.pending():
        got.update(ray_pool.poll(timeout=30))
    assert {s.score.status for s in got.values()} == {"correct"}
    assert ray_pool.restarts == restarts
