"""The one door from the website to the engine."""

from __future__ import annotations

from pathlib import Path

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, CheckResult, check
from runlocal.errors import InputError


def is_catalog_only(model: str) -> bool:
    """False for names the engine would read from disk (paths, .gguf, .json, existing files).

    The command line may size a user's own files; the website must only ever size catalog
    models, whatever a catalog id or a visitor's input looks like.
    """
    looks_like_path = model.endswith((".gguf", ".json")) or "/" in model or model.startswith(".")
    if looks_like_path:
        return False
    try:
        return not Path(model).expanduser().exists()
    except (OSError, ValueError):
        return False


def run_check(query: CheckQuery, catalog: Catalog) -> CheckResult:
    if not is_catalog_only(query.model):
        raise InputError(f"{query.model}: this model cannot be checked on the website")
    return check(query, catalog)
