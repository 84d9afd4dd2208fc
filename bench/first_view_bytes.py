"""Are first views byte-identical before and after a change? (issue 14)

    python bench/first_view_bytes.py --save /tmp/before.json     # on the old code
    python bench/first_view_bytes.py --compare /tmp/before.json  # on the new code

Fetches a fixed, seeded set of ~300 URLs through Django's test client on a fresh SQLite
database (the catalog synced in), the cache cleared before every request, so every page is a
first view: Will it run? answers (one and several devices, with and without options, invalid
input), model and hardware pages (40 of each), Choose my GPU, custom builds, costs, the lists,
the home page, not-found pages, each as HTML and, for most, as JSON (`?format=json`). The
status, the content type and the body are kept; the per-request CSP nonce is masked. With
--compare, every URL whose answer differs is listed with the first differing bytes (exit 1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
NONCE = re.compile(rb'nonce="[^"]*"')


def urls(all_entries: bool = False) -> list[str]:
    """The URLs fetched; all_entries: every model and hardware page instead of 40 of each."""
    sys.path.insert(0, str(SRC))
    from runlocal.catalog import load_catalog
    from runlocal.recommend import PLATFORMS, PRIORITIES, SIZE_CLASSES, USES

    catalog = load_catalog()
    models = sorted(catalog.models)
    hardware = sorted(catalog.hardware)
    gpus = [h for h in hardware if catalog.hardware[h].get("kind") == "gpu"]
    rng = random.Random(2014)
    out: list[str] = ["/", "/models/", "/hardware/", "/will-it-run/", "/choose-my-gpu/"]
    out += ["/will-it-run/custom/", "/models/no-such-model/", "/hardware/no-such-device/"]
    out += ["/models/?q=llama", "/hardware/?q=rtx"]
    some_models, some_hardware = rng.sample(models, 40), rng.sample(hardware, 40)
    out += [f"/models/{m}/" for m in (models if all_entries else some_models)]
    out += [f"/hardware/{h}/" for h in (hardware if all_entries else some_hardware)]
    options = [
        {},
        {"quant": "Q8_0"},
        {"quant": "Q4_K_M", "context": "32768"},
        {"runtime": "vllm"},
        {"runtime": "mlx"},
        {"kv_type": "q8_0", "batch": "4"},
        {"ram_gb": "64"},
        {"no_measured": "on"},
        {"quant": "nonsense"},
        {"context": "-5"},
    ]
    for i in range(60):
        q: dict[str, object] = {"model": rng.choice(models)}
        n = 1 if i < 40 else rng.choice([2, 3])
        q["hardware"] = rng.sample(hardware, n)
        q.update(options[i % len(options)])
        out.append("/will-it-run/?" + urlencode(q, doseq=True))
    out.append("/will-it-run/?" + urlencode({"model": "no-such-model", "hardware": hardware[0]}))
    for i in range(16):
        q = {
            "budget_usd": rng.choice([300, 700, 1500, 3000, 8000]),
            "platform": rng.choice(list(PLATFORMS)),
            "priority": rng.choice(PRIORITIES),
        }
        if i % 2:
            q["model"] = rng.choice(models)
        else:
            q["run"] = rng.choice(SIZE_CLASSES).id
        if i % 3 == 0:
            q["two_cards"] = "on"
        out.append("/choose-my-gpu/?" + urlencode(q))
    for i in range(14):
        q = {
            "gpu": rng.choice(gpus),
            "ram_gb": rng.choice([8, 16, 32, 64, 128]),
            "use": rng.choice(USES),
        }
        if i % 4 == 1:
            q["os"] = "linux"
        if i % 4 == 2:
            q["context"] = "16384"
        out.append("/will-it-run/custom/?" + urlencode(q))
    out.append("/will-it-run/custom/?" + urlencode({"ram_gb": 32}))
    out += ["/cost/", "/cost/?price_usd=x&watts=-1"]
    for _ in range(4):
        q = {"model": rng.choice(models), "hardware": rng.choice(gpus), "tokens_per_day": 200000}
        out.append("/cost/?" + urlencode(q))
    # Most of these again as JSON.
    out += [u + ("&" if "?" in u else "?") + "format=json" for u in out[::1] if u != "/"]
    return out


def fetch_all(all_entries: bool = False) -> dict[str, dict[str, str]]:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("sync_catalog", verbosity=0)
    client = Client(raise_request_exception=False)
    pages: dict[str, dict[str, str]] = {}
    for u in urls(all_entries):
        cache.clear()
        r = client.get(u)
        body = NONCE.sub(b'nonce="-"', r.content)
        pages[u] = {
            "status": str(r.status_code),
            "type": r.get("Content-Type", ""),
            "location": r.get("Location", ""),
            "body": body.decode("utf-8", "replace"),
        }
    return pages


def _child(out: str, all_entries: bool) -> None:
    Path(out).write_text(json.dumps(fetch_all(all_entries)))


def run_in_child(all_entries: bool = False) -> dict[str, dict[str, str]]:
    """Every page fetched in a child process on a fresh SQLite database, the "check" rate limit
    lifted as in bench_web.py (one client asks every question)."""
    from bench_web_setup import BENCH_SETTINGS, in_child

    fd, out = tempfile.mkstemp(prefix="runlocal-bytes-", suffix=".json")
    os.close(fd)
    try:
        more = ["--all-entries"] if all_entries else []
        in_child(__file__, ["--_child", out, *more], BENCH_SETTINGS)
        return json.loads(Path(out).read_text())  # type: ignore[no-any-return]
    finally:
        os.unlink(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save")
    parser.add_argument("--compare")
    parser.add_argument(
        "--all-entries", action="store_true", help="every model and hardware page, not 40 of each"
    )
    parser.add_argument("--_child", dest="child")
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.all_entries)
        return
    pages = run_in_child(args.all_entries)
    statuses: dict[str, int] = {}
    for p in pages.values():
        statuses[p["status"]] = statuses.get(p["status"], 0) + 1
    print(f"{len(pages)} URLs, statuses {statuses}")
    if args.save:
        Path(args.save).write_text(json.dumps(pages))
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        differ = 0
        for u in sorted(set(before) | set(pages)):
            a, b = before.get(u), pages.get(u)
            if a == b:
                continue
            differ += 1
            if a is None or b is None:
                print(f"DIFFER {u}: only {'after' if a is None else 'before'}")
                continue
            for k in ("status", "type", "location", "body"):
                if a[k] != b[k]:
                    i = next(
                        (n for n, (x, y) in enumerate(zip(a[k], b[k], strict=False)) if x != y),
                        min(len(a[k]), len(b[k])),
                    )
                    print(f"DIFFER {u} {k} at {i}:\n  before {a[k][i - 80 : i + 120]!r}")
                    print(f"  after  {b[k][i - 80 : i + 120]!r}")
                    break
        digest = hashlib.sha256(json.dumps(pages, sort_keys=True).encode()).hexdigest()[:12]
        print(f"{differ} of {len(pages)} differ (after: {digest})")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
