"""Methods and tokens on the site's pages: a page that only reads answers GET and HEAD (and
OPTIONS, which says so), any other method a 405 in one line, before the CSRF check; a form
posted without its token a 403 in the site's words; /suggest/ names what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "/",
    "/about/",
    "/will-it-run/?model=testllama-8b&hardware=testgpu-24gb",
    "/will-it-run/custom/",
    "/compare/",
    "/cost/",
    "/choose-my-gpu/",
    "/run-check/",
    "/models/",
    "/models/testllama-8b/",
    "/hardware/testgpu-24gb/",
    "/search/?q=llama",
    "/suggest/?q=llama",
    "/glossary/",
    "/sitemap.xml",
]


@pytest.mark.parametrize("url", READ_ONLY)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_page_that_only_reads_answers_other_methods_with_a_405(
    tiny: Path, url: str, method: str
) -> None:
    """POST once answered the page itself with 200 (with a token) or Django's 403 "CSRF
    verification failed" page (without): now 405, whatever the token."""
    for client in (Client(), Client(enforce_csrf_checks=True)):
        r = getattr(client, method)(url)
        assert r.status_code == 405, (method, url, r.status_code)
        assert r["Allow"] == "GET, HEAD, OPTIONS"
        assert "answers GET and HEAD, not " + method.upper() in r.content.decode()


def test_the_405_is_json_where_json_was_asked(tiny: Path) -> None:
    r = Client().post("/will-it-run/?format=json")
    assert r.status_code == 405
    assert r.json()["error"] == "this page answers GET and HEAD, not POST"


@pytest.mark.parametrize("url", READ_ONLY[:6])
def test_head_and_options_answer_as_a_reader_expects(tiny: Path, url: str) -> None:
    client = Client()
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code == 200 and head.content == b""
    options = client.options(url)
    assert options.status_code == 200 and options["Allow"] == "GET, HEAD, OPTIONS"


def test_a_form_without_its_token_is_a_403_in_the_sites_words(db) -> None:
    r = Client(enforce_csrf_checks=True).post("/contact/", {"message": "hi"})
    html = r.content.decode()
    assert r.status_code == 403
    assert "sent without its security token" in html and "CSRF verification failed" not in html


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("q=a%00b", "q contains a NUL character"),
        ("q=" + "x" * 201, "q is at most 200 characters"),
        ("q=llama&kind=cats", "kind is one of models, hardware"),
    ],
)
def test_suggest_names_what_is_wrong(tiny: Path, query: str, said: str) -> None:
    """A NUL once got "q is at most 200 characters; kind is one of …"."""
    r = Client().get(f"/suggest/?{query}")
    assert r.status_code == 400 and r.content.decode() == said
    r = Client().get(f"/suggest/?{query}&format=json")
    assert r.status_code == 400 and r.json()["error"]["message"] == said
