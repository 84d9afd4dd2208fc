"""Compare hardware: the pair pages, the N-way form, the verdict and the charts."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check

from . import factory
from .factory import tools_catalog

pytestmark = pytest.mark.django_db
PAIR = "/compare/hardware/testgpu-24gb-vs-testmac-m9-max/"


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def test_it_compares_two_devices_side_by_side(client, tools: Path) -> None:
    r = client.get(PAIR)
    assert r.status_code == 200
    html = unescape(r.content.decode())
    assert '<h1>TestGPU 24GB <span class="vs">vs</span> TestMac M9 Max</h1>' in html
    for text in (
        "24 GiB",
        "64 GiB, 48.0 usable by the GPU",  # macOS's working set: 3/4 of 64 GiB
        "1,008 GB/s",
        "165.2 TFLOPS",
        "450 W",
        "$1,599 (launch, 2022-10-12)",  # every price says its kind and date
        "$67",  # 1599 / 24 = 66.6 per GiB
        "$50",  # 3199 / 64 = 50.0 per GiB
        "CUDA, Vulkan",
        "Metal, CPU",
    ):
        assert text in html, text
    for chart in (
        "chart-decode",
        "chart-memory",
        "chart-usd-gib",
        "chart-usd-tok",
        "chart-per-watt",
    ):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html, chart
    # The 70B runs on the 24 GB card only with layers in the RAM assumed beside it: said so.
    assert "with part of it off the accelerator" in html
    assert "Assuming 32 GiB of system RAM beside the GPUs" in html and 'id="id_ram_gb"' in html


def test_its_headline_follows_the_ram_given(client, tools: Path) -> None:
    """With little system RAM the 70B runs only on the Mac: the headline is computed from the
    same answers as the table, and "needs" counts the whole model, not the card's share."""
    q = {"hw": ["testgpu-24gb", "testmac-m9-max"], "ram_gb": "4", "format": "json"}
    doc = client.get("/compare/", q).json()
    assert doc["verdict"][0] == "For TestLlama 70B at Q4_K_M only TestMac M9 Max fits."
    assert doc["assumed_ram_gib"] is None and doc["share_url"].endswith("&ram_gb=4")
    cells = {c["hardware"]: c for row in doc["models"] for c in row["results"]
             if row["model"]["id"] == "testllama-70b"}  # fmt: skip
    gpu = cells["testgpu-24gb"]
    assert gpu["verdict"] == "wont-run" and gpu["check_url"].endswith("&ram_gb=4")
    assert gpu["need_bytes"] > gpu["budget_bytes"]


def test_its_verdict_and_speeds_are_the_engines(client, tools: Path) -> None:
    doc = client.get(PAIR + "?format=json").json()
    catalog = load_catalog(tools)
    assert [h["id"] for h in doc["hardware"]] == ["testgpu-24gb", "testmac-m9-max"]
    assert doc["quant"] == "Q4_K_M" and doc["context"] == 8192
    by_model = {row["model"]["id"]: row for row in doc["models"]}
    assert set(by_model) == {"testllama-8b", "testllama-70b"}
    for model_id, row in by_model.items():
        for cell in row["results"]:
            # The engine's defaults, as Will it run? asks them: one question, one answer.
            r = check(CheckQuery(model=model_id, hardware=(cell["hardware"],)), catalog).to_dict()
            assert cell["verdict"] == r["verdict"]
            assert cell["decode_tok_s"] == r["speed"]["decode_tok_s"]
    gpu_8b, mac_8b = (c["decode_tok_s"] for c in by_model["testllama-8b"]["results"])
    # The headline says what the table says: the 70B runs on the GPU only with offload.
    assert doc["verdict"][0] == (
        "All of them run every model checked here, up to TestLlama 70B at Q4_K_M "
        "(TestGPU 24GB with part of it off the accelerator)."
    )
    assert doc["verdict"][1] == (
        f"On TestLlama 8B, TestGPU 24GB decodes about {gpu_8b / mac_8b:.1f}× as fast as "
        f"TestMac M9 Max ({gpu_8b:g} vs {mac_8b:g} tokens/s)."
    )
    assert doc["verdict"][2] == "TestMac M9 Max costs the least per GiB of memory ($50 per GiB)."
    assert doc["reference_model"]["id"] == "testllama-8b"
    value = {v["hardware"]: v for v in doc["value"]}
    assert value["testgpu-24gb"]["usd_per_tok_s"] == pytest.approx(1599 / gpu_8b)
    assert value["testgpu-24gb"]["tok_s_per_watt"] == pytest.approx(gpu_8b / 450)
    assert value["testmac-m9-max"]["tok_s_per_watt"] == pytest.approx(mac_8b / 90)
    assert doc["share_url"] == PAIR


