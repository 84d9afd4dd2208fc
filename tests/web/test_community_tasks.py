"""Confirmation e-mail off the request path, through the database task queue and its worker
(as `runlocal serve` runs them): the sign-up stores the subscriber and the task together, the
worker sends each confirmation once, retries a failed one later, and never sends one again
that it took, even when the database fails right after the send."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from runlocal_web.community import subscriptions
from runlocal_web.community.models import Subscriber

from .test_community_digest import failing, subscribe  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _queue(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "https://runlocal.example"
    settings.COMMUNITY_MAIL_RETRY_DELAYS = (0, 0)
    settings.COMMUNITY_RATE_LIMITS = {"contact": (100, 600), "subscribe": (100, 600)}


def work() -> None:
    """What the worker beside the site does: run every task that is due, then stop."""
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--queue-name",
        "*",
        verbosity=0,
    )


def test_the_request_sends_nothing_and_the_worker_sends_once(client) -> None:
    assert subscribe(client, "ada@example.org").status_code == 303
    assert not mail.outbox  # not in the request
    assert DBTaskResult.objects.count() == 1
    work()
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    work()  # nothing left
    assert len(mail.outbox) == 1
    sub = Subscriber.objects.get()
    assert sub.confirm_claim == sub.confirm_request and sub.confirm_sent_at is not None


def test_every_state_does_the_same_work(client) -> None:
    """The attack: a sign-up answered measurably faster for an address already subscribed.
    New, pending, confirmed and unsubscribed addresses run the same statements."""

    def statements(email: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            r = subscribe(client, email)
        assert r.status_code == 303 and r["Location"] == "/digest/check-your-inbox/"
        return [q["sql"].split()[0] for q in queries.captured_queries]

    new = statements("new@example.org")
    pending = statements("new@example.org")
    Subscriber.objects.filter(mailbox="new@example.org").update(status="confirmed")
    confirmed = statements("NEW@example.org")
    Subscriber.objects.filter(mailbox="new@example.org").update(status="unsubscribed")
    back = statements('"new"@example.org')
    assert new == pending == confirmed == back, (new, confirmed)
    assert DBTaskResult.objects.count() == 4  # one task each
    work()
    # Two confirmations were due; the first was superseded by the second before it went out.
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_later_and_sent_once(client, failing) -> None:  # noqa: F811
    subscribe(client, "ada@example.org")
    work()
    sub = Subscriber.objects.get()
    assert failing.calls == 3 and not mail.outbox
    assert sub.confirm_claim == "" and "SMTPServerDisconnected" in sub.last_error
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert retry.run_after is not None and retry.run_after > dt.datetime.now(dt.UTC)
    failing.failures = 0  # the mail server is back
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=past)  # its time has come
    work()
    assert len(mail.outbox) == 1
    # The cron finds nothing left to send.
    call_command("resend_confirmations", "--wait-minutes", "0", verbosity=0)
    assert len(mail.outbox) == 1


def test_a_send_whose_record_failed_is_never_sent_again(client, monkeypatch) -> None:
    """The attack: while database connections were being killed, sign-ups that had been
    e-mailed were recorded as never sent, and resend_confirmations would send them again."""
    subscribe(client, "ada@example.org")
    sub = Subscriber.objects.get()
    real_update = subscriptions.Subscriber.objects.filter

    def dying_after_the_send(*args: Any, **kwargs: Any) -> Any:
        if mail.outbox:  # the e-mail is out: the database goes away now
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(*args, **kwargs)

    monkeypatch.setattr(subscriptions.Subscriber.objects, "filter", dying_after_the_send)
    with pytest.raises(OperationalError):
        subscriptions.deliver(sub.pk, sub.confirm_request, "https://runlocal.example")
    monkeypatch.undo()
    assert len(mail.outbox) == 1
    # A second task for it, the cron, a retry: none sends again.
    assert subscriptions.deliver(sub.pk, sub.confirm_request, "https://runlocal.example") is None
    call_command("resend_confirmations", "--wait-minutes", "0", verbosity=0)
    work()
    assert len(mail.outbox) == 1


def test_a_sign_up_and_its_task_are_stored_together_or_not_at_all(client, monkeypatch) -> None:
    """A 503 means nothing was stored and nothing will be sent."""
    from django_tasks_db import models as task_models

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(task_models.DBTaskResult.objects, "create", refuse)
    client.raise_request_exception = False
    r = subscribe(client, "ada@example.org")
    assert r.status_code == 503
    monkeypatch.undo()
    assert not Subscriber.objects.exists() and not DBTaskResult.objects.exists()
    work()
    assert not mail.outbox
