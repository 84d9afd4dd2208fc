from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check
from runlocal_web.catalogdb.sync import load_files

from . import factory

pytestmark = pytest.mark.django_db

URL = "/will-it-run/"


def get(client, **params):
    return client.get(URL, params)


def test_it_shows_an_empty_form(client, tiny: Path) -> None:
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="model"' in html and 'name="hardware"' in html
    assert '<option value="llama.cpp" selected>' in html
    assert 'method="get"' in html
    doc = client.get(URL + "?format=json").json()
    assert doc["result"] is None
    assert "vllm" in [r["id"] for r in doc["options"]["runtimes"]]


def test_it_answers_with_a_verdict_card_chart_speed_and_sources(client, tiny: Path) -> None:
    r = get(client, model="testllama-8b", hardware="testgpu-24gb")
    assert r.status_code == 200
    html = unescape(r.content.decode())
    assert "<h1>Will TestLlama 8B run on TestGPU 24GB?</h1>" in html
    assert 'class="verdict glance verdict-good"' in html
    assert "Runs comfortably" in html
    # At a glance, before the form: speeds with their range, a bar per device, one change.
    glance = html.split('<form class="check-form"')[0]
    assert 'class="glance-speeds"' in glance and "<meter" in glance
    assert "One change:" in glance and "(better quality)" in glance
    # Every layer on the GPU; llama.cpp keeps the token embeddings in system RAM, and the
    # answer says so rather than "entirely on the accelerator" beside "plus … of system RAM".
    assert "It fits with headroom: every layer on the accelerator, the token embeddings" in html
    assert "entirely on the accelerator" not in html
    assert "for the token embeddings, a lookup table that llama.cpp keeps there" in html
    assert '<svg class="memchart"' in html and "KV cache" in html and "memory budget" in html
    assert "tokens/s" in html and "likely" in html
    assert "Estimated" in html
    assert "llama-server -m" in html
    assert "ollama run testllama:8b" in html
    assert "https://example.org/specs/testllama-8b" in html
    assert "https://example.org/specs/testgpu-24gb" in html
    assert "33 of 33 layers on the accelerator" in html
    assert 'href="/will-it-run/?model=testllama-8b&hardware=testgpu-24gb"' in html


def test_its_json_twin_is_the_engines_answer(client, tiny: Path) -> None:
    doc = get(client, model="TL 8B", hardware="tg 24", context="16384", format="json").json()
    expected = check(
        CheckQuery(model="testllama-8b", hardware=("testgpu-24gb",), context=16384),
        load_catalog(tiny),
    ).to_dict()
    assert doc["result"] == expected
    assert doc["verdict_label"] == "Runs comfortably"
    assert (
        doc["share_url"] == "/will-it-run/?model=testllama-8b&hardware=testgpu-24gb&context=16384"
    )
    assert doc["page"]["canonical"] == "http://testserver" + doc["share_url"]
    assert [s["what"] for s in doc["sources"]] == ["TestLlama 8B", "TestGPU 24GB"]


def test_it_says_when_it_will_not_run(client, tiny: Path) -> None:
    query = {"model": "testllama-70b", "hardware": "testgpu-24gb", "ram_gb": "8"}
    doc = get(client, **query, format="json").json()
    assert doc["result"]["verdict"] == "wont-run"
    assert doc["result"]["speed"]["decode_tok_s"] is None
    assert doc["result"]["commands"] == {}  # no command line beside "will not run"
    html = get(client, **query).content.decode()
    assert "Will not run" in html
    assert "No speed estimate: it does not fit." in html
    assert "over by" in html  # the chart marks the overflow


def test_without_a_ram_size_it_assumes_the_stated_default(client, tiny: Path) -> None:
    """Beside a GPU, 32 GiB of system RAM unless told: said in the answer, with the field
    to change it, and never a CLI flag on the web."""
    doc = get(client, model="testllama-70b", hardware="testgpu-24gb", format="json").json()
    assert doc["result"]["assumed"]["ram_gib"] == 32.0
    same = get(
        client, model="testllama-70b", hardware="testgpu-24gb", ram_gb="32", format="json"
    ).json()
    assert doc["result"]["verdict"] == same["result"]["verdict"]
    assert doc["result"]["memory"] == same["result"]["memory"]
    html = unescape(get(client, model="testllama-70b", hardware="testgpu-24gb").content.decode())
    assert "assuming 32 GiB of system RAM" in html and 'href="#id_ram_gb">change it' in html
    assert 'id="id_ram_gb"' in html and "--ram-gb" not in html


