"""`shell_agent`: file-system tasks done through a `bash` tool in a sandboxed workspace,
verified by the workspace's final state (files, directories, links), never by what the model
says."""
from __future__ import annotations

import base64
import random
import weakref
from typing import Any

from pydantic import PositiveFloat

from gymkit.env import BaseEnv, Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.tools import make_call, tool
from gymkit.types import Message, Score, Step, Task

from .state import TreeLimit, diff_state, parents, read_tree
from .tasks import TEMPLATES, Files

MAX_OBSERVATION = 4000
SYSTEM = ("You are in a Linux shell, in an empty-looking working directory that holds the files "
          "of the task. Use the bash tool to inspect and change files; when the task is done, "
          "reply with a short message and no tool call. Only the final files are checked.")


def encode_files(files: Files) -> dict[str, str]:
    return {p: base64.b64encode(v).decode() for p, v in sorted(files.items())}


def decode_files(files: dict[str, str]) -> Files:
    return {p: base64.b64decode(v) for p, v in files.items()}


def _clip(text: str) -> str:
    if len(text) <= MAX_OBSERVATION:
        return text
    return text[:MAX_OBSERVATION // 2] + f"\n... [{len(text) - MAX_OBSERVATION} characters cut] ...\n" \
        + text[-MAX_OBSERVATION // 2:]


@register_env
class ShellAgentEnv(BaseEnv):
    """Bash in a per-episode `gymkit.sandbox.Workspace`. Config: `timeout_s` per command
    (default 5). The workspace is closed when the episode ends, errors, or is dropped."""

    name = "shell_agent"
    family = "agent"
    config_keys = ("timeout_s",)
    config_types = {"timeout_s": PositiveFloat}
    verifier = ("final workspace equals the expected tree: file paths and bytes, no extra "
                "directories, symlinks or special files")
    max_turns = 12
    max_tool_calls = 20
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        template = rng.choice(TEMPLATES[difficulty])
        fs = template(rng)
        listing = "\n".join(sorted(fs.start))
        calls = [make_call("bash", {"command": c}, f"call_{i}") for i, c in enumerate(fs.commands)]
        gold: list[Message] = [{"role": "assistant", "content": "", "tool_calls": [c]} for c in calls]
        gold.append({"role": "assistant", "content": "Done."})
        return Task(id=f"shell-{difficulty}-{index}-{template.__name__}", env=self.name,
                    prompt=[{"role": "system", "content": SYSTEM},
                            {"role": "user", "content": f"{fs.instruction}\n\nFiles:\n{listing}"}],
                    data={"start": encode_files(fs.start), "expected": encode_files(fs.expected),
                          "gone_dirs": fs.gone_dirs},
                    gold=gold)

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        from gymkit.sandbox import Workspace  # deferred: the sandbox starts workers on use

        episode = super().reset(task)
        ws = Workspace(files=decode_files(task.data["start"]))
        episode.state["ws"] = ws
        # An episode the driver drops without ending it still frees its workspace.
        episode.state["finalizer"] = weakref.finalize(episode, ws.close)
        return episode

    def end_episode(self, episode: Episode) -> None:
        self._end(episode)

    def _end(self, episode: Episode) -> None:
        fin = episode.state.pop("finalizer", None)
        episode.state.pop("ws", None)
        if fin is not None:
            fin()  # closes the workspace once, however often _end runs

    @tool
    def bash(self, episode: Episode, command: str) -> str:
        """Run a bash command in the task's working directory; returns its output and exit code."""
        ws = episode.state.get("ws")
        if ws is None:
            return "error: the workspace is closed"
        from gymkit.sandbox import SandboxError

        try:
            res = ws.run(command, language="bash", timeout_s=float(self.config.get("timeout_s", 5.0)))
        except (ValueError, TypeError) as e:  # the command itself is unusable (size, NUL bytes)
            return f"error: {e}"
        except SandboxError as e:
            if "TreeTooLarge" not in str(e):
                raise  # the sandbox itself failed: infrastructure, not the agent
            why = f"the workspace can no longer be loaded ({str(e).split(': ')[-1]})"
            episode.state.setdefault("unsaved", []).append(why)
            return f"error: {why}"
        if res.status == "timeout":
            tail = f"[timed out after {self.config.get('timeout_s', 5.0)} s]"
        elif res.status in ("oom", "killed"):
            tail = f"[{res.status}]"
        else:
            tail = f"[exit code {res.exit_code}]"
        body = (res.stdout or "") + (("\n[stderr]\n" + res.stderr) if res.stderr else "")
        out = _clip(f"{body.rstrip()}\n{tail}".lstrip("\n"))
        if res.workspace_error:
            # Past the workspace's limits the sandbox keeps the previous tree: what this command
            # made is not what will be checked, so the episode is lost and the agent is told.
            episode.state.setdefault("unsaved", []).append(res.workspace_error)
            out += (f"\n[{res.workspace_error}: this command's changes were discarded; "
                    "exceeding the workspace limits fails the task]")
        return out

    def score_episode(self, episode: Episode, response: str) -> Score:
        ws = episode.state.get("ws")
        if ws is None:
            return Score.failed("no workspace for this episode")
        unsaved = episode.state.get("unsaved")
        if unsaved:  # the tree the agent produced was never saved, so it cannot be the one checked
            return Score.wrong(f"commands exceeded the workspace limits: {unsaved[0]}",
                               commands=episode.tool_calls)
        try:
            got = read_tree(ws.path)
        except TreeLimit as e:
            return Score.wrong(f"workspace left in a pathological state: {e}",
                               commands=episode.tool_calls)
        data = episode.task.data
        expected = decode_files(data["expected"])
        gone = [g.strip("/") for g in data.get("gone_dirs", [])]
        optional = {d for d in parents(decode_files(data["start"]))
                    if not any(d == g or d.startswith(g + "/") for g in gone)}
        diffs = diff_state(expected, got, optional)
        if not diffs:
            return Score.correct(commands=episode.tool_calls)
        return Score.wrong("; ".join(diffs), commands=episode.tool_calls)

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Rows with `instruction`, `files` (start tree, text) and `expected` (final tree),
        optionally `commands` (gold bash commands) and `gone_dirs` (start directories that must
        be deleted); or stored gymkit Task rows."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        if not {"instruction", "files", "expected"} <= set(row):
            raise GymkitError(f"shell_agent row {index} needs 'instruction', 'files' and "
                              f"'expected'; got keys {sorted(row)}")
        start = {p: str(v).encode() for p, v in row["files"].items()}
        expected = {p: str(v).encode() for p, v in row["expected"].items()}
        calls = [make_call("bash", {"command": c}, f"call_{i}")
                 for i, c in enumerate(row.get("commands") or [])]
        gold = ([{"role": "assistant", "content": "", "tool_calls": [c]} for c in calls]
                + [{"role": "assistant", "content": "Done."}]) if calls else None
        listing = "\n".join(sorted(start))
        return Task(id=str(row.get("id", f"shell-row-{index}")), env=self.name, gold=gold,
                    prompt=[{"role": "system", "content": SYSTEM},
                            {"role": "user", "content": f"{row['instruction']}\n\nFiles:\n{listing}"}],
                    data={"start": encode_files(start), "expected": encode_files(expected),
                          "gone_dirs": [str(d) for d in row.get("gone_dirs") or []]})
