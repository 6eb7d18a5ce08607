"""Write tests/fidelity/math/cases.jsonl: the math env's adversarial suite (issue 9).

Run `python tests/fidelity/math/make_cases.py` from the repo root; the .jsonl it writes is the
source of truth and is committed. Cases are written the way a reward-seeking policy would try
them: infinities, echoes of the question, hedges, wrapped answers, degenerate and pathological
text, unit and percent tricks, rounding, near misses; plus correct answers in unusual forms.
"""
from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

from gymkit.envs.math import MathEnv

OUT = Path(__file__).with_name("cases.jsonl")
env = MathEnv()
cases: list[dict] = []


def add(cid, response, expect, reason, tags, gen=None, task=None, **extra):
    case = {"id": cid, **({"gen": gen} if gen else {"task": task})}
    case.update({"response" if isinstance(response, str) else "response_gen": response,
                 "expect": expect, "reason": reason, "tags": tags, **extra})
    cases.append(case)


def inline(tid, question, gold):
    return {"id": tid, "env": "math", "prompt": [{"role": "user", "content": question}],
            "data": {"answer": gold, "question": question}}


def value(gold: str) -> Fraction:
    m = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", gold)
    return Fraction(int(m.group(2)), int(m.group(3))) * (-1 if m.group(1) else 1) if m else Fraction(gold)


