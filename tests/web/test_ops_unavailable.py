"""The database or Redis going away: a clean 503 (HTML, or JSON under /api/), never a
traceback, and normal pages again on the next request once they are back."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.test import RequestFactory, override_settings

from runlocal_web.ops import cache as ops_cache
from runlocal_web.ops.cache import TolerantRedisCache
from runlocal_web.ops.middleware import ServiceUnavailableMiddleware


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture
def database_down():
    patch = pytest.MonkeyPatch()

    def refuse(*args, **kwargs):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
            "\tIs the server running on that host and accepting TCP/IP connections?"
        )

    patch.setattr(connection, "ensure_connection", refuse)
    yield patch
    patch.undo()  # before the test database's own teardown needs the connection


def test_it_answers_503_when_the_database_is_down(tiny, client, database_down, caplog) -> None:
    for path in (
        "/",
        "/models/testllama-8b/",
        "/hardware/",
        "/will-it-run/?model=TL+8B&hardware=TG+24",
    ):
        r = client.get(path)
        assert r.status_code == 503, path
        assert r["Retry-After"] == "30"
        assert r["Cache-Control"] == "no-store"
        assert r["Content-Type"].startswith("text/html")
        body = r.content.decode()
        assert "Temporarily unavailable" in body
        assert "Traceback" not in body and "OperationalError" not in body
        assert "Content-Security-Policy" in r
    assert "database unavailable" in caplog.text
    assert "\n\tIs the server" not in caplog.text  # one line per failure


def test_it_answers_the_api_error_shape(tiny, client, database_down) -> None:
    for path in ("/api/v1/models", "/models/?format=json"):
        r = client.get(path)
        assert r.status_code == 503, path
        assert r["Retry-After"] == "30"
        body = r.json()
        assert body["ok"] is False and body["status"] == 503 and body["errors"] == []
        assert "temporarily unavailable" in body["error"]


def test_it_recovers_on_the_next_request(tiny, client, database_down) -> None:
    assert client.get("/models/testllama-8b/").status_code == 503
    database_down.undo()
    assert client.get("/models/testllama-8b/").status_code == 200


def test_it_turns_an_interface_error_in_an_inner_layer_into_503() -> None:
    def inner(request):
        raise InterfaceError("connection already closed")

    from django.core.handlers.exception import convert_exception_to_response

    middleware = ServiceUnavailableMiddleware(convert_exception_to_response(inner))
    r = middleware(RequestFactory().get("/anything/"))
    assert r.status_code == 503
    assert b"Temporarily unavailable" in r.content


def test_other_errors_still_reach_the_500_page(tiny, client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("runlocal_web.pages.views.featured_models", broken)
    client.raise_request_exception = False
    assert client.get("/").status_code == 500


@pytest.fixture
def redis_down(monkeypatch):
    monkeypatch.setattr(ops_cache.TolerantRedisCache, "retry_after", 0.0)
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    caches = {
        "default": {
            "BACKEND": "runlocal_web.ops.cache.TolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    caches["limits"] = {**caches["default"], "BACKEND": "runlocal_web.ops.cache.FallbackRedisCache"}
    with override_settings(CACHES=caches):
        yield location


def test_pages_keep_working_while_redis_is_down(tiny, client, redis_down, caplog) -> None:
    for path in ("/", "/models/testllama-8b/", "/will-it-run/?model=TL+8B&hardware=TG+24"):
        assert client.get(path).status_code == 200, path
    assert "cache unavailable (ConnectionError)" in caplog.text


def test_the_tolerant_cache_misses_and_drops_writes(redis_down) -> None:
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.get_or_set("k", 5) == 5


def test_it_stops_trying_for_a_while_after_a_failure(redis_down, monkeypatch) -> None:
    monkeypatch.setattr(ops_cache.TolerantRedisCache, "retry_after", 60.0)
    calls = []
    original = ops_cache.RedisCache.get

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ops_cache.RedisCache, "get", counting)
    for _ in range(5):
        assert cache.get("k") is None
    assert len(calls) == 1


def _start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("redis-server did not start")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_the_cache_comes_back_with_redis(monkeypatch) -> None:
    monkeypatch.setattr(ops_cache.TolerantRedisCache, "retry_after", 0.0)
    port = _closed_port()
    backend = TolerantRedisCache(
        f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 1}}
    )
    proc = _start_redis(port)
    try:
        backend.set("k", {"a": 1}, 30)
        assert backend.get("k") == {"a": 1}
    finally:
        proc.terminate()
        proc.wait(10)
    assert backend.get("k") is None  # down: a miss, not an error
    backend.set("k", 2, 30)
    proc = _start_redis(port)
    try:
        backend.set("k", 3, 30)
        assert backend.get("k") == 3  # back: served again, same backend object
    finally:
        proc.terminate()
        proc.wait(10)


def test_after_a_failure_the_database_is_left_alone_for_a_moment(tiny, client, monkeypatch):
    """A database that hangs must not take every thread: after a failure, requests answer
    503 at once for BREAKER_SECONDS, then one tries; the first success closes the breaker."""
    from runlocal_web.ops import middleware

    clock = [1000.0]
    monkeypatch.setattr(middleware.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(middleware.breaker, "seconds", 1.0)
    calls = []
    real = connection.ensure_connection

    def down(*args, **kwargs):
        calls.append(1)
        raise OperationalError("connection timeout expired")

    monkeypatch.setattr(connection, "ensure_connection", down)
    assert client.get("/models/testllama-8b/").status_code == 503
    tried = len(calls)
    for _ in range(5):  # within the second: not asked at all
        assert client.get("/hardware/").status_code == 503
    assert len(calls) == tried
    clock[0] += 1.0
    monkeypatch.setattr(connection, "ensure_connection", real)  # it is back
    assert client.get("/hardware/").status_code == 200  # the probe
    assert client.get("/models/testllama-8b/").status_code == 200
