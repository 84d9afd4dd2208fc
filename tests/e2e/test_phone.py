"""Phone first, on the packaged catalog: no page scrolls sideways at 360 px (wide tables and
charts scroll inside their own box), chart text stays at 11 px or more, and the answer —
verdict, speeds, memory per device and the one change — shows without scrolling on a phone
and on a desktop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from runlocal.catalog import CATALOG_DIR, load_catalog
from tests.web import factory

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

# Elements that stick out past the right edge, outside any box that scrolls by itself.
OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 1) continue;
    let p = el.parentElement, boxed = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll'].includes(s.overflowX)) { boxed = true; break; }
      p = p.parentElement;
    }
    if (!boxed) out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  }
  return {scroll: document.documentElement.scrollWidth, width: w, offenders: out.slice(0, 3)};
}"""

# The smallest chart text as drawn: its font size times the SVG's scale on screen.
CHART_TEXT_JS = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll('svg[viewBox]')) {
    const vb = svg.viewBox.baseVal;
    const scale = svg.getBoundingClientRect().width / vb.width;
    for (const t of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  return smallest;
}"""


@pytest.fixture
def real_site(live_server: Any, settings: Any, transactional_db: None) -> str:
    settings.RUNLOCAL_CATALOG_DIR = CATALOG_DIR
    factory.sync()
    return str(live_server.url)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def _pages() -> list[str]:
    c = load_catalog(CATALOG_DIR)
    error = sorted(c.entries("errors"))[0]
    guide = sorted(c.entries("guides"))[0]
    answer = sorted(c.entries("answers"))[0]
    return [
        "/",
        "/will-it-run/",
        "/will-it-run/?model=llama-3.3-70b-instruct&hardware=nvidia-rtx-4090",
        "/will-it-run/?model=gpt-oss-120b&hardware=2x+nvidia-rtx-3090",
        "/models/",
        "/models/gpt-oss-120b/",
        "/hardware/",
        "/hardware/nvidia-rtx-4090/",
        "/compare/hardware/nvidia-rtx-3090-vs-nvidia-rtx-4090/",
        "/compare/?hw=nvidia-rtx-3090&hw=nvidia-rtx-4090&hw=apple-m4-max-40c",
        "/cost/?hardware=nvidia-rtx-3090&model=llama-3.1-8b-instruct",
        "/choose-my-gpu/?budget_usd=1500",
        "/will-it-run/custom/?gpu=nvidia-rtx-4090",
        "/guides/",
        f"/guides/{guide}/",
        "/answers/",
        f"/answers/{answer}/",
        "/errors/",
        f"/errors/{error}/",
        "/methodology/",
        "/pulse/",
        "/quants/",
        "/benchmarks/",
    ]


def test_no_page_scrolls_sideways_on_a_phone(real_site: str, phone: Any) -> None:
    phone.goto(real_site + "/")
    links = phone.eval_on_selector_all(
        "header nav a, footer a", "els => els.map(e => e.getAttribute('href'))"
    )
    urls = list(dict.fromkeys(_pages() + [h for h in links if h and h.startswith("/")]))
    wide, small_text = {}, {}
    for url in urls:
        response = phone.goto(real_site + url)
        assert response is not None and response.status < 500, url
        found = phone.evaluate(OVERFLOW_JS)
        if found["scroll"] > found["width"] + 1 or found["offenders"]:
            wide[url] = found
        smallest = phone.evaluate(CHART_TEXT_JS)
        if smallest < 11:
            small_text[url] = round(smallest, 1)
    assert not wide, wide
    assert not small_text, small_text


def _above_the_fold(p: Any, selector: str) -> bool:
    box = p.locator(selector).first.bounding_box()
    return box is not None and box["y"] + box["height"] <= p.viewport_size["height"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_answer_is_read_without_scrolling(real_site: str, browser: Any, viewport: Any) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    p = context.new_page()
    try:
        p.goto(real_site + "/will-it-run/?model=llama-3.3-70b-instruct&hardware=nvidia-rtx-4090")
        for selector in (
            ".verdict-tier",
            ".glance-speeds",
            ".glance-memory meter",
            ".glance-change",
        ):
            assert _above_the_fold(p, selector), (viewport, selector)
        assert "tokens/s" in p.inner_text(".glance-speeds")
    finally:
        context.close()


# Each tool used from its form on a phone: the answer arrives and nothing scrolls sideways.
PHONE_FLOWS = [
    ("/will-it-run/", {"#id_model": "TestLlama 8B", "#id_hardware_0": "TestGPU 24GB"}, ".glance"),
    ("/compare/", {"#id_hw_0": "TestGPU 24GB", "#id_hw_1": "M9 Max"}, "table.compare-table"),
    ("/cost/", {"#id_model": "TestLlama 8B", "#id_hardware": "TestGPU 24GB"}, "#h-breakeven"),
    ("/choose-my-gpu/", {"#id_budget_usd": "5000", "#id_model": "TestLlama 8B"}, "ol.cards"),
    ("/will-it-run/custom/", {"#id_gpu_0": "TestGPU 24GB"}, "#h-models"),
]


@pytest.mark.parametrize(("path", "fields", "answer"), PHONE_FLOWS, ids=lambda v: str(v)[:20])
def test_every_tool_answers_from_its_form_on_a_phone(
    tools_site: str, phone: Any, path: str, fields: dict[str, str], answer: str
) -> None:
    phone.goto(tools_site + path)
    for selector, value in fields.items():
        phone.fill(selector, value)
    phone.click("form.check-form button[type=submit]")
    phone.wait_for_selector(answer)
    found = phone.evaluate(OVERFLOW_JS)
    assert found["scroll"] <= found["width"] + 1 and not found["offenders"], found
