"""What every API request goes through, around django-ninja's views.

- POST bodies over API_MAX_BODY_BYTES (64 KiB) answer 413 before the body is read;
- POST bodies must say `Content-Type: application/json` (415 otherwise), and a browser's
  cross-site POST (an Origin that is not this site's, or `Sec-Fetch-Site: cross-site`)
  answers 403: the API takes no cookies, so CSRF tokens do not protect it, but a form or
  fetch() from another site must not submit in its visitors' names (only JSON makes a
  browser ask first, and only this site's Origin is let through);
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

from runlocal_web.lib.origin import same_site
from runlocal_web.ops import limits

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


def _json_content_type(request: HttpRequest) -> None:
    kind = (request.META.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
    if kind != "application/json" and not (
        kind.startswith("application/") and kind.endswith("+json")
    ):
        # A request with no Content-Type once read "…, not none".
        shown = f", not {kind}" if kind else "; none was given"
        raise ApiError(
            415, f"the request body must be JSON (Content-Type: application/json){shown}"
        )


def _same_site(request: HttpRequest) -> None:
    """Browsers name the page that sent a request; only this site's own pages may POST."""
    if same_site(request) is False:
        raise ApiError(403, "cross-site requests are not accepted")


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
    view: View,
    *,
    rate_scopes: dict[str, str] | None = None,
    max_age: int = DEFAULT_MAX_AGE,
    takes_json: bool = False,
) -> View:
    """Wrap one URL's view with the rules above; rate_scopes: HTTP method → limit name;
    takes_json: the view reads a POST body (others answer POST with 405 or 404)."""

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
                if takes_json and request.method == "POST":
                    _same_site(request)
                    _json_content_type(request)
            scope = (rate_scopes or {}).get(request.method or "")
            if scope is not None:
                retry = limits.hit(scope, request)
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
    json_bodies: frozenset[str] = frozenset(),
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
            takes_json=name in json_bodies,
        ),
        pattern.default_args,
        pattern.name,
    )
