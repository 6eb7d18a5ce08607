"""Every built-in env imports, registers under its folder name, and passes check-env."""
import pytest

import gymkit.envs
from gymkit.check import check_env
from gymkit.gymnasium_env import env_ids
from gymkit.registry import broken_envs, env_names, make_env


def test_no_builtin_env_fails_to_import():
    assert broken_envs() == {}


def test_every_env_folder_registers_under_its_name():
    missing = [n for n in env_ids() if n not in env_names()]
    assert missing == []


@pytest.mark.parametrize("name", [n for n in env_ids()])
def test_check_env(name):
    env = make_env(name)
    try:
        assert check_env(env) == []
    finally:
        env.close()
