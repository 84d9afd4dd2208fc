"""End-to-end tests in headless Chromium (Debian's `chromium`) driven by Playwright.

Never `playwright install`: the browser is the system one. Without it (or without the
playwright package) these tests are skipped with the reason; CI installs both.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web import factory

CHROMIUM = os.environ.get("RUNLOCAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by
# the live server happen in its own thread, but fixtures touching the DB here are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


def _serve(live_server: Any, tmp_path: Path, settings: Any, build: Callable[[Path], Path]) -> str:
    root = tmp_path / "catalog"
    for kind in ("models", "hardware", "benchmarks"):
        (root / kind).mkdir(parents=True)
    settings.RUNLOCAL_CATALOG_DIR = root
    build(root)
    factory.sync()
    return str(live_server.url)


@pytest.fixture
def site(live_server: Any, tmp_path: Path, settings: Any, transactional_db: None) -> str:
    """A live server with the tiny two-model, two-device catalog synced (in tmp_path/catalog)."""
    return _serve(live_server, tmp_path, settings, factory.tiny_catalog)


@pytest.fixture
def tools_site(live_server: Any, tmp_path: Path, settings: Any, transactional_db: None) -> str:
    """The tiny catalog plus a CPU, electricity, cloud GPU and API prices (for Cost vs cloud)."""
    from tests.web.factory import tools_catalog

    return _serve(live_server, tmp_path, settings, tools_catalog)
