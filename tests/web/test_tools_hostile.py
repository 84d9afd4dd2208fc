"""Random and hostile query strings on the tool pages: a page or a 4xx, never a 500."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import factory
from . import test_hostile_input as hostile
from .factory import tools_catalog
from .test_hostile_input import FUZZ, assert_handled, query, value

pytestmark = pytest.mark.django_db

PAGES = {
    "/compare/": ["hw", "format", "x"],
    "/cost/": [
        "hardware", "price_usd", "watts", "hours_per_day", "region", "usd_per_kwh", "years",
        "model", "tokens_per_day", "format",
    ],
    "/choose-my-gpu/": ["budget_usd", "run", "model", "platform", "priority", "two_cards", "format"],
    "/will-it-run/custom/": ["gpu", "cpu", "ram_gb", "os", "runtime", "use", "context", "format"],
    "/run-check/": ["format", "x"],
}  # fmt: skip
tool_values = st.one_of(
    value,
    st.sampled_from(
        [
            "testcpu-16c", "TC 16", "electricity-testland", "electricity-otherland", "70b",
            "8b-chat", "120b-moe", "apple", "nvidia", "power", "context", "on", "linux",
            "windows", "macos", "coding", "reasoning", "2x testmac-m9-max", "8x testgpu-24gb",
            "1e6", "24", "0.1", "1000000000000",
        ]
    ),
)  # fmt: skip


@pytest.fixture
def fuzz_client(client, catalog_dir: Path, db, caplog):
    tools_catalog(catalog_dir)
    factory.sync()
    hostile._caplog = caplog
    yield client
    hostile._caplog = None


def tool_query(path: str):
    from urllib.parse import urlencode

    keys = st.sampled_from(PAGES[path])
    return st.lists(st.tuples(keys, tool_values), max_size=10).map(
        lambda pairs: urlencode(pairs, quote_via=quote)
    )


@pytest.mark.parametrize("path", list(PAGES))
def test_it_survives_any_query(fuzz_client, path: str) -> None:
    @FUZZ
    @given(qs=tool_query(path))
    def run(qs: str) -> None:
        assert_handled(fuzz_client.get(f"{path}?{qs}"))
        assert_handled(fuzz_client.get(f"{path}?{qs}&format=json"))

    run()


@FUZZ
@given(qs=query(st.sampled_from(["hw", "gpu", "model", "hardware", "format"])))
def test_it_survives_generic_hostile_strings(fuzz_client, qs: str) -> None:
    for path in PAGES:
        assert_handled(fuzz_client.get(f"{path}?{qs}"))


@FUZZ
@given(a=value, b=value)
def test_it_survives_any_pair_address(fuzz_client, a: str, b: str) -> None:
    slug = quote(f"{a}-vs-{b}", safe="")
    assert_handled(fuzz_client.get(f"/compare/hardware/{slug}/"))
    assert_handled(fuzz_client.get(f"/compare/hardware/{slug}/?format=json"))


@pytest.mark.parametrize(
    "url",
    [
        "/compare/?hw=%ff%fe&hw=%c0%80",
        "/compare/?hw=testgpu-24gb&hw=testmac-m9-max&hw=%00",
        "/compare/?hw=" + "a" * 5000 + "&hw=b",
        "/cost/?model=testllama-8b&hardware=testgpu-24gb&tokens_per_day=10000000000&hours_per_day=0.1",
        "/cost/?model=testllama-8b&price_usd=0&watts=1&usd_per_kwh=0&years=0.25",
        "/cost/?model=testllama-70b&hardware=8x+testgpu-24gb&years=20",
        "/cost/?model=testllama-8b&hardware=testcpu-16c",
        "/cost/?model=testllama-8b&hardware=M9+Max+12GB",
        "/choose-my-gpu/?budget_usd=1000000&run=120b-moe&two_cards=on&priority=context",
        "/choose-my-gpu/?budget_usd=50&platform=intel",
        "/will-it-run/custom/?gpu=8x+testgpu-24gb&ram_gb=65536&context=1048576&use=reasoning",
        "/will-it-run/custom/?gpu=testgpu-24gb&runtime=exllamav2&os=linux",
        "/will-it-run/custom/?gpu=testgpu-24gb&runtime=transformers&ram_gb=0.5",
        "/will-it-run/custom/?cpu=testcpu-16c&runtime=vllm",
        "/will-it-run/custom/?cpu=testcpu-16c&gpu=testmac-m9-max",
        "/will-it-run/custom/?gpu=" + "&gpu=".join(["testgpu-24gb"] * 9),
        "/run-check/?format=xml",
    ],
)
def test_it_survives_known_hard_cases(fuzz_client, url: str) -> None:
    assert_handled(fuzz_client.get(url))
    assert_handled(fuzz_client.get(url + "&format=json" if "?" in url else url))


def test_it_says_what_is_wrong_with_a_cpu_count(fuzz_client) -> None:
    # The CPU box takes a name like the GPU boxes, so "0x" reaches the resolver's count check.
    r = fuzz_client.get("/will-it-run/custom/?cpu=0x+testcpu-16c")
    assert r.status_code == 400
    assert "device count 0 is out of range" in r.content.decode()


def test_it_turns_an_engine_crash_into_a_logged_answer(
    client, catalog_dir: Path, db, monkeypatch, caplog
) -> None:
    from django.core.cache import cache

    import runlocal_web.lib.engine as web_engine

    tools_catalog(catalog_dir)
    factory.sync()
    cache.clear()

    def boom(*args, **kwargs):
        raise ZeroDivisionError("engine bug")

    monkeypatch.setattr(web_engine, "check", boom)
    monkeypatch.setattr(web_engine, "check_brief", boom)  # the tables' and rankings' answers
    with caplog.at_level(logging.ERROR):
        pair = client.get("/compare/hardware/testgpu-24gb-vs-testmac-m9-max/")
        assert pair.status_code == 200 and b"an internal error, logged" in pair.content
        cost = client.get("/cost/?hardware=testgpu-24gb&model=testllama-8b")
        assert cost.status_code == 200
        choose = client.get("/choose-my-gpu/?budget_usd=5000")
        assert choose.status_code in (200, 400)
        build = client.get("/will-it-run/custom/?gpu=testgpu-24gb")
        assert build.status_code == 400 and b"an internal error, logged" in build.content
    assert any("engine failed" in r.getMessage() for r in caplog.records)
    cache.clear()


def test_it_escapes_what_it_echoes(client, catalog_dir: Path, db) -> None:
    tools_catalog(catalog_dir)
    factory.sync()
    evil = "<script>alert(1)</script>"
    for url in (
        f"/compare/?hw={evil}&hw=testgpu-24gb",
        f"/cost/?model={evil}&hardware={evil}",
        f"/choose-my-gpu/?model={evil}",
        f"/will-it-run/custom/?gpu={evil}&cpu={evil}",
    ):
        r = client.get(url)
        assert r.status_code == 400
        assert b"<script>alert(1)" not in r.content
        assert b"&lt;script&gt;" in r.content
