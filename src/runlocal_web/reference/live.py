"""The engine's live verdict beside what an editorial page claims (answers, guide checks).

Catalog names only (`allow_files=False`): a catalog record must never make the server open a
file. Answers are cached by catalog digest and engine version, like the Will-it-run page.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache
from django.urls import reverse

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import RunlocalError
from runlocal_web.lib.engine import engine_version, is_catalog_only
from runlocal_web.lib.pages import path_with_query

from .content import VERDICT_LABELS, as_list

log = logging.getLogger(__name__)


def claim_query(data: dict[str, Any]) -> dict[str, Any]:
    """The setup an answer or a guide check describes, from its catalog fields."""
    hardware = [str(h) for h in as_list(data.get("hardware")) if isinstance(h, str) and h][:8]
    context = data.get("context")
    ram = data.get("ram_gb")
    return {
        "model": data.get("model") if isinstance(data.get("model"), str) else "",
        "hardware": hardware,
        "quant": data.get("quant") if isinstance(data.get("quant"), str) else "",
        "context": context if isinstance(context, int) and not isinstance(context, bool) else None,
        "runtime": data.get("runtime") if isinstance(data.get("runtime"), str) else "",
        "ram_gb": float(ram)
        if isinstance(ram, int | float) and not isinstance(ram, bool) and math.isfinite(ram)
        else None,
    }


def check_url(q: dict[str, Any]) -> str:
    """The Will-it-run page for this setup."""
    return path_with_query(
        reverse("checker:will_it_run"),
        [
            ("model", q["model"]),
            ("hardware", list(q["hardware"])),
            ("runtime", q["runtime"]),
            ("quant", q["quant"]),
            ("context", q["context"]),
            ("ram_gb", q["ram_gb"]),
        ],
    )


def live_verdict(q: dict[str, Any], catalog: Catalog, digest: str) -> dict[str, Any]:
    """{verdict, verdict_label, verdict_class, reason, …} or {error} — never raises."""
    out: dict[str, Any] = {"check_url": check_url(q)}
    if not q["model"] or not q["hardware"] or not is_catalog_only(q["model"]):
        out["error"] = "this claim does not name a catalog model and hardware"
        return out
    try:
        query = CheckQuery(
            model=q["model"],
            hardware=tuple(q["hardware"]),
            quant=q["quant"] or None,
            context=q["context"],
            runtime=q["runtime"] or "llama.cpp",
            ram_gb=q["ram_gb"],
        )
        r = _cached_check(query, catalog, digest)
    except RunlocalError as exc:
        out["error"] = str(exc)
        return out
    except Exception:  # an engine bug must not take an editorial page down
        log.exception("live verdict failed for %r", q)
        out["error"] = "the engine could not size this setup"
        return out
    label, css = VERDICT_LABELS.get(r["verdict"], (r["verdict"], "neutral"))
    out.update(
        verdict=r["verdict"],
        verdict_label=label,
        verdict_class=css,
        reason=r["reason"],
        quant=r["quant"],
        context=r["context"],
        runtime=r["runtime"],
        total_bytes=r["memory"]["total_bytes"],
        budget_bytes=r["memory"]["budget_bytes"],
        decode_tok_s=r["speed"]["decode_tok_s"],
        evidence=r["evidence"],
    )
    return out


def _cached_check(query: CheckQuery, catalog: Catalog, digest: str) -> dict[str, Any]:
    timeout = settings.RUNLOCAL_CHECK_CACHE_SECONDS
    if not digest or timeout <= 0:
        return check(query, catalog, allow_files=False).to_dict()
    key = (
        "refcheck:" + hashlib.sha256(f"{engine_version()}|{digest}|{query!r}".encode()).hexdigest()
    )
    hit = django_cache.get(key)
    if hit is not None:
        return dict(hit)
    result = check(query, catalog, allow_files=False).to_dict()
    django_cache.set(key, result, timeout)
    return result


def verdict_of(expect: Any) -> dict[str, str] | None:
    """The label and colour of a written claim's verdict (`expect`)."""
    if not isinstance(expect, str) or expect not in VERDICT_LABELS:
        return None
    label, css = VERDICT_LABELS[expect]
    return {"verdict": expect, "label": label, "class": css}
