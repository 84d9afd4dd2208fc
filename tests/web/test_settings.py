"""Settings come from the environment, strictly: a bad value stops start-up with one line."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import runlocal_web.settings
from runlocal_web.env import (
    check_redis_url,
    envbool,
    envint,
    envlist,
    envsecret,
    envurl_origins,
    parse_database_url,
)

SETTINGS_FILE = runlocal_web.settings.__file__
VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "RUNLOCAL_DATA_DIR",
    "RUNLOCAL_CATALOG_DIR",
    "SITE_URL",
    "DB_CONN_MAX_AGE",
    "DB_CONNECT_TIMEOUT",
    "DB_STATEMENT_TIMEOUT",
    "STATIC_ROOT",
    "SECURE_PROXY_SSL_HEADER",
    "RUNLOCAL_CHECK_CACHE_SECONDS",
    "RUNLOCAL_PAGE_CACHE_SECONDS",
    "RUNLOCAL_REMOTE_MODELS",
    "RUNLOCAL_REMOTE_REDIRECT_HOSTS",
    "RUNLOCAL_REMOTE_TIMEOUT_SECONDS",
    "RUNLOCAL_REMOTE_MAX_BYTES",
    "RUNLOCAL_DRAFTS_DIR",
    "API_TRUSTED_PROXIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
)


def load_settings(monkeypatch, **env: str) -> dict:
    """Execute settings.py afresh under exactly this environment."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("False", False), ("0", False)]
)
def test_it_reads_booleans(raw: str, expected: bool) -> None:
    assert envbool("X", not expected, env={"X": raw}) is expected


@pytest.mark.parametrize("raw", ["yes", "on", "2", "truthy"])
def test_it_rejects_other_booleans(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"X='{raw}': expected true, false, 1 or 0"):
        envbool("X", False, env={"X": raw})


def test_it_treats_empty_as_unset() -> None:
    assert envbool("X", True, env={"X": ""}) is True
    assert envint("X", 7, env={"X": "  "}) == 7


def test_it_reads_integers_within_bounds() -> None:
    assert envint("N", 0, minimum=0, maximum=10, env={"N": "10"}) == 10
    with pytest.raises(ImproperlyConfigured, match="N='ten': expected a whole number"):
        envint("N", 0, env={"N": "ten"})
    with pytest.raises(ImproperlyConfigured, match="N=11: must be at most 10"):
        envint("N", 0, maximum=10, env={"N": "11"})
    with pytest.raises(ImproperlyConfigured, match="N=-1: must be at least 0"):
        envint("N", 0, minimum=0, env={"N": "-1"})


def test_it_reads_lists() -> None:
    assert envlist("H", "a,b", env={}) == ["a", "b"]
    assert envlist("H", env={"H": " x.org , ,y.org "}) == ["x.org", "y.org"]


