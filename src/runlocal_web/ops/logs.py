"""A logging filter that blanks secrets (the secret key, database, cache and e-mail passwords,
passwords in URLs) and e-mail addresses given as `email=` (the footer's digest box sends one in
a query string) out of every record before it is written, tracebacks included."""

from __future__ import annotations

import logging
import re

_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?=@)", re.I)
_KEY_VALUE = re.compile(
    r"(?P<head>\b(?:password|passwd|secret_key|secret|token|api_key|email)\b\s*[=:]\s*['\"]?)"
    r"[^'\"\s&,;]+",
    re.I,
)
REDACTED = "********"


def _secrets() -> list[str]:
    try:
        from django.conf import settings

        if not settings.configured:
            return []
        values = [getattr(settings, "SECRET_KEY", ""), getattr(settings, "EMAIL_HOST_PASSWORD", "")]
        values += [db.get("PASSWORD", "") for db in settings.DATABASES.values()]
    except Exception:  # logging must never fail
        return []
    return sorted({v for v in values if isinstance(v, str) and len(v) >= 4}, key=len, reverse=True)


def redact(text: str) -> str:
    for secret in _secrets():
        text = text.replace(secret, REDACTED)
    text = _URL_PASSWORD.sub(lambda m: m["head"] + REDACTED, text)
    return _KEY_VALUE.sub(lambda m: m["head"] + REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
