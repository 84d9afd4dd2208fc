"""Where a first view's CPU time goes (issue 14): the engine's answers, the template, garbage
collection and the rest, per page kind, in thread CPU time.

    python bench/first_view_parts.py [--first-view-count 40] [--kinds model hardware]

The setup of bench_web.py's in-process part (a child process on a fresh SQLite database, the
catalog synced, the same warm-up pages and URLs, the cache cleared before every page), with
timers around:

- every engine call the site makes (check, check_brief, check_commands, wherever a module of
  the site or the core holds them, as bench_web.py counts them), split into a (model,
  hardware) pair's first answer in the run and its later ones (a table's row asks the
  default quantization first, then the ladder's);
- the template's rendering (`runlocal_web.lib.pages.render`, what `respond` renders with);
- garbage collections (`gc.callbacks`), which fall inside the other parts too.

Each URL is asked once, in order, kind by kind, `/robots.txt` first; per kind the median and
mean of each part (the medians do not add up). Thread CPU time, so other processes on the
machine move it less than the wall clock, but not to nothing: compare kinds within a run.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from typing import Any

from bench_web import first_view_urls
from bench_web_setup import BENCH_SETTINGS, in_child

ENGINE_CALLS = ("check", "check_brief", "check_commands")


def _child(n: int, kinds: list[str]) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    import runlocal.engine
    import runlocal_web.lib.pages
    from bench_web import _warm_set

    call_command("migrate", verbosity=0)
    call_command("sync_catalog", verbosity=0)
    spent = {"engine": 0.0, "render": 0.0, "gc": 0.0}
    answers: dict[str, list[float]] = {"first": [], "later": []}
    pairs: set[tuple[Any, Any]] = set()
    depth = [0]  # an engine call inside another (check's "one change") is the outer's time

    def engine_timer(real: Any) -> Any:
        def timed(q: Any, *a: Any, **k: Any) -> Any:
            depth[0] += 1
            t = time.thread_time()
            try:
                return real(q, *a, **k)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    dt = time.thread_time() - t
                    spent["engine"] += dt
                    pair = (q.model, q.hardware)
                    answers["later" if pair in pairs else "first"].append(dt)
                    pairs.add(pair)

        return timed

    for attr in ENGINE_CALLS:
        real = getattr(runlocal.engine, attr)
        timed = engine_timer(real)
        for name, module in list(sys.modules.items()):
            if name.startswith("runlocal") and getattr(module, attr, None) is real:
                setattr(module, attr, timed)
    real_render = runlocal_web.lib.pages.render

    def render(*a: Any, **k: Any) -> Any:
        t = time.thread_time()
        try:
            return real_render(*a, **k)
        finally:
            spent["render"] += time.thread_time() - t

    runlocal_web.lib.pages.render = render  # type: ignore[attr-defined]
    started = [0.0]
    collections = [0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.thread_time()
        else:
            spent["gc"] += time.thread_time() - started[0]
            collections[0] += 1

    gc.callbacks.append(on_gc)
    client = Client(raise_request_exception=False)
    urls = first_view_urls(n, seed=14)
    for u in _warm_set(urls):
        client.get(u)
    rows = []
    for kind in ["robots", *kinds]:
        per: dict[str, list[float]] = {k: [] for k in ("total", *spent, "rest")}
        answers["first"].clear()
        answers["later"].clear()
        collections[0] = 0
        for u in urls[kind]:
            cache.clear()
            for k in spent:
                spent[k] = 0.0
            t = time.thread_time()
            client.get(u)
            total = time.thread_time() - t
            per["total"].append(total)
            for k, v in spent.items():
                per[k].append(v)
            per["rest"].append(total - spent["engine"] - spent["render"])
        ms = {k: (statistics.median(v) * 1e3, statistics.mean(v) * 1e3) for k, v in per.items()}
        pages = len(urls[kind])
        first, later = answers["first"], answers["later"]
        rows.append(
            f"| {kind} ({pages}) | {ms['total'][0]:.2f} / {ms['total'][1]:.2f} "
            f"| {ms['engine'][0]:.2f} / {ms['engine'][1]:.2f} "
            f"| {len(first) / pages:.1f} × {_us(first)} + {len(later) / pages:.1f} × {_us(later)} "
            f"| {ms['render'][0]:.2f} / {ms['render'][1]:.2f} | {ms['rest'][0]:.2f} / "
            f"{ms['rest'][1]:.2f} | {collections[0] / pages:.1f}, {ms['gc'][0]:.2f} / "
            f"{ms['gc'][1]:.2f} |"
        )
    print(
        "\nPer page, thread CPU ms, median / mean (the kinds asked one after another, not\n"
        "interleaved as in bench_web.py, so no ratio to /robots.txt here):\n\n"
        "| page | whole | engine | answers a page: first of a pair + later (median µs) | template "
        "| the rest | collections a page, ms |\n|---|---|---|---|---|---|---|"
    )
    print("\n".join(rows))


def _us(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e6:.0f}" if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first-view-count", type=int, default=40)
    parser.add_argument("--kinds", nargs="+", default=["model", "hardware"])
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        _child(args.first_view_count, args.kinds)
        return
    in_child(
        __file__,
        ["--_child", "--first-view-count", str(args.first_view_count), "--kinds", *args.kinds],
        BENCH_SETTINGS,
    )


if __name__ == "__main__":
    main()
