from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from . import factory

pytestmark = pytest.mark.django_db


def _meta(html: str) -> dict[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    desc = re.search(r'<meta name="description" content="([^"]*)"', html)
    canon = re.search(r'<link rel="canonical" href="([^"]*)"', html)
    return {
        "title": unescape(title.group(1)) if title else "",
        "description": unescape(desc.group(1)) if desc else "",
        "canonical": unescape(canon.group(1)) if canon else "",
    }


PAGES = [
    "/",
    "/about/",
    "/will-it-run/",
    "/will-it-run/?model=testllama-8b&hardware=testgpu-24gb",
    "/models/",
    "/models/testllama-8b/",
    "/models/testllama-70b/",
    "/hardware/",
    "/hardware/testgpu-24gb/",
    "/hardware/testmac-m9-max/",
]


@pytest.mark.parametrize("url", PAGES)
def test_it_renders_every_page_with_title_description_canonical(
    client, tiny: Path, url: str
) -> None:
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    meta = _meta(html)
    assert meta["title"].endswith("· runlocal") or meta["title"].startswith("runlocal")
    assert len(meta["description"]) > 30
    assert meta["canonical"].startswith("http://testserver/")
    assert "format=json" not in meta["canonical"]
    assert 'href="/static/runlocal_web/site.css"' in html
    assert '<nav aria-label="Main"' in html
    if url != "/":
        assert 'aria-label="Breadcrumb"' in html


@pytest.mark.parametrize("url", PAGES)
def test_it_has_a_json_twin_of_every_page(client, tiny: Path, url: str) -> None:
    sep = "&" if "?" in url else "?"
    r = client.get(f"{url}{sep}format=json")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json"
    doc = r.json()
    assert doc["ok"] is True
    html_meta = _meta(client.get(url).content.decode())
    assert doc["page"]["canonical"] == html_meta["canonical"]
    assert doc["page"]["breadcrumbs"][0] == {"name": "Home", "url": "/"}


def test_it_shows_the_catalog_on_the_home_page(client, tiny: Path) -> None:
    r = client.get("/")
    assert b"Will this model run on my hardware" in r.content
    assert b'action="/will-it-run/"' in r.content
    assert b'<option value="TestLlama 8B">' in r.content  # the datalist behind the model box
    doc = client.get("/?format=json").json()
    assert doc["catalog"]["models"] == 2
    assert {m["id"] for m in doc["featured_models"]} == {"testllama-8b", "testllama-70b"}
    for example in doc["examples"]:
        assert client.get(example["url"]).status_code == 200


def test_it_renders_with_an_empty_catalog(client, db) -> None:
    for url in ("/", "/models/", "/hardware/", "/will-it-run/", "/about/"):
        assert client.get(url).status_code == 200, url
    assert b"has not been loaded yet" in client.get("/").content


def test_it_lists_models_with_search_filter_and_sort(client, tiny: Path) -> None:
    r = client.get("/models/")
    assert b"TestLlama 8B" in r.content and b"TestLlama 70B" in r.content
    doc = client.get("/models/?q=tl+70b&format=json").json()
    assert [m["id"] for m in doc["models"]] == ["testllama-70b"]
    doc = client.get("/models/?q=LLAMA&format=json").json()
    assert doc["count"] == 2
    doc = client.get("/models/?sort=largest&format=json").json()
    assert [m["id"] for m in doc["models"]] == ["testllama-70b", "testllama-8b"]
    doc = client.get("/models/?family=llama&sort=smallest&format=json").json()
    assert [m["id"] for m in doc["models"]] == ["testllama-8b", "testllama-70b"]
    assert doc["filters"] == {"family": "llama", "sort": "smallest"}


def test_it_lists_hardware_with_filters(client, tiny: Path) -> None:
    doc = client.get("/hardware/?format=json").json()
    assert doc["count"] == 2
    doc = client.get("/hardware/?kind=unified&format=json").json()
    assert [h["id"] for h in doc["hardware"]] == ["testmac-m9-max"]
    doc = client.get("/hardware/?sort=bandwidth&format=json").json()
    assert [h["id"] for h in doc["hardware"]] == ["testgpu-24gb", "testmac-m9-max"]
    doc = client.get("/hardware/?vendor=Apple&format=json").json()
    assert [h["name"] for h in doc["hardware"]] == ["TestMac M9 Max"]
    r = client.get("/hardware/?q=nothing-like-this")
    assert b"Nothing matches these filters" in r.content


def test_it_rejects_unknown_filter_values_with_400(client, tiny: Path) -> None:
    r = client.get("/models/?sort=cheapest")
    assert r.status_code == 400
    assert b"Some filters were not understood" in r.content
    doc = client.get("/hardware/?kind=quantum&format=json").json()
    assert doc["ok"] is False
    assert "kind" in doc["errors"]
    assert doc["count"] == 2  # the full list is still shown


def test_it_paginates(client, catalog_dir: Path) -> None:
    for i in range(55):
        factory.hardware(catalog_dir, f"gpu-{i:02d}", name=f"GPU {i:02d}", aliases=[])
    factory.sync()
    doc = client.get("/hardware/?format=json").json()
    assert doc["pagination"]["pages"] == 2
    assert len(doc["hardware"]) == 50
    doc2 = client.get(doc["pagination"]["next"] + "&format=json").json()
    assert [h["id"] for h in doc2["hardware"]] == [f"gpu-{i}" for i in range(50, 55)]
    # A page past the last names no page (tests/web/test_surfaces_paging.py).
    assert client.get("/hardware/?page=999").status_code == 404
    assert client.get("/hardware/?page=abc").status_code == 404


def test_it_shows_a_model_page(client, tiny: Path) -> None:
    r = client.get("/models/testllama-8b/")
    html = r.content.decode()
    assert "<h1>TestLlama 8B</h1>" in html
    assert "A small, quick model for chat" in html  # the hand-written verdict
    assert "num_key_value_heads" in html and "grouped-query attention" in html
    assert "https://example.org/testllama-8b-Q4_K_M.gguf" in html
    assert "https://example.org/specs/testllama-8b" in html
    assert "Last verified 2026-01-15 by test editors" in html
    doc = client.get("/models/testllama-8b/?format=json").json()
    assert doc["model"]["id"] == "testllama-8b"
    assert doc["model"]["sources"] == ["https://example.org/specs/testllama-8b"]
    assert {a["key"]: a["value"] for a in doc["architecture"]}["num_hidden_layers"] == 32
    assert doc["files"][0]["size_bytes"] == 4920000000
    rows = {row["hardware"]["id"]: row for row in doc["on_hardware"]}
    assert set(rows) == {"testgpu-24gb", "testmac-m9-max"}
    assert rows["testgpu-24gb"]["verdict"] == "comfortable"
    assert rows["testgpu-24gb"]["quant"] == "Q4_K_M"
    assert "Runs comfortably" in html
    assert rows["testgpu-24gb"]["check_url"] in html.replace("&amp;", "&")


def test_it_shows_a_hardware_page(client, tiny: Path) -> None:
    r = client.get("/hardware/testmac-m9-max/")
    html = r.content.decode()
    assert "<h1>TestMac M9 Max</h1>" in html
    assert "546 GB/s" in html
    assert "36, 48, 64, 128" in html  # memory options
    assert "macOS" in html  # the GPU working-set note
    doc = client.get("/hardware/testmac-m9-max/?format=json").json()
    assert doc["hardware"]["bandwidth_gb_s"] == 546.0
    assert 0 < doc["usable_memory_bytes"] < 64 * 2**30
    runs = {row["model"]["id"]: row for row in doc["runs"]}
    assert set(runs) == {"testllama-8b", "testllama-70b"}
    assert "ram_gb" not in runs["testllama-70b"]["check_url"]  # a Mac's memory is the device
    doc = client.get("/hardware/testgpu-24gb/?format=json").json()
    runs = {row["model"]["id"]: row for row in doc["runs"]}
    # Beside a discrete GPU the tables assume 32 GiB of system RAM to offload to.
    assert doc["ram_gb_beside_gpus"] == 32.0
    seventy = runs["testllama-70b"]
    assert seventy["verdict"] == "tradeoffs"
    assert seventy["host_bytes"] > 0
    # The engine's defaults (32 GiB of RAM beside a GPU) on both sides of the link.
    assert "ram_gb" not in seventy["check_url"] and "quant" not in seventy["check_url"]
    assert (
        client.get(seventy["check_url"] + "&format=json").json()["result"]["verdict"] == "tradeoffs"
    )
    assert doc["usable_memory_bytes"] is None
    html = client.get("/hardware/testgpu-24gb/").content.decode()
    assert "in RAM" in html and "run from system RAM" in html


def test_it_keeps_a_page_up_when_one_check_fails(client, catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    factory.model(catalog_dir, "no-arch", name="No Architecture", architecture=None, files=[])
    factory.sync()
    doc = client.get("/hardware/testgpu-24gb/?format=json").json()
    runs = {row["model"]["id"]: row for row in doc["runs"]}
    assert "architecture" in runs["no-arch"]["error"]
    assert client.get("/hardware/testgpu-24gb/").status_code == 200
    assert client.get("/models/no-arch/").status_code == 200


def test_it_404s_an_unknown_model_with_suggestions(client, tiny: Path) -> None:
    r = client.get("/models/testllama-9b/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "No model called “testllama-9b”" in html
    assert 'href="/models/testllama-8b/"' in html
    assert '<meta name="robots" content="noindex">' in html
    doc = client.get("/models/testllama-9b/?format=json").json()
    assert doc["ok"] is False and doc["status"] == 404
    assert {"name": "TestLlama 8B", "url": "/models/testllama-8b/"} in doc["suggestions"]


def test_it_404s_unknown_hardware_with_suggestions(client, tiny: Path) -> None:
    r = client.get("/hardware/testgpu-42gb/")
    assert r.status_code == 404
    assert b'href="/hardware/testgpu-24gb/"' in r.content


def test_it_redirects_an_alias_to_the_entry(client, tiny: Path) -> None:
    r = client.get("/models/tl-70b/")
    assert r.status_code == 301
    assert r["Location"] == "/models/testllama-70b/"
    r = client.get("/hardware/M9-Max/?format=json")
    assert r["Location"] == "/hardware/testmac-m9-max/?format=json"


def test_it_404s_unknown_paths_in_html_and_json(client, tiny: Path) -> None:
    r = client.get("/no/such/page/")
    assert r.status_code == 404
    assert b"Page not found" in r.content
    r = client.get("/no/such/page/?format=json")
    assert r.status_code == 404
    assert r.json()["ok"] is False


def test_it_rejects_an_unknown_format(client, tiny: Path) -> None:
    r = client.get("/models/?format=xml")
    assert r.status_code == 400
    assert b"format must be json" in r.content


def test_it_serves_the_stylesheet(client, db) -> None:
    r = client.get("/static/runlocal_web/site.css")
    assert r.status_code == 200
    assert b".verdict" in b"".join(r.streaming_content)


def test_it_links_only_http_urls_from_the_catalog(client, catalog_dir: Path) -> None:
    factory.tiny_catalog(catalog_dir)
    files = [{"quant": "Q8_0", "size_bytes": 8540000000, "url": "javascript:alert(1)"}]
    factory.model(catalog_dir, files=files)
    factory.sync()
    html = client.get("/models/testllama-8b/").content.decode()
    assert "javascript:" not in html


def test_a_sort_puts_entries_without_the_value_last_and_breaks_ties_by_name(
    client, catalog_dir: Path, db
) -> None:
    """Most memory first, cheapest first: a device with no launch price sorts after every
    priced one in both directions, and equal values keep name order."""
    factory.tiny_catalog(catalog_dir)
    factory.hardware(catalog_dir, "testgpu-b", name="TestGPU B", launch_price_usd=None)
    factory.hardware(catalog_dir, "testgpu-a", name="TestGPU A", launch_price_usd=500)
    factory.hardware(catalog_dir, "testgpu-c", name="TestGPU C", launch_price_usd=500)
    factory.sync()
    doc = client.get("/hardware/?sort=price&format=json").json()
    names = [h["name"] for h in doc["hardware"]]
    assert names[-1] == "TestGPU B"
    assert names.index("TestGPU A") + 1 == names.index("TestGPU C")
    doc = client.get("/hardware/?sort=memory&format=json").json()
    memory = [h["memory_gib"] for h in doc["hardware"]]
    assert memory == sorted(memory, reverse=True)


def test_the_numeric_filters_leave_out_entries_without_the_value(client, catalog_dir: Path, db):
    factory.tiny_catalog(catalog_dir)
    factory.hardware(catalog_dir, "testgpu-b", name="TestGPU B", launch_price_usd=None)
    factory.sync()
    doc = client.get("/hardware/?min_memory_gib=50&format=json").json()
    assert [h["name"] for h in doc["hardware"]] == ["TestMac M9 Max"]
    doc = client.get("/hardware/?max_price_usd=2000&format=json").json()
    assert "TestGPU B" not in [h["name"] for h in doc["hardware"]]
    assert all(h["launch_price_usd"] <= 2000 for h in doc["hardware"])
    doc = client.get("/models/?max_params_b=10&format=json").json()
    assert [m["id"] for m in doc["models"]] == ["testllama-8b"]
