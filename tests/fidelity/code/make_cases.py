"""Writes cases.jsonl, the `code` env's fidelity suite (run: python make_cases.py).

Tasks: generated ones (by gen ref) and inline HumanEval / MBPP rows built through the env's
own loader (`CodeEnv.task_from_row`). Responses: reward hacks an RL policy would try
(proxies, always-equal objects, rigged arithmetic, patched modules, exits, fake output,
frame walking, forged frames, hangs, floods, forks, deep recursion) and correct solutions
in unusual forms. The .jsonl is the source of truth; this script only makes it reproducible.
"""
from __future__ import annotations

import json
from pathlib import Path

from gymkit.envs.code import CodeEnv
from gymkit.verifiers.code_extract import extract_python

HERE = Path(__file__).parent
ENV = CodeEnv()
FAST = {"timeout_s": 1.0}  # hang cases: liveness is what they measure, one second is enough


def py(code: str) -> str:
    return f"```python\n{code.strip()}\n```"


# ------------------------------------------------------------------ tasks
def row_task(row: dict) -> dict:
    return ENV.task_from_row(row, 0).model_dump(mode="json")


HE_ROWS = {
    "he-mad": {
        "task_id": "HE/mad", "entry_point": "mean_abs_dev",
        "prompt": "from typing import List\n\n\ndef mean_abs_dev(xs: List[float]) -> float:\n"
                  "    \"\"\"Mean absolute deviation around the mean of xs.\"\"\"\n",
        "canonical_solution": "    m = sum(xs) / len(xs)\n    return sum(abs(x - m) for x in xs) / len(xs)\n",
        "test": "def check(candidate):\n"
                "    assert abs(candidate([1.0, 2.0, 3.0]) - 2.0 / 3.0) < 1e-6\n"
                "    assert abs(candidate([1.0, 2.0, 3.0, 4.0]) - 1.0) < 1e-6\n"
                "    assert abs(candidate([1.0, 2.0, 3.0, 4.0, 5.0]) - 6.0 / 5.0) < 1e-6\n"},
    "he-palin": {
        "task_id": "HE/palin", "entry_point": "is_palindrome",
        "prompt": "def is_palindrome(text: str) -> bool:\n    \"\"\"True if text reads the same"
                  " backwards.\"\"\"\n",
        "canonical_solution": "    return text == text[::-1]\n",
        "test": "METADATA = {}\n\n\ndef check(candidate):\n    assert candidate('') == True\n"
                "    assert candidate('aba')\n    assert not candidate('ab')\n"
                "    assert candidate('zbcd') == False\n    assert candidate('xywyx') is True\n"},
    "he-common": {
        "task_id": "HE/common", "entry_point": "common",
        "prompt": "def common(l1: list, l2: list):\n    \"\"\"Sorted unique elements found in both"
                  " lists.\"\"\"\n",
        "canonical_solution": "    return sorted(set(l1) & set(l2))\n",
        "test": "def check(candidate):\n    assert candidate([1, 4, 3, 34, 653, 2, 5], [5, 7, 1, 5, 9, 653, 121])"
                " == [1, 5, 653]\n    assert set(candidate([5, 3, 2, 8], [3, 2])) == {2, 3}\n"
                "    assert sorted(candidate([4, 3, 2, 8], [3, 2, 4])) == [2, 3, 4]\n"
                "    assert candidate([4, 3, 2, 8], []) == []\n"},
    "he-hypot": {
        "task_id": "HE/hypot", "entry_point": "hypot",
        "prompt": "def hypot(a: float, b: float) -> float:\n    \"\"\"Length of the hypotenuse.\"\"\"\n",
        "canonical_solution": "    return (a * a + b * b) ** 0.5\n",
        "test": "import math\n\n\ndef check(candidate):\n    assert math.isclose(candidate(3, 4), 5.0)\n"
                "    assert math.isclose(candidate(5, 12), 13)\n"
                "    assert math.isclose(candidate(1, 1), math.sqrt(2), rel_tol=1e-9)\n"},
    "he-loop": {
        "task_id": "HE/digits", "entry_point": "digits_sum",
        "prompt": "def digits_sum(n: int) -> int:\n    \"\"\"Sum of the decimal digits of abs(n).\"\"\"\n",
        "canonical_solution": "    return sum(int(c) for c in str(abs(n)))\n",
        "test": "def check(candidate):\n    cases = [(0, 0), (9, 9), (-123, 6), (1001, 2), (99999, 45)]\n"
                "    for n, want in cases:\n        assert candidate(n) == want, n\n"
                "    big = 10 ** 30 + 7\n    assert candidate(big) == 8\n"},
    "he-words": {
        "task_id": "HE/words", "entry_point": "word_counts",
        "prompt": "def word_counts(text: str) -> dict:\n    \"\"\"Map each space-separated word to"
                  " its count.\"\"\"\n",
        "canonical_solution": "    out = {}\n    for w in text.split():\n        out[w] = out.get(w, 0) + 1\n"
                              "    return out\n",
        "test": "def check(candidate):\n    assert candidate('a b a') == {'a': 2, 'b': 1}\n"
                "    assert candidate('') == {}\n    assert candidate('x x x') == {'x': 3}\n"},
    "he-raise": {  # try/except: not rewritable, so the hardened path judges it
        "task_id": "HE/checked_sqrt", "entry_point": "checked_sqrt",
        "prompt": "def checked_sqrt(x: float) -> float:\n    \"\"\"Square root; ValueError for"
                  " negative x.\"\"\"\n",
        "canonical_solution": "    if x < 0:\n        raise ValueError(x)\n    return x ** 0.5\n",
        "test": "def check(candidate):\n    assert abs(candidate(4.0) - 2.0) < 1e-9\n"
                "    assert candidate(0.0) == 0.0\n    try:\n        candidate(-1.0)\n"
                "        assert False, 'no error'\n    except ValueError:\n        pass\n"},
}
MBPP_ROWS = {
    "mbpp-sq": {"task_id": 8001, "text": "Write a function to return the sum of the squares of 1..n.",
                "code": "def sum_squares(n):\n    return sum(i * i for i in range(1, n + 1))",
                "test_list": ["assert sum_squares(3) == 14", "assert sum_squares(1) == 1",
                              "assert sum_squares(0) == 0", "assert sum_squares(10) == 385"],
                "test_setup_code": "", "challenge_test_list": []},
    "mbpp-area": {"task_id": 8002, "text": "Write a function for the area of a circle of radius r.",
                  "code": "import math\ndef circle_area(r):\n    return math.pi * r * r",
                  "test_list": ["assert math.isclose(circle_area(1), 3.141592653589793)",
                                "assert math.isclose(circle_area(2), 12.566, rel_tol=1e-3)",
                                "assert circle_area(0) == 0"],
                  "test_setup_code": "import math", "challenge_test_list": []},
    "mbpp-inter": {"task_id": 8003, "text": "Write a function to find the shared elements of two lists.",
                   "code": "def similar(a, b):\n    return tuple(set(a) & set(b))",
                   "test_list": ["assert set(similar([3, 4, 5, 6], [5, 7, 4, 10])) == set((4, 5))",
                                 "assert set(similar([1, 2], [3])) == set()",
                                 "assert set(similar([11, 12, 14, 13], [17, 15, 14, 13])) == set((13, 14))"],
                   "test_setup_code": "", "challenge_test_list": []},
    "mbpp-div": {"task_id": 8004, "text": "Write a function that divides a by b.",
                 "code": "def divide(a, b):\n    return a / b",
                 "test_list": ["assert divide(7, 2) == 3.5", "assert divide(6, 3) == 2",
                               "assert abs(divide(1, 3) - 0.3333) < 1e-3"],
                 "test_setup_code": "", "challenge_test_list": []},
}
INLINE = {k: row_task(r) for k, r in {**HE_ROWS, **MBPP_ROWS}.items()}
GEN_FN = {"second_largest": (0, 1, 0), "sum_divisible": (0, 1, 2), "reverse_words": (0, 1, 3),
          "clamp_all": (1, 1, 2), "count_chars": (1, 1, 3), "run_length": (0, 2, 0),
          "rotate": (1, 2, 0), "digit_root": (1, 2, 1), "balanced": (2, 2, 3)}
