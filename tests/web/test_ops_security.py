"""Security headers (CSP with a nonce), body limits, admin log-in throttling, redirects,
`check --deploy`, hashed static files and logs without secrets."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.templatetags.static import static

import runlocal_web
from runlocal_web.ops.logs import RedactSecrets, redact
from runlocal_web.ops.middleware import content_security_policy

SRC = Path(runlocal_web.__file__).resolve().parents[1]
TEMPLATES = Path(runlocal_web.__file__).resolve().parent / "templates"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_it_sends_a_strict_content_security_policy(tiny, client) -> None:
    r = client.get("/models/testllama-8b/")
    assert r.status_code == 200
    csp = r["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = r.wsgi_request.csp_nonce
    assert directives["script-src"] == f"'self' 'nonce-{nonce}'"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r["Permissions-Policy"]


def test_it_uses_a_fresh_nonce_per_request(tiny, client) -> None:
    a = client.get("/").wsgi_request.csp_nonce
    b = client.get("/").wsgi_request.csp_nonce
    assert a != b and len(a) >= 16


def test_it_relaxes_styles_only_for_the_api_docs() -> None:
    assert "'unsafe-inline'" in content_security_policy("/api/v1/docs", "n")
    assert "'unsafe-inline'" not in content_security_policy("/api/v1/models", "n")


def test_no_template_has_an_inline_script_without_a_nonce() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "email" in path.relative_to(TEMPLATES).parts:
            continue  # e-mails are not pages: no CSP applies, and mail clients need inline styles
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            data_only = re.search(r"type=[\"']application/(ld\+)?json", tag)
            if "src=" not in tag and "nonce=" not in tag and not data_only:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        # Event handler attributes and inline styles are blocked by the policy.
        if re.search(r"\son[a-z]+=[\"']", text) or re.search(r"\sstyle=[\"']", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: inline handler or style")
    assert not offenders, offenders


def test_it_refuses_oversized_bodies(client, settings) -> None:
    settings.OPS_MAX_REQUEST_BYTES = 1000
    r = client.post("/admin/login/", data="x" * 2000, content_type="text/plain")
    assert r.status_code == 413
    assert b"larger than 1,000 bytes" in r.content
    r = client.post("/api/v1/check", data="x" * 2000, content_type="application/json")
    assert r.status_code == 413
    assert r.json()["ok"] is False and r.json()["status"] == 413
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


def _fail_login(client, ip: str = "10.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": "wrong"},
        REMOTE_ADDR=ip,
    )


def _login(client, username: str, password: str, ip: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_it_locks_an_address_after_ten_failed_logins(db, client) -> None:
    User.objects.create_superuser("editor", "e@example.org", "right-horse-battery")
    for i in range(9):
        assert _login(client, f"guess{i}", "wrong", "10.0.0.1").status_code == 200
    r = _login(client, "guess9", "wrong", "10.0.0.1")
    assert r.status_code == 429
    assert int(r["Retry-After"]) == 15 * 60
    assert b"Too many log-in attempts" in r.content
    # Even the right password waits from that address; other addresses are not affected.
    assert _login(client, "editor", "right-horse-battery", "10.0.0.1").status_code == 429
    # The form itself still shows.
    assert client.get("/admin/login/", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert _login(client, "editor", "right-horse-battery", "10.0.0.2").status_code == 302


def test_it_locks_an_account_guessed_from_many_addresses(db, client) -> None:
    """The attack: 200 guesses for one account from 20 addresses were all processed."""
    User.objects.create_superuser("editor", "e@example.org", "right-horse-battery")
    answers = [
        _login(client, "editor", f"guess{i}", f"10.1.{i % 20}.1").status_code for i in range(200)
    ]
    assert answers[:9] == [200] * 9 and set(answers[9:]) == {429}
    # The owner waits too (from a fresh address); other accounts do not.
    assert _login(client, "editor", "right-horse-battery", "10.2.0.1").status_code == 429
    User.objects.create_superuser("other", "o@example.org", "other-horse-battery")
    assert _login(client, "other", "other-horse-battery", "10.2.0.2").status_code == 302


def test_logins_stay_locked_with_the_cache_down(db, client, settings) -> None:
    """Failures are counted in the database: a Redis outage changes nothing."""
    settings.CACHES = {
        name: {
            "BACKEND": "runlocal_web.ops.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
        for name in ("default", "limits")
    }
    User.objects.create_superuser("editor", "e@example.org", "right-horse-battery")
    answers = [_login(client, "editor", "wrong", "10.0.0.1").status_code for _ in range(30)]
    assert answers.count(200) == 9 and answers.count(429) == 21


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_admin_needs_a_login_and_never_redirects_off_site(db, client) -> None:
    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")
    User.objects.create_superuser("editor", "e@example.org", "right-horse-battery")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = client.post(
            "/admin/login/?next=" + target,
            {"username": "editor", "password": "right-horse-battery", "next": target},
        )
        assert r.status_code == 302
        # Django drops the unsafe target (LOGIN_REDIRECT_URL instead): never off the site.
        location = r["Location"]
        assert location.startswith("/") and "evil" not in location, (target, location)
        client.logout()


@pytest.mark.parametrize(
    "path", ["//evil.example", "//evil.example/models", "/models//evil.example", "/\\evil.example"]
)
def test_it_never_redirects_off_site(tiny, client, path: str) -> None:
    r = client.get(path)
    if 300 <= r.status_code < 400:
        location = r["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_forms_carry_a_csrf_token(tiny, client) -> None:
    """Every POST form carries a token, except the footer's one-step digest sign-up, which
    every cached page shares: it is checked by the Origin the browser names instead
    (tests/web/test_community_digest.py, the footer tests)."""
    html = client.get("/").content.decode()
    for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S | re.I):
        assert "csrfmiddlewaretoken" in form or 'action="/digest/subscribe/"' in form


def test_it_uses_secure_cookies_and_hsts_when_not_debugging(settings) -> None:
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS == 31536000 and settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert settings.SECURE_SSL_REDIRECT is False


def test_it_sends_hsts_over_https(tiny, client) -> None:
    r = client.get("/", secure=True)
    assert r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _django(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("SECRET_KEY", "DEBUG", "SECURE_", "ALLOWED_HOSTS", "SITE_URL", "DJANGO_ALLOW_ASYNC")
        )
    }
    base.update(
        DJANGO_SETTINGS_MODULE="runlocal_web.settings",
        PYTHONPATH=os.pathsep.join([str(SRC), base.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        RUNLOCAL_DATA_DIR=str(tmp_path / "data"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path: Path) -> None:
    r = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY="x7!Kq" * 12,
        ALLOWED_HOSTS="runlocal.example",
        SITE_URL="https://runlocal.example",
    )
    assert r.returncode == 0, r.stderr + r.stdout
    assert "System check identified no issues" in r.stdout
    # …and it does speak up when something is off.
    r = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY="x7!Kq" * 12,
        SECURE_HSTS_SECONDS="0",
    )
    assert r.returncode == 1 and "security.W004" in r.stderr


def test_check_deploy_warns_when_site_url_is_missing(tmp_path: Path) -> None:
    r = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY="x7!Kq" * 12,
        ALLOWED_HOSTS="runlocal.example",
    )
    assert r.returncode == 1 and "runlocal.W001" in r.stderr and "SITE_URL" in r.stderr


def test_a_made_up_host_port_never_reaches_links(db, client, settings) -> None:
    """The attack: `Host: localhost:31337` ended up in confirmation links and the sitemap."""
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    for path in ("/sitemap.xml", "/"):
        r = client.get(path, HTTP_HOST="localhost:31337")
        assert r.status_code == 400 and b"31337" not in r.content
    r = client.post("/digest/subscribe/", {"email": "a@example.org"}, HTTP_HOST="localhost:31337")
    assert r.status_code == 400
    # The port the server is on, or none, is fine.
    assert client.get("/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/", HTTP_HOST="localhost:8123", SERVER_PORT="8123").status_code == 200
    # With SITE_URL set, links never come from the Host header, so nothing is refused.
    settings.SITE_URL = "https://runlocal.example"
    r = client.get("/sitemap.xml", HTTP_HOST="localhost:31337")
    assert r.status_code == 200 and b"31337" not in r.content


def test_static_files_get_hashed_names_and_long_lifetimes(tmp_path: Path, settings) -> None:
    from whitenoise.middleware import WhiteNoiseMiddleware

    assert static("runlocal_web/site.css") == "/static/runlocal_web/site.css"  # not collected
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    url = static("runlocal_web/site.css")
    assert re.fullmatch(r"/static/runlocal_web/site\.[0-9a-f]{12}\.css", url), url
    assert (tmp_path / "static" / url.removeprefix("/static/")).with_suffix(".css.gz").exists()
    from django.test import RequestFactory

    middleware = WhiteNoiseMiddleware(lambda request: None)
    r = middleware(RequestFactory().get(url))
    assert r.status_code == 200
    assert "max-age=315360000" in r["Cache-Control"] and "immutable" in r["Cache-Control"]


def test_logs_never_show_secrets(settings, caplog) -> None:
    settings.SECRET_KEY = "super-secret-signing-key-123"
    text = redact(
        "key super-secret-signing-key-123 url postgres://alice:hunter2@db:5432/x "
        "password=letmein token: abc123"
    )
    for secret in ("super-secret-signing-key-123", "hunter2", "letmein", "abc123"):
        assert secret not in text
    assert "postgres://alice:********@db:5432/x" in text

    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "dsn %s", ("redis://:pw1234@h",), None
    )
    try:
        raise RuntimeError("failed with password=pw1234")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    assert RedactSecrets().filter(record)
    assert "pw1234" not in record.getMessage() and "pw1234" not in (record.exc_text or "")


def test_logs_never_show_an_address_from_the_footer_form() -> None:
    line = '"GET /digest/?email=ann%40example.com HTTP/1.1" 200'
    assert "ann%40example.com" not in redact(line)
    assert "ann@example.com" not in redact("digest?email=ann@example.com&x=1")


def test_the_production_access_log_leaves_query_strings_out() -> None:
    from runlocal_web.launcher import ACCESS_LOG_FORMAT

    assert "%(U)s" in ACCESS_LOG_FORMAT  # the path alone
    assert "%(r)s" not in ACCESS_LOG_FORMAT and "%(q)s" not in ACCESS_LOG_FORMAT


def test_a_forged_forwarded_address_is_no_500(db, client, settings) -> None:
    settings.API_TRUSTED_PROXIES = 1
    r = client.post(
        "/admin/login/",
        {"username": "editor", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert r.status_code == 200
