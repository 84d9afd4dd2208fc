"""A database that hangs instead of refusing: every request still answers within seconds
(503, JSON under /api/), and the site recovers as soon as it answers again. PostgreSQL only
(the CI's PostgreSQL leg); the TCP proxy in faults.py plays the hanging server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from .faults import FaultProxy

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)

MODEL = "/models/testllama-8b/"
DEADLINE = 1.0


@pytest.fixture
def proxied(tiny: Path, transactional_db) -> Iterator[FaultProxy]:
    """The test database reached through a FaultProxy, with short timeouts."""
    saved = dict(connection.settings_dict)
    saved_options = dict(saved["OPTIONS"])
    proxy = FaultProxy((saved["HOST"] or "127.0.0.1", int(saved["PORT"] or 5432))).start()
    connection.close()
    connection.settings_dict.update(
        HOST="127.0.0.1", PORT=str(proxy.port), QUERY_DEADLINE_SECONDS=DEADLINE
    )
    connection.settings_dict["OPTIONS"] = {**saved_options, "connect_timeout": 1}
    try:
        yield proxy
    finally:
        proxy.thaw()
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.settings_dict["OPTIONS"] = saved_options
        proxy.stop()
        _wait_for_sessions_to_end()


def _wait_for_sessions_to_end(seconds: float = 5.0) -> None:
    """The server ends the sessions the proxy cut a moment later; the test database can only
    be dropped once they are gone."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def _timed(client, path: str):
    started = time.monotonic()
    r = client.get(path)
    return r, time.monotonic() - started


def test_a_hanging_database_answers_503_within_seconds_and_recovers(client, proxied) -> None:
    client.raise_request_exception = False
    r, _ = _timed(client, MODEL)
    assert r.status_code == 200  # through the proxy
    proxied.freeze()  # mid-connection: the open connection stops answering
    r, took = _timed(client, MODEL)
    assert r.status_code == 503 and took < DEADLINE + 1.5, took
    assert r["Retry-After"]
    # New connections hang in the handshake: libpq's connect_timeout.
    r, took = _timed(client, "/api/v1/models")
    assert r.status_code == 503 and took < 1 + 1.5, took
    body = r.json()
    assert body["ok"] is False and body["status"] == 503
    proxied.thaw()
    r, took = _timed(client, MODEL)
    assert r.status_code == 200 and took < 2, took


def test_a_refusing_database_answers_503_at_once(client, proxied) -> None:
    client.raise_request_exception = False
    assert client.get(MODEL).status_code == 200
    proxied.refuse()
    r, took = _timed(client, MODEL)
    assert r.status_code == 503 and took < 1.5, took
    proxied.thaw()
    assert client.get(MODEL).status_code == 200
