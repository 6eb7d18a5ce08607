"""Env options are typed: every env's options (its `__init__` annotations and `config_types`)
are checked before the env is built, and a bad value is one line naming the option."""
import pytest

from gymkit.errors import GymkitError
from gymkit.registry import check_env_options, env_names, env_options, make_env, options_model


@pytest.mark.parametrize("name", env_names())
def test_defaults_validate_and_garbage_is_refused(name):
    options_model(name).model_validate({})
    make_env(name)
    for opt in sorted(env_options(name)):
        fields = options_model(name).model_fields
        if fields[opt].annotation is object or str(fields[opt].annotation) == "typing.Any":
            continue  # declared as taking any value
        with pytest.raises(GymkitError) as err:
            make_env(name, **{opt: [object()]})
        msg = str(err.value)
        assert opt in msg and "\n" not in msg, msg


@pytest.mark.parametrize("name,opt,value,why", [
    ("ifeval", "max_chars", -5, "greater than 0"),
    ("tool_calc", "require_tool_use", "maybe", "valid boolean"),
    ("code", "timeout_s", -1, "greater than 0"),
    ("code", "reward", "most", "'all' or 'fraction'"),
    ("python_tool", "memory_mb", "lots", "valid integer"),
])
def test_bad_values_name_the_option(name, opt, value, why):
    with pytest.raises(GymkitError, match=why) as err:
        check_env_options(name, {opt: value})
    assert f"option {opt}" in str(err.value)


def test_unknown_keys_list_the_valid_ones():
    with pytest.raises(GymkitError, match="has no option 'fewshott'; valid: fewshot"):
        check_env_options("math", {"fewshott": 2})
