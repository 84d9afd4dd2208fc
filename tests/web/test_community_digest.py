"""The monthly digest: double opt-in through the e-mailed link, unsubscribe, and sending.

E-mail goes to django.core.mail.outbox (pytest-django's locmem backend) unless a test
installs a failing backend; test_community_mail.py has the one test against a real SMTP
server.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import CommandError, call_command
from django.test import Client

import runlocal_web
from runlocal_web.catalogdb.models import Change
from runlocal_web.community import tokens
from runlocal_web.community.models import DigestDelivery, DigestIssue, Subscriber

from . import factory

pytestmark = pytest.mark.django_db
SITE = "https://runlocal.example"
LINK = re.compile(r"https://runlocal\.example(/digest/(?:confirm|unsubscribe)/[^/\s\"<>]+/)")
THIS_FILE = "tests.web.test_community_digest"


@pytest.fixture(autouse=True)
def _community(settings) -> None:
    cache.clear()  # rate-limit counters from other tests (shared with REDIS_URL)
    settings.SITE_URL = SITE
    settings.COMMUNITY_MAIL_RETRY_DELAYS = (0, 0)


class FailingBackend(LocmemBackend):
    """Fails the first `failures` sends (counted across instances), then delivers."""

    failures: ClassVar[int] = 0
    calls: ClassVar[int] = 0

    def send_messages(self, messages: Any) -> int:
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def failing(settings) -> type[FailingBackend]:
    settings.EMAIL_BACKEND = f"{THIS_FILE}.FailingBackend"
    FailingBackend.calls = 0
    FailingBackend.failures = 10**6
    return FailingBackend


def subscribe(client: Client, email: str, **extra: Any) -> Any:
    return client.post("/digest/subscribe/", {"email": email}, **extra)


def link_in(message: Any, kind: str) -> str:
    """The site path of the confirm or unsubscribe link in an e-mail (text part)."""
    paths = [p for p in LINK.findall(message.body) if p.startswith(f"/digest/{kind}/")]
    assert len(paths) == 1, message.body
    html = message.alternatives[0][0]
    assert SITE + paths[0] in html  # the HTML part has the same link
    return paths[0]


def confirmed(client: Client, email: str) -> Subscriber:
    """Subscribe and confirm through the link in the e-mail."""
    before = len(mail.outbox)
    assert subscribe(client, email).status_code == 303
    assert len(mail.outbox) == before + 1
    assert client.get(link_in(mail.outbox[-1], "confirm")).status_code == 200
    return Subscriber.objects.get(email__iexact=email)


# --- sign-up and confirmation ---------------------------------------------------------------


def test_it_explains_the_digest_and_shows_the_form(client) -> None:
    r = client.get("/digest/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Monthly recap. No spam." in html
    assert 'action="/digest/subscribe/"' in html and '<label for="id_email">' in html
    assert 'href="/pulse/"' in html
    doc = client.get("/digest/?format=json").json()
    assert doc["frequency"] == "monthly" and doc["subscribe"]["action"] == "/digest/subscribe/"
    # Without JavaScript, a GET of the form's address leads to the page.
    r = client.get("/digest/subscribe/")
    assert r.status_code == 302 and r["Location"] == "/digest/"


def test_it_confirms_a_subscription_through_the_emailed_link(client) -> None:
    r = subscribe(client, "ada@example.org")
    assert r.status_code == 303 and r["Location"] == "/digest/check-your-inbox/"
    sub = Subscriber.objects.get()
    assert (sub.email, sub.status, sub.confirm_sent_at is not None) == (
        "ada@example.org",
        "pending",
        True,
    )
    assert client.get(r["Location"]).status_code == 200
    [sent] = mail.outbox
    assert sent.to == ["ada@example.org"] and "Confirm" in sent.subject
    path = link_in(sent, "confirm")
    # The token is signed, not the stored key itself.
    assert sub.confirm_key in path and path != f"/digest/confirm/{sub.confirm_key}/"
    r = client.get(path)
    assert r.status_code == 200 and b"You are subscribed" in r.content
    assert b'name="robots" content="noindex"' in r.content
    # The token stays out of the canonical address.
    assert b'<link rel="canonical" href="https://runlocal.example/digest/">' in r.content
    assert b'<meta property="og:url" content="https://runlocal.example/digest/">' in r.content
    sub.refresh_from_db()
    assert sub.status == "confirmed" and sub.confirmed_at is not None
    # Following it again changes nothing.
    assert client.get(path).status_code == 200
    assert Subscriber.objects.get().confirmed_at == sub.confirmed_at


def test_it_answers_the_same_whatever_the_address_state(client, settings) -> None:
    def answer(email: str) -> tuple[int, str]:
        r = subscribe(client, email)
        return r.status_code, r["Location"]

    new = answer("ada@example.org")
    assert len(mail.outbox) == 1
    # Pending and asked again soon: same answer, no second e-mail.
    assert answer("ada@example.org") == new
    assert answer("ADA@Example.ORG") == new
    assert len(mail.outbox) == 1 and Subscriber.objects.count() == 1
    # Pending, and the last e-mail is old enough: a new one, with the same working link.
    Subscriber.objects.update(confirm_attempted_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert answer("ada@example.org") == new
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["ada@example.org"]
    # The first e-mail's link still works.
    assert client.get(link_in(mail.outbox[0], "confirm")).status_code == 200
    # Confirmed: same answer, nothing sent.
    assert answer("Ada@example.org") == new
    assert len(mail.outbox) == 2
    assert Subscriber.objects.get().status == "confirmed"


def test_it_unsubscribes_only_on_post(client) -> None:
    sub = confirmed(client, "ada@example.org")
    path = f"/digest/unsubscribe/{tokens.unsubscribe_token(sub.unsubscribe_key)}/"
    r = client.get(path)  # what a mail scanner's prefetch does
    assert r.status_code == 200
    assert b'<button type="submit">Unsubscribe</button>' in r.content
    assert b"a**@example.org" in r.content and b"ada@example.org" not in r.content
    client.head(path)
    assert Subscriber.objects.get().status == "confirmed"
    r = client.post(path)
    assert r.status_code == 200 and b"gets no more digests" in r.content
    sub.refresh_from_db()
    assert sub.status == "unsubscribed" and sub.unsubscribed_at is not None
    assert client.post(path).status_code == 200  # twice is fine
    # RFC 8058 one-click: a POST from the mail provider, without cookie or CSRF token.
    again = confirmed(client, "ada@example.org")
    assert again.pk == sub.pk and again.status == "confirmed"
    r = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"


def test_it_asks_for_a_new_confirmation_after_an_unsubscribe(client) -> None:
    sub = confirmed(client, "ada@example.org")
    old_confirm = link_in(mail.outbox[-1], "confirm")
    client.post(f"/digest/unsubscribe/{tokens.unsubscribe_token(sub.unsubscribe_key)}/")
    # The old confirm link does not put the address back on the list.
    assert client.get(old_confirm).status_code == 404
    assert Subscriber.objects.get().status == "unsubscribed"
    assert subscribe(client, "ada@example.org").status_code == 303
    assert Subscriber.objects.get().status == "pending"
    assert client.get(link_in(mail.outbox[-1], "confirm")).status_code == 200
    assert Subscriber.objects.get().status == "confirmed"


def test_it_refuses_forged_and_expired_links(client, monkeypatch) -> None:
    subscribe(client, "ada@example.org")
    path = link_in(mail.outbox[-1], "confirm")
    sub = Subscriber.objects.get()
    for bad in (
        f"/digest/confirm/{sub.confirm_key}/",  # the key without its signature
        path[:-5] + "AAAA/",
        "/digest/confirm/nonsense/",
        f"/digest/unsubscribe/{sub.unsubscribe_key}/",
        f"/digest/unsubscribe/{tokens.confirm_token(sub.unsubscribe_key)}/",  # wrong salt
    ):
        r = client.get(bad)
        assert r.status_code == 404, bad
        assert b"not valid" in r.content
    monkeypatch.setattr(tokens, "CONFIRM_MAX_AGE", dt.timedelta(seconds=-1))
    r = client.get(path)
    assert r.status_code == 410 and b"Sign up again" in r.content
    assert Subscriber.objects.get().status == "pending"


def test_it_shows_inline_errors_and_rate_limits_sign_ups(client) -> None:
    r = subscribe(client, "not an address")
    assert r.status_code == 400
    html = r.content.decode()
    assert 'aria-invalid="true"' in html and 'id="id_email_error"' in html
    assert Subscriber.objects.count() == 0 and not mail.outbox
    for i in range(4):
        assert subscribe(client, f"reader{i}@example.org").status_code == 303
    r = subscribe(client, "one-too-many@example.org")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert b"Please wait about" in r.content and b"one-too-many@example.org" in r.content
    assert Subscriber.objects.count() == 4
    assert subscribe(client, "x@example.org", REMOTE_ADDR="198.51.100.9").status_code == 303


# --- failed sends ---------------------------------------------------------------------------


def test_it_keeps_the_subscriber_when_sending_fails_and_resends_later(
    client, failing, settings
) -> None:
    r = subscribe(client, "ada@example.org")
    assert r.status_code == 303 and r["Location"] == "/digest/check-your-inbox/"  # same answer
    assert failing.calls == 3  # three tries
    sub = Subscriber.objects.get()
    assert sub.status == "pending" and sub.confirm_sent_at is None and sub.confirm_tries == 3
    assert "SMTPServerDisconnected" in sub.last_error and "after 3 tries" in sub.last_error
    assert not mail.outbox
    # Still down: the command says so and the row stays.
    out = StringIO()
    with pytest.raises(CommandError, match="1 confirmation"):
        call_command("resend_confirmations", "--wait-minutes", "0", stdout=out)
    assert "Resent 0 confirmation(s); 1 failed." in out.getvalue()
    # The server is back.
    failing.failures = 0
    out = StringIO()
    call_command("resend_confirmations", "--wait-minutes", "0", stdout=out)
    assert "Resent 1 confirmation(s); 0 failed." in out.getvalue()
    sub.refresh_from_db()
    assert sub.last_error == "" and sub.confirm_sent_at is not None
    assert client.get(link_in(mail.outbox[-1], "confirm")).status_code == 200
    assert Subscriber.objects.get().status == "confirmed"
    # Nothing left to resend.
    out = StringIO()
    call_command("resend_confirmations", "--wait-minutes", "0", stdout=out)
    assert "Resent 0 confirmation(s); 0 failed." in out.getvalue()


def test_it_retries_a_flaky_send_until_it_goes_through(client, failing) -> None:
    failing.failures = 2
    subscribe(client, "ada@example.org")
    assert failing.calls == 3 and len(mail.outbox) == 1
    sub = Subscriber.objects.get()
    assert sub.last_error == "" and sub.confirm_tries == 3


# --- the digest itself ----------------------------------------------------------------------


def change(day: int, kind: str, eid: str, name: str, action: str, fields=(), month: int = 3):
    return Change.objects.create(
        at=dt.datetime(2026, month, day, 12, 0, tzinfo=dt.UTC),
        kind=kind,
        entity_id=eid,
        name=name,
        action=action,
        fields=list(fields),
    )


@pytest.fixture
def march() -> None:
    """March 2026 in Pulse, plus changes just outside it."""
    change(2, "models", "testllama-8b", "TestLlama 8B", "added")
    change(3, "hardware", "testgpu-24gb", "TestGPU 24GB", "added")
    change(3, "hardware", "testgpu-24gb", "TestGPU 24GB", "updated", ["bandwidth_gb_s"])
    change(4, "models", "testllama-70b", "TestLlama 70B", "updated", ["verdict"])
    change(20, "models", "testllama-70b", "TestLlama 70B", "updated", ["files", "verdict"])
    change(5, "glossary", "kv-cache", "KV cache & <friends>", "added")
    change(6, "errors", "old-error", "Old error", "deleted")
    change(7, "models", "flash-in-the-pan", "Gone Again", "added")
    change(8, "models", "flash-in-the-pan", "Gone Again", "deleted")
    change(28, "models", "april-model", "April Model", "added", month=4)
    Change.objects.create(
        at=dt.datetime(2026, 2, 28, 23, 59, tzinfo=dt.UTC),
        kind="models",
        entity_id="february-model",
        name="February Model",
        action="added",
    )


def test_it_prints_the_month_grouped_by_kind_without_sending(march) -> None:
    out = StringIO()
    call_command("digest", "--month", "2026-03", stdout=out)
    text = out.getvalue()
    assert "Subject: runlocal monthly digest: March 2026" in text
    assert "1 new model, 1 new hardware entry, 1 other new entry, 1 update and 1 removal" in text
    sections = [
        line
        for line in text.splitlines()
        if line in ("New models", "New hardware", "Also new", "Updated", "Removed")
    ]
    assert sections == ["New models", "New hardware", "Also new", "Updated", "Removed"]
    # No catalog synced: the new entries are dated by the log's first "added".
    assert (
        "- TestLlama 8B, added 2 March 2026\n  https://runlocal.example/models/testllama-8b/"
        in text
    )
    assert (
        "- TestGPU 24GB, added 3 March 2026\n  https://runlocal.example/hardware/testgpu-24gb/"
        in text
    )
    assert "- KV cache & <friends> (Glossary term), added 5 March" in text  # not HTML-escaped
    assert "- TestLlama 70B (Model): files, verdict" in text
    assert "- Old error (Error)\n" in text
    for absent in ("Gone Again", "April Model", "February Model"):
        assert absent not in text
    assert "/digest/unsubscribe/" in text
    assert not mail.outbox and not DigestIssue.objects.exists()
    html = StringIO()
    call_command("digest", "--month", "2026-03", "--html", stdout=html)
    assert '<a href="https://runlocal.example/models/testllama-8b/"' in html.getvalue()
    assert "KV cache &amp; &lt;friends&gt;" in html.getvalue()


def test_it_sends_to_confirmed_subscribers_only_each_with_their_unsubscribe_link(
    client, march
) -> None:
    ada = confirmed(client, "ada@example.org")
    bob = confirmed(client, "bob@example.org")
    subscribe(client, "pending@example.org")
    gone = confirmed(client, "gone@example.org")
    client.post(f"/digest/unsubscribe/{tokens.unsubscribe_token(gone.unsubscribe_key)}/")
    mail.outbox.clear()

    out = StringIO()
    call_command("digest", "--month", "2026-03", "--send", stdout=out)
    assert "to 2 subscriber(s); 0 failed" in out.getvalue()
    assert "Not sent to 1 pending and 1 unsubscribed" in out.getvalue()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["ada@example.org", "bob@example.org"]
    for sub in (ada, bob):
        m = by_address[sub.email]
        assert m.subject == "runlocal monthly digest: March 2026"
        path = link_in(m, "unsubscribe")
        assert path == f"/digest/unsubscribe/{tokens.unsubscribe_token(sub.unsubscribe_key)}/"
        assert m.extra_headers["List-Unsubscribe"] == f"<{SITE}{path}>"
        assert m.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "https://runlocal.example/models/testllama-8b/" in m.body
    issue = DigestIssue.objects.get()
    assert (issue.month, issue.recipients, issue.failed) == ("2026-03", 2, 0)
    assert issue.sent_at is not None
    assert DigestDelivery.objects.filter(sent_at__isnull=False).count() == 2

    # The link in the digest works.
    client.post(link_in(by_address["bob@example.org"], "unsubscribe"))
    assert Subscriber.objects.get(pk=bob.pk).status == "unsubscribed"

    # Not twice, unless forced.
    out = StringIO()
    call_command("digest", "--month", "2026-03", "--send", stdout=out)
    assert "already sent" in out.getvalue() and len(mail.outbox) == 2
    call_command("digest", "--month", "2026-03", "--send", "--force", stdout=StringIO())
    assert [m.to for m in mail.outbox[2:]] == [["ada@example.org"]]
    assert DigestIssue.objects.get().recipients == 1


def test_it_resumes_a_send_where_deliveries_failed(client, march, settings) -> None:
    confirmed(client, "ada@example.org")
    confirmed(client, "bob@example.org")
    mail.outbox.clear()
    settings.EMAIL_BACKEND = f"{THIS_FILE}.FailingBackend"
    FailingBackend.calls, FailingBackend.failures = 0, 3  # ada's three tries fail
    out = StringIO()
    with pytest.raises(CommandError, match="1 e-mail"):
        call_command("digest", "--month", "2026-03", "--send", stdout=out)
    assert "to 1 subscriber(s); 1 failed" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    issue = DigestIssue.objects.get()
    assert issue.sent_at is None and issue.failed == 1
    failed = DigestDelivery.objects.get(sent_at__isnull=True)
    assert failed.email == "ada@example.org" and "SMTPServerDisconnected" in failed.error
    # Run again: only ada gets it now.
    call_command("digest", "--month", "2026-03", "--send", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["bob@example.org"], ["ada@example.org"]]
    issue.refresh_from_db()
    assert issue.sent_at is not None and issue.recipients == 2 and issue.failed == 0


def test_a_digest_whose_record_failed_is_never_sent_again(client, march, monkeypatch) -> None:
    """The run stops between a send and its record (the database went away): the next run
    does not send that reader a second copy."""
    from django.db import OperationalError

    from runlocal_web.community import mail as mail_mod

    confirmed(client, "ada@example.org")
    mail.outbox.clear()
    real = mail_mod.send_with_retry

    def sent_then_database_gone(*args: Any, **kwargs: Any) -> int:
        real(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(mail_mod, "send_with_retry", sent_then_database_gone)
    with pytest.raises(OperationalError):
        call_command("digest", "--month", "2026-03", "--send", stdout=StringIO())
    monkeypatch.undo()
    assert len(mail.outbox) == 1
    out = StringIO()
    call_command("digest", "--month", "2026-03", "--send", stdout=out)
    assert len(mail.outbox) == 1 and "1 already had it" in out.getvalue()


def test_it_does_not_send_an_empty_or_unfinished_month(client) -> None:
    confirmed(client, "ada@example.org")
    mail.outbox.clear()
    out = StringIO()
    call_command("digest", "--month", "2025-01", "--send", stdout=out)
    assert "No catalog changes in 2025-01: nothing to send." in out.getvalue()
    with pytest.raises(CommandError, match="is not over yet"):
        call_command("digest", "--month", "2999-01", "--send", stdout=StringIO())
    assert not mail.outbox and not DigestIssue.objects.exists()


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March", "2026-00", "", "26-03"])
def test_it_rejects_a_bad_month_with_exit_code_2(month: str) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("digest", "--month", month, stdout=StringIO())
    assert exc.value.returncode == 2
    assert "expected a month as YYYY-MM" in str(exc.value) and "\n" not in str(exc.value)


def test_it_needs_site_url_to_send(settings) -> None:
    settings.SITE_URL = ""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="SITE_URL is not set") as exc:
        call_command("digest", "--month", "2026-03", "--send", stdout=StringIO())
    assert exc.value.returncode == 2


def test_the_cli_prints_one_line_and_exits_2_on_a_bad_month(tmp_path: Path) -> None:
    src = Path(runlocal_web.__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="runlocal_web.settings",
        RUNLOCAL_DATA_DIR=str(tmp_path / "data"),
        SECRET_KEY="tests-only",
        PYTHONPATH=os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "runlocal.cli", "digest", "--month", "2026-13", "--send"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--month '2026-13': expected a month as YYYY-MM" in lines[0]


def test_it_lets_editors_look_after_the_list_in_the_admin(client, admin_client, march) -> None:
    ada = confirmed(client, "ada@example.org")
    subscribe(client, "pending@example.org")
    call_command("digest", "--month", "2026-03", "--send", stdout=StringIO())
    r = admin_client.get("/admin/community/subscriber/?status__exact=confirmed")
    assert r.status_code == 200 and r.context["cl"].result_count == 1
    html = admin_client.get(f"/admin/community/subscriber/{ada.pk}/change/").content.decode()
    assert ada.confirm_key not in html and ada.unsubscribe_key not in html
    assert (
        admin_client.get("/admin/community/subscriber/?q=pending").context["cl"].result_count == 1
    )
    mail.outbox.clear()
    pending = Subscriber.objects.get(status="pending")
    admin_client.post(
        "/admin/community/subscriber/",
        {"action": "resend_confirmation", "_selected_action": [pending.pk, ada.pk]},
    )
    assert [m.to for m in mail.outbox] == [["pending@example.org"]]  # pending ones only
    admin_client.post(
        "/admin/community/subscriber/", {"action": "unsubscribe", "_selected_action": [ada.pk]}
    )
    assert Subscriber.objects.get(pk=ada.pk).status == "unsubscribed"
    issue = DigestIssue.objects.get()
    r = admin_client.get(f"/admin/community/digestissue/{issue.pk}/change/")
    assert r.status_code == 200 and b"ada@example.org" in r.content
    r = admin_client.get(f"/admin/community/digestdelivery/?issue__id__exact={issue.pk}")
    assert r.status_code == 200 and r.context["cl"].result_count == 1


def test_the_footer_signs_up_in_one_post_from_this_sites_pages(db) -> None:
    """Every page's footer posts the address (not in a URL); pages are cached for everyone, so
    the proof that the form is ours is the browser naming this site as the sender."""
    html = Client().get("/digest/").content.decode()
    assert '<form method="post" action="/digest/subscribe/">' in html
    strict = Client(enforce_csrf_checks=True)
    ours = strict.post(
        "/digest/subscribe/", {"email": "footer@example.org"}, HTTP_ORIGIN="http://testserver"
    )
    assert ours.status_code == 303 and ours["Location"].endswith("/digest/check-your-inbox/")
    assert Subscriber.objects.filter(email="footer@example.org").exists()
    fetch = strict.post(
        "/digest/subscribe/", {"email": "f2@example.org"}, HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert fetch.status_code == 303


def test_the_footer_form_refuses_other_sites_and_unproven_posts(db) -> None:
    strict = Client(enforce_csrf_checks=True)
    other = strict.post(
        "/digest/subscribe/", {"email": "x@example.org"}, HTTP_ORIGIN="https://evil.example"
    )
    assert other.status_code == 403
    assert strict.post("/digest/subscribe/", {"email": "y@example.org"}).status_code == 403
    assert not Subscriber.objects.filter(email__in=["x@example.org", "y@example.org"]).exists()


@pytest.fixture
def dated(catalog_dir: Path, db) -> Path:
    """Records that carry their own `added` dates, synced (the sync log dates them by
    last_verified, 15 January, so only the records' dates can make them news in March)."""
    factory.tiny_catalog(catalog_dir)
    factory.model(catalog_dir, added=dt.date(2026, 3, 2))
    factory.model(
        catalog_dir,
        "testllama-70b",
        name="TestLlama 70B",
        architecture=dict(factory.LLAMA_70B_ARCH),
        files=[],
        added=dt.date(2026, 3, 20),
    )
    factory.hardware(catalog_dir, added=dt.date(2026, 2, 10))
    factory.glossary(catalog_dir, added=dt.date(2026, 3, 5))
    factory.sync()
    return catalog_dir


def test_the_digest_announces_what_the_catalog_says_was_added_that_month(dated) -> None:
    out = StringIO()
    call_command("digest", "--month", "2026-03", stdout=out)
    text = out.getvalue()
    assert "2 new models and 1 other new entry" in text
    # Newest first, each linked to its page, with the record's own date.
    assert text.index("- TestLlama 70B, added 20 March 2026") < text.index(
        "- TestLlama 8B, added 2 March 2026"
    )
    assert "https://runlocal.example/models/testllama-70b/" in text
    assert "- KV cache (Glossary term), added 5 March 2026" in text
    assert "TestGPU 24GB" not in text  # added in February
    assert "TestMac" not in text  # no `added` date and no log entry in March


def test_the_digest_reaches_back_to_the_previous_issue(dated) -> None:
    DigestIssue.objects.create(
        month="2026-01",
        subject="runlocal monthly digest: January 2026",
        sent_at=dt.datetime.now(dt.UTC),
    )
    out = StringIO()
    call_command("digest", "--month", "2026-03", stdout=out)
    text = out.getvalue()
    assert "1 February 2026 to 31 March 2026" in text
    assert "- TestGPU 24GB, added 10 February 2026" in text
