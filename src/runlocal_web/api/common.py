"""Helpers the endpoints share: strict query strings, pagination, links, the engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from runlocal.bounds import between, outside
from runlocal.catalog import Catalog, Entry, normalize
from runlocal.engine import CheckQuery
from runlocal.errors import InputError, RunlocalError, UnknownNameError
from runlocal_web.catalogdb.store import current
from runlocal_web.lib import params
from runlocal_web.lib.engine import run_check as engine_run_check

from .errors import ApiError, field_error, from_engine_error

PAGE_FIELDS = ("limit", "offset")


def reject_unknown(request: HttpRequest, allowed: Iterable[str]) -> None:
    """Query parameters this endpoint does not read are an error, not silently ignored; each
    is named with the field meant, as a page's notice names it (lib.params: `Context` is not
    read as `context` on either)."""
    known = set(allowed)
    unknown = sorted(k for k in request.GET if k not in known)
    if unknown:
        meant = {k: params.closest(k, known) for k in unknown}
        errors = [
            field_error(k, "unknown parameter", **({"did_you_mean": m} if m else {}))
            for k, m in meant.items()
        ]
        shown = ", ".join(params.described(k[: params.NAME_CHARS], m) for k, m in meant.items())
        raise ApiError(
            422, f"unknown parameter(s): {shown}; known: {', '.join(sorted(known))}", errors
        )


def allowed_fields(schema: type[Any]) -> list[str]:
    return list(schema.model_fields)


def absolute(request: HttpRequest, path: str) -> str:
    if settings.SITE_URL:
        return str(settings.SITE_URL) + path
    return request.build_absolute_uri(path)


def page_link(request: HttpRequest, offset: int, limit: int) -> str:
    pairs = [(k, v) for k, values in request.GET.lists() if k not in PAGE_FIELDS for v in values]
    pairs += [("limit", str(limit)), ("offset", str(offset))]
    return absolute(request, f"{request.path}?{urlencode(pairs)}")


def paginate(
    request: HttpRequest, items: Sequence[dict[str, Any]], limit: int, offset: int
) -> dict[str, Any]:
    """{count, limit, offset, next, previous, items}: next/previous are absolute URLs or null.
    An offset past the last item is a 404 naming the offsets there are, as a page's `?page=`
    past the last page (lib.pages.page_of, which says why); offset 0 of an empty list is an
    empty list, as page 1 of one."""
    total = len(items)
    if offset > 0 and offset >= total:
        problem = outside(offset, between(0, max(total - 1, 0)))
        raise ApiError(404, f"offset: {problem}", [field_error("offset", str(problem))])
    page = list(items[offset : offset + limit])
    return {
        "count": total,
        "limit": limit,
        "offset": offset,
        "next": page_link(request, offset + limit, limit) if offset + limit < total else None,
        "previous": page_link(request, max(0, offset - limit), limit) if offset > 0 else None,
        "items": page,
    }


def html_url(request: HttpRequest, name: str, slug: str) -> str | None:
    try:
        return absolute(request, reverse(name, args=[slug]))
    except NoReverseMatch:
        return None


def api_url(request: HttpRequest, path: str) -> str:
    return absolute(request, "/api/v1/" + path.lstrip("/"))


def entry_dict(
    request: HttpRequest, entry: Entry, api_path: str, page: str | None
) -> dict[str, Any]:
    """A catalog record as JSON: every field of its file, plus links."""
    out = entry.to_dict()
    out["aliases"] = list(entry.aliases)
    out["last_verified"] = entry.last_verified.isoformat()
    out["links"] = {
        "self": api_url(request, api_path),
        "html": html_url(request, page, entry.id) if page else None,
    }
    return out


def matches_text(entry: Entry, q: str, *fields: str) -> bool:
    """Every word of q in the record's id, name, aliases or the given fields."""
    words = normalize(q).split()
    hay = " ".join(
        normalize(str(x))
        for x in (entry.id, entry.name, *entry.aliases, *(entry.get(f) or "" for f in fields))
    )
    return all(w in hay for w in words)


def resolve(catalog: Catalog, kind: str, name: str, field: str) -> Entry:
    """A catalog entry by id, name or alias; 400 with suggestions when unknown."""
    try:
        return catalog.find(kind, name)
    except InputError as exc:  # unknown, ambiguous, a size not sold, a count out of range
        suggestions = list(getattr(exc, "suggestions", []))
        raise ApiError(
            400, str(exc), [field_error(field, str(exc), suggestions=suggestions)]
        ) from None


def not_found(kind: str, slug: str, catalog: Catalog, catalog_kind: str) -> ApiError:
    """404 for an unknown id, with the closest ids (an alias names its entry's id)."""
    suggestions: list[str] = []
    try:
        suggestions = [catalog.find(catalog_kind, slug).id]
    except UnknownNameError as exc:
        names = set(exc.suggestions)
        suggestions = [e.id for e in catalog.entries(catalog_kind).values() if e.name in names]
    except InputError:
        # An id no name can be (a NUL, past bounds.MAX_NAME characters): the resolver refuses
        # to read it, and there is nothing close to suggest. It once answered 500.
        pass
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    return ApiError(
        404,
        f"no {kind} with id {slug!r}{hint}",
        [field_error("id", "unknown id", suggestions=suggestions)],
    )


def run_check(
    query: CheckQuery, catalog: Catalog | None = None, digest: str = ""
) -> dict[str, Any]:
    """The engine's answer through the site's one door to it (lib.engine.run_check: catalog
    models, or remote ones where the site reads them, never files; cached by catalog digest
    and engine version), the pages' door too. RunlocalError becomes a 400 naming the field."""
    if catalog is None:
        digest, catalog = current()
    try:
        return engine_run_check(query, catalog, digest)
    except RunlocalError as exc:
        raise from_engine_error(exc) from None