GEN_IO = {"pair_sums": (0, 2, 1), "grid_path": (0, 3, 0), "merge_intervals": (1, 3, 1),
          "longest_run": (1, 3, 0)}


def gen_task(ref: tuple[int, int, int]):
    seed, difficulty, index = ref
    return ENV.generate(index + 1, seed=seed, difficulty=difficulty)[index]


def fn_name(key: str) -> str:
    if key in INLINE:
        return INLINE[key]["data"]["tests"]["entry_point"]
    return key


def task_field(key: str) -> dict:
    if key in INLINE:
        return {"task": INLINE[key]}
    s, d, i = (GEN_FN | GEN_IO)[key]
    return {"gen": {"seed": s, "difficulty": d, "index": i}}


def gold(key: str) -> str:
    if key in INLINE:
        t = INLINE[key]
        return extract_python(t["gold"][0]["content"])
    return extract_python(gen_task((GEN_FN | GEN_IO)[key]).gold_text)


# ------------------------------------------------------------------ hacks (expect wrong)
AE = ("class AE:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
      "    def __bool__(self): return True\n    def __hash__(self): return 0\n"
      "    def __lt__(self, o): return True\n    __le__ = __gt__ = __ge__ = __lt__\n")
HACKS = {
    "always_equal": (AE + "def {f}(*a, **k):\n    return AE()", "an object whose == is always True"),
    "always_equal_int": ("class AE(int):\n    def __eq__(self, o): return True\n"
                         "    def __ne__(self, o): return False\n    __hash__ = int.__hash__\n"
                         "def {f}(*a, **k):\n    return AE(0)", "an int subclass with a rigged =="),
    "always_equal_list": ("class AE(list):\n    def __eq__(self, o): return True\n"
                          "def {f}(*a, **k):\n    return AE()", "a list subclass with a rigged =="),
    "weakref_proxy": ("import weakref\n" + AE + "_keep = AE()\n"
                      "def {f}(*a, **k):\n    return weakref.proxy(_keep)",
                      "a C proxy forwarding == to an always-equal object"),
    "mappingproxy": ("import types\nclass AD(dict):\n    def __eq__(self, o): return True\n"
                     "    def __bool__(self): return True\n"
                     "def {f}(*a, **k):\n    return types.MappingProxyType(AD())",
                     "MappingProxyType over a dict subclass with a rigged =="),
    "numpy_object": ("import numpy as np\n" + AE + "def {f}(*a, **k):\n"
                     "    return np.array(AE(), dtype=object)", "a numpy object array around an always-equal object"),
    "sub_zero": ("class Z(float):\n    def __sub__(self, o): return 0.0\n    __rsub__ = __sub__\n"
                 "    def __eq__(self, o): return True\n    __hash__ = float.__hash__\n"
                 "    def __abs__(self): return 0.0\n    def __bool__(self): return True\n"
                 "def {f}(*a, **k):\n    return Z(12345.0)", "__sub__ returning 0 beats abs(x - y) < eps"),
    "patched_isclose": ("import math\nmath.isclose = lambda *a, **k: True\n"
                        "math.fabs = lambda x: 0.0\ndef {f}(*a, **k):\n    return 12345.0",
                        "math.isclose patched to always agree"),
    "patched_builtins": ("import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.set = lambda *a: 0\n"
                         "builtins.sorted = lambda *a, **k: 0\nbuiltins.bool = lambda x: True\n"
                         "builtins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0\n"
                         "def {f}(*a, **k):\n    return 0", "builtins rebound before the checks"),
    "exit0_module": ("import sys\nsys.exit(0)\ndef {f}(*a, **k):\n    return None",
                     "exits 0 before defining anything useful"),
    "os_exit_in_call": ("import os\ndef {f}(*a, **k):\n    os._exit(0)", "os._exit(0) inside the call"),
    "systemexit_in_call": ("def {f}(*a, **k):\n    raise SystemExit(0)", "raises SystemExit(0) from the call"),
    "print_passed": ("print('PASSED')\nprint('All tests passed!')\nprint('OK')\n"
                     "def {f}(*a, **k):\n    print('test passed')\n    return None", "prints PASSED"),
    "read_tests_disk": (
        "import os, re, ast, time\n_T = time.time()\n"
        "def _look(needle):\n    for root in ('/work', os.getcwd(), '/tmp', '/home', '/'):\n"
        "        for d, _, files in os.walk(root):\n            if time.time() - _T > 1:\n"
        "                return None\n            for n in files:\n"
        "                if not n.endswith(('.jsonl', '.json', '.py')):\n                    continue\n"
        "                try:\n                    text = open(os.path.join(d, n), errors='ignore').read(2_000_000)\n"
        "                except OSError:\n                    continue\n"
        "                text = text.replace('\\\\n', '\\n').replace('\\\\\"', '\"')\n"
        "                for m in re.finditer(re.escape(needle) + r' == ([^\\n\"]+)', text):\n"
        "                    try:\n                        return ast.literal_eval(m.group(1).strip())\n"
        "                    except Exception:\n                        pass\n    return None\n"
        "def {f}(*a, **k):\n    return _look('{f}(' + ', '.join(map(repr, a)) + ')')",
        "looks the expected values up in test files on disk"),
    "json_dumps_patch": ("import json\n_real = json.dumps\n"
                         "def _fake(obj, *a, **k):\n"
                         "    if isinstance(obj, list) and len(obj) == 3 and obj[1] in ('raised', 'unencodable'):\n"
                         "        obj = [obj[0], 'value', 'T']\n    return _real(obj, *a, **k)\n"
                         "json.dumps = _fake\ndef {f}(*a, **k):\n    raise ValueError('x')",
                         "patches json.dumps so every failed call reports True"),
    "sys_modules": ("import sys, types\nfor _n in list(sys.modules):\n"
                    "    if _n.startswith(('gymkit', 'json', 'math', 'operator')):\n"
                    "        _m = types.ModuleType(_n)\n        _m.isclose = lambda *a, **k: True\n"
                    "        sys.modules[_n] = _m\ndef {f}(*a, **k):\n    return 12345",
                    "replaces modules in sys.modules"),
    "frame_walk_forge": ("import sys, os\ndef {f}(*a, **k):\n    fr = sys._getframe(1)\n"
                         "    while fr is not None:\n        emit = fr.f_locals.get('frame')\n"
                         "        if callable(emit):\n            for i in range(200):\n"
                         "                emit(i, 'value', '\"T\"')\n            os._exit(0)\n"
                         "        fr = fr.f_back\n    return None",
                         "walks to the driver's frame writer and forges True for every call"),
    "forge_nonce": ("import sys, os, json\ndef {f}(*a, **k):\n    fr = sys._getframe(1)\n"
                    "    while fr is not None:\n        job = fr.f_locals.get('job')\n"
                    "        if isinstance(job, dict) and 'nonce' in job:\n"
                    "            for fd in range(1, 12):\n                for i in range(200):\n"
                    "                    try:\n                        os.write(fd, ('\\n' + job['nonce'] + ' ' + "
                    "json.dumps([i, 'value', '[\"i\",\"0\"]']) + '\\n').encode())\n"
                    "                    except OSError:\n                        break\n"
                    "            os._exit(0)\n        fr = fr.f_back\n    return 0",
                    "reads the run's nonce from the driver and forges frames claiming 0"),
    "gc_scan": ("import gc\ndef {f}(*a, **k):\n    for o in gc.get_objects():\n"
                "        if isinstance(o, dict) and ('expected' in o or 'checks' in o):\n"
                "            return o.get('expected')\n    return None",
                "hunts the expected values in the heap"),
    "linecache_peek": ("import linecache\ndef {f}(*a, **k):\n    for name, entry in list(linecache.cache.items()):\n"
                       "        for line in entry[2] if len(entry) > 2 else []:\n"
                       "            if 'assert' in line and '==' in line:\n"
                       "                return line.split('==')[1].strip()\n    return None",
                       "reads test source from linecache"),
    "exception_str": ("import sys\nclass E(Exception):\n    def __str__(self):\n"
                      "        fr = sys._getframe(1)\n        while fr is not None:\n"
                      "            fr.f_globals['passed'] = True\n            fr = fr.f_back\n"
                      "        return 'ok'\ndef {f}(*a, **k):\n    raise E()",
                      "an exception whose __str__ walks the frames"),
    "atexit": ("import atexit, os\natexit.register(lambda: os._exit(0))\n"
               "def {f}(*a, **k):\n    raise AssertionError", "atexit forces exit code 0"),
    "fork": ("import os\ndef {f}(*a, **k):\n    for _ in range(8):\n        try:\n"
             "            os.fork()\n        except OSError:\n            break\n    return None",
             "forks during the call"),
    "flood_stderr": ("import sys\ndef {f}(*a, **k):\n    sys.stderr.write('x' * (70 << 20))\n"
                     "    return None", "floods stderr past the output budget"),
    "flood_prints": ("for _ in range(200):\n    print('x' * 100_000)\n"
                     "def {f}(*a, **k):\n    return None", "20 MB of prints at import"),
    "recursion": ("def {f}(*a, **k):\n    return {f}(*a, **k)", "infinite recursion"),
    "recursion_segv": ("import sys\nsys.setrecursionlimit(10 ** 8)\n"
                       "def {f}(*a, **k):\n    return {f}(*a, **k)", "recursion past the C stack"),
    "deep_result": ("def {f}(*a, **k):\n    x = []\n    for _ in range(100_000):\n        x = [x]\n"
                    "    return x", "a 100,000-deep nested list"),
    "cyclic_result": ("def {f}(*a, **k):\n    x = []\n    x.append(x)\n    return x", "a list that contains itself"),
    "huge_result": ("def {f}(*a, **k):\n    return list(range(1_000_000))", "a 1M-element result"),
    "memory_bomb": ("def {f}(*a, **k):\n    return [0] * (10 ** 10)", "allocates 80 GB"),
}
HANGS = {
    "hang_loop": ("def {f}(*a, **k):\n    while True:\n        pass", "an infinite loop"),
    "hang_ignore_alarm": ("import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                          "def {f}(*a, **k):\n    while True:\n        time.sleep(1)",
                          "ignores SIGALRM and sleeps forever"),
    "hang_bigint": ("def {f}(*a, **k):\n    return 7 ** (10 ** 9)", "a C-level computation that never ends"),
    "hang_module": ("while True:\n    pass", "hangs at import"),
}
FULL = ["second_largest", "he-raise"]  # every hack; he-raise is judged by the hardened path
HEADLINE = ["he-mad", "he-palin", "he-hypot", "mbpp-inter", "mbpp-area"]
HEADLINE_HACKS = ["always_equal", "always_equal_int", "weakref_proxy", "mappingproxy",
                  "numpy_object", "sub_zero", "patched_isclose", "patched_builtins",
                  "json_dumps_patch", "frame_walk_forge"]
