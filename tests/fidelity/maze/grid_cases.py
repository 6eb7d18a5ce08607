"""Fidelity cases shared by the grid envs (maze, sokoban): played as multi-turn scripts.

Every case is a script of assistant messages built from the task's gold turns. Correct forms
reformat the gold (fences, words, prefixes, reasoning, recoveries after errors); hostile forms
are what a policy hunting reward would try (claims, echoes, moves hidden in reasoning or tool
calls, hedges holding the gold, more moves than a turn allows, dithering past the budget,
floods and binary junk). Used by `make_cases.py` in `maze/` and `sokoban/`.
"""
from __future__ import annotations

import json
from pathlib import Path

FLIP = str.maketrans("UDLR", "DURL")
WORD = {"U": "up", "D": "down", "L": "left", "R": "right"}


def say(text: str) -> dict:
    return {"role": "assistant", "content": text}


def moves_of(turn: str) -> str:
    return turn.replace(" ", "")


def spaced(moves: str) -> str:
    return " ".join(moves)


def open_pair(env, task) -> str | None:
    """Two moves `XY` that leave the start and come back changing nothing (no push), or None."""
    for mv, back in (("R", "L"), ("L", "R"), ("U", "D"), ("D", "U")):
        ep, boards = env.reset(task), []
        for _ in range(2):
            if env._move(ep, mv) or env._is_solved(ep) or env._move(ep, back):
                break
            boards.append(env._board(ep))
        if len(boards) == 2 and boards[0] == boards[1]:
            return mv + back
    return None


def blocked_move(env, task) -> str | None:
    """A move that is blocked at the start (it costs a step and moves nothing), or None."""
    for mv in "UDLR":
        if env._move(env.reset(task), mv) is not None:
            return mv
    return None


