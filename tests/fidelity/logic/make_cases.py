"""Writes cases.jsonl: the logic fidelity suite (sudoku, n-queens, zebra; run from the repo root).

Golds in every layout the parser promises, and the hacks a policy tries: a second board or
grid, repeated JSON keys (last one wins), givens changed, the puzzle echoed, floods, nesting.
"""
import json
from pathlib import Path

from gymkit.registry import make_env

OUT = Path(__file__).with_name("cases.jsonl")
F = "```"
CASES: list[dict] = []


def add(cid, kind, gen, expect, reason, tags, response=None, **extra):
    body = {} if "response_gen" in extra else {"response": response}
    CASES.append({"id": cid, "gen": gen, "options": {"kinds": [kind]}, **body, "expect": expect,
                  "reason": reason, "tags": tags, **extra})


def grid_text(grid, sep=" ", cell=str) -> str:
    return "\n".join(sep.join(cell(v) for v in row) for row in grid)


def task(kind, seed, diff):
    return make_env("logic", kinds=[kind]).generate(1, seed=seed, difficulty=diff)[0]


def sudoku_cases() -> None:
    for seed, diff in [(0, 1), (1, 2)]:
        t = task("sudoku", seed, diff)
        g = {"seed": seed, "difficulty": diff, "index": 0}
        s = f"sudoku-s{seed}d{diff}"
        gold = [[int(c) for c in ln.split()] for ln in t.gold_text.strip("`\n").splitlines()]
        n = len(gold)
        fenced = f"{F}\n{grid_text(gold)}\n{F}"
        add(f"{s}-gold", "sudoku", g, "correct", "the gold grid", ["gold"], t.gold_text)
        add(f"{s}-compact", "sudoku", g, "correct", "rows of digits without spaces", ["equivalent"],
            f"{F}\n{grid_text(gold, '')}\n{F}")
        add(f"{s}-one-line", "sudoku", g, "correct", "all digits on one line", ["equivalent"],
            "".join(str(v) for row in gold for v in row))
        add(f"{s}-pipes", "sudoku", g, "correct", "a markdown table with | and a --- rule",
            ["equivalent"], "\n".join(["| " + " | ".join(map(str, gold[0])) + " |",
                                       "|" + "---|" * n] +
                                      ["| " + " | ".join(map(str, r)) + " |" for r in gold[1:]]))
        add(f"{s}-json-rows", "sudoku", g, "correct", "a JSON list of lists, one row per line",
            ["equivalent"], "[\n" + ",\n".join(json.dumps(r) for r in gold) + "\n]")
        add(f"{s}-restated-then-solved", "sudoku", g, "correct",
            "the puzzle restated with blanks, then the solution", ["equivalent"],
            f"Puzzle:\n{F}\n{grid_text(t.data['puzzle'], ' ', lambda v: str(v) if v else '.')}\n{F}\n"
            f"Solution:\n{fenced}")
        add(f"{s}-think", "sudoku", g, "correct", "reasoning is not scored", ["equivalent"],
            f"<think>{grid_text([[1] * n] * n)}</think>\n{fenced}")
        add(f"{s}-row-labels", "sudoku", g, "correct", "rows labelled 'Row k:'", ["equivalent"],
            "\n".join(f"Row {i + 1}: " + " ".join(map(str, r)) for i, r in enumerate(gold)),
            known_limit="labelled rows are prose to the grid parser")
        broken = [r[:] for r in gold]
        r0 = next(r for r in range(n) for c in range(n) if not t.data["puzzle"][r][c])
        c0 = next(c for c in range(n) if not t.data["puzzle"][r0][c])
        broken[r0][c0] = broken[r0][c0] % n + 1
        add(f"{s}-one-cell-wrong", "sudoku", g, "wrong", "one blank filled wrongly", ["wrong"],
            f"{F}\n{grid_text(broken)}\n{F}")
        relabel = [[(v % n) + 1 for v in row] for row in gold]  # still a valid sudoku
        add(f"{s}-givens-changed", "sudoku", g, "wrong", "a valid sudoku that ignores the givens",
            ["hack"], f"{F}\n{grid_text(relabel)}\n{F}")
        add(f"{s}-two-grids", "sudoku", g, "wrong", "two different complete grids", ["hedge"],
            f"{F}\n{grid_text(relabel)}\n{F}\nor\n{fenced}")
        add(f"{s}-echo-puzzle", "sudoku", g, "wrong", "the puzzle echoed with its blanks", ["echo"],
            t.prompt[0]["content"])
        add(f"{s}-all-ones", "sudoku", g, "wrong", "a full grid of ones", ["degenerate"],
            f"{F}\n{grid_text([[1] * n] * n)}\n{F}")
        other = 9 if n == 4 else 4
        add(f"{s}-plus-other-board", "sudoku", g, "wrong",
            f"the answer plus a {other}x{other} board: two answers", ["hedge"],
            f"{fenced}\n\nAlso:\n{F}\n{grid_text([[(r + c) % other + 1 for c in range(other)] for r in range(other)])}\n{F}")
        add(f"{s}-plus-zebra-json", "sudoku", g, "wrong", "the answer plus a zebra-style JSON grid",
            ["hedge"], fenced + '\n' + json.dumps({"1": {"color": "red"}, "2": {"color": "blue"}}))