def test_it_plans_an_offload_to_system_ram(client, tiny: Path) -> None:
    doc = get(
        client, model="testllama-70b", hardware="testgpu-24gb", ram_gb="128", format="json"
    ).json()
    r = doc["result"]
    assert r["verdict"] == "tradeoffs"
    assert r["offload"]["gpu_layers"] < r["offload"]["total_layers"]
    html = unescape(
        get(client, model="testllama-70b", hardware="testgpu-24gb", ram_gb="128").content.decode()
    )
    assert "System RAM" in html
    assert "ram_gb=128" in doc["share_url"]


def test_it_takes_several_gpus(client, tiny: Path) -> None:
    doc = get(client, model="testllama-70b", hardware="2x TG 24", format="json").json()
    assert len(doc["result"]["devices"]) == 2
    assert doc["query"]["hardware"] == ["2x testgpu-24gb"]
    doc2 = client.get(
        URL + "?model=testllama-70b&hardware=testgpu-24gb&hardware=testgpu-24gb&format=json"
    ).json()
    assert len(doc2["result"]["devices"]) == 2
    html = get(client, model="testllama-70b", hardware="2x TG 24").content.decode()
    assert "GPU 2: TestGPU 24GB" in html
    assert "×2" in html


def test_it_takes_a_memory_option(client, tiny: Path) -> None:
    doc = get(client, model="testllama-70b", hardware="M9 Max 128GB", format="json").json()
    assert doc["result"]["hardware"][0]["memory_bytes"] == 128 * 2**30


def test_it_uses_a_measured_benchmark_when_one_matches(client, catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.benchmark(
        catalog_dir,
        "bench-testgpu",
        hardware="testgpu-24gb",
        sources=["https://example.org/bench/testgpu"],
        results=[
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "runtime": "llama.cpp",
                "backend": "cuda",
                "n_devices": 1,
                "metric": "tg_tok_s",
                "prompt_tokens": 0,
                "gen_tokens": 128,
                "context_tokens": 4032,
                "value": 140.5,
            },
        ],
    )
    factory.sync()
    doc = get(client, model="testllama-8b", hardware="testgpu-24gb", format="json").json()
    assert doc["result"]["evidence"] == "measured"
    assert doc["result"]["speed"]["decode_tok_s"] == 140.5
    assert "https://example.org/bench/testgpu" in [u for s in doc["sources"] for u in s["sources"]]
    html = get(client, model="testllama-8b", hardware="testgpu-24gb").content.decode()
    assert "Measured" in html


def test_it_offers_the_best_quant_and_largest_context(client, tiny: Path) -> None:
    doc = get(client, model="testllama-8b", hardware="testgpu-24gb", format="json").json()
    best = doc["result"]["best_quant"]
    assert best and best != "Q4_K_M"
    urls = [a["url"] for a in doc["alternatives"]]
    assert f"/will-it-run/?model=testllama-8b&hardware=testgpu-24gb&quant={best}" in urls
    for url in urls:
        assert client.get(url).status_code == 200


def test_it_suggests_names_for_an_unknown_model(client, tiny: Path) -> None:
    r = get(client, model="testlamda 8b", hardware="testgpu-24gb", context="4096")
    assert r.status_code == 400
    html = unescape(r.content.decode())
    assert "unknown model 'testlamda 8b'" in html
    assert "Did you mean" in html
    assert 'href="/will-it-run/?model=TestLlama+8B&hardware=testgpu-24gb&context=4096"' in html
    doc = get(client, model="testlamda 8b", hardware="testgpu-24gb", format="json").json()
    assert doc["ok"] is False and doc["status"] == 400
    assert "model" in doc["errors"]
    assert doc["suggestions"]["model"][0]["name"] == "TestLlama 8B"
    assert doc["result"] is None


