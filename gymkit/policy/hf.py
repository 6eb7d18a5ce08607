"""The `hf` backend: transformers on CPU or GPU, batched, with a KV cache. The embedded default.

`HFPolicy.model` and `.tokenizer` are public so a trainer can optimise the very model object the
sampler uses (then `sync_weights` has nothing to do). Requests are sorted by prompt length and
run in left-padded batches of at most `max_batch_size`; each request keeps its own seeded
generator, so its sample does not depend on the batch it landed in (greedy results can still
differ in the last bits between batch shapes in bf16).

Returned per request: the exact prompt ids fed to the model, the sampled ids, and one logprob
per sampled id: `log_softmax(logits / temperature)` before top-k/top-p truncation (temperature 1
when greedy); see `gymkit.policy.sampling` for why. Tool calls stay in the text for the env to
parse. `thinking_budget`: after that many tokens inside `<think>`, "\\n</think>\\n\\n" is forced
token by token and generation continues to the answer; forced positions are listed in
`Generation.forced` (their logprobs are the model's, but they were not sampled: mask them).
"""
from __future__ import annotations

import logging
import time
from typing import Any

import torch

from ..errors import GymkitError
from . import models
from .base import Generation, GenRequest, Policy, SamplingParams
from .prompts import PromptBuilder
from .sampling import GymkitSampler, RowState, row_seed

log = logging.getLogger(__name__)
_DTYPES = {"bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float32": torch.float32, "fp32": torch.float32,
           "float16": torch.float16, "fp16": torch.float16}


def _dtype(dtype: str | torch.dtype | None) -> torch.dtype:
    if dtype is None:  # bf16 everywhere: on this kind of CPU (avx512_bf16) it is ~2x faster than fp32
        return torch.bfloat16
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in _DTYPES:
        raise GymkitError(f"unknown dtype {dtype!r}; choose one of: {', '.join(_DTYPES)}")
    return _DTYPES[dtype]


