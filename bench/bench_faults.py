"""Faults under load (figures recorded in docs/reliability.md).

    python bench/bench_faults.py [--phase-seconds 8] [--threads 8] [--workers 2]

Starts `runlocal serve --production` (gunicorn, gthread) on PostgreSQL and Redis, each reached
through a TCP proxy that can hang or refuse (tests/web/faults.py), with e-mail going to an SMTP
server that accepts connections and never answers (a black hole), and drives it with a mixed
load from --threads client threads, each its own client address (X-Forwarded-For, with
API_TRUSTED_PROXIES=1): cached pages (model and hardware pages, warmed first), engine answers
(Will it run? verdicts, cached after their first visit), API reads and digest sign-ups
(POST with a CSRF token). Phases, --phase-seconds each:

  baseline · db-hang (PostgreSQL accepts and answers nothing) · recovered · db-refuse ·
  recovered · redis-down (refused) · redis-frozen (accepts, answers nothing) · recovered ·
  slow-bodies (40 POSTs that announce a body and never send it, more than the site's
  threads) · recovered

Each phase reports requests, answers by status, 500s, the p99 and the slowest answer, and for
the phases after a fault how long until the first request that needs the database succeeded.
At the end: sign-ups answered 303 that are missing from the database (writes lost) and
sign-ups answered 503 that were stored anyway (a 503 that was not a failure). The SMTP black
hole holds only the task worker, never a web request.

Needs PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test; a database
`runlocal_faults` is created and dropped beside it) and Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/13, flushed first).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.web.faults import FaultProxy  # noqa: E402

from bench_web_setup import _catalog_ids, _pg, _with_db, start_server  # noqa: E402

DB = "runlocal_faults"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class BlackHoleSMTP:
    """Accepts connections and never says a word (an SMTP server that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)


class Load:
    """Client threads; every answer is recorded with its phase, status and latency."""

    def __init__(self, base: str, threads: int, pages: list[str], verdicts: list[str]) -> None:
        self.host, self.port = urlsplit(base).hostname or "", urlsplit(base).port or 80
        self.threads = threads
        self.pages, self.verdicts = pages, verdicts
        self.phase = "warm-up"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.records: list[tuple[str, str, int, float, float]] = []  # phase, kind, status, t, s
        self.signups: dict[str, int] = {}  # address → status
        self.counter = 0

    def run(self) -> list[threading.Thread]:
        workers = [
            threading.Thread(target=self._client, args=(i,), daemon=True)
            for i in range(self.threads)
        ]
        for w in workers:
            w.start()
        return workers

    def _request(
        self,
        conn_box: list[Any],
        ip: str,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        all_headers = {"X-Forwarded-For": ip, **(headers or {})}
        for attempt in range(2):
            if conn_box[0] is None:
                conn_box[0] = http.client.HTTPConnection(self.host, self.port, timeout=30)
            conn = conn_box[0]
            try:
                conn.request(method, path, body=body, headers=all_headers)
                r = conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn_box[0] = None
                return r.status, data, {k.lower(): v for k, v in r.getheaders()}
            except (OSError, http.client.HTTPException):
                conn.close()
                conn_box[0] = None
                if attempt:
                    return 0, b"", {}
        return 0, b"", {}

    def _client(self, i: int) -> None:
        rng = random.Random(i)
        ip = f"198.51.100.{i + 1}"
        box: list[Any] = [None]
        while not self.stop.is_set():
            roll = rng.random()
            phase = self.phase
            started = time.monotonic()
            if roll < 0.55:
                kind, status, _, _ = "page", *self._request(box, ip, "GET", rng.choice(self.pages))
            elif roll < 0.80:
                kind, status, _, _ = (
                    "verdict",
                    *self._request(box, ip, "GET", rng.choice(self.verdicts)),
                )
            elif roll < 0.92:
                kind, status, _, _ = "api", *self._request(box, ip, "GET", "/api/v1/models?limit=5")
            else:
                kind, status = "signup", self._signup(box, ip)
            took = time.monotonic() - started
            with self.lock:
                self.records.append((phase, kind, status, started, took))

    def _signup(self, box: list[Any], ip: str) -> int:
        # Each sign-up from its own address: the form's limit (5 per address in 10 minutes)
        # would otherwise answer most of them 429, and the point is to count stored writes.
        with self.lock:
            self.counter += 1
            n = self.counter
        ip = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        status, page, headers = self._request(box, ip, "GET", "/digest/")
        token = CSRF.search(page.decode("utf-8", "replace"))
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        if status != 200 or not token or not cookie:
            return status if status != 200 else -1  # -1: a form without its token
        email = f"reader{n}.{os.getpid()}@example.org"
        status, _, _ = self._request(
            box,
            ip,
            "POST",
            "/digest/subscribe/",
            body=urlencode({"email": email, "csrfmiddlewaretoken": token.group(1)}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie.group(1)}",
                "Referer": "http://127.0.0.1/",
            },
        )
        with self.lock:
            self.signups[email] = status
        return status