def test_it_redirects_names_and_aliases_to_the_canonical_pair(client, tools: Path) -> None:
    r = client.get("/compare/hardware/tg-24-vs-m9-max/")
    assert r.status_code == 301 and r["Location"] == PAIR
    r = client.get("/compare/hardware/tg-24-vs-m9-max/?format=json")
    assert r["Location"] == PAIR + "?format=json"


def test_an_unknown_device_is_a_404_with_pair_suggestions(client, tools: Path) -> None:
    r = client.get("/compare/hardware/testgpu-24gb-vs-testmac-m9-mix/")
    assert r.status_code == 404
    assert b"TestGPU 24GB vs TestMac M9 Max" in r.content
    doc = client.get("/compare/hardware/testgpu-24gb-vs-testmac-m9-mix/?format=json").json()
    assert doc["ok"] is False and doc["status"] == 404
    assert doc["suggestions"][0] == {"name": "TestGPU 24GB vs TestMac M9 Max", "url": PAIR}
    for s in doc["suggestions"]:
        assert client.get(s["url"]).status_code == 200


@pytest.mark.parametrize(
    "pair",
    [
        "testgpu-24gb-vs-testgpu-24gb",  # the same device twice
        "testgpu-24gb-vs-",
        "testgpu-24gb",
        "a-vs-b-vs-c",
        "%3Cscript%3E-vs-x",
        "x" * 300 + "-vs-y",
    ],
)
def test_other_pair_addresses_are_404s(client, tools: Path, pair: str) -> None:
    r = client.get(f"/compare/hardware/{pair}/")
    assert r.status_code == 404
    assert b"<script>" not in r.content


def test_it_compares_up_to_six_and_two_card_builds(client, tools: Path) -> None:
    r = client.get("/compare/", {"hw": ["TG 24", "M9 Max", "2x TG 24", "TC 16"]})
    assert r.status_code == 200
    doc = client.get(
        "/compare/", {"hw": ["TG 24", "M9 Max", "2x TG 24", "TC 16"], "format": "json"}
    ).json()
    assert doc["share_url"] == (
        "/compare/?hw=testgpu-24gb&hw=testmac-m9-max&hw=2x+testgpu-24gb&hw=testcpu-16c"
    )
    two = doc["hardware"][2]
    assert two["name"] == "2× TestGPU 24GB"
    assert two["memory_gib"] == 48 and two["price_usd"] == 3198 and two["tdp_w"] == 900
    html = unescape(r.content.decode())
    assert "48 GiB (2 × 24)" in html and "1,008 GB/s each" in html
    # Each box can be removed: its link is the comparison without it.
    assert (
        'href="/compare/?hw=testgpu-24gb&amp;hw=testmac-m9-max&amp;hw=testcpu-16c"'
        in r.content.decode()
    )
    # Two plain devices: the canonical address is the pair page.
    doc = client.get("/compare/", {"hw": ["M9 Max", "TG 24"], "format": "json"}).json()
    assert (
        doc["page"]["canonical"]
        == "http://testserver/compare/hardware/testmac-m9-max-vs-testgpu-24gb/"
    )


