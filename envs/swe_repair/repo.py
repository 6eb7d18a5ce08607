"""Repositories for `swe_repair`: a generated package with injected bugs, and test runs.

`generate_repo` draws modules from the pool, breaks one or two of them, and writes the issue,
the visible tests (in the repository), the hidden tests (kept in the task) and the gold edits.
`run_test_ids` runs `path::function` test ids in `gymkit.sandbox` with hardened asserts: the
comparisons go through guards bound before the candidate's code runs, and a test passes only
when the sandbox's own harness says it ran to its end.
"""
from __future__ import annotations

import ast
import random
import secrets
from dataclasses import dataclass, field

from gymkit.verifiers.code_harden import _PRELUDE, harden

from .modules import Bug, Module
from .pool_shop import CART, INVENTORY, MONEY
from .pool_util import CONFIG, DATES, LEGACY, STATS, TEXT

POOL: list[Module] = [STATS, TEXT, MONEY, CART, INVENTORY, DATES, CONFIG]
BY_NAME = {m.name: m for m in POOL}

PACKAGES = ["storekit", "opskit", "bizutil", "corelib", "shoptools", "acmelib"]
NEEDS = {"cart": "money"}  # a module that imports another
TEST_TIMEOUT_S = 2.5  # tests take milliseconds; files run in turn within the score budget


@dataclass
class Repo:
    """A generated task: the files the agent starts from and everything the verdict needs."""

    issue: str
    files: dict[str, str]
    protected: list[str]
    visible_tests: list[str]
    hidden_files: dict[str, str]
    hidden_tests: list[str]
    fail_to_pass: list[str]
    edits: list[tuple[str, str, str]] = field(default_factory=list)  # (path, old, new)