def _redis_keys_and_bytes(url: str) -> tuple[int, int]:
    def ask(*args: str) -> str:
        return subprocess.run(
            ["redis-cli", "-u", url, *args], capture_output=True, text=True
        ).stdout

    keys = int(ask("dbsize").strip() or 0)
    used = re.search(r"used_memory:(\d+)", ask("info", "memory"))
    return keys, int(used.group(1)) if used else 0


def utm_flood(base: str, path: str, redis_url: str, n: int = 3000) -> str:
    """The page-cache attack: one page under n made-up query strings."""
    keys0, bytes0 = _redis_keys_and_bytes(redis_url)
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=30)
    statuses: Counter[int] = Counter()
    for _ in range(n):
        conn.request("GET", f"{path}?utm_source={random.getrandbits(64):x}")
        r = conn.getresponse()
        r.read()
        statuses[r.status] += 1
    conn.close()
    keys1, bytes1 = _redis_keys_and_bytes(redis_url)
    return (
        f"page cache flood: {n} requests to {path}?utm_source=<random>: answers "
        f"{dict(statuses)}; Redis keys +{keys1 - keys0}, memory +{(bytes1 - bytes0) / 1e6:.2f} MB"
    )


def slow_bodies(host: str, port: int, n: int) -> list[socket.socket]:
    held = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=60)
        s.sendall(
            b"POST /digest/subscribe/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000\r\n\r\n"
        )
        held.append(s)
    return held


