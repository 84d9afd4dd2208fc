"""HTTP for the remote readers: huggingface_hub's shared client (proxies, HF_TOKEN headers,
its error classes), range requests with a cap on every body, and one-line errors.

huggingface_hub is imported here, on first use, so `runlocal check <catalog model>` never
loads it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..errors import (
    RemoteError,
    RemoteNotFoundError,
    RemoteRateLimitError,
    RemoteUnavailableError,
)
from .policy import ServerPolicy
from .policy import current as current_policy

DEFAULT_TIMEOUT_S = 10.0
# Caps on what one response may hold; anything longer is not what was asked for.
MAX_DOCUMENT_BYTES = 32 << 20  # listings, config.json, index files, manifests
_ERROR_BODY_BYTES = 64 << 10


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in ("1", "ON", "YES", "TRUE")


def timeout_s() -> float:
    raw = os.environ.get("RUNLOCAL_HTTP_TIMEOUT", "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if 0 < value <= 300 else DEFAULT_TIMEOUT_S


@dataclass
class Stats:
    """What the readers sent and received (for the benchmark and the tests)."""

    requests: int = 0
    bytes: int = 0

    def reset(self) -> None:
        self.requests = 0
        self.bytes = 0


STATS = Stats()
_LOCK = threading.Lock()


@dataclass
class Reply:
    status: int  # 200, 206 or 304
    body: bytes
    etag: str | None
    total_size: int | None  # from Content-Range, or Content-Length of a whole 200 reply
    url: str = ""  # where the reply came from, after redirects


def _content_range_total(value: str | None) -> int | None:
    # "bytes 0-99/12345"
    if not value or "/" not in value:
        return None
    total = value.rsplit("/", 1)[1].strip()
    return int(total) if total.isdigit() else None


def _describe(url: str) -> str:
    return url.split("?", 1)[0]


def get(
    url: str,
    *,
    what: str,
    headers: Mapping[str, str] | None = None,
    byte_range: tuple[int, int] | None = None,
    limit: int = MAX_DOCUMENT_BYTES,
    etag: str | None = None,
    hub: bool = False,
) -> Reply:
    """GET url, or bytes [start, end) of it. ``what`` names the object in error messages.

    Raises RemoteError for every failure: HTTP errors (mapped with huggingface_hub's error
    classes when ``hub``), timeouts, refused connections and bodies over ``limit``."""
    if offline():
        raise RemoteUnavailableError(f"{what}: not in the cache and HF_HUB_OFFLINE is set")
    import httpx2
    from huggingface_hub import get_session

    h: dict[str, str] = dict(headers or {})
    if byte_range is not None:
        start, end = byte_range
        if end <= start:
            raise RemoteError(f"{what}: empty byte range {start}-{end}")
        h["Range"] = f"bytes={start}-{end - 1}"
        limit = min(limit, end - start)
    if etag:
        h["If-None-Match"] = etag
    policy = current_policy()
    t = timeout_s() if policy is None else min(timeout_s(), policy.timeout_s)
    try:
        with _open(get_session(), url, h, httpx2.Timeout(t, connect=min(t, 5.0)), policy) as r:
            with _LOCK:
                STATS.requests += 1
            if r.status_code == 304:
                return Reply(304, b"", etag, None)
            if r.status_code >= 400:
                body = _read_capped(r, _ERROR_BODY_BYTES, truncate=True)
                _raise_status(r, body, what, hub)
            if r.status_code not in (200, 206):
                raise RemoteError(f"{what}: unexpected HTTP status {r.status_code}")
            total = _content_range_total(r.headers.get("Content-Range"))
            skip = 0
            if byte_range is not None and r.status_code == 200:
                # The server ignored Range and sends the whole file: take the part asked
                # for from its start, never more.
                skip = byte_range[0]
                if skip > MAX_DOCUMENT_BYTES:
                    raise RemoteError(f"{what}: the server ignores range requests")
                length = r.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
            body = _read_capped(r, limit + skip, truncate=byte_range is not None)[skip:]
            if policy is not None:
                policy.count(len(body))
            if byte_range is not None and r.status_code == 206:
                start_hdr = r.headers.get("Content-Range", "")
                if not start_hdr.startswith(f"bytes {byte_range[0]}-"):
                    raise RemoteError(f"{what}: the server sent a different byte range")
            if byte_range is None and r.status_code == 200 and total is None:
                length = r.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else len(body)
            return Reply(r.status_code, body, r.headers.get("ETag"), total, str(r.url))
    except RemoteError:
        raise
    except httpx2.TimeoutException:
        raise RemoteUnavailableError(
            f"{what}: timed out after {t:g} s ({_describe(url)})"
        ) from None
    except httpx2.HTTPError as exc:
        host = urlsplit(url).netloc
        raise RemoteUnavailableError(
            f"{what}: cannot reach {host} ({type(exc).__name__}: {exc})"
        ) from None
    except OSError as exc:  # huggingface_hub's OfflineModeIsEnabled is a ConnectionError
        raise RemoteUnavailableError(f"{what}: {exc}") from None


@contextlib.contextmanager
def _open(
    session: Any, url: str, headers: dict[str, str], timeout: Any, policy: ServerPolicy | None
) -> Iterator[Any]:
    """A streamed GET; under a server policy, redirects are followed by hand, each checked."""
    if policy is None:
        with session.stream("GET", url, headers=headers, timeout=timeout) as r:
            yield r
        return
    policy.check_url(url, redirect=False)
    origin = urlsplit(url).netloc
    for _ in range(policy.max_redirects + 1):
        if policy.on_fetch is not None:
            policy.on_fetch()
        h = dict(headers)
        if urlsplit(url).netloc != origin:
            h.pop("Authorization", None)  # a token never leaves the configured host
        with session.stream("GET", url, headers=h, timeout=timeout, follow_redirects=False) as r:
            location = r.headers.get("Location")
            if r.status_code in (301, 302, 303, 307, 308) and location:
                with _LOCK:
                    STATS.requests += 1
                scheme = urlsplit(url).scheme
                url = urljoin(url, location)
                policy.check_url(url, redirect=True, from_scheme=scheme)
                continue
            yield r
            return
    raise RemoteError(f"{_describe(url)}: more than {policy.max_redirects} redirects")


def _read_capped(r: Any, limit: int, *, truncate: bool) -> bytes:
    parts: list[bytes] = []
    got = 0
    for chunk in r.iter_bytes():
        parts.append(chunk)
        got += len(chunk)
        with _LOCK:
            STATS.bytes += len(chunk)
        if got > limit:
            if truncate:
                break
            raise RemoteError(f"response over {limit:,} bytes from {_describe(str(r.url))}")
    return b"".join(parts)[:limit] if truncate else b"".join(parts)


def _raise_status(r: Any, body: bytes, what: str, hub: bool) -> None:
    status = r.status_code
    if status == 429:
        retry = r.headers.get("Retry-After")
        later = f"; retry after {retry} s" if retry and retry.isdigit() else ""
        raise RemoteRateLimitError(
            f"{what}: rate limited by the server (HTTP 429){later}",
            int(retry) if retry and retry.isdigit() else None,
        )
    if hub:
        import httpx2
        from huggingface_hub import errors, hf_raise_for_status

        response = httpx2.Response(status, headers=r.headers, content=body, request=r.request)
        try:
            hf_raise_for_status(response)
        except errors.GatedRepoError:
            raise RemoteError(
                f"{what}: a gated repository; accept its terms on the Hub and set HF_TOKEN"
            ) from None
        except errors.RepositoryNotFoundError:
            token = "" if os.environ.get("HF_TOKEN") else " (if it is private, set HF_TOKEN)"
            raise RemoteNotFoundError(f"{what}: no such repository on the Hub{token}") from None
        except errors.RevisionNotFoundError:
            raise RemoteNotFoundError(f"{what}: no such revision") from None
        except errors.RemoteEntryNotFoundError:
            raise RemoteNotFoundError(f"{what}: no such file in the repository") from None
        except errors.HfHubHTTPError:
            pass
        except (AttributeError, TypeError, ValueError):
            pass  # the client's own parsing of a malformed error body: answered below
    if status == 404:
        raise RemoteNotFoundError(f"{what}: not found (HTTP 404)")
    if status in (401, 403):
        raise RemoteError(f"{what}: access denied (HTTP {status})")
    if status >= 500:
        raise RemoteUnavailableError(f"{what}: the server answered HTTP {status}")
    raise RemoteError(f"{what}: the server answered HTTP {status}")
