"""GSPO, CISPO and sampler/trainer mismatch correction (TIS, MIS) against hand-computed values;
their config keys, the trainer wiring, and that ppo without correction is today's loss."""
import math

import pytest
import torch

from gymkit import BaseEnv, Score, Task, register_env
from gymkit.errors import GymkitError
from gymkit.trainers.batch import Sequence, collate
from gymkit.trainers.config import load_config
from gymkit.trainers.losses import LossStats, mismatch_weights, policy_loss
from gymkit.trainers.metrics import loss_metrics
from gymkit.trainers.update import policy_update, recompute_old_logprobs

T = torch.tensor
LN = math.log


# ---------------------------------------------------------------- GSPO
def test_gspo_clips_per_sequence_and_averages_per_sequence_by_hand():
    # two sequences of 2 and 3 tokens (third slot of the first is padding)
    mask = T([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    old = torch.full((2, 3), -1.0)
    # token log-ratios: seq 0: 0.1, 0.3 -> mean 0.2 -> s0 = e^0.2 = 1.221403
    #                   seq 1: -0.3, 0.0, 0.15 -> mean -0.05 -> s1 = e^-0.05 = 0.951229
    # (the padding slot's 5.0 must not count)
    lp = (old + T([[0.1, 0.3, 5.0], [-0.3, 0.0, 0.15]])).requires_grad_(True)
    adv = T([1.0, -2.0])
    loss, stats = policy_loss(lp, old, adv, mask, n_tokens=5, n_seqs=2, policy="gspo",
                              gspo_clip_low=0.1, gspo_clip_high=0.1, agg="seq-mean-token-mean")
    s0, s1 = math.exp(0.2), math.exp(-0.05)
    # seq 0: A > 0 and s0 > 1.1 -> clipped: -min(1.2214, 1.1) = -1.1 on each token
    # seq 1: s1 in [0.9, 1.1] -> -s1 * A = 1.902459 on each token
    # seq-mean-token-mean: ((-1.1 - 1.1) / 2 + 3 * 1.902459 / 3) / 2 = 0.401229
    assert loss.item() == pytest.approx((-1.1 + 2 * s1) / 2, abs=1e-6)
    assert loss.item() == pytest.approx(0.401229, abs=1e-6)
    assert stats.clipped_tokens == 2  # both tokens of sequence 0
    assert stats.ratio_max == pytest.approx(s0, rel=1e-6)  # the sequence ratio is what is shown
    assert stats.ratio_sum == pytest.approx(2 * s0 + 3 * s1, rel=1e-6)
    loss.backward()
    # d(-s1 * A)/d logp_t = -A * s1 = 1.902459 per token; / (n_seqs 2 * |y1| 3) = 0.317076.
    # Token 0 of seq 1 has ratio e^-0.3 = 0.74: token-level PPO with the same range would clip
    # it (zero gradient); GSPO does not, the sequence ratio is inside the range.
    g1 = 2 * s1 / 6
    assert torch.allclose(lp.grad, T([[0.0, 0.0, 0.0], [g1, g1, g1]]), atol=1e-6)
    assert g1 == pytest.approx(0.317076, abs=1e-6)


def test_gspo_gradient_equals_the_sequence_level_gradient():
    # sequence-level GSPO: d/dtheta of -s * A with s = exp(mean log-ratio), inside the clip
    g = torch.Generator().manual_seed(3)
    old = -2.0 + torch.randn(3, 4, generator=g)
    delta = 1e-4 * torch.randn(3, 4, generator=g)  # inside the paper's 3e-4 / 4e-4 range
    mask = T([[1.0, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]])
    adv = T([0.5, -1.0, 2.0])
    lp = (old + delta).requires_grad_(True)
    loss, _ = policy_loss(lp, old, adv, mask, n_tokens=7, n_seqs=3, policy="gspo",
                          agg="seq-mean-token-mean")
    loss.backward()
    lp2 = (old + delta).requires_grad_(True)
    s = torch.exp(((lp2 - old) * mask).sum(-1) / mask.sum(-1))
    (-(s * adv).sum() / 3).backward()
    assert torch.allclose(lp.grad, lp2.grad * mask, atol=1e-7)
    assert lp.grad.abs().sum() > 0


# ---------------------------------------------------------------- CISPO
def test_cispo_weight_is_clipped_and_detached_by_hand():
    # one sequence, 3 tokens: pi = 0.5, 0.2, 0.1 with ratios r = 0.5, 2, 8 against old
    lp = torch.log(T([[0.5, 0.2, 0.1]])).requires_grad_(True)
    old = lp.detach() - torch.log(T([[0.5, 2.0, 8.0]]))
    adv, mask = T([1.5]), torch.ones(1, 3)
    loss, stats = policy_loss(lp, old, adv, mask, n_tokens=3, n_seqs=1, policy="cispo",
                              cispo_clip_high=5.0)
    # weights clip(r, -, 5) = 0.5, 2, 5; per token -w * A * log pi, token-mean over 3:
    # -(1.5 / 3) * (0.5 * -0.693147 + 2 * -1.609438 + 5 * -2.302585) = 7.539188
    assert loss.item() == pytest.approx(7.539188, abs=1e-5)
    assert stats.clipped_tokens == 1
    loss.backward()
    # detached weight: the gradient is -clip(r) * A * grad log pi / n = -w * 1.5 / 3. A live
    # weight would add -A * w * log pi / n (its own gradient) and fail this.
    assert torch.allclose(lp.grad, T([[-0.25, -1.0, -2.5]]), atol=1e-6)
    # the r = 8 token keeps a gradient; PPO's clip would zero it (A > 0, r > 1 + clip_high)
    lp.grad = None
    ppo, _ = policy_loss(lp, old, adv, mask, n_tokens=3, n_seqs=1)
    ppo.backward()
    assert lp.grad[0, 2] == 0


def test_cispo_optional_floor():
    lp = torch.log(T([[0.5, 0.2, 0.1]])).requires_grad_(True)
    old = lp.detach() - torch.log(T([[0.5, 2.0, 8.0]]))
    loss, stats = policy_loss(lp, old, T([1.5]), torch.ones(1, 3), n_tokens=3, n_seqs=1,
                              policy="cispo", cispo_clip_low=0.6, cispo_clip_high=5.0)
    loss.backward()
    # weights 0.6 (floored), 2, 5 -> gradient -w * 1.5 / 3
    assert torch.allclose(lp.grad, T([[-0.3, -1.0, -2.5]]), atol=1e-6)
    assert stats.clipped_tokens == 2


# ---------------------------------------------------------------- TIS / MIS
# one sequence: trainer_old - sampler = ln 3, ln 1.5, 0, ln 0.25 on 4 loss tokens, and ln 10
# on a 5th token outside the loss mask (a tool result): it must not count anywhere
W = [3.0, 1.5, 1.0, 0.25, 10.0]
MASK = T([[1.0, 1.0, 1.0, 1.0, 0.0]])
OLD = torch.full((1, 5), -2.0)
SAMPLER = OLD - torch.log(T([W]))
# k3 = w - 1 - ln w: 0.901388, 0.094535, 0, 0.636294 -> sum 1.632217
K3_SUM = sum(w - 1 - LN(w) for w in W[:4])


def test_mismatch_weights_tis_and_mis_by_hand():
    tis, st = mismatch_weights(OLD, SAMPLER, MASK, "tis", 2.0)
    assert torch.allclose(tis, T([[2.0, 1.5, 1.0, 0.25, 2.0]]))  # min(w, 2)
    mis, _ = mismatch_weights(OLD, SAMPLER, MASK, "mis", 2.0)
    assert torch.allclose(mis, T([[0.0, 1.5, 1.0, 0.0, 0.0]]))  # outside [0.5, 2] -> 0
    none, _ = mismatch_weights(OLD, SAMPLER, MASK, "none", 2.0)
    assert none is None
    assert st.mismatch_tokens == 4
    assert st.mismatch_truncated_tokens == 1  # w = 3 (not the masked-out 10)
    assert st.mismatch_masked_tokens == 2  # w = 3 and w = 0.25
    assert st.mismatch_ratio_max == pytest.approx(3.0)
    assert st.mismatch_kl_sum == pytest.approx(K3_SUM, abs=1e-5)
    assert K3_SUM == pytest.approx(1.632217, abs=1e-6)
    with pytest.raises(ValueError, match="unknown is_correction"):
        mismatch_weights(OLD, SAMPLER, MASK, "cap", 2.0)


@pytest.mark.parametrize("kind, weights", [("tis", [2.0, 1.5, 1.0, 0.25]),
                                           ("mis", [0.0, 1.5, 1.0, 0.0])])
def test_correction_weighs_each_token_of_the_loss(kind, weights):
    # on-policy ppo (ratio 1, A = 1): per token -1 * weight, token-mean over 4
    lp = OLD.clone().requires_grad_(True)
    loss, stats = policy_loss(lp, OLD, T([1.0]), MASK, n_tokens=4, n_seqs=1,
                              sampler_logprobs=SAMPLER, is_correction=kind, is_cap=2.0)
    # tis: -(2 + 1.5 + 1 + 0.25) / 4 = -1.1875;  mis: -(1.5 + 1) / 4 = -0.625
    assert loss.item() == pytest.approx(-sum(weights) / 4)
    loss.backward()
    assert torch.allclose(lp.grad, -T([weights + [0.0]]) / 4)  # detached: grad = -w * A / n
    assert stats.mismatch_masked_tokens == 2 and stats.mismatch_truncated_tokens == 1


def test_correction_needs_sampler_logprobs():
    with pytest.raises(ValueError, match="needs sampler_logprobs"):
        policy_loss(OLD, OLD, T([1.0]), MASK, n_tokens=4, n_seqs=1, is_correction="tis")


def test_stats_combine_max_as_max_and_sums_as_sums():
    # the same 4 tokens cut into two micro-batches give the figures of one
    a = mismatch_weights(OLD[:, :2], SAMPLER[:, :2], MASK[:, :2], "none", 2.0)[1]
    b = mismatch_weights(OLD[:, 2:], SAMPLER[:, 2:], MASK[:, 2:], "none", 2.0)[1]
    a.tokens, b.tokens = 2.0, 2.0
    merged = loss_metrics(LossStats().merge(a).merge(b))
    assert merged["mismatch_ratio_max"] == pytest.approx(3.0)  # not 3 + 1
    assert merged["mismatch_kl"] == pytest.approx(K3_SUM / 4, abs=1e-6)
    assert merged["mismatch_truncated_frac"] == pytest.approx(1 / 4)
    assert merged["mismatch_masked_frac"] == pytest.approx(2 / 4)
    assert "mismatch_kl" not in loss_metrics(LossStats(tokens=4.0))  # no sampler set: absent


# ---------------------------------------------------------------- ppo is unchanged
def _todays_ppo(lp, old, adv, mask, n_tokens, c=3.0, lo=0.2, hi=0.28):
    """The clipped, dual-clipped token-mean loss as `policy_loss` computed it before gspo/cispo."""
    mask = mask.to(lp.dtype)
    adv = adv.unsqueeze(-1)
    ratio = torch.exp((lp - old).clamp(-20.0, 20.0))
    per = -torch.minimum(ratio * adv, ratio.clamp(1.0 - lo, 1.0 + hi) * adv)
    cap = -c * adv
    per = torch.where((adv < 0) & (per > cap), cap.expand_as(per), per)
    return (per * mask).sum() / n_tokens


def test_ppo_without_correction_is_exactly_todays_loss():
    g = torch.Generator().manual_seed(0)
    old = -2.0 + 1.5 * torch.randn(6, 9, generator=g)
    lp = (-2.0 + torch.randn(6, 9, generator=g)).requires_grad_(True)
    adv = torch.randn(6, generator=g)
    mask = (torch.rand(6, 9, generator=g) > 0.3).float()
    n = int(mask.sum())
    grads, losses = [], []
    for kw in ({}, {"policy": "ppo", "is_correction": "none"},
               {"policy": "ppo", "is_correction": "none", "sampler_logprobs": old - 0.3}):
        lp.grad = None
        loss, _ = policy_loss(lp, old, adv, mask, n_tokens=n, n_seqs=6, **kw)
        loss.backward()
        losses.append(loss.detach())
        grads.append(lp.grad.clone())
    lp.grad = None
    ref = _todays_ppo(lp, old, adv, mask, n)
    ref.backward()
    for loss, grad in zip(losses, grads):
        assert torch.equal(loss, ref.detach()) and torch.equal(grad, lp.grad)


# ---------------------------------------------------------------- config
@pytest.mark.parametrize("kind", ["tis", "mis"])
def test_correction_without_recompute_is_one_config_line(kind):
    with pytest.raises(GymkitError) as e:
        load_config("tiny-cpu", [f"loss.is_correction={kind}"])
    msg = str(e.value)
    assert f"loss.is_correction={kind} needs loss.old_logprobs=recompute" in msg
    assert "\n" not in msg
    cfg = load_config("tiny-cpu", [f"loss.is_correction={kind}", "loss.old_logprobs=recompute"])
    assert cfg.loss.is_correction == kind and cfg.loss.is_cap == 2.0


@pytest.mark.parametrize("override, expected", [
    ("loss.policy=trpo", "config: loss.policy"),
    ("loss.is_cap=1.0", "config: loss.is_cap"),
    ("loss.cispo_clip_high=0.5", "config: loss.cispo_clip_high"),
    ("loss.gspo_clip_low=1.5", "config: loss.gspo_clip_low"),
    ("loss.is_correction=yes", "config: loss.is_correction"),
])
def test_bad_loss_keys_are_refused(override, expected):
    with pytest.raises(GymkitError, match=expected):
        load_config("tiny-cpu", [override])


def test_defaults_are_todays_and_the_papers():
    lc = load_config(None).loss
    assert (lc.policy, lc.is_correction) == ("ppo", "none")
    assert (lc.gspo_clip_low, lc.gspo_clip_high, lc.cispo_clip_high) == (3e-4, 4e-4, 5.0)


# ---------------------------------------------------------------- the trainer's wiring
class _Causal(torch.nn.Module):
    """A tiny causal LM with the HF call signature the update uses."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(20, 16)
        self.out = torch.nn.Linear(16, 20)

    def forward(self, input_ids, attention_mask=None, logits_to_keep=0, use_cache=False):
        logits = self.out(torch.tanh(self.emb(input_ids).cumsum(1)))
        return type("Out", (), {"logits": logits[:, -logits_to_keep:] if logits_to_keep else logits})


def _seqs(sampler_shift: float) -> list[Sequence]:
    out = []
    for i, (p, c) in enumerate([(2, 3), (3, 5), (1, 2), (2, 4)]):
        ids = [(7 * i + k) % 19 + 1 for k in range(p + c)]
        lps = [-3.0 + sampler_shift * (k % 3) for k in range(c)]
        out.append(Sequence(ids=ids, n_prompt=p, old_logprobs=lps, mask=[1] * (c - 1) + [0],
                            advantage=[1.0, -1.0, 0.5, -0.5][i], env="e"))
    return out


def test_prepare_keeps_the_sampler_logprobs_only_for_recompute():
    from gymkit.trainers.batch import prepare
    from gymkit.trainers.config import GRPO, LossConfig
    from gymkit.types import Rollout

    rs = [Rollout(task_id="t", env="e", prompt_ids=[5, 6], completion_ids=[7, 8],
                  logprobs=[-1.0, -2.0], loss_mask=[1, 1], reward=float(i), status="wrong",
                  finish_reason="stop") for i in range(2)]
    kept = prepare(rs, GRPO(), LossConfig(old_logprobs="recompute"), 16).sequences
    assert [s.sampler_logprobs for s in kept] == [[-1.0, -2.0]] * 2
    assert kept[0].sampler_logprobs is not kept[0].old_logprobs  # recompute replaces only one
    assert all(s.sampler_logprobs is None
               for s in prepare(rs, GRPO(), LossConfig(), 16).sequences)


def test_recompute_keeps_the_sampler_logprobs_beside_the_trainers():
    seqs = _seqs(0.4)
    sampled = [list(s.old_logprobs) for s in seqs]
    cfg = load_config(None, ["loss.old_logprobs=recompute", "trainer.micro_batch_size=3"])
    recompute_old_logprobs(_Causal(), seqs, cfg, pad_id=0)
    assert [s.sampler_logprobs for s in seqs] == sampled
    assert all(s.old_logprobs != s.sampler_logprobs for s in seqs)
    mb = collate(seqs)
    assert torch.allclose(mb.sampler_logprobs[1, :5], T(sampled[1]))
    assert mb.sampler_logprobs.shape == mb.old_logprobs.shape
    with pytest.raises(ValueError, match="all or none"):
        collate([seqs[0], _seqs(0.0)[1]])


def _update(*overrides, size=4):
    seqs = _seqs(0.4)
    cfg = load_config(None, ["loss.old_logprobs=recompute", "trainer.lr=1e-2",
                             f"trainer.micro_batch_size={size}", *overrides])
    model = _Causal()
    recompute_old_logprobs(model, seqs, cfg, pad_id=0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    return seqs, policy_update(model, opt, sched, seqs, cfg)


def test_update_logs_mismatch_figures_the_same_for_any_micro_batch_split():
    seqs, whole = _update("loss.is_correction=mis", size=4)
    _, split = _update("loss.is_correction=mis", size=1)
    w = [math.exp(o - s) for q in seqs for o, s, m in zip(q.old_logprobs, q.sampler_logprobs,
                                                         q.mask) if m]
    assert whole["mismatch_ratio_max"] == pytest.approx(max(w), rel=1e-5)
    assert whole["mismatch_kl"] == pytest.approx(sum(x - 1 - LN(x) for x in w) / len(w), rel=1e-4)
    assert whole["mismatch_masked_frac"] == pytest.approx(
        sum(x > 2.0 or x < 0.5 for x in w) / len(w))
    for k in ("mismatch_ratio_max", "mismatch_kl", "mismatch_truncated_frac",
              "mismatch_masked_frac", "loss"):
        assert split[k] == pytest.approx(whole[k], rel=1e-5, abs=1e-7), k


@register_env
class _Letters(BaseEnv):
    """Reward: the share of the letter 'a' in the answer (graded, so groups vary)."""

    name = "test_offpolicy_letters"

    def generate_task(self, rng, difficulty, index):
        return Task(id=f"l-{index}", env=self.name, data={},
                    prompt=[{"role": "user", "content": f"Say a{index}"}])

    def score(self, task, response):
        return Score.graded(response.count("a") / len(response)) if response else Score.wrong("")


@pytest.fixture(scope="module")
def llama():
    from gymkit.policy import load_policy

    return load_policy("tiny-random-llama", "hf", dtype="float32")


@pytest.mark.parametrize("extra", [
    ["loss.policy=ppo", "loss.is_correction=tis"],
    ["loss.policy=gspo", "loss.is_correction=mis"],
    ["loss.policy=cispo", "loss.is_correction=none"],
])
def test_a_training_step_runs_with_each_policy(llama, tmp_path, extra):
    before = {k: v.clone() for k, v in llama.model.state_dict().items()}
    cfg = load_config("tiny-cpu", [f"out={tmp_path}", "envs={test_offpolicy_letters: {}}",
                                   "logging.progress=false", "logging.plot=false",
                                   "logging.tensorboard=false", "steps=1", "checkpoint.every=0",
                                   "loss.old_logprobs=recompute", *extra])
    from gymkit.trainers.trainer import train

    row = train(cfg, policy=llama)[0]
    assert row["train/sequences"] > 0 and math.isfinite(row["train/loss"])
    # the hf sampler in fp32 is the trained module: sampler and trainer agree closely
    assert 0.0 <= row["train/mismatch_kl"] < 1e-3
    assert row["train/mismatch_ratio_max"] == pytest.approx(1.0, abs=1e-2)
    assert any(not torch.equal(before[k], v) for k, v in llama.model.state_dict().items())