def p99(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def report(load: Load, phases: list[tuple[str, float]], seconds: float) -> list[dict[str, Any]]:
    rows = []
    for name, start in phases:
        recs = [r for r in load.records if r[0] == name]
        statuses = Counter(r[2] for r in recs)
        latencies = [r[4] for r in recs]
        failed_at = [r[3] - start for r in recs if r[2] not in (200, 303, 429)]
        # Failures of requests that started 2 s or more after the phase began and ended
        # within it (a request started at its very end may meet the next phase's fault).
        late = [
            r
            for r in recs
            if r[2] not in (200, 303, 429) and r[3] - start >= 2.0 and r[3] + r[4] - start < seconds
        ]
        slowest = max(recs, key=lambda r: r[4], default=None)
        first_db_ok = [
            r[3] - start for r in recs if r[1] in ("api", "signup") and r[2] in (200, 303)
        ]
        rows.append(
            {
                "phase": name,
                "requests": len(recs),
                "statuses": dict(sorted(statuses.items())),
                "500s": statuses.get(500, 0),
                "no answer": statuses.get(0, 0),
                "p99_s": round(p99(latencies), 3),
                "max_s": round(max(latencies, default=0.0), 3),
                "first_db_ok_s": round(min(first_db_ok), 2) if first_db_ok else None,
                "last_failure_s": round(max(failed_at), 2) if failed_at else None,
                "late_failures": len(late),
                "slowest_kind": slowest[1] if slowest else "",
                "cached_pages_ok": sum(1 for r in recs if r[1] == "page" and r[2] == 200),
                "cached_pages": sum(1 for r in recs if r[1] == "page"),
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--phase-seconds", type=float, default=8.0)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    subprocess.run(
        ["redis-cli", "-u", redis_url, "flushdb"], check=False, stdout=subprocess.DEVNULL
    )
    _pg(pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    _pg(pg, f"CREATE DATABASE {DB}")
    pg_parts, redis_parts = urlsplit(pg), urlsplit(redis_url)
    db_proxy = FaultProxy((pg_parts.hostname or "127.0.0.1", pg_parts.port or 5432)).start()
    redis_proxy = FaultProxy(
        (redis_parts.hostname or "127.0.0.1", redis_parts.port or 6379)
    ).start()
    smtp = BlackHoleSMTP()
    db_url = _with_db(pg, DB).replace(f":{pg_parts.port or 5432}/", f":{db_proxy.port}/")
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        DJANGO_SETTINGS_MODULE="runlocal_web.settings",
        DATABASE_URL=db_url,
        REDIS_URL=redis_url.replace(f":{redis_parts.port or 6379}/", f":{redis_proxy.port}/"),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        EMAIL_TIMEOUT="2",
        SITE_URL="http://127.0.0.1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        API_TRUSTED_PROXIES="1",
        SECURE_HSTS_SECONDS="0",
    )
    data = Path(tempfile.mkdtemp(prefix="runlocal-faults-"))
    proc, base = start_server(args.workers, env, data)
    load: Load | None = None
    try:
        models, hardware = _catalog_ids()
        rng = random.Random(3)
        pages = [f"/models/{m}/" for m in models[:40]] + [f"/hardware/{h}/" for h in hardware[:40]]
        verdicts = [
            "/will-it-run/?"
            + urlencode({"model": rng.choice(models[:20]), "hardware": rng.choice(hardware[:20])})
            for _ in range(60)
        ]
        import urllib.request

        for p in pages + verdicts:  # warm the page cache
            urllib.request.urlopen(base + p, timeout=60).close()
        flood = utm_flood(base, pages[0], redis_url)
        load = Load(base, args.threads, pages, verdicts)
        threads = load.run()
        phases: list[tuple[str, float]] = []
        held: list[socket.socket] = []

        def phase(name: str, fault: Any = None) -> None:
            if fault:
                fault()
            load.phase = name
            phases.append((name, time.monotonic()))
            time.sleep(args.phase_seconds)

        phase("baseline")
        phase("db-hang", db_proxy.freeze)
        phase("recovered-1", db_proxy.thaw)
        phase("db-refuse", db_proxy.refuse)
        phase("recovered-2", db_proxy.thaw)
        phase("redis-down", redis_proxy.refuse)
        phase("redis-frozen", lambda: (redis_proxy.thaw(), redis_proxy.freeze()))
        phase("recovered-3", redis_proxy.thaw)
        phase(
            "slow-bodies",
            lambda: held.extend(slow_bodies("127.0.0.1", int(urlsplit(base).port or 80), 40)),
        )
        for s in held:
            s.close()
        phase("recovered-4")
        load.stop.set()
        for t in threads:
            t.join(timeout=60)
        rows = report(load, phases, args.phase_seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    import psycopg

    with psycopg.connect(_with_db(pg, DB)) as conn:
        stored = {r[0] for r in conn.execute("SELECT email FROM community_subscriber")}
    _pg(pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    accepted = {e for e, s in load.signups.items() if s == 303}
    refused = {e for e, s in load.signups.items() if s == 503}
    lost = accepted - stored
    print(
        "| phase | requests | answers by status | 500s | no answer | p99 (s) | slowest (s) "
        "| cached pages OK | first DB answer after start (s) | failures 2 s after start |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        st = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        print(
            f"| {r['phase']} | {r['requests']} | {st} | {r['500s']} | {r['no answer']} | "
            f"{r['p99_s']} | {r['max_s']} ({r['slowest_kind']}) | "
            f"{r['cached_pages_ok']}/{r['cached_pages']} | {r['first_db_ok_s']} | "
            f"{r['late_failures']} |"
        )
    print(f"\n{flood}")
    print(
        f"sign-ups: {len(load.signups)}; answered 303: {len(accepted)}; lost (303 but not "
        f"stored): {len(lost)}; answered 503: {len(refused)}, of them stored anyway: "
        f"{len(refused & stored)}"
    )


if __name__ == "__main__":
    main()
