"""The tool pages as a person uses them, in a real browser: Compare, Cost vs cloud and
Choose my GPU. Each number read off the page is checked against the engine's own answer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from runlocal.catalog import load_catalog
from runlocal.cost import DAYS_PER_MONTH
from runlocal.engine import CheckQuery, check

# The assumptions the compare and choose pages state: llama.cpp, Q4_K_M, 8,192 tokens.
TOOL_QUERY = {"quant": "Q4_K_M", "context": 8192}


def speed(tmp_path: Path, model: str, hardware: str) -> dict[str, Any]:
    """The engine's speed for this pair, from the catalog files the site synced."""
    q = CheckQuery(model=model, hardware=(hardware,), **TOOL_QUERY)  # type: ignore[arg-type]
    return dict(check(q, load_catalog(tmp_path / "catalog")).to_dict()["speed"])


def number(text: str) -> float:
    """The first number in a piece of text: '$1,234.5 per' → 1234.5."""
    m = re.search(r"-?\d[\d,]*(?:\.\d+)?", text)
    assert m, f"no number in {text!r}"
    return float(m.group(0).replace(",", ""))


def table_cell(page: Any, table: str, row: str, column: int) -> str:
    """The text of the cell `column` (1 = first after the row header) in the row headed `row`."""
    return str(table_row(page, table, row).locator("td").nth(column - 1).inner_text())


def table_row(page: Any, table: str, row: str) -> Any:
    header = page.locator("th").filter(has_text=re.compile("^" + re.escape(row) + "$"))
    rows = page.locator(f"{table} tbody tr", has=header)
    assert rows.count() == 1, row
    return rows


# --- Compare -------------------------------------------------------------------------------


def test_it_compares_two_cards_from_the_form(site: str, page: Any, tmp_path: Path) -> None:
    page.goto(site + "/compare/")
    page.fill("#id_hw_0", "TestGPU 24GB")
    page.fill("#id_hw_1", "M9 Max")
    page.click("form.check-form button[type=submit]")
    page.wait_for_selector("table.compare-table")
    assert "/compare/?hw=TestGPU+24GB&hw=M9+Max" in page.url
    assert page.inner_text("h1") == "TestGPU 24GB vs TestMac M9 Max"
    # The speed table: one row per model, one column per device, read as a visitor would.
    shown = table_cell(page, "section[aria-labelledby=h-speed] table", "TestLlama 8B", 1)
    expected = speed(tmp_path, "testllama-8b", "testgpu-24gb")
    assert number(shown.split("\n")[-1]) == expected["decode_tok_s"]
    assert "Runs comfortably" in shown
    big = table_cell(page, "section[aria-labelledby=h-speed] table", "TestLlama 70B", 1)
    # Column 1 is the 24 GB card: the 70B runs there only from system RAM.
    assert "Runs with tradeoffs" in big
    # The chart draws the same number (to three significant figures) and says so in words.
    bar = page.locator("svg.toolchart rect title", has_text="TestGPU 24GB, TestLlama 8B:")
    assert bar.count() == 1
    drawn = number(bar.text_content().split(":")[1])
    assert drawn == pytest.approx(expected["decode_tok_s"], rel=0.005)


def test_it_compares_a_pair_at_its_own_address(site: str, page: Any, tmp_path: Path) -> None:
    response = page.goto(site + "/compare/hardware/testgpu-24gb-vs-testmac-m9-max/")
    assert response is not None and response.status == 200
    specs = "section[aria-labelledby=h-specs] table"
    assert table_cell(page, specs, "Memory", 1) == "24 GiB"
    assert table_cell(page, specs, "Memory", 2).startswith("64 GiB")
    assert table_cell(page, specs, "Bandwidth", 1) == "1,008 GB/s"
    assert table_cell(page, specs, "Bandwidth", 2) == "546 GB/s"
    mac = speed(tmp_path, "testllama-8b", "testmac-m9-max")
    value = "section[aria-labelledby=h-value] table"
    assert number(table_cell(page, value, "Decode, tokens/s", 2)) == mac["decode_tok_s"]
    # The verdict line names the faster card and the ratio of the two speeds.
    gpu = speed(tmp_path, "testllama-8b", "testgpu-24gb")
    ratio = gpu["decode_tok_s"] / mac["decode_tok_s"]
    assert f"about {ratio:.1f}× as fast" in page.inner_text(".verdict")
    # A cell leads to the full answer, which shows the same speed.
    table_row(page, "section[aria-labelledby=h-speed] table", "TestLlama 8B").locator("td a").nth(
        1
    ).click()
    page.wait_for_selector(".verdict-tier")
    assert "/will-it-run/" in page.url and "testmac-m9-max" in page.url
    assert f"{mac['decode_tok_s']:g} tokens/s" in page.inner_text(
        "section[aria-labelledby=h-speed]"
    )