def test_functions(source: str) -> list[str]:
    """Names of the top-level `test_*` functions of a test file (none if it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def _test_file(imports: list[str], bodies: list[str], pkg: str) -> str:
    text = "\n".join(sorted(set(imports))) + "\n" + "".join(bodies)
    return text.replace("PKG", pkg)


def generate_repo(rng: random.Random, difficulty: int) -> Repo:
    """A repository of 3 (level 1), 5 (level 2) or 7 (level 3) modules with one bug (two at
    level 3, in different modules); levels 2-3 add a deprecated module of look-alike helpers."""
    pkg = rng.choice(PACKAGES)
    n_mod, n_bugs = {1: (3, 1), 2: (5, 1), 3: (7, 2)}[difficulty]
    broken = rng.sample([m for m in POOL if m.bugs], n_bugs)
    names = {m.name for m in broken}
    if difficulty >= 2 and "money" in names:  # the issue then reports the symptom in cart
        names.add("cart")
    names |= {NEEDS[n] for n in names if n in NEEDS}
    others = sorted(m.name for m in POOL if m.name not in names)
    rng.shuffle(others)
    for extra in others:
        add = {extra, NEEDS.get(extra, extra)}
        if len(names | add) <= n_mod:
            names |= add
    mods = [BY_NAME[n] for n in sorted(names)]
    bugs: dict[str, Bug] = {m.name: rng.choice(m.bugs) for m in broken}
    files = {f"{pkg}/__init__.py": f'"""{pkg}: helpers for a small shop."""\n',
             "README.md": f"# {pkg}\n\nModules: {', '.join(m.name for m in mods)}.\n"
                          "Run the tests in tests/.\n"}
    if difficulty >= 2:
        files[f"{pkg}/legacy.py"] = LEGACY
    edits: list[tuple[str, str, str]] = []
    hidden_bodies: dict[str, list[str]] = {}
    fail_ids: list[str] = []
    for m in mods:
        path = f"{pkg}/{m.name}.py"
        src = m.source.replace("PKG", pkg)
        bug = bugs.get(m.name)
        if bug is not None:
            assert src.count(bug.good) == 1 and src.replace(bug.good, bug.bad).count(bug.bad) == 1
            src = src.replace(bug.good, bug.bad)
            edits.append((path, bug.bad, bug.good))
        files[path] = src
        shown = [m.visible] + ([bug.visible] if bug and difficulty < 3 else [])
        files[f"tests/test_{m.name}.py"] = _test_file([m.imports], shown, pkg)
        target = f"tests/hidden/test_{m.name}.py" if bug else "tests/hidden/test_regression.py"
        hidden_bodies.setdefault(target, []).append(m.hidden)
        if bug:
            hidden_bodies[target].append(bug.hidden)
            fail_ids += [f"{target}::{f}" for f in test_functions(bug.hidden)]
    hidden_files = {}
    for target, bodies in hidden_bodies.items():
        imports = [m.imports for m in mods if f"test_{m.name}.py" in target] if \
            not target.endswith("regression.py") else \
            [m.imports for m in mods if m.name not in bugs]
        hidden_files[target] = _test_file(imports, bodies, pkg)
    protected = sorted(p for p in files if p.startswith("tests/"))
    visible = [f"{p}::{f}" for p in protected for f in test_functions(files[p])]
    hidden = [f"{p}::{f}" for p in sorted(hidden_files) for f in test_functions(hidden_files[p])]
    return Repo(_issue(pkg, list(bugs.values()), difficulty, names),
                files, protected, visible, hidden_files, hidden, fail_ids, edits)


def _issue(pkg: str, bugs: list[Bug], difficulty: int, modules: set[str]) -> str:
    """The issue text: from level 2 a bug with a `via` text is reported where it shows."""
    parts = [(b.via if difficulty >= 2 and b.via and "cart" in modules else b.issue)
             for b in bugs]
    if len(parts) == 1:
        return f"Issue in {pkg}: {parts[0]}"
    return f"Two issues reported in {pkg}:\n" + "\n".join(f"{i}. {p}" for i, p in enumerate(parts, 1))


def run_test_ids(files: dict[str, str], ids: list[str], per_test: bool,
                 stop_on_fail: bool = False, secret: dict[str, str] | None = None
                 ) -> dict[str, tuple[bool, str]]:
    """Run test ids (`path::function`, plain functions without arguments) on `files` in the
    sandbox: {id: (passed, failure line)}. Test files in `secret` (the hidden tests) are read
    from there and never written into the sandbox's tree, where the candidate's code could
    read them. With `per_test` every test gets its own process;
    otherwise one process per file runs its tests in order (the first failure fails the file's
    remaining ids). A test whose file is missing or does not parse fails.

    Files run one after another, so the wall time is bounded: after a file with a failure
    (`stop_on_fail`, for verdicts) or with a timeout (always) the remaining files are not run
    and their tests fail."""
    from gymkit.sandbox import run_tests  # deferred: the sandbox starts workers on use

    secret = secret or {}
    sources = {**files, **secret}
    files = {p: t for p, t in files.items() if p not in secret}
    by_file: dict[str, list[str]] = {}
    out: dict[str, tuple[bool, str]] = {}
    defined: dict[str, set[str]] = {}  # each file parsed once
    for tid in ids:
        path, _, fn = tid.partition("::")
        if path in sources and path not in defined:
            defined[path] = set(test_functions(sources[path]))
        if fn not in defined.get(path, ()):
            out[tid] = (False, f"no test {fn!r} in {path}")
        else:
            by_file.setdefault(path, []).append(fn)
    name = "_gk" + secrets.token_hex(6)
    stopped = ""
    for path, fns in by_file.items():
        if stopped:
            out.update({f"{path}::{f}": (False, f"not run: {stopped}") for f in fns})
            continue
        try:
            body = harden(sources[path], name)
            imports = "\n".join(ast.unparse(n) for n in ast.parse(sources[path]).body
                                if isinstance(n, (ast.Import, ast.ImportFrom)))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            out.update({f"{path}::{f}": (False, f"{path} does not parse") for f in fns})
            continue
        groups = [[f] for f in fns] if per_test else [fns]
        tests = [body + "\n" + "\n".join(f"{f}()" for f in g) + "\n" for g in groups]
        tr = run_tests(imports, tests, timeout_s=TEST_TIMEOUT_S, files=files,
                       prelude=_PRELUDE.format(n=name))
        for g, ok, detail in zip(groups, tr.results, tr.details):
            why = "" if ok else (detail or "failed")[:300]
            for f in g:  # a shared run's failure is reported for its file
                out[f"{path}::{f}"] = (bool(ok), why if per_test else f"{path}: {why}")
        if any(r.status == "timeout" for r in tr.runs):
            stopped = f"a test in {path} timed out"
        elif stop_on_fail and not all(tr.results):
            stopped = f"tests in {path} failed"
    return out