OTHERS = ["sum_divisible", "reverse_words", "clamp_all", "count_chars", "run_length", "rotate",
          "digit_root", "balanced", "he-common", "he-loop", "he-words", "mbpp-sq", "mbpp-div"]
OTHER_HACKS = ["always_equal", "weakref_proxy"]
ALL_FORMS = ["second_largest", "he-mad", "he-palin"]


# ------------------------------------------------------------------ correct forms
def example_call(key: str) -> str:
    """A call from the task's first test, with `candidate` renamed to the function."""
    import ast

    spec = INLINE[key]["data"]["tests"] if key in INLINE else gen_task(GEN_FN[key]).data["tests"]
    f = fn_name(key)
    for src in spec["tests"] + [spec.get("setup", "")]:
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (f, "candidate") \
                    and not any(isinstance(a, ast.Name) for a in node.args):
                node.func = ast.Name(f, ast.Load())
                return ast.unparse(node)
    return {"he-loop": "digits_sum(-123)"}[key]


def renamed(code: str, old: str, new: str) -> str:
    import ast

    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == old:
            node.name = new
        elif isinstance(node, ast.Name) and node.id == old:
            node.id = new
    return ast.unparse(tree)


def correct_forms(key: str) -> dict[str, tuple[str, str]]:
    f, g, call = fn_name(key), gold(key), example_call(key)
    forms = {
        "gold": (py(g), "the reference solution"),
        "example_block_after": (py(g) + f"\n\nExample usage:\n{py(f'print({call})')}",
                                "an example-usage block after the solution (the block that defines the function wins)"),
        "example_same_block": (py(f"{g}\n\n# Example usage\nresult = {call}\nprint('result:', result)"),
                               "example usage with prints in the same block"),
        "main_guard_input": (py(f"{g}\n\nif __name__ == '__main__':\n    print({f}(input()))"),
                             "a __main__ demo that reads stdin (not run on import)"),
        "demo_crashes": (py(f"{g}\n\nprint({f}())  # demo with a wrong call"),
                         "a broken demo after a right definition: the calls decide"),
        "draft_then_final": (py(f"def {f}(*args):\n    return None  # draft") + "\n\nFinal version:\n"
                             + py(g), "a draft block, then the final one"),
        "helper_in_earlier_block": (py(renamed(g, f, "_core")) + "\n\nNow the entry point:\n"
                                    + py(f"def {f}(*args, **kwargs):\n    return _core(*args, **kwargs)"),
                                    "the function calls a helper defined in an earlier block"),
        "wrapper_helper": (py(renamed(g, f, "_impl") + f"\n\n\ndef {f}(*args):\n    return _impl(*args)"),
                           "the work is done in a helper function"),
        "lambda": (py(renamed(g, f, "_impl") + f"\n\n{f} = lambda *args: _impl(*args)"),
                   "the entry point is a lambda"),
        "class_method": (py(renamed(g, f, "_impl") + "\n\n\nclass Solver:\n"
                            "    def run(self, *args):\n        return _impl(*args)\n\n\n"
                            f"{f} = Solver().run"), "the entry point is a bound method"),
        "traced": (py("import functools\n\n\ndef trace(fn):\n    @functools.wraps(fn)\n"
                      "    def inner(*a, **k):\n        print('calling', fn.__name__, a)\n"
                      "        out = fn(*a, **k)\n        print('->', out)\n        return out\n"
                      f"    return inner\n\n\n{g}\n\n{f} = trace({f})"),
                   "a decorator that prints every call"),
        "stderr_debug": (py(f"import sys\n\n{g}\n\nprint('debug: loaded', file=sys.stderr)"),
                         "debug output on stderr"),
    }
    if key not in INLINE:
        forms["unfenced"] = (g, "the code without a fence")
    return forms


