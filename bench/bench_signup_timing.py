"""Does a digest sign-up answer faster for an address already on the list? (issue 13, 10)

    python bench/bench_signup_timing.py [--rounds 300]

Starts `runlocal serve --production --workers 1` on SQLite in a temporary folder, confirms
one address (straight in the database), then sends sign-ups in alternation: a new address,
the confirmed one (spelled differently each time), a pending one; each from its own client
address (X-Forwarded-For with API_TRUSTED_PROXIES=1, so the form's limit stays out of the
way). Prints the median and p90 answer time of each kind, and their differences. E-mail goes
to the task worker (never in the request), so nothing is sent here.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_web_setup import start_server  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_up(conn: http.client.HTTPConnection, email: str, ip: str) -> float:
    conn.request("GET", "/digest/", headers={"X-Forwarded-For": ip})
    r = conn.getresponse()
    page = r.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie") or "")
    token = CSRF.search(page)
    assert cookie and token, "no CSRF token"
    body = urlencode({"email": email, "csrfmiddlewaretoken": token.group(1)})
    headers = {
        "X-Forwarded-For": ip,
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie.group(1)}",
    }
    started = time.perf_counter()
    conn.request("POST", "/digest/subscribe/", body=body, headers=headers)
    r = conn.getresponse()
    r.read()
    took = time.perf_counter() - started
    assert r.status == 303, r.status
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=300)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="runlocal-signup-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        DJANGO_SETTINGS_MODULE="runlocal_web.settings",
        SITE_URL="http://127.0.0.1",
        ALLOWED_HOSTS="127.0.0.1",
        API_TRUSTED_PROXIES="1",
        SECURE_HSTS_SECONDS="0",
        EMAIL_URL="dummy://",
    )
    proc, base = start_server(1, env, data)
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=30)
    try:
        sign_up(conn, "known@example.org", "10.9.0.1")
        sign_up(conn, "pending@example.org", "10.9.0.2")
        db = sqlite3.connect(data / "runlocal.sqlite3")
        db.execute(
            "UPDATE community_subscriber SET status='confirmed' WHERE mailbox=?",
            ("known@example.org",),
        )
        db.commit()
        db.close()
        times: dict[str, list[float]] = {"new": [], "confirmed": [], "pending": []}
        spellings = ("known@example.org", "KNOWN@example.org", '"known"@Example.org')
        for i in range(args.rounds):
            ip = f"10.{i // 250 % 250}.{i % 250}.{{}}"
            times["new"].append(sign_up(conn, f"new{i}@example.org", ip.format(1)))
            times["confirmed"].append(sign_up(conn, spellings[i % 3], ip.format(2)))
            times["pending"].append(sign_up(conn, "pending@example.org", ip.format(3)))
    finally:
        conn.close()
        proc.terminate()
        proc.wait(timeout=30)
    print(f"{args.rounds} sign-ups of each kind, one gunicorn worker, SQLite:")
    medians = {}
    for kind, values in times.items():
        ordered = sorted(values)
        medians[kind] = statistics.median(ordered)
        p90 = ordered[int(len(ordered) * 0.9)]
        print(f"  {kind:9s} median {medians[kind] * 1000:.2f} ms, p90 {p90 * 1000:.2f} ms")
    for kind in ("confirmed", "pending"):
        diff = (medians[kind] - medians["new"]) * 1000
        print(f"  {kind} − new: {diff:+.2f} ms at the median")


if __name__ == "__main__":
    main()
