"""Writes cases.jsonl: the search_kb fidelity suite (run from the repo root with the venv python).

Final-answer cases replay the task's gold tool calls, then the final message (an answer the
episode never showed the agent scores 0, so a bare message would test grounding, not the
answer's form); tool cases replay the gold calls or hostile ones first.
"""
import json
from pathlib import Path

from gymkit.registry import make_env
from gymkit.tools import make_call

OUT = Path(__file__).with_name("cases.jsonl")
env = make_env("search_kb")
cases = []
REFS = {"river": (3, 2, 1), "person": (0, 2, 0), "year": (2, 2, 1), "population": (0, 2, 1),
        "product": (0, 3, 1), "town": (1, 1, 1), "profession": (0, 1, 0)}
T = {k: env.generate(i + 1, seed=s, difficulty=d)[i] for k, (s, d, i) in REFS.items()}
ANS = {k: t.data["answer"] for k, t in T.items()}
OTHER = {"river": "River Vellun", "person": "Athix Quinul", "year": 1935, "population": 239555,
         "product": "telescopes", "town": "Rynost", "profession": "glassblower"}


def ref(kind):
    s, d, i = REFS[kind]
    return {"seed": s, "difficulty": d, "index": i}


def add(cid, kind, text, expect, reason, tags, **extra):
    calls = [m for m in T[kind].gold if m.get("tool_calls")]
    cases.append({"id": cid, "gen": ref(kind), "actions": calls + [say(text)], "expect": expect,
                  "reason": reason, "tags": tags, **extra})


def act(cid, kind, actions, expect, reason, tags):
    cases.append({"id": cid, "gen": ref(kind), "actions": actions, "expect": expect,
                  "reason": reason, "tags": tags})


def say(text):
    return {"role": "assistant", "content": text}


def call(name, k=0, **args):
    return {"role": "assistant", "content": "", "tool_calls": [make_call(name, args, call_id=f"x{k}")]}


# ------------------------------------------------------------ correct, unusual valid forms
add("ok-river-reversed", "river", "Answer: Embkes River", "correct",
    "'Embkes River' and 'River Embkes' name the same river", ["equivalent"])
add("ok-river-article-lower", "river", "Answer: the embkes river", "correct",
    "article and case do not change the name", ["equivalent"])
add("ok-river-alias", "river", "\\boxed{Embkes}", "correct", "the river's bare name", ["equivalent"])
add("ok-river-gold", "river", "Answer: River Embkes", "correct", "the gold spelling", ["gold"])
add("ok-river-bold", "river", "**Answer:** River Embkes.", "correct", "markdown and a full stop",
    ["equivalent"])
add("ok-person-plain", "person", f"Answer: {ANS['person']}", "correct", "the gold name", ["gold"])
first, last = ANS["person"].split()
add("ok-person-comma", "person", f"Answer: {last}, {first}", "correct",
    "'Surname, First' is the same person", ["equivalent"])
add("ok-person-boxed-text", "person", f"\\boxed{{\\text{{{ANS['person']}}}}}", "correct",
    "LaTeX text inside the box", ["equivalent"])
add("ok-person-lower", "person", f"Answer: {ANS['person'].lower()}", "correct", "case only",
    ["equivalent"])
add("ok-year", "year", "Answer: 1934", "correct", "the year", ["gold"])
add("ok-year-boxed", "year", "The mayor was born then.\n\n\\boxed{1934}", "correct", "boxed",
    ["equivalent"])
add("ok-year-next-line", "year", "Answer:\n1934", "correct", "answer on the next line",
    ["equivalent"])
add("ok-population-commas", "population", "Answer: 239,554", "correct", "thousands separators",
    ["equivalent"])
add("ok-population-people", "population", "Answer: 239554 people", "correct",
    "a unit word after the number", ["equivalent"])
add("ok-product", "product", "Answer: Clockwork toys", "correct", "case", ["equivalent"])
add("ok-product-think", "product", "<think>maybe telescopes</think>Answer: clockwork toys",
    "correct", "the trace is not the answer", ["equivalent"])
add("ok-town", "town", "Answer: Yasbri.", "correct", "full stop", ["equivalent"])
add("ok-profession-article", "profession", "Answer: an engineer", "correct", "article dropped",
    ["equivalent"])
add("ok-same-twice", "town", "\\boxed{Yasbri}\nAnswer: Yasbri", "correct",
    "the same answer twice is one answer", ["equivalent"])
add("ok-year-in", "year", "Answer: in 1934", "correct", "a preposition before the year",
    ["equivalent"])
add("ok-year-the-year", "year", "\\boxed{\\text{the year } 1934}", "correct",
    "'the year 1934' names the year", ["equivalent"])
add("bad-year-in-or", "year", "Answer: in 1934 or 1935", "wrong", "two years after 'in'",
    ["hedge"])

# ------------------------------------------------------------ wrong: hedges and hacks
for kind in ("river", "person", "product", "town"):
    a, o = ANS[kind], OTHER[kind]
    add(f"bad-{kind}-or", kind, f"Answer: {a} or {o}", "wrong", "two candidates", ["hedge"])
    add(f"bad-{kind}-two-lines", kind, f"Answer: {o}\nAnswer: {a}", "wrong", "two answers",
        ["hedge"])
    add(f"bad-{kind}-comma-list", kind, f"Answer: {a}, {o}", "wrong", "a list of candidates",
        ["hedge"])
    add(f"bad-{kind}-other", kind, f"Answer: {o}", "wrong", "another entity of the same kind",
        ["wrong"])
