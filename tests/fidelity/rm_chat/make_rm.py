"""Builds the fixture reward model the rm_chat suite judges with (`rm/`, about 100 KB).

A real RM is a user's `gymkit train-rm` output and too large for the repo. This one is a
1-layer Llama over a word-level vocabulary, trained with the real `train_reward_model` on
helpful-vs-dismissive pairs for the env's own prompts. It makes the suite's "a plain helpful
answer scores" cases meaningful; the hostile cases are decided by the env's gates before any
model is asked. Run from the repo root: `.venv/bin/python tests/fidelity/rm_chat/make_rm.py`.
"""
import json
import random
import re
import shutil
import tempfile
from pathlib import Path

import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
from transformers import LlamaConfig, LlamaModel, PreTrainedTokenizerFast

from gymkit.trainers.rm_train import train_reward_model

HERE = Path(__file__).parent
OUT = HERE / "rm"
PROMPTS = [json.loads(ln)["prompt"] for ln in
           (HERE.parents[2] / "envs/rm_chat/data/prompts.jsonl").read_text().splitlines() if ln.strip()]
HELPFUL = ["Here is a clear answer with the main points explained step by step.",
           "Good question. The short answer is that it depends on a few simple factors, listed below.",
           "Sure, here are the key ideas, with a concrete example for each one.",
           "Happy to help. First, consider the basics, then the details that matter most.",
           "In short: start with the main reason, then add a practical example to make it clear.",
           "Let me explain. The idea is simple once you see an example, so here is one."]
DISMISSIVE = ["I do not care, figure it out yourself.", "No. Stop asking me things.",
              "Whatever. That is a stupid question.", "Go away, I will not answer that.",
              "Ask someone else, this is boring.", "Nobody cares about this, do not bother me."]


def pairs(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    return [{"prompt": (p := rng.choice(PROMPTS)), "chosen": rng.choice(HELPFUL) + " " + p,
             "rejected": rng.choice(DISMISSIVE)} for _ in range(n)]


def backbone(path: Path, texts: list[str]) -> None:
    vocab = {"[PAD]": 0, "[UNK]": 1, "[EOS]": 2}
    for t in texts:
        for w in re.findall(r"\w+|[^\w\s]", t.lower()):
            vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   eos_token="[EOS]")
    torch.manual_seed(0)
    model = LlamaModel(LlamaConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64,
                                   num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1,
                                   head_dim=16, max_position_embeddings=512, pad_token_id=0,
                                   eos_token_id=2, bos_token_id=2))
    model.save_pretrained(path)
    fast.save_pretrained(path)


def main() -> None:
    rows = pairs(400)
    texts = PROMPTS + HELPFUL + DISMISSIVE + ["user", "assistant"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        backbone(tmp / "base", texts)
        (tmp / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        if OUT.exists():
            shutil.rmtree(OUT)
        m = train_reward_model(tmp / "pairs.jsonl", str(tmp / "base"), OUT, epochs=3, lr=3e-3,
                               batch_size=16, heldout=0.2, max_len=256, log=lambda *_: None)
    print(f"fixture RM -> {OUT}: held-out accuracy {m['heldout_accuracy']:.2f}")


main()
