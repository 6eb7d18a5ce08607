"""Issue 12, losses: dual-clip by hand, and what each KL term's gradient really optimises."""
import math

import pytest
import torch

from gymkit.trainers.losses import kl_penalty, policy_loss


def T(x):
    return torch.tensor(x, dtype=torch.float32)


def test_dual_clip_caps_negative_advantage_tokens_by_hand():
    # ratios 5, 2, 5 with advantages -1, -1, +1; clip 0.2/0.28, clip_ratio_c 3
    old = torch.zeros(3, 1)
    lp = torch.log(T([[5.0], [2.0], [5.0]])).requires_grad_(True)
    adv = T([-1.0, -1.0, 1.0])
    loss, st = policy_loss(lp, old, adv, torch.ones(3, 1), n_tokens=3, n_seqs=3,
                           clip_low=0.2, clip_high=0.28, clip_ratio_c=3.0)
    # token 1: -min(-5, -1.28) = 5, capped at 3; token 2: 2 (< 3, untouched);
    # token 3: -min(5, 1.28) = -1.28 (positive advantage: dual-clip does not apply)
    assert loss.item() == pytest.approx((3.0 + 2.0 - 1.28) / 3)
    assert st.dual_clipped_tokens == 1 and st.ratio_max == pytest.approx(5.0)
    loss.backward()
    # the capped token and the clip-higher token get no gradient; token 2 gets ratio * 1 / 3
    assert torch.allclose(lp.grad, T([[0.0], [2.0 / 3], [0.0]]))
    # without dual-clip the same batch is unbounded in the ratio
    off, st = policy_loss(lp.detach(), old, adv, torch.ones(3, 1), n_tokens=3, n_seqs=3,
                          clip_ratio_c=None)
    assert off.item() == pytest.approx((5.0 + 2.0 - 1.28) / 3) and st.dual_clipped_tokens == 0


def _expected_kl_grad(kind: str, theta: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    """The exact expectation over x ~ pi of the gradient of the KL term on token x."""
    theta = theta.clone().requires_grad_(True)
    logp = torch.log_softmax(theta, -1)
    pi = logp.exp().detach()
    total = 0.0
    for x in range(theta.numel()):
        lp = logp[x].view(1, 1)
        loss, _ = policy_loss(lp, lp.detach(), T([0.0]), torch.ones(1, 1), n_tokens=1,
                              n_seqs=1, ref_logprobs=ref[x].view(1, 1), kl_coef=1.0,
                              kl_kind=kind, clip_ratio_c=None)
        total = total + pi[x] * loss
    total.backward()
    return theta.grad


def _grad_of(fn, theta: torch.Tensor) -> torch.Tensor:
    theta = theta.clone().requires_grad_(True)
    fn(torch.log_softmax(theta, -1)).backward()
    return theta.grad


def test_kl_gradients_have_the_documented_direction():
    theta, ref = T([0.3, -1.0, 0.8, 0.1]), torch.log_softmax(T([1.0, 0.2, -0.5, 0.0]), -1)
    forward = _grad_of(lambda lp: (lp.exp() * (lp - ref)).sum(), theta)  # KL(pi || ref)
    reverse = _grad_of(lambda lp: (ref.exp() * (ref - lp)).sum(), theta)  # KL(ref || pi)
    assert not torch.allclose(forward, reverse, atol=1e-3)
    # k3 as a loss term: the gradient of KL(ref || pi), not KL(pi || ref)
    assert torch.allclose(_expected_kl_grad("k3", theta, ref), reverse, atol=1e-6)
    # k1 as a reward-to-go: the gradient of KL(pi || ref)
    assert torch.allclose(_expected_kl_grad("k1_reward", theta, ref), forward, atol=1e-6)
    # k1 as a plain loss term would have zero expected gradient (so it is refused)
    k1 = _grad_of(lambda lp: (lp.exp().detach() * kl_penalty(lp, ref, "k1")).sum(), theta)
    assert torch.allclose(k1, torch.zeros(4), atol=1e-6)
    logp = torch.log_softmax(theta, -1)
    with pytest.raises(ValueError, match="zero expected gradient"):
        policy_loss(logp[:1].view(1, 1), logp[:1].view(1, 1).detach(), T([0.0]),
                    torch.ones(1, 1), n_tokens=1, n_seqs=1, ref_logprobs=ref[:1].view(1, 1),
                    kl_coef=1.0, kl_kind="k1")


def test_k1_reward_sums_the_rest_of_the_sequence():
    # two tokens with k1 = log 2 each: the first token's return is 2 log 2, the second's log 2
    lp = torch.zeros(1, 2, requires_grad=True)
    ref = torch.full((1, 2), math.log(0.5))
    loss, _ = policy_loss(lp, lp.detach(), T([0.0]), torch.ones(1, 2), n_tokens=2, n_seqs=1,
                          ref_logprobs=ref, kl_coef=1.0, kl_kind="k1_reward")
    loss.backward()
    assert torch.allclose(lp.grad, T([[2 * math.log(2) / 2, math.log(2) / 2]]))
