"""The one door from the website to the engine: catalog models only, answers cached."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache as django_cache

import runlocal.engine
import runlocal_web
from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check, check_brief, check_commands, without_prefill
from runlocal.errors import InputError, RunlocalError
from runlocal.resolve.models import resolve_model_name

T = TypeVar("T")


def is_catalog_only(model: str, catalog: Catalog | None = None) -> bool:
    """False for names the engine would read from disk (paths, .gguf, .json, existing files).

    The command line may size a user's own files; the website must only ever size catalog
    models, whatever a catalog id or a visitor's input looks like. A name the catalog resolves
    ("Llama-3.1-8B-Instruct-Q4_K_M.gguf", "meta-llama/Llama-3.1-8B-Instruct") is its entry:
    Will it run? and the API ask the engine with the name as typed, as the CLI does.
    """
    if catalog is not None:
        if model in catalog.models:
            # A catalog id is never read from disk (the site's checks pass allow_files=False):
            # no file-system lookup for the tables that ask about dozens of them per page.
            return not _looks_like_path(model)
        entry_id = _catalog_id(catalog, model)
        if entry_id is not None:
            return not _looks_like_path(entry_id)
    if _looks_like_path(model):
        return False
    try:
        return not Path(model).expanduser().exists()
    except (OSError, ValueError):
        return False


def _looks_like_path(model: str) -> bool:
    return model.endswith((".gguf", ".json")) or "/" in model or model.startswith(".")


def _catalog_id(catalog: Catalog, model: str) -> str | None:
    """The id of the catalog model a typed name names, else None."""
    try:
        return resolve_model_name(catalog, model).entry.id
    except RunlocalError:
        return None


def engine_files() -> list[Path]:
    """The engine's code and data: every module of the core, its subpackages (memory, speed,
    resolve, remote) included, and its fitted parameters."""
    root = Path(runlocal.engine.__file__).parent
    code = [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]
    return sorted([*code, *root.glob("data/*.json")])


@cache
def engine_version() -> str:
    """A hash of the engine's code and data: a new engine never reads an old cached answer."""
    root = Path(runlocal.engine.__file__).parent
    h = hashlib.sha256()
    for path in engine_files():
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def run_check(query: CheckQuery, catalog: Catalog, digest: str = "") -> dict[str, Any]:
    """The engine's answer as a dict. Raises RunlocalError for input it rejects.

    A catalog model, or a Hub or Ollama reference when the site reads remote models
    (api.remote.reads_remotely); never a file. With the catalog's digest, answers are cached
    (errors are not: they are cheap).
    """
    return _answer("check", query, catalog, digest)


def run_brief(query: CheckQuery, catalog: Catalog, digest: str = "") -> dict[str, Any]:
    """The part of the engine's answer a table shows (runlocal.engine.check_brief: the same
    values as run_check's under the same keys), for the pages that ask dozens per page; as
    run_check otherwise."""
    return _answer("brief", query, catalog, digest)


def table_brief(
    query: CheckQuery, catalog: Catalog, digest: str, checked: set[str]
) -> dict[str, Any]:
    """run_brief(query, catalog, digest) less its prefill figures (engine.PREFILL_KEYS), for a
    detail page's table cells, some 40 a page, which show no prefill speed: the engine does
    not work the prefill formula out for them (check_brief's prefill=False, ~8% of an answer).
    With no digest (the pages' tables are cached whole, not each answer) the same answer and
    the same refusal, with the model's catalog-only test made once per page (``checked``: the
    model names this page has already passed) instead of once per cell, and without
    _answer's settings read and dispatch per cell (~2.5 µs a cell)."""
    if digest:
        return without_prefill(run_brief(query, catalog, digest))
    if query.model not in checked:
        _catalog_only(query, catalog)
        checked.add(query.model)
    # Its plan is not kept beyond the page (check_brief's keep_plan: the tables are cached
    # whole, and kept plans set off full collections, docs/performance.md Round 14).
    return check_brief(query, catalog, allow_files=False, prefill=False, keep_plan=False)


def ranking_brief(checked: set[str]) -> Callable[[CheckQuery, Catalog], dict[str, Any]]:
    """A ranking's check_fn (Choose my GPU, the custom build): table_brief uncached, the
    brief less its prefill figures, ``checked`` the model names this answer has let through.
    A ranking reads an answer through recommend.Fit.from_result alone, which takes no prefill
    figure (tests/web/test_first_views.py holds the Fit of each to run_brief's), so the engine
    does not work the prefill formula out for its hundred-odd answers (~8% of each); the
    whole answer is cached, not each brief."""

    def check_fn(query: CheckQuery, catalog: Catalog) -> dict[str, Any]:
        return table_brief(query, catalog, "", checked)

    return check_fn


def run_commands(query: CheckQuery, catalog: Catalog, digest: str = "") -> dict[str, Any]:
    """The engine's quantization, context and commands for the query
    (runlocal.engine.check_commands: run_check's values under the same keys), for a page that
    shows a setup's commands and not the rest of its answer; as run_check otherwise."""
    return _answer("commands", query, catalog, digest)


def _catalog_only(query: CheckQuery, catalog: Catalog) -> None:
    """Refuse a model the website may not ask about: a file, or a remote model when the site
    does not read remote models."""
    if not is_catalog_only(query.model, catalog) and _reads_remotely(query.model) is None:
        # "model: …": the API names the field it is about (api.errors.engine_field).
        raise InputError(
            f"model: {query.model[:100]} cannot be checked on the website "
            "(catalog models only, never files)"
        )


def _answer(kind: str, query: CheckQuery, catalog: Catalog, digest: str) -> dict[str, Any]:
    _catalog_only(query, catalog)
    timeout = settings.RUNLOCAL_CHECK_CACHE_SECONDS
    if not digest or timeout <= 0:
        # Uncached (the detail pages' table cells: their tables are cached whole): the
        # engine's answer with no closure, key or cache round trip around it, ~40 a page.
        return _compute(kind, query, catalog)
    raw = f"{engine_version()}|{digest}|{query!r}".encode()
    key = f"{kind}:" + hashlib.sha256(raw).hexdigest()
    hit = django_cache.get(key)
    if hit is not None:
        return dict(hit)
    result = _compute(kind, query, catalog)
    django_cache.set(key, result, timeout)
    return result


def _compute(kind: str, query: CheckQuery, catalog: Catalog) -> dict[str, Any]:
    if kind == "brief":
        return check_brief(query, catalog, allow_files=False)
    if kind == "commands":
        return check_commands(query, catalog, allow_files=False)
    return check(query, catalog, allow_files=False).to_dict()


def _reads_remotely(model: str) -> Any:
    from runlocal_web.api.remote import reads_remotely  # the API imports this module

    return reads_remotely(model)


@cache
def code_stamp() -> str:
    """A hash of the site's code, templates and static files, and of the engine's: a deploy
    never reads answers or serves pages that the previous code computed."""
    root = Path(runlocal_web.__file__).parent
    h = hashlib.sha256(engine_version().encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cached_answer(kind: str, digest: str, key: Any, compute: Callable[[], T]) -> T:
    """A whole page's computed answer, cached per catalog digest and site code (the pages'
    answers are built by the site's code as well as the engine's)."""
    timeout = settings.RUNLOCAL_CHECK_CACHE_SECONDS
    if not digest or timeout <= 0:
        return compute()
    raw = f"{code_stamp()}|{digest}|{key!r}".encode()
    cache_key = f"answer:{kind}:" + hashlib.sha256(raw).hexdigest()
    hit = django_cache.get(cache_key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    value = compute()
    django_cache.set(cache_key, value, timeout)
    return value