def test_it_suggests_names_for_unknown_hardware(client, tiny: Path) -> None:
    doc = get(client, model="testllama-8b", hardware="2x testgpu 99", format="json").json()
    assert doc["status"] == 400
    assert "unknown hardware '2x testgpu 99'" in doc["errors"]["hardware"]
    (first,) = doc["suggestions"]["hardware"]
    assert first["input"] == "2x testgpu 99"
    assert (
        first["suggestions"][0]["url"]
        == "/will-it-run/?model=testllama-8b&hardware=2x+TestGPU+24GB"
    )


def test_the_form_reads_32k_as_a_context(client, tiny: Path) -> None:
    doc = get(client, model="testllama-8b", hardware="testgpu-24gb", context="32k", format="json")
    assert doc.json()["result"]["context"] == 32768


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"context": "-5"}, "context", "-5 is out of range (1–10,000,000)"),
        (
            {"context": "lots"},
            "context",
            "'lots' is not a number of tokens (write 8192, 32k or 128k)",
        ),
        ({"context": "99999999999"}, "context", "99999999999 is out of range (1–10,000,000)"),
        ({"quant": "Q9_X"}, "quant", "unknown quantization"),
        ({"runtime": "tensorrt"}, "runtime", "unknown runtime 'tensorrt'; known: llama.cpp"),
        ({"ram_gb": "nan"}, "ram_gb", "nan is out of range (above 0, up to 65536)"),
        ({"batch": "0"}, "batch", "0 is out of range (1–4096)"),
        ({"hardware": ""}, "hardware", "Name at least one"),
        ({"model": ""}, "model", "Name a model"),
        ({"hardware": "100x testgpu-24gb"}, "hardware", "device count 100 is out of range"),
    ],
)
def test_it_shows_form_errors_inline(client, tiny: Path, params, field, message) -> None:
    query = {"model": "testllama-8b", "hardware": "testgpu-24gb", **params}
    r = get(client, **query)
    assert r.status_code == 400
    assert message in unescape(r.content.decode())
    doc = get(client, **query, format="json").json()
    assert any(message in e for e in doc["errors"][field])


def test_an_unknown_quant_names_the_closest_few_on_the_page(client, tiny: Path) -> None:
    from runlocal.weights import unknown_quant_message

    query = {"model": "testllama-8b", "hardware": "testgpu-24gb", "quant": "Q4_K_X"}
    r = get(client, **query)
    assert r.status_code == 400
    page = unescape(r.content.decode())
    assert unknown_quant_message("Q4_K_X") in page and "IQ1_S" not in page
    doc = get(client, **query, format="json").json()
    assert doc["errors"]["quant"] == [unknown_quant_message("Q4_K_X")]


def test_it_reports_what_the_engine_rejects(client, tiny: Path) -> None:
    doc = get(
        client, model="testllama-8b", hardware="testgpu-24gb", runtime="mlx", format="json"
    ).json()
    assert doc["status"] == 400
    assert doc["errors"]["__all__"] == ["MLX runs only on Apple silicon"]
    html = get(
        client, model="testllama-8b", hardware="testgpu-24gb", runtime="mlx"
    ).content.decode()
    assert "MLX runs only on Apple silicon" in html


def test_it_never_reads_files_named_by_a_visitor(client, tiny: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"model_type": "llama"}')
    for name in (str(config), str(tmp_path), "../../etc/passwd", "model.gguf", "./x"):
        r = get(client, model=name, hardware="testgpu-24gb", format="json")
        assert r.status_code == 400
        assert "unknown model" in r.json()["errors"]["model"][0]


