"""The shared page cache (ops/pagecache.py): anonymous GETs of pages without a CSRF token are
answered from the cache, keyed by the full address and the catalog digest; everything else is
rendered fresh, and the footer's digest box needs no token."""

from __future__ import annotations

import re
import socket
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from runlocal_web.ops import cache as ops_cache
from runlocal_web.ops import pagecache
from runlocal_web.ops.pagecache import no_page_cache, storable

from . import factory
from .test_settings import load_settings

MODEL = "/models/testllama-8b/"
VERDICT = "/will-it-run/?model=TL+8B&hardware=TG+24"
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def paged(tiny: Path, settings, monkeypatch) -> Path:
    """The tiny catalog, with the page cache on and empty (tests' settings turn it off); the
    catalog digest is read on every request (test_it_reads_the_digest_once_a_second: not)."""
    settings.RUNLOCAL_PAGE_CACHE_SECONDS = 600
    monkeypatch.setattr(pagecache, "DIGEST_SECONDS", 0.0)
    monkeypatch.setattr(pagecache, "_digest", None)
    cache.clear()
    pagecache.local.clear()
    yield tiny
    cache.clear()
    pagecache.local.clear()


def test_it_answers_the_second_visit_from_the_cache_with_the_same_page(paged, client) -> None:
    for path in ("/", MODEL, "/hardware/testgpu-24gb/", VERDICT, "/models/"):
        first = client.get(path)
        second = client.get(path)
        assert first.status_code == second.status_code == 200, path
        assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit"), path
        assert second.content == first.content, path
        assert second["Content-Type"] == first["Content-Type"]
        assert second["Content-Length"] == str(len(second.content))
        assert second["X-Frame-Options"] == "DENY"  # headers of inner middlewares replayed
        assert "Content-Security-Policy" in second and "Permissions-Policy" in second
        assert not second.cookies


def test_it_answers_a_head_from_the_get_page(paged, client) -> None:
    client.get(MODEL)
    r = client.head(MODEL)
    assert r.status_code == 200 and r["X-Cache"] == "hit" and r.content == b""


def test_it_keeps_json_twins_and_hosts_apart(paged, client) -> None:
    html = client.get(MODEL)
    twin = client.get(MODEL + "?format=json")
    assert twin["X-Cache"] == "miss" and twin["Content-Type"].startswith("application/json")
    again = client.get(MODEL + "?format=json")
    assert again["X-Cache"] == "hit" and again.json() == twin.json()
    assert client.get(MODEL)["X-Cache"] == "hit"
    assert html.content != twin.content
    # Canonical links come from the Host header when SITE_URL is unset: one entry per host.
    other = client.get(MODEL, HTTP_HOST="localhost")
    assert other["X-Cache"] == "miss" and b"http://localhost/models/" in other.content
    assert client.get(VERDICT)["X-Cache"] == "miss"
    assert client.get(VERDICT + "&context=8192")["X-Cache"] == "miss"


def test_it_never_stores_a_page_with_a_csrf_token(paged) -> None:
    for path in ("/contact/", "/digest/", "/digest/?email=a%40example.org"):
        for _ in range(2):  # new visitors, without the token's cookie
            r = Client().get(path)
            assert r["X-Cache"] == "miss" and "csrftoken" in r.cookies, path
            assert b"csrfmiddlewaretoken" in r.content


def test_it_passes_posts_and_visitors_with_cookies_straight_through(paged, client) -> None:
    assert client.get(MODEL)["X-Cache"] == "miss"
    r = client.post("/contact/", {"name": "A"})
    assert r.status_code == 400 and "X-Cache" not in r
    for name in ("sessionid", "csrftoken", "messages"):
        visitor = Client()
        visitor.cookies[name] = "x"
        r = visitor.get(MODEL)
        assert r.status_code == 200 and "X-Cache" not in r, name
    assert "X-Cache" not in client.get(MODEL, HTTP_AUTHORIZATION="Basic eDp5")
    assert "X-Cache" not in client.get("/api/v1/models")
    # Other cookies (a preference, an analytics id) do not change the page.
    visitor = Client()
    visitor.cookies["theme"] = "dark"
    assert visitor.get(MODEL)["X-Cache"] == "hit"


def test_it_serves_a_fresh_page_after_a_catalog_sync(paged, client) -> None:
    before = client.get(MODEL)
    assert client.get(MODEL)["X-Cache"] == "hit"
    factory.model(paged, name="TestLlama 8B Renamed")
    factory.sync()
    after = client.get(MODEL)
    assert after["X-Cache"] == "miss"
    assert b"TestLlama 8B Renamed" in after.content and b"Renamed" not in before.content
    assert client.get(MODEL)["X-Cache"] == "hit"


