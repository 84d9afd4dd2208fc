"""Will it run, custom build: effective memory, a runtime, and the models grouped."""

from __future__ import annotations

import dataclasses
from html import unescape
from pathlib import Path

import pytest
from django.core.cache import cache

from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check

from . import factory
from .factory import tools_catalog

pytestmark = pytest.mark.django_db
URL = "/will-it-run/custom/"
TWO = {"gpu": ["testgpu-24gb", "TG 24"], "ram_gb": "64", "use": "coding"}


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def _groups(doc: dict) -> dict[str, list[str]]:
    return {g: [m["id"] for m in rows] for g, rows in doc["result"]["groups"].items()}


def test_it_asks_for_the_build(client, tools: Path) -> None:
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    for name in ("gpu", "cpu", "ram_gb", "os", "runtime", "use", "context"):
        assert f'name="{name}"' in html, name
    assert client.get(URL + "?format=json").json()["result"] is None


def test_it_explains_two_cards_and_groups_the_models(client, tools: Path) -> None:
    doc = client.get(URL, {**TWO, "format": "json"}).json()
    r = doc["result"]
    assert r["build"]["summary"] == "2× TestGPU 24GB with 64 GiB RAM"
    assert (
        doc["share_url"]
        == "/will-it-run/custom/?gpu=testgpu-24gb&gpu=testgpu-24gb&ram_gb=64&use=coding"
    )
    # No OS given: llama.cpp, whose layer split works anywhere.
    assert r["recommended_runtime"]["id"] == "llama.cpp" and r["runtime"]["id"] == "llama.cpp"
    assert r["runtime"]["quant"] == "Q4_K_M" and r["runtime"]["context"] == 32768
    memory = r["memory"]
    assert memory["memory_bytes"] == 48 * 2**30
    assert memory["for_model_bytes"] == sum(
        d["budget_bytes"] - d["overhead_bytes"] - d["compute_bytes"] for d in memory["devices"]
    )
    assert memory["for_model_bytes"] < memory["memory_bytes"]
    assert memory["explanation"][0].startswith(
        "2 cards with 48 GiB between them are not one 48 GiB pool"
    )
    # At Q4_K_M the 70B only runs with trade-offs on the pair; at the best quantization the
    # engine says fits comfortably it is comfortable, and its quality loss is weighed.
    assert _groups(doc) == {
        "comfortable": ["testllama-70b", "testllama-8b"],
        "borderline": [],
        "not_practical": [],
    }
    catalog = load_catalog(tools)
    query = CheckQuery(
        model="testllama-70b",
        hardware=("2x testgpu-24gb",),
        quant="Q4_K_M",
        context=32768,
        ram_gb=64,
    )
    at_q4 = check(query, catalog).to_dict()
    assert at_q4["verdict"] == "tradeoffs" and at_q4["best_quant"] not in (None, "Q4_K_M")
    seventy = r["groups"]["comfortable"][0]
    assert seventy["quant"] == at_q4["best_quant"] and seventy["lower_quant"] is True
    lower = check(dataclasses.replace(query, quant=seventy["quant"]), catalog).to_dict()
    assert seventy["verdict"] == lower["verdict"] == "comfortable"
    assert seventy["decode_tok_s"] == lower["speed"]["decode_tok_s"]
    assert f"quant={seventy['quant']}" in seventy["check_url"]
    assert seventy["quality_basis"] and seventy["quant"] in seventy["quality_basis"]
    assert client.get(seventy["check_url"]).status_code == 200
    html = unescape(client.get(URL, TWO).content.decode())
    assert "are not one 48 GiB pool" in html
    assert "Start with" in html and "Fit comfortably" in html
    assert f"at {seventy['quant']}" in html


def test_identical_cards_on_linux_for_coding_get_vllm(client, tools: Path) -> None:
    doc = client.get(URL, {**TWO, "os": "linux", "format": "json"}).json()
    r = doc["result"]
    assert r["recommended_runtime"]["id"] == "vllm"
    assert r["runtime"]["quant"] == "AWQ-4BIT"
    assert any("tensor parallelism" in line for line in r["memory"]["explanation"])
    # Asking for a runtime keeps it, and still names the recommendation.
    asked = client.get(URL, {**TWO, "os": "linux", "runtime": "ollama", "format": "json"}).json()
    assert asked["result"]["runtime"]["id"] == "ollama"
    assert asked["result"]["recommended_runtime"]["id"] == "vllm"


def test_a_mac_uses_its_working_set_and_mlx(client, tools: Path) -> None:
    doc = client.get(URL, {"gpu": "M9 Max 128GB", "format": "json"}).json()
    r = doc["result"]
    assert r["build"]["hardware"] == ["testmac-m9-max 128GB"]
    assert r["recommended_runtime"]["id"] == "mlx" and r["runtime"]["quant"] == "MLX-4BIT"
    (device,) = r["memory"]["devices"]
    assert device["memory_bytes"] == 128 * 2**30
    assert device["budget_bytes"] == 96 * 2**30  # 3/4 of 128 GiB
    assert any("up to 36 GiB, 3/4 above" in line for line in r["memory"]["explanation"])
    # Both fit with headroom; the 70B at 4 bits streams ~40 GB per token from 546 GB/s, about
    # 12 tokens/s under MLX (an M3 Max, 400 GB/s, measured 9.35: mlx-examples issue #1029).
    assert _groups(doc)["comfortable"] == ["testllama-70b", "testllama-8b"]
    slow = {m["id"]: m for m in r["groups"]["comfortable"]}["testllama-70b"]
    assert 10 <= slow["decode_tok_s"] <= 15


