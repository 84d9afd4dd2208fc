"""sitemap.xml lists every public page (and each one answers 200); robots.txt points to it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from runlocal_web.reference.content import EDITORIAL
from runlocal_web.reference.views.sitemap import NAMESPACES_NOT_IN_SITEMAP, NOT_IN_SITEMAP

from . import factory
from .factory import BENCH_ID, reference_catalog

pytestmark = pytest.mark.django_db
EDITORIAL_PATHS = {path for path, _name in EDITORIAL.values()}
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def ref(catalog_dir: Path, db) -> Path:
    reference_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def sitemap_paths(client) -> dict[str, str | None]:
    r = client.get("/sitemap.xml")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/xml")
    root = ET.fromstring(r.content)
    out = {}
    for url in root.findall("sm:url", NS):
        loc = url.find("sm:loc", NS).text
        assert loc.startswith("http://testserver/")
        lastmod = url.find("sm:lastmod", NS)
        out[urlsplit(loc).path] = lastmod.text if lastmod is not None else None
    return out


def test_it_lists_every_public_page(client, ref) -> None:
    paths = sitemap_paths(client)
    expected = [
        "/",
        "/models/",
        "/models/testllama-8b/",
        "/hardware/testmac-m9-max/",
        "/tools/",
        "/tools/llama-cpp/",
        "/tools/open-webui/",
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
        "/learn/local-ai-basics/what-fits/",
        "/learn/local-ai-basics/which-runtime/",
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
        "/start/",
        "/pulse/",
        "/about/",
        "/will-it-run/",
    ]
    for path in expected:
        assert path in paths, path
    assert paths["/glossary/kv-cache/"] == "2026-01-15"
    assert paths["/guides/best-gpu-for-local-ai/"] == "2026-01-20"  # its `updated` date
    assert "/search/" not in paths and "/sitemap.xml" not in paths
    assert len(paths) == len(set(paths))


def test_it_lists_only_pages_that_answer_200(client, ref) -> None:
    for path in sitemap_paths(client):
        assert client.get(path, follow=True).status_code == 200, path


def test_it_leaves_out_editorial_pages_not_written_yet(client, ref) -> None:
    (ref / "pages" / "trust.toml").unlink()
    factory.sync()
    paths = sitemap_paths(client)
    assert "/trust/" not in paths
    assert "/methodology/" in paths  # always there: it carries the accuracy report


def test_it_uses_site_url_for_absolute_addresses(client, ref, settings) -> None:
    settings.SITE_URL = "https://runlocal.example"
    body = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://runlocal.example/tools/</loc>" in body
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: https://runlocal.example/sitemap.xml" in robots


def test_it_serves_robots_txt(client, ref) -> None:
    r = client.get("/robots.txt")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/plain")
    lines = r.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert "Disallow: /admin/" in lines
    assert "Disallow: /digest/subscribe/" in lines
    # The API's POST endpoints, exactly; GET-only endpoints stay open to crawlers.
    assert "Disallow: /api/v1/check$" in lines
    assert not [line for line in lines if line.startswith("Disallow: /api/v1/models")]
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_it_serves_a_sitemap_of_an_empty_catalog(client, db, settings, tmp_path) -> None:
    r = client.get("/sitemap.xml")
    assert r.status_code == 200
    assert b"<loc>http://testserver/</loc>" in r.content


def _plain_patterns(patterns, prefix: str = "", namespace: str = ""):
    """(path, namespace) of every URL pattern without parameters, from the root URL conf."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace or p.namespace or ""
            yield from _plain_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p.pattern, RoutePattern) and not p.pattern.converters:
            yield "/" + prefix + str(p.pattern), namespace
        # Regular expressions and <converters> are parameterised: listed by their records.


def test_every_page_without_parameters_is_listed_or_left_out_for_a_reason(client, ref) -> None:
    listed = sitemap_paths(client)
    missing = []
    for path, namespace in _plain_patterns(get_resolver().url_patterns):
        if namespace in NAMESPACES_NOT_IN_SITEMAP or path in NOT_IN_SITEMAP:
            continue
        if path in listed:
            continue
        # An editorial page the catalog has no file for yet: listed once it is written.
        if path in EDITORIAL_PATHS and client.get(path).status_code == 404:
            continue
        missing.append(path)
    assert not missing, f"add these to sitemap_entries or to NOT_IN_SITEMAP: {missing}"
    for path in ("/will-it-run/custom/", "/contact/", "/digest/", "/cost/", "/choose-my-gpu/"):
        assert path in listed, path
    # Every exclusion names a real page and says why.
    plain = {path for path, _ns in _plain_patterns(get_resolver().url_patterns)}
    for path, reason in NOT_IN_SITEMAP.items():
        assert path in plain and path not in listed and len(reason) > 10, path
