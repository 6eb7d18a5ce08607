"""A tiny model that has memorised fixed answers, for tests that run a framework's sampler.

A random tiny model only writes garbage, which every verifier scores `wrong`; an adapter that
dropped rewards or statuses would pass against it. So these tests train the tiny Llama
(SmolLM2's tokenizer) for a few seconds until it reproduces chosen token sequences: a real
policy whose outputs are known, sampled by the framework itself.
"""
from __future__ import annotations


def chat_rows(tok, pairs: list[tuple[list[dict], str]],
              **template: object) -> list[tuple[list[int], list[int]]]:
    """(ids, labels) for `(prompt messages, completion text)` pairs rendered as the trainer
    renders prompts (generation prompt on), the loss on the completion and its end token."""
    rows = []
    for prompt, completion in pairs:
        p = tok.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True,
                                    return_dict=True, **template)["input_ids"]
        c = tok(completion, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        rows.append((p + c, [-100] * len(p) + c))
    return rows


def memorize(model, rows: list[tuple[list[int], list[int]]], pad_id: int, steps: int = 80,
             lr: float = 1e-2) -> float:
    """Train `model` in place on `rows` (ids, labels with -100 where no loss); the last loss."""
    import torch

    width = max(len(ids) for ids, _ in rows)
    ids = torch.tensor([i + [pad_id] * (width - len(i)) for i, _ in rows])
    labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in rows])
    mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in rows])
    # next-token targets; the vocabulary projection runs only where there is a loss (a long
    # tool prompt is mostly context, and 49k-wide logits dominate the step otherwise)
    where = labels[:, 1:] != -100
    targets = labels[:, 1:][where]
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a 3M-parameter model: one thread beats two on a shared box
    try:
        model.train()
        for _ in range(steps):
            hidden = model.get_decoder()(input_ids=ids, attention_mask=mask).last_hidden_state
            logits = model.get_output_embeddings()(hidden[:, :-1][where])
            loss = torch.nn.functional.cross_entropy(logits, targets)
            opt.zero_grad()
            loss.backward()
            opt.step()
    finally:
        torch.set_num_threads(threads)
        model.eval()
    return loss.item()
