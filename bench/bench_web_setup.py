"""The pieces the website benchmarks share (bench/bench_web.py, bench_faults.py,
bench_signup_timing.py, first_view_*.py): the page workloads, the production server on
PostgreSQL and Redis, the load clients (wrk, or Python threads), and a child process on a fresh
SQLite database."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
# One database per run: two runs at once (two sessions on one machine) never drop each
# other's.
BENCH_DB = f"runlocal_bench_{os.getpid()}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _catalog_ids() -> tuple[list[str], list[str]]:
    sys.path.insert(0, str(SRC))
    from runlocal.catalog import load_catalog

    catalog = load_catalog()
    models = sorted(catalog.models)
    hardware = sorted(catalog.hardware)
    return models, hardware


def workload(models: list[str], hardware: list[str], n: int = 400) -> list[str]:
    """A fixed, seeded mix: 20% home, 25% model pages, 20% hardware pages, 25% verdicts,
    10% the model list."""
    rng = random.Random(42)
    paths = []
    for _ in range(n):
        r = rng.random()
        if r < 0.20:
            paths.append("/")
        elif r < 0.45:
            paths.append(f"/models/{rng.choice(models)}/")
        elif r < 0.65:
            paths.append(f"/hardware/{rng.choice(hardware)}/")
        elif r < 0.90:
            q = urlencode({"model": rng.choice(models), "hardware": rng.choice(hardware)})
            paths.append(f"/will-it-run/?{q}")
        else:
            paths.append("/models/")
    return paths


def hardware_pages(hardware: list[str]) -> list[str]:
    rng = random.Random(7)
    paths = [f"/hardware/{h}/" for h in hardware]
    rng.shuffle(paths)
    return paths


def verdict_pages(models: list[str], hardware: list[str], n: int = 400) -> list[str]:
    rng = random.Random(11)
    return [
        "/will-it-run/?"
        + urlencode({"model": rng.choice(models), "hardware": rng.choice(hardware)})
        for _ in range(n)
    ]


# --- the server ----------------------------------------------------------------------------


def _pg(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/" + name).geturl()


BENCH_SETTINGS = """from runlocal_web.settings import *  # noqa: F403

# One load client is one address: without this the "check" limit answers 429 within a second.
API_RATE_LIMITS = {"check": (10**9, 60)}
"""


def bench_env(
    data: Path, pg: str, redis_url: str, page_cache: bool, **extra: str
) -> dict[str, str]:
    """The production server's environment, with the check rate limit lifted (BENCH_SETTINGS)."""
    (data / "bench_settings.py").write_text(BENCH_SETTINGS)
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY_FILE")}
    env.pop("RUNLOCAL_CATALOG_DIR", None)
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join([str(SRC), str(data), env.get("PYTHONPATH", "")]).rstrip(":"),
        DATABASE_URL=_with_db(pg, BENCH_DB),
        REDIS_URL=redis_url,
        DB_CONN_MAX_AGE="60",
        SECRET_KEY="bench-" + "k" * 50,
        RUNLOCAL_PAGE_CACHE_SECONDS="600" if page_cache else "0",
    )
    env.update(extra)
    return env


def start_server(workers: int, env: dict[str, str], data: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "runlocal.cli",
        "serve",
        "--production",
        "--workers",
        str(workers),
        "--port",
        str(port),
        "--data-dir",
        str(data),
    ]
    log = open(data / f"serve-{workers}.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {(data / f'serve-{workers}.log').read_text()}")
        try:
            urllib.request.urlopen(base + "/", timeout=5).close()
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


def warm(base: str, paths: list[str]) -> list[str]:
    """Visit every page once; pages that fail (a page bug, not load) are left out and named."""
    bad = set()
    for p in dict.fromkeys(paths):
        try:
            urllib.request.urlopen(base + p, timeout=30).close()
        except OSError:
            bad.add(p)
    if bad:
        print(f"NOTE: {len(bad)} pages fail without load and are left out: {sorted(bad)[:5]}")
    return [p for p in paths if p not in bad]


# --- load generators -----------------------------------------------------------------------

WRK_LUA = """
local paths = {%s}
local i = 0
local threads = {}
hits = 0
setup = function(thread)
  table.insert(threads, thread)
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
response = function(status, headers, body)
  if headers["X-Cache"] == "hit" then hits = hits + 1 end
end
done = function(summary, latency, requests)
  local all_hits = 0
  for _, t in ipairs(threads) do all_hits = all_hits + t:get("hits") end
  io.write(string.format("JSON {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50_ms\\": %%f, " ..
    "\\"p99_ms\\": %%f, \\"socket_errors\\": %%d, \\"non_2xx_3xx\\": %%d, \\"hits\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, all_hits))
end
"""


def run_wrk(base: str, paths: list[str], seconds: int, connections: int, tmp: Path) -> dict:
    script = tmp / "mix.lua"
    script.write_text(WRK_LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base + "/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    r = json.loads(line[5:])
    return {
        "rps": r["requests"] / r["seconds"],
        "p50_ms": r["p50_ms"],
        "p99_ms": r["p99_ms"],
        "errors": r["socket_errors"] + r["non_2xx_3xx"],
        "requests": r["requests"],
        "hits": r["hits"],
        "tool": "wrk",
    }


def run_threads(base: str, paths: list[str], seconds: int, connections: int) -> dict:
    host, port = urlsplit(base).hostname, urlsplit(base).port
    latencies: list[float] = []
    errors = [0]
    hits = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        i = offset
        mine: list[float] = []
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    errors[0] += 1
                if resp.getheader("X-Cache") == "hit":
                    hits[0] += 1
            except OSError:
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
                continue
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": errors[0],
        "requests": len(latencies),
        "hits": hits[0],
        "tool": "python threads",
    }


def _load(args: argparse.Namespace, base: str, paths: list[str], conns: int, tmp: Path) -> dict:
    if shutil.which("wrk") and not args.python_client:
        return run_wrk(base, paths, args.seconds, conns, tmp)
    return run_threads(base, paths, args.seconds, conns)


def in_child(
    script: str, args: list[str], settings: str | None = None, prefix: list[str] | None = None
) -> None:
    """Run ``script`` with ``args`` in a child process on a fresh SQLite database
    (``settings``: a settings module's text, written beside it and used instead of the site's;
    ``prefix``: a command the child runs under, such as valgrind). bench/first_view_bytes.py
    and bench/first_view_instructions.py run their fetches the same way."""
    tmp = Path(tempfile.mkdtemp(prefix="runlocal-bench-sqlite-"))
    path = [str(SRC)]
    if settings is not None:
        (tmp / "bench_settings.py").write_text(settings)
        path.append(str(tmp))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "RUNLOCAL_CATALOG_DIR")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="runlocal_web.settings" if settings is None else "bench_settings",
        PYTHONPATH=os.pathsep.join([*path, env.get("PYTHONPATH", "")]).rstrip(":"),
        RUNLOCAL_DATA_DIR=str(tmp),
        SECRET_KEY="bench-" + "k" * 50,
        RUNLOCAL_PAGE_CACHE_SECONDS="0",  # time the views, not the page cache
    )
    try:
        subprocess.run([*(prefix or []), sys.executable, script, *args], env=env, check=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