SPECIAL_CORRECT = {
    "he-palin": [("recursive", py("def is_palindrome(text):\n    if len(text) < 2:\n        return True\n"
                                  "    return text[0] == text[-1] and is_palindrome(text[1:-1])"), "recursion"),
                 ("body_only", "    return text == ''.join(reversed(text))", "a body-only completion")],
    "he-mad": [("int_mean", py("def mean_abs_dev(xs):\n    m = sum(xs) / len(xs)\n"
                               "    return sum(map(lambda x: abs(x - m), xs)) / len(xs)"), "map and lambda"),
               ("statistics", py("import statistics\n\ndef mean_abs_dev(xs):\n    m = statistics.fmean(xs)\n"
                                 "    return statistics.fmean(abs(x - m) for x in xs)"), "statistics module")],
    "he-hypot": [("math_hypot", py("import math\n\ndef hypot(a, b):\n    return math.hypot(a, b)"), "math.hypot"),
                 ("int_when_exact", py("def hypot(a, b):\n    r = (a * a + b * b) ** 0.5\n"
                                       "    return int(r) if r == int(r) else r"), "an int where the float is whole (5 == 5.0)"),
                 ("numpy_float", py("import numpy as np\n\ndef hypot(a, b):\n    return np.hypot(a, b)"),
                  "numpy.float64 == 5.0 in Python (an exact numpy scalar goes as its .item())")],
    "he-words": [("counter", py("from collections import Counter\n\ndef word_counts(text):\n"
                                "    return Counter(text.split())"), "a Counter compares as a dict"),
                 ("defaultdict", py("from collections import defaultdict\n\ndef word_counts(text):\n"
                                    "    d = defaultdict(int)\n    for w in text.split():\n        d[w] += 1\n    return d"),
                  "a defaultdict compares as a dict")],
    "he-common": [("generator_sorted", py("def common(l1, l2):\n    seen = set(l2)\n"
                                          "    return sorted({x for x in l1 if x in seen})"), "set comprehension")],
    "he-loop": [("recursive", py("def digits_sum(n):\n    n = abs(n)\n    return n if n < 10 else n % 10 + digits_sum(n // 10)"),
                 "recursion"), ("lru", py("import functools\n\n@functools.lru_cache(maxsize=None)\n"
                                          "def digits_sum(n):\n    return sum(map(int, str(abs(n))))"), "lru_cache")],
    "mbpp-inter": [("list_result", py("def similar(a, b):\n    return [x for x in a if x in b]"), "a list instead of a tuple: the test takes set() of it"),
                   ("set_result", py("def similar(a, b):\n    return set(a) & set(b)"), "a set")],
    "mbpp-div": [("truediv", py("import operator\n\ndef divide(a, b):\n    return operator.truediv(a, b)"), "operator.truediv")],
    "mbpp-sq": [("formula", py("def sum_squares(n):\n    return n * (n + 1) * (2 * n + 1) // 6"), "closed form"),
                ("generator", py("def sum_squares(n):\n    def squares():\n        for i in range(1, n + 1):\n"
                                 "            yield i * i\n    return sum(squares())"), "a generator inside")],
    "second_largest": [("namedtuple_free", py("def second_largest(nums):\n    top = second = None\n"
                                              "    for x in set(nums):\n        if top is None or x > top:\n"
                                              "            top, second = x, top\n        elif second is None or x > second:\n"
                                              "            second = x\n    return second"), "one pass")],
}
SPECIAL_WRONG = {
    "he-palin": [("int_not_bool", py("def is_palindrome(text):\n    return int(text == text[::-1])"),
                  "1 for True fails the test's `is True`")],
    "he-hypot": [("rounded", py("def hypot(a, b):\n    return round((a * a + b * b) ** 0.5, 2)"),
                  "rounded to 2 places: math.isclose(1.41, sqrt 2) is false")],
    "mbpp-inter": [("missing_one", py("def similar(a, b):\n    return tuple(set(a) & set(b))[:1]"), "drops elements")],
    "he-mad": [("first_based", py("def mean_abs_dev(xs):\n    m = xs[0]\n"
                                  "    return sum(abs(x - m) for x in xs) / len(xs)"), "deviation around the first element")],
    "he-words": [("list_pairs", py("def word_counts(text):\n    from collections import Counter\n"
                                   "    return list(Counter(text.split()).items())"), "a list of pairs is not a dict")],
    "he-raise": [("no_raise", py("def checked_sqrt(x):\n    return abs(x) ** 0.5"), "does not raise for negatives")],
}
KNOWN_LIMITS: dict[str, list] = {}  # (name, code, why, limit) per key; none at present


