"""E-mail settings from the environment, as strictly as the rest of settings.py.

`email_settings(debug)` returns Django's EMAIL_* settings; settings.py assigns them. It lives
here rather than inline so it can be tested with a plain dict as the environment.

Either EMAIL_URL (one line: scheme, credentials, host, port) or the EMAIL_HOST family, never
both. With neither, DEBUG prints mail to the console and production hands it to an SMTP
server on localhost:25.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

from runlocal_web.env import Env, envbool, envint, envsecret, envstr

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM = "runlocal <noreply@localhost>"
DEFAULT_TIMEOUT_S = 5
# scheme → (use STARTTLS, use implicit TLS, default port)
SMTP_SCHEMES = {
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "smtps": (False, True, 465),
}
OTHER_SCHEMES = {"console": CONSOLE_BACKEND, "dummy": DUMMY_BACKEND}
HOST_VARIABLES = ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS")


def email_settings(debug: bool, env: Env | None = None) -> dict[str, Any]:
    url = envstr("EMAIL_URL", env=env)
    password = envsecret("EMAIL_HOST_PASSWORD", env=env)
    timeout = envint("EMAIL_TIMEOUT", DEFAULT_TIMEOUT_S, minimum=1, maximum=300, env=env)
    sender = from_address(envstr("DEFAULT_FROM_EMAIL", DEFAULT_FROM, env=env))
    out: dict[str, Any] = {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "localhost",
        "EMAIL_PORT": 25,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": password or "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": timeout,
        "DEFAULT_FROM_EMAIL": sender,
        "SERVER_EMAIL": sender,
    }
    if url:
        clash = [name for name in HOST_VARIABLES if envstr(name, env=env)]
        if clash:
            raise ImproperlyConfigured(
                f"EMAIL_URL and {clash[0]} are both set: use EMAIL_URL or the EMAIL_HOST "
                "variables, not both"
            )
        out.update(parse_email_url(url, password_given=password is not None))
        return out
    host = envstr("EMAIL_HOST", env=env)
    if not host:
        if debug:
            out["EMAIL_BACKEND"] = CONSOLE_BACKEND
        return out
    use_tls = envbool("EMAIL_USE_TLS", False, env=env)
    out.update(
        EMAIL_HOST=host,
        EMAIL_PORT=envint("EMAIL_PORT", 587 if use_tls else 25, minimum=1, maximum=65535, env=env),
        EMAIL_HOST_USER=envstr("EMAIL_HOST_USER", env=env),
        EMAIL_USE_TLS=use_tls,
    )
    return out


def parse_email_url(url: str, *, password_given: bool = False) -> dict[str, Any]:
    """smtp+tls://user:password@mail.example:587 → the EMAIL_* settings it stands for."""
    name = "EMAIL_URL"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme in OTHER_SCHEMES:
        return {"EMAIL_BACKEND": OTHER_SCHEMES[scheme]}
    if scheme not in SMTP_SCHEMES:
        known = ", ".join(f"{s}://" for s in (*SMTP_SCHEMES, *OTHER_SCHEMES))
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {scheme or '(none)'!r}; use one of {known}"
        )
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name}: the URL names no host (smtp://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{name}: expected nothing after host:port")
    if parts.password is not None and password_given:
        raise ImproperlyConfigured(
            f"{name} carries a password and EMAIL_HOST_PASSWORD(_FILE) is set: use one"
        )
    use_tls, use_ssl, default_port = SMTP_SCHEMES[scheme]
    out: dict[str, Any] = {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": unquote(parts.hostname),
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
    if parts.password is not None:
        out["EMAIL_HOST_PASSWORD"] = unquote(parts.password)
    return out


def from_address(value: str, name: str = "DEFAULT_FROM_EMAIL") -> str:
    """'runlocal <digest@example.org>' or a bare address; anything else stops start-up."""
    if "\n" in value or "\r" in value:
        raise ImproperlyConfigured(f"{name}: must be one line")
    _display, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError:
        raise ImproperlyConfigured(
            f"{name}={value!r}: expected an address such as runlocal <digest@example.org>"
        ) from None
    return value
