"""What every API request goes through, around django-ninja's views.

- POST bodies over API_MAX_BODY_BYTES (64 KiB) answer 413 before the body is read;
- POST endpoints with a rate limit answer 429 with Retry-After when a client exceeds it;
- any failure, including the 404 and 405 answers Django and ninja make themselves, leaves
  in the one error shape (errors.py);
- successful GETs carry an ETag (a hash of the body) and Cache-Control, and answer
  304 Not Modified when If-None-Match names the same body;
- HEAD is a GET without the body.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.urls import URLPattern

from . import ratelimit
from .errors import REASONS, ApiError, error_response, from_api_error

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_AGE = 300
View = Callable[..., HttpResponseBase]


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match: '*' or a list of tags; weak comparison (W/ prefixes ignored)."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def _content_length(request: HttpRequest) -> int:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        raise ApiError(400, f"Content-Length {raw!r} is not a number") from None
    if length < 0:
        raise ApiError(400, "Content-Length is negative")
    return length


def _is_error_shape(response: HttpResponseBase) -> bool:
    if not isinstance(response, HttpResponse):
        return False
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        data = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("ok") is False and "status" in data


def _as_error_shape(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """A failure some other layer answered in its own format, in ours."""
    status = response.status_code
    if status < 400 or _is_error_shape(response):
        return response
    headers: dict[str, str] = {}
    if status == 405:
        allowed = sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed here; use {' or '.join(allowed) or 'GET'}"
    else:
        message = REASONS.get(status, "error")
    return error_response(status, message, headers=headers)


def _conditional(
    request: HttpRequest, response: HttpResponseBase, max_age: int
) -> HttpResponseBase:
    if not isinstance(response, HttpResponse) or response.status_code != 200:
        return response
    etag = etag_for(response.content)
    response["ETag"] = etag
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = f"public, max-age={max_age}"
    if etag_matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = response["Cache-Control"]
        return not_modified
    return response


def guard(
    view: View, *, rate_scopes: dict[str, str] | None = None, max_age: int = DEFAULT_MAX_AGE
) -> View:
    """Wrap one URL's view with the rules above; rate_scopes: HTTP method → limit name."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response: HttpResponseBase
        try:
            if request.method in ("POST", "PUT", "PATCH"):
                limit = max_body_bytes()
                if _content_length(request) > limit:
                    raise ApiError(413, f"the request body is larger than {limit:,} bytes")
            scope = (rate_scopes or {}).get(request.method or "")
            if scope is not None:
                retry = ratelimit.hit(scope, ratelimit.client_ip(request))
                if retry is not None:
                    raise ApiError(
                        429,
                        f"too many requests; try again in {retry} seconds",
                        headers={"Retry-After": str(retry)},
                    )
            response = view(request, *args, **kwargs)
        except ApiError as exc:
            response = from_api_error(exc)
        except Exception:
            log.exception("API request failed: %s %s", request.method, request.path)
            response = error_response(500, "internal error; it has been logged")
        response = _as_error_shape(request, response)
        if request.method == "GET":
            response = _conditional(request, response, max_age)
        elif response.status_code < 400:
            response["Cache-Control"] = "no-store"
        if head:
            request.method = "HEAD"
            if isinstance(response, HttpResponse):
                response.content = b""
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # a JSON API without cookies
    wrapped.__name__ = getattr(view, "__name__", "api_view")
    return wrapped


def guard_pattern(
    pattern: URLPattern,
    rate_scopes: dict[str, dict[str, str]],
    max_ages: dict[str, int],
    replace: dict[str, View] | None = None,
) -> URLPattern:
    """The same URL pattern with its view guarded (and optionally replaced, by URL name)."""
    name = pattern.name or ""
    view = (replace or {}).get(name, pattern.callback)
    return URLPattern(
        pattern.pattern,
        guard(
            view,
            rate_scopes=rate_scopes.get(name),
            max_age=max_ages.get(name, DEFAULT_MAX_AGE),
        ),
        pattern.default_args,
        pattern.name,
    )
