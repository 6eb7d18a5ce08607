"""Losses against hand-computed values, and micro-batch invariance of the gradient."""
import math

import pytest
import torch

from gymkit.trainers.losses import (aggregate, kl_penalty, overlong_keep_mask, policy_loss,
                                     soft_overlong_penalty, token_logprobs)

T = torch.tensor
MODES = ["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"]


def test_token_logprobs_match_log_softmax():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 11, generator=g)
    targets = torch.randint(0, 11, (2, 3), generator=g)
    ref = torch.log_softmax(logits, -1).gather(-1, targets[..., None])[..., 0]
    assert torch.allclose(token_logprobs(logits, targets), ref, atol=1e-6)


def test_kl_estimators():
    lp, ref = T([math.log(0.5)]), T([math.log(0.25)])
    assert torch.allclose(kl_penalty(lp, ref, "k1"), T([math.log(2)]))
    assert torch.allclose(kl_penalty(lp, ref, "k3"), T([0.5 + math.log(2) - 1]))
    assert torch.allclose(kl_penalty(lp, lp, "k3"), T([0.0]))
    # low_var_kl is k3 clamped to 10 (a token 100x less likely than under the reference)
    far = T([math.log(0.01)])
    assert kl_penalty(far, T([0.0]), "low_var_kl").item() == 10.0
    with pytest.raises(ValueError, match="unknown KL estimator"):
        kl_penalty(lp, ref, "k2")


def test_aggregation_modes():
    v = T([[1.0, 2.0, 3.0], [4.0, 9.0, 9.0]])
    m = T([[1, 1, 1], [1, 0, 0]])
    assert aggregate(v, m, "token-mean", n_tokens=4, n_seqs=2).item() == pytest.approx(2.5)
    assert aggregate(v, m, "seq-mean-token-mean", n_tokens=4, n_seqs=2).item() == pytest.approx(3.0)
    got = aggregate(v, m, "seq-mean-token-sum-norm", n_tokens=4, n_seqs=2, norm_len=4)
    assert got.item() == pytest.approx(10 / 8)
    with pytest.raises(ValueError, match="norm_len"):
        aggregate(v, m, "seq-mean-token-sum-norm", n_tokens=4, n_seqs=2)
    with pytest.raises(ValueError, match="unknown loss aggregation"):
        aggregate(v, m, "sum", n_tokens=4, n_seqs=2)


def test_clipped_ratio_with_clip_higher():
    # four one-token sequences: ratios 1.5, 0.5, 1.5, 0.5 with advantages +1, +1, -1, -1
    old = torch.full((4, 1), math.log(0.5))
    lp = (old + torch.log(T([[1.5], [0.5], [1.5], [0.5]])))
    lp.requires_grad_(True)
    adv = T([1.0, 1.0, -1.0, -1.0])
    loss, stats = policy_loss(lp, old, adv, torch.ones(4, 1), n_tokens=4, n_seqs=4,
                              clip_low=0.2, clip_high=0.28)
    # per token: -min(1.5, 1.28), -min(0.5, 0.8), -min(-1.5, -1.28), -min(-0.5, -0.8)
    assert loss.item() == pytest.approx((-1.28 - 0.5 + 1.5 + 0.8) / 4)
    assert stats.clipped_tokens == 2
    loss.backward()
    # clipped tokens get no gradient; unclipped get -ratio * A / n_tokens
    assert torch.allclose(lp.grad, T([[0.0], [-0.5 / 4], [1.5 / 4], [0.0]]))


def test_kl_term_is_added_per_token_and_needs_a_reference():
    lp = torch.zeros(1, 2)
    ref = torch.full((1, 2), math.log(0.5))
    loss, stats = policy_loss(lp, lp, T([0.0]), torch.ones(1, 2), n_tokens=2, n_seqs=1,
                              ref_logprobs=ref, kl_coef=0.1, kl_kind="k3")
    k3 = 0.5 + math.log(2) - 1  # exp(d) - d - 1 with d = log 0.5
    assert loss.item() == pytest.approx(0.1 * k3)
    assert stats.kl_sum == pytest.approx(2 * k3)
    with pytest.raises(ValueError, match="ref_logprobs"):
        policy_loss(lp, lp, T([0.0]), torch.ones(1, 2), n_tokens=2, n_seqs=1, kl_coef=0.1)
    with pytest.raises(ValueError, match="zero expected gradient"):
        policy_loss(lp, lp, T([0.0]), torch.ones(1, 2), n_tokens=2, n_seqs=1,
                    ref_logprobs=ref, kl_coef=0.1, kl_kind="k1")


def test_masked_tokens_do_not_count():
    lp = torch.zeros(1, 3, requires_grad=True)
    loss, _ = policy_loss(lp, torch.zeros(1, 3), T([2.0]), T([[1, 0, 1]]), n_tokens=2, n_seqs=1)
    loss.backward()
    assert loss.item() == pytest.approx(-2.0)
    assert lp.grad[0, 1] == 0


class _TinyLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(13, 8)
        self.out = torch.nn.Linear(8, 13)

    def forward(self, ids):
        return self.out(torch.tanh(self.emb(ids)))


def _grads(model, batch, mode, splits, local_counts=False):
    model.zero_grad()
    ids, old, adv, mask = batch
    n_tokens, n_seqs = int(mask.sum()), ids.shape[0]
    for idx in torch.arange(ids.shape[0]).chunk(splits):
        lp = token_logprobs(model(ids[idx]), ids[idx])
        nt, ns = (int(mask[idx].sum()), len(idx)) if local_counts else (n_tokens, n_seqs)
        loss, _ = policy_loss(lp, old[idx], adv[idx], mask[idx], n_tokens=nt, n_seqs=ns,
                              agg=mode, norm_len=6)
        (loss / splits if local_counts else loss).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()])


@pytest.fixture(scope="module")
def ragged_batch():
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 13, (8, 6), generator=g)
    lengths = T([6, 1, 2, 6, 3, 5, 1, 4])
    mask = (torch.arange(6)[None] < lengths[:, None]).float()
    old = -2.5 + 0.3 * torch.randn(8, 6, generator=g)
    return ids, old, torch.randn(8, generator=g), mask


@pytest.mark.parametrize("mode", MODES)
def test_one_and_four_micro_batches_give_the_same_gradient(ragged_batch, mode):
    model = _TinyLM()
    full = _grads(model, ragged_batch, mode, 1)
    split = _grads(model, ragged_batch, mode, 4)
    assert full.abs().sum() > 0
    assert torch.allclose(full, split, atol=1e-6)


def test_local_token_counts_would_change_the_gradient(ragged_batch):
    """The bug the global counts prevent: per-micro-batch token-mean is not the batch mean."""
    model = _TinyLM()
    full = _grads(model, ragged_batch, "token-mean", 1)
    local = _grads(model, ragged_batch, "token-mean", 4, local_counts=True)
    assert not torch.allclose(full, local, atol=1e-4)


def test_soft_overlong_penalty_and_filter():
    pen = soft_overlong_penalty(T([5, 6, 8, 10, 12]), max_len=10, cache_len=4)
    assert torch.allclose(pen, T([0.0, 0.0, -0.5, -1.0, -1.0]))
    with pytest.raises(ValueError):
        soft_overlong_penalty(T([1]), max_len=4, cache_len=0)
    assert overlong_keep_mask(T([True, False])).tolist() == [0.0, 1.0]
