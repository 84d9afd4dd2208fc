"""The page for a model outside the catalog, read from the Hub or the Ollama registry.

`/models/remote/?ref=…` shows what runlocal.remote read (headers only) like a catalog model's
page: the architecture as the engine sees it, the repository's model files with their quants
and sizes, the commands that fetch it, and a link to Will it run? with it filled in. It is
labelled as not reviewed and kept out of search engines. Only with RUNLOCAL_REMOTE_MODELS on,
and only inside the fetch policy the middleware sets (runlocal_web.api.remote).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.errors import (
    InputError,
    RemoteNotFoundError,
    RemoteRateLimitError,
    RemoteUnavailableError,
    RunlocalError,
)
from runlocal.memory import kv_bytes_per_token
from runlocal.remote import RemoteModel, read_remote
from runlocal.remote.policy import current as current_policy
from runlocal.resolve.refs import OllamaRef
from runlocal.runtimes import RUNTIMES
from runlocal.spec import ModelSpec
from runlocal_web.api.remote import MAX_REF, parse_visitor_ref
from runlocal_web.lib.pages import Page, path_with_query, respond

log = logging.getLogger(__name__)

LABELS = {
    "hub": "Read from the Hub, not reviewed",
    "ollama": "Read from the Ollama registry, not reviewed",
}
HOW_TO_NAME = "a Hub id (owner/name), a Hub URL, hf.co/owner/name:QUANT or an Ollama tag (name:tag)"
OFF = "This site does not read models outside its catalog (RUNLOCAL_REMOTE_MODELS is off)."


def page_path(text: str) -> str:
    """The remote page's address for what a visitor typed."""
    return path_with_query(reverse("catalogdb:remote_model"), {"ref": text})


