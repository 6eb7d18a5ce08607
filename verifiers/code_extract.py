"""Code blocks out of model responses, and HumanEval-style prompt + completion assembly.

Rules (shared by `code`, `code_output`, `sql` and anything else that runs model-written code):
- fenced blocks (```lang ... ```) are the primary channel; the *last* block of the wanted
  language wins (models often show a draft, then the final version). When the caller names
  the functions the tests need (`defines=`), the last block that defines a function or
  class (or assigns one of those names) wins instead, so an "Example usage" block of calls
  after the solution does not replace it; what that block reads and another block defines
  (def, class, import, assignment) is put in front of it. A later block with definitions of
  its own is a new program and wins, so two different programs are not a hedge;
- an unfenced response is used only when it parses as code that does something (a `def`,
  an assignment, an import...): prose is never run;
- a HumanEval completion may be a whole function (replaces the prompt's stub) or a body that
  continues the prompt; `assemble_function` detects which and builds one program.
"""
from __future__ import annotations

import ast
import bisect
import builtins
import re
import textwrap

_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*")
_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
_PY_TAGS = {"python", "py", "python3", "py3", "pycon"}
_SQL_START = re.compile(r"^\s*(select|with)\b", re.I)


def code_blocks(text: str) -> list[tuple[str, str]]:
    """All fenced blocks in `text` as (language tag lower-cased, code), in order.

    A block opens on a line starting with a fence (3+ backticks or tildes, then a tag) and
    closes at the next line that holds exactly the same fence. Scanned line by line with the
    closing lines indexed up front: a regex with a back-reference took 24 s on 100 kB of
    backticks, and a response must never be able to stall its own verification.
    """
    lines = (text or "").split("\n")
    closers: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        m = _CLOSE.fullmatch(line)
        if m:
            closers.setdefault(m.group(1), []).append(i)
    blocks: list[tuple[str, str]] = []
    i = 0
    while i < len(lines) - 1:  # an opener needs a line after it
        m = _OPEN.fullmatch(lines[i])
        if m:
            ends = closers.get(m.group(1), [])
            k = bisect.bisect_right(ends, i)
            if k < len(ends):
                j = ends[k]
                body = "\n".join(lines[i + 1:j])
                blocks.append((m.group(2).lower(), body + "\n" if j > i + 1 else ""))
                i = j + 1
                continue
        i += 1
    return blocks


def _pick(blocks: list[tuple[str, str]], tags: set[str]) -> str | None:
    tagged = [code for lang, code in blocks if lang in tags]
    if tagged:
        return tagged[-1]
    untagged = [code for lang, code in blocks if not lang]
    return untagged[-1] if untagged else None


def _is_code(text: str) -> bool:
    """True when `text` parses as Python with at least one statement beyond a bare name."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    # "Hello" or "x" parse as bare expressions; real code defines, assigns, imports or calls.
    return any(not (isinstance(s, ast.Expr) and isinstance(s.value, (ast.Name, ast.Constant)))
               for s in tree.body)


def _top_defs(tree: ast.Module) -> dict[str, list[ast.stmt]]:
    """Top-level statements by the names they bind (def, class, import, assignment)."""
    out: dict[str, list[ast.stmt]] = {}
    for s in tree.body:
        names: list[str] = []
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [s.name]
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            names = [(a.asname or a.name).split(".")[0] for a in s.names]
        elif isinstance(s, (ast.Assign, ast.AnnAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        for n in names:
            out.setdefault(n, []).append(s)
    return out


def _with_helpers(code: str, tree: ast.Module, others: list[tuple[str, ast.Module]]) -> str:
    """`code` with the top-level definitions it reads but lacks, taken from other blocks."""
    have = set(_top_defs(tree))
    extra: list[str] = []
    for _ in range(5):  # helpers of helpers, a few levels deep
        reads = {n.id for part in [tree, *map(ast.parse, extra)] for n in ast.walk(part)
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        missing = {n for n in reads - have if not hasattr(builtins, n)}
        found = False
        for src, other in others:
            for name, stmts in _top_defs(other).items():
                if name in missing:
                    for s in stmts:
                        seg = ast.get_source_segment(src, s)
                        if seg and seg not in extra:
                            extra.append(seg)
                    have.add(name)
                    found = True
        if not found:
            break
    return "\n\n".join(extra + [code]) if extra else code


def _pick_defining(blocks: list[tuple[str, str]], defines: set[str]) -> str | None:
    """The last python block that defines a function or class (the final program; a later
    block of example calls does not count), with what it reads taken from the others."""
    tagged = [code for lang, code in blocks if lang in _PY_TAGS]
    parsed = []
    for code in tagged or [code for lang, code in blocks if not lang]:
        try:
            parsed.append((code, ast.parse(code)))
        except (SyntaxError, ValueError):
            continue
    for i in range(len(parsed) - 1, -1, -1):
        code, tree = parsed[i]
        if any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               or (isinstance(s, ast.Assign) and any(getattr(t, "id", "") in defines
                                                      for t in s.targets))
               for s in tree.body):
            return _with_helpers(code, tree, parsed[:i] + parsed[i + 1:])
    return None


def extract_python(text: str, allow_unfenced: bool = True,
                   defines: set[str] | None = None) -> str | None:
    """The Python code of a response: the last python (or untagged) block (or, given
    `defines`, the last block defining one of those names, see the module docstring),
    else the whole response when it is itself code. None when there is no code to run."""
    if not text or "\x00" in text:
        return None
    blocks = code_blocks(text)
    code = _pick_defining(blocks, defines) if defines else None
    if code is None:
        code = _pick(blocks, _PY_TAGS)
    if code is not None:
        return code
    if allow_unfenced and "```" not in text and _is_code(text):
        return text
    return None


def needed_names(tests: list[str], entry_point: str | None = None) -> set[str]:
    """The functions assert tests call by name (builtins excluded), and the entry point."""
    names = {entry_point} if entry_point else set()
    for t in tests:
        try:
            tree = ast.parse(t)
        except (SyntaxError, ValueError):
            continue
        names |= {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)
                  and isinstance(n.func, ast.Name) and not hasattr(builtins, n.func.id)}
    return names


def extract_sql(text: str) -> str | None:
    """The SQL of a response: the last ```sql (or untagged) block, else the whole response
    when it starts with SELECT/WITH. Trailing semicolons are dropped."""
    if not text or "\x00" in text:
        return None
    sql = _pick(code_blocks(text), {"sql", "sqlite", "postgresql", "mysql"})
    if sql is None and "```" not in text and _SQL_START.match(text):
        sql = text
    if sql is None:
        return None
    sql = sql.strip().rstrip(";").strip()
    return sql or None


