"""`ArithTaskset` as an installed taskset id resolves: a module exporting one vf.Taskset via
`__all__` (verifiers' loader imports the id as a module name)."""
from tiny_vf_taskset import ArithTaskset

__all__ = ["ArithTaskset"]
