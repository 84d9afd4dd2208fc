"""Bytes and requests it takes to answer for a model on the Hub or the Ollama registry.

A local server shaped like the Hub and the Ollama registry (tests/core/hubserver.py) serves
sparse stand-ins of real model files: an 8B GGUF with a 128k-token vocabulary (the same
synthetic Llama-3.1-8B Q4_K_M header as bench_gguf.py) and a 70B safetensors repo in 30
shards (Llama-3.1-70B's tensors in BF16). Each model is read cold (empty cache), again (the
cache revalidates the listing or manifest), and offline. The server can add a fixed latency
to every request (default 50 ms) to show what round trips cost. Printed, never asserted.

Run: PYTHONPATH=src python bench/remote_fetch.py [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tests.core.hubserver import HubServer, serve  # noqa: E402

from bench_gguf import write_llama31_header  # noqa: E402
from runlocal.gguf import read_gguf  # noqa: E402
from runlocal.remote import resolve_remote  # noqa: E402
from runlocal.remote.transport import STATS  # noqa: E402

# Llama-3.1-70B: 80 layers, hidden 8192, FFN 28672, 64 heads, 8 KV heads, vocab 128256.
L70 = {"layers": 80, "hidden": 8192, "ff": 28_672, "heads": 64, "kv": 8, "vocab": 128_256}
N_SHARDS = 30


def _llama70_tensors() -> list[tuple[str, list[int]]]:
    h, ff, v = L70["hidden"], L70["ff"], L70["vocab"]
    kv = L70["kv"] * (h // L70["heads"])
    out = [("model.embed_tokens.weight", [v, h])]
    for i in range(L70["layers"]):
        p = f"model.layers.{i}"
        out += [
            (f"{p}.input_layernorm.weight", [h]),
            (f"{p}.self_attn.q_proj.weight", [h, h]),
            (f"{p}.self_attn.k_proj.weight", [kv, h]),
            (f"{p}.self_attn.v_proj.weight", [kv, h]),
            (f"{p}.self_attn.o_proj.weight", [h, h]),
            (f"{p}.post_attention_layernorm.weight", [h]),
            (f"{p}.mlp.gate_proj.weight", [ff, h]),
            (f"{p}.mlp.up_proj.weight", [ff, h]),
            (f"{p}.mlp.down_proj.weight", [h, ff]),
        ]
    return [*out, ("model.norm.weight", [h]), ("lm_head.weight", [v, h])]


def write_llama70_repo(folder: Path) -> dict[str, Path]:
    """config.json, the index and 30 sparse BF16 shards (headers written, data holes)."""
    tensors = _llama70_tensors()
    per = math.ceil(len(tensors) / N_SHARDS)
    files: dict[str, Path] = {}
    weight_map: dict[str, str] = {}
    for s in range(N_SHARDS):
        name = f"model-{s + 1:05d}-of-{N_SHARDS:05d}.safetensors"
        header: dict[str, object] = {"__metadata__": {"format": "pt"}}
        at = 0
        for tname, shape in tensors[s * per : (s + 1) * per]:
            n = math.prod(shape) * 2
            header[tname] = {"dtype": "BF16", "shape": shape, "data_offsets": [at, at + n]}
            weight_map[tname] = name
            at += n
        raw = json.dumps(header).encode()
        raw += b" " * (-len(raw) % 8)
        path = folder / name
        with path.open("wb") as f:
            f.write(struct.pack("<Q", len(raw)) + raw)
            f.truncate(8 + len(raw) + at)  # sparse
        files[name] = path
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": L70["hidden"],
        "intermediate_size": L70["ff"],
        "num_hidden_layers": L70["layers"],
        "num_attention_heads": L70["heads"],
        "num_key_value_heads": L70["kv"],
        "vocab_size": L70["vocab"],
        "max_position_embeddings": 131_072,
        "rope_theta": 500_000.0,
        "torch_dtype": "bfloat16",
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    index = {"metadata": {"total_size": 0}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    files["config.json"] = folder / "config.json"
    files["model.safetensors.index.json"] = folder / "model.safetensors.index.json"
    return files


def _run(label: str, text: str, hub: HubServer) -> tuple[str, int, int, float]:
    hub.reset_counts()
    STATS.reset()
    t0 = time.perf_counter()
    model = resolve_remote(text)
    dt = time.perf_counter() - t0
    assert model.spec.weights is not None and model.spec.weights.exact
    return label, hub.requests, STATS.bytes, dt


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency-ms", type=float, default=50.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        os.environ["RUNLOCAL_CACHE_DIR"] = str(tmpd / "cache")
        gguf = tmpd / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
        write_llama31_header(gguf)
        st_dir = tmpd / "llama70"
        st_dir.mkdir()
        st_files = write_llama70_repo(st_dir)
        from runlocal.safetensors import read_safetensors_inventory

        t0 = time.perf_counter()
        spec8 = read_gguf(gguf)
        local_gguf_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        inv70 = read_safetensors_inventory(st_dir, L70["layers"], "BF16")
        local_st_ms = (time.perf_counter() - t0) * 1000
        assert spec8.weights is not None and inv70 is not None
        headers70 = 0
        for n, p in st_files.items():
            if n.endswith(".safetensors"):
                with p.open("rb") as f:
                    headers70 += 8 + int.from_bytes(f.read(8), "little")
        with gguf.open("rb") as f:
            head = f.read(16 << 20)
        # The header ends where the tensor data starts: the sparse file is zeros from there.
        header8 = len(head.rstrip(b"\0"))

        t0 = time.perf_counter()
        # What the remote path imports, once per process (not counted in the timings below).
        import huggingface_hub.file_download  # noqa: F401

        import_ms = (time.perf_counter() - t0) * 1000
        with serve() as hub:
            os.environ["HF_ENDPOINT"] = hub.url
            os.environ["RUNLOCAL_OLLAMA_REGISTRY"] = hub.url
            hub.add_repo("bench/Llama-3.1-8B-Instruct-GGUF", {gguf.name: gguf})
            hub.add_repo("bench/Llama-3.1-70B", dict(st_files))
            hub.add_ollama("llama3.1", "8b", gguf)
            print(
                f"files: 8B GGUF {gguf.stat().st_size / 1e9:.2f} GB (header ~{header8 / 1e6:.2f} MB); "
                f"70B safetensors {sum(p.stat().st_size for p in st_files.values()) / 1e9:.1f} GB "
                f"in {N_SHARDS} shards (headers {headers70 / 1e6:.2f} MB)"
            )
            print(
                f"on disk: read_gguf {local_gguf_ms:.0f} ms, 70B safetensors headers {local_st_ms:.0f} ms"
            )
            print(f"importing huggingface_hub: {import_ms:.0f} ms (once per process, not below)")
            print(f"server latency: {args.latency_ms:g} ms per request (redirects count)")
            print()
            print(f"{'model':<34} {'call':<8} {'requests':>8} {'bytes':>12} {'time':>9}")
            for ref, name in (
                ("bench/Llama-3.1-8B-Instruct-GGUF", "8B GGUF (Hub)"),
                ("llama3.1:8b", "8B GGUF (Ollama)"),
                ("bench/Llama-3.1-70B", "70B safetensors, 30 shards"),
            ):
                hub.latency_s = args.latency_ms / 1000
                for call in ("cold", "cached"):
                    label, n, nbytes, dt = _run(call, ref, hub)
                    print(f"{name:<34} {label:<8} {n:>8} {nbytes:>12,} {dt * 1000:>7.0f} ms")
                os.environ["HF_HUB_OFFLINE"] = "1"
                label, n, nbytes, dt = _run("offline", ref, hub)
                del os.environ["HF_HUB_OFFLINE"]
                print(f"{name:<34} {label:<8} {n:>8} {nbytes:>12,} {dt * 1000:>7.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
