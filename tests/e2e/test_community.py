"""The contact form and the digest's double opt-in, in a real browser.

The digest test runs a real SMTP server (aiosmtpd) on a free local port and points Django's
SMTP backend at it: the confirmation e-mail goes over the wire, and its link is followed in
the browser like a reader would.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from runlocal_web.community.models import ContactMessage, Subscriber


class Inbox:
    """What the SMTP server received: aiosmtpd calls handle_DATA on its own thread."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"{len(self.messages)} message(s) arrived"
        return self.messages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """A local SMTP server, and the site's mail settings pointing at it."""
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    box = Inbox()
    port = _free_port()
    controller = controller_mod.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "runlocal <digest@runlocal.test>"
    settings.COMMUNITY_MAIL_RETRY_DELAYS = ()  # one try: a failure shows at once
    settings.SITE_URL = ""  # links in the e-mail point at the live server
    try:
        yield box
    finally:
        controller.stop()


def _text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def test_it_subscribes_confirms_and_unsubscribes_through_the_email_link(
    site: str, page: Any, inbox: Inbox
) -> None:
    address = "reader@example.org"
    page.goto(site + "/digest/")
    # The digest page's own form (the footer's form is being reworked separately).
    form = page.locator("main form.community-form")
    form.locator("input[name=email]").fill(address)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/digest/check-your-inbox/$"))
    assert "Check your inbox" in page.inner_text("h1")
    sub = Subscriber.objects.get(email=address)
    assert sub.status == Subscriber.PENDING

    (message,) = inbox.wait_for(1)
    assert inbox.envelopes[0] == ("digest@runlocal.test", [address])
    assert message["To"] == address
    assert message["Subject"] == "Confirm your runlocal monthly digest"
    text = _text_part(message)
    links = re.findall(r"https?://\S+/digest/confirm/\S+/", text)
    assert len(links) == 1, text
    link = links[0]
    assert link.startswith(site)  # built from the request: the live server's address
    assert link in _html_part(message)  # the HTML part carries the same link

    page.goto(link)
    assert page.inner_text("h1") == "You are subscribed"
    assert "r*****@example.org will get the runlocal monthly digest" in page.inner_text(".notice")
    sub.refresh_from_db()
    assert sub.status == Subscriber.CONFIRMED and sub.confirmed_at is not None
    # Following the link again changes nothing and still says so.
    page.goto(link)
    assert page.inner_text("h1") == "You are subscribed"

    # Unsubscribe: the link asks first (mail scanners prefetch links), the button does it.
    page.goto(link)
    page.get_by_role("link", name="Unsubscribe").click()
    page.wait_for_selector("h1:has-text('Unsubscribe from the monthly digest?')")
    sub.refresh_from_db()
    assert sub.status == Subscriber.CONFIRMED
    page.locator("main form.community-form button[type=submit]").click()
    page.wait_for_selector("h1:text-is('Unsubscribed')")
    assert "gets no more digests" in page.inner_text(".notice")
    sub.refresh_from_db()
    assert sub.status == Subscriber.UNSUBSCRIBED
    assert len(inbox.messages) == 1  # no other mail was sent on the way


def test_it_shows_a_bad_address_inline_and_sends_nothing(
    site: str, page: Any, inbox: Inbox
) -> None:
    page.goto(site + "/digest/")
    form = page.locator("main form.community-form")
    # Browsers check type=email themselves; this address (no top-level domain) passes them
    # and fails the server's check.
    form.locator("input[name=email]").fill("reader@example")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("main .has-error")
    assert page.locator("main .errorlist").count() >= 1
    assert page.input_value("main form.community-form input[name=email]") == "reader@example"
    assert not Subscriber.objects.exists()
    assert inbox.messages == []


def test_it_stores_a_message_sent_through_the_contact_form(site: str, page: Any) -> None:
    page.goto(site + "/contact/")
    page.fill("#id_name", "Ada Reader")
    page.fill("#id_email", "ada@example.org")
    page.select_option("#id_topic", "correction")
    page.fill("#id_message", "The bandwidth of TestGPU 24GB should be 1008 GB/s, not 1000.")
    page.fill("#id_page_url", "/hardware/testgpu-24gb/")
    page.click("main form.community-form button[type=submit]")
    page.wait_for_url(re.compile(r"/contact/thanks/$"))
    assert page.inner_text("h1") == "Thank you"
    (stored,) = ContactMessage.objects.all()
    assert (stored.name, stored.email, stored.topic) == (
        "Ada Reader",
        "ada@example.org",
        "correction",
    )
    assert stored.message.startswith("The bandwidth of TestGPU 24GB")
    assert stored.page_url == "/hardware/testgpu-24gb/"


def test_the_contact_form_keeps_the_text_when_it_needs_fixing(site: str, page: Any) -> None:
    page.goto(site + "/contact/")
    page.fill("#id_name", "Ada Reader")
    page.fill("#id_email", "ada@example")  # passes the browser's check, not the server's
    page.select_option("#id_topic", "question")
    page.fill("#id_message", "Does TestLlama 70B run on two TestGPU 24GB cards?")
    page.click("main form.community-form button[type=submit]")
    page.wait_for_selector("main .has-error")
    assert "/contact/" in page.url and "thanks" not in page.url
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert page.input_value("#id_message") == "Does TestLlama 70B run on two TestGPU 24GB cards?"
    assert page.input_value("#id_topic") == "question"
    assert not ContactMessage.objects.exists()