def test_a_cpu_only_build(client, tools: Path) -> None:
    doc = client.get(URL, {"cpu": "TC 16", "format": "json"}).json()
    r = doc["result"]
    assert r["build"]["hardware"] == ["testcpu-16c"]
    assert r["recommended_runtime"]["id"] == "llama.cpp"
    assert any("CPU-only build" in line for line in r["memory"]["explanation"])
    assert doc["share_url"] == "/will-it-run/custom/?cpu=testcpu-16c"


def test_slow_or_short_models_are_not_comfortable(client, tools: Path) -> None:
    # 1,000,000 tokens of context: past what either model was trained for.
    doc = client.get(URL, {"gpu": "testmac-m9-max", "context": "1000000", "format": "json"}).json()
    assert doc["result"]["groups"]["comfortable"] == []
    reasons = [m["reason"] for g in doc["result"]["groups"].values() for m in g]
    assert all(reasons)


def test_it_caches_the_whole_answer(client, tools: Path, monkeypatch) -> None:
    import runlocal_web.tools.views_build as views

    cache.clear()
    calls = []
    real = views.fit_models

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "fit_models", counted)
    first = client.get(URL, {**TWO, "format": "json"}).json()
    again = client.get(URL, {**TWO, "format": "json"}).json()
    assert len(calls) == 1
    assert first["result"] == again["result"]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"use": "chat"}, "gpu", "Name at least one GPU or Mac, or a CPU"),
        ({"gpu": "TG 25"}, "gpu", "unknown hardware 'TG 25'"),
        ({"gpu": "TC 16"}, "gpu", "TestCPU 16-core is a CPU: put it in the CPU box."),
        ({"gpu": "TG 24", "cpu": "TG 24"}, "cpu", "TestGPU 24GB is not a CPU"),
        ({"gpu": "TG 24", "cpu": "TC 17"}, "cpu", "unknown hardware 'TC 17'"),
        ({"gpu": ["M9 Max", "TG 24"]}, "gpu", "A Mac or another unified-memory machine runs alone"),
        ({"gpu": "M9 Max", "os": "windows"}, "os", "Apple silicon runs macOS here."),
        ({"gpu": "TG 24", "os": "macos"}, "os", "macOS runs on Apple silicon only"),
        ({"gpu": "TG 24", "os": "windows", "runtime": "vllm"}, "runtime", "vLLM runs on Linux"),
        ({"gpu": ["5x TG 24", "4x TG 24"]}, "gpu", "At most 8 GPUs in one build."),
        (
            {"gpu": "TG 24", "use": "poetry"},
            "use",
            "'poetry' is not one of chat, coding, reasoning",
        ),
        ({"gpu": "TG 24", "context": "100"}, "context", "100 is out of range (256–1048576)"),
        ({"gpu": "TG 24", "ram_gb": "nan"}, "ram_gb", "nan is out of range (above 0, up to 65536)"),
        ({"gpu": "TG 24", "runtime": "mlx"}, "__all__", "MLX runs only on Apple silicon"),
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


def test_a_suggestion_fixes_the_build(client, tools: Path) -> None:
    doc = client.get(URL, {"gpu": ["TG 25"], "ram_gb": "32", "format": "json"}).json()
    (s,) = doc["suggestions"]
    url = s["suggestions"][0]["url"]
    assert "ram_gb=32" in url
    assert client.get(url).status_code == 200


def test_the_results_are_compact_rows_with_folded_details(client, tools: Path) -> None:
    """One line per model: its reasons and quality basis fold under the row, and the models
    that are not practical fold into one closed group."""
    html = client.get("/will-it-run/custom/", {"gpu": "testgpu-24gb"}).content.decode()
    assert '<details class="row-detail"><summary>' in html
    assert '<details class="group-fold" id="g-not_practical">' in html
    assert '<span class="why">' not in html.split('id="h-models"')[1]


def test_a_row_names_its_quantization_only_where_it_differs_from_the_builds(
    client, tools: Path
) -> None:
    """With llama.cpp the build checks at its default, Q4_K_M: a row at Q4_K_M does not
    repeat it ("Runs comfortably at Q4_K_M" on every row); a row checked lower says so."""
    doc = client.get(URL, {"gpu": "testgpu-24gb", "ram_gb": "64", "format": "json"}).json()
    assert doc["result"]["runtime"]["quant"] == "Q4_K_M"
    rows = [m for group in doc["result"]["groups"].values() for m in group if m["verdict"]]
    assert rows
    for m in rows:
        assert m["lower_quant"] == (m["quant"] != "Q4_K_M"), m["id"]


@pytest.mark.parametrize(
    ("hardware", "runtime", "context", "ram_gb", "quant"),
    [
        (("rtx-4090",), "llama.cpp", 8192, 32.0, "Q4_K_M"),
        (("2x rtx-3090", "rtx 4060 ti/16"), "ollama", 32768, 64.5, None),
        ((), "mlx", 4096, None, ""),
    ],
)
def test_a_rows_check_link_is_path_with_querys(hardware, runtime, context, ram_gb, quant) -> None:
    # The build's rows share their link's query but the model and quantization (CheckLinks).
    from runlocal_web.lib.pages import path_with_query, url_for
    from runlocal_web.tools.views_build import CheckLinks

    links = CheckLinks(hardware, runtime, context, ram_gb)
    for model in ("qwen3-32b", "a b&c=d", ""):
        params = [("model", model), *[("hardware", h) for h in hardware]]
        params += [("runtime", runtime), ("quant", quant), ("context", context), ("ram_gb", ram_gb)]
        assert links(model, quant) == path_with_query(url_for("checker:will_it_run"), params)
