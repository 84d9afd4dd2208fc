"""Sending e-mail: a few tries with a pause between them, then a SendFailed the caller
records. Messages are built from templates in templates/community/email/ (text and HTML)."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

# Seconds to wait before the 2nd and 3rd try: three tries in all. The SMTP backend's own
# EMAIL_TIMEOUT bounds each try, so a web request waits at most about 3 × timeout + 2.5 s.
DEFAULT_RETRY_DELAYS = (0.5, 2.0)
# Failures worth another try: refused or dropped connections, timeouts, SMTP errors.
SEND_ERRORS = (smtplib.SMTPException, OSError)
sleep = time.sleep


class SendFailed(Exception):
    def __init__(self, tries: int, error: BaseException) -> None:
        self.tries = tries
        self.error = error
        super().__init__(f"{describe(error)} (after {tries} tr{'y' if tries == 1 else 'ies'})")


def describe(error: BaseException) -> str:
    text = str(error).strip()
    name = error.__class__.__name__
    return (f"{name}: {text}" if text else name)[:500]


def retry_delays() -> tuple[float, ...]:
    return tuple(getattr(settings, "COMMUNITY_MAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def send_with_retry(
    message: EmailMultiAlternatives,
    connection: BaseEmailBackend | None = None,
    label: str = "a reader",
) -> int:
    """Send one message; returns the number of tries it took, or raises SendFailed.

    With a shared `connection` (the digest's many messages), a failed try closes it so the
    next try starts on a fresh one. Logs name the message by `label` (a row's id), never by
    its address: the log is not the place for a reader's e-mail address.
    """
    delays = retry_delays()
    tries = 0
    while True:
        tries += 1
        try:
            if connection is not None:
                connection.open()
                message.connection = connection
            message.send(fail_silently=False)
            return tries
        except SEND_ERRORS as exc:
            log.warning("e-mail to %s failed (try %d): %s", label, tries, describe(exc))
            if connection is not None:
                with contextlib.suppress(*SEND_ERRORS):
                    connection.close()
            if tries > len(delays):
                raise SendFailed(tries, exc) from exc
            sleep(delays[tries - 1])


def build(
    template: str,
    context: dict[str, Any],
    to: str,
    subject: str,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """templates/community/email/<template>.txt and .html as one multipart message."""
    text = render_to_string(f"community/email/{template}.txt", context)
    html = render_to_string(f"community/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message