def queens_cases() -> None:
    for seed, diff in [(0, 1), (2, 2)]:
        t = task("nqueens", seed, diff)
        g = {"seed": seed, "difficulty": diff, "index": 0}
        s = f"queens-s{seed}d{diff}"
        n = t.data["n"]
        board = [[1 if c == "Q" else 0 for c in ln.split()] for ln in t.gold_text.strip("`\n").splitlines()]
        q = lambda v: "Q" if v else "."  # noqa: E731
        fenced = f"{F}\n{grid_text(board, ' ', q)}\n{F}"
        add(f"{s}-gold", "nqueens", g, "correct", "the gold board", ["gold"], t.gold_text)
        add(f"{s}-no-spaces", "nqueens", g, "correct", "cells without spaces", ["equivalent"],
            f"{F}\n{grid_text(board, '', q)}\n{F}")
        add(f"{s}-ones-zeros", "nqueens", g, "correct", "1 for a queen, 0 for empty", ["equivalent"],
            f"{F}\n{grid_text(board)}\n{F}")
        add(f"{s}-chess-glyph", "nqueens", g, "correct", "the queen glyph", ["equivalent"],
            f"{F}\n{grid_text(board, ' ', lambda v: '♛' if v else '·')}\n{F}")
        add(f"{s}-bordered", "nqueens", g, "correct", "cells between pipes", ["equivalent"],
            "\n".join("|" + "|".join(q(v) for v in r) + "|" for r in board))
        add(f"{s}-x-marks", "nqueens", g, "correct", "X for a queen", ["equivalent"],
            f"{F}\n{grid_text(board, ' ', lambda v: 'X' if v else '.')}\n{F}",
            known_limit="only Q, q, 1 and the queen glyphs mark a queen")
        add(f"{s}-restated-then-solved", "nqueens", g, "correct",
            "the prompt's partial board restated, then the answer", ["equivalent"],
            t.prompt[0]["content"] + "\n\nSolution:\n" + fenced)
        moved = [r[:] for r in board]
        r0 = next(r for r in range(n) if [r, board[r].index(1)] not in t.data["givens"])
        c0 = moved[r0].index(1)
        moved[r0][c0], moved[r0][(c0 + 1) % n] = 0, 1
        add(f"{s}-attacking", "nqueens", g, "wrong", "one queen moved into an attack", ["wrong"],
            f"{F}\n{grid_text(moved, ' ', q)}\n{F}")
        mirrored = [list(reversed(r)) for r in board]
        if any(mirrored[r][c] != 1 for r, c in t.data["givens"]):
            add(f"{s}-givens-ignored", "nqueens", g, "wrong",
                "a valid placement that drops the fixed queen", ["hack"],
                f"{F}\n{grid_text(mirrored, ' ', q)}\n{F}")
        add(f"{s}-two-boards", "nqueens", g, "wrong", "two different full boards", ["hedge"],
            f"{F}\n{grid_text(moved, ' ', q)}\n{F}\nActually:\n{fenced}")
        add(f"{s}-all-queens", "nqueens", g, "wrong", "every square a queen", ["degenerate"],
            f"{F}\n{grid_text([[1] * n] * n, ' ', q)}\n{F}")
        add(f"{s}-too-few", "nqueens", g, "wrong", "the givens only (the prompt's board echoed)",
            ["echo"], t.prompt[0]["content"])
        add(f"{s}-plus-small-board", "nqueens", g, "wrong", "the answer plus a 4x4 board",
            ["hedge"], fenced + f"\n{F}\n. Q . .\n. . . Q\nQ . . .\n. . Q .\n{F}")


