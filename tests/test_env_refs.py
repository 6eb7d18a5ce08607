"""`--env path/to/file.py:Class` and `--env pkg.mod:Class`: envs used with no packaging step."""
import subprocess
import sys
import textwrap

import pytest

from gymkit.errors import GymkitError
from gymkit.registry import get_env_class, load_env_ref, parse_env_list
from gymkit.trainers.config import load_config, parse_envs

ENV_SRC = textwrap.dedent('''
    from gymkit import BaseEnv, Score, Task


    class EchoNumber(BaseEnv):
        """Reply with the number in the prompt."""

        def generate_task(self, rng, difficulty, index):
            n = rng.randint(0, 99)
            return Task(id=f"echo-{index}", env=self.name, data={"n": str(n)},
                        prompt=[{"role": "user", "content": f"Say {n}"}],
                        gold=[{"role": "assistant", "content": str(n)}])

        def score(self, task, response):
            if response.strip() == task.data["n"]:
                return Score.correct()
            return Score.wrong("not the number")
''')


@pytest.fixture()
def env_file(tmp_path):
    path = tmp_path / "my_env.py"
    path.write_text(ENV_SRC)
    return path


def test_file_reference_registers_under_a_snake_case_name(env_file):
    ref = f"{env_file}:EchoNumber"
    assert load_env_ref(ref) == "echo_number"
    assert parse_env_list(f"{ref},math") == ["echo_number", "math"]
    env = get_env_class(ref)()
    task = env.generate_task(__import__("random").Random(0), 1, 0)
    assert env.score(task, task.data["n"]).reward == 1.0


def test_gymnasium_id_for_a_runtime_env(env_file):
    import gymnasium

    load_env_ref(f"{env_file}:EchoNumber")
    env = gymnasium.make("gymkit/echo_number-v0")
    obs, _ = env.reset(seed=0)
    assert "Say" in obs


def test_train_config_takes_references_with_weights(env_file):
    assert parse_envs(f"{env_file}:EchoNumber:2,math:1") == {
        "echo_number": {"weight": 2.0}, "math": {"weight": 1.0}}
    cfg = load_config(None, ["model=tiny-random-llama"],
                      envs={f"{env_file}:EchoNumber": {"weight": 3.0}})
    assert list(cfg.envs) == ["echo_number"] and cfg.envs["echo_number"].weight == 3.0
    with pytest.raises(GymkitError, match="weight 'x' is not a number"):
        parse_envs("math:x")


@pytest.mark.parametrize("ref,why", [
    ("nope.py:X", "no file"),
    ("{file}:Nope", "is not a BaseEnv subclass"),
    ("no_such_module_xyz:Env", "cannot import"),
    ("{file}:", "expected path/to/file.py:Class"),
])
def test_bad_references_are_one_line(env_file, ref, why):
    with pytest.raises(GymkitError, match=why) as err:
        load_env_ref(ref.format(file=env_file))
    assert "\n" not in str(err.value)


def test_a_module_that_fails_to_import_is_named(tmp_path):
    bad = tmp_path / "broken_env.py"
    bad.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(GymkitError, match="broken_env.py failed to import: RuntimeError: boom"):
        load_env_ref(f"{bad}:Anything")


def test_cli_check_env_and_tasks_from_a_file(env_file):
    gymkit = [sys.executable, "-m", "gymkit.cli"]
    out = subprocess.run([*gymkit, "check-env", f"{env_file}:EchoNumber"], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    out = subprocess.run([*gymkit, "tasks", "--env", f"{env_file}:EchoNumber", "--n", "2"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.count('"env":"echo_number"') == 2, out.stderr


def test_cli_verify_scores_a_file_env_under_its_registered_name(env_file, tmp_path):
    """The pool and the tasks must agree on the name (was: every row `not in this pool`)."""
    import json

    gymkit = [sys.executable, "-m", "gymkit.cli"]
    ref = f"{env_file}:EchoNumber"
    tasks = tmp_path / "tasks.jsonl"
    out = subprocess.run([*gymkit, "tasks", "--env", ref, "--n", "2"], capture_output=True,
                         text=True, timeout=300)
    tasks.write_text(out.stdout)
    rows = [json.loads(ln) for ln in out.stdout.splitlines()]
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(json.dumps({"task_id": r["id"], "response": r["data"]["n"]})
                                 for r in rows) + "\n")
    scored = tmp_path / "scored.jsonl"
    done = subprocess.run([*gymkit, "verify", "--env", ref, "--tasks", str(tasks), "--responses",
                           str(answers), "--out", str(scored), "--no-ray"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    got = [json.loads(ln) for ln in scored.read_text().splitlines()]
    assert [g["status"] for g in got] == ["correct", "correct"], got
