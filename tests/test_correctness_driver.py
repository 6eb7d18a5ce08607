"""Issue 12, driver and reward shaping: one rollout per request, unique ids, honest timings."""
import random
import time

from gymkit import BaseEnv, Score, Task
from gymkit.driver import run_episodes
from gymkit.policy.base import Generation, Policy, SamplingParams
from gymkit.pool import LocalPool
from gymkit.trainers.batch import shaped_reward
from gymkit.trainers.config import LossConfig
from gymkit.trainers.data import TaskStream
from gymkit.trainers.losses import episode_overlong_penalty
from gymkit.types import Rollout


class Echo(BaseEnv):
    name = "test_corr_echo"

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        return Task(id=f"echo-{index}", env=self.name, data={"n": index},
                    prompt=[{"role": "user", "content": f"say {index}"}])

    def score(self, task, response):
        return Score.correct() if response == str(task.data["n"]) else Score.wrong("mismatch")


class Answer(Policy):
    """Answers every prompt with its last word; `drop` generations go missing; `sleep` per call."""

    backend = "scripted"

    def __init__(self, drop: int = 0, sleep: float = 0.0):
        self.drop, self.sleep = drop, sleep

    def generate(self, requests, params):
        time.sleep(self.sleep)
        out = [Generation(text=r.messages[-1]["content"].split()[-1], prompt_ids=[1, 2],
                          token_ids=[5], logprobs=[-0.5]) for r in requests]
        return out[:len(out) - self.drop]


def test_repeated_task_ids_still_give_one_rollout_each():
    tasks = Echo().generate(3)
    tasks = tasks + [t.model_copy(deep=True) for t in tasks]  # every id twice
    rollouts = run_episodes(tasks, Answer(), LocalPool({Echo.name: Echo}), SamplingParams(),
                            samples=2)
    assert len(rollouts) == 12
    assert all(r is not None and r.status == "correct" for r in rollouts)


def test_a_backend_that_returns_fewer_generations_is_recorded_not_dropped():
    tasks = Echo().generate(4)
    groups = []
    rollouts = run_episodes(tasks, Answer(drop=1), LocalPool({Echo.name: Echo}),
                            SamplingParams(), samples=2, gen_batch=4,
                            on_group=lambda t, rs: groups.append(len(rs)))
    assert len(rollouts) == 8 and all(r is not None for r in rollouts)
    missing = [r for r in rollouts if r.status == "error"]
    assert len(missing) == 2 and "returned 3 of 4" in missing[0].error
    assert sorted(groups) == [2, 2, 2, 2]  # every group completes


def test_training_ids_are_unique_past_one_chunk():
    stream = TaskStream({"math": 1.0}, seed=0)
    ids = [t.id for t in stream.next(600)]
    stream.close()
    assert len(set(ids)) == 600


class _LatePool(LocalPool):
    """Results come back one poll late, as a Ray pool's do while the driver generates."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self._held: list = []

    def pending(self) -> int:
        return super().pending() + len(self._held)

    def poll(self, timeout=None):
        out, self._held = self._held, super().poll(timeout)
        if not out and timeout is None:
            out, self._held = self._held, []
        return out


def test_env_time_does_not_count_other_episodes_generation():
    tasks = Echo().generate(3)
    rollouts = run_episodes(tasks, Answer(sleep=0.3), _LatePool({Echo.name: Echo}),
                            SamplingParams(), gen_batch=1)
    assert all(r.status == "correct" for r in rollouts)
    assert max(r.timings["env_s"] for r in rollouts) < 0.2


def test_overlong_penalty_is_per_turn_for_multi_turn_episodes():
    # three 50-token turns under a 128-token limit: no turn ran long
    r = Rollout(task_id="t", env="e", status="correct", reward=1.0, turns=3,
                completion_ids=[1] * 150, loss_mask=[1] * 150, turn_tokens=[50, 50, 50])
    loss = LossConfig(overlong="soft", overlong_cache=64)
    assert shaped_reward(r, loss, 128) == 1.0
    # by hand: a 100-token turn is 36 tokens into the 64-token ramp -> -36/64
    assert episode_overlong_penalty([50, 100], 128, 64) == -36 / 64
    # an explicit episode budget measures the total: 150 of 160 with a 64 ramp -> -54/64
    assert episode_overlong_penalty([50, 50, 50], 128, 64, episode_budget=160) == -54 / 64
    budget = LossConfig(overlong="soft", overlong_cache=64, overlong_episode_budget=160)
    assert shaped_reward(r, budget, 128) == 1.0 - 54 / 64


class _LossyPool(LocalPool):
    """Loses the first finished step (as a pool that zipped away a short reply would)."""

    def poll(self, timeout=None):
        out = super().poll(timeout)
        if out and not getattr(self, "_lost", False):
            self._lost = True
            out = out[1:]
        return out


def test_a_step_the_pool_never_returns_is_an_error_rollout():
    tasks = Echo().generate(3)
    rollouts = run_episodes(tasks, Answer(), _LossyPool({Echo.name: Echo}), SamplingParams())
    assert len(rollouts) == 3 and all(r is not None for r in rollouts)
    assert [r.status for r in rollouts].count("error") == 1
    assert "never answered" in next(r.error for r in rollouts if r.status == "error")
