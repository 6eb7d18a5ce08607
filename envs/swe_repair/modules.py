"""What a pool module of `swe_repair` is: a small, correct Python module with ways to break it
(the pool itself is in pool_shop.py and pool_util.py, assembled in repo.py).

A `Module` has its correct source, visible tests (they pass on every bug of this module except
the issue's own example), hidden regression tests, and `Bug`s. A bug is a text change `good
-> bad` of the source, an issue text, and hidden tests that fail on `bad` and pass on `good`.
Hidden tests use other inputs than the issue and the visible tests, so a fix that
special-cases those inputs fails them. `PKG` stands for the package name.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bug:
    """A way to break a module: `good` text in the source becomes `bad`."""

    good: str
    bad: str
    issue: str  # the symptom, as a user reports it
    hidden: str  # test functions that fail on the bug
    visible: str = ""  # a visible test that shows the issue's example (levels 1-2)
    via: str = ""  # the issue as seen from another module (level 2+: the fix is elsewhere)


@dataclass
class Module:
    name: str
    source: str
    visible: str  # test functions that pass with or without any bug
    hidden: str  # regression tests (other inputs) that also pass with or without any bug
    bugs: list[Bug] = field(default_factory=list)
    imports: str = ""  # the test files' import line
