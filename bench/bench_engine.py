"""Speed of the engine itself (figures recorded in docs/performance.md, "Engine").

    python bench/bench_engine.py [--rounds 3] [--no-llmfit] [--native build/native]

Every figure that is compared is measured in the same run, interleaved, so a noisy machine
moves both sides of a ratio alike.

1. One `check` in-process over 120 distinct queries (7 models × 10 devices × 2 contexts):
   first call with every engine cache empty, then repeated; the first call of each of
   2,000 varied queries (below), whose models and devices mostly differ from one to the next,
   from empty caches; and 2,000 queries never asked before in a process that has answered
   20,000 others (a server's or a long batch's new question: the models, quantizations and
   devices it involves were seen, the combination was not).
2. `runlocal check --from FILE` with 10,000 varied queries (seeded draws over every catalog
   model and device: 1–4 GPUs, contexts from 2k to 128k or the default, a quantization or
   the default, sometimes vLLM or MLX), with workers (the default: one per CPU) and with
   `--jobs 1`, against llmfit scoring its whole model list (`llmfit fit --json`, ~10,000
   models) on this machine. llmfit is installed from the package registry into its own
   virtual environment under the bench cache folder the first time.
3. Cold start: `runlocal check MODEL --hardware HW --json` as a new process, against
   `python -c pass` (the interpreter's own start) in the same run. Bytecode is compiled
   first, as an installed package has it.

With ``--native DIR`` (the compiled build of scripts/build_native.py), each part is measured
for it too in the same run: 1. in a child process that imports the compiled package, right
after this one's; 2. and 3. interleaved with the pure runs, ``PYTHONPATH=DIR``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runlocal import engine, hardware
from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import RunlocalError

ROOT = Path(__file__).resolve().parents[1]
MODELS = [
    "llama-3.1-8b-instruct",
    "qwen2.5-32b-instruct",
    "gpt-oss-20b",
    "mixtral-8x7b-instruct",
    "gemma-2-9b-it",
    "meta-llama-3-70b",
    "deepseek-v2-lite",
]
HARDWARE = [
    "RTX 4090",
    "RTX 3090",
    "2x RTX 3090",
    "M2 Max 38-core",
    "A100 80GB",
    "RTX 3070",
    "RTX 4060 Ti 16GB",
    "M3 Max",
    "H100 PCIe",
    "RX 7900 XTX",
]
CONTEXTS = [None, None, 2048, 4096, 8192, 16384, 32768, 65536, 131072]
QUANTS = [None, None, None, "Q4_K_M", "Q8_0", "Q5_K_M", "Q3_K_M", "Q6_K", "IQ4_XS"]


def fixed_queries() -> list[CheckQuery]:
    cat = load_catalog()
    out = []
    for m, h, ctx in itertools.product(MODELS, HARDWARE, (4096, 32768)):
        q = CheckQuery(model=m, hardware=(h,), context=ctx)
        try:
            check(q, cat)
        except RunlocalError:
            continue
        out.append(q)
    return out


def varied_queries(n: int, seed: int = 14) -> list[dict[str, object]]:
    """Seeded draws over the whole catalog (the batch's queries, as JSON objects)."""
    cat = load_catalog()
    rng = random.Random(seed)
    models, devices = sorted(cat.models), sorted(cat.hardware)
    out: list[dict[str, object]] = []
    for _ in range(n):
        device = rng.choice(devices)
        unified = hardware.device_from_entry(cat.hardware[device]).kind != "gpu"
        count = 1 if unified else rng.choice([1, 1, 1, 2, 4])
        q: dict[str, object] = {
            "model": rng.choice(models),
            "hardware": [f"{count}x {device}" if count > 1 else device],
        }
        context, quant = rng.choice(CONTEXTS), rng.choice(QUANTS)
        if context:
            q["context"] = context
        if quant:
            q["quant"] = quant
        elif rng.random() < 0.3:
            q["runtime"] = (
                "mlx" if str(cat.hardware[device].get("vendor")).lower() == "apple" else "vllm"
            )
        out.append(q)
    return out


def _timed(qs: list[CheckQuery]) -> list[float]:
    cat = load_catalog()
    times = []
    for q in qs:
        t0 = time.perf_counter()
        with contextlib.suppress(RunlocalError):
            check(q, cat)
        times.append(time.perf_counter() - t0)
    return times


def bench_in_process() -> None:
    qs = fixed_queries()
    engine.clear_caches()
    first = _timed(qs)
    repeated = [t for _ in range(20) for t in _timed(qs)]
    engine.clear_caches()
    varied = [CheckQuery.from_mapping(q) for q in varied_queries(2000, seed=7)]
    new = _timed(varied)
    print(
        f"in-process check, {len(qs)} distinct queries: first call (engine caches empty) median "
        f"{statistics.median(first) * 1e6:.0f} µs; repeated × 20: median "
        f"{statistics.median(repeated) * 1e6:.0f} µs, p90 {_p90(repeated) * 1e6:.0f} µs"
    )
    print(
        f"in-process check, 2,000 varied queries, first call of each: median "
        f"{statistics.median(new) * 1e6:.0f} µs, p90 {_p90(new) * 1e6:.0f} µs"
    )
    others = [CheckQuery.from_mapping(q) for q in varied_queries(20_000, seed=8)]
    asked = set(others)
    fresh = [CheckQuery.from_mapping(q) for q in varied_queries(3_000, seed=7)]
    fresh = [q for q in fresh if q not in asked][:2000]
    engine.clear_caches()
    _timed(others)
    warm_new = _timed(fresh)
    print(
        f"in-process check, {len(fresh):,} queries never asked before, after 20,000 others: "
        f"median {statistics.median(warm_new) * 1e6:.0f} µs, p90 {_p90(warm_new) * 1e6:.0f} µs"
    )


def _p90(xs: list[float]) -> float:
    return sorted(xs)[int(0.9 * len(xs))]


def llmfit_command() -> list[str] | None:
    found = shutil.which("llmfit")
    if found:
        return [found]
    venv = Path(os.environ.get("RUNLOCAL_BENCH_DIR", Path.home() / ".cache" / "runlocal-bench"))
    exe = venv / "llmfit-venv" / "bin" / "llmfit"
    if not exe.exists():
        print("installing llmfit into", exe.parent.parent, file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(exe.parent.parent)], check=True)
        pip = [str(exe.parent / "python"), "-m", "pip", "install", "-q", "llmfit"]
        if subprocess.run(pip, check=False).returncode != 0 or not exe.exists():
            return None
    return [str(exe)]


