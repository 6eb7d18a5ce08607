"""File-system tasks for `shell_agent`: a seeded starting tree, an instruction, the expected
final tree (computed here in Python, by construction), and gold bash commands.

Files are `dict[path, bytes]` relative to the workspace root. The expected tree is what the
workspace must hold at the end, exactly: no file missing, none extra, same bytes. Directories
of the start tree may stay or go, except those a task asks to delete (`gone_dirs`).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

Files = dict[str, bytes]
WORDS = ["alpha", "bravo", "delta", "ember", "frost", "glade", "haven", "ivory", "jolly",
         "karma", "lunar", "mango", "noble", "ocean", "prism", "quill", "raven", "solar"]
LEVELS = ["INFO", "WARN", "ERROR", "DEBUG"]


@dataclass
class FsTask:
    """One drawn task: start tree, instruction, expected tree, gold commands."""

    instruction: str
    start: Files
    expected: Files
    commands: list[str]
    gone_dirs: list[str] = field(default_factory=list)  # start directories that must not remain


def _lines(rng: random.Random, n: int) -> list[str]:
    return [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.randint(1, 99)}" for _ in range(n)]


def _names(rng: random.Random, n: int) -> list[str]:
    return rng.sample(WORDS, n)


# ------------------------------------------------------------------ level 1
def rename_ext(rng: random.Random) -> FsTask:
    old, new = rng.choice([("txt", "md"), ("log", "txt"), ("csv", "tsv")])
    start = {f"notes/{w}.{old}": f"{w}\n".encode() for w in _names(rng, rng.randint(2, 5))}
    start["notes/keep.json"] = b"{}\n"
    expected = {(p[: -len(old)] + new if p.endswith("." + old) else p): v for p, v in start.items()}
    return FsTask(f"In the directory notes/, rename every file ending in .{old} so it ends in "
                  f".{new} instead. Leave other files alone.", start, expected,
                  [f"cd notes && for f in *.{old}; do mv \"$f\" \"${{f%.{old}}}.{new}\"; done"])


def delete_tmp(rng: random.Random) -> FsTask:
    start = {f"build/{w}.o": b"obj\n" for w in _names(rng, 3)}
    tmp = {f"build/{w}.tmp": b"scratch\n" for w in _names(rng, rng.randint(1, 4))}
    tmp[f"build/cache/{rng.choice(WORDS)}.tmp"] = b"x\n"
    expected = dict(start)
    start.update(tmp)
    return FsTask("Delete every file ending in .tmp anywhere under build/ (including "
                  "subdirectories). Keep everything else.", start, expected,
                  ["find build -type f -name '*.tmp' -delete"])


def sort_lines(rng: random.Random) -> FsTask:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 9))]
    start = {"data/names.txt": ("\n".join(words) + "\n").encode()}
    unique = rng.choice([True, False])
    out = sorted(set(words)) if unique else sorted(words)
    expected = dict(start, **{"data/sorted.txt": ("\n".join(out) + "\n").encode()})
    what = "sorted alphabetically with duplicates removed" if unique else \
        "sorted alphabetically (keep duplicates)"
    return FsTask(f"Write the lines of data/names.txt, {what}, one per line, to "
                  f"data/sorted.txt. Do not change data/names.txt.", start, expected,
                  [f"LC_ALL=C sort {'-u ' if unique else ''}data/names.txt > data/sorted.txt"])


# ------------------------------------------------------------------ level 2
def count_matches(rng: random.Random) -> FsTask:
    level = rng.choice(LEVELS[:3])
    start, total = {}, 0
    for w in _names(rng, 3):
        lines = [f"{rng.choice(LEVELS)} {line}" for line in _lines(rng, rng.randint(3, 8))]
        total += sum(line.startswith(level + " ") for line in lines)
        start[f"logs/{w}.log"] = ("\n".join(lines) + "\n").encode()
    expected = dict(start, **{"report/count.txt": f"{total}\n".encode()})
    return FsTask(f"Count the lines that start with '{level} ' across all .log files in logs/, "
                  f"and write just that number to report/count.txt (create the directory).",
                  start, expected,
                  ["mkdir -p report", f"cat logs/*.log | grep -c '^{level} ' > report/count.txt "
                                      "|| true"])


def move_matching(rng: random.Random) -> FsTask:
    word = rng.choice(WORDS)
    start, expected = {}, {}
    names = _names(rng, rng.randint(4, 6))
    for i, n in enumerate(names):
        body = _lines(rng, 3)
        if i % 2 == 0:
            body.insert(rng.randint(0, 3), f"see {word} here")
        content = ("\n".join(body) + "\n").encode()
        start[f"inbox/{n}.txt"] = content
        has = any(word in line.split() for line in body)
        expected[f"{'flagged' if has else 'inbox'}/{n}.txt"] = content
    return FsTask(f"Move every file in inbox/ whose content contains the word '{word}' into a "
                  f"new directory flagged/ (same file names).", start, expected,
                  ["mkdir -p flagged", f"grep -l -w '{word}' inbox/* | xargs -r mv -t flagged/"])


# ------------------------------------------------------------------ level 3
def concat_parts(rng: random.Random) -> FsTask:
    n = rng.randint(9, 13)  # past 9, so a plain lexical sort puts part_10 too early
    start = {f"parts/part_{i}.txt": f"chunk {i} {rng.choice(WORDS)}\n".encode()
             for i in range(1, n + 1)}
    full = b"".join(start[f"parts/part_{i}.txt"] for i in range(1, n + 1))
    expected = {"full.txt": full}
    return FsTask("Concatenate the files parts/part_1.txt, parts/part_2.txt, ... in numeric "
                  "order into full.txt at the top level, then delete the parts/ directory.",
                  start, expected,
                  [f"for i in $(seq 1 {n}); do cat parts/part_$i.txt; done > full.txt",
                   "rm -r parts"], gone_dirs=["parts"])


def extension_report(rng: random.Random) -> FsTask:
    start: Files = {}
    for ext in rng.sample(["py", "md", "txt", "json", "sh"], 3):
        for w in _names(rng, rng.randint(1, 4)):
            start[f"src/{rng.choice(['', 'lib/', 'docs/'])}{w}.{ext}"] = b"x\n"
    counts: dict[str, int] = {}
    for p in start:
        ext = p.rsplit(".", 1)[1]
        counts[ext] = counts.get(ext, 0) + 1
    order = sorted(counts, key=lambda e: (-counts[e], e))
    report = "".join(f"{e} {counts[e]}\n" for e in order)
    expected = dict(start, **{"report.txt": report.encode()})
    return FsTask("Write report.txt at the top level: one line 'EXT COUNT' per file extension "
                  "found under src/ (recursively), most frequent first, ties by extension in "
                  "alphabetical order.", start, expected,
                  ["find src -type f | sed 's/.*\\.//' | sort | uniq -c | "
                   "awk '{print $2, $1}' | LC_ALL=C sort -k2,2nr -k1,1 > report.txt"])


TEMPLATES: dict[int, list[Callable[[random.Random], FsTask]]] = {
    1: [rename_ext, delete_tmp, sort_lines],
    2: [count_matches, move_matching, sort_lines],
    3: [concat_parts, extension_report, move_matching],
}
