"""Trace the bytes a transformers forward pass holds beside its weights and KV cache.

Checks memory.frameworks.transformers_activation_bytes against the runtime's own code, on the
CPU: a small random-weight Qwen2 (no download) prefills prompts of 256, 512 and 1,024 tokens
under a TorchDispatchMode that counts every tensor storage alive after each operation (views
share their storage; a storage counts until it is freed). The weights are counted before the
pass and taken off with the KV cache; what is left is the pass's peak of activations, printed
per prompt token beside the engine's rule:

    MLP moment:    3 × intermediate + 4 × hidden + 2 × head_dim elements (bf16: × 2 B)
    logits moment: 2 × hidden + 6 × vocab bytes, every position before transformers 4.45

Needs torch and transformers, which runlocal does not depend on: install them in a virtual
environment of their own (`pip install torch transformers==4.46.0`) and run

    python bench/trace_transformers_memory.py [sdpa|eager] [intermediate] [vocab]

Measured (CPU, torch 2.13): transformers 4.46.0, 4.57.6 and 5.17.0 hold exactly the MLP rule
plus 8 B per token (the int64 position ids), 26,888 B/token at intermediate 4,096 and vocab
1,000; 4.44.2 holds 256 B/token less at the MLP (its rotary tables are not alive there), and
at vocab 32,000 its forward peaks at the logits, exactly 2 × 256 + 6 × 32,000 = 192,512 B/token.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    import torch
    import transformers
    from torch.multiprocessing.reductions import StorageWeakRef
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten
    from transformers import DynamicCache, Qwen2Config, Qwen2ForCausalLM

    class Tracker(TorchDispatchMode):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.live: dict[int, tuple[Any, int]] = {}
            self.current = 0
            self.peak = 0

        def add(self, tensor: Any) -> int:
            storage = tensor.untyped_storage()
            if not storage.nbytes() or storage.data_ptr() in self.live:
                return 0
            self.live[storage.data_ptr()] = (StorageWeakRef(storage), storage.nbytes())
            self.current += storage.nbytes()
            return int(storage.nbytes())

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            for key in [k for k, (ref, _) in self.live.items() if ref.expired()]:
                self.current -= self.live.pop(key)[1]
            out = func(*args, **(kwargs or {}))
            for item in tree_flatten(out)[0]:
                if isinstance(item, torch.Tensor):
                    self.add(item)
            self.peak = max(self.peak, self.current)
            return out

    attention = sys.argv[1] if len(sys.argv) > 1 else "sdpa"
    inter = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    vocab = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    hidden, layers, heads, kv_heads = 256, 2, 4, 2
    head_dim = hidden // heads
    config = Qwen2Config(
        hidden_size=hidden,
        intermediate_size=inter,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        vocab_size=vocab,
        tie_word_embeddings=False,
    )
    config._attn_implementation = attention
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(torch.bfloat16).eval()
    release = tuple(int(x) for x in transformers.__version__.split(".")[:2])
    # generate() asks for the last position's logits; the keyword arrived in 4.45 and was
    # renamed in 4.49.
    keep = {} if release < (4, 45) else {"num_logits_to_keep": 1}
    if release >= (4, 49):
        keep = {"logits_to_keep": 1}
    for tokens in (256, 512, 1024):
        tracker = Tracker()
        weights = sum(tracker.add(p) for p in [*model.parameters(), *model.buffers()])
        ids = torch.randint(0, vocab, (1, tokens))
        with torch.no_grad(), tracker:
            model(ids, past_key_values=DynamicCache(), use_cache=True, **keep)
        kv = layers * kv_heads * head_dim * 2 * 2 * tokens
        held = tracker.peak - weights - kv
        mlp = (3 * inter + 4 * hidden + 2 * head_dim) * 2
        logits = 2 * hidden + 6 * vocab
        print(
            f"transformers {transformers.__version__} {attention} {tokens} tokens: "
            f"{held / tokens:,.0f} B/token held; rule: MLP {mlp:,}, all logits {logits:,}"
        )


if __name__ == "__main__":
    main()
