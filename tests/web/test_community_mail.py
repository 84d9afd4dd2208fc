"""E-mail settings from the environment, and one confirmation through a real SMTP server."""

from __future__ import annotations

import re
import runpy
import socket
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

import runlocal_web.settings
from runlocal_web.community import mailconfig
from runlocal_web.community.mailconfig import email_settings
from runlocal_web.community.models import Subscriber

EMAIL_VARIABLES = (
    "EMAIL_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_HOST_PASSWORD_FILE",
    "EMAIL_USE_TLS",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
)
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_it_prints_mail_in_debug_and_uses_local_smtp_otherwise() -> None:
    assert email_settings(True, env={})["EMAIL_BACKEND"].endswith("console.EmailBackend")
    s = email_settings(False, env={})
    assert (s["EMAIL_BACKEND"], s["EMAIL_HOST"], s["EMAIL_PORT"]) == (SMTP, "localhost", 25)
    assert s["EMAIL_TIMEOUT"] == 5 and s["DEFAULT_FROM_EMAIL"] == "runlocal <noreply@localhost>"


def test_it_reads_an_email_url() -> None:
    s = email_settings(True, env={"EMAIL_URL": "smtp+tls://digest%40x.org:p%40ss@mail.x.org"})
    assert {k: s[k] for k in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS")} == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.x.org",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
    }
    assert (s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"]) == ("digest@x.org", "p@ss")
    s = email_settings(False, env={"EMAIL_URL": "smtps://mail.x.org"})
    assert (s["EMAIL_PORT"], s["EMAIL_USE_SSL"], s["EMAIL_USE_TLS"]) == (465, True, False)
    assert email_settings(False, env={"EMAIL_URL": "smtp://127.0.0.1:2525"})["EMAIL_PORT"] == 2525
    s = email_settings(False, env={"EMAIL_URL": "console://"})
    assert s["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_it_reads_the_host_variables_and_a_password_file(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("from-a-file\n")
    s = email_settings(
        False,
        env={
            "EMAIL_HOST": "mail.x.org",
            "EMAIL_USE_TLS": "true",
            "EMAIL_HOST_USER": "digest",
            "EMAIL_HOST_PASSWORD_FILE": str(secret),
            "EMAIL_TIMEOUT": "20",
            "DEFAULT_FROM_EMAIL": "runlocal digest <digest@x.org>",
        },
    )
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"], s["EMAIL_USE_TLS"]) == ("mail.x.org", 587, True)
    assert (s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"]) == ("digest", "from-a-file")
    assert s["EMAIL_TIMEOUT"] == 20 and s["SERVER_EMAIL"] == "runlocal digest <digest@x.org>"
    # The URL can leave its password to the _FILE variable.
    s = email_settings(
        False,
        env={"EMAIL_URL": "smtp://digest@mail.x.org", "EMAIL_HOST_PASSWORD_FILE": str(secret)},
    )
    assert s["EMAIL_HOST_PASSWORD"] == "from-a-file"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_URL": "http://mail.x.org"}, "EMAIL_URL: unsupported scheme 'http'"),
        ({"EMAIL_URL": "mail.x.org"}, "EMAIL_URL: unsupported scheme '(none)'"),
        ({"EMAIL_URL": "smtp://"}, "EMAIL_URL: the URL names no host"),
        ({"EMAIL_URL": "smtp://h:99999"}, "EMAIL_URL: not a valid URL"),
        ({"EMAIL_URL": "smtp://h?tls=1"}, "EMAIL_URL: expected nothing after host:port"),
        ({"EMAIL_URL": "smtp://h", "EMAIL_HOST": "h"}, "EMAIL_URL and EMAIL_HOST are both set"),
        (
            {"EMAIL_URL": "smtp://u:p@h", "EMAIL_HOST_PASSWORD": "p"},
            "EMAIL_URL carries a password and EMAIL_HOST_PASSWORD(_FILE) is set",
        ),
        (
            {"EMAIL_HOST_PASSWORD": "a", "EMAIL_HOST_PASSWORD_FILE": "/x"},
            "EMAIL_HOST_PASSWORD and EMAIL_HOST_PASSWORD_FILE are both set",
        ),
        ({"EMAIL_HOST": "h", "EMAIL_PORT": "smtp"}, "EMAIL_PORT='smtp': expected a whole number"),
        ({"EMAIL_HOST": "h", "EMAIL_PORT": "0"}, "EMAIL_PORT=0: must be at least 1"),
        ({"EMAIL_HOST": "h", "EMAIL_USE_TLS": "yes"}, "EMAIL_USE_TLS='yes'"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT=0: must be at least 1"),
        ({"DEFAULT_FROM_EMAIL": "runlocal"}, "DEFAULT_FROM_EMAIL='runlocal': expected an address"),
    ],
)
def test_it_stops_on_a_bad_value_naming_it(env: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as exc:
        email_settings(False, env=env)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_settings_take_the_email_variables_from_the_environment(monkeypatch) -> None:
    for name in (*EMAIL_VARIABLES, "DATABASE_URL", "REDIS_URL", "SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://u:pw@mail.x.org:2587")
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "digest@x.org")
    s = runpy.run_path(runlocal_web.settings.__file__)
    assert (s["EMAIL_BACKEND"], s["EMAIL_HOST"], s["EMAIL_PORT"]) == (SMTP, "mail.x.org", 2587)
    assert (s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"], s["EMAIL_USE_TLS"]) == ("u", "pw", True)
    assert s["DEFAULT_FROM_EMAIL"] == "digest@x.org"
    monkeypatch.setenv("EMAIL_PORT", "25")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL and EMAIL_PORT are both set"):
        runpy.run_path(runlocal_web.settings.__file__)


def test_every_email_variable_is_documented() -> None:
    source = Path(mailconfig.__file__).read_text()
    read = set(re.findall(r'env[a-z_]*\("([A-Z_]+)"', source))
    assert read | {"EMAIL_HOST_PASSWORD_FILE"} == set(EMAIL_VARIABLES)
    doc = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    for name in EMAIL_VARIABLES:
        assert f"`{name}`" in doc, name


# --- a real SMTP server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collect:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


@pytest.mark.django_db
def test_it_sends_a_confirmation_through_a_real_smtp_server(client, settings) -> None:
    from aiosmtpd.controller import Controller  # a dev dependency (pyproject.toml)

    cache.clear()
    settings.SITE_URL = "https://runlocal.example"
    handler = Collect()
    port = _free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=15)
    server.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=10,
            DEFAULT_FROM_EMAIL="runlocal <digest@runlocal.example>",
        ):
            r = client.post("/digest/subscribe/", {"email": "ada@example.org"})
        deadline = time.monotonic() + 10
        while not handler.envelopes and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
    assert r.status_code == 303
    [envelope] = handler.envelopes
    assert envelope.mail_from == "digest@runlocal.example"
    assert envelope.rcpt_tos == ["ada@example.org"]
    received = message_from_bytes(envelope.original_content)
    assert received["Subject"] == "Confirm your runlocal monthly digest"
    assert received["To"] == "ada@example.org"
    body = _text_part(received)
    [path] = re.findall(r"https://runlocal\.example(/digest/confirm/\S+/)", body)
    sub = Subscriber.objects.get()
    assert sub.confirm_sent_at is not None and sub.last_error == ""
    assert client.get(path).status_code == 200
    assert Subscriber.objects.get().status == "confirmed"
