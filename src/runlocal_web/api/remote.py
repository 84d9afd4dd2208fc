"""Remote models on the website: every request runs under runlocal.remote's server policy
when RUNLOCAL_REMOTE_MODELS is on, so a visitor's Hub id, Hub URL, hf.co reference or Ollama
tag is read from the configured Hub and registry only (redirects to the allow-listed CDN
hosts, public addresses only), with short timeouts, a byte cap per model and a per-client
rate limit on the fetches. With it off, nothing remote is ever fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from runlocal.errors import InputError, RemoteRateLimitError
from runlocal.remote import ServerPolicy, serving
from runlocal.remote.policy import current
from runlocal.resolve.refs import HubRef, OllamaRef, parse_ref
from runlocal_web.ops.limits import hit

MAX_REF = 300


def parse_visitor_ref(text: str) -> HubRef | OllamaRef | None:
    """A reference the site reads: a bare name (no tag) stays a catalog name, as on the API.
    Raises InputError for a Hub URL that names no model file."""
    ref = parse_ref(text) if 0 < len(text) <= MAX_REF else None
    if isinstance(ref, OllamaRef) and not ref.explicit_tag:
        return None
    return ref


def reads_remotely(text: str) -> HubRef | OllamaRef | None:
    """The remote model this site reads for a name the catalog lacks, or None: only with
    RUNLOCAL_REMOTE_MODELS on, inside the request's fetch policy, for an explicit reference."""
    if not getattr(settings, "RUNLOCAL_REMOTE_MODELS", False) or current() is None:
        return None
    try:
        return parse_visitor_ref(text.strip())
    except InputError:
        return None


def configured_hosts() -> frozenset[str]:
    """The Hub endpoint's host and the Ollama registry's host."""
    from runlocal.remote.hub import endpoint
    from runlocal.remote.ollama import registry

    return frozenset(h for h in (urlsplit(endpoint()).hostname, urlsplit(registry()).hostname) if h)


def policy_for(request: HttpRequest) -> ServerPolicy:
    def rate_limit() -> None:
        wait = hit("remote", request)
        if wait is not None:
            raise RemoteRateLimitError(
                f"too many reads of models outside the catalog; retry in {wait} s", wait
            )

    return ServerPolicy(
        hosts=configured_hosts(),
        redirect_hosts=tuple(h.lower() for h in settings.RUNLOCAL_REMOTE_REDIRECT_HOSTS),
        timeout_s=float(settings.RUNLOCAL_REMOTE_TIMEOUT_SECONDS),
        max_total_bytes=int(settings.RUNLOCAL_REMOTE_MAX_BYTES),
        on_fetch=rate_limit,
    )


class RemoteModelsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "RUNLOCAL_REMOTE_MODELS", False):
            return self.get_response(request)
        with serving(policy_for(request)):
            return self.get_response(request)