def test_it_reads_the_digest_once_a_second(paged, client, monkeypatch) -> None:
    monkeypatch.setattr(pagecache, "DIGEST_SECONDS", 1.0)
    clock = [1000.0]
    monkeypatch.setattr(pagecache, "_monotonic", lambda: clock[0])
    client.get(MODEL)
    factory.model(paged, name="TestLlama 8B Renamed")
    factory.sync()
    stale = client.get(MODEL)  # within the second: the page as it was
    assert stale["X-Cache"] == "hit" and b"Renamed" not in stale.content
    clock[0] += 1.0
    fresh = client.get(MODEL)
    assert fresh["X-Cache"] == "miss" and b"TestLlama 8B Renamed" in fresh.content


def test_it_swaps_in_each_visitors_own_csp_nonce(paged, client) -> None:
    pages = [client.get("/run-check/") for _ in range(3)]
    assert [r["X-Cache"] for r in pages] == ["miss", "hit", "hit"]
    nonces = []
    for r in pages:
        in_body = set(NONCE.findall(r.content.decode()))
        assert len(in_body) == 1
        (nonce,) = in_body
        assert f"'nonce-{nonce}'" in r["Content-Security-Policy"]
        nonces.append(nonce)
    assert len(set(nonces)) == 3  # no two visitors share a nonce
    strip = [NONCE.sub("", r.content.decode()) for r in pages]
    assert strip[0] == strip[1] == strip[2]


