"""Speed of the website (figures recorded in docs/performance.md, "Website").

    python bench/bench_web.py [--seconds 20] [--connections 64] [--workers 1 2]
                              [--page-cache both|on|off] [--focus-connections 32]

1. Load: `runlocal serve --production --workers N` (gunicorn) on PostgreSQL and Redis, on
   loopback, for N = 1 and 2 workers, each with the page cache off (RUNLOCAL_PAGE_CACHE_SECONDS=0:
   every page rendered, as before the cache existed) and on (the default):
   - mixed: a mixed page workload (home, model pages, hardware pages, Will-it-run verdicts,
     the model list) at 64 concurrent connections for ~20 s;
   - with 2 workers, also 32 connections on `/hardware/<slug>/` pages only and on
     `/will-it-run/?model=…&hardware=…` verdicts only (target: 300 requests/s or more).
   Each run reports requests/s, p50/p99 latency, errors, and the share of `X-Cache: hit`
   answers. Every page is visited once before timing, so with the cache on the timed run is
   all hits; the cache-off figures are what a miss costs.
   Needs PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test: the script
   creates and drops a database `runlocal_bench_<pid>` beside it) and Redis (BENCH_REDIS_URL,
   default redis://127.0.0.1:6379/14, flushed before each server start). The load comes from `wrk`
   when installed (on Debian/Ubuntu: `apt-get install -y wrk`, which is what produced the
   recorded figures); without wrk a Python thread-pool client is used instead (slower: it
   competes with the server for CPU).
2. Server time: p50/p99 of the model and hardware pages through Django's test client on
   SQLite, no network: rendered (page cache off; target p50 <= 20 ms, p99 <= 60 ms), then
   the same pages as page cache hits.
3. First views (issue 14; `--first-views`, or `--only-first-views` for this part alone): pages
   nobody asked for before, each kind against `/robots.txt` measured in the same run, as
   ratios of p50 and p90 (target: p50 <= 10x for Will it run? answers, model pages and
   hardware pages; Choose my GPU and the custom build reported the same way):
   - in-process, through Django's test client on SQLite with the in-process cache, which is
     cleared before every timed request (no page, table or engine answer cached: everything
     a first view computes is computed), the kinds interleaved so that a busy machine slows
     them alike; also the database queries and engine checks of each kind;
   - over HTTP, one connection at a time, against the production server (gunicorn, 2
     workers, PostgreSQL and Redis, page cache off; Redis flushed at the start and every URL
     asked once, so no answer is cached when it is asked).
   Then the load test of misses: 2 workers, 32 connections, page cache off, with `/robots.txt`
   under the same load for the ratio: the mixed workload and Will it run? answers as in 1
   (their engine answers cached after the warm-up visit, as in production), and first views
   proper (RUNLOCAL_CHECK_CACHE_SECONDS=0: nothing cached, every request computes its page).
   The load client is one address: the servers this script starts lift the "check" rate
   limit (a settings module written beside the data), as a site behind many visitors would
   not reach it. Target: 300 requests/s or more for misses.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench_web_setup import (
    BENCH_DB,
    BENCH_SETTINGS,
    SRC,
    _catalog_ids,
    _load,
    _pg,
    bench_env,
    hardware_pages,
    in_child,
    start_server,
    verdict_pages,
    warm,
    workload,
)


def load_test(args: argparse.Namespace) -> list[dict]:
    models, hardware = _catalog_ids()
    workloads = {
        "mixed": workload(models, hardware),
        "hardware": hardware_pages(hardware),
        "will-it-run": verdict_pages(models, hardware),
    }
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    _pg(pg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _pg(pg, f"CREATE DATABASE {BENCH_DB}")
    caches = {"both": ["off", "on"], "on": ["on"], "off": ["off"]}[args.page_cache]
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="runlocal-bench-"))
    try:
        for page_cache in caches:
            for workers in args.workers:
                import redis

                redis.Redis.from_url(redis_url).flushdb()
                env = bench_env(tmp, pg, redis_url, page_cache == "on")
                # The mixed workload with every worker count; the single-kind ones with the
                # largest only.
                runs = [("mixed", args.connections)]
                if workers == max(args.workers) and args.focus_connections:
                    runs += [("hardware", args.focus_connections)]
                    runs += [("will-it-run", args.focus_connections)]
                proc, base = start_server(workers, env, tmp)
                try:
                    for name, conns in runs:
                        paths = warm(base, workloads[name])
                        r = _load(args, base, paths, conns, tmp)
                        r.update(workers=workers, page_cache=page_cache, workload=name)
                        r["connections"] = conns
                        results.append(r)
                        print(
                            f"page cache {page_cache}, gunicorn {workers} worker(s), {name}, "
                            f"{conns} connections, {args.seconds}s ({r['tool']}): "
                            f"{r['rps']:.0f} requests/s, p50 {r['p50_ms']:.1f} ms, "
                            f"p99 {r['p99_ms']:.1f} ms, {r['errors']} errors of "
                            f"{r['requests']}, {r['hits'] / max(1, r['requests']):.0%} hits",
                            flush=True,
                        )
                finally:
                    proc.terminate()
                    proc.wait(30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        _pg(pg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    print_table(results)
    return results


def print_table(results: list[dict]) -> None:
    """The figures as the Markdown table docs/performance.md records."""
    print()
    print("| page cache | workers | workload | connections | requests/s | p50 | p99 | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['page_cache']} | {r['workers']} | {r['workload']} | {r['connections']} "
            f"| {r['rps']:,.0f} | {r['p50_ms']:,.1f} ms | {r['p99_ms']:,.1f} ms "
            f"| {r['errors']} of {r['requests']:,} |"
        )


# --- server time on SQLite -----------------------------------------------------------------


def server_time(args: argparse.Namespace) -> None:
    """In a child process (its own settings): the test client on a fresh SQLite database."""
    in_child(__file__, ["--_server-time-child", str(args.rounds)])


def _server_time_child(rounds: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("sync_catalog", verbosity=0)
    from django.test import override_settings

    models, hardware = _catalog_ids()
    client = Client(raise_request_exception=False)
    for kind, ids in (("models", models), ("hardware", hardware)):
        broken = [i for i in ids if client.get(f"/{kind}/{i}/").status_code != 200]
        if broken:  # a page bug is reported, not timed
            print(f"NOTE: /{kind}/<id>/ fails for {len(broken)} entries: {broken[:5]}")
        ids = [i for i in ids if i not in broken]
        _time_pages(client, kind, ids, rounds, "rendered")
        # The same pages from the page cache (in-process memory): what a hit costs.
        with override_settings(RUNLOCAL_PAGE_CACHE_SECONDS=600):
            for i in ids:
                client.get(f"/{kind}/{i}/")
            _time_pages(client, kind, ids, rounds, "page cache hit")


def _time_pages(client: Any, kind: str, ids: list[str], rounds: int, label: str) -> None:
    times = []
    rng = random.Random(1)
    for _ in range(rounds):
        path = f"/{kind}/{rng.choice(ids)}/"
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, path
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99)]
    print(
        f"server time, /{kind}/<id>/ on SQLite, {label} ({len(ids)} entries, {rounds} "
        f"requests): p50 {p50:.2f} ms, p99 {p99:.2f} ms",
        flush=True,
    )


# --- first views (issue 14) ----------------------------------------------------------------

FIRST_VIEW_KINDS = ("robots", "will-it-run", "model", "hardware", "choose", "build")
# Ranking pages cost ten times a verdict: fewer of them, so each kind takes similar time.
FEWER = {"choose": 4, "build": 4}


def first_view_urls(n: int, seed: int) -> dict[str, list[str]]:
    """Per page kind, n distinct URLs (n // FEWER for the ranking pages), seeded."""
    sys.path.insert(0, str(SRC))
    from runlocal.catalog import load_catalog
    from runlocal.recommend import PLATFORMS, PRIORITIES, SIZE_CLASSES, USES

    catalog = load_catalog()
    models = sorted(catalog.models)
    hardware = sorted(catalog.hardware)
    gpus = [h for h in hardware if catalog.hardware[h].get("kind") == "gpu"]
    rng = random.Random(seed)
    pairs = rng.sample([(m, h) for m in models for h in hardware], n)
    choose = {
        "/choose-my-gpu/?"
        + urlencode(
            {
                "budget_usd": rng.choice([400, 800, 1500, 2500, 5000]),
                **(
                    {"model": rng.choice(models)}
                    if rng.random() < 0.5
                    else {"run": rng.choice(SIZE_CLASSES).id}
                ),
                "platform": rng.choice(list(PLATFORMS)),
                "priority": rng.choice(PRIORITIES),
            }
        )
        for _ in range(n)
    }
    build = {
        "/will-it-run/custom/?"
        + urlencode(
            {
                "gpu": rng.choice(gpus),
                "ram_gb": rng.choice([16, 32, 64, 128]),
                "use": rng.choice(USES),
            }
        )
        for _ in range(n)
    }
    return {
        "robots": ["/robots.txt"] * n,
        "will-it-run": [
            "/will-it-run/?" + urlencode({"model": m, "hardware": h}) for m, h in pairs
        ],
        "model": [f"/models/{m}/" for m in rng.sample(models, min(n, len(models)))],
        "hardware": [f"/hardware/{h}/" for h in rng.sample(hardware, min(n, len(hardware)))],
        "choose": sorted(choose)[: max(1, n // FEWER["choose"])],
        "build": sorted(build)[: max(1, n // FEWER["build"])],
    }


def _interleaved(urls: dict[str, list[str]], seed: int) -> list[tuple[str, str]]:
    """Every (kind, url) once, the kinds mixed through the run (robots.txt among them)."""
    order = [(kind, u) for kind, us in urls.items() for u in us]
    random.Random(seed).shuffle(order)
    return order


def _warm_set(timed: dict[str, list[str]]) -> list[str]:
    """A few pages of each kind that the timed run never asks for: imports, templates and the
    catalog loaded, as in a server that has answered other pages."""
    taken = {u for us in timed.values() for u in us}
    other = first_view_urls(12, seed=99)
    return [u for us in other.values() for u in us[:3] if u not in taken or u == "/robots.txt"]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def _first_view_table(
    times: dict[str, list[float]],
    extra: dict[str, str],
    title: str,
    cpu: dict[str, list[float]] | None = None,
) -> None:
    """Wall-clock p50 and p90 of each kind, and their ratios to robots.txt's; with `cpu`, the
    p50 of the CPU time the request took in its thread too (what a busy shared machine's
    other processes do not add to)."""
    robots50 = statistics.median(times["robots"])
    robots90 = _pct(times["robots"], 0.9)
    print(f"\n{title}")
    head = "| page | first views | p50 | p90 | p50 ÷ robots.txt | p90 ÷ robots.txt |"
    head += " CPU p50 | CPU p50 ÷ robots.txt |" if cpu else ""
    print(head + (" queries, engine checks |" if extra else ""))
    print("|---|---|---|---|---|---|" + ("---|---|" if cpu else "") + ("---|" if extra else ""))
    for kind in FIRST_VIEW_KINDS:
        t = times.get(kind)
        if not t:
            continue
        p50, p90 = statistics.median(t), _pct(t, 0.9)
        line = (
            f"| {kind} | {len(t)} | {p50:.2f} ms | {p90:.2f} ms | {p50 / robots50:.1f}x "
            f"| {p90 / robots90:.1f}x |"
        )
        if cpu:
            c50 = statistics.median(cpu[kind])
            line += f" {c50:.2f} ms | {c50 / statistics.median(cpu['robots']):.1f}x |"
        print(line + (f" {extra.get(kind, '')} |" if extra else ""), flush=True)


def first_views_in_process(args: argparse.Namespace) -> None:
    """In a child process (its own settings and SQLite database), like server_time."""
    in_child(__file__, ["--_first-views-child", str(args.first_view_count)], BENCH_SETTINGS)


def _first_views_child(n: int) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import runlocal.engine

    call_command("migrate", verbosity=0)
    call_command("sync_catalog", verbosity=0)
    # Count the engine's answers: every module of the site or the core that calls check,
    # check_brief (the part of an answer a table shows) or check_commands (a setup's commands).
    checks = [0]

    def counting(real: Any) -> Any:
        def counted(*a: Any, **k: Any) -> Any:
            checks[0] += 1
            return real(*a, **k)

        return counted

    for attr in ("check", "check_brief", "check_commands"):
        real = getattr(runlocal.engine, attr, None)
        if real is None:
            continue  # an engine before check_brief or check_commands
        counted = counting(real)
        for name, module in list(sys.modules.items()):
            if name.startswith("runlocal") and getattr(module, attr, None) is real:
                setattr(module, attr, counted)
    client = Client(raise_request_exception=False)
    urls = first_view_urls(n, seed=14)
    for u in _warm_set(urls):
        client.get(u)
    times: dict[str, list[float]] = {k: [] for k in urls}
    cpu: dict[str, list[float]] = {k: [] for k in urls}
    queries: dict[str, list[int]] = {k: [] for k in urls}
    engine: dict[str, list[int]] = {k: [] for k in urls}
    failed: list[str] = []
    for kind, url in _interleaved(urls, seed=14):
        cache.clear()  # nothing cached: no page, no table, no engine answer
        checks[0] = 0
        with CaptureQueriesContext(connection) as ctx:
            t, c = time.perf_counter(), time.thread_time()
            r = client.get(url)
            dt = (time.perf_counter() - t) * 1000
            dc = (time.thread_time() - c) * 1000
        if r.status_code != 200:
            failed.append(f"{url} ({r.status_code})")
            continue
        times[kind].append(dt)
        cpu[kind].append(dc)
        queries[kind].append(len(ctx.captured_queries))
        engine[kind].append(checks[0])
    if failed:
        print(f"NOTE: {len(failed)} first views did not answer 200, left out: {failed[:5]}")

    def span(v: list[int]) -> str:
        return f"{min(v)}" if min(v) == max(v) else f"{min(v)}–{max(v)}"

    extra = {k: f"{span(queries[k])}, {span(engine[k])}" for k in urls if queries[k]}
    _first_view_table(
        times,
        extra,
        "First views in-process (test client, SQLite, nothing cached), this run:",
        cpu,
    )


def _get(base: str, path: str) -> tuple[int, float]:
    host, port = urlsplit(base).hostname, urlsplit(base).port
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        t = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status, (time.perf_counter() - t) * 1000
    finally:
        conn.close()


def first_views_http(args: argparse.Namespace, base: str) -> None:
    """One connection at a time: each URL asked once of a server whose Redis was flushed."""
    urls = first_view_urls(args.first_view_count, seed=15)
    warm_paths = _warm_set(urls)
    # Both workers warmed: two clients at once over the warm set.
    clients = [
        threading.Thread(target=lambda: [_get(base, p) for p in warm_paths]) for _ in range(2)
    ]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    times: dict[str, list[float]] = {k: [] for k in urls}
    failed = []
    for kind, url in _interleaved(urls, seed=15):
        status, ms = _get(base, url)
        if status != 200:
            failed.append(f"{url} ({status})")
            continue
        times[kind].append(ms)
    if failed:
        print(f"NOTE: {len(failed)} first views did not answer 200, left out: {failed[:5]}")
    _first_view_table(
        times,
        {},
        "First views over HTTP (gunicorn 2 workers, PostgreSQL, Redis flushed, page cache "
        "off; one connection at a time), this run:",
    )


def miss_load(args: argparse.Namespace) -> list[dict]:
    """2 workers, 32 connections, page cache off: robots.txt, then misses, on one server; then
    the same on a server that caches no engine answer or table (every request computes)."""
    models, hardware = _catalog_ids()
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    import redis

    _pg(pg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _pg(pg, f"CREATE DATABASE {BENCH_DB}")
    tmp = Path(tempfile.mkdtemp(prefix="runlocal-bench-miss-"))
    conns = args.focus_connections or 32
    fresh = first_view_urls(4000, seed=16)
    first = fresh["will-it-run"][:2000] + fresh["model"] + fresh["hardware"]
    random.Random(16).shuffle(first)
    servers = [
        (
            "answers cached",
            {},
            [
                ("mixed", workload(models, hardware)),
                ("will-it-run", verdict_pages(models, hardware)),
            ],
        ),
        ("nothing cached", {"RUNLOCAL_CHECK_CACHE_SECONDS": "0"}, [("first views", first)]),
    ]
    results = []
    try:
        for label, extra, runs in servers:
            redis.Redis.from_url(redis_url).flushdb()
            env = bench_env(tmp, pg, redis_url, page_cache=False, **extra)
            proc, base = start_server(2, env, tmp)
            try:
                if label == "answers cached" and args.first_views:
                    first_views_http(args, base)
                    redis.Redis.from_url(redis_url).flushdb()
                robots = _load(args, base, ["/robots.txt"], conns, tmp)
                for name, paths in runs:
                    if label == "answers cached":
                        paths = warm(base, paths)
                    r = _load(args, base, paths, conns, tmp)
                    r.update(server=label, workload=name, robots_rps=robots["rps"])
                    results.append(r)
                    print(
                        f"page cache off, {label}, 2 workers, {name}, {conns} connections, "
                        f"{args.seconds}s ({r['tool']}): {r['rps']:.0f} requests/s "
                        f"({r['rps'] / robots['rps']:.3f} of robots.txt's {robots['rps']:.0f}), "
                        f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                        f"{r['errors']} errors of {r['requests']}",
                        flush=True,
                    )
            finally:
                proc.terminate()
                proc.wait(30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        _pg(pg, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    print(
        f"\n| server | workload | {conns} connections: requests/s | ÷ robots.txt requests/s "
        "| p50 | p99 | errors |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['server']} | {r['workload']} | {r['rps']:,.0f} | "
            f"{r['rps'] / r['robots_rps']:.3f} (of {r['robots_rps']:,.0f}) | "
            f"{r['p50_ms']:,.1f} ms | {r['p99_ms']:,.1f} ms | {r['errors']} of {r['requests']:,} |"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--focus-connections", type=int, default=32)
    parser.add_argument("--page-cache", choices=["both", "on", "off"], default="both")
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--python-client", action="store_true", help="never use wrk")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-server-time", action="store_true")
    parser.add_argument("--first-views", action="store_true", help="issue 14's part (3)")
    parser.add_argument("--only-first-views", action="store_true", help="part (3) alone")
    parser.add_argument("--first-view-count", type=int, default=60, help="URLs per page kind")
    parser.add_argument("--_server-time-child", dest="child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--_first-views-child", dest="first_child", type=int, help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        _server_time_child(args.child)
        return
    if args.first_child:
        _first_views_child(args.first_child)
        return
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", flush=True)
    if args.only_first_views:
        args.first_views = True
        first_views_in_process(args)
        if not args.skip_load:
            miss_load(args)
        return
    if not args.skip_server_time:
        server_time(args)
    if not args.skip_load:
        load_test(args)
    if args.first_views:
        first_views_in_process(args)
        if not args.skip_load:
            miss_load(args)


if __name__ == "__main__":
    main()
