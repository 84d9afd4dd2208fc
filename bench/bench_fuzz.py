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
import json
import logging
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from fuzz_inputs import (  # noqa: E402
    config_seeds,
    gguf_seeds,
    mutate_bytes,
    mutate_json,
    st_bytes,
    st_header,
)
from runlocal.errors import RunlocalError  # noqa: E402
from runlocal.gguf import read_gguf  # noqa: E402
from runlocal.hfconfig import load_config, spec_from_config  # noqa: E402
from runlocal.safetensors import read_safetensors_inventory  # noqa: E402

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
