"""`/api/v1/`: django-ninja's URLs, each behind http.guard, then a JSON 404 for the rest."""

from django.urls import URLPattern, URLResolver, include, path, re_path

from .api import api, index, unknown_endpoint
from .http import guard, guard_pattern

app_name = "api"

# HTTP method → rate limit (ops/limits.py's scopes), by ninja URL name.
RATE_SCOPES = {
    "check": {"GET": "check", "POST": "check"},
    "benchmarks": {"POST": "submit"},
    "compare": {"GET": "check"},
    "cost": {"GET": "check"},
    "recommend": {"GET": "check"},
    "recommend_models": {"GET": "check"},
}
# The endpoints that read a JSON body (POST): JSON only, and not from other sites' pages.
JSON_BODIES = frozenset({"check", "benchmarks"})
# Seconds a successful GET may be cached; the rest of the catalog's answers use 300.
MAX_AGES = {"benchmarks": 60, "benchmark_regressions": 60}

_patterns, _app, _namespace = api.urls
_guarded = [
    guard_pattern(p, RATE_SCOPES, MAX_AGES, replace={"api-root": index}, json_bodies=JSON_BODIES)
    for p in _patterns
    if isinstance(p, URLPattern)
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((_guarded, _app), namespace=_namespace)),
    re_path(r"^(?P<rest>.*)$", guard(unknown_endpoint), name="unknown"),
]
