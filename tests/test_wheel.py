"""The wheel installs cleanly: built from this tree, installed with only the base dependencies
(no torch, Ray or peft) in a venv that cannot see the checkout, and run from a folder outside
it. It must carry `configs/` and every env's `data/`, and the CLI must work without extras.

Needs pip to reach an index (or the machine's find-links) for the base dependencies.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import gymkit

pytestmark = pytest.mark.slow  # about 1-2 minutes: a venv and the base dependencies

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "gymkit", "envs",
           "verifiers", "trainers", "sandbox", "configs"]
OPTIONAL = ["torch", "transformers", "peft", "accelerate", "ray", "vllm"]


def _run(cmd: list, cwd: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**clean, **env})


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the tree (the shared checkout gets no build/ folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    res = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                "-w", tmp / "dist", src], cwd=tmp)
    assert res.returncode == 0, res.stderr[-3000:]
    (whl,) = (tmp / "dist").glob("gymkit-*.whl")
    return whl


@pytest.fixture(scope="module")
def venv_bin(wheel: Path, tmp_path_factory) -> Path:
    """A venv without system site-packages, holding the wheel and its base dependencies."""
    tmp = tmp_path_factory.mktemp("venv")
    res = _run([sys.executable, "-m", "venv", "--without-pip", tmp / "v"], cwd=tmp)
    assert res.returncode == 0, res.stderr
    bin_dir = tmp / "v" / "bin"
    # this interpreter's pip installs into the new venv (no ensurepip: saves ~15 s)
    res = _run([sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-q",
                "--disable-pip-version-check", "--prefer-binary", "--no-compile", wheel],
               cwd=tmp, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    return bin_dir


def test_wheel_carries_presets_and_every_env_data_file(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [p.relative_to(ROOT) for p in (ROOT / "envs").glob("*/data/*") if p.is_file()]
    assert data, "the checkout has no env data files?"
    missing = [str(p) for p in data if f"gymkit/{p}" not in names]
    assert not missing, f"env data files left out of the wheel: {missing}"
    presets = [p.relative_to(ROOT) for p in (ROOT / "configs").rglob("*")
               if p.suffix in (".yaml", ".json")]
    assert {f"gymkit/{p}" for p in presets} <= names
    assert "gymkit/envs/wordle/words.txt" in names
    assert not any(n.startswith(("tests/", "gymkit/tests/")) for n in names)


PROBE = """
import importlib.util, json, sys
import gymkit
from gymkit import make_env
optional = [m for m in sys.argv[1].split(",") if importlib.util.find_spec(m)]
rm = make_env("rm_chat", rm_path="x")  # reads its prompt pool from data/
s = rm.score(rm.generate(1)[0], "A clear and kind answer, with one example.")
task = make_env("math").generate(1)[0]
open("t.jsonl", "w").write(task.model_dump_json() + "\\n")
open("r.jsonl", "w").write(json.dumps({"task_id": task.id, "response": "1"}) + "\\n")
print(json.dumps({"file": gymkit.__file__, "optional": optional, "rm": [s.status, s.error]}))
"""


def test_installed_wheel_runs_outside_the_checkout(venv_bin: Path, tmp_path: Path):
    gk = venv_bin / "gymkit"
    res = _run([venv_bin / "python", "-c", PROBE, ",".join(OPTIONAL)], cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    probe = json.loads(res.stdout)
    assert probe["optional"] == [], "a base install pulled in an optional dependency"
    assert probe["file"].startswith(str(venv_bin.parent)), probe["file"]  # not the checkout
    status, error = probe["rm"]  # rm_chat without torch: one line naming the extra
    assert status == "error" and "gymkit[train]" in error and "\n" not in error

    res = _run([gk, "--version"], cwd=tmp_path)
    assert res.returncode == 0 and res.stdout.strip() == f"gymkit {gymkit.__version__}"
    res = _run([gk], cwd=tmp_path)
    assert res.returncode == 0 and "Usage: gymkit" in res.stdout and "error" not in res.stderr

    res = _run([gk, "envs", "list", "--json"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    listed = {row["name"] for row in json.loads(res.stdout)}
    shipped = {p.name for p in (ROOT / "envs").iterdir() if (p / "__init__.py").exists()}
    assert listed == shipped

    res = _run([gk, "check-env", "math"], cwd=tmp_path)
    assert res.returncode == 0 and "ok math" in res.stdout, res.stdout + res.stderr

    # tests/fidelity is a development tool, not shipped: the scorecard says where it lives
    res = _run([gk, "scorecard", "--env", "math"], cwd=tmp_path)
    assert res.returncode == 2 and "no fidelity suites" in res.stderr, res.stderr

    res = _run([gk, "train", "--dry-run", "--config", "smollm2-cpu"], cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "model: smollm2-135m" in res.stdout and "gymkit[train]" in res.stdout

    # a command that needs an extra names it in one line, no traceback (verify pools on Ray)
    res = _run([gk, "verify", "--env", "math", "--tasks", "t.jsonl", "--responses", "r.jsonl"],
               cwd=tmp_path)
    assert res.returncode == 2 and "gymkit[ray]" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