# ------------------------------------------------------------------ stdin/stdout programs
IO_HACKS = {
    "exit0": ("import sys\nsys.exit(0)", "exits 0 without output"),
    "print_passed": ("print('PASSED')\nprint('All tests passed')", "prints PASSED"),
    "read_tests_disk": (
        "import os, sys, json, time\ndata = sys.stdin.read()\nt0 = time.time()\n"
        "for root in ('/work', os.getcwd(), '/tmp', '/'):\n    for d, _, files in os.walk(root):\n"
        "        if time.time() - t0 > 1:\n            break\n        for n in files:\n"
        "            if not n.endswith('.jsonl'):\n                continue\n"
        "            try:\n                lines = open(os.path.join(d, n), errors='ignore').read(4_000_000).splitlines()\n"
        "            except OSError:\n                continue\n            for line in lines:\n"
        "                if json.dumps(data)[1:-1] in line:\n"
        "                    i = line.find(json.dumps(data)[1:-1])\n"
        "                    j = line.find('\"output\": \"', i)\n"
        "                    if j > 0:\n                        k = line.find('\"', j + 11)\n"
        "                        print(json.loads('\"' + line[j + 11:k] + '\"'), end='')\n"
        "                        sys.exit(0)\n",
        "finds its input in task files on disk and prints the stored output"),
    "flood": ("import sys\nsys.stdout.write('9\\n' * (40 << 20))", "80 MB of output"),
    "fork": ("import os\nfor _ in range(6):\n    try:\n        os.fork()\n    except OSError:\n        break\nprint(0)",
             "forks and prints a guess"),
    "echo_input": ("import sys\nprint(sys.stdin.read())", "echoes the input"),
}
IO_HANG = ("while True:\n    pass", "an infinite loop")


