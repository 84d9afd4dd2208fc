"""The tool pages on the packaged catalog: its real prices, hardware and models.

Catches a catalog change that breaks a tool page (a renamed preferred model, a price file
without the fields the cost page reads) without pinning any number that editors may update.
"""

from __future__ import annotations

from html import unescape

import pytest

from runlocal.catalog import CATALOG_DIR, load_catalog
from runlocal.recommend import SIZE_CLASSES, is_text_model, model_for_size_class

from . import factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def real(settings, db) -> None:
    settings.RUNLOCAL_CATALOG_DIR = CATALOG_DIR
    factory.sync()


def test_every_size_class_has_its_preferred_model() -> None:
    catalog = load_catalog(CATALOG_DIR)
    for sc in SIZE_CLASSES:
        assert model_for_size_class(catalog, sc).id == sc.preferred[0], sc.id


def test_it_prices_a_real_setup_against_real_offers(client, real) -> None:
    prices = load_catalog(CATALOG_DIR).prices.values()
    default = [p for p in prices if p.get("kind") == "electricity" and p.get("default") is True]
    assert len(default) == 1
    q = {"hardware": "RTX 4090", "model": "Llama 3.1 8B Instruct", "format": "json"}
    doc = client.get("/cost/", q).json()
    result = doc["result"]
    assert result["inputs"]["electricity"]["id"] == default[0].id
    assert result["local"]["usd_per_million_tokens"]["low"] is not None
    assert result["cloud"] and result["api"]
    for row in result["cloud"] + result["api"]:
        assert row["source"].startswith("https://") and row["observed"]
    assert {a["id"] for a in result["api"]} == {
        p.id
        for p in prices
        if p.get("kind") == "api" and p.get("comparable_model") == "llama-3.1-8b-instruct"
    }
    assert client.get("/cost/", {k: v for k, v in q.items() if k != "format"}).status_code == 200


def test_it_renders_the_other_tools_on_the_real_catalog(client, real) -> None:
    for url in (
        "/compare/",
        "/compare/hardware/nvidia-rtx-4090-vs-nvidia-rtx-5090/",
        "/compare/?hw=RTX+3090&hw=2x+RTX+3090&hw=M4+Max&hw=Ryzen+AI+Max%2B+395",
        "/choose-my-gpu/?budget_usd=2500&run=70b&two_cards=on",
        "/choose-my-gpu/?budget_usd=5000&run=32b-coding&platform=apple&priority=context",
        "/run-check/",
    ):
        assert client.get(url).status_code == 200, url
    for p in client.get("/compare/?format=json").json()["popular"]:
        assert client.get(p["url"]).status_code == 200, p["url"]


def test_the_custom_build_from_the_brief(client, real) -> None:
    url = (
        "/will-it-run/custom/?gpu=nvidia-rtx-4090&gpu=nvidia-rtx-3090&ram_gb=64"
        "&runtime=ollama&use=coding"
    )
    r = client.get(url)
    assert r.status_code == 200
    assert "are not one 48 GiB pool" in unescape(r.content.decode())
    doc = client.get(url + "&format=json").json()
    groups = doc["result"]["groups"]
    text_models = [e for e in load_catalog(CATALOG_DIR).models.values() if is_text_model(e)]
    assert sum(len(rows) for rows in groups.values()) == len(text_models)
    assert groups["comfortable"] and groups["not_practical"]
    assert doc["result"]["recommended_runtime"]["id"] == "llama.cpp"  # two different cards
