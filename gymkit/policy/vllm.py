"""The `vllm` backend: an in-process vLLM engine next to the trainer, with weight sync.

The engine runs in this process (`VLLM_ENABLE_V1_MULTIPROCESSING=0`) and shares the device
with the trainer through a memory fraction. Prompts are rendered by gymkit's own
`PromptBuilder` (the same code as the `hf` backend) and handed to vLLM as token ids, so the
prompt ids are exactly the hf backend's, and multi-turn `prefix_ids` are kept token for token.

Sampling maps one to one onto `SamplingParams`: temperature 0 is greedy, top_k 0 is off, each
request gets its own seed (`row_seed(seed, i)`, as in the hf and openai backends), `stop`
strings end the text like the hf backend does (the token that completes the stop is kept).
Logprobs come from `logprobs_mode="processed_logprobs"`: `log_softmax(logits / T)` of the
sampled token (T=1 when greedy), the hf backend's "scaled" logprob exactly when top_k/top_p
are off; with them on, vLLM reports the renormalised truncated distribution instead.

`sync_weights(model)` pushes a module's (or a state dict's) tensors into the running engine:
`model_runner.reload_weights` on CPU (the CPU backend repacks linear weights, so a plain
`load_weights` would write into the wrong layout), `model.load_weights` elsewhere, always
under a timeout. On CUDA the engine can sleep while the trainer runs (`sleep()`, woken by the
next sync or generate); on CPU sleep is a logged no-op.
"""
from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any


from ..errors import GymkitError
from . import models, vllm_presets
from .base import Generation, GenRequest, Policy, SamplingParams
from .prompts import PromptBuilder
from .sampling import row_seed

log = logging.getLogger(__name__)
CPU_KV_CACHE_GIB = 1.0  # explicit on CPU: vLLM then skips its ~45 s warm-up pass
CPU_MEMORY_FRACTION = 0.3  # the CPU backend checks it against the NUMA node (8 GiB reported here)
GPU_MEMORY_FRACTION = 0.3  # colocated: the rest of the GPU is the trainer's
_FINISH = {"stop": "stop", "length": "length"}
# vLLM keeps its parallel groups in process globals: a second in-process engine would share them,
# and closing either would tear them down under the other. One live engine per process.
_LIVE: list[str] = []


class WeightSyncError(RuntimeError):
    """Loading new weights into the engine failed or timed out; the engine is not usable after it."""


def _is_cpu() -> bool:
    from vllm.platforms import current_platform

    return current_platform.is_cpu()


