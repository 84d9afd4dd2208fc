"""Every internal link on every reference page resolves: crawl them with the test client."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from . import factory
from .factory import reference_catalog
from .test_reference_pages import PAGES
from .test_reference_sitemap import sitemap_paths

pytestmark = pytest.mark.django_db
HREF = re.compile(r'href="([^"]*)"')


@pytest.fixture
def ref(catalog_dir: Path, db) -> Path:
    reference_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def main_links(html: str) -> list[str]:
    """Internal links in the page itself (header and footer are other apps' business)."""
    start = html.find('<main id="main"')
    end = html.find("</main>", start)
    body = html[start:end] if start >= 0 else html
    links = []
    for raw in HREF.findall(body):
        href = unescape(raw)
        if href.startswith("/") and not href.startswith("//"):
            links.append(href)
    return links


def test_it_links_only_to_pages_that_exist(client, ref) -> None:
    seeds = list(dict.fromkeys([*PAGES, *sitemap_paths(client)]))
    checked: dict[str, int] = {}
    broken = []
    for url in seeds:
        r = client.get(url)
        if r.status_code != 200:
            continue
        for href in main_links(r.content.decode()):
            target = href.split("#", 1)[0] or url
            if target in checked:
                continue
            response = client.get(target, follow=True)
            checked[target] = response.status_code
            if response.status_code != 200:
                broken.append((url, href, response.status_code))
    assert not broken, broken
    assert len(checked) > 40
    # Anchors point at ids on their page.
    html = client.get("/errors/").content.decode()
    for href in main_links(client.get("/errors/cuda-out-of-memory/").content.decode()):
        if href.startswith("/errors/#"):
            assert f'id="{href.split("#", 1)[1]}"' in html


def test_it_links_404_suggestions_to_real_pages(client, ref) -> None:
    for url in ("/tools/olama/", "/glossary/qantization/", "/trust/x/", "/learn/x/y/"):
        r = client.get(url)
        assert r.status_code == 404
        for href in main_links(r.content.decode()):
            assert client.get(href, follow=True).status_code == 200, (url, href)


def test_it_links_the_anchor_of_every_glossary_letter(client, ref) -> None:
    html = client.get("/glossary/").content.decode()
    for anchor in re.findall(r'href="#([^"]+)"', html):
        assert f'id="{anchor}"' in html, anchor


def test_it_keeps_links_of_the_real_methodology_document_inside_the_site(client, ref) -> None:
    html = client.get("/methodology/").content.decode()
    hrefs = HREF.findall(html)
    assert not [h for h in hrefs if h.endswith((".md", ".txt")) and "://" not in h]
    assert 'href="#accuracy"' in html and 'id="accuracy"' in html