def test_it_refuses_a_catalog_id_that_looks_like_a_path(client, catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.model(catalog_dir, "odd.json", name="Odd Json", aliases=[])
    factory.sync()
    doc = get(client, model="Odd Json", hardware="testgpu-24gb", format="json").json()
    assert doc["status"] == 400
    assert "cannot be checked on the website" in doc["errors"]["__all__"][0]


def test_it_matches_the_toml_catalog_after_a_round_trip(client, tiny: Path) -> None:
    # The catalog rebuilt from the database sizes models exactly like the files do.
    files = load_files(tiny)
    for model in ("testllama-8b", "testllama-70b"):
        for hw in ("testgpu-24gb", "testmac-m9-max"):
            doc = get(client, model=model, hardware=hw, format="json").json()
            expected = check(CheckQuery(model=model, hardware=(hw,)), files).to_dict()
            assert doc["result"] == expected, (model, hw)


def test_its_suggestions_fix_every_unknown_name_at_once(client, tiny: Path) -> None:
    doc = get(client, model="testlamda 8b", hardware="testgpu 99", format="json").json()
    url = doc["suggestions"]["model"][0]["url"]
    assert url == "/will-it-run/?model=TestLlama+8B&hardware=TestGPU+24GB"
    assert client.get(url).status_code == 200
    (hw,) = doc["suggestions"]["hardware"]
    assert hw["suggestions"][0]["url"] == url


# --- hardware the catalog lacks, and the formula-only option --------------------------------


def test_it_shows_the_custom_hardware_inputs(client, tiny: Path) -> None:
    html = client.get(URL).content.decode()
    for name in ("vram_gb", "bandwidth_gb_s", "tflops", "ram_gb", "no_measured"):
        assert f'name="{name}"' in html, name
    assert "Hardware not in the catalog" in html
    assert '<details class="more-options" id="custom-hardware">' in html  # closed when unused
    html = get(client, model="testllama-8b", vram_gb="16", bandwidth_gb_s="448").content.decode()
    assert '<details class="more-options" id="custom-hardware" open>' in html
    assert 'value="16"' in html and 'value="448"' in html


def test_it_checks_a_device_given_by_its_numbers(client, tiny: Path) -> None:
    doc = get(
        client, model="TL 8B", vram_gb="16", bandwidth_gb_s="448", tflops="50", format="json"
    ).json()
    expected = check(
        CheckQuery(model="testllama-8b", vram_gb=16.0, bandwidth_gb_s=448.0, tflops=50.0),
        load_catalog(tiny),
    ).to_dict()
    assert doc["result"] == expected
    (device,) = doc["result"]["hardware"]
    assert device["source"] == "explicit" and device["memory_bytes"] == 16 * 2**30
    # The numbers are in the share link, so the answer can be passed on.
    url = "/will-it-run/?model=testllama-8b&vram_gb=16&bandwidth_gb_s=448&tflops=50"
    assert doc["share_url"] == url
    html = unescape(client.get(url).content.decode())
    assert "<h1>Will TestLlama 8B run on a custom GPU (16 GiB, 448 GB/s)?</h1>" in html
    assert "tokens/s" in html


def test_it_adds_a_custom_device_to_named_ones(client, tiny: Path) -> None:
    doc = get(
        client,
        model="testllama-70b",
        hardware="testgpu-24gb",
        vram_gb="24",
        bandwidth_gb_s="936",
        format="json",
    ).json()
    assert doc["status"] == 200
    assert [h["source"] for h in doc["result"]["hardware"]][1] == "explicit"
    assert len(doc["result"]["devices"]) == 2
    assert doc["share_url"] == (
        "/will-it-run/?model=testllama-70b&hardware=testgpu-24gb&vram_gb=24&bandwidth_gb_s=936"
    )


def test_it_can_ignore_measured_benchmarks(client, catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.benchmark(
        catalog_dir,
        "bench-testgpu",
        hardware="testgpu-24gb",
        sources=["https://example.org/bench/testgpu"],
        results=[
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "runtime": "llama.cpp",
                "backend": "cuda",
                "n_devices": 1,
                "metric": "tg_tok_s",
                "prompt_tokens": 0,
                "gen_tokens": 128,
                "context_tokens": 4032,
                "value": 140.5,
            },
        ],
    )
    factory.sync()
    base = {"model": "testllama-8b", "hardware": "testgpu-24gb"}
    assert get(client, **base, format="json").json()["result"]["evidence"] == "measured"
    doc = get(client, **base, no_measured="on", format="json").json()
    assert doc["result"]["evidence"] == "estimated"
    assert doc["result"]["speed"]["decode_tok_s"] != 140.5
    assert (
        doc["share_url"] == "/will-it-run/?model=testllama-8b&hardware=testgpu-24gb&no_measured=on"
    )
    html = get(client, **base, no_measured="on").content.decode()
    assert 'name="no_measured" id="id_no_measured" checked' in html
    assert "formula only, published benchmarks ignored" in html
    # "0", "false" and "off" in a hand-written URL mean the box is not ticked.
    for off in ("0", "false", "off", ""):
        doc = get(client, **base, no_measured=off, format="json").json()
        assert doc["result"]["evidence"] == "measured", off
        assert "no_measured" not in doc["share_url"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"vram_gb": "16"}, "bandwidth_gb_s", "Give the bandwidth too"),
        ({"bandwidth_gb_s": "448"}, "vram_gb", "Give the memory too"),
        ({"tflops": "80"}, "tflops", "give its memory and bandwidth"),
        ({"vram_gb": "0", "bandwidth_gb_s": "448"}, "vram_gb", "0 is out of range (0.001–4096)"),
        ({"vram_gb": "-4", "bandwidth_gb_s": "448"}, "vram_gb", "-4 is out of range (0.001–4096)"),
        (
            {"vram_gb": "5000", "bandwidth_gb_s": "448"},
            "vram_gb",
            "5000 is out of range (0.001–4096)",
        ),
        ({"vram_gb": "16", "bandwidth_gb_s": "nan"}, "bandwidth_gb_s", "nan is out of range"),
        ({"vram_gb": "16", "bandwidth_gb_s": "inf"}, "bandwidth_gb_s", "inf is out of range"),
        ({"vram_gb": "lots", "bandwidth_gb_s": "448"}, "vram_gb", "'lots' is not a number"),
        (
            {"vram_gb": "16", "bandwidth_gb_s": "99999"},
            "bandwidth_gb_s",
            "99999 is out of range (0.001–50000)",
        ),
        (
            {"vram_gb": "16", "bandwidth_gb_s": "448", "tflops": "-1"},
            "tflops",
            "-1 is out of range (0.001–100000)",
        ),
        ({}, "hardware", "or give the memory and bandwidth of your own"),
    ],
)
def test_it_shows_custom_hardware_errors_inline(client, tiny: Path, params, field, message) -> None:
    query = {"model": "testllama-8b", **params}
    r = get(client, **query)
    assert r.status_code == 400
    html = unescape(r.content.decode())
    assert f'<ul class="errorlist" id="id_{field}_error"><li>' in html or field == "hardware"
    assert message in html
    doc = get(client, **query, format="json").json()
    assert any(message in e for e in doc["errors"][field]), doc["errors"]
    # One mistake, one message: the hardware field does not also complain.
    if field != "hardware":
        assert "hardware" not in doc["errors"]


