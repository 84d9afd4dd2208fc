"""Choose my GPU: four questions, ranked cards with their numbers."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from runlocal.catalog import load_catalog
from runlocal.recommend import GpuQuestion, choose_gpu

from . import factory
from .factory import tools_catalog

pytestmark = pytest.mark.django_db
URL = "/choose-my-gpu/"


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def test_it_asks_four_questions(client, tools: Path) -> None:
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    for name in ("budget_usd", "run", "model", "platform", "priority", "two_cards"):
        assert f'name="{name}"' in html, name
    doc = client.get(URL + "?format=json").json()
    assert doc["answer"] is None
    assert [s["id"] for s in doc["options"]["size_classes"]][:2] == ["8b-chat", "14b"]
    assert doc["options"]["priorities"] == ["speed", "context", "price", "power"]


def test_it_ranks_what_fits_the_budget(client, tools: Path) -> None:
    doc = client.get(URL, {"budget_usd": "5000", "format": "json"}).json()
    a = doc["answer"]
    # 8B chat stands for the nearest catalog model; the CPU is never a candidate.
    assert a["model"]["id"] == "testllama-8b"
    assert a["considered"] == 2
    names = [p["hardware"]["name"] for p in a["picks"]]
    assert names == ["TestGPU 24GB", "TestMac M9 Max"]  # ranked for speed
    expected = choose_gpu(GpuQuestion(5000, "testllama-8b"), load_catalog(tools))
    first, pick = a["picks"][0], expected.picks[0]
    assert first["decode_tok_s"] == pick.fit.decode_tok_s
    assert first["max_context"] == pick.fit.max_context
    assert first["quant"] == "Q4_K_M" and first["price_usd"] == 1599.0
    assert first["tok_s_per_kusd"] == pytest.approx(pick.fit.decode_tok_s / 1599 * 1000)
    assert first["rationale"] == list(pick.rationale)
    assert doc["share_url"] == "/choose-my-gpu/?budget_usd=5000"
    html = unescape(client.get(URL, {"budget_usd": "5000"}).content.decode())
    assert "#1" in html and "TestGPU 24GB" in html and "tokens/s per $1,000" in html
    assert client.get(first["check_url"]).status_code == 200
    assert client.get(first["cost_url"]).status_code == 200


def test_it_ranks_for_what_matters(client, tools: Path) -> None:
    power = client.get(URL, {"budget_usd": "5000", "priority": "power", "format": "json"}).json()
    assert power["answer"]["picks"][0]["hardware"]["name"] == "TestMac M9 Max"  # 90 W
    cheap = client.get(URL, {"budget_usd": "2000", "priority": "price", "format": "json"}).json()
    assert [p["hardware"]["id"] for p in cheap["answer"]["picks"]] == ["testgpu-24gb"]
    apple = client.get(URL, {"budget_usd": "5000", "platform": "apple", "format": "json"}).json()
    assert [p["hardware"]["id"] for p in apple["answer"]["picks"]] == ["testmac-m9-max"]


def test_two_cards_hold_what_one_cannot(client, tools: Path) -> None:
    one = client.get(URL, {"budget_usd": "4000", "run": "70b", "format": "json"}).json()["answer"]
    assert one["model"]["id"] == "testllama-70b"
    # One 24 GB card runs a 70B only with layers in the 32 GiB of system RAM assumed beside
    # it (as on every page): a pick with that tradeoff, after the machine that holds it.
    picks = [(p["hardware"]["name"], p["verdict"]) for p in one["picks"]]
    assert picks == [("TestMac M9 Max", "comfortable"), ("TestGPU 24GB", "tradeoffs")]
    assert one["too_small"] == []
    two = client.get(URL, {"budget_usd": "4000", "run": "70b", "two_cards": "on", "format": "json"})
    picks = two.json()["answer"]["picks"]
    assert [p["hardware"]["name"] for p in picks][:2] == ["2× TestGPU 24GB", "TestMac M9 Max"]
    assert picks[0]["price_usd"] == 3198 and picks[0]["hardware"]["query"] == "2x testgpu-24gb"


def test_a_specific_model_replaces_the_size_class(client, tools: Path) -> None:
    doc = client.get(
        URL, {"budget_usd": "2000", "model": "TL 8B", "run": "70b", "format": "json"}
    ).json()
    assert doc["answer"]["model"]["id"] == "testllama-8b"
    assert doc["share_url"] == "/choose-my-gpu/?budget_usd=2000&model=testllama-8b"


def test_it_says_when_nothing_fits(client, tools: Path) -> None:
    r = client.get(URL, {"budget_usd": "100"})
    assert r.status_code == 200
    assert "Nothing in the catalog within $100 runs TestLlama 8B" in unescape(r.content.decode())


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"budget_usd": "10"}, "budget_usd", "10 is out of range (50–1000000)"),
        ({"budget_usd": "inf"}, "budget_usd", "inf is out of range (50–1000000)"),
        ({"platform": "sparc"}, "platform", "'sparc' is not one of any, nvidia"),
        ({"priority": "looks"}, "priority", "'looks' is not one of "),
        ({"run": "9000b"}, "run", "'9000b' is not one of 8b-chat, "),
        ({"model": "TL 9B"}, "model", "unknown model 'TL 9B'"),
    ],
)
def test_it_explains_what_to_fix(
    client, tools: Path, query: dict, field: str, message: str
) -> None:
    r = client.get(URL, query)
    assert r.status_code == 400
    assert message in unescape(r.content.decode())
    doc = client.get(URL, {**query, "format": "json"}).json()
    assert doc["ok"] is False and any(message in e for e in doc["errors"][field])


def test_a_suggestion_fixes_the_model(client, tools: Path) -> None:
    doc = client.get(URL, {"model": "TL 9B", "format": "json"}).json()
    url = doc["suggestions"]["model"][0]["url"]
    assert client.get(url).status_code == 200


def test_an_empty_catalog_is_a_form_error(client, catalog_dir: Path, db) -> None:
    factory.sync()
    r = client.get(URL, {"budget_usd": "2000"})
    assert r.status_code == 400
    assert "the catalog has no language model to stand for 8B chat" in r.content.decode()