def extract_block(text: str, tags: set[str] | None = None) -> str | None:
    """The last fenced block with one of `tags` (or untagged); any block when `tags` is None."""
    blocks = code_blocks(text)
    if tags is None:
        return blocks[-1][1] if blocks else None
    return _pick(blocks, tags)


def _defines(tree: ast.Module, name: str) -> bool:
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               and s.name == name for s in tree.body)


def assemble_function(prompt: str, completion: str, entry_point: str) -> str | None:
    """One program from a HumanEval prompt and a completion, or None if it cannot parse.

    A completion that defines `entry_point` at top level is a whole function: it goes after
    the prompt, so the prompt's imports and helpers stay and the new definition wins (the
    prompt's stub is itself a valid function whose body is its docstring). Otherwise the
    completion is taken as the body continuing the prompt, re-indented when needed.
    """
    try:
        tree = ast.parse(completion)
    except (SyntaxError, ValueError):
        tree = None
    if tree is not None and _defines(tree, entry_point):
        return prompt.rstrip() + "\n\n\n" + completion.strip("\n") + "\n"
    head = prompt.rstrip("\n") + "\n"
    bodies = [completion.strip("\n"), textwrap.indent(textwrap.dedent(completion.strip("\n")), "    ")]
    # Responses arrive stripped (BaseEnv strips the text), which removes the first line's
    # indent only: give it back, at the function-body level or at the next lines' level.
    first, _, rest = completion.strip("\n").partition("\n")
    if rest and first == first.lstrip():
        depth = min((len(ln) - len(ln.lstrip()) for ln in rest.splitlines() if ln.strip()), default=4)
        bodies += [" " * 4 + first + "\n" + rest, " " * depth + first + "\n" + rest]
    for program in (head + body + "\n" for body in bodies):
        try:  # compile, not just parse: `return` outside a function parses fine
            compile(program, "<candidate>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        if _defines(ast.parse(program), entry_point):
            return program
    return None


_BOXED = "\\boxed{"
_OUTPUT_LABEL = re.compile(r"^\s*\**output\**\s*:\**[ \t]*", re.I | re.M)  # also **Output:**


def _boxed(text: str) -> list[str]:
    """Contents of every balanced `\\boxed{...}`."""
    found, start = [], text.find(_BOXED)
    while start >= 0:
        depth, i = 1, start + len(_BOXED)
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            found.append(text[start + len(_BOXED):i - 1])
        start = text.find(_BOXED, i)
    return found


def normalize_output(text: str) -> str:
    """Trailing spaces on each line and blank lines at both ends removed; `\\r\\n` -> `\\n`."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def extract_output(text: str) -> tuple[str | None, str]:
    """A predicted program output from a response: the last non-Python fenced block, a
    `\\boxed{}`, or the text after the last `Output:` label. Returns (answer, reason).

    Hedging scores nothing: different boxed answers, or channels that disagree, give None.
    """
    if not text or "\x00" in text:
        return None, "empty or binary response"
    answers = {}
    fenced = [code for lang, code in code_blocks(text) if lang not in _PY_TAGS]
    if fenced:
        answers["block"] = normalize_output(fenced[-1])
    boxed = {normalize_output(b) for b in _boxed(text)}
    if len(boxed) > 1:
        return None, f"{len(boxed)} different boxed answers"
    if boxed:
        answers["boxed"] = boxed.pop()
    # A label counts when it comes after every fence: "Output:" in front of the block it
    # introduces is no second answer, but a different "Output: x" after the block is a hedge.
    tail = text[text.rfind("```") + 3:] if fenced else text
    labels = list(_OUTPUT_LABEL.finditer(tail))
    label = normalize_output(tail[labels[-1].end():]) if labels else ""
    if labels and (label or not fenced):
        answers["label"] = label
    if not answers:
        return None, "no answer found (use a ``` block, \\boxed{}, or 'Output:')"
    if len(set(answers.values())) > 1:
        return None, f"conflicting answers in {', '.join(sorted(answers))}"
    return next(iter(answers.values())), ""
