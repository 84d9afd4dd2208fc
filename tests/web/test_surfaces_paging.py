"""Paging and the schema: a page bound is refused in the sentence every other bound uses
(runlocal.bounds), a page past the end is a 404 on the pages and in the API alike, and the
OpenAPI schema is built once per process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape

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


@pytest.mark.parametrize("path", ["/models/", "/hardware/", "/benchmarks/", "/pulse/"])
def test_a_page_past_the_last_is_a_404_saying_which_pages_there_are(tiny: Path, path: str) -> None:
    """Paginator.get_page answered ?page=999 with the last page under page 999's address;
    Django's ListView and PyPI's search answer 404 (lib.pages.page_of)."""
    client = Client()
    first = client.get(path, {"format": "json"})
    assert first.status_code == 200
    pages = first.json()["pagination"]["pages"]
    assert client.get(path, {"page": str(pages)}).status_code == 200
    for typed, line in (
        (str(pages + 1), f"page: {pages + 1} is out of range (1–{pages})"),
        ("0", f"page: 0 is out of range (1–{pages})"),
        ("abc", "page: 'abc' is not a whole number"),
    ):
        response = client.get(path, {"page": typed, "format": "json"})
        assert response.status_code == 404, (path, typed)
        assert response.json()["error"] == f"no page at {path}: {line}"
        html = client.get(path, {"page": typed})
        assert html.status_code == 404 and escape(line) in html.content.decode()


def test_the_api_answers_an_offset_past_the_last_item_as_the_pages_do(tiny: Path) -> None:
    client = Client()
    count = client.get("/api/v1/models").json()["count"]
    assert client.get("/api/v1/models", {"offset": count - 1}).json()["items"]
    body = assert_error(client.get("/api/v1/models", {"offset": count}), 404)
    assert body["error"] == f"offset: {count} is out of range (0–{count - 1})"
    assert fields(body) == {"offset"}
    # An empty list is one empty page, not a 404: a filter that matches nothing says so.
    empty = client.get("/api/v1/models", {"q": "no-such-model-anywhere"})
    assert empty.status_code == 200 and empty.json()["items"] == []
