"""Fuzz the model-file readers: GGUF headers, safetensors headers and config.json.

A seeded mutator starts from valid inputs and damages them, then hands each one to the
reader exactly as `runlocal check FILE` does. A reader may refuse an input only with the
engine's own errors (runlocal.errors.RunlocalError: ModelFileError,
UnsupportedArchitectureError, …) on one printable line; anything else (IndexError,
ZeroDivisionError, RecursionError, MemoryError, …) is a crash. An input that takes longer
than --slow seconds is reported as slow.

Seeds:
- GGUF: tiny files written with the gguf package's GGUFWriter through the test helpers in
  tests/core/test_gguf.py (dense, MoE + MLA + sliding window, big-endian, hand-built), plus
  --meta-seeds files with random architecture names and metadata values;
- safetensors: headers of small llama-shaped checkpoints (one file, or two shards with a
  model.safetensors.index.json);
- config.json: the `[architecture]` table of every catalog model (src/runlocal/catalog).

Mutations: byte flips, truncation, "interesting" integers written over 1–8 bytes (0, 1,
2^31, 2^32−1, 2^63, 2^64−1, …), chunks deleted, duplicated or inserted, splices of two seeds;
for the JSON formats also structure-aware ones (a value replaced by an interesting JSON value:
huge or negative numbers, NaN, Infinity, 10^400, wrong types, deep nesting; keys deleted or
added; the length prefix kept right so the parse goes deeper).

Run: python bench/bench_fuzz.py [--inputs 100000] [--seed 1] [--crash-dir DIR]
Crashing inputs are written to --crash-dir, one per distinct (target, exception, place).
Exit status 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import math
import os
import random
import shutil
import struct
import sys
import tempfile
import time
import tomllib
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from runlocal.errors import RunlocalError  # noqa: E402
from runlocal.gguf import read_gguf  # noqa: E402
from runlocal.hfconfig import load_config, spec_from_config  # noqa: E402
from runlocal.safetensors import read_safetensors_inventory  # noqa: E402

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


# --------------------------------------------------------------------------------------------
# Targets


@dataclass
class Stats:
    inputs: int = 0
    accepted: int = 0
    refused: int = 0
    crashes: Counter[str] = field(default_factory=Counter)
    multiline: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    slow: int = 0
    refusals: Counter[str] = field(default_factory=Counter)


def where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/runlocal/" in f.filename] or frames
    last = ours[-1] if ours else None
    place = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    return f"{type(exc).__name__} at {place}"


class Fuzzer:
    def __init__(self, work: Path, crash_dir: Path, slow: float) -> None:
        self.work = work
        self.crash_dir = crash_dir
        self.slow = slow
        self.stats: dict[str, Stats] = {}
        self.examples: dict[str, str] = {}
        self.lines: dict[str, str] = {}

    def run(self, target: str, call: Callable[[], Any], save: Callable[[Path], None]) -> None:
        stats = self.stats.setdefault(target, Stats())
        stats.inputs += 1
        start = time.perf_counter()
        try:
            call()
        except RunlocalError as exc:
            stats.refused += 1
            stats.refusals[type(exc).__name__] += 1
            message = str(exc)
            if "\n" in message or not message.isprintable():
                stats.multiline += 1
                key = f"{target}: message not one printable line: {where(exc)}"
                if key not in self.lines:
                    folder = self.crash_dir / f"{target}-line-{len(self.lines):03d}"
                    folder.mkdir(parents=True, exist_ok=True)
                    save(folder)
                    self.lines[key] = f"{key}: {message[:120]!r} (input: {folder})"
        except (Exception, RecursionError, MemoryError) as exc:
            signature = f"{target}: {where(exc)}: {str(exc)[:120]}"
            key = f"{target}: {where(exc)}"
            stats.crashes[key] += 1
            if key not in self.examples:
                folder = self.crash_dir / f"{target}-{len(self.examples):03d}"
                folder.mkdir(parents=True, exist_ok=True)
                save(folder)
                self.examples[key] = f"{signature} (input: {folder})"
        else:
            stats.accepted += 1
        took = time.perf_counter() - start
        stats.seconds += took
        stats.slowest = max(stats.slowest, took)
        if took > self.slow:
            stats.slow += 1


def fuzz(n_inputs: int, seed: int, crash_dir: Path, slow: float, n_meta: int) -> int:
    rng = random.Random(seed)
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    work = Path(tempfile.mkdtemp(prefix="runlocal-fuzz-", dir=base))
    try:
        t0 = time.perf_counter()
        g_seeds = gguf_seeds(rng, work, n_meta)
        st_seeds = [
            st_header(rng.randint(1, 4), rng.choice([64, 128]), rng.choice([100, 256]), rng)
            for _ in range(20)
        ]
        st_raw = [st_bytes(h) for h in st_seeds]
        c_seeds = config_seeds()
        c_raw = [json.dumps(c).encode() for c in c_seeds]
        key_pool = sorted({k for c in c_seeds for k in c} | {"text_config", "__metadata__"})
        key_pool += ["dtype", "shape", "data_offsets", "weight_map", "model.layers.0.x.weight"]
        setup = time.perf_counter() - t0
        print(
            f"seeds: {len(g_seeds)} GGUF, {len(st_seeds)} safetensors, {len(c_seeds)} "
            f"config.json ({setup:.1f} s)",
            flush=True,
        )

        fz = Fuzzer(work, crash_dir, slow)
        gguf_path = work / "fuzz.gguf"
        st_dir = work / "st"
        cfg_dir = work / "cfg"
        st_dir.mkdir()
        cfg_dir.mkdir()
        started = time.perf_counter()
        report_every = max(1, n_inputs // 10)
        for i in range(n_inputs):
            pick = rng.random()
            if pick < 0.5:
                data = mutate_bytes(rng.choice(g_seeds), rng, g_seeds)
                gguf_path.write_bytes(data)

                def save_gguf(folder: Path, data: bytes = data) -> None:
                    (folder / "input.gguf").write_bytes(data)

                fz.run("gguf", lambda: read_gguf(gguf_path), save_gguf)
            elif pick < 0.75:
                files = _safetensors_case(rng, st_seeds, st_raw, key_pool)
                for old in st_dir.iterdir():
                    old.unlink()
                for name, content in files.items():
                    (st_dir / name).write_bytes(content)
                n_layers = rng.choice([0, 1, 2, 4, 8])

                def save_st(
                    folder: Path, files: dict[str, bytes] = files, n: int = n_layers
                ) -> None:
                    for name, content in files.items():
                        (folder / name).write_bytes(content)
                    (folder / "n_layers.txt").write_text(f"{n}\n")

                fz.run(
                    "safetensors",
                    lambda n=n_layers: read_safetensors_inventory(st_dir, n, "BF16"),
                    save_st,
                )
            else:
                if rng.random() < 0.75:
                    raw = json.dumps(mutate_json(rng.choice(c_seeds), rng, key_pool)).encode()
                else:
                    raw = mutate_bytes(rng.choice(c_raw), rng, c_raw)
                if rng.random() < 0.02:
                    raw = b"[" * rng.choice([1000, 100_000]) + raw
                (cfg_dir / "config.json").write_bytes(raw)

                def read_config() -> None:
                    config = load_config(cfg_dir)
                    spec_from_config(config, name="fuzz", where=str(cfg_dir / "config.json"))

                def save_cfg(folder: Path, raw: bytes = raw) -> None:
                    (folder / "config.json").write_bytes(raw)

                fz.run("config.json", read_config, save_cfg)
            if (i + 1) % report_every == 0:
                crashes = sum(sum(s.crashes.values()) for s in fz.stats.values())
                elapsed = time.perf_counter() - started
                print(f"  {i + 1:,} inputs, {crashes} crashes, {elapsed:.1f} s", flush=True)
        elapsed = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _report(fz, n_inputs, elapsed, seed)


def _safetensors_case(
    rng: random.Random, seeds: list[dict[str, Any]], raw: list[bytes], key_pool: list[str]
) -> dict[str, bytes]:
    """The files of one safetensors folder: one file, or two shards and an index."""
    roll = rng.random()
    if roll < 0.4:
        return {"model.safetensors": mutate_bytes(rng.choice(raw), rng, raw)}
    if roll < 0.85:
        header = mutate_json(rng.choice(seeds), rng, key_pool)
        data = None if rng.random() < 0.8 else rng.randint(0, 1 << 16)
        return {"model.safetensors": st_bytes(header, data)}
    header = rng.choice(seeds)
    names = [k for k in header if k != "__metadata__"]
    half = len(names) // 2
    shards = {"model-00001-of-00002.safetensors": names[:half]}
    shards["model-00002-of-00002.safetensors"] = names[half:]
    files: dict[str, bytes] = {}
    weight_map: dict[str, Any] = {}
    for file_name, part in shards.items():
        sub: dict[str, Any] = {}
        at = 0
        for name in part:
            info = dict(header[name])
            size = info["data_offsets"][1] - info["data_offsets"][0]
            info["data_offsets"] = [at, at + size]
            at += size
            sub[name] = info
            weight_map[name] = file_name
        files[file_name] = st_bytes(sub)
    index: Any = {"metadata": {"total_size": 0}, "weight_map": weight_map}
    if rng.random() < 0.7:
        index = mutate_json(index, rng, [*key_pool, "../evil.safetensors", "/etc/passwd"])
    files["model.safetensors.index.json"] = json.dumps(index).encode()
    if rng.random() < 0.3:
        victim = rng.choice(list(shards))
        files[victim] = mutate_bytes(files[victim], rng, raw)
    return files


def _report(fz: Fuzzer, n_inputs: int, elapsed: float, seed: int) -> int:
    print()
    print(f"{n_inputs:,} inputs in {elapsed:.1f} s ({n_inputs / elapsed:,.0f}/s), seed {seed}")
    header = "| reader | inputs | accepted | refused (RunlocalError) | crashes | mean | slowest |"
    print(header)
    print("|---|---|---|---|---|---|---|")
    total_crashes = 0
    for name, s in fz.stats.items():
        crashes = sum(s.crashes.values())
        total_crashes += crashes
        mean_ms = 1000 * s.seconds / max(1, s.inputs)
        print(
            f"| {name} | {s.inputs:,} | {s.accepted:,} | {s.refused:,} | {crashes} | "
            f"{mean_ms:.3f} ms | {1000 * s.slowest:.1f} ms |"
        )
    for name, s in fz.stats.items():
        kinds = ", ".join(f"{k} {v:,}" for k, v in s.refusals.most_common())
        print(f"{name}: refusals by type: {kinds or 'none'}")
        if s.multiline:
            print(f"{name}: {s.multiline} refusals whose message is not one printable line")
        if s.slow:
            print(f"{name}: {s.slow} inputs slower than {fz.slow} s")
    for example in fz.lines.values():
        print(f"  {example}")
    if fz.examples:
        print("\ncrashes (distinct exception and place):")
        for key, example in fz.examples.items():
            target = key.split(":", 1)[0]
            print(f"  {fz.stats[target].crashes[key]:>6,} × {example}")
    else:
        print("\nno crashes")
    return 1 if total_crashes else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="how many inputs (100,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--crash-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "runlocal-fuzz-crashes",
        help="where crashing inputs are written",
    )
    parser.add_argument("--slow", type=float, default=1.0, help="seconds that count as slow")
    parser.add_argument(
        "--meta-seeds", type=int, default=200, help="GGUF seeds with random metadata (200)"
    )
    args = parser.parse_args(argv)
    logging.getLogger("gguf").setLevel(logging.ERROR)  # the writer's duplicate-key notes
    os.environ.setdefault("RUNLOCAL_CACHE_DIR", "")
    return fuzz(args.inputs, args.seed, args.crash_dir, args.slow, args.meta_seeds)


if __name__ == "__main__":
    sys.exit(main())
