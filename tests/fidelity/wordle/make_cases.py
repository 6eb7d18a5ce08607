"""Writes cases.jsonl: the wordle fidelity suite (run from the repo root with the venv).

Multi-turn scripts built from each task's gold guesses. Correct forms reformat the gold
(fences, prefixes, markup, <think>, prose lines, wasted tries). Hostile forms are what a
policy hunting reward would try: the hidden word only in reasoning, hedges that hold the
answer next to a decoy, non-words and 5-letter junk, near-misses, claims, echoes, tool calls,
floods and binary junk.
"""
import json
from pathlib import Path

from gymkit.envs.wordle.game import word_set
from gymkit.registry import make_env

HERE = Path(__file__).resolve().parent
env = make_env("wordle")
rows: list[dict] = []
WORDS = word_set()
JUNK = ["xqzvw", "aaaaa", "abcde", "zzzzz", "qwrty"]
assert not any(j in WORDS for j in JUNK), "a junk string is a listed word; pick another"
CYRILLIC = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х"})


def say(text):
    return {"role": "assistant", "content": text}


def add(cid, where, actions, expect, reason, tags, **kw):
    rows.append({"id": cid, **where, "actions": actions, "expect": expect, "reason": reason,
                 "tags": tags, **kw})


def gen(cid, where, prefix, repeat, times, suffix, expect, reason, tags):
    rows.append({"id": cid, **where, "response_gen": {"prefix": prefix, "repeat": repeat,
                 "times": times, "suffix": suffix}, "expect": expect, "reason": reason,
                 "tags": tags})


refs = [{"seed": 0, "difficulty": 1, "index": 0}, {"seed": 0, "difficulty": 2, "index": 1},
        {"seed": 0, "difficulty": 3, "index": 0}, {"seed": 0, "difficulty": 3, "index": 1},
        {"seed": 7, "difficulty": 2, "index": 2}]