def test_it_shows_the_form_and_popular_pairs_before_a_question(client, tools: Path) -> None:
    r = client.get("/compare/")
    assert r.status_code == 200
    doc = client.get("/compare/?format=json").json()
    assert doc["hardware"] is None
    for p in doc["popular"]:
        assert client.get(p["url"]).status_code == 200
    # One device so far (the other just removed): the form with it, no error.
    r = client.get("/compare/?hw=testgpu-24gb")
    assert r.status_code == 200 and b'value="testgpu-24gb"' in r.content


@pytest.mark.parametrize(
    "hw, message",
    [
        (["TG 24", "testgpu-24gb"], "Pick at least two different devices."),
        (["testgpu-24gb"] * 7, "At most 6 devices."),
        (["TG 24", "M9 Mix"], "unknown hardware 'M9 Mix'"),
        (["TG 24", "65x TG 24"], "65x TG 24: device count 65 is out of range (1–64)"),
        (["TG 24", "9x TG 24"], "9x TG 24: at most 8 of one device"),
        (
            ["TG 24", "M9 Max 12GB"],
            "M9 Max 12GB: TestMac M9 Max is sold with 36, 48, 64, 128 GB, not 12 GB",
        ),
    ],
)
def test_it_explains_what_to_fix(client, tools: Path, hw: list[str], message: str) -> None:
    r = client.get("/compare/", {"hw": hw})
    assert r.status_code == 400
    assert message in unescape(r.content.decode())
    doc = client.get("/compare/", {"hw": hw, "format": "json"}).json()
    assert doc["ok"] is False and message in doc["errors"]["hw"]


def test_a_suggestion_fixes_the_query(client, tools: Path) -> None:
    doc = client.get("/compare/", {"hw": ["TG 24", "M9 Mix"], "format": "json"}).json()
    (s,) = doc["suggestions"]
    assert s["input"] == "M9 Mix"
    assert s["suggestions"][0]["name"] == "TestMac M9 Max"
    assert client.get(s["suggestions"][0]["url"]).status_code == 200


def test_it_says_when_no_model_runs_everywhere(client, catalog_dir: Path, db) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.hardware(catalog_dir, "tinygpu-4gb", name="TinyGPU 4GB", memory_gib=4.0, aliases=[])
    factory.sync()
    # Little system RAM (the 32 GiB assumed otherwise runs the 8B from RAM on the 4 GB card).
    q = {"hw": ["tinygpu-4gb", "testgpu-24gb"], "ram_gb": "1"}
    doc = client.get("/compare/", {**q, "format": "json"}).json()
    assert doc["reference_model"] is None
    assert doc["verdict"][0] == "For TestLlama 8B at Q4_K_M only TestGPU 24GB fits."
    html = client.get("/compare/", q).content.decode()
    assert "No model here runs on every device" in html


@pytest.mark.parametrize("typed", ["lots", "-3", "1e999"])
def test_a_wrong_ram_size_stays_in_its_box_beside_the_error(
    client, tools: Path, typed: str
) -> None:
    r = client.get("/compare/", {"hw": ["testgpu-24gb", "testmac-m9-max"], "ram_gb": typed})
    assert r.status_code == 400
    html = unescape(r.content.decode())
    assert f'value="{typed}"' in html
    assert 'id="err-ram"' in html


def test_it_states_the_quantization_and_context_its_answers_used(client, tools: Path) -> None:
    """The line above the table and the chart's title say what the engine's answers say
    they used, not the runtime's defaults typed again."""
    doc = client.get(PAIR, {"format": "json"}).json()
    cells = [c for row in doc["models"] for c in row["results"] if c["verdict"] is not None]
    assert cells
    quants, contexts = {c["quant"] for c in cells}, {c["context"] for c in cells}
    assert doc["quant"] == (quants.pop() if len(quants) == 1 else None)
    assert doc["context"] == (contexts.pop() if len(contexts) == 1 else None)
