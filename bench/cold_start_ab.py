"""Cold `runlocal check` of two checkouts, alternated (figures in docs/performance.md, "Engine").

    python bench/cold_start_ab.py [--rounds 20] SRC_A SRC_B

Each round runs `python -m runlocal.cli check llama-3.1-8b-instruct --hardware 'RTX 4090'
--json` with PYTHONPATH at each `src` folder (in turn first and second), then `python -c pass`;
it reports each side's median and minimum wall time and CPU time (the child's user + system
time, which other work on a loaded machine moves less than the wall time). Compile the
bytecode and run each side once before (bench_engine.bench_cold_start does both).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHECK = ["-m", "runlocal.cli", "check", "llama-3.1-8b-instruct", "--hardware", "RTX 4090"]


def _run(args: list[str], src: str | None) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=src) if src else dict(os.environ)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"{args} failed with PYTHONPATH={src}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("srcs", nargs=2, metavar="SRC")
    args = ap.parse_args()
    times: dict[str, list[tuple[float, float]]] = {s: [] for s in [*args.srcs, "pass"]}
    for src in args.srcs:
        _run([*CHECK, "--json"], src)  # the parse cache written
    for n in range(args.rounds):
        for src in args.srcs if n % 2 == 0 else args.srcs[::-1]:
            times[src].append(_run([*CHECK, "--json"], src))
        times["pass"].append(_run(["-c", "pass"], None))
    for name, runs in times.items():
        wall, cpu = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"{name}: wall median {statistics.median(wall) * 1e3:.0f} ms (min "
            f"{min(wall) * 1e3:.0f}), CPU median {statistics.median(cpu) * 1e3:.0f} ms "
            f"(min {min(cpu) * 1e3:.0f}) over {len(runs)} runs"
        )


if __name__ == "__main__":
    main()
