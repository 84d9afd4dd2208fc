"""Methods on the site's pages: the pages that only show something answer GET and HEAD (and
OPTIONS, which says so); any other method is a 405 in one line. A form posted without its
CSRF token is a 403 in one line, in the site's words (not Django's developer page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from .middleware import plain_error

# The apps (URL namespaces) whose every page only reads: Will it run?, the tools, the
# catalog's and the reference's pages, the home and about pages. The forms that post
# (contact, digest, drafts) and the API say for themselves which methods they take.
READ_ONLY_APPS = frozenset({"pages", "checker", "catalogdb", "tools", "reference"})
ALLOW = "GET, HEAD, OPTIONS"


class ReadOnlyPagesMiddleware:
    """Before CsrfViewMiddleware: a POST to Will it run? once answered 403 "CSRF verification
    failed" without a token and, with one, the page itself with 200, as PUT, DELETE and PATCH
    did; now each is a 405 naming the methods the page takes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.app_name not in READ_ONLY_APPS:
            return None
        if request.method in ("GET", "HEAD"):
            return None
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
            response["Allow"] = ALLOW
            return response
        method = "".join(ch for ch in str(request.method) if ch.isalnum())[:20]
        return plain_error(
            request,
            405,
            "Method not allowed",
            f"this page answers GET and HEAD, not {method}",
            headers={"Allow": ALLOW},
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form's security token was missing or stale, or it came from
    another site's page."""
    return plain_error(
        request,
        403,
        "Form not accepted",
        "this form was sent without its security token or from another site: reload the "
        "page and send it again",
    )
