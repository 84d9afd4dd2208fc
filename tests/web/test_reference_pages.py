"""The reference pages: every page renders with its meta tags, has a JSON twin, and shows
what its catalog files say; unknown addresses are helpful 404s."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from runlocal.engine import CheckQuery, check
from runlocal_web.catalogdb.store import current_catalog

from . import factory
from .factory import BENCH_ID, COMMUNITY_BENCH_ID, page, reference_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def ref(catalog_dir: Path, db) -> Path:
    reference_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


PAGES = [
    "/tools/",
    "/tools/?os=linux&backend=cuda",
    "/tools/llama-cpp/",
    "/tools/open-webui/",
    "/compatibility/",
    "/benchmarks/",
    "/benchmarks/?model=testllama-8b&metric=tg_tok_s&sort=fastest",
    f"/benchmarks/{BENCH_ID}/",
    f"/benchmarks/{COMMUNITY_BENCH_ID}/",
    "/glossary/",
    "/glossary/category/memory/",
    "/glossary/kv-cache/",
    "/glossary/q4-k-m/",
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
    "/search/",
    "/search/?q=kv+cache",
    "/pulse/",
    "/pulse/?kind=glossary",
]


def meta(html: str) -> dict[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    desc = re.search(r'<meta name="description" content="([^"]*)"', html)
    canon = re.search(r'<link rel="canonical" href="([^"]*)"', html)
    return {
        "title": unescape(title.group(1)) if title else "",
        "description": unescape(desc.group(1)) if desc else "",
        "canonical": unescape(canon.group(1)) if canon else "",
    }


def json_of(client, url: str) -> dict:
    sep = "&" if "?" in url else "?"
    r = client.get(f"{url}{sep}format=json")
    assert r["Content-Type"] == "application/json"
    return r.json()


@pytest.mark.parametrize("url", PAGES)
def test_it_renders_every_page_with_title_description_canonical(client, ref, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, url
    html = r.content.decode()
    m = meta(html)
    assert "runlocal" in m["title"], m["title"]
    assert len(m["description"]) > 30, m["description"]
    assert m["canonical"].startswith("http://testserver/")
    assert "format=json" not in m["canonical"]
    assert 'href="/static/runlocal_web/reference.css"' in html
    assert 'aria-label="Breadcrumb"' in html
    html = html.replace("{{ prompt }}", "")  # the chat template shows its own placeholder
    assert "{{" not in html and "{%" not in html


@pytest.mark.parametrize("url", PAGES)
def test_it_has_a_json_twin_of_every_page(client, ref, url: str) -> None:
    doc = json_of(client, url)
    assert doc["ok"] is True and doc["status"] == 200
    assert doc["page"]["breadcrumbs"][0] == {"name": "Home", "url": "/"}
    html_meta = meta(client.get(url).content.decode())
    assert doc["page"]["canonical"] == html_meta["canonical"]
    assert doc["page"]["title"] in html_meta["title"]


# --- tools --------------------------------------------------------------------------------


def test_it_filters_tools_by_os_backend_format_fit_and_text(client, ref) -> None:
    def ids(query: str) -> set[str]:
        return {t["id"] for t in json_of(client, f"/tools/?{query}")["tools"]}

    assert ids("") == {"llama-cpp", "ollama", "mlx-lm", "vllm", "open-webui"}
    assert ids("os=macos") == {"llama-cpp", "ollama", "mlx-lm", "open-webui"}
    assert ids("backend=rocm") == {"vllm"}
    assert ids("file_format=mlx") == {"mlx-lm"}
    assert ids("fit=beginner&os=macos") == {"ollama", "mlx-lm", "open-webui"}
    assert ids("category=server") == {"vllm"}
    assert ids("q=throughput") == {"vllm"}
    assert ids("q=llamacpp") == {"llama-cpp"}


def test_it_rejects_an_unknown_filter_value_with_the_full_list(client, ref) -> None:
    r = client.get("/tools/?backend=quantum")
    assert r.status_code == 400
    assert b"Some filters were not understood" in r.content
    doc = json_of(client, "/tools/?backend=quantum")
    assert doc["ok"] is False and "backend" in doc["errors"]
    assert len(doc["tools"]) == 5


def test_it_shows_a_tool_with_install_commands_caveats_and_a_will_it_run_link(client, ref) -> None:
    r = client.get("/tools/llama-cpp/")
    html = r.content.decode()
    assert "<code>winget install llama.cpp</code>" in html
    assert "<strong>GGUF</strong>" in html  # the summary's Markdown is rendered
    assert "<code>convert_hf_to_gguf.py</code>" in html
    assert 'name="runtime" value="llama.cpp"' in html
    doc = json_of(client, "/tools/llama-cpp/")
    assert [i["os"] for i in doc["install"]] == ["linux", "macos", "windows"]
    wir = doc["will_it_run"]
    assert wir["runtime"] == "llama.cpp"
    assert "runtime=llama.cpp" in wir["example"]["url"]
    assert client.get(wir["example"]["url"]).status_code == 200
    assert {e["id"] for e in doc["errors"]} == {"cuda-out-of-memory"}
    # A tool the engine does not model gets no Will-it-run section.
    assert json_of(client, "/tools/open-webui/")["will_it_run"] is None


def test_it_links_the_mlx_and_vllm_tools_to_a_setup_they_can_run(client, ref) -> None:
    for slug, runtime in (("mlx-lm", "mlx"), ("vllm", "vllm"), ("ollama", "ollama")):
        example = json_of(client, f"/tools/{slug}/")["will_it_run"]["example"]
        assert example is not None, slug
        assert f"runtime={runtime}" in example["url"]
        assert client.get(example["url"]).status_code == 200, example["url"]


def test_it_draws_the_compatibility_matrix_as_an_accessible_table(client, ref) -> None:
    html = client.get("/compatibility/").content.decode()
    assert "<caption>" in html
    assert '<th scope="colgroup" colspan="3">Operating system</th>' in html
    assert '<th scope="col">CUDA</th>' in html
    assert '<th scope="col">GGUF</th>' in html
    assert '<th scope="row"><a href="/tools/vllm/">vLLM</a>' in html
    assert '<span class="visually-hidden">yes</span>' in html
    doc = json_of(client, "/compatibility/")
    assert [c["id"] for c in doc["columns"]["os"]] == ["linux", "macos", "windows"]
    rows = {r["id"]: r for r in doc["runtimes"]}
    assert rows["vllm"]["backends"] == {
        "cuda": True,
        "rocm": True,
        "metal": False,
        "vulkan": False,
        "cpu": False,
    }
    assert rows["mlx-lm"]["formats"]["mlx"] is True
    assert rows["mlx-lm"]["os"]["windows"] is False


# --- benchmarks ---------------------------------------------------------------------------


def test_it_lists_benchmark_rows_with_source_trust_and_command(client, ref) -> None:
    doc = json_of(client, "/benchmarks/")
    rows = doc["results"]
    assert doc["count"] == 5  # 3 published + approved + reproduced; the queued row is hidden
    assert {r["trust"] for r in rows} == {"published", "approved", "reproduced"}
    tg = next(r for r in rows if r["model"]["id"] == "testllama-8b" and r["test"] == "tg128")
    assert tg["value"] == 150.25
    assert tg["source"] == f"https://example.org/{BENCH_ID}"
    assert tg["command"].startswith("llama-bench -m testllama-8b-Q4_K_M.gguf")
    assert tg["hardware"]["url"] == "/hardware/testgpu-24gb/"
    deep = next(r for r in rows if r["model"]["id"] == "testllama-70b")
    assert deep["test"] == "tg128 @ d4096" and deep["n_devices"] == 2
    html = client.get("/benchmarks/").content.decode()
    assert "Reproduced" in html and "Community, approved" in html
    assert "llama-bench -m testllama-8b-Q4_K_M.gguf -ngl 99 -p 0 -n 128" in html


def test_it_filters_benchmarks_and_shows_queued_rows_only_when_asked(client, ref) -> None:
    doc = json_of(client, "/benchmarks/?model=testllama-8b&metric=tg_tok_s&sort=fastest")
    assert [r["value"] for r in doc["results"]] == [150.25, 33.0, 22.0]
    assert json_of(client, "/benchmarks/?backend=vulkan")["count"] == 1
    assert json_of(client, "/benchmarks/?hardware=testmac-m9-max")["count"] == 2
    assert json_of(client, "/benchmarks/?quant=Q8_0")["count"] == 3
    queued = json_of(client, "/benchmarks/?trust=queued")
    assert [r["value"] for r in queued["results"]] == [11.0]
    assert queued["results"][0]["trust_label"] == "Queued (not reviewed yet)"
    r = client.get("/benchmarks/?model=no-such-model")
    assert r.status_code == 400


def test_it_shows_one_benchmark_set_with_commands_and_the_protocol(client, ref) -> None:
    html = client.get(f"/benchmarks/{BENCH_ID}/").content.decode()
    assert '<a href="/hardware/testgpu-24gb/">TestGPU 24GB</a>' in html
    assert 'id="r2"' in html
    assert "llama-bench -m testllama-70b-Q8_0.gguf -ngl 99 -p 0 -n 128 -d 4096" in html
    assert "llama-bench, as published by the source" in html
    doc = json_of(client, f"/benchmarks/{BENCH_ID}/")
    assert len(doc["results"]) == 3 and len(doc["commands"]) == 3
    assert doc["protocol_url"] == "/methodology/#benchmarks"
    assert doc["filtered_url"] == "/benchmarks/?hardware=testgpu-24gb"


def test_it_links_the_capture_protocol_page_once_written(client, ref) -> None:
    assert client.get("/benchmarks/protocol/").status_code == 404
    page(ref, "benchmark-protocol", title="How we capture benchmarks")
    factory.sync()
    assert json_of(client, "/benchmarks/")["protocol_url"] == "/benchmarks/protocol/"
    r = client.get("/benchmarks/protocol/")
    assert r.status_code == 200 and b"How we capture benchmarks" in r.content
    crumbs = json_of(client, "/benchmarks/protocol/")["page"]["breadcrumbs"]
    assert [c["name"] for c in crumbs] == ["Home", "Benchmarks", "Benchmark capture protocol"]


# --- glossary, errors, troubleshooting ---------------------------------------------------


def test_it_gives_glossary_terms_breadcrumbs_glossary_category_term(client, ref) -> None:
    doc = json_of(client, "/glossary/kv-cache/")
    assert doc["page"]["breadcrumbs"] == [
        {"name": "Home", "url": "/"},
        {"name": "Glossary", "url": "/glossary/"},
        {"name": "Memory", "url": "/glossary/category/memory/"},
        {"name": "KV cache", "url": "/glossary/kv-cache/"},
    ]
    html = client.get("/glossary/kv-cache/").content.decode()
    crumbs = re.search(r'<nav aria-label="Breadcrumb".*?</nav>', html, re.S).group(0)
    assert '<a href="/glossary/">Glossary</a>' in crumbs
    assert '<a href="/glossary/category/memory/">Memory</a>' in crumbs
    assert '<span aria-current="page">KV cache</span>' in crumbs


def test_it_shows_every_section_of_a_glossary_term(client, ref) -> None:
    html = client.get("/glossary/kv-cache/").content.decode()
    for heading in ("Definition", "Deeper dive", "Example", "Related terms"):
        assert f">{heading}</h2>" in html, heading
    assert "In llama.cpp, Ollama, LM Studio and vLLM</h2>" in html
    assert '<a href="/tools/llama-cpp/">llama.cpp</a>' in html  # the tool exists
    assert "LM Studio</dt>" in html  # no tool page: plain text
    assert "<code>--kv-cache-dtype fp8</code>" in html
    assert "<h3" in html and "<table" in html  # Markdown: headings under the section, tables
    assert '<a href="/errors/cuda-out-of-memory/">CUDA out of memory</a>' in html
    doc = json_of(client, "/glossary/q4-k-m/")
    related = {r["id"]: r["url"] for r in doc["related"]}
    assert related == {"quantization": "/glossary/quantization/", "no-such-term": None}


def test_it_lists_the_glossary_by_category_and_a_to_z(client, ref) -> None:
    doc = json_of(client, "/glossary/")
    assert [c["id"] for c in doc["categories"]] == ["quantization", "memory", "hardware"]
    assert [g["letter"] for g in doc["az"]] == ["K", "Q", "V"]
    assert [t["name"] for t in doc["az"][1]["terms"]] == ["Q4_K_M", "Quantization"]
    cat = json_of(client, "/glossary/category/quantization/")
    assert [t["id"] for t in cat["terms"]] == ["q4-k-m", "quantization"]
    r = client.get("/glossary/category/quantisation/")
    assert r.status_code == 404
    assert b'href="/glossary/category/quantization/"' in r.content


def test_it_shows_an_error_with_message_cause_numbered_fix_and_links(client, ref) -> None:
    html = client.get("/errors/cuda-out-of-memory/").content.decode()
    assert (
        '<pre class="error-message"><code>torch.OutOfMemoryError: CUDA out of memory. '
        "Tried to allocate 2.00 GiB</code></pre>"
    ) in html
    assert '<ol class="steps"><li>Lower the context: <code>-c 8192</code>.</li>' in html
    assert "<strong>KV cache</strong>" in html
    assert '<a href="/errors/ollama-model-not-found/">Ollama: model not found</a>' in html
    assert '<a href="/glossary/kv-cache/">KV cache</a>' in html
    assert 'href="/will-it-run/"' in html  # an out-of-memory error points to the checker
    doc = json_of(client, "/errors/cuda-out-of-memory/")
    assert len(doc["error"]["fix"]) == 3
    assert doc["page"]["breadcrumbs"][2] == {
        "name": "Out of memory",
        "url": "/errors/#out-of-memory",
    }


def test_it_groups_symptoms_by_category_in_the_troubleshooting_hub(client, ref) -> None:
    doc = json_of(client, "/troubleshoot/")
    groups = {g["label"]: g["symptoms"] for g in doc["categories"]}
    assert list(groups) == ["Out of memory", "Configuration"]
    assert groups["Out of memory"][0]["error"]["url"] == "/errors/cuda-out-of-memory/"
    html = client.get("/troubleshoot/").content.decode()
    assert "loading or generating stops with CUDA out of memory</a>" in html


# --- not found ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "suggestion"),
    [
        ("/tools/olama/", "/tools/ollama/"),
        ("/glossary/kv-cach/", "/glossary/kv-cache/"),
        ("/errors/cuda-out-of-memor/", "/errors/cuda-out-of-memory/"),
        ("/guides/best-gpu-for-lokal-ai/", "/guides/best-gpu-for-local-ai/"),
        ("/learn/local-ai-basic/", "/learn/local-ai-basics/"),
        ("/learn/local-ai-basics/how-fst/", "/learn/local-ai-basics/how-fast/"),
        ("/prompting-kits/testllama-chats/", "/prompting-kits/testllama-chat/"),
        ("/benchmarks/example-org-bench-testgpu-42gb/", f"/benchmarks/{BENCH_ID}/"),
    ],
)
def test_it_answers_an_unknown_slug_with_a_404_that_suggests(
    client, ref, url: str, suggestion: str
) -> None:
    r = client.get(url)
    assert r.status_code == 404
    html = r.content.decode()
    assert f'href="{suggestion}"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "/search/?q=" in html
    doc = json_of(client, url)
    assert doc["ok"] is False and doc["status"] == 404
    assert suggestion in [s["url"] for s in doc["suggestions"]]


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/tools/llamacpp/", "/tools/llama-cpp/"),
        ("/glossary/KV-Cache/", "/glossary/kv-cache/"),
        ("/glossary/video%20memory/", "/glossary/vram/"),
        ("/errors/CUDA%20OOM/", "/errors/cuda-out-of-memory/"),
    ],
)
def test_it_redirects_an_alias_to_the_entry(client, ref, url: str, target: str) -> None:
    r = client.get(url)
    assert r.status_code == 301 and r["Location"] == target
    r = client.get(url + "?format=json")
    assert r["Location"] == target + "?format=json"


def test_it_says_an_editorial_page_is_not_written_yet(client, ref) -> None:
    (ref / "pages" / "trust.toml").unlink()
    factory.sync()
    r = client.get("/trust/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "Trust: not written yet" in html
    assert 'href="/author/"' in html  # the pages that are written
    assert 'href="/trust/"' not in html.split('<main id="main"', 1)[1].split("</main>")[0]
    doc = json_of(client, "/trust/")
    assert doc["not_written"] is True and doc["status"] == 404


def test_it_renders_an_editorial_page_from_its_catalog_file(client, ref) -> None:
    html = client.get("/how-we-make-money/").content.decode()
    assert "<h1>How we make money at runlocal</h1>" in html
    assert '<h2 id="how-we-make-money">How we make money</h2>' in html
    assert '<a href="/glossary/">the glossary</a>' in html
    doc = json_of(client, "/privacy/")
    assert doc["content"]["title"] == "Privacy at runlocal"
    assert doc["content"]["body"].startswith("## Privacy")


# --- methodology --------------------------------------------------------------------------


def packaged_accuracy() -> dict:
    import runlocal

    path = Path(runlocal.__file__).with_name("data") / "accuracy.json"
    return json.loads(path.read_text())


def test_it_shows_the_engines_accuracy_report_on_the_methodology_page(client, ref) -> None:
    report = packaged_accuracy()
    doc = json_of(client, "/methodology/")
    acc = doc["accuracy"]
    assert acc["rows_evaluated"] == report["rows_evaluated"]
    decode = {r["family"]: r for r in acc["decode"]}
    assert decode.keys() == report["metrics"]["tg_tok_s"].keys()
    assert decode["all"]["median_ape"] == report["metrics"]["tg_tok_s"]["all"]["median_ape"]
    assert acc["decode"][-1]["overall"] is True  # "all hardware" closes the table
    assert acc["decode_llmfit_baseline"] == report["metrics"]["tg_tok_s_llmfit_baseline"]
    assert len(acc["prefill"]) == len(report["metrics"]["pp_tok_s"])
    assert acc["fit"]["oom_rows"] == report["fit"]["oom_rows"]
    html = client.get("/methodology/").content.decode()
    assert '<h2 id="accuracy">' in html
    assert "Decode speed: absolute percentage error by hardware family</caption>" in html
    family = next(f for f in report["metrics"]["pp_tok_s"] if f != "all")
    assert f'<th scope="row">{family}</th>' in html
    assert f"median {report['metrics']['tg_tok_s_llmfit_baseline']['median_ape']:g}%" in html
    assert '<h2 id="benchmarks">' in html


def test_it_renders_the_methodology_from_the_docs_until_a_catalog_page_exists(client, ref) -> None:
    doc = json_of(client, "/methodology/")
    assert doc["content"]["origin"] == "docs"
    assert doc["content"]["title"].startswith("Methodology")
    html = client.get("/methodology/").content.decode()
    assert 'href="accuracy.md"' not in html  # repository links become the page's anchors
    assert 'href="#accuracy"' in html
    page(ref, "methodology", title="How runlocal works it out", body="## Memory\n\nWeights.")
    factory.sync()
    doc = json_of(client, "/methodology/")
    assert doc["content"]["origin"] == "catalog"
    assert doc["page"]["title"] == "How runlocal works it out"
    assert doc["accuracy"]["rows_evaluated"]  # the report stays


# --- editorial content --------------------------------------------------------------------


def engine_verdict(model: str, hardware: str, quant: str, context: int) -> str:
    q = CheckQuery(model=model, hardware=(hardware,), quant=quant, context=context)
    return check(q, current_catalog(), allow_files=False).verdict


def test_it_shows_an_answer_beside_the_engines_live_verdict(client, ref) -> None:
    url = "/answers/can-testllama-8b-run-on-testgpu-24gb/"
    doc = json_of(client, url)
    live = doc["live"]
    assert live["verdict"] == engine_verdict("testllama-8b", "testgpu-24gb", "Q4_K_M", 8192)
    assert live["quant"] == "Q4_K_M" and live["context"] == 8192
    assert doc["answer"]["expect"]["verdict"] == "comfortable"
    assert doc["agrees"] is (live["verdict"] == "comfortable")
    html = client.get(url).content.decode()
    assert "Yes, comfortably: it needs about 6 GiB" in html
    assert "The engine, live</h2>" in html
    assert live["check_url"].startswith("/will-it-run/?model=testllama-8b&hardware=testgpu-24gb")
    assert client.get(live["check_url"]).status_code == 200


def test_it_shows_when_the_engine_disagrees_with_an_answer(client, ref) -> None:
    from .factory import answer

    answer(ref, "can-testllama-70b-run", model="testllama-70b", expect="comfortable")
    factory.sync()
    doc = json_of(client, "/answers/can-testllama-70b-run/")
    assert doc["live"]["verdict"] != "comfortable" and doc["agrees"] is False
    assert (
        b"now differs from the written answer"
        in client.get("/answers/can-testllama-70b-run/").content
    )


def test_it_reports_an_answer_the_engine_cannot_check_without_failing(client, ref) -> None:
    from .factory import answer

    answer(ref, "bad-answer", model="no-such-model", hardware=["testgpu-24gb"])
    factory.sync()
    r = client.get("/answers/bad-answer/")
    assert r.status_code == 200
    assert "error" in json_of(client, "/answers/bad-answer/")["live"]


def test_it_checks_a_guides_claims_against_the_engine(client, ref) -> None:
    doc = json_of(client, "/guides/best-gpu-for-local-ai/")
    assert [p["hardware"]["url"] for p in doc["picks"]] == [
        "/hardware/testgpu-24gb/",
        "/hardware/testmac-m9-max/",
    ]
    for c in doc["checks"]:
        expected = engine_verdict(c["model"]["id"], c["hardware"][0]["id"], c["quant"], 8192)
        assert c["live"]["verdict"] == expected
        assert c["agrees"] is (expected == c["expect"]["verdict"])
    html = client.get("/guides/best-gpu-for-local-ai/").content.decode()
    assert "<strong>TestGPU 24GB</strong>" in html  # the summary, answer first
    assert "$1,599" in html


def test_it_walks_a_course_chapter_by_chapter(client, ref) -> None:
    first = json_of(client, "/learn/local-ai-basics/what-fits/")
    assert first["previous"] is None
    assert first["next"]["url"] == "/learn/local-ai-basics/how-fast/"
    assert first["chapter"]["number"] == 1 and first["chapter"]["of"] == 3
    middle = json_of(client, "/learn/local-ai-basics/how-fast/")
    assert middle["previous"]["url"] == "/learn/local-ai-basics/what-fits/"
    assert middle["next"]["url"] == "/learn/local-ai-basics/which-runtime/"
    assert [c["name"] for c in middle["page"]["breadcrumbs"]] == [
        "Home",
        "Learn",
        "Local AI basics",
        "How fast it runs",
    ]
    html = client.get("/learn/local-ai-basics/how-fast/").content.decode()
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "Chapter 2 of 3" in html
    last = json_of(client, "/learn/local-ai-basics/which-runtime/")
    assert last["next"] is None
    assert json_of(client, "/learn/")["courses"][0]["minutes"] == 19


def test_it_shows_a_prompting_kit_with_its_template_prompt_and_settings(client, ref) -> None:
    html = client.get("/prompting-kits/testllama-chat/").content.decode()
    assert "&lt;|start_header_id|&gt;user&lt;|end_header_id|&gt;" in html
    assert "You are a helpful assistant." in html
    doc = json_of(client, "/prompting-kits/testllama-chat/")
    assert {s["name"]: s["value"] for s in doc["settings"]} == {
        "temperature": 0.6,
        "top_p": 0.9,
        "min_p": 0.05,
    }
    assert json_of(client, "/prompting-kits/")["families"][0]["family"] == "llama"


def test_it_lists_courses_on_the_start_page(client, ref) -> None:
    doc = json_of(client, "/start/")
    assert doc["content"]["title"] == "Start at runlocal"
    assert [c["id"] for c in doc["courses"]] == ["local-ai-basics"]


def test_it_serves_every_header_and_footer_link_it_owns(client, ref) -> None:
    from runlocal_web.lib.context import FOOTER, NAV

    mine = (
        "/troubleshoot/", "/start/", "/learn/", "/pulse/", "/tools/", "/benchmarks/",
        "/prompting-kits/", "/answers/", "/guides/", "/methodology/", "/glossary/",
        "/errors/", "/trust/", "/author/", "/how-we-make-money/", "/editorial-policy/",
        "/privacy/", "/terms/", "/sitemap.xml",
    )  # fmt: skip
    linked = {url for _label, url in NAV} | {url for _g, items in FOOTER for _l, url in items}
    for url in mine:
        assert url in linked, url
        assert client.get(url).status_code == 200, url