def test_it_reads_secrets_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "key"
    f.write_text("s3cret\n")
    assert envsecret("K", env={"K_FILE": str(f)}) == "s3cret"
    assert envsecret("K", env={"K": "direct"}) == "direct"
    assert envsecret("K", env={}) is None
    with pytest.raises(ImproperlyConfigured, match="K and K_FILE are both set"):
        envsecret("K", env={"K": "a", "K_FILE": str(f)})
    with pytest.raises(ImproperlyConfigured, match="cannot read it"):
        envsecret("K", env={"K_FILE": str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="the file is empty"):
        envsecret("K", env={"K_FILE": str(tmp_path / "empty")})


def test_it_parses_database_urls() -> None:
    db = parse_database_url("postgres://alice:p%40ss@db.example:6543/runlocal?sslmode=require")
    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "runlocal",
        "USER": "alice",
        "PASSWORD": "p@ss",
        "HOST": "db.example",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }
    assert (
        parse_database_url("postgresql:///runlocal?host=/run/postgresql")["HOST"]
        == "/run/postgresql"
    )
    for bad, message in [
        ("mysql://x/y", "unsupported scheme 'mysql'"),
        ("postgres://host:99999/db", "not a valid URL"),
        ("postgres://host/", "must end with /DATABASE_NAME"),
        ("nonsense", "unsupported scheme '(none)'"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
            parse_database_url(bad)


def test_it_checks_redis_urls_and_origins() -> None:
    assert check_redis_url("redis://127.0.0.1:6379/1") == "redis://127.0.0.1:6379/1"
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL: unsupported scheme 'http'"):
        check_redis_url("http://cache")
    assert envurl_origins("O", env={"O": "https://a.org"}) == ["https://a.org"]
    with pytest.raises(ImproperlyConfigured, match="must start with http:// or https://"):
        envurl_origins("O", env={"O": "a.org"})


def test_it_defaults_to_sqlite_in_the_data_dir(monkeypatch, tmp_path: Path) -> None:
    s = load_settings(monkeypatch, SECRET_KEY="k", RUNLOCAL_DATA_DIR=str(tmp_path))
    assert s["DEBUG"] is False
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["DATABASES"]["default"]["NAME"] == str(tmp_path / "runlocal.sqlite3")
    assert s["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert s["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "testserver"]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in s["MIDDLEWARE"]


def test_it_uses_postgres_and_redis_when_given(monkeypatch) -> None:
    s = load_settings(
        monkeypatch,
        SECRET_KEY="k",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="runlocal.example",
        CSRF_TRUSTED_ORIGINS="https://runlocal.example",
        DB_CONN_MAX_AGE="60",
    )
    db = s["DATABASES"]["default"]
    assert (db["ENGINE"], db["NAME"], db["CONN_MAX_AGE"]) == (
        "django.db.backends.postgresql",
        "test",
        60,
    )
    assert s["CACHES"]["default"]["BACKEND"] == "runlocal_web.ops.cache.TolerantRedisCache"
    assert s["ALLOWED_HOSTS"] == ["runlocal.example"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://runlocal.example"]
    # A database that hangs costs seconds: connect and statement timeouts, then a deadline.
    assert db["OPTIONS"]["connect_timeout"] == 3
    assert db["OPTIONS"]["options"] == "-c statement_timeout=5000"
    assert db["QUERY_DEADLINE_SECONDS"] == 7
    assert s["CACHES"]["limits"]["BACKEND"] == "runlocal_web.ops.cache.FallbackRedisCache"


def test_database_timeouts_can_be_set(monkeypatch) -> None:
    s = load_settings(
        monkeypatch,
        SECRET_KEY="k",
        DATABASE_URL="postgres://u@db/x?connect_timeout=9&options=-c%20search_path%3Dapp",
        DB_STATEMENT_TIMEOUT="30",
    )
    db = s["DATABASES"]["default"]
    assert db["OPTIONS"]["connect_timeout"] == "9"  # the URL's own wins
    assert db["OPTIONS"]["options"] == "-c search_path=app -c statement_timeout=30000"


def test_it_needs_a_secret_key_unless_debugging(monkeypatch, tmp_path: Path) -> None:
    with pytest.raises(
        ImproperlyConfigured, match=re.escape("SECRET_KEY (or SECRET_KEY_FILE) must be set")
    ):
        load_settings(monkeypatch)
    assert load_settings(monkeypatch, DEBUG="1")["SECRET_KEY"].startswith("runlocal-development")
    key = tmp_path / "key"
    key.write_text("from-a-file")
    assert load_settings(monkeypatch, SECRET_KEY_FILE=str(key))["SECRET_KEY"] == "from-a-file"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "yes"}, "DEBUG='yes'"),
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL: unsupported scheme"),
        ({"REDIS_URL": "memcached://x"}, "REDIS_URL: unsupported scheme"),
        ({"DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE='forever'"),
        ({"SITE_URL": "runlocal.example"}, "SITE_URL='runlocal.example'"),
        ({"CSRF_TRUSTED_ORIGINS": "runlocal.example"}, "CSRF_TRUSTED_ORIGINS"),
        ({"RUNLOCAL_CHECK_CACHE_SECONDS": "-1"}, "RUNLOCAL_CHECK_CACHE_SECONDS=-1"),
    ],
)
def test_it_stops_on_a_bad_value_naming_it(monkeypatch, env: dict, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as exc:
        load_settings(monkeypatch, SECRET_KEY="k", **env)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_every_variable_is_documented() -> None:
    source = Path(SETTINGS_FILE).read_text()
    read = set(re.findall(r'env[a-z_]*\("([A-Z_]+)"', source))
    assert read | {"SECRET_KEY_FILE"} == set(VARIABLES)
    doc = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    for name in VARIABLES:
        assert f"`{name}`" in doc, name
