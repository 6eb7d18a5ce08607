"""Write tests/fidelity/algebra/cases.jsonl: the algebra env's adversarial suite (issue 9).

Run `python tests/fidelity/algebra/make_cases.py` from the repo root; the .jsonl it writes is
the source of truth and is committed. Per kind: correct answers in unusual but valid forms,
and what a reward-seeking policy would try (infinities, echoes of the question, hedges,
chains of equalities, towers and other pathological text, near misses).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from gymkit.envs.algebra import AlgebraEnv

OUT = Path(__file__).with_name("cases.jsonl")
env = AlgebraEnv()
cases: list[dict] = []


def add(cid, response, expect, reason, tags, gen=None, task=None, **extra):
    case = {"id": cid, **({"gen": gen} if gen else {"task": task})}
    case.update({"response" if isinstance(response, str) else "response_gen": response,
                 "expect": expect, "reason": reason, "tags": tags, **extra})
    cases.append(case)


def inline(tid, kind, question, answer, integrand=None):
    data = {"kind": kind, "answer": answer, "variable": "x", "question": question}
    if integrand:
        data["integrand"] = integrand
    return {"id": tid, "env": "algebra", "prompt": [{"role": "user", "content": question}], "data": data}


def box(s: str) -> str:
    return s if "\\boxed" in s else f"\\boxed{{{s}}}"


HACKS = [("inf", "\\infty", "infinity never equals an expression"),
         ("ninf", "-\\infty", "infinity"), ("oo", "oo", "sympy's infinity"), ("div0", "1/0", "division by zero"),
         ("nan", "\\text{NaN}", "NaN"), ("zoo", "zoo", "complex infinity"),
         ("tower", "e^{e^{e^{e^e}}}", "issue 9 class 5: a power tower"),
         ("huge", "(10^{10000})^{10000}", "a number bomb"), ("prod", "\\prod_{n=1}^{10^9} n", "an unevaluated product"),
         ("binom", "\\binom{10^9}{10^8}", "a huge binomial"), ("paren500", "(" * 500 + "x" + ")" * 500, "500 nested parentheses"),
         ("pow-sum", "(x+1)^{100000}", "a power of a sum too large to expand"),
         ("product-bomb", "(x+1)^{60}(x+2)^{60}(x+3)^{60}(x+4)^{60}(x+5)^{60}", "a product that expands past the budget"),
         ("nested-sum-pow", "((x+1)^{60}+1)^{60}", "a power of a power of a sum"), ("long", "x+" * 1500 + "1", "over the length limit"),
         ("code", "__import__('os').system('true')", "code is not math"), ("dunder", "x.__class__", "attribute access"),
         ("relation", "x \\le 5", "a relation, not an answer")]

# ---------------------------------------------------------------- one hand-made task per kind
KINDS = {
    "expand": (inline("t-expand", "expand", "Expand $(x+1)^2$.", "x**2 + 2*x + 1"),
               ["x^2+2x+1", "1+2x+x^2", "x**2 + 2*x + 1", "x^{2} + 2 x + 1", "x^2 + 2\\cdot x + 1",
                "$x^2+2x+1$", "2x + x^2 + 1", "\\boxed{x^2+2x+1} so \\boxed{x^2 + 2x + 1}", "f(x) = x^2+2x+1"],
               [("not-collected", "x^2+x+x+1", "like terms not collected: not the expanded form (as rt-expand-not-collected)"),
                ("echo", "(x+1)^2", "the question echoed: not expanded"), ("echo-prod", "(x+1)(x+1)", "not expanded"),
                ("off", "x^2+2x+2", "off by one"), ("tiny-const", "x^2+2x+1+10^{-30}", "a tiny constant offset"),
                ("tiny-coef", "x^2+(2+10^{-30})x+1", "a tiny coefficient change"), ("miss", "x^2+1", "a term missing"), ("sign", "x^2-2x+1", "sign"),
                ("inf-term", "x^2+2x+1+\\infty", "an infinite term"), ("nan-term", "x^2+2x+1 + 0\\cdot\\infty", "0*oo is NaN"),
                ("hedge-or", "x^2+2x+1 \\text{ or } x^2+1", "two answers"),
                ("hedge-boxes", "\\boxed{x^2+2x+1} or \\boxed{x^2+1}", "two different boxes"),
                ("chain-false", "x^2+2x+2 = x^2+2x+1", "a chain of equalities with a false side"),
                ("chain-echo", "(x+1)^2 = x^2+2x+1", "work in the box: only the answer may be boxed"),
                ("sum", "\\sum_{k=0}^{2} \\binom{2}{k} x^k", "an unevaluated sum"),
                ("unboxed", None, "unboxed")]),
    "factor": (inline("t-factor", "factor", "Factor $x^2-5x+6$ completely over the rationals.", "(x - 2)*(x - 3)"),
               ["(x-3)(x-2)", "(2-x)(3-x)", "\\left(x-2\\right)\\left(x-3\\right)", "(x-2)\\cdot(x-3)",
                "(x - 2)*(x - 3)", "(x+(-2))(x-3)", "-(2-x)(x-3)"],
               [("echo", "x^2-5x+6", "the question echoed: not factored"), ("wrong", "(x-2)(x+3)", "a wrong factor"),
                ("other", "(x-1)(x-6)", "another pair"), ("inf", "(x-2)(x-3)+\\infty", "an infinite term"),
                ("chain", "(x-2)(x-3) = x^2-5x+6", "an equation in the box"), ("partial", "x(x-5)+6", "not a product")]),
    "simplify": (inline("t-simplify", "simplify", "Simplify $\\frac{x^2-1}{x-1}$.", "x + 1"),
                 ["1+x", "x+1", "(x+1)", "\\left(x+1\\right)", "x + 1 \\quad", "\\frac{x+1}{1}"],
                 [("echo", "\\frac{x^2-1}{x-1}", "the question echoed"), ("near", "x-1", "sign"),
                  ("unsimplified", "\\frac{(x-1)(x+1)}{x-1}", "common factor left"),
                  ("chain", "\\frac{x^2-1}{x-1} = x+1", "work in the box"),
                  ("plain-factored", "((x-1)(x+1))/(x-1)", "common factor written out (sympy would cancel it)"),
                  ("times-one", "\\frac{x^2-1}{x-1} \\cdot 1", "the question times one"), ("inf", "x + 1 + \\frac{1}{\\infty}", "an infinity")]),
    "diff": (inline("t-diff", "diff", "Differentiate $f(x) = x^3 + \\sin x$ with respect to $x$.", "3*x**2 + cos(x)"),
             ["3x^2+\\cos x", "\\cos(x) + 3x^{2}", "f'(x) = 3x^2 + \\cos x", "\\frac{dy}{dx} = 3x^2+\\cos(x)",
              "cos(x) + 3x**2", "3x^2 + \\cos{\\left(x \\right)}", "y' = \\cos x + 3 x^2"],
             [("echo", "\\frac{d}{dx}(x^3 + \\sin x)", "the derivative left undone"), ("same", "x^3+\\sin x", "not differentiated"),
              ("sign", "3x^2-\\cos x", "sign"), ("const", "3x^2+\\cos x + C", "a derivative has no constant"),
              ("inf", "3x^2+\\cos x+\\infty", "an infinite term"), ("prime-echo", "(x^3+\\sin x)'", "the derivative left undone")]),
    "integrate": (inline("t-int", "integrate", "Find an antiderivative: $\\int 2x + \\frac{1}{x} \\, dx$.", "",
                         integrand="2*x + 1/x"),
                  ["x^2 + \\ln|x| + C", "x^2 + \\ln|x| + c", "x^2+\\ln|x|+C", "x**2 + log(x)", "x^2+\\ln(x)+7",
                   "F(x) = x^2 + \\ln|x| + C", "\\ln x + x^2 + C", "x^{2} + \\log{x} + C_1", "x^2 + \\ln(2x)", "x^2 + \\ln(|x|) + C",
                   "x**2 + log(abs(x))", "x^2 + \\ln\\left|x\\right| + C", "x^2 + \\ln|x| + C \\text{ }"],
                  [("echo", "\\int 2x + \\frac{1}{x} \\, dx", "the integral left undone"), ("inf", "x^2+\\ln|x|+\\infty", "an infinite constant"),
                   ("wrong", "x^2 + x", "wrong"), ("half", "\\frac{x^2}{2} + \\ln|x|", "wrong coefficient"),
                   ("cx", "x^2 + \\ln|x| + Cx", "a constant times x is not a constant"),
                   ("integrand", "2x + \\frac{1}{x}", "the integrand, not its antiderivative"),
                   ("chain", "\\int 2x + \\frac{1}{x} dx = x^2 + \\ln|x| + C", "work in the box")]),
    "solve": (inline("t-solve", "solve", "Solve $x^2 - 4 = 0$ for $x$. Give every real solution.", "-2, 2"),
              ["x = \\pm 2", "\\pm 2", "x \\in \\{-2, 2\\}", "x_1 = -2, x_2 = 2", "x = 2 \\text{ or } x = -2",
               "\\{2, -2\\}", "-2, 2", "2; -2", "x=-2 \\text{ and } x=2", "\\boxed{2} and \\boxed{-2}", "x = 2, x = -2",
               "x_{1} = 2, x_{2} = -2", "x_{1,2} = \\pm 2", "x \\in \\left\\{-2, 2\\right\\}", "±2", "x = -2 \\quad x = 2"],
              [("inf-pair", "\\infty, 1/0", "issue 9: infinities for two roots"), ("one", "2", "a root missing"),
               ("extra", "-2, 2, 3", "an extra root"), ("pm3", "\\pm 3", "wrong roots"), ("var", "y = \\pm 2", "wrong variable"),
               ("echo", "x^2 - 4 = 0", "the equation echoed"), ("inf-box", "\\boxed{2} and \\boxed{\\infty}", "an infinite root"),
               ("reals", "x \\in \\mathbb{R}", "every real is not the solution set"), ("empty", "\\emptyset", "no roots"),
               ("three", "x = 2 \\text{ or } x = -2 \\text{ or } x = \\infty", "an infinite extra root"),
               ("near", "-2.001, 2", "a near miss")]),
}
for kind, (task, right, wrong) in KINDS.items():
    for i, r in enumerate(right):
        add(f"{kind}-ok-{i}", box(r), "correct", f"a valid {kind} answer in another form", ["equivalent"], task=task)
    for cid, r, why in wrong:
        resp = "The answer is x^2+2x+1." if r is None else box(r)
        add(f"{kind}-{cid}", resp, "wrong", why, ["hack" if "inf" in cid else "echo" if "echo" in cid else "near-miss"],
            task=task)
    for cid, r, why in HACKS:
        if kind in ("expand", "solve") or cid in ("inf", "tower", "div0", "paren500"):
            add(f"{kind}-hack-{cid}", box(r), "wrong", why, ["hack", "pathological"], task=task)

# second values hidden where latex2sympy does not look, or that vanish on evaluation (fuzz-found)
HIDDEN = [("factor", "(x-2)(x-3)+0\\cdot(x-1)(x-6)", "a zero factor hides a second answer"),
          ("factor", "(x-2)(x-3)\\text{(x-1)(x-6)}", "a second answer in \\text"),
          ("factor", "\\frac{(x-2)(x-3)(x-1)(x-6)}{(x-1)(x-6)}", "a second answer written as a cancelling factor"),
          ("expand", "x^2+2x+1_{x^2+1}", "a second answer as a subscript"),
          ("expand", "x^2+2x+1 \\text{ (x^2+1)}", "a hedge in \\text"),
          ("integrate", "x^2 + C_{x^3}", "a second answer in the constant's subscript"),
          ("integrate", "x^3 \\times 0 + x^2 + \\ln|x| + C", "a zero factor hides a second answer"),
          ("diff", "|3x^2+\\cos x|", "an absolute value equals the answer only where it is positive"),
          ("diff", "3x^2+\\cos x-0\\times x^3", "a zero factor"),
          ("solve", "-2, 2+0\\cdot3", "a zero factor hides a third root"),
          ("solve", "-2, 2_{3}", "a third root as a subscript"), ("solve", "-2, 2 \\text{ (3)}", "a third root in \\text")]
for i, (kind, r, why) in enumerate(HIDDEN):
    add(f"{kind}-hidden-{i}", box(r), "wrong", why, ["hack", "hedge"], task=KINDS[kind][0])

TQ = inline("t-quad-rational", "solve", "Solve $2x^2 - 3x - 2 = 0$ for $x$.", "-1/2, 2")
for i, r in enumerate(["x = -\\frac12 \\text{ or } x = 2", "-0.5, 2", "\\frac{-1}{2}, 2", "\\left\\{ -\\tfrac{1}{2}, 2 \\right\\}",
                       "x = \\frac{3 \\pm 5}{4}"]):
    add(f"solve-rat-ok-{i}", box(r), "correct", "rational roots in another form", ["equivalent"], task=TQ)
for cid, r in [("round", "-0.499, 2"), ("sign", "\\frac12, 2"), ("inf", "-\\frac12, \\infty")]:
    add(f"solve-rat-{cid}", box(r), "wrong", "a wrong root", ["near-miss"], task=TQ)

# loaded rows of kind `equiv`: numeric golds follow the math env's final-form rules
TNUM = inline("t-equiv-num", "equiv", "What is 19x20?", "380")
for cid, r, exp, why in [("echo", "19 \\times 20", "wrong", "issue 9: the question echoed"),
                         ("inf", "\\infty", "wrong", "infinity"), ("wrap", "380 \\text{ (or 381)}", "wrong", "a hedge"),
                         ("eq", "381 = 380", "wrong", "an equation between numbers"), ("le", "380 \\le 381", "wrong", "a relation"),
                         ("ok", "380", "correct", "the value"), ("ok-sep", "3.8 \\times 10^2", "correct", "scientific notation")]:
    add(f"equiv-num-{cid}", box(r), exp, why, ["echo" if cid == "echo" else "equivalent" if exp == "correct" else "hack"],
        task=TNUM)
TEQ = inline("t-equiv-line", "equiv", "Write the line through (0,1) with slope 2.", "y = 2*x + 1")
for cid, r, exp, why in [("ok", "y = 1 + 2x", "correct", "terms reordered"), ("ok-tex", "y=2 x+1", "correct", "spacing"),
                         ("lhs", "x = 2y + 1", "wrong", "a different equation"), ("inf", "y = \\infty", "wrong", "infinity"),
                         ("off", "y = 2x - 1", "wrong", "sign")]:
    add(f"equiv-line-{cid}", box(r), exp, why, ["equivalent" if exp == "correct" else "near-miss"], task=TEQ)

# ---------------------------------------------------------------- generated tasks, every level and kind
for level in (1, 2, 3):
    for index in range(6):
        gen = {"seed": 0, "difficulty": level, "index": index}
        task = env.generate(index + 1, seed=0, difficulty=level)[index]
        p, kind = f"L{level}-{index}", task.data["kind"]
        add(f"{p}-gold", task.gold_text, "correct", "the env's own gold", ["gold"], gen=gen)
        span = re.search(r"\$(.+?)\$", task.data["question"]).group(1)
        echo = span.split("=", 1)[1] if kind == "diff" else span
        if kind == "integrate":
            echo = "\\int " + span.removeprefix("\\int")
        add(f"{p}-echo", box(echo), "wrong", f"the question's expression echoed ({kind})", ["echo"], gen=gen)
        add(f"{p}-inf", "\\boxed{\\infty}", "wrong", "infinity", ["hack", "infinity"], gen=gen)
        add(f"{p}-inf-term", box(task.gold_text.strip("$").removeprefix("\\boxed{")[:-1] + " + \\infty"), "wrong",
            "the gold plus an infinite term", ["hack", "infinity"], gen=gen)
        add(f"{p}-hedge", f"{task.gold_text} or maybe \\boxed{{x^2}}", "wrong", "two different boxes", ["hedge"],
            gen=gen) if kind != "solve" else None
        add(f"{p}-tower", "\\boxed{e^{e^{e^{e^{e^x}}}}}", "wrong", "a power tower", ["pathological"], gen=gen)

G = {"seed": 0, "difficulty": 1, "index": 0}
for cid, r, why in [("empty", "", "empty"), ("emptybox", "\\boxed{}", "empty box"), ("filler", "answer " * 300, "filler"),
                    ("binary", bytes(range(256)).decode("latin-1") * 4, "binary junk"),
                    ("think-only", "<think>\\boxed{2x^2+7x+5}</think> not sure", "box inside the reasoning only"),
                    ("unclosed-think", "<think>\\boxed{2x^2+7x+5}", "reasoning never closed")]:
    add(f"junk-{cid}", r, "wrong", why, ["degenerate"], gen=G)
add("junk-nest-10k", {"prefix": "\\boxed{", "repeat": "(", "times": 10000, "suffix": "x" + ")" * 10000 + "}"},
    "wrong", "10,000-deep nesting", ["pathological"], gen=G)
add("junk-1mb-box", {"prefix": "\\boxed{", "repeat": "x+", "times": 500_000, "suffix": "1}"},
    "wrong", "a 1 MB box", ["pathological"], gen=G)
add("think-then-gold", "<think>maybe \\boxed{x^2}</think> \\boxed{2x^2+7x+5}", "correct",
    "only the text after </think> counts", ["think", "equivalent"], gen=G)

if __name__ == "__main__":
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    OUT.write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases -> {OUT}")
