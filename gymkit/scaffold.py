"""`gymkit new-env NAME`: a working single-turn env, its README and a passing test."""
from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

from .errors import GymkitError

ENV_TEMPLATE = '''"""{title}: a gymkit env. Edit generate_task and score; `gymkit check-env {name}` checks it."""
import random

from gymkit import BaseEnv, Score, Task
from gymkit.registry import register_env


@register_env
class {cls}(BaseEnv):
    name = "{name}"
    family = "math"
    verifier = "exact integer match on the last line"
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        a, b = rng.randint(1, 10 ** difficulty), rng.randint(1, 10 ** difficulty)
        return Task(
            id=f"{name}-{{difficulty}}-{{index}}-{{a}}-{{b}}", env=self.name,
            prompt=[{{"role": "user", "content": f"What is {{a}} + {{b}}? Put only the number on the last line."}}],
            data={{"answer": a + b}},
            gold=[{{"role": "assistant", "content": f"{{a}} + {{b}} = {{a + b}}\\n{{a + b}}"}}],
        )

    def task_from_row(self, row: dict, index: int) -> Task:
        return Task(id=str(row.get("id", f"{name}-{{index}}")), env=self.name,
                    prompt=[{{"role": "user", "content": row["question"]}}],
                    data={{"answer": int(row["answer"])}})

    def score(self, task: Task, response: str) -> Score:
        lines = response.strip().splitlines()
        last = lines[-1].strip() if lines else ""
        if not re.fullmatch(r"-?\\d{{1,30}}", last):
            return Score.wrong("last line is not an integer")
        if int(last) == task.data["answer"]:
            return Score.correct(answer=last)
        return Score.wrong("wrong answer", answer=last)
'''

TEST_TEMPLATE = '''from gymkit.check import check_env
from gymkit.env import play
from {module} import {cls}


def test_{name}_passes_check_env():
    assert check_env({cls}()) == []


def test_{name}_wrong_answer_scores_zero():
    env = {cls}()
    task = env.generate(1, seed=0)[0]
    _, score = play(env, task, [{{"role": "assistant", "content": str(task.data["answer"] + 1)}}])
    assert score.reward == 0.0 and score.status == "wrong"
'''

README_TEMPLATE = """# {name}

- **The model sees:** a sum to compute.
- **Verified:** the last line must be the exact integer (see `score`).
- **Difficulty:** 1-3, the number of digits of each operand.
- **Data:** procedural (seeded); `env.load(file.jsonl)` reads rows `{{question, answer}}`.
"""


def write_skeleton(name: str, dest: Path | None = None) -> list[Path]:
    """Write the env, its README and its test; return the paths written.

    In a gymkit checkout (the current directory holds `envs/` and `gymkit/`) the env goes to
    `envs/NAME/` and its test to `tests/envs/`; anywhere else everything goes to `./NAME/`
    (or `dest`), importable as the package `NAME` from the current directory.
    """
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", name):
        raise GymkitError(f"env name {name!r} must be snake_case (a-z, 0-9, _), 2-41 chars")
    if name in sys.stdlib_module_names:  # `./math/` would shadow the standard library
        raise GymkitError(f"env name {name!r} is a Python standard module; pick another")
    from .registry import env_names

    if name in env_names():
        raise GymkitError(f"env name {name!r} is taken by a registered env; pick another")
    cls = "".join(p.capitalize() for p in name.split("_")) + "Env"
    in_checkout = dest is None and Path("envs/__init__.py").exists() and Path("gymkit").is_dir()
    folder = dest or (Path("envs") / name if in_checkout else Path(name))
    if folder.exists() and any(folder.iterdir()):
        raise GymkitError(f"{folder} already exists and is not empty")
    folder.mkdir(parents=True, exist_ok=True)
    module = f"gymkit.envs.{name}.env" if in_checkout else f"{folder.name}.env"
    env_src = "import re\n" + ENV_TEMPLATE.format(name=name, cls=cls, title=name)
    files = {folder / "__init__.py": f"from .env import {cls}\n\n__all__ = [\"{cls}\"]\n",
             folder / "env.py": env_src,
             folder / "README.md": README_TEMPLATE.format(name=name)}
    test_path = (Path("tests/envs") / f"test_{name}.py") if in_checkout else folder / f"test_{name}.py"
    files[test_path] = TEST_TEMPLATE.format(module=module, cls=cls, name=name)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(files)


def next_command(paths: list[Path]) -> str:
    """The command that runs the new env's test (check_env and a wrong answer), from here.

    Outside a checkout the env is not registered with gymkit until it is packaged (see
    docs/writing-an-env.md), so its own test is what runs it; pytest puts `./` on the path.
    """
    test = next(p for p in paths if p.name.startswith("test_"))
    target = test.parent if test.parent.name != "envs" else test
    py = "python" if shutil.which("python") == sys.executable else shlex.quote(sys.executable)
    return f"{py} -m pytest -q {shlex.quote(str(target))}"