# --- Cost vs cloud -------------------------------------------------------------------------


def test_it_works_out_the_cost_against_the_cloud(
    tools_site: str, page: Any, tmp_path: Path
) -> None:
    page.goto(tools_site + "/cost/")
    page.fill("#id_model", "TestLlama 8B")
    page.fill("#id_hardware", "TestGPU 24GB")
    # A $1,460 machine over 4 years ($1 a day), 500 W all day at $0.25/kWh ($3 a day),
    # asked for more tokens than it can write: it writes all 24 hours.
    page.fill("#id_price_usd", "1460")
    page.fill("#id_years", "4")
    page.fill("#id_watts", "500")
    page.fill("#id_hours_per_day", "24")
    page.fill("#id_usd_per_kwh", "0.25")
    page.fill("#id_tokens_per_day", "50000000")
    page.click("form.check-form button[type=submit]")
    page.wait_for_selector("#h-local")
    assert "price_usd=1460" in page.url and "hours_per_day=24" in page.url

    s = speed(tmp_path, "testllama-8b", "testgpu-24gb")

    def per_million(tok_s: float) -> float:
        return 4.0 / (tok_s * 3600 * 24 / 1e6)

    # "Locally: $low–$high per million tokens": the fast end of the range, then the slow end.
    low, high = (number(x) for x in page.inner_text("#h-local").split("–"))
    assert low == pytest.approx(per_million(s["decode_tok_s_high"]), abs=0.006)
    assert high == pytest.approx(per_million(s["decode_tok_s_low"]), abs=0.006)
    central = table_cell(page, "section[aria-labelledby=h-inputs] table", "Per million tokens", 2)
    assert number(central) == pytest.approx(per_million(s["decode_tok_s"]), abs=0.006)
    # Renting: 24 h × $0.36 = $8.64 a day against $3.00 of power: $1,460 repaid in months.
    months = 1460 / ((8.64 - 3.0) * DAYS_PER_MONTH)
    breakeven = page.inner_text("section[aria-labelledby=h-breakeven]")
    assert f"pays off after about {months:,.0f} months" in breakeven
    assert page.locator("section[aria-labelledby=h-breakeven] svg").count() == 1
    assert "TestCloud" in page.inner_text("section[aria-labelledby=h-cloud]")


def test_it_explains_a_cost_form_error_inline(tools_site: str, page: Any) -> None:
    page.goto(tools_site + "/cost/")
    page.fill("#id_model", "TestLlama 8B")
    page.click("form.check-form button[type=submit]")
    page.wait_for_selector(".has-error")
    assert "Name the hardware, or give its price." in page.inner_text("form.check-form")
    assert page.input_value("#id_model") == "TestLlama 8B"  # what was typed stays


# --- Choose my GPU -------------------------------------------------------------------------


def ranked(page: Any) -> list[str]:
    return [str(t) for t in page.locator("ol.cards li.card h3").all_inner_texts()]


def test_it_ranks_the_cards_that_run_a_model(site: str, page: Any, tmp_path: Path) -> None:
    page.goto(site + "/choose-my-gpu/")
    page.fill("#id_budget_usd", "5000")
    page.fill("#id_model", "TestLlama 8B")
    page.select_option("#id_platform", "any")
    page.select_option("#id_priority", "speed")
    page.click("form.check-form button[type=submit]")
    page.wait_for_selector("ol.cards")
    assert ranked(page) == ["TestGPU 24GB", "TestMac M9 Max"]  # the faster one first
    first = page.locator("ol.cards li.card").first
    expected = speed(tmp_path, "testllama-8b", "testgpu-24gb")
    assert f"{expected['decode_tok_s']:g} tokens/s" in first.inner_text()
    assert "Runs comfortably" in first.inner_text()
    share = page.url

    # Low power first: the Mac's tokens per watt win.
    page.select_option("#id_priority", "power")
    page.click("form.check-form button[type=submit]")
    page.wait_for_url(re.compile(r"priority=power"))
    assert ranked(page) == ["TestMac M9 Max", "TestGPU 24GB"]

    # A budget under the Mac's price leaves the card alone; the link reproduces the ranking.
    page.fill("#id_budget_usd", "2000")
    page.click("form.check-form button[type=submit]")
    page.wait_for_url(re.compile(r"budget_usd=2000"))
    assert ranked(page) == ["TestGPU 24GB"]
    page.goto(share)
    assert ranked(page) == ["TestGPU 24GB", "TestMac M9 Max"]


def test_it_says_when_no_card_in_budget_runs_the_model(site: str, page: Any) -> None:
    page.goto(site + "/choose-my-gpu/?budget_usd=500&model=TestLlama+70B")
    assert page.locator("ol.cards").count() == 0
    assert "Raise the budget" in page.inner_text("main")
