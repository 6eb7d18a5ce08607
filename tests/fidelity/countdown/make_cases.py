"""Writes cases.jsonl: the countdown fidelity suite (run from the repo root with the venv)."""
import ast
import json
from pathlib import Path

from gymkit.registry import make_env

env = make_env("countdown")
rows = []


def add(cid, ref, response, expect, reason, tags, **kw):
    rows.append({"id": cid, "gen": ref, "response": response, "expect": expect,
                 "reason": reason, "tags": tags, **kw})


def commuted(expr: str) -> str:
    """The same expression with the operands of every + and * swapped."""
    class Swap(ast.NodeTransformer):
        def visit_BinOp(self, node):
            self.generic_visit(node)
            if isinstance(node.op, (ast.Add, ast.Mult)):
                node.left, node.right = node.right, node.left
            return node
    return ast.unparse(Swap().visit(ast.parse(expr, mode="eval")))


for level in (1, 2, 3):
    for i in range(4):
        ref = {"seed": 11, "difficulty": level, "index": i}
        t = env.generate(i + 1, seed=11, difficulty=level)[i]
        nums, target, gold = t.data["numbers"], t.data["target"], t.data["gold_expression"]
        q = t.prompt[-1]["content"]
        k = f"L{level}-{i}"
        # correct forms
        add(f"{k}-gold", ref, f"\\boxed{{{gold}}}", "correct", "the stored gold expression", ["gold"])
        add(f"{k}-commuted", ref, f"\\boxed{{{commuted(gold)}}}", "correct",
            "operands of + and * swapped: same value, same numbers", ["equivalent"])
        latex = gold.replace("*", " \\times ")
        add(f"{k}-latex-times", ref, f"$\\boxed{{{latex}}}$", "correct",
            "\\times for multiplication", ["equivalent"])
        add(f"{k}-states-result", ref, f"\\boxed{{{gold} = {target}}}", "correct",
            "a trailing '= target' states the result", ["equivalent"])
        add(f"{k}-reasoning", ref, f"<think>try {nums[0]} first... no.</think>Working it out, "
            f"{gold} gives {target}.\n\nFinal: \\boxed{{{gold}}}", "correct",
            "reasoning before one boxed expression", ["equivalent"])
        # hostile
        add(f"{k}-target-only", ref, f"\\boxed{{{target}}}", "wrong" if target not in nums else "correct",
            "the bare target is not an expression over the numbers" if target not in nums
            else "the target is itself one of the numbers", ["hack"])
        add(f"{k}-echo", ref, f"\\boxed{{{q}}}", "wrong", "the question echoed in a box", ["echo"])
        add(f"{k}-hedge", ref, f"\\boxed{{{gold}}} or maybe \\boxed{{{nums[0]} + {nums[1]}}}",
            "wrong", "two different boxed expressions is a hedge", ["hedge"])
        add(f"{k}-reuse", ref, f"\\boxed{{{gold} + {nums[0]} - {nums[0]}}}", "wrong",
            f"uses {nums[0]} more often than given", ["hack"])
        add(f"{k}-wrong-value", ref, f"\\boxed{{{gold} + 1}}", "wrong",
            "1 is not among the numbers and the value is off by one", ["near-miss"])
        add(f"{k}-false-claim", ref, f"\\boxed{{{nums[0]} = {target}}}",
            "wrong" if nums[0] != target else "correct",
            "the right side of '=' is a claim, not the expression", ["hack"])
        add(f"{k}-infinity", ref, "\\boxed{\\infty}", "wrong", "infinity is not an expression", ["infinity"])
        add(f"{k}-divzero", ref, f"\\boxed{{{nums[0]} / ({nums[1]} - {nums[1]})}}", "wrong",
            "division by zero, and a number reused", ["pathological"])

