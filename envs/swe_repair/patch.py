"""Unified diffs on an in-memory repository (`dict[path, text]`): apply and make.

`apply_patch` accepts `git diff` / `diff -u` output: `--- a/x` / `+++ b/x` headers (the `a/`
and `b/` prefixes are optional), `/dev/null` for created and deleted files, and `@@` hunks
whose context must match exactly. A hunk is placed at its stated line or, failing that, at the
nearest line where its context matches. Nothing is changed unless every hunk applies.
"""
from __future__ import annotations

import difflib
import re

MAX_HUNKS, MAX_FILES = 100, 40  # bounds the matching work a hostile diff can ask for
MATCH_WORK = 2_000_000  # line comparisons one hunk may spend looking for its place
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class PatchError(ValueError):
    """The diff does not parse or does not apply; the message says where."""


def _path(header: str) -> str | None:
    name = header[4:].split("\t")[0].strip()
    if name == "/dev/null":
        return None
    return name[2:] if name[:2] in ("a/", "b/") else name


def _parse(diff: str) -> list[tuple[str | None, str | None, list[tuple[int, list[str]]]]]:
    lines = diff.splitlines()
    files, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("--- "):
            i += 1
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
            raise PatchError(f"line {i + 2}: '+++' header expected after '---'")
        old, new, hunks = _path(lines[i]), _path(lines[i + 1]), []
        i += 2
        while i < len(lines) and lines[i].startswith("@@"):
            m = _HUNK.match(lines[i])
            if not m:
                raise PatchError(f"line {i + 1}: bad hunk header {lines[i][:60]!r}")
            n_old = 1 if m.group(2) is None else int(m.group(2))
            n_new = 1 if m.group(4) is None else int(m.group(4))
            body, i = [], i + 1
            seen_old = seen_new = 0
            while i < len(lines) and (seen_old < n_old or seen_new < n_new):
                ln = lines[i] or " "  # an empty context line lost its leading space
                if ln[0] not in " +-\\":
                    raise PatchError(f"line {i + 1}: hunk line must start with ' ', '+' or '-'")
                if ln[0] != "\\":
                    body.append(ln)
                    seen_old += ln[0] in " -"
                    seen_new += ln[0] in " +"
                i += 1
            if (seen_old, seen_new) != (n_old, n_new):
                raise PatchError(f"hunk at line {m.group(1)} of {old or new}: counts do not match")
            hunks.append((int(m.group(1)), body))
            if len(hunks) > MAX_HUNKS:
                raise PatchError(f"more than {MAX_HUNKS} hunks in one file")
        files.append((old, new, hunks))
        if len(files) > MAX_FILES:
            raise PatchError(f"more than {MAX_FILES} files in one patch")
    if not files:
        raise PatchError("no '--- / +++' file headers found")
    return files


def _find(lines: list[str], old: list[str], want: int) -> int | None:
    """The start of `old` in `lines` nearest to line `want`, or None. The search is bounded
    (MATCH_WORK line comparisons), so a hostile diff of many long look-alike hunks fails
    fast instead of running for minutes."""
    n = len(old)
    if not n:
        return want
    work = 0
    for d in range(len(lines) + 1):
        for k in ((want - d, want + d) if d else (want,)):
            if not 0 <= k <= len(lines) - n:
                continue
            i = 0
            while i < n and lines[k + i] == old[i]:
                i += 1
            work += i + 1
            if i == n:
                return k
            if work > MATCH_WORK:
                return None
        if want - d < 0 and want + d > len(lines) - n:
            return None
    return None


def _apply_hunks(text: str, hunks: list[tuple[int, list[str]]], name: str) -> str:
    lines = text.splitlines()
    offset = 0
    for start, body in hunks:
        old = [ln[1:] for ln in body if ln[0] in " -"]
        new = [ln[1:] for ln in body if ln[0] in " +"]
        want = max(0, start - 1 + offset) if old else min(len(lines), start + offset)
        at = _find(lines, old, want)
        if at is None:
            raise PatchError(f"{name}: hunk at line {start} does not match the file")
        lines[at:at + len(old)] = new
        offset += len(new) - len(old)
    return "\n".join(lines) + ("\n" if lines else "")


def apply_patch(files: dict[str, str], diff: str) -> dict[str, str]:
    """A new file dict with `diff` applied; raises PatchError (and changes nothing) otherwise."""
    out = dict(files)
    for old, new, hunks in _parse(diff):
        if old is None and new is None:
            raise PatchError("a file diff from /dev/null to /dev/null")
        if old is None:  # a new file
            if new in out:
                raise PatchError(f"{new} already exists")
            out[new] = _apply_hunks("", hunks, new)
        elif old not in out:
            raise PatchError(f"{old} does not exist")
        elif new is None:
            del out[old]
        else:
            text = _apply_hunks(out.pop(old), hunks, old)
            out[new] = text
    return out


def make_patch(before: dict[str, str], after: dict[str, str]) -> str:
    """The unified diff (git style, 3 lines of context) that turns `before` into `after`."""
    chunks = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path), after.get(path)
        if a == b:
            continue
        chunks.extend(difflib.unified_diff(
            (a or "").splitlines(keepends=True), (b or "").splitlines(keepends=True),
            "/dev/null" if a is None else f"a/{path}", "/dev/null" if b is None else f"b/{path}"))
    return "".join(c if c.endswith("\n") else c + "\n" for c in chunks)
