"""Every model and hardware page of the packaged catalog renders (a catalog entry of an
unusual kind, such as an image or speech model, must never answer 500)."""

from __future__ import annotations

import pytest
from django.test import Client

from runlocal.catalog import CATALOG_DIR
from runlocal_web.catalogdb.models import Hardware, Model

from . import factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def real(settings, monkeypatch, db) -> None:
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    settings.RUNLOCAL_CATALOG_DIR = CATALOG_DIR
    settings.RUNLOCAL_PAGE_CACHE_SECONDS = 0  # render every page, never answer from the cache
    factory.sync()


@pytest.mark.parametrize("kind", ["models", "hardware"])
def test_it_renders_every_entry_page_of_the_packaged_catalog(real, kind: str) -> None:
    table = Model if kind == "models" else Hardware
    ids = sorted(table.objects.values_list("id", flat=True))
    assert len(ids) > 100
    client = Client(raise_request_exception=False)
    failed = {}
    for entry_id in ids:
        r = client.get(f"/{kind}/{entry_id}/")
        if r.status_code != 200:
            failed[entry_id] = r.status_code
    assert not failed, f"{len(failed)} of {len(ids)} /{kind}/<id>/ pages fail: {failed}"


def test_every_model_gets_a_verdict_on_will_it_run(real) -> None:
    # Image and speech models have no context: their verdict page once failed on it (500).
    client = Client(raise_request_exception=False)
    failed = {}
    for model_id in sorted(Model.objects.values_list("id", flat=True)):
        for hardware in ("nvidia-rtx-3060-12gb", "apple-m4-max-40c"):
            r = client.get("/will-it-run/", {"model": model_id, "hardware": hardware})
            if r.status_code != 200:
                failed[(model_id, hardware)] = r.status_code
    assert not failed, f"{len(failed)} verdict pages fail: {failed}"


@pytest.mark.parametrize(
    ("slug", "target"),
    [
        # A URL slug spells a version's dot as a hyphen (python-slugify) or drops it
        # (Django's slugify): the entry, as `catalog.find` reads the name.
        ("llama-3-1-8b", "llama-3.1-8b-instruct"),
        ("llama-31-8b", "llama-3.1-8b-instruct"),
        ("qwen2-5-7b", "qwen2.5-7b-instruct"),
        ("mistral-7b-v0-3", "mistral-7b-instruct-v0.3"),
    ],
)
def test_a_slug_with_the_version_dot_spelled_otherwise_redirects(
    real, slug: str, target: str
) -> None:
    r = Client().get(f"/models/{slug}/")
    assert r.status_code == 301
    assert r["Location"] == f"/models/{target}/"


def test_a_slug_whose_number_is_a_size_is_still_a_404(real) -> None:
    # 31 is Gemma 4 31B's size: "gemma-31-27b" is never read as a Gemma 3.1.
    assert Client(raise_request_exception=False).get("/models/gemma-31-27b/").status_code == 404
