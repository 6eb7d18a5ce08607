"""Config resolution: presets, overrides, one-line errors."""
import pytest

from gymkit.errors import GymkitError
from gymkit.trainers.config import CONFIG_DIR, dump_config, load_config, parse_envs

PRESETS = ["tiny-cpu", "smollm2-cpu", "smollm2-cpu-async", "nano-30b-8xh100", "nano-4b-1xh100"]


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_validates(name):
    cfg = load_config(name)
    assert (CONFIG_DIR / f"{name}.yaml").exists()
    assert cfg.steps > 0 and cfg.envs


def test_overrides_reach_any_field_and_are_typed():
    cfg = load_config("tiny-cpu", ["trainer.lr=1e-6", "rollout.sampling.temperature=0.7",
                                   "algorithm.type=rloo", "loss.agg=seq-mean-token-sum-norm"])
    assert cfg.trainer.lr == 1e-6
    assert cfg.rollout.sampling.temperature == 0.7
    assert cfg.algorithm.type == "rloo"
    assert cfg.loss.agg == "seq-mean-token-sum-norm"


def test_cli_flags_sit_between_preset_and_overrides():
    cfg = load_config("tiny-cpu", ["steps=7"], envs=parse_envs("math:3,code"), steps=99,
                      model="org/m")  # a model name must resolve: an HF id does
    assert cfg.steps == 7 and cfg.model == "org/m"
    assert cfg.envs["math"].weight == 3.0 and cfg.envs["code"].weight == 1.0


@pytest.mark.parametrize("override, expected", [
    ("trainer.lrr=1", "config: unknown key 'trainer.lrr'"),
    ("trainer.lr=fast", "config: trainer.lr: Input should be a valid number"),
    ("algorithm.type=ppo", "config: algorithm"),
    ("algorithm.scale_stdd=true", "config: unknown key 'algorithm.scale_stdd'"),
    ("loss.agg=sum", "config: loss.agg"),
    ("trainer.lr.x=1", "'lr' is a value"),
    ("no-equals-sign", "KEY=VALUE"),
])
def test_bad_keys_give_one_line_naming_them(override, expected):
    with pytest.raises(GymkitError) as e:
        load_config("tiny-cpu", [override])
    msg = str(e.value)
    assert expected in msg and "\n" not in msg


def test_rm_env_needs_a_reward_model_path():
    with pytest.raises(GymkitError, match="reward_model.path"):
        load_config(None, ["envs.math.rm_lambda=0.5"])


def test_unknown_preset_lists_the_choices():
    with pytest.raises(GymkitError, match="tiny-cpu"):
        load_config("nope")


def test_dump_round_trips():
    cfg = load_config("nano-30b-8xh100")
    import yaml
    assert load_config(None, [f"{k}={v}" for k, v in []]).model  # defaults alone are valid
    again = type(cfg).model_validate(yaml.safe_load(dump_config(cfg)))
    assert again == cfg
