"""The inputs bench/bench_fuzz.py hands to the model-file readers: valid seeds (GGUF files
written with the gguf package, safetensors headers, the catalog's config.json tables) and the
mutators that damage them (bytes flipped, cut, spliced or overwritten with interesting
integers; JSON values swapped for huge, negative, non-finite or wrongly typed ones)."""

from __future__ import annotations

import copy
import json
import math
import random
import struct
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The GGUF seeds are written by tests/core/test_gguf.py's helpers, imported as tests.core.
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

# --------------------------------------------------------------------------------------------
# Seeds

INTERESTING_INTS = [
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    16,
    31,
    32,
    255,
    256,
    4096,
    65535,
    65536,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64 - 1,
]


def gguf_seeds(rng: random.Random, tmp: Path, n_meta: int) -> list[bytes]:
    from gguf import GGMLQuantizationType, GGUFEndian
    from tests.core import test_gguf as t

    f16 = GGMLQuantizationType.F16
    seeds = [
        t.make_gguf(tmp, filename="dense.gguf").read_bytes(),
        t.make_gguf(tmp, n_layers=1, filename="big.gguf", endianess=GGUFEndian.BIG).read_bytes(),
        t.make_gguf(
            tmp,
            arch="deepseek2",
            n_layers=3,
            filename="moe.gguf",
            kv={
                "{arch}.attention.kv_lora_rank": 512,
                "{arch}.attention.key_length_mla": 192,
                "{arch}.attention.value_length_mla": 128,
                "{arch}.expert_count": 8,
                "{arch}.expert_used_count": 2,
                "{arch}.attention.sliding_window_pattern": [True, False, True],
                "{arch}.attention.sliding_window": 64,
            },
            tensors=t.moe_tensors(3, 8, dense_lead=1),
        ).read_bytes(),
        t.make_gguf(
            tmp,
            arch="gemma2",
            n_layers=4,
            filename="swa.gguf",
            kv={"{arch}.attention.sliding_window": 128},
        ).read_bytes(),
        t.raw_gguf(),
    ]
    archs = [
        "llama",
        "gemma2",
        "gemma3",
        "gemma3n",
        "llama4",
        "deepseek2",
        "qwen3next",
        "qwen3moe",
        "lfm2",
        "mamba",
        "mamba2",
        "rwkv6",
        "rwkv7",
        "nemotron_h",
        "falcon-h1",
        "kimi-linear",
        "jamba",
        "gpt-oss",
        "phi3",
        "llada",
        "clip",
        "unknownarch",
    ]
    keys = [
        "{arch}.attention.key_length",
        "{arch}.attention.value_length",
        "{arch}.attention.key_length_mla",
        "{arch}.attention.value_length_mla",
        "{arch}.attention.kv_lora_rank",
        "{arch}.attention.sliding_window",
        "{arch}.attention.sliding_window_pattern",
        "{arch}.attention.shared_kv_layers",
        "{arch}.attention.causal",
        "{arch}.nextn_predict_layers",
        "{arch}.full_attention_interval",
        "{arch}.expert_count",
        "{arch}.expert_used_count",
        "{arch}.expert_shared_count",
        "{arch}.leading_dense_block_count",
        "{arch}.ssm.conv_kernel",
        "{arch}.ssm.inner_size",
        "{arch}.ssm.state_size",
        "{arch}.ssm.group_count",
        "{arch}.shortconv.l_cache",
        "{arch}.wkv.head_size",
        "{arch}.kda.head_dim",
        "{arch}.rope.dimension_count",
        "{arch}.vocab_size",
        "{arch}.context_length",
        "general.file_type",
        "general.alignment",
        "split.count",
        "split.no",
    ]
    values: list[Any] = [*INTERESTING_INTS[:17], True, False, 0.5, "", "x", [0], [1, 0, 1]]
    for i in range(n_meta):
        arch = rng.choice(archs)
        n_layers = rng.randint(1, 6)
        kv: dict[str, Any] = {}
        for key in rng.sample(keys, rng.randint(0, 8)):
            value = rng.choice(values)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 2**32:
                value = 2**32 - 1  # the helper writes integers as uint32
            if isinstance(value, list) and rng.random() < 0.5:
                value = [rng.choice([True, False]) for _ in range(n_layers)]
            if key == "general.alignment" and isinstance(value, int) and value == 0:
                continue
            kv[key] = value
        heads: int | list[int] = rng.choice([0, 1, 2, 4, 8])
        heads_kv: int | list[int] | None = rng.choice([None, 0, 1, 2, 4])
        if rng.random() < 0.3:
            heads = [rng.choice([0, 1, 4]) for _ in range(n_layers)]
            heads_kv = [rng.choice([0, 1, 2]) for _ in range(n_layers)]
        try:
            path = t.make_gguf(
                tmp,
                arch=arch,
                n_layers=n_layers,
                n_heads=heads,
                n_kv=heads_kv,
                context=rng.choice([0, 1, 4096, 2**31]),
                hidden=rng.choice([256, 512]),
                file_type=rng.choice([None, 15, 0, 38, 999]),
                kv=kv,
                tensors=[("token_embd.weight", f16, (256, 32))]
                if rng.random() < 0.7
                else t.dense_tensors(n_layers),
                filename=f"meta{i}.gguf",
            )
        except Exception:  # the writer refuses some combinations
            continue
        seeds.append(path.read_bytes())
        path.unlink()
    return seeds


