"""Screenshots of the main pages for the README (docs/screenshots/*.png).

    runlocal serve --port 8765 --data-dir /tmp/shots-data &   # with the real catalog
    python scripts/screenshots.py http://127.0.0.1:8765

Uses Debian's Chromium through Playwright (never `playwright install`). Each picture is one
viewport high (1280×900 on a desktop, 390×844 on a phone), not the whole page, so the files
stay small (a warning names any over MAX_BYTES). Pages that answer with an error are skipped
and listed, and the exit status is then 1.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
MAX_BYTES = 300_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--font-render-hinting=none",
]


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    # Scrolled to this element first (its top a little below the window's), else the top:
    # the form's button, for instance, to show the answer below the form.
    scroll_to: str | None = None
    phone: bool = False


SHOTS = [
    Shot("home", "/", phone=True),
    Shot(
        "will-it-run",
        "/will-it-run/?model=qwen2.5-32b-instruct&hardware=nvidia-rtx-4090&context=16384",
        phone=True,
    ),
    Shot(
        "will-it-run-memory",
        "/will-it-run/?model=mixtral-8x7b-instruct&hardware=nvidia-rtx-3090&ram_gb=64",
        scroll_to="section[aria-labelledby=h-memory]",
    ),
    Shot(
        "will-it-run-custom-gpu",
        "/will-it-run/?model=gpt-oss-20b&vram_gb=16&bandwidth_gb_s=448&ram_gb=32",
    ),
    Shot("model", "/models/llama-3.1-8b-instruct/", phone=True),
    Shot("hardware", "/hardware/nvidia-rtx-4090/"),
    Shot(
        "compare",
        "/compare/?hw=nvidia-rtx-4090&hw=nvidia-rtx-3090&hw=apple-m4-max-40c",
        phone=True,
    ),
    Shot(
        "compare-speed",
        "/compare/hardware/nvidia-rtx-4090-vs-nvidia-rtx-3090/",
        scroll_to="section[aria-labelledby=h-speed]",
    ),
    Shot(
        "cost",
        "/cost/?hardware=nvidia-rtx-4090&model=llama-3.1-8b-instruct&hours_per_day=12"
        "&tokens_per_day=2000000",
        scroll_to="form.check-form button[type=submit]",
        phone=True,
    ),
    Shot(
        "choose-my-gpu",
        "/choose-my-gpu/?budget_usd=2000&run=32b-coding",
        scroll_to="form.check-form button[type=submit]",
        phone=True,
    ),
    Shot(
        "custom-build",
        "/will-it-run/custom/?gpu=2x+nvidia-rtx-3090&cpu=amd-ryzen-9-5950x&ram_gb=64",
    ),
    Shot("glossary-term", "/glossary/kv-cache/"),
    Shot("quants", "/quants/"),
    Shot("quant", "/quants/q2-k/"),
    Shot("contact", "/contact/"),
    Shot("digest", "/digest/"),
]


def take(page: Page, base: str, shot: Shot, target: Path) -> str | None:
    """The screenshot at `target`; returns why it was skipped, or None."""
    response = page.goto(base.rstrip("/") + shot.path, wait_until="load")
    if response is None or response.status >= 400:
        return f"{shot.path} ({response.status if response else 'no answer'})"
    if shot.scroll_to and page.locator(shot.scroll_to).count():
        top = page.locator(shot.scroll_to).first.evaluate(
            "e => e.getBoundingClientRect().top + window.scrollY"
        )
        page.evaluate("y => window.scrollTo(0, Math.max(0, y - 24))", top)
    page.screenshot(path=str(target), full_page=False)
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide > 0:
        print(f"warning: {shot.path} is {wide}px wider than the window", file=sys.stderr)
    return None


def main(base: str) -> int:
    chromium = (
        os.environ.get("RUNLOCAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    skipped: list[str] = []
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
            context = browser.new_context(viewport=viewport, device_scale_factor=1)  # type: ignore[arg-type]
            page = context.new_page()
            for shot in SHOTS:
                if suffix and not shot.phone:
                    continue
                target = OUT / f"{shot.name}{suffix}.png"
                why = take(page, base, shot, target)
                if why:
                    skipped.append(why)
                else:
                    written.append(target)
            context.close()
        browser.close()
    for path in written:
        size = path.stat().st_size
        flag = "  (over the size limit)" if size > MAX_BYTES else ""
        print(f"{path.relative_to(OUT.parents[1])}  {size / 1000:.0f} kB{flag}")
    for s in skipped:
        print(f"skipped {s}", file=sys.stderr)
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765"))
