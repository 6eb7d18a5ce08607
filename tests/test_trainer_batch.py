"""From rollouts to the loss: what enters the gradient, and exact token alignment."""
import pytest
import torch

from gymkit.trainers.batch import collate, prepare
from gymkit.trainers.config import GRPO, RLOO, LossConfig
from gymkit.trainers.losses import token_logprobs
from gymkit.trainers.update import sequence_logprobs
from gymkit.types import Rollout


def R(task, reward, status="wrong", n=3, finish="stop", mask=None, env="e"):
    mask = mask or [1] * n
    return Rollout(task_id=task, env=env, prompt_ids=[5, 6], completion_ids=list(range(7, 7 + len(mask))),
                   logprobs=[-1.0] * len(mask), loss_mask=mask, reward=reward, status=status,
                   finish_reason=finish)


def test_errors_and_timeouts_stay_out_of_the_gradient_but_are_counted():
    rs = [R("a", 1.0, "correct"), R("a", 0.0), R("a", 0.0, "error"), R("a", 0.0, "timeout")]
    prep = prepare(rs, GRPO(scale_std=False), LossConfig(), 16)
    assert len(prep.sequences) == 2
    assert prep.dropped == {"error": 1, "timeout": 1}
    # the baseline is the mean of the two scored samples only: 0.5
    assert [s.advantage for s in prep.sequences] == [0.5, -0.5]


def test_zero_variance_groups_are_filtered_and_flagged():
    rs = [R("a", 1.0, "correct"), R("a", 1.0, "correct"), R("b", 1.0, "correct"), R("b", 0.0)]
    prep = prepare(rs, RLOO(), LossConfig(), 16)
    assert prep.zero_variance["e"] == [True, False]
    assert prep.dropped["zero_variance"] == 2 and len(prep.sequences) == 2
    kept = prepare(rs, RLOO(), LossConfig(filter_zero_variance=False), 16)
    assert len(kept.sequences) == 4


def test_overlong_filter_and_soft_penalty():
    rs = [R("a", 1.0, "correct", n=4), R("a", 0.0, "truncated", n=8, finish="length"), R("a", 0.0, n=2)]
    filt = prepare(rs, GRPO(), LossConfig(overlong="filter"), 8)
    assert filt.dropped["overlong"] == 1 and len(filt.sequences) == 2
    soft = prepare(rs, GRPO(), LossConfig(overlong="soft", overlong_cache=4), 8)
    # lengths 4, 8, 2 with max 8 and a 4-token ramp: penalties 0, -1, 0
    assert soft.rewards == [1.0, -1.0, 0.0]


def test_multi_turn_mask_is_kept_as_sampled():
    r = R("a", 1.0, "correct", mask=[1, 1, 0, 0, 1])
    prep = prepare([r, R("a", 0.0)], GRPO(), LossConfig(), 16)
    assert prep.sequences[0].mask == [1, 1, 0, 0, 1]
    assert prep.sequences[0].ids == [5, 6, 7, 8, 9, 10, 11]


class _Causal(torch.nn.Module):
    """A tiny causal LM with the HF call signature (logits_to_keep, attention_mask)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(20, 16)
        self.rnn = torch.nn.GRU(16, 16, batch_first=True)
        self.out = torch.nn.Linear(16, 20)

    def forward(self, input_ids, attention_mask=None, logits_to_keep=0, use_cache=False):
        h, _ = self.rnn(self.emb(input_ids))
        logits = self.out(h)
        return type("Out", (), {"logits": logits[:, -logits_to_keep:] if logits_to_keep else logits})


def test_padded_batch_logprobs_equal_per_sequence_logprobs():
    from gymkit.trainers.batch import Sequence

    model = _Causal()
    seqs = [Sequence(ids=[1, 2, 3, 4, 5], n_prompt=2, old_logprobs=[0.0] * 3, mask=[1] * 3, advantage=1.0, env="e"),
            Sequence(ids=[1, 9, 8, 7, 3, 3, 2], n_prompt=4, old_logprobs=[0.0] * 3, mask=[1] * 3, advantage=1.0, env="e"),
            Sequence(ids=[4, 4, 6], n_prompt=1, old_logprobs=[0.0] * 2, mask=[1, 1], advantage=1.0, env="e")]
    batch = sequence_logprobs(model, collate(seqs, pad_id=0), temperature=0.7)
    for i, s in enumerate(seqs):
        ids = torch.tensor([s.ids])
        logits = model(ids).logits[0, s.n_prompt - 1:-1] / 0.7
        want = token_logprobs(logits[None], torch.tensor([s.ids[s.n_prompt:]]))[0]
        assert torch.allclose(batch[i, :len(want)], want, atol=1e-5)


def test_token_budget_micro_batches_bucket_by_length_and_keep_the_update():
    """`micro_batch_tokens` cuts longest-first under a padded-token budget; the update is the
    one fixed-size micro-batches give (global counts), so only memory changes."""
    import random

    from gymkit.trainers.batch import Sequence
    from gymkit.trainers.config import load_config
    from gymkit.trainers.update import micro_batches, policy_update

    rng = random.Random(0)
    seqs = []
    for _ in range(9):
        p, c = rng.randint(1, 4), rng.randint(1, 12)
        seqs.append(Sequence(ids=[rng.randrange(1, 20) for _ in range(p + c)], n_prompt=p,
                             old_logprobs=[-3.0] * c, mask=[1] * c,
                             advantage=rng.uniform(-1, 1), env="e"))
    cuts = micro_batches(seqs, size=4, tokens=24)
    assert sorted(id(s) for c in cuts for s in c) == sorted(id(s) for s in seqs)
    assert all(len(c) <= 4 and (len(c) == 1 or len(c) * max(len(s.ids) for s in c) <= 24)
               for c in cuts)
    assert len(cuts) < len(micro_batches(seqs, size=1, tokens=None))

    def weights(*extra):
        model = _Causal()
        cfg = load_config(None, ["trainer.lr=1e-2", *extra])
        opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
        policy_update(model, opt, sched, seqs, cfg)
        return torch.cat([p.detach().flatten() for p in model.parameters()])

    fixed = weights("trainer.micro_batch_size=2")
    budget = weights("trainer.micro_batch_size=4", "trainer.micro_batch_tokens=24")
    start = torch.cat([p.detach().flatten() for p in _Causal().parameters()])
    assert (fixed - start).abs().max() > 1e-3  # the step moved the weights
    assert torch.allclose(fixed, budget, atol=1e-6)


def test_chunked_logprobs_equal_whole_in_value_and_gradient():
    from gymkit.trainers.update import chunked_token_logprobs

    torch.manual_seed(0)
    logits = torch.randn(2, 37, 50, requires_grad=True)
    targets = torch.randint(0, 50, (2, 37))
    whole = token_logprobs(logits, targets)
    (g_whole,) = torch.autograd.grad(whole.sum(), logits)
    parts = chunked_token_logprobs(logits, targets, chunk=8)
    (g_parts,) = torch.autograd.grad(parts.sum(), logits)
    assert torch.allclose(whole, parts, atol=1e-6) and torch.allclose(g_whole, g_parts, atol=1e-6)
    with torch.no_grad():
        assert torch.allclose(chunked_token_logprobs(logits, targets, chunk=8), whole, atol=1e-6)