def st_header(n_layers: int, hidden: int, vocab: int, rng: random.Random) -> dict[str, Any]:
    dtype = rng.choice(["BF16", "F16", "F32", "F8_E4M3", "U8"])
    bits = {"BF16": 16, "F16": 16, "F32": 32, "F8_E4M3": 8, "U8": 8}[dtype]
    names: list[tuple[str, list[int]]] = [("model.embed_tokens.weight", [vocab, hidden])]
    for i in range(n_layers):
        p = f"model.layers.{i}"
        names += [
            (f"{p}.input_layernorm.weight", [hidden]),
            (f"{p}.self_attn.q_proj.weight", [hidden, hidden]),
            (f"{p}.self_attn.k_proj.weight", [hidden // 2, hidden]),
            (f"{p}.self_attn.v_proj.weight", [hidden // 2, hidden]),
            (f"{p}.mlp.down_proj.weight", [hidden, 2 * hidden]),
        ]
        if rng.random() < 0.3:
            names.append((f"{p}.mlp.experts.0.up_proj.weight", [2 * hidden, hidden]))
    names += [("model.norm.weight", [hidden]), ("lm_head.weight", [vocab, hidden])]
    if rng.random() < 0.3:
        names.append(("model.vision_tower.blocks.0.weight", [hidden, hidden]))
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    at = 0
    for name, shape in names:
        size = math.prod(shape) * bits // 8
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + size]}
        at += size
    return header


def st_bytes(header: Any, data: int | None = None) -> bytes:
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    if data is None:
        spans = [0]
        for k, v in header.items() if isinstance(header, dict) else []:
            offsets = v.get("data_offsets") if isinstance(v, dict) else None
            if k != "__metadata__" and isinstance(offsets, list) and len(offsets) == 2:
                end = offsets[1]
                if isinstance(end, int) and not isinstance(end, bool):
                    spans.append(end)
        data = max(spans)
    data = max(0, min(data, 1 << 20))
    return struct.pack("<Q", len(raw)) + raw + b"\0" * data


def config_seeds() -> list[dict[str, Any]]:
    from tests.web.factory import LLAMA_8B_ARCH, LLAMA_70B_ARCH

    seeds: list[dict[str, Any]] = [dict(LLAMA_8B_ARCH), dict(LLAMA_70B_ARCH)]
    for path in sorted((ROOT / "src/runlocal/catalog/models").glob("*.toml")):
        arch = tomllib.loads(path.read_text(encoding="utf-8")).get("architecture")
        if isinstance(arch, dict):
            seeds.append(arch)
    return seeds


# --------------------------------------------------------------------------------------------
# Mutations


def interesting_json(rng: random.Random) -> Any:
    return rng.choice(
        [
            0,
            -1,
            1,
            2,
            3,
            -(2**31),
            2**31,
            2**32,
            2**53 + 1,
            2**63,
            2**64,
            10**12 + 1,
            10**400,
            -(10**400),
            0.5,
            -0.0,
            1e-300,
            1e308,
            float("inf"),
            float("-inf"),
            float("nan"),
            True,
            False,
            None,
            "",
            "x",
            "llama",
            "mamba",
            "bf16",
            [],
            [0],
            [1, 2],
            [-1],
            [None],
            ["x"],
            [[1]],
            {},
            {"a": 1},
            {"model_type": "llama"},
            list(range(2000)),
            [True] * 64,
            "\x00\ud800",
        ]
    )


def mutate_json(value: Any, rng: random.Random, key_pool: list[str], depth: int = 0) -> Any:
    """A copy of value with one to four structure-aware changes."""
    value = copy.deepcopy(value)
    for _ in range(rng.randint(1, 4)):
        value = _mutate_once(value, rng, key_pool, depth)
    return value


def _mutate_once(value: Any, rng: random.Random, key_pool: list[str], depth: int) -> Any:
    if isinstance(value, dict) and value and depth < 6:
        key = rng.choice(list(value))
        roll = rng.random()
        if roll < 0.15:
            del value[key]
        elif roll < 0.3:
            value[rng.choice(key_pool)] = interesting_json(rng)
        elif roll < 0.75:
            value[key] = _mutate_once(value[key], rng, key_pool, depth + 1)
        else:
            value[key] = interesting_json(rng)
        return value
    if isinstance(value, list) and value and depth < 6:
        i = rng.randrange(len(value))
        roll = rng.random()
        if roll < 0.2:
            del value[i]
        elif roll < 0.35:
            value.append(interesting_json(rng))
        elif roll < 0.7:
            value[i] = _mutate_once(value[i], rng, key_pool, depth + 1)
        else:
            value[i] = interesting_json(rng)
        return value
    if isinstance(value, bool) or value is None:
        return interesting_json(rng)
    if isinstance(value, int) and rng.random() < 0.5:
        return rng.choice([value + 1, value - 1, -value, value * 2, value // 2, 0, value << 32])
    if isinstance(value, float) and rng.random() < 0.5:
        whole = float(int(value)) if math.isfinite(value) else 0.0
        return rng.choice([value * 1e300, -value, value / 3, whole])
    return interesting_json(rng)


def mutate_bytes(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
        if not buf:
            buf = bytearray(rng.randbytes(rng.randint(1, 64)))
        head = min(len(buf), 4096)  # the header is where the reader looks
        roll = rng.random()
        if roll < 0.3:
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(head)] = rng.randrange(256)
        elif roll < 0.45:
            del buf[rng.randint(0, len(buf)) :]
        elif roll < 0.7:
            width = rng.choice([1, 2, 4, 8])
            value = rng.choice(INTERESTING_INTS) % (1 << (8 * width))
            if rng.random() < 0.3:
                value = (1 << (8 * width)) - 1 - value
            at = rng.randrange(head)
            order = "little" if rng.random() < 0.8 else "big"
            buf[at : at + width] = value.to_bytes(width, order)
        elif roll < 0.8:
            at = rng.randrange(head)
            del buf[at : at + rng.randint(1, 64)]
        elif roll < 0.88:
            at = rng.randrange(head)
            chunk = bytes(buf[at : at + rng.randint(1, 64)])
            buf[at:at] = chunk * rng.randint(1, 4)
        elif roll < 0.94:
            at = rng.randrange(head + 1)
            buf[at:at] = rng.randbytes(rng.randint(1, 32))
        else:
            other = rng.choice(others)
            cut = rng.randint(0, min(len(buf), len(other)))
            buf = buf[:cut] + bytearray(other[cut:])
    return bytes(buf)
