"""`ArithTaskset` under an env name of its own, so commands that take no env options
(`gymkit check-env`, `gymkit serve-env`) can play it: `--env path/to/tiny_vf_env.py:TinyArith`."""
from pathlib import Path

from gymkit.integrations.from_verifiers import VerifiersEnv


class TinyArith(VerifiersEnv):
    name = "test_vf_arith"
    taskset_ref = f"{Path(__file__).with_name('tiny_vf_taskset.py')}:ArithTaskset"
