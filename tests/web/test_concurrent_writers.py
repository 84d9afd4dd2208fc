"""Many writers at once: benchmark submissions (`POST /api/v1/benchmarks`) and digest
sign-ups (`POST /digest/subscribe/`), each sent many times over by threads that start
together, each thread with its own database connection (closed when it ends).

Whatever the interleaving: every distinct submission and address is stored exactly once,
nothing twice (the database's unique constraints decide: `api_submission_unique_fingerprint`,
the subscriber's mailbox), each mailbox gets one confirmation e-mail, and
every answer is a clean one (201/409/422 for submissions, 303 for sign-ups), never a 500.

On PostgreSQL the requests really overlap (`DATABASE_URL=postgres://… python -m pytest
tests/web/test_concurrent_writers.py`). SQLite's in-memory test database (shared cache)
answers "database table is locked" at once to a second writer instead of waiting, so there
the same threads take turns, one request at a time: the expectations are the same, the
overlap is not.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client

from runlocal_web.api.models import Submission
from runlocal_web.community.models import Subscriber

from . import factory
from .test_api_benchmarks import result
from .test_api_check import post_json

WRITERS = 24
ROUNDS = 4  # requests of each kind per writer
DISTINCT_RESULTS = 12
DISTINCT_ADDRESSES = 12
SITE = "https://runlocal.example"


@pytest.fixture
def writers_catalog(catalog_dir: Path, settings: Any) -> Path:
    """The tiny catalog, synced; rate limits out of the way (the writers share addresses)."""
    settings.API_RATE_LIMITS = {"check": (10**6, 60), "submit": (10**6, 3600)}
    settings.COMMUNITY_RATE_LIMITS = {"contact": (10**6, 600), "subscribe": (10**6, 600)}
    settings.SITE_URL = SITE
    settings.COMMUNITY_MAIL_RETRY_DELAYS = (0, 0)
    cache.clear()
    factory.tiny_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def distinct_result(i: int) -> dict[str, Any]:
    """One of DISTINCT_RESULTS plausible results (the decode speed tells them apart)."""
    return result(tg_tok_s=100.0 + i, notes=f"run {i}")


def address(i: int, variant: int) -> str:
    """Mailbox i, in one of five spellings that all reach it: case, quotes that change
    nothing, an escaped letter, the domain in Unicode or punycode (variant 0 is how it is
    stored)."""
    local = f"reader{i:02d}"
    return (
        f"{local}@xn--bcher-kva.org",
        f"{local.upper()}@XN--BCHER-KVA.org",
        f'"{local}"@bücher.org',
        f'"{local[:2]}\\{local[2:]}"@Bücher.org',
        f"{local}@BÜCHER.ORG",
    )[variant % 5]


def run_together(work: Callable[[int], None], n: int) -> list[BaseException]:
    """Run work(0) … work(n-1) in n threads released at once; the errors they raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(j: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(j)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(j,)) for j in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_and_signups_are_stored_once(writers_catalog: Path) -> None:
    serial = threading.Lock() if connection.vendor == "sqlite" else None
    mail.outbox = []
    answers: list[tuple[str, int, str]] = []
    answers_lock = threading.Lock()

    @contextlib.contextmanager
    def turn() -> Iterator[None]:
        if serial is None:
            yield
        else:
            with serial:
                yield

    def record(kind: str, response: Any) -> None:
        with answers_lock:
            answers.append((kind, response.status_code, response.content[:300].decode()))

    def work(j: int) -> None:
        client = Client(REMOTE_ADDR=f"192.0.2.{j + 1}")
        for k in range(ROUNDS):
            with turn():
                r = post_json(client, "/api/v1/benchmarks", distinct_result((j + k) % 12))
            record("submit", r)
            with turn():
                email = address((j * 5 + k) % DISTINCT_ADDRESSES, j + k)
                r = client.post("/digest/subscribe/", {"email": email})
            record("subscribe", r)
        # One implausible result per writer: refused cleanly, never stored.
        with turn():
            r = post_json(client, "/api/v1/benchmarks", result(tg_tok_s=99_000.0))
        record("implausible", r)

    errors = run_together(work, WRITERS)
    assert errors == []

    statuses = Counter((kind, status) for kind, status, _ in answers)
    assert len(answers) == WRITERS * (2 * ROUNDS + 1), statuses
    bad = [a for a in answers if a[1] >= 500]
    assert bad == [], bad[:3]
    # Submissions: each distinct result created once; every other copy is a 409.
    assert statuses[("submit", 201)] == DISTINCT_RESULTS, statuses
    assert statuses[("submit", 409)] == WRITERS * ROUNDS - DISTINCT_RESULTS, statuses
    assert statuses[("implausible", 422)] == WRITERS, statuses
    # Sign-ups: the same answer for every address, new or not.
    assert statuses[("subscribe", 303)] == WRITERS * ROUNDS, statuses

    stored = list(Submission.objects.values_list("tg_tok_s", "notes", "fingerprint"))
    assert sorted(tg for tg, _, _ in stored) == [100.0 + i for i in range(DISTINCT_RESULTS)]
    assert len({fp for _, _, fp in stored}) == DISTINCT_RESULTS
    assert not Submission.objects.filter(tg_tok_s__gt=10_000).exists()

    emails = [e.lower() for e in Subscriber.objects.values_list("email", flat=True)]
    assert sorted(emails) == [address(i, 0) for i in range(DISTINCT_ADDRESSES)]
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Subscriber.PENDING}
    # One confirmation e-mail per address, however often it was sent.
    sent_to = Counter(m.to[0].lower() for m in mail.outbox)
    assert sent_to == Counter({address(i, 0): 1 for i in range(DISTINCT_ADDRESSES)})
