"""Token choice for the `hf` backend: sampling, logprobs and the thinking budget, in one logits processor.

transformers' `generate` runs the batched KV-cache loop; this processor, the last (and, with
the neutral generation config `HFPolicy` passes, the only) one, picks every token itself and
hands `generate` a one-hot score, so `generate` runs greedy over our choice. Doing the choice
here gives per-row seeded generators (a row's sample does not depend on which rows share its
batch), the exact logprob of each chosen token, and a place to force `</think>`.

Logprobs: `log_softmax(logits / T)` at the chosen token, with T the sampling temperature (T=1
when greedy), *before* top-k/top-p truncation. This is what an RL trainer recomputes from the
same model (`log_softmax(logits / T)`), so the importance ratio is exactly 1 on-policy; the
truncated distribution's logprob would differ by the log of the kept probability mass.
`logprob_mode="raw"` records `log_softmax(logits)` instead (T ignored), as vLLM's default does.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import torch
from transformers import LogitsProcessor

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
_MARKER_WINDOW = 12  # tokens decoded to spot a think marker completed by the newest token


@dataclass
class RowState:
    """One request's sampling state inside a batch."""

    seed: int | None
    in_think: bool = False  # inside an open <think> block (from the prompt or generated)
    think_tokens: int = 0
    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    forced: list[int] = field(default_factory=list)  # positions in `tokens` that were forced
    queue: list[int] = field(default_factory=list)  # tokens still to force
    budget_spent: bool = False
    done: bool = False


def row_seed(seed: int | None, index: int) -> int | None:
    """A per-request seed: the same request index and seed always draw the same sample."""
    return None if seed is None else (seed * 1_000_003 + index) % (2**63 - 1)


def sample_rows(logits: torch.Tensor, top_k: int, top_p: float, gens: list[torch.Generator]) -> torch.Tensor:
    """One token per row from softmax(logits) restricted to the top-k and the top-p nucleus.

    Inverse-CDF sampling with one uniform per row from that row's generator (torch.multinomial
    with a generator costs ~10 ms a row over a 49k vocabulary on CPU; this is one batched op).
    """
    vocab = logits.shape[-1]
    idx = None
    if 0 < top_k < vocab:
        logits, idx = torch.topk(logits, top_k, dim=-1)  # sorted, descending
    elif top_p < 1.0:
        logits, idx = torch.sort(logits, dim=-1, descending=True)
    probs = logits.softmax(-1)
    if top_p < 1.0:  # keep the smallest prefix whose mass reaches top_p (the crossing token included)
        probs = probs * ((probs.cumsum(-1) - probs) < top_p)
    cdf = probs.cumsum(-1)
    u = torch.cat([torch.rand(1, generator=g, device=g.device) for g in gens]).to(cdf.dtype)
    pos = torch.searchsorted(cdf, (u * cdf[:, -1])[:, None], right=True).clamp_(max=cdf.shape[-1] - 1)
    return pos[:, 0] if idx is None else idx.gather(-1, pos)[:, 0]


class GymkitSampler(LogitsProcessor):
    """Chooses, records and (for the thinking budget) forces each row's next token."""

    def __init__(self, rows: list[RowState], *, temperature: float, top_k: int, top_p: float,
                 eos_ids: set[int], tokenizer, thinking_budget: int | None = None,
                 logprob_mode: str = "scaled") -> None:
        self.rows = rows
        self.temperature, self.top_k, self.top_p = temperature, top_k, top_p
        self.eos_ids = eos_ids
        self.tok = tokenizer
        self.budget = thinking_budget
        self.logprob_mode = logprob_mode
        self._gens: list[torch.Generator] | None = None
        # Forced when the budget runs out: close the trace and start the answer on a fresh line.
        self.close_ids = tokenizer.encode("\n" + THINK_CLOSE + "\n\n", add_special_tokens=False)

    def _generators(self, device: torch.device) -> list[torch.Generator]:
        if self._gens is None:
            self._gens = [torch.Generator(device=device).manual_seed(
                r.seed if r.seed is not None else random.SystemRandom().getrandbits(63)) for r in self.rows]
        return self._gens

    def _choose(self, logits: torch.Tensor) -> torch.Tensor:
        if self.temperature == 0:
            return logits.argmax(-1)
        return sample_rows(logits / self.temperature, self.top_k, self.top_p, self._generators(logits.device))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        logits = scores.float()
        choice = self._choose(logits)
        for i, row in enumerate(self.rows):
            if row.queue and not row.done:
                choice[i] = row.queue.pop(0)
                row.forced.append(len(row.tokens))
        t = self.temperature if (self.temperature > 0 and self.logprob_mode == "scaled") else 1.0
        chosen_lp = torch.log_softmax(logits / t, dim=-1).gather(-1, choice[:, None])[:, 0].tolist()
        for i, (row, c, lp) in enumerate(zip(self.rows, choice.tolist(), chosen_lp)):
            if row.done:
                continue
            row.tokens.append(c)
            row.logprobs.append(lp)
            row.done = c in self.eos_ids
            if self.budget is not None:
                self._track_thinking(row)
        out = torch.full_like(scores, float("-inf"))
        out[torch.arange(out.shape[0], device=out.device), choice] = 0.0
        return out

    def _track_thinking(self, row: RowState) -> None:
        start = max(0, len(row.tokens) - _MARKER_WINDOW)
        now = self.tok.decode(row.tokens[start:])
        before = self.tok.decode(row.tokens[start:-1])
        if now.count(THINK_CLOSE) > before.count(THINK_CLOSE):
            row.in_think = False
        elif now.count(THINK_OPEN) > before.count(THINK_OPEN):
            row.in_think, row.think_tokens = True, 0
        elif row.in_think and not row.queue:
            row.think_tokens += 1
            if row.think_tokens >= self.budget and not row.budget_spent:
                row.queue = list(self.close_ids)
                row.budget_spent = True
