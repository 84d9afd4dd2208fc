"""Strict parsing of environment variables for settings.py.

Each helper raises ImproperlyConfigured with one line naming the variable and the value it
accepts, so a typo stops start-up instead of silently falling back to a default. An empty
value counts as unset (`DEBUG=` in a compose file means "use the default").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

Env = Mapping[str, str]


def _get(name: str, env: Env | None) -> str | None:
    value = (os.environ if env is None else env).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def envstr(name: str, default: str = "", env: Env | None = None) -> str:
    value = _get(name, env)
    return default if value is None else value


def envbool(name: str, default: bool, env: Env | None = None) -> bool:
    value = _get(name, env)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected true, false, 1 or 0")


def envint(
    name: str,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
    env: Env | None = None,
) -> int:
    value = _get(name, env)
    if value is None:
        return default
    try:
        number = int(value, 10)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number}: must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number}: must be at most {maximum}")
    return number


def envlist(name: str, default: str = "", env: Env | None = None) -> list[str]:
    """Comma-separated values; blanks around commas are ignored."""
    value = _get(name, env)
    raw = default if value is None else value
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str, env: Env | None = None) -> str | None:
    """NAME, or the contents of the file named by NAME_FILE (for Docker/Kubernetes secrets)."""
    value = _get(name, env)
    path = _get(f"{name}_FILE", env)
    if value is not None and path is not None:
        raise ImproperlyConfigured(f"{name} and {name}_FILE are both set: use one")
    if path is None:
        return value
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise ImproperlyConfigured(f"{name}_FILE={path!r}: cannot read it ({reason})") from None
    if not secret:
        raise ImproperlyConfigured(f"{name}_FILE={path!r}: the file is empty")
    return secret


def envpath(name: str, default: str, env: Env | None = None) -> Path:
    value = _get(name, env)
    return Path(default if value is None else value).expanduser().resolve()


def envurl_origins(name: str, env: Env | None = None) -> list[str]:
    """CSRF_TRUSTED_ORIGINS: each entry must carry its scheme, as Django requires."""
    origins = envlist(name, env=env)
    for origin in origins:
        if not origin.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"{name}: {origin!r} must start with http:// or https://")
    return origins


_PG_SCHEMES = ("postgres", "postgresql", "pgsql")


def parse_database_url(url: str, name: str = "DATABASE_URL") -> dict[str, Any]:
    """postgres://user:password@host:port/dbname?sslmode=require → a Django DATABASES entry."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not a valid URL ({exc})") from None
    if parts.scheme not in _PG_SCHEMES:
        shown = parts.scheme or "(none)"
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {shown!r}; use postgres://user@host:port/dbname "
            "or leave it unset for SQLite"
        )
    db_name = unquote(parts.path.lstrip("/"))
    if not db_name or "/" in db_name:
        raise ImproperlyConfigured(f"{name}: the URL must end with /DATABASE_NAME")
    options = dict(parse_qsl(parts.query, keep_blank_values=False))
    host = options.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db_name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "OPTIONS": options,
    }


_REDIS_SCHEMES = ("redis", "rediss", "unix")


def check_redis_url(url: str, name: str = "REDIS_URL") -> str:
    scheme = urlsplit(url).scheme
    if scheme not in _REDIS_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {scheme or '(none)'!r}; use redis://host:6379/0"
        )
    return url
