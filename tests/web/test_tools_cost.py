"""Cost vs cloud: local cost per million tokens against cloud GPUs and APIs, all cited."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from runlocal.catalog import load_catalog
from runlocal.cost import DAYS_PER_MONTH
from runlocal.engine import CheckQuery, check

from . import factory
from .factory import tools_catalog

pytestmark = pytest.mark.django_db
URL = "/cost/"
# A $1,460 machine used 4 years: $1.00 a day. 500 W for 8 hours at $0.25/kWh: $1.00 a day.
HAND = {
    "hardware": "testgpu-24gb",
    "model": "testllama-8b",
    "price_usd": "1460",
    "years": "4",
    "watts": "500",
    "hours_per_day": "8",
    "usd_per_kwh": "0.25",
    "tokens_per_day": "720000",
}


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def _speed(root: Path, model: str = "testllama-8b", hardware: str = "testgpu-24gb") -> dict:
    r = check(
        CheckQuery(model=model, hardware=(hardware,), quant="Q4_K_M", context=8192),
        load_catalog(root),
    ).to_dict()
    return r["speed"]


def test_it_shows_the_form_and_the_electricity_prices(client, tools: Path) -> None:
    r = client.get(URL)
    assert r.status_code == 200
    html = unescape(r.content.decode())
    assert 'name="model"' in html and 'name="hardware"' in html and 'name="region"' in html
    assert "Testland (household average): $0.25/kWh, observed 2026-01-01" in html
    assert "https://example.org/prices/electricity-testland" in html
    doc = client.get(URL + "?format=json").json()
    assert doc["result"] is None
    assert [e["id"] for e in doc["electricity"]] == [
        "electricity-testland",
        "electricity-otherland",
    ]
    assert doc["defaults"]["electricity"] == "electricity-testland"


def test_it_works_out_the_local_cost_by_hand(client, tools: Path) -> None:
    doc = client.get(URL, {**HAND, "format": "json"}).json()
    speed = _speed(tools)
    local = doc["result"]["local"]
    central = local["central"]
    assert central["decode_tok_s"] == speed["decode_tok_s"]
    assert central["amortized_usd_per_day"] == 1.0
    assert central["tokens_per_day"] == 720_000
    central_busy = 720_000 / (speed["decode_tok_s"] * 3600)
    assert central["busy_hours_per_day"] == pytest.approx(central_busy)
    # The central estimate: the engine's speed, board power while writing.
    assert central["power_usd_per_day"] == pytest.approx(0.5 * central_busy * 0.25)
    assert local["usd_per_million_tokens"]["central"] == pytest.approx(
        (1.0 + 0.5 * central_busy * 0.25) / 0.72
    )
    # The high end: power for all the hours on.
    assert local["usd_per_million_tokens"]["high"] == pytest.approx(2.0 / 0.72)
    # The low end: power only while writing at the fast end of the range.
    busy = 720_000 / (speed["decode_tok_s_high"] * 3600)
    assert local["usd_per_million_tokens"]["low"] == pytest.approx((1.0 + 0.5 * busy * 0.25) / 0.72)
    inputs = doc["result"]["inputs"]
    assert (inputs["price_basis"], inputs["watts_basis"], inputs["usd_per_kwh_basis"]) == (
        "given",
        "given",
        "given",
    )
    html = unescape(client.get(URL, HAND).content.decode())
    assert (
        f"Locally: ${local['usd_per_million_tokens']['low']:,.2f}–$2.78 per million tokens" in html
    )


def test_it_takes_price_power_and_electricity_from_the_catalog(client, tools: Path) -> None:
    q = {"hardware": "TG 24", "model": "TL 8B", "format": "json"}
    doc = client.get(URL, q).json()
    inputs = doc["result"]["inputs"]
    assert inputs["price_usd"] == 1599.0 and inputs["price_basis"].startswith(
        "catalog price: launch, 20"
    )
    assert inputs["watts"] == 450.0 and inputs["watts_basis"].startswith("catalog board power")
    assert inputs["usd_per_kwh"] == 0.25
    assert inputs["electricity"]["id"] == "electricity-testland"
    assert (
        inputs["hours_per_day"] == 8
        and inputs["years"] == 3
        and inputs["tokens_per_day"] == 500_000
    )
    assert doc["share_url"] == "/cost/?hardware=testgpu-24gb&model=testllama-8b"
    other = client.get(URL, {**q, "region": "electricity-otherland"}).json()
    assert other["result"]["inputs"]["usd_per_kwh"] == 0.5
    assert other["result"]["local"]["high"]["power_usd_per_day"] == pytest.approx(
        450 * 8 / 1000 * 0.5
    )


def test_it_prices_a_rented_gpu_with_the_engines_speed(client, tools: Path) -> None:
    doc = client.get(URL, {**HAND, "format": "json"}).json()
    (row,) = doc["result"]["cloud"]
    speed = _speed(tools)
    assert row["provider"] == "TestCloud" and row["gpus"] == 1 and row["usd_per_hour"] == 0.36
    assert row["observed"] == "2026-02-01"
    assert row["source"] == "https://example.org/prices/testcloud-testgpu"
    per_million = row["usd_per_million_tokens"]
    assert per_million["central"] == pytest.approx(0.36 / (speed["decode_tok_s"] * 3600) * 1e6)
    assert per_million["low"] == pytest.approx(0.36 / (speed["decode_tok_s_high"] * 3600) * 1e6)
    assert per_million["high"] == pytest.approx(0.36 / (speed["decode_tok_s_low"] * 3600) * 1e6)
    assert row["usd_per_day"] == pytest.approx(720_000 / (speed["decode_tok_s"] * 3600) * 0.36)
    html = unescape(client.get(URL, HAND).content.decode())
    assert "TestCloud" in html and "2026-02-01" in html
    assert 'href="https://example.org/prices/testcloud-testgpu"' in html


def test_it_rents_as_many_gpus_as_the_model_needs(client, tools: Path) -> None:
    doc = client.get(
        URL, {"hardware": "testmac-m9-max", "model": "testllama-70b", "format": "json"}
    ).json()
    (row,) = doc["result"]["cloud"]
    assert row["gpus"] == 2  # 70B at Q4_K_M needs two 24 GB cards
    assert row["usd_per_hour"] == 0.72
    speed = _speed(tools, "testllama-70b", "2x testgpu-24gb")
    assert row["decode_tok_s"] == speed["decode_tok_s"]


def test_it_prices_a_hosted_api_for_the_same_model(client, tools: Path) -> None:
    doc = client.get(URL, {**HAND, "format": "json"}).json()
    (api,) = doc["result"]["api"]
    assert api["provider"] == "TestAPI" and api["api_model"] == "testllama-8b-instruct"
    assert api["usd_per_million_output"] == 0.2 and api["usd_per_million_input"] == 0.1
    assert api["usd_per_day"] == pytest.approx(0.72 * 0.2)
    assert api["observed"] == "2026-03-01"
    none = client.get(URL, {**HAND, "model": "testllama-70b", "format": "json"}).json()
    assert none["result"]["api"] == []
    html = client.get(URL, {**HAND, "model": "testllama-70b"}).content.decode()
    assert "The catalog has no hosted API price for TestLlama 70B" in html


def test_it_draws_the_break_even(client, tools: Path) -> None:
    doc = client.get(URL, {**HAND, "format": "json"}).json()
    be = doc["result"]["break_even"]
    assert be["months"] == list(range(49))
    series = {s["key"]: s for s in be["series"]}
    assert set(series) == {"local", "cloud", "api"}
    local = series["local"]
    assert local["upfront_usd"] == 1460 and local["usd"][0] == 1460
    # The central estimate's electricity: board power while writing.
    power_monthly = doc["result"]["local"]["central"]["power_usd_per_day"] * DAYS_PER_MONTH
    assert local["usd_per_month"] == pytest.approx(power_monthly)
    cloud_monthly = doc["result"]["cloud"][0]["usd_per_day"] * DAYS_PER_MONTH
    assert series["cloud"]["usd"][12] == pytest.approx(12 * cloud_monthly)
    expected = 1460 / (cloud_monthly - power_monthly) if cloud_monthly > power_monthly else None
    assert be["local_vs_cloud_months"] == (pytest.approx(expected) if expected else None)
    assert be["local_vs_api_months"] is None  # $0.14 a day never repays $1,460
    html = client.get(URL, HAND).content.decode()
    assert 'aria-labelledby="chart-breakeven-title chart-breakeven-desc"' in html
    assert "Against the cheapest API, buying never pays off at this use." in unescape(html)


def test_heavy_use_pays_the_machine_back(client, tools: Path) -> None:
    heavy = {**HAND, "hours_per_day": "24", "tokens_per_day": "50000000", "format": "json"}
    doc = client.get(URL, heavy).json()
    local = doc["result"]["local"]
    assert local["central"]["capped"] is True
    speed = _speed(tools)
    assert local["central"]["tokens_per_day"] == pytest.approx(speed["decode_tok_s"] * 3600 * 24)
    # Writing all day, the rental costs 24 h × $0.36 = $8.64 a day against $3.00 of power.
    assert doc["result"]["cloud"][0]["usd_per_day"] == pytest.approx(8.64)
    months = doc["result"]["break_even"]["local_vs_cloud_months"]
    assert months == pytest.approx(1460 / ((8.64 - 3.0) * DAYS_PER_MONTH))
    html = unescape(
        client.get(URL, {k: v for k, v in heavy.items() if k != "format"}).content.decode()
    )
    assert "fewer than the 50,000,000 asked" in html


def test_it_says_when_the_model_does_not_run_locally(client, tools: Path) -> None:
    # With 4 GiB of system RAM the 70B has nowhere to spill (32 GiB are assumed otherwise).
    doc = client.get(
        URL,
        {"hardware": "testgpu-24gb", "model": "testllama-70b", "ram_gb": "4", "format": "json"},
    ).json()
    local = doc["result"]["local"]
    assert local["runs"] is False and local["usd_per_million_tokens"]["low"] is None
    assert doc["result"]["check"]["verdict"] == "wont-run"
    assert all(s["key"] != "local" for s in doc["result"]["break_even"]["series"])
    html = client.get(
        URL, {"hardware": "testgpu-24gb", "model": "testllama-70b", "ram_gb": "4"}
    ).content.decode()
    assert "Locally: it does not run" in html


def test_a_price_without_hardware_assumes_the_tokens_get_written(client, tools: Path) -> None:
    q = {"price_usd": "1460", "years": "4", "watts": "500", "usd_per_kwh": "0.25",
         "tokens_per_day": "720000", "model": "testllama-8b", "format": "json"}  # fmt: skip
    doc = client.get(URL, q).json()
    local = doc["result"]["local"]
    assert local["speed_known"] is False
    assert local["usd_per_million_tokens"]["central"] == pytest.approx(2.0 / 0.72)
    assert doc["result"]["inputs"]["hardware"] is None


def test_without_electricity_prices_the_local_cost_is_unknown(client, tiny: Path) -> None:
    doc = client.get(
        URL, {"hardware": "testgpu-24gb", "model": "testllama-8b", "format": "json"}
    ).json()
    assert doc["result"]["inputs"]["usd_per_kwh"] is None
    assert doc["result"]["local"]["usd_per_million_tokens"]["central"] is None
    assert doc["result"]["cloud"] == [] and doc["result"]["api"] == []
    r = client.get(URL, {"hardware": "testgpu-24gb", "model": "testllama-8b"})
    assert r.status_code == 200
    assert "unknown per million tokens" in r.content.decode()


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"hardware": "testgpu-24gb"}, "model", "Name a model"),
        ({"model": "testllama-8b"}, "hardware", "Name the hardware, or give its price."),
        ({"model": "testllama-8b", "hardware": "TG 25"}, "hardware", "unknown hardware 'TG 25'"),
        ({"model": "TL 9B", "hardware": "TG 24"}, "model", "unknown model 'TL 9B'"),
        (
            {"model": "TL 8B", "hardware": "TG 24", "hours_per_day": "25"},
            "hours_per_day",
            "25 is out of range (0.1–24)",
        ),
        (
            {"model": "TL 8B", "hardware": "TG 24", "years": "nan"},
            "years",
            "nan is out of range (0.25–20)",
        ),
        (
            {"model": "TL 8B", "hardware": "TG 24", "region": "mars"},
            "region",
            "'mars' is not one of ",
        ),
        (
            {"model": "TL 8B", "hardware": "TG 24", "tokens_per_day": "0"},
            "tokens_per_day",
            "0 is out of range (1–10000000000)",
        ),
        ({"model": "TL 8B", "hardware": "65x TG 24"}, "hardware", "out of range"),
    ],
)
def test_it_explains_what_to_fix(
    client, tools: Path, query: dict, field: str, message: str
) -> None:
    r = client.get(URL, query)
    assert r.status_code == 400
    assert message in unescape(r.content.decode())
    doc = client.get(URL, {**query, "format": "json"}).json()
    assert doc["ok"] is False
    assert any(message in e for e in doc["errors"][field])


def test_a_suggestion_fixes_the_query(client, tools: Path) -> None:
    doc = client.get(URL, {"model": "TL 9B", "hardware": "TG 24", "format": "json"}).json()
    url = doc["suggestions"]["model"][0]["url"]
    assert client.get(url).status_code == 200
