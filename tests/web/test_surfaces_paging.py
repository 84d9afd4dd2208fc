"""Paging and the schema: a page bound is refused in the sentence every other bound uses
(runlocal.bounds), a page past the end is a 404 on the pages and in the API alike, and the
OpenAPI schema is built once per process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from .test_api_check import assert_error, fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "line"),
    [
        ({"limit": "0"}, "limit: 0 is out of range (1–500)"),
        ({"limit": "501"}, "limit: 501 is out of range (1–500)"),
        ({"offset": "-1"}, "offset: -1 is out of range (at least 0)"),
        ({"limit": "ten"}, "limit: 'ten' is not a whole number"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/models", "/api/v1/benchmarks"])
def test_a_paging_bound_is_refused_in_the_words_of_every_bound(
    tiny: Path, path: str, query: dict[str, str], line: str
) -> None:
    """pydantic said "Input should be greater than or equal to 1"."""
    body = assert_error(Client().get(path, query), 422)
    assert body["error"] == line
    assert fields(body) == set(query)


def test_the_openapi_schema_is_built_once_and_served_the_same(tiny: Path) -> None:
    from runlocal_web.api.api import api

    client = Client()
    first = client.get("/api/v1/openapi.json")
    built = api.get_openapi_schema(path_prefix="/api/v1/")
    second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert api.get_openapi_schema(path_prefix="/api/v1/") is built
    limit = first.json()["paths"]["/api/v1/models"]["get"]["parameters"]
    (bounds,) = [p["schema"] for p in limit if p["name"] == "limit"]
    assert (bounds["minimum"], bounds["maximum"]) == (1, 500)