def test_it_can_be_turned_off(paged, client, settings) -> None:
    settings.RUNLOCAL_PAGE_CACHE_SECONDS = 0
    assert "X-Cache" not in client.get(MODEL)
    assert "X-Cache" not in client.get(MODEL)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_it_keeps_serving_pages_while_redis_is_down(paged, client, monkeypatch) -> None:
    monkeypatch.setattr(ops_cache.TolerantRedisCache, "retry_after", 0.0)
    caches = {
        "default": {
            "BACKEND": "runlocal_web.ops.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    caches["limits"] = {**caches["default"], "BACKEND": "runlocal_web.ops.cache.FallbackRedisCache"}
    with override_settings(CACHES=caches):
        for path in ("/", MODEL, VERDICT):
            r = client.get(path)
            assert r.status_code == 200 and r["X-Cache"] == "miss", path
        pagecache.local.clear()  # a new worker: nothing in its own memory, Redis unreachable
        for path in ("/", MODEL, VERDICT):
            r = client.get(path)
            assert r.status_code == 200 and r["X-Cache"] == "miss", path
            assert client.get(path)["X-Cache"] == "hit", path  # its own memory still works


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_it_shares_pages_through_redis(paged) -> None:
    import redis

    location = "redis://127.0.0.1:6379/15"
    prefix = f"pagecache-test-{uuid.uuid4().hex}"  # nothing else is touched
    caches = {
        "default": {
            "BACKEND": "runlocal_web.ops.cache.TolerantRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    caches["limits"] = {**caches["default"], "BACKEND": "runlocal_web.ops.cache.FallbackRedisCache"}
    try:
        with override_settings(CACHES=caches):
            first = Client().get(MODEL)
            pagecache.local.clear()  # another worker: the page comes from Redis
            second = Client().get(MODEL)
    finally:
        server = redis.Redis.from_url(location)
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content


def test_the_footer_digest_box_needs_no_token_so_pages_stay_cacheable(paged, client) -> None:
    html = client.get(MODEL).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    form = re.search(r'<div class="digest-signup">.*?</form>', footer, re.S).group(0)
    assert 'method="post"' in form and 'action="/digest/subscribe/"' in form
    assert "csrfmiddlewaretoken" not in html
    # The digest page still fills in an address handed to it in a link.
    r = client.get("/digest/", {"email": "reader@example.org"})
    assert r.status_code == 200
    page = r.content.decode()
    assert 'value="reader@example.org"' in page
    assert 'action="/digest/subscribe/"' in page and "csrfmiddlewaretoken" in page
    assert 'href="http://testserver/digest/"' in page  # canonical without the address


def test_each_process_keeps_its_most_recent_pages_within_a_budget(monkeypatch) -> None:
    pages = pagecache.LocalPages(max_bytes=800)
    now = [1000.0]
    monkeypatch.setattr(pagecache, "_wall", lambda: now[0])

    def entry(size: int, seconds: float = 60) -> dict:
        return {"body": b"x" * size, "expires": now[0] + seconds}

    pages.put("a", entry(100))
    pages.put("b", entry(100))
    pages.put("huge", entry(101))  # over an eighth of the budget: never kept
    assert pages.get("huge") is None
    assert pages.get("a") is not None  # now the most recent
    for k in "cdefghi":  # 900 bytes in all: one has to go
        pages.put(k, entry(100))
    assert pages.get("b") is None and pages.get("a") is not None  # least recent out first
    pages.put("short", entry(100, seconds=5))
    now[0] += 5
    assert pages.get("short") is None and pages.get("a") is not None


def _response(body: bytes = b"<p>page</p>", **headers: str) -> HttpResponse:
    r = HttpResponse(body)
    for k, v in headers.items():
        r[k.replace("_", "-")] = v
    return r


def test_it_stores_only_shareable_answers() -> None:
    get = RequestFactory().get("/x/")
    assert storable(get, _response())
    assert storable(get, _response(Vary="Cookie"))
    assert not storable(RequestFactory().head("/x/"), _response())
    assert not storable(get, HttpResponse(b"gone", status=404))
    assert not storable(get, _response(Vary="Cookie, Accept-Language"))
    assert not storable(get, _response(Cache_Control="private, max-age=60"))
    assert not storable(get, _response(Cache_Control="no-store"))
    assert not storable(get, _response(Content_Type="text/csv"))
    assert not storable(get, _response(b'<input name="csrfmiddlewaretoken" value="t">'))
    with_cookie = _response()
    with_cookie.set_cookie("pref", "1")
    assert not storable(get, with_cookie)
    opted_out = no_page_cache(lambda request: _response())(get)
    assert not storable(get, opted_out)
    token_asked = RequestFactory().get("/x/")
    token_asked.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    assert not storable(token_asked, _response())


def test_it_is_on_in_production_and_off_while_debugging(monkeypatch) -> None:
    s = load_settings(monkeypatch, SECRET_KEY="k")
    assert s["RUNLOCAL_PAGE_CACHE_SECONDS"] == 600
    middleware = s["MIDDLEWARE"]
    here = middleware.index("runlocal_web.ops.pagecache.PageCacheMiddleware")
    # Inside the CSP nonce and the 503 page; before sessions, CSRF and log-ins.
    assert middleware.index("runlocal_web.ops.middleware.ServiceUnavailableMiddleware") < here
    assert here < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert load_settings(monkeypatch, DEBUG="1")["RUNLOCAL_PAGE_CACHE_SECONDS"] == 0
    off = load_settings(monkeypatch, SECRET_KEY="k", RUNLOCAL_PAGE_CACHE_SECONDS="0")
    assert off["RUNLOCAL_PAGE_CACHE_SECONDS"] == 0
    with pytest.raises(ImproperlyConfigured, match="RUNLOCAL_PAGE_CACHE_SECONDS"):
        load_settings(monkeypatch, SECRET_KEY="k", RUNLOCAL_PAGE_CACHE_SECONDS="-5")


def _stored_keys() -> int:
    return len(pagecache.local._entries)


def test_made_up_parameters_add_no_entries_and_known_ones_are_sorted(paged, client) -> None:
    """The attack: /models/x/?utm_source=<random> stored one page per address."""
    first = client.get(MODEL, {"utm_source": "a0"})
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    for i in range(1, 60):
        r = client.get(MODEL, {"utm_source": uuid.uuid4().hex, f"x{i}": "y"})
        assert r.status_code == 200 and r["X-Cache"] == "hit"
        # The same page, with the line naming the made-up name (lib.params) for its sender.
        line = f'<p class="notice-ignored" role="status">Ignored: x{i}.</p>'.encode()
        assert r.content.replace(line, pagecache.params.MARKER) == first.content
    assert client.get(MODEL)["X-Cache"] == "hit"  # the bare address is the same entry
    assert b"utm_source" not in first.content  # the view never saw it (JSON twin link)
    assert _stored_keys() == 1
    # Known parameters stay in the key, sorted: one entry for both orders.
    a = client.get("/will-it-run/?model=TL+8B&hardware=TG+24&junk=1")
    b = client.get("/will-it-run/?junk=2&hardware=TG+24&model=TL+8B")
    assert (a["X-Cache"], b["X-Cache"]) == ("miss", "hit") and a.content == b.content
    assert _stored_keys() == 2


def test_it_serves_hits_with_the_database_and_redis_both_gone(paged, client, monkeypatch):
    from django.db import OperationalError

    from runlocal_web.catalogdb import store

    monkeypatch.setattr(pagecache, "DIGEST_SECONDS", 1.0)
    clock = [1000.0]
    monkeypatch.setattr(pagecache, "_monotonic", lambda: clock[0])
    assert client.get(MODEL)["X-Cache"] == "miss"
    calls = []

    def down() -> None:
        calls.append(1)
        raise OperationalError("connection refused")

    monkeypatch.setattr(store, "current", down)
    monkeypatch.setattr(pagecache.django_cache, "get", lambda *a, **k: None)  # Redis gone
    for _ in range(50):
        clock[0] += 0.5
        r = client.get(MODEL)
        assert r.status_code == 200 and r["X-Cache"] == "hit"
    # The database is asked again every few seconds, not once a second per request.
    assert 1 <= len(calls) <= 50 * 0.5 / pagecache.DIGEST_RETRY_SECONDS + 1