def load_hf_model(name: str, device: str, dtype: torch.dtype, trust_remote_code: bool = False):
    """(model, tokenizer) for a registry alias, local dir or HF id; a one-line GymkitError if it cannot load."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = models.model_source(name)
    base = models.adapter_base(src)  # a LoRA checkpoint: its base model, then the adapter merged
    try:
        tok = AutoTokenizer.from_pretrained(src, trust_remote_code=trust_remote_code)
        # On accelerators, load straight onto the device ("auto" shards over all GPUs) instead of
        # materialising a 30B model in host memory first.
        placement = {} if device == "cpu" else {"device_map": device}
        model = AutoModelForCausalLM.from_pretrained(models.model_source(base) if base else src,
                                                     dtype=dtype, trust_remote_code=trust_remote_code,
                                                     **placement)
        if base:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, src).merge_and_unload()
    except OSError as e:  # missing files, or an HF id with no cache and no hub
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise GymkitError(f"cannot load model {name!r} from {src}: {first}") from e
    return (model.to(device) if device == "cpu" else model).eval(), tok


class HFPolicy(Policy):
    """A transformers causal LM behind the `Policy` interface.

    Options: `device` ("cpu", "cuda", "cuda:1", or "auto" to shard over GPUs; default cuda
    when present), `dtype` (default bf16),
    `max_batch_size` (rows per forward, caps memory), `chat_template` (overrides the tokenizer's),
    `thinking_switch` ((on, off) system-prompt lines for templates without `enable_thinking`),
    `logprob_mode` ("scaled" or "raw"), `trust_remote_code`, `num_threads` (torch CPU threads,
    process-wide; default torch's). Pass `model=<PreTrainedModel>` and
    `tokenizer=` to wrap a model that is already in memory (e.g. the trainer's).
    """

    backend = "hf"

    def __init__(self, model: Any = models.DEFAULT_MODEL, *, tokenizer: Any = None, device: str | None = None,
                 dtype: str | torch.dtype | None = None, max_batch_size: int = 16, chat_template: str | None = None,
                 thinking_switch: tuple[str, str] | None = None, logprob_mode: str = "scaled",
                 trust_remote_code: bool = False, num_threads: int | None = None) -> None:
        if num_threads:  # process-wide; on a CPU shared with other jobs, 1 thread can be ~8x faster than 2
            torch.set_num_threads(num_threads)
        if logprob_mode not in ("scaled", "raw"):
            raise GymkitError(f"unknown logprob_mode {logprob_mode!r}; choose one of: raw, scaled")
        if max_batch_size < 1:
            raise GymkitError(f"max_batch_size must be >= 1, got {max_batch_size}")
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if isinstance(model, str):
            self.model_id = model
            spec = models.get_spec(model)
            thinking_switch = thinking_switch or (spec.thinking_switch if spec else None)
            self.model, self.tokenizer = load_hf_model(model, device, _dtype(dtype), trust_remote_code)
        else:
            if tokenizer is None:
                raise GymkitError("HFPolicy(model=<object>) also needs tokenizer=")
            self.model, self.tokenizer = model, tokenizer
            self.model_id = getattr(model, "name_or_path", "") or type(model).__name__
        self.max_batch_size = max_batch_size
        self.logprob_mode = logprob_mode
        self.eos_ids = self._eos_ids()
        self.pad_id = self.tokenizer.pad_token_id
        if self.pad_id is None:
            self.pad_id = min(self.eos_ids)
        self.prompts = PromptBuilder(self.tokenizer, chat_template, thinking_switch, self.eos_ids)

    def _eos_ids(self) -> set[int]:
        ids = self.model.generation_config.eos_token_id
        ids = set(ids if isinstance(ids, (list, tuple)) else [ids] if ids is not None else [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        if not ids:
            raise GymkitError(f"model {self.model_id!r} has no eos token id")
        return ids

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def generate(self, requests: list[GenRequest], params: SamplingParams) -> list[Generation]:
        """One Generation per request, in order. A failed request gets `error` and finish_reason "error"."""
        results: list[Generation | None] = [None] * len(requests)
        ready: list[tuple[int, list[int], bool]] = []  # (request index, prompt ids, starts inside <think>)
        for i, req in enumerate(requests):
            ids = self.prompts.request_ids(req, params.enable_thinking)
            if isinstance(ids, Generation):
                results[i] = ids
                continue
            opens = self.prompts.opens_thinking(self.tokenizer.decode(ids[-32:]))
            ready.append((i, ids, opens))
        ready.sort(key=lambda r: len(r[1]))  # similar lengths share a batch: less padding
        for start in range(0, len(ready), self.max_batch_size):
            chunk = ready[start:start + self.max_batch_size]
            t0 = time.perf_counter()
            try:
                gens = self._generate_batch(chunk, params)
            except Exception as e:  # OOM, a model bug: every request in the batch reports it
                log.exception("hf generation failed for a batch of %d", len(chunk))
                gens = [Generation(text="", prompt_ids=ids, finish_reason="error", error=f"{type(e).__name__}: {e}")
                        for _, ids, _ in chunk]
            dt = time.perf_counter() - t0
            for (i, _, _), g in zip(chunk, gens):
                g.latency_s = dt
                results[i] = g
        return results  # type: ignore[return-value]

    def _generate_batch(self, chunk: list[tuple[int, list[int], bool]], params: SamplingParams) -> list[Generation]:
        from transformers import GenerationConfig, LogitsProcessorList

        width = max(len(ids) for _, ids, _ in chunk)
        input_ids = torch.full((len(chunk), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for r, (_, ids, _) in enumerate(chunk):  # left padding: every row's last token is aligned
            input_ids[r, width - len(ids):] = torch.tensor(ids)
            mask[r, width - len(ids):] = 1
        rows = [RowState(seed=row_seed(params.seed, i), in_think=opens) for i, _, opens in chunk]
        sampler = GymkitSampler(rows, temperature=params.temperature, top_k=params.top_k, top_p=params.top_p,
                                eos_ids=self.eos_ids, tokenizer=self.tokenizer,
                                thinking_budget=params.thinking_budget, logprob_mode=self.logprob_mode)
        # Neutral settings, so no processor of the model's own generation_config alters the logits first.
        config = GenerationConfig(max_new_tokens=params.max_new_tokens, do_sample=False, num_beams=1,
                                  pad_token_id=self.pad_id, eos_token_id=sorted(self.eos_ids),
                                  repetition_penalty=1.0, no_repeat_ngram_size=0, min_length=0,
                                  stop_strings=params.stop or None, use_cache=True)
        with torch.inference_mode():
            self.model.generate(input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device),
                                generation_config=config, logits_processor=LogitsProcessorList([sampler]),
                                tokenizer=self.tokenizer if params.stop else None)
        return [self._finish(ids, row, params) for (_, ids, _), row in zip(chunk, rows)]

    def _finish(self, prompt_ids: list[int], row: RowState, params: SamplingParams) -> Generation:
        tokens, logprobs = row.tokens, row.logprobs
        ended = bool(tokens) and tokens[-1] in self.eos_ids
        body = tokens[:-1] if ended else tokens
        text = self.tokenizer.decode(body)
        cut = _first_stop(text, params.stop)
        if cut is not None:  # the sampler ran on past a stop string that `generate` stopped on
            n = next(k for k in range(1, len(body) + 1)
                     if _first_stop(self.tokenizer.decode(body[:k]), params.stop) is not None)
            tokens, logprobs, text, ended = body[:n], logprobs[:n], text[:cut], True
        return Generation(text=text, prompt_ids=list(prompt_ids), token_ids=list(tokens), logprobs=list(logprobs),
                          finish_reason="stop" if ended else "length",
                          forced=[p for p in row.forced if p < len(tokens)])

    def sync_weights(self, model: Any) -> None:
        """Copy weights from `model` (a module or a state dict); nothing to do when it is `self.model`."""
        if model is self.model:
            return
        state = model.state_dict() if hasattr(model, "state_dict") else model
        self.model.load_state_dict(state)

    def close(self) -> None:
        self.model = None  # type: ignore[assignment]
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def _first_stop(text: str, stops: list[str]) -> int | None:
    hits = [text.find(s) for s in stops if s and s in text]
    return min(hits) if hits else None
