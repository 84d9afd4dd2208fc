"""The site audit (scripts/audit_pages.py) on a factory catalog: representative pages have
one h1, a canonical link, a description, breadcrumbs, a JSON twin, labelled fields and
described charts; content pages name their author, review date and sources. And the pages
the audit found short: Home's latest changes and guides, the hardware page's verdict,
strengths, limits, price disclosure and benchmarks, the model page's per-quant table and
commands, About's own text."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from html import unescape
from pathlib import Path
from types import ModuleType

import pytest

from . import factory
from .factory import BENCH_ID, page, reference_catalog

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_pages.py"


def _load_audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_pages", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("audit_pages", module)
    spec.loader.exec_module(module)
    return module


audit = _load_audit()


@pytest.fixture
def ref(catalog_dir: Path, db) -> Path:
    reference_catalog(catalog_dir)
    page(
        catalog_dir,
        "about",
        title="About runlocal",
        summary="An independent catalog and calculator for local AI.",
        body="## What runlocal is\n\nA calculator and a catalog.",
    )
    page(catalog_dir, "methodology", title="Methodology", body="## Memory\n\nWeights plus KV.")
    factory.sync()
    return catalog_dir


PAGES = [
    "/",
    "/models/",
    "/models/?q=llama",
    "/models/testllama-8b/",
    "/models/testllama-70b/",
    "/hardware/",
    "/hardware/testgpu-24gb/",
    "/hardware/testmac-m9-max/",
    "/will-it-run/",
    "/will-it-run/?model=testllama-8b&hardware=testgpu-24gb",
    "/will-it-run/custom/",
    "/compare/",
    "/compare/?hw=testgpu-24gb&hw=testmac-m9-max",
    "/compare/hardware/testgpu-24gb-vs-testmac-m9-max/",
    "/cost/",
    "/cost/?model=testllama-8b&hardware=testgpu-24gb",
    "/choose-my-gpu/",
    "/choose-my-gpu/?budget_usd=5000&model=testllama-8b",
    "/run-check/",
    "/tools/",
    "/tools/llama-cpp/",
    "/compatibility/",
    "/benchmarks/",
    f"/benchmarks/{BENCH_ID}/",
    "/glossary/",
    "/glossary/category/memory/",
    "/glossary/kv-cache/",
    "/errors/",
    "/errors/cuda-out-of-memory/",
    "/troubleshoot/",
    "/guides/",
    "/guides/best-gpu-for-local-ai/",
    "/learn/",
    "/learn/local-ai-basics/",
    "/learn/local-ai-basics/how-fast/",
    "/start/",
    "/prompting-kits/",
    "/prompting-kits/testllama-chat/",
    "/answers/",
    "/answers/can-testllama-8b-run-on-testgpu-24gb/",
    "/methodology/",
    "/trust/",
    "/author/",
    "/how-we-make-money/",
    "/editorial-policy/",
    "/privacy/",
    "/terms/",
    "/about/",
    "/contact/",
    "/search/?q=kv+cache",
    "/pulse/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_representative_page_passes_the_audit(client, ref: Path, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, url
    html = r.content.decode()
    facts, problems = audit.audit_html(html, url.split("?")[0])
    assert problems == [], f"{url}: {problems}"
    assert facts.headings.count(1) == 1
    # The JSON twin answers at the advertised address with the same page.
    assert facts.json_twin
    twin = client.get(unescape(facts.json_twin))
    assert twin.status_code == 200
    payload = json.loads(twin.content)
    assert payload["page"]["canonical"] == unescape(facts.canonical or "")
    assert payload["page"]["description"] == unescape(facts.description or "")


def test_the_audit_reports_what_a_page_lacks() -> None:
    html = (
        "<html><head><title>x</title></head><body><main>"
        "<h1>One</h1><h1>Two</h1><h4>Deep</h4>"
        '<input name="q"><label>Wrapped <input name="ok"></label>'
        '<input id="a" name="a"><label for="a">A</label><input type="hidden" name="h">'
        '<svg viewBox="0 0 1 1"><rect/></svg><svg role="img" aria-label="Chart"></svg>'
        '<svg><title>Has a title</title></svg><img src="x.png">'
        "</main></body></html>"
    )
    _facts, problems = audit.audit_html(html, "/models/x/")
    text = "\n".join(problems)
    assert "2 h1 elements" in text
    assert "heading skips a level" in text
    assert "no meta description" in text
    assert "no canonical link" in text
    assert "no JSON twin link" in text
    assert "no breadcrumbs" in text
    assert "name='q'" in text and "name='ok'" not in text and "name='a'" not in text
    assert "1 SVG(s) without" in text
    assert "1 img(s) without alt" in text
    assert "no last-reviewed date" in text and "no Sources section" in text


# --- Home -------------------------------------------------------------------------------


def test_home_has_the_quick_form_latest_changes_and_top_guides(client, ref: Path) -> None:
    html = client.get("/").content.decode()
    assert 'action="/will-it-run/"' in html
    assert "Top guides" in html and "/guides/best-gpu-for-local-ai/" in html
    assert "Latest changes" in html and 'href="/pulse/"' in html and "/pulse/feed.atom" in html
    # Markdown in a guide summary is not shown as asterisks.
    assert "**" not in html
    data = client.get("/?format=json").json()
    assert data["top_guides"][0]["url"] == "/guides/best-gpu-for-local-ai/"
    assert data["latest_changes"], "the first sync records changes"
    assert {"kind", "name", "action", "url", "at"} <= set(data["latest_changes"][0])


# --- Hardware -------------------------------------------------------------------------


def test_hardware_page_has_verdict_strengths_limits_and_price_disclosure(client, ref: Path) -> None:
    html = client.get("/hardware/testgpu-24gb/").content.decode()
    assert "Our verdict" in html
    assert "What it does well" in html and "Where it breaks" in html
    assert "TestLlama 70B" in html.split("Where it breaks", 1)[1]
    assert 'id="price-disclosure"' in html and 'href="/how-we-make-money/"' in html
    data = client.get("/hardware/testgpu-24gb/?format=json").json()
    a = data["assessment"]
    assert a["verdict"].startswith("Runs models up to TestLlama 8B comfortably")
    assert any("TestLlama 70B" in s for s in a["limits"])
    assert a["strengths"]
    assert "affiliate" in data["price_disclosure"]


def test_hardware_page_without_cuda_says_which_runtimes_cannot_use_it(client, ref: Path) -> None:
    data = client.get("/hardware/testmac-m9-max/?format=json").json()
    a = data["assessment"]
    assert any(s.startswith("No CUDA") for s in a["limits"])
    assert "vLLM" in [r["name"] for r in a["runtimes_unsupported"]]
    assert "llama.cpp" in [r["name"] for r in a["runtimes_supported"]]


def test_hardware_page_shows_each_model_at_each_quant_with_context(client, ref: Path) -> None:
    data = client.get("/hardware/testgpu-24gb/?format=json").json()
    assert data["quants"] == ["Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"]
    rows = {r["model"]["id"]: r for r in data["by_quant"]}
    small = {c["quant"]: c for c in rows["testllama-8b"]["cells"]}
    assert small["Q4_K_M"]["verdict"] == "comfortable"
    assert small["Q4_K_M"]["decode_tok_s"] > small["Q8_0"]["decode_tok_s"] > 0
    assert small["Q4_K_M"]["max_context"] >= small["F16"]["max_context"] or (
        small["F16"]["max_context"] is None
    )
    big = {c["quant"]: c for c in rows["testllama-70b"]["cells"]}
    assert big["F16"]["verdict"] == "wont-run" and big["F16"]["decode_tok_s"] is None
    html = client.get("/hardware/testgpu-24gb/").content.decode()
    assert "By model and quantization" in html and '<th scope="col">Q8_0</th>' in html


def test_hardware_page_lists_its_benchmarks_with_evidence_and_commands(client, ref: Path) -> None:
    data = client.get("/hardware/testgpu-24gb/?format=json").json()
    b = data["benchmarks"]
    assert b["count"] >= 1
    assert all(r["hardware"]["id"] == "testgpu-24gb" for r in b["rows"])
    assert b["all_url"] == "/benchmarks/?hardware=testgpu-24gb"
    html = client.get("/hardware/testgpu-24gb/").content.decode()
    section = html.split('id="h-bench"', 1)[1]
    assert "llama-bench" in section and "trust-" in section


# --- Models ---------------------------------------------------------------------------


def test_model_page_has_per_quant_table_commands_and_benchmarks(client, ref: Path) -> None:
    data = client.get("/models/testllama-8b/?format=json").json()
    rows = {r["hardware"]["id"]: r for r in data["by_quant"]}
    assert [c["quant"] for c in rows["testgpu-24gb"]["cells"]] == data["quants"]
    run = data["run"]
    assert run["quant"] == "Q4_K_M"
    commands = {c["runtime"]: c["command"] for c in run["commands"]}
    assert commands["llama.cpp"].startswith("llama-server ")
    assert commands["ollama"].startswith("ollama run testllama:8b")
    assert data["benchmarks"]["count"] >= 1
    html = client.get("/models/testllama-8b/").content.decode()
    assert "By quantization" in html and "Run it" in html and "Measured benchmarks" in html
    assert "llama-server -m" in html
    # Every speed in the hardware table carries its evidence label.
    table = html.split('id="h-runs"', 1)[1].split("</table>", 1)[0]
    assert table.count('class="badge') >= 1


def test_model_page_without_benchmarks_says_the_speeds_are_estimated(client, ref: Path) -> None:
    html = client.get("/models/testllama-70b/").content.decode()
    section = html.split('id="h-bench"', 1)[1]
    assert "estimated" in section or "llama-bench" in section


# --- Content pages: author, date, sources -------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/trust/", "/privacy/", "/learn/local-ai-basics/how-fast/", "/about/"]
)
def test_content_pages_link_their_author_and_cite_sources(client, ref: Path, url: str) -> None:
    html = client.get(url).content.decode()
    assert 'href="/author/" rel="author"' in html
    assert 'class="byline' in html and 'datetime="2026-01-15"' in html
    assert re.search(r"<h2[^>]*>Sources</h2>", html)
    assert "https://example.org/" in html


def test_about_shows_the_catalog_text_then_how_it_works(client, ref: Path) -> None:
    html = client.get("/about/").content.decode()
    assert "<h1>About runlocal</h1>" in html
    assert "An independent catalog and calculator" in html
    assert "How runlocal works" in html and "The three verdicts" in html
    data = client.get("/about/?format=json").json()
    assert data["content"]["title"] == "About runlocal"
    assert data["sections"]


# --- Markdown in summaries ----------------------------------------------------------------


def test_guide_list_shows_summaries_as_text_not_markdown(client, ref: Path) -> None:
    html = client.get("/guides/").content.decode()
    assert "**" not in html
    assert "Buy the TestGPU 24GB" in html


def test_descriptions_keep_quant_names_whole() -> None:
    from runlocal_web.reference.content import clip

    assert clip("Runs at **Q4_K_M** with `llama-server` and _some_ [links](/x/).") == (
        "Runs at Q4_K_M with llama-server and some links."
    )
    assert clip("Q4_K_M and Q5_K_S") == "Q4_K_M and Q5_K_S"


@pytest.mark.parametrize(
    "url",
    [
        "/models/testllama-8b/",
        "/hardware/testgpu-24gb/",
        "/glossary/kv-cache/",
        "/errors/cuda-out-of-memory/",
        "/tools/llama-cpp/",
        "/guides/best-gpu-for-local-ai/",
        "/answers/can-testllama-8b-run-on-testgpu-24gb/",
        f"/benchmarks/{BENCH_ID}/",
    ],
)
def test_content_pages_carry_a_byline_with_an_evidence_badge(client, ref: Path, url: str) -> None:
    html = client.get(url).content.decode()
    after_h1 = html.split("</h1>", 1)[1][:1500]
    assert 'class="byline muted"' in after_h1
    assert 'rel="author"' in after_h1 and "Last reviewed" in after_h1
    assert 'class="badge badge-evidence"' in after_h1


def test_links_to_editorial_pages_are_left_out_until_the_pages_exist(client, tiny: Path) -> None:
    html = client.get("/hardware/testgpu-24gb/").content.decode()
    assert 'id="price-disclosure"' in html
    assert 'href="/how-we-make-money/"' not in html.split("<footer", 1)[0]
    assert 'href="/author/"' not in html.split("<footer", 1)[0]


def test_model_page_lists_weights_and_files_for_each_quant(client, ref: Path) -> None:
    data = client.get("/models/testllama-8b/?format=json").json()
    sizes = {q["quant"]: q for q in data["quant_sizes"]}
    assert list(sizes) == data["quants"]
    assert 0 < sizes["Q4_K_M"]["weights_bytes"] < sizes["Q8_0"]["weights_bytes"]
    assert sizes["Q8_0"]["weights_bytes"] < sizes["F16"]["weights_bytes"]
    assert sizes["Q4_K_M"]["file_bytes"] == 4920000000  # the published file
    assert sizes["Q8_0"]["file_bytes"] is None
    html = client.get("/models/testllama-8b/").content.decode()
    assert "Files and sizes by quantization" in html


def test_lists_filter_by_size_memory_and_price(client, ref: Path) -> None:
    models = client.get("/models/?max_params_b=10&format=json").json()
    assert [m["id"] for m in models["models"]] == ["testllama-8b"]
    assert models["filters"] == {"max_params_b": "10.0"}
    big = client.get("/hardware/?min_memory_gib=32&format=json").json()
    assert [h["id"] for h in big["hardware"]] == ["testmac-m9-max"]
    cheap = client.get("/hardware/?max_price_usd=2000&format=json").json()
    assert [h["id"] for h in cheap["hardware"]] == ["testgpu-24gb"]
    assert client.get("/hardware/?min_memory_gib=lots").status_code == 400
    html = client.get("/hardware/?min_memory_gib=32").content.decode()
    _facts, problems = audit.audit_html(html, "/hardware/")
    assert problems == []
    assert 'label for="id_min_memory_gib"' in html


def test_hardware_page_links_every_model_on_it(client, ref: Path) -> None:
    gpu = client.get("/hardware/testgpu-24gb/?format=json").json()
    assert gpu["all_models_url"] == "/will-it-run/custom/?gpu=testgpu-24gb&ram_gb=32"
    mac = client.get("/hardware/testmac-m9-max/?format=json").json()
    assert mac["all_models_url"] == "/will-it-run/custom/?gpu=testmac-m9-max"
    assert client.get(gpu["all_models_url"]).status_code == 200
    assert client.get(mac["all_models_url"]).status_code == 200


def test_a_cpu_is_judged_by_speed_not_by_running_from_system_ram(client, ref: Path) -> None:
    # A CPU always "offloads" to system RAM; its verdict says how fast, not "tradeoffs".
    factory.hardware(
        ref,
        "testcpu-16c",
        name="TestCPU 16-core",
        aliases=["TC 16"],
        vendor="AMD",
        kind="cpu",
        segment="desktop-cpu",
        memory_gib=64.0,
        memory_type="DDR5-5600",
        bandwidth_gb_s=89.6,
        fp16_tensor_tflops=None,
        fp32_tflops=2.0,
        interface="Socket AM5",
        backends=["cpu"],
        cuda_compute_capability=None,
    )
    factory.sync()
    a = client.get("/hardware/testcpu-16c/?format=json").json()["assessment"]
    assert a["verdict"].startswith("CPU-only: the largest model in the table it runs")
    assert "TestLlama 8B" in a["verdict"] and "tradeoffs" not in a["verdict"]
    assert any("system RAM" in line for line in a["limits"])
    assert "llama.cpp" in [r["name"] for r in a["runtimes_supported"]]
    assert not any(line.startswith("No CUDA") for line in a["limits"])
