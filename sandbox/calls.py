"""Call expressions evaluated in the sandbox, their results carried out as strict data.

The verdict on a function must not depend on an object the candidate made: an `__eq__`
that always says True, a `weakref.proxy` or `MappingProxyType` forwarding to one, a numpy
object array, an `__sub__` returning 0. So the candidate's process only *computes*: it runs
the candidate once, evaluates each call expression, and writes each result through a
type-exact encoder. The caller decodes plain values and compares them itself; expected
values never enter the candidate's process.

    res = run_calls("def f(x): return x * 2", ["f(_gk_a[0])", "f(3)"], args=[[2], []])
    res.calls[0].value  # -> 4 (a plain int, decoded here)

Encoded types, exact (`type(x) is T`): int, float (nan and +-inf kept distinct), complex,
str, bytes, bool, None, and list, tuple, dict, set, frozenset of those. Exceptions, by
design: `collections.Counter`, `OrderedDict`, `defaultdict` and namedtuple classes, which
Python compares as their base type, are encoded from their C storage (unbound `dict` /
`tuple` methods) as dict / tuple, so an overridden method cannot change what is sent.
Exact numpy scalars (int*, uint*, float16/32/64, bool_; `type(x) is` one of the classes of
the numpy the process imported) go as the plain int/float/bool of their `.item()`, and an
exact `decimal.Decimal` as its text (decoded to a Decimal). Anything else (a subclass, a
proxy, a numpy array of any dtype, a generator, a cycle, nesting deeper than MAX_DEPTH)
fails that call with the reason.

The encoder runs inside the candidate's process, so a candidate can forge its output; all
it can forge is a plain value it could have returned anyway, and it never sees the
expected one. Stdlib only, like the rest of `gymkit.sandbox`.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 100        # nesting levels in one value
MAX_ITEMS = 100_000    # scalars and containers in one value
MAX_BYTES = 256_000    # encoded size of one result; bigger ones fail that call

# Source shared by this module (trusted side) and the driver (candidate side). Builtins are
# bound as defaults when the driver starts, before any candidate code runs.
_CODEC = r'''
def _gk_codec(max_depth, max_items, max_bytes, json=json, collections=collections,
              type=type, len=len, str=str, format=format, isinstance=isinstance,
              int=int, float=float, complex=complex, bytes=bytes, bool=bool, list=list,
              tuple=tuple, dict=dict, set=set, frozenset=frozenset, TypeError=TypeError,
              ValueError=ValueError, RecursionError=RecursionError, getattr=getattr,
              IndexError=IndexError, KeyError=KeyError, any=any, modules=sys.modules,
              getattr_=getattr, ArithmeticError=ArithmeticError):
    as_dict = (collections.Counter, collections.OrderedDict, collections.defaultdict)
    np_names = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "intc", "uintc", "intp", "uintp", "longlong", "ulonglong", "float16",
                "float32", "float64", "bool_")
    def loaded(mod, names):  # exact classes of a module the process already imported
        m = modules.get(mod)
        found = [getattr_(m, n, None) for n in names] if m is not None else []
        return tuple(c for c in found if type(c) is type)
    def decimal_class():
        import decimal  # trusted side, or call arguments that hold a Decimal
        return decimal.Decimal
    tuple_iter, dict_items, tflags = tuple.__iter__, dict.items, type.__dict__["__dict__"].__get__
    def namedtuple_class(t):
        bases = type.__dict__["__bases__"].__get__(t)
        fields = tflags(t).get("_fields")
        return bases == (tuple,) and type(fields) is tuple and "_make" in tflags(t)
    def enc(x, depth, count):
        count[0] += 1
        if depth > max_depth or count[0] > max_items:
            raise ValueError("the result is nested too deeply or is too large")
        t = type(x)
        if x is None or x is True or x is False:
            return "N" if x is None else ("T" if x else "F")
        if t is int:
            return ["i", format(x, "x")]
        if t is float:
            return ["f", x.hex()]
        if t is complex:
            return ["c", x.real.hex(), x.imag.hex()]
        if t is str:
            return ["s", x]
        if t is bytes:
            return ["b", x.hex()]
        if t is list or t is tuple or t is set or t is frozenset or t is dict:
            if count[0] + len(x) > max_items:  # refuse before walking a huge result
                raise ValueError("the result is too large")
        if t is list or t is tuple or t is set or t is frozenset:
            tag = {list: "l", tuple: "t", set: "S", frozenset: "Z"}[t]
            return [tag, [enc(v, depth + 1, count) for v in x]]
        if t is dict or any(t is c for c in as_dict):
            return ["d", [[enc(k, depth + 1, count), enc(v, depth + 1, count)]
                          for k, v in dict_items(x)]]
        if namedtuple_class(t):
            return ["t", [enc(v, depth + 1, count) for v in tuple_iter(x)]]
        # Exact numpy scalars go as the int/float/bool their .item() gives (which must be
        # plain itself); a Decimal as its text. No subclass, array or object dtype.
        np_types = loaded("numpy", np_names)
        if any(t is c for c in np_types):
            v = t.item(x)
            if not any(type(v) is c for c in (int, float, bool)):
                raise TypeError("a numpy scalar whose .item() is not an int, float or bool")
            return enc(v, depth, count)
        dec_types = loaded("decimal", ("Decimal",))
        if any(t is c for c in dec_types):
            text = t.__str__(x)
            if type(text) is not str:
                raise TypeError("a Decimal whose text is not a str")
            return ["D", text]
        name = getattr(t, "__qualname__", "?")
        mod = getattr(t, "__module__", "?")
        raise TypeError(f"a {mod}.{name} is not plain data (int, float, str, bytes, bool, "
                        "None, list, tuple, dict, set)")
    def encode(x):
        try:
            text = json.dumps(enc(x, 0, [0]), ensure_ascii=True, separators=(",", ":"))
        except RecursionError:
            raise ValueError("the result is nested too deeply") from None
        if len(text) > max_bytes:
            raise ValueError(f"the result is over {max_bytes} bytes encoded")
        return text
    def dec(e, depth):
        if depth > max_depth:
            raise ValueError("nested too deeply")
        if e == "N" or e == "T" or e == "F":
            return {"N": None, "T": True, "F": False}[e]
        if type(e) is not list or not e or type(e[0]) is not str:
            raise ValueError("malformed value")
        tag = e[0]
        if tag == "i" and type(e[1]) is str:
            return int(e[1], 16)
        if tag == "f" and type(e[1]) is str:
            return float.fromhex(e[1])
        if tag == "c":
            return complex(float.fromhex(e[1]), float.fromhex(e[2]))
        if tag == "s" and type(e[1]) is str:
            return e[1]
        if tag == "b":
            return bytes.fromhex(e[1])
        if tag == "D" and type(e[1]) is str:
            try:
                return decimal_class()(e[1])
            except ArithmeticError:  # decimal.InvalidOperation: not a number's text
                raise ValueError("malformed Decimal") from None
        if tag in ("l", "t", "S", "Z") and type(e[1]) is list:
            items = [dec(v, depth + 1) for v in e[1]]
            return {"l": list, "t": tuple, "S": set, "Z": frozenset}[tag](items)
        if tag == "d" and type(e[1]) is list:
            return {dec(k, depth + 1): dec(v, depth + 1) for k, v in e[1]}
        raise ValueError(f"malformed value (tag {tag[:8]!r})")
    def decode(text):
        try:
            return dec(json.loads(text), 0)
        except (RecursionError, TypeError, IndexError, KeyError) as e:
            raise ValueError(f"malformed value ({type(e).__name__})") from None
    return encode, decode
'''


def _make_codec() -> tuple[Any, Any]:
    import collections
    import sys

    scope: dict[str, Any] = {"json": json, "collections": collections, "sys": sys}
    exec(compile(_CODEC, "<gymkit.sandbox.calls codec>", "exec"), scope)
    return scope["_gk_codec"](MAX_DEPTH, MAX_ITEMS, MAX_BYTES)


_encode, _decode = _make_codec()


def encode(value: Any) -> str:
    """`value` as strict JSON text; TypeError/ValueError when it is not plain data."""
    return _encode(value)


def decode(text: str) -> Any:
    """The plain value `encode` wrote; ValueError for anything malformed."""
    return _decode(text)


# The driver: reads {code, calls, args, timeout} on stdin, runs the candidate as module
# `__candidate__` (so `if __name__ == "__main__":` demos stay quiet), then each call. Frames
# go to a private copy of stdout; the candidate's own prints go to /dev/null. SIGALRM with
# its default action ends the process even inside C code: one hang costs one timeout.
_DRIVER = r'''
import collections, json, sys, time, os as _gk_os, signal as _gk_signal, sys as _gk_sys, types as _gk_types
''' + _CODEC + r'''
def _gk_main():
    os, signal, sys = _gk_os, _gk_signal, _gk_sys
    encode, decode = _gk_codec(MAX_DEPTH, MAX_ITEMS, MAX_BYTES)
    job = json.loads(sys.stdin.read())
    nonce, out, clock = job["nonce"].encode(), os.dup(1), time.monotonic
    start = clock()
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        null = 2
    os.dup2(null, 1)
    def frame(i, key, text):
        os.write(out, b"\n" + nonce + b" " + json.dumps([i, key, text]).encode() + b"\n")
    def arm():  # this call's timeout, cut to what is left of the run's total budget
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        left = job["total"] - (clock() - start)
        signal.setitimer(signal.ITIMER_REAL, max(0.001, min(job["timeout"], left)))
    def why(e):
        try:
            return f"{type(e).__name__}: {str(e)[:300]}"
        except BaseException:
            return type(e).__name__
    mod = _gk_types.ModuleType("__candidate__")
    sys.modules["__candidate__"] = mod
    arm()
    try:
        exec(compile(job["code"], "<candidate>", "exec"), mod.__dict__)
        frame(-1, "ok", "")
    except BaseException as e:  # a failing demo after the definitions must not sink them
        frame(-1, "raised", why(e))
    for i, (expr, args) in enumerate(zip(job["calls"], job["args"])):
        arm()
        try:
            value = eval(compile(expr, f"<call {i}>", "eval"), mod.__dict__,
                         {"_gk_a": decode(args)})
        except BaseException as e:
            frame(i, "raised", why(e))
            continue
        try:
            frame(i, "value", encode(value))
        except BaseException as e:
            frame(i, "unencodable", why(e))
    signal.setitimer(signal.ITIMER_REAL, 0)
    frame(-2, "done", "")
    os._exit(0)  # no atexit or finaliser of the candidate's runs after the last frame
MAX_DEPTH, MAX_ITEMS, MAX_BYTES = {limits}
_gk_main()
'''.replace("{limits}", f"{MAX_DEPTH}, {MAX_ITEMS}, {MAX_BYTES}")


@dataclass
class CallResult:
    """One call's outcome. `status`: "value" (decoded into `value`), "raised" (the call
    raised), "unencodable" (not plain data), "died" (the process ended during the call:
    timeout, kill, exit), or "skipped" (not run after an earlier failure)."""

    status: str
    value: Any = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "value"


@dataclass
class CallsRun:
    """Outcome of `run_calls`: one `CallResult` per call, the candidate module's own error
    (if its top-level code raised after defining things), and the sandbox runs made."""

    calls: list[CallResult]
    module_error: str = ""
    runs: list[Any] = field(default_factory=list, repr=False)


def _parse(stdout: str, nonce: str) -> dict[int, tuple[str, str]]:
    """Frames by call index (the first frame of an index wins)."""
    frames: dict[int, tuple[str, str]] = {}
    for line in stdout.split("\n"):
        if not line.startswith(nonce + " "):
            continue
        try:
            i, key, text = json.loads(line[len(nonce) + 1:])
        except (ValueError, TypeError, RecursionError):
            continue
        if type(i) is int and type(key) is str and type(text) is str:
            frames.setdefault(i, (key, text))
    return frames


def run_calls(candidate_code: str, calls: list[str], args: list[list[Any]] | None = None,
              timeout_s: float = 5.0, memory_mb: int = 512, stop_on_failure: bool = True,
              total_s: float | None = None) -> CallsRun:
    """Run `candidate_code` once in the sandbox and evaluate each expression of `calls` in
    its namespace, with `_gk_a` bound to that call's `args` (plain data, encoded here).

    `timeout_s` is per call (and for the module's own top-level code); `total_s`, if given,
    bounds the sandbox time of all of them together (the module, every call, every resumed
    run): the call that runs past it dies with an "over the total time budget" detail and
    the rest are "skipped", so a candidate that is slow on every call cannot stretch the
    run to calls x timeout. With
    `stop_on_failure`, the first call that raises, hangs or returns non-plain data ends
    the run and the rest are "skipped"; otherwise a run that died mid-way is resumed after
    the failed call in a fresh process. Sandbox failures raise `SandboxError`.
    """
    from .api import run  # the public API only: the isolation underneath may change

    args = args if args is not None else [[] for _ in calls]
    if len(args) != len(calls):
        raise ValueError(f"{len(calls)} calls but {len(args)} argument lists")
    encoded = [encode(list(a)) for a in args]
    results: list[CallResult | None] = [None] * len(calls)
    out = CallsRun(calls=[])
    start, spent = 0, 0.0
    total = float(total_s) if total_s is not None else 3600.0
    while start < len(calls):
        left = total - spent
        if left <= 0:  # the budget ran out between runs: the next call is the culprit
            results[start] = CallResult("died", detail=f"over the total time budget of "
                                        f"{total:g} s for all calls")
            break
        nonce = "#gk-" + secrets.token_hex(12)
        job = {"nonce": nonce, "code": candidate_code, "calls": calls[start:],
               "args": encoded[start:], "timeout": float(timeout_s), "total": left}
        # Per-call timeouts (cut to the total budget) are the SIGALRM's job; this budget
        # only backs it up (a candidate can ignore SIGALRM). A run cut by it after
        # progress is resumed, not failed.
        budget = min(3600.0, 2 * timeout_s + 2.0, left + 1.0)
        res = run(_DRIVER, stdin=json.dumps(job), timeout_s=budget, memory_mb=memory_mb)
        out.runs.append(res)
        spent += res.wall_s
        frames = _parse(res.stdout, nonce)
        if frames.get(-1, ("", ""))[0] == "raised" and not out.module_error:
            out.module_error = frames[-1][1]
        why = res.reason or res.status
        if "SIGALRM" in why or res.status == "timeout":
            why = f"timed out: over {timeout_s:g} s"
        died = f"the process ended during this call ({why})"
        if spent >= total - 0.05:  # the timer that fired was the total budget's
            died = f"over the total time budget of {total:g} s for all calls"
        if -1 not in frames:
            died = f"the module's top-level code did not finish ({why})"
        cut = res.stdout_truncated or res.status == "timeout"  # not necessarily this call
        resume = None
        for j in range(start, len(calls)):
            key, text = frames.get(j - start, ("", ""))
            if key == "value":
                try:
                    results[j] = CallResult("value", decode(text))
                except ValueError as e:
                    results[j] = CallResult("unencodable", detail=str(e))
            elif key in ("raised", "unencodable"):
                results[j] = CallResult(key, detail=text)
            elif cut and j > start:  # output cap or run budget after progress: rerun from j
                resume = j
                break
            else:  # no frame: the process died here (the first missing call is the culprit)
                results[j] = CallResult("died", detail=died)
                break
        failed = next((j for j in range(start, len(calls))
                       if results[j] is not None and not results[j].ok), None)
        if stop_on_failure and failed is not None:
            break
        if -1 not in frames:  # the module itself hangs: every later run would too
            break
        if resume is not None:
            start = resume
            continue
        done = [j for j in range(start, len(calls)) if results[j] is not None]
        start = (max(done) + 1) if done else len(calls)
    out.calls = [r if r is not None else CallResult("skipped", detail="not run after an "
                                                    "earlier failure") for r in results]
    return out
