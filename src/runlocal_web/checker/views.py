"""Will it run? — the engine's answer for one model on one set of hardware."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from runlocal.advice import one_change
from runlocal.catalog import Catalog, Entry
from runlocal.check_inputs import runtime_loads
from runlocal.engine import CheckQuery
from runlocal.errors import InputError, RunlocalError, UnknownNameError
from runlocal.hardware import parse_hardware
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.models import resolve_model_name
from runlocal.resolve.refs import OllamaRef
from runlocal.runtimes import RUNTIMES
from runlocal.sources import normalize_quant_loose
from runlocal_web.api.remote import reads_remotely
from runlocal_web.catalogdb.remote import LABELS as REMOTE_LABELS
from runlocal_web.catalogdb.remote import page_path as remote_page
from runlocal_web.catalogdb.store import current
from runlocal_web.lib.engine import run_check
from runlocal_web.lib.labels import catalog_names
from runlocal_web.lib.pages import Page, path_with_query, respond, url_for
from runlocal_web.ops.limits import limited

from . import present
from .forms import CUSTOM_FIELDS, KV_TYPES, URL_FIELDS, CheckForm

log = logging.getLogger(__name__)
# The fields under "Runtime, quantization, context and memory", in form order.
OPTION_FIELDS = (
    "runtime",
    "quant",
    "context",
    "kv_type",
    "batch",
    "ram_gb",
    "gpu_memory_gb",
    "gpu_memory_utilization",
)
# Engine messages name the CLI's flags; on the form they belong to these fields.
_FLAG_FIELDS = {"--gpu-memory-gb": "gpu_memory_gb"}
ENGINE_FAILED = (
    "runlocal could not work out this setup: an internal error, which has been logged. "
    "Other values may work."
)
_COUNT_PREFIX = re.compile(r"^\s*(\d+)\s*[x×*]\s*", re.IGNORECASE)


@limited("check")
def will_it_run(request: HttpRequest) -> HttpResponse:
    digest, catalog = current()
    path = url_for("checker:will_it_run")
    asked = any(name in request.GET for name in URL_FIELDS)
    form = CheckForm(request.GET if asked else None)
    context: dict[str, Any] = {
        "form": form,
        "hardware_inputs": _hardware_inputs(request.GET if asked else QueryDict()),
        "model_value": form["model"].value() or "",
        "model_names": catalog_names(catalog, "models"),
        "hardware_names": catalog_names(catalog, "hardware"),
        "option_fields": OPTION_FIELDS,
        "custom_fields": CUSTOM_FIELDS,
        "more_open": any(
            request.GET.get(name, "").strip() for name in (*OPTION_FIELDS, "no_measured")
        ),
        "custom_open": any(request.GET.get(name, "").strip() for name in CUSTOM_FIELDS),
    }
    crumbs = [("Home", "/"), ("Will it run?", path)]
    options = {
        "runtimes": [{"id": r.id, "name": r.name} for r in RUNTIMES.values()],
        "kv_types": [k for k, _ in KV_TYPES],
    }
    if not asked:
        page = Page(
            title="Will it run? Check a local AI model against your hardware",
            description=(
                "Pick a model and your GPU, Mac or CPU: see whether it fits in memory, how the "
                "memory splits into weights, KV cache and buffers, and how fast it decodes."
            ),
            breadcrumbs=crumbs,
            canonical_path=path,
        )
        data = {"query": None, "result": None, "options": options}
        return respond(request, "checker/will_it_run.html", page, data, context=context)

    suggestions: dict[str, Any] = {}
    found = _run(form, catalog, digest, suggestions, request.GET) if form.is_valid() else None
    result, query = found if found is not None else (None, None)
    if result is None or query is None:
        page = Page(
            title="Will it run? Check the form",
            description="Some of the inputs need fixing before runlocal can answer.",
            breadcrumbs=crumbs,
            canonical_path=path,
            noindex=True,
        )
        data = {
            "query": _raw_query(request.GET),
            "result": None,
            "errors": {k or "__all__": list(v) for k, v in form.errors.items()},
            "suggestions": suggestions,
            "options": options,
        }
        context["suggestions"] = suggestions
        return respond(request, "checker/will_it_run.html", page, data, context=context, status=400)

    r = result
    share = path_with_query(path, form.url_params())
    hw = present.hardware_summary(r)
    label = present.verdict_label(r["verdict"])
    speed = r["speed"]
    desc = f"{label}: {r['reason']}. Needs {r['memory']['total_bytes'] / 2**30:.1f} GiB"
    desc += f" of {r['memory']['budget_bytes'] / 2**30:.1f} GiB"
    if speed["decode_tok_s"] is not None:
        desc += f"; about {speed['decode_tok_s']:g} tokens/s ({r['evidence']})"
    page = Page(
        title=f"Will {r['model']['name']} run on {hw}?",
        description=desc + ".",
        breadcrumbs=[*crumbs, (f"{r['model']['name']} on {hw}", share)],
        canonical_path=share,
    )
    data = {
        "query": dict(form.url_params()),
        "share_url": share,
        "verdict_label": label,
        "result": r,
        "sources": present.sources(r, catalog),
        "alternatives": _alternatives(form, r, path),
        "quality": present.quality(r, catalog),
        "one_change": _one_change(form, query, r, catalog, path),
        "remote_model": _remote_model(catalog, str(form.cleaned_data.get("model") or "")),
    }
    context.update(
        # With an answer, the options fold away so the verdict shows without scrolling; the
        # verdict's setup line says which were used. A custom device stays open: it is the
        # hardware.
        more_open=False,
        verdict_class=present.verdict_class(r["verdict"]),
        hardware_summary=hw,
        chart=present.chart(r),
        unified_memory=present.unified_memory(r),
        basis_rows=present.basis_rows(r),
        evidence_text=present.evidence_text(r["evidence"]),
        share_url=page.canonical_url(request),
        # The boxes show names (the share link keeps ids): "Qwen2.5 32B Instruct", not
        # "qwen2.5-32b-instruct".
        model_value=_model_name(catalog, str(form.cleaned_data.get("model") or ""))
        or form["model"].value(),
        hardware_inputs=_hardware_inputs(_display_hardware(catalog, form)),
        runtime_name=RUNTIMES[r["runtime"]].name if r["runtime"] in RUNTIMES else r["runtime"],
    )
    return respond(request, "checker/will_it_run.html", page, data, context=context)


def _run(
    form: CheckForm, catalog: Catalog, digest: str, suggestions: dict[str, Any], raw: QueryDict
) -> tuple[dict[str, Any], CheckQuery] | None:
    """Resolve names (field errors with suggestions), then ask the engine: (answer, query)."""
    d = form.cleaned_data
    entry: Entry | None = None
    typed_model, typed_hardware = d["model"], list(d["hardware"])
    # (field, typed value) → the catalog names it may have meant, best first.
    unknown: dict[tuple[str, str], list[str]] = {}
    named_quant: str | None = None
    try:
        name = resolve_model_name(catalog, typed_model)
        entry = name.entry
        # A quant the name states ("…-Q4_K_M.gguf", "-AWQ") is kept in the query, as the CLI does.
        named_quant = name.quant
        if named_quant and d["quant"] and normalize_quant_loose(d["quant"]) != named_quant:
            form.add_error(
                "quant", f"{d['quant']} contradicts the model name, which says {named_quant}"
            )
        elif (
            not d["quant"]
            and name.default_quant
            and runtime_loads(d["runtime"], name.default_quant)
        ):
            named_quant = name.default_quant
    except UnknownNameError as exc:
        # A Hub id or URL, hf.co/…:QUANT or name:tag is read remotely when the site does.
        if reads_remotely(typed_model) is None:
            # add_error drops the field from cleaned_data, hence the copies above.
            form.add_error("model", exc.headline)
            unknown["model", typed_model] = list(exc.suggestions)
    canonical: list[str] = []
    for text in typed_hardware:
        try:
            parse_hardware(catalog, text)
            canonical.append(_canonical_hardware(catalog, text))
        except UnknownNameError as exc:
            plain = type(exc) is UnknownNameError
            form.add_error("hardware", exc.headline if plain else str(exc))
            unknown["hardware", text] = [_keep_count(text, s) for s in exc.suggestions]
        except InputError as exc:
            form.add_error("hardware", str(exc))
    _suggest(unknown, raw, suggestions)
    if form.errors or (entry is None and reads_remotely(typed_model) is None):
        return None
    # The engine is asked the question as typed, as the API and the CLI ask it: it reads the
    # quant a name states or implies itself (a name's quant passed as if typed once made the
    # page say it was not assumed where the API and the CLI said it was).
    typed_quant = d["quant"] or None
    # Share links name catalog ids ("2x nvidia-rtx-3090"), however the visitor typed them,
    # with the quant the name said, so that they ask for the same figures.
    d["model"] = entry.id if entry is not None else typed_model.strip()
    d["hardware"] = canonical
    d["quant"] = d["quant"] or named_quant or ""
    query = CheckQuery(
        model=typed_model.strip(),
        hardware=tuple(typed_hardware),
        quant=typed_quant,
        context=d["context"],
        batch=d["batch"] or 1,
        runtime=d["runtime"],
        kv_type=d["kv_type"],
        ram_gb=d["ram_gb"],
        gpu_memory_gb=d.get("gpu_memory_gb"),
        gpu_memory_utilization=d.get("gpu_memory_utilization"),
        no_measured=bool(d.get("no_measured")),
        vram_gb=d.get("vram_gb"),
        bandwidth_gb_s=d.get("bandwidth_gb_s"),
        tflops=d.get("tflops"),
    )
    try:
        return run_check(query, catalog, digest), query
    except RunlocalError as exc:
        message = str(exc)
        flag = next((f for f in _FLAG_FIELDS if message.startswith(f + " ")), None)
        if flag is None:
            form.add_error(None, message)
        else:  # on its field, without the CLI's flag: "80 is out of range for … (0–64)"
            rest = message[len(flag) :].strip()
            form.add_error(_FLAG_FIELDS[flag], rest[:1].upper() + rest[1:])
        return None
    except Exception:
        # An engine bug must not cost the visitor the page; the log carries the traceback.
        log.exception("engine failed on %r", query)
        form.add_error(None, ENGINE_FAILED)
        return None


def _remote_model(catalog: Catalog, model: str) -> dict[str, str] | None:
    """For a model read from the Hub or the Ollama registry: its page and how it was read."""
    ref = None if model in catalog.models else reads_remotely(model)
    if ref is None:
        return None
    return {
        "ref": model,
        "label": REMOTE_LABELS["ollama" if isinstance(ref, OllamaRef) else "hub"],
        "url": remote_page(model),
    }


def _canonical_hardware(catalog: Catalog, text: str) -> str:
    """'2x rtx 3090' → '2x nvidia-rtx-3090', 'M4 Max 128GB' → 'apple-m4-max-40c 128GB': the
    resolver's reading, memory and count kept."""
    return " + ".join(part.query for part in resolve_hardware_name(catalog, text))


