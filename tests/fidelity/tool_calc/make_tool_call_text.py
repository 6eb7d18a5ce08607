"""Writes tool_call_text.jsonl: tool calls written as text (issue 9, class 6) in tool_calc.

The scorecard parses assistant text into tool calls as the driver does for text backends, so
these cases go through `gymkit.tools.parse_tool_calls`. A broken call must be an error
observation (the episode goes on: the gold after it still scores), never an exception.
Kept apart from cases.jsonl (the tool_calc suite) because it tests the shared parser.
"""
import json
from pathlib import Path

from gymkit.registry import make_env

HERE = Path(__file__).resolve().parent
env = make_env("tool_calc")
REF = {"seed": 0, "difficulty": 1, "index": 0}
task = env.generate(1, seed=0, difficulty=1)[0]
calls = [g["tool_calls"][0]["function"] for g in task.gold[:-1]]
final = task.gold[-1]["content"]
rows: list[dict] = []


def say(text):
    return {"role": "assistant", "content": text}


def hermes(fn, close=True):
    body = json.dumps({"name": fn["name"], "arguments": json.loads(fn["arguments"])})
    return f"<tool_call>\n{body}\n" + ("</tool_call>" if close else "")


def xml(fn):
    params = "".join(f"<parameter={k}>\n{v}\n</parameter>\n"
                     for k, v in json.loads(fn["arguments"]).items())
    return f"<tool_call>\n<function={fn['name']}>\n{params}</function>\n</tool_call>"


def add(cid, actions, expect, reason, tags):
    rows.append({"id": f"text-{cid}", "gen": REF, "actions": actions, "expect": expect,
                 "reason": reason, "tags": tags})


def gen(cid, prefix, repeat, times, suffix, reason):
    rows.append({"id": f"text-{cid}", "gen": REF, "response_gen": {
        "prefix": prefix, "repeat": repeat, "times": times, "suffix": suffix},
        "expect": "wrong", "reason": reason, "tags": ["pathological", "class6"]})


gold_text = [say(hermes(fn)) for fn in calls] + [say(final)]
add("gold-hermes", gold_text, "correct", "the gold calls written as Hermes <tool_call> text",
    ["gold"])
add("gold-xml", [say(xml(fn)) for fn in calls] + [say(final)], "correct",
    "the gold calls in the qwen3_coder XML form", ["equivalent"])
add("gold-unclosed", [say("I'll convert first.\n" + hermes(fn, close=False)) for fn in calls]
    + [say(final)], "correct", "a server stripped the closing </tool_call> stop string",
    ["equivalent"])
add("gold-string-args", [say("<tool_call>" + json.dumps({"name": fn["name"],
                                                         "arguments": fn["arguments"]})
                             + "</tool_call>") for fn in calls] + [say(final)], "correct",
    "arguments sent as a JSON string", ["equivalent"])
add("gold-after-think", [say("<think>need a conversion</think>\n" + hermes(fn)) for fn in calls]
    + [say(final)], "correct", "calls after a closed reasoning block", ["equivalent"])

c0 = calls[0]
args0 = json.loads(c0["arguments"])
HOSTILE = {
    "brackets-1000": "<tool_call>" + "[" * 1000,
    "args-nested-10k": '<tool_call>{"name": "calculate", "arguments": ' + '{"a": ' * 10_000
                       + "1" + "}" * 10_001 + "</tool_call>",
    "nested-tags": "<tool_call>" * 3 + hermes(c0)[len("<tool_call>"):] + "</tool_call>" * 2,
    "duplicate-name": '<tool_call>{"name": "calculate", "name": "' + c0["name"] + '", '
                      '"arguments": ' + json.dumps(args0) + "}</tool_call>",
    "nan-value": '<tool_call>{"name": "convert", "arguments": {"value": NaN, "from_unit": "gal", '
                 '"to_unit": "l"}}</tool_call>',
    "digits-5000": '<tool_call>{"name": "convert", "arguments": {"value": ' + "9" * 5000
                   + ', "from_unit": "gal", "to_unit": "l"}}</tool_call>',
    "lone-surrogate": '<tool_call>{"name": "calculate", "arguments": {"expression": "\\ud800"}}'
                      "</tool_call>",
    "xml-unclosed": "<tool_call><function=calculate>" * 2000,
    "binary": "<tool_call>" + bytes(range(256)).decode("latin-1") * 20,
}
for name, text in HOSTILE.items():
    add(f"{name}-then-gold", [say(text)] + gold_text, "correct",
        "the broken call is an error observation; the episode goes on and the gold solves it",
        ["pathological", "class6"])
    add(f"{name}-alone", [say(text)] * 2, "wrong", "broken calls only: nothing is answered",
        ["pathological", "class6"])
add("think-unclosed-then-gold", [say("<think>" + hermes(c0))] + gold_text, "wrong",
    "a call inside an unclosed <think> is thought, not action: that message is the final "
    "answer, and it has none", ["hack"])
gen("block-1mb", '<tool_call>{"name": "calculate", "arguments": {"expression": "', "1", 1_000_000,
    '"}}</tool_call>', "a 1 MB call is refused as an error observation")
gen("tags-20k", "", hermes(c0), 20_000, "", "20,000 calls in one message: 32 read, then the "
    "tool-call limit; no answer")
gen("brackets-1mb", "<tool_call>", "[", 1_000_000, "", "1 MB of [ after <tool_call>")

ids = [r["id"] for r in rows]
assert len(ids) == len(set(ids))
with (HERE / "tool_call_text.jsonl").open("w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")
print(f"{len(rows)} cases -> {HERE / 'tool_call_text.jsonl'}")
