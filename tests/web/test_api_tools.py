"""`/api/v1/cost` and `/api/v1/recommend`: the tools' answers, the same numbers as the pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from runlocal_web.tools.forms import CostForm

from . import factory
from .factory import tools_catalog
from .test_api_check import assert_error, assert_same_json, fields
from .test_tools_cost import HAND

pytestmark = pytest.mark.django_db
COST = "/api/v1/cost"
RECOMMEND = "/api/v1/recommend"
BUILD = "/api/v1/recommend/models"


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    cache.clear()
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def test_it_answers_the_cost_as_the_page_does(client, tools: Path) -> None:
    api = client.get(COST, HAND)
    assert api.status_code == 200, api.content
    body = api.json()
    page = client.get("/cost/", {**HAND, "format": "json"}).json()
    assert body["query"] == page["query"]
    assert body["page"].endswith(page["share_url"])
    for key in ("inputs", "check", "local", "cloud", "api", "break_even"):
        assert_same_json(body[key], page["result"][key], f"$.{key}")
    # $2.00 a day of purchase and power over 720,000 tokens: $2.78 per million, at most
    # (the high end); the central estimate pays power only while writing, so less.
    assert body["inputs"]["price_basis"] == "given"
    assert body["local"]["runs"] is True
    per_million = body["local"]["usd_per_million_tokens"]
    assert per_million["high"] == pytest.approx(2.0 / 0.72, rel=1e-9)
    assert per_million["low"] < per_million["central"] < per_million["high"]


def test_the_cost_without_hardware_needs_a_price(client, tools: Path) -> None:
    body = assert_error(client.get(COST, {"model": "testllama-8b"}), 422)
    assert fields(body) == {"hardware"}
    assert "give its price" in body["error"]
    ok = client.get(COST, {"model": "testllama-8b", "price_usd": "1000", "watts": "300"})
    assert ok.status_code == 200
    assert ok.json()["inputs"]["hardware"] is None


def test_an_unknown_name_is_a_400_with_suggestions(client, tools: Path) -> None:
    body = assert_error(client.get(COST, {**HAND, "model": "testllama 9"}), 400)
    (err,) = body["errors"]
    assert err["field"] == "model"
    assert "TestLlama 8B" in err["suggestions"]
    body = assert_error(client.get(RECOMMEND, {"model": "testlamda-70"}), 400)
    assert body["errors"][0]["suggestions"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"model": "testllama-8b", "price_usd": "-1"}, "price_usd"),
        ({"model": "testllama-8b", "price_usd": "nan"}, "price_usd"),
        ({"model": "testllama-8b", "price_usd": "1e400"}, "price_usd"),
        ({**HAND, "hours_per_day": "25"}, "hours_per_day"),
        ({**HAND, "tokens_per_day": "1.5"}, "tokens_per_day"),
        ({"hardware": "testgpu-24gb"}, "model"),
        ({**HAND, "model": "x" * 301}, "model"),
    ],
)
def test_bad_cost_values_are_422s_naming_the_field(client, tools: Path, query, field) -> None:
    body = assert_error(client.get(COST, query), 422)
    assert field in fields(body)


def test_it_refuses_parameters_it_does_not_read(client, tools: Path) -> None:
    body = assert_error(client.get(COST, {**HAND, "gpus": "2"}), 422)
    assert fields(body) == {"gpus"}
    body = assert_error(client.get(RECOMMEND, {"budget": "900"}), 422)
    assert fields(body) == {"budget"}


def test_it_recommends_as_the_page_does(client, tools: Path) -> None:
    query = {"budget_usd": "5000", "priority": "speed"}
    api = client.get(RECOMMEND, query)
    assert api.status_code == 200, api.content
    body = api.json()
    page = client.get("/choose-my-gpu/", {**query, "format": "json"}).json()
    assert body["query"] == page["query"]
    for key in ("question", "model", "considered", "count", "picks", "too_small"):
        assert_same_json(body[key], page["answer"][key], f"$.{key}")
    assert body["picks"], "the 24 GB card fits an 8B chat model within $5,000"
    first = body["picks"][0]
    assert first["verdict"] in {"comfortable", "tight"}
    assert first["price_usd"] <= 5000
    assert first["rationale"]


def test_a_budget_too_small_ranks_nothing(client, tools: Path) -> None:
    body = client.get(RECOMMEND, {"budget_usd": "50", "model": "testllama-70b"}).json()
    assert body["count"] == 0 and body["picks"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"budget_usd": "10"}, "budget_usd"),
        ({"budget_usd": "inf"}, "budget_usd"),
        ({"run": "7b"}, "run"),
        ({"platform": "risc-v"}, "platform"),
        ({"priority": "colour"}, "priority"),
        ({"two_cards": "maybe"}, "two_cards"),
    ],
)
def test_bad_recommend_values_are_422s(client, tools: Path, query, field) -> None:
    body = assert_error(client.get(RECOMMEND, query), 422)
    assert field in fields(body)


def test_the_tools_are_in_the_openapi_schema(client, tools: Path) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    cost = schema["paths"]["/api/v1/cost"]["get"]
    names = {p["name"] for p in cost["parameters"]}
    assert names == set(CostForm.URL_FIELDS)
    hours = next(p for p in cost["parameters"] if p["name"] == "hours_per_day")
    assert "24" in str(hours["schema"])
    assert "/api/v1/recommend" in schema["paths"]
    index = client.get("/api/v1/").json()
    assert {"cost", "recommend"} <= set(index["endpoints"])


def test_it_recommends_models_for_a_build_as_the_page_does(client, tools: Path) -> None:
    query = [("gpu", "testgpu-24gb"), ("gpu", "testgpu-24gb"), ("ram_gb", "64"), ("use", "coding")]
    api = client.get(BUILD + "?" + urlencode(query))
    assert api.status_code == 200, api.content
    body = api.json()
    page = client.get("/will-it-run/custom/?" + urlencode([*query, ("format", "json")])).json()
    assert body["query"] == page["query"]
    assert body["query"]["gpu"] == ["testgpu-24gb", "testgpu-24gb"]
    for key in ("build", "runtime", "memory", "groups"):
        assert_same_json(body[key], page["result"][key], f"$.{key}")
    comfortable = body["groups"]["comfortable"]
    assert comfortable and all(m["quality_basis"] for m in comfortable)


def test_a_build_with_an_unknown_card_is_a_400_with_suggestions(client, tools: Path) -> None:
    body = assert_error(client.get(BUILD, {"gpu": "testgpu 25"}), 400)
    (err,) = body["errors"]
    assert err["field"] == "gpu" and err["suggestions"]
    body = assert_error(client.get(BUILD, {"use": "coding"}), 422)
    assert fields(body) == {"gpu"}
    body = assert_error(client.get(BUILD, {"gpu": "testgpu-24gb", "context": "12"}), 422)
    assert fields(body) == {"context"}