def _wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def native_env(native: Path | None) -> dict[str, str] | None:
    """The environment that imports the compiled build at ``native``, checked to be one."""
    if native is None:
        return None
    env = {**os.environ, "PYTHONPATH": str(native.resolve())}
    probe = "import runlocal.estimate as m; print(m.__file__)"
    found = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    if not found.endswith(".so") and not found.endswith(".pyd"):
        raise SystemExit(f"{native}: not a compiled build (runlocal.estimate is {found})")
    return env


def bench_in_process_native(env: dict[str, str]) -> None:
    print("compiled build:", flush=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--in-process-only"]
    subprocess.run(cmd, check=True, env=env)


def bench_batch(rounds: int, with_llmfit: bool, env: dict[str, str] | None = None) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for q in varied_queries(10_000):
            f.write(json.dumps(q) + "\n")
        path = f.name
    runlocal = [sys.executable, "-m", "runlocal.cli", "check", "--from", path]
    llmfit = llmfit_command() if with_llmfit else None
    if with_llmfit and llmfit is None:
        print("llmfit could not be installed: the batch is measured without it")
    times: dict[str, list[float]] = {"workers": [], "one process": []}
    if env is not None:
        times |= {"compiled, workers": [], "compiled, one process": []}
        _wall(runlocal, env)  # the compiled build's own parse cache written (its catalog path)
    times["llmfit"] = []
    for _ in range(rounds):
        times["workers"].append(_wall(runlocal))
        times["one process"].append(_wall([*runlocal, "--jobs", "1"]))
        if env is not None:
            times["compiled, workers"].append(_wall(runlocal, env))
            times["compiled, one process"].append(_wall([*runlocal, "--jobs", "1"], env))
        if llmfit is not None:
            times["llmfit"].append(_wall([*llmfit, "fit", "--json"]))
    os.unlink(path)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    med = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"check --from, 10,000 varied queries, {cpus} CPUs, median of {rounds} interleaved runs:")
    for k, v in med.items():
        ratio = f", {v / med['llmfit']:.2f}× llmfit" if "llmfit" in med and k != "llmfit" else ""
        print(f"  {k}: {v:.2f} s{ratio}  (runs: {', '.join(f'{t:.2f}' for t in times[k])})")


def bench_cold_start(rounds: int = 10, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "runlocal")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    check_cmd = [
        sys.executable,
        "-m",
        "runlocal.cli",
        "check",
        MODELS[0],
        "--hardware",
        HARDWARE[0],
        "--json",
    ]
    subprocess.run(check_cmd, check=True, stdout=subprocess.DEVNULL)  # parse cache written
    if env is not None:
        subprocess.run(check_cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    cold, bare, compiled = [], [], []
    for _ in range(rounds):
        cold.append(_wall(check_cmd))
        bare.append(_wall([sys.executable, "-c", "pass"]))
        if env is not None:
            compiled.append(_wall(check_cmd, env))
    print(
        f"cold start `runlocal check {MODELS[0]} --hardware '{HARDWARE[0]}' --json`: median "
        f"{statistics.median(cold):.3f} s, min {min(cold):.3f} s over {rounds} runs; "
        f"`python -c pass` in the same run: median {statistics.median(bare):.3f} s, "
        f"min {min(bare):.3f} s"
    )
    if compiled:
        print(
            f"  compiled build: median {statistics.median(compiled):.3f} s, "
            f"min {min(compiled):.3f} s"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-llmfit", action="store_true")
    ap.add_argument("--native", type=Path, help="also measure the compiled build in this folder")
    ap.add_argument("--in-process-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    bench_in_process()
    if args.in_process_only:
        sys.exit()
    env = native_env(args.native)
    if env is not None:
        bench_in_process_native(env)
    bench_batch(args.rounds, not args.no_llmfit, env)
    bench_cold_start(env=env)
