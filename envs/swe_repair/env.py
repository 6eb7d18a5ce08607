"""`swe_repair`: fix an issue in a small Python repository with file tools; hidden tests, run
in `gymkit.sandbox`, are the reward, and the visible tests must stay as they were."""
from __future__ import annotations

import json
import random
import re
from typing import Any

from gymkit.chat import system, user
from gymkit.env import BaseEnv, Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.tools import ToolCallError, make_call, tool
from gymkit.types import Message, Score, Step, Task

from .patch import PatchError
from .patch import apply_patch as apply_diff
from .repo import generate_repo, run_test_ids, test_functions

SYSTEM = ("You are a software engineer fixing an issue in a Python repository. Use the tools to "
          "read and search the code, edit it (edit_file, or apply_patch with a unified diff), and "
          "run the visible tests. Do not edit, delete or move the test files. Hidden tests decide "
          "the result. Call submit when the fix is done.")
MAX_FILE_CHARS = 100_000
MAX_REPO_CHARS = 1_000_000
MAX_FILES = 200
MAX_TEST_RUNS = 5  # visible-test runs per episode: each one is a batch of sandbox processes
MAX_OUTPUT = 8000
_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}){0,7}")


def _clip(text: str) -> str:
    if len(text) <= MAX_OUTPUT:
        return text
    return text[:MAX_OUTPUT] + f"\n... [{len(text) - MAX_OUTPUT} characters cut]"


def _path_clash(files: dict[str, str]) -> str:
    """A path that is a file and also a folder of another file ('a' and 'a/b.py'), or ''."""
    for p in files:
        parts = p.split("/")
        for k in range(1, len(parts)):
            if "/".join(parts[:k]) in files:
                return "/".join(parts[:k])
    return ""


