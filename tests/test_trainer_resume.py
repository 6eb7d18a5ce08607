"""A run killed with SIGKILL (mid-checkpoint, even) and resumed logs the same steps as an
uninterrupted run. Run as a script, this file is the child process that gets killed."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from gymkit import BaseEnv, Score, Task, register_env

STEPS = 5
VOLATILE = ("time/", "tokens_per_s")  # wall-clock figures differ run to run


@register_env
class Letters(BaseEnv):
    name = "test_resume_letters"

    def generate_task(self, rng, difficulty, index):
        w = "".join(rng.choice("bcdfg") for _ in range(3))
        return Task(id=f"l-{index}-{w}", env=self.name,
                    prompt=[{"role": "user", "content": f"Spell {w} with vowels"}])

    def score(self, task, response):
        return Score.graded(sum(c in "aeiou" for c in response) / max(len(response), 1))


def _config(out: Path):
    from gymkit.trainers.config import load_config

    return load_config("tiny-cpu", [f"out={out}", "envs={test_resume_letters: {}}",
                                    f"steps={STEPS}", "checkpoint.every=2", "checkpoint.keep=3",
                                    "logging.progress=false", "logging.plot=false", "logging.tensorboard=false",
                                    "rollout.prompts_per_step=3", "trainer.micro_batch_size=5"])


def _run(out: Path, resume: bool = False):
    from gymkit.policy import load_policy  # default dtype bf16: exercises the fp32-master sync
    from gymkit.trainers.trainer import train

    return train(_config(out), resume=resume, policy=load_policy("tiny-random-llama", "hf"))


def _stable(rows):
    return [{k: v for k, v in r.items() if not k.startswith(VOLATILE)} for r in rows]


def _kill_during_save_of(step: int) -> None:
    """Die like a pre-empted node: SIGKILL after step `step`'s weights are on disk but before
    its trainer state is, i.e. in the middle of writing the checkpoint."""
    import torch

    real_save = torch.save

    def save(obj, path, *a, **kw):
        if isinstance(obj, dict) and obj.get("step") == step:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_save(obj, path, *a, **kw)

    torch.save = save


def test_sigkill_and_resume_matches_an_uninterrupted_run(tmp_path):
    straight = _stable(_run(tmp_path / "straight"))
    killed = tmp_path / "killed"
    child = subprocess.run([sys.executable, __file__, str(killed)], capture_output=True, text=True,
                           timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    ckpts = killed / "checkpoints"
    assert (ckpts / "latest").read_text().strip() == "step-000002"  # step 4's save never landed
    assert list(ckpts.glob("*.tmp-*"))  # the half-written save is still there...
    logged = [json.loads(ln)["step"] for ln in (killed / "metrics.jsonl").read_text().splitlines()]
    assert logged == [1, 2, 3, 4]
    resumed = _stable(_run(killed, resume=True))
    assert not list(ckpts.glob("*.tmp-*"))  # ...and swept on resume
    assert [r["step"] for r in resumed] == list(range(1, STEPS + 1))
    assert resumed == straight
    assert any(r["train/grad_norm"] > 0 for r in straight)


if __name__ == "__main__":
    _kill_during_save_of(4)
    _run(Path(sys.argv[1]))
    sys.exit("the child was meant to be killed at step 4")
