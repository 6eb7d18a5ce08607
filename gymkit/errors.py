"""User-facing errors: one line that names the culprit and the valid choices."""
from __future__ import annotations

from collections.abc import Iterable


class GymkitError(Exception):
    """A mistake in user input (config, flag, file). The CLI prints it as one line."""


def unknown(kind: str, name: str, choices: Iterable[str]) -> GymkitError:
    opts = ", ".join(sorted(choices)) or "(none)"
    return GymkitError(f"unknown {kind} {name!r}; choose one of: {opts}")
