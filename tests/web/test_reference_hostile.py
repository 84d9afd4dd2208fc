"""Hostile query strings and slugs on the reference pages: a page or a 4xx, never a 500."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import factory
from .factory import reference_catalog
from .test_hostile_input import FUZZ, assert_handled, query, value

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    "/tools/",
    "/compatibility/",
    "/benchmarks/",
    "/glossary/",
    "/errors/",
    "/troubleshoot/",
    "/guides/",
    "/learn/",
    "/prompting-kits/",
    "/answers/",
    "/methodology/",
    "/trust/",
    "/search/",
    "/pulse/",
    "/pulse/feed.atom",
    "/sitemap.xml",
    "/robots.txt",
]
keys = st.sampled_from(
    [
        "q",
        "os",
        "backend",
        "file_format",
        "fit",
        "category",
        "model",
        "hardware",
        "quant",
        "metric",
        "trust",
        "sort",
        "kind",
        "action",
        "page",
        "format",
        "x",
    ]
)
DETAIL_PREFIXES = [
    "/tools/",
    "/benchmarks/",
    "/glossary/",
    "/glossary/category/",
    "/errors/",
    "/guides/",
    "/learn/",
    "/learn/local-ai-basics/",
    "/prompting-kits/",
    "/answers/",
]


@pytest.fixture
def ref_client(client, catalog_dir: Path, db, caplog):
    from . import test_hostile_input as hostile

    reference_catalog(catalog_dir)
    factory.sync()
    hostile._caplog = caplog
    yield client
    hostile._caplog = None


@FUZZ
@given(qs=query(keys), path=st.sampled_from(LIST_PAGES))
def test_it_survives_any_query_on_a_reference_page(ref_client, qs: str, path: str) -> None:
    assert_handled(ref_client.get(f"{path}?{qs}"))
    assert_handled(ref_client.get(f"{path}?{qs}&format=json"))


@FUZZ
@given(slug=value, prefix=st.sampled_from(DETAIL_PREFIXES))
def test_it_survives_any_slug(ref_client, slug: str, prefix: str) -> None:
    assert_handled(ref_client.get(f"{prefix}{quote(slug, safe='')}/"))
    assert_handled(ref_client.get(f"{prefix}{quote(slug, safe='')}/?format=json"))


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%ff%fe",
        "/search/?q=%00",
        "/search/?q=" + "a" * 5000,
        "/search/?q=%25%5F%5C",  # LIKE wildcards and escapes
        "/search/?q=" + "+".join(["kv"] * 50),
        "/tools/?os=%00",
        "/tools/?q=%00",
        "/benchmarks/?page=999999",
        "/benchmarks/?page=-1",
        "/benchmarks/?sort=value&metric=nan",
        "/pulse/?page=abc",
        "/pulse/?kind=%00",
        "/pulse/feed.atom?kind=%ff",
        "/glossary/%00/",
        "/glossary/" + "x" * 300 + "/",
        "/learn/local-ai-basics/%2e%2e/",
        "/tools/../../etc/passwd/",
        "/answers/can-testllama-8b-run-on-testgpu-24gb/?format=xml",
    ],
)
def test_it_survives_known_hard_cases(ref_client, url: str) -> None:
    assert_handled(ref_client.get(url))


def test_it_logs_no_error_for_a_broken_editorial_claim(
    client, catalog_dir: Path, db, caplog
) -> None:
    from .factory import answer

    reference_catalog(catalog_dir)
    answer(catalog_dir, "strange", model="../etc/passwd", hardware=["testgpu-24gb"])
    factory.sync()
    with caplog.at_level(logging.ERROR):
        r = client.get("/answers/strange/")
    assert r.status_code == 200
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