class VLLMPolicy(Policy):
    """A colocated `vllm.LLM` behind the `Policy` interface.

    `model` is a registry alias, a `save_pretrained` dir or an HF id; a Nemotron preset alias
    (`nano-30b`, `nano-4b`) also brings its engine settings (tensor parallel size,
    max-model-len, float32 Mamba state). Defaults depend on the platform: on CUDA 0.3 of the
    GPU memory and sleep mode on; on CPU a 1 GiB KV cache, eager mode, no sleep. Anything else
    goes to `vllm.LLM` through `engine_kwargs`.
    """

    backend = "vllm"

    def __init__(self, model: str = models.DEFAULT_MODEL, *, gpu_memory_utilization: float | None = None,
                 enable_sleep_mode: bool | None = None, max_model_len: int | None = None,
                 tensor_parallel_size: int | None = None, dtype: str | None = None,
                 sync_timeout_s: float = 600.0, chat_template: str | None = None,
                 thinking_switch: tuple[str, str] | None = None, seed: int = 0, **engine_kwargs: Any) -> None:
        # Before vLLM reads its settings: the engine core must live in this process for
        # weight sync to reach the very model that generates.
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        from transformers import AutoTokenizer

        if _LIVE:
            raise GymkitError(f"an in-process vLLM engine for {_LIVE[0]!r} is already running; "
                              "close() it first (vLLM allows one per process)")
        self.model_id = model
        self.sync_timeout_s = sync_timeout_s
        self.on_cpu = _is_cpu()
        kwargs = self._engine_settings(model, gpu_memory_utilization, enable_sleep_mode, max_model_len,
                                       tensor_parallel_size, dtype, seed, engine_kwargs)
        self.sleep_mode = bool(kwargs.get("enable_sleep_mode"))
        src = models.model_source(model)
        spec = models.get_spec(model)
        self.tokenizer = AutoTokenizer.from_pretrained(src, trust_remote_code=kwargs.get("trust_remote_code", False))
        self.llm = self._start(src, kwargs)
        _LIVE.append(model)
        self.max_model_len = self.llm.llm_engine.model_config.max_model_len
        self.eos_ids = self._eos_ids()
        switch = thinking_switch or (spec.thinking_switch if spec else None)
        self.prompts = PromptBuilder(self.tokenizer, chat_template, switch, self.eos_ids)
        self.has_reasoning = bool(kwargs.get("reasoning_parser"))
        self._asleep, self._sleep_level = False, 1
        self._broken: str | None = None
        self.shapes = checkpoint_shapes(src)
        self._rpc = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gymkit-vllm-sync")

    def _engine_settings(self, model, mem, sleep, max_len, tp, dtype, seed, extra) -> dict[str, Any]:
        kw: dict[str, Any] = vllm_presets.engine_kwargs(model) if model in vllm_presets.PRESETS else {}
        kw.update({"seed": seed, "logprobs_mode": "processed_logprobs"})
        kw.setdefault("dtype", "bfloat16")  # as the hf backend: ~2x faster than fp32 on avx512_bf16 CPUs
        if self.on_cpu:
            if sleep:
                log.info("vllm: sleep mode is not supported on CPU; the engine stays resident during training")
            kw.update(gpu_memory_utilization=CPU_MEMORY_FRACTION, enforce_eager=True, enable_sleep_mode=False)
            if not os.environ.get("VLLM_CPU_KVCACHE_SPACE"):
                kw["kv_cache_memory_bytes"] = int(CPU_KV_CACHE_GIB * 2**30)
        else:
            kw.update(gpu_memory_utilization=GPU_MEMORY_FRACTION, enable_sleep_mode=True if sleep is None else sleep)
        explicit = {"gpu_memory_utilization": mem, "max_model_len": max_len, "tensor_parallel_size": tp,
                    "dtype": dtype}
        kw.update({k: v for k, v in explicit.items() if v is not None})
        kw.update(extra)
        return kw

    def _start(self, src: str, kwargs: dict[str, Any]):
        import torch
        from vllm import LLM

        t0, threads = time.perf_counter(), torch.get_num_threads()
        set_threads = torch.set_num_threads  # vLLM's CPU worker replaces it with a no-op
        if self.on_cpu:  # otherwise vLLM drops torch to 1 thread "for serving": the trainer's too
            os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        try:
            llm = LLM(model=src, **kwargs)
        except (ValueError, TypeError, OSError) as e:  # bad engine args, too little memory, missing files
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise GymkitError(f"vllm could not start {self.model_id!r}: {first}") from e
        if torch.get_num_threads() != threads:
            set_threads(threads)
        log.info("vllm engine for %s ready in %.1f s (%s)", self.model_id, time.perf_counter() - t0,
                 "cpu" if self.on_cpu else "gpu")
        return llm

    def _eos_ids(self) -> set[int]:
        """The ids that end a turn: the config's and generation config's eos, and the tokenizer's."""
        hf_eos = self.llm.llm_engine.model_config.hf_config.eos_token_id
        ids = set(hf_eos if isinstance(hf_eos, list) else [hf_eos] if hf_eos is not None else [])
        ids |= set(self.llm.get_default_sampling_params().stop_token_ids or [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        if not ids:
            raise GymkitError(f"model {self.model_id!r} has no eos token id")
        return ids

    # ------------------------------------------------------------------ generation
    def _sampling(self, params: SamplingParams, index: int, prompt_len: int):
        from vllm import SamplingParams as VSP

        if params.thinking_budget is not None and not self.has_reasoning:
            raise GymkitError("thinking_budget on the vllm backend needs an engine with a reasoning parser "
                              "(a Nemotron preset, or reasoning_parser=...); or use --backend hf")
        extra: dict[str, Any] = {}
        if params.thinking_budget is not None:
            extra["thinking_token_budget"] = params.thinking_budget
        return VSP(temperature=params.temperature, top_p=params.top_p, top_k=params.top_k,
                   seed=row_seed(params.seed, index), stop=list(params.stop) or None,
                   stop_token_ids=sorted(self.eos_ids), max_tokens=min(params.max_new_tokens,
                                                                       self.max_model_len - prompt_len),
                   logprobs=0, skip_special_tokens=False, **extra)

    def generate(self, requests: list[GenRequest], params: SamplingParams) -> list[Generation]:
        """One Generation per request, in order. A request that fails gets `error` (finish_reason "error")."""
        from vllm.inputs import TokensPrompt

        results: list[Generation | None] = [None] * len(requests)
        if self._broken:
            return [Generation(text="", finish_reason="error", error=self._broken) for _ in requests]
        self._wake("generate")
        prompts, sps, index = [], [], []
        for i, req in enumerate(requests):
            ids = self.prompts.request_ids(req, params.enable_thinking)
            if isinstance(ids, Generation):
                results[i] = ids
                continue
            if len(ids) >= self.max_model_len:
                results[i] = Generation(text="", prompt_ids=ids, finish_reason="error",
                                        error=f"prompt has {len(ids)} tokens; max_model_len is {self.max_model_len}")
                continue
            prompts.append(TokensPrompt(prompt_token_ids=ids))
            sps.append(self._sampling(params, i, len(ids)))
            index.append(i)
        if prompts:
            for i, gen in zip(index, self._run(prompts, sps, params)):
                results[i] = gen
        return results  # type: ignore[return-value]

    def _run(self, prompts: list, sps: list, params: SamplingParams) -> list[Generation]:
        t0 = time.perf_counter()
        try:
            outs = self.llm.generate(prompts, sps, use_tqdm=False)
        except Exception as e:  # an engine failure: every request of the call reports it
            log.exception("vllm generation failed for a batch of %d", len(prompts))
            return [Generation(text="", prompt_ids=list(p["prompt_token_ids"]), finish_reason="error",
                               error=f"{type(e).__name__}: {e}") for p in prompts]
        dt = time.perf_counter() - t0
        gens = [self._finish(out, params) for out in outs]
        for g in gens:
            g.latency_s = dt
        return gens

    def _finish(self, out, params: SamplingParams) -> Generation:
        prompt_ids = list(out.prompt_token_ids)
        if not out.outputs:
            return Generation(text="", prompt_ids=prompt_ids, finish_reason="error", error="vllm returned no output")
        comp = out.outputs[0]
        tokens = list(comp.token_ids)
        lps = comp.logprobs or []
        if len(lps) != len(tokens):
            return Generation(text="", prompt_ids=prompt_ids, token_ids=tokens, finish_reason="error",
                              error=f"vllm returned {len(lps)} logprobs for {len(tokens)} tokens")
        logprobs = [float(pos[t].logprob) for pos, t in zip(lps, tokens)]
        reason = _FINISH.get(comp.finish_reason or "")
        if reason is None:  # "abort" or an unknown reason: never passed off as an answer
            return Generation(text="", prompt_ids=prompt_ids, token_ids=tokens, logprobs=logprobs,
                              finish_reason="error", error=f"vllm finished with {comp.finish_reason!r}")
        ended = bool(tokens) and tokens[-1] in self.eos_ids
        text = self.tokenizer.decode(tokens[:-1] if ended else tokens)
        hits = [text.find(s) for s in params.stop if s and s in text]
        if hits:  # the hf backend's convention: the text ends before the stop string
            text = text[:min(hits)]
        return Generation(text=text, prompt_ids=prompt_ids, token_ids=tokens, logprobs=logprobs,
                          finish_reason=reason)

    # ------------------------------------------------------------------ weights and memory
    def _weights(self, model: Any) -> list[tuple[str, Any]]:
        """(name, tensor) pairs in the checkpoint's naming, cast to the engine's dtype and device."""
        import torch

        state = model.state_dict() if hasattr(model, "state_dict") else model
        if not isinstance(state, dict) or not state:
            raise GymkitError(f"sync_weights needs a torch module or a non-empty state dict, got {type(model).__name__}")
        cfg = self.llm.llm_engine.model_config
        tied = bool(getattr(cfg.hf_config, "tie_word_embeddings", False))
        device = "cpu" if self.on_cpu else "cuda"
        out = []
        for name, t in state.items():
            if not isinstance(t, torch.Tensor):
                raise GymkitError(f"sync_weights: {name!r} is a {type(t).__name__}, not a tensor")
            if not (tied and name == "lm_head.weight"):  # tied checkpoints omit it; the engine still takes it
                self._check_shape(name, tuple(t.shape))
            t = t.detach()
            if t.is_floating_point():
                t = t.to(cfg.dtype)
            out.append((name, t.to(device, non_blocking=True)))
        return out

    def _check_shape(self, name: str, shape: tuple[int, ...]) -> None:
        if self.shapes is None:  # no local checkpoint to compare with (an HF id served from the hub)
            return
        want = self.shapes.get(name)
        if want is None:
            hint = " (a peft wrapper's name? pass the merged base weights)" if "base_model" in name else ""
            raise GymkitError(f"sync_weights: {name!r} is not a weight of {self.model_id}{hint}")
        if want != shape:
            raise GymkitError(f"sync_weights: {name!r} has shape {list(shape)}; the model's is {list(want)}")

    def sync_weights(self, model: Any) -> None:
        """Load `model`'s weights (a module, or a state dict in checkpoint naming) into the running engine.

        Names and shapes are checked against the checkpoint first (GymkitError, engine untouched).
        Raises WeightSyncError if loading then fails or takes longer than `sync_timeout_s`; the
        engine is unusable after that (generations come back with `error`): a half-loaded model
        must never sample, and vLLM's layer-wise reloader does not recover from a failed load.
        """
        if self._broken:
            raise WeightSyncError(self._broken)
        weights = self._weights(model)
        t0 = time.perf_counter()
        if self._asleep:
            self.llm.wake_up(tags=["weights"])  # weights first: the KV cache is not needed to load them
        fn = _reload_weights if self.on_cpu else _load_weights
        future = self._rpc.submit(self.llm.collective_rpc, fn, timeout=self.sync_timeout_s, args=(weights,))
        try:
            future.result(timeout=self.sync_timeout_s)
        except FutureTimeout:
            self._broken = f"weight sync did not finish within {self.sync_timeout_s:.0f} s; the engine is unusable"
            raise WeightSyncError(self._broken) from None
        except Exception as e:  # the model's loader rejected a name or a shape
            self._broken = f"weight sync failed: {type(e).__name__}: {e}"
            raise WeightSyncError(self._broken) from e
        if self._asleep:
            self.llm.wake_up(tags=["kv_cache"])
            self._asleep = False
        if not self.llm.reset_prefix_cache():  # cached KV blocks were computed with the old weights
            log.warning("vllm: prefix cache not reset after a weight sync; cached prompts may use old weights")
        log.debug("vllm weight sync: %d tensors in %.3f s", len(weights), time.perf_counter() - t0)

    def sleep(self, level: int = 1) -> None:
        """Free the engine's device memory while the trainer runs (CUDA with sleep mode only).

        Level 1 offloads the weights to host memory and drops the KV cache; level 2 drops the
        weights too, so the next `sync_weights` must bring a full state dict. On CPU, or with
        sleep mode off, this logs and does nothing.
        """
        if self.on_cpu or not self.sleep_mode:
            log.info("vllm: sleep is a no-op here (%s)", "CPU backend" if self.on_cpu else "enable_sleep_mode=False")
            return
        if not self._asleep:
            self.llm.sleep(level=level)
            self._asleep, self._sleep_level = True, level

    def _wake(self, why: str) -> None:
        if not self._asleep:
            return
        if self._sleep_level >= 2:  # the weights are gone: only a sync can bring them back
            raise GymkitError(f"vllm engine slept at level 2 and got no weights before {why}; call sync_weights first")
        self.llm.wake_up()
        self._asleep = False

    def close(self) -> None:
        """Shut the engine down and free its memory."""
        self._rpc.shutdown(wait=False)
        llm, self.llm = getattr(self, "llm", None), None
        if llm is not None:
            _LIVE.clear()
            engine = getattr(llm, "llm_engine", None)
            core = getattr(engine, "engine_core", None)
            if core is not None and hasattr(core, "shutdown"):
                core.shutdown()
        del llm
        import gc

        gc.collect()


def checkpoint_shapes(src: str) -> dict[str, tuple[int, ...]] | None:
    """Every tensor's shape in a local safetensors checkpoint (headers only); None if not local."""
    from pathlib import Path

    from safetensors import safe_open

    files = sorted(Path(src).glob("*.safetensors")) if Path(src).is_dir() else []
    if not files:
        return None
    shapes: dict[str, tuple[int, ...]] = {}
    for f in files:
        with safe_open(f, framework="pt") as st:
            shapes.update({k: tuple(st.get_slice(k).get_shape()) for k in st.keys()})
    return shapes


def _reload_weights(worker, weights: list) -> None:
    """Runs inside the worker: the CPU path, which redoes the backend's weight repacking."""
    worker.model_runner.reload_weights(weights_iterator=iter(weights))


def _load_weights(worker, weights: list) -> int:
    """Runs inside the worker: the GPU path, the model's own checkpoint loader."""
    loaded = worker.model_runner.model.load_weights(weights=iter(weights))
    return len(loaded or ())
