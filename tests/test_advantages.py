"""Advantage estimators against hand-computed values."""
import math

import pytest
import torch

from gymkit.trainers.advantages import (grpo_advantages, reinforce_pp_advantages,
                                         rloo_advantages, zero_variance_groups)

T = torch.tensor
S3 = math.sqrt(1 / 3)  # unbiased std of [1, 0, 0, 1] and of [1, 0, 0]


def test_grpo_normalises_by_group_std():
    adv = grpo_advantages(T([[1.0, 0.0, 0.0, 1.0]]), eps=0.0)
    assert torch.allclose(adv, T([[0.5, -0.5, -0.5, 0.5]]) / S3)


def test_dr_grpo_turns_std_scaling_off():
    adv = grpo_advantages(T([[1.0, 0.0, 0.0, 1.0], [3.0, 1.0, 1.0, 1.0]]), scale_std=False)
    assert torch.allclose(adv, T([[0.5, -0.5, -0.5, 0.5], [1.5, -0.5, -0.5, -0.5]]))


def test_invalid_rollouts_are_ignored_and_get_zero():
    rewards = T([[1.0, 0.0, 5.0, 0.0]])
    valid = T([[True, True, False, True]])
    adv = grpo_advantages(rewards, valid, eps=0.0)
    # stats over [1, 0, 0]: mean 1/3, unbiased std sqrt(1/3)
    assert torch.allclose(adv, T([[(2 / 3) / S3, -(1 / 3) / S3, 0.0, -(1 / 3) / S3]]))


def test_group_with_one_valid_sample_has_no_advantage():
    adv = grpo_advantages(T([[1.0, 0.0]]), T([[True, False]]))
    assert torch.equal(adv, torch.zeros(1, 2))
    assert torch.equal(rloo_advantages(T([[1.0, 0.0]]), T([[True, False]])), torch.zeros(1, 2))


def test_rloo_leave_one_out_baseline():
    adv = rloo_advantages(T([[1.0, 0.0, 0.0, 1.0]]))
    assert torch.allclose(adv, T([[2 / 3, -2 / 3, -2 / 3, 2 / 3]]))
    adv = rloo_advantages(T([[1.0, 0.0, 9.0]]), T([[True, True, False]]))
    assert torch.allclose(adv, T([[1.0, -1.0, 0.0]]))


def test_reinforce_pp_whitens_over_the_batch():
    rewards = T([[1.0, 0.0], [1.0, 1.0]])
    plain = reinforce_pp_advantages(rewards, group_baseline=False, eps=0.0)
    # batch mean 0.75, unbiased std 0.5
    assert torch.allclose(plain, T([[0.5, -1.5], [0.5, 0.5]]))
    based = reinforce_pp_advantages(rewards, eps=0.0)
    # group-centred: [[.5, -.5], [0, 0]] -> mean 0, std sqrt(1/6)
    k = 0.5 / math.sqrt(1 / 6)
    assert torch.allclose(based, T([[k, -k], [0.0, 0.0]]))


def test_zero_variance_groups():
    rewards = T([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 7.0], [0.3, 0.0, 0.0]])
    valid = T([[True] * 3, [True] * 3, [True, True, False], [True, False, False]])
    assert zero_variance_groups(rewards, valid).tolist() == [True, False, True, True]


def test_shape_errors_are_clear():
    with pytest.raises(ValueError, match="n_groups, G"):
        grpo_advantages(T([1.0, 0.0]))
    with pytest.raises(ValueError, match="differ"):
        rloo_advantages(T([[1.0, 0.0]]), T([[True]]))
