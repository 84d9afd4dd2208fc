"""Search as you type: the header box asks /suggest/, which reads names with the resolver."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def suggest(client, q: str, **params: str) -> dict:
    r = client.get("/suggest/", {"q": q, "format": "json", **params})
    assert r.status_code == 200, r.content[:300]
    return r.json()


def test_what_the_resolver_understands_comes_first(client, tiny: Path) -> None:
    doc = suggest(client, "2x tg 24")
    first = doc["suggestions"][0]
    assert first["id"] == "testgpu-24gb" and first["understood"] is True
    assert first["url"] == "/hardware/testgpu-24gb/"


def test_words_typed_so_far_suggest_names_that_start_with_them(client, tiny: Path) -> None:
    names = [s["name"] for s in suggest(client, "testllama", kind="models")["suggestions"]]
    assert {"TestLlama 8B", "TestLlama 70B"} <= set(names)
    assert all(s["kind"] == "models" for s in suggest(client, "test", kind="models")["suggestions"])


def test_the_html_fragment_links_each_name_and_the_full_search(client, tiny: Path) -> None:
    html = client.get("/suggest/", {"q": "M9 Max 128GB"}).content.decode()
    assert 'href="/hardware/testmac-m9-max/"' in html and "understood" in html
    assert 'href="/search/?q=M9%20Max%20128GB"' in html
    assert "No catalog name matches" in client.get("/suggest/", {"q": "zzz"}).content.decode()


@pytest.mark.parametrize("params", [{"kind": "glossary"}, {"q": "x" * 300}, {"q": "a\x00b"}])
def test_bad_input_is_a_400_with_one_line(client, tiny: Path, params: dict) -> None:
    r = client.get("/suggest/", {"q": "x", "format": "json", **params})
    assert r.status_code == 400
    assert r.json()["error"]["message"]


def test_every_page_has_a_search_box_that_works_without_javascript(client, tiny: Path) -> None:
    html = client.get("/").content.decode()
    assert '<form class="site-search" role="search" method="get" action="/search/">' in html
    assert 'hx-get="/suggest/"' in html


def test_site_search_puts_the_resolvers_reading_first(client, tiny: Path) -> None:
    doc = client.get("/search/", {"q": "2x TG 24", "format": "json"}).json()
    assert doc["best"][0]["id"] == "testgpu-24gb"


def test_a_form_box_gets_links_that_fill_it_and_keep_the_rest(client, tiny: Path) -> None:
    params = {
        "field": "hardware",
        "index": "1",
        "to": "/will-it-run/",
        "model": "testllama 8b",
        "hardware": ["TG 24", "2x tg 24"],
        "format": "json",
    }
    (first, *_) = client.get("/suggest/", params).json()["suggestions"]
    assert first["fill"] == "2x TestGPU 24GB" and first["understood"] is True
    url = first["url"]
    assert url.startswith("/will-it-run/?") and "hardware=TG+24" in url
    assert "hardware=2x+TestGPU+24GB" in url and "model=testllama+8b" in url
    assert client.get(url).status_code == 200


def test_a_form_box_may_only_link_back_to_a_form(client, tiny: Path) -> None:
    r = client.get(
        "/suggest/", {"field": "hardware", "to": "https://evil.example/", "hardware": "TG 24"}
    )
    assert b"evil" not in r.content  # not a form this site knows: no links built from `to`
