"""A query parameter no page reads: the page answers, and says in one line what it ignored and
which name was meant (lib.params); the API refuses the same name with the same suggestion.
Neither reads `Context` as `context`. Tracking parameters pass silently, as they always did."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape

from runlocal_web.lib import params

from .factory import tools_catalog
from .test_api_check import assert_error

pytestmark = pytest.mark.django_db

CHECK = {"model": "testllama-8b", "hardware": "testgpu-24gb"}


def test_the_notice_names_each_ignored_parameter_and_the_one_meant() -> None:
    known = frozenset({"context", "model", "hardware"})
    found = params.ignored(["Context", "ctx", "utm_source", "fbclid", "model", "zzzz"], known)
    assert found == [
        {"name": "Context", "did_you_mean": "context"},  # another case: the same name
        {"name": "ctx", "did_you_mean": "context"},  # difflib: 2·3/10 = 0.6, the cutoff
        {"name": "zzzz", "did_you_mean": None},
    ]
    assert params.notice(found) == (
        "Ignored: Context (did you mean context?), ctx (did you mean context?), zzzz."
    )
    many = params.ignored([f"x{i}" for i in range(8)], known)
    assert params.notice(many).endswith("x4 and 3 more.")


@pytest.mark.parametrize(("typed", "meant"), [("Context", "context"), ("ctx", "context")])
def test_will_it_run_says_it_answered_without_a_parameter_it_does_not_read(
    tiny: Path, typed: str, meant: str
) -> None:
    client = Client()
    plain = client.get("/will-it-run/", {**CHECK, "format": "json"}).json()
    page = client.get("/will-it-run/", {**CHECK, typed: "4096", "format": "json"})
    assert page.status_code == 200
    body = page.json()
    assert body.pop("ignored") == [{"name": typed, "did_you_mean": meant}]
    assert body == plain  # the answer is the one without it, and says so
    html = client.get("/will-it-run/", {**CHECK, typed: "4096"}).content.decode()
    assert escape(f"Ignored: {typed} (did you mean {meant}?).") in html


def test_tracking_parameters_pass_without_a_notice(tiny: Path) -> None:
    client = Client()
    for name in ("utm_source", "UTM_Campaign", "fbclid", "gclid", "ref", "_"):
        page = client.get("/will-it-run/", {**CHECK, name: "x", "format": "json"})
        assert page.status_code == 200 and "ignored" not in page.json(), name
        html = client.get("/will-it-run/", {**CHECK, name: "x"}).content.decode()
        assert "notice-ignored" not in html, name


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/compare/", {"hw": "testgpu-24gb"}),
        ("/choose-my-gpu/", {"budget_usd": "5000"}),
        ("/will-it-run/custom/", {"gpu": "testgpu-24gb"}),
        ("/models/", {}),
    ],
)
def test_every_page_says_so_in_the_same_line(
    catalog_dir: Path, path: str, query: dict[str, str]
) -> None:
    from . import factory

    tools_catalog(catalog_dir)
    factory.sync()
    page = Client().get(path, {**query, "Budget_USD": "1", "format": "json"})
    assert page.status_code == 200, page.content[:300]
    assert page.json()["ignored"] == [{"name": "Budget_USD", "did_you_mean": "budget_usd"}]


def test_the_api_refuses_the_name_in_another_case_with_the_same_suggestion(tiny: Path) -> None:
    body = assert_error(Client().get("/api/v1/check", {**CHECK, "Context": "4096"}), 422)
    assert body["error"].startswith("unknown parameter(s): Context (did you mean context?);")
    assert body["errors"] == [
        {"field": "Context", "message": "unknown parameter", "did_you_mean": "context"}
    ]


def test_the_notice_is_each_visitors_own_and_the_page_cache_shares_the_page(
    tiny: Path, settings
) -> None:
    """Made-up names still add no cache entries (tests/web/test_ops_pagecache.py): the page is
    stored without the notice, which is put in for the one who sent them."""
    from django.core.cache import cache

    cache.clear()
    settings.RUNLOCAL_PAGE_CACHE_SECONDS = 60
    client = Client()
    noted = client.get("/will-it-run/", {**CHECK, "ctx": "4096"})
    plain = client.get("/will-it-run/", CHECK)
    other = client.get("/will-it-run/", {**CHECK, "Model": "x"})
    assert (noted["X-Cache"], plain["X-Cache"], other["X-Cache"]) == ("miss", "hit", "hit")
    assert "ctx (did you mean context?)" in noted.content.decode()
    assert "notice-ignored" not in plain.content.decode()
    assert "Ignored: Model (did you mean model?)." in other.content.decode()
    assert "ctx" not in other.content.decode().split("notice-ignored")[1][:200]
    assert int(other["Content-Length"]) == len(other.content)
    json_twin = client.get("/will-it-run/", {**CHECK, "ctx": "1", "format": "json"}).json()
    assert json_twin["ignored"] == [{"name": "ctx", "did_you_mean": "context"}]
