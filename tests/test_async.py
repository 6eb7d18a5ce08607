"""Asynchronous RL (rollout.mode: async): bounded staleness from recorded versions, and a
chaos run that kills an engine, an env actor and a train rank mid-run.

CPU, tiny-random-llama, rollout engines as Ray actors; one Ray session for the file."""
import json
import os
import threading
import time
import zlib

import psutil
import pytest

from gymkit.trainers.config import load_config
from gymkit.trainers.data import TaskStream
from gymkit.trainers.distributed import TrainGroupError
from gymkit.trainers.rollout_source import drop_stale
from gymkit.trainers.weight_sync import WeightSyncError
from gymkit.trainers.trainer import train
from gymkit.types import Rollout

from test_distributed import Vowels  # noqa: F401  (registers test_distributed_vowels)

ENV = "test_distributed_vowels"


@pytest.fixture(scope="module")
def ray_session():
    import ray

    from gymkit.pool import init_ray

    init_ray(num_cpus=8)
    yield ray
    ray.shutdown()


def _cfg(out, *extra, steps=4):
    return load_config(None, [
        "model=tiny-random-llama", f"envs={{{ENV}: {{}}}}", f"steps={steps}", f"out={out}",
        "rollout.prompts_per_step=2", "rollout.samples_per_prompt=2",
        "rollout.sampling.max_new_tokens=6", "rollout.mode=async", "trainer.lr=1e-2",
        "trainer.distributed.engines.count=2", "trainer.distributed.engines.timeout_s=60",
        "logging.progress=false", "logging.plot=false", *extra])


def _r(task, versions, sample=0):
    return Rollout(task_id=task, env="e", sample=sample, versions=versions, status="correct")


def test_drop_stale_drops_whole_groups_and_counts_them():
    rs = [_r("a", [3, 4]), _r("a", [4], 1), _r("b", [2, 4]), _r("b", [4], 1), _r("c", [])]
    kept, stats = drop_stale(rs, version=4, k=1)
    assert sorted((r.task_id, r.sample) for r in kept) == [("a", 0), ("a", 1), ("c", 0)]
    assert stats["async/stale_dropped"] == 2 and stats["async/staleness_max"] == 1
    assert drop_stale(rs, version=4, k=2)[1]["async/stale_dropped"] == 0


def test_async_needs_engines():
    with pytest.raises(Exception, match="async needs rollout engines"):
        load_config(None, ["rollout.mode=async", "model=tiny-random-llama"])


def _rows(out):
    return [json.loads(ln) for ln in (out / "metrics.jsonl").read_text().splitlines() if ln.strip()]


@pytest.mark.parametrize("k", [1, 2])
def test_async_run_never_trains_on_a_rollout_older_than_k(ray_session, tmp_path, k):
    train(_cfg(tmp_path, f"rollout.max_staleness={k}", "checkpoint.every=0", steps=5))
    rows = [r for r in _rows(tmp_path) if r["step"] > 0]
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r["async/staleness_max"] <= k for r in rows), rows
    assert all(r["async/stale_dropped"] == 0 for r in rows)  # the producer's gate held
    # generation really overlapped the update: later batches were sampled with older weights
    assert max(r["async/staleness_max"] for r in rows) >= 1
    assert all(r["async/started_version"] >= r["step"] - 1 - k for r in rows)


def _expected_digests(cfg, steps):
    stream = TaskStream({ENV: 1.0}, cfg.seed, {ENV: None}, {ENV: {}}, {ENV: None},
                        cfg.rollout.heldout_prompts)
    out = {}
    for s in range(1, steps + 1):
        ids = sorted({f"{t.env}/{t.id}" for t in stream.next(cfg.rollout.prompts_per_step)})
        out[s] = zlib.crc32("\n".join(ids).encode())
    return out


def _kill_one(pattern: str) -> int:
    for p in psutil.process_iter(["pid", "cmdline"]):
        if any(pattern in part for part in (p.info["cmdline"] or [])):
            os.kill(p.info["pid"], 9)
            return p.info["pid"]
    raise AssertionError(f"no process like {pattern!r}")


def test_chaos_engine_env_actor_and_train_rank_killed_mid_run(ray_session, tmp_path):
    """Engine and env actor die after step 1: the run recovers. A train rank dies after step 3:
    the run stops with one line naming it, and --resume finishes from the step-2 checkpoint
    with every batch accounted for (none skipped, none trained twice)."""
    cfg = _cfg(tmp_path, "rollout.pool=ray", "trainer.distributed.world_size=2",
               "trainer.distributed.timeout_s=30", "checkpoint.every=2", steps=6)
    killed: list[str] = []

    def chaos():
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and len(killed) < 3:
            done = {r["step"] for r in _rows(tmp_path)} if (tmp_path / "metrics.jsonl").exists() else set()
            if 1 in done and not killed:
                _kill_one("EngineWorker")
                _kill_one("EnvHost")
                killed.extend(["engine", "env"])
            if 3 in done and len(killed) == 2:
                _kill_one("TrainWorker")
                killed.append("rank")
            time.sleep(0.05)

    watcher = threading.Thread(target=chaos, daemon=True)
    watcher.start()
    with pytest.raises((TrainGroupError, WeightSyncError)) as err:
        train(cfg)
    watcher.join(timeout=5)
    assert killed == ["engine", "env", "rank"]
    assert "rank" in str(err.value) and "\n" not in str(err.value), err.value
    rows = train(cfg, resume=True)
    steps = [r["step"] for r in rows if r["step"] > 0]
    assert steps == [1, 2, 3, 4, 5, 6], steps
    want = _expected_digests(cfg, 6)
    assert {r["step"]: r["data/tasks"] for r in rows if r["step"] > 0} == want
    for r in rows:  # every task of every step accounted for with a status
        if r["step"] > 0:
            assert r["async/staleness_max"] <= 1