add("bad-river-paren", "river", "Answer: River Embkes (or possibly River Vellun)", "wrong",
    "a second candidate in parentheses", ["hedge"])
add("bad-river-two-boxes", "river", "\\boxed{River Embkes} \\boxed{River Vellun}", "wrong",
    "two boxes", ["hedge"])
add("bad-river-slash", "river", "Answer: Embkes/Vellun", "wrong", "alternatives with a slash",
    ["hedge"])
add("bad-river-designator-only", "river", "Answer: River", "wrong", "only the common word",
    ["degenerate"])
add("bad-river-doubled", "river", "Answer: River Embkes River", "wrong", "not a name",
    ["degenerate"])
add("bad-person-first-only", "person", f"Answer: {first}", "wrong",
    "a first name is not the person (surnames and first names are shared)", ["wrong"])
add("bad-year-or", "year", "Answer: 1934 or 1935", "wrong", "two years", ["hedge"])
add("bad-year-range", "year", "Answer: 1930-1940", "wrong", "a range", ["hedge"])
add("bad-year-between", "year", "Answer: between 1930 and 1940", "wrong", "a range", ["hedge"])
add("bad-year-decade", "year", "Answer: the 1930s", "wrong", "a decade is not the year", ["hedge"])
add("bad-year-off", "year", "Answer: 1935", "wrong", "off by one", ["wrong"])
add("bad-pop-or-more", "population", "Answer: 239554 or more", "wrong", "a bound", ["hedge"])
add("bad-pop-at-least", "population", "Answer: at least 239,000", "wrong", "a bound", ["hedge"])
add("bad-pop-round", "population", "Answer: 240,000", "wrong", "rounded population", ["wrong"])
add("bad-unmarked", "town", "The headquarters are in Yasbri.", "wrong",
    "no marked answer: lenient extraction is a hack", ["hack"])
add("bad-only-think", "town", "<think>Answer: Yasbri</think>", "wrong",
    "the answer is only inside the trace", ["hack"])
add("bad-echo", "town", "Answer: " + T["town"].prompt[-1]["content"], "wrong",
    "the question echoed", ["echo"])
add("bad-empty", "town", "", "wrong", "nothing", ["degenerate"])
add("bad-infinity", "population", "\\boxed{\\infty}", "wrong", "infinity", ["hack"])
add("bad-binary", "year", "\x00\x01\ufffd" * 1000, "wrong", "binary junk", ["degenerate"])
for k, (name, gen) in enumerate({
        "flood": {"repeat": "River Embkes ", "times": 80000},
        "unclosed-boxes": {"repeat": "\\boxed{", "times": 100000},
        "deep-braces": {"prefix": "\\boxed{", "repeat": "{", "times": 10000, "suffix": "Embkes"},
        "many-answer-lines": {"repeat": "Answer: River Embkes\nAnswer: River Vellun\n",
                              "times": 20000}}.items()):
    cases.append({"id": f"bad-{name}", "gen": ref("river"), "response_gen": gen, "expect": "wrong",
                  "reason": "pathological text: a quick wrong, never an error or timeout",
                  "tags": ["pathological"]})

# ------------------------------------------------------------ tool misuse and pathological calls
gold = T["river"].gold
act("ok-after-bad-calls", "river",
    [call("search", 1, query="x" * 5000), call("read", 2, doc_id="../../etc/passwd"),
     {"role": "assistant", "content": "", "tool_calls": [{"id": "p", "type": "function",
      "function": {"name": "search", "arguments": "{\"query\": " + "[" * 3000 + "]" * 3000 + "}"}}]}]
    + gold, "correct", "bad calls are error observations; the gold work after them counts",
    ["pathological"])
act("bad-search-spam", "river", [call("search", k, query="river") for k in range(12)], "wrong",
    "calls until the turn cap: truncated", ["degenerate"])
act("bad-dup-key-args", "river",
    [{"role": "assistant", "content": "", "tool_calls": [{"id": "d", "type": "function",
      "function": {"name": "read", "arguments": "{\"doc_id\": \"d0\", \"doc_id\": \"d1\"}"}}]},
     say("Answer: River Vellun")], "wrong", "duplicate keys are refused; the answer is wrong",
    ["hack"])

# ------------------------------------------------------------ grounding: the answer must be shown
t = T["population"]
town = t.data["path"][-1]
act("ok-snippet-only", "population", [call("search", 1, query=t.data["path"][0]),
                                      call("read", 2, doc_id=t.gold[1]["tool_calls"][0]["function"]["arguments"][12:-2]),
                                      call("search", 3, query=f"{town} founded population"),
                                      say(f"Answer: {ANS['population']:,}")], "correct",
    "the second hop's number comes from a search snippet for the town: shown, not guessed",
    ["equivalent"])
act("bad-guess-no-calls", "profession", [say(f"Answer: {ANS['profession']}")], "wrong",
    "no tool call: the facts are only in the KB", ["hack"])
act("bad-search-answer-word", "profession",
    [call("search", 1, query=f"{ANS['profession']} xyzzy"), say(f"Answer: {ANS['profession']}")],
    "wrong", "a search naming the answer finds some document with that word: not grounding",
    ["hack"])
other = next(d for d in env.knowledge_base(T["year"]).docs.values()
             if str(ANS["year"]) not in d.text)
act("bad-read-wrong-doc", "year", [call("read", 1, doc_id=other.id), say(f"Answer: {ANS['year']}")],
    "wrong", "a read document that does not hold the answer", ["hack"])

OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
