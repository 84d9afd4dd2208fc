"""Screenshots of the main pages for the README (docs/screenshots/*.png).

    runlocal serve --port 8765 &   # with the real catalog
    python scripts/screenshots.py http://127.0.0.1:8765

Uses Debian's Chromium through Playwright (never `playwright install`). Pages that answer
with an error are skipped and listed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PAGES = [
    ("home", "/"),
    (
        "will-it-run",
        "/will-it-run/?model=qwen2.5-32b-instruct&hardware=nvidia-rtx-4090&context=16384",
    ),
    (
        "will-it-run-offload",
        "/will-it-run/?model=mixtral-8x7b-instruct&hardware=nvidia-rtx-3090&ram_gb=64",
    ),
    ("model", "/models/llama-3.1-8b-instruct/"),
    ("hardware", "/hardware/nvidia-rtx-4090/"),
    ("compare", "/compare/?hw=nvidia-rtx-4090&hw=nvidia-rtx-3090&hw=apple-m4-max-40c"),
    ("cost", "/cost/?hardware=nvidia-rtx-4090&model=llama-3.1-8b-instruct"),
    ("choose-my-gpu", "/choose-my-gpu/?budget_usd=1500&want=32b-coding"),
    ("glossary-term", "/glossary/kv-cache/"),
    ("methodology", "/methodology/"),
]


def main(base: str) -> int:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    OUT.mkdir(parents=True, exist_ok=True)
    skipped = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        for width, suffix in ((1280, ""), (390, "-phone")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in PAGES:
                if suffix and name not in ("home", "will-it-run"):
                    continue
                response = page.goto(base.rstrip("/") + path)
                if response is None or response.status >= 400:
                    skipped.append(f"{path} ({response.status if response else 'no answer'})")
                    continue
                page.screenshot(path=str(OUT / f"{name}{suffix}.png"), full_page=True)
            page.close()
        browser.close()
    for s in skipped:
        print(f"skipped {s}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765"))