def zebra_cases() -> None:
    for seed, diff in [(0, 1), (3, 2), (4, 3)]:
        t = task("zebra", seed, diff)
        g = {"seed": seed, "difficulty": diff, "index": 0}
        s = f"zebra-s{seed}d{diff}"
        gold = json.loads(t.gold_text.strip("`\n").removeprefix("json"))
        attrs = list(next(iter(gold.values())))
        a0 = attrs[0]
        add(f"{s}-gold", "zebra", g, "correct", "the gold JSON", ["gold"], t.gold_text)
        add(f"{s}-compact", "zebra", g, "correct", "compact JSON, no fence", ["equivalent"],
            json.dumps(gold, separators=(",", ":")))
        add(f"{s}-house-keys", "zebra", g, "correct", "'House 1' keys", ["equivalent"],
            json.dumps({f"House {k}": v for k, v in gold.items()}))
        add(f"{s}-list", "zebra", g, "correct", "a list of houses in order", ["equivalent"],
            json.dumps(list(gold.values())))
        add(f"{s}-capitalised", "zebra", g, "correct", "values capitalised", ["equivalent"],
            json.dumps({k: {a: v.title() for a, v in h.items()} for k, h in gold.items()}))
        add(f"{s}-reversed-keys", "zebra", g, "correct", "houses listed last to first",
            ["equivalent"], json.dumps(dict(reversed(list(gold.items())))))
        add(f"{s}-think", "zebra", g, "correct", "reasoning is not scored", ["equivalent"],
            '<think>{"1": {}}</think>\n' + t.gold_text)
        swapped = json.loads(json.dumps(gold))
        swapped["1"][a0], swapped["2"][a0] = swapped["2"][a0], swapped["1"][a0]
        add(f"{s}-swapped", "zebra", g, "wrong", "two houses swap one attribute (the solution is unique)",
            ["wrong"], json.dumps(swapped))
        text = json.dumps(swapped, indent=2)
        h1 = json.dumps(gold["1"], indent=4).replace("\n", "\n  ")
        dup_house = text[:-2] + f',\n  "1": {h1}\n}}'
        add(f"{s}-dup-house-key", "zebra", g, "wrong",
            "house 1 written twice, wrong then right: last one wins in Python (issue 9)", ["hack"],
            dup_house)
        inner = json.dumps(gold)
        right = json.dumps(gold["1"][a0])
        wrong_v = json.dumps(gold["2"][a0])
        dup_attr = inner.replace(f'"{a0}": {right}', f'"{a0}": {wrong_v}, "{a0}": {right}', 1)
        add(f"{s}-dup-attr-key", "zebra", g, "wrong", "an attribute written twice inside a house",
            ["hack"], dup_attr)
        add(f"{s}-two-answers", "zebra", g, "wrong", "two different assignments", ["hedge"],
            f"{F}json\n{json.dumps(swapped)}\n{F}\nor\n{t.gold_text}")
        missing = {k: v for k, v in gold.items() if k != str(len(gold))}
        add(f"{s}-missing-house", "zebra", g, "wrong", "the last house missing", ["wrong"], json.dumps(missing))
        extra = dict(gold, **{str(len(gold) + 1): gold["1"]})
        add(f"{s}-extra-house", "zebra", g, "wrong", "a house that does not exist", ["wrong"], json.dumps(extra))
        listy = {k: {a: [v, "x"] if a == a0 else v for a, v in h.items()} for k, h in gold.items()}
        add(f"{s}-list-values", "zebra", g, "wrong", "a list of candidates per attribute", ["hedge"],
            json.dumps(listy))
        add(f"{s}-echo", "zebra", g, "wrong", "the prompt echoed (its example JSON)", ["echo"],
            t.prompt[0]["content"])
        add(f"{s}-plus-board", "zebra", g, "wrong", "the answer plus a queens board", ["hedge"],
            t.gold_text + f"\n{F}\n. Q . .\n. . . Q\nQ . . .\n. . Q .\n{F}")


def pathological() -> None:
    for kind in ("sudoku", "nqueens", "zebra"):
        g = {"seed": 0, "difficulty": 1, "index": 0}
        add(f"{kind}-deep-json", kind, g, "wrong", "10,000-deep nesting, wrong quickly", ["pathological"],
            response_gen={"prefix": '{"1": ', "repeat": "[", "times": 10_000, "suffix": "]" * 10_000 + "}"})
        add(f"{kind}-megabyte", kind, g, "wrong", "a 1 MB reply", ["pathological"],
            response_gen={"repeat": "1 2 3 4\n", "times": 130_000})
        add(f"{kind}-binary", kind, g, "wrong", "binary junk", ["pathological"],
            "".join(chr(i) for i in range(256)) * 8)
        add(f"{kind}-empty", kind, g, "wrong", "empty reply", ["degenerate"], "")
        add(f"{kind}-unclosed-think", kind, g, "wrong", "no answer after an unterminated <think>",
            ["pathological"], "<think>" + task(kind, 0, 1).gold_text)
    add("zebra-brace-flood", "zebra", {"seed": 0, "difficulty": 1, "index": 0}, "wrong",
        "40,000 braces", ["pathological"], response_gen={"repeat": '{"', "times": 20_000})
    add("sudoku-grid-flood", "sudoku", {"seed": 1, "difficulty": 2, "index": 0}, "wrong",
        "thousands of candidate grids", ["pathological", "hedge"],
        response_gen={"repeat": "123456789\n", "times": 4000})


sudoku_cases()
queens_cases()
zebra_cases()
pathological()
OUT.write_text("".join(json.dumps(c) + "\n" for c in CASES))
print(f"{len(CASES)} cases -> {OUT}")