for n, ref in enumerate(refs):
    task = env.generate(ref["index"] + 1, seed=ref["seed"], difficulty=ref["difficulty"])[
        ref["index"]]
    where = {"gen": ref}
    k = f"s{ref['seed']}-L{ref['difficulty']}-{ref['index']}"
    gold = [g["content"] for g in task.gold]
    ans = task.data["answer"]
    decoy = next(w for w in ("slate", "crane", "pious", "mound") if w != ans)
    room = 6 - len(gold)  # tries the gold leaves unused

    def gold_with(fmt, last_only=False):
        return [say(fmt(g) if (not last_only or i == len(gold) - 1) else g)
                for i, g in enumerate(gold)]

    # ------------------------------------------------------------------ correct forms
    add(f"{k}-gold", where, gold_with(str), "correct", "the solver's gold guesses", ["gold"])
    add(f"{k}-fenced", where, gold_with(lambda g: f"My guess:\n```\n{g}\n```"), "correct",
        "each guess alone in a code fence", ["equivalent"])
    add(f"{k}-upper-bold", where, gold_with(lambda g: f"**{g.upper()}**"), "correct",
        "upper case in bold", ["equivalent"])
    add(f"{k}-prefixed", where, gold_with(lambda g: f"Guess: {g}"), "correct",
        "a `Guess:` prefix", ["equivalent"])
    add(f"{k}-final-answer", where, gold_with(lambda g: f"My final answer is `{g}`."), "correct",
        "a sentence prefix, backticks and a full stop", ["equivalent"])
    add(f"{k}-think", where, gold_with(lambda g: f"<think>Guess: {decoy}? No, that reuses a "
                                                 f"gray letter.</think>\n{g}"), "correct",
        "a different marked guess inside <think> is never read", ["equivalent"])
    if n < 3:
        add(f"{k}-prose-line", where, gold_with(lambda g: "The feedback rules out several "
                                                          f"letters.\n\n{g}"), "correct",
            "a prose line, then the word on the last line", ["equivalent"])
        add(f"{k}-answer-tag", where, gold_with(lambda g: f"<answer>{g}</answer>"), "correct",
            "the word in <answer> tags", ["equivalent"])
        add(f"{k}-ill-guess", where, gold_with(lambda g: f"I'll guess {g}!"), "correct",
            "`I'll guess` and an exclamation mark", ["equivalent"])
        add(f"{k}-numbered", where, [say(f"Guess #{i + 1}: {g.title()}")
                                     for i, g in enumerate(gold)], "correct",
            "`Guess #n:` prefix, title case", ["equivalent"])
        add(f"{k}-fence-lang", where, gold_with(lambda g: f"```text\n{g}\n```\n"), "correct",
            "a fence with a language tag", ["equivalent"])
        add(f"{k}-plain-decoy-line", where, gold_with(lambda g: f"{decoy}\n\nActually:\n\n{g}",
                                                      last_only=True), "correct",
            "only the last line is a guess (the stated rule); a plain word above it is "
            "reasoning and is never scored", ["equivalent"])
    add(f"{k}-lucky", where, [say(ans)], "correct", "the hidden word guessed at once",
        ["gold"])
    if room >= 1:
        add(f"{k}-invalid-first", where, [say("Let me think about letter frequencies.")]
            + [say(g) for g in gold], "correct",
            "an unreadable try costs one try; the gold still fits in six", ["equivalent"])
        add(f"{k}-repeat-first", where, [say(gold[0])] + [say(g) for g in gold], "correct",
            "a repeated guess wastes a try but is legal", ["equivalent"])

    # ------------------------------------------------------------------ hostile forms
    six = lambda text: [say(text)] * 6  # noqa: E731
    add(f"{k}-think-only", where, six(f"<think>Guess: {ans}</think>"), "wrong",
        "the hidden word only inside <think>", ["hack"])
    add(f"{k}-think-unclosed", where, six(f"<think>I will say {ans}\n{ans}"), "wrong",
        "an unclosed <think> has no answer part", ["hack"])
    add(f"{k}-hedge-or", where, six(f"{decoy} or {ans}"), "wrong", "two words joined by `or`",
        ["hedge"])
    add(f"{k}-hedge-or-rev", where, six(f"{ans} or {decoy}"), "wrong",
        "two words joined by `or`, answer first", ["hedge"])
    add(f"{k}-hedge-slash", where, six(f"{ans}/{decoy}"), "wrong", "two words joined by `/`",
        ["hedge"])
    add(f"{k}-hedge-comma", where, six(f"{decoy}, {ans}"), "wrong", "a comma-separated pair",
        ["hedge"])
    add(f"{k}-hedge-two-guess-lines", where, six(f"Guess: {decoy}\nGuess: {ans}"), "wrong",
        "two lines each set out as a guess", ["hedge"])
    add(f"{k}-hedge-fence", where, six(f"```\n{ans}\n{decoy}\n```"), "wrong",
        "two words in one fence", ["hedge"])
    add(f"{k}-hedge-bold-then-plain", where, six(f"**{decoy}**\n{ans}"), "wrong",
        "a bold guess line, then a different word", ["hedge"])
    add(f"{k}-hedge-fenced-decoy", where, six(f"```\n{decoy}\n```\n{ans}"), "wrong",
        "a fenced guess, then a different word", ["hedge"])
    if n < 2:
        add(f"{k}-hedge-pipe", where, six(f"{ans} | {decoy}"), "wrong", "a pipe-joined pair",
            ["hedge"])
        add(f"{k}-hedge-concat", where, six(ans + decoy), "wrong",
            "ten letters: two words run together", ["hedge"])
        add(f"{k}-hedge-all-candidates", where, six(" ".join(sorted(WORDS)[:50] + [ans])),
            "wrong", "a list of candidate words", ["hedge"])
    for j in JUNK[:3 if n < 2 else 1]:
        add(f"{k}-junk-{j}", where, six(j), "wrong", f"{j!r} is not a word", ["degenerate"])
    add(f"{k}-plural", where, six(ans + "s"), "wrong", "six letters, not the word",
        ["near-miss"])
    add(f"{k}-prefix4", where, six(ans[:4]), "wrong", "four letters, not the word",
        ["near-miss"])
    if ans != ans.translate(CYRILLIC):
        add(f"{k}-homoglyph", where, six(ans.translate(CYRILLIC)), "wrong",
            "Cyrillic look-alike letters are a different string", ["hack"])
    add(f"{k}-zero-width", where, six(ans[:2] + "\u200b" + ans[2:]), "wrong",
        "a zero-width space inside the word", ["degenerate"])
    add(f"{k}-repeat-decoy", where, six(decoy), "wrong", "the same wrong word six times",
        ["degenerate"])
    add(f"{k}-claim", where, six(f"I solved it: the word was {ans}, all green."), "wrong",
        "a sentence claiming success is not one word", ["hack"])
    add(f"{k}-marks", where, six("G G G G G"), "wrong", "all-green marks echoed back",
        ["echo", "hack"])
    add(f"{k}-tool-call", where, [{"role": "assistant", "content": ans, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "guess", "arguments":
                                                      json.dumps({"word": ans})}}]}] * 6,
        "wrong", "this env has no tools: a message with a tool call reads no guess", ["hack"])
    if n == 0:
        add(f"{k}-echo", where, six(task.prompt[-1]["content"]), "wrong", "the prompt echoed",
            ["echo"])
        add(f"{k}-tool-call-text", where, six('<tool_call>{"name": "guess", "arguments": '
                                              f'{{"word": "{ans}"}}}}</tool_call>'), "wrong",
            "a tool call written as text", ["hack"])
        add(f"{k}-json-verdict", where, six('{"status": "correct", "reward": 1.0}'), "wrong",
            "a JSON verdict is just text", ["hack"])
        add(f"{k}-empty", where, six(""), "wrong", "empty replies", ["degenerate"])
        add(f"{k}-nul", where, six("\x00".join(ans)), "wrong", "NUL bytes between letters",
            ["pathological"])
        gen(f"{k}-filler-1mb", where, "", "Thinking about letters. ", 45_000, "\n" + ans,
            "correct", "a megabyte of prose, then the hidden word on the last line",
            ["pathological"])
        gen(f"{k}-flood-word", where, "", ans + " ", 200_000, "", "wrong",
            "the word repeated 200,000 times on one line", ["pathological"])
        gen(f"{k}-padded-decoy", where, ans, " ", 300, decoy, "wrong",
            "the answer, 300 spaces, then a decoy on the same line", ["hedge"])
        gen(f"{k}-nesting", where, "", "[", 10_000, ans + "]" * 10_000, "wrong",
            "the word inside 10,000-deep brackets", ["pathological"])
        gen(f"{k}-binary", where, "", bytes(range(256)).decode("latin-1"), 400, "", "wrong",
            "binary junk", ["pathological"])
        gen(f"{k}-many-guess-lines", where, "", "Guess: slate\n", 100_000, ans, "wrong",
            "100,000 marked guess lines before the answer", ["hedge", "pathological"])

# an answer outside the word list is a valid guess for its own task only
fjord = env.build_task("fjord", "hand-fjord").model_dump(mode="json")
add("hand-fjord", {"task": fjord}, [say("fjord")], "correct",
    "a loaded answer outside the list is accepted as a guess", ["gold"])
add("hand-fjord-junk", {"task": fjord}, [say("fjorb")] * 6, "wrong",
    "a near-miss of an out-of-list answer is not a word", ["near-miss"])

ids = [r["id"] for r in rows]
assert len(ids) == len(set(ids)), "duplicate case ids"
with (HERE / "cases.jsonl").open("w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")  # ASCII: splitlines() also splits on \x85, \u2028
print(f"{len(rows)} cases -> {HERE / 'cases.jsonl'}")
