"""Time read_gguf on a synthetic header shaped like Llama-3.1-8B-Instruct Q4_K_M.

The file has the real header (128,256 token strings, 280,147 merges, token types, a chat
template and 291 tensor infos of the right shapes and types) and is then extended to its full
4.9 GB size as a sparse file, so no tensor data is written. Results are printed, not asserted.

Run: PYTHONPATH=src python bench/bench_gguf.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType, GGUFReader, GGUFWriter

from runlocal.gguf import read_gguf
from runlocal.quant import GGML_TYPES

N_VOCAB = 128_256
N_MERGES = 280_147
N_LAYERS = 32
N_EMBD = 4096
N_FF = 14_336
N_KV = 1024
RUNS = 20

Q4_K = GGMLQuantizationType.Q4_K
Q6_K = GGMLQuantizationType.Q6_K
F32 = GGMLQuantizationType.F32


def _tensor_bytes(qtype: GGMLQuantizationType, shape: tuple[int, ...]) -> int:
    gt = GGML_TYPES[qtype.name]
    n = 1
    for d in shape:
        n *= d
    return n // gt.block_size * gt.type_size


def write_llama31_header(path: Path) -> int:
    """Write the synthetic file; returns the tensor count."""
    rng = random.Random(8)
    alphabet = "abcdefghijklmnopqrstuvwxyzĠĊ"
    tokens = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(N_VOCAB)
    ]
    merges = [f"{rng.choice(tokens)} {rng.choice(tokens)}" for _ in range(N_MERGES)]

    w = GGUFWriter(path, "llama")
    w.add_name("Meta Llama 3.1 8B Instruct")
    w.add_type("model")
    w.add_block_count(N_LAYERS)
    w.add_context_length(131_072)
    w.add_embedding_length(N_EMBD)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(32)
    w.add_head_count_kv(8)
    w.add_rope_freq_base(500_000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(128)
    w.add_vocab_size(N_VOCAB)
    w.add_file_type(15)  # Q4_K_M
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types([1] * N_VOCAB)
    w.add_token_merges(merges)
    w.add_bos_token_id(128_000)
    w.add_eos_token_id(128_009)
    w.add_chat_template("{% for message in messages %}{{ message['content'] }}{% endfor %}" * 40)
    w.add_quantization_version(2)

    # (name, ggml shape as numpy rows x cols, type)
    infos: list[tuple[str, tuple[int, ...], GGMLQuantizationType]] = [
        ("token_embd.weight", (N_VOCAB, N_EMBD), Q4_K),
    ]
    for i in range(N_LAYERS):
        v_type = Q6_K if i % 2 == 0 else Q4_K
        infos += [
            (f"blk.{i}.attn_norm.weight", (N_EMBD,), F32),
            (f"blk.{i}.attn_q.weight", (N_EMBD, N_EMBD), Q4_K),
            (f"blk.{i}.attn_k.weight", (N_KV, N_EMBD), Q4_K),
            (f"blk.{i}.attn_v.weight", (N_KV, N_EMBD), v_type),
            (f"blk.{i}.attn_output.weight", (N_EMBD, N_EMBD), Q4_K),
            (f"blk.{i}.ffn_norm.weight", (N_EMBD,), F32),
            (f"blk.{i}.ffn_gate.weight", (N_FF, N_EMBD), Q4_K),
            (f"blk.{i}.ffn_up.weight", (N_FF, N_EMBD), Q4_K),
            (f"blk.{i}.ffn_down.weight", (N_EMBD, N_FF), v_type),
        ]
    infos += [("output_norm.weight", (N_EMBD,), F32), ("output.weight", (N_VOCAB, N_EMBD), Q6_K)]

    padded_total = 0
    for name, shape, qtype in infos:
        nbytes = _tensor_bytes(qtype, shape)
        w.add_tensor_info(name, shape, np.dtype(np.float32), nbytes, raw_dtype=qtype)
        padded_total += -(-nbytes // 32) * 32
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()
    header_end = path.stat().st_size
    data_start = -(-header_end // 32) * 32
    with open(path, "r+b") as f:
        f.truncate(data_start + padded_total)  # sparse: no tensor data is written
    return len(infos)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
        t0 = time.perf_counter()
        n_tensors = write_llama31_header(path)
        print(f"wrote synthetic header ({n_tensors} tensors) in {time.perf_counter() - t0:.1f} s")
        print(f"file size {path.stat().st_size / 1e9:.2f} GB (sparse)")

        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            spec = read_gguf(path)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p90 = times[int(0.9 * (len(times) - 1))]
        assert spec.weights is not None
        print(
            f"read_gguf: median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, "
            f"min {times[0]:.1f} ms over {RUNS} runs"
        )
        print(
            f"  -> {spec.architecture}, {spec.n_layers} layers, vocab {spec.vocab_size:,}, "
            f"{spec.params_total / 1e9:.2f} B params, weights {spec.weights.total_bytes / 1e9:.3f} GB "
            f"({spec.weights.quant})"
        )

        t0 = time.perf_counter()
        reader = GGUFReader(path)
        ref_ms = (time.perf_counter() - t0) * 1000
        ref_bytes = sum(int(t.n_bytes) for t in reader.tensors)
        print(
            f"gguf.GGUFReader (once): {ref_ms:.0f} ms; same tensor bytes: "
            f"{ref_bytes == spec.weights.total_bytes}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