def _ids(value: Any, what: str) -> list[str]:
    """Test ids from a list or a JSON-encoded list (SWE-bench stores them as strings)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise GymkitError(f"swe_repair row: {what} is not a JSON list") from None
    if not isinstance(value, list) or not all(isinstance(v, str) and "::" in v for v in value):
        raise GymkitError(f"swe_repair row: {what} must list 'path::test_function' ids")
    return value


@register_env
class SweRepairEnv(BaseEnv):
    """A repository per episode (kept in the episode, replayable); tests run in the sandbox."""

    name = "swe_repair"
    family = "agent"
    verifier = ("hidden tests (FAIL_TO_PASS + PASS_TO_PASS) pass in the sandbox with hardened "
                "asserts, and the visible test files are unchanged")
    difficulties = (1, 2, 3)
    max_turns = 30
    max_tool_calls = 40

    # ------------------------------------------------------------------ tasks
    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        r = generate_repo(rng, difficulty)
        calls = [make_call("edit_file", {"path": p, "old": o, "new": n}, f"call_{i}")
                 for i, (p, o, n) in enumerate(r.edits)]
        gold: list[Message] = [{"role": "assistant", "content": "", "tool_calls": [c]} for c in calls]
        gold += [{"role": "assistant", "content": "", "tool_calls": [make_call("run_tests", {}, "call_t")]},
                 {"role": "assistant", "content": "", "tool_calls": [make_call("submit", {}, "call_s")]}]
        return self._task(f"swe-{difficulty}-{index}", r.issue, r.files, r.protected,
                          r.visible_tests, r.hidden_files, r.hidden_tests, r.fail_to_pass, gold)

    def _task(self, task_id: str, issue: str, files: dict, protected: list, visible: list,
              hidden_files: dict, hidden: list, f2p: list, gold: list | None) -> Task:
        listing = "\n".join(sorted(files))
        prompt = [system(SYSTEM),
                  user(f"Issue:\n{issue}\n\nRepository files:\n{listing}\n\nVisible tests: "
                       f"{', '.join(protected) or 'none'} (run them with run_tests).")]
        return Task(id=task_id, env=self.name, prompt=prompt, gold=gold,
                    data={"files": files, "protected": protected, "visible_tests": visible,
                          "hidden_files": hidden_files, "hidden_tests": hidden,
                          "fail_to_pass": f2p})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """A SWE-bench-style row: `instance_id`, `problem_statement`, the repository snapshot
        as `repo_files` ({path: text}), the gold `patch`, an optional `test_patch` (the hidden
        tests), `FAIL_TO_PASS` and `PASS_TO_PASS` (`path::test_function` ids, lists or JSON)."""
        missing = [k for k in ("problem_statement", "repo_files", "FAIL_TO_PASS") if k not in row]
        if missing:
            raise GymkitError(f"swe_repair row {index} lacks {missing}; needs problem_statement, "
                              "repo_files, FAIL_TO_PASS (and patch, test_patch, PASS_TO_PASS)")
        files = {str(k): str(v) for k, v in dict(row["repo_files"]).items()}
        bad = [p for p in files if not _PATH.fullmatch(p)] or [_path_clash(files)]
        if bad[0]:
            raise GymkitError(f"swe_repair row {index}: unusable file path {bad[0]!r}")
        try:
            with_tests = apply_diff(files, row.get("test_patch") or "") if row.get("test_patch") \
                else files
            if row.get("patch"):
                apply_diff(with_tests, row["patch"])
        except PatchError as e:
            raise GymkitError(f"swe_repair row {index}: a patch does not apply: {e}") from None
        hidden_files = {p: t for p, t in with_tests.items() if files.get(p) != t}
        f2p, p2p = _ids(row["FAIL_TO_PASS"], "FAIL_TO_PASS"), _ids(row.get("PASS_TO_PASS", []), "PASS_TO_PASS")
        for tid in f2p + p2p:
            path, _, fn = tid.partition("::")
            if fn not in test_functions(with_tests.get(path, "")):
                raise GymkitError(f"swe_repair row {index}: test {tid!r} is not a top-level "
                                  "test function of the repository after test_patch")
        protected = sorted(p for p in files if test_functions(files[p]) and
                           (p.startswith("tests/") or p.rsplit("/", 1)[-1].startswith("test_")))
        visible = [f"{p}::{f}" for p in protected for f in test_functions(files[p])]
        gold = None
        if row.get("patch"):
            gold = [{"role": "assistant", "content": "", "tool_calls": [
                make_call("apply_patch", {"diff": row["patch"]}, "call_0")]},
                {"role": "assistant", "content": "", "tool_calls": [make_call("submit", {}, "call_1")]}]
        return self._task(str(row.get("instance_id", f"swe-row-{index}")), str(row["problem_statement"]),
                          files, protected, visible, hidden_files, f2p + p2p, f2p, gold)

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        ep = Episode(task=task)
        ep.state.update(files=dict(task.data["files"]), test_runs=0, submitted=False)
        return ep

    @staticmethod
    def _path(path: str) -> str:
        p = path.strip().removeprefix("./")
        if not _PATH.fullmatch(p) or ".." in p.split("/"):
            raise ToolCallError(f"bad path {path[:80]!r}: use a relative path like pkg/module.py")
        return p

    def _write(self, ep: Episode, files: dict[str, str]) -> None:
        if ep.state["submitted"]:
            raise ToolCallError("the repository was submitted; it can no longer change")
        if len(files) > MAX_FILES or any(len(t) > MAX_FILE_CHARS for t in files.values()) \
                or sum(map(len, files.values())) > MAX_REPO_CHARS:
            raise ToolCallError(f"the repository would exceed its limits ({MAX_FILES} files, "
                                f"{MAX_FILE_CHARS} characters a file, {MAX_REPO_CHARS} in all)")
        clash = _path_clash(files)
        if clash:
            raise ToolCallError(f"{clash} would be both a file and a directory")
        ep.state["files"] = files

    @tool
    def list_files(self, episode: Episode, directory: str = "") -> str:
        """Paths of the repository's files, optionally only those under `directory`."""
        d = directory.strip().strip("/")
        hits = [p for p in sorted(episode.state["files"]) if not d or p.startswith(d + "/")]
        return "\n".join(hits) if hits else f"no files under {d!r}"

    @tool
    def read_file(self, episode: Episode, path: str, start_line: int = 1) -> str:
        """The text of one file, from `start_line` on (long files are cut: read on from a later
        line)."""
        p = self._path(path)
        if p not in episode.state["files"]:
            raise ToolCallError(f"no file {p!r}")
        lines = episode.state["files"][p].splitlines(keepends=True)
        if not 1 <= start_line <= max(1, len(lines)):
            raise ToolCallError(f"{p} has {len(lines)} lines")
        return _clip("".join(lines[start_line - 1:]))

    @tool
    def search(self, episode: Episode, text: str, directory: str = "") -> str:
        """Lines that contain `text` (plain text, not a regex): `path:line: content`, at most 50."""
        if not text:
            raise ToolCallError("text is empty")
        d = directory.strip().strip("/")
        hits = [f"{p}:{n}: {line.strip()[:200]}" for p, t in sorted(episode.state["files"].items())
                if not d or p.startswith(d + "/")
                for n, line in enumerate(t.splitlines(), 1) if text in line]
        return "\n".join(hits[:50]) + (f"\n... {len(hits) - 50} more" if len(hits) > 50 else "") \
            if hits else "no matches"

    @tool
    def edit_file(self, episode: Episode, path: str, old: str, new: str) -> str:
        """Replace the one occurrence of `old` in a file by `new`. With `old` empty, create a new
        file holding `new`."""
        p, files = self._path(path), dict(episode.state["files"])
        if not old:
            if p in files:
                raise ToolCallError(f"{p} exists; give the text to replace in `old`")
            files[p] = new
        else:
            if p not in files:
                raise ToolCallError(f"no file {p!r}")
            n = files[p].count(old)
            if n != 1:
                raise ToolCallError(f"`old` occurs {n} times in {p}; it must occur exactly once")
            files[p] = files[p].replace(old, new)
        self._write(episode, files)
        return f"edited {p}"

    @tool
    def apply_patch(self, episode: Episode, diff: str) -> str:
        """Apply a unified diff (as `git diff` writes it) to the repository."""
        try:
            files = apply_diff(episode.state["files"], diff)
        except PatchError as e:
            raise ToolCallError(f"patch not applied: {e}") from None
        for p in files:
            if p not in episode.state["files"]:
                self._path(p)
        changed = sorted(p for p in set(files) | set(episode.state["files"])
                         if files.get(p) != episode.state["files"].get(p))
        self._write(episode, files)
        return f"patched {', '.join(changed) or 'nothing'}"

    @tool
    def run_tests(self, episode: Episode) -> str:
        """Run the visible tests in the sandbox; each test's verdict and first failure line."""
        if episode.state["test_runs"] >= MAX_TEST_RUNS:
            raise ToolCallError(f"the visible tests were run {MAX_TEST_RUNS} times already")
        episode.state["test_runs"] += 1
        ids = episode.task.data["visible_tests"]
        if not ids:
            return "no visible tests"
        res = run_test_ids(episode.state["files"], ids, per_test=True)
        failed = [f"FAILED {t}: {res[t][1]}" for t in ids if not res[t][0]]
        return _clip(f"{len(ids) - len(failed)} passed, {len(failed)} failed\n" + "\n".join(failed))

    @tool
    def submit(self, episode: Episode) -> str:
        """Submit the repository as it is now; the episode ends and the hidden tests run."""
        episode.state["submitted"] = True
        return "submitted"

    def respond(self, episode: Episode, message: Message) -> Step:
        """The default tool turn; a `submit` call ends the episode: the repository is the answer."""
        result = super().respond(episode, message)
        if result.done or not episode.state.get("submitted"):
            return result
        return Step(observation=result.observation, done=True, score=self.safe_score(episode, ""))

    def score_episode(self, episode: Episode, response: str) -> Score:
        data, files = episode.task.data, episode.state["files"]
        start = data["files"]
        touched = [p for p in data["protected"] if files.get(p) != start.get(p)]
        if touched:
            return Score.wrong(f"visible tests were edited or deleted: {', '.join(touched[:5])}",
                               tests_edited=touched[:5])
        if files == start:
            return Score.wrong("the repository was not changed")
        res = run_test_ids(files, data["hidden_tests"], per_test=False, stop_on_fail=True,
                           secret=data["hidden_files"])
        failed = [t for t in data["hidden_tests"] if not res[t][0]]
        frac = 1 - len(failed) / max(1, len(data["hidden_tests"]))
        if failed:
            s = Score.wrong(f"hidden tests fail ({res[failed[0]][1]})", failed=failed[:10])
        else:
            s = Score.correct(tests=len(data["hidden_tests"]))
        s.components = {"hidden_passed": round(frac, 4), "tests_untouched": 1.0}
        return s
