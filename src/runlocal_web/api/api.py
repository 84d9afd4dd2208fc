"""The NinjaAPI object: routers, and every exception turned into the one error shape."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from .errors import ApiError, error_response, from_api_error, summarize, validation_errors
from .views_benchmarks import router as benchmarks_router
from .views_catalog import router as catalog_router
from .views_check import router as check_router
from .views_tools import router as tools_router

log = logging.getLogger(__name__)


class CachedSchemaAPI(NinjaAPI):
    """The OpenAPI schema is built once per process and URL prefix. Why: it depends only on
    the code (routers and schemas, fixed at import), and django-ninja rebuilds it on every
    request to /api/v1/openapi.json (ninja.openapi.views.openapi_json), which took 0.7–1 s."""

    _schemas: dict[str, OpenAPISchema]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cached = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cached:
            cached[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return cached[path_prefix]


api = CachedSchemaAPI(
    title="runlocal API",
    version="1",
    description=(
        "Will this model run on this hardware, and how fast? The engine's answers, the "
        "catalog, and measured benchmarks. Every error has one shape: "
        '`{"ok": false, "status": N, "error": "one line", "errors": [{"field", "message"}]}`. '
        "Fields are added over time, never renamed or removed. See docs/api.md."
    ),
    urls_namespace="api:v1",
)
api.add_router("", check_router)
api.add_router("", catalog_router)
api.add_router("", benchmarks_router)
api.add_router("", tools_router)

_FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_.]*): (.+)$")


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return from_api_error(exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    for err in errors:
        # Whole-object checks name their field in the message ("gen_tokens: ...").
        m = _FIELD_PREFIX.match(err["message"]) if err["field"] is None else None
        if m:
            err["field"], err["message"] = m.group(1), m.group(2)
    unique = []
    for err in errors:
        if err not in unique:
            unique.append(err)
    return error_response(422, summarize(unique), unique)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and "parse" in message.lower():
        message = "the request body is not valid JSON"
    return error_response(exc.status_code, message, [{"field": None, "message": message}])


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not found")


@api.exception_handler(Exception)
def _internal(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "internal error; it has been logged")


ENDPOINTS = {
    "check": "GET|POST /api/v1/check: the engine's answer (as runlocal check --json)",
    "compare": "GET /api/v1/compare?hw=…&hw=…[&model=…]: hardware side by side",
    "cost": "GET /api/v1/cost?model=…&hardware=…: local cost per million tokens vs cloud",
    "recommend": "GET /api/v1/recommend?budget_usd=…&model=…: which GPU or Mac to buy",
    "recommend_models": "GET /api/v1/recommend/models?gpu=…&ram_gb=…: what a build runs best",
    "models": "GET /api/v1/models, /api/v1/models/{id}",
    "hardware": "GET /api/v1/hardware, /api/v1/hardware/{id}",
    "glossary": "GET /api/v1/glossary, /api/v1/glossary/{id}",
    "errors": "GET /api/v1/errors, /api/v1/errors/{id}",
    "benchmarks": "GET|POST /api/v1/benchmarks, GET /api/v1/benchmarks/regressions",
    "openapi": "GET /api/v1/openapi.json",
    "docs": "GET /api/v1/docs",
}


def index(request: HttpRequest, **kwargs: object) -> HttpResponse:
    """`/api/v1/`: what is here."""
    body = {"name": "runlocal API", "version": "1", "endpoints": ENDPOINTS}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    hint = ""
    if rest.endswith("/"):
        hint = f"; without the trailing slash: /api/v1/{rest.rstrip('/')}"
    return error_response(404, f"no such endpoint: /api/v1/{rest}{hint}; see /api/v1/docs")


__all__ = ["ApiError", "api", "index", "summarize", "unknown_endpoint"]
