#!/usr/bin/env bash
# The distributed trainer on a lent GPU machine: one script, prepared, about 8 minutes.
# Needs a Python with CUDA torch 2.13, transformers, peft, ray (set PY, or carry a venv as
# .venv-gpu). Writes one JSON line per measurement to ${OUT:-.}/gpu_bench.jsonl.
#   benchmarks/gpu/run_gpu.sh            # all checks that fit the visible GPUs
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-$( [ -x .venv-gpu/bin/python ] && echo .venv-gpu/bin/python || echo python3 )}
OUT=${OUT:-.}
LOG="$OUT/gpu_bench.jsonl"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$OUT/gpus.txt"
N=$(nvidia-smi -L | wc -l)
"$PY" -c "import torch, ray, peft, transformers; assert torch.cuda.is_available(); print(torch.__version__, torch.version.cuda)" || exit 2
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
run() { echo "+ $*"; timeout 600 "$PY" "$@" | tee -a "$LOG"; }
# 1. correctness on GPU: 2 NCCL ranks vs 1 process (same test as CPU/gloo, on cuda)
if [ "$N" -ge 2 ]; then
  "$PY" -m pytest -q -x tests/test_distributed.py -k "full_finetune and llama" 2>&1 | tail -3
fi
# 2. nano-4b full stack, full fine-tune, 1 GPU (the update's tokens/s/GPU)
run benchmarks/gpu/bench_gpu.py --arch nano-4b --ranks 1 --seqs 16 --len 4096 --steps 3
# 3. nano-30b truncated to 8 layers (disk), LoRA incl. experts, all GPUs (1,100 tok/s/GPU target
#    is for the whole step; this is the update side, scaled to 52 layers in the JSON)
run benchmarks/gpu/bench_gpu.py --arch nano-30b --ranks "$N" --layers 8 --lora --seqs $((8 * N)) \
    --len 4096 --steps 3
# 4. weight sync into a rollout engine actor over NCCL (broadcast strategy), against size:
#    2 train ranks + 1 engine, one GPU each
if [ "$N" -ge 3 ]; then
  "$PY" -m pytest -q -x tests/test_engines.py -k "broadcast_sync" 2>&1 | tail -3
  timeout 600 "$PY" benchmarks/bench_weight_sync.py --sizes 1024x8,2048x16 --bucket-mb 256 \
      | tee -a "$OUT/weight_sync.txt"
fi