def _shows_as(catalog: Catalog, kind: str, eid: str) -> str | None:
    """The record's name when the name finds the same record again, else None (the id)."""
    entry = catalog.entries(kind).get(eid)
    if entry is None:
        return None
    try:
        return entry.name if catalog.find(kind, entry.name).id == entry.id else None
    except InputError:
        return None


def _model_name(catalog: Catalog, model_id: str) -> str:
    return _shows_as(catalog, "models", model_id) or model_id


def _display_hardware(catalog: Catalog, form: CheckForm) -> QueryDict:
    """The hardware of an answer as names for the boxes: '2x nvidia-rtx-3090' → '2x NVIDIA
    GeForce RTX 3090' (each still resolves to the same device); other forms as typed."""
    out = QueryDict(mutable=True)
    for value in form.cleaned_data.get("hardware") or []:
        m = _COUNT_PREFIX.match(value)
        count, name = (m.group(1), value[m.end() :]) if m else ("", value)
        shown_name = _shows_as(catalog, "hardware", name)
        shown = value if shown_name is None else f"{count}x {shown_name}" if count else shown_name
        out.appendlist("hardware", shown)
    return out


def _keep_count(typed: str, name: str) -> str:
    """'2x RTX 409' with suggestion 'RTX 4090' → '2x RTX 4090'."""
    m = _COUNT_PREFIX.match(typed)
    return f"{m.group(1)}x {name}" if m else name


