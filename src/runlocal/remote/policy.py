"""What a server may fetch when a visitor names a remote model.

A command-line user fetches what they name; a server must never become a proxy to anything
else. Under a ServerPolicy (set per request with ``serving``), the transport:

- fetches only from the configured Hub endpoint and Ollama registry hosts (exact names);
- follows a redirect (by hand, at most a few) only to a host in the allow-list, over the same
  or a stronger scheme, never to an IP literal, and only when every address the host
  resolves to is a public one;
- caps every response and the total read for one model, with short timeouts, and calls
  ``on_fetch`` before each request (the website's per-client rate limit).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import RemoteError


def _public_addresses(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    addrs = {info[4][0] for info in infos}
    return bool(addrs) and all(ipaddress.ip_address(str(a).split("%")[0]).is_global for a in addrs)


@dataclass
class ServerPolicy:
    hosts: frozenset[str]  # the configured endpoint and registry hosts
    redirect_hosts: tuple[str, ...] = ()  # "cdn.example" exact, ".example" any subdomain
    timeout_s: float = 5.0
    max_total_bytes: int = 64 << 20
    max_redirects: int = 3
    on_fetch: Callable[[], None] | None = None
    public: Callable[[str], bool] = _public_addresses
    total_bytes: int = field(default=0)

    def check_url(self, url: str, *, redirect: bool, from_scheme: str = "https") -> None:
        """Raise RemoteError unless url may be fetched."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
            raise RemoteError(f"{_show(url)}: not an address this server fetches")
        if host in self.hosts:
            return
        if not redirect:
            raise RemoteError(f"{host}: this server reads models only from its configured hosts")
        if _is_ip(host):
            raise RemoteError(f"{host}: a redirect to an IP address is not followed")
        if parts.scheme != "https" and from_scheme == "https":
            raise RemoteError(f"{host}: a redirect from https to plain http is not followed")
        if not any(
            host == h or (h.startswith(".") and host.endswith(h)) for h in self.redirect_hosts
        ):
            raise RemoteError(
                f"{host}: a redirect to a host outside the allow-list is not followed"
            )
        if not self.public(host):
            raise RemoteError(f"{host}: a redirect to a non-public address is not followed")

    def count(self, n: int) -> None:
        self.total_bytes += n
        if self.total_bytes > self.max_total_bytes:
            raise RemoteError(
                f"reading this model took more than {self.max_total_bytes:,} bytes of headers"
            )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _show(url: str) -> str:
    return url.split("?", 1)[0][:200]


_POLICY: ContextVar[ServerPolicy | None] = ContextVar("runlocal_remote_policy", default=None)


def current() -> ServerPolicy | None:
    return _POLICY.get()


@contextlib.contextmanager
def serving(policy: ServerPolicy) -> Iterator[ServerPolicy]:
    """Remote reads inside the block follow ``policy`` (a server's request)."""
    token = _POLICY.set(policy)
    try:
        yield policy
    finally:
        _POLICY.reset(token)