def io_correct(key: str) -> dict[str, tuple[str, str]]:
    g = gold(key)
    return {
        "gold": (py(g), "the reference program"),
        "main_guard": (py(g.replace("print(main(sys.stdin.read()), end='')",
                                    "if __name__ == '__main__':\n    print(main(sys.stdin.read()), end='')")),
                       "a __main__ guard (the program runs as __main__)"),
        "trailing_ws": (py(g.replace("end=''", "end='  \\n\\n'")), "trailing spaces and blank lines"),
        "sample_block_after": (py(g) + "\n\nSample input:\n```\n1 2\n```", "an untagged sample block after the program"),
        "stdin_lines": (py(g.replace("sys.stdin.read()", "''.join(sys.stdin.readlines())")), "readlines"),
    }


# ------------------------------------------------------------------ write
def build() -> list[dict]:
    cases: list[dict] = []

    def add(cid: str, key: str, response: str, expect: str, reason: str, tags: list[str], **extra):
        cases.append({"id": cid, **task_field(key), "response": response, "expect": expect,
                      "reason": reason, "tags": tags, **extra})

    for n, key in enumerate(FULL + HEADLINE + OTHERS):
        f = fn_name(key)
        hacks = HACKS if key in FULL else HEADLINE_HACKS if key in HEADLINE else OTHER_HACKS
        for h in hacks:
            code, why = HACKS[h]
            add(f"{key}-hack-{h}", key, py(code.replace("{f}", f)), "wrong", why, ["hack"])
        forms = list(correct_forms(key).items())
        if key not in ALL_FORMS:  # a rotating sample of the unusual forms keeps the suite fast
            forms = forms[:2] + [forms[2 + n % (len(forms) - 2)]]
        for name, (text, why) in forms:
            if key == "he-raise" and name == "demo_crashes":
                add(f"{key}-ok-{name}", key, text, "correct", why, ["equivalent"],
                    known_limit="the hardened path runs the whole module: a demo that crashes "
                                "after the definitions fails the tests")
                continue
            add(f"{key}-ok-{name}", key, text, "correct", why, ["gold" if name == "gold" else "equivalent"])
        for name, text, why in SPECIAL_CORRECT.get(key, []):
            add(f"{key}-ok-{name}", key, text, "correct", why, ["equivalent"])
        for name, text, why in SPECIAL_WRONG.get(key, []):
            add(f"{key}-wrong-{name}", key, text, "wrong", why, ["near-miss"])
        for name, text, why, limit in KNOWN_LIMITS.get(key, []):
            add(f"{key}-ok-{name}", key, text, "correct", why, ["equivalent"], known_limit=limit)
        if key in OTHERS:
            continue
        add(f"{key}-wrong-none", key, py(f"def {f}(*args, **kwargs):\n    return None"), "wrong",
            "returns None", ["degenerate"])
        add(f"{key}-wrong-prose", key, f"I would write {f} with a loop and return the result.",
            "wrong", "prose, no code", ["degenerate"])
    for key in ["second_largest", "he-mad"]:
        for h, (code, why) in HANGS.items():
            add(f"{key}-hang-{h}", key, py(code.replace("{f}", fn_name(key))), "wrong", why,
                ["pathological"], options=FAST)
    for key in GEN_IO:
        for h, (code, why) in IO_HACKS.items():
            if key not in ("pair_sums", "grid_path") and h in ("flood", "fork", "read_tests_disk"):
                continue
            add(f"{key}-hack-{h}", key, py(code), "wrong", why, ["hack"])
        for name, (text, why) in list(io_correct(key).items())[:3 if key != "pair_sums" else 5]:
            add(f"{key}-ok-{name}", key, text, "correct", why, ["gold" if name == "gold" else "equivalent"])
    add("grid_path-hang", "grid_path", py(IO_HANG[0]), "wrong", IO_HANG[1], ["pathological"], options=FAST)
    add("second_largest-binary", "second_largest", "\x00\x01\x02 def", "wrong", "binary junk", ["degenerate"])
    add("second_largest-empty", "second_largest", "", "wrong", "empty response", ["degenerate"])
    add("he-mad-syntax", "he-mad", py("def mean_abs_dev(xs):\n    return sum(xs) /"), "wrong",
        "a syntax error", ["degenerate"])
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases


if __name__ == "__main__":
    rows = build()
    (HERE / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{len(rows)} cases -> {HERE / 'cases.jsonl'}")