def _raw_query(get: QueryDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in URL_FIELDS:
        values = get.getlist(name)
        if values:
            out[name] = values if name == "hardware" else values[-1]
    return out


def _suggest(
    unknown: dict[tuple[str, str], list[str]], raw: QueryDict, out: dict[str, Any]
) -> None:
    """A link per suggestion; each also swaps every other unknown name for its best match,
    so one click fixes the whole query when the guesses are right."""
    best = {key: names[0] for key, names in unknown.items() if names}
    for (field, typed), names in unknown.items():
        links = [
            {"name": name, "url": _replace(raw, {**best, (field, typed): name})} for name in names
        ]
        if field == "model":
            out["model"] = links
        else:
            out.setdefault("hardware", []).append({"input": typed, "suggestions": links})


def _replace(get: QueryDict, swaps: dict[tuple[str, str], str]) -> str:
    """This query with some values swapped: the link behind a suggestion."""
    params: list[tuple[str, Any]] = []
    for field in URL_FIELDS:
        for value in get.getlist(field):
            params.append((field, swaps.get((field, value.strip()), value)))
    return path_with_query(url_for("checker:will_it_run"), params)


def _one_change(
    form: CheckForm, query: CheckQuery, r: dict[str, Any], catalog: Catalog, path: str
) -> dict[str, Any] | None:
    """The one change that would most improve the answer (runlocal.advice), with the link
    that asks Will it run? again with it."""
    try:
        change = one_change(query, r, catalog)
    except Exception:  # advice is a bonus: never the reason a verdict fails to show
        log.exception("advice failed on %r", query)
        return None
    if change is None:
        return None
    swapped = dict(change["query"])
    keys = {k for k, v in swapped.items() if v is not None}
    params = [(k, v) for k, v in form.url_params() if k not in keys]
    for key in ("hardware", "quant", "context", "ram_gb"):
        value = swapped.get(key)
        if value is not None and key in keys:
            params.append((key, value))
    return {**change, "url": path_with_query(path, params)}


def _alternatives(form: CheckForm, r: dict[str, Any], path: str) -> list[dict[str, str]]:
    """One-click variations worth trying: the best quantization, the largest context."""
    params = form.url_params()
    out: list[dict[str, str]] = []
    best = r.get("best_quant")
    if best and best != r["quant"]:
        swapped = [(k, v) for k, v in params if k != "quant"] + [("quant", best)]
        out.append(
            {
                "label": f"at {best}, the best quantization that fits comfortably",
                "url": path_with_query(path, swapped),
            }
        )
    max_ctx = r.get("max_context")
    if max_ctx and max_ctx != r["context"]:
        swapped = [(k, v) for k, v in params if k != "context"] + [("context", max_ctx)]
        out.append(
            {
                "label": f"at {max_ctx:,} tokens, the largest context that runs "
                + (
                    "(with system RAM)"
                    if r.get("max_context_where") == "offload"
                    else "with every layer on the accelerator"
                ),
                "url": path_with_query(path, swapped),
            }
        )
    return out


def _hardware_inputs(get: QueryDict) -> list[str]:
    """The hardware boxes to show: what was typed, plus an empty one for one more device."""
    values = [v for v in get.getlist("hardware") if v.strip()][:8]
    return [*values, ""] if len(values) < 8 else values