def test_it_shows_the_quantizations_loss_and_the_models_quality(client, catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.quant(catalog_dir)
    factory.sync()
    r = get(client, model="testllama-8b", hardware="testgpu-24gb", quant="Q4_K_M")
    html = unescape(r.content.decode())
    quality = html[html.index('<p class="verdict-quality">') :]
    quality = quality[: quality.index("</p>")]
    assert "Q4_K_M costs a small loss" in quality
    assert '<a href="/quants/q4-k-m/">Q4_K_M: KLD 0.0313, PPL +2.8%, top-1 92%' in quality
    # The tiny catalog's models publish no scores: each task is an estimate from size.
    for task in ("chat", "coding", "reasoning"):
        assert f"{task} " in quality
    assert quality.count("<em>estimated</em>") == 3
    assert "Quality, chat" in html  # the full basis under "How this was worked out"
    doc = get(client, model="testllama-8b", hardware="testgpu-24gb", format="json").json()
    assert doc["quality"]["url"] == "/quants/q4-k-m/"
    assert doc["quality"]["loss"] == doc["result"]["quality"]["quant_loss"]
    assert [t["task"] for t in doc["quality"]["tasks"]] == ["chat", "coding", "reasoning"]
    assert all(t["estimated"] for t in doc["quality"]["tasks"])


def test_the_quality_line_has_no_link_without_a_quant_table(client, tiny: Path) -> None:
    html = unescape(get(client, model="testllama-8b", hardware="testgpu-24gb").content.decode())
    line = html[html.index('<p class="verdict-quality">') :]
    line = line[: line.index("</p>")]
    assert "Q4_K_M costs" in line and "<a " not in line.split("<br>")[0]


def test_the_form_shows_names_after_an_answer_and_the_link_keeps_ids(client, tiny: Path) -> None:
    html = unescape(
        get(client, model="testllama-70b", hardware=["2x testgpu-24gb"]).content.decode()
    )
    assert 'id="id_model"' in html and 'value="TestLlama 70B"' in html
    assert 'id="id_hardware_0"' in html and 'value="2x TestGPU 24GB"' in html
    assert 'value="testllama-70b"' not in html and 'value="2x testgpu-24gb"' not in html
    assert "/will-it-run/?model=testllama-70b&hardware=2x+testgpu-24gb" in html
    # The names resolve to the same answer when the form is sent again.
    again = get(client, model="TestLlama 70B", hardware=["2x TestGPU 24GB"], format="json").json()
    assert again["share_url"].startswith(
        "/will-it-run/?model=testllama-70b&hardware=2x+testgpu-24gb"
    )
    # Unknown names stay as typed, so they can be corrected.
    html = unescape(get(client, model="TestLlam", hardware="testgpu-24gb").content.decode())
    assert 'value="TestLlam"' in html


def test_the_gpu_memory_a_setting_allows_is_a_field(client, tiny: Path) -> None:
    """A Mac whose iogpu.wired_limit_mb was raised: the budget is what the field says, the
    answer is the engine's, and the share link keeps it."""
    query = {"model": "testllama-70b", "hardware": "M9 Max 64GB"}
    default = get(client, **query, format="json").json()["result"]
    raised = get(client, **query, gpu_memory_gb="56", format="json").json()
    engine = check(
        CheckQuery(model="testllama-70b", hardware=("M9 Max 64GB",), gpu_memory_gb=56.0),
        load_catalog(tiny),
    ).to_dict()
    assert raised["result"]["memory"]["budget_bytes"] == 56 * 2**30
    assert default["memory"]["budget_bytes"] < 56 * 2**30
    assert raised["result"]["memory"] == engine["memory"]
    assert raised["result"]["verdict"] == engine["verdict"]
    assert "gpu_memory_gb=56" in raised["share_url"]
    html = get(client, **query).content.decode()
    assert 'id="id_gpu_memory_gb"' in html and 'id="id_gpu_memory_utilization"' in html


def test_more_gpu_memory_than_the_machine_has_is_a_field_error(client, tiny: Path) -> None:
    r = get(client, model="testllama-8b", hardware="M9 Max 64GB", gpu_memory_gb="80")
    assert r.status_code == 400
    errors = get(
        client, model="testllama-8b", hardware="M9 Max 64GB", gpu_memory_gb="80", format="json"
    ).json()["errors"]
    assert "out of range" in errors["gpu_memory_gb"][0]
    assert "--gpu-memory-gb" not in errors["gpu_memory_gb"][0]
    assert "TestMac M9 Max" in errors["gpu_memory_gb"][0]


def test_vllm_memory_share_is_a_field_for_vllm_only(client, tiny: Path) -> None:
    query = {"model": "testllama-8b", "hardware": "testgpu-24gb", "runtime": "vllm"}
    full = get(client, **query, format="json").json()["result"]
    share = get(client, **query, gpu_memory_utilization="0.5", format="json").json()
    engine = check(
        CheckQuery(
            model="testllama-8b",
            hardware=("testgpu-24gb",),
            runtime="vllm",
            gpu_memory_utilization=0.5,
        ),
        load_catalog(tiny),
    ).to_dict()
    assert share["result"]["memory"] == engine["memory"]
    # vLLM fills its share of the GPU with KV cache: a smaller share, a smaller cache.
    assert share["result"]["memory"]["kv_cache_bytes"] < full["memory"]["kv_cache_bytes"]
    assert "gpu_memory_utilization=0.5" in share["share_url"]
    bad = get(client, model="testllama-8b", hardware="testgpu-24gb", gpu_memory_utilization="0.5")
    assert bad.status_code == 400
    assert "vLLM setting" in unescape(bad.content.decode())
