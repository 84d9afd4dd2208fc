"""Every tool page: 200 with a tiny catalog, title, description, canonical, breadcrumbs, its
stylesheet, a JSON twin with the same content, and internal links that resolve."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from . import factory
from .factory import tools_catalog

pytestmark = pytest.mark.django_db

PAGES = [
    "/compare/",
    "/compare/hardware/testgpu-24gb-vs-testmac-m9-max/",
    "/compare/?hw=testgpu-24gb&hw=testmac-m9-max&hw=2x+testgpu-24gb&hw=testcpu-16c",
    "/cost/",
    "/cost/?hardware=testgpu-24gb&model=testllama-8b",
    "/cost/?hardware=testgpu-24gb&model=testllama-70b",
    "/cost/?price_usd=1000&watts=300&model=testllama-8b",
    "/choose-my-gpu/",
    "/choose-my-gpu/?budget_usd=2000",
    "/choose-my-gpu/?budget_usd=4000&run=70b&two_cards=on",
    "/will-it-run/custom/",
    "/will-it-run/custom/?gpu=testgpu-24gb&gpu=testgpu-24gb&ram_gb=64&use=coding",
    "/will-it-run/custom/?gpu=testmac-m9-max&use=reasoning",
    "/will-it-run/custom/?cpu=testcpu-16c",
    "/run-check/",
]
HREF = re.compile(r'href="([^"]*)"')


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def _meta(html: str) -> dict[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    desc = re.search(r'<meta name="description" content="([^"]*)"', html)
    canon = re.search(r'<link rel="canonical" href="([^"]*)"', html)
    return {
        "title": unescape(title.group(1)) if title else "",
        "description": unescape(desc.group(1)) if desc else "",
        "canonical": unescape(canon.group(1)) if canon else "",
    }


def main_links(html: str) -> list[str]:
    start = html.find('<main id="main"')
    body = html[start : html.find("</main>", start)]
    return [unescape(h) for h in HREF.findall(body) if h.startswith("/") and not h.startswith("//")]


@pytest.mark.parametrize("url", PAGES)
def test_it_renders_every_tool_page(client, tools: Path, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    meta = _meta(html)
    assert meta["title"].endswith("· runlocal")
    assert len(meta["description"]) > 30
    assert meta["canonical"].startswith("http://testserver/")
    assert "format=json" not in meta["canonical"]
    assert 'aria-label="Breadcrumb"' in html
    assert 'href="/static/runlocal_web/tools.css"' in html
    assert 'method="get"' in html or url == "/run-check/"
    assert 'method="post"' not in html.split('<footer class="site-footer">')[0]


@pytest.mark.parametrize("url", PAGES)
def test_it_has_a_json_twin_of_every_tool_page(client, tools: Path, url: str) -> None:
    sep = "&" if "?" in url else "?"
    r = client.get(f"{url}{sep}format=json")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json"
    doc = r.json()
    assert doc["ok"] is True and doc["status"] == 200
    html = client.get(url).content.decode()
    assert doc["page"]["title"] + " · runlocal" == _meta(html)["title"]
    assert doc["page"]["canonical"] == _meta(html)["canonical"]
    assert doc["page"]["breadcrumbs"][0] == {"name": "Home", "url": "/"}


def test_it_links_only_to_pages_that_exist(client, tools: Path) -> None:
    checked: dict[str, int] = {}
    broken = []
    for url in PAGES:
        for href in main_links(client.get(url).content.decode()):
            target = href.split("#", 1)[0] or url
            if target in checked:
                continue
            checked[target] = client.get(target, follow=True).status_code
            if checked[target] != 200:
                broken.append((url, href, checked[target]))
    assert not broken, broken
    assert len(checked) > 30


def test_the_navigation_reaches_the_tools(client, tools: Path) -> None:
    for path in ("/compare/", "/cost/", "/choose-my-gpu/", "/run-check/", "/will-it-run/custom/"):
        assert client.get(path).status_code == 200
    html = client.get("/compare/").content.decode()
    assert 'href="/compare/" aria-current="page"' in html