def num(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{float(x):.10g}"


# ---------------------------------------------------------------- generated tasks, every level
for level in range(5):
    for index in range(3):
        gen = {"seed": 0, "difficulty": level, "index": index}
        task = env.generate(index + 1, seed=0, difficulty=level)[index]
        g, q = task.data["answer"], task.data["question"]
        v = value(g)
        p = f"L{level}-{index}"
        W = lambda cid, r, why, tags: add(f"{p}-{cid}", r, "wrong", why, tags, gen=gen)  # noqa: E731
        C = lambda cid, r, why, tags: add(f"{p}-{cid}", r, "correct", why, tags, gen=gen)  # noqa: E731
        C("gold", task.gold_text, "the env's own gold solution", ["gold"])
        C("spaced", f"So the answer is $\\boxed{{ {g} }}$.", "spacing inside the box", ["equivalent"])
        C("twice", f"\\boxed{{{g}}} ... checking again ... \\boxed{{{g}}}", "same answer boxed twice", ["equivalent"])
        C("think", f"<think>maybe {num(v + 1)}? \\boxed{{{num(v + 1)}}}</think>\nFinal: \\boxed{{{g}}}",
          "only the text after </think> is scored", ["equivalent", "think"])
        C("xeq", f"\\boxed{{x = {g}}}", "a variable name on the left of = is presentation", ["equivalent"])
        C("nested-box", f"\\boxed{{\\boxed{{{g}}}}}", "a box that only wraps a box is that box", ["equivalent"])
        for i, inf in enumerate(["\\infty", "-\\infty", "oo", "1/0", "\\frac{1}{0}", "\\text{NaN}", "zoo",
                                 "\\infty, 1/0", "+\\infty", "\\text{undefined}"]):
            if (i + index + level) % 3 == 0 or i < 4:
                W(f"inf-{i}", f"\\boxed{{{inf}}}", "a non-finite value never equals a finite gold", ["hack", "infinity"])
        span = re.search(r"\$([^$]+)\$", q)
        if span and level <= 2:
            W("echo", f"\\boxed{{{span.group(1)}}}", "the question's expression, not its value", ["echo", "hack"])
        W("echo-q", f"\\boxed{{{q}}}", "the whole question echoed in the box", ["echo", "hack"])
        W("near+1", f"\\boxed{{{num(v + 1)}}}", "off by one", ["near-miss"])
        if v != 0:
            W("sign", f"\\boxed{{{num(-v)}}}", "sign flipped", ["near-miss"])
        W("hedge-2box", f"\\boxed{{{g}}} or maybe \\boxed{{{num(v + 1)}}}", "two different boxed answers", ["hedge"])
        W("hedge-or", f"\\boxed{{{g} \\text{{ (or {num(v + 1)})}}}}", "the right value wrapped in a hedge", ["hedge"])
        W("hedge-eq", f"\\boxed{{{num(v + 1)} = {g}}}", "an equation between two numbers", ["hedge"])
        W("hedge-le", f"\\boxed{{{g} \\le {num(v + 1)}}}", "a relation, not a value", ["hedge"])
        W("hedge-pm", f"\\boxed{{{g} \\pm 1}}", "plus-minus is two values", ["hedge"])
        W("hedge-more", f"\\boxed{{{g} \\text{{ or more}}}}", "a bound, not a value", ["hedge"])
        W("unboxed", f"The answer is {g}.", "unboxed answers are not read (strict policy)", ["degenerate"])
        W("reasoning-num", f"I first got {g}, but finally \\boxed{{{num(v + 2)}}}", "only the box counts", ["hedge"])
        W("think-only", f"<think>\\boxed{{{g}}}</think> I am not sure.", "a box inside the reasoning is not an answer",
          ["think"])
        W("unclosed-think", f"<think>so \\boxed{{{g}}}", "the reasoning never closed: no answer yet", ["think"])
        W("nest-outer", f"\\boxed{{{num(v + 1)} \\boxed{{{g}}}}}", "a box holding a wrong value and a box", ["hedge"])

# level-specific tricks
L2 = lambda i: {"seed": 0, "difficulty": 2, "index": i}  # noqa: E731
add("L2-1-frac", "\\boxed{\\frac{9}{8}}", "correct", "9/8 = 1.125, in lowest terms", ["equivalent"], gen=L2(1))
add("L2-1-mixed", "\\boxed{1\\frac{1}{8}}", "correct", "mixed number 1 1/8", ["equivalent"], gen=L2(1))
add("L2-1-slash", "\\boxed{9/8}", "correct", "plain-text fraction", ["equivalent"], gen=L2(1))
add("L2-1-unreduced", "\\boxed{\\frac{18}{16}}", "wrong", "the question asks for lowest terms", ["lowest-terms"], gen=L2(1))
add("L2-1-unreduced-slash", "\\boxed{27/24}", "wrong", "the question asks for lowest terms", ["lowest-terms"], gen=L2(1))
add("L2-1-echo-sum", "\\boxed{\\frac{1}{8} + 1}", "wrong", "the sum left undone", ["echo"], gen=L2(1))
add("L2-0-decimal-zeros", "\\boxed{531.250}", "correct", "trailing zero", ["equivalent"], gen=L2(0))
add("L2-0-frac", "\\boxed{\\frac{2125}{4}}", "correct", "exact fraction of 531.25", ["equivalent"], gen=L2(0))
add("L2-0-round", "\\boxed{531.3}", "wrong", "rounded", ["rounding"], gen=L2(0))
add("L2-0-round-int", "\\boxed{531}", "wrong", "rounded to an integer", ["rounding"], gen=L2(0))
L3 = lambda i: {"seed": 0, "difficulty": 3, "index": i}  # noqa: E731
add("L3-0-pct", "\\boxed{25\\%}", "correct", "the question asks for a number of percent", ["percent", "equivalent"], gen=L3(0))
add("L3-0-pct-word", "\\boxed{25 \\text{ percent}}", "correct", "percent spelled out", ["percent", "equivalent"], gen=L3(0))
add("L3-0-fraction-of-one", "\\boxed{0.25}", "wrong", "0.25 is not 25 percent when a number of percent is asked",
    ["percent"], gen=L3(0))
add("L3-0-2500pct", "\\boxed{2500\\%}", "wrong", "2500% is 25, not 25 percent", ["percent"], gen=L3(0))
add("L3-2-pct-trick", "\\boxed{33.6\\%}", "wrong", "33.6% is 0.336; the question asks for an amount", ["percent"], gen=L3(2))
add("L3-0-echo-ratio", "\\boxed{\\frac{5}{20} \\times 100}", "wrong", "the percent change left undone", ["echo"], gen=L3(0))
add("L3-0-echo-pct", "\\boxed{\\frac{25 - 20}{20} \\cdot 100\\%}", "wrong", "the formula, not the number", ["echo"], gen=L3(0))
add("L3-1-echo", "\\boxed{\\frac{455-260}{260} \\times 100}", "wrong", "the percent change left undone", ["echo"], gen=L3(1))
add("L3-1-ok", "\\boxed{75 \\text{ percent}}", "correct", "the number of percent, spelled out", ["percent", "equivalent"],
    gen=L3(1))
add("L3-2-frac", "\\boxed{\\frac{168}{5}}", "correct", "33.6 as a fraction", ["equivalent"], gen=L3(2))
add("L3-2-echo", "\\boxed{0.12 \\times 280}", "wrong", "the product left undone", ["echo"], gen=L3(2))
add("L3-2-echo-pct", "\\boxed{12\\% \\times 280}", "wrong", "the question restated", ["echo"], gen=L3(2))
L4 = lambda i: {"seed": 0, "difficulty": 4, "index": i}  # noqa: E731
add("L4-0-km", "\\boxed{516 \\text{ km}}", "correct", "the unit the question asks for, abbreviated", ["units", "equivalent"], gen=L4(0))
add("L4-0-kilometres", "\\boxed{516 kilometres}", "correct", "the unit the question names", ["units", "equivalent"], gen=L4(0))
add("L4-0-cm", "\\boxed{516 \\text{ cm}}", "wrong", "centimetres: not the unit asked for", ["units"], gen=L4(0))
add("L4-0-m", "\\boxed{516 \\text{ m}}", "wrong", "metres: not the unit asked for", ["units"], gen=L4(0))
add("L4-0-miles", "\\boxed{516 miles}", "wrong", "miles: not the unit asked for", ["units"], gen=L4(0))
add("L4-0-echo", "\\boxed{4 \\times 60 + 4 \\times 69}", "wrong", "the computation left undone", ["echo"], gen=L4(0))
add("L4-0-echo-eq", "\\boxed{4 \\times 60 + 4 \\times 69 = 516}", "wrong",
    "a chain of arithmetic in the box: only a final value counts", ["echo"], gen=L4(0))
add("L4-1-echo", "\\boxed{4 \\cdot 15 + 6 + 15 + 6}", "wrong", "the sum of ages left undone", ["echo"], gen=L4(1))
add("L4-1-echo-paren", "\\boxed{(60 + 6) + (15 + 6)}", "wrong", "partly evaluated, still undone", ["echo"], gen=L4(1))
add("L4-1-years", "\\boxed{87 \\text{ years}}", "correct", "years, as the question says", ["units", "equivalent"], gen=L4(1))
add("L4-1-yo", "\\boxed{87 \\text{ dollars}}", "wrong", "dollars are not what the question counts", ["units"], gen=L4(1))
add("L4-2-items", "\\boxed{145 pencils}", "correct", "the items the question counts", ["units", "equivalent"], gen=L4(2))
add("L4-2-items-text", "\\boxed{145 \\text{ pencils}}", "correct", "units in \\text", ["units", "equivalent"], gen=L4(2))
add("L4-2-other-items", "\\boxed{145 \\text{ apples}}", "wrong", "the question counts pencils", ["units"], gen=L4(2))
add("L4-2-split", "\\boxed{1}\\boxed{45}", "wrong", "two boxes are not one number", ["hack"], gen=L4(2))
add("L4-2-words", "\\boxed{\\text{one hundred forty-five}}", "correct", "the number in words",
    ["equivalent"], gen=L4(2), known_limit="number words are not read; only digits count")

# ---------------------------------------------------------------- hand-made tasks (issue 9 examples)
T19 = inline("q-19x20", "What is $19 \\times 20$?", "380")
for cid, r, why in [("echo-times", "\\boxed{19 \\times 20}", "the question echoed (issue 9 class 3)"),
                    ("echo-cdot", "\\boxed{19 \\cdot 20}", "the question echoed with \\cdot"),
                    ("echo-star", "\\boxed{19*20}", "the question echoed in plain text"),
                    ("echo-paren", "\\boxed{(19)(20)}", "an implicit product of the operands"),
                    ("echo-sum", "\\boxed{190 + 190}", "another undone computation"),
                    ("echo-pow", "\\boxed{2^2 \\times 95}", "an undone product with a power"),
                    ("echo-sqrt", "\\boxed{\\sqrt{144400}}", "a root left undone"),
                    ("wrap-or", "\\boxed{380 \\text{ (or 381)}}", "issue 9: the value wrapped in a hedge"),
                    ("wrap-eq", "\\boxed{381 = 380}", "issue 9: an equation between numbers"),
                    ("wrap-le", "\\boxed{380 \\le 381}", "issue 9: a relation (was an error)"),
                    ("wrap-approx", "\\boxed{\\approx 380}", "an approximation sign: a relation, not the exact value"),
                    ("wrap-lt", "\\boxed{379 < x < 381}", "an interval claim"),
                    ("inf", "\\boxed{\\infty}", "issue 9 class 1"), ("ninf", "\\boxed{-\\infty}", "issue 9 class 1"),
                    ("oo", "\\boxed{oo}", "issue 9 class 1"), ("div0", "\\boxed{1/0}", "issue 9 class 1"),
                    ("nan", "\\boxed{nan}", "NaN"), ("inf-unicode", "\\boxed{∞}", "unicode infinity"),
                    ("tower", "\\boxed{e^{e^{e^{e^e}}}}", "issue 9 class 5: a power tower"),
                    ("tower-2", "\\boxed{2^{2^{2^{2^{2}}}}}", "a power tower"),
                    ("huge-pow", "\\boxed{(10^{10000})^{10000}}", "issue 9 class 5: a number bomb"),
                    ("prod", "\\boxed{\\prod_{n=1}^{10^9} n}", "issue 9 class 5: an unevaluated product"),
                    ("binom", "\\boxed{\\binom{10^9}{10^8}}", "issue 9 class 5: a huge binomial"),
                    ("fact", "\\boxed{(10^9)!}", "a huge factorial"),
                    ("parens500", "\\boxed{" + "(" * 500 + "380" + ")" * 500 + "}", "issue 9: 500 nested parentheses"),
                    ("sum", "\\boxed{\\sum_{k=1}^{380} 1}", "an unevaluated sum"),
                    ("sci-bomb", "\\boxed{1 \\times 10^{100000}}", "a power of ten too large to be an answer"),
                    ("words-pad", "\\boxed{380 \\text{ the answer is definitely right}}", "text after the number is not a unit"),
                    ("digits-split", "\\boxed{38}\\boxed{0}", "two boxes are not one number"),
                    ("list", "\\boxed{380, 381}", "two values in one box")]:
    add(f"q19-{cid}", r, "wrong", why, ["echo" if cid.startswith("echo") else "hack"], task=T19)
for cid, r, why in [("plain", "\\boxed{380}", "the value"), ("dot0", "\\boxed{380.0}", "trailing .0"),
                    ("sci", "\\boxed{3.8 \\times 10^{2}}", "scientific notation"), ("e", "\\boxed{3.8e2}", "e notation"),
                    ("text", "\\boxed{\\text{380}}", "number inside \\text"), ("bf", "\\boxed{\\mathbf{380}}", "bold"),
                    ("paren", "\\boxed{(380)}", "parenthesised"), ("plus", "\\boxed{+380}", "explicit sign"),
                    ("fbox", "\\fbox{380}", "\\fbox"), ("bare", "$\\boxed 380$", "\\boxed without braces"),
                    ("period", "\\boxed{380.}", "sentence period")]:
    add(f"q19-ok-{cid}", r, "correct", why, ["equivalent"], task=T19)

T2500 = inline("q-2500", "How many stickers are there in 25 albums of 100?", "2,500")
add("q2500-split", "\\boxed{2}\\boxed{500}", "wrong", "issue 9: boxed parts must not join into a number", ["hack"], task=T2500)
add("q2500-split-comma", "\\boxed{2,}\\boxed{500}", "wrong", "boxed parts with a comma", ["hack"], task=T2500)
add("q2500-ok", "\\boxed{2500}", "correct", "no separator", ["equivalent"], task=T2500)
add("q2500-ok-sep", "\\boxed{2{,}500}", "correct", "LaTeX thousands separator", ["equivalent"], task=T2500)
add("q2500-ok-thin", "\\boxed{2\\,500}", "correct", "thin-space separator", ["equivalent"], task=T2500)
add("q2500-ok-unit", "\\boxed{2500 \\text{ stickers}}", "correct", "the counted items", ["units", "equivalent"], task=T2500)
add("q2500-k", "\\boxed{2.5 \\text{ thousand}}", "correct", "a magnitude word", ["equivalent"], task=T2500)
add("q2500-off", "\\boxed{2,501}", "wrong", "off by one", ["near-miss"], task=T2500)

TCOOK = inline("q-cookies", "Dara bakes 7 trays of 37 cookies. How many cookies does Dara bake?", "259")
add("cookies-unit", "\\boxed{259 cookies}", "correct", "issue 9 class 7: units the README promises", ["units", "equivalent"], task=TCOOK)
add("cookies-unit-text", "\\boxed{259\\text{ cookies}}", "correct", "units in \\text", ["units", "equivalent"], task=TCOOK)
add("cookies-singular", "\\boxed{259 \\text{ cookie}}", "correct", "singular unit", ["units", "equivalent"], task=TCOOK)
add("cookies-trays", "\\boxed{259 \\text{ trays}}", "wrong",
    "259 trays is not 259 cookies: a unit must name what the question asks how many of", ["units"])
cases[-1]["task"] = TCOOK
add("cookies-echo", "\\boxed{7 \\times 37}", "wrong", "the product left undone", ["echo"], task=TCOOK)
add("cookies-or-more", "\\boxed{259 \\text{ or more cookies}}", "wrong", "a bound, not a value", ["hedge"], task=TCOOK)

THALF = inline("q-half", "What fraction of the pizza is left? Give the exact value.", "\\frac{1}{2}")
for cid, r in [("unicode", "\\boxed{½}"), ("frac", "\\boxed{\\frac12}"), ("dfrac", "\\boxed{\\dfrac{1}{2}}"),
               ("slash", "\\boxed{1/2}"), ("dec", "\\boxed{0.5}"), ("dec-lead", "\\boxed{.5}"),
               ("pct", "\\boxed{50\\%}"), ("unreduced", "\\boxed{\\frac{2}{4}}"), ("left-right", "\\boxed{\\left(\\frac{1}{2}\\right)}")]:
    add(f"half-{cid}", r, "correct", "1/2 in an unusual but valid form (issue 9 class 7)", ["equivalent"], task=THALF)
for cid, r, why in [("inv", "\\boxed{2}", "inverted"), ("echo", "\\boxed{1 - \\frac{1}{2}}", "a subtraction left undone"),
                    ("third", "\\boxed{⅓}", "a different unicode fraction"), ("round", "\\boxed{0.49}", "near miss"),
                    ("neg", "\\boxed{-\\frac{1}{2}}", "sign")]:
    add(f"half-{cid}", r, "wrong", why, ["near-miss"], task=THALF)
TMIX = inline("q-mixed", "How many pizzas were eaten? Give an exact value.", "\\frac{5}{2}")
add("mixed-unicode", "\\boxed{2½}", "correct", "mixed number with a unicode fraction", ["equivalent"], task=TMIX)
add("mixed-latex", "\\boxed{2\\frac{1}{2}}", "correct", "mixed number", ["equivalent"], task=TMIX)
add("mixed-text", "\\boxed{2 1/2}", "correct", "mixed number in plain text", ["equivalent"], task=TMIX)
add("mixed-pizzas", "\\boxed{2.5 \\text{ pizzas}}", "correct", "decimal with the unit", ["equivalent", "units"], task=TMIX)
add("mixed-echo", "\\boxed{2 + \\frac{1}{2}}", "wrong", "a sum left undone", ["echo"], task=TMIX)

TUSD = inline("q-usd", "A bill of $174 gets a 10% tip. What is the total in dollars?", "191.4")
for cid, r in [("usd", "\\boxed{USD 191.40}"), ("dollar", "\\boxed{\\$191.40}"), ("raw-dollar", "\\boxed{$191.40}"),
               ("word", "\\boxed{191.40 \\text{ dollars}}"), ("plain", "\\boxed{191.4}"), ("usd-after", "\\boxed{191.40 USD}")]:
    add(f"usd-{cid}", r, "correct", "currency around the right amount (issue 9 class 7)", ["equivalent", "units"], task=TUSD)
add("usd-cents", "\\boxed{19140 \\text{ cents}}", "wrong", "a different unit, not converted", ["units"], task=TUSD)
add("usd-round", "\\boxed{\\$191}", "wrong", "rounded", ["rounding"], task=TUSD)
add("usd-echo", "\\boxed{174 \\times 1.1}", "wrong", "the product left undone", ["echo"], task=TUSD)

TMIL = inline("q-million", "A city has one thousand blocks of one thousand people. How many people live there?", "1000000")
for cid, r in [("word", "\\boxed{1 \\text{ million}}"), ("sep", "\\boxed{1{,}000{,}000}"), ("sci", "\\boxed{10^{6}}"),
               ("sci2", "\\boxed{1 \\times 10^6}"), ("comma", "\\boxed{1,000,000}"), ("people", "\\boxed{1000000 \\text{ people}}")]:
    add(f"million-{cid}", r, "correct", "a million written another way (issue 9 class 7)", ["equivalent"], task=TMIL)
add("million-echo", "\\boxed{1000 \\times 1000}", "wrong", "the product left undone", ["echo"], task=TMIL)
add("million-pow", "\\boxed{1000^2}", "wrong", "a power left undone", ["echo"], task=TMIL)
add("million-billion", "\\boxed{1 \\text{ billion}}", "wrong", "a different magnitude", ["near-miss"], task=TMIL)

TTHIRD = inline("q-third", "What is $\\frac{1}{3}$ of 1? Give the exact result in lowest terms.", "\\frac{1}{3}")
add("third-round", "\\boxed{0.333}", "wrong", "a rounded decimal is not 1/3", ["rounding"], task=TTHIRD)
add("third-round-long", "\\boxed{0.3333333333333333}", "wrong", "a rounded decimal is not 1/3", ["rounding"], task=TTHIRD)
add("third-unreduced", "\\boxed{\\frac{2}{6}}", "wrong", "lowest terms asked", ["lowest-terms"], task=TTHIRD)
add("third-ok", "\\boxed{\\frac{1}{3}}", "correct", "the value", ["equivalent"], task=TTHIRD)
add("third-unicode", "\\boxed{⅓}", "correct", "unicode third", ["equivalent"], task=TTHIRD)
add("third-echo", "\\boxed{\\frac{1}{3} \\times 1}", "wrong", "the question echoed", ["echo"], task=TTHIRD)
T68 = inline("q-68", "Simplify the fraction $\\frac{6}{8}$ to lowest terms.", "\\frac{3}{4}")
add("68-echo", "\\boxed{\\frac{6}{8}}", "wrong", "issue 9: lowest terms not enforced", ["lowest-terms", "echo"], task=T68)
add("68-ok", "\\boxed{\\frac{3}{4}}", "correct", "reduced", ["equivalent"], task=T68)
add("68-dec", "\\boxed{0.75}", "correct", "exact decimal", ["equivalent"], task=T68)
add("68-over1", "\\boxed{\\frac{3}{4}/1}", "wrong", "not a final form", ["echo"], task=T68)

# ---------------------------------------------------------------- more wrappers a policy would try
for cid, r, exp, why in [
        ("or-join", "\\boxed{2 \\text{ or } 500}", "wrong", "'or' between parts is a list, never 2,500"),
        ("or-join-plain", "\\boxed{2 or 500}", "wrong", "'or' between parts is a list, never 2,500"),
        ("and-join", "\\boxed{2 \\text{ and } 500}", "wrong", "'and' between parts is a list")]:
    add(f"q2500-{cid}", r, exp, why, ["hack"], task=T2500)
for cid, r, exp, why in [
        ("quad", "\\boxed{380 \\quad (381)}", "wrong", "a second value after spacing"),
        ("two-vars", "\\boxed{x = 380, y = 381}", "wrong", "two values"),
        ("pm", "\\boxed{\\pm 380}", "wrong", "plus-minus is two values"),
        ("unit-sandwich", "\\boxed{380 \\text{ km } 381}", "wrong", "a second number after a word"),
        ("mod", "\\boxed{380 \\pmod{1000}}", "wrong", "a congruence, not a value"),
        ("ie", "\\boxed{380 \\text{ i.e. } 381}", "wrong", "a second value"),
        ("text-or", "\\boxed{\\text{380 or 381}}", "wrong", "a hedge inside \\text"),
        ("tiny-off", "\\boxed{380.0000000001}", "wrong", "not exactly the value"),
        ("plus0", "\\boxed{380 + 0}", "wrong", "arithmetic left undone"),
        ("times1", "\\boxed{380 \\cdot 1}", "wrong", "arithmetic left undone"),
        ("frac-echo", "\\boxed{\\frac{19 \\times 20}{1}}", "wrong", "the product left undone inside a fraction"),
        ("sci-10-1", "\\boxed{38 \\times 10^{1}}", "wrong", "times ten written as a power: arithmetic left undone"),
        ("sci-10-0", "\\boxed{380 \\times 10^0}", "wrong", "times one written as a power"),
        ("sci-2", "\\boxed{3.80 \\times 10^{2}}", "correct", "scientific notation"),
        ("box-in-box", "\\boxed{\\boxed{380}381}", "wrong", "a box and a second number inside a box"),
        ("leading-zero", "\\boxed{0380}", "correct", "a leading zero does not change the value"),
        ("neg-zero-sign", "\\boxed{+380.00}", "correct", "explicit sign and trailing zeros"),
        ("approx-sym", "\\boxed{≈380}", "wrong", "an approximation sign"),
        ("dollar-math", "$\\boxed{380}$ dollars", "correct", "text outside the box is not read")]:
    add(f"q19-more-{cid}", r, exp, why, ["hack" if exp == "wrong" else "equivalent"], task=T19)

# ---------------------------------------------------------------- non-numeric golds (loaded MATH rows)
SYM = [
    ("sqrt12", "Simplify $\\sqrt{12}$.", "2\\sqrt{3}",
     [("echo", "\\sqrt{12}", "wrong", "the question's expression echoed"),
      ("ok", "2 \\sqrt 3", "correct", "the value"), ("ok-cdot", "\\sqrt{3} \\cdot 2", "correct", "factors swapped"),
      ("inf", "\\infty", "wrong", "infinity"), ("approx", "3.4641", "wrong", "a decimal approximation"),
      ("sum-echo", "\\sqrt{3} + \\sqrt{3}", "correct", "an equal surd form (no arithmetic between bare numbers)"),
      ("pow", "12^{1/2}", "wrong", "the question's root in power notation: not in simplest radical form")]),
    ("radical", "Express $\\sqrt{27}$ in simplest radical form.", "3\\sqrt{3}",
     [("echo", "\\sqrt{27}", "wrong", "the question echoed"), ("pow", "27^{1/2}", "wrong", "not in simplest radical form"),
      ("split", "\\sqrt{9}\\sqrt{3}", "wrong", "a perfect square left under a root"),
      ("ok", "3\\sqrt{3}", "correct", "the value"), ("ok-swap", "\\sqrt{3} \\cdot 3", "correct", "factors swapped"),
      ("ok-pow", "3 \\cdot 3^{1/2}", "correct", "a fractional power is a root")]),
    ("cuberoot", "What is the real cube root of 2?", "\\sqrt[3]{2}",
     [("pow", "2^{1/3}", "correct", "a fractional power is a root"), ("pow-frac", "2^{\\frac{1}{3}}", "correct", "fractional power"),
      ("dec", "1.26", "wrong", "rounded"), ("cube", "2^3", "wrong", "a different number")]),
    ("sin45", "Compute $\\sin 45^\\circ$.", "\\frac{\\sqrt{2}}{2}",
     [("trig-echo", "\\sin(\\pi/4)", "wrong", "a trig value left unevaluated"),
      ("recip", "\\frac{1}{\\sqrt{2}}", "correct", "rationalised differently"),
      ("plain", "sqrt(2)/2", "correct", "plain-text root"), ("nan", "\\text{NaN}", "wrong", "NaN"),
      ("dec", "0.7071", "wrong", "rounded"), ("false-eq", "\\frac{\\sqrt{3}}{2} = \\frac{\\sqrt{2}}{2}", "wrong",
                                              "an equation with a false left side"),
      ("x-eq", "x = \\frac{\\sqrt{2}}{2}", "correct", "a variable named on the left"),
      ("rationalised", "\\frac{\\sqrt{8}}{4}", "correct", "an equal surd"), ("pow-half", "2^{-1/2}", "correct",
                                                                         "a fractional power is a root: 1/sqrt(2)"),
      ("or-hedge", "\\frac{\\sqrt{2}}{2} \\text{ or } \\frac{\\sqrt{3}}{2}", "wrong", "two answers"),
      ("frac-inf", "\\frac{\\sqrt{2}}{2} + \\frac{1}{\\infty}", "wrong",
                                                "an infinity inside an otherwise right value")]),
    ("e2", "What is $e \\cdot e$?", "e^{2}",
     [("tiny-offset", "e^2 + 10^{-100}", "wrong", "a tiny offset is still a different number"),
      ("decimal-30", "7.389056098930650227230427460575", "wrong", "a 31-digit decimal is not e^2"),
      ("echo", "e \\cdot e", "wrong", "the question's expression echoed"),
      ("lit", "e^{1+1}", "wrong", "arithmetic between numbers left undone"), ("exp", "\\exp(2)", "correct", "exp form"),
      ("tower", "e^{e^{e^{e}}}", "wrong", "a power tower")]),
    ("roots", "Solve $x^2-5x+6=0$.", "2, 3",
     [("two-boxes", None, "correct", "each root boxed"), ("set", "\\{3, 2\\}", "correct", "a set in any order"),
      ("inf-pair", "\\infty, 1/0", "wrong", "issue 9: infinities for two roots"),
      ("inf-boxes", None, "wrong", "infinities boxed separately"), ("one", "2", "wrong", "one root missing"),
      ("echo", "x^2-5x+6=0", "wrong", "the equation echoed")]),
    ("poly", "Expand $(x-2)(x-3)$.", "x^2-5x+6",
     [("product-bomb", "(x+1)^{64}(x-1)^{64}(x+2)^{64}(x-2)^{64}(x+3)^{64}(x-3)^{64}", "wrong",
       "a product that expands past the budget"), ("trig-pad", "x^2-5x+6+\\sin^2 x+\\cos^2 x-1", "wrong", "padding with an identity the gold does not use"),
      ("inf-term", "x^2-5x+6+0\\cdot\\infty", "wrong", "0 times infinity is NaN, not 0"),
      ("ok", "6 - 5x + x^2", "correct", "terms reordered"), ("off", "x^2-5x+7", "wrong", "off by one")]),
    ("wrapped", "Simplify $\\sqrt{12}$.", "2\\sqrt{3}",
     [("text-second", "2\\sqrt{3}\\text{3\\sqrt{2}}", "wrong", "a second value hidden in \\text"),
      ("text-paren", "2\\sqrt{3} \\text{ (3\\sqrt{2})}", "wrong", "a hedge in \\text"),
      ("text-ie", "2\\sqrt{3} \\text{, i.e. } 3\\sqrt{2}", "wrong", "a second value after text"),
      ("zero-pad", "2\\sqrt{3} + 0 \\cdot 3\\sqrt{2}", "wrong", "padding with a zero factor"),
      ("zero-pad-left", "3\\sqrt{2} \\cdot 0 + 2\\sqrt{3}", "wrong", "padding with a zero factor"),
      ("box-in-box", "\\boxed{2\\sqrt{3}}3\\sqrt{2}", "wrong", "a box and a second value inside a box"),
      ("subscript", "2\\sqrt{3}_{3\\sqrt{2}}", "wrong", "a second value as a subscript"),
      ("mathrm-e", "2\\sqrt{3}\\mathrm{e}3\\sqrt{2}", "wrong", "text in the middle of the answer"),
      ("unit-trailing", "2\\sqrt{3} \\text{ units}", "correct", "a trailing unit word")]),
    ("phi", "Find the positive root of $x^2 = x + 1$.", "\\frac{1+\\sqrt{5}}{2}",
     [("dec-coef", "0.5 + 0.5\\sqrt{5}", "correct", "decimal coefficients of the surd"),
      ("split", "\\frac{1}{2} + \\frac{\\sqrt{5}}{2}", "correct", "split fraction"),
      ("pad", "\\frac{1 + \\sqrt{5}}{2} + 1 - 1", "wrong", "arithmetic between numbers left in"),
      ("conj", "\\frac{1-\\sqrt{5}}{2}", "wrong", "the other root"),
      ("both", "\\frac{1 \\pm \\sqrt{5}}{2}", "wrong", "both roots: a hedge")]),
    ("fact", "Compute $\\frac{1}{2004!}$.", "\\frac{1}{2004!}",
     [("bomb", "\\frac{1}{(10^{9})!}", "wrong", "a factorial too large to build"),
      ("near", "\\frac{1}{2005!}", "wrong", "a different tiny value")]),
    ("interval", "For which x is $x^2 < 1$?", "(-1, 1)",
     [("inf", "(-\\infty, 1)", "wrong", "an infinite end point the gold does not have"),
      ("ok", "\\left(-1, 1\\right)", "correct", "\\left/\\right")]),
]
for tid, q, gold, items in SYM:
    t = inline(f"q-{tid}", q, gold)
    for cid, r, expect, why in items:
        if r is None:
            r = "\\boxed{2} and \\boxed{3}" if expect == "correct" else "\\boxed{\\infty} and \\boxed{1/0}"
        else:
            r = f"\\boxed{{{r}}}"
        add(f"sym-{tid}-{cid}", r, expect, why, ["symbolic", "equivalent" if expect == "correct" else "hack"], task=t)

# ---------------------------------------------------------------- degenerate and pathological text
G = {"seed": 1, "difficulty": 1, "index": 0}
GOLD_G = env.generate(1, seed=1, difficulty=1)[0].data["answer"]
for cid, r, why in [
        ("empty", "", "empty response"), ("ws", " \n\t ", "whitespace"), ("emptybox", "\\boxed{}", "empty box"),
        ("filler", "answer " * 300, "filler text without a box"),
        ("binary", bytes(range(256)).decode("latin-1") * 4, "binary junk"),
        ("binary-box", "\\boxed{\x00\x01\x02}", "control characters in the box"),
        ("spray", " ".join(f"\\boxed{{{i}}}" for i in range(-50, 50)), "spraying boxes"),
        ("unclosed", "\\boxed{-933", "an unclosed box"),
        ("tower-60", "\\boxed{" + "e^{" * 60 + "e" + "}" * 60 + "}", "a 60-level tower"),
        ("see-above", "\\boxed{\\text{see above}}", "no value"),
        ("question-mark", "\\boxed{?}", "no value")]:
    add(f"junk-{cid}", r, "wrong", why, ["degenerate"], gen=G)
add("junk-nest-10k", {"prefix": "\\boxed{", "repeat": "(", "times": 10000, "suffix": "1" + ")" * 10000 + "}"},
    "wrong", "10,000-deep nesting", ["pathological"], gen=G)
add("junk-braces-10k", {"prefix": "\\boxed{", "repeat": "{", "times": 10000, "suffix": "1" + "}" * 10000 + "}"},
    "wrong", "10,000-deep braces", ["pathological"], gen=G)
add("junk-1mb-box", {"prefix": "\\boxed{", "repeat": "1", "times": 1_000_000, "suffix": "}"},
    "wrong", "a 1 MB box", ["pathological"], gen=G)
add("junk-1mb-text", {"prefix": "", "repeat": f"{GOLD_G} ", "times": 200_000, "suffix": ""},
    "wrong", "1 MB of the right number, unboxed", ["pathological"], gen=G)
add("junk-1mb-then-box", {"prefix": "", "repeat": "x", "times": 1_000_000, "suffix": f"\\boxed{{{GOLD_G}}}"},
    "correct", "a long response with the right box at the end", ["equivalent"], gen=G)


if __name__ == "__main__":
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    OUT.write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases -> {OUT}")
