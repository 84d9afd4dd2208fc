"""Mailbox bombing: many spellings of one mailbox are one subscriber with one confirmation
e-mail; IP-literal domains are refused; logs never carry a reader's address."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache

from runlocal_web.community.addresses import parse
from runlocal_web.community.models import Subscriber

from .test_community_digest import failing, subscribe  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

SPELLINGS = (
    "target@example.org",
    '"target"@example.org',
    '"t\\arget"@example.org',
    '"ta\\r\\g\\et"@EXAMPLE.org',
    "TARGET@Example.ORG",
)
IDN_SPELLINGS = ("target@bücher.example", "target@xn--bcher-kva.example", "TARGET@BÜCHER.example")


@pytest.fixture(autouse=True)
def _community(settings) -> None:
    cache.clear()
    settings.SITE_URL = "https://runlocal.example"
    settings.COMMUNITY_MAIL_RETRY_DELAYS = (0, 0)
    settings.COMMUNITY_RATE_LIMITS = {"contact": (100, 600), "subscribe": (100, 600)}


@pytest.mark.parametrize("spellings", [SPELLINGS, IDN_SPELLINGS])
def test_every_spelling_of_one_mailbox_is_one_subscriber_with_one_email(
    client, spellings: tuple[str, ...]
) -> None:
    answers = set()
    for email in spellings * 2:
        r = subscribe(client, email)
        answers.add((r.status_code, r["Location"]))
    assert answers == {(303, "/digest/check-your-inbox/")}
    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1
    assert len({parse(e).mailbox for e in spellings}) == 1
    # Written to the plain spelling, the domain in ASCII.
    assert mail.outbox[0].to[0].lower() == parse(spellings[0]).send_to.lower()
    assert '"' not in mail.outbox[0].to[0] and mail.outbox[0].to[0].isascii()


@pytest.mark.parametrize(
    "email",
    [
        "victim@[127.0.0.1]",
        "victim@[IPv6:::1]",
        "victim@127.0.0.1",
        "victim@localhost",
        '"vic tim"@example.org',
    ],
)
def test_ip_literal_and_local_domains_are_refused(client, email: str) -> None:
    r = subscribe(client, email)
    assert r.status_code == 400
    assert b"Enter an e-mail address such as you@example.org." in r.content
    assert not Subscriber.objects.exists() and not mail.outbox


def test_a_failed_send_logs_no_address(client, failing, caplog) -> None:  # noqa: F811
    with caplog.at_level(logging.DEBUG):
        assert subscribe(client, "secret.reader@example.org").status_code == 303
    assert failing.calls == 3
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "not sent" in text and "failed (try 3)" in text
    assert "secret.reader" not in text and "example.org" not in text


def test_rows_that_share_a_mailbox_are_merged_by_the_migration() -> None:
    from importlib import import_module

    migration = import_module("runlocal_web.community.migrations.0002_subscriber_mailbox")
    rows: list[Any] = [
        Subscriber.objects.create(email='"ada"@example.org', status="pending"),
        Subscriber.objects.create(email="ADA@example.org", status="confirmed"),
        Subscriber.objects.create(email="a\\da@example.org", status="pending"),
        Subscriber.objects.create(email="bob@example.org", status="pending"),
        Subscriber.objects.create(email="eve@[127.0.0.1]", status="confirmed"),
    ]
    migration.fill_mailboxes(apps, None)
    got = {r.email: (r.mailbox, r.status) for r in Subscriber.objects.all()}
    assert got['"ada"@example.org'] == (None, "unsubscribed")
    assert got["ADA@example.org"] == ("ada@example.org", "confirmed")  # the confirmed one wins
    assert got["bob@example.org"] == ("bob@example.org", "pending")
    assert got["eve@[127.0.0.1]"] == (None, "unsubscribed")
    assert len(rows) == Subscriber.objects.count()
