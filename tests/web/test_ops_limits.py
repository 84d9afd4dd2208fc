"""One rate limit for every engine answer (API and pages, JSON or HTML) and the forms
(ops/limits.py, django-ratelimit), and it holds while Redis is down."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches

LIMIT = 5
ENGINE_URLS = [
    "/api/v1/compare?hw=testgpu-24gb&hw=testmac-m9-max",
    "/api/v1/check?model=TL+8B&hardware=TG+24",
    "/will-it-run/?model=TL+8B&hardware=TG+24&format=json",
    "/will-it-run/?model=TL+8B&hardware=TG+24",
    "/compare/?hw=testgpu-24gb&hw=testmac-m9-max",
    "/cost/?hardware=testgpu-24gb&model=testllama-8b",
]


@pytest.fixture
def limited(tiny: Path, settings: Any) -> Path:
    settings.API_RATE_LIMITS = {"check": (LIMIT, 86400), "submit": (30, 3600)}
    return tiny


@pytest.mark.parametrize("url", ENGINE_URLS)
def test_every_engine_answer_is_limited_per_client(client, limited, url: str) -> None:
    """The attack: /api/v1/compare and /will-it-run/?…&format=json answered 300 of 300."""
    answers = [client.get(url, REMOTE_ADDR="192.0.2.7").status_code for _ in range(LIMIT + 3)]
    assert answers[:LIMIT] == [200] * LIMIT, answers
    assert answers[LIMIT:] == [429] * 3
    r = client.get(url, REMOTE_ADDR="192.0.2.7")
    assert 0 < int(r["Retry-After"]) <= 86400
    if "/api/" in url or "format=json" in url:
        body = r.json()
        assert body["ok"] is False and body["status"] == 429
    else:
        assert b"Too many requests" in r.content
    assert client.get(url, REMOTE_ADDR="192.0.2.8").status_code == 200  # another client


def test_pages_and_the_api_share_one_count(client, limited) -> None:
    for i in range(LIMIT):
        url = ENGINE_URLS[i % len(ENGINE_URLS)]
        assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 200, url
    assert client.get(ENGINE_URLS[0], REMOTE_ADDR="192.0.2.9").status_code == 429
    assert client.get(ENGINE_URLS[2], REMOTE_ADDR="192.0.2.9").status_code == 429


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_limits_hold_with_redis_down(client, limited, settings) -> None:
    """The attack: with Redis down the limits were not enforced at all."""
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    settings.CACHES = {
        "default": {
            "BACKEND": "runlocal_web.ops.cache.TolerantRedisCache",
            "LOCATION": down,
            "OPTIONS": options,
        },
        "limits": {
            "BACKEND": "runlocal_web.ops.cache.FallbackRedisCache",
            "LOCATION": down,
            "OPTIONS": options,
        },
    }
    url = ENGINE_URLS[0]
    answers = [client.get(url, REMOTE_ADDR="192.0.2.10").status_code for _ in range(LIMIT + 5)]
    assert answers == [200] * LIMIT + [429] * 5
    settings.SITE_URL = "https://runlocal.example"
    signups = [
        client.post("/digest/subscribe/", {"email": f"r{i}@example.org"}, REMOTE_ADDR="192.0.2.11")
        for i in range(7)
    ]
    assert [r.status_code for r in signups] == [303] * 5 + [429] * 2
    caches["limits"].clear()