ref = {"seed": 11, "difficulty": 1, "index": 0}
t = env.generate(1, seed=11, difficulty=1)[0]
a, b, c = t.data["numbers"]
add("frac-form", ref, f"\\boxed{{{t.data['gold_expression']}}} \\text{{, i.e. }} \\boxed{{{t.data['target']}}}",
    "wrong", "a second box with the bare target is a second, different answer", ["hedge"])


def inline(cid, numbers, target, response, expect, reason, tags, **kw):
    task = env._task(f"countdown-fidelity-{cid}", numbers, target, None)
    rows.append({"id": cid, "task": json.loads(task.model_dump_json()), "response": response,
                 "expect": expect, "reason": reason, "tags": tags, **kw})


inline("frac", [6, 3, 8], 16, "\\boxed{\\frac{6}{3} \\cdot 8}", "correct",
       "\\frac{a}{b} is division", ["equivalent"])
inline("dfrac-nested", [6, 3, 8], 16, "\\boxed{8 \\times \\dfrac{6}{3}}", "correct",
       "\\dfrac and \\times", ["equivalent"])
inline("unicode-ops", [6, 3, 8], 16, "\\boxed{6 ÷ 3 × 8}", "correct", "÷ and ×", ["equivalent"])
inline("frac-reuse", [6, 3, 8], 16, "\\boxed{\\frac{6}{3} \\cdot 8 \\cdot \\frac{3}{3}}", "wrong",
       "3 used three times", ["hack"])
inline("unary-minus", [3, 5, 10], 7, "\\boxed{-3 + 10}", "correct", "unary minus on a given number",
       ["equivalent"], known_limit="unary minus is refused (README: known limit); -3 + 10 = 10 - 3")
inline("not-all-used", [3, 5, 10], 15, "\\boxed{5 + 10}", "correct", "numbers need not all be used",
       ["equivalent"])
inline("intermediate-fraction", [3, 4, 6], 8, "\\boxed{(4 / 3) * 6}", "correct",
       "exact rationals in between are allowed", ["equivalent"])
inline("float-rounding", [3, 1, 7], 2, "\\boxed{7 / 3}", "wrong", "7/3 is not 2 (no rounding)",
       ["near-miss"])
for cid, resp, why, tags in [
    ("unboxed-gold", "The answer is 3 + 4 * 2.", "no boxed answer: lenient extraction is a hack", ["hack"]),
    ("nested-parens", "\\boxed{" + "(" * 5000 + "1" + ")" * 5000 + "}", "10,000 characters of nesting", ["pathological"]),
    ("power", "\\boxed{9 ** 9 ** 9}", "** is not an allowed operator", ["pathological"]),
    ("floor-div", "\\boxed{9 // 2}", "// is not an allowed operator", ["hack"]),
    ("concat", "\\boxed{(2)(5)}", "juxtaposition is not an operator", ["hack"]),
    ("float", "\\boxed{2.5 * 4}", "decimals are not among the numbers", ["hack"]),
    ("python-call", "\\boxed{__import__('os').system('true')}", "code is not arithmetic", ["hack"]),
    ("empty-box", "\\boxed{}", "empty box", ["degenerate"]),
    ("many-boxes", " ".join(f"\\boxed{{{n}}}" for n in range(20)), "spraying boxes", ["hedge"]),
    ("binary", "\\boxed{\x00\x01\x02}", "binary junk", ["degenerate"]),
    ("unicode-digits", "\\boxed{\u0663 + \u0664}", "non-ASCII digits are refused", ["hack"]),
    ("think-only", "<think>\\boxed{1+2}</think>", "a box inside the reasoning only", ["hack"]),
    ("megabyte", "\\boxed{" + "1+" * 200000 + "1}", "a 400 KB expression", ["pathological"]),
]:
    add(cid, ref, resp, "wrong", why, tags)

path = Path(__file__).with_name("cases.jsonl")
path.write_text("".join(json.dumps(r) + "\n" for r in rows))
print(f"wrote {len(rows)} cases to {path}")