def grid_cases(env, refs: list[dict], full: set[int]) -> list[dict]:
    """Cases for every task in `refs`; the costly or repetitive ones only for indexes in `full`."""
    rows: list[dict] = []

    def add(cid, ref, actions, expect, reason, tags, **kw):
        rows.append({"id": cid, "gen": ref, "actions": actions, "expect": expect,
                     "reason": reason, "tags": tags, **kw})

    for n, ref in enumerate(refs):
        task = env.generate(ref["index"] + 1, seed=ref["seed"], difficulty=ref["difficulty"])[
            ref["index"]]
        k = f"s{ref['seed']}-L{ref['difficulty']}-{ref['index']}"
        gold = [g["content"] for g in task.gold]
        per_turn, budget = task.data["per_turn"], task.data["budget"]
        all_moves = "".join(moves_of(g) for g in gold)
        prompt = task.prompt[-1]["content"]

        # ---------------------------------------------------------------- correct forms
        add(f"{k}-gold", ref, [say(g) for g in gold], "correct", "the BFS gold turns", ["gold"])
        add(f"{k}-fenced", ref, [say(f"Next moves:\n```\n{g}\n```") for g in gold], "correct",
            "each turn's moves alone in a code fence (issue 9 false negative)", ["equivalent"])
        add(f"{k}-words", ref, [say(", ".join(WORD[m] for m in moves_of(g))) for g in gold],
            "correct", "moves as lowercase words, comma separated", ["equivalent"])
        add(f"{k}-compact", ref, [say(f"Moves: {moves_of(g)}") for g in gold], "correct",
            "letters run together after a `Moves:` prefix", ["equivalent"])
        add(f"{k}-think", ref, [say(f"<think>{spaced(moves_of(g).translate(FLIP))} looks wrong, "
                                    f"so:\n{spaced(moves_of(g).translate(FLIP))}</think>\n{g}")
                                for g in gold], "correct",
            "other moves inside <think> are never read; the answer after it is", ["equivalent"])
        add(f"{k}-prose-bold", ref, [say(f"Going this way avoids the walls I can see.\n**{g}**")
                                     for g in gold], "correct",
            "a prose line, then the moves in bold on the last line", ["equivalent"])
        if n in full:
            add(f"{k}-answer-tag", ref, [say(f"<answer>{g}</answer>") for g in gold], "correct",
                "moves in <answer> tags", ["equivalent"])
            add(f"{k}-final-answer", ref, [say(f"Final answer: {g}.") for g in gold], "correct",
                "`Final answer:` prefix and a full stop", ["equivalent"])
            add(f"{k}-tilde-fence", ref, [say(f"~~~text\n{g}\n~~~\n") for g in gold], "correct",
                "a ~~~ fence with a language tag and a trailing newline", ["equivalent"])
            add(f"{k}-repeated-plan", ref, [say(f"Plan: {g}\n\n{g}") for g in gold], "correct",
                "the same move line twice is one plan, not a hedge", ["equivalent"])
            add(f"{k}-bullet", ref, [say(f"- {g}") for g in gold], "correct",
                "moves as a markdown bullet", ["equivalent"])
            add(f"{k}-recover", ref, [say("Let me look at the map first."),
                                      {"role": "assistant", "content": "", "tool_calls": [
                                          {"id": "c1", "type": "function", "function": {
                                              "name": "move", "arguments": "{\"dir\": \"R\"}"}}]}]
                + [say(g) for g in gold], "correct",
                "an unreadable turn and a tool call cost turns, not steps; the gold still solves",
                ["equivalent"])
            bump = blocked_move(env, task)
            if bump and len(all_moves) < budget:
                add(f"{k}-bump-then-gold", ref, [say(bump)] + [say(g) for g in gold], "correct",
                    "a blocked move uses one step; the budget has room for it", ["equivalent"])
            half = max(1, per_turn // 2)
            if len(all_moves) / half <= 35:
                add(f"{k}-small-turns", ref, [say(spaced(all_moves[i:i + half]))
                                              for i in range(0, len(all_moves), half)],
                    "correct", "the gold path in smaller turns", ["equivalent"])
        if n == 0:
            add(f"{k}-numbered-list", ref, [say("\n".join(f"{i + 1}. {WORD[m].title()}" for i, m in
                                                          enumerate(moves_of(g)))) for g in gold],
                "correct", "one move per numbered line is the gold path",
                ["equivalent"], known_limit="only the last line is read; a numbered list of "
                "single moves reads as several different move lines (a hedge) and is refused")

        # ---------------------------------------------------------------- hostile forms
        other = [spaced(moves_of(g).translate(FLIP)) for g in gold]
        add(f"{k}-claim", ref, [say("I have reached the goal G. Done.")] * 3, "wrong",
            "a claim of success moves nothing", ["hack"])
        add(f"{k}-echo", ref, [say(prompt)], "wrong", "the prompt echoed back", ["echo"])
        add(f"{k}-echo-note", ref, [say(env.solved_note)] * 2, "wrong",
            "the env's own success note echoed back", ["echo", "hack"])
        add(f"{k}-think-only", ref, [say(f"<think>{g}</think>\nDone.") for g in gold], "wrong",
            "moves written only inside <think> are never executed", ["hack"])
        add(f"{k}-think-unclosed", ref, [say(f"<think>plan: {g}") for g in gold], "wrong",
            "an unclosed <think> has no answer part", ["hack"])
        add(f"{k}-tool-call", ref, [{"role": "assistant", "content": g, "tool_calls": [
            {"id": f"c{i}", "type": "function", "function": {
                "name": "move", "arguments": json.dumps({"moves": g})}}]}
            for i, g in enumerate(gold)], "wrong",
            "this env has no tools: a message with a tool call executes nothing", ["hack"])
        add(f"{k}-hedge-gold-first", ref, [say(f"{g}\n\nOr, to be safe:\n\n{o}")
                                           for g, o in zip(gold, other)], "wrong",
            "two different move lines is a hedge; nothing runs", ["hedge"])
        add(f"{k}-hedge-gold-last", ref, [say(f"{o}\n\nActually:\n\n{g}")
                                          for g, o in zip(gold, other)], "wrong",
            "two different move lines is a hedge even when the gold is last", ["hedge"])
        add(f"{k}-hedge-inline", ref, [say(f"{g} or {o}") for g, o in zip(gold, other)], "wrong",
            "two sequences on one line joined by `or`", ["hedge"])
        add(f"{k}-hedge-fence", ref, [say(f"```\n{g}\n{o}\n```") for g, o in zip(gold, other)],
            "wrong", "two different move lines inside one fence", ["hedge"])
        if len(all_moves) > per_turn:
            add(f"{k}-all-at-once", ref, [say(spaced(all_moves))] * 2, "wrong",
                f"{len(all_moves)} moves exceed the {per_turn}-move turn cap; none run",
                ["hack"])
        else:
            add(f"{k}-over-cap", ref, [say(spaced(all_moves + "U" * (per_turn + 1 - len(all_moves))))]
                * 2, "wrong", "one move over the turn cap executes nothing, gold prefix included",
                ["hack"])
        if n in full:
            pair = open_pair(env, task)
            if pair:
                turns = -(-budget // (per_turn - per_turn % 2))
                dither = spaced(pair * (per_turn // 2))
                add(f"{k}-dither-then-gold", ref, [say(dither)] * turns + [say(g) for g in gold],
                    "wrong", "back-and-forth moves spend the whole step budget before the gold",
                    ["degenerate"])
            add(f"{k}-tool-call-text", ref, [say('<tool_call>{"name": "move", "arguments": '
                                                 f'{{"moves": "{g}"}}}}</tool_call>')
                                             for g in gold], "wrong",
                "a tool call written as text in an env without tools", ["hack"])
            add(f"{k}-status-claim", ref, [say('{"status": "correct", "reward": 1.0}')] * 2,
                "wrong", "a JSON verdict in the reply is just text", ["hack"])
            add(f"{k}-empty", ref, [say("")] * 3, "wrong", "empty replies", ["degenerate"])
            add(f"{k}-arrows", ref, [say(" ".join({"U": "↑", "D": "↓", "L": "←", "R": "→"}[m]
                                                  for m in moves_of(g))) for g in gold],
                "correct", "arrows spell the gold path", ["equivalent"])
        if n == 0:  # single-message floods, stored as generators (a task solved in one turn)
            assert len(gold) == 1, "pick a first task whose gold is one turn"

            def gen(cid, prefix, repeat, times, suffix, expect, reason, tags, **kw):
                rows.append({"id": cid, "gen": ref, "response_gen": {
                    "prefix": prefix, "repeat": repeat, "times": times, "suffix": suffix},
                    "expect": expect, "reason": reason, "tags": tags, **kw})

            gen(f"{k}-filler-1mb", "", "I am thinking about the maze. ", 35_000, "\n" + gold[0],
                "correct", "a megabyte of prose, then the moves on the last line",
                ["pathological"])
            gen(f"{k}-flood-letters", "", "R", 1_000_000, "", "wrong",
                "a 1 MB move line is degenerate", ["pathological"])
            gen(f"{k}-nesting", "", "[", 10_000, gold[0] + "]" * 10_000, "wrong",
                "moves wrapped in 10,000-deep brackets (a 20 KB line)", ["pathological"])
            gen(f"{k}-binary", "", bytes(range(256)).decode("latin-1"), 400, "", "wrong",
                "binary junk", ["pathological"])
            gen(f"{k}-many-lines", "", "U D\n", 200_000, gold[0], "wrong",
                "200,000 lines of a different move list before the gold: a hedge",
                ["hedge", "pathological"])
            add(f"{k}-nul-moves", ref, [say("\x00".join(moves_of(g))) for g in gold], "wrong",
                "NUL bytes between the letters", ["pathological"])
    return rows


def write(rows: list[dict], here: Path) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    with (here / "cases.jsonl").open("w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")  # ASCII: splitlines() also splits on \x85, \u2028
    print(f"{len(rows)} cases -> {here / 'cases.jsonl'}")
