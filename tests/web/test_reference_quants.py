"""The quantization pages: the measured table of every type, a page per type, their JSON
twins, and helpful 404s."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import pytest

from . import factory
from .factory import glossary

pytestmark = pytest.mark.django_db

README = "https://github.com/ggml-org/llama.cpp/blob/master/tools/perplexity/README.md"


@pytest.fixture
def quants(catalog_dir: Path, db) -> Path:
    factory.tiny_catalog(catalog_dir)
    factory.quant(catalog_dir)
    factory.quant(
        catalog_dir,
        "q8-0",
        name="Q8_0 (8-bit)",
        aliases=["Q8_0"],
        quant="Q8_0",
        bits_per_weight=8.5008,
        notes="Nearly lossless.",
        last_verified=dt.date(2026, 2, 1),
        measurements=[
            {
                "model": "LLaMA 3 8B",
                "ppl": 6.234284,
                "ppl_f16": 6.23316,
                "kld": 0.001355,
                "top1_agreement": 97.674,
                "imatrix": "none",
                "source": README,
                "date": dt.date(2024, 4, 30),
            }
        ],
    )
    factory.quant(
        catalog_dir,
        "q2-k",
        name="Q2_K (2-bit k-quant)",
        aliases=["Q2_K"],
        quant="Q2_K",
        bits_per_weight=3.1593,
        notes="Only when nothing else fits.",
        measurements=[
            {
                "model": "LLaMA 3 8B",
                "ppl": 8.650168,
                "ppl_f16": 6.23316,
                "kld": 0.445132,
                "top1_agreement": 71.138,
                "imatrix": "none",
                "source": README,
                "date": dt.date(2024, 4, 30),
            }
        ],
    )
    glossary(catalog_dir, "quantization", name="Quantization", category="quantization")
    glossary(catalog_dir, "q4-k-m", name="Q4_K_M", category="quantization")
    factory.sync()
    return catalog_dir


def html_of(client, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, path
    return unescape(r.content.decode())


def test_it_lists_every_type_by_bits_with_sizes_loss_and_a_chart(client, quants) -> None:
    html = html_of(client, "/quants/")
    assert "<title>GGUF quantization types compared" in html
    assert '<link rel="canonical" href="http://testserver/quants/">' in html
    assert [m for m in re.findall(r'<a href="/quants/([a-z0-9-]+)/">', html)] == [
        "q2-k",
        "q4-k-m",
        "q8-0",
    ]
    # Weight sizes from the engine's estimator for the catalog's 8B and 70B models.
    assert "TestLlama 8B" in html and "TestLlama 70B" in html
    assert re.search(r"<td>4\.\d GB</td>", html)
    # The reference (LLaMA 3 8B, no importance matrix) numbers and the loss bucket.
    assert "0.0313" in html and "+2.8%" in html and "91.9%" in html
    assert "large" in html and "negligible" in html and "small" in html
    assert '<svg class="toolchart quantchart"' in html and "Q2_K: 3.16 bits, KLD 0.445" in html
    assert README in html
    assert "Last verified 2026-02-01 by test editors" in html


def test_it_shows_one_type_with_its_measurements_and_what_they_mean(client, quants) -> None:
    html = html_of(client, "/quants/q4-k-m/")
    assert "<h1>Q4_K_M (4-bit k-quant, medium)</h1>" in html
    assert "The default quantization of most GGUF downloads." in html
    assert "LLaMA 3 8B" in html and "LLaMA 2 70B" in html  # every row
    assert "+1.20%" in html  # 3.4725 / 3.4313 − 1
    assert "91.9% of the time" in html and "about 8 tokens in 100" in html
    assert "TestLlama 8B's weights take about" in html and "of the" in html
    assert "Loss at 8B" in html and "Loss at 70B" in html
    assert "https://example.org/llama2-70b-table" in html  # a measurement's own source
    assert "Last verified 2026-01-15 by test editors" in html
    assert '<a href="/quants/">Quantization types</a>' in html  # breadcrumb / kicker
    assert 'href="/quants/q8-0/"' in html and 'href="/quants/q2-k/"' in html  # neighbours


def test_its_json_twins_carry_the_same_numbers(client, quants) -> None:
    doc = client.get("/quants/?format=json").json()
    assert doc["ok"] and doc["page"]["canonical"] == "http://testserver/quants/"
    assert [q["quant"] for q in doc["quants"]] == ["Q2_K", "Q4_K_M", "Q8_0"]
    q4 = doc["quants"][1]
    assert q4["reference"]["kld"] == 0.031273 and q4["reference"]["ppl_increase_pct"] == 2.79
    assert q4["loss"] == "small" and doc["quants"][0]["loss"] == "large"
    assert set(q4["weights_gb"]) == {"8b", "70b"} and 4 < q4["weights_gb"]["8b"] < 6
    assert [s["id"] for s in doc["size_models"]] == ["testllama-8b", "testllama-70b"]
    detail = client.get("/quants/q4-k-m/?format=json").json()
    assert detail["quant"]["quant"] == "Q4_K_M" and detail["quant"]["bits_per_weight"] == 4.8944
    assert len(detail["measurements"]) == 2
    assert [x["params_b"] for x in detail["loss"]] == [8.0, 70.0]
    assert detail["loss"][1]["ppl_increase_pct"] < detail["loss"][0]["ppl_increase_pct"]
    assert detail["in_practice"] and detail["neighbours"]["more_bits"]["id"] == "q8-0"
    assert [c["name"] for c in detail["page"]["breadcrumbs"]] == [
        "Home",
        "Quantization types",
        "Q4_K_M",
    ]


def test_an_alias_redirects_and_an_unknown_slug_suggests_types(client, quants) -> None:
    r = client.get("/quants/Q4_K_M/")
    assert r.status_code == 301 and r["Location"] == "/quants/q4-k-m/"
    r = client.get("/quants/q4-k-n/")
    assert r.status_code == 404
    html = unescape(r.content.decode())
    assert "No quantization type called “q4-k-n”" in html
    assert 'href="/quants/q4-k-m/"' in html
    doc = client.get("/quants/q4-k-n/?format=json").json()
    assert doc["status"] == 404
    assert "/quants/q4-k-m/" in [s["url"] for s in doc["suggestions"]]


@pytest.mark.parametrize(
    "slug",
    ["%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc%2Fpasswd", "x" * 300, "%E2%80%AE", "'"],
)
def test_a_hostile_slug_is_a_404_never_an_error(client, quants, slug) -> None:
    r = client.get(f"/quants/{slug}/")
    assert r.status_code == 404
    assert b"<script>alert" not in r.content


def test_it_is_linked_from_the_sitemap_footer_search_and_glossary(client, quants) -> None:
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/quants/</loc>" in sitemap
    assert "<loc>http://testserver/quants/q4-k-m/</loc>" in sitemap
    assert 'href="/quants/"' in html_of(client, "/")  # the footer
    doc = client.get("/search/?q=Q4_K_M&format=json").json()
    assert "/quants/q4-k-m/" in [h["url"] for g in doc["groups"] for h in g["results"]]
    term = html_of(client, "/glossary/q4-k-m/")
    assert 'href="/quants/q4-k-m/">see the measured table</a> for Q4_K_M' in term
    assert 'href="/quants/">see the measured table</a>' in html_of(
        client, "/glossary/quantization/"
    )


def test_it_serves_an_empty_table_without_quant_files(client, tiny) -> None:
    assert "no quantization tables yet" in html_of(client, "/quants/")
    assert client.get("/quants/q4-k-m/").status_code == 404