def remote_model(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("ref", "").strip()
    got = read_for_visitor(request, text)
    return got if isinstance(got, HttpResponse) else _page(request, text, got)


def read_for_visitor(request: HttpRequest, text: str) -> RemoteModel | HttpResponse:
    """The model a visitor's reference names, or the page that says in one line why not:
    404 when the site reads no remote models or the model does not exist, 400 for a bad
    reference or unreadable files, 429 over the rate limit, 503 when the Hub or registry
    cannot answer now."""
    path = reverse("catalogdb:remote_model")
    if not settings.RUNLOCAL_REMOTE_MODELS or current_policy() is None:
        return _error(request, path, 404, "Not read on this site", OFF)
    try:
        ref = parse_visitor_ref(text)
    except InputError as exc:  # a URL that names no model file
        return _error(request, path, 400, "Not a model reference", str(exc))
    if ref is None:
        message = f"ref: give {HOW_TO_NAME}" + (f"; {text[:MAX_REF]!r} is none" if text else "")
        return _error(request, path, 400, "Not a model reference", message)
    try:
        return read_remote(text)
    except RemoteRateLimitError as exc:
        response = _error(request, path, 429, "Too many reads", str(exc))
        if exc.retry_after_s:
            response["Retry-After"] = str(exc.retry_after_s)
        return response
    except RemoteNotFoundError as exc:
        return _error(request, path, 404, "Not found", str(exc))
    except RemoteUnavailableError as exc:
        return _error(request, path, 503, "Could not read it now", str(exc))
    except RunlocalError as exc:
        return _error(request, path, 400, "Could not read this model", str(exc))
    except Exception:
        # A reader bug must not cost the visitor a 500 page; the log has the traceback.
        log.exception("remote read failed for %r", text)
        message = f"{text}: runlocal could not read this model (an internal error, logged)"
        return _error(request, path, 503, "Could not read it now", message)


def _page(request: HttpRequest, text: str, got: RemoteModel) -> HttpResponse:
    spec = got.model.spec
    canonical = page_path(text)
    label = LABELS[got.source]
    page = Page(
        title=f"{got.label} ({label.lower()})",
        description=(
            f"{got.label} as runlocal read it from its file headers: "
            f"{spec.params_total / 1e9:.3g}B parameters, {spec.n_layers} layers, "
            f"{spec.max_context:,} tokens of context. Not a catalog entry."
        ),
        breadcrumbs=[
            ("Home", "/"),
            ("Models", reverse("catalogdb:model_list")),
            (got.label, canonical),
        ],
        canonical_path=canonical,
        noindex=True,
    )
    data = {
        "ref": got.label,
        "typed": text,
        "source": got.source,
        "label": label,
        "reviewed": False,
        "read_from": got.read.where,
        "file_kind": got.read.kind,
        "model": model_summary(spec),
        "files": [f.to_dict() for f in got.read.files],
        "commands": commands(got),
        "notes": list(got.read.notes),
        "check_url": path_with_query(reverse("checker:will_it_run"), {"model": text}),
    }
    user = getattr(request, "user", None)
    context = {"can_promote": bool(user is not None and user.is_staff)}
    return respond(request, "catalogdb/remote_model.html", page, data, context=context)


def model_summary(spec: ModelSpec) -> dict[str, Any]:
    """The architecture as the engine sees it (what it sizes memory and speed from)."""
    attn = [layer for layer in spec.layers if layer.n_kv_heads]
    weights = spec.weights
    kv = kv_bytes_per_token(spec, RUNTIMES["llama.cpp"], "f16")
    return {
        "name": spec.name,
        "architecture": spec.architecture,
        "params_total": spec.params_total,
        "params_total_b": float(f"{spec.params_total / 1e9:.3g}"),
        "params_active": spec.params_active if spec.is_moe else None,
        "params_active_b": float(f"{spec.params_active / 1e9:.3g}") if spec.is_moe else None,
        "layers": spec.n_layers,
        "layers_by_kind": dict(spec.layers_by_kind),
        "max_context": spec.max_context,
        "hidden_size": spec.hidden_size,
        "attention_heads": spec.n_heads,
        "kv_heads": sorted({layer.n_kv_heads for layer in attn}),
        "head_dim": sorted({layer.head_dim_k for layer in attn}),
        "sliding_window": spec.sliding_window,
        "experts": spec.n_experts or None,
        "experts_per_token": spec.n_experts_used or None,
        "mla": (
            {"kv_lora_rank": spec.mla.kv_lora_rank, "qk_rope_head_dim": spec.mla.qk_rope_head_dim}
            if spec.mla is not None
            else None
        ),
        "kv_bytes_per_token_f16": round(kv) if kv > 0 else None,
        "vocab_size": spec.vocab_size,
        "weights": (
            {"quant": weights.quant, "bytes": weights.total_bytes, "exact": weights.exact}
            if weights is not None
            else None
        ),
    }


def commands(got: RemoteModel) -> list[dict[str, str]]:
    """The commands that fetch and start it, as the engine writes them for a remote model
    (`-hf owner/name:QUANT`, `ollama run name:tag`, `vllm serve owner/name`); the flags for a
    given device (layers on the GPU, context) are Will it run?'s."""
    out: list[dict[str, str]] = []
    weights = got.model.spec.weights
    if isinstance(got.ref, OllamaRef):
        out.append({"runtime": "ollama", "command": f"ollama run {got.label}"})
    elif got.read.kind == "gguf" and weights is not None:
        read = next((f for f in got.read.files if f.read), None)
        quant = (read.quant if read else None) or weights.quant
        out.append({"runtime": "llama.cpp", "command": f"llama-server -hf {got.label}:{quant}"})
    else:
        out.append({"runtime": "vllm", "command": f"vllm serve {got.label}"})
    return out


def _error(request: HttpRequest, path: str, status: int, title: str, message: str) -> HttpResponse:
    page = Page(
        title=title,
        description=message,
        breadcrumbs=[("Home", "/"), ("Models", reverse("catalogdb:model_list")), (title, path)],
        canonical_path=path,
        noindex=True,
    )
    data = {"error": message}
    return respond(request, "catalogdb/remote_error.html", page, data, status=status)
